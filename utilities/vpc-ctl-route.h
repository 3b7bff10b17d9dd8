/* vpc-ctl commands for route tables, their routes, and appliance ports. */
#ifndef VPC_CTL_ROUTE_H
#define VPC_CTL_ROUTE_H 1

#include <stdbool.h>
#include <stddef.h>

#include "db-ctl-base.h"

struct ovsdb_idl_row;
struct vpcrec_vpc;

/* rt-add, rt-del, rt-list, rt-show, route-add, route-del,
 * subnet-set-route-table, port-set-source-check. */
extern const struct ctl_command_syntax vpc_ctl_route_commands[];

/* For the other families: a VPC's main table, its tables when it goes,
 * routes to a port or a peering, and what "show" prints. */
bool vpc_ctl_rt_check_main_name(struct ctl_context *, const char *vpc_name);
void vpc_ctl_rt_add_main(struct ctl_context *, const struct vpcrec_vpc *);
bool vpc_ctl_rt_refuse_vpc_del(struct ctl_context *,
                               const struct vpcrec_vpc *);
void vpc_ctl_rt_delete_vpc_routes(struct ctl_context *,
                                  const struct vpcrec_vpc *);
void vpc_ctl_rt_delete_vpc_tables(struct ctl_context *,
                                  const struct vpcrec_vpc *);
void vpc_ctl_rt_show_vpc(struct ctl_context *, const struct vpcrec_vpc *);

size_t vpc_ctl_route_count_next_hop(struct ctl_context *,
                                    const struct ovsdb_idl_row *hop);
bool vpc_ctl_route_refuse_next_hop(struct ctl_context *,
                                   const struct ovsdb_idl_row *hop,
                                   const char *hint);
void vpc_ctl_route_delete_next_hop(struct ctl_context *,
                                   const struct ovsdb_idl_row *hop);

void vpc_ctl_pre_routes(struct ctl_context *);

#endif /* vpc-ctl-route.h */
