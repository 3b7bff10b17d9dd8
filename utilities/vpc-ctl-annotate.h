/* vpc-ctl annotate: OVS output in VPC terms. */
#ifndef VPC_CTL_ANNOTATE_H
#define VPC_CTL_ANNOTATE_H 1

#include "db-ctl-base.h"

extern const struct ctl_command_syntax vpc_ctl_annotate_commands[];

#endif /* vpc-ctl-annotate.h */
