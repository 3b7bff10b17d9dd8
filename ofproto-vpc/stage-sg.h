/* Security groups on a host: stateful policy for what each local port
 * sends (VPC_T_SG_OUT...) and receives (VPC_T_SG_IN_...). */
#ifndef OFPROTO_VPC_STAGE_SG_H
#define OFPROTO_VPC_STAGE_SG_H 1

struct ofpbuf;
struct vpc_flow_table;
struct vpc_pl_chassis;
struct vpc_pl_vpc;

void pl_sg_build_static(struct vpc_flow_table *, struct ofpbuf *);
void pl_sg_put_ingress(struct ofpbuf *);
void pl_sg_groups_here(const struct vpc_pl_chassis *,
                       const struct vpc_pl_vpc *, unsigned long *here);
void pl_sg_build_vpc(struct vpc_flow_table *, struct vpc_flow_table *shared,
                     const struct vpc_pl_chassis *,
                     const struct vpc_pl_vpc *, struct ofpbuf *);

#endif /* stage-sg.h */
