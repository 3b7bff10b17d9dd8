/* ARP and address lookup: one flow per address a VPC knows, in
 * VPC_T_BIND, and the ARP responder that uses it (VPC_T_ARP,
 * VPC_T_ARP_REPLY). */
#ifndef OFPROTO_VPC_STAGE_LOOKUP_H
#define OFPROTO_VPC_STAGE_LOOKUP_H 1

struct ofpbuf;
struct vpc_flow_table;
struct vpc_pl_chassis;
struct vpc_pl_port;
struct vpc_pl_subnet;
struct vpc_pl_vpc;

void pl_lookup_build_static(struct vpc_flow_table *, struct ofpbuf *);
void pl_lookup_build_subnet(struct vpc_flow_table *,
                            const struct vpc_pl_vpc *,
                            const struct vpc_pl_subnet *, struct ofpbuf *);
void pl_lookup_build_port(struct vpc_flow_table *,
                          const struct vpc_pl_chassis *,
                          const struct vpc_pl_vpc *,
                          const struct vpc_pl_port *, struct ofpbuf *);

#endif /* stage-lookup.h */
