/* One OpenFlow session with one switch.  See ofctrl.h. */
#include <config.h>
#include "ofctrl.h"
#include "ofctrl-private.h"

#include <errno.h>

#include "byte-order.h"
#include "conn-wake.h"
#include "coverage.h"
#include "ofctrl-monitor.h"
#include "ofctrl-read.h"
#include "openvswitch/ofp-bundle.h"
#include "openvswitch/ofp-connection.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-switch.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/rconn.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "socket-util.h"

VLOG_DEFINE_THIS_MODULE(ofctrl);

COVERAGE_DEFINE(ofctrl_packet_out);
COVERAGE_DEFINE(ofctrl_switch_error);
COVERAGE_DEFINE(ofctrl_repair);
COVERAGE_DEFINE(ofctrl_role_refused);

/* OpenFlow 1.4 is the first with bundles. */
#define OFCTRL_VERSIONS ((1u << OFP14_VERSION) | (1u << OFP15_VERSION))

/* Seconds of silence before an echo request; the switch probes us too. */
#define OFCTRL_PROBE_INTERVAL 5
#define OFCTRL_TX_BATCH (64 * 1024)    /* Bytes per write to a switch. */

static void start_dump(struct ofctrl *);
static void maybe_redump(struct ofctrl *);
static void become_standby(struct ofctrl *);

/* Creates a session on 'vconn', a connection accepted from a switch.  Takes
 * ownership of 'vconn'. */
struct ofctrl *
ofctrl_create(struct vconn *vconn)
{
    struct ofctrl *ofc = xzalloc(sizeof *ofc);

    ofc->rconn = rconn_create(OFCTRL_PROBE_INTERVAL, 0, DSCP_DEFAULT,
                              OFCTRL_VERSIONS);
    rconn_connect_unreliably(ofc->rconn, vconn, NULL);
    /* A bundle of thousands of flow mods goes out in writes of this size,
     * not one write each. */
    rconn_set_tx_batch(ofc->rconn, OFCTRL_TX_BATCH);
    ofc->vconn = vconn;
    ofc->state = OFCTRL_HANDSHAKE;
    vpc_flow_table_init(&ofc->dumped);
    vpc_group_table_init(&ofc->dumped_groups);
    ovs_list_init(&ofc->group_adds);
    ofctrl_mods_init(&ofc->dels);
    ofctrl_mods_init(&ofc->adds);
    ovs_list_init(&ofc->group_dels);
    ofctrl_outbox_init(&ofc->outbox);
    ovs_list_init(&ofc->barriers);
    ofctrl_punts_init(&ofc->punts);
    ofc->next_bundle_id = 1;
    ofc->sent_cfg = ofc->acked_cfg = -1;
    ofc->primary = true;
    ofc->wake = conn_wake_create();
    return ofc;
}

static void
flush_queue(struct ofctrl *ofc)
{
    struct ovs_list *lists[] = { &ofc->group_adds, &ofc->group_dels };
    for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
        struct ofpbuf *msg;
        LIST_FOR_EACH_POP (msg, list_node, lists[i]) {
            ofpbuf_delete(msg);
        }
    }
    ofctrl_mods_clear(&ofc->dels);
    ofctrl_mods_clear(&ofc->adds);
    ofc->n_queued = 0;
}

/* Forgets barriers in flight: what they would have acknowledged is sent
 * again by the next commit. */
static void
flush_barriers(struct ofctrl *ofc)
{
    struct pending_barrier *b;

    LIST_FOR_EACH_POP (b, list_node, &ofc->barriers) {
        free(b);
    }
    ofc->sent_cfg = ofc->acked_cfg;
    ofc->sent_gen = MAX(ofc->sent_gen, ofc->acked_gen);
    ofc->need_barrier = true;
}

/* Closes the session and frees 'ofc'. */
void
ofctrl_destroy(struct ofctrl *ofc)
{
    if (ofc) {
        conn_wake_destroy(ofc->wake);
        flush_queue(ofc);
        flush_barriers(ofc);
        ofctrl_punts_destroy(&ofc->punts);
        vpc_flow_table_destroy(&ofc->dumped);
        vpc_group_table_destroy(&ofc->dumped_groups);
        rconn_destroy(ofc->rconn);
        ofctrl_outbox_destroy(&ofc->outbox);
        free(ofc->peer_id);
        free(ofc);
    }
}

/* Returns false once the switch has gone away. */
bool
ofctrl_is_alive(const struct ofctrl *ofc)
{
    return rconn_is_alive(ofc->rconn);
}

/* Returns a name for the connection, for logs. */
const char *
ofctrl_get_name(const struct ofctrl *ofc)
{
    return rconn_get_name(ofc->rconn);
}

/* Returns the common name of the certificate the switch connected with, or
 * NULL if it has shown none (known by the time it gives its datapath ID). */
const char *
ofctrl_get_peer_id(const struct ofctrl *ofc)
{
    return ofc->peer_id;
}

/* Returns the session's state. */
enum ofctrl_state
ofctrl_get_state(const struct ofctrl *ofc)
{
    return ofc->state;
}

/* Stores the switch's datapath ID in '*dpid' and returns true, once the
 * switch has told it. */
bool
ofctrl_get_dpid(const struct ofctrl *ofc, uint64_t *dpid)
{
    *dpid = ofc->dpid;
    return ofc->have_dpid;
}

/* The configuration (nb_cfg) that every idle session is at: one whose
 * switch is in sync, with nothing queued and nothing unacknowledged, and
 * that its user did not hold back (ofctrl_hold_cfg()).  A round of
 * changes that concerns a few switches commits to those, and sets the
 * floor for all the others at once: they have nothing to change, so
 * their switches have the new configuration already, and need not each
 * be visited for it. */
static int64_t cfg_floor = -1;

/* Is 'ofc' idle: in sync, nothing queued, nothing unacknowledged, not held
 * back?  Then it is at the floor's configuration whenever that is newer. */
bool
ofctrl_is_idle(const struct ofctrl *ofc)
{
    return (ofc->state == OFCTRL_SYNCED && !ofc->n_queued
            && !ofc->need_barrier && !ofc->hold_cfg
            && ovs_list_is_empty(&ofc->barriers));
}

/* Makes what the floor says of 'ofc' its own, before anything changes it
 * (a change to come, a new state), so that its acknowledged configuration
 * never goes back. */
void
ofctrl_catch_up_cfg(struct ofctrl *ofc)
{
    if (ofctrl_is_idle(ofc) && cfg_floor > ofc->sent_cfg) {
        ofc->sent_cfg = ofc->acked_cfg = cfg_floor;
    }
}

/* Every idle session (see 'cfg_floor') is at configuration 'cfg'. */
void
ofctrl_set_cfg_floor(int64_t cfg)
{
    cfg_floor = MAX(cfg_floor, cfg);
}

/* The configuration every idle session is at, at least. */
int64_t
ofctrl_get_cfg_floor(void)
{
    return cfg_floor;
}

/* With 'hold', 'ofc' stays at the configuration its switch acknowledged,
 * whatever the floor: its user could not bring it to the newest one (its
 * host is not ready). */
void
ofctrl_hold_cfg(struct ofctrl *ofc, bool hold)
{
    if (hold && !ofc->hold_cfg) {
        ofctrl_catch_up_cfg(ofc);
    }
    ofc->hold_cfg = hold;
}

/* Returns the newest nb_cfg that the switch has acknowledged. */
int64_t
ofctrl_get_acked_cfg(const struct ofctrl *ofc)
{
    return (ofctrl_is_idle(ofc) ? MAX(ofc->acked_cfg, cfg_floor)
            : ofc->acked_cfg);
}

/* Returns the newest flow generation that the switch has acknowledged:
 * every commit before it is in force. */
uint64_t
ofctrl_get_acked_gen(const struct ofctrl *ofc)
{
    return ofc->acked_gen;
}

/* Returns the generation that the next commit will carry, minus one: flows
 * queued now are in force once ofctrl_get_acked_gen() passes this. */
uint64_t
ofctrl_get_sent_gen(const struct ofctrl *ofc)
{
    return ofc->sent_gen;
}

/* Sends 'msg' to the switch (taking it over), after what the session's
 * outbox holds. */
void
ofctrl_send_msg(struct ofctrl *ofc, struct ofpbuf *msg)
{
    ofctrl_outbox_send(&ofc->outbox, ofc->rconn, msg);
    conn_wake_poke(ofc->wake);
}

/* Counts and logs error 'oh' from the switch. */
static void
note_switch_error(struct ofctrl *ofc, const struct ofp_header *oh)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

    COVERAGE_INC(ofctrl_switch_error);
    ofc->n_errors++;
    char *s = ofp_to_string(oh, ntohs(oh->length), NULL, NULL, 2);
    VLOG_WARN_RL(&rl, "%s: switch reported an error, resynchronizing: %s",
                 ofctrl_get_name(ofc), s);
    free(s);
}

static void
handle_features_reply(struct ofctrl *ofc, const struct ofp_header *oh)
{
    struct ofputil_switch_features features;
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));
    enum ofperr error = ofputil_pull_switch_features(&b, &features);

    if (error) {
        VLOG_WARN("%s: bad features reply (%s), closing",
                  ofctrl_get_name(ofc), ofperr_to_string(error));
        rconn_disconnect(ofc->rconn);
        return;
    }
    ofc->dpid = features.datapath_id;
    ofc->have_dpid = true;
    /* The connection that brought this reply is up and its SSL handshake,
     * if any, over: read who it proved to be, once. */
    if (ofc->vconn) {
        ofc->peer_id = nullable_xstrdup(vconn_get_peer_id(ofc->vconn));
        ofc->vconn = NULL;
    }
    VLOG_INFO("%s: switch with datapath ID %016"PRIx64" connected "
              "(OpenFlow %s)", ofctrl_get_name(ofc), ofc->dpid,
              ofputil_version_to_string(ofc->version));
    /* Not programmed until its owner says which role we have.  Punted
     * packets come with their flow's userdata. */
    ofc->state = OFCTRL_STANDBY;
    ofctrl_send_msg(ofc, ofctrl_punt_format_request(ofc->version));
}

/* Gives the switch our meters (only a primary may). */
static void
send_meters(struct ofctrl *ofc)
{
    struct ovs_list msgs = OVS_LIST_INITIALIZER(&msgs);
    struct ofpbuf *msg;

    ofctrl_punts_meter_mods(&ofc->punts, ofc->version, &msgs);
    LIST_FOR_EACH_POP (msg, list_node, &msgs) {
        ofctrl_send_msg(ofc, msg);
    }
}

/* Returns the next packet the switch punted to us (an NXT_PACKET_IN2
 * message, which the caller must free), or NULL.  Only a primary gets
 * them. */
struct ofpbuf *
ofctrl_recv_punt(struct ofctrl *ofc)
{
    struct ofpbuf *msg = ofctrl_punts_pop(&ofc->punts);
    if (msg) {
        conn_wake_poke(ofc->wake);      /* The queue's wait changed. */
    }
    return msg;
}

/* Sends a role request: 'role' with 'generation', or with
 * OFPCR12_ROLE_NOCHANGE only a question (the reply carries the switch's
 * generation). */
static void
send_role(struct ofctrl *ofc, uint32_t role, uint64_t generation)
{
    struct ofpbuf *msg = ofpraw_alloc(OFPRAW_OFPT12_ROLE_REQUEST,
                                      ofc->version, 0);
    struct ofp12_role_request *rr = ofpbuf_put_zeros(msg, sizeof *rr);

    rr->role = htonl(role);
    rr->generation_id = htonll(generation);
    ofc->role_xid = ((struct ofp_header *) msg->data)->xid;
    ofc->role_sent = role;
    ofc->role_confirmed = false;
    ofctrl_send_msg(ofc, msg);
}

/* Claims the role we want.  A primary claim carries our generation.  A
 * secondary one first asks the switch which generation it has seen, and
 * claims with exactly that (see handle_role_reply()): a secondary claim
 * also sets the switch's generation, and one newer than the primary's
 * would make the switch refuse the primary's next claim (its connection
 * coming back, say) as stale. */
static void
send_role_request(struct ofctrl *ofc)
{
    if (ofc->primary) {
        send_role(ofc, OFPCR12_ROLE_PRIMARY, ofc->generation);
    } else {
        send_role(ofc, OFPCR12_ROLE_NOCHANGE, 0);
    }
}

/* The switch answered our last role request: it took our claim, or, if it
 * was our question, we claim the secondary role with the generation it
 * has seen (0 if none: any later primary claim is newer). */
static void
handle_role_reply(struct ofctrl *ofc, const struct ofp_header *oh)
{
    struct ofputil_role_request reply;

    if (oh->xid != ofc->role_xid || ofputil_decode_role_message(oh, &reply)) {
        return;
    } else if (ofc->role_sent != OFPCR12_ROLE_NOCHANGE) {
        ofc->role_confirmed = true;
    } else if (!ofc->primary) {
        send_role(ofc, OFPCR12_ROLE_SECONDARY,
                  reply.have_generation_id ? reply.generation_id : 0);
    }
}

/* The switch refused a role request of ours with 'error': our last one,
 * or (OFPERR_OFPRRFC_STALE) one made before it. */
static void
handle_role_error(struct ofctrl *ofc, const struct ofp_header *oh,
                  enum ofperr error)
{
    if (oh->xid != ofc->role_xid) {
        /* A claim we have made again since: its answer is the one that
         * counts. */
        VLOG_DBG("%s: an earlier role claim refused", ofctrl_get_name(ofc));
    } else if (ofc->role_sent == OFPCR12_ROLE_PRIMARY) {
        /* Our claim is stale: another instance is primary.  (Also if a
         * role status already stepped us down.) */
        note_switch_error(ofc, oh);
        VLOG_WARN("%s: the switch refused our role claim (generation "
                  "%"PRIu64")", ofctrl_get_name(ofc), ofc->generation);
        COVERAGE_INC(ofctrl_role_refused);
        become_standby(ofc);
        ofc->role_refused = true;
    } else if (error == OFPERR_OFPRRFC_STALE && !ofc->primary) {
        /* A secondary claim with the generation the switch told us
         * raced a newer primary claim: ask again. */
        VLOG_DBG("%s: secondary claim overtaken, asking again",
                 ofctrl_get_name(ofc));
        send_role_request(ofc);
    } else {
        /* A switch that will not have us as a secondary: nothing we would
         * say again would change that. */
        note_switch_error(ofc, oh);
    }
}

/* Claims the primary role with 'generation' (the session then reads the
 * switch's flows and reconciles, unless the switch took our last primary
 * claim already: a newer generation changes nothing on the switch), or
 * takes the secondary role (the session then sends nothing; 'generation'
 * is not used, see send_role_request()).  The switch refuses a primary
 * claim whose generation is older than one it has seen.
 *
 * Returns true if what the session read of the switch's flows stays
 * valid: it was primary, its claim taken, and stays primary. */
bool
ofctrl_set_role(struct ofctrl *ofc, bool primary, uint64_t generation)
{
    bool was_primary = (ofctrl_is_primary(ofc)
                        && ofc->role_sent == OFPCR12_ROLE_PRIMARY
                        && ofc->role_confirmed);
    bool changed = (primary != ofc->primary
                    || (primary && generation != ofc->generation));

    ofctrl_catch_up_cfg(ofc);
    conn_wake_poke(ofc->wake);
    ofc->role_refused = false;
    ofc->primary = primary;
    ofc->generation = primary ? generation : 0;
    if (ofc->state == OFCTRL_HANDSHAKE) {
        return false;
    } else if (!changed && ofc->state != OFCTRL_STANDBY) {
        return primary;
    }
    send_role_request(ofc);
    if (primary && was_primary) {
        /* Still ours, and its flows are as we last read them. */
        return true;
    } else if (primary) {
        send_meters(ofc);
        start_dump(ofc);
    } else {
        become_standby(ofc);
        vpc_flow_table_clear(&ofc->dumped);
        vpc_group_table_clear(&ofc->dumped_groups);
    }
    return false;
}

/* Returns true if the switch refused our last primary claim as stale (a
 * refused secondary claim is made again by the session itself). */
bool
ofctrl_role_refused(const struct ofctrl *ofc)
{
    return ofc->role_refused;
}

/* Returns true if the session holds (or claims) the primary role. */
bool
ofctrl_is_primary(const struct ofctrl *ofc)
{
    return ofc->primary && ofc->state != OFCTRL_HANDSHAKE
           && ofc->state != OFCTRL_STANDBY;
}

static void
start_dump(struct ofctrl *ofc)
{
    struct ofputil_flow_stats_request fsr = {
        .aggregate = false,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .table_id = 0xff,
    };
    match_init_catchall(&fsr.match);

    flush_queue(ofc);
    flush_barriers(ofc);
    vpc_flow_table_clear(&ofc->dumped);

    vpc_group_table_clear(&ofc->dumped_groups);
    ofc->flows_dumped = ofc->groups_dumped = false;

    struct ofpbuf *msg = ofputil_encode_flow_stats_request(&fsr,
                                                           ofc->protocol);
    ofc->dump_xid = ((struct ofp_header *) msg->data)->xid;
    ofctrl_send_msg(ofc, msg);

    msg = ofputil_encode_group_desc_request(ofc->version, OFPG_ALL);
    ofc->group_dump_xid = ((struct ofp_header *) msg->data)->xid;
    ofctrl_send_msg(ofc, msg);
    ofc->state = OFCTRL_DUMPING;
}

static void
check_dumped(struct ofctrl *ofc)
{
    if (ofc->flows_dumped && ofc->groups_dumped) {
        ofc->state = OFCTRL_DUMPED;
    }
}

static void
dump_failed(struct ofctrl *ofc, const char *what, enum ofperr error)
{
    VLOG_WARN("%s: bad %s reply (%s), resynchronizing", ofctrl_get_name(ofc),
              what, ofperr_to_string(error));
    start_dump(ofc);
}

static void
handle_group_desc_reply(struct ofctrl *ofc, const struct ofp_header *oh)
{
    enum ofperr error = ofctrl_read_groups(oh, ofc->version,
                                           &ofc->dumped_groups);
    if (error) {
        dump_failed(ofc, "group description", error);
    } else if (!ofpmp_more(oh)) {
        ofc->groups_dumped = true;
        check_dumped(ofc);
    }
}

static void
handle_flow_stats_reply(struct ofctrl *ofc, const struct ofp_header *oh)
{
    enum ofperr error = ofctrl_read_flows(oh, &ofc->dumped);
    if (error) {
        dump_failed(ofc, "flow stats", error);
    } else if (!ofpmp_more(oh)) {
        ofc->flows_dumped = true;
        check_dumped(ofc);
    }
}

static void
handle_barrier_reply(struct ofctrl *ofc, const struct ofp_header *oh)
{
    struct pending_barrier *b;

    LIST_FOR_EACH_SAFE (b, list_node, &ofc->barriers) {
        if (b->xid == oh->xid) {
            ofc->acked_gen = b->gen;
            ofc->acked_cfg = b->cfg;
            ovs_list_remove(&b->list_node);
            free(b);
            break;
        }
    }
}

/* Asks the switch to tell us of flows that other connections change (see
 * ofctrl-monitor.h). */
void
ofctrl_start_monitor(struct ofctrl *ofc)
{
    ofctrl_send_msg(ofc, ofctrl_monitor_request(ofc->protocol));
    ofc->monitoring = true;
}

/* Stops the flow monitor, if any: a secondary connection repairs nothing,
 * and would only be told of every flow the primary sends. */
static void
stop_monitor(struct ofctrl *ofc)
{
    if (ofc->monitoring) {
        ofctrl_send_msg(ofc, ofctrl_monitor_cancel(ofc->protocol));
        ofc->monitoring = false;
    }
}

/* Steps down to secondary: nothing queued or awaited is sent or counted,
 * and the switch no longer tells us of the flows the primary changes. */
static void
become_standby(struct ofctrl *ofc)
{
    flush_queue(ofc);
    flush_barriers(ofc);
    stop_monitor(ofc);
    ofc->primary = false;
    ofc->state = OFCTRL_STANDBY;
}

/* A flow monitor reported changes.  If another connection changed a flow
 * of ours, while we own the switch, its table is read again, and the next
 * sync puts back what should be there. */
static void
handle_flow_updates(struct ofctrl *ofc, const struct ofp_header *oh)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

    if (ofctrl_monitor_is_foreign(oh) && ofc->primary
        && (ofc->state == OFCTRL_SYNCED || ofc->state == OFCTRL_DUMPING
            || ofc->state == OFCTRL_DUMPED)) {
        COVERAGE_INC(ofctrl_repair);
        ofc->n_repairs++;
        VLOG_WARN_RL(&rl, "%s: the switch's flows were changed by another "
                     "connection: reading them again to repair them",
                     ofctrl_get_name(ofc));
        /* A read under way may have missed the change: read again once
         * what it found is fixed. */
        ofc->redump = true;
        maybe_redump(ofc);
    }
}

/* Reads the switch's table again if it changed behind our back, once we
 * are in sync and have nothing queued (reading flushes the queue). */
static void
maybe_redump(struct ofctrl *ofc)
{
    if (ofc->redump && ofc->state == OFCTRL_SYNCED && !ofc->n_queued) {
        ofc->redump = false;
        start_dump(ofc);
    }
}

/* Asks a switch we program for its meter statistics, now and then. */
static void
maybe_read_meters(struct ofctrl *ofc)
{
    if (ofc->primary && ofc->state == OFCTRL_SYNCED) {
        struct ofpbuf *msg = ofctrl_punts_meter_stats_request(&ofc->punts,
                                                              ofc->version);
        if (msg) {
            ofctrl_send_msg(ofc, msg);
        }
    }
}

/* Returns the packets that the switch's meter 'meter' (OFCTRL_METER_*)
 * dropped, as its statistics said last: 0 until they say. */
uint64_t
ofctrl_get_meter_drops(const struct ofctrl *ofc, enum ofctrl_meter meter)
{
    return ofc->punts.meter_drops[meter];
}

static void
handle_msg(struct ofctrl *ofc, const struct ofp_header *oh)
{
    enum ofptype type;

    if (ofptype_decode(&type, oh)) {
        return;
    }
    switch (type) {
    case OFPTYPE_ECHO_REQUEST:
        ofctrl_send_msg(ofc, ofputil_encode_echo_reply(oh));
        break;

    case OFPTYPE_FEATURES_REPLY:
        if (ofc->state == OFCTRL_HANDSHAKE && oh->xid == ofc->features_xid) {
            handle_features_reply(ofc, oh);
        }
        break;

    case OFPTYPE_FLOW_STATS_REPLY:
        if (ofc->state == OFCTRL_DUMPING && oh->xid == ofc->dump_xid) {
            handle_flow_stats_reply(ofc, oh);
        }
        break;

    case OFPTYPE_GROUP_DESC_STATS_REPLY:
        if (ofc->state == OFCTRL_DUMPING && oh->xid == ofc->group_dump_xid) {
            handle_group_desc_reply(ofc, oh);
        }
        break;

    case OFPTYPE_BARRIER_REPLY:
        handle_barrier_reply(ofc, oh);
        break;

    case OFPTYPE_METER_STATS_REPLY:
        ofctrl_punts_meter_stats_reply(&ofc->punts, oh);
        break;

    case OFPTYPE_ERROR: {
        enum ofperr error = ofperr_decode_msg(oh, NULL);
        if (ofctrl_punts_is_meter_reply(&ofc->punts, oh)) {
            break;
        } else if (error == OFPERR_OFPRRFC_STALE
                   || oh->xid == ofc->role_xid) {
            handle_role_error(ofc, oh, error);
            break;
        }
        note_switch_error(ofc, oh);
        if (ofc->state == OFCTRL_SYNCED || ofc->state == OFCTRL_DUMPED) {
            /* A failed bundle changed nothing; a reconcile puts us back on
             * solid ground. */
            start_dump(ofc);
        } else if (ofc->state == OFCTRL_DUMPING
                   && (oh->xid == ofc->dump_xid
                       || oh->xid == ofc->group_dump_xid)) {
            start_dump(ofc);
        }
        break;
    }

    case OFPTYPE_FLOW_MONITOR_STATS_REPLY:
        handle_flow_updates(ofc, oh);
        break;

    case OFPTYPE_ROLE_REPLY:
        handle_role_reply(ofc, oh);
        break;

    case OFPTYPE_ROLE_STATUS: {
        /* Another controller took the primary role: stop sending.  Unless
         * it did so with an older generation than the one we have claimed
         * since: then our claim took the role back, and the switch's flows
         * are read again, for the other may have changed them meanwhile. */
        struct ofputil_role_status rs;
        if (ofputil_decode_role_status(oh, &rs)
            || rs.role == OFPCR12_ROLE_PRIMARY
            || ofc->state == OFCTRL_STANDBY) {
            break;
        } else if (ofc->primary && ofc->state != OFCTRL_HANDSHAKE
                   && (int64_t) (rs.generation_id - ofc->generation) < 0) {
            VLOG_INFO("%s: demoted by the switch (generation %"PRIu64") "
                      "before our claim (generation %"PRIu64"): reading "
                      "its flows again", ofctrl_get_name(ofc),
                      rs.generation_id, ofc->generation);
            ofc->redump = true;
            maybe_redump(ofc);
        } else {
            VLOG_INFO("%s: demoted by the switch (generation %"PRIu64")",
                      ofctrl_get_name(ofc), rs.generation_id);
            become_standby(ofc);
        }
        break;
    }

    case OFPTYPE_PACKET_IN:
        ofctrl_punts_push(&ofc->punts, oh);
        break;

    default:
        /* Port status, bundle replies: nothing to do. */
        break;
    }
}

/* Handles up to a batch of the messages the switch sent. */
static void
ofctrl_recv_batch(struct ofctrl *ofc)
{
    for (int i = 0; i < 100; i++) {
        struct ofpbuf *msg = rconn_recv(ofc->rconn);
        if (!msg) {
            break;
        }
        handle_msg(ofc, msg->data);
        ofpbuf_delete(msg);
    }
}

/* Processes what the switch sent and keeps the connection alive. */
void
ofctrl_run(struct ofctrl *ofc)
{
    /* What the switch sent while we were busy comes first: rconn_run()
     * judges the session by its silence, and after a long pass the reply
     * to our inactivity probe may be waiting unread in the socket.  (Once
     * is enough: with a thousand switches, every read that finds nothing
     * is a system call per switch per pass.) */
    ofctrl_catch_up_cfg(ofc);
    bool was_connected = rconn_is_connected(ofc->rconn);
    if (was_connected) {
        ofctrl_recv_batch(ofc);
    }
    rconn_run(ofc->rconn);
    if (!rconn_is_connected(ofc->rconn)) {
        return;
    }
    ofctrl_outbox_run(&ofc->outbox, ofc->rconn);

    if (!ofc->features_sent) {
        int version = rconn_get_version(ofc->rconn);
        if (version < 0) {
            return;
        }
        ofc->version = version;
        ofc->protocol = ofputil_protocol_from_ofp_version(version);
        struct ofpbuf *msg = ofpraw_alloc(OFPRAW_OFPT_FEATURES_REQUEST,
                                          version, 0);
        ofc->features_xid = ((struct ofp_header *) msg->data)->xid;
        ofctrl_send_msg(ofc, msg);
        ofc->features_sent = true;
    }

    if (!was_connected) {
        ofctrl_recv_batch(ofc);
    }
    maybe_redump(ofc);
    maybe_read_meters(ofc);
}

/* Arranges for poll_block() to wake up when ofctrl_run() has work. */
void
ofctrl_wait(struct ofctrl *ofc)
{
    if (!conn_wake_wait_begin(ofc->wake)) {
        return;
    }
    rconn_run_wait(ofc->rconn);
    rconn_recv_wait(ofc->rconn);
    ofctrl_outbox_wait(&ofc->outbox);
    if (ofc->primary && ofc->state == OFCTRL_SYNCED) {
        poll_timer_wait_until(ofc->punts.meter_stats_next);
    }
    if ((ofc->redump && ofc->state == OFCTRL_SYNCED && !ofc->n_queued)
        || ofc->punts.n) {
        poll_immediate_wake();
    }
    conn_wake_wait_end(ofc->wake);
}

/* Names the owner of the session for conn_wake_pop_due() and
 * conn_wake_wait() (see conn-wake.h). */
void
ofctrl_set_wake_owner(struct ofctrl *ofc, int kind, void *owner,
                      conn_wake_wait_cb *wait_cb)
{
    conn_wake_set_owner(ofc->wake, kind, owner, wait_cb);
}

/* Should ofctrl_run() serve 'ofc' in this pass of the main loop (see
 * conn-wake.h)? */
bool
ofctrl_should_run(struct ofctrl *ofc)
{
    return conn_wake_should_run(ofc->wake);
}

/* Sends 'packet' through the switch as if it came from the controller,
 * with 'ofpacts'.  Only a synced primary sends anything. */
void
ofctrl_send_packet(struct ofctrl *ofc, const struct dp_packet *packet,
                   const struct ofpact *ofpacts, size_t ofpacts_len)
{
    if (ofc->state != OFCTRL_SYNCED) {
        return;
    }

    ofctrl_send_msg(ofc, ofctrl_punt_packet_out(ofc->protocol, packet, ofpacts,
                                         ofpacts_len));
    COVERAGE_INC(ofctrl_packet_out);
    ofc->n_packet_outs++;
}

/* Reads the switch's flows again, for a new owner: the session goes back to
 * DUMPING (if it is primary and not reading them already). */
void
ofctrl_resync(struct ofctrl *ofc)
{
    /* A dump under way already reads what the switch has. */
    ofctrl_catch_up_cfg(ofc);
    conn_wake_poke(ofc->wake);
    if (ofc->state == OFCTRL_DUMPED || ofc->state == OFCTRL_SYNCED) {
        start_dump(ofc);
    }
}

/* Appends a one-line summary of the session to 's'. */
void
ofctrl_format_stats(const struct ofctrl *ofc, struct ds *s)
{
    static const char *const states[] = {
        [OFCTRL_HANDSHAKE] = "handshake",
        [OFCTRL_STANDBY] = "standby",
        [OFCTRL_DUMPING] = "reading flows",
        [OFCTRL_DUMPED] = "reconciling",
        [OFCTRL_SYNCED] = "synced",
    };
    ds_put_format(s, "openflow=%s flow_mods=%"PRIu64" group_mods=%"PRIu64
                  " packet_outs=%"PRIu64" bundles=%"PRIu64
                  " reconciles=%"PRIu64" last_reconcile_changes=%"PRIu64
                  " repairs=%"PRIu64" errors=%"PRIu64" monitor=%s",
                  states[ofc->state],
                  ofc->n_flow_mods, ofc->n_group_mods, ofc->n_packet_outs,
                  ofc->n_bundles, ofc->n_reconciles, ofc->n_reconcile_mods,
                  ofc->n_repairs, ofc->n_errors,
                  ofc->monitoring ? "on" : "off");
    ds_put_char(s, ' ');
    conn_wake_format(ofc->wake, "", s);
}
