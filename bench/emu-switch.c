/* An emulated OpenFlow switch.  See emu-switch.h. */
#include <config.h>
#include "emu-switch.h"

#include <errno.h>
#include <string.h>

#include "bitmap.h"
#include "byte-order.h"
#include "classifier.h"
#include "coverage.h"
#include "flow.h"
#include "hash.h"
#include "openvswitch/meta-flow.h"
#include "nx-match.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-bundle.h"
#include "openvswitch/ofp-connection.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-group.h"
#include "openvswitch/ofp-meter.h"
#include "openvswitch/ofp-monitor.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofp-switch.h"
#include "openvswitch/ofp-table.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/rconn.h"
#include "openvswitch/shash.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "socket-util.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(emu_switch);

COVERAGE_DEFINE(emu_flow_mod);
COVERAGE_DEFINE(emu_group_mod);
COVERAGE_DEFINE(emu_bundle_commit);
COVERAGE_DEFINE(emu_of_error);

/* As ofproto: 255 tables, of which the last (254) is the read-only one
 * of internal flows, and automatic port numbers below 0xff00. */
#define EMU_N_TABLES 255
#define EMU_TBL_INTERNAL 254
#define EMU_MAX_PORTS 0xff00

/* Seconds of silence before an echo request to a controller. */
#define EMU_PROBE_INTERVAL 5

struct emu_flow {
    struct hmap_node hmap_node;     /* In 'flows', by table and rule. */
    struct cls_rule cr;             /* Match and priority. */
    uint8_t table_id;
    ovs_be64 cookie;
    uint16_t idle_timeout;
    uint16_t hard_timeout;
    uint16_t importance;
    enum ofputil_flow_mod_flags flags;
    long long int created;
    struct ofpact *ofpacts;
    size_t ofpacts_len;
};

struct emu_group {
    struct hmap_node hmap_node;     /* In 'groups', by id. */
    uint32_t id;
    uint8_t type;
    struct ovs_list buckets;        /* Of "struct ofputil_bucket". */
    struct ofputil_group_props props;
    long long int created;
};

struct emu_meter {
    struct hmap_node hmap_node;     /* In 'meters', by id. */
    struct ofputil_meter_config mc; /* 'bands' is ours. */
};

struct emu_bundle {
    struct hmap_node hmap_node;     /* In the connection's 'bundles'. */
    uint32_t id;
    uint16_t flags;
    bool closed;
    struct ovs_list msgs;           /* Bundle add messages, in order. */
};

struct emu_conn {
    struct ovs_list list_node;      /* In the switch's 'conns'. */
    struct emu_switch *sw;
    struct rconn *rconn;
    char *target;                   /* A controller's; NULL if accepted. */
    unsigned int conn_seqno;
    enum ofputil_protocol protocol; /* 0 until the version is known. */
    enum ofp12_controller_role role;
    struct hmap bundles;
    bool monitoring;                /* Has a flow monitor. */
};

struct emu_switch {
    char *name;
    uint64_t dpid;
    uint32_t allowed_versions;
    struct hmap flows;
    struct hmap groups;
    struct hmap meters;
    struct emu_port *ports;
    size_t n_ports;
    bool election_id_defined;
    uint64_t election_id;
    struct pvconn *mgmt;
    struct ovs_list conns;          /* Of "struct emu_conn". */
};

/* One change made to the tables, kept until the change commits (and
 * undone if it does not). */
struct emu_change {
    struct ovs_list list_node;
    bool added;                     /* Else removed. */
    struct emu_flow *flow;          /* One of 'flow' and 'group'. */
    struct emu_group *group;
    struct emu_meter *meter;
};

static void conn_destroy(struct emu_conn *);
static void flow_free(struct emu_flow *);
static void group_free(struct emu_group *);

/* Creates a switch called 'name' (for logs), with a passive OpenFlow socket
 * for management at 'mgmt' ("punix:PATH") if nonnull. */
struct emu_switch *
emu_switch_create(const char *name, const char *mgmt)
{
    struct emu_switch *sw = xzalloc(sizeof *sw);

    sw->name = xstrdup(name);
    sw->allowed_versions = OFPUTIL_DEFAULT_VERSIONS;
    hmap_init(&sw->flows);
    hmap_init(&sw->groups);
    hmap_init(&sw->meters);
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
        struct emu_flow *f;
        HMAP_FOR_EACH_POP (f, hmap_node, &sw->flows) {
            flow_free(f);
        }
        hmap_destroy(&sw->flows);
        struct emu_group *g;
        HMAP_FOR_EACH_POP (g, hmap_node, &sw->groups) {
            group_free(g);
        }
        hmap_destroy(&sw->groups);
        struct emu_meter *m;
        HMAP_FOR_EACH_POP (m, hmap_node, &sw->meters) {
            free(m->mc.bands);
            free(m);
        }
        hmap_destroy(&sw->meters);
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
    return hmap_count(&sw->flows);
}

/* Returns the number of groups. */
size_t
emu_switch_n_groups(const struct emu_switch *sw)
{
    return hmap_count(&sw->groups);
}

/* Returns the number of OpenFlow connections (controllers and others). */
size_t
emu_switch_n_conns(const struct emu_switch *sw)
{
    return ovs_list_size(&sw->conns);
}

/* The tables. */

static uint32_t
emu_flow_hash(uint8_t table_id, const struct cls_rule *cr)
{
    return minimatch_hash(&cr->match, hash_2words(table_id, cr->priority));
}

static void
flow_free(struct emu_flow *f)
{
    if (f) {
        cls_rule_destroy(&f->cr);
        free(f->ofpacts);
        free(f);
    }
}

static struct emu_flow *
flow_find_exact(const struct emu_switch *sw, uint8_t table_id,
                const struct cls_rule *cr)
{
    struct emu_flow *f;

    HMAP_FOR_EACH_WITH_HASH (f, hmap_node, emu_flow_hash(table_id, cr),
                             &sw->flows) {
        if (f->table_id == table_id && cls_rule_equal(&f->cr, cr)) {
            return f;
        }
    }
    return NULL;
}

static struct emu_group *
group_find(const struct emu_switch *sw, uint32_t id)
{
    struct emu_group *g;

    HMAP_FOR_EACH_WITH_HASH (g, hmap_node, hash_int(id, 0), &sw->groups) {
        if (g->id == id) {
            return g;
        }
    }
    return NULL;
}

static struct emu_meter *
meter_find(const struct emu_switch *sw, uint32_t id)
{
    struct emu_meter *m;

    HMAP_FOR_EACH_WITH_HASH (m, hmap_node, hash_int(id, 0), &sw->meters) {
        if (m->mc.meter_id == id) {
            return m;
        }
    }
    return NULL;
}

static void
group_free(struct emu_group *g)
{
    if (g) {
        ofputil_bucket_list_destroy(&g->buckets);
        free(g);
    }
}

/* Records in 'log' that one of 'flow', 'group' and 'meter' was added or
 * removed ('added'). */
static void
log_change(struct ovs_list *log, bool added, struct emu_flow *flow,
           struct emu_group *group, struct emu_meter *meter)
{
    struct emu_change *ch = xzalloc(sizeof *ch);
    ch->added = added;
    ch->flow = flow;
    ch->group = group;
    ch->meter = meter;
    ovs_list_push_back(log, &ch->list_node);
}

static void
flow_insert(struct emu_switch *sw, struct emu_flow *f, struct ovs_list *log)
{
    hmap_insert(&sw->flows, &f->hmap_node, emu_flow_hash(f->table_id, &f->cr));
    log_change(log, true, f, NULL, NULL);
}

static void
flow_remove(struct emu_switch *sw, struct emu_flow *f, struct ovs_list *log)
{
    hmap_remove(&sw->flows, &f->hmap_node);
    log_change(log, false, f, NULL, NULL);
}

/* Checks what ofproto checks of actions against the switch's state: the
 * meters and groups they name must exist. */
static enum ofperr
check_ofpacts(const struct emu_switch *sw, const struct ofpact *ofpacts,
              size_t ofpacts_len)
{
    const struct ofpact *a;

    OFPACT_FOR_EACH_FLATTENED (a, ofpacts, ofpacts_len) {
        if (a->type == OFPACT_METER
            && !meter_find(sw, ofpact_get_METER(a)->meter_id)) {
            return OFPERR_OFPMMFC_INVALID_METER;
        }
        if (a->type == OFPACT_GROUP
            && !group_find(sw, ofpact_get_GROUP(a)->group_id)) {
            return OFPERR_OFPBAC_BAD_OUT_GROUP;
        }
    }
    return 0;
}

/* Does 'f' meet the criteria of a non-strict request? */
static bool
flow_is_selected(const struct emu_flow *f, uint8_t table_id,
                 const struct minimatch *match, int priority, bool strict,
                 ovs_be64 cookie, ovs_be64 cookie_mask,
                 ofp_port_t out_port, uint32_t out_group)
{
    if (table_id != 0xff && f->table_id != table_id) {
        return false;
    }
    if (f->table_id == EMU_TBL_INTERNAL) {
        return false;           /* Hidden from controllers, as in ofproto. */
    }
    if ((f->cookie ^ cookie) & cookie_mask) {
        return false;
    }
    if (strict) {
        if (f->cr.priority != priority
            || !minimatch_equal(&f->cr.match, match)) {
            return false;
        }
    } else if (!cls_rule_is_loose_match(&f->cr, match)) {
        return false;
    }
    if (out_port != OFPP_ANY
        && !ofpacts_output_to_port(f->ofpacts, f->ofpacts_len, out_port)) {
        return false;
    }
    if (out_group != OFPG_ANY
        && !ofpacts_output_to_group(f->ofpacts, f->ofpacts_len, out_group)) {
        return false;
    }
    return true;
}

static struct emu_flow *
flow_from_mod(const struct ofputil_flow_mod *fm, uint8_t table_id)
{
    struct emu_flow *f = xzalloc(sizeof *f);

    cls_rule_init_from_minimatch(&f->cr, &fm->match, fm->priority);
    f->table_id = table_id;
    f->cookie = fm->new_cookie == OVS_BE64_MAX ? fm->cookie : fm->new_cookie;
    f->idle_timeout = fm->idle_timeout;
    f->hard_timeout = fm->hard_timeout;
    f->importance = fm->importance;
    f->flags = fm->flags & (OFPUTIL_FF_SEND_FLOW_REM
                            | OFPUTIL_FF_NO_PKT_COUNTS
                            | OFPUTIL_FF_NO_BYT_COUNTS);
    f->created = time_msec();
    f->ofpacts = xmemdup(fm->ofpacts, fm->ofpacts_len);
    f->ofpacts_len = fm->ofpacts_len;
    return f;
}

/* Replaces 'old' by a copy with the actions of 'fm' (and its cookie, if it
 * modifies cookies). */
static void
flow_modify(struct emu_switch *sw, struct emu_flow *old,
            const struct ofputil_flow_mod *fm, struct ovs_list *log)
{
    struct emu_flow *f = xzalloc(sizeof *f);

    cls_rule_clone(&f->cr, &old->cr);
    f->table_id = old->table_id;
    f->cookie = (fm->modify_cookie && fm->new_cookie != OVS_BE64_MAX
                 ? fm->new_cookie : old->cookie);
    f->idle_timeout = old->idle_timeout;
    f->hard_timeout = old->hard_timeout;
    f->importance = old->importance;
    f->flags = old->flags;
    f->created = old->created;
    f->ofpacts = xmemdup(fm->ofpacts, fm->ofpacts_len);
    f->ofpacts_len = fm->ofpacts_len;
    flow_remove(sw, old, log);
    flow_insert(sw, f, log);
}

static enum ofperr
flow_mod_add(struct emu_switch *sw, const struct ofputil_flow_mod *fm,
             struct ovs_list *log)
{
    uint8_t table_id = fm->table_id == 0xff ? 0 : fm->table_id;

    if (table_id >= EMU_N_TABLES) {
        return OFPERR_OFPBRC_BAD_TABLE_ID;
    }
    if (table_id == EMU_TBL_INTERNAL) {
        return OFPERR_OFPBRC_EPERM;
    }
    if (!minimatch_has_default_hidden_fields(&fm->match)) {
        return OFPERR_OFPBRC_EPERM;
    }
    enum ofperr error = check_ofpacts(sw, fm->ofpacts, fm->ofpacts_len);
    if (error) {
        return error;
    }
    if (fm->buffer_id != UINT32_MAX) {
        return OFPERR_OFPBRC_BUFFER_UNKNOWN;
    }

    struct emu_flow *f = flow_from_mod(fm, table_id);
    if (fm->flags & OFPUTIL_FF_CHECK_OVERLAP) {
        struct emu_flow *o;
        HMAP_FOR_EACH (o, hmap_node, &sw->flows) {
            if (o->table_id == table_id && o->cr.priority == fm->priority
                && cls_rule_is_loose_match(&o->cr, &fm->match)
                && !cls_rule_equal(&o->cr, &f->cr)) {
                flow_free(f);
                return OFPERR_OFPFMFC_OVERLAP;
            }
        }
    }
    struct emu_flow *old = flow_find_exact(sw, table_id, &f->cr);
    if (old) {
        if (!(fm->flags & OFPUTIL_FF_RESET_COUNTS)) {
            f->created = old->created;
        }
        flow_remove(sw, old, log);
    }
    flow_insert(sw, f, log);
    return 0;
}

static enum ofperr
flow_mod_modify(struct emu_switch *sw, const struct ofputil_flow_mod *fm,
                bool strict, struct ovs_list *log)
{
    if (fm->table_id >= EMU_N_TABLES && fm->table_id != 0xff) {
        return OFPERR_OFPBRC_BAD_TABLE_ID;
    }
    enum ofperr error = check_ofpacts(sw, fm->ofpacts, fm->ofpacts_len);
    if (error) {
        return error;
    }
    if (fm->buffer_id != UINT32_MAX) {
        return OFPERR_OFPBRC_BUFFER_UNKNOWN;
    }

    struct emu_flow **hits = NULL;
    size_t n = 0, allocated = 0;
    struct emu_flow *f;
    HMAP_FOR_EACH (f, hmap_node, &sw->flows) {
        if (flow_is_selected(f, fm->table_id, &fm->match, fm->priority,
                             strict, fm->cookie, fm->cookie_mask,
                             OFPP_ANY, OFPG_ANY)) {
            if (n >= allocated) {
                hits = x2nrealloc(hits, &allocated, sizeof *hits);
            }
            hits[n++] = f;
        }
    }
    for (size_t i = 0; i < n; i++) {
        flow_modify(sw, hits[i], fm, log);
    }
    free(hits);

    if (!n && fm->new_cookie != OVS_BE64_MAX && fm->cookie_mask == 0) {
        /* OpenFlow 1.0's modify adds the flow it does not find. */
        return flow_mod_add(sw, fm, log);
    }
    return 0;
}

static void
delete_selected(struct emu_switch *sw, uint8_t table_id,
                const struct minimatch *match, int priority, bool strict,
                ovs_be64 cookie, ovs_be64 cookie_mask, ofp_port_t out_port,
                uint32_t out_group, struct ovs_list *log)
{
    struct emu_flow *f;

    HMAP_FOR_EACH_SAFE (f, hmap_node, &sw->flows) {
        if (flow_is_selected(f, table_id, match, priority, strict, cookie,
                             cookie_mask, out_port, out_group)) {
            flow_remove(sw, f, log);
        }
    }
}

static enum ofperr
flow_mod_delete(struct emu_switch *sw, const struct ofputil_flow_mod *fm,
                bool strict, struct ovs_list *log)
{
    if (fm->table_id >= EMU_N_TABLES && fm->table_id != 0xff) {
        return OFPERR_OFPBRC_BAD_TABLE_ID;
    }
    delete_selected(sw, fm->table_id, &fm->match, fm->priority, strict,
                    fm->cookie, fm->cookie_mask, fm->out_port, fm->out_group,
                    log);
    return 0;
}

static enum ofperr
apply_flow_mod(struct emu_switch *sw, const struct ofputil_flow_mod *fm,
               struct ovs_list *log)
{
    COVERAGE_INC(emu_flow_mod);
    switch (fm->command) {
    case OFPFC_ADD:
        return flow_mod_add(sw, fm, log);
    case OFPFC_MODIFY:
        return flow_mod_modify(sw, fm, false, log);
    case OFPFC_MODIFY_STRICT:
        return flow_mod_modify(sw, fm, true, log);
    case OFPFC_DELETE:
        return flow_mod_delete(sw, fm, false, log);
    case OFPFC_DELETE_STRICT:
        return flow_mod_delete(sw, fm, true, log);
    default:
        return OFPERR_OFPFMFC_BAD_COMMAND;
    }
}

static struct emu_group *
group_create(const struct ofputil_group_mod *gm, const struct ovs_list *bkts)
{
    struct emu_group *g = xzalloc(sizeof *g);

    g->id = gm->group_id;
    g->type = gm->type;
    ovs_list_init(&g->buckets);
    ofputil_bucket_clone_list(&g->buckets, bkts, NULL);
    g->props = gm->props;
    g->created = time_msec();
    return g;
}

static void
group_insert(struct emu_switch *sw, struct emu_group *g, struct ovs_list *log)
{
    hmap_insert(&sw->groups, &g->hmap_node, hash_int(g->id, 0));
    log_change(log, true, NULL, g, NULL);
}

static void
group_remove(struct emu_switch *sw, struct emu_group *g, struct ovs_list *log)
{
    /* As in ofproto, the flows that send to a group go with it. */
    struct minimatch all;
    struct match catchall;
    match_init_catchall(&catchall);
    minimatch_init(&all, &catchall);
    delete_selected(sw, 0xff, &all, 0, false, 0, 0, OFPP_ANY, g->id, log);
    minimatch_destroy(&all);

    hmap_remove(&sw->groups, &g->hmap_node);
    log_change(log, false, NULL, g, NULL);
}

static enum ofperr
check_group(const struct emu_switch *sw, const struct ofputil_group_mod *gm,
            const struct ovs_list *buckets)
{
    if (gm->type > OFPGT11_FF) {
        return OFPERR_OFPGMFC_BAD_TYPE;
    }
    if (gm->type == OFPGT11_INDIRECT && ovs_list_size(buckets) != 1) {
        return OFPERR_OFPGMFC_INVALID_GROUP;
    }
    const struct ofputil_bucket *b;
    LIST_FOR_EACH (b, list_node, buckets) {
        enum ofperr error = check_ofpacts(sw, b->ofpacts, b->ofpacts_len);
        if (error) {
            return error == OFPERR_OFPBAC_BAD_OUT_GROUP
                   ? OFPERR_OFPGMFC_CHAINING_UNSUPPORTED : error;
        }
    }
    return 0;
}

static enum ofperr
apply_group_mod(struct emu_switch *sw, const struct ofputil_group_mod *gm,
                struct ovs_list *log)
{
    struct emu_group *g = group_find(sw, gm->group_id);
    enum ofperr error;

    COVERAGE_INC(emu_group_mod);
    if (gm->command != OFPGC11_DELETE && gm->group_id > OFPG_MAX) {
        return OFPERR_OFPGMFC_INVALID_GROUP;
    }
    switch (gm->command) {
    case OFPGC11_ADD:
    case OFPGC11_MODIFY:
    case OFPGC11_ADD_OR_MOD:
        if (gm->command == OFPGC11_ADD && g) {
            return OFPERR_OFPGMFC_GROUP_EXISTS;
        }
        if (gm->command == OFPGC11_MODIFY && !g) {
            return OFPERR_OFPGMFC_UNKNOWN_GROUP;
        }
        error = check_group(sw, gm, &gm->buckets);
        if (error) {
            return error;
        }
        if (g) {
            hmap_remove(&sw->groups, &g->hmap_node);
            log_change(log, false, NULL, g, NULL);
        }
        group_insert(sw, group_create(gm, &gm->buckets), log);
        return 0;

    case OFPGC11_DELETE:
        if (gm->group_id == OFPG_ALL) {
            struct emu_group *next;
            HMAP_FOR_EACH_SAFE (g, next, hmap_node, &sw->groups) {
                group_remove(sw, g, log);
            }
        } else if (g) {
            group_remove(sw, g, log);
        }
        return 0;

    case OFPGC15_INSERT_BUCKET:
    case OFPGC15_REMOVE_BUCKET: {
        if (!g) {
            return OFPERR_OFPGMFC_UNKNOWN_GROUP;
        }
        struct ovs_list buckets = OVS_LIST_INITIALIZER(&buckets);
        struct ofputil_bucket *b;
        if (gm->command == OFPGC15_INSERT_BUCKET) {
            ofputil_bucket_clone_list(&buckets, &g->buckets, NULL);
            LIST_FOR_EACH (b, list_node, &gm->buckets) {
                if (ofputil_bucket_find(&buckets, b->bucket_id)) {
                    ofputil_bucket_list_destroy(&buckets);
                    return OFPERR_OFPGMFC_BUCKET_EXISTS;
                }
            }
            ofputil_bucket_clone_list(&buckets, &gm->buckets, NULL);
        } else {
            uint32_t id = gm->command_bucket_id;
            if (id != OFPG15_BUCKET_ALL && !ovs_list_is_empty(&g->buckets)) {
                const struct ofputil_bucket *skip
                    = (id == OFPG15_BUCKET_FIRST
                       ? ofputil_bucket_list_front(&g->buckets)
                       : id == OFPG15_BUCKET_LAST
                       ? ofputil_bucket_list_back(&g->buckets)
                       : ofputil_bucket_find(&g->buckets, id));
                if (!skip) {
                    return OFPERR_OFPGMFC_UNKNOWN_BUCKET;
                }
                ofputil_bucket_clone_list(&buckets, &g->buckets, skip);
            }
        }
        struct ofputil_group_mod mod = *gm;
        mod.type = g->type;
        mod.props = g->props;
        struct emu_group *ng = group_create(&mod, &buckets);
        ofputil_bucket_list_destroy(&buckets);
        hmap_remove(&sw->groups, &g->hmap_node);
        log_change(log, false, NULL, g, NULL);
        group_insert(sw, ng, log);
        return 0;
    }

    default:
        return OFPERR_OFPGMFC_BAD_COMMAND;
    }
}

static enum ofperr
apply_meter_mod(struct emu_switch *sw, const struct ofputil_meter_mod *mm,
                struct ovs_list *log)
{
    uint32_t id = mm->meter.meter_id;
    struct emu_meter *m = meter_find(sw, id);

    if (mm->command != OFPMC13_DELETE
        && (id == 0 || (id > OFPM13_MAX && id != OFPM13_SLOWPATH
                        && id != OFPM13_CONTROLLER))) {
        return OFPERR_OFPMMFC_INVALID_METER;
    }
    switch (mm->command) {
    case OFPMC13_ADD:
    case OFPMC13_MODIFY:
        if (mm->command == OFPMC13_ADD && m) {
            return OFPERR_OFPMMFC_METER_EXISTS;
        }
        if (mm->command == OFPMC13_MODIFY && !m) {
            return OFPERR_OFPMMFC_UNKNOWN_METER;
        }
        if (m) {
            hmap_remove(&sw->meters, &m->hmap_node);
            log_change(log, false, NULL, NULL, m);
        }
        m = xzalloc(sizeof *m);
        m->mc = mm->meter;
        m->mc.bands = xmemdup(mm->meter.bands,
                              mm->meter.n_bands * sizeof *mm->meter.bands);
        hmap_insert(&sw->meters, &m->hmap_node, hash_int(id, 0));
        log_change(log, true, NULL, NULL, m);
        return 0;

    case OFPMC13_DELETE: {
        struct emu_meter *next;
        HMAP_FOR_EACH_SAFE (m, next, hmap_node, &sw->meters) {
            if (id == OFPM13_ALL || m->mc.meter_id == id) {
                hmap_remove(&sw->meters, &m->hmap_node);
                log_change(log, false, NULL, NULL, m);
            }
        }
        return 0;
    }

    default:
        return OFPERR_OFPMMFC_BAD_COMMAND;
    }
}

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

/* Ends a change: frees what it removed ('ok') or puts the tables back. */
static void
finish_changes(struct emu_switch *sw, const struct emu_conn *from,
               struct ovs_list *log, bool ok)
{
    struct emu_change *ch;

    if (ok) {
        notify_monitors(sw, from, log);
        LIST_FOR_EACH_POP (ch, list_node, log) {
            if (!ch->added) {
                flow_free(ch->flow);
                group_free(ch->group);
                if (ch->meter) {
                    free(ch->meter->mc.bands);
                    free(ch->meter);
                }
            }
            free(ch);
        }
        return;
    }

    while (!ovs_list_is_empty(log)) {
        ch = CONTAINER_OF(ovs_list_pop_back(log), struct emu_change,
                          list_node);
        if (ch->flow) {
            if (ch->added) {
                hmap_remove(&sw->flows, &ch->flow->hmap_node);
                flow_free(ch->flow);
            } else {
                hmap_insert(&sw->flows, &ch->flow->hmap_node,
                            emu_flow_hash(ch->flow->table_id, &ch->flow->cr));
            }
        } else if (ch->group) {
            if (ch->added) {
                hmap_remove(&sw->groups, &ch->group->hmap_node);
                group_free(ch->group);
            } else {
                hmap_insert(&sw->groups, &ch->group->hmap_node,
                            hash_int(ch->group->id, 0));
            }
        } else if (ch->meter) {
            if (ch->added) {
                hmap_remove(&sw->meters, &ch->meter->hmap_node);
                free(ch->meter->mc.bands);
                free(ch->meter);
            } else {
                hmap_insert(&sw->meters, &ch->meter->hmap_node,
                            hash_int(ch->meter->mc.meter_id, 0));
            }
        }
        free(ch);
    }
}

/* Messages. */

static void
send_msg(struct emu_conn *c, struct ofpbuf *msg)
{
    rconn_send(c->rconn, msg, NULL);
}

static void
send_replies(struct emu_conn *c, struct ovs_list *replies)
{
    struct ofpbuf *msg;

    LIST_FOR_EACH_POP (msg, list_node, replies) {
        send_msg(c, msg);
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
                error = apply_flow_mod(sw, &fm, log);
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
                error = apply_group_mod(sw, &gm, log);
            }
            ofputil_uninit_group_mod(&gm);
        }
        break;
    }
    case OFPTYPE_METER_MOD: {
        struct ofputil_meter_mod mm;
        error = ofputil_decode_meter_mod(oh, &mm, &ofpacts);
        if (!error && !dry_run) {
            error = apply_meter_mod(sw, &mm, log);
        }
        break;
    }
    case OFPTYPE_PACKET_OUT: {
        /* No datapath: a valid packet goes nowhere. */
        struct ofputil_packet_out po;
        error = ofputil_decode_packet_out(&po, oh, NULL, &ofpacts);
        if (!error) {
            error = check_ofpacts(sw, po.ofpacts, po.ofpacts_len);
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
            send_msg(c, ofperr_encode_reply(error, msg->data));
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
        send_msg(c, ofputil_encode_bundle_ctrl_reply(oh, &reply));
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
                        send_msg(o, ofputil_encode_role_status(&rs,
                                                               o->protocol));
                    }
                }
            }
        }
        c->role = rq.role;
    }
    reply.role = c->role;
    reply.have_generation_id = sw->election_id_defined;
    reply.generation_id = sw->election_id;
    send_msg(c, ofputil_encode_role_reply(oh, &reply));
    return 0;
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
            memset(&pp, 0, sizeof pp);
            pp.port_no = sw->ports[i].ofport;
            pp.hw_addr = sw->ports[i].mac;
            ovs_strlcpy(pp.name, sw->ports[i].name, sizeof pp.name);
            pp.state = OFPUTIL_PS_LIVE;
            ofputil_put_switch_features_port(&pp, b);
        }
    }
    send_msg(c, b);
    return 0;
}

static enum ofperr
handle_port_desc_request(struct emu_conn *c, const struct ofp_header *oh)
{
    struct emu_switch *sw = c->sw;
    ofp_port_t which;
    enum ofperr error = ofputil_decode_port_desc_stats_request(oh, &which);
    struct ovs_list replies;

    if (error) {
        return error;
    }
    ofpmp_init(&replies, oh);
    for (size_t i = 0; i < sw->n_ports; i++) {
        if (which == OFPP_ANY || which == sw->ports[i].ofport) {
            struct ofputil_phy_port pp;
            memset(&pp, 0, sizeof pp);
            pp.port_no = sw->ports[i].ofport;
            pp.hw_addr = sw->ports[i].mac;
            ovs_strlcpy(pp.name, sw->ports[i].name, sizeof pp.name);
            pp.state = OFPUTIL_PS_LIVE;
            ofputil_append_port_desc_stats_reply(&pp, &replies);
        }
    }
    send_replies(c, &replies);
    return 0;
}

static int
compare_flows_for_dump(const void *a_, const void *b_)
{
    const struct emu_flow *const *a = a_, *const *b = b_;

    if ((*a)->table_id != (*b)->table_id) {
        return (*a)->table_id < (*b)->table_id ? -1 : 1;
    }
    if ((*a)->cr.priority != (*b)->cr.priority) {
        return (*a)->cr.priority > (*b)->cr.priority ? -1 : 1;
    }
    return 0;
}

static enum ofperr
handle_flow_stats_request(struct emu_conn *c, const struct ofp_header *oh,
                          bool aggregate)
{
    struct emu_switch *sw = c->sw;
    struct ofputil_flow_stats_request fsr;
    enum ofperr error = ofputil_decode_flow_stats_request(&fsr, oh, NULL,
                                                          NULL);
    if (error) {
        return error;
    }
    if (fsr.table_id != 0xff && fsr.table_id >= EMU_N_TABLES) {
        return OFPERR_OFPBRC_BAD_TABLE_ID;
    }

    struct minimatch match;
    minimatch_init(&match, &fsr.match);
    size_t n = 0;
    const struct emu_flow **hits = xmalloc((hmap_count(&sw->flows) + 1)
                                           * sizeof *hits);
    const struct emu_flow *f;
    HMAP_FOR_EACH (f, hmap_node, &sw->flows) {
        if (flow_is_selected(f, fsr.table_id, &match, 0, false, fsr.cookie,
                             fsr.cookie_mask, fsr.out_port, fsr.out_group)) {
            hits[n++] = f;
        }
    }
    minimatch_destroy(&match);
    qsort(hits, n, sizeof *hits, compare_flows_for_dump);

    if (aggregate) {
        struct ofputil_aggregate_stats stats = { .flow_count = n };
        send_msg(c, ofputil_encode_aggregate_stats_reply(&stats, oh));
        free(hits);
        return 0;
    }

    struct ovs_list replies;
    long long int now = time_msec();
    ofpmp_init(&replies, oh);
    for (size_t i = 0; i < n; i++) {
        f = hits[i];
        long long int age = now - f->created;
        struct ofputil_flow_stats fs = {
            .cookie = f->cookie,
            .table_id = f->table_id,
            .priority = f->cr.priority,
            .idle_timeout = f->idle_timeout,
            .hard_timeout = f->hard_timeout,
            .duration_sec = age / 1000,
            .duration_nsec = (age % 1000) * 1000000,
            .idle_age = age / 1000,
            .hard_age = -1,
            .packet_count = 0,
            .byte_count = 0,
            .ofpacts = f->ofpacts,
            .ofpacts_len = f->ofpacts_len,
            .flags = f->flags,
            .importance = f->importance,
        };
        minimatch_expand(&f->cr.match, &fs.match);
        ofputil_append_flow_stats_reply(&fs, &replies, NULL);
    }
    free(hits);
    send_replies(c, &replies);
    return 0;
}

static int
compare_groups(const void *a_, const void *b_)
{
    const struct emu_group *const *a = a_, *const *b = b_;
    return (*a)->id < (*b)->id ? -1 : (*a)->id > (*b)->id;
}

static const struct emu_group **
sorted_groups(const struct emu_switch *sw, uint32_t which, size_t *n)
{
    const struct emu_group **gs = xmalloc((hmap_count(&sw->groups) + 1)
                                          * sizeof *gs);
    const struct emu_group *g;

    *n = 0;
    HMAP_FOR_EACH (g, hmap_node, &sw->groups) {
        if (which == OFPG_ALL || which == g->id) {
            gs[(*n)++] = g;
        }
    }
    qsort(gs, *n, sizeof *gs, compare_groups);
    return gs;
}

static enum ofperr
handle_group_desc_request(struct emu_conn *c, const struct ofp_header *oh)
{
    uint32_t which = ofputil_decode_group_desc_request(oh);
    struct ovs_list replies;
    size_t n;
    const struct emu_group **gs = sorted_groups(c->sw, which, &n);

    ofpmp_init(&replies, oh);
    for (size_t i = 0; i < n; i++) {
        struct ofputil_group_desc gd = {
            .type = gs[i]->type,
            .group_id = gs[i]->id,
            .props = gs[i]->props,
        };
        ofputil_append_group_desc_reply(&gd, &gs[i]->buckets, &replies);
    }
    free(gs);
    send_replies(c, &replies);
    return 0;
}

static enum ofperr
handle_group_stats_request(struct emu_conn *c, const struct ofp_header *oh)
{
    uint32_t which;
    enum ofperr error = ofputil_decode_group_stats_request(oh, &which);
    if (error) {
        return error;
    }

    struct ovs_list replies;
    size_t n;
    const struct emu_group **gs = sorted_groups(c->sw, which, &n);
    long long int now = time_msec();
    ofpmp_init(&replies, oh);
    for (size_t i = 0; i < n; i++) {
        size_t n_buckets = ovs_list_size(&gs[i]->buckets);
        struct ofputil_group_stats gs_ = {
            .group_id = gs[i]->id,
            .duration_sec = (now - gs[i]->created) / 1000,
            .duration_nsec = ((now - gs[i]->created) % 1000) * 1000000,
            .n_buckets = n_buckets,
            .bucket_stats = xcalloc(n_buckets + 1,
                                    sizeof *gs_.bucket_stats),
        };
        ofputil_append_group_stats(&replies, &gs_);
        free(gs_.bucket_stats);
    }
    free(gs);
    send_replies(c, &replies);
    return 0;
}

static enum ofperr
handle_meter_config_request(struct emu_conn *c, const struct ofp_header *oh)
{
    uint32_t which;
    struct ovs_list replies;
    const struct emu_meter *m;

    ofputil_decode_meter_request(oh, &which);
    ofpmp_init(&replies, oh);
    HMAP_FOR_EACH (m, hmap_node, &c->sw->meters) {
        if (which == OFPM13_ALL || which == m->mc.meter_id) {
            ofputil_append_meter_config(&replies, &m->mc);
        }
    }
    send_replies(c, &replies);
    return 0;
}

static enum ofperr
handle_flow_monitor_request(struct emu_conn *c, const struct ofp_header *oh)
{
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));
    struct ovs_list replies;

    for (;;) {
        struct ofputil_flow_monitor_request rq;
        int retval = ofputil_decode_flow_monitor_request(&rq, &b);
        if (retval == EOF) {
            break;
        } else if (retval) {
            return retval;
        }
        if (rq.table_id != 0xff && rq.table_id >= EMU_N_TABLES) {
            return OFPERR_OFPBRC_BAD_TABLE_ID;
        }
        if (rq.command == OFPFMC_DELETE) {
            c->monitoring = false;
        } else {
            c->monitoring = true;
        }
    }
    /* No initial flows asked for by our controllers: an empty reply. */
    ofpmp_init(&replies, oh);
    send_replies(c, &replies);
    return 0;
}

/* Returns the features of table 'table_id', as ofproto reports them for
 * a bridge whose tables have no names or limits. */
static const struct ofputil_table_features *
table_features(uint8_t table_id)
{
    static struct ofputil_table_features *features;

    if (!features) {
        struct mf_bitmap rw_fields = oxm_writable_fields();
        features = xcalloc(EMU_TBL_INTERNAL, sizeof *features);
        for (int i = 0; i < EMU_TBL_INTERNAL; i++) {
            struct ofputil_table_features *f = &features[i];

            f->table_id = i;
            f->metadata_match = OVS_BE64_MAX;
            f->metadata_write = OVS_BE64_MAX;
            f->miss_config = OFPUTIL_TABLE_MISS_DEFAULT;
            f->max_entries = 1000000;
            f->supports_eviction = -1;
            f->supports_vacancy_events = -1;
            f->any_properties = true;
            for (int j = i + 1; j < EMU_TBL_INTERNAL; j++) {
                bitmap_set1(f->nonmiss.next, j);
            }
            f->nonmiss.instructions = (1u << N_OVS_INSTRUCTIONS) - 1;
            if (i == EMU_TBL_INTERNAL - 1) {
                f->nonmiss.instructions
                    &= ~(1u << OVSINST_OFPIT11_GOTO_TABLE);
            }
            f->nonmiss.write.ofpacts = (UINT64_C(1) << N_OFPACTS) - 1;
            f->nonmiss.write.set_fields = rw_fields;
            f->nonmiss.apply = f->nonmiss.write;
            f->miss = f->nonmiss;
            f->match = oxm_matchable_fields();
            f->mask = oxm_maskable_fields();
            f->wildcard = f->match;
        }
    }
    return &features[table_id];
}

static enum ofperr
handle_table_features_request(struct emu_conn *c, const struct ofp_header *oh)
{
    struct ofpbuf msg = ofpbuf_const_initializer(oh, ntohs(oh->length));
    struct ovs_list replies;

    ofpraw_pull_assert(&msg);
    if (msg.size) {
        /* Changing table features: OVS accepts only what it has, which no
         * controller of ours asks for. */
        return OFPERR_OFPTFFC_EPERM;
    }
    ofpmp_init(&replies, oh);
    for (int i = 0; i < EMU_TBL_INTERNAL; i++) {
        ofputil_append_table_features(table_features(i), NULL, &replies);
    }
    send_replies(c, &replies);
    return 0;
}

static enum ofperr
handle_table_stats_request(struct emu_conn *c, const struct ofp_header *oh)
{
    struct ofpbuf *reply = ofputil_encode_table_stats_reply(oh);
    size_t *counts = xcalloc(EMU_N_TABLES, sizeof *counts);
    const struct emu_flow *f;

    HMAP_FOR_EACH (f, hmap_node, &c->sw->flows) {
        counts[f->table_id]++;
    }
    for (int i = 0; i < EMU_TBL_INTERNAL; i++) {
        struct ofputil_table_stats stats = {
            .table_id = i,
            .active_count = counts[i],
        };
        ofputil_append_table_stats_reply(reply, &stats, table_features(i));
    }
    free(counts);
    send_msg(c, reply);
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
        send_msg(c, ofputil_encode_echo_reply(oh));
        return 0;
    case OFPTYPE_FEATURES_REQUEST:
        return handle_features_request(c, oh);
    case OFPTYPE_GET_CONFIG_REQUEST: {
        struct ofputil_switch_config config = {
            .frag = OFPUTIL_FRAG_NORMAL,
            .invalid_ttl_to_controller = -1,
            .miss_send_len = OFP_DEFAULT_MISS_SEND_LEN,
        };
        send_msg(c, ofputil_encode_get_config_reply(oh, &config));
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
        send_msg(c, ofpraw_alloc_reply(oh->version == OFP10_VERSION
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
        return handle_flow_stats_request(c, oh, false);
    case OFPTYPE_AGGREGATE_STATS_REQUEST:
        return handle_flow_stats_request(c, oh, true);
    case OFPTYPE_TABLE_STATS_REQUEST:
        return handle_table_stats_request(c, oh);
    case OFPTYPE_TABLE_FEATURES_STATS_REQUEST:
        return handle_table_features_request(c, oh);
    case OFPTYPE_PORT_DESC_STATS_REQUEST:
        return handle_port_desc_request(c, oh);
    case OFPTYPE_GROUP_DESC_STATS_REQUEST:
        return handle_group_desc_request(c, oh);
    case OFPTYPE_GROUP_STATS_REQUEST:
        return handle_group_stats_request(c, oh);
    case OFPTYPE_METER_CONFIG_STATS_REQUEST:
        return handle_meter_config_request(c, oh);
    case OFPTYPE_FLOW_MONITOR_STATS_REQUEST:
        return handle_flow_monitor_request(c, oh);
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
            send_msg(c, ofperr_encode_reply(error, oh));
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
