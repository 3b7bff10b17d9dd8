/* vpc-ctl: the values that the rules of security groups and of network
 * ACLs share, parsed and printed one way: numbers, directions, actions,
 * protocols, port ranges and CIDRs. */
#ifndef VPC_CTL_RULE_H
#define VPC_CTL_RULE_H 1

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/compiler.h"

struct ctl_context;
struct ds;

/* A protocol that vpc_sg_protocol_parse() refuses, in a row that another
 * client wrote. */
#define VPC_CTL_PROTO_INVALID INT_MIN

/* Arguments. */
bool vpc_ctl_parse_number(const char *s, int64_t min, int64_t max,
                          int64_t *n);
bool vpc_ctl_parse_number_pair(const char *s, char sep, int64_t min,
                               int64_t max, int64_t *first, int64_t *second);
bool vpc_ctl_parse_direction(struct ctl_context *, const char *s,
                             bool *ingress);
bool vpc_ctl_parse_action(struct ctl_context *, const char *s, bool *deny);
char *vpc_ctl_parse_ports(const char *s, int64_t *min, int64_t *max)
    OVS_WARN_UNUSED_RESULT;
char *vpc_ctl_parse_rule_cidr(const char *s, char **cidr)
    OVS_WARN_UNUSED_RESULT;

/* Rows. */
int vpc_ctl_row_protocol(const char *s);
void vpc_ctl_row_ports(const int64_t *port_min, size_t n_port_min,
                       const int64_t *port_max, size_t n_port_max,
                       int64_t *min, int64_t *max);
char *vpc_ctl_normalize_cidr(const char *s);

/* Output. */
void vpc_ctl_put_protocol(struct ds *, int proto, const char *row_proto);
void vpc_ctl_put_ports(struct ds *, int64_t min, int64_t max);

#endif /* vpc-ctl-rule.h */
