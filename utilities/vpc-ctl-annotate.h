/* vpc-ctl annotate: OVS output in VPC terms. */
#ifndef VPC_CTL_ANNOTATE_H
#define VPC_CTL_ANNOTATE_H 1

#include "db-ctl-base.h"

struct ds;
struct vpcrec_security_group_rule;

extern const struct ctl_command_syntax vpc_ctl_annotate_commands[];

void vpc_ctl_describe_sg_rule(const struct vpcrec_security_group_rule *,
                              struct ds *);

#endif /* vpc-ctl-annotate.h */
