/* vpc-ctl commands for VPCs, subnets and ports. */
#ifndef VPC_CTL_VPC_H
#define VPC_CTL_VPC_H 1

#include <stdbool.h>

#include "db-ctl-base.h"

struct ds;
struct vpc_cidr4;
struct vpcrec_port;
struct vpcrec_vpc;

/* vpc-add, vpc-del, vpc-list, subnet-*, port-*. */
extern const struct ctl_command_syntax vpc_ctl_vpc_commands[];

/* For the other families. */
bool vpc_ctl_cidr_in_vpc(struct ctl_context *, const struct vpcrec_vpc *,
                         const struct vpc_cidr4 *, const char *cidr_s);
void vpc_ctl_put_port_binding(struct ds *, const struct vpcrec_port *);
void vpc_ctl_pre_subnets(struct ctl_context *);
void vpc_ctl_pre_ports(struct ctl_context *);
void vpc_ctl_pre_bindings(struct ctl_context *);

#endif /* vpc-ctl-vpc.h */
