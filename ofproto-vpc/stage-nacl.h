/* Network ACLs: stateless rules at subnet borders (VPC_T_NACL_OUT,
 * VPC_T_NACL_IN). */
#ifndef OFPROTO_VPC_STAGE_NACL_H
#define OFPROTO_VPC_STAGE_NACL_H 1

#include <stdbool.h>

struct ofpbuf;
struct vpc_flow_table;
struct vpc_pl_vpc;

void pl_nacl_build_vpc(struct vpc_flow_table *, const struct vpc_pl_vpc *,
                       bool log, struct ofpbuf *);

#endif /* stage-nacl.h */
