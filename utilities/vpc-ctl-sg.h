/* vpc-ctl commands for security groups and their rules. */
#ifndef VPC_CTL_SG_H
#define VPC_CTL_SG_H 1

#include <stdbool.h>
#include <stddef.h>

#include "db-ctl-base.h"

struct ds;
struct vpcrec_port;
struct vpcrec_vpc;

/* sg-add, sg-del, sg-list, sg-show, sg-rule-add, sg-rule-del,
 * port-set-sg. */
extern const struct ctl_command_syntax vpc_ctl_sg_commands[];

/* For the other families: a VPC's default group, its groups when it goes,
 * and what "show" and port-show print. */
bool vpc_ctl_sg_check_default_name(struct ctl_context *,
                                   const char *vpc_name);
void vpc_ctl_sg_add_default(struct ctl_context *, const struct vpcrec_vpc *);
bool vpc_ctl_sg_refuse_vpc_del(struct ctl_context *,
                               const struct vpcrec_vpc *);
void vpc_ctl_sg_delete_vpc_groups(struct ctl_context *,
                                  const struct vpcrec_vpc *);
void vpc_ctl_sg_show_vpc(struct ctl_context *, const struct vpcrec_vpc *);
void vpc_ctl_put_port_sgs(struct ds *, const struct vpcrec_port *);

void vpc_ctl_pre_sg_names(struct ctl_context *);
void vpc_ctl_pre_port_sgs(struct ctl_context *);
void vpc_ctl_pre_sgs(struct ctl_context *);

#endif /* vpc-ctl-sg.h */
