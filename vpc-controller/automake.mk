# vpc-controller/: the daemon.
bin_PROGRAMS += vpc-controller/vpc-controller
vpc_controller_vpc_controller_SOURCES = \
	vpc-controller/engine.c \
	vpc-controller/engine.h \
	vpc-controller/host.c \
	vpc-controller/host.h \
	vpc-controller/model.c \
	vpc-controller/model.h \
	vpc-controller/ofctrl.c \
	vpc-controller/ofctrl.h \
	vpc-controller/shards.c \
	vpc-controller/shards.h \
	vpc-controller/vpc-controller.c
vpc_controller_vpc_controller_LDADD = ofproto-vpc/libofproto-vpc.la \
	lib/libvpc.la $(OVS_LIBS)
