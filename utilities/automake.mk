# utilities/: vpc-ctl, the service script, the development helper.
bin_PROGRAMS += utilities/vpc-ctl
utilities_vpc_ctl_SOURCES = \
	utilities/vpc-ctl.c \
	utilities/vpc-ctl.h \
	utilities/vpc-ctl-acl.c \
	utilities/vpc-ctl-acl.h \
	utilities/vpc-ctl-alloc.c \
	utilities/vpc-ctl-alloc.h \
	utilities/vpc-ctl-annotate.c \
	utilities/vpc-ctl-annotate.h \
	utilities/vpc-ctl-annotate-conj.c \
	utilities/vpc-ctl-annotate-conj.h \
	utilities/vpc-ctl-alloc.h \
	utilities/vpc-ctl-cmds.c \
	utilities/vpc-ctl-common.c \
	utilities/vpc-ctl-common.h \
	utilities/vpc-ctl-dhcp.c \
	utilities/vpc-ctl-dhcp.h \
	utilities/vpc-ctl-gateway.c \
	utilities/vpc-ctl-gateway.h \
	utilities/vpc-ctl-misc.c \
	utilities/vpc-ctl-misc.h \
	utilities/vpc-ctl-flowlog.c \
	utilities/vpc-ctl-flowlog.h \
	utilities/vpc-ctl-peering.c \
	utilities/vpc-ctl-peering.h \
	utilities/vpc-ctl-route.c \
	utilities/vpc-ctl-route.h \
	utilities/vpc-ctl-rule.c \
	utilities/vpc-ctl-rule.h \
	utilities/vpc-ctl-scope.c \
	utilities/vpc-ctl-sg.c \
	utilities/vpc-ctl-sg.h \
	utilities/vpc-ctl-sg-rules.c \
	utilities/vpc-ctl-sg-rules.h \
	utilities/vpc-ctl-vpc.c \
	utilities/vpc-ctl-vpc.h
utilities_vpc_ctl_LDADD = lib/libvpc.la ofproto-vpc/libofproto-vpc.la \
	$(OVS_LIBS)

bin_SCRIPTS += utilities/vpc-service
EXTRA_DIST += utilities/vpc-service utilities/ovs-bootstrap.sh \
	utilities/vpc-dev
bin_SCRIPTS += utilities/vpc-sandbox
EXTRA_DIST += utilities/vpc-sandbox utilities/vpc-sim.sh bench/vpc-bench \
	bench/vpc-bench-dhcp bench/vpc-bench-ctl
dist_pkgdata_DATA += utilities/vpc-sim.sh
dist_man_MANS = utilities/vpc-ctl.8 vpc-controller/vpc-controller.8
