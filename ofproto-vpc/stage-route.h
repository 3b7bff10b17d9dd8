/* Routing and delivery: a subnet gateway's own answers, same-subnet and
 * routed traffic, and delivery to a port here or through a tunnel
 * (VPC_T_ROUTER to VPC_T_TO_PORT). */
#ifndef OFPROTO_VPC_STAGE_ROUTE_H
#define OFPROTO_VPC_STAGE_ROUTE_H 1

#include <stdint.h>

struct ofpbuf;
struct vpc_flow_table;
struct vpc_pl_subnet;
struct vpc_pl_vpc;

void pl_route_build_static(struct vpc_flow_table *, struct ofpbuf *);
void pl_route_build_subnet(struct vpc_flow_table *,
                           const struct vpc_pl_vpc *,
                           const struct vpc_pl_subnet *, struct ofpbuf *);
void pl_route_build_to_subnet(struct vpc_flow_table *, uint64_t md,
                              const struct vpc_pl_subnet *, struct ofpbuf *);
void pl_route_build_default(struct vpc_flow_table *,
                            const struct vpc_pl_vpc *, struct ofpbuf *);

#endif /* stage-route.h */
