/* vpc-ctl commands for security groups: sg-* and port-set-sg, each with
 * its prerequisites, in vpc_ctl_sg_commands; and the default group that
 * every VPC gets from vpc-add and loses with vpc-del.
 *
 * A rule reads, in sg-show, as the arguments that sg-rule-add and
 * sg-rule-del take: "DIRECTION PROTOCOL [PORTS|TYPE[/CODE]] REMOTE
 * --action=ACTION --priority=N", and sg-show adds its short id, the first
 * 8 hex digits of its UUID. */
#include <config.h>

#include "vpc-ctl-sg.h"

#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "hmapx.h"
#include "openvswitch/dynamic-string.h"
#include "ovsdb-idl.h"
#include "svec.h"
#include "util.h"
#include "uuid.h"
#include "vpc-ctl-alloc.h"
#include "vpc-ctl-common.h"
#include "vpc-ctl-rule.h"
#include "vpc-ctl-sg-rules.h"
#include "vpc-ctl-vpc.h"
#include "vpc-idl.h"
#include "vpc-sg.h"

#define SG_PRIORITY_MIN 1
#define SG_PRIORITY_MAX 100
#define SG_PRIORITY_DEFAULT 1

/* -------------------------------------------------------------- Groups */

/* Returns the VPC whose default group 'sg' is, if any. */
static const struct vpcrec_vpc *
sg_default_of(struct ctl_context *ctx, const struct vpcrec_security_group *sg)
{
    const struct vpcrec_vpc *vpc;

    VPCREC_VPC_FOR_EACH (vpc, ctx->idl) {
        if (vpc->default_security_group == sg) {
            return vpc;
        }
    }
    return NULL;
}

/* Is 'sg' the default group of its own VPC? */
static bool
sg_is_default(const struct vpcrec_security_group *sg)
{
    return sg->vpc && sg->vpc->default_security_group == sg;
}

/* Returns how many ports use 'sg': those that name it, and for the default
 * group of a VPC, the VPC's ports that name none. */
static size_t
sg_count_ports(struct ctl_context *ctx,
               const struct vpcrec_security_group *sg)
{
    size_t n = vpc_ctl_count_rows(ctx, &vpcrec_table_port,
                                  &vpcrec_port_col_security_groups,
                                  &sg->header_);
    if (sg_is_default(sg)) {
        const struct vpcrec_port *port;
        VPCREC_PORT_FOR_EACH (port, ctx->idl) {
            n += (!port->n_security_groups && port->subnet
                  && port->subnet->vpc == sg->vpc);
        }
    }
    return n;
}

static size_t
sg_count_rules(struct ctl_context *ctx,
               const struct vpcrec_security_group *sg)
{
    return vpc_ctl_count_rows(ctx, &vpcrec_table_security_group_rule,
                              &vpcrec_security_group_rule_col_security_group,
                              &sg->header_);
}

static const struct vpcrec_security_group *
sg_insert(struct ctl_context *ctx, const struct vpcrec_vpc *vpc,
          const char *name)
{
    const struct vpcrec_security_group *sg = VPC_CTL_INSERT(ctx,
                                                            security_group);
    vpcrec_security_group_set_name(sg, name);
    vpcrec_security_group_set_vpc(sg, vpc);
    return sg;
}

/* Deletes the groups in 'groups' (of struct vpcrec_security_group *) with
 * their rules and the rules of other groups that name them, and takes them
 * out of the ports that name them.  Rows that refer to a group go first:
 * deleting a row inserted earlier in the transaction frees it at once. */
static void
sg_delete_groups(struct ctl_context *ctx, const struct hmapx *groups)
{
    const struct vpcrec_security_group_rule *rule, *next_rule;
    VPCREC_SECURITY_GROUP_RULE_FOR_EACH_SAFE (rule, next_rule, ctx->idl) {
        if (hmapx_contains(groups, rule->security_group)
            || (rule->remote_group
                && hmapx_contains(groups, rule->remote_group))) {
            vpcrec_security_group_rule_delete(rule);
        }
    }

    const struct vpcrec_port *port;
    VPCREC_PORT_FOR_EACH (port, ctx->idl) {
        size_t n = 0;
        struct vpcrec_security_group **keep
            = xmalloc((port->n_security_groups + 1) * sizeof *keep);
        for (size_t i = 0; i < port->n_security_groups; i++) {
            if (!hmapx_contains(groups, port->security_groups[i])) {
                keep[n++] = port->security_groups[i];
            }
        }
        if (n != port->n_security_groups) {
            vpcrec_port_verify_security_groups(port);
            vpcrec_port_set_security_groups(port, keep, n);
        }
        free(keep);
    }

    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, groups) {
        vpcrec_security_group_delete(node->data);
    }
}

/* --------------------------------------------------------------- Rules */

/* A rule's content, as sg-rule-add takes it or a row holds it. */
struct sg_rule {
    bool ingress;
    bool deny;
    int64_t priority;
    int proto;                  /* VPC_SG_PROTO_ALL, 0...255 or
                                 * VPC_CTL_PROTO_INVALID. */
    const char *proto_s;        /* The row's protocol if invalid. */
    int64_t port_min;           /* 0 for none. */
    int64_t port_max;
    int64_t icmp_type;          /* -1 for none. */
    int64_t icmp_code;          /* -1 for none. */
    char *remote_cidr;          /* The remote block, or NULL for... */
    const struct vpcrec_security_group *remote_group;   /* ...a group. */
};

static void
sg_rule_destroy(struct sg_rule *r)
{
    free(r->remote_cidr);
}

static void
sg_rule_from_row(const struct vpcrec_security_group_rule *row,
                 struct sg_rule *r)
{
    *r = (struct sg_rule) {
        .ingress = !strcmp(row->direction, "ingress"),
        .deny = !strcmp(row->action, "deny"),
        .priority = row->priority,
        .proto = vpc_ctl_row_protocol(row->protocol),
        .proto_s = row->protocol,
        .icmp_type = row->n_icmp_type ? *row->icmp_type : -1,
        .icmp_code = row->n_icmp_code ? *row->icmp_code : -1,
        .remote_cidr = (row->remote_cidr
                        ? vpc_ctl_normalize_cidr(row->remote_cidr)
                        : NULL),
        .remote_group = row->remote_group,
    };
    vpc_ctl_row_ports(row->port_min, row->n_port_min, row->port_max,
                      row->n_port_max, &r->port_min, &r->port_max);
}

static bool
sg_rule_equals(const struct sg_rule *a, const struct sg_rule *b)
{
    return (a->ingress == b->ingress
            && a->deny == b->deny
            && a->priority == b->priority
            && a->proto == b->proto
            && a->port_min == b->port_min
            && a->port_max == b->port_max
            && a->icmp_type == b->icmp_type
            && a->icmp_code == b->icmp_code
            && a->remote_group == b->remote_group
            && nullable_string_is_equal(a->remote_cidr, b->remote_cidr));
}

/* Prints 'r' as sg-rule-add takes it:
 * "DIRECTION PROTOCOL [PORTS|TYPE[/CODE]] REMOTE --action=A --priority=N".
 */
static void
put_rule(struct ds *s, const struct sg_rule *r)
{
    ds_put_format(s, "%s ", r->ingress ? "ingress" : "egress");
    vpc_ctl_put_protocol(s, r->proto, r->proto_s);
    vpc_ctl_put_ports(s, r->port_min, r->port_max);
    if (r->icmp_type >= 0) {
        ds_put_format(s, " %"PRId64, r->icmp_type);
        if (r->icmp_code >= 0) {
            ds_put_format(s, "/%"PRId64, r->icmp_code);
        }
    }
    ds_put_format(s, " %s --action=%s --priority=%"PRId64,
                  (r->remote_group ? r->remote_group->name
                   : r->remote_cidr ? r->remote_cidr : "(none)"),
                  r->deny ? "deny" : "allow", r->priority);
}

/* Prints the short id of the rule whose UUID is 'uuid': its first 8 hex
 * digits. */
static void
put_short_id(struct ds *s, const struct uuid *uuid)
{
    ds_put_format(s, "%08x", uuid->parts[0]);
}

/* Parses 's', the PORTS or TYPE[/CODE] argument of a rule of protocol
 * 'r->proto', into 'r'.  Returns NULL, or a malloc()'d error. */
static char *
parse_rule_range(const char *s, struct sg_rule *r)
{
    if (vpc_sg_protocol_has_ports(r->proto)) {
        if (strchr(s, '/')) {
            return xasprintf("%s: an ICMP type and code go only with "
                             "protocol icmp", s);
        }
        return vpc_ctl_parse_ports(s, &r->port_min, &r->port_max);
    } else if (r->proto == IPPROTO_ICMP) {
        if (strchr(s, '-')) {
            return xasprintf("%s: a port range goes only with protocol tcp "
                             "or udp", s);
        }
        if (!vpc_ctl_parse_number_pair(s, '/', 0, 255, &r->icmp_type,
                                       &r->icmp_code)) {
            return xasprintf("%s: ICMP type and code must be TYPE or "
                             "TYPE/CODE, from 0 to 255", s);
        }
    } else {
        struct ds proto = DS_EMPTY_INITIALIZER;
        vpc_ctl_put_protocol(&proto, r->proto, r->proto_s);
        char *error = xasprintf("%s: protocol %s takes no port range or "
                                "ICMP type", s, ds_cstr(&proto));
        ds_destroy(&proto);
        return error;
    }
    return NULL;
}

/* Parses 's', a rule's REMOTE, into 'r': a CIDR if it has a '/' or a ':'
 * or is only digits and dots, otherwise a group of 'sg''s VPC. */
static bool
parse_rule_remote(struct ctl_context *ctx,
                  const struct vpcrec_security_group *sg, const char *s,
                  struct sg_rule *r)
{
    if (vpc_cidr_is_ipv6(s) || strchr(s, '/')
        || strspn(s, "0123456789.") == strlen(s)) {
        if (!vpc_ctl_check(ctx, vpc_ctl_parse_rule_cidr(s,
                                                        &r->remote_cidr))) {
            return false;
        }
    } else {
        r->remote_group = VPC_CTL_LOOKUP_IN_VPC(ctx, security_group, s,
                                                  sg->vpc);
        if (!r->remote_group) {
            return false;
        }
    }
    return true;
}

/* Parses the rule of group 'sg' that the arguments of the command in 'ctx'
 * give from argv[2] on (DIRECTION PROTOCOL [PORTS|TYPE[/CODE]] REMOTE),
 * with its options --action and --priority, into 'r'.  On failure, sets
 * an error and returns false; either way, the caller destroys 'r'. */
static bool
parse_rule(struct ctl_context *ctx, const struct vpcrec_security_group *sg,
           struct sg_rule *r)
{
    char **args = &ctx->argv[2];
    int n = ctx->argc - 2;

    *r = (struct sg_rule) {
        .priority = SG_PRIORITY_DEFAULT,
        .icmp_type = -1,
        .icmp_code = -1,
    };
    if (n != 3 && n != 4) {
        ctl_error(ctx, "'%s' needs a rule id, or DIRECTION PROTOCOL "
                  "[PORTS|TYPE[/CODE]] REMOTE", ctx->argv[0]);
        return false;
    }

    if (!vpc_ctl_parse_direction(ctx, args[0], &r->ingress)
        || !vpc_ctl_check(ctx, vpc_sg_protocol_parse(args[1], &r->proto))
        || (n == 4 && !vpc_ctl_check(ctx, parse_rule_range(args[2], r)))
        || !parse_rule_remote(ctx, sg, args[n - 1], r)) {
        return false;
    }

    const char *action = vpc_ctl_option(ctx, "--action");
    if (action && !vpc_ctl_parse_action(ctx, action, &r->deny)) {
        return false;
    }
    const char *priority = vpc_ctl_option(ctx, "--priority");
    if (priority && !vpc_ctl_parse_number(priority, SG_PRIORITY_MIN,
                                          SG_PRIORITY_MAX, &r->priority)) {
        ctl_error(ctx, "%s: priority must be an integer from %d to %d",
                  priority, SG_PRIORITY_MIN, SG_PRIORITY_MAX);
        return false;
    }
    return true;
}

static const struct vpcrec_security_group_rule *
sg_rule_insert(struct ctl_context *ctx,
               const struct vpcrec_security_group *sg,
               const struct sg_rule *r)
{
    const struct vpcrec_security_group_rule *rule
        = VPC_CTL_INSERT(ctx, security_group_rule);
    struct ds proto = DS_EMPTY_INITIALIZER;

    vpc_ctl_put_protocol(&proto, r->proto, r->proto_s);
    vpcrec_security_group_rule_set_security_group(rule, sg);
    vpcrec_security_group_rule_set_direction(rule, (r->ingress ? "ingress"
                                                    : "egress"));
    vpcrec_security_group_rule_set_action(rule, r->deny ? "deny" : "allow");
    vpcrec_security_group_rule_set_priority(rule, r->priority);
    vpcrec_security_group_rule_set_protocol(rule, ds_cstr(&proto));
    if (r->port_min) {
        vpcrec_security_group_rule_set_port_min(rule, &r->port_min, 1);
        vpcrec_security_group_rule_set_port_max(rule, &r->port_max, 1);
    }
    if (r->icmp_type >= 0) {
        vpcrec_security_group_rule_set_icmp_type(rule, &r->icmp_type, 1);
    }
    if (r->icmp_code >= 0) {
        vpcrec_security_group_rule_set_icmp_code(rule, &r->icmp_code, 1);
    }
    vpcrec_security_group_rule_set_remote_cidr(rule, r->remote_cidr);
    vpcrec_security_group_rule_set_remote_group(rule, r->remote_group);
    ds_destroy(&proto);
    vpc_ctl_sg_rules_note(ctx, sg, rule);
    return rule;
}

/* Adds to 'sg' a rule that allows all protocols at priority 100: ingress
 * from the members of 'remote_group', or if 'ingress' is false, egress to
 * anywhere (and 'remote_group' is NULL). */
static void
sg_insert_allow_all(struct ctl_context *ctx,
                    const struct vpcrec_security_group *sg, bool ingress,
                    const struct vpcrec_security_group *remote_group)
{
    struct sg_rule r = {
        .ingress = ingress,
        .priority = SG_PRIORITY_MAX,
        .proto = VPC_SG_PROTO_ALL,
        .icmp_type = -1,
        .icmp_code = -1,
        .remote_cidr = remote_group ? NULL : xstrdup("0.0.0.0/0"),
        .remote_group = remote_group,
    };
    sg_rule_insert(ctx, sg, &r);
    sg_rule_destroy(&r);
}

/* A rule of a group, in the order in which rules decide. */
struct sg_rule_line {
    const struct vpcrec_security_group_rule *row;
    struct sg_rule rule;
    char *text;                 /* put_rule() of 'rule'. */
};

static int
compare_rule_lines(const void *a_, const void *b_)
{
    const struct sg_rule_line *a = a_;
    const struct sg_rule_line *b = b_;

    if (a->rule.priority != b->rule.priority) {
        return a->rule.priority < b->rule.priority ? -1 : 1;
    } else if (a->rule.deny != b->rule.deny) {
        return a->rule.deny ? -1 : 1;
    } else if (a->rule.ingress != b->rule.ingress) {
        return a->rule.ingress ? -1 : 1;
    }
    int cmp = strcmp(a->text, b->text);
    return cmp ? cmp : uuid_compare_3way(&a->row->header_.uuid,
                                         &b->row->header_.uuid);
}

/* Returns the rules of 'sg' in the order in which they decide: by
 * priority, deny before allow.  Stores their number in '*n'.  The caller
 * frees them with sg_rule_lines_destroy(). */
static struct sg_rule_line *
sg_rule_lines(struct ctl_context *ctx,
              const struct vpcrec_security_group *sg, size_t *n)
{
    struct sg_rule_line *lines = NULL;
    size_t allocated = 0;
    const struct vpcrec_security_group_rule *row;

    *n = 0;
    VPCREC_SECURITY_GROUP_RULE_FOR_EACH (row, ctx->idl) {
        if (row->security_group != sg) {
            continue;
        }
        if (*n >= allocated) {
            lines = x2nrealloc(lines, &allocated, sizeof *lines);
        }

        struct sg_rule_line *line = &lines[(*n)++];
        struct ds text = DS_EMPTY_INITIALIZER;
        line->row = row;
        sg_rule_from_row(row, &line->rule);
        put_rule(&text, &line->rule);
        line->text = ds_steal_cstr(&text);
    }
    if (*n) {
        qsort(lines, *n, sizeof *lines, compare_rule_lines);
    }
    return lines;
}

static void
sg_rule_lines_destroy(struct sg_rule_line *lines, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sg_rule_destroy(&lines[i].rule);
        free(lines[i].text);
    }
    free(lines);
}

/* Returns the rule of 'sg' whose UUID is 'id' or whose short id is 'id'.
 * If there is none and 'must_exist', or 'id' is neither, or several rules
 * have that short id, sets an error and returns NULL. */
static const struct vpcrec_security_group_rule *
sg_rule_lookup_id(struct ctl_context *ctx,
                  const struct vpcrec_security_group *sg, const char *id,
                  bool must_exist)
{
    struct uuid uuid;
    bool full = uuid_from_string(&uuid, id);
    uint32_t prefix = 0;

    if (!full) {
        if (strlen(id) != 8 || strspn(id, "0123456789abcdefABCDEF") != 8) {
            ctl_error(ctx, "%s: not a rule id (the 8 hex digits that "
                      "sg-show prints, or a UUID)", id);
            return NULL;
        }
        prefix = strtoul(id, NULL, 16);
    }

    const struct vpcrec_security_group_rule *row, *found = NULL;
    VPCREC_SECURITY_GROUP_RULE_FOR_EACH (row, ctx->idl) {
        if (row->security_group == sg
            && (full ? uuid_equals(&row->header_.uuid, &uuid)
                : row->header_.uuid.parts[0] == prefix)) {
            if (found) {
                ctl_error(ctx, "%s: several rules of security group %s "
                          "have this id; give the rule's UUID", id,
                          sg->name);
                return NULL;
            }
            found = row;
        }
    }
    if (!found && must_exist) {
        ctl_error(ctx, "%s: security group %s has no rule with this id", id,
                  sg->name);
    }
    return found;
}

/* ------------------------------------------------------------ Commands */

static void
cmd_sg_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[2];
    const struct vpcrec_vpc *vpc = VPC_CTL_LOOKUP(ctx, vpc, ctx->argv[1],
                                                  true);
    if (!vpc) {
        return;
    }

    if (!VPC_CTL_NAME_IS_FREE(ctx, security_group, name, vpc)) {
        return;
    }

    const struct vpcrec_security_group *sg = sg_insert(ctx, vpc, name);
    if (!vpc_ctl_has_option(ctx, "--no-default-egress")) {
        sg_insert_allow_all(ctx, sg, false, NULL);
    }
}

/* If rules of other groups than 'sg' name it as their remote group, sets
 * the error "SG: security group is still named by rules of security
 * group(s) a, b; HINT" and returns true. */
static bool
sg_refuse_if_named(struct ctl_context *ctx,
                   const struct vpcrec_security_group *sg, const char *hint)
{
    const struct vpcrec_security_group_rule *rule;
    struct svec names = SVEC_EMPTY_INITIALIZER;

    VPCREC_SECURITY_GROUP_RULE_FOR_EACH (rule, ctx->idl) {
        if (rule->remote_group == sg && rule->security_group != sg) {
            svec_add(&names, rule->security_group->name);
        }
    }
    svec_sort_unique(&names);
    if (names.n) {
        char *s = svec_join(&names, ", ", "");
        ctl_error(ctx, "%s: security group is still named by rules of "
                  "security group(s) %s; %s", sg->name, s, hint);
        free(s);
    }
    bool refused = names.n > 0;
    svec_destroy(&names);
    return refused;
}

static void
cmd_sg_del(struct ctl_context *ctx)
{
    const struct vpcrec_security_group *sg
        = VPC_CTL_LOOKUP(ctx, security_group, ctx->argv[1],
                         !vpc_ctl_has_option(ctx, "--if-exists"));
    if (!sg) {
        return;
    }

    const struct vpcrec_vpc *vpc = sg_default_of(ctx, sg);
    if (vpc) {
        ctl_error(ctx, "%s: security group is the default of VPC %s, "
                  "which keeps it until vpc-del", sg->name, vpc->name);
        return;
    }
    if (!vpc_ctl_has_option(ctx, "--cascade")
        && (vpc_ctl_refuse_if_used(ctx, &sg->header_, &vpcrec_table_port,
                                   &vpcrec_port_col_security_groups,
                                   "take it off them with port-set-sg "
                                   "first or use --cascade")
            || sg_refuse_if_named(ctx, sg, "delete them first or use "
                                  "--cascade"))) {
        return;
    }

    struct hmapx groups = HMAPX_INITIALIZER(&groups);
    hmapx_add(&groups, CONST_CAST(struct vpcrec_security_group *, sg));
    sg_delete_groups(ctx, &groups);
    hmapx_destroy(&groups);
}

/* Prints 'sg' as "NAME vpc=VPC rules=N ports=M [(default)]". */
static void
put_sg(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_security_group *sg = VPC_CTL_ROW(security_group,
                                                         row);

    ds_put_format(&ctx->output, "%s vpc=%s rules=%"PRIuSIZE
                  " ports=%"PRIuSIZE"%s\n", sg->name,
                  sg->vpc ? sg->vpc->name : "", sg_count_rules(ctx, sg),
                  sg_count_ports(ctx, sg),
                  sg_is_default(sg) ? " (default)" : "");
}

static void
cmd_sg_list(struct ctl_context *ctx)
{
    vpc_ctl_list(ctx, &vpcrec_table_security_group, &vpcrec_table_vpc,
                 &vpcrec_security_group_col_vpc, put_sg);
}

static void
cmd_sg_show(struct ctl_context *ctx)
{
    const struct vpcrec_security_group *sg
        = VPC_CTL_LOOKUP(ctx, security_group, ctx->argv[1], true);
    if (!sg) {
        return;
    }

    put_sg(ctx, &sg->header_);

    size_t n;
    struct sg_rule_line *lines = sg_rule_lines(ctx, sg, &n);
    for (size_t i = 0; i < n; i++) {
        ds_put_format(&ctx->output, "    %s (", lines[i].text);
        put_short_id(&ctx->output, &lines[i].row->header_.uuid);
        ds_put_cstr(&ctx->output, ")\n");
    }
    sg_rule_lines_destroy(lines, n);
}

/* sg-rule-add prints the rule's UUID, which its postprocessing turns into
 * the server's short id. */
static void
cmd_sg_rule_add(struct ctl_context *ctx)
{
    const struct vpcrec_security_group *sg
        = VPC_CTL_LOOKUP(ctx, security_group, ctx->argv[1], true);
    if (!sg) {
        return;
    }
    struct sg_rule r;
    if (!parse_rule(ctx, sg, &r)) {
        goto out;
    }

    /* The group's rules, and this one among them?  (Compared, not printed:
     * vpc-bench's transaction of 2,100 rules spent a seventh of vpc-ctl's
     * CPU printing the rules of their groups to compare them.) */
    const struct vpcrec_security_group_rule **rules;
    size_t n = vpc_ctl_sg_rules_of(ctx, sg, &rules);
    const struct vpcrec_security_group_rule *same = NULL;
    for (size_t i = 0; i < n && !same; i++) {
        struct sg_rule have;
        sg_rule_from_row(rules[i], &have);
        same = sg_rule_equals(&have, &r) ? rules[i] : NULL;
        sg_rule_destroy(&have);
    }
    free(rules);
    if (same && !vpc_ctl_has_option(ctx, "--may-exist")) {
        struct ds text = DS_EMPTY_INITIALIZER;
        struct sg_rule have;
        sg_rule_from_row(same, &have);
        put_rule(&text, &have);
        sg_rule_destroy(&have);
        ds_put_cstr(&text, " (");
        put_short_id(&text, &same->header_.uuid);
        ctl_error(ctx, "%s: security group already has rule %s)",
                  sg->name, ds_cstr(&text));
        ds_destroy(&text);
    } else if (!same && n >= VPC_SG_MAX_RULES) {
        ctl_error(ctx, "%s: security group already has %"PRIuSIZE" rules, "
                  "the most it may have", sg->name, n);
    } else {
        const struct vpcrec_security_group_rule *rule
            = same ? same : sg_rule_insert(ctx, sg, &r);
        ds_put_format(&ctx->output, UUID_FMT,
                      UUID_ARGS(&rule->header_.uuid));
    }

out:
    sg_rule_destroy(&r);
}

static void
post_sg_rule_add(struct ctl_context *ctx)
{
    struct uuid uuid;

    if (!uuid_from_string(&uuid, ds_cstr(&ctx->output))) {
        return;
    }
    const struct uuid *real = ovsdb_idl_txn_get_insert_uuid(ctx->txn, &uuid);
    ds_clear(&ctx->output);
    put_short_id(&ctx->output, real ? real : &uuid);
    ds_put_char(&ctx->output, '\n');
}

static void
cmd_sg_rule_del(struct ctl_context *ctx)
{
    bool must_exist = !vpc_ctl_has_option(ctx, "--if-exists");
    const struct vpcrec_security_group *sg
        = VPC_CTL_LOOKUP(ctx, security_group, ctx->argv[1], true);
    if (!sg) {
        return;
    }

    if (ctx->argc == 3) {
        if (vpc_ctl_has_option(ctx, "--action")
            || vpc_ctl_has_option(ctx, "--priority")) {
            ctl_error(ctx, "--action and --priority go with a rule's "
                      "content, not with its id");
            return;
        }

        const struct vpcrec_security_group_rule *rule
            = sg_rule_lookup_id(ctx, sg, ctx->argv[2], must_exist);
        if (rule) {
            vpcrec_security_group_rule_delete(rule);
        }
        return;
    }

    struct sg_rule r;
    if (parse_rule(ctx, sg, &r)) {
        size_t n, n_deleted = 0;
        struct sg_rule_line *lines = sg_rule_lines(ctx, sg, &n);
        for (size_t i = 0; i < n; i++) {
            if (sg_rule_equals(&lines[i].rule, &r)) {
                vpcrec_security_group_rule_delete(lines[i].row);
                n_deleted++;
            }
        }
        sg_rule_lines_destroy(lines, n);

        if (!n_deleted && must_exist) {
            struct ds s = DS_EMPTY_INITIALIZER;
            put_rule(&s, &r);
            ctl_error(ctx, "%s: security group has no rule %s", sg->name,
                      ds_cstr(&s));
            ds_destroy(&s);
        }
    }
    sg_rule_destroy(&r);
}

static void
cmd_port_set_sg(struct ctl_context *ctx)
{
    const struct vpcrec_port *port = vpc_ctl_port_lookup(ctx, ctx->argv[1],
                                                         true);
    if (!port) {
        return;
    }
    size_t n = ctx->argc - 2;
    if (n > VPC_SG_MAX_PER_PORT) {
        ctl_error(ctx, "%s: a port has at most %d security groups, not "
                  "%"PRIuSIZE, port->name, VPC_SG_MAX_PER_PORT, n);
        return;
    }

    const struct vpcrec_vpc *vpc = port->subnet ? port->subnet->vpc : NULL;
    struct vpcrec_security_group **sgs = xmalloc((n + 1) * sizeof *sgs);
    for (size_t i = 0; i < n; i++) {
        const struct vpcrec_security_group *sg
            = VPC_CTL_LOOKUP_IN_VPC(ctx, security_group, ctx->argv[i + 2],
                                    vpc);
        if (!sg) {
            goto out;
        }
        for (size_t j = 0; j < i; j++) {
            if (sgs[j] == sg) {
                ctl_error(ctx, "%s: security group listed twice", sg->name);
                goto out;
            }
        }
        sgs[i] = CONST_CAST(struct vpcrec_security_group *, sg);
    }
    vpcrec_port_set_security_groups(port, sgs, n);

out:
    free(sgs);
}

/* ------------------------------------------------ For the other families */

#define SG_DEFAULT_SUFFIX "-default"

/* Checks that the default group of a new VPC named 'vpc_name' can have its
 * name, "VPC-default".  Returns false, with an error set in 'ctx', if
 * not. */
bool
vpc_ctl_sg_check_default_name(struct ctl_context *ctx, const char *vpc_name)
{
    return vpc_ctl_vpc_row_name_is_free(ctx, &vpcrec_table_security_group,
                                        vpc_name, SG_DEFAULT_SUFFIX,
                                        "default group");
}

/* Creates, in the transaction of 'ctx', the default group of new VPC
 * 'vpc', "VPC-default": ingress allowed from its own members, all egress
 * allowed. */
void
vpc_ctl_sg_add_default(struct ctl_context *ctx, const struct vpcrec_vpc *vpc)
{
    char *name = xasprintf("%s"SG_DEFAULT_SUFFIX, vpc->name);
    const struct vpcrec_security_group *sg = sg_insert(ctx, vpc, name);

    sg_insert_allow_all(ctx, sg, true, sg);
    sg_insert_allow_all(ctx, sg, false, NULL);
    vpcrec_vpc_set_default_security_group(vpc, sg);
    free(name);
}

/* If 'vpc' has other groups than its default one, sets the error "VPC: VPC
 * still has N security group(s)..." in 'ctx' and returns true. */
bool
vpc_ctl_sg_refuse_vpc_del(struct ctl_context *ctx,
                          const struct vpcrec_vpc *vpc)
{
    const struct vpcrec_security_group *def = vpc->default_security_group;
    return vpc_ctl_refuse_vpc_rows(ctx, vpc, &vpcrec_table_security_group,
                                   &vpcrec_security_group_col_vpc,
                                   def ? &def->header_ : NULL);
}

/* Deletes, in the transaction of 'ctx', the groups of 'vpc', its default
 * group too, with their rules; takes them out of the ports and rules of
 * other VPCs that name them. */
void
vpc_ctl_sg_delete_vpc_groups(struct ctl_context *ctx,
                             const struct vpcrec_vpc *vpc)
{
    struct hmapx groups = HMAPX_INITIALIZER(&groups);
    const struct vpcrec_security_group *sg;

    VPCREC_SECURITY_GROUP_FOR_EACH (sg, ctx->idl) {
        if (sg->vpc == vpc) {
            hmapx_add(&groups, CONST_CAST(struct vpcrec_security_group *,
                                          sg));
        }
    }
    sg_delete_groups(ctx, &groups);
    hmapx_destroy(&groups);
}

static void
show_sg(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_security_group *sg = VPC_CTL_ROW(security_group,
                                                         row);

    ds_put_format(&ctx->output, "    security_group %s (%srules %"PRIuSIZE
                  ", ports %"PRIuSIZE")\n", sg->name,
                  sg_is_default(sg) ? "default, " : "",
                  sg_count_rules(ctx, sg), sg_count_ports(ctx, sg));
}

/* Prints the groups of 'vpc' into the output of 'ctx', for "show", one
 * line each, by name. */
void
vpc_ctl_sg_show_vpc(struct ctl_context *ctx, const struct vpcrec_vpc *vpc)
{
    vpc_ctl_put_sorted(ctx, &vpcrec_table_security_group,
                       &vpcrec_security_group_col_vpc, &vpc->header_,
                       show_sg);
}

/* Prints the groups of 'port' into 's' by name, "a, b", or for a port that
 * names none, its VPC's default group: "NAME (default)". */
void
vpc_ctl_put_port_sgs(struct ds *s, const struct vpcrec_port *port)
{
    if (!port->n_security_groups) {
        const struct vpcrec_vpc *vpc = port->subnet ? port->subnet->vpc
                                                    : NULL;
        const struct vpcrec_security_group *def
            = vpc ? vpc->default_security_group : NULL;
        ds_put_format(s, "%s%s(default)", def ? def->name : "",
                      def ? " " : "");
        return;
    }

    struct svec names = SVEC_EMPTY_INITIALIZER;
    for (size_t i = 0; i < port->n_security_groups; i++) {
        svec_add(&names, port->security_groups[i]->name);
    }
    svec_sort(&names);
    char *joined = svec_join(&names, ", ", "");
    ds_put_cstr(s, joined);
    free(joined);
    svec_destroy(&names);
}

/* ------------------------------------------------------- Prerequisites
 *
 * Each command replicates only the columns it reads, so that a command on
 * a big database loads as little as it can. */

/* Prerequisites of the commands in 'ctx' that read the names and VPCs of
 * groups, and which is the default of each VPC. */
void
vpc_ctl_pre_sg_names(struct ctl_context *ctx)
{
    ovsdb_idl_add_column(ctx->idl, &vpcrec_vpc_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_vpc_col_default_security_group);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_security_group_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_security_group_col_vpc);
}

/* vpc_ctl_pre_sg_names(), and the groups that ports name, for 'ctx'. */
void
vpc_ctl_pre_port_sgs(struct ctl_context *ctx)
{
    vpc_ctl_pre_sg_names(ctx);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_security_groups);
}

/* Prerequisites of the commands in 'ctx' that read groups, their rules,
 * and the ports of their VPCs. */
void
vpc_ctl_pre_sgs(struct ctl_context *ctx)
{
    static const struct ovsdb_idl_column *const rule_columns[] = {
        &vpcrec_security_group_rule_col_security_group,
        &vpcrec_security_group_rule_col_direction,
        &vpcrec_security_group_rule_col_action,
        &vpcrec_security_group_rule_col_priority,
        &vpcrec_security_group_rule_col_protocol,
        &vpcrec_security_group_rule_col_port_min,
        &vpcrec_security_group_rule_col_port_max,
        &vpcrec_security_group_rule_col_icmp_type,
        &vpcrec_security_group_rule_col_icmp_code,
        &vpcrec_security_group_rule_col_remote_cidr,
        &vpcrec_security_group_rule_col_remote_group,
    };

    vpc_ctl_pre_ports(ctx);
    vpc_ctl_pre_port_sgs(ctx);
    for (size_t i = 0; i < ARRAY_SIZE(rule_columns); i++) {
        ovsdb_idl_add_column(ctx->idl, rule_columns[i]);
    }
}

static void
pre_port_set_sg(struct ctl_context *ctx)
{
    vpc_ctl_pre_ports(ctx);
    vpc_ctl_pre_port_sgs(ctx);
}

/* ------------------------------------------------------------- Commands */

const struct ctl_command_syntax vpc_ctl_sg_commands[] = {
    {"sg-add", 2, 2, "VPC SG [--no-default-egress]", vpc_ctl_pre_sgs,
     cmd_sg_add, NULL, "--may-exist,--no-default-egress", RW},
    {"sg-del", 1, 1, "SG", vpc_ctl_pre_sgs, cmd_sg_del, NULL,
     "--if-exists,--cascade", RW},
    {"sg-list", 0, 1, "[VPC]", vpc_ctl_pre_sgs, cmd_sg_list, NULL, "", RO},
    {"sg-show", 1, 1, "SG", vpc_ctl_pre_sgs, cmd_sg_show, NULL, "", RO},
    {"sg-rule-add", 4, 5,
     "SG DIRECTION PROTOCOL [PORTS|TYPE[/CODE]] REMOTE [--action=ACTION] "
     "[--priority=N]", vpc_ctl_pre_sgs, cmd_sg_rule_add, post_sg_rule_add,
     "--may-exist,--action=,--priority=", RW},
    {"sg-rule-del", 2, 5,
     "SG ID | SG DIRECTION PROTOCOL [PORTS|TYPE[/CODE]] REMOTE "
     "[--action=ACTION] [--priority=N]", vpc_ctl_pre_sgs, cmd_sg_rule_del,
     NULL, "--if-exists,--action=,--priority=", RW},
    {"port-set-sg", 1, INT_MAX, "PORT [SG...]", pre_port_set_sg,
     cmd_port_set_sg, NULL, "", RW},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};
