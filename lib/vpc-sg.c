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
