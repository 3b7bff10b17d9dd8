/* Security groups on a host: stateful policy for what each local port
 * sends (VPC_T_SG_OUT...) and receives (VPC_T_SG_IN_...). */
#ifndef OFPROTO_VPC_STAGE_SG_H
#define OFPROTO_VPC_STAGE_SG_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ofpbuf;
struct vpc_flow_table;
struct vpc_pl_chassis;
struct vpc_pl_sg;
struct vpc_pl_sg_rule;
struct vpc_pl_vpc;

void pl_sg_build_static(struct vpc_flow_table *, struct ofpbuf *);
void pl_sg_put_ingress(struct ofpbuf *);
void pl_sg_groups_here(const struct vpc_pl_chassis *,
                       const struct vpc_pl_vpc *, unsigned long *here);
bool pl_sg_remote_bits(const struct vpc_pl_vpc *, int *bits);
size_t pl_sg_rule_leader(const struct vpc_pl_vpc *, const struct vpc_pl_sg *,
                         size_t i);
bool pl_sg_conj_shape(const struct vpc_pl_vpc *, const struct vpc_pl_sg *,
                      size_t leader, const int *bits, struct ofpbuf *key);
typedef uint32_t pl_sg_shape_id_func(const struct vpc_pl_sg *, size_t leader,
                                     const void *key, size_t len, void *aux);
typedef uint32_t pl_sg_own_id_func(const struct vpc_pl_sg_rule *,
                                   size_t index, void *aux);
void pl_sg_number(const struct vpc_pl_vpc *, pl_sg_shape_id_func *,
                  pl_sg_own_id_func *, void *aux);
void pl_sg_build_vpc(struct vpc_flow_table *, struct vpc_flow_table *shared,
                     const struct vpc_pl_chassis *,
                     const struct vpc_pl_vpc *, struct ofpbuf *);

#endif /* stage-sg.h */
