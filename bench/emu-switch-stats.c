/* An emulated switch's multipart replies: what it reports of its ports,
 * flows, groups, meters and tables, and its flow monitors.  See
 * emu-switch.h. */
#include <config.h>
#include "emu-switch-private.h"

#include <errno.h>
#include <string.h>

#include "nx-match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-bundle.h"
#include "openvswitch/ofp-monitor.h"
#include "openvswitch/ofp-table.h"
#include "openvswitch/vlog.h"

VLOG_DEFINE_THIS_MODULE(emu_switch_stats);

enum ofperr
emu_handle_port_desc_request(struct emu_conn *c, const struct ofp_header *oh)
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
            emu_port_describe(&sw->ports[i], &pp);
            ofputil_append_port_desc_stats_reply(&pp, &replies);
        }
    }
    emu_conn_send_replies(c, &replies);
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

enum ofperr
emu_handle_flow_stats_request(struct emu_conn *c, const struct ofp_header *oh,
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
    const struct emu_flow **hits = xmalloc((hmap_count(&sw->table.flows) + 1)
                                           * sizeof *hits);
    const struct emu_flow *f;
    HMAP_FOR_EACH (f, hmap_node, &sw->table.flows) {
        if (emu_flow_is_selected(f, fsr.table_id, &match, 0, false,
                                 fsr.cookie, fsr.cookie_mask, fsr.out_port,
                                 fsr.out_group)) {
            hits[n++] = f;
        }
    }
    minimatch_destroy(&match);
    qsort(hits, n, sizeof *hits, compare_flows_for_dump);

    if (aggregate) {
        struct ofputil_aggregate_stats stats = { .flow_count = n };
        emu_conn_send(c, ofputil_encode_aggregate_stats_reply(&stats, oh));
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
    emu_conn_send_replies(c, &replies);
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
    const struct emu_group **gs = xmalloc((hmap_count(&sw->table.groups) + 1)
                                          * sizeof *gs);
    const struct emu_group *g;

    *n = 0;
    HMAP_FOR_EACH (g, hmap_node, &sw->table.groups) {
        if (which == OFPG_ALL || which == g->id) {
            gs[(*n)++] = g;
        }
    }
    qsort(gs, *n, sizeof *gs, compare_groups);
    return gs;
}

enum ofperr
emu_handle_group_desc_request(struct emu_conn *c, const struct ofp_header *oh)
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
    emu_conn_send_replies(c, &replies);
    return 0;
}

enum ofperr
emu_handle_group_stats_request(struct emu_conn *c, const struct ofp_header *oh)
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
    emu_conn_send_replies(c, &replies);
    return 0;
}

static void
append_meter_config(struct ovs_list *replies, const struct emu_meter *m)
{
    ofputil_append_meter_config(replies, &m->mc);
}

/* Meter statistics as ofproto gives them: every meter with its bands,
 * counters at 0 (no packets pass an emulated switch). */
static void
append_meter_stats(struct ovs_list *replies, const struct emu_meter *m)
{
    struct ofputil_meter_band_stats *bands
        = xcalloc(m->mc.n_bands + 1, sizeof *bands);
    struct ofputil_meter_stats ms = {
        .meter_id = m->mc.meter_id,
        .n_bands = m->mc.n_bands,
        .bands = bands,
    };
    ofputil_append_meter_stats(replies, &ms);
    free(bands);
}

/* Answers meter request 'oh' (configurations or statistics) with what
 * 'append' makes of each meter it asks for. */
static enum ofperr
handle_meter_request(struct emu_conn *c, const struct ofp_header *oh,
                     void (*append)(struct ovs_list *,
                                    const struct emu_meter *))
{
    uint32_t which;
    struct ovs_list replies;
    const struct emu_meter *m;

    ofputil_decode_meter_request(oh, &which);
    ofpmp_init(&replies, oh);
    HMAP_FOR_EACH (m, hmap_node, &c->sw->table.meters) {
        if (which == OFPM13_ALL || which == m->mc.meter_id) {
            append(&replies, m);
        }
    }
    emu_conn_send_replies(c, &replies);
    return 0;
}

enum ofperr
emu_handle_flow_monitor_request(struct emu_conn *c,
                                const struct ofp_header *oh)
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
        if (rq.command == OFPFMC_DELETE) {
            /* A cancel: it names no table (what the decoder leaves in
             * 'rq.table_id' is not to be read). */
            if (!c->monitoring) {
                return OFPERR_OFPMOFC_UNKNOWN_MONITOR;
            }
            c->monitoring = false;
            continue;
        }
        if (rq.table_id != 0xff && rq.table_id >= EMU_N_TABLES) {
            return OFPERR_OFPBRC_BAD_TABLE_ID;
        }
        c->monitoring = true;
    }
    /* No initial flows asked for by our controllers: an empty reply. */
    ofpmp_init(&replies, oh);
    emu_conn_send_replies(c, &replies);
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

enum ofperr
emu_handle_table_features_request(struct emu_conn *c,
                                  const struct ofp_header *oh)
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
    emu_conn_send_replies(c, &replies);
    return 0;
}

enum ofperr
emu_handle_table_stats_request(struct emu_conn *c, const struct ofp_header *oh)
{
    struct ofpbuf *reply = ofputil_encode_table_stats_reply(oh);
    size_t *counts = xcalloc(EMU_N_TABLES, sizeof *counts);
    const struct emu_flow *f;

    HMAP_FOR_EACH (f, hmap_node, &c->sw->table.flows) {
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
    emu_conn_send(c, reply);
    return 0;
}

enum ofperr
emu_handle_meter_config_request(struct emu_conn *c,
                                const struct ofp_header *oh)
{
    return handle_meter_request(c, oh, append_meter_config);
}

enum ofperr
emu_handle_meter_stats_request(struct emu_conn *c, const struct ofp_header *oh)
{
    return handle_meter_request(c, oh, append_meter_stats);
}
