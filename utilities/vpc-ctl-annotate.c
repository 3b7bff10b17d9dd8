/* vpc-ctl annotate: reads what "ovs-ofctl dump-flows" or "ovs-appctl
 * ofproto/trace" printed for a host's br-int from standard input and
 * writes it back with each table number named (table=22(bind), or
 * "22(bind). " in a trace) and each cookie followed by the rows that made
 * the flow: a flow's cookie is the first 32 bits of its row's UUID (see
 * ofproto-vpc/flow-table.h), so "# port vm1 (vpc blue)".  A cookie that
 * several rows share names them all; the cookies of pipeline.h say what
 * they are for. */
#include <config.h>

#include "vpc-ctl-annotate.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "ovsdb-idl.h"
#include "pipeline.h"
#include "vpc-ctl-acl.h"
#include "vpc-ctl-annotate-conj.h"
#include "vpc-ctl-common.h"
#include "vpc-ctl-flowlog.h"
#include "vpc-ctl-gateway.h"
#include "vpc-ctl-route.h"
#include "vpc-ctl-sg.h"
#include "vpc-ctl-vpc.h"
#include "vpc-idl.h"

/* Rows by cookie. */
struct cookie_node {
    struct hmap_node hmap_node;
    uint32_t cookie;
    struct ds what;                 /* "port vm1 (vpc blue)"; ", "-joined. */
};

static void
add_row(struct hmap *map, const struct uuid *uuid, const char *format, ...)
    OVS_PRINTF_FORMAT(3, 4);

static void
add_row(struct hmap *map, const struct uuid *uuid, const char *format, ...)
{
    uint32_t cookie = uuid->parts[0];
    struct cookie_node *node;

    HMAP_FOR_EACH_WITH_HASH (node, hmap_node, hash_int(cookie, 0), map) {
        if (node->cookie == cookie) {
            goto found;
        }
    }
    node = xmalloc(sizeof *node);
    node->cookie = cookie;
    ds_init(&node->what);
    hmap_insert(map, &node->hmap_node, hash_int(cookie, 0));

found:
    if (node->what.length) {
        ds_put_cstr(&node->what, ", or ");
    }
    va_list args;
    va_start(args, format);
    ds_put_format_valist(&node->what, format, args);
    va_end(args);
}

/* Appends to 's' what rule 'r' says, in vpc-ctl's words. */
void
vpc_ctl_describe_sg_rule(const struct vpcrec_security_group_rule *r,
                         struct ds *s)
{
    ds_put_format(s, "security group rule of %s: %s %s %s",
                  r->security_group ? r->security_group->name : "?",
                  r->direction, r->action, r->protocol);
    if (r->n_port_min) {
        ds_put_format(s, " %"PRId64, *r->port_min);
        if (r->n_port_max && *r->port_max != *r->port_min) {
            ds_put_format(s, "-%"PRId64, *r->port_max);
        }
    }
    ds_put_format(s, " %s priority %"PRId64,
                  (r->remote_group ? r->remote_group->name
                   : r->remote_cidr ? r->remote_cidr : "0.0.0.0/0"),
                  r->priority);
}

static const char *
vpc_name(const struct vpcrec_vpc *vpc)
{
    return vpc ? vpc->name : "?";
}

/* Every row a flow's cookie may stand for. */
static void
collect_rows(struct ovsdb_idl *idl, struct hmap *map)
{
    const struct vpcrec_vpc *vpc;
    VPCREC_VPC_FOR_EACH (vpc, idl) {
        add_row(map, &vpc->header_.uuid, "vpc %s", vpc->name);
    }
    const struct vpcrec_subnet *sn;
    VPCREC_SUBNET_FOR_EACH (sn, idl) {
        add_row(map, &sn->header_.uuid, "subnet %s %s (vpc %s)", sn->name,
                sn->cidr, vpc_name(sn->vpc));
    }
    const struct vpcrec_port *port;
    VPCREC_PORT_FOR_EACH (port, idl) {
        add_row(map, &port->header_.uuid, "port %s (vpc %s)", port->name,
                vpc_name(port->subnet ? port->subnet->vpc : NULL));
    }
    const struct vpcrec_security_group *sg;
    VPCREC_SECURITY_GROUP_FOR_EACH (sg, idl) {
        add_row(map, &sg->header_.uuid, "security group %s (vpc %s)",
                sg->name, vpc_name(sg->vpc));
    }
    const struct vpcrec_security_group_rule *r;
    VPCREC_SECURITY_GROUP_RULE_FOR_EACH (r, idl) {
        struct ds what = DS_EMPTY_INITIALIZER;
        vpc_ctl_describe_sg_rule(r, &what);
        add_row(map, &r->header_.uuid, "%s", ds_cstr(&what));
        ds_destroy(&what);
    }
    const struct vpcrec_network_acl *acl;
    VPCREC_NETWORK_ACL_FOR_EACH (acl, idl) {
        add_row(map, &acl->header_.uuid, "network ACL %s (vpc %s)",
                acl->name, vpc_name(acl->vpc));
    }
    const struct vpcrec_network_acl_rule *ar;
    VPCREC_NETWORK_ACL_RULE_FOR_EACH (ar, idl) {
        add_row(map, &ar->header_.uuid,
                "network ACL rule %s #%"PRId64": %s %s %s %s",
                ar->network_acl ? ar->network_acl->name : "?", ar->number,
                ar->direction, ar->action, ar->protocol, ar->cidr);
    }
    const struct vpcrec_route_table *rt;
    VPCREC_ROUTE_TABLE_FOR_EACH (rt, idl) {
        add_row(map, &rt->header_.uuid, "route table %s (vpc %s)", rt->name,
                vpc_name(rt->vpc));
    }
    const struct vpcrec_static_route *route;
    VPCREC_STATIC_ROUTE_FOR_EACH (route, idl) {
        add_row(map, &route->header_.uuid, "route %s %s via %s%s",
                route->route_table ? route->route_table->name : "?",
                route->cidr,
                (route->next_hop_port ? "port "
                 : route->next_hop_peering ? "peering " : "the gateways"),
                (route->next_hop_port ? route->next_hop_port->name
                 : route->next_hop_peering ? route->next_hop_peering->name
                 : ""));
    }
    const struct vpcrec_peering *p;
    VPCREC_PEERING_FOR_EACH (p, idl) {
        add_row(map, &p->header_.uuid, "peering %s (vpc %s to %s)", p->name,
                vpc_name(p->vpc), vpc_name(p->peer_vpc));
    }
    const struct vpcrec_nat *nat;
    VPCREC_NAT_FOR_EACH (nat, idl) {
        add_row(map, &nat->header_.uuid, "%s %s for %s (vpc %s)",
                !strcmp(nat->type, "snat") ? "snat" : "elastic IP",
                nat->external_ip, nat->logical_ip, vpc_name(nat->vpc));
    }
    const struct vpcrec_gateway_group *gw;
    VPCREC_GATEWAY_GROUP_FOR_EACH (gw, idl) {
        add_row(map, &gw->header_.uuid, "gateway group %s", gw->name);
    }
}

static const char *
find_cookie(const struct hmap *map, uint64_t cookie)
{
    if (cookie == VPC_COOKIE_LEARNED) {
        return "learned next hop (gateway)";
    } else if (cookie == VPC_COOKIE_SHARED) {
        return "security group clause that VPCs share";
    } else if (!cookie) {
        return "the pipeline itself (no row)";
    } else if (cookie >> 32) {
        return NULL;
    }

    const struct cookie_node *node;
    HMAP_FOR_EACH_WITH_HASH (node, hmap_node, hash_int(cookie, 0), map) {
        if (node->cookie == cookie) {
            return ds_cstr_ro(&node->what);
        }
    }
    return "no row: stale, or another client's";
}

/* Appends 'line' to 'out' with its table numbers named and its cookies
 * explained. */
static void
annotate_line(const struct hmap *map, const struct hmap *conjs,
              const char *line, struct ds *out)
{
    const char *explained = NULL;
    const char *p = line;
    uint64_t cookie = 0;

    /* A trace's "22. match..." names its table. */
    const char *q = p;
    while (*q == ' ') {
        q++;
    }
    if (isdigit((unsigned char) *q)) {
        char *end;
        long table = strtol(q, &end, 10);
        if (end[0] == '.' && end[1] == ' ' && table < 255) {
            ds_put_buffer(out, p, end - p);
            ds_put_format(out, "(%s)", vpc_table_name(table));
            p = end;
        }
    }

    while (*p) {
        if (!strncmp(p, "table=", 6) && isdigit((unsigned char) p[6])) {
            char *end;
            long table = strtol(p + 6, &end, 10);
            ds_put_buffer(out, p, end - p);
            if (*end != '(' && table < 255) {
                ds_put_format(out, "(%s)", vpc_table_name(table));
            }
            p = end;
        } else if ((!strncmp(p, "cookie=0x", 9) || !strncmp(p, "cookie 0x", 9))
                   && isxdigit((unsigned char) p[9])) {
            char *end;
            cookie = strtoull(p + 9, &end, 16);
            ds_put_buffer(out, p, end - p);
            explained = find_cookie(map, cookie);
            p = end;
        } else {
            ds_put_char(out, *p++);
        }
    }
    /* The conjunction flow of rules of one shape names them. */
    const char *conj = strstr(line, "conj_id=");
    if (cookie == VPC_COOKIE_SHARED && conj) {
        uint32_t id = strtoul(conj + 8, NULL, 10);
        const char *rules = vpc_ctl_annotate_conj_find(conjs, id);
        ds_put_format(out, "  # conjunction of every rule of one shape: %s",
                      rules ? rules : "no rule: stale, or another "
                      "client's");
    } else if (explained) {
        ds_put_format(out, "  # %s", explained);
    }
    ds_put_char(out, '\n');
}

static void
pre_annotate(struct ctl_context *ctx)
{
    vpc_ctl_pre_bindings(ctx);
    vpc_ctl_pre_nats(ctx);
    vpc_ctl_pre_sgs(ctx);
    vpc_ctl_pre_flow_logs(ctx);
    vpc_ctl_pre_acls(ctx);
    vpc_ctl_pre_routes(ctx);
}

static void
cmd_annotate(struct ctl_context *ctx)
{
    struct hmap map = HMAP_INITIALIZER(&map);
    collect_rows(ctx->idl, &map);
    struct hmap conjs;
    vpc_ctl_annotate_conj_init(ctx->idl, &conjs);

    /* vpc-ctl runs the command again if the database changed meanwhile:
     * read standard input once. */
    static struct ds input = DS_EMPTY_INITIALIZER;
    static bool read;
    if (!read) {
        char buf[65536];
        while (fgets(buf, sizeof buf, stdin)) {
            ds_put_cstr(&input, buf);
        }
        read = true;
    }
    char *copy = xstrdup(ds_cstr(&input));
    for (char *line = copy; *line; ) {
        char *nl = strchr(line, '\n');
        if (nl) {
            *nl = '\0';
        }
        annotate_line(&map, &conjs, line, &ctx->output);
        line = nl ? nl + 1 : line + strlen(line);
    }
    free(copy);

    struct cookie_node *node;
    HMAP_FOR_EACH_POP (node, hmap_node, &map) {
        ds_destroy(&node->what);
        free(node);
    }
    hmap_destroy(&map);
    vpc_ctl_annotate_conj_destroy(&conjs);
}

const struct ctl_command_syntax vpc_ctl_annotate_commands[] = {
    {"annotate", 0, 0, "", pre_annotate, cmd_annotate, NULL, "", RO},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};
