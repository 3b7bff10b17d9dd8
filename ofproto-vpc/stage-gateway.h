/* Gateways: the way out of a VPC and back in (VPC_T_GW_*), and the
 * groups that make hosts and gateways fail over by themselves. */
#ifndef OFPROTO_VPC_STAGE_GATEWAY_H
#define OFPROTO_VPC_STAGE_GATEWAY_H 1

#include <stdbool.h>

struct ofpbuf;
struct vpc_flow_table;
struct vpc_group_table;
struct vpc_pl_chassis;
struct vpc_pl_gw_group;
struct vpc_pl_vpc;

bool pl_gw_serves_group(const struct vpc_pl_chassis *,
                        const struct vpc_pl_gw_group *);
bool pl_gw_host_reaches_group(const struct vpc_pl_chassis *,
                              const struct vpc_pl_gw_group *);

void pl_gw_build_static(struct vpc_flow_table *,
                        const struct vpc_pl_chassis *, struct ofpbuf *);
void pl_gw_build_host_group(struct vpc_group_table *,
                            const struct vpc_pl_chassis *,
                            const struct vpc_pl_gw_group *, struct ofpbuf *);
void pl_gw_build_gateway_group(struct vpc_flow_table *,
                               struct vpc_group_table *,
                               const struct vpc_pl_chassis *,
                               const struct vpc_pl_gw_group *,
                               struct ofpbuf *);
void pl_gw_build_vpc(struct vpc_flow_table *, const struct vpc_pl_chassis *,
                     const struct vpc_pl_vpc *, struct ofpbuf *);

#endif /* stage-gateway.h */
