/* vpc-ctl commands for the way out of VPCs: external networks (ext-net-*),
 * gateway groups (gw-group-*, vpc-set-gateway) and NAT rules (snat-add,
 * eip-add, nat-*), each with its prerequisites, in
 * vpc_ctl_gateway_commands. */
#include <config.h>

#include "vpc-ctl-gateway.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "svec.h"
#include "util.h"
#include "uuid.h"
#include "vpc-addr.h"
#include "vpc-ctl-alloc.h"
#include "vpc-ctl-common.h"
#include "vpc-ctl-vpc.h"
#include "vpc-idl.h"

#define VPC_CT_ZONE_MAX 65535      /* Conntrack zones are 16 bits. */

/* --------------------------------------------------- External networks */

/* Parses the CIDR and next hop of 'net', validated when they were
 * written. */
static bool
parse_ext_net(struct ctl_context *ctx,
              const struct vpcrec_external_network *net,
              struct vpc_ctl_pool *pool)
{
    *pool = (struct vpc_ctl_pool) {
        .what = "external network",
        .name = net->name,
        .cidr_s = net->cidr,
        .reserved_what = "next hop",
    };
    if (!vpc_ctl_parse_row_cidr(ctx, net->name, net->cidr, &pool->cidr)) {
        return false;
    }
    char *error = vpc_ip4_parse(net->next_hop, &pool->reserved);
    if (error) {
        ctl_error(ctx, "external network %s has an invalid next hop in the "
                  "database: %s", net->name, error);
        free(error);
        return false;
    }
    return true;
}

/* Validates the arguments of ext-net-add.  On success returns NULL and
 * stores the normalized CIDR and next hop, which the caller frees. */
static char *
ext_net_parse_args(const char *cidr_s, const char *next_hop_s,
                   const char *physnet, struct vpc_cidr4 *cidr,
                   char **cidr_norm, char **next_hop_norm)
{
    uint32_t next_hop;

    char *error = vpc_cidr4_parse(cidr_s, cidr);
    if (error) {
        return error;
    }
    if (cidr->plen > 30) {
        return xasprintf("%s: an external network needs a prefix of /30 or "
                         "shorter (room for a next hop and an outside "
                         "address)", cidr_s);
    }
    error = vpc_ip4_parse(next_hop_s, &next_hop);
    if (error) {
        return error;
    }
    if (!vpc_cidr4_contains_ip(cidr, next_hop) || next_hop == cidr->addr
        || next_hop == vpc_cidr4_broadcast(cidr)) {
        return xasprintf("next hop %s is not a usable address of %s",
                         next_hop_s, cidr_s);
    }
    if (!physnet[0]) {
        return xstrdup("--physnet needs a physical network name");
    }
    *cidr_norm = vpc_cidr4_to_string(cidr);
    *next_hop_norm = vpc_ip4_to_string(next_hop);
    return NULL;
}

static void
cmd_ext_net_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const char *physnet = vpc_ctl_option(ctx, "--physnet");
    if (!physnet) {
        physnet = "external";
    }

    struct vpc_cidr4 cidr;
    char *cidr_s = NULL, *next_hop_s = NULL;
    if (!vpc_ctl_check(ctx, ext_net_parse_args(ctx->argv[2], ctx->argv[3],
                                               physnet, &cidr, &cidr_s,
                                               &next_hop_s))) {
        return;
    }

    const struct vpcrec_external_network *net
        = VPC_CTL_LOOKUP(ctx, external_network, name, false);
    if (net) {
        if (!vpc_ctl_has_option(ctx, "--may-exist")) {
            ctl_error(ctx, "%s: an external network with this name already "
                      "exists", name);
        } else if (strcmp(net->cidr, cidr_s)
                   || strcmp(net->next_hop, next_hop_s)
                   || strcmp(net->physical_network, physnet)) {
            ctl_error(ctx, "%s: external network exists with CIDR %s, next "
                      "hop %s, physical network %s", name, net->cidr,
                      net->next_hop, net->physical_network);
        }
        goto out;
    }

    /* Outside addresses are unique in the whole database (NAT's index), so
     * external networks never overlap. */
    if (vpc_ctl_refuse_if_overlaps(ctx, &vpcrec_table_external_network,
                                   &vpcrec_external_network_col_cidr, NULL,
                                   NULL, &cidr, cidr_s)) {
        goto out;
    }

    net = VPC_CTL_INSERT(ctx, external_network);
    vpcrec_external_network_set_name(net, name);
    vpcrec_external_network_set_cidr(net, cidr_s);
    vpcrec_external_network_set_next_hop(net, next_hop_s);
    vpcrec_external_network_set_physical_network(net, physnet);
    vpc_ctl_claim_allocation(ctx);

out:
    free(cidr_s);
    free(next_hop_s);
}

static void
cmd_ext_net_del(struct ctl_context *ctx)
{
    const struct vpcrec_external_network *net
        = VPC_CTL_LOOKUP(ctx, external_network, ctx->argv[1],
                         !vpc_ctl_has_option(ctx, "--if-exists"));
    if (!net || vpc_ctl_refuse_if_used(
                    ctx, &net->header_, &vpcrec_table_gateway_group,
                    &vpcrec_gateway_group_col_external_network,
                    "delete them first")) {
        return;
    }
    vpcrec_external_network_delete(net);
    vpc_ctl_claim_allocation(ctx);
}

static void
put_ext_net(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_external_network *net
        = VPC_CTL_ROW(external_network, row);

    ds_put_format(&ctx->output, "%s cidr=%s next_hop=%s "
                  "physical_network=%s\n", net->name, net->cidr,
                  net->next_hop, net->physical_network);
}

static void
cmd_ext_net_list(struct ctl_context *ctx)
{
    vpc_ctl_list(ctx, &vpcrec_table_external_network, NULL, NULL,
                 put_ext_net);
}

/* ------------------------------------------------------ Gateway groups */

#define GW_PRIORITY_MAX 32767
#define GW_PRIORITY_DEFAULT 100     /* Of the first chassis listed. */

/* Parses the CHASSIS[:PRIORITY] arguments of gw-group-add into chassis
 * names (as in the Chassis table) and priorities.  Each chassis must be a
 * gateway with a bridge for 'net', and appear once; priorities must differ,
 * so that which gateway is active is never a tie. */
static bool
parse_gw_chassis(struct ctl_context *ctx,
                 const struct vpcrec_external_network *net, char *args[],
                 size_t n, struct svec *names, int64_t *prios)
{
    for (size_t i = 0; i < n; i++) {
        const char *arg = args[i];
        const char *colon = strrchr(arg, ':');
        long long prio = GW_PRIORITY_DEFAULT - (long long) i;

        if (colon) {
            char *end;
            errno = 0;
            prio = strtoll(colon + 1, &end, 10);
            if (errno || *end || !colon[1] || prio < 0
                || prio > GW_PRIORITY_MAX) {
                ctl_error(ctx, "%s: priority must be an integer from 0 to "
                          "%d", arg, GW_PRIORITY_MAX);
                return false;
            }
        } else if (prio < 0) {
            ctl_error(ctx, "%s: no default priority is left after %d "
                      "chassis; give CHASSIS:PRIORITY", arg,
                      GW_PRIORITY_DEFAULT + 1);
            return false;
        }

        char *ch_name = colon ? xmemdup0(arg, colon - arg) : xstrdup(arg);
        const struct vpcrec_chassis *ch = VPC_CTL_LOOKUP(ctx, chassis,
                                                         ch_name, true);
        free(ch_name);
        if (!ch) {
            return false;
        }
        if (strcmp(ch->role, "gateway")) {
            ctl_error(ctx, "chassis %s is a %s chassis, not a gateway",
                      ch->name, ch->role);
            return false;
        }
        if (!smap_get(&ch->bridge_mappings, net->physical_network)) {
            ctl_error(ctx, "chassis %s has no bridge mapping for physical "
                      "network %s (of external network %s)", ch->name,
                      net->physical_network, net->name);
            return false;
        }
        for (size_t j = 0; j < i; j++) {
            if (!strcmp(names->names[j], ch->name)) {
                ctl_error(ctx, "chassis %s is listed twice", ch->name);
                return false;
            } else if (prios[j] == prio) {
                ctl_error(ctx, "chassis %s and %s have the same priority "
                          "%lld; priorities must differ", names->names[j],
                          ch->name, prio);
                return false;
            }
        }
        svec_add(names, ch->name);
        prios[i] = prio;
    }
    return true;
}

/* Does 'group' have exactly these chassis and priorities? */
static bool
gw_group_has_priorities(const struct vpcrec_gateway_group *group,
                        const struct svec *names, const int64_t *prios)
{
    if (group->n_priorities != names->n) {
        return false;
    }
    for (size_t i = 0; i < names->n; i++) {
        size_t j;
        for (j = 0; j < group->n_priorities; j++) {
            if (!strcmp(group->key_priorities[j], names->names[i])) {
                break;
            }
        }
        if (j >= group->n_priorities
            || group->value_priorities[j] != prios[i]) {
            return false;
        }
    }
    return true;
}

/* Prints the chassis of 'group' as "gw1:100,gw2:99", highest priority
 * (the preferred gateway) first. */
static void
put_gw_priorities(struct ds *s, const struct vpcrec_gateway_group *group)
{
    size_t n = group->n_priorities;
    bool *done = xcalloc(n ? n : 1, sizeof *done);

    for (size_t k = 0; k < n; k++) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < n; i++) {
            if (!done[i] && (best == SIZE_MAX
                             || group->value_priorities[i]
                                > group->value_priorities[best])) {
                best = i;
            }
        }
        done[best] = true;
        ds_put_format(s, "%s%s:%"PRId64, k ? "," : "",
                      group->key_priorities[best],
                      group->value_priorities[best]);
    }
    free(done);
}

static void
cmd_gw_group_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const struct vpcrec_external_network *net
        = VPC_CTL_LOOKUP(ctx, external_network, ctx->argv[2], true);
    if (!net) {
        return;
    }

    size_t n = ctx->argc - 3;
    struct svec names = SVEC_EMPTY_INITIALIZER;
    int64_t *prios = xmalloc(n * sizeof *prios);
    if (!parse_gw_chassis(ctx, net, &ctx->argv[3], n, &names, prios)) {
        goto out;
    }

    const struct vpcrec_gateway_group *group
        = VPC_CTL_LOOKUP(ctx, gateway_group, name, false);
    if (group) {
        if (!vpc_ctl_has_option(ctx, "--may-exist")) {
            ctl_error(ctx, "%s: a gateway group with this name already "
                      "exists", name);
        } else if (group->external_network != net
                   || !gw_group_has_priorities(group, &names, prios)) {
            struct ds s = DS_EMPTY_INITIALIZER;
            put_gw_priorities(&s, group);
            ctl_error(ctx, "%s: gateway group exists with external network "
                      "%s and chassis %s", name,
                      group->external_network
                      ? group->external_network->name : "", ds_cstr(&s));
            ds_destroy(&s);
        } else {
            ds_put_format(&ctx->output, "gw-group %s mac=%s\n", group->name,
                          group->mac);
        }
        goto out;
    }

    char mac[ETH_ADDR_STRLEN + 1];
    if (!vpc_ctl_mac_claim(ctx, NULL, mac)) {
        goto out;
    }
    group = VPC_CTL_INSERT(ctx, gateway_group);
    vpcrec_gateway_group_set_name(group, name);
    vpcrec_gateway_group_set_external_network(group, net);
    vpcrec_gateway_group_set_priorities(group, (const char **) names.names,
                                        prios, n);
    vpcrec_gateway_group_set_mac(group, mac);
    vpc_ctl_claim_allocation(ctx);
    ds_put_format(&ctx->output, "gw-group %s mac=%s\n", name, mac);

out:
    svec_destroy(&names);
    free(prios);
}

static void
cmd_gw_group_del(struct ctl_context *ctx)
{
    const struct vpcrec_gateway_group *group
        = VPC_CTL_LOOKUP(ctx, gateway_group, ctx->argv[1],
                         !vpc_ctl_has_option(ctx, "--if-exists"));
    if (!group || vpc_ctl_refuse_if_used(
                      ctx, &group->header_, &vpcrec_table_vpc,
                      &vpcrec_vpc_col_gateway_group,
                      "clear it with vpc-set-gateway first")) {
        return;
    }
    vpc_ctl_mac_release(ctx, group->mac);
    vpcrec_gateway_group_delete(group);
    vpc_ctl_claim_allocation(ctx);
}

static void
put_gw_group(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_gateway_group *group
        = VPC_CTL_ROW(gateway_group, row);

    ds_put_format(&ctx->output, "%s external_network=%s mac=%s chassis=",
                  group->name, (group->external_network
                                ? group->external_network->name : ""),
                  group->mac);
    put_gw_priorities(&ctx->output, group);
    ds_put_char(&ctx->output, '\n');
}

static void
cmd_gw_group_list(struct ctl_context *ctx)
{
    vpc_ctl_list(ctx, &vpcrec_table_gateway_group, NULL, NULL,
                 put_gw_group);
}

/* ----------------------------------------------------------------- NAT */

/* Deletes the NAT rows of 'vpc' in the transaction of 'ctx'. */
void
vpc_ctl_delete_vpc_nats(struct ctl_context *ctx,
                        const struct vpcrec_vpc *vpc)
{
    const struct vpcrec_nat *nat, *next;

    VPCREC_NAT_FOR_EACH_SAFE (nat, next, ctx->idl) {
        if (nat->vpc == vpc) {
            vpcrec_nat_delete(nat);
        }
    }
}

/* Returns the NAT row whose outside address is 'ip', if any. */
static const struct vpcrec_nat *
nat_find_external_ip(struct ctl_context *ctx, uint32_t ip)
{
    const struct vpcrec_nat *nat;

    VPCREC_NAT_FOR_EACH (nat, ctx->idl) {
        uint32_t other;
        char *error = vpc_ip4_parse(nat->external_ip, &other);
        if (!error && other == ip) {
            return nat;
        }
        free(error);
    }
    return NULL;
}

/* Looks up a NAT row by outside address or UUID. */
static const struct vpcrec_nat *
nat_lookup(struct ctl_context *ctx, const char *id, bool must_exist)
{
    const struct vpcrec_nat *nat = NULL;
    struct uuid uuid;
    uint32_t ip;

    char *error = vpc_ip4_parse(id, &ip);
    if (!error) {
        nat = nat_find_external_ip(ctx, ip);
    } else if (uuid_from_string(&uuid, id)) {
        nat = vpcrec_nat_get_for_uuid(ctx->idl, &uuid);
    }
    free(error);
    if (!nat && must_exist) {
        ctl_error(ctx, "%s: NAT rule not found", id);
    }
    return nat;
}

/* Prints 'nat' as "TYPE EXTERNAL_IP logical_ip=IP [vpc=VPC] [port=PORT]",
 * where an elastic IP whose port was deleted shows "unbound". */
void
vpc_ctl_put_nat(struct ds *s, const struct vpcrec_nat *nat, bool with_vpc)
{
    ds_put_format(s, "%s %s logical_ip=%s", nat->type, nat->external_ip,
                  nat->logical_ip);
    if (with_vpc) {
        ds_put_format(s, " vpc=%s", nat->vpc ? nat->vpc->name : "");
    }
    if (!strcmp(nat->type, "eip")) {
        if (nat->port) {
            ds_put_format(s, " port=%s", nat->port->name);
        } else {
            ds_put_cstr(s, " unbound");
        }
    }
}

/* Describes the user of an outside address for an error message. */
static void
put_nat_user(struct ds *s, const struct vpcrec_nat *nat)
{
    const char *vpc = nat->vpc ? nat->vpc->name : "";

    if (!strcmp(nat->type, "snat")) {
        ds_put_format(s, "the SNAT of %s in VPC %s", nat->logical_ip, vpc);
    } else if (nat->port) {
        ds_put_format(s, "the elastic IP of port %s in VPC %s",
                      nat->port->name, vpc);
    } else {
        ds_put_format(s, "an unbound elastic IP of VPC %s", vpc);
    }
}

static int
compare_uint32(const void *a_, const void *b_)
{
    const uint32_t *a = a_;
    const uint32_t *b = b_;
    return *a < *b ? -1 : *a > *b;
}

/* The outside addresses of the NAT rows, sorted. */
struct nat_ips {
    uint32_t *ips;
    size_t n;
};

static bool
external_ip_in_use(const void *used_, uint32_t ip)
{
    const struct nat_ips *used = used_;

    return bsearch(&ip, used->ips, used->n, sizeof *used->ips,
                   compare_uint32) != NULL;
}

/* Validates outside address 's' for a new NAT row on 'net', or allocates
 * the lowest free one when 's' is NULL, "" or "dynamic".  Returns the
 * address as a malloc()'d string, or NULL with an error set.  The unique
 * index on NAT's external_ip backs this up against concurrent writers. */
static char *
external_ip_claim(struct ctl_context *ctx,
                  const struct vpcrec_external_network *net, const char *s)
{
    struct vpc_ctl_pool pool;
    uint32_t ip;

    if (!parse_ext_net(ctx, net, &pool)) {
        return NULL;
    }
    if (s && s[0] && strcmp(s, "dynamic")) {
        const struct vpcrec_nat *user;
        if (!vpc_ctl_pool_parse(ctx, &pool, s, &ip)) {
            return NULL;
        } else if ((user = nat_find_external_ip(ctx, ip)) != NULL) {
            struct ds who = DS_EMPTY_INITIALIZER;
            put_nat_user(&who, user);
            ctl_error(ctx, "%s is already used by %s", s, ds_cstr(&who));
            ds_destroy(&who);
            return NULL;
        }
    } else {
        struct nat_ips used;
        struct vpc_ctl_row *nats = vpc_ctl_sorted_rows(
            ctx, &vpcrec_table_nat, NULL, NULL, &used.n);
        used.ips = xmalloc((used.n ? used.n : 1) * sizeof *used.ips);
        for (size_t i = 0; i < used.n; i++) {
            used.ips[i] = nats[i].ip;
        }
        free(nats);

        pool.in_use = external_ip_in_use;
        pool.aux = &used;
        bool ok = vpc_ctl_pool_allocate(ctx, &pool, &ip);
        free(used.ips);
        if (!ok) {
            return NULL;
        }
    }
    return vpc_ip4_to_string(ip);
}

/* The external network through which 'vpc' reaches the outside, or NULL
 * with an error set. */
static const struct vpcrec_external_network *
vpc_external_network(struct ctl_context *ctx, const struct vpcrec_vpc *vpc)
{
    const struct vpcrec_gateway_group *group = vpc->gateway_group;

    if (!group || !group->external_network) {
        ctl_error(ctx, "VPC %s has no gateway group; set one with "
                  "vpc-set-gateway", vpc->name);
        return NULL;
    }
    return group->external_network;
}

/* Adds a NAT row, claims its address and prints it. */
static void
nat_insert(struct ctl_context *ctx, const char *type,
           const struct vpcrec_vpc *vpc, const char *external_ip,
           const char *logical_ip, const struct vpcrec_port *port)
{
    const struct vpcrec_nat *nat = VPC_CTL_INSERT(ctx, nat);

    vpcrec_nat_set_type(nat, type);
    vpcrec_nat_set_vpc(nat, vpc);
    vpcrec_nat_set_external_ip(nat, external_ip);
    vpcrec_nat_set_logical_ip(nat, logical_ip);
    vpcrec_nat_set_port(nat, port);
    vpc_ctl_claim_allocation(ctx);
    vpc_ctl_put_nat(&ctx->output, nat, true);
    ds_put_char(&ctx->output, '\n');
}

static void
cmd_vpc_set_gateway(struct ctl_context *ctx)
{
    const struct vpcrec_vpc *vpc
        = VPC_CTL_LOOKUP(ctx, vpc, ctx->argv[1], true);
    if (!vpc) {
        return;
    }
    const struct vpcrec_gateway_group *group = NULL;
    if (ctx->argc > 2) {
        group = VPC_CTL_LOOKUP(ctx, gateway_group, ctx->argv[2], true);
        if (!group) {
            return;
        }
        if (vpc->tunnel_key > VPC_CT_ZONE_MAX) {
            ctl_error(ctx, "%s: tunnel key %"PRId64" is above %d: gateways "
                      "use it as the VPC's conntrack zone for NAT", vpc->name,
                      vpc->tunnel_key, VPC_CT_ZONE_MAX);
            return;
        }
    }

    /* NAT rows use addresses of the old group's external network: they may
     * stay only if the new group is on the same network. */
    const struct vpcrec_gateway_group *old = vpc->gateway_group;
    size_t n_nats = vpc_ctl_count_rows(ctx, &vpcrec_table_nat,
                                       &vpcrec_nat_col_vpc, &vpc->header_);
    if (n_nats && (!group || !old
                   || group->external_network != old->external_network)) {
        if (!vpc_ctl_has_option(ctx, "--cascade")) {
            ctl_error(ctx, "%s: VPC still has %"PRIuSIZE" NAT rule(s) on "
                      "its external network; delete them first or use "
                      "--cascade", vpc->name, n_nats);
            return;
        }
        vpc_ctl_delete_vpc_nats(ctx, vpc);
    }
    vpcrec_vpc_set_gateway_group(vpc, group);
    /* snat-add and eip-add allocate on the group's network: a concurrent
     * one retries against the new group. */
    vpc_ctl_claim_allocation(ctx);
}

/* An SNAT block must be VPC addresses: inside the VPC's blocks when it has
 * any, else covering or inside at least one of its subnets. */
static bool
snat_cidr_in_vpc(struct ctl_context *ctx, const struct vpcrec_vpc *vpc,
                 const struct vpc_cidr4 *cidr, const char *cidr_s)
{
    if (vpc->n_cidrs) {
        return vpc_ctl_cidr_in_vpc(ctx, vpc, cidr, cidr_s);
    }

    const struct vpcrec_subnet *subnet;
    VPCREC_SUBNET_FOR_EACH (subnet, ctx->idl) {
        struct vpc_cidr4 block;
        if (subnet->vpc == vpc
            && vpc_ctl_cidr_parses(subnet->cidr, &block)
            && vpc_cidr4_overlaps(&block, cidr)) {
            return true;
        }
    }
    ctl_error(ctx, "%s overlaps no subnet of VPC %s", cidr_s, vpc->name);
    return false;
}

static void
cmd_snat_add(struct ctl_context *ctx)
{
    const char *cidr_s = ctx->argv[2];
    struct vpc_cidr4 cidr;
    if (!vpc_ctl_check(ctx, vpc_cidr4_parse(cidr_s, &cidr))) {
        return;
    }

    const struct vpcrec_vpc *vpc
        = VPC_CTL_LOOKUP(ctx, vpc, ctx->argv[1], true);
    if (!vpc) {
        return;
    }
    const struct vpcrec_external_network *net = vpc_external_network(ctx,
                                                                     vpc);
    if (!net || !snat_cidr_in_vpc(ctx, vpc, &cidr, cidr_s)) {
        return;
    }

    /* One rule per block: the longest prefix decides, so a second rule for
     * the same block would be a tie. */
    const struct vpcrec_nat *nat;
    VPCREC_NAT_FOR_EACH (nat, ctx->idl) {
        struct vpc_cidr4 other;
        if (nat->vpc == vpc && !strcmp(nat->type, "snat")
            && vpc_ctl_cidr_parses(nat->logical_ip, &other)
            && other.addr == cidr.addr && other.plen == cidr.plen) {
            ctl_error(ctx, "VPC %s already has an SNAT rule for %s (%s)",
                      vpc->name, nat->logical_ip, nat->external_ip);
            return;
        }
    }

    char *external_ip = external_ip_claim(ctx, net,
                                          ctx->argc > 3 ? ctx->argv[3] : NULL);
    if (external_ip) {
        char *logical_ip = vpc_cidr4_to_string(&cidr);
        nat_insert(ctx, "snat", vpc, external_ip, logical_ip, NULL);
        free(logical_ip);
        free(external_ip);
    }
}

static void
cmd_eip_add(struct ctl_context *ctx)
{
    const struct vpcrec_vpc *vpc
        = VPC_CTL_LOOKUP(ctx, vpc, ctx->argv[1], true);
    if (!vpc) {
        return;
    }
    const struct vpcrec_port *port = vpc_ctl_port_lookup(ctx, ctx->argv[2],
                                                         true);
    if (!port) {
        return;
    }
    const struct vpcrec_vpc *port_vpc = port->subnet ? port->subnet->vpc
                                                     : NULL;
    if (port_vpc != vpc) {
        ctl_error(ctx, "port %s is in VPC %s, not %s", port->name,
                  port_vpc ? port_vpc->name : "(none)", vpc->name);
        return;
    }
    const struct vpcrec_external_network *net = vpc_external_network(ctx,
                                                                     vpc);
    if (!net) {
        return;
    }

    /* The port's first IPv4 address. */
    char *logical_ip = NULL;
    for (size_t i = 0; i < port->n_ips && !logical_ip; i++) {
        uint32_t ip;
        char *error = vpc_ip4_parse(port->ips[i], &ip);
        if (!error) {
            logical_ip = vpc_ip4_to_string(ip);
        }
        free(error);
    }
    if (!logical_ip) {
        ctl_error(ctx, "port %s has no IPv4 address", port->name);
        return;
    }

    const struct vpcrec_nat *nat;
    VPCREC_NAT_FOR_EACH (nat, ctx->idl) {
        if (nat->port == port && !strcmp(nat->type, "eip")) {
            ctl_error(ctx, "port %s already has elastic IP %s", port->name,
                      nat->external_ip);
            free(logical_ip);
            return;
        }
    }

    char *external_ip = external_ip_claim(ctx, net,
                                          ctx->argc > 3 ? ctx->argv[3] : NULL);
    if (external_ip) {
        nat_insert(ctx, "eip", vpc, external_ip, logical_ip, port);
        free(external_ip);
    }
    free(logical_ip);
}

static void
cmd_nat_del(struct ctl_context *ctx)
{
    const struct vpcrec_nat *nat
        = nat_lookup(ctx, ctx->argv[1],
                     !vpc_ctl_has_option(ctx, "--if-exists"));
    if (nat) {
        vpcrec_nat_delete(nat);
        vpc_ctl_claim_allocation(ctx);
    }
}

static void
put_nat_line(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    vpc_ctl_put_nat(&ctx->output, VPC_CTL_ROW(nat, row), true);
    ds_put_char(&ctx->output, '\n');
}

static void
cmd_nat_list(struct ctl_context *ctx)
{
    vpc_ctl_list(ctx, &vpcrec_table_nat, &vpcrec_table_vpc,
                 &vpcrec_nat_col_vpc, put_nat_line);
}

/* ------------------------------------------------------- Prerequisites
 *
 * Each command replicates only the columns it reads, so that a command on
 * a big database loads as little as it can. */

/* External networks, and the gateway groups that use them. */
static void
pre_ext_nets(struct ctl_context *ctx)
{
    vpc_ctl_pre_global(ctx);
    vpc_ctl_pre_name(ctx, &vpcrec_external_network_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_external_network_col_cidr);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_external_network_col_next_hop);
    ovsdb_idl_add_column(ctx->idl,
                         &vpcrec_external_network_col_physical_network);
    vpc_ctl_pre_name(ctx, &vpcrec_gateway_group_col_name);
    ovsdb_idl_add_column(ctx->idl,
                         &vpcrec_gateway_group_col_external_network);
}

/* Gateway groups, their chassis, and the VPCs that use them. */
static void
pre_gw_groups(struct ctl_context *ctx)
{
    vpc_ctl_pre_subnets(ctx);
    pre_ext_nets(ctx);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_gateway_group_col_priorities);
    vpc_ctl_pre_name(ctx, &vpcrec_chassis_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_col_role);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_col_bridge_mappings);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_vpc_col_gateway_group);
}

/* Prerequisites of the commands in 'ctx' that read NAT rows: their VPCs'
 * gateway groups, external networks, subnets and ports too. */
void
vpc_ctl_pre_nats(struct ctl_context *ctx)
{
    pre_gw_groups(ctx);
    vpc_ctl_pre_ports(ctx);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_nat_col_type);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_nat_col_vpc);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_nat_col_external_ip);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_nat_col_logical_ip);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_nat_col_port);
}

/* ------------------------------------------------------------- Commands */

const struct ctl_command_syntax vpc_ctl_gateway_commands[] = {
    {"ext-net-add", 3, 3, "NAME CIDR NEXT_HOP [--physnet=NAME]",
     pre_ext_nets, cmd_ext_net_add, NULL, "--may-exist,--physnet=", RW},
    {"ext-net-del", 1, 1, "NAME", pre_ext_nets, cmd_ext_net_del, NULL,
     "--if-exists", RW},
    {"ext-net-list", 0, 0, "", pre_ext_nets, cmd_ext_net_list, NULL, "",
     RO},
    {"gw-group-add", 3, INT_MAX, "GROUP EXT_NET CHASSIS[:PRIORITY]...",
     pre_gw_groups, cmd_gw_group_add, NULL, "--may-exist", RW},
    {"gw-group-del", 1, 1, "GROUP", pre_gw_groups, cmd_gw_group_del, NULL,
     "--if-exists", RW},
    {"gw-group-list", 0, 0, "", pre_gw_groups, cmd_gw_group_list, NULL, "",
     RO},
    {"vpc-set-gateway", 1, 2, "VPC [GROUP]", vpc_ctl_pre_nats,
     cmd_vpc_set_gateway, NULL, "--cascade", RW},
    {"snat-add", 2, 3, "VPC CIDR [EXTERNAL_IP]", vpc_ctl_pre_nats,
     cmd_snat_add, NULL, "", RW},
    {"eip-add", 2, 3, "VPC PORT [EXTERNAL_IP]", vpc_ctl_pre_nats,
     cmd_eip_add, NULL, "", RW},
    {"nat-del", 1, 1, "EXTERNAL_IP", vpc_ctl_pre_nats, cmd_nat_del, NULL,
     "--if-exists", RW},
    {"nat-list", 0, 1, "[VPC]", vpc_ctl_pre_nats, cmd_nat_list, NULL, "",
     RO},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};
