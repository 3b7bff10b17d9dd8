/* What ofctrl.c and ofctrl-commit.c share about a switch session.  Only
 * those two files include this header: everyone else goes through
 * ofctrl.h. */
#ifndef VPC_CONTROLLER_OFCTRL_PRIVATE_H
#define VPC_CONTROLLER_OFCTRL_PRIVATE_H 1

#include "ofctrl.h"
#include "flow-table.h"
#include "group-table.h"
#include "ofctrl-outbox.h"
#include "ofctrl-punt.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/types.h"

struct conn_wake;
struct ofpbuf;
struct rconn;
struct vconn;

void ofctrl_catch_up_cfg(struct ofctrl *);

struct pending_barrier {
    struct ovs_list list_node;
    ovs_be32 xid;
    uint64_t gen;
    int64_t cfg;
};

struct ofctrl {
    struct rconn *rconn;
    struct vconn *vconn;            /* 'rconn''s, until the handshake. */
    char *peer_id;                  /* Its certificate's CN, if any. */
    enum ofctrl_state state;
    enum ofp_version version;
    enum ofputil_protocol protocol;

    bool features_sent;
    ovs_be32 features_xid;
    bool have_dpid;
    uint64_t dpid;

    ovs_be32 dump_xid;
    struct vpc_flow_table dumped;     /* What the switch has (DUMPING). */
    ovs_be32 group_dump_xid;
    struct vpc_group_table dumped_groups;
    bool flows_dumped, groups_dumped;

    bool primary;                     /* Role we want. */
    uint64_t generation;              /* Its generation ID (primary). */
    ovs_be32 role_xid;                /* Our last role request... */
    uint32_t role_sent;               /* ...which asked for this
                                       * (OFPCR12_ROLE_NOCHANGE: the
                                       * switch's generation, for a
                                       * secondary claim)... */
    bool role_confirmed;              /* ...and which the switch took. */
    bool role_refused;                /* The switch refused our primary
                                       * claim. */
    bool need_barrier;                /* Acknowledge even with no change. */
    bool hold_cfg;                    /* See ofctrl_hold_cfg(). */
    bool monitoring;                  /* Flow monitor requested. */
    bool redump;                      /* Changed while we read or fixed it:
                                       * read again once synced. */

    /* Flow and group mods queued for the next commit, in bundle order:
     * groups are added (or changed) before the flows that use them; flow
     * deletions go before additions, so that a flow moving from one owner
     * to another is deleted, then added; groups are deleted last. */
    struct ovs_list group_adds;       /* Of "struct ofpbuf". */
    struct ofctrl_mods dels;
    struct ofctrl_mods adds;
    struct ovs_list group_dels;
    size_t n_queued;
    struct ofctrl_outbox outbox;      /* Sent, not yet handed to 'rconn'. */

    uint32_t next_bundle_id;
    struct ovs_list barriers;         /* Of "struct pending_barrier". */
    uint64_t sent_gen, acked_gen;     /* Flow generations (commits). */
    int64_t sent_cfg, acked_cfg;      /* VPC_Global nb_cfg values. */

    struct ofctrl_punts punts;        /* See ofctrl-punt.h. */
    struct conn_wake *wake;           /* When the session needs serving. */

    /* Statistics. */
    uint64_t n_flow_mods;
    uint64_t n_group_mods;
    uint64_t n_packet_outs;
    uint64_t n_bundles;
    uint64_t n_reconciles;
    uint64_t n_reconcile_mods;        /* Flow mods the last reconcile sent. */
    uint64_t n_repairs;               /* Tables changed behind our back. */
    uint64_t n_errors;
};

void ofctrl_send_msg(struct ofctrl *, struct ofpbuf *);
void ofctrl_start_monitor(struct ofctrl *);

#endif /* ofctrl-private.h */
