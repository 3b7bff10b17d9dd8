/* What host.c and host-bridge.c share about a host's session.  Only
 * those two files include this header: everyone else goes through host.h.
 */
#ifndef VPC_CONTROLLER_HOST_PRIVATE_H
#define VPC_CONTROLLER_HOST_PRIVATE_H 1

#include "host.h"
#include "openvswitch/shash.h"
#include "sset.h"

struct ovsdb_idl;
struct ovsdb_idl_txn;
struct hostrec_bridge;

struct host {
    struct ovsdb_idl *idl;
    struct conn_wake *wake;         /* When its session needs serving. */
    bool ready;                     /* See host_is_ready(). */
    char *name;                     /* Peer, for logs. */
    char *peer_id;                  /* Its certificate's CN, if any. */
    unsigned int idl_seqno;

    bool accepted;                  /* May we configure it? */
    struct host_identity *id;       /* NULL until it says who it is. */
    char *id_problem;               /* Why 'id' is NULL, once logged. */

    struct ovsdb_idl_txn *txn;      /* Configuration in flight. */
    unsigned int txn_seqno;         /* IDL seqno when 'txn' was made. */

    unsigned int change_seqno;      /* Bumped when bindings etc. change. */
    unsigned int id_seqno;          /* Bumped when the identity changes. */
    struct shash bindings;          /* iface-id -> ofport (as uintptr). */
    ofp_port_t tunnel_ofport[VPC_N_ENCAPS];

    struct host_peer *peers;        /* Desired peer tunnel ports... */
    size_t n_peers;
    bool peers_known;               /* ...if we manage them at all. */
    struct shash peer_ofports;      /* Peer name -> ofport (as uintptr). */
    struct shash uplink_ofports;    /* Physnet -> ofport (as uintptr). */
    unsigned int ports_seqno;       /* Bumped when those two change. */
    struct sset live_peers;         /* Peers whose BFD says forwarding. */
    struct sset down_peers;         /* Peers whose BFD was up, now not. */

    struct host_collector_set *csets;   /* Desired flow log collector */
    size_t n_csets;                     /* sets... */
    bool csets_known;                   /* ...if we manage them at all. */
};

/* host-bridge.c: the integration bridge as we want it. */
const char *host_tunnel_port_name(enum vpc_encap);
const struct hostrec_bridge *host_find_bridge(struct ovsdb_idl *,
                                             const char *name);
bool host_configure_br_int(struct host *, struct ovsdb_idl_txn *,
                           const struct host_config *);

#endif /* host-private.h */
