/* vpc-ctl commands for network ACLs: acl-* and subnet-set-acl, each with
 * its prerequisites, in vpc_ctl_acl_commands; and what vpc-del and "show"
 * need of them.
 *
 * A rule reads, in acl-show, as the arguments that acl-rule-add takes:
 * "NUMBER DIRECTION ACTION PROTOCOL [PORTS] CIDR".  Its direction and
 * number name it, as in acl-rule-del: an ACL has at most one rule of each
 * number in each direction. */
#include <config.h>

#include "vpc-ctl-acl.h"

#include <stdlib.h>
#include <string.h>

#include "hmapx.h"
#include "openvswitch/dynamic-string.h"
#include "ovsdb-idl.h"
#include "util.h"
#include "vpc-ctl-common.h"
#include "vpc-ctl-rule.h"
#include "vpc-idl.h"
#include "vpc-sg.h"

#define ACL_NUMBER_MIN 1
#define ACL_NUMBER_MAX 32766

/* ---------------------------------------------------------------- ACLs */

static size_t
acl_count_rules(struct ctl_context *ctx,
                const struct vpcrec_network_acl *acl)
{
    return vpc_ctl_count_rows(ctx, &vpcrec_table_network_acl_rule,
                              &vpcrec_network_acl_rule_col_network_acl,
                              &acl->header_);
}

static size_t
acl_count_subnets(struct ctl_context *ctx,
                  const struct vpcrec_network_acl *acl)
{
    return vpc_ctl_count_rows(ctx, &vpcrec_table_subnet,
                              &vpcrec_subnet_col_network_acl,
                              &acl->header_);
}

/* Deletes the ACLs in 'acls' (of struct vpcrec_network_acl *) with their
 * rules, and detaches them from the subnets that use them.  Rows that
 * refer to an ACL go first: deleting a row inserted earlier in the
 * transaction frees it at once. */
static void
acl_delete(struct ctl_context *ctx, const struct hmapx *acls)
{
    const struct vpcrec_network_acl_rule *rule, *next_rule;
    VPCREC_NETWORK_ACL_RULE_FOR_EACH_SAFE (rule, next_rule, ctx->idl) {
        if (hmapx_contains(acls, rule->network_acl)) {
            vpcrec_network_acl_rule_delete(rule);
        }
    }

    const struct vpcrec_subnet *subnet;
    VPCREC_SUBNET_FOR_EACH (subnet, ctx->idl) {
        if (subnet->network_acl
            && hmapx_contains(acls, subnet->network_acl)) {
            vpcrec_subnet_verify_network_acl(subnet);
            vpcrec_subnet_set_network_acl(subnet, NULL);
        }
    }

    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, acls) {
        vpcrec_network_acl_delete(node->data);
    }
}

/* --------------------------------------------------------------- Rules */

/* A rule's content, as acl-rule-add takes it or a row holds it. */
struct acl_rule {
    int64_t number;
    bool ingress;
    bool deny;
    int proto;                  /* VPC_SG_PROTO_ALL, 0...255 or
                                 * VPC_CTL_PROTO_INVALID. */
    const char *proto_s;        /* The row's protocol if invalid. */
    int64_t port_min;           /* 0 for every port. */
    int64_t port_max;
    char *cidr;
};

static void
acl_rule_destroy(struct acl_rule *r)
{
    free(r->cidr);
}

static void
acl_rule_from_row(const struct vpcrec_network_acl_rule *row,
                  struct acl_rule *r)
{
    *r = (struct acl_rule) {
        .number = row->number,
        .ingress = !strcmp(row->direction, "ingress"),
        .deny = !strcmp(row->action, "deny"),
        .proto = vpc_ctl_row_protocol(row->protocol),
        .proto_s = row->protocol,
        .cidr = vpc_ctl_normalize_cidr(row->cidr),
    };
    vpc_ctl_row_ports(row->port_min, row->n_port_min, row->port_max,
                      row->n_port_max, &r->port_min, &r->port_max);
}

static bool
acl_rule_equals(const struct acl_rule *a, const struct acl_rule *b)
{
    return (a->number == b->number
            && a->ingress == b->ingress
            && a->deny == b->deny
            && a->proto == b->proto
            && a->port_min == b->port_min
            && a->port_max == b->port_max
            && !strcmp(a->cidr, b->cidr));
}

/* Prints 'r' as acl-rule-add takes it:
 * "NUMBER DIRECTION ACTION PROTOCOL [PORTS] CIDR". */
static void
put_acl_rule(struct ds *s, const struct acl_rule *r)
{
    ds_put_format(s, "%"PRId64" %s %s ", r->number,
                  r->ingress ? "ingress" : "egress",
                  r->deny ? "deny" : "allow");
    vpc_ctl_put_protocol(s, r->proto, r->proto_s);
    vpc_ctl_put_ports(s, r->port_min, r->port_max);
    ds_put_format(s, " %s", r->cidr);
}

/* Parses 's', a rule number, into '*number'.  Otherwise sets an error in
 * 'ctx' and returns false. */
static bool
parse_rule_number(struct ctl_context *ctx, const char *s, int64_t *number)
{
    if (!vpc_ctl_parse_number(s, ACL_NUMBER_MIN, ACL_NUMBER_MAX, number)) {
        ctl_error(ctx, "%s: rule number must be an integer from %d to %d",
                  s, ACL_NUMBER_MIN, ACL_NUMBER_MAX);
        return false;
    }
    return true;
}

/* Parses 's', the PORTS argument of a rule of protocol 'r->proto', into
 * 'r'.  Returns NULL, or a malloc()'d error. */
static char *
parse_rule_ports(const char *s, struct acl_rule *r)
{
    if (!vpc_sg_protocol_has_ports(r->proto)) {
        struct ds proto = DS_EMPTY_INITIALIZER;
        vpc_ctl_put_protocol(&proto, r->proto, NULL);
        char *error = xasprintf("%s: protocol %s takes no ports (only tcp "
                                "and udp do)", s, ds_cstr(&proto));
        ds_destroy(&proto);
        return error;
    }
    return vpc_ctl_parse_ports(s, &r->port_min, &r->port_max);
}

/* Parses the rule that the arguments of the command in 'ctx' give from
 * argv[2] on (NUMBER DIRECTION ACTION PROTOCOL [PORTS] CIDR) into 'r'.  On
 * failure, sets an error and returns false; either way, the caller
 * destroys 'r'. */
static bool
parse_acl_rule(struct ctl_context *ctx, struct acl_rule *r)
{
    char **args = &ctx->argv[2];
    int n = ctx->argc - 2;

    *r = (struct acl_rule) { .number = 0 };
    return (parse_rule_number(ctx, args[0], &r->number)
            && vpc_ctl_parse_direction(ctx, args[1], &r->ingress)
            && vpc_ctl_parse_action(ctx, args[2], &r->deny)
            && vpc_ctl_check(ctx, vpc_sg_protocol_parse(args[3], &r->proto))
            && (n == 5 || vpc_ctl_check(ctx, parse_rule_ports(args[4], r)))
            && vpc_ctl_check(ctx, vpc_ctl_parse_rule_cidr(args[n - 1],
                                                          &r->cidr)));
}

/* Returns the rule of 'acl' with 'number' in the direction 'ingress', or
 * NULL if it has none. */
static const struct vpcrec_network_acl_rule *
acl_rule_find(struct ctl_context *ctx, const struct vpcrec_network_acl *acl,
              bool ingress, int64_t number)
{
    const struct vpcrec_network_acl_rule *row;

    VPCREC_NETWORK_ACL_RULE_FOR_EACH (row, ctx->idl) {
        if (row->network_acl == acl && row->number == number
            && !strcmp(row->direction, ingress ? "ingress" : "egress")) {
            return row;
        }
    }
    return NULL;
}

static void
acl_rule_insert(struct ctl_context *ctx,
                const struct vpcrec_network_acl *acl,
                const struct acl_rule *r)
{
    const struct vpcrec_network_acl_rule *rule
        = VPC_CTL_INSERT(ctx, network_acl_rule);
    struct ds proto = DS_EMPTY_INITIALIZER;

    vpc_ctl_put_protocol(&proto, r->proto, r->proto_s);
    vpcrec_network_acl_rule_set_network_acl(rule, acl);
    vpcrec_network_acl_rule_set_number(rule, r->number);
    vpcrec_network_acl_rule_set_direction(rule, (r->ingress ? "ingress"
                                                 : "egress"));
    vpcrec_network_acl_rule_set_action(rule, r->deny ? "deny" : "allow");
    vpcrec_network_acl_rule_set_protocol(rule, ds_cstr(&proto));
    if (r->port_min) {
        vpcrec_network_acl_rule_set_port_min(rule, &r->port_min, 1);
        vpcrec_network_acl_rule_set_port_max(rule, &r->port_max, 1);
    }
    vpcrec_network_acl_rule_set_cidr(rule, r->cidr);
    ds_destroy(&proto);
}

static int
compare_acl_rules(const void *a_, const void *b_)
{
    const struct acl_rule *a = a_;
    const struct acl_rule *b = b_;

    if (a->ingress != b->ingress) {
        return a->ingress ? -1 : 1;
    } else if (a->number != b->number) {
        return a->number < b->number ? -1 : 1;
    }
    return strcmp(a->cidr, b->cidr);
}

/* Returns the rules of 'acl', ingress then egress, each by number, and
 * stores their number in '*n'.  The caller destroys each and frees the
 * array. */
static struct acl_rule *
acl_rules(struct ctl_context *ctx, const struct vpcrec_network_acl *acl,
          size_t *n)
{
    struct acl_rule *rules = NULL;
    size_t allocated = 0;
    const struct vpcrec_network_acl_rule *row;

    *n = 0;
    VPCREC_NETWORK_ACL_RULE_FOR_EACH (row, ctx->idl) {
        if (row->network_acl == acl) {
            if (*n >= allocated) {
                rules = x2nrealloc(rules, &allocated, sizeof *rules);
            }
            acl_rule_from_row(row, &rules[(*n)++]);
        }
    }
    if (*n) {
        qsort(rules, *n, sizeof *rules, compare_acl_rules);
    }
    return rules;
}

/* ------------------------------------------------------------ Commands */

static void
cmd_acl_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[2];
    const struct vpcrec_vpc *vpc = VPC_CTL_LOOKUP(ctx, vpc, ctx->argv[1],
                                                  true);
    if (!vpc) {
        return;
    }

    if (!VPC_CTL_NAME_IS_FREE(ctx, network_acl, name, vpc)) {
        return;
    }

    const struct vpcrec_network_acl *acl = VPC_CTL_INSERT(ctx, network_acl);
    vpcrec_network_acl_set_name(acl, name);
    vpcrec_network_acl_set_vpc(acl, vpc);
}

static void
cmd_acl_del(struct ctl_context *ctx)
{
    const struct vpcrec_network_acl *acl
        = VPC_CTL_LOOKUP(ctx, network_acl, ctx->argv[1],
                         !vpc_ctl_has_option(ctx, "--if-exists"));
    if (!acl) {
        return;
    }
    if (!vpc_ctl_has_option(ctx, "--cascade")
        && vpc_ctl_refuse_if_used(ctx, &acl->header_, &vpcrec_table_subnet,
                                  &vpcrec_subnet_col_network_acl,
                                  "detach it with subnet-set-acl first or "
                                  "use --cascade")) {
        return;
    }

    struct hmapx acls = HMAPX_INITIALIZER(&acls);
    hmapx_add(&acls, CONST_CAST(struct vpcrec_network_acl *, acl));
    acl_delete(ctx, &acls);
    hmapx_destroy(&acls);
}

/* Prints 'acl' as "NAME vpc=VPC rules=N subnets=M". */
static void
put_acl(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_network_acl *acl = VPC_CTL_ROW(network_acl, row);

    ds_put_format(&ctx->output, "%s vpc=%s rules=%"PRIuSIZE
                  " subnets=%"PRIuSIZE"\n", acl->name,
                  acl->vpc ? acl->vpc->name : "", acl_count_rules(ctx, acl),
                  acl_count_subnets(ctx, acl));
}

static void
cmd_acl_list(struct ctl_context *ctx)
{
    vpc_ctl_list(ctx, &vpcrec_table_network_acl, &vpcrec_table_vpc,
                 &vpcrec_network_acl_col_vpc, put_acl);
}

static void
cmd_acl_show(struct ctl_context *ctx)
{
    const struct vpcrec_network_acl *acl
        = VPC_CTL_LOOKUP(ctx, network_acl, ctx->argv[1], true);
    if (!acl) {
        return;
    }

    put_acl(ctx, &acl->header_);

    size_t n;
    struct acl_rule *rules = acl_rules(ctx, acl, &n);
    for (size_t i = 0; i < n; i++) {
        ds_put_cstr(&ctx->output, "    ");
        put_acl_rule(&ctx->output, &rules[i]);
        ds_put_char(&ctx->output, '\n');
        acl_rule_destroy(&rules[i]);
    }
    free(rules);
}

static void
cmd_acl_rule_add(struct ctl_context *ctx)
{
    const struct vpcrec_network_acl *acl
        = VPC_CTL_LOOKUP(ctx, network_acl, ctx->argv[1], true);
    if (!acl) {
        return;
    }
    struct acl_rule r;
    if (!parse_acl_rule(ctx, &r)) {
        acl_rule_destroy(&r);
        return;
    }

    const struct vpcrec_network_acl_rule *row
        = acl_rule_find(ctx, acl, r.ingress, r.number);
    if (!row) {
        acl_rule_insert(ctx, acl, &r);
    } else {
        struct acl_rule old;
        acl_rule_from_row(row, &old);
        if (!vpc_ctl_has_option(ctx, "--may-exist")
            || !acl_rule_equals(&old, &r)) {
            struct ds s = DS_EMPTY_INITIALIZER;
            put_acl_rule(&s, &old);
            ctl_error(ctx, "%s: network ACL already has rule %s", acl->name,
                      ds_cstr(&s));
            ds_destroy(&s);
        }
        acl_rule_destroy(&old);
    }
    acl_rule_destroy(&r);
}

static void
cmd_acl_rule_del(struct ctl_context *ctx)
{
    const struct vpcrec_network_acl *acl
        = VPC_CTL_LOOKUP(ctx, network_acl, ctx->argv[1], true);
    bool ingress;
    int64_t number;
    if (!acl
        || !vpc_ctl_parse_direction(ctx, ctx->argv[2], &ingress)
        || !parse_rule_number(ctx, ctx->argv[3], &number)) {
        return;
    }

    const struct vpcrec_network_acl_rule *row
        = acl_rule_find(ctx, acl, ingress, number);
    if (row) {
        vpcrec_network_acl_rule_delete(row);
    } else if (!vpc_ctl_has_option(ctx, "--if-exists")) {
        ctl_error(ctx, "%s: network ACL has no %s rule %"PRId64, acl->name,
                  ingress ? "ingress" : "egress", number);
    }
}

static void
cmd_subnet_set_acl(struct ctl_context *ctx)
{
    const struct vpcrec_subnet *subnet = VPC_CTL_LOOKUP(ctx, subnet,
                                                        ctx->argv[1], true);
    if (!subnet) {
        return;
    }

    const struct vpcrec_network_acl *acl = NULL;
    if (ctx->argc > 2) {
        acl = VPC_CTL_LOOKUP_IN_VPC(ctx, network_acl, ctx->argv[2],
                                    subnet->vpc);
        if (!acl) {
            return;
        }
    }
    vpcrec_subnet_set_network_acl(subnet, acl);
}

/* ------------------------------------------------ For the other families */

/* If 'vpc' has network ACLs, sets the error "VPC: VPC still has N network
 * ACL(s)..." in 'ctx' and returns true. */
bool
vpc_ctl_acl_refuse_vpc_del(struct ctl_context *ctx,
                           const struct vpcrec_vpc *vpc)
{
    return vpc_ctl_refuse_vpc_rows(ctx, vpc, &vpcrec_table_network_acl,
                                   &vpcrec_network_acl_col_vpc, NULL);
}

/* Deletes, in the transaction of 'ctx', the ACLs of 'vpc' with their
 * rules, and detaches them from the subnets that use them. */
void
vpc_ctl_acl_delete_vpc_acls(struct ctl_context *ctx,
                            const struct vpcrec_vpc *vpc)
{
    struct hmapx acls = HMAPX_INITIALIZER(&acls);
    const struct vpcrec_network_acl *acl;

    VPCREC_NETWORK_ACL_FOR_EACH (acl, ctx->idl) {
        if (acl->vpc == vpc) {
            hmapx_add(&acls, CONST_CAST(struct vpcrec_network_acl *, acl));
        }
    }
    acl_delete(ctx, &acls);
    hmapx_destroy(&acls);
}

static void
show_acl(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_network_acl *acl = VPC_CTL_ROW(network_acl, row);

    ds_put_format(&ctx->output, "    network_acl %s (rules %"PRIuSIZE
                  ", subnets %"PRIuSIZE")\n", acl->name,
                  acl_count_rules(ctx, acl), acl_count_subnets(ctx, acl));
}

/* Prints the ACLs of 'vpc' into the output of 'ctx', for "show", one line
 * each, by name. */
void
vpc_ctl_acl_show_vpc(struct ctl_context *ctx, const struct vpcrec_vpc *vpc)
{
    vpc_ctl_put_sorted(ctx, &vpcrec_table_network_acl,
                       &vpcrec_network_acl_col_vpc, &vpc->header_, show_acl);
}

/* ------------------------------------------------------- Prerequisites
 *
 * Each command replicates only the columns it reads, so that a command on
 * a big database loads as little as it can. */

/* Prerequisites of the commands in 'ctx' that print the ACL of each
 * subnet by name. */
void
vpc_ctl_pre_subnet_acls(struct ctl_context *ctx)
{
    ovsdb_idl_add_column(ctx->idl, &vpcrec_subnet_col_network_acl);
    vpc_ctl_pre_name(ctx, &vpcrec_network_acl_col_name);
}

/* The names of VPCs, subnets and ACLs, and which VPC each is of. */
static void
pre_acl_names(struct ctl_context *ctx)
{
    vpc_ctl_pre_subnet_acls(ctx);
    vpc_ctl_pre_name(ctx, &vpcrec_vpc_col_name);
    vpc_ctl_pre_name(ctx, &vpcrec_subnet_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_subnet_col_vpc);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_network_acl_col_vpc);
}

/* Prerequisites of the commands in 'ctx' that read ACLs, their rules, and
 * the subnets that use them. */
void
vpc_ctl_pre_acls(struct ctl_context *ctx)
{
    static const struct ovsdb_idl_column *const rule_columns[] = {
        &vpcrec_network_acl_rule_col_network_acl,
        &vpcrec_network_acl_rule_col_number,
        &vpcrec_network_acl_rule_col_direction,
        &vpcrec_network_acl_rule_col_action,
        &vpcrec_network_acl_rule_col_protocol,
        &vpcrec_network_acl_rule_col_port_min,
        &vpcrec_network_acl_rule_col_port_max,
        &vpcrec_network_acl_rule_col_cidr,
    };

    pre_acl_names(ctx);
    for (size_t i = 0; i < ARRAY_SIZE(rule_columns); i++) {
        ovsdb_idl_add_column(ctx->idl, rule_columns[i]);
    }
}

/* ------------------------------------------------------------- Commands */

const struct ctl_command_syntax vpc_ctl_acl_commands[] = {
    {"acl-add", 2, 2, "VPC ACL", pre_acl_names, cmd_acl_add, NULL,
     "--may-exist", RW},
    {"acl-del", 1, 1, "ACL", vpc_ctl_pre_acls, cmd_acl_del, NULL,
     "--if-exists,--cascade", RW},
    {"acl-list", 0, 1, "[VPC]", vpc_ctl_pre_acls, cmd_acl_list, NULL, "",
     RO},
    {"acl-show", 1, 1, "ACL", vpc_ctl_pre_acls, cmd_acl_show, NULL, "", RO},
    {"acl-rule-add", 6, 7,
     "ACL NUMBER DIRECTION ACTION PROTOCOL [PORTS] CIDR", vpc_ctl_pre_acls,
     cmd_acl_rule_add, NULL, "--may-exist", RW},
    {"acl-rule-del", 3, 3, "ACL DIRECTION NUMBER", vpc_ctl_pre_acls,
     cmd_acl_rule_del, NULL, "--if-exists", RW},
    {"subnet-set-acl", 1, 2, "SUBNET [ACL]", pre_acl_names,
     cmd_subnet_set_acl, NULL, "", RW},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};
