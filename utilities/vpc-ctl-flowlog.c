/* vpc-ctl commands for flow logs: flow-log-*, each with its prerequisites,
 * in vpc_ctl_flowlog_commands; and what vpc-del, subnet-del and "show" need
 * of flow logs.
 *
 * A flow log is named by its VPC, its subnet (none: the whole VPC) and its
 * collector: a VPC has at most one flow log for a given subnet (or none)
 * and collector.  The collector is stored as the canonical "IP:PORT", so
 * that "192.0.2.5:04739" is the same collector as "192.0.2.5:4739". */
#include <config.h>

#include "vpc-ctl-flowlog.h"

#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "ovsdb-idl.h"
#include "util.h"
#include "vpc-ctl-common.h"
#include "vpc-ctl-vpc.h"
#include "vpc-flowlog.h"
#include "vpc-idl.h"

/* What a command's KEY=VALUE arguments say. */
struct flowlog_args {
    const char *collector_s;    /* As given, or NULL. */
    char *collector;            /* Canonical, or NULL. */
    const struct vpcrec_subnet *subnet;
    bool has_sampling;
    uint32_t sampling;
    const char *traffic;
};

/* Parses the arguments of 'ctx' from the 'first'th on, as KEY=VALUE with
 * the keys in 'keys' (a string of names separated by commas), into 'args'
 * for VPC 'vpc'.  Returns false (with the error set) if one is bad. */
static bool
parse_args(struct ctl_context *ctx, int first, const char *keys,
           const struct vpcrec_vpc *vpc, struct flowlog_args *args)
{
    memset(args, 0, sizeof *args);
    for (int i = first; i < ctx->argc; i++) {
        const char *arg = ctx->argv[i];
        const char *eq = strchr(arg, '=');
        char *key = eq ? xmemdup0(arg, eq - arg) : xstrdup(arg);
        const char *value = eq ? eq + 1 : "";
        char *known = xasprintf(",%s,", keys);
        char *pattern = xasprintf(",%s,", key);
        bool ok = eq && strstr(known, pattern);
        free(known);
        free(pattern);

        if (!ok) {
            ctl_error(ctx, "%s: unknown argument (expected %s, as "
                      "KEY=VALUE)", arg, keys);
        } else if (!strcmp(key, "collector")) {
            uint32_t ip;
            uint16_t port;
            char *error = vpc_flowlog_parse_collector(value, &ip, &port);
            if (error) {
                ok = vpc_ctl_check(ctx, error);
            } else {
                free(args->collector);
                args->collector_s = value;
                args->collector = xasprintf("%u.%u.%u.%u:%u", ip >> 24,
                                            (ip >> 16) & 0xff,
                                            (ip >> 8) & 0xff, ip & 0xff,
                                            port);
            }
        } else if (!strcmp(key, "subnet")) {
            args->subnet = VPC_CTL_LOOKUP(ctx, subnet, value, true);
            if (!args->subnet) {
                ok = false;
            } else if (args->subnet->vpc != vpc) {
                ctl_error(ctx, "%s: subnet belongs to VPC %s, not %s",
                          value, (args->subnet->vpc
                                  ? args->subnet->vpc->name : "(none)"),
                          vpc->name);
                ok = false;
            }
        } else if (!strcmp(key, "sampling")) {
            ok = vpc_ctl_check(ctx, vpc_flowlog_parse_sampling(
                                   value, &args->sampling));
            args->has_sampling = ok;
        } else if (!strcmp(key, "traffic")) {
            if (vpc_flowlog_traffic_is_valid(value)) {
                args->traffic = value;
            } else {
                ctl_error(ctx, "traffic: \"%s\" is not accepted, rejected "
                          "or all", value);
                ok = false;
            }
        }
        free(key);
        if (!ok) {
            free(args->collector);
            args->collector = NULL;
            return false;
        }
    }
    return true;
}

/* Does flow log 'fl' match what 'args' names (those of its keys given)? */
static bool
flowlog_matches(const struct vpcrec_flow_log *fl,
                const struct flowlog_args *args)
{
    return ((!args->collector || !strcmp(fl->collector, args->collector))
            && (!args->subnet || fl->subnet == args->subnet));
}

/* Returns the flow log of 'vpc' for exactly 'subnet' (NULL: the VPC's own)
 * and 'collector', or NULL. */
static const struct vpcrec_flow_log *
flowlog_find(struct ctl_context *ctx, const struct vpcrec_vpc *vpc,
             const struct vpcrec_subnet *subnet, const char *collector)
{
    const struct vpcrec_flow_log *fl;

    VPCREC_FLOW_LOG_FOR_EACH (fl, ctx->idl) {
        if (fl->vpc == vpc && fl->subnet == subnet
            && !strcmp(fl->collector, collector)) {
            return fl;
        }
    }
    return NULL;
}

static void
set_settings(const struct vpcrec_flow_log *fl, const struct flowlog_args *a)
{
    if (a->has_sampling && a->sampling != 1) {
        int64_t sampling = a->sampling;
        vpcrec_flow_log_set_sampling(fl, &sampling, 1);
    } else {
        vpcrec_flow_log_set_sampling(fl, NULL, 0);
    }
    vpcrec_flow_log_set_traffic(fl, (a->traffic && strcmp(a->traffic, "all")
                                     ? a->traffic : NULL));
}

static void
cmd_flow_log_add(struct ctl_context *ctx)
{
    const struct vpcrec_vpc *vpc = VPC_CTL_LOOKUP(ctx, vpc, ctx->argv[1],
                                                  true);
    struct flowlog_args args;

    if (!vpc || !parse_args(ctx, 2, "collector,subnet,sampling,traffic", vpc,
                            &args)) {
        return;
    }
    if (!args.collector) {
        ctl_error(ctx, "%s: flow-log-add needs collector=IP:PORT",
                  vpc->name);
        return;
    }

    const struct vpcrec_flow_log *fl = flowlog_find(ctx, vpc, args.subnet,
                                                    args.collector);
    if (fl && !vpc_ctl_has_option(ctx, "--may-exist")) {
        ctl_error(ctx, "%s: flow log to %s%s%s already exists", vpc->name,
                  args.collector, args.subnet ? " for subnet " : "",
                  args.subnet ? args.subnet->name : "");
    } else {
        if (!fl) {
            fl = VPC_CTL_INSERT(ctx, flow_log);
            vpcrec_flow_log_set_vpc(fl, vpc);
            vpcrec_flow_log_set_subnet(fl, args.subnet);
            vpcrec_flow_log_set_collector(fl, args.collector);
        }
        set_settings(fl, &args);
    }
    free(args.collector);
}

static void
cmd_flow_log_del(struct ctl_context *ctx)
{
    bool if_exists = vpc_ctl_has_option(ctx, "--if-exists");
    const struct vpcrec_vpc *vpc = VPC_CTL_LOOKUP(ctx, vpc, ctx->argv[1],
                                                  !if_exists);
    struct flowlog_args args;

    if (!vpc || !parse_args(ctx, 2, "collector,subnet", vpc, &args)) {
        return;
    }

    const struct vpcrec_flow_log *fl, *next;
    size_t n = 0;
    VPCREC_FLOW_LOG_FOR_EACH_SAFE (fl, next, ctx->idl) {
        if (fl->vpc == vpc && flowlog_matches(fl, &args)) {
            vpcrec_flow_log_delete(fl);
            n++;
        }
    }
    if (!n && !if_exists) {
        ctl_error(ctx, "%s: no flow log%s%s%s%s", vpc->name,
                  args.collector ? " to " : "",
                  args.collector ? args.collector : "",
                  args.subnet ? " for subnet " : "",
                  args.subnet ? args.subnet->name : "");
    }
    free(args.collector);
}

/* Puts flow log 'fl' into 's' as "collector=IP:PORT [subnet=SUBNET]
 * sampling=N traffic=T". */
static void
put_settings(struct ds *s, const struct vpcrec_flow_log *fl)
{
    ds_put_format(s, "collector=%s", fl->collector);
    if (fl->subnet) {
        ds_put_format(s, " subnet=%s", fl->subnet->name);
    }
    ds_put_format(s, " sampling=%"PRId64" traffic=%s",
                  fl->n_sampling ? fl->sampling[0] : 1,
                  fl->traffic ? fl->traffic : "all");
}

/* Compares flow logs by VPC name, subnet name (the VPC's own first) and
 * collector. */
static int
compare_flow_logs(const void *a_, const void *b_)
{
    const struct vpcrec_flow_log *const *a = a_;
    const struct vpcrec_flow_log *const *b = b_;
    int cmp = strcmp((*a)->vpc ? (*a)->vpc->name : "",
                     (*b)->vpc ? (*b)->vpc->name : "");
    if (!cmp) {
        cmp = strcmp((*a)->subnet ? (*a)->subnet->name : "",
                     (*b)->subnet ? (*b)->subnet->name : "");
    }
    return cmp ? cmp : strcmp((*a)->collector, (*b)->collector);
}

/* Returns the flow logs of 'vpc' (all if NULL), sorted, and their number
 * in '*n'.  The caller frees the array. */
static const struct vpcrec_flow_log **
sorted_flow_logs(struct ctl_context *ctx, const struct vpcrec_vpc *vpc,
                 size_t *n)
{
    const struct vpcrec_flow_log **fls = NULL;
    const struct vpcrec_flow_log *fl;
    size_t allocated = 0;

    *n = 0;
    VPCREC_FLOW_LOG_FOR_EACH (fl, ctx->idl) {
        if (!vpc || fl->vpc == vpc) {
            if (*n >= allocated) {
                fls = x2nrealloc(fls, &allocated, sizeof *fls);
            }
            fls[(*n)++] = fl;
        }
    }
    if (*n) {
        qsort(fls, *n, sizeof *fls, compare_flow_logs);
    }
    return fls;
}

static void
cmd_flow_log_list(struct ctl_context *ctx)
{
    const struct vpcrec_vpc *vpc = NULL;
    if (ctx->argc > 1) {
        vpc = VPC_CTL_LOOKUP(ctx, vpc, ctx->argv[1], true);
        if (!vpc) {
            return;
        }
    }

    size_t n;
    const struct vpcrec_flow_log **fls = sorted_flow_logs(ctx, vpc, &n);
    for (size_t i = 0; i < n; i++) {
        ds_put_format(&ctx->output, "%s ",
                      fls[i]->vpc ? fls[i]->vpc->name : "");
        put_settings(&ctx->output, fls[i]);
        ds_put_char(&ctx->output, '\n');
    }
    free(fls);
}

/* ------------------------------------------------ For the other families */

/* Prerequisites of the commands in 'ctx' that read flow logs. */
void
vpc_ctl_pre_flow_logs(struct ctl_context *ctx)
{
    vpc_ctl_pre_subnets(ctx);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_flow_log_col_vpc);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_flow_log_col_subnet);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_flow_log_col_collector);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_flow_log_col_sampling);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_flow_log_col_traffic);
}

/* Deletes the flow logs of 'vpc' (if nonnull) and of 'subnet' (if
 * nonnull), which are going. */
static void
delete_flow_logs(struct ctl_context *ctx, const struct vpcrec_vpc *vpc,
                 const struct vpcrec_subnet *subnet)
{
    const struct vpcrec_flow_log *fl, *next;

    VPCREC_FLOW_LOG_FOR_EACH_SAFE (fl, next, ctx->idl) {
        if ((vpc && fl->vpc == vpc) || (subnet && fl->subnet == subnet)) {
            vpcrec_flow_log_delete(fl);
        }
    }
}

/* Deletes the flow logs of 'vpc', which is going. */
void
vpc_ctl_flowlog_delete_vpc(struct ctl_context *ctx,
                           const struct vpcrec_vpc *vpc)
{
    delete_flow_logs(ctx, vpc, NULL);
}

/* Deletes the flow logs of 'subnet', which is going. */
void
vpc_ctl_flowlog_delete_subnet(struct ctl_context *ctx,
                              const struct vpcrec_subnet *subnet)
{
    delete_flow_logs(ctx, NULL, subnet);
}

/* Prints the flow logs of 'vpc' into the output of 'ctx', for "show", one
 * line each. */
void
vpc_ctl_flowlog_show_vpc(struct ctl_context *ctx,
                         const struct vpcrec_vpc *vpc)
{
    size_t n;
    const struct vpcrec_flow_log **fls = sorted_flow_logs(ctx, vpc, &n);
    for (size_t i = 0; i < n; i++) {
        ds_put_cstr(&ctx->output, "    flow-log ");
        put_settings(&ctx->output, fls[i]);
        ds_put_char(&ctx->output, '\n');
    }
    free(fls);
}

/* ------------------------------------------------------------- Commands */

const struct ctl_command_syntax vpc_ctl_flowlog_commands[] = {
    {"flow-log-add", 2, 5,
     "VPC collector=IP:PORT [subnet=SUBNET] [sampling=N] "
     "[traffic=accepted|rejected|all]",
     vpc_ctl_pre_flow_logs, cmd_flow_log_add, NULL, "--may-exist", RW},
    {"flow-log-del", 1, 3, "VPC [collector=IP:PORT] [subnet=SUBNET]",
     vpc_ctl_pre_flow_logs, cmd_flow_log_del, NULL, "--if-exists", RW},
    {"flow-log-list", 0, 1, "[VPC]", vpc_ctl_pre_flow_logs,
     cmd_flow_log_list, NULL, "", RO},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};
