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
#include "vpc-idl.h"
#include "vpc-pipeline.h"
#include "vpc-sg.h"

struct conj_node {
    struct hmap_node hmap_node;     /* By hash_int(id). */
    uint32_t id;
    struct ds what;                 /* The rules, "; "-joined. */
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

static size_t
find_group(const struct uuid *uuid, const void *n_)
{
    const struct numbering *n = n_;
    for (size_t i = 0; i < n->n_groups; i++) {
        if (uuid_equals(&n->groups[i]->header_.uuid, uuid)) {
            return i;
        }
    }
    return SIZE_MAX;
}

static struct conj_node *
conj_node_get(struct hmap *map, uint32_t id)
{
    struct conj_node *node;

    HMAP_FOR_EACH_WITH_HASH (node, hmap_node, hash_int(id, 0), map) {
        if (node->id == id) {
            return node;
        }
    }
    node = xmalloc(sizeof *node);
    node->id = id;
    ds_init(&node->what);
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

    struct conj_node *node = conj_node_get(n->map, id);
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
 * the rules of each shape under its ID. */
static void
number_vpc(struct ovsdb_idl *idl, const struct vpcrec_vpc *vpc,
           struct hmap *map)
{
    struct numbering n = { .map = map, .vpc_name = vpc->name };
    size_t allocated = 0;

    const struct vpcrec_security_group *sg;
    VPCREC_SECURITY_GROUP_FOR_EACH (sg, idl) {
        if (sg->vpc == vpc) {
            if (n.n_groups >= allocated) {
                n.groups = x2nrealloc(n.groups, &allocated,
                                      sizeof *n.groups);
            }
            n.groups[n.n_groups++] = sg;
        }
    }
    if (n.n_groups) {
        qsort(n.groups, n.n_groups, sizeof *n.groups, compare_groups);
    }
    const struct vpcrec_security_group *def = vpc->default_security_group;
    bool implicit = !def || def->vpc != vpc;

    /* The rules, each group's in UUID order, as the controller parses
     * them (those it ignores left out). */
    struct vpc_pl_sg *sgs = xcalloc(n.n_groups + 1, sizeof *sgs);
    n.rows = xcalloc(n.n_groups + 1, sizeof *n.rows);
    size_t *n_rows = xcalloc(n.n_groups + 1, sizeof *n_rows);
    size_t *alloc_rows = xcalloc(n.n_groups + 1, sizeof *alloc_rows);
    const struct vpcrec_security_group_rule *r;
    VPCREC_SECURITY_GROUP_RULE_FOR_EACH (r, idl) {
        size_t gi = r->security_group
                    ? find_group(&r->security_group->header_.uuid, &n)
                    : SIZE_MAX;
        if (gi != SIZE_MAX) {
            if (n_rows[gi] >= alloc_rows[gi]) {
                n.rows[gi] = x2nrealloc(n.rows[gi], &alloc_rows[gi],
                                        sizeof *n.rows[gi]);
            }
            n.rows[gi][n_rows[gi]++] = r;
        }
    }
    for (size_t i = 0; i < n.n_groups; i++) {
        struct vpc_pl_sg_rule *rules = xcalloc(n_rows[i] + 1,
                                               sizeof *rules);
        size_t k = 0;
        if (n_rows[i]) {
            qsort(n.rows[i], n_rows[i], sizeof *n.rows[i], compare_rules);
        }
        for (size_t j = 0; j < n_rows[i]; j++) {
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

    size_t n_flow_logs = 0;
    const struct vpcrec_flow_log *fl;
    VPCREC_FLOW_LOG_FOR_EACH (fl, idl) {
        n_flow_logs += fl->vpc == vpc;
    }
    struct vpc_pl_vpc pl = {
        .uuid = vpc->header_.uuid,
        .sgs = sgs,
        .n_sgs = n.n_groups + implicit,
        .n_flow_logs = n_flow_logs,
    };
    n.pl = &pl;
    pl_sg_number(&pl, note_shape, NULL, &n);

    for (size_t i = 0; i < n.n_groups; i++) {
        free(CONST_CAST(struct vpc_pl_sg_rule *, sgs[i].rules));
        free(n.rows[i]);
    }
    free(sgs);
    free(n.rows);
    free(n_rows);
    free(alloc_rows);
    free(n.groups);
}

/* Fills 'map' with what each conjunction ID that rules of a shape share
 * stands for. */
void
vpc_ctl_annotate_conj_init(struct ovsdb_idl *idl, struct hmap *map)
{
    const struct vpcrec_vpc *vpc;

    hmap_init(map);
    VPCREC_VPC_FOR_EACH (vpc, idl) {
        number_vpc(idl, vpc, map);
    }
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
        free(node);
    }
    hmap_destroy(map);
}
