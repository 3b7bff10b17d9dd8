/* vpc-ctl commands that belong to no one family: chassis-list, "show"
 * (VPCs with their NAT rules, subnets, ports, security groups, network
 * ACLs, route tables and peerings) and "sync", in vpc_ctl_misc_commands. */
#include <config.h>

#include "vpc-ctl-misc.h"

#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "vpc-ctl-acl.h"
#include "vpc-ctl-common.h"
#include "vpc-ctl-flowlog.h"
#include "vpc-ctl-gateway.h"
#include "vpc-ctl-peering.h"
#include "vpc-ctl-route.h"
#include "vpc-ctl-sg.h"
#include "vpc-ctl-vpc.h"
#include "vpc-idl.h"

/* ------------------------------------------------------------- Chassis */

static void
put_chassis(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_chassis *ch = VPC_CTL_ROW(chassis, row);
    struct ds *s = &ctx->output;

    int64_t nb_cfg = 0;
    const struct vpcrec_chassis_cfg *cfg;
    VPCREC_CHASSIS_CFG_FOR_EACH (cfg, ctx->idl) {
        if (!strcmp(cfg->name, ch->name)) {
            nb_cfg = cfg->nb_cfg;
            break;
        }
    }

    ds_put_format(s, "%s role=%s encap=%s:%s connected=%s nb_cfg=%"PRId64,
                  ch->name, ch->role, ch->encap_type, ch->encap_ip,
                  ch->connected ? "true" : "false", nb_cfg);
    if (ch->owner[0]) {
        ds_put_format(s, " owner=%s", ch->owner);
    }
    if (!smap_is_empty(&ch->bridge_mappings)) {
        const struct smap_node **maps = smap_sort(&ch->bridge_mappings);
        ds_put_cstr(s, " bridge_mappings=");
        for (size_t i = 0; i < smap_count(&ch->bridge_mappings); i++) {
            ds_put_format(s, "%s%s:%s", i ? "," : "", maps[i]->key,
                          maps[i]->value);
        }
        free(maps);
    }
    ds_put_char(s, '\n');
}

static void
cmd_chassis_list(struct ctl_context *ctx)
{
    vpc_ctl_list(ctx, &vpcrec_table_chassis, NULL, NULL, put_chassis);
}

/* ---------------------------------------------------------------- show */

static void
show_port(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_port *port = VPC_CTL_ROW(port, row);
    struct ds *s = &ctx->output;

    ds_put_format(s, "        port %s %s ", port->name, port->mac);
    vpc_ctl_put_joined(s, port->ips, port->n_ips);
    ds_put_cstr(s, " (");
    vpc_ctl_put_port_binding(s, port);
    ds_put_cstr(s, ")\n");
}

static void
show_subnet(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_subnet *subnet = VPC_CTL_ROW(subnet, row);

    ds_put_format(&ctx->output, "    subnet %s %s (gateway %s %s",
                  subnet->name, subnet->cidr, subnet->gateway_ip,
                  subnet->gateway_mac);
    if (subnet->network_acl) {
        ds_put_format(&ctx->output, ", network_acl %s",
                      subnet->network_acl->name);
    }
    if (subnet->route_table) {
        ds_put_format(&ctx->output, ", route_table %s",
                      subnet->route_table->name);
    }
    ds_put_cstr(&ctx->output, ")\n");
    vpc_ctl_put_sorted(ctx, &vpcrec_table_port, &vpcrec_port_col_subnet,
                       row, show_port);
}

static void
show_nat(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    ds_put_cstr(&ctx->output, "    ");
    vpc_ctl_put_nat(&ctx->output, VPC_CTL_ROW(nat, row), false);
    ds_put_char(&ctx->output, '\n');
}

static void
show_vpc(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_vpc *vpc = VPC_CTL_ROW(vpc, row);
    struct ds *s = &ctx->output;

    ds_put_format(s, "vpc %s (tunnel_key %"PRId64, vpc->name,
                  vpc->tunnel_key);
    if (vpc->n_cidrs) {
        ds_put_cstr(s, ", cidrs ");
        vpc_ctl_put_joined(s, vpc->cidrs, vpc->n_cidrs);
    }
    if (vpc->gateway_group) {
        ds_put_format(s, ", gateway_group %s", vpc->gateway_group->name);
    }
    ds_put_cstr(s, ")\n");
    vpc_ctl_put_sorted(ctx, &vpcrec_table_nat, &vpcrec_nat_col_vpc, row,
                       show_nat);
    vpc_ctl_put_sorted(ctx, &vpcrec_table_subnet, &vpcrec_subnet_col_vpc,
                       row, show_subnet);
    vpc_ctl_sg_show_vpc(ctx, vpc);
    vpc_ctl_acl_show_vpc(ctx, vpc);
    vpc_ctl_rt_show_vpc(ctx, vpc);
    vpc_ctl_peering_show_vpc(ctx, vpc);
    vpc_ctl_flowlog_show_vpc(ctx, vpc);
}

static void
cmd_show(struct ctl_context *ctx)
{
    if (ctx->argc > 1) {
        const struct ovsdb_idl_row *vpc
            = vpc_ctl_lookup(ctx, &vpcrec_table_vpc, ctx->argv[1], true);
        if (vpc) {
            show_vpc(ctx, vpc);
        }
    } else {
        vpc_ctl_put_sorted(ctx, &vpcrec_table_vpc, NULL, NULL, show_vpc);
    }
}

static void
cmd_sync(struct ctl_context *ctx OVS_UNUSED)
{
    /* Nothing to do: with --wait=hv the main loop bumps nb_cfg and
     * waits. */
}

/* ------------------------------------------------------- Prerequisites
 *
 * Each command replicates only the columns it reads, so that a command on
 * a big database loads as little as it can. */

/* Prerequisites of the commands in 'ctx' that read chassis. */
void
vpc_ctl_pre_chassis(struct ctl_context *ctx)
{
    vpc_ctl_pre_name(ctx, &vpcrec_chassis_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_col_role);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_col_encap_type);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_col_encap_ip);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_col_connected);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_cfg_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_cfg_col_nb_cfg);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_col_owner);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_col_bridge_mappings);
}

static void
pre_show(struct ctl_context *ctx)
{
    vpc_ctl_pre_bindings(ctx);
    vpc_ctl_pre_nats(ctx);
    vpc_ctl_pre_sgs(ctx);
    vpc_ctl_pre_acls(ctx);
    vpc_ctl_pre_routes(ctx);
    vpc_ctl_pre_flow_logs(ctx);
}

/* ------------------------------------------------------------- Commands */

const struct ctl_command_syntax vpc_ctl_misc_commands[] = {
    {"chassis-list", 0, 0, "", vpc_ctl_pre_chassis, cmd_chassis_list, NULL,
     "", RO},
    {"show", 0, 1, "[VPC]", pre_show, cmd_show, NULL, "", RO},
    {"sync", 0, 0, "", NULL, cmd_sync, NULL, "", RO},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};
