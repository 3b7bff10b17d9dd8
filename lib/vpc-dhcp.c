#include <config.h>
#include "vpc-dhcp.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "openvswitch/util.h"
#include "packets.h"
#include "smap.h"
#include "util.h"

static char *
parse_dns(const char *value, ovs_be32 dns[VPC_DHCP_MAX_DNS], int *n_dns)
{
    char *copy = xstrdup(value);
    char *save = NULL;
    char *error = NULL;
    int n = 0;

    for (char *s = strtok_r(copy, ",", &save); s;
         s = strtok_r(NULL, ",", &save)) {
        ovs_be32 ip;
        if (n >= VPC_DHCP_MAX_DNS) {
            error = xasprintf("dns: at most %d servers", VPC_DHCP_MAX_DNS);
            break;
        }
        if (!ip_parse(s, &ip) || !ip || ip == htonl(UINT32_MAX)) {
            error = xasprintf("dns: \"%s\" is not an IPv4 address", s);
            break;
        }
        dns[n++] = ip;
    }
    if (!error && !n) {
        error = xstrdup("dns: no address");
    }
    free(copy);
    *n_dns = error ? 0 : n;
    return error;
}

/* True if 's' is a domain name: dot-separated labels of 1 to 63 letters,
 * digits and hyphens, not starting or ending with a hyphen, 253 characters
 * at most. */
static bool
is_domain_name(const char *s)
{
    size_t len = strlen(s);
    if (!len || len > 253) {
        return false;
    }
    const char *label = s;
    for (const char *p = s; ; p++) {
        if (*p == '.' || !*p) {
            size_t n = p - label;
            if (!n || n > 63 || label[0] == '-' || p[-1] == '-') {
                return false;
            }
            if (!*p) {
                return true;
            }
            label = p + 1;
        } else if (!isalnum((unsigned char) *p) && *p != '-') {
            return false;
        }
    }
}

/* True if 's' can be handed out as a host name (option 12). */
bool
vpc_dhcp_hostname_is_valid(const char *s)
{
    return is_domain_name(s);
}

static bool
parse_uint(const char *s, unsigned long long min, unsigned long long max,
           unsigned long long *value)
{
    char *end;
    if (!isdigit((unsigned char) s[0])) {
        return false;
    }
    errno = 0;
    *value = strtoull(s, &end, 10);
    return !errno && !*end && *value >= min && *value <= max;
}

/* Returns NULL if 'value' is a good value of DHCP option setting 'key' for
 * a subnet ('subnet') or a VPC, else a message (to free) that says why
 * not. */
char *
vpc_dhcp_check(const char *key, const char *value, bool subnet)
{
    unsigned long long n;

    if (!strcmp(key, "dns")) {
        ovs_be32 dns[VPC_DHCP_MAX_DNS];
        int n_dns;
        return parse_dns(value, dns, &n_dns);
    } else if (!strcmp(key, "domain")) {
        return (is_domain_name(value) ? NULL
                : xasprintf("domain: \"%s\" is not a domain name", value));
    } else if (!strcmp(key, "lease_time")) {
        return (parse_uint(value, VPC_DHCP_LEASE_MIN, VPC_DHCP_LEASE_MAX, &n)
                ? NULL
                : xasprintf("lease_time: \"%s\" is not a number of seconds "
                            "from %d to %u", value, VPC_DHCP_LEASE_MIN,
                            VPC_DHCP_LEASE_MAX));
    } else if (!strcmp(key, "mtu")) {
        return (parse_uint(value, VPC_DHCP_MTU_MIN, VPC_DHCP_MTU_MAX, &n)
                ? NULL
                : xasprintf("mtu: \"%s\" is not a number from %d to %d",
                            value, VPC_DHCP_MTU_MIN, VPC_DHCP_MTU_MAX));
    } else if (subnet && !strcmp(key, "enabled")) {
        return (!strcmp(value, "true") || !strcmp(value, "false") ? NULL
                : xasprintf("enabled: \"%s\" is neither true nor false",
                            value));
    } else {
        return xasprintf("%s: unknown DHCP option (known: %s)", key,
                         vpc_dhcp_keys(subnet));
    }
}

/* The keys a VPC's or ('subnet') a subnet's 'dhcp_options' may hold. */
const char *
vpc_dhcp_keys(bool subnet)
{
    return (subnet ? "enabled, dns, domain, lease_time, mtu"
            : "dns, domain, lease_time, mtu");
}

void
vpc_dhcp_config_init(struct vpc_dhcp_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->enabled = true;
    cfg->lease_time = VPC_DHCP_LEASE_DEFAULT;
}

/* Applies to 'cfg' the good settings in 'options' (a VPC's, then a
 * subnet's, 'subnet'), each replacing what was there; bad ones are
 * skipped (vpc_dhcp_check() says why). */
void
vpc_dhcp_config_apply(struct vpc_dhcp_config *cfg,
                      const struct smap *options, bool subnet)
{
    struct smap_node *node;

    SMAP_FOR_EACH (node, options) {
        char *error = vpc_dhcp_check(node->key, node->value, subnet);
        if (error) {
            free(error);
            continue;
        }
        if (!strcmp(node->key, "dns")) {
            char *e = parse_dns(node->value, cfg->dns, &cfg->n_dns);
            free(e);
        } else if (!strcmp(node->key, "domain")) {
            ovs_strlcpy(cfg->domain, node->value, sizeof cfg->domain);
        } else if (!strcmp(node->key, "lease_time")) {
            cfg->lease_time = strtoul(node->value, NULL, 10);
        } else if (!strcmp(node->key, "mtu")) {
            cfg->mtu = atoi(node->value);
        } else if (!strcmp(node->key, "enabled")) {
            cfg->enabled = !strcmp(node->value, "true");
        }
    }
}
