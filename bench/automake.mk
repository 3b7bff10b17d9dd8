# bench/: vpc-bench (a script) and the persistent client it times.
noinst_PROGRAMS += bench/vpc-bench-client
bench_vpc_bench_client_SOURCES = bench/vpc-bench-client.c
bench_vpc_bench_client_LDADD = lib/libvpc.la $(OVS_LIBS)
