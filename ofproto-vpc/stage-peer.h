/* A peer VPC as a VPC that peers with it sees it (stage-peer.c). */
#ifndef OFPROTO_VPC_STAGE_PEER_H
#define OFPROTO_VPC_STAGE_PEER_H 1

struct ofpbuf;
struct vpc_flow_table;
struct vpc_pl_chassis;
struct vpc_pl_vpc;

void pl_peer_build_views(struct vpc_flow_table *,
                         const struct vpc_pl_chassis *,
                         const struct vpc_pl_vpc *, struct ofpbuf *);

#endif /* stage-peer.h */
