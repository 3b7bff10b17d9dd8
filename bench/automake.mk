# bench/: vpc-bench (a script) and the persistent client it times.
noinst_PROGRAMS += bench/vpc-bench-client
bench_vpc_bench_client_SOURCES = bench/vpc-bench-client.c
bench_vpc_bench_client_LDADD = lib/libvpc.la $(OVS_LIBS)

# bench/vpc-chassis-emu: many emulated OVS hosts in one process.
noinst_PROGRAMS += bench/vpc-chassis-emu
bench_vpc_chassis_emu_SOURCES = \
	bench/emu-host.c \
	bench/emu-host.h \
	bench/emu-switch.c \
	bench/emu-switch-private.h \
	bench/emu-switch-stats.c \
	bench/emu-switch.h \
	bench/emu-table.c \
	bench/emu-table.h \
	vpc-controller/conn-wake.c \
	vpc-controller/conn-wake.h \
	bench/vpc-chassis-emu.c
bench_vpc_chassis_emu_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/vpc-controller \
	-DEMU_DEFAULT_SCHEMA='"$(OVS_DIR)/vswitchd/vswitch.ovsschema"'
bench_vpc_chassis_emu_LDADD = $(OVS_DIR)/ovsdb/libovsdb.la $(OVS_LIBS)
