/* The tables of an emulated switch.  See emu-table.h. */
#include <config.h>
#include "emu-table.h"

#include "coverage.h"
#include "hash.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "timeval.h"
#include "util.h"

COVERAGE_DEFINE(emu_flow_mod);
COVERAGE_DEFINE(emu_group_mod);

static void flow_free(struct emu_flow *);
static void group_free(struct emu_group *);

/* Initializes 't' empty. */
void
emu_table_init(struct emu_table *t)
{
    hmap_init(&t->flows);
    hmap_init(&t->groups);
    hmap_init(&t->meters);
}

/* Frees what 't' holds. */
void
emu_table_destroy(struct emu_table *t)
{
    struct emu_flow *f;
    HMAP_FOR_EACH_POP (f, hmap_node, &t->flows) {
        flow_free(f);
    }
    hmap_destroy(&t->flows);
    struct emu_group *g;
    HMAP_FOR_EACH_POP (g, hmap_node, &t->groups) {
        group_free(g);
    }
    hmap_destroy(&t->groups);
    struct emu_meter *m;
    HMAP_FOR_EACH_POP (m, hmap_node, &t->meters) {
        free(m->mc.bands);
        free(m);
    }
    hmap_destroy(&t->meters);
}

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
flow_find_exact(const struct emu_table *t, uint8_t table_id,
                const struct cls_rule *cr)
{
    struct emu_flow *f;

    HMAP_FOR_EACH_WITH_HASH (f, hmap_node, emu_flow_hash(table_id, cr),
                             &t->flows) {
        if (f->table_id == table_id && cls_rule_equal(&f->cr, cr)) {
            return f;
        }
    }
    return NULL;
}

static struct emu_group *
group_find(const struct emu_table *t, uint32_t id)
{
    struct emu_group *g;

    HMAP_FOR_EACH_WITH_HASH (g, hmap_node, hash_int(id, 0), &t->groups) {
        if (g->id == id) {
            return g;
        }
    }
    return NULL;
}

static struct emu_meter *
meter_find(const struct emu_table *t, uint32_t id)
{
    struct emu_meter *m;

    HMAP_FOR_EACH_WITH_HASH (m, hmap_node, hash_int(id, 0), &t->meters) {
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
flow_insert(struct emu_table *t, struct emu_flow *f, struct ovs_list *log)
{
    hmap_insert(&t->flows, &f->hmap_node, emu_flow_hash(f->table_id, &f->cr));
    log_change(log, true, f, NULL, NULL);
}

static void
flow_remove(struct emu_table *t, struct emu_flow *f, struct ovs_list *log)
{
    hmap_remove(&t->flows, &f->hmap_node);
    log_change(log, false, f, NULL, NULL);
}

/* Checks what ofproto checks of actions against the table's state: the
 * meters and groups they name must exist. */
enum ofperr
emu_table_check_ofpacts(const struct emu_table *t,
                        const struct ofpact *ofpacts, size_t ofpacts_len)
{
    const struct ofpact *a;

    OFPACT_FOR_EACH_FLATTENED (a, ofpacts, ofpacts_len) {
        if (a->type == OFPACT_METER
            && !meter_find(t, ofpact_get_METER(a)->meter_id)) {
            return OFPERR_OFPMMFC_INVALID_METER;
        }
        if (a->type == OFPACT_GROUP
            && !group_find(t, ofpact_get_GROUP(a)->group_id)) {
            return OFPERR_OFPBAC_BAD_OUT_GROUP;
        }
    }
    return 0;
}

/* Does 'f' meet the criteria of a request: in 'table_id' (or 0xff for
 * any), matching 'match' (exactly with 'priority' if 'strict', else every
 * flow at least as specific), with the cookie bits in 'cookie_mask' of
 * 'cookie', sending to 'out_port' and 'out_group' (unless "any")? */
bool
emu_flow_is_selected(const struct emu_flow *f, uint8_t table_id,
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
flow_modify(struct emu_table *t, struct emu_flow *old,
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
    flow_remove(t, old, log);
    flow_insert(t, f, log);
}

static enum ofperr
flow_mod_add(struct emu_table *t, const struct ofputil_flow_mod *fm,
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
    enum ofperr error = emu_table_check_ofpacts(t, fm->ofpacts,
                                                fm->ofpacts_len);
    if (error) {
        return error;
    }
    if (fm->buffer_id != UINT32_MAX) {
        return OFPERR_OFPBRC_BUFFER_UNKNOWN;
    }

    struct emu_flow *f = flow_from_mod(fm, table_id);
    if (fm->flags & OFPUTIL_FF_CHECK_OVERLAP) {
        struct emu_flow *o;
        HMAP_FOR_EACH (o, hmap_node, &t->flows) {
            if (o->table_id == table_id && o->cr.priority == fm->priority
                && cls_rule_is_loose_match(&o->cr, &fm->match)
                && !cls_rule_equal(&o->cr, &f->cr)) {
                flow_free(f);
                return OFPERR_OFPFMFC_OVERLAP;
            }
        }
    }
    struct emu_flow *old = flow_find_exact(t, table_id, &f->cr);
    if (old) {
        if (!(fm->flags & OFPUTIL_FF_RESET_COUNTS)) {
            f->created = old->created;
        }
        flow_remove(t, old, log);
    }
    flow_insert(t, f, log);
    return 0;
}

static enum ofperr
flow_mod_modify(struct emu_table *t, const struct ofputil_flow_mod *fm,
                bool strict, struct ovs_list *log)
{
    if (fm->table_id >= EMU_N_TABLES && fm->table_id != 0xff) {
        return OFPERR_OFPBRC_BAD_TABLE_ID;
    }
    enum ofperr error = emu_table_check_ofpacts(t, fm->ofpacts,
                                                fm->ofpacts_len);
    if (error) {
        return error;
    }
    if (fm->buffer_id != UINT32_MAX) {
        return OFPERR_OFPBRC_BUFFER_UNKNOWN;
    }

    struct emu_flow **hits = NULL;
    size_t n = 0, allocated = 0;
    struct emu_flow *f;
    HMAP_FOR_EACH (f, hmap_node, &t->flows) {
        if (emu_flow_is_selected(f, fm->table_id, &fm->match, fm->priority,
                                 strict, fm->cookie, fm->cookie_mask,
                                 OFPP_ANY, OFPG_ANY)) {
            if (n >= allocated) {
                hits = x2nrealloc(hits, &allocated, sizeof *hits);
            }
            hits[n++] = f;
        }
    }
    for (size_t i = 0; i < n; i++) {
        flow_modify(t, hits[i], fm, log);
    }
    free(hits);

    if (!n && fm->new_cookie != OVS_BE64_MAX && fm->cookie_mask == 0) {
        /* OpenFlow 1.0's modify adds the flow it does not find. */
        return flow_mod_add(t, fm, log);
    }
    return 0;
}

static void
delete_selected(struct emu_table *t, uint8_t table_id,
                const struct minimatch *match, int priority, bool strict,
                ovs_be64 cookie, ovs_be64 cookie_mask, ofp_port_t out_port,
                uint32_t out_group, struct ovs_list *log)
{
    struct emu_flow *f;

    HMAP_FOR_EACH_SAFE (f, hmap_node, &t->flows) {
        if (emu_flow_is_selected(f, table_id, match, priority, strict,
                                 cookie, cookie_mask, out_port, out_group)) {
            flow_remove(t, f, log);
        }
    }
}

static enum ofperr
flow_mod_delete(struct emu_table *t, const struct ofputil_flow_mod *fm,
                bool strict, struct ovs_list *log)
{
    if (fm->table_id >= EMU_N_TABLES && fm->table_id != 0xff) {
        return OFPERR_OFPBRC_BAD_TABLE_ID;
    }
    delete_selected(t, fm->table_id, &fm->match, fm->priority, strict,
                    fm->cookie, fm->cookie_mask, fm->out_port, fm->out_group,
                    log);
    return 0;
}

/* Applies flow mod 'fm' to 't', recording what it changed in 'log'.
 * Returns 0 or the error ofproto would give. */
enum ofperr
emu_table_flow_mod(struct emu_table *t, const struct ofputil_flow_mod *fm,
               struct ovs_list *log)
{
    COVERAGE_INC(emu_flow_mod);
    switch (fm->command) {
    case OFPFC_ADD:
        return flow_mod_add(t, fm, log);
    case OFPFC_MODIFY:
        return flow_mod_modify(t, fm, false, log);
    case OFPFC_MODIFY_STRICT:
        return flow_mod_modify(t, fm, true, log);
    case OFPFC_DELETE:
        return flow_mod_delete(t, fm, false, log);
    case OFPFC_DELETE_STRICT:
        return flow_mod_delete(t, fm, true, log);
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
group_insert(struct emu_table *t, struct emu_group *g, struct ovs_list *log)
{
    hmap_insert(&t->groups, &g->hmap_node, hash_int(g->id, 0));
    log_change(log, true, NULL, g, NULL);
}

static void
group_remove(struct emu_table *t, struct emu_group *g, struct ovs_list *log)
{
    /* As in ofproto, the flows that send to a group go with it. */
    struct minimatch all;
    struct match catchall;
    match_init_catchall(&catchall);
    minimatch_init(&all, &catchall);
    delete_selected(t, 0xff, &all, 0, false, 0, 0, OFPP_ANY, g->id, log);
    minimatch_destroy(&all);

    hmap_remove(&t->groups, &g->hmap_node);
    log_change(log, false, NULL, g, NULL);
}

static enum ofperr
check_group(const struct emu_table *t, const struct ofputil_group_mod *gm,
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
        enum ofperr error = emu_table_check_ofpacts(t, b->ofpacts,
                                                    b->ofpacts_len);
        if (error) {
            return error == OFPERR_OFPBAC_BAD_OUT_GROUP
                   ? OFPERR_OFPGMFC_CHAINING_UNSUPPORTED : error;
        }
    }
    return 0;
}

/* Applies group mod 'gm' to 't', as emu_table_flow_mod(). */
enum ofperr
emu_table_group_mod(struct emu_table *t, const struct ofputil_group_mod *gm,
                struct ovs_list *log)
{
    struct emu_group *g = group_find(t, gm->group_id);
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
        error = check_group(t, gm, &gm->buckets);
        if (error) {
            return error;
        }
        if (g) {
            hmap_remove(&t->groups, &g->hmap_node);
            log_change(log, false, NULL, g, NULL);
        }
        group_insert(t, group_create(gm, &gm->buckets), log);
        return 0;

    case OFPGC11_DELETE:
        if (gm->group_id == OFPG_ALL) {
            struct emu_group *next;
            HMAP_FOR_EACH_SAFE (g, next, hmap_node, &t->groups) {
                group_remove(t, g, log);
            }
        } else if (g) {
            group_remove(t, g, log);
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
        hmap_remove(&t->groups, &g->hmap_node);
        log_change(log, false, NULL, g, NULL);
        group_insert(t, ng, log);
        return 0;
    }

    default:
        return OFPERR_OFPGMFC_BAD_COMMAND;
    }
}

/* Applies meter mod 'mm' to 't', as emu_table_flow_mod(). */
enum ofperr
emu_table_meter_mod(struct emu_table *t, const struct ofputil_meter_mod *mm,
                struct ovs_list *log)
{
    uint32_t id = mm->meter.meter_id;
    struct emu_meter *m = meter_find(t, id);

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
            hmap_remove(&t->meters, &m->hmap_node);
            log_change(log, false, NULL, NULL, m);
        }
        m = xzalloc(sizeof *m);
        m->mc = mm->meter;
        m->mc.bands = xmemdup(mm->meter.bands,
                              mm->meter.n_bands * sizeof *mm->meter.bands);
        hmap_insert(&t->meters, &m->hmap_node, hash_int(id, 0));
        log_change(log, true, NULL, NULL, m);
        return 0;

    case OFPMC13_DELETE: {
        struct emu_meter *next;
        HMAP_FOR_EACH_SAFE (m, next, hmap_node, &t->meters) {
            if (id == OFPM13_ALL || m->mc.meter_id == id) {
                hmap_remove(&t->meters, &m->hmap_node);
                log_change(log, false, NULL, NULL, m);
            }
        }
        return 0;
    }

    default:
        return OFPERR_OFPMMFC_BAD_COMMAND;
    }
}

/* Ends a change recorded in 'log': frees what it removed ('ok') or puts
 * 't' back as it was. */
void
emu_table_finish(struct emu_table *t, struct ovs_list *log, bool ok)
{
    struct emu_change *ch;

    if (ok) {
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
                hmap_remove(&t->flows, &ch->flow->hmap_node);
                flow_free(ch->flow);
            } else {
                hmap_insert(&t->flows, &ch->flow->hmap_node,
                            emu_flow_hash(ch->flow->table_id, &ch->flow->cr));
            }
        } else if (ch->group) {
            if (ch->added) {
                hmap_remove(&t->groups, &ch->group->hmap_node);
                group_free(ch->group);
            } else {
                hmap_insert(&t->groups, &ch->group->hmap_node,
                            hash_int(ch->group->id, 0));
            }
        } else if (ch->meter) {
            if (ch->added) {
                hmap_remove(&t->meters, &ch->meter->hmap_node);
                free(ch->meter->mc.bands);
                free(ch->meter);
            } else {
                hmap_insert(&t->meters, &ch->meter->hmap_node,
                            hash_int(ch->meter->mc.meter_id, 0));
            }
        }
        free(ch);
    }
}

