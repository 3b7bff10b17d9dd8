# lib/: code shared by vpc-ctl and vpc-controller, and the VPC IDL.
noinst_LTLIBRARIES += lib/libvpc.la
lib_libvpc_la_SOURCES = \
	lib/vpc-addr.c lib/vpc-addr.h \
	lib/vpc-dhcp.c lib/vpc-dhcp.h \
	lib/vpc-flowlog.c lib/vpc-flowlog.h \
	lib/vpc-sg.c lib/vpc-sg.h \
	lib/vpc-util.c lib/vpc-util.h
nodist_lib_libvpc_la_SOURCES = lib/vpc-idl.c lib/vpc-idl.h
lib_libvpc_la_LIBADD = $(OVS_LIBS)
# Generated code is not ours to police.
lib_libvpc_la_CFLAGS = $(AM_CFLAGS)

BUILT_SOURCES += lib/vpc-idl.c lib/vpc-idl.h
CLEANFILES += lib/vpc-idl.c lib/vpc-idl.h lib/vpc-idl.ovsidl
EXTRA_DIST += lib/vpc-idl.ann

lib/vpc-idl.ovsidl: schemas/vpc.ovsschema lib/vpc-idl.ann
	$(AM_V_GEN)$(OVSDB_IDLC) annotate $(srcdir)/schemas/vpc.ovsschema \
		$(srcdir)/lib/vpc-idl.ann > $@.tmp && mv $@.tmp $@
lib/vpc-idl.c: lib/vpc-idl.ovsidl
	$(AM_V_GEN)$(OVSDB_IDLC) c-idl-source $< > $@.tmp && mv $@.tmp $@
lib/vpc-idl.h: lib/vpc-idl.ovsidl
	$(AM_V_GEN)$(OVSDB_IDLC) c-idl-header $< > $@.tmp && mv $@.tmp $@
