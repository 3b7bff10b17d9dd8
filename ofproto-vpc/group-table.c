/* A set of OpenFlow groups keyed by group ID.  See group-table.h. */
#include <config.h>
#include "group-table.h"

#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "hash.h"
#include "openflow/openflow-1.1.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-group.h"
#include "openvswitch/ofp-port.h"
#include "util.h"

/* Initializes 'table' as empty. */
void
vpc_group_table_init(struct vpc_group_table *table)
{
    hmap_init(&table->groups);
}

static void
group_free(struct vpc_group *g)
{
    ofputil_bucket_list_destroy(&g->buckets);
    free(g->desc);
    free(g);
}

/* Removes every group from 'table'. */
void
vpc_group_table_clear(struct vpc_group_table *table)
{
    struct vpc_group *g;

    HMAP_FOR_EACH_POP (g, hmap_node, &table->groups) {
        group_free(g);
    }
}

/* Frees 'table' and its groups. */
void
vpc_group_table_destroy(struct vpc_group_table *table)
{
    if (table) {
        vpc_group_table_clear(table);
        hmap_destroy(&table->groups);
    }
}

size_t
vpc_group_table_count(const struct vpc_group_table *table)
{
    return hmap_count(&table->groups);
}

/* Returns the group with 'id' in 'table', or NULL. */
struct vpc_group *
vpc_group_table_find(const struct vpc_group_table *table, uint32_t id)
{
    struct vpc_group *g;

    HMAP_FOR_EACH_WITH_HASH (g, hmap_node, hash_int(id, 0), &table->groups) {
        if (g->id == id) {
            return g;
        }
    }
    return NULL;
}

/* Adds an empty group 'id' of 'type' to 'table' and returns it for the
 * caller to add buckets to and finish.  A group already there with 'id' is
 * replaced. */
struct vpc_group *
vpc_group_table_add(struct vpc_group_table *table, uint32_t id, uint8_t type)
{
    struct vpc_group *old = vpc_group_table_find(table, id);
    if (old) {
        vpc_group_table_remove(table, old);
    }

    struct vpc_group *g = xzalloc(sizeof *g);
    g->id = id;
    g->type = type;
    ovs_list_init(&g->buckets);
    hmap_insert(&table->groups, &g->hmap_node, hash_int(id, 0));
    return g;
}

/* Appends a bucket that is live while 'watch_port' is (OFPP_ANY: no
 * liveness, for group types other than fast failover) and executes
 * 'ofpacts' (none: drop). */
void
vpc_group_add_bucket(struct vpc_group *g, ofp_port_t watch_port,
                     const struct ofpact *ofpacts, size_t ofpacts_len)
{
    struct ofputil_bucket *b = xzalloc(sizeof *b);

    b->weight = 0;              /* Only "select" groups weigh buckets. */
    b->watch_port = watch_port;
    b->watch_group = OFPG_ANY;
    b->bucket_id = ovs_list_size(&g->buckets);
    b->ofpacts = ofpacts_len ? xmemdup(ofpacts, ofpacts_len) : NULL;
    b->ofpacts_len = ofpacts_len;
    ovs_list_push_back(&g->buckets, &b->list_node);
}

/* Computes the canonical text of 'g'; call after its last bucket. */
void
vpc_group_finish(struct vpc_group *g)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    const struct ofputil_bucket *b;

    ds_put_format(&s, "group_id=%"PRIu32",type=%s", g->id,
                  g->type == OFPGT11_FF ? "fast_failover"
                  : g->type == OFPGT11_ALL ? "all"
                  : g->type == OFPGT11_SELECT ? "select" : "indirect");
    LIST_FOR_EACH (b, list_node, &g->buckets) {
        ds_put_cstr(&s, ",bucket=");
        if (b->watch_port != OFPP_ANY) {
            ds_put_format(&s, "watch_port:%"PRIu32",",
                          ofp_to_u16(b->watch_port));
        }
        ds_put_cstr(&s, "actions=");
        if (b->ofpacts_len) {
            struct ofpact_format_params fp = { .s = &s };
            ofpacts_format(b->ofpacts, b->ofpacts_len, &fp);
        } else {
            ds_put_cstr(&s, "drop");
        }
    }
    free(g->desc);
    g->desc = ds_steal_cstr(&s);
}

void
vpc_group_table_remove(struct vpc_group_table *table, struct vpc_group *g)
{
    hmap_remove(&table->groups, &g->hmap_node);
    group_free(g);
}

void
vpc_group_table_swap(struct vpc_group_table *a, struct vpc_group_table *b)
{
    hmap_swap(&a->groups, &b->groups);
}

/* True if 'a' and 'b' (both finished) are the same group. */
bool
vpc_group_equal(const struct vpc_group *a, const struct vpc_group *b)
{
    return a->id == b->id && !strcmp(a->desc, b->desc);
}

static int
compare_groups(const void *a_, const void *b_)
{
    const struct vpc_group *const *a = a_;
    const struct vpc_group *const *b = b_;
    return (*a)->id < (*b)->id ? -1 : (*a)->id > (*b)->id;
}

/* Appends 'table' to 's', one group per line, in group ID order. */
void
vpc_group_table_format(const struct vpc_group_table *table, struct ds *s)
{
    size_t n = hmap_count(&table->groups), i = 0;
    const struct vpc_group **groups = xmalloc((n + 1) * sizeof *groups);
    const struct vpc_group *g;

    HMAP_FOR_EACH (g, hmap_node, &table->groups) {
        groups[i++] = g;
    }
    qsort(groups, n, sizeof *groups, compare_groups);
    for (i = 0; i < n; i++) {
        ds_put_format(s, "%s\n", groups[i]->desc);
    }
    free(groups);
}
