/* Address parsing and validation shared by vpc-ctl and vpc-controller. */
#ifndef VPC_ADDR_H
#define VPC_ADDR_H 1

#include <stdbool.h>
#include <stdint.h>
#include "openvswitch/types.h"
#include "packets.h"

/* An IPv4 block in host byte order: 'addr' has zero host bits. */
struct vpc_cidr4 {
    uint32_t addr;
    unsigned int plen;          /* 0...32 */
};

char *vpc_cidr4_parse(const char *s, struct vpc_cidr4 *)
    OVS_WARN_UNUSED_RESULT;
char *vpc_ip4_parse(const char *s, uint32_t *ip) OVS_WARN_UNUSED_RESULT;
char *vpc_mac_parse(const char *s, struct eth_addr *) OVS_WARN_UNUSED_RESULT;

uint32_t vpc_cidr4_mask(const struct vpc_cidr4 *);
uint32_t vpc_cidr4_broadcast(const struct vpc_cidr4 *);
bool vpc_cidr4_contains_ip(const struct vpc_cidr4 *, uint32_t ip);
bool vpc_cidr4_contains(const struct vpc_cidr4 *outer,
                        const struct vpc_cidr4 *inner);
bool vpc_cidr4_overlaps(const struct vpc_cidr4 *, const struct vpc_cidr4 *);
char *vpc_ip4_to_string(uint32_t ip);
char *vpc_cidr4_to_string(const struct vpc_cidr4 *);

#endif /* vpc-addr.h */
