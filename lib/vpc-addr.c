/* IPv4 and Ethernet address helpers for ovs-vpc. */
#include <config.h>
#include "vpc-addr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "openvswitch/util.h"
#include "util.h"

/* Parses dotted-quad 's' into '*ip' (host byte order).  Returns NULL on
 * success, otherwise a malloc()'d error message. */
char *
vpc_ip4_parse(const char *s, uint32_t *ip)
{
    struct in_addr in;

    if (inet_pton(AF_INET, s, &in) != 1) {
        return xasprintf("%s: invalid IPv4 address", s);
    }
    *ip = ntohl(in.s_addr);
    return NULL;
}

/* Parses 's' of the form A.B.C.D/N into '*cidr'.  The host bits must be
 * zero.  Returns NULL on success, otherwise a malloc()'d error message. */
char *
vpc_cidr4_parse(const char *s, struct vpc_cidr4 *cidr)
{
    const char *slash = strchr(s, '/');
    if (!slash || slash == s || !slash[1]) {
        return xasprintf("%s: invalid CIDR (expected A.B.C.D/N)", s);
    }

    char *addr = xmemdup0(s, slash - s);
    uint32_t ip = 0;
    char *error = vpc_ip4_parse(addr, &ip);
    free(addr);
    if (error) {
        free(error);
        return xasprintf("%s: invalid CIDR (bad address)", s);
    }

    char *end;
    errno = 0;
    long plen = strtol(slash + 1, &end, 10);
    if (errno || *end || plen < 0 || plen > 32
        || !isdigit((unsigned char) slash[1])) {
        return xasprintf("%s: invalid CIDR (prefix length must be 0 to 32)",
                         s);
    }

    cidr->addr = ip;
    cidr->plen = plen;
    if (ip & ~vpc_cidr4_mask(cidr)) {
        return xasprintf("%s: invalid CIDR (host bits are set)", s);
    }
    return NULL;
}

/* Parses Ethernet address 's' (xx:xx:xx:xx:xx:xx) into '*ea'.  Only unicast,
 * nonzero addresses are accepted.  Returns NULL on success, otherwise a
 * malloc()'d error message. */
static int
hex_digit(char c)
{
    return (c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
            : -1);
}

/* Parses the canonical form xx:xx:xx:xx:xx:xx quickly (the controller
 * parses every port's MAC on every change). */
static bool
mac_parse_canonical(const char *s, struct eth_addr *ea)
{
    for (int i = 0; i < 6; i++) {
        const char *p = s + 3 * i;
        int hi = hex_digit(p[0]);
        int lo = hi < 0 ? -1 : hex_digit(p[1]);
        if (lo < 0 || p[2] != (i < 5 ? ':' : '\0')) {
            return false;
        }
        ea->ea[i] = hi << 4 | lo;
    }
    return true;
}

char *
vpc_mac_parse(const char *s, struct eth_addr *ea)
{
    if (!mac_parse_canonical(s, ea) && !eth_addr_from_string(s, ea)) {
        return xasprintf("%s: invalid MAC address", s);
    }
    if (eth_addr_is_multicast(*ea) || eth_addr_is_zero(*ea)) {
        return xasprintf("%s: MAC address must be unicast and nonzero", s);
    }
    return NULL;
}

/* Returns the netmask of 'cidr', in host byte order. */
uint32_t
vpc_cidr4_mask(const struct vpc_cidr4 *cidr)
{
    return cidr->plen ? UINT32_MAX << (32 - cidr->plen) : 0;
}

/* Returns the broadcast (last) address of 'cidr'. */
uint32_t
vpc_cidr4_broadcast(const struct vpc_cidr4 *cidr)
{
    return cidr->addr | ~vpc_cidr4_mask(cidr);
}

/* Returns true if 'ip' is inside 'cidr'. */
bool
vpc_cidr4_contains_ip(const struct vpc_cidr4 *cidr, uint32_t ip)
{
    return (ip & vpc_cidr4_mask(cidr)) == cidr->addr;
}

/* Returns true if all of 'inner' lies inside 'outer'. */
bool
vpc_cidr4_contains(const struct vpc_cidr4 *outer,
                   const struct vpc_cidr4 *inner)
{
    return inner->plen >= outer->plen
           && vpc_cidr4_contains_ip(outer, inner->addr);
}

/* Returns true if 'a' and 'b' share at least one address. */
bool
vpc_cidr4_overlaps(const struct vpc_cidr4 *a, const struct vpc_cidr4 *b)
{
    return vpc_cidr4_contains(a, b) || vpc_cidr4_contains(b, a);
}

/* Returns 'ip' as a malloc()'d dotted quad. */
char *
vpc_ip4_to_string(uint32_t ip)
{
    return xasprintf(IP_FMT, IP_ARGS(htonl(ip)));
}

/* Returns 'cidr' as a malloc()'d A.B.C.D/N string. */
char *
vpc_cidr4_to_string(const struct vpc_cidr4 *cidr)
{
    return xasprintf(IP_FMT"/%u", IP_ARGS(htonl(cidr->addr)), cidr->plen);
}
