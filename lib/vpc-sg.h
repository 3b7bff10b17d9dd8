/* Security group rule values, parsed the same way by vpc-ctl (which
 * refuses bad ones) and vpc-controller (which ignores rows that hold
 * them). */
#ifndef VPC_SG_H
#define VPC_SG_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "openvswitch/compiler.h"

struct uuid;
struct vpc_pl_sg;
struct vpc_pl_sg_rule;
struct vpcrec_security_group_rule;

#define VPC_SG_PROTO_ALL (-1)
#define VPC_SG_MAX_RULES 200        /* Per group. */
#define VPC_SG_MAX_PER_PORT 10

char *vpc_sg_protocol_parse(const char *s, int *proto)
    OVS_WARN_UNUSED_RESULT;
const char *vpc_sg_protocol_name(int proto);
bool vpc_sg_protocol_has_ports(int proto);
bool vpc_cidr_is_ipv6(const char *s);
char *vpc_cidr6_check(const char *s) OVS_WARN_UNUSED_RESULT;
char *vpc_sg_port_range(int proto, const int64_t *min, size_t n_min,
                        const int64_t *max, size_t n_max,
                        uint16_t *minp, uint16_t *maxp)
    OVS_WARN_UNUSED_RESULT;
void vpc_sg_implicit_default(const struct uuid *vpc, size_t index,
                             struct vpc_pl_sg *, struct vpc_pl_sg_rule *r);
char *vpc_sg_rule_to_pl(const struct vpcrec_security_group_rule *,
                        size_t (*find_group)(const struct uuid *,
                                             const void *aux),
                        const void *aux, struct vpc_pl_sg_rule *,
                        bool *skip) OVS_WARN_UNUSED_RESULT;

#endif /* vpc-sg.h */
