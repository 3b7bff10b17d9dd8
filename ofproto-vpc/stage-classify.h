/* Classification and port security: which VPC a packet belongs to, and
 * whether a VM port may send it (VPC_T_CLASSIFY, VPC_T_PORT_SEC). */
#ifndef OFPROTO_VPC_STAGE_CLASSIFY_H
#define OFPROTO_VPC_STAGE_CLASSIFY_H 1

struct ofpbuf;
struct vpc_flow_table;
struct vpc_pl_port;
struct vpc_pl_vpc;

void pl_classify_build_tunnel(struct vpc_flow_table *,
                              const struct vpc_pl_vpc *, struct ofpbuf *);
void pl_classify_build_port(struct vpc_flow_table *,
                            const struct vpc_pl_vpc *,
                            const struct vpc_pl_port *, struct ofpbuf *);

#endif /* stage-classify.h */
