/* Programming a switch: the flow and group changes a session queues,
 * the reconcile that brings a switch from what it has to what we want,
 * and the commit that sends them as one atomic bundle and a barrier.  See
 * ofctrl.h. */
#include <config.h>
#include "ofctrl-private.h"

#include "conn-wake.h"
#include "coverage.h"
#include "ofctrl-mods.h"
#include "ofctrl-monitor.h"
#include "openvswitch/ofp-bundle.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/vlog.h"
#include "pipeline.h"
#include "timeval.h"

VLOG_DEFINE_THIS_MODULE(ofctrl_commit);

COVERAGE_DEFINE(ofctrl_flow_mod);
COVERAGE_DEFINE(ofctrl_group_mod);
COVERAGE_DEFINE(ofctrl_bundle);
COVERAGE_DEFINE(ofctrl_reconcile);

static void
queue_flow_mod(struct ofctrl *ofc, const struct vpc_flow *flow,
               uint16_t command)
{
    ofctrl_log_flow_mod(ofctrl_get_name(ofc), flow, command);
    ofctrl_mods_push(command == OFPFC_DELETE_STRICT ? &ofc->dels : &ofc->adds,
                     flow, command);
    ofc->n_queued++;
    conn_wake_poke(ofc->wake);
}


/* Queues the group changes that turn 'old' into 'new' (NULL: empty). */
static void
queue_group_diff(struct ofctrl *ofc, const struct vpc_group_table *old,
                 const struct vpc_group_table *new)
{
    ofc->n_queued += ofctrl_encode_group_diff(ofctrl_get_name(ofc),
                                              ofc->version, old, new,
                                              &ofc->group_adds,
                                              &ofc->group_dels);
    conn_wake_poke(ofc->wake);
}

/* Queues the changes that turn groups 'old' into 'new' (either may be NULL
 * for empty).  Does nothing unless SYNCED: a later reconcile covers it. */
void
ofctrl_update_groups(struct ofctrl *ofc, const struct vpc_group_table *old,
                     const struct vpc_group_table *new)
{
    ofctrl_catch_up_cfg(ofc);
    if (ofc->state == OFCTRL_SYNCED) {
        queue_group_diff(ofc, old, new);
    }
}

/* Brings the switch from what it has (read while DUMPING) to the union of
 * 'parts', touching only the flows that differ: nothing is flushed, so
 * forwarding never stops.  Must be called in state DUMPED. */
void
ofctrl_reconcile(struct ofctrl *ofc,
                 const struct vpc_flow_table *const *parts, size_t n_parts,
                 const struct vpc_group_table *groups)
{
    ovs_assert(ofc->state == OFCTRL_DUMPED);
    COVERAGE_INC(ofctrl_reconcile);
    conn_wake_poke(ofc->wake);

    size_t before = ofc->n_queued;
    queue_group_diff(ofc, &ofc->dumped_groups, groups);
    vpc_group_table_clear(&ofc->dumped_groups);
    for (size_t i = 0; i < n_parts; i++) {
        const struct vpc_flow *flow;

        HMAP_FOR_EACH (flow, hmap_node, &parts[i]->flows) {
            struct vpc_flow *have = vpc_flow_table_find(&ofc->dumped, flow);
            if (!have) {
                queue_flow_mod(ofc, flow, OFPFC_ADD);
            } else {
                if (!vpc_flow_reported_same(have, flow)) {
                    static struct vlog_rate_limit rl
                        = VLOG_RATE_LIMIT_INIT(5, 20);
                    if (!VLOG_DROP_DBG(&rl)) {
                        struct ds a = DS_EMPTY_INITIALIZER;
                        struct ds b = DS_EMPTY_INITIALIZER;
                        vpc_flow_format(have, &a);
                        vpc_flow_format(flow, &b);
                        VLOG_DBG("%s: switch has \"%s\", want \"%s\"",
                                 ofctrl_get_name(ofc), ds_cstr(&a),
                                 ds_cstr(&b));
                        ds_destroy(&a);
                        ds_destroy(&b);
                    }
                    queue_flow_mod(ofc, flow,
                                   have->cookie != flow->cookie
                                   ? OFPFC_ADD : OFPFC_MODIFY_STRICT);
                }
                vpc_flow_table_remove(&ofc->dumped, have);
            }
        }
    }

    struct vpc_flow *flow;
    HMAP_FOR_EACH (flow, hmap_node, &ofc->dumped.flows) {
        /* What a switch learned itself (a gateway's next-hop MACs, where
         * a migrating port arrived) stays. */
        if (!vpc_cookie_is_learned(flow->cookie)) {
            queue_flow_mod(ofc, flow, OFPFC_DELETE_STRICT);
            struct vpc_flow twin;
            struct vpc_flow_body twin_body;
            if (ofctrl_monitor_foreign_twin(flow, &twin, &twin_body)) {
                queue_flow_mod(ofc, &twin, OFPFC_DELETE_STRICT);
                minimatch_destroy(&twin_body.match);
            }
        }
    }
    vpc_flow_table_clear(&ofc->dumped);

    ofc->n_reconciles++;
    ofc->n_reconcile_mods = ofc->n_queued - before;
    ofc->need_barrier = true;
    if (!ofc->monitoring) {
        ofctrl_start_monitor(ofc);
    }
    VLOG_INFO("%s: reconciled with the switch: %"PRIuSIZE" flow and "
              "group change(s)", ofctrl_get_name(ofc), ofc->n_queued - before);
    ofc->state = OFCTRL_SYNCED;
}

/* Queues the changes that turn 'old' into 'new' (either may be NULL for
 * empty), both being sets of flows that this session installed or is to
 * install.  Does nothing unless SYNCED: a later reconcile covers it. */
void
ofctrl_update(struct ofctrl *ofc, const struct vpc_flow_table *old,
              const struct vpc_flow_table *new)
{
    const struct vpc_flow *flow;

    ofctrl_catch_up_cfg(ofc);
    if (ofc->state != OFCTRL_SYNCED) {
        return;
    }
    if (new) {
        HMAP_FOR_EACH (flow, hmap_node, &new->flows) {
            const struct vpc_flow *had = old ? vpc_flow_table_find(old, flow)
                                             : NULL;
            if (!had || had->cookie != flow->cookie) {
                /* OpenFlow 1.4 cannot modify a cookie: replace the flow. */
                queue_flow_mod(ofc, flow, OFPFC_ADD);
            } else if (!vpc_flow_same_actions(had, flow)) {
                queue_flow_mod(ofc, flow, OFPFC_MODIFY_STRICT);
            }
        }
    }
    if (old) {
        HMAP_FOR_EACH (flow, hmap_node, &old->flows) {
            if (!new || !vpc_flow_table_find(new, flow)) {
                queue_flow_mod(ofc, flow, OFPFC_DELETE_STRICT);
            }
        }
    }
}

/* When the last bundle went to any switch. */
static long long int last_bundle_msec = LLONG_MIN;

/* Returns when the last bundle of flow or group mods went to a switch
 * (time_msec()), or LLONG_MIN if none ever did. */
long long int
ofctrl_last_bundle_time(void)
{
    return last_bundle_msec;
}

/* Sends the group mods in 'list' (emptying it) as messages of bundle
 * 'bc'. */
static void
send_group_mods(struct ofctrl *ofc, struct ovs_list *list,
                const struct ofputil_bundle_ctrl_msg *bc)
{
    struct ofpbuf *msg;

    LIST_FOR_EACH_POP (msg, list_node, list) {
        struct ofputil_bundle_add_msg bam = {
            .bundle_id = bc->bundle_id,
            .flags = bc->flags,
            .msg = msg->data,
        };
        ofctrl_send_msg(ofc, ofputil_encode_bundle_add(ofc->version, &bam));
        ofpbuf_delete(msg);
        COVERAGE_INC(ofctrl_group_mod);
        ofc->n_group_mods++;
    }
}

static void
send_bundle(struct ofctrl *ofc)
{
    struct ofputil_bundle_ctrl_msg bc = {
        .bundle_id = ofc->next_bundle_id++,
        .type = OFPBCT_OPEN_REQUEST,
        .flags = OFPBF_ATOMIC | OFPBF_ORDERED,
    };
    ofctrl_send_msg(ofc,
                    ofputil_encode_bundle_ctrl_request(ofc->version, &bc));

    send_group_mods(ofc, &ofc->group_adds, &bc);
    struct ofctrl_mods *mods[] = { &ofc->dels, &ofc->adds };
    for (size_t i = 0; i < ARRAY_SIZE(mods); i++) {
        COVERAGE_ADD(ofctrl_flow_mod, mods[i]->n);
        ofc->n_flow_mods += mods[i]->n;
        ofctrl_outbox_send_bundle_mods(&ofc->outbox, ofc->rconn, mods[i],
                                       bc.bundle_id, bc.flags, ofc->version,
                                       ofc->protocol);
    }
    send_group_mods(ofc, &ofc->group_dels, &bc);

    bc.type = OFPBCT_COMMIT_REQUEST;
    ofctrl_send_msg(ofc,
                    ofputil_encode_bundle_ctrl_request(ofc->version, &bc));
    COVERAGE_INC(ofctrl_bundle);
    ofc->n_bundles++;
    last_bundle_msec = time_msec();
    ofc->n_queued = 0;
}

/* Sends the queued changes as one atomic bundle, then a barrier that, when
 * answered, marks them and configuration 'cfg' as in force. */
void
ofctrl_commit(struct ofctrl *ofc, int64_t cfg)
{
    ofctrl_catch_up_cfg(ofc);
    if (ofc->state != OFCTRL_SYNCED) {
        return;
    }

    bool changed = ofc->n_queued > 0;
    if (!changed && !ofc->need_barrier && cfg > ofc->sent_cfg
        && ovs_list_is_empty(&ofc->barriers)) {
        /* The switch acknowledged everything we sent and 'cfg' changes
         * nothing here: it already has what 'cfg' asks for. */
        ofc->sent_cfg = ofc->acked_cfg = cfg;
        return;
    }
    if (changed) {
        send_bundle(ofc);
        ofc->sent_gen++;
    }
    if (changed || cfg > ofc->sent_cfg || ofc->need_barrier) {
        ofc->need_barrier = false;
        struct pending_barrier *b = xmalloc(sizeof *b);
        struct ofpbuf *msg = ofputil_encode_barrier_request(ofc->version);

        b->xid = ((struct ofp_header *) msg->data)->xid;
        b->gen = ofc->sent_gen;
        b->cfg = MAX(cfg, ofc->sent_cfg);
        ovs_list_push_back(&ofc->barriers, &b->list_node);
        ofctrl_send_msg(ofc, msg);
        ofc->sent_cfg = b->cfg;
    }
}

/* Returns how many flow and group mods wait for the next commit. */
size_t
ofctrl_n_queued(const struct ofctrl *ofc)
{
    return ofc->n_queued;
}

