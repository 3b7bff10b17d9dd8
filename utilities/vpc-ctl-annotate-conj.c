/* vpc-ctl annotate: the rules behind a conjunction flow that VPCs share.
 *
 * vpc-controller gives rules whose conjunctions have one shape (ofproto-
 * vpc's pl_sg_conj_shape()) one conjunction ID, in any VPC: the hash of the
 * shape (see vpc-controller's model-conj.h).  Its "conj_id=ID" flow has
 * no row of its own, so to name the rules behind it this numbers the rules
 * of every VPC of the database the way the controller does.  (Two shapes
 * whose hashes collide, a rare event, get IDs that depend on the order
 * the controller met them: then the rules of one are not found.) */
#include <config.h>

#include "vpc-ctl-annotate-conj.h"
#include "vpc-ctl-annotate.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "ovsdb-idl.h"
#include "stage-sg.h"
#include "util.h"
#include "uuid.h"
#include "vpc-flowlog.h"
#include "vpc-idl.h"
#include "vpc-pipeline.h"
#include "vpc-sg.h"

struct conj_node {
    struct hmap_node hmap_node;     /* By hash_int(id). */
    uint32_t id;
    struct ds what;                 /* The rules, "; "-joined. */
    void *key;                      /* The shape of the first of them. */
    size_t key_len;
    bool ambiguous;                 /* Do shapes with another key hash to
                                     * 'id' too? */
};

/* The rows of one VPC, or of one group, found in one pass over each
 * table. */
struct bucket {
    struct hmap_node hmap_node;     /* By hash_pointer(owner). */
    const void *owner;              /* A VPC's or a group's row. */
    const void **rows;              /* Groups, or rules. */
    size_t n_rows, allocated_rows;
    size_t n_flow_logs;             /* A VPC's, that the controller takes. */
};

/* What pl_sg_number() needs to say whose shapes it finds. */
struct numbering {
    struct hmap *map;
    const struct vpcrec_security_group **groups;
    const struct vpcrec_security_group_rule ***rows;    /* Per group. */
    size_t n_groups;
    const struct vpc_pl_vpc *pl;
    const char *vpc_name;
};

static int
compare_uuids(const struct uuid *a, const struct uuid *b)
{
    return uuid_compare_3way(a, b);
}

static int
compare_groups(const void *a_, const void *b_)
{
    const struct vpcrec_security_group *const *a = a_;
    const struct vpcrec_security_group *const *b = b_;
    return compare_uuids(&(*a)->header_.uuid, &(*b)->header_.uuid);
}

static int
compare_rules(const void *a_, const void *b_)
{
    const struct vpcrec_security_group_rule *const *a = a_;
    const struct vpcrec_security_group_rule *const *b = b_;
    return compare_uuids(&(*a)->header_.uuid, &(*b)->header_.uuid);
}

static struct bucket *
bucket_get(struct hmap *buckets, const void *owner)
{
    struct bucket *b;

    HMAP_FOR_EACH_WITH_HASH (b, hmap_node, hash_pointer(owner, 0), buckets) {
        if (b->owner == owner) {
            return b;
        }
    }
    b = xzalloc(sizeof *b);
    b->owner = owner;
    hmap_insert(buckets, &b->hmap_node, hash_pointer(owner, 0));
    return b;
}

static void
bucket_add(struct hmap *buckets, const void *owner, const void *row)
{
    struct bucket *b = bucket_get(buckets, owner);
    if (b->n_rows >= b->allocated_rows) {
        b->rows = x2nrealloc(b->rows, &b->allocated_rows, sizeof *b->rows);
    }
    b->rows[b->n_rows++] = row;
}

static void
buckets_destroy(struct hmap *buckets)
{
    struct bucket *b;

    HMAP_FOR_EACH_POP (b, hmap_node, buckets) {
        free(b->rows);
        free(b);
    }
    hmap_destroy(buckets);
}

/* The index of the group with 'uuid' in 'n->groups' (in UUID order), or
 * SIZE_MAX. */
static size_t
find_group(const struct uuid *uuid, const void *n_)
{
    const struct numbering *n = n_;
    size_t lo = 0, hi = n->n_groups;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = uuid_compare_3way(&n->groups[mid]->header_.uuid, uuid);
        if (!cmp) {
            return mid;
        } else if (cmp < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return SIZE_MAX;
}

static struct conj_node *
conj_node_get(struct hmap *map, uint32_t id, const void *key, size_t len)
{
    struct conj_node *node;

    HMAP_FOR_EACH_WITH_HASH (node, hmap_node, hash_int(id, 0), map) {
        if (node->id == id) {
            if (!node->ambiguous
                && (node->key_len != len || memcmp(node->key, key, len))) {
                /* The controller gives one of them the next free ID, the
                 * one it met second: which, this cannot tell. */
                struct ds what = DS_EMPTY_INITIALIZER;
                ds_put_format(&what, "(rules of shapes whose hashes "
                              "collide, only some of them) %s",
                              ds_cstr(&node->what));
                ds_swap(&what, &node->what);
                ds_destroy(&what);
                node->ambiguous = true;
            }
            return node;
        }
    }
    node = xzalloc(sizeof *node);
    node->id = id;
    ds_init(&node->what);
    node->key = xmemdup(key, len);
    node->key_len = len;
    hmap_insert(map, &node->hmap_node, hash_int(id, 0));
    return node;
}

/* pl_sg_number()'s shape_id: the ID the controller gives the shape, and
 * the rules of group 'g' that have it (the leader and those that join
 * it) noted under it. */
static uint32_t
note_shape(const struct vpc_pl_sg *g, size_t leader, const void *key,
           size_t len, void *n_)
{
    struct numbering *n = n_;
    uint32_t id = hash_bytes(key, len, 0);
    id = id ? id : 1;

    struct conj_node *node = conj_node_get(n->map, id, key, len);
    size_t gi = g - n->pl->sgs;
    for (size_t j = leader; j < g->n_rules; j++) {
        if (j != leader && g->rules[j].leader != leader) {
            continue;
        }
        if (node->what.length) {
            ds_put_cstr(&node->what, "; ");
        }
        if (gi < n->n_groups) {
            vpc_ctl_describe_sg_rule(n->rows[gi][j], &node->what);
        } else {
            ds_put_format(&node->what, "%s rule of the default group "
                          "(vpc %s)", g->rules[j].ingress ? "ingress"
                          : "egress", n->vpc_name);
        }
    }
    return id;
}

/* Numbers the rules of VPC 'vpc' as vpc-controller does, noting in 'map'
 * the rules of each shape under its ID.  'vpcs' has the VPC's groups and
 * flow logs, 'groups' each group's rules. */
static void
number_vpc(const struct vpcrec_vpc *vpc, struct hmap *vpcs,
           struct hmap *groups, struct hmap *map)
{
    struct numbering n = { .map = map, .vpc_name = vpc->name };
    struct bucket *vb = bucket_get(vpcs, vpc);

    n.groups = (const struct vpcrec_security_group **) vb->rows;
    n.n_groups = vb->n_rows;
    if (n.n_groups) {
        qsort(n.groups, n.n_groups, sizeof *n.groups, compare_groups);
    }
    const struct vpcrec_security_group *def = vpc->default_security_group;
    bool implicit = !def || def->vpc != vpc;

    /* The rules, each group's in UUID order, as the controller parses
     * them (those it ignores left out). */
    struct vpc_pl_sg *sgs = xcalloc(n.n_groups + 1, sizeof *sgs);
    n.rows = xcalloc(n.n_groups + 1, sizeof *n.rows);
    for (size_t i = 0; i < n.n_groups; i++) {
        struct bucket *gb = bucket_get(groups, n.groups[i]);
        size_t n_rows = gb->n_rows;
        struct vpc_pl_sg_rule *rules = xcalloc(n_rows + 1, sizeof *rules);
        size_t k = 0;

        n.rows[i] = (const struct vpcrec_security_group_rule **) gb->rows;
        if (n_rows) {
            qsort(n.rows[i], n_rows, sizeof *n.rows[i], compare_rules);
        }
        for (size_t j = 0; j < n_rows; j++) {
            bool skip;
            char *error = vpc_sg_rule_to_pl(n.rows[i][j], find_group, &n,
                                            &rules[k], &skip);
            if (error) {
                free(error);
                memset(&rules[k], 0, sizeof rules[k]);
            } else if (!skip) {
                n.rows[i][k++] = n.rows[i][j];
            } else {
                memset(&rules[k], 0, sizeof rules[k]);
            }
        }
        sgs[i].uuid = n.groups[i]->header_.uuid;
        sgs[i].rules = rules;
        sgs[i].n_rules = k;
    }

    struct vpc_pl_sg_rule implicit_rules[2];
    if (implicit) {
        vpc_sg_implicit_default(&vpc->header_.uuid, n.n_groups,
                                &sgs[n.n_groups], implicit_rules);
    }

    struct vpc_pl_vpc pl = {
        .uuid = vpc->header_.uuid,
        .sgs = sgs,
        .n_sgs = n.n_groups + implicit,
        .default_sg = (implicit ? n.n_groups
                       : find_group(&def->header_.uuid, &n)),
        .n_flow_logs = vb->n_flow_logs,
    };
    n.pl = &pl;
    pl_sg_number(&pl, note_shape, NULL, &n);

    for (size_t i = 0; i < n.n_groups; i++) {
        free(CONST_CAST(struct vpc_pl_sg_rule *, sgs[i].rules));
    }
    free(sgs);
    free(n.rows);
}

/* Fills 'map' with what each conjunction ID that rules of a shape share
 * stands for. */
void
vpc_ctl_annotate_conj_init(struct ovsdb_idl *idl, struct hmap *map)
{
    struct hmap vpcs = HMAP_INITIALIZER(&vpcs);
    struct hmap groups = HMAP_INITIALIZER(&groups);

    const struct vpcrec_security_group *sg;
    VPCREC_SECURITY_GROUP_FOR_EACH (sg, idl) {
        if (sg->vpc) {
            bucket_add(&vpcs, sg->vpc, sg);
        }
    }
    const struct vpcrec_security_group_rule *r;
    VPCREC_SECURITY_GROUP_RULE_FOR_EACH (r, idl) {
        if (r->security_group) {
            bucket_add(&groups, r->security_group, r);
        }
    }
    /* A VPC whose flow log the controller takes keeps each rule's own
     * conjunction.  (It also skips one on a subnet it could not build.) */
    const struct vpcrec_flow_log *fl;
    VPCREC_FLOW_LOG_FOR_EACH (fl, idl) {
        uint32_t ip, sampling;
        uint16_t port;
        const char *traffic;
        char *error = vpc_flowlog_check_row(fl, &ip, &port, &sampling,
                                            &traffic);
        if (error) {
            free(error);
        } else if (fl->vpc && (!fl->subnet || fl->subnet->vpc == fl->vpc)) {
            bucket_get(&vpcs, fl->vpc)->n_flow_logs++;
        }
    }

    hmap_init(map);
    const struct vpcrec_vpc *vpc;
    VPCREC_VPC_FOR_EACH (vpc, idl) {
        number_vpc(vpc, &vpcs, &groups, map);
    }
    buckets_destroy(&vpcs);
    buckets_destroy(&groups);
}

/* The rules that conjunction ID 'id' of 'map' stands for, or NULL. */
const char *
vpc_ctl_annotate_conj_find(const struct hmap *map, uint32_t id)
{
    const struct conj_node *node;

    HMAP_FOR_EACH_WITH_HASH (node, hmap_node, hash_int(id, 0), map) {
        if (node->id == id) {
            return ds_cstr_ro(&node->what);
        }
    }
    return NULL;
}

void
vpc_ctl_annotate_conj_destroy(struct hmap *map)
{
    struct conj_node *node;

    HMAP_FOR_EACH_POP (node, hmap_node, map) {
        ds_destroy(&node->what);
        free(node->key);
        free(node);
    }
    hmap_destroy(map);
}
