# vpc-sim.sh: simulated hosts on one machine, for tests, benchmarks and the
# sandbox.  Source it; it defines shell functions.
#
# A host is a network namespace with its own ovsdb-server and ovs-vswitchd
# (userspace datapath), files under $SIM_DIR/HOST, an underlay address on
# bridge br-phy, and a veth to the underlay namespace, where a Linux bridge
# joins all hosts.  A VM is a namespace joined by veth to its host's br-int.
# Everything a function starts is recorded in $SIM_DIR/pids and
# $SIM_DIR/netns, so that sim_cleanup removes it all, by PID.
#
# Needs: ovsdb-tool, ovsdb-server, ovs-vswitchd, ovs-vsctl on PATH, and
# $VPC_SCHEMA_VSWITCH (vswitch.ovsschema).

# sim_init DIR [PREFIX [CTL_IP]]: prepares DIR, the underlay namespace
# ("ul", a Linux bridge), and the controllers' namespace ("ctl"), which has
# CTL_IP (default 192.0.2.1) on the underlay: controllers listen there, as
# they would on a management network.
# sim_underlay_mtu: the underlay's MTU: $SIM_UNDERLAY_MTU, by default 9000
# (jumbo frames, so that tunneled 1500-byte VM frames fit).  Hosts say it
# when they are onboarded.
sim_underlay_mtu () {
    echo "${SIM_UNDERLAY_MTU:-9000}"
}

sim_init () {
    SIM_DIR=$1
    SIM_PREFIX=${2:-vs$$-}
    SIM_CTL_IP=${3:-192.0.2.1}
    mkdir -p "$SIM_DIR"
    : > "$SIM_DIR/pids"
    : > "$SIM_DIR/netns"
    sim_netns_add "${SIM_PREFIX}ul" || return 1
    ip -n "${SIM_PREFIX}ul" link add ul type bridge || return 1
    ip -n "${SIM_PREFIX}ul" link set ul up
    ip -n "${SIM_PREFIX}ul" link set lo up

    sim_netns_add "${SIM_PREFIX}ctl" || return 1
    ip -n "${SIM_PREFIX}ctl" link set lo up
    ip link add u-ctl netns "${SIM_PREFIX}ul" type veth peer name eth0 \
        netns "${SIM_PREFIX}ctl" || return 1
    ip -n "${SIM_PREFIX}ul" link set u-ctl mtu "$(sim_underlay_mtu)" master ul up
    ip -n "${SIM_PREFIX}ctl" addr add "$SIM_CTL_IP/24" dev eth0
    ip -n "${SIM_PREFIX}ctl" link set eth0 up
    ip netns exec "${SIM_PREFIX}ctl" ethtool -K eth0 tx off >/dev/null 2>&1
    return 0
}

# sim_ctl CMD...: runs CMD in the controllers' namespace.
sim_ctl () {
    ip netns exec "${SIM_PREFIX}ctl" "$@"
}

sim_netns_add () {
    ip netns add "$1" || return 1
    echo "$1" >> "$SIM_DIR/netns"
}

# sim_ns NAME: the namespace of host or VM NAME.
sim_ns () {
    echo "${SIM_PREFIX}$1"
}

# sim_on HOST CMD...: runs CMD in HOST's namespace with HOST's OVS files.
sim_on () {
    local host=$1
    shift
    OVS_RUNDIR=$SIM_DIR/$host OVS_LOGDIR=$SIM_DIR/$host \
    OVS_DBDIR=$SIM_DIR/$host OVS_SYSCONFDIR=$SIM_DIR/$host \
    ip netns exec "$(sim_ns "$host")" "$@"
}

# sim_in VM CMD...: runs CMD in VM's namespace.
sim_in () {
    local vm=$1
    shift
    ip netns exec "$(sim_ns "$vm")" "$@"
}

sim_record_pid () {
    echo "$1" >> "$SIM_DIR/pids"
}

# sim_start_ovs HOST: starts HOST's ovsdb-server and ovs-vswitchd.
sim_start_ovs () {
    local host=$1 d=$SIM_DIR/$1
    sim_start_ovsdb "$host" || return 1
    sim_on "$host" ovs-vsctl --db=unix:"$d/db.sock" --no-wait init || return 1
    sim_start_vswitchd "$host"
}

# sim_start_vswitchd HOST: starts HOST's ovs-vswitchd (again).
sim_start_vswitchd () {
    local host=$1 d=$SIM_DIR/$1
    sim_on "$host" env ${VPC_SIM_VSWITCHD_ENV:-} ovs-vswitchd unix:"$d/db.sock" -vconsole:off \
        --pidfile="$d/ovs-vswitchd.pid" --unixctl="$d/ovs-vswitchd.ctl" \
        --log-file="$d/ovs-vswitchd.log" --detach --no-chdir \
        --disable-system || return 1
    sim_record_pid "$(cat "$d/ovs-vswitchd.pid")"
}

# sim_start_ovsdb HOST: starts HOST's ovsdb-server again.
sim_start_ovsdb () {
    local host=$1 d=$SIM_DIR/$1
    sim_on "$host" ovsdb-server "$d/conf.db" -vconsole:off \
        --remote=punix:"$d/db.sock" \
        --remote=db:Open_vSwitch,Open_vSwitch,manager_options \
        --private-key=db:Open_vSwitch,SSL,private_key \
        --certificate=db:Open_vSwitch,SSL,certificate \
        --bootstrap-ca-cert=db:Open_vSwitch,SSL,ca_cert \
        --pidfile="$d/ovsdb-server.pid" \
        --unixctl="$d/ovsdb-server.ctl" --log-file="$d/ovsdb-server.log" \
        --detach --no-chdir || return 1
    sim_record_pid "$(cat "$d/ovsdb-server.pid")"
}

# sim_stop_vswitchd HOST / sim_stop_ovsdb HOST: stops one daemon (to
# simulate a crash or restart).
sim_stop_vswitchd () {
    sim_kill_pidfile "$SIM_DIR/$1/ovs-vswitchd.pid"
}

sim_stop_ovsdb () {
    sim_kill_pidfile "$SIM_DIR/$1/ovsdb-server.pid"
}

sim_kill_pidfile () {
    local pid i
    pid=$(cat "$1" 2>/dev/null) || return 0
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null
    return 0
}

# sim_vsctl HOST ARGS...: ovs-vsctl against HOST's database.
sim_vsctl () {
    local host=$1
    shift
    sim_on "$host" ovs-vsctl --db=unix:"$SIM_DIR/$host/db.sock" "$@"
}

# sim_ofctl HOST ARGS...: ovs-ofctl against HOST's bridges.
sim_ofctl () {
    local host=$1
    shift
    sim_on "$host" ovs-ofctl "$@"
}

# sim_add_host HOST UNDERLAY_IP: a host with OVS, not yet onboarded.
sim_add_host () {
    local host=$1 ip=$2 d=$SIM_DIR/$1 ns
    ns=$(sim_ns "$host")
    mkdir -p "$d"
    sim_netns_add "$ns" || return 1
    ip -n "$ns" link set lo up
    ovsdb-tool create "$d/conf.db" "$VPC_SCHEMA_VSWITCH" || return 1
    sim_start_ovs "$host" || return 1

    # The underlay: br-phy holds the host's address and its uplink.
    ip link add "u-$host" netns "${SIM_PREFIX}ul" type veth \
        peer name "p-$host" netns "$ns" || return 1
    # Jumbo frames on the underlay by default, as on a real cloud's
    # fabric (see sim_underlay_mtu).
    local mtu
    mtu=$(sim_underlay_mtu)
    ip -n "${SIM_PREFIX}ul" link set "u-$host" mtu "$mtu" master ul up
    ip -n "$ns" link set "p-$host" mtu "$mtu" up
    # The veth is br-phy's port, yet also an interface of this namespace's
    # kernel, which would answer ARP for br-phy's address on it with the
    # veth's MAC: a peer that took that answer sends its tunnel packets
    # where this host's datapath does not decapsulate them.
    ip -n "$ns" link set "p-$host" arp off
    sim_on "$host" ethtool -K "p-$host" tx off >/dev/null 2>&1
    sim_vsctl "$host" add-br br-phy -- set Bridge br-phy \
        datapath_type=netdev -- add-port br-phy "p-$host" \
        -- set Interface br-phy mtu_request="$mtu" || return 1
    ip -n "$ns" addr add "$ip/24" dev br-phy
    ip -n "$ns" link set br-phy up
    sim_on "$host" ethtool -K br-phy tx off >/dev/null 2>&1
    return 0
}

# sim_add_outside [ADDR/PLEN]: the outside network: a Linux bridge "ext"
# in the underlay namespace, and the outside router, namespace "out", on it
# with ADDR (default 203.0.113.1/24).
sim_add_outside () {
    local ipp=${1:-203.0.113.1/24} ul=${SIM_PREFIX}ul out
    out=$(sim_ns out)
    ip -n "$ul" link add ext type bridge || return 1
    ip -n "$ul" link set ext up
    sim_netns_add "$out" || return 1
    ip -n "$out" link set lo up
    ip link add x-out netns "$ul" type veth peer name eth0 \
        netns "$out" || return 1
    ip -n "$ul" link set x-out master ext up
    ip -n "$out" addr add "$ipp" dev eth0
    ip -n "$out" link set eth0 up
    ip netns exec "$out" ethtool -K eth0 tx off >/dev/null 2>&1
    return 0
}

# sim_add_uplink HOST [BRIDGE]: gives HOST (a gateway) BRIDGE (default
# br-ex) with a leg on the outside network.
sim_add_uplink () {
    local host=$1 br=${2:-br-ex} ns
    ns=$(sim_ns "$host")
    ip link add "x-$host" netns "${SIM_PREFIX}ul" type veth \
        peer name "e-$host" netns "$ns" || return 1
    ip -n "${SIM_PREFIX}ul" link set "x-$host" master ext up
    ip -n "$ns" link set "e-$host" up
    sim_on "$host" ethtool -K "e-$host" tx off >/dev/null 2>&1
    sim_vsctl "$host" add-br "$br" -- set Bridge "$br" datapath_type=netdev \
        -- add-port "$br" "e-$host"
}

# sim_onboard HOST SYSTEM_ID ENCAP_IP MANAGERS [KEY=VALUE...]: the one
# ovs-vsctl command of host onboarding.  MANAGERS is one target, or several
# separated by spaces (one per controller).
sim_onboard () {
    local host=$1 sysid=$2 ip=$3 manager=$4
    shift 4
    local extra=() kv
    for kv in "$@"; do
        extra+=("external_ids:$kv")
    done
    sim_vsctl "$host" set Open_vSwitch . external_ids:system-id="$sysid" \
        external_ids:vpc-encap-ip="$ip" \
        external_ids:vpc-datapath-type=netdev \
        external_ids:vpc-underlay-mtu="$(sim_underlay_mtu)" "${extra[@]}" \
        -- set-manager $manager
}

# sim_add_vm HOST VM PORT MAC IP/PLEN GATEWAY: a VM namespace whose eth0 is
# attached to HOST's br-int with iface-id PORT.
sim_add_vm () {
    local host=$1 vm=$2 port=$3 mac=$4 ipp=$5 gw=$6 ns
    ns=$(sim_ns "$vm")
    sim_netns_add "$ns" || return 1
    ip -n "$ns" link set lo up
    ip link add "t-$vm" netns "$(sim_ns "$host")" type veth \
        peer name eth0 netns "$ns" || return 1
    ip -n "$ns" link set eth0 address "$mac"
    ip -n "$ns" link set eth0 up
    # No address: the VM will ask for one by DHCP.
    if [ -n "$ipp" ]; then
        ip -n "$ns" addr add "$ipp" dev eth0
        ip -n "$ns" route add default via "$gw"
    fi
    sim_in "$vm" ethtool -K eth0 tx off >/dev/null 2>&1
    ip -n "$(sim_ns "$host")" link set "t-$vm" up
    sim_on "$host" ethtool -K "t-$vm" tx off >/dev/null 2>&1
    sim_vsctl "$host" add-port br-int "t-$vm" \
        -- set Interface "t-$vm" external_ids:iface-id="$port"
}

# sim_attach_port HOST VM PORT: a VM on HOST for VPC port PORT, with the
# MAC, IP and gateway that the VPC DB ($VPC_DB, via vpc-ctl) gives it.
sim_attach_port () {
    local host=$1 vm=$2 port=$3 mac ip subnet cidr gw
    mac=$(vpc-ctl get Port "$port" mac | tr -d '"') || return 1
    ip=$(vpc-ctl get Port "$port" ips | tr -d '["]')
    subnet=$(vpc-ctl get Port "$port" subnet)
    cidr=$(vpc-ctl get Subnet "$subnet" cidr | tr -d '"')
    gw=$(vpc-ctl get Subnet "$subnet" gateway_ip | tr -d '"')
    sim_add_vm "$host" "$vm" "$port" "$mac" "$ip/${cidr#*/}" "$gw"
}

# sim_attach_port_dhcp HOST VM PORT: a VM on HOST for VPC port PORT, with
# the port's MAC and no address.
sim_attach_port_dhcp () {
    local host=$1 vm=$2 port=$3 mac
    mac=$(vpc-ctl get Port "$port" mac | tr -d '"') || return 1
    sim_add_vm "$host" "$vm" "$port" "$mac" "" ""
}

# sim_dhclient VM [ARGS...]: runs dhclient on VM's eth0 once (exits 2 if
# it gets no lease within 10 s), with a script that configures the address, the
# routes and the MTU it gets, and records every variable it was given in
# $SIM_DIR/VM.dhcp (one "reason=..." line and its "new_*" lines per run).
# The client stays in the background to renew; sim_cleanup stops it.
sim_dhclient () {
    local vm=$1 d
    shift
    d=$SIM_DIR/dhcp-$vm
    mkdir -p "$d"
    cat > "$d/dhclient.conf" <<'EOF2'
timeout 10;
request subnet-mask, broadcast-address, routers, domain-name,
        domain-name-servers, host-name, interface-mtu;
EOF2
    cat > "$d/script" <<EOF2
#!/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin
{ echo "reason=\$reason"; env | grep '^new_' | sort; } >> "$SIM_DIR/$vm.dhcp"
case \$reason in
BOUND|RENEW|REBIND|REBOOT)
    if [ -n "\$new_interface_mtu" ]; then
        ip link set dev \$interface mtu \$new_interface_mtu
    fi
    mask=0
    for o in \$(echo \$new_subnet_mask | tr . ' '); do
        while [ \$o -gt 0 ]; do
            mask=\$((mask + (o & 1))); o=\$((o >> 1))
        done
    done
    ip addr replace \$new_ip_address/\$mask brd + dev \$interface
    for r in \$new_routers; do
        ip route replace default via \$r dev \$interface
        break
    done
    ;;
EXPIRE|FAIL|RELEASE|STOP)
    ip addr flush dev \$interface
    ;;
esac
exit 0
EOF2
    chmod +x "$d/script"
    sim_in "$vm" timeout 20 dhclient -1 -cf "$d/dhclient.conf" -sf "$d/script" \
        -lf "$d/leases" -pf "$d/pid" "$@" eth0 2>>"$d/log"
}

# sim_del_vm HOST VM: detaches and deletes a VM.
sim_del_vm () {
    local host=$1 vm=$2
    sim_vsctl "$host" --if-exists del-port br-int "t-$vm"
    ip netns del "$(sim_ns "$vm")" 2>/dev/null
    return 0
}

# sim_cleanup: stops every daemon and removes every namespace we made.
sim_cleanup () {
    [ -n "${SIM_DIR:-}" ] || return 0
    local pid ns
    if [ -f "$SIM_DIR/pids" ]; then
        while read -r pid; do
            kill "$pid" 2>/dev/null
        done < "$SIM_DIR/pids"
        sleep 0.2
        while read -r pid; do
            kill -9 "$pid" 2>/dev/null
        done < "$SIM_DIR/pids"
    fi
    if [ -f "$SIM_DIR/netns" ]; then
        # What still runs in a namespace (a server in a VM, started in the
        # background by a test) would outlive "ip netns del".
        while read -r ns; do
            for pid in $(ip netns pids "$ns" 2>/dev/null); do
                kill "$pid" 2>/dev/null
            done
        done < "$SIM_DIR/netns"
        while read -r ns; do
            ip netns del "$ns" 2>/dev/null
        done < "$SIM_DIR/netns"
    fi
    return 0
}
