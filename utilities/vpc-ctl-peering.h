/* vpc-ctl commands for VPC peering. */
#ifndef VPC_CTL_PEERING_H
#define VPC_CTL_PEERING_H 1

#include <stdbool.h>
#include <stddef.h>

#include "db-ctl-base.h"
#include "vpc-addr.h"

struct ds;
struct vpcrec_peering;
struct vpcrec_vpc;

/* peering-add, peering-del, peering-list. */
extern const struct ctl_command_syntax vpc_ctl_peering_commands[];

/* One address block of a VPC: one of its CIDRs, or for a VPC without
 * CIDRs, one of its subnets'. */
struct vpc_ctl_block {
    struct vpc_cidr4 cidr;
    const char *s;              /* As in the database. */
};

struct vpc_ctl_block *vpc_ctl_vpc_blocks(struct ctl_context *,
                                         const struct vpcrec_vpc *,
                                         size_t *n);

/* For the other families: routes through peerings, a VPC's peerings when
 * it goes, and what "show" prints. */
bool vpc_ctl_peering_check_cidr(struct ctl_context *,
                                const struct vpcrec_peering *,
                                const struct vpc_cidr4 *, const char *cidr_s);
bool vpc_ctl_peering_is_active(struct ctl_context *,
                               const struct vpcrec_peering *, struct ds *why);
bool vpc_ctl_peering_refuse_vpc_del(struct ctl_context *,
                                    const struct vpcrec_vpc *);
void vpc_ctl_peering_delete_vpc(struct ctl_context *,
                                const struct vpcrec_vpc *);
void vpc_ctl_peering_show_vpc(struct ctl_context *,
                              const struct vpcrec_vpc *);

#endif /* vpc-ctl-peering.h */
