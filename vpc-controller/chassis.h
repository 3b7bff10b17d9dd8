/* Chassis: hosts that dialed in to our OVSDB listener and said who they
 * are, each joined to the OpenFlow session of its switch.
 *
 * A host's OVSDB session becomes a chassis once it gives a system-id no
 * other connected host has; an OpenFlow session joins the chassis whose
 * datapath ID it reports.  Each chassis keeps the flows we sent it (see
 * chassis-sync.h), per VPC, so that a change is a difference; flows that
 * several of its VPCs have are kept merged, beside them. */
#ifndef VPC_CONTROLLER_CHASSIS_H
#define VPC_CONTROLLER_CHASSIS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "flow-merge.h"
#include "flow-table.h"
#include "group-table.h"
#include "hmapx.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/shash.h"
#include "openvswitch/token-bucket.h"
#include "roles.h"
#include "sset.h"
#include "uuidset.h"
#include "vpc-pipeline.h"

struct ds;
struct host_config;
struct jsonrpc;
struct vconn;

/* An OVSDB session with a host, adopted (it is a chassis) or not. */
struct host_node {
    struct ovs_list list_node;      /* In 'hosts'. */
    struct ovs_list unadopted_node; /* In 'unadopted' if not adopted. */
    struct host *host;
    struct chassis *chassis;        /* If adopted. */
    char *refused_as;               /* system-id we refused, once logged. */
    bool ssl;                       /* Its certificate must name it. */
};

/* The flows of one VPC on one chassis (but its parts of the flows that
 * VPCs share: see 'shared' in struct chassis). */
struct chassis_vpc {
    struct hmap_node hmap_node;     /* In chassis 'vpcs', by VPC uuid. */
    struct uuid vpc;
    struct vpc_flow_table flows;
};

/* A host we adopted: its OVSDB session, its OpenFlow session, and the
 * flows it has (as far as we know: what we sent). */
struct chassis {
    struct hmap_node hmap_node;     /* In 'chassis_map', by name. */
    struct hmap_node dpid_node;     /* In 'chassis_by_dpid'. */
    char *name;
    uint64_t dpid;                  /* Its host's, fixed by its name. */
    struct host_node *hn;
    struct ofctrl *ofctrl;
    bool ofctrl_ssl;                /* 'ofctrl' came in over SSL. */
    unsigned int host_seqno;
    unsigned int id_seqno;          /* Host identity we built with. */
    struct shash bound;             /* Its bindings as the model last saw
                                     * them: iface-id -> ofport. */
    ofp_port_t tunnels[VPC_N_ENCAPS];
    enum vpc_encap encap;
    unsigned int ports_seqno;       /* Peer tunnels and uplinks. */
    bool role_primary;              /* The role we last asked for... */
    uint64_t role_gen;              /* ...with this generation. */
    bool role_asked;                /* Asked for since its switch came. */
    bool config_owned;              /* Its host has, or had, the
                                     * configuration of an owner (see
                                     * chassis_sync_roles()). */
    bool gateway;
    bool dirty_all;                 /* Rebuild every VPC's flows. */
    bool commit_pending;            /* chassis_sync() queued a commit. */
    uint64_t n_round_visits;        /* Rounds of changes that visited it. */
    uint64_t n_status_visits;       /* Status passes that looked at it. */
    struct token_bucket punt_budget;    /* What its punts may cost us. */

    /* Peer tunnel ports and uplinks as ofproto-vpc sees them. */
    struct vpc_pl_peer *pl_peers;
    size_t n_pl_peers;
    struct vpc_pl_uplink *pl_uplinks;
    size_t n_pl_uplinks;

    /* Flows and groups that are not any one VPC's: table misses, gateway
     * plumbing, fast-failover groups. */
    struct vpc_flow_table base_flows;
    struct vpc_group_table base_groups;
    long long int next_arp;         /* Gateways: next next-hop ARP. */
    struct sset active_groups;      /* Gateways: groups it is active for
                                     * (uuid strings), last we looked. */
    struct hmap vpcs;               /* Of chassis_vpc. */
    struct uuidset held;            /* VPCs it has flows of, its own or in
                                     * 'shared': where chassis-sync.c's
                                     * index of holders lists it. */
    struct vpc_flow_merge shared;   /* Flows that several of its VPCs have:
                                     * security group clauses without a VPC
                                     * key, one flow per match with every
                                     * VPC's conjunctions, cookie
                                     * VPC_COOKIE_SHARED.  Its owners are
                                     * the VPCs, by UUID. */
    size_t n_flows;

    struct new_port {
        struct uuid port;
        ofp_port_t ofport;
    } *new_ports;                   /* Local ports awaiting a generation. */
    size_t n_new_ports, allocated_new_ports;

    /* The flow generation of 'status_session' that its Chassis_Cfg row's
     * nb_cfg was last written for, and that value (see status.c). */
    const struct ofctrl *status_session;
    uint64_t status_gen;
    int64_t status_cfg;
};

/* Every chassis, by name. */
extern struct hmap chassis_map;
/* The chassis whose hosts say they are gateways: what gateway.c looks
 * at on every pass, without visiting every chassis. */
extern struct hmapx chassis_gateways;
/* The chassis that a round of changes visits whatever the changes: see
 * chassis_note_busy(). */
extern struct hmapx chassis_busy;
/* The chassis noted busy since a status pass last found them idle: every
 * other one is idle, at the floor's configuration (see status.c). */
extern struct hmapx chassis_status_due;
void chassis_note_busy(struct chassis *);

struct chassis *chassis_find(const char *name);

/* Is 'ch' ours to program (roles_owns()), without hashing its name? */
static inline bool
chassis_is_owned(const struct chassis *ch)
{
    return roles_owns_hash(ch->hmap_node.hash);
}
bool chassis_is_settled(const struct chassis *);
struct chassis **chassis_sorted(size_t *n);
void chassis_clear_flows(struct chassis *);

void chassis_add_host(struct jsonrpc *, bool ssl);
void chassis_add_switch(struct vconn *, bool ssl);

void chassis_run_hosts(const struct host_config *);
void chassis_run_switches(void);
void chassis_run_ofctrl(void);
void chassis_sync_roles(void);
void chassis_resync_owned(void);
void chassis_wait(bool db_ok);
void chassis_destroy_all(void);

void chassis_format_unadopted(struct ds *);
const struct shash *chassis_iface_claims(void);

#endif /* chassis.h */
