# vpc-controller/: the daemon.
bin_PROGRAMS += vpc-controller/vpc-controller
vpc_controller_vpc_controller_SOURCES = \
	vpc-controller/cfg-claims.c \
	vpc-controller/cfg-claims.h \
	vpc-controller/changes.c \
	vpc-controller/changes.h \
	vpc-controller/chassis.c \
	vpc-controller/chassis.h \
	vpc-controller/chassis-sync.c \
	vpc-controller/chassis-sync-ports.c \
	vpc-controller/chassis-sync.h \
	vpc-controller/conn-wake.c \
	vpc-controller/conn-wake.h \
	vpc-controller/engine.c \
	vpc-controller/engine.h \
	vpc-controller/engine-private.h \
	vpc-controller/metrics.c \
	vpc-controller/metrics.h \
	vpc-controller/metrics-http.c \
	vpc-controller/metrics-http.h \
	vpc-controller/flowlog.c \
	vpc-controller/flowlog.h \
	vpc-controller/gateway.c \
	vpc-controller/gateway.h \
	vpc-controller/host.c \
	vpc-controller/host-bridge.c \
	vpc-controller/host-ipfix.c \
	vpc-controller/host-ipfix.h \
	vpc-controller/host.h \
	vpc-controller/host-private.h \
	vpc-controller/model.c \
	vpc-controller/model.h \
	vpc-controller/model-acl.c \
	vpc-controller/model-flowlog.c \
	vpc-controller/model-flowlog.h \
	vpc-controller/model-acl.h \
	vpc-controller/model-binding.c \
	vpc-controller/model-binding.h \
	vpc-controller/model-conj.c \
	vpc-controller/model-conj.h \
	vpc-controller/model-gw.c \
	vpc-controller/model-index.c \
	vpc-controller/model-uuid-map.c \
	vpc-controller/model-index.h \
	vpc-controller/model-gw.h \
	vpc-controller/model-route.c \
	vpc-controller/model-route.h \
	vpc-controller/model-sg.c \
	vpc-controller/model-sg.h \
	vpc-controller/ofctrl.c \
	vpc-controller/ofctrl.h \
	vpc-controller/ofctrl-commit.c \
	vpc-controller/ofctrl-private.h \
	vpc-controller/ofctrl-mods.c \
	vpc-controller/ofctrl-mods.h \
	vpc-controller/ofctrl-outbox.c \
	vpc-controller/ofctrl-outbox.h \
	vpc-controller/ofctrl-monitor.c \
	vpc-controller/ofctrl-monitor.h \
	vpc-controller/ofctrl-punt.c \
	vpc-controller/ofctrl-punt.h \
	vpc-controller/ofctrl-read.c \
	vpc-controller/ofctrl-read.h \
	vpc-controller/peer-cert.c \
	vpc-controller/peer-cert.h \
	vpc-controller/port-names.c \
	vpc-controller/port-names.h \
	vpc-controller/punt.c \
	vpc-controller/punt.h \
	vpc-controller/punt-dhcp.c \
	vpc-controller/roles.c \
	vpc-controller/roles.h \
	vpc-controller/rows-by-name.c \
	vpc-controller/rows-by-name.h \
	vpc-controller/shards.c \
	vpc-controller/shards.h \
	vpc-controller/status.c \
	vpc-controller/status.h \
	vpc-controller/vpc-controller.c
nodist_vpc_controller_vpc_controller_SOURCES = \
	vpc-controller/host-idl.c vpc-controller/host-idl.h
vpc_controller_vpc_controller_LDADD = ofproto-vpc/libofproto-vpc.la \
	lib/libvpc.la $(OVS_LIBS) $(LIBEVENT_LIBS) $(JEMALLOC_LIBS)

# The hosts' databases, as the controller sees them (see host-idl.ann).
BUILT_SOURCES += vpc-controller/host-idl.c vpc-controller/host-idl.h
CLEANFILES += vpc-controller/host-idl.c vpc-controller/host-idl.h \
	vpc-controller/host-idl.ovsidl
EXTRA_DIST += vpc-controller/host-idl.ann
vpc-controller/host-idl.ovsidl: $(OVS_DIR)/vswitchd/vswitch.ovsschema \
		vpc-controller/host-idl.ann
	$(AM_V_GEN)$(OVSDB_IDLC) annotate $(OVS_DIR)/vswitchd/vswitch.ovsschema \
		$(srcdir)/vpc-controller/host-idl.ann > $@.tmp && mv $@.tmp $@
vpc-controller/host-idl.c: vpc-controller/host-idl.ovsidl
	$(AM_V_GEN)$(OVSDB_IDLC) c-idl-source $< > $@.tmp && mv $@.tmp $@
vpc-controller/host-idl.h: vpc-controller/host-idl.ovsidl
	$(AM_V_GEN)$(OVSDB_IDLC) c-idl-header $< > $@.tmp && mv $@.tmp $@
