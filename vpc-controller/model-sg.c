/* The security groups of a VPC in the model.  See model-sg.h. */
#include <config.h>
#include "model-sg.h"

#include <string.h>

#include "hash.h"
#include "model.h"
#include "model-conj.h"
#include "stage-sg.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "util.h"
#include "uuid.h"
#include "vpc-addr.h"
#include "vpc-idl.h"
#include "vpc-sg.h"

VLOG_DEFINE_THIS_MODULE(model_sg);

static struct vlog_rate_limit bad_row_rl = VLOG_RATE_LIMIT_INIT(5, 20);

static size_t
find_group(const struct uuid *uuid, const void *b_)
{
    const struct model_sg_builder *b = b_;
    return model_uuid_map_find(&b->groups, uuid);
}

/* The default group's rules, for a VPC without one: ingress from its own
 * members, all egress. */
static size_t
add_implicit_default(const struct vpcrec_vpc *row, struct model_vpc *mv,
                     size_t index)
{
    vpc_sg_implicit_default(&row->header_.uuid, index, &mv->sgs[index],
                            &mv->sg_rules[0]);
    return 2;
}

/* Builds the security groups of VPC 'row' into 'mv' (its 'sgs',
 * 'sg_rules' and 'pl.sgs'), and into 'b' what its ports need to find
 * theirs.  Groups and rules are taken in UUID order. */
void
model_sg_build(const struct vpcrec_vpc *row, struct model_vpc *mv,
               struct model_sg_builder *b)
{
    model_uuid_map_init(&b->groups);

    /* Groups. */
    size_t n_groups;
    const struct ovsdb_idl_row **group_refs = model_referrers(
        &row->header_, &vpcrec_table_security_group,
        &vpcrec_security_group_col_vpc, &n_groups);
    const struct vpcrec_security_group **groups
        = xmalloc((n_groups + 1) * sizeof *groups);
    for (size_t i = 0; i < n_groups; i++) {
        groups[i] = MODEL_ROW_CAST(vpcrec_security_group, group_refs[i]);
    }
    free(group_refs);

    const struct vpcrec_security_group *def = row->default_security_group;
    if (def && def->vpc != row) {
        VLOG_WARN_RL(&bad_row_rl, "VPC %s: default security group %s "
                     "belongs to another VPC: ignored", row->name,
                     def->name);
        def = NULL;
    }
    b->default_sg = SIZE_MAX;
    for (size_t i = 0; i < n_groups; i++) {
        model_uuid_map_add(&b->groups, &groups[i]->header_.uuid, i);
        if (groups[i] == def) {
            b->default_sg = i;
        }
    }

    /* Their rules. */
    const struct vpcrec_security_group_rule ***rules
        = xmalloc((n_groups + 1) * sizeof *rules);
    size_t *n_rules = xcalloc(n_groups + 1, sizeof *n_rules);
    size_t total = def ? 0 : 2;
    for (size_t i = 0; i < n_groups; i++) {
        const struct ovsdb_idl_row **refs = model_referrers(
            &groups[i]->header_, &vpcrec_table_security_group_rule,
            &vpcrec_security_group_rule_col_security_group, &n_rules[i]);
        rules[i] = xmalloc((n_rules[i] + 1) * sizeof *rules[i]);
        for (size_t j = 0; j < n_rules[i]; j++) {
            rules[i][j] = MODEL_ROW_CAST(vpcrec_security_group_rule, refs[j]);
        }
        free(refs);
        total += n_rules[i];
    }

    mv->sgs = xmalloc((n_groups + 1) * sizeof *mv->sgs);
    mv->sg_rules = xmalloc((total + 1) * sizeof *mv->sg_rules);
    size_t n_pl_rules = 0;
    if (!def) {
        b->default_sg = n_groups;
        n_pl_rules = add_implicit_default(row, mv, n_groups);
    }
    for (size_t i = 0; i < n_groups; i++) {
        struct vpc_pl_sg *sg = &mv->sgs[i];
        sg->uuid = groups[i]->header_.uuid;
        sg->rules = &mv->sg_rules[n_pl_rules];
        for (size_t j = 0; j < n_rules[i]; j++) {
            struct vpc_pl_sg_rule *r = &mv->sg_rules[n_pl_rules];
            bool skip;
            memset(r, 0, sizeof *r);    /* The fingerprint hashes it. */
            char *error = vpc_sg_rule_to_pl(rules[i][j], find_group, b, r,
                                            &skip);
            if (error) {
                VLOG_WARN_RL(&bad_row_rl, "security group %s: rule "
                             UUID_FMT" ignored: %s", groups[i]->name,
                             UUID_ARGS(&rules[i][j]->header_.uuid), error);
                free(error);
            } else if (!skip) {
                n_pl_rules++;
            }
        }
        sg->n_rules = &mv->sg_rules[n_pl_rules] - sg->rules;
        free(rules[i]);
    }
    free(rules);
    free(n_rules);
    free(groups);

    mv->pl.sgs = mv->sgs;
    mv->pl.n_sgs = n_groups + !def;
    mv->pl.default_sg = b->default_sg;
}

static uint32_t
shape_id(const struct vpc_pl_sg *g OVS_UNUSED, size_t leader OVS_UNUSED,
         const void *key, size_t len, void *aux OVS_UNUSED)
{
    return model_conj_shape_id(key, len);
}

static uint32_t
own_id(const struct vpc_pl_sg_rule *r, size_t index, void *vpc_)
{
    /* A VPC without a default group's row has two rules of its own,
     * numbered by their order under its UUID. */
    const struct uuid *vpc = vpc_;
    return model_conj_id(&r->uuid, uuid_equals(&r->uuid, vpc) ? index + 1 : 0);
}

/* Gives each rule of 'mv' (built, with its flow logs) the rule whose
 * conjunction it joins and its conjunction ID: that of its shape, if it
 * leads a conjunction that has one, else its own (model-conj.h). */
void
model_sg_number(struct model_vpc *mv)
{
    pl_sg_number(&mv->pl, shape_id, own_id, &mv->pl.uuid);
}

/* Puts into 'sgs' (room for VPC_SG_MAX_PER_PORT) the indexes of the groups
 * of Port 'row' in the VPC that 'b' was built for, and returns how many:
 * the default group's if it names none; those of its VPC if it names
 * some (a port whose groups are all of other VPCs gets none, and so
 * sends and receives nothing). */
size_t
model_sg_port_groups(const struct model_sg_builder *b,
                     const struct vpcrec_port *row, size_t *sgs)
{
    size_t n = 0;

    if (!row->n_security_groups) {
        sgs[n++] = b->default_sg;
        return n;
    }
    for (size_t i = 0; i < row->n_security_groups
                       && n < VPC_SG_MAX_PER_PORT; i++) {
        size_t g = model_uuid_map_find(
            &b->groups, &row->security_groups[i]->header_.uuid);
        if (g == SIZE_MAX) {
            VLOG_WARN_RL(&bad_row_rl, "port %s: security group %s is not "
                         "a group of its VPC: ignored", row->name,
                         row->security_groups[i]->name);
        } else {
            sgs[n++] = g;
        }
    }
    return n;
}

/* Frees what 'b' holds. */
void
model_sg_builder_destroy(struct model_sg_builder *b)
{
    model_uuid_map_destroy(&b->groups);
}

/* Returns a hash of the security groups of 'pl' (not its ports'), with
 * 'basis'. */
uint32_t
model_sg_fingerprint(const struct vpc_pl_vpc *pl, uint32_t basis)
{
    uint32_t h = basis;

    for (size_t i = 0; i < pl->n_sgs; i++) {
        const struct vpc_pl_sg *sg = &pl->sgs[i];
        h = hash_bytes(&sg->uuid, sizeof sg->uuid, h);
        h = hash_bytes(sg->rules, sg->n_rules * sizeof *sg->rules, h);
    }
    return h;
}
