/* Route tables and appliance ports (stage-rtable.c). */
#ifndef OFPROTO_VPC_STAGE_RTABLE_H
#define OFPROTO_VPC_STAGE_RTABLE_H 1

struct ofpbuf;
struct vpc_flow_table;
struct vpc_pl_chassis;
struct vpc_pl_port;
struct vpc_pl_vpc;

void pl_rtable_build_vpc(struct vpc_flow_table *,
                         const struct vpc_pl_chassis *,
                         const struct vpc_pl_vpc *, struct ofpbuf *);
void pl_rtable_build_appliance(struct vpc_flow_table *,
                               const struct vpc_pl_vpc *,
                               const struct vpc_pl_port *, struct ofpbuf *);

#endif /* stage-rtable.h */
