/* DHCP option settings of VPCs and subnets (VPC and Subnet 'dhcp_options'),
 * checked the same way by vpc-ctl (which refuses bad ones) and
 * vpc-controller (which ignores them). */
#ifndef VPC_DHCP_H
#define VPC_DHCP_H 1

#include <stdbool.h>
#include <stdint.h>
#include "openvswitch/compiler.h"
#include "openvswitch/types.h"

struct smap;

#define VPC_DHCP_MAX_DNS 4
#define VPC_DHCP_LEASE_DEFAULT 86400
#define VPC_DHCP_LEASE_MIN 60
#define VPC_DHCP_LEASE_MAX 4294967294u   /* 0xffffffff means infinite. */
#define VPC_DHCP_MTU_MIN 576
#define VPC_DHCP_MTU_MAX 9000

/* What a subnet's DHCP server hands out, from its VPC's settings and its
 * own. */
struct vpc_dhcp_config {
    bool enabled;
    ovs_be32 dns[VPC_DHCP_MAX_DNS];
    int n_dns;
    char domain[254];           /* "" if none. */
    uint32_t lease_time;
    int mtu;                    /* An upper bound, 0 if none. */
};

char *vpc_dhcp_check(const char *key, const char *value, bool subnet)
    OVS_WARN_UNUSED_RESULT;
const char *vpc_dhcp_keys(bool subnet);

void vpc_dhcp_config_init(struct vpc_dhcp_config *);
void vpc_dhcp_config_apply(struct vpc_dhcp_config *, const struct smap *,
                           bool subnet);

bool vpc_dhcp_hostname_is_valid(const char *);

#endif /* vpc-dhcp.h */
