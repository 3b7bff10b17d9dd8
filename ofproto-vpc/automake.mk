# ofproto-vpc/: the VPC pipeline as a library (pure: no sockets, no
# globals): from the desired state of one chassis to OpenFlow flows.
# pipeline.h owns the tables and registers, each stage-*.c builds the flows
# of a family of tables with the helpers of pl-actions.c, and
# vpc-pipeline.c (the library's interface) calls the stages.
noinst_LTLIBRARIES += ofproto-vpc/libofproto-vpc.la
ofproto_vpc_libofproto_vpc_la_SOURCES = \
	ofproto-vpc/pipeline.c \
	ofproto-vpc/pipeline.h \
	ofproto-vpc/flow-merge.c \
	ofproto-vpc/flow-merge.h \
	ofproto-vpc/flow-table.c \
	ofproto-vpc/flow-table.h \
	ofproto-vpc/group-table.c \
	ofproto-vpc/group-table.h \
	ofproto-vpc/pl-actions.c \
	ofproto-vpc/pl-actions.h \
	ofproto-vpc/stage-classify.c \
	ofproto-vpc/stage-classify.h \
	ofproto-vpc/stage-flowlog.c \
	ofproto-vpc/stage-flowlog.h \
	ofproto-vpc/stage-gateway.c \
	ofproto-vpc/stage-gateway.h \
	ofproto-vpc/stage-lookup.c \
	ofproto-vpc/stage-lookup.h \
	ofproto-vpc/stage-migrate.c \
	ofproto-vpc/stage-migrate.h \
	ofproto-vpc/stage-nacl.c \
	ofproto-vpc/stage-nacl.h \
	ofproto-vpc/stage-peer.c \
	ofproto-vpc/stage-peer.h \
	ofproto-vpc/stage-punt.c \
	ofproto-vpc/stage-punt.h \
	ofproto-vpc/stage-route.c \
	ofproto-vpc/stage-route.h \
	ofproto-vpc/stage-rtable.c \
	ofproto-vpc/stage-rtable.h \
	ofproto-vpc/stage-sg.c \
	ofproto-vpc/stage-sg.h \
	ofproto-vpc/vpc-pipeline.c \
	ofproto-vpc/vpc-pipeline.h
