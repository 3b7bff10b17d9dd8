/* Flow logs on a host: Open vSwitch's own IPFIX export, as collector sets
 * (Flow_Sample_Collector_Set and IPFIX rows) on the integration bridge, for
 * the sample actions of the pipeline (ofproto-vpc/stage-flowlog.c). */
#ifndef VPC_CONTROLLER_HOST_IPFIX_H
#define VPC_CONTROLLER_HOST_IPFIX_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ovsdb_idl;
struct ovsdb_idl_txn;
struct hostrec_bridge;

/* A collector set a host should have: one per flow log that covers a port
 * of the host. */
struct host_collector_set {
    uint32_t id;                /* Flow_Sample_Collector_Set id. */
    char *target;               /* Collector, "IP:PORT". */
    char *flow_log;             /* The Flow_Log row's UUID. */
};

/* The key in external_ids that marks the rows we made, with the UUID of
 * their flow log as value. */
#define HOST_IPFIX_KEY "vpc-flow-log"

void host_ipfix_add_columns(struct ovsdb_idl *);
bool host_ipfix_configure(struct ovsdb_idl *, struct ovsdb_idl_txn *,
                          const struct hostrec_bridge *br,
                          const struct host_collector_set *, size_t n,
                          const char *host_name);
bool host_collector_sets_equal(const struct host_collector_set *,
                               size_t n_a,
                               const struct host_collector_set *,
                               size_t n_b);
void host_collector_sets_free(struct host_collector_set *, size_t n);

#endif /* host-ipfix.h */
