/* vpc-ctl: the rules of every security group, for sg-rule-add's look for
 * a duplicate and its count in big batches. */
#ifndef VPC_CTL_SG_RULES_H
#define VPC_CTL_SG_RULES_H 1

#include <stddef.h>

#include "db-ctl-base.h"

struct vpc_ctl_sg_rules;
struct vpcrec_security_group;
struct vpcrec_security_group_rule;

size_t vpc_ctl_sg_rules_of(struct ctl_context *,
                           const struct vpcrec_security_group *,
                           const struct vpcrec_security_group_rule ***);
void vpc_ctl_sg_rules_note(struct ctl_context *,
                           const struct vpcrec_security_group *,
                           const struct vpcrec_security_group_rule *);
void vpc_ctl_sg_rules_destroy(struct vpc_ctl_sg_rules *);

#endif /* vpc-ctl-sg-rules.h */
