/* A host's OVSDB session: the host dialed in (set-manager), we replicate
 * its Open_vSwitch database, read who it says it is and which VM interfaces
 * it has, and keep its integration bridge configured. */
#ifndef VPC_CONTROLLER_HOST_H
#define VPC_CONTROLLER_HOST_H 1

#include <stdbool.h>
#include <stdint.h>
#include "conn-wake.h"
#include "openvswitch/shash.h"
#include "openvswitch/types.h"
#include "smap.h"
#include "vpc-pipeline.h"

struct jsonrpc;
struct svec;

#define VPC_INTEGRATION_BRIDGE "br-int"

/* What a host says about itself in Open_vSwitch external_ids. */
struct host_identity {
    char *system_id;
    ovs_be32 encap_ip;
    char *encap_ip_s;
    enum vpc_encap encap;
    char *role;                 /* "compute" or "gateway". */
    char *datapath_type;        /* "" for the default. */
    struct smap bridge_mappings;
    uint64_t dpid;              /* What we give br-int. */
    int underlay_mtu;           /* Of the network its tunnels cross. */
};

/* A host's underlay MTU unless it says otherwise: the common Ethernet
 * one, which is safe (a jumbo-frame underlay has to say so). */
#define HOST_UNDERLAY_MTU_DEFAULT 1500

/* What the controller wants on every host's integration bridge. */
struct host_config {
    const struct svec *of_targets;  /* Controller targets for br-int. */
};

/* A tunnel port to one peer chassis, with BFD: hosts have one to each
 * gateway they may send to, gateways one to each host and each other
 * gateway they share a group with. */
struct host_peer {
    char *name;                 /* The peer's system-id. */
    char *remote_ip;
    enum vpc_encap encap;
};

struct ds;
struct host;

struct host *host_create(struct jsonrpc *);
void host_destroy(struct host *);
void host_run(struct host *, const struct host_config *);
void host_wait(struct host *);
bool host_should_run(struct host *);
void host_set_wake_owner(struct host *, int kind, void *owner,
                         conn_wake_wait_cb *);
void host_format_stats(const struct host *, struct ds *);

bool host_is_alive(const struct host *);
bool host_is_ready(const struct host *);
const char *host_get_name(const struct host *);
const char *host_get_peer_id(const struct host *);
const struct host_identity *host_get_identity(const struct host *);

void host_set_accepted(struct host *, bool accepted);
bool host_is_accepted(const struct host *);

unsigned int host_get_change_seqno(const struct host *);
unsigned int host_get_identity_seqno(const struct host *);
const struct shash *host_get_bindings(const struct host *);
ofp_port_t host_get_tunnel_ofport(const struct host *, enum vpc_encap);

unsigned int host_get_ports_seqno(const struct host *);
void host_set_peers(struct host *, const struct host_peer *, size_t n);
const struct shash *host_get_peer_ofports(const struct host *);
bool host_peer_is_live(const struct host *, const char *peer);
bool host_peer_is_down(const struct host *, const char *peer);
void host_forget_peers(struct host *);
struct host_collector_set;
void host_set_collector_sets(struct host *, struct host_collector_set *,
                             size_t n);
void host_forget_collector_sets(struct host *);
ofp_port_t host_get_uplink_ofport(const struct host *, const char *physnet);
const char *vpc_encap_name(enum vpc_encap);

#endif /* host.h */
