/* vpc-ctl commands for external networks, gateway groups and NAT rules. */
#ifndef VPC_CTL_GATEWAY_H
#define VPC_CTL_GATEWAY_H 1

#include <stdbool.h>

#include "db-ctl-base.h"

struct ds;
struct vpcrec_nat;
struct vpcrec_vpc;

/* ext-net-*, gw-group-*, vpc-set-gateway, snat-add, eip-add, nat-*. */
extern const struct ctl_command_syntax vpc_ctl_gateway_commands[];

/* For the other families. */
void vpc_ctl_delete_vpc_nats(struct ctl_context *, const struct vpcrec_vpc *);
void vpc_ctl_put_nat(struct ds *, const struct vpcrec_nat *, bool with_vpc);
void vpc_ctl_pre_nats(struct ctl_context *);

#endif /* vpc-ctl-gateway.h */
