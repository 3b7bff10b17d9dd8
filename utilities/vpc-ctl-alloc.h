/* vpc-ctl: MAC and IP addresses that commands allocate, and the indexes
 * that make allocation fast in big batches. */
#ifndef VPC_CTL_ALLOC_H
#define VPC_CTL_ALLOC_H 1

#include <stdbool.h>
#include <stdint.h>

#include "packets.h"
#include "vpc-addr.h"

struct ctl_context;
struct vpc_ctl_context;
struct vpcrec_port;
struct sset;
struct vpcrec_subnet;
struct vpcrec_vpc_global;

/* MAC addresses of ports, subnet gateways and gateway groups. */
bool vpc_ctl_mac_claim(struct ctl_context *, const char *s,
                       char buf[ETH_ADDR_STRLEN + 1]);
void vpc_ctl_mac_release(struct ctl_context *, const char *s);
void vpc_ctl_mac_normalize(const struct eth_addr *,
                           char buf[ETH_ADDR_STRLEN + 1]);
void vpc_ctl_mac_predict(const struct vpcrec_vpc_global *, size_t n,
                         struct sset *macs);

/* A block that commands give addresses out of: a subnet, to ports, or an
 * external network, to NAT rules. */
struct vpc_ctl_pool {
    const char *what;           /* "subnet" or "external network". */
    const char *name;           /* Its name. */
    const char *cidr_s;         /* Its CIDR, as in the database. */
    struct vpc_cidr4 cidr;      /* Its CIDR, parsed. */
    uint32_t reserved;          /* Its gateway's or next hop's address. */
    const char *reserved_what;  /* "gateway address" or "next hop". */

    /* Which addresses are in use: every one below 'start', and those for
     * which 'in_use' returns true. */
    uint32_t start;
    bool (*in_use)(const void *aux, uint32_t ip);
    const void *aux;
};

bool vpc_ctl_pool_parse(struct ctl_context *, const struct vpc_ctl_pool *,
                        const char *s, uint32_t *ip);
bool vpc_ctl_pool_allocate(struct ctl_context *, const struct vpc_ctl_pool *,
                           uint32_t *ip);

/* IP addresses of ports, and ports by name. */
char *vpc_ctl_ip_claim(struct ctl_context *, const struct vpcrec_subnet *,
                       const char *s);
const struct vpcrec_port *vpc_ctl_port_lookup(struct ctl_context *,
                                              const char *id,
                                              bool must_exist);
void vpc_ctl_index_port(struct vpc_ctl_context *, const struct vpcrec_port *,
                        bool add);

#endif /* vpc-ctl-alloc.h */
