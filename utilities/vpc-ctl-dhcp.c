/* vpc-ctl commands for DHCP: dhcp-set, dhcp-unset and dhcp-show on the
 * 'dhcp_options' of a VPC or a subnet, and port-set-hostname, each with
 * its prerequisites, in vpc_ctl_dhcp_commands.
 *
 * lib/vpc-dhcp.c is the one judge of a setting: these commands refuse
 * what it refuses, and dhcp-show passes over what it would skip, as
 * vpc-controller does.
 *
 * A TARGET is a VPC or a subnet, by name or UUID: "vpc:NAME" and
 * "subnet:NAME" say which, and are needed where a VPC and a subnet share
 * the name. */
#include <config.h>

#include "vpc-ctl-dhcp.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "sset.h"
#include "svec.h"
#include "util.h"
#include "vpc-ctl-alloc.h"
#include "vpc-ctl-common.h"
#include "vpc-ctl-vpc.h"
#include "vpc-dhcp.h"
#include "vpc-idl.h"

/* The row whose 'dhcp_options' a command reads or writes. */
struct dhcp_target {
    const struct vpcrec_vpc *vpc;       /* The VPC, or the subnet's VPC. */
    const struct vpcrec_subnet *subnet; /* The subnet, or NULL for a VPC. */
};

/* Finds the VPC or subnet that 'id' names, as the header comment says, and
 * stores it in '*t'.  Returns false, with an error set, if there is none
 * or if the name is ambiguous. */
static bool
dhcp_target_lookup(struct ctl_context *ctx, const char *id,
                   struct dhcp_target *t)
{
    const struct vpcrec_vpc *vpc = NULL;
    const struct vpcrec_subnet *subnet = NULL;

    if (!strncmp(id, "vpc:", 4)) {
        vpc = VPC_CTL_LOOKUP(ctx, vpc, id + 4, true);
    } else if (!strncmp(id, "subnet:", 7)) {
        subnet = VPC_CTL_LOOKUP(ctx, subnet, id + 7, true);
    } else {
        vpc = VPC_CTL_LOOKUP(ctx, vpc, id, false);
        subnet = VPC_CTL_LOOKUP(ctx, subnet, id, false);
        if (vpc && subnet) {
            ctl_error(ctx, "%s: both a VPC and a subnet have this name; "
                      "write vpc:%s or subnet:%s", id, id, id);
            return false;
        } else if (!vpc && !subnet) {
            ctl_error(ctx, "%s: VPC or subnet not found", id);
            return false;
        }
    }
    if (subnet && !subnet->vpc) {
        ctl_error(ctx, "%s: subnet has no VPC", subnet->name);
        return false;
    }
    t->subnet = subnet;
    t->vpc = subnet ? subnet->vpc : vpc;
    return t->vpc != NULL;
}

static const struct smap *
dhcp_target_options(const struct dhcp_target *t)
{
    return t->subnet ? &t->subnet->dhcp_options : &t->vpc->dhcp_options;
}

/* Replaces the target's whole 'dhcp_options' by 'options', verifying what
 * it had: a concurrent change makes vpc-ctl start over. */
static void
dhcp_target_write(const struct dhcp_target *t, const struct smap *options)
{
    if (t->subnet) {
        vpcrec_subnet_verify_dhcp_options(t->subnet);
        vpcrec_subnet_set_dhcp_options(t->subnet, options);
    } else {
        vpcrec_vpc_verify_dhcp_options(t->vpc);
        vpcrec_vpc_set_dhcp_options(t->vpc, options);
    }
}

/* Stores in 'keys', sorted, the keys that a subnet ('subnet') or a VPC may
 * set, as lib/vpc-dhcp.c lists them. */
static void
known_keys(struct svec *keys, bool subnet)
{
    char *list = xstrdup(vpc_dhcp_keys(subnet));
    char *save = NULL;

    for (char *k = strtok_r(list, ", ", &save); k;
         k = strtok_r(NULL, ", ", &save)) {
        svec_add(keys, k);
    }
    svec_sort(keys);
    free(list);
}

static bool
is_known_key(const char *key, bool subnet)
{
    struct svec keys = SVEC_EMPTY_INITIALIZER;
    known_keys(&keys, subnet);
    bool known = svec_contains(&keys, key);
    svec_destroy(&keys);
    return known;
}

/* Returns NULL if a subnet ('subnet') or a VPC may have setting 'key',
 * else a message (to free) that says why not. */
static char *
check_key(const char *key, bool subnet)
{
    if (is_known_key(key, subnet)) {
        return NULL;
    } else if (!subnet && is_known_key(key, true)) {
        return xasprintf("%s: only a subnet has this setting, not a VPC",
                         key);
    }
    /* What the checker says of an unknown key, with the known ones. */
    return vpc_dhcp_check(key, "", subnet);
}

/* Returns NULL if 'value' is a good value of 'key' for a subnet
 * ('subnet') or a VPC, else a message (to free) that says why not. */
static char *
check_setting(const char *key, const char *value, bool subnet)
{
    char *error = check_key(key, subnet);
    return error ? error : vpc_dhcp_check(key, value, subnet);
}

/* dhcp-set TARGET KEY=VALUE...: every pair checked before any is set. */
static void
cmd_dhcp_set(struct ctl_context *ctx)
{
    struct dhcp_target t;
    if (!dhcp_target_lookup(ctx, ctx->argv[1], &t)) {
        return;
    }

    struct smap options;
    struct sset seen = SSET_INITIALIZER(&seen);
    smap_clone(&options, dhcp_target_options(&t));
    for (int i = 2; i < ctx->argc; i++) {
        const char *arg = ctx->argv[i];
        const char *eq = strchr(arg, '=');
        if (!eq || eq == arg) {
            ctl_error(ctx, "%s: expected KEY=VALUE", arg);
            goto out;
        }

        char *key = xmemdup0(arg, eq - arg);
        char *error = (!sset_add(&seen, key)
                       ? xasprintf("%s: set twice", key)
                       : check_setting(key, eq + 1, t.subnet != NULL));
        if (!vpc_ctl_check(ctx, error)) {
            free(key);
            goto out;
        }
        smap_replace(&options, key, eq + 1);
        free(key);
    }
    dhcp_target_write(&t, &options);

out:
    smap_destroy(&options);
    sset_destroy(&seen);
}

/* dhcp-unset TARGET KEY...: a key the target does not have is fine, if it
 * is one it could have. */
static void
cmd_dhcp_unset(struct ctl_context *ctx)
{
    struct dhcp_target t;
    if (!dhcp_target_lookup(ctx, ctx->argv[1], &t)) {
        return;
    }

    struct smap options;
    smap_clone(&options, dhcp_target_options(&t));
    for (int i = 2; i < ctx->argc; i++) {
        const char *key = ctx->argv[i];

        /* A key that another client wrote, even an unknown one, may go. */
        if (smap_get(&options, key)) {
            smap_remove(&options, key);
        } else if (!vpc_ctl_check(ctx, check_key(key, t.subnet != NULL))) {
            smap_destroy(&options);
            return;
        }
    }
    dhcp_target_write(&t, &options);
    smap_destroy(&options);
}

/* Where a setting comes from: a subnet's or a VPC's 'dhcp_options'. */
struct dhcp_source {
    const char *what;           /* "subnet" or "vpc". */
    const char *name;
    const struct smap *options;
    bool subnet;
};

/* Stores in 'sources' where the target's settings come from, strongest
 * first; returns how many. */
static size_t
dhcp_target_sources(const struct dhcp_target *t,
                    struct dhcp_source sources[2])
{
    size_t n = 0;
    if (t->subnet) {
        sources[n++] = (struct dhcp_source) {
            "subnet", t->subnet->name, &t->subnet->dhcp_options, true,
        };
    }
    sources[n++] = (struct dhcp_source) {
        "vpc", t->vpc->name, &t->vpc->dhcp_options, false,
    };
    return n;
}

/* Returns the value (to free) that the DHCP server uses for 'key' when
 * no one sets it, or NULL if it then sends no such option. */
static char *
default_value(const char *key)
{
    struct vpc_dhcp_config cfg;

    vpc_dhcp_config_init(&cfg);
    if (!strcmp(key, "enabled")) {
        return xstrdup(cfg.enabled ? "true" : "false");
    } else if (!strcmp(key, "lease_time")) {
        return xasprintf("%"PRIu32, cfg.lease_time);
    }
    return NULL;
}

/* Prints "KEY: VALUE (SOURCE)" for the value of 'key' that the DHCP server
 * uses, from the first of the 'n' 'sources' with a good one, else its
 * default, else "KEY: (unset)". */
static void
put_setting(struct ds *s, const char *key,
            const struct dhcp_source *sources, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *value = smap_get(sources[i].options, key);
        char *error = value ? check_setting(key, value, sources[i].subnet)
                            : NULL;
        if (value && !error) {
            ds_put_format(s, "%s: %s (%s %s)\n", key, value, sources[i].what,
                          sources[i].name);
            return;
        }
        free(error);
    }

    char *def = default_value(key);
    if (def) {
        ds_put_format(s, "%s: %s (default)\n", key, def);
        free(def);
    } else {
        ds_put_format(s, "%s: (unset)\n", key);
    }
}

/* Prints "ignored: SOURCE KEY=VALUE (WHY)" for each bad setting of
 * 'source', by key. */
static void
put_ignored(struct ds *s, const struct dhcp_source *source)
{
    const struct smap_node **nodes = smap_sort(source->options);

    for (size_t i = 0; i < smap_count(source->options); i++) {
        char *error = check_setting(nodes[i]->key, nodes[i]->value,
                                    source->subnet);
        if (error) {
            ds_put_format(s, "ignored: %s %s %s=%s (%s)\n", source->what,
                          source->name, nodes[i]->key, nodes[i]->value,
                          error);
            free(error);
        }
    }
    free(nodes);
}

/* dhcp-show TARGET: one line per key the target may have, by key, then
 * the settings that the DHCP server skips, VPC first. */
static void
cmd_dhcp_show(struct ctl_context *ctx)
{
    struct dhcp_target t;
    if (!dhcp_target_lookup(ctx, ctx->argv[1], &t)) {
        return;
    }

    struct dhcp_source sources[2];
    size_t n = dhcp_target_sources(&t, sources);
    struct svec keys = SVEC_EMPTY_INITIALIZER;
    const char *key;
    size_t i;

    known_keys(&keys, t.subnet != NULL);
    SVEC_FOR_EACH (i, key, &keys) {
        put_setting(&ctx->output, key, sources, n);
    }
    svec_destroy(&keys);
    for (i = n; i-- > 0;) {
        put_ignored(&ctx->output, &sources[i]);
    }
}

/* port-set-hostname PORT [HOSTNAME]: the host name that the DHCP server
 * hands out to the port, or (without HOSTNAME) the port's name. */
static void
cmd_port_set_hostname(struct ctl_context *ctx)
{
    const char *hostname = ctx->argc > 2 ? ctx->argv[2] : NULL;

    if (hostname && !vpc_dhcp_hostname_is_valid(hostname)) {
        ctl_error(ctx, "%s: not a host name (dot-separated labels of "
                  "letters, digits and hyphens)", hostname);
        return;
    }

    const struct vpcrec_port *port = vpc_ctl_port_lookup(ctx, ctx->argv[1],
                                                         true);
    if (!port) {
        return;
    }

    /* The whole column, not a mutation: an earlier command of the batch
     * may have written it. */
    struct smap ids;
    smap_clone(&ids, &port->external_ids);
    if (hostname) {
        smap_replace(&ids, "hostname", hostname);
    } else {
        smap_remove(&ids, "hostname");
    }
    vpcrec_port_verify_external_ids(port);
    vpcrec_port_set_external_ids(port, &ids);
    smap_destroy(&ids);
}

/* ------------------------------------------------------- Prerequisites
 *
 * Each command replicates only the columns it reads, so that a command on
 * a big database loads as little as it can. */

static void
pre_dhcp(struct ctl_context *ctx)
{
    vpc_ctl_pre_name(ctx, &vpcrec_vpc_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_vpc_col_dhcp_options);
    vpc_ctl_pre_name(ctx, &vpcrec_subnet_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_subnet_col_vpc);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_subnet_col_dhcp_options);
}

static void
pre_port_set_hostname(struct ctl_context *ctx)
{
    vpc_ctl_pre_ports(ctx);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_external_ids);
}

/* ------------------------------------------------------------- Commands */

const struct ctl_command_syntax vpc_ctl_dhcp_commands[] = {
    {"dhcp-set", 2, INT_MAX, "TARGET KEY=VALUE...", pre_dhcp, cmd_dhcp_set,
     NULL, "", RW},
    {"dhcp-unset", 2, INT_MAX, "TARGET KEY...", pre_dhcp, cmd_dhcp_unset,
     NULL, "", RW},
    {"dhcp-show", 1, 1, "TARGET", pre_dhcp, cmd_dhcp_show, NULL, "", RO},
    {"port-set-hostname", 1, 2, "PORT [HOSTNAME]", pre_port_set_hostname,
     cmd_port_set_hostname, NULL, "", RW},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};
