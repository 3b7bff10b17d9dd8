/* Security group rule values.  See vpc-sg.h. */
#include <config.h>
#include "vpc-sg.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "packets.h"
#include "util.h"
#include "vpc-addr.h"
#include "vpc-idl.h"
#include "vpc-pipeline.h"

/* Parses protocol 's' ("all", "tcp", "udp", "icmp" or a number from 0 to
 * 255) into '*proto' (VPC_SG_PROTO_ALL for "all").  Returns NULL, or a
 * malloc()'d error message. */
char *
vpc_sg_protocol_parse(const char *s, int *proto)
{
    if (!strcmp(s, "all")) {
        *proto = VPC_SG_PROTO_ALL;
    } else if (!strcmp(s, "tcp")) {
        *proto = IPPROTO_TCP;
    } else if (!strcmp(s, "udp")) {
        *proto = IPPROTO_UDP;
    } else if (!strcmp(s, "icmp")) {
        *proto = IPPROTO_ICMP;
    } else {
        char *end;
        errno = 0;
        long n = strtol(s, &end, 10);
        if (!isdigit((unsigned char) *s) || *end || errno || n > 255) {
            return xasprintf("%s: invalid protocol (expected all, tcp, udp, "
                             "icmp or a number from 0 to 255)", s);
        }
        *proto = n;
    }
    return NULL;
}

/* Returns the name of 'proto' as vpc_sg_protocol_parse() takes it, for
 * the protocols that have one, else NULL. */
const char *
vpc_sg_protocol_name(int proto)
{
    return (proto == VPC_SG_PROTO_ALL ? "all"
            : proto == IPPROTO_TCP ? "tcp"
            : proto == IPPROTO_UDP ? "udp"
            : proto == IPPROTO_ICMP ? "icmp"
            : NULL);
}

/* Do rules for 'proto' take a port range? */
bool
vpc_sg_protocol_has_ports(int proto)
{
    return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

/* Does 's' look like an IPv6 block (as opposed to an IPv4 one)? */
bool
vpc_cidr_is_ipv6(const char *s)
{
    return strchr(s, ':') != NULL;
}

/* Checks that 's' is an IPv6 block in CIDR notation without host bits.
 * Returns NULL, or a malloc()'d error message. */
char *
vpc_cidr6_check(const char *s)
{
    struct in6_addr ip;
    unsigned int plen;

    if (!strchr(s, '/')) {
        return xasprintf("%s: invalid CIDR (expected ADDRESS/N)", s);
    }
    char *error = ipv6_parse_cidr(s, &ip, &plen);
    if (error) {
        free(error);
        return xasprintf("%s: invalid IPv6 CIDR", s);
    }
    struct in6_addr mask = ipv6_create_mask(plen);
    struct in6_addr net = ipv6_addr_bitand(&ip, &mask);
    if (!ipv6_addr_equals(&net, &ip)) {
        return xasprintf("%s: invalid CIDR (host bits are set)", s);
    }
    return NULL;
}

/* Sets '*min' and '*max' to the port range of a rule row of protocol
 * 'proto' whose optional port_min and port_max columns are 'min' (if
 * 'n_min') and 'max' (if 'n_max'): one of them alone is a single port.
 * Returns NULL, or a malloc()'d error (ports on a protocol without any, an
 * empty range); leaves them 0 without ports. */
char *
vpc_sg_port_range(int proto, const int64_t *min, size_t n_min,
                  const int64_t *max, size_t n_max,
                  uint16_t *minp, uint16_t *maxp)
{
    if (!n_min && !n_max) {
        return NULL;
    }
    if (!vpc_sg_protocol_has_ports(proto)) {
        return xstrdup("ports on a protocol without ports");
    }
    *minp = n_min ? *min : *max;
    *maxp = n_max ? *max : *minp;
    if (*minp > *maxp) {
        return xasprintf("port range %u-%u is empty", *minp, *maxp);
    }
    return NULL;
}

/* Fills in 'sg', group 'index' of the VPC whose row is 'vpc', as the
 * default group of a VPC without one: two rules, in 'r[0]' and 'r[1]',
 * ingress from its own members and all egress, each with the VPC's UUID
 * as its own. */
void
vpc_sg_implicit_default(const struct uuid *vpc, size_t index,
                        struct vpc_pl_sg *sg, struct vpc_pl_sg_rule *r)
{
    memset(sg, 0, sizeof *sg);
    memset(r, 0, 2 * sizeof *r);
    sg->uuid = *vpc;
    for (int i = 0; i < 2; i++) {
        r[i].uuid = *vpc;
        r[i].ingress = !i;
        r[i].priority = 100;
        r[i].proto = VPC_SG_PROTO_ALL;
        r[i].icmp_type = r[i].icmp_code = -1;
    }
    r[0].remote_is_group = true;
    r[0].remote_group = index;
    sg->rules = r;
    sg->n_rules = 2;
}

/* Parses 'row' into 'r' (zeroed), a rule of a VPC whose groups
 * 'find_group(uuid, aux)' numbers (SIZE_MAX: not one of them), as
 * vpc-controller builds it.  Returns NULL, or a malloc()'d error.  Sets
 * '*skip' for a rule that is valid but does not apply yet (IPv6). */
char *
vpc_sg_rule_to_pl(const struct vpcrec_security_group_rule *row,
                  size_t (*find_group)(const struct uuid *, const void *aux),
                  const void *aux, struct vpc_pl_sg_rule *r, bool *skip)
{
    int proto;
    char *error = vpc_sg_protocol_parse(row->protocol, &proto);
    if (error) {
        return error;
    }

    *skip = false;
    r->uuid = row->header_.uuid;
    r->ingress = !strcmp(row->direction, "ingress");
    r->deny = !strcmp(row->action, "deny");
    r->priority = row->priority;
    r->proto = proto;
    r->icmp_type = r->icmp_code = -1;
    error = vpc_sg_port_range(proto, row->port_min, row->n_port_min,
                              row->port_max, row->n_port_max,
                              &r->port_min, &r->port_max);
    if (error) {
        return error;
    }
    if (row->n_icmp_type || row->n_icmp_code) {
        if (proto != IPPROTO_ICMP || !row->n_icmp_type) {
            return xstrdup("ICMP code without ICMP type, or ICMP type on "
                           "another protocol");
        }
        r->icmp_type = *row->icmp_type;
        r->icmp_code = row->n_icmp_code ? *row->icmp_code : -1;
    }

    if (!row->remote_group == !row->remote_cidr) {
        return xstrdup("needs exactly one of remote_cidr and "
                       "remote_group");
    } else if (row->remote_group) {
        size_t g = find_group(&row->remote_group->header_.uuid, aux);
        if (g == SIZE_MAX) {
            return xasprintf("remote group %s is not a group of its VPC",
                             row->remote_group->name);
        }
        r->remote_is_group = true;
        r->remote_group = g;
    } else if (vpc_cidr_is_ipv6(row->remote_cidr)) {
        error = vpc_cidr6_check(row->remote_cidr);
        *skip = !error;
        return error;
    } else {
        struct vpc_cidr4 cidr;
        error = vpc_cidr4_parse(row->remote_cidr, &cidr);
        if (error) {
            return error;
        }
        r->remote_network = htonl(cidr.addr);
        r->remote_mask = htonl(vpc_cidr4_mask(&cidr));
    }
    return NULL;
}
