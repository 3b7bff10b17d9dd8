/* An emulated OpenFlow switch.  See emu-switch.h. */
#include <config.h>
#include "emu-switch.h"
#include "emu-switch-private.h"

#include <errno.h>
#include <string.h>

#include "coverage.h"
#include "flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-bundle.h"
#include "openvswitch/ofp-connection.h"
#include "openvswitch/ofp-monitor.h"
#include "openvswitch/ofp-switch.h"
#include "openvswitch/ofp-table.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/rconn.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "socket-util.h"
#include "sset.h"

VLOG_DEFINE_THIS_MODULE(emu_switch);

COVERAGE_DEFINE(emu_bundle_commit);
COVERAGE_DEFINE(emu_of_error);

/* Seconds of silence before an echo request to a controller. */
#define EMU_PROBE_INTERVAL 5

static void conn_destroy(struct emu_conn *);

/* Creates a switch called 'name' (for logs), with a passive OpenFlow socket
 * for management at 'mgmt' ("punix:PATH") if nonnull. */
struct emu_switch *
emu_switch_create(const char *name, const char *mgmt)
{
    struct emu_switch *sw = xzalloc(sizeof *sw);

    sw->name = xstrdup(name);
    sw->allowed_versions = OFPUTIL_DEFAULT_VERSIONS;
    emu_table_init(&sw->table);
    ovs_list_init(&sw->conns);
    if (mgmt) {
        int error = pvconn_open(mgmt, 0, DSCP_DEFAULT, &sw->mgmt);
        if (error) {
            VLOG_ERR("%s: cannot listen on %s (%s)", name, mgmt,
                     ovs_strerror(error));
        }
    }
    return sw;
}

/* Destroys 'sw' and closes its connections. */
void
emu_switch_destroy(struct emu_switch *sw)
{
    if (sw) {
        struct emu_conn *c;
        LIST_FOR_EACH_SAFE (c, list_node, &sw->conns) {
            conn_destroy(c);
        }
        emu_table_destroy(&sw->table);
        pvconn_close(sw->mgmt);
        free(sw->ports);
        free(sw->name);
        free(sw);
    }
}

/* Sets the datapath ID that features replies report. */
void
emu_switch_set_dpid(struct emu_switch *sw, uint64_t dpid)
{
    sw->dpid = dpid;
}

/* Sets the OpenFlow versions the switch accepts (a bitmap of 1 << version),
 * as the Bridge's 'protocols' column does; for connections made from now
 * on. */
void
emu_switch_set_versions(struct emu_switch *sw, uint32_t allowed)
{
    sw->allowed_versions = allowed ? allowed : OFPUTIL_DEFAULT_VERSIONS;
}

/* Sets the ports that port descriptions report (copied; their names
 * must outlive the next call or emu_switch_destroy()). */
void
emu_switch_set_ports(struct emu_switch *sw, const struct emu_port *ports,
                     size_t n)
{
    free(sw->ports);
    sw->ports = n ? xmemdup(ports, n * sizeof *ports) : NULL;
    sw->n_ports = n;
}

static struct emu_conn *
conn_create(struct emu_switch *sw, struct rconn *rconn, const char *target)
{
    struct emu_conn *c = xzalloc(sizeof *c);

    c->sw = sw;
    c->rconn = rconn;
    c->target = nullable_xstrdup(target);
    c->role = OFPCR12_ROLE_EQUAL;
    c->conn_seqno = rconn_get_connection_seqno(rconn);
    hmap_init(&c->bundles);
    ovs_list_push_back(&sw->conns, &c->list_node);
    return c;
}

static void
bundle_free(struct emu_bundle *b)
{
    struct ofpbuf *msg;

    LIST_FOR_EACH_POP (msg, list_node, &b->msgs) {
        ofpbuf_delete(msg);
    }
    free(b);
}

static void
conn_clear_bundles(struct emu_conn *c)
{
    struct emu_bundle *b;

    HMAP_FOR_EACH_POP (b, hmap_node, &c->bundles) {
        bundle_free(b);
    }
}

static void
conn_destroy(struct emu_conn *c)
{
    ovs_list_remove(&c->list_node);
    conn_clear_bundles(c);
    hmap_destroy(&c->bundles);
    rconn_destroy(c->rconn);
    free(c->target);
    free(c);
}

/* Makes the switch's controller connections those in 'targets' (OpenFlow
 * active connection names), keeping the ones it has. */
void
emu_switch_set_controllers(struct emu_switch *sw, const struct sset *targets)
{
    struct sset have = SSET_INITIALIZER(&have);
    struct emu_conn *c;

    LIST_FOR_EACH_SAFE (c, list_node, &sw->conns) {
        if (c->target) {
            if (sset_contains(targets, c->target)) {
                sset_add(&have, c->target);
            } else {
                conn_destroy(c);
            }
        }
    }

    const char *target;
    SSET_FOR_EACH (target, targets) {
        if (!sset_contains(&have, target)) {
            struct rconn *rc = rconn_create(EMU_PROBE_INTERVAL, 8,
                                            DSCP_DEFAULT,
                                            sw->allowed_versions);
            rconn_connect(rc, target, target);
            conn_create(sw, rc, target);
        }
    }
    sset_destroy(&have);
}

/* Returns true if the connection to controller 'target' is up. */
bool
emu_switch_is_connected(const struct emu_switch *sw, const char *target)
{
    const struct emu_conn *c;

    LIST_FOR_EACH (c, list_node, &sw->conns) {
        if (c->target && !strcmp(c->target, target)) {
            return rconn_is_connected(c->rconn);
        }
    }
    return false;
}

/* Returns the number of flows in all tables. */
size_t
emu_switch_n_flows(const struct emu_switch *sw)
{
    return hmap_count(&sw->table.flows);
}

/* Returns the number of groups. */
size_t
emu_switch_n_groups(const struct emu_switch *sw)
{
    return hmap_count(&sw->table.groups);
}

/* Returns the number of OpenFlow connections (controllers and others). */
size_t
emu_switch_n_conns(const struct emu_switch *sw)
{
    return ovs_list_size(&sw->conns);
}

/* The tables. */

/* Tells the connections other than 'from' that monitor flows of the flows
 * that 'log' added or removed. */
static void
notify_monitors(struct emu_switch *sw, const struct emu_conn *from,
                const struct ovs_list *log)
{
    struct emu_conn *c;

    LIST_FOR_EACH (c, list_node, &sw->conns) {
        if (c == from || !c->monitoring || !c->protocol
            || !rconn_is_connected(c->rconn)) {
            continue;
        }
        struct ovs_list msgs;
        bool any = false;
        ofputil_start_flow_update(&msgs, c->protocol);

        const struct emu_change *ch;
        LIST_FOR_EACH (ch, list_node, log) {
            if (!ch->flow) {
                continue;
            }
            const struct emu_flow *f = ch->flow;
            struct ofputil_flow_update fu = {
                .event = ch->added ? OFPFME_ADDED : OFPFME_REMOVED,
                .reason = OFPRR_DELETE,
                .idle_timeout = f->idle_timeout,
                .hard_timeout = f->hard_timeout,
                .table_id = f->table_id,
                .priority = f->cr.priority,
                .cookie = f->cookie,
                .ofpacts = f->ofpacts,
                .ofpacts_len = f->ofpacts_len,
            };
            minimatch_expand(&f->cr.match, &fu.match);
            ofputil_append_flow_update(&fu, &msgs, NULL);
            any = true;
        }

        struct ofpbuf *msg;
        LIST_FOR_EACH_POP (msg, list_node, &msgs) {
            if (any) {
                rconn_send(c->rconn, msg, NULL);
            } else {
                ofpbuf_delete(msg);
            }
        }
    }
}

/* Ends a change made on behalf of 'from': tells the monitors of what it
 * did and frees what it removed ('ok'), or puts the tables back. */
static void
finish_changes(struct emu_switch *sw, const struct emu_conn *from,
               struct ovs_list *log, bool ok)
{
    if (ok) {
        notify_monitors(sw, from, log);
    }
    emu_table_finish(&sw->table, log, ok);
}

/* Messages. */

/* Sends 'msg' on 'c' (taking it over). */
void
emu_conn_send(struct emu_conn *c, struct ofpbuf *msg)
{
    rconn_send(c->rconn, msg, NULL);
}

/* Sends every message in 'replies' on 'c' (taking them over). */
void
emu_conn_send_replies(struct emu_conn *c, struct ovs_list *replies)
{
    struct ofpbuf *msg;

    LIST_FOR_EACH_POP (msg, list_node, replies) {
        emu_conn_send(c, msg);
    }
}

static enum ofperr
reject_secondary(const struct emu_conn *c)
{
    return c->role == OFPCR12_ROLE_SECONDARY ? OFPERR_OFPBRC_IS_SECONDARY : 0;
}

/* Applies modification message 'oh' (a flow, group or meter mod, or a
 * packet-out) to the tables, recording the changes in 'log'.  With
 * 'dry_run', only decodes and checks what can be checked alone. */
static enum ofperr
apply_mod(struct emu_conn *c, const struct ofp_header *oh,
          struct ovs_list *log, bool dry_run)
{
    struct emu_switch *sw = c->sw;
    uint64_t stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    enum ofptype type;
    enum ofperr error = ofptype_decode(&type, oh);

    if (error) {
        return error;
    }
    switch (type) {
    case OFPTYPE_FLOW_MOD: {
        struct ofputil_flow_mod fm;
        error = ofputil_decode_flow_mod(&fm, oh, c->protocol, NULL, NULL,
                                        &ofpacts,
                                        u16_to_ofp(EMU_MAX_PORTS),
                                        EMU_N_TABLES);
        if (!error) {
            if (!dry_run) {
                error = emu_table_flow_mod(&sw->table, &fm, log);
            } else if (fm.command > OFPFC_DELETE_STRICT) {
                error = OFPERR_OFPFMFC_BAD_COMMAND;
            }
            minimatch_destroy(&fm.match);
        }
        break;
    }
    case OFPTYPE_GROUP_MOD: {
        struct ofputil_group_mod gm;
        error = ofputil_decode_group_mod(oh, &gm);
        if (!error) {
            if (!dry_run) {
                error = emu_table_group_mod(&sw->table, &gm, log);
            }
            ofputil_uninit_group_mod(&gm);
        }
        break;
    }
    case OFPTYPE_METER_MOD: {
        struct ofputil_meter_mod mm;
        error = ofputil_decode_meter_mod(oh, &mm, &ofpacts);
        if (!error && !dry_run) {
            error = emu_table_meter_mod(&sw->table, &mm, log);
        }
        break;
    }
    case OFPTYPE_PACKET_OUT: {
        /* No datapath: a valid packet goes nowhere. */
        struct ofputil_packet_out po;
        error = ofputil_decode_packet_out(&po, oh, NULL, &ofpacts);
        if (!error) {
            error = emu_table_check_ofpacts(&sw->table, po.ofpacts,
                                            po.ofpacts_len);
        }
        break;
    }
    case OFPTYPE_PORT_MOD: {
        struct ofputil_port_mod pm;
        error = ofputil_decode_port_mod(oh, &pm, false);
        break;
    }
    default:
        error = OFPERR_OFPBFC_MSG_UNSUP;
        break;
    }
    ofpbuf_uninit(&ofpacts);
    return error;
}

static enum ofperr
handle_mod(struct emu_conn *c, const struct ofp_header *oh)
{
    struct ovs_list log = OVS_LIST_INITIALIZER(&log);
    enum ofperr error = reject_secondary(c);

    if (!error) {
        error = apply_mod(c, oh, &log, false);
        finish_changes(c->sw, c, &log, !error);
    }
    return error;
}

static struct emu_bundle *
bundle_find(const struct emu_conn *c, uint32_t id)
{
    struct emu_bundle *b;

    HMAP_FOR_EACH_WITH_HASH (b, hmap_node, hash_int(id, 0), &c->bundles) {
        if (b->id == id) {
            return b;
        }
    }
    return NULL;
}

static struct emu_bundle *
bundle_open(struct emu_conn *c, uint32_t id, uint16_t flags)
{
    struct emu_bundle *b = xzalloc(sizeof *b);
    b->id = id;
    b->flags = flags;
    ovs_list_init(&b->msgs);
    hmap_insert(&c->bundles, &b->hmap_node, hash_int(id, 0));
    return b;
}

static void
bundle_remove(struct emu_conn *c, struct emu_bundle *b)
{
    hmap_remove(&c->bundles, &b->hmap_node);
    bundle_free(b);
}

static enum ofperr
bundle_commit(struct emu_conn *c, struct emu_bundle *b)
{
    struct ovs_list log = OVS_LIST_INITIALIZER(&log);
    enum ofperr error = 0;
    struct ofpbuf *msg;

    COVERAGE_INC(emu_bundle_commit);
    LIST_FOR_EACH (msg, list_node, &b->msgs) {
        struct ofputil_bundle_add_msg badd;
        enum ofptype type;

        error = ofputil_decode_bundle_add(msg->data, &badd, &type);
        ovs_assert(!error);     /* Checked when it was added. */
        error = (type == OFPTYPE_PORT_MOD && b->flags & OFPBF_ATOMIC
                 ? OFPERR_OFPBFC_MSG_FAILED      /* As ofproto. */
                 : apply_mod(c, badd.msg, &log, false));
        if (error) {
            /* As ofproto: an error for the message that failed, then one
             * for the commit. */
            emu_conn_send(c, ofperr_encode_reply(error, msg->data));
            error = OFPERR_OFPBFC_MSG_FAILED;
            break;
        }
    }
    finish_changes(c->sw, c, &log, !error);
    return error;
}

static enum ofperr
handle_bundle_control(struct emu_conn *c, const struct ofp_header *oh)
{
    struct ofputil_bundle_ctrl_msg bctrl, reply;
    enum ofperr error = reject_secondary(c);

    if (!error) {
        error = ofputil_decode_bundle_ctrl(oh, &bctrl);
    }
    if (error) {
        return error;
    }

    struct emu_bundle *b = bundle_find(c, bctrl.bundle_id);
    reply.flags = 0;
    reply.bundle_id = bctrl.bundle_id;
    switch (bctrl.type) {
    case OFPBCT_OPEN_REQUEST:
        reply.type = OFPBCT_OPEN_REPLY;
        if (b) {
            bundle_remove(c, b);
            error = OFPERR_OFPBFC_BAD_ID;
        } else if (bctrl.flags & ~(OFPBF_ATOMIC | OFPBF_ORDERED)) {
            error = OFPERR_OFPBFC_BAD_FLAGS;
        } else {
            bundle_open(c, bctrl.bundle_id, bctrl.flags);
        }
        break;

    case OFPBCT_CLOSE_REQUEST:
        reply.type = OFPBCT_CLOSE_REPLY;
        if (!b) {
            error = OFPERR_OFPBFC_BAD_ID;
        } else if (b->closed) {
            bundle_remove(c, b);
            error = OFPERR_OFPBFC_BUNDLE_CLOSED;
        } else if (bctrl.flags != b->flags) {
            bundle_remove(c, b);
            error = OFPERR_OFPBFC_BAD_FLAGS;
        } else {
            b->closed = true;
        }
        break;

    case OFPBCT_COMMIT_REQUEST:
        reply.type = OFPBCT_COMMIT_REPLY;
        if (!b) {
            error = OFPERR_OFPBFC_BAD_ID;
        } else if (bctrl.flags != b->flags) {
            error = OFPERR_OFPBFC_BAD_FLAGS;
            bundle_remove(c, b);
        } else {
            error = bundle_commit(c, b);
            bundle_remove(c, b);
        }
        break;

    case OFPBCT_DISCARD_REQUEST:
        reply.type = OFPBCT_DISCARD_REPLY;
        if (!b) {
            error = OFPERR_OFPBFC_BAD_ID;
        } else {
            bundle_remove(c, b);
        }
        break;

    case OFPBCT_OPEN_REPLY:
    case OFPBCT_CLOSE_REPLY:
    case OFPBCT_COMMIT_REPLY:
    case OFPBCT_DISCARD_REPLY:
    default:
        return OFPERR_OFPBFC_BAD_TYPE;
    }
    if (!error) {
        emu_conn_send(c, ofputil_encode_bundle_ctrl_reply(oh, &reply));
    }
    return error;
}

static enum ofperr
handle_bundle_add(struct emu_conn *c, const struct ofp_header *oh)
{
    struct ofputil_bundle_add_msg badd;
    enum ofptype type;
    enum ofperr error = reject_secondary(c);

    if (!error) {
        error = ofputil_decode_bundle_add(oh, &badd, &type);
    }
    if (!error) {
        error = apply_mod(c, badd.msg, NULL, true);
    }
    if (error) {
        return error;
    }

    struct emu_bundle *b = bundle_find(c, badd.bundle_id);
    if (!b) {
        b = bundle_open(c, badd.bundle_id, badd.flags);
    } else if (b->closed) {
        bundle_remove(c, b);
        return OFPERR_OFPBFC_BUNDLE_CLOSED;
    } else if (badd.flags != b->flags) {
        bundle_remove(c, b);
        return OFPERR_OFPBFC_BAD_FLAGS;
    }
    struct ofpbuf *msg = ofpbuf_clone_data(oh, ntohs(oh->length));
    ovs_list_push_back(&b->msgs, &msg->list_node);
    return 0;
}

static enum ofperr
handle_role_request(struct emu_conn *c, const struct ofp_header *oh)
{
    struct ofputil_role_request rq, reply;
    struct emu_switch *sw = c->sw;
    enum ofperr error = ofputil_decode_role_message(oh, &rq);

    if (error) {
        return error;
    }
    if (rq.role != OFPCR12_ROLE_NOCHANGE) {
        if (rq.role != OFPCR12_ROLE_EQUAL && rq.have_generation_id) {
            if (sw->election_id_defined
                && (int64_t) (rq.generation_id - sw->election_id) < 0) {
                return OFPERR_OFPRRFC_STALE;
            }
            sw->election_id = rq.generation_id;
            sw->election_id_defined = true;
        }
        if (rq.role == OFPCR12_ROLE_PRIMARY) {
            /* The other primary becomes secondary, and is told so. */
            struct emu_conn *o;
            LIST_FOR_EACH (o, list_node, &sw->conns) {
                if (o != c && o->role == OFPCR12_ROLE_PRIMARY) {
                    o->role = OFPCR12_ROLE_SECONDARY;
                    if (o->protocol && rconn_get_version(o->rconn)
                                       >= OFP14_VERSION) {
                        struct ofputil_role_status rs = {
                            .role = OFPCR12_ROLE_SECONDARY,
                            .reason = OFPCRR_PRIMARY_REQUEST,
                            .generation_id = sw->election_id,
                        };
                        emu_conn_send(o, ofputil_encode_role_status(
                                             &rs, o->protocol));
                    }
                }
            }
        }
        c->role = rq.role;
    }
    reply.role = c->role;
    reply.have_generation_id = sw->election_id_defined;
    reply.generation_id = sw->election_id;
    emu_conn_send(c, ofputil_encode_role_reply(oh, &reply));
    return 0;
}

/* Describes 'port' in 'pp' as OpenFlow reports it (in the features reply
 * and the port description): always live. */
void
emu_port_describe(const struct emu_port *port, struct ofputil_phy_port *pp)
{
    memset(pp, 0, sizeof *pp);
    pp->port_no = port->ofport;
    pp->hw_addr = port->mac;
    ovs_strlcpy(pp->name, port->name, sizeof pp->name);
    pp->state = OFPUTIL_PS_LIVE;
}

static enum ofperr
handle_features_request(struct emu_conn *c, const struct ofp_header *oh)
{
    struct emu_switch *sw = c->sw;
    struct ofputil_switch_features features = {
        .datapath_id = sw->dpid,
        .n_buffers = 0,
        .n_tables = EMU_N_TABLES - 1,
        .capabilities = (OFPUTIL_C_FLOW_STATS | OFPUTIL_C_TABLE_STATS
                         | OFPUTIL_C_PORT_STATS | OFPUTIL_C_QUEUE_STATS
                         | OFPUTIL_C_GROUP_STATS | OFPUTIL_C_BUNDLES
                         | OFPUTIL_C_FLOW_MONITORING),
        .ofpacts = ofpact_bitmap_from_openflow(htonl(UINT32_MAX),
                                               OFP10_VERSION),
    };
    struct ofpbuf *b = ofputil_encode_switch_features(&features, c->protocol,
                                                      oh->xid);
    if (ofputil_switch_features_has_ports(b)) {
        for (size_t i = 0; i < sw->n_ports; i++) {
            struct ofputil_phy_port pp;
            emu_port_describe(&sw->ports[i], &pp);
            ofputil_put_switch_features_port(&pp, b);
        }
    }
    emu_conn_send(c, b);
    return 0;
}

static enum ofperr
handle_msg(struct emu_conn *c, const struct ofp_header *oh)
{
    enum ofptype type;
    enum ofperr error = ofptype_decode(&type, oh);

    if (error) {
        return error;
    }
    if (ofpmsg_is_stat_request(oh) && ofpmp_more(oh)) {
        /* Multipart requests in more than one message: none we need. */
        return OFPERR_OFPBRC_MULTIPART_BUFFER_OVERFLOW;
    }

    switch (type) {
    case OFPTYPE_ECHO_REQUEST:
        emu_conn_send(c, ofputil_encode_echo_reply(oh));
        return 0;
    case OFPTYPE_FEATURES_REQUEST:
        return handle_features_request(c, oh);
    case OFPTYPE_GET_CONFIG_REQUEST: {
        struct ofputil_switch_config config = {
            .frag = OFPUTIL_FRAG_NORMAL,
            .invalid_ttl_to_controller = -1,
            .miss_send_len = OFP_DEFAULT_MISS_SEND_LEN,
        };
        emu_conn_send(c, ofputil_encode_get_config_reply(oh, &config));
        return 0;
    }
    case OFPTYPE_SET_CONFIG: {
        struct ofputil_switch_config config;
        return ofputil_decode_set_config(oh, &config);
    }
    case OFPTYPE_FLOW_MOD:
    case OFPTYPE_GROUP_MOD:
    case OFPTYPE_METER_MOD:
    case OFPTYPE_PACKET_OUT:
    case OFPTYPE_PORT_MOD:
        return handle_mod(c, oh);
    case OFPTYPE_TABLE_MOD: {
        struct ofputil_table_mod tm;
        error = reject_secondary(c);
        return error ? error : ofputil_decode_table_mod(oh, &tm);
    }
    case OFPTYPE_BARRIER_REQUEST:
        emu_conn_send(c, ofpraw_alloc_reply(oh->version == OFP10_VERSION
                                       ? OFPRAW_OFPT10_BARRIER_REPLY
                                       : OFPRAW_OFPT11_BARRIER_REPLY,
                                       oh, 0));
        return 0;
    case OFPTYPE_ROLE_REQUEST:
        return handle_role_request(c, oh);
    case OFPTYPE_ECHO_REPLY:
    case OFPTYPE_FLOW_AGE:
        return 0;
    case OFPTYPE_FLOW_MOD_TABLE_ID:
        c->protocol = ofputil_protocol_set_tid(
            c->protocol, ofputil_decode_nx_flow_mod_table_id(oh));
        return 0;
    case OFPTYPE_SET_FLOW_FORMAT: {
        enum ofputil_protocol next = ofputil_decode_nx_set_flow_format(oh);
        if (!next) {
            return OFPERR_OFPBRC_EPERM;
        }
        c->protocol = ofputil_protocol_set_base(c->protocol, next);
        return 0;
    }
    case OFPTYPE_SET_PACKET_IN_FORMAT: {
        enum ofputil_packet_in_format format;
        return ofputil_decode_set_packet_in_format(oh, &format);
    }
    case OFPTYPE_SET_CONTROLLER_ID:
    case OFPTYPE_SET_ASYNC_CONFIG:
        return 0;
    case OFPTYPE_FLOW_STATS_REQUEST:
        return emu_handle_flow_stats_request(c, oh, false);
    case OFPTYPE_AGGREGATE_STATS_REQUEST:
        return emu_handle_flow_stats_request(c, oh, true);
    case OFPTYPE_TABLE_STATS_REQUEST:
        return emu_handle_table_stats_request(c, oh);
    case OFPTYPE_TABLE_FEATURES_STATS_REQUEST:
        return emu_handle_table_features_request(c, oh);
    case OFPTYPE_PORT_DESC_STATS_REQUEST:
        return emu_handle_port_desc_request(c, oh);
    case OFPTYPE_GROUP_DESC_STATS_REQUEST:
        return emu_handle_group_desc_request(c, oh);
    case OFPTYPE_GROUP_STATS_REQUEST:
        return emu_handle_group_stats_request(c, oh);
    case OFPTYPE_METER_CONFIG_STATS_REQUEST:
        return emu_handle_meter_config_request(c, oh);
    case OFPTYPE_METER_STATS_REQUEST:
        return emu_handle_meter_stats_request(c, oh);
    case OFPTYPE_FLOW_MONITOR_STATS_REQUEST:
        return emu_handle_flow_monitor_request(c, oh);
    case OFPTYPE_FLOW_MONITOR_CANCEL:
        c->monitoring = false;
        return 0;
    case OFPTYPE_BUNDLE_CONTROL:
        return handle_bundle_control(c, oh);
    case OFPTYPE_BUNDLE_ADD_MESSAGE:
        return handle_bundle_add(c, oh);
    default:
        return (ofpmsg_is_stat_request(oh) ? OFPERR_OFPBRC_BAD_STAT
                                           : OFPERR_OFPBRC_BAD_TYPE);
    }
}

static void
conn_run(struct emu_conn *c)
{
    rconn_run(c->rconn);
    if (rconn_get_connection_seqno(c->rconn) != c->conn_seqno) {
        /* A new connection starts from scratch. */
        c->conn_seqno = rconn_get_connection_seqno(c->rconn);
        c->protocol = 0;
        c->role = OFPCR12_ROLE_EQUAL;
        c->monitoring = false;
        conn_clear_bundles(c);
    }
    if (!rconn_is_connected(c->rconn)) {
        return;
    }
    if (!c->protocol) {
        int version = rconn_get_version(c->rconn);
        if (version < 0) {
            return;
        }
        c->protocol = ofputil_protocol_from_ofp_version(version);
    }

    for (int i = 0; i < 50; i++) {
        struct ofpbuf *msg = rconn_recv(c->rconn);
        if (!msg) {
            break;
        }
        const struct ofp_header *oh = msg->data;
        enum ofperr error = handle_msg(c, oh);
        if (error) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
            COVERAGE_INC(emu_of_error);
            VLOG_INFO_RL(&rl, "%s: %s: refusing message: %s", c->sw->name,
                         rconn_get_name(c->rconn), ofperr_to_string(error));
            emu_conn_send(c, ofperr_encode_reply(error, oh));
        }
        ofpbuf_delete(msg);
    }
}

/* Accepts management connections, and processes what every connection
 * sent. */
void
emu_switch_run(struct emu_switch *sw)
{
    if (sw->mgmt) {
        for (int i = 0; i < 10; i++) {
            struct vconn *vconn;
            int error = pvconn_accept(sw->mgmt, &vconn);
            if (error) {
                if (error != EAGAIN) {
                    VLOG_WARN("%s: accept failed (%s)", sw->name,
                              ovs_strerror(error));
                }
                break;
            }
            struct rconn *rc = rconn_create(60, 0, DSCP_DEFAULT,
                                            sw->allowed_versions);
            rconn_connect_unreliably(rc, vconn, NULL);
            conn_create(sw, rc, NULL);
        }
    }

    struct emu_conn *c;
    LIST_FOR_EACH_SAFE (c, list_node, &sw->conns) {
        conn_run(c);
        if (!c->target && !rconn_is_alive(c->rconn)) {
            conn_destroy(c);
        }
    }
}

/* Arranges for poll_block() to wake up when emu_switch_run() has work. */
void
emu_switch_wait(struct emu_switch *sw)
{
    if (sw->mgmt) {
        pvconn_wait(sw->mgmt);
    }

    struct emu_conn *c;
    LIST_FOR_EACH (c, list_node, &sw->conns) {
        rconn_run_wait(c->rconn);
        rconn_recv_wait(c->rconn);
    }
}
