/* vpc-ctl commands for route tables: rt-*, route-*, subnet-set-route-table
 * and port-set-source-check, each with its prerequisites, in
 * vpc_ctl_route_commands; the main table that every VPC gets from vpc-add
 * and loses with vpc-del; and what port-del, peering-del and "show" need
 * of routes.
 *
 * A route reads, in rt-show, as the arguments that route-add takes after
 * the table: "CIDR NEXT_HOP", where NEXT_HOP is "gateway" (the VPC's
 * gateway group), "port:PORT" (an appliance) or "peering:PEERING".  Its
 * table and CIDR name it, as in route-del: a table has at most one route
 * to each destination. */
#include <config.h>

#include "vpc-ctl-route.h"

#include <stdlib.h>
#include <string.h>

#include "hmapx.h"
#include "openvswitch/dynamic-string.h"
#include "ovsdb-idl.h"
#include "svec.h"
#include "util.h"
#include "vpc-addr.h"
#include "vpc-ctl-alloc.h"
#include "vpc-ctl-common.h"
#include "vpc-ctl-peering.h"
#include "vpc-ctl-vpc.h"
#include "vpc-idl.h"

/* -------------------------------------------------------------- Tables */

/* Is 'rt' the main table of its own VPC? */
static bool
rt_is_main(const struct vpcrec_route_table *rt)
{
    return rt->vpc && rt->vpc->main_route_table == rt;
}

/* Returns the VPC whose main table 'rt' is, if any. */
static const struct vpcrec_vpc *
rt_main_of(struct ctl_context *ctx, const struct vpcrec_route_table *rt)
{
    const struct vpcrec_vpc *vpc;

    VPCREC_VPC_FOR_EACH (vpc, ctx->idl) {
        if (vpc->main_route_table == rt) {
            return vpc;
        }
    }
    return NULL;
}

/* Does 'subnet' use 'rt': does it name it, or is 'rt' the main table of
 * the subnet's VPC and the subnet names none? */
static bool
rt_is_used_by(const struct vpcrec_route_table *rt,
              const struct vpcrec_subnet *subnet)
{
    return (subnet->route_table == rt
            || (!subnet->route_table && rt_is_main(rt)
                && subnet->vpc == rt->vpc));
}

/* Stores the names of the subnets that use 'rt' into 'names', sorted. */
static void
rt_subnet_names(struct ctl_context *ctx, const struct vpcrec_route_table *rt,
                struct svec *names)
{
    const struct vpcrec_subnet *subnet;

    VPCREC_SUBNET_FOR_EACH (subnet, ctx->idl) {
        if (rt_is_used_by(rt, subnet)) {
            svec_add(names, subnet->name);
        }
    }
    svec_sort(names);
}

static size_t
rt_count_subnets(struct ctl_context *ctx,
                 const struct vpcrec_route_table *rt)
{
    const struct vpcrec_subnet *subnet;
    size_t n = 0;

    VPCREC_SUBNET_FOR_EACH (subnet, ctx->idl) {
        n += rt_is_used_by(rt, subnet);
    }
    return n;
}

static size_t
rt_count_routes(struct ctl_context *ctx, const struct vpcrec_route_table *rt)
{
    return vpc_ctl_count_rows(ctx, &vpcrec_table_static_route,
                              &vpcrec_static_route_col_route_table,
                              &rt->header_);
}

/* Deletes the tables in 'tables' (of struct vpcrec_route_table *) with
 * their routes, and puts the subnets that name them back on their VPC's
 * main table.  Rows that refer to a table go first: deleting a row
 * inserted earlier in the transaction frees it at once. */
static void
rt_delete(struct ctl_context *ctx, const struct hmapx *tables)
{
    const struct vpcrec_static_route *route, *next;
    VPCREC_STATIC_ROUTE_FOR_EACH_SAFE (route, next, ctx->idl) {
        if (hmapx_contains(tables, route->route_table)) {
            vpcrec_static_route_delete(route);
        }
    }

    const struct vpcrec_subnet *subnet;
    VPCREC_SUBNET_FOR_EACH (subnet, ctx->idl) {
        if (subnet->route_table
            && hmapx_contains(tables, subnet->route_table)) {
            vpcrec_subnet_verify_route_table(subnet);
            vpcrec_subnet_set_route_table(subnet, NULL);
        }
    }

    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, tables) {
        vpcrec_route_table_delete(node->data);
    }
}

/* -------------------------------------------------------------- Routes */

/* Where a route sends packets. */
struct route_hop {
    const struct vpcrec_port *port;         /* An appliance, or... */
    const struct vpcrec_peering *peering;   /* ...a peering, or neither:
                                             * the VPC's gateway group. */
};

static void
put_hop(struct ds *s, const struct vpcrec_port *port,
        const struct vpcrec_peering *peering)
{
    if (port) {
        ds_put_format(s, "port:%s", port->name);
    } else if (peering) {
        ds_put_format(s, "peering:%s", peering->name);
    } else {
        ds_put_cstr(s, "gateway");
    }
}

/* Prints 'route' as route-add takes it after the table: "CIDR NEXT_HOP".
 */
static void
put_route(struct ds *s, const struct vpcrec_static_route *route)
{
    ds_put_format(s, "%s ", route->cidr);
    put_hop(s, route->next_hop_port, route->next_hop_peering);
}

/* Returns why 'route' drops everything, whatever the state of the
 * chassis, or NULL if it does not. */
static const char *
route_blackhole(struct ctl_context *ctx,
                const struct vpcrec_static_route *route)
{
    const struct vpcrec_port *port = route->next_hop_port;
    const struct vpcrec_route_table *rt = route->route_table;

    if (port) {
        bool check = !port->n_source_check || port->source_check[0];
        return check ? "source check on" : NULL;
    } else if (route->next_hop_peering) {
        return (vpc_ctl_peering_is_active(ctx, route->next_hop_peering, NULL)
                ? NULL : "peering inactive");
    }
    return rt && rt->vpc && !rt->vpc->gateway_group ? "no gateway group"
                                                     : NULL;
}

/* A route in a sorted list. */
struct route_line {
    const struct vpcrec_static_route *row;
    const char *table;          /* Its table's name. */
    struct vpc_cidr4 cidr;      /* Its CIDR, parsed, if 'valid'. */
    bool valid;
};

/* Routes sort by table name, then as they decide: the longest prefix
 * first, and by address among prefixes of one length.  A route whose CIDR
 * another client wrote badly comes last. */
static int
compare_route_lines(const void *a_, const void *b_)
{
    const struct route_line *a = a_;
    const struct route_line *b = b_;
    int cmp = strcmp(a->table, b->table);

    if (cmp) {
        return cmp;
    } else if (a->valid != b->valid) {
        return a->valid ? -1 : 1;
    } else if (a->valid && a->cidr.plen != b->cidr.plen) {
        return a->cidr.plen > b->cidr.plen ? -1 : 1;
    } else if (a->valid && a->cidr.addr != b->cidr.addr) {
        return a->cidr.addr < b->cidr.addr ? -1 : 1;
    }
    return strcmp(a->row->cidr, b->row->cidr);
}

/* Returns the routes of table 'rt', or if 'rt' is NULL, those whose next
 * hop is the row 'hop', sorted.  Stores their number in '*n'.  The caller
 * frees the array. */
static struct route_line *
route_lines(struct ctl_context *ctx, const struct vpcrec_route_table *rt,
            const struct ovsdb_idl_row *hop, size_t *n)
{
    struct route_line *lines = NULL;
    size_t allocated = 0;
    const struct vpcrec_static_route *route;

    *n = 0;
    VPCREC_STATIC_ROUTE_FOR_EACH (route, ctx->idl) {
        const struct ovsdb_idl_row *its_hop
            = (route->next_hop_port ? &route->next_hop_port->header_
               : route->next_hop_peering ? &route->next_hop_peering->header_
               : NULL);
        if (rt ? route->route_table != rt : its_hop != hop) {
            continue;
        }
        if (*n >= allocated) {
            lines = x2nrealloc(lines, &allocated, sizeof *lines);
        }

        struct route_line *line = &lines[(*n)++];
        line->row = route;
        line->table = route->route_table ? route->route_table->name : "";
        line->valid = vpc_ctl_cidr_parses(route->cidr, &line->cidr);
    }
    if (*n) {
        qsort(lines, *n, sizeof *lines, compare_route_lines);
    }
    return lines;
}

/* Returns the route of 'rt' to 'cidr', or NULL if it has none. */
static const struct vpcrec_static_route *
route_find(struct ctl_context *ctx, const struct vpcrec_route_table *rt,
           const struct vpc_cidr4 *cidr)
{
    const struct vpcrec_static_route *route;

    VPCREC_STATIC_ROUTE_FOR_EACH (route, ctx->idl) {
        struct vpc_cidr4 c;
        if (route->route_table == rt
            && vpc_ctl_cidr_parses(route->cidr, &c)
            && c.addr == cidr->addr && c.plen == cidr->plen) {
            return route;
        }
    }
    return NULL;
}

/* Returns the VPC of 'port', or NULL. */
static const struct vpcrec_vpc *
port_vpc(const struct vpcrec_port *port)
{
    return port->subnet ? port->subnet->vpc : NULL;
}

/* Parses 's', the NEXT_HOP of a route of table 'rt' to 'cidr' (the string
 * 'cidr_s'), into 'hop'.  On failure, sets an error and returns false. */
static bool
parse_route_hop(struct ctl_context *ctx,
                const struct vpcrec_route_table *rt, const char *s,
                const struct vpc_cidr4 *cidr, const char *cidr_s,
                struct route_hop *hop)
{
    const struct vpcrec_vpc *vpc = rt->vpc;

    *hop = (struct route_hop) { .port = NULL };
    if (!strcmp(s, "gateway")) {
        if (!vpc->gateway_group) {
            ctl_error(ctx, "%s: VPC has no gateway group; set one with "
                      "vpc-set-gateway first", vpc->name);
            return false;
        }
    } else if (!strncmp(s, "peering:", 8)) {
        hop->peering = VPC_CTL_LOOKUP_IN_VPC(ctx, peering, s + 8, vpc);
        return (hop->peering
                && vpc_ctl_peering_check_cidr(ctx, hop->peering, cidr,
                                              cidr_s));
    } else {
        const char *name = !strncmp(s, "port:", 5) ? s + 5 : s;
        hop->port = vpc_ctl_port_lookup(ctx, name, true);
        if (!hop->port) {
            return false;
        }

        const struct vpcrec_vpc *its = port_vpc(hop->port);
        if (its != vpc) {
            ctl_error(ctx, "%s: port is in VPC %s, not in VPC %s",
                      hop->port->name, its ? its->name : "(none)",
                      vpc->name);
            return false;
        }
    }
    return true;
}

/* ------------------------------------------------------------ Commands */

static void
cmd_rt_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[2];
    const struct vpcrec_vpc *vpc = VPC_CTL_LOOKUP(ctx, vpc, ctx->argv[1],
                                                  true);
    if (!vpc || !VPC_CTL_NAME_IS_FREE(ctx, route_table, name, vpc)) {
        return;
    }

    const struct vpcrec_route_table *rt = VPC_CTL_INSERT(ctx, route_table);
    vpcrec_route_table_set_name(rt, name);
    vpcrec_route_table_set_vpc(rt, vpc);
}

static void
cmd_rt_del(struct ctl_context *ctx)
{
    const struct vpcrec_route_table *rt
        = VPC_CTL_LOOKUP(ctx, route_table, ctx->argv[1],
                         !vpc_ctl_has_option(ctx, "--if-exists"));
    if (!rt) {
        return;
    }

    const struct vpcrec_vpc *vpc = rt_main_of(ctx, rt);
    if (vpc) {
        ctl_error(ctx, "%s: route table is the main table of VPC %s, which "
                  "keeps it until vpc-del", rt->name, vpc->name);
        return;
    }
    if (!vpc_ctl_has_option(ctx, "--cascade")
        && vpc_ctl_refuse_if_used(ctx, &rt->header_, &vpcrec_table_subnet,
                                  &vpcrec_subnet_col_route_table,
                                  "move them with subnet-set-route-table "
                                  "first or use --cascade")) {
        return;
    }

    struct hmapx tables = HMAPX_INITIALIZER(&tables);
    hmapx_add(&tables, CONST_CAST(struct vpcrec_route_table *, rt));
    rt_delete(ctx, &tables);
    hmapx_destroy(&tables);
}

/* Prints 'rt' as "NAME vpc=VPC routes=N subnets=M [(main)]". */
static void
put_rt(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_route_table *rt = VPC_CTL_ROW(route_table, row);

    ds_put_format(&ctx->output, "%s vpc=%s routes=%"PRIuSIZE
                  " subnets=%"PRIuSIZE"%s\n", rt->name,
                  rt->vpc ? rt->vpc->name : "", rt_count_routes(ctx, rt),
                  rt_count_subnets(ctx, rt), rt_is_main(rt) ? " (main)" : "");
}

static void
cmd_rt_list(struct ctl_context *ctx)
{
    vpc_ctl_list(ctx, &vpcrec_table_route_table, &vpcrec_table_vpc,
                 &vpcrec_route_table_col_vpc, put_rt);
}

static void
cmd_rt_show(struct ctl_context *ctx)
{
    const struct vpcrec_route_table *rt
        = VPC_CTL_LOOKUP(ctx, route_table, ctx->argv[1], true);
    if (!rt) {
        return;
    }
    struct ds *s = &ctx->output;

    put_rt(ctx, &rt->header_);

    size_t n;
    struct route_line *lines = route_lines(ctx, rt, NULL, &n);
    for (size_t i = 0; i < n; i++) {
        const char *why = route_blackhole(ctx, lines[i].row);
        ds_put_cstr(s, "    ");
        put_route(s, lines[i].row);
        if (why) {
            ds_put_format(s, " (blackhole: %s)", why);
        }
        ds_put_char(s, '\n');
    }
    free(lines);

    struct svec names = SVEC_EMPTY_INITIALIZER;
    rt_subnet_names(ctx, rt, &names);
    if (names.n) {
        char *joined = svec_join(&names, ", ", "");
        ds_put_format(s, "    subnets: %s\n", joined);
        free(joined);
    }
    svec_destroy(&names);
}

static void
cmd_route_add(struct ctl_context *ctx)
{
    const char *cidr_s = ctx->argv[2];
    const struct vpcrec_route_table *rt
        = VPC_CTL_LOOKUP(ctx, route_table, ctx->argv[1], true);
    struct vpc_cidr4 cidr;
    struct route_hop hop;
    if (!rt
        || !vpc_ctl_check(ctx, vpc_cidr4_parse(cidr_s, &cidr))
        || !parse_route_hop(ctx, rt, ctx->argv[3], &cidr, cidr_s, &hop)) {
        return;
    }

    const struct vpcrec_static_route *route = route_find(ctx, rt, &cidr);
    if (route) {
        if (!vpc_ctl_has_option(ctx, "--may-exist")
            || route->next_hop_port != hop.port
            || route->next_hop_peering != hop.peering) {
            struct ds s = DS_EMPTY_INITIALIZER;
            put_route(&s, route);
            ctl_error(ctx, "%s: route table already has route %s", rt->name,
                      ds_cstr(&s));
            ds_destroy(&s);
        }
        return;
    }

    char *norm = vpc_cidr4_to_string(&cidr);
    route = VPC_CTL_INSERT(ctx, static_route);
    vpcrec_static_route_set_route_table(route, rt);
    vpcrec_static_route_set_cidr(route, norm);
    vpcrec_static_route_set_next_hop_port(route, hop.port);
    vpcrec_static_route_set_next_hop_peering(route, hop.peering);
    free(norm);
}

static void
cmd_route_del(struct ctl_context *ctx)
{
    const char *cidr_s = ctx->argv[2];
    const struct vpcrec_route_table *rt
        = VPC_CTL_LOOKUP(ctx, route_table, ctx->argv[1], true);
    struct vpc_cidr4 cidr;
    if (!rt || !vpc_ctl_check(ctx, vpc_cidr4_parse(cidr_s, &cidr))) {
        return;
    }

    const struct vpcrec_static_route *route = route_find(ctx, rt, &cidr);
    if (route) {
        vpcrec_static_route_delete(route);
    } else if (!vpc_ctl_has_option(ctx, "--if-exists")) {
        ctl_error(ctx, "%s: route table has no route to %s", rt->name,
                  cidr_s);
    }
}

/* subnet-set-route-table SUBNET [TABLE]: naming the VPC's main table is
 * naming none. */
static void
cmd_subnet_set_route_table(struct ctl_context *ctx)
{
    const struct vpcrec_subnet *subnet = VPC_CTL_LOOKUP(ctx, subnet,
                                                        ctx->argv[1], true);
    if (!subnet) {
        return;
    }

    const struct vpcrec_route_table *rt = NULL;
    if (ctx->argc > 2) {
        rt = VPC_CTL_LOOKUP_IN_VPC(ctx, route_table, ctx->argv[2],
                                   subnet->vpc);
        if (!rt) {
            return;
        }
        if (rt_is_main(rt)) {
            rt = NULL;
        }
    }
    vpcrec_subnet_set_route_table(subnet, rt);
}

/* port-set-source-check PORT true|false. */
static void
cmd_port_set_source_check(struct ctl_context *ctx)
{
    const char *s = ctx->argv[2];
    bool check = !strcmp(s, "true");
    if (!check && strcmp(s, "false")) {
        ctl_error(ctx, "%s: source check must be true or false", s);
        return;
    }

    const struct vpcrec_port *port = vpc_ctl_port_lookup(ctx, ctx->argv[1],
                                                         true);
    if (port) {
        vpcrec_port_set_source_check(port, &check, 1);
    }
}

/* ------------------------------------------------ For the other families */

#define RT_MAIN_SUFFIX "-main"

/* Checks that the main table of a new VPC named 'vpc_name' can have its
 * name, "VPC-main".  Returns false, with an error set in 'ctx', if not. */
bool
vpc_ctl_rt_check_main_name(struct ctl_context *ctx, const char *vpc_name)
{
    return vpc_ctl_vpc_row_name_is_free(ctx, &vpcrec_table_route_table,
                                        vpc_name, RT_MAIN_SUFFIX,
                                        "main table");
}

/* Creates, in the transaction of 'ctx', the main table of new VPC 'vpc',
 * "VPC-main", without routes. */
void
vpc_ctl_rt_add_main(struct ctl_context *ctx, const struct vpcrec_vpc *vpc)
{
    char *name = xasprintf("%s"RT_MAIN_SUFFIX, vpc->name);
    const struct vpcrec_route_table *rt = VPC_CTL_INSERT(ctx, route_table);

    vpcrec_route_table_set_name(rt, name);
    vpcrec_route_table_set_vpc(rt, vpc);
    vpcrec_vpc_set_main_route_table(vpc, rt);
    free(name);
}

/* If 'vpc' has other tables than its main one, sets the error "VPC: VPC
 * still has N route table(s)..." in 'ctx' and returns true. */
bool
vpc_ctl_rt_refuse_vpc_del(struct ctl_context *ctx,
                          const struct vpcrec_vpc *vpc)
{
    const struct vpcrec_route_table *main = vpc->main_route_table;
    return vpc_ctl_refuse_vpc_rows(ctx, vpc, &vpcrec_table_route_table,
                                   &vpcrec_route_table_col_vpc,
                                   main ? &main->header_ : NULL);
}

/* Deletes, in the transaction of 'ctx', the routes that would outlive
 * 'vpc': those of its tables and those (of any table) to its ports.  The
 * caller deletes them before the ports, then calls
 * vpc_ctl_rt_delete_vpc_tables(). */
void
vpc_ctl_rt_delete_vpc_routes(struct ctl_context *ctx,
                             const struct vpcrec_vpc *vpc)
{
    const struct vpcrec_static_route *route, *next;

    VPCREC_STATIC_ROUTE_FOR_EACH_SAFE (route, next, ctx->idl) {
        if ((route->route_table && route->route_table->vpc == vpc)
            || (route->next_hop_port
                && port_vpc(route->next_hop_port) == vpc)) {
            vpcrec_static_route_delete(route);
        }
    }
}

/* Deletes, in the transaction of 'ctx', the tables of 'vpc', its main
 * table too, with their routes. */
void
vpc_ctl_rt_delete_vpc_tables(struct ctl_context *ctx,
                             const struct vpcrec_vpc *vpc)
{
    struct hmapx tables = HMAPX_INITIALIZER(&tables);
    const struct vpcrec_route_table *rt;

    VPCREC_ROUTE_TABLE_FOR_EACH (rt, ctx->idl) {
        if (rt->vpc == vpc) {
            hmapx_add(&tables, CONST_CAST(struct vpcrec_route_table *, rt));
        }
    }
    rt_delete(ctx, &tables);
    hmapx_destroy(&tables);
}

/* Returns how many routes send to 'hop', a Port or a Peering row. */
size_t
vpc_ctl_route_count_next_hop(struct ctl_context *ctx,
                             const struct ovsdb_idl_row *hop)
{
    size_t n;
    free(route_lines(ctx, NULL, hop, &n));
    return n;
}

/* If routes send to 'hop', a Port or a Peering row, sets the error "NAME:
 * WHAT is still the next hop of route(s) CIDR (TABLE), ...; HINT" in
 * 'ctx' and returns true. */
bool
vpc_ctl_route_refuse_next_hop(struct ctl_context *ctx,
                              const struct ovsdb_idl_row *hop,
                              const char *hint)
{
    size_t n;
    struct route_line *lines = route_lines(ctx, NULL, hop, &n);
    if (n) {
        bool is_port = hop->table->class_ == &vpcrec_table_port;
        struct ds routes = DS_EMPTY_INITIALIZER;
        for (size_t i = 0; i < n; i++) {
            ds_put_format(&routes, "%s%s (%s)", i ? ", " : "",
                          lines[i].row->cidr, lines[i].table);
        }
        ctl_error(ctx, "%s: %s is still the next hop of route(s) %s; %s",
                  (is_port ? VPC_CTL_ROW(port, hop)->name
                   : VPC_CTL_ROW(peering, hop)->name),
                  is_port ? "port" : "peering", ds_cstr(&routes), hint);
        ds_destroy(&routes);
    }
    free(lines);
    return n > 0;
}

/* Deletes, in the transaction of 'ctx', the routes that send to 'hop', a
 * Port or a Peering row. */
void
vpc_ctl_route_delete_next_hop(struct ctl_context *ctx,
                              const struct ovsdb_idl_row *hop)
{
    size_t n;
    struct route_line *lines = route_lines(ctx, NULL, hop, &n);
    for (size_t i = 0; i < n; i++) {
        vpcrec_static_route_delete(lines[i].row);
    }
    free(lines);
}

static void
show_rt(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_route_table *rt = VPC_CTL_ROW(route_table, row);

    ds_put_format(&ctx->output, "    route_table %s (%sroutes %"PRIuSIZE
                  ", subnets %"PRIuSIZE")\n", rt->name,
                  rt_is_main(rt) ? "main, " : "", rt_count_routes(ctx, rt),
                  rt_count_subnets(ctx, rt));
}

/* Prints the route tables of 'vpc' into the output of 'ctx', for "show",
 * one line each, by name. */
void
vpc_ctl_rt_show_vpc(struct ctl_context *ctx, const struct vpcrec_vpc *vpc)
{
    vpc_ctl_put_sorted(ctx, &vpcrec_table_route_table,
                       &vpcrec_route_table_col_vpc, &vpc->header_, show_rt);
}

/* ------------------------------------------------------- Prerequisites
 *
 * Each command replicates only the columns it reads, so that a command on
 * a big database loads as little as it can. */

/* Prerequisites of the commands in 'ctx' that read route tables, their
 * routes and the subnets that use them; ports and peerings as next hops,
 * whether peerings are active (the VPCs' blocks), and whether VPCs have a
 * gateway group. */
void
vpc_ctl_pre_routes(struct ctl_context *ctx)
{
    static const struct ovsdb_idl_column *const columns[] = {
        &vpcrec_vpc_col_main_route_table,
        &vpcrec_vpc_col_gateway_group,
        &vpcrec_gateway_group_col_name,
        &vpcrec_subnet_col_route_table,
        &vpcrec_port_col_source_check,
        &vpcrec_route_table_col_name,
        &vpcrec_route_table_col_vpc,
        &vpcrec_static_route_col_route_table,
        &vpcrec_static_route_col_cidr,
        &vpcrec_static_route_col_next_hop_port,
        &vpcrec_static_route_col_next_hop_peering,
        &vpcrec_peering_col_name,
        &vpcrec_peering_col_vpc,
        &vpcrec_peering_col_peer_vpc,
    };

    vpc_ctl_pre_ports(ctx);
    for (size_t i = 0; i < ARRAY_SIZE(columns); i++) {
        ovsdb_idl_add_column(ctx->idl, columns[i]);
    }
}

/* ------------------------------------------------------------- Commands */

const struct ctl_command_syntax vpc_ctl_route_commands[] = {
    {"rt-add", 2, 2, "VPC TABLE", vpc_ctl_pre_routes, cmd_rt_add, NULL,
     "--may-exist", RW},
    {"rt-del", 1, 1, "TABLE", vpc_ctl_pre_routes, cmd_rt_del, NULL,
     "--if-exists,--cascade", RW},
    {"rt-list", 0, 1, "[VPC]", vpc_ctl_pre_routes, cmd_rt_list, NULL, "",
     RO},
    {"rt-show", 1, 1, "TABLE", vpc_ctl_pre_routes, cmd_rt_show, NULL, "",
     RO},
    {"route-add", 3, 3, "TABLE CIDR NEXT_HOP", vpc_ctl_pre_routes,
     cmd_route_add, NULL, "--may-exist", RW},
    {"route-del", 2, 2, "TABLE CIDR", vpc_ctl_pre_routes, cmd_route_del,
     NULL, "--if-exists", RW},
    {"subnet-set-route-table", 1, 2, "SUBNET [TABLE]", vpc_ctl_pre_routes,
     cmd_subnet_set_route_table, NULL, "", RW},
    {"port-set-source-check", 2, 2, "PORT true|false", vpc_ctl_pre_routes,
     cmd_port_set_source_check, NULL, "", RW},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};
