/* vpc-ctl: the rules of every security group, indexed for big batches.
 * See vpc-ctl-sg-rules.h. */
#include <config.h>
#include "vpc-ctl-sg-rules.h"

#include <stdlib.h>

#include "openvswitch/hmap.h"
#include "ovsdb-idl-provider.h"
#include "util.h"
#include "uuid.h"
#include "vpc-ctl-common.h"
#include "vpc-ctl.h"
#include "vpc-idl.h"

/* The rules of every group, for sg-rule-add's look for a duplicate and its
 * count: vpc-bench's transaction of 2,100 rules in 200 groups went through
 * every rule of every group for each.  Built by one pass over the rules on
 * first use and told of every rule that sg_rule_insert() adds (the only way
 * our commands add one: see vpc-ctl-sg.c); a rule is checked on every use (it still exists
 * and is still in the group), so deletions need no care.  A rule that a
 * generic "create" adds later in the same transaction is not seen. */
struct vpc_ctl_sg_rules {
    struct hmap groups;         /* Of struct sg_rules_of, by group UUID. */
};

struct sg_rules_of {
    struct hmap_node hmap_node;
    struct uuid group;
    struct uuid *rules;
    size_t n, allocated;
};

void
vpc_ctl_sg_rules_destroy(struct vpc_ctl_sg_rules *index)
{
    if (index) {
        struct sg_rules_of *of;
        HMAP_FOR_EACH_POP (of, hmap_node, &index->groups) {
            free(of->rules);
            free(of);
        }
        hmap_destroy(&index->groups);
        free(index);
    }
}

static struct sg_rules_of *
sg_rules_of(struct vpc_ctl_sg_rules *index, const struct uuid *group,
            bool create)
{
    struct sg_rules_of *of;
    uint32_t hash = uuid_hash(group);

    HMAP_FOR_EACH_WITH_HASH (of, hmap_node, hash, &index->groups) {
        if (uuid_equals(&of->group, group)) {
            return of;
        }
    }
    if (!create) {
        return NULL;
    }
    of = xzalloc(sizeof *of);
    of->group = *group;
    hmap_insert(&index->groups, &of->hmap_node, hash);
    return of;
}

static void
sg_rules_of_add(struct sg_rules_of *of, const struct uuid *rule)
{
    if (of->n >= of->allocated) {
        of->rules = x2nrealloc(of->rules, &of->allocated, sizeof *of->rules);
    }
    of->rules[of->n++] = *rule;
}

/* Returns the rule index of 'ctx''s transaction, built if need be. */
static struct vpc_ctl_sg_rules *
sg_rules_index(struct ctl_context *ctx)
{
    struct vpc_ctl_context *vctx = vpc_ctl_cast(ctx);

    if (!vctx->sg_rules) {
        const struct vpcrec_security_group_rule *row;

        vctx->sg_rules = xmalloc(sizeof *vctx->sg_rules);
        hmap_init(&vctx->sg_rules->groups);
        VPCREC_SECURITY_GROUP_RULE_FOR_EACH (row, ctx->idl) {
            if (row->security_group) {
                sg_rules_of_add(sg_rules_of(vctx->sg_rules,
                                            &row->security_group->header_.uuid,
                                            true),
                                &row->header_.uuid);
            }
        }
    }
    return vctx->sg_rules;
}

/* Sets '*rulesp' to the rules that group 'sg' has now, in the transaction
 * of 'ctx', and returns how many; the caller frees the array.  A recorded
 * rule is checked on every use: it still exists and is still in 'sg'. */
size_t
vpc_ctl_sg_rules_of(struct ctl_context *ctx,
                    const struct vpcrec_security_group *sg,
                    const struct vpcrec_security_group_rule ***rulesp)
{
    const struct sg_rules_of *of = sg_rules_of(sg_rules_index(ctx),
                                               &sg->header_.uuid, false);
    size_t n_of = of ? of->n : 0, n = 0;

    *rulesp = xmalloc((n_of + 1) * sizeof **rulesp);
    for (size_t i = 0; i < n_of; i++) {
        const struct vpcrec_security_group_rule *rule
            = vpcrec_security_group_rule_get_for_uuid(ctx->idl,
                                                      &of->rules[i]);
        if (rule && rule->header_.new_datum && rule->security_group == sg) {
            (*rulesp)[n++] = rule;
        }
    }
    return n;
}

/* Records that the command of 'ctx' added 'rule' to 'sg', if the index of
 * its transaction is built. */
void
vpc_ctl_sg_rules_note(struct ctl_context *ctx,
                      const struct vpcrec_security_group *sg,
                      const struct vpcrec_security_group_rule *rule)
{
    struct vpc_ctl_context *vctx = vpc_ctl_cast(ctx);

    if (vctx->sg_rules) {
        sg_rules_of_add(sg_rules_of(vctx->sg_rules, &sg->header_.uuid, true),
                        &rule->header_.uuid);
    }
}
