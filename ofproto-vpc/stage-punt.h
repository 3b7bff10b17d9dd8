/* Packets the pipeline hands to a controller (stage-punt.c). */
#ifndef OFPROTO_VPC_STAGE_PUNT_H
#define OFPROTO_VPC_STAGE_PUNT_H 1

#include <stdint.h>

struct ofpbuf;
struct vpc_flow_table;
struct vpc_pl_chassis;
struct vpc_pl_port;
struct vpc_pl_vpc;

void pl_punt_build_static(struct vpc_flow_table *, struct ofpbuf *);
void pl_punt_build_dhcp(struct vpc_flow_table *, const struct vpc_pl_vpc *,
                        const struct vpc_pl_port *, struct ofpbuf *);
void pl_punt_build_mtu(struct vpc_flow_table *, const struct vpc_pl_vpc *,
                       struct ofpbuf *);
void pl_punt_put_mtu_check(struct ofpbuf *, const struct vpc_pl_vpc *,
                           uint32_t flags);

#endif /* stage-punt.h */
