#!/bin/sh
# Fills ovs/ from Debian's openvswitch-source tarball, applies our patches
# from patches/ovs/ (if any), then configures and builds Open vSwitch once.
# A later run does nothing when the tarball, the patches and the configure
# options are the same as last time.
set -e

OVS_TARBALL=${OVS_TARBALL:-/usr/src/openvswitch/openvswitch.tar.gz}
# openvswitch-source 3.1.0-2+deb12u1.
OVS_SHA256=82dde6737921b63b284ad8399f95c7f1de94e1b96b2036dcf4a78c9f969ab03f
OVS_CONFIGURE_FLAGS="--disable-ssl-check --enable-Werror=no"

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [ ! -r "$OVS_TARBALL" ]; then
    echo "ovs-bootstrap: $OVS_TARBALL missing (apt-get install openvswitch-source)" >&2
    exit 1
fi
sum=$(sha256sum "$OVS_TARBALL" | cut -d' ' -f1)
if [ "$sum" != "$OVS_SHA256" ]; then
    echo "ovs-bootstrap: $OVS_TARBALL has sha256 $sum, expected $OVS_SHA256" >&2
    exit 1
fi

patches=$(ls patches/ovs/*.patch 2>/dev/null || true)
stamp=$( (echo "$OVS_SHA256 $OVS_CONFIGURE_FLAGS ${CC:-cc}"
          [ -z "$patches" ] || cat $patches) | sha256sum | cut -d' ' -f1)

if [ -f ovs/.vpc-stamp ] && [ "$(cat ovs/.vpc-stamp)" = "$stamp" ]; then
    echo "ovs-bootstrap: ovs/ is up to date"
    exit 0
fi

echo "ovs-bootstrap: unpacking and building Open vSwitch in ovs/"
rm -rf ovs
mkdir ovs
tar xzf "$OVS_TARBALL" -C ovs --strip-components=1
for p in $patches; do
    echo "ovs-bootstrap: applying $p"
    patch -d ovs -p1 < "$p"
done
(cd ovs && ./configure $OVS_CONFIGURE_FLAGS --prefix=/usr/local \
     --localstatedir=/var --sysconfdir=/etc >configure.log 2>&1) || {
    tail -20 ovs/configure.log >&2
    echo "ovs-bootstrap: configuring Open vSwitch failed" >&2
    exit 1
}
make -C ovs -j"$(nproc)" \
    > ovs/build.log 2>&1 || {
    tail -30 ovs/build.log >&2
    echo "ovs-bootstrap: building Open vSwitch failed" >&2
    exit 1
}
echo "$stamp" > ovs/.vpc-stamp
echo "ovs-bootstrap: done"
