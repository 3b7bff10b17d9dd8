/* vpc-ctl commands for network ACLs and their rules. */
#ifndef VPC_CTL_ACL_H
#define VPC_CTL_ACL_H 1

#include <stdbool.h>

#include "db-ctl-base.h"

struct vpcrec_vpc;

/* acl-add, acl-del, acl-list, acl-show, acl-rule-add, acl-rule-del,
 * subnet-set-acl. */
extern const struct ctl_command_syntax vpc_ctl_acl_commands[];

/* For the other families: a VPC's ACLs when it goes, and what "show"
 * prints. */
bool vpc_ctl_acl_refuse_vpc_del(struct ctl_context *,
                                const struct vpcrec_vpc *);
void vpc_ctl_acl_delete_vpc_acls(struct ctl_context *,
                                 const struct vpcrec_vpc *);
void vpc_ctl_acl_show_vpc(struct ctl_context *, const struct vpcrec_vpc *);

void vpc_ctl_pre_subnet_acls(struct ctl_context *);
void vpc_ctl_pre_acls(struct ctl_context *);

#endif /* vpc-ctl-acl.h */
