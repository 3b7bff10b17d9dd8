/* vpc-ctl commands chassis-list, show and sync. */
#ifndef VPC_CTL_MISC_H
#define VPC_CTL_MISC_H 1

#include "db-ctl-base.h"


extern const struct ctl_command_syntax vpc_ctl_misc_commands[];

/* For the other families. */
void vpc_ctl_pre_chassis(struct ctl_context *);

#endif /* vpc-ctl-misc.h */
