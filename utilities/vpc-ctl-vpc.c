/* vpc-ctl commands for VPCs, subnets and ports: vpc-*, subnet-* and
 * port-*, each with its prerequisites, in vpc_ctl_vpc_commands. */
#include <config.h>

#include "vpc-ctl-vpc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bitmap.h"
#include "openvswitch/dynamic-string.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "svec.h"
#include "util.h"
#include "vpc-addr.h"
#include "vpc-ctl-acl.h"
#include "vpc-ctl-alloc.h"
#include "vpc-ctl-common.h"
#include "vpc-ctl-flowlog.h"
#include "vpc-ctl-gateway.h"
#include "vpc-ctl-misc.h"
#include "vpc-ctl-peering.h"
#include "vpc-ctl-route.h"
#include "vpc-ctl-sg.h"
#include "vpc-idl.h"

#define VPC_TUNNEL_KEY_MAX 16777215

/* ---------------------------------------------------------------- VPCs */

/* Returns the lowest tunnel key that no VPC has (VPC_TUNNEL_KEY_MAX + 1 if
 * none is left).  The keys in use are read once per transaction, and the
 * search goes on from where the last one ended: a batch of vpc-adds costs
 * the VPCs once, not once per vpc-add. */
static long long
lowest_free_tunnel_key(struct ctl_context *ctx)
{
    struct vpc_ctl_context *vctx = vpc_ctl_cast(ctx);

    if (!vctx->tunnel_keys) {
        const struct vpcrec_vpc *vpc;

        vctx->tunnel_keys = bitmap_allocate(VPC_TUNNEL_KEY_MAX + 1);
        VPCREC_VPC_FOR_EACH (vpc, ctx->idl) {
            if (vpc->tunnel_key > 0 && vpc->tunnel_key <= VPC_TUNNEL_KEY_MAX) {
                bitmap_set1(vctx->tunnel_keys, vpc->tunnel_key);
            }
        }
        vctx->tunnel_key_hint = 1;
    }
    long long key = bitmap_scan(vctx->tunnel_keys, 0, vctx->tunnel_key_hint,
                                VPC_TUNNEL_KEY_MAX + 1);
    vctx->tunnel_key_hint = key;
    return key;
}

static void
cmd_vpc_add(struct ctl_context *ctx)
{
    struct vpc_ctl_context *vctx = vpc_ctl_cast(ctx);
    const char *name = ctx->argv[1];
    const char *key_s = vpc_ctl_option(ctx, "--tunnel-key");
    const char *cidrs_s = vpc_ctl_option(ctx, "--cidr");

    /* Validate the arguments first. */
    long long key = 0;
    if (key_s) {
        char *end;
        errno = 0;
        key = strtoll(key_s, &end, 10);
        if (errno || *end || !key_s[0] || key < 1
            || key > VPC_TUNNEL_KEY_MAX) {
            ctl_error(ctx, "%s: tunnel key must be an integer from 1 to %d",
                      key_s, VPC_TUNNEL_KEY_MAX);
            return;
        }
    }

    struct svec cidrs = SVEC_EMPTY_INITIALIZER;
    struct vpc_cidr4 *blocks = NULL;
    size_t n_blocks = 0;
    char *copy = NULL;
    if (cidrs_s) {
        copy = xstrdup(cidrs_s);
        char *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
            struct vpc_cidr4 c;
            if (!vpc_ctl_check(ctx, vpc_cidr4_parse(t, &c))) {
                goto out;
            }
            for (size_t i = 0; i < n_blocks; i++) {
                if (vpc_cidr4_overlaps(&blocks[i], &c)) {
                    ctl_error(ctx, "%s overlaps %s", t, cidrs.names[i]);
                    goto out;
                }
            }
            blocks = xrealloc(blocks, (n_blocks + 1) * sizeof *blocks);
            blocks[n_blocks++] = c;
            svec_add(&cidrs, t);
        }
        if (!n_blocks) {
            ctl_error(ctx, "--cidr needs at least one CIDR");
            goto out;
        }
    }

    const struct vpcrec_vpc *vpc = VPC_CTL_LOOKUP(ctx, vpc, name, false);
    if (vpc) {
        if (!vpc_ctl_has_option(ctx, "--may-exist")) {
            ctl_error(ctx, "%s: a VPC with this name already exists", name);
        } else if (key_s && vpc->tunnel_key != key) {
            ctl_error(ctx, "%s: VPC exists with tunnel key %"PRId64", "
                      "not %lld", name, vpc->tunnel_key, key);
        } else {
            ds_put_format(&ctx->output, "vpc %s tunnel_key=%"PRId64"\n",
                          vpc->name, vpc->tunnel_key);
        }
        goto out;
    }
    if (!vpc_ctl_sg_check_default_name(ctx, name)
        || !vpc_ctl_rt_check_main_name(ctx, name)) {
        goto out;
    }

    /* Tunnel key: the given one if free, else the lowest free one. */
    const struct vpcrec_vpc *other;
    if (key) {
        VPCREC_VPC_FOR_EACH (other, ctx->idl) {
            if (other->tunnel_key == key) {
                ctl_error(ctx, "tunnel key %lld is already used by VPC %s",
                          key, other->name);
                goto out;
            }
        }
    } else {
        key = lowest_free_tunnel_key(ctx);
        if (key > VPC_TUNNEL_KEY_MAX) {
            ctl_error(ctx, "no free tunnel key left");
            goto out;
        }
    }

    vpc = VPC_CTL_INSERT(ctx, vpc);
    vpcrec_vpc_set_name(vpc, name);
    vpcrec_vpc_set_tunnel_key(vpc, key);
    if (vctx->tunnel_keys) {
        bitmap_set1(vctx->tunnel_keys, key);
    }
    vpcrec_vpc_set_cidrs(vpc, (const char **) cidrs.names, cidrs.n);
    vpc_ctl_sg_add_default(ctx, vpc);
    vpc_ctl_rt_add_main(ctx, vpc);
    vpc_ctl_claim_allocation(ctx);
    ds_put_format(&ctx->output, "vpc %s tunnel_key=%lld\n", name, key);

out:
    svec_destroy(&cidrs);
    free(blocks);
    free(copy);
}

static void delete_subnet(struct ctl_context *, const struct vpcrec_subnet *);

static void
cmd_vpc_del(struct ctl_context *ctx)
{
    const struct vpcrec_vpc *vpc
        = VPC_CTL_LOOKUP(ctx, vpc, ctx->argv[1],
                         !vpc_ctl_has_option(ctx, "--if-exists"));
    if (!vpc) {
        return;
    }

    size_t n_subnets = vpc_ctl_count_rows(ctx, &vpcrec_table_subnet,
                                          &vpcrec_subnet_col_vpc,
                                          &vpc->header_);
    size_t n_nats = vpc_ctl_count_rows(ctx, &vpcrec_table_nat,
                                       &vpcrec_nat_col_vpc, &vpc->header_);
    if (!vpc_ctl_has_option(ctx, "--cascade")) {
        if (n_subnets) {
            ctl_error(ctx, "%s: VPC still has %"PRIuSIZE" subnet(s); delete "
                      "them first or use --cascade", vpc->name, n_subnets);
            return;
        } else if (n_nats) {
            ctl_error(ctx, "%s: VPC still has %"PRIuSIZE" NAT rule(s); "
                      "delete them first or use --cascade", vpc->name,
                      n_nats);
            return;
        } else if (vpc_ctl_sg_refuse_vpc_del(ctx, vpc)
                   || vpc_ctl_acl_refuse_vpc_del(ctx, vpc)
                   || vpc_ctl_rt_refuse_vpc_del(ctx, vpc)
                   || vpc_ctl_peering_refuse_vpc_del(ctx, vpc)) {
            return;
        }
    }

    /* Rows that refer to others go first: routes, then the ports and
     * peerings they send to, then the tables. */
    vpc_ctl_delete_vpc_nats(ctx, vpc);
    vpc_ctl_rt_delete_vpc_routes(ctx, vpc);
    vpc_ctl_peering_delete_vpc(ctx, vpc);
    vpc_ctl_flowlog_delete_vpc(ctx, vpc);

    const struct vpcrec_subnet *subnet, *next;
    VPCREC_SUBNET_FOR_EACH_SAFE (subnet, next, ctx->idl) {
        if (subnet->vpc == vpc) {
            delete_subnet(ctx, subnet);
        }
    }
    vpc_ctl_rt_delete_vpc_tables(ctx, vpc);
    vpc_ctl_sg_delete_vpc_groups(ctx, vpc);
    vpc_ctl_acl_delete_vpc_acls(ctx, vpc);
    vpcrec_vpc_delete(vpc);
    vpc_ctl_forget_tunnel_keys(vpc_ctl_cast(ctx));   /* Its key is free. */
    vpc_ctl_claim_allocation(ctx);
}

/* Checks that 'cidr' (the string 'cidr_s') lies inside one of the blocks of
 * 'vpc', if it has any.  Returns false with an error set otherwise. */
bool
vpc_ctl_cidr_in_vpc(struct ctl_context *ctx, const struct vpcrec_vpc *vpc,
                    const struct vpc_cidr4 *cidr, const char *cidr_s)
{
    for (size_t i = 0; i < vpc->n_cidrs; i++) {
        struct vpc_cidr4 block;
        if (!vpc_ctl_parse_row_cidr(ctx, vpc->name, vpc->cidrs[i], &block)) {
            return false;
        }
        if (vpc_cidr4_contains(&block, cidr)) {
            return true;
        }
    }
    if (vpc->n_cidrs) {
        struct ds s = DS_EMPTY_INITIALIZER;
        vpc_ctl_put_joined(&s, vpc->cidrs, vpc->n_cidrs);
        ctl_error(ctx, "%s is outside VPC %s (%s)", cidr_s, vpc->name,
                  ds_cstr(&s));
        ds_destroy(&s);
        return false;
    }
    return true;
}

static void
put_vpc(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_vpc *vpc = VPC_CTL_ROW(vpc, row);

    ds_put_format(&ctx->output, "%s tunnel_key=%"PRId64, vpc->name,
                  vpc->tunnel_key);
    if (vpc->n_cidrs) {
        ds_put_cstr(&ctx->output, " cidrs=");
        vpc_ctl_put_joined(&ctx->output, vpc->cidrs, vpc->n_cidrs);
    }
    ds_put_char(&ctx->output, '\n');
}

static void
cmd_vpc_list(struct ctl_context *ctx)
{
    vpc_ctl_list(ctx, &vpcrec_table_vpc, NULL, NULL, put_vpc);
}

/* ------------------------------------------------------------- Subnets */

static void
cmd_subnet_add(struct ctl_context *ctx)
{
    const char *vpc_name = ctx->argv[1];
    const char *name = ctx->argv[2];
    const char *cidr_s = ctx->argv[3];

    struct vpc_cidr4 cidr;
    if (!vpc_ctl_check(ctx, vpc_cidr4_parse(cidr_s, &cidr))) {
        return;
    }
    if (cidr.plen > 30) {
        ctl_error(ctx, "%s: a subnet needs a prefix of /30 or shorter "
                  "(room for a gateway and a port)", cidr_s);
        return;
    }

    const struct vpcrec_vpc *vpc = VPC_CTL_LOOKUP(ctx, vpc, vpc_name, true);
    if (!vpc) {
        return;
    }

    const struct vpcrec_subnet *subnet = VPC_CTL_LOOKUP(ctx, subnet, name,
                                                        false);
    if (subnet) {
        if (!vpc_ctl_has_option(ctx, "--may-exist")) {
            ctl_error(ctx, "%s: a subnet with this name already exists",
                      name);
        } else if (subnet->vpc != vpc || strcmp(subnet->cidr, cidr_s)) {
            ctl_error(ctx, "%s: subnet exists in VPC %s with CIDR %s",
                      name, subnet->vpc->name, subnet->cidr);
        } else {
            ds_put_format(&ctx->output, "subnet %s cidr=%s gateway_ip=%s "
                          "gateway_mac=%s\n", subnet->name, subnet->cidr,
                          subnet->gateway_ip, subnet->gateway_mac);
        }
        return;
    }

    if (!vpc_ctl_cidr_in_vpc(ctx, vpc, &cidr, cidr_s)) {
        return;
    }

    /* Not overlapping a sibling (the first by name, for a stable
     * message). */
    if (vpc_ctl_refuse_if_overlaps(ctx, &vpcrec_table_subnet,
                                   &vpcrec_subnet_col_cidr,
                                   &vpcrec_subnet_col_vpc, &vpc->header_,
                                   &cidr, cidr_s)) {
        return;
    }

    /* Gateway: given, or the first usable address. */
    uint32_t gw = cidr.addr + 1;
    const char *gw_s = vpc_ctl_option(ctx, "--gateway-ip");
    if (gw_s) {
        if (!vpc_ctl_check(ctx, vpc_ip4_parse(gw_s, &gw))) {
            return;
        }
        if (!vpc_cidr4_contains_ip(&cidr, gw) || gw == cidr.addr
            || gw == vpc_cidr4_broadcast(&cidr)) {
            ctl_error(ctx, "gateway %s is not a usable address of %s", gw_s,
                      cidr_s);
            return;
        }
    }

    char mac[ETH_ADDR_STRLEN + 1];
    if (!vpc_ctl_mac_claim(ctx, vpc_ctl_option(ctx, "--gateway-mac"), mac)) {
        return;
    }

    char *gw_str = vpc_ip4_to_string(gw);
    subnet = VPC_CTL_INSERT(ctx, subnet);
    vpcrec_subnet_set_name(subnet, name);
    vpcrec_subnet_set_vpc(subnet, vpc);
    vpcrec_subnet_set_cidr(subnet, cidr_s);
    vpcrec_subnet_set_gateway_ip(subnet, gw_str);
    vpcrec_subnet_set_gateway_mac(subnet, mac);
    vpc_ctl_claim_allocation(ctx);
    ds_put_format(&ctx->output, "subnet %s cidr=%s gateway_ip=%s "
                  "gateway_mac=%s\n", name, cidr_s, gw_str, mac);
    free(gw_str);
}

static void
delete_port(struct ctl_context *ctx, const struct vpcrec_port *port)
{
    vpc_ctl_mac_release(ctx, port->mac);
    vpc_ctl_index_port(vpc_ctl_cast(ctx), port, false);
    vpcrec_port_delete(port);
}

static void
delete_subnet(struct ctl_context *ctx, const struct vpcrec_subnet *subnet)
{
    const struct vpcrec_port *port, *next;

    VPCREC_PORT_FOR_EACH_SAFE (port, next, ctx->idl) {
        if (port->subnet == subnet) {
            delete_port(ctx, port);
        }
    }
    vpc_ctl_flowlog_delete_subnet(ctx, subnet);
    vpc_ctl_mac_release(ctx, subnet->gateway_mac);
    vpcrec_subnet_delete(subnet);
}

static void
cmd_subnet_del(struct ctl_context *ctx)
{
    const struct vpcrec_subnet *subnet
        = VPC_CTL_LOOKUP(ctx, subnet, ctx->argv[1],
                         !vpc_ctl_has_option(ctx, "--if-exists"));
    if (!subnet) {
        return;
    }

    size_t n_ports = vpc_ctl_count_rows(ctx, &vpcrec_table_port,
                                        &vpcrec_port_col_subnet,
                                        &subnet->header_);
    if (n_ports && !vpc_ctl_has_option(ctx, "--cascade")) {
        ctl_error(ctx, "%s: subnet still has %"PRIuSIZE" port(s); delete "
                  "them first or use --cascade", subnet->name, n_ports);
        return;
    }

    /* Not even --cascade deletes the routes of a table to its ports. */
    const struct vpcrec_port *port;
    VPCREC_PORT_FOR_EACH (port, ctx->idl) {
        if (port->subnet == subnet
            && vpc_ctl_route_refuse_next_hop(ctx, &port->header_,
                                             "delete them first with "
                                             "route-del")) {
            return;
        }
    }
    delete_subnet(ctx, subnet);
    vpc_ctl_claim_allocation(ctx);
}

static void
put_subnet(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_subnet *s = VPC_CTL_ROW(subnet, row);

    ds_put_format(&ctx->output, "%s vpc=%s cidr=%s gateway_ip=%s "
                  "gateway_mac=%s", s->name, s->vpc ? s->vpc->name : "",
                  s->cidr, s->gateway_ip, s->gateway_mac);
    if (s->network_acl) {
        ds_put_format(&ctx->output, " network_acl=%s", s->network_acl->name);
    }
    if (s->route_table) {
        ds_put_format(&ctx->output, " route_table=%s", s->route_table->name);
    }
    ds_put_char(&ctx->output, '\n');
}

static void
cmd_subnet_list(struct ctl_context *ctx)
{
    vpc_ctl_list(ctx, &vpcrec_table_subnet, &vpcrec_table_vpc,
                 &vpcrec_subnet_col_vpc, put_subnet);
}

/* --------------------------------------------------------------- Ports */

static void
cmd_port_add(struct ctl_context *ctx)
{
    const char *subnet_name = ctx->argv[1];
    const char *name = ctx->argv[2];
    const char *mac_s = ctx->argc > 3 ? ctx->argv[3] : NULL;
    const char *ip_s = ctx->argc > 4 ? ctx->argv[4] : NULL;

    const struct vpcrec_subnet *subnet = VPC_CTL_LOOKUP(ctx, subnet,
                                                        subnet_name, true);
    if (!subnet) {
        return;
    }

    const struct vpcrec_port *port = vpc_ctl_port_lookup(ctx, name, false);
    if (port) {
        if (!vpc_ctl_has_option(ctx, "--may-exist")) {
            ctl_error(ctx, "%s: a port with this name already exists", name);
        } else if (!port->subnet && vpc_ctl_scope_is_narrow()
                   && ovsdb_idl_read(&port->header_,
                                     &vpcrec_port_col_subnet)->n) {
            /* Its subnet is not replicated: look again at every row. */
            vpc_ctl_scope_widen(ctx->idl);
            ctx->try_again = true;
        } else if (port->subnet != subnet) {
            ctl_error(ctx, "%s: port exists in subnet %s", name,
                      port->subnet ? port->subnet->name : "(none)");
        } else {
            ds_put_format(&ctx->output, "port %s mac=%s ip=%s\n",
                          port->name, port->mac,
                          port->n_ips ? port->ips[0] : "");
        }
        return;
    }

    /* The IP first: it does not claim anything, while the MAC does. */
    char *ip = vpc_ctl_ip_claim(ctx, subnet, ip_s);
    if (!ip) {
        return;
    }
    char mac[ETH_ADDR_STRLEN + 1];
    if (!vpc_ctl_mac_claim(ctx, mac_s, mac)) {
        free(ip);
        return;
    }

    port = VPC_CTL_INSERT(ctx, port);
    vpcrec_port_set_name(port, name);
    vpcrec_port_set_subnet(port, subnet);
    vpcrec_port_set_mac(port, mac);
    vpcrec_port_set_ips(port, (const char **) &ip, 1);
    const char *chassis = vpc_ctl_option(ctx, "--chassis");
    if (chassis && *chassis) {
        vpcrec_port_set_requested_chassis(port, chassis);
    }
    vpc_ctl_claim_allocation(ctx);
    vpc_ctl_index_port(vpc_ctl_cast(ctx), port, true);
    ds_put_format(&ctx->output, "port %s mac=%s ip=%s\n", name, mac, ip);
    free(ip);
}

/* port-set-chassis PORT [CHASSIS]: the only chassis where the port may be
 * bound, or (without CHASSIS) any.  Ends a migration (port-migrate). */
static void
cmd_port_set_chassis(struct ctl_context *ctx)
{
    const struct vpcrec_port *port = vpc_ctl_port_lookup(ctx, ctx->argv[1],
                                                         true);
    if (port) {
        vpcrec_port_set_requested_chassis(port,
                                          ctx->argc > 2 ? ctx->argv[2] : NULL);
        /* A migration, if any, is over. */
        if (smap_get(&port->options, "migration_destination")) {
            vpcrec_port_update_options_delkey(port, "migration_destination");
        }
    }
}

/* The Chassis row named 'name', if any. */
static const struct vpcrec_chassis *
chassis_find(struct ctl_context *ctx, const char *name)
{
    const struct vpcrec_chassis *ch;

    VPCREC_CHASSIS_FOR_EACH (ch, ctx->idl) {
        if (!strcmp(ch->name, name)) {
            return ch;
        }
    }
    return NULL;
}

/* port-migrate PORT CHASSIS: a live migration of PORT's VM from the chassis
 * it is on (its requested chassis, else where it is bound, which becomes
 * its requested chassis) to CHASSIS, which is prepared for it.
 * port-set-chassis ends it. */
static void
cmd_port_migrate(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1], *dest = ctx->argv[2];
    const struct vpcrec_port *port = vpc_ctl_port_lookup(ctx, name, true);
    if (!port) {
        return;
    }
    const char *src = (port->requested_chassis ? port->requested_chassis
                       : port->chassis ? port->chassis->name : NULL);
    const struct vpcrec_chassis *ch = chassis_find(ctx, dest);
    if (!src) {
        ctl_error(ctx, "%s: the port is on no chassis: nothing to migrate "
                  "from", name);
    } else if (!strcmp(src, dest)) {
        ctl_error(ctx, "%s: the port is already on chassis %s", name, dest);
    } else if (!ch) {
        ctl_error(ctx, "%s: no such chassis", dest);
    } else if (ch->role && !strcmp(ch->role, "gateway")) {
        ctl_error(ctx, "%s: a gateway carries no VM ports", dest);
    } else {
        if (!port->requested_chassis) {
            vpcrec_port_set_requested_chassis(port, src);
        }
        vpcrec_port_update_options_setkey(port, "migration_destination",
                                          dest);
    }
}

static void
cmd_port_del(struct ctl_context *ctx)
{
    const struct vpcrec_port *port
        = vpc_ctl_port_lookup(ctx, ctx->argv[1],
                              !vpc_ctl_has_option(ctx, "--if-exists"));
    if (port && !vpc_ctl_route_refuse_next_hop(ctx, &port->header_,
                                               "delete them first with "
                                               "route-del")) {
        delete_port(ctx, port);
        vpc_ctl_claim_allocation(ctx);
    }
}

/* Prints where 'port' is bound into 's': "chassis=NAME up=BOOL" or
 * "unbound". */
void
vpc_ctl_put_port_binding(struct ds *s, const struct vpcrec_port *port)
{
    if (port->chassis) {
        ds_put_format(s, "chassis=%s up=%s", port->chassis->name,
                      port->n_up && port->up[0] ? "true" : "false");
    } else {
        ds_put_cstr(s, "unbound");
    }
}

static void
cmd_port_show(struct ctl_context *ctx)
{
    const struct vpcrec_port *port = vpc_ctl_port_lookup(ctx, ctx->argv[1],
                                                         true);
    if (!port) {
        return;
    }
    const struct vpcrec_subnet *subnet = port->subnet;
    struct ds *s = &ctx->output;

    ds_put_format(s, "name: %s\n", port->name);
    ds_put_format(s, "vpc: %s\n",
                  subnet && subnet->vpc ? subnet->vpc->name : "");
    ds_put_format(s, "subnet: %s\n", subnet ? subnet->name : "");
    ds_put_format(s, "mac: %s\n", port->mac);
    ds_put_cstr(s, "ips: ");
    vpc_ctl_put_joined(s, port->ips, port->n_ips);
    ds_put_format(s, "\nchassis: %s\n",
                  port->chassis ? port->chassis->name : "(unbound)");
    if (port->requested_chassis) {
        ds_put_format(s, "requested_chassis: %s\n", port->requested_chassis);
    }
    const char *dest = smap_get(&port->options, "migration_destination");
    if (dest) {
        ds_put_format(s, "migration_destination: %s\n", dest);
    }
    if (port->n_refused_chassis) {
        ds_put_cstr(s, "refused_chassis: ");
        vpc_ctl_put_joined(s, port->refused_chassis, port->n_refused_chassis);
        ds_put_char(s, '\n');
    }
    ds_put_format(s, "up: %s\n",
                  port->n_up && port->up[0] ? "true" : "false");
    if (port->n_source_check && !port->source_check[0]) {
        ds_put_cstr(s, "source_check: false\n");
    }
    ds_put_cstr(s, "security_groups: ");
    vpc_ctl_put_port_sgs(s, port);
    ds_put_char(s, '\n');
}

static void
put_port(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_port *port = VPC_CTL_ROW(port, row);
    struct ds *s = &ctx->output;

    ds_put_format(s, "%s subnet=%s mac=%s ip=", port->name,
                  port->subnet ? port->subnet->name : "", port->mac);
    vpc_ctl_put_joined(s, port->ips, port->n_ips);
    ds_put_char(s, ' ');
    vpc_ctl_put_port_binding(s, port);
    ds_put_char(s, '\n');
}

static void
cmd_port_list(struct ctl_context *ctx)
{
    vpc_ctl_list(ctx, &vpcrec_table_port, &vpcrec_table_subnet,
                 &vpcrec_port_col_subnet, put_port);
}

/* ------------------------------------------------------- Prerequisites
 *
 * Each command replicates only the columns it reads, so that a command on
 * a big database loads as little as it can. */

static void
pre_vpcs(struct ctl_context *ctx)
{
    vpc_ctl_pre_global(ctx);
    vpc_ctl_pre_name(ctx, &vpcrec_vpc_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_vpc_col_tunnel_key);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_vpc_col_cidrs);
}

/* Subnets, without their VPCs, and every MAC in use. */
static void
pre_subnets_and_macs(struct ctl_context *ctx)
{
    vpc_ctl_pre_name(ctx, &vpcrec_subnet_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_subnet_col_cidr);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_subnet_col_gateway_ip);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_subnet_col_gateway_mac);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_mac);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_gateway_group_col_mac);
}

/* Prerequisites of the commands in 'ctx' that read subnets and their VPCs,
 * and allocate MACs. */
void
vpc_ctl_pre_subnets(struct ctl_context *ctx)
{
    pre_vpcs(ctx);
    vpc_ctl_pre_ref(ctx, &vpcrec_subnet_col_vpc);
    pre_subnets_and_macs(ctx);
}

static void
pre_port_columns(struct ctl_context *ctx)
{
    vpc_ctl_pre_name(ctx, &vpcrec_port_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_subnet);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_ips);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_requested_chassis);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_options);
}

/* vpc_ctl_pre_subnets(), and the ports of those subnets, for 'ctx'. */
void
vpc_ctl_pre_ports(struct ctl_context *ctx)
{
    vpc_ctl_pre_subnets(ctx);
    pre_port_columns(ctx);
}

/* What port-add reads: no VPC, which matters to a batch of port-adds that
 * would otherwise load every VPC for nothing. */
static void
pre_port_add(struct ctl_context *ctx)
{
    vpc_ctl_pre_global(ctx);
    pre_subnets_and_macs(ctx);
    pre_port_columns(ctx);
}

/* vpc_ctl_pre_ports(), and where the ports are bound, for 'ctx'. */
void
vpc_ctl_pre_bindings(struct ctl_context *ctx)
{
    vpc_ctl_pre_ports(ctx);
    vpc_ctl_pre_chassis(ctx);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_chassis);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_up);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_refused_chassis);
}

/* What vpc-add reads: the VPCs, and the names of security groups, of
 * which the new VPC's default one must be free. */
static void
pre_vpc_add(struct ctl_context *ctx)
{
    pre_vpcs(ctx);
    vpc_ctl_pre_sg_names(ctx);
    vpc_ctl_pre_name(ctx, &vpcrec_security_group_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_vpc_col_main_route_table);
    vpc_ctl_pre_name(ctx, &vpcrec_route_table_col_name);
}

static void
pre_vpc_del(struct ctl_context *ctx)
{
    /* Its main route table goes, and with --cascade, its other tables,
     * the routes to its ports and the peerings that join it. */
    vpc_ctl_pre_routes(ctx);
    /* Its security groups go, and with --cascade, its NAT rows and network
     * ACLs too. */
    vpc_ctl_pre_sgs(ctx);
    vpc_ctl_pre_acls(ctx);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_nat_col_vpc);
    /* Its flow logs, and its subnets', go with it. */
    vpc_ctl_pre_flow_logs(ctx);
}

static void
pre_subnet_del(struct ctl_context *ctx)
{
    /* The routes to its ports hold it back; its flow logs go with it. */
    vpc_ctl_pre_routes(ctx);
    vpc_ctl_pre_flow_logs(ctx);
}

static void
pre_subnet_list(struct ctl_context *ctx)
{
    vpc_ctl_pre_subnets(ctx);
    vpc_ctl_pre_subnet_acls(ctx);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_subnet_col_route_table);
    vpc_ctl_pre_name(ctx, &vpcrec_route_table_col_name);
}

static void
pre_port_show(struct ctl_context *ctx)
{
    vpc_ctl_pre_bindings(ctx);
    vpc_ctl_pre_port_sgs(ctx);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_source_check);
}

/* ------------------------------------------------------------- Commands */

const struct ctl_command_syntax vpc_ctl_vpc_commands[] = {
    {"vpc-add", 1, 1, "VPC [--tunnel-key=N] [--cidr=CIDR]", pre_vpc_add,
     cmd_vpc_add, NULL, "--may-exist,--tunnel-key=,--cidr=", RW},
    {"vpc-del", 1, 1, "VPC", pre_vpc_del, cmd_vpc_del, NULL,
     "--if-exists,--cascade", RW},
    {"vpc-list", 0, 0, "", pre_vpcs, cmd_vpc_list, NULL, "", RO},
    {"subnet-add", 3, 3, "VPC SUBNET CIDR", vpc_ctl_pre_subnets,
     cmd_subnet_add, NULL, "--may-exist,--gateway-ip=,--gateway-mac=", RW},
    {"subnet-del", 1, 1, "SUBNET", pre_subnet_del, cmd_subnet_del, NULL,
     "--if-exists,--cascade", RW},
    {"subnet-list", 0, 1, "[VPC]", pre_subnet_list, cmd_subnet_list,
     NULL, "", RO},
    {"port-add", 2, 4, "SUBNET PORT [MAC] [IP]", pre_port_add, cmd_port_add,
     NULL, "--may-exist,--chassis=", RW},
    {"port-set-chassis", 1, 2, "PORT [CHASSIS]", vpc_ctl_pre_ports,
     cmd_port_set_chassis, NULL, "", RW},
    {"port-migrate", 2, 2, "PORT CHASSIS", vpc_ctl_pre_bindings,
     cmd_port_migrate, NULL, "", RW},
    {"port-del", 1, 1, "PORT", vpc_ctl_pre_routes, cmd_port_del, NULL,
     "--if-exists", RW},
    {"port-show", 1, 1, "PORT", pre_port_show, cmd_port_show, NULL,
     "", RO},
    {"port-list", 0, 1, "[SUBNET]", vpc_ctl_pre_bindings, cmd_port_list,
     NULL, "", RO},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};
