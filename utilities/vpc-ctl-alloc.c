/* vpc-ctl: what commands allocate, and the caches that make that fast in
 * big batches.  MAC addresses of ports, subnet gateways and gateway
 * groups; IP addresses of ports, from their subnets, and outside addresses
 * from external networks (struct vpc_ctl_pool); the port indexes; and the
 * per-transaction context that holds them. */
#include <config.h>

#include "vpc-ctl-alloc.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "openvswitch/hmap.h"
#include "openvswitch/shash.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "sset.h"
#include "util.h"
#include "uuid.h"
#include "vpc-addr.h"
#include "bitmap.h"
#include "vpc-ctl-common.h"
#include "vpc-ctl-sg-rules.h"
#include "vpc-idl.h"

#define DEFAULT_MAC_PREFIX "0a:00:00"

/* ------------------------------------------------------- Address pools
 *
 * A subnet gives addresses to ports and an external network gives them to
 * NAT rules, in the same way. */

/* Parses 's' as the address of a new user of 'pool' into '*ip'.  Returns
 * false with an error set if it is not an address of the block, or is its
 * network, broadcast or reserved address.  Whether it is in use is the
 * caller's to check. */
bool
vpc_ctl_pool_parse(struct ctl_context *ctx, const struct vpc_ctl_pool *pool,
                   const char *s, uint32_t *ip)
{
    const struct vpc_cidr4 *cidr = &pool->cidr;

    if (!vpc_ctl_check(ctx, vpc_ip4_parse(s, ip))) {
        return false;
    } else if (!vpc_cidr4_contains_ip(cidr, *ip)) {
        ctl_error(ctx, "%s is outside %s %s (%s)", s, pool->what, pool->name,
                  pool->cidr_s);
    } else if (*ip == cidr->addr || *ip == vpc_cidr4_broadcast(cidr)) {
        ctl_error(ctx, "%s is the %s address of %s %s", s,
                  *ip == cidr->addr ? "network" : "broadcast", pool->what,
                  pool->name);
    } else if (*ip == pool->reserved) {
        ctl_error(ctx, "%s is the %s of %s %s", s, pool->reserved_what,
                  pool->what, pool->name);
    } else {
        return true;
    }
    return false;
}

/* Stores in '*ip' the lowest free address of 'pool': not its network,
 * broadcast or reserved address, nor one in use.  Returns false with an
 * error set if there is none. */
bool
vpc_ctl_pool_allocate(struct ctl_context *ctx,
                      const struct vpc_ctl_pool *pool, uint32_t *ip)
{
    uint32_t bcast = vpc_cidr4_broadcast(&pool->cidr);

    for (*ip = MAX(pool->cidr.addr + 1, pool->start); *ip < bcast; (*ip)++) {
        if (*ip != pool->reserved && !pool->in_use(pool->aux, *ip)) {
            return true;
        }
    }
    ctl_error(ctx, "%s %s (%s) has no free address left", pool->what,
              pool->name, pool->cidr_s);
    return false;
}

/* ---------------------------------------------------------- Port indexes
 *
 * For big batches, built on first use and kept up to date by our own
 * commands (generic commands invalidate them). */

static void index_ports(struct vpc_ctl_context *);

/* Returns the port named 'id', or whose UUID is 'id'.  If there is none and
 * 'must_exist', sets the error "ID: port not found". */
const struct vpcrec_port *
vpc_ctl_port_lookup(struct ctl_context *ctx, const char *id, bool must_exist)
{
    struct vpc_ctl_context *vctx = vpc_ctl_cast(ctx);
    const struct vpcrec_port *port;
    struct uuid uuid;

    index_ports(vctx);
    port = shash_find_data(&vctx->ports_by_name, id);
    if (port) {
        return port;
    }
    if (uuid_from_string(&uuid, id)) {
        port = vpcrec_port_get_for_uuid(ctx->idl, &uuid);
        if (port) {
            return port;
        }
    }
    if (must_exist) {
        ctl_error(ctx, "%s: port not found", id);
    }
    return NULL;
}

/* The IPs in use in one subnet. */
struct subnet_ips {
    struct hmap_node hmap_node;     /* By subnet row pointer. */
    const struct vpcrec_subnet *subnet;
    struct sset ips;                /* Normalized dotted quads. */
    uint32_t hint;                  /* Every address below is in use. */
};

static void
clear_port_indexes(struct vpc_ctl_context *vctx)
{
    struct subnet_ips *si;

    HMAP_FOR_EACH_POP (si, hmap_node, &vctx->subnet_ips) {
        sset_destroy(&si->ips);
        free(si);
    }
    shash_clear(&vctx->ports_by_name);
    vctx->ports_valid = false;
}

static void
invalidate_cache(struct ctl_context *ctx)
{
    struct vpc_ctl_context *vctx = vpc_ctl_cast(ctx);

    if (vctx->macs_valid) {
        sset_clear(&vctx->macs);
        vctx->macs_valid = false;
    }
    vctx->mac_hint = vctx->mac_hint_base;
    clear_port_indexes(vctx);
    vpc_ctl_forget_tunnel_keys(vctx);
}

/* Drops what 'vctx' knows of the tunnel keys in use: a command freed one or
 * changed them behind vpc-add's back. */
void
vpc_ctl_forget_tunnel_keys(struct vpc_ctl_context *vctx)
{
    bitmap_free(vctx->tunnel_keys);
    vctx->tunnel_keys = NULL;
}

static struct subnet_ips *
subnet_ips_get(struct vpc_ctl_context *vctx,
               const struct vpcrec_subnet *subnet)
{
    struct subnet_ips *si;

    HMAP_FOR_EACH_WITH_HASH (si, hmap_node, hash_pointer(subnet, 0),
                             &vctx->subnet_ips) {
        if (si->subnet == subnet) {
            return si;
        }
    }
    si = xmalloc(sizeof *si);
    si->subnet = subnet;
    si->hint = 0;
    sset_init(&si->ips);
    hmap_insert(&vctx->subnet_ips, &si->hmap_node, hash_pointer(subnet, 0));
    return si;
}

/* Adds (or removes) the IPs of 'port' to its subnet's set. */
static void
index_port_ips(struct vpc_ctl_context *vctx, const struct vpcrec_port *port,
               bool add)
{
    struct subnet_ips *si = subnet_ips_get(vctx, port->subnet);

    for (size_t i = 0; i < port->n_ips; i++) {
        uint32_t ip;
        char *error = vpc_ip4_parse(port->ips[i], &ip);
        if (!error) {
            char *s = vpc_ip4_to_string(ip);
            if (add) {
                sset_add(&si->ips, s);
            } else {
                sset_find_and_delete(&si->ips, s);
                si->hint = MIN(si->hint, ip);
            }
            free(s);
        }
        free(error);
    }
}

/* Builds the port indexes if needed. */
static void
index_ports(struct vpc_ctl_context *vctx)
{
    if (!vctx->ports_valid) {
        const struct vpcrec_port *port;

        VPCREC_PORT_FOR_EACH (port, vctx->base.idl) {
            shash_add_once(&vctx->ports_by_name, port->name, port);
            index_port_ips(vctx, port, true);
        }
        vctx->ports_valid = true;
    }
}

/* Records in the port indexes of 'vctx', if they are built, that a command
 * added 'port' ('add') or is about to delete it. */
void
vpc_ctl_index_port(struct vpc_ctl_context *vctx,
                   const struct vpcrec_port *port, bool add)
{
    if (vctx->ports_valid) {
        if (add) {
            shash_add_once(&vctx->ports_by_name, port->name, port);
        } else {
            shash_find_and_delete(&vctx->ports_by_name, port->name);
        }
        index_port_ips(vctx, port, add);
    }
}

/* --------------------------------------------------------- MAC addresses
 *
 * In use by every port, subnet gateway and gateway group. */

/* Formats 'ea' into 'buf' as vpc-ctl stores MAC addresses. */
void
vpc_ctl_mac_normalize(const struct eth_addr *ea,
                      char buf[ETH_ADDR_STRLEN + 1])
{
    snprintf(buf, ETH_ADDR_STRLEN + 1, ETH_ADDR_FMT, ETH_ADDR_ARGS(*ea));
}

static void
add_mac_string(struct sset *macs, const char *s)
{
    struct eth_addr ea;
    char buf[ETH_ADDR_STRLEN + 1];

    if (eth_addr_from_string(s, &ea)) {
        vpc_ctl_mac_normalize(&ea, buf);
        sset_add(macs, buf);
    }
}

static struct sset *
macs_in_use(struct ctl_context *ctx)
{
    struct vpc_ctl_context *vctx = vpc_ctl_cast(ctx);

    if (!vctx->macs_valid) {
        const struct vpcrec_port *port;
        const struct vpcrec_subnet *subnet;
        const struct vpcrec_gateway_group *group;

        VPCREC_PORT_FOR_EACH (port, ctx->idl) {
            add_mac_string(&vctx->macs, port->mac);
        }
        VPCREC_SUBNET_FOR_EACH (subnet, ctx->idl) {
            add_mac_string(&vctx->macs, subnet->gateway_mac);
        }
        VPCREC_GATEWAY_GROUP_FOR_EACH (group, ctx->idl) {
            add_mac_string(&vctx->macs, group->mac);
        }
        vctx->macs_valid = true;
    }
    return &vctx->macs;
}

/* Sets 'pfx' to VPC_Global's MAC prefix (options:mac_prefix, or the
 * default) followed by three zero octets, and '*prefixp' to the prefix as
 * configured.  Returns false if the prefix is not three octets of a unicast
 * MAC address. */
static bool
mac_prefix_get(const struct vpcrec_vpc_global *g, struct eth_addr *pfx,
               const char **prefixp)
{
    const char *prefix = g ? smap_get_def(&g->options, "mac_prefix",
                                          DEFAULT_MAC_PREFIX)
                           : DEFAULT_MAC_PREFIX;
    char *full = xasprintf("%s:00:00:00", prefix);
    bool ok = eth_addr_from_string(full, pfx);
    free(full);

    if (prefixp) {
        *prefixp = prefix;
    }
    return ok && !eth_addr_is_multicast(*pfx);
}

/* Formats the MAC address made of prefix 'pfx' and the low 24 bits 'low'. */
static void
mac_format(const struct eth_addr *pfx, uint32_t low,
           char buf[ETH_ADDR_STRLEN + 1])
{
    struct eth_addr ea = *pfx;

    ea.ea[3] = low >> 16;
    ea.ea[4] = low >> 8;
    ea.ea[5] = low;
    vpc_ctl_mac_normalize(&ea, buf);
}

/* Stores in 'buf' the first MAC under prefix 'pfx', from the hint of
 * 'vctx' on, that 'macs' does not hold, and returns its low 24 bits, or a
 * number above 0xffffff if there is none. */
static uint32_t
mac_first_free(const struct vpc_ctl_context *vctx, const struct sset *macs,
               const struct eth_addr *pfx, char buf[ETH_ADDR_STRLEN + 1])
{
    uint32_t low;

    for (low = MAX(vctx->mac_hint, 1); low <= 0xffffff; low++) {
        mac_format(pfx, low, buf);
        if (!sset_contains(macs, buf)) {
            break;
        }
    }
    return low;
}

/* Returns the low 24 bits of VPC_Global options:mac_hint, the MAC from
 * which vpc-ctl starts looking for a free one, or 1 if it is missing or
 * not under prefix 'pfx'. */
static uint32_t
mac_hint_get(const struct vpcrec_vpc_global *g, const struct eth_addr *pfx)
{
    const char *s = g ? smap_get(&g->options, "mac_hint") : NULL;
    struct eth_addr ea;

    if (s && eth_addr_from_string(s, &ea)
        && !memcmp(ea.ea, pfx->ea, 3)) {
        return MAX(1, (ea.ea[3] << 16) | (ea.ea[4] << 8) | ea.ea[5]);
    }
    return 1;
}

/* Adds to 'macs' the first 'n' MACs from VPC_Global 'g' options:mac_hint
 * on: those that allocations with a narrow scope pick first, unless they
 * find some of them in use. */
void
vpc_ctl_mac_predict(const struct vpcrec_vpc_global *g, size_t n,
                    struct sset *macs)
{
    struct eth_addr pfx;

    if (mac_prefix_get(g, &pfx, NULL)) {
        uint32_t low = mac_hint_get(g, &pfx);
        for (size_t i = 0; i < n && low <= 0xffffff; i++, low++) {
            char buf[ETH_ADDR_STRLEN + 1];
            mac_format(&pfx, low, buf);
            sset_add(macs, buf);
        }
    }
}

/* Parses MAC 's', or allocates a free one when 's' is NULL, "" or
 * "dynamic".  Stores the normalized string in 'buf' and records it as in
 * use.  Returns false with an error set on failure. */
bool
vpc_ctl_mac_claim(struct ctl_context *ctx, const char *s,
                  char buf[ETH_ADDR_STRLEN + 1])
{
    struct sset *macs = macs_in_use(ctx);
    struct eth_addr ea;

    if (s && s[0] && strcmp(s, "dynamic")) {
        if (!vpc_ctl_check(ctx, vpc_mac_parse(s, &ea))) {
            return false;
        }
        vpc_ctl_mac_normalize(&ea, buf);
        if (sset_contains(macs, buf)) {
            ctl_error(ctx, "%s: MAC address is already in use", s);
            return false;
        }
    } else {
        struct vpc_ctl_context *vctx = vpc_ctl_cast(ctx);
        struct eth_addr pfx;
        const char *prefix;
        if (!mac_prefix_get(vctx->global, &pfx, &prefix)) {
            ctl_error(ctx, "VPC_Global options:mac_prefix=%s is not three "
                      "octets of a unicast MAC address", prefix);
            return false;
        }

        /* With a narrow scope, 'macs' holds only some of the MACs in use:
         * the one picked here might belong to a port of another subnet.
         * Then the Port table's index on "mac" fails the transaction and
         * vpc-ctl tries again with every port replicated. */
        uint32_t low = mac_first_free(vctx, macs, &pfx, buf);
        if (low > 0xffffff) {
            if (vctx->narrow && vpc_ctl_scope_widen(ctx->idl)) {
                /* Not every MAC is known here: look at all of them. */
                ctx->try_again = true;
                return false;
            }
            ctl_error(ctx, "no free MAC address left under prefix %s",
                      prefix);
            return false;
        }
        vctx->mac_hint = low + 1;
    }
    sset_add(macs, buf);
    vpc_ctl_cast(ctx)->macs_changed = true;
    vpc_ctl_scope_claim_mac(buf);
    return true;
}

/* Forgets MAC 's' as in use.  Under the allocation prefix it is free
 * again, so the search for a free MAC (and the next mac_hint) starts no
 * higher than it: with a narrow scope, that is the only way vpc-ctl learns
 * of a hole below the hint. */
void
vpc_ctl_mac_release(struct ctl_context *ctx, const char *s)
{
    struct vpc_ctl_context *vctx = vpc_ctl_cast(ctx);
    struct eth_addr ea, pfx;

    vctx->macs_changed = true;
    if (!eth_addr_from_string(s, &ea)) {
        return;
    }
    if (vctx->macs_valid) {
        char buf[ETH_ADDR_STRLEN + 1];

        vpc_ctl_mac_normalize(&ea, buf);
        sset_find_and_delete(&vctx->macs, buf);
    }
    if (mac_prefix_get(vctx->global, &pfx, NULL)
        && !memcmp(ea.ea, pfx.ea, 3)) {
        uint32_t low = (ea.ea[3] << 16) | (ea.ea[4] << 8) | ea.ea[5];
        vctx->mac_hint = MIN(vctx->mac_hint, MAX(low, 1));
    }
}

/* --------------------------------------------------- IP addresses of ports */

static bool
subnet_ip_in_use(const void *ips, uint32_t ip)
{
    char *s = vpc_ip4_to_string(ip);
    bool in_use = sset_contains(ips, s);
    free(s);
    return in_use;
}

/* Validates IP 's' for a new port in 'subnet', or allocates the lowest free
 * address when 's' is NULL, "" or "dynamic".  On success returns the
 * address as a malloc()'d string; on failure sets an error and returns
 * NULL. */
char *
vpc_ctl_ip_claim(struct ctl_context *ctx, const struct vpcrec_subnet *subnet,
                 const char *s)
{
    struct vpc_ctl_pool pool = {
        .what = "subnet",
        .name = subnet->name,
        .cidr_s = subnet->cidr,
        .reserved_what = "gateway address",
        .in_use = subnet_ip_in_use,
    };

    if (!vpc_ctl_parse_row_cidr(ctx, subnet->name, subnet->cidr,
                                &pool.cidr)) {
        return NULL;
    }
    char *error = vpc_ip4_parse(subnet->gateway_ip, &pool.reserved);
    if (error) {
        ctl_error(ctx, "subnet %s has an invalid gateway_ip: %s",
                  subnet->name, error);
        free(error);
        return NULL;
    }

    struct vpc_ctl_context *vctx = vpc_ctl_cast(ctx);
    index_ports(vctx);
    struct subnet_ips *si = subnet_ips_get(vctx, subnet);
    pool.start = si->hint;
    pool.aux = &si->ips;

    uint32_t ip;
    if (s && s[0] && strcmp(s, "dynamic")) {
        if (!vpc_ctl_pool_parse(ctx, &pool, s, &ip)) {
            return NULL;
        } else if (subnet_ip_in_use(&si->ips, ip)) {
            ctl_error(ctx, "%s is already in use in subnet %s", s,
                      subnet->name);
            return NULL;
        }
    } else {
        if (!vpc_ctl_pool_allocate(ctx, &pool, &ip)) {
            return NULL;
        }
        si->hint = ip + 1;
    }
    return vpc_ip4_to_string(ip);
}

/* ------------------------------------------------------ Initialization */

/* Initializes 'vctx' for commands that run in transaction 'txn' on 'idl',
 * whose VPC_Global row is 'global' (or NULL) and whose symbols are in
 * 'symtab'; 'c' is the command to run, or NULL. */
void
vpc_ctl_context_init(struct vpc_ctl_context *vctx, struct ctl_command *c,
                     struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn,
                     const struct vpcrec_vpc_global *global,
                     struct ovsdb_symbol_table *symtab)
{
    ctl_context_init(&vctx->base, c, idl, txn, symtab, invalidate_cache);
    vctx->global = global;
    vctx->macs_valid = false;
    sset_init(&vctx->macs);
    vctx->narrow = vpc_ctl_scope_is_narrow();
    vctx->mac_hint_base = 1;
    if (vctx->narrow) {
        /* Not every MAC in use is replicated: below the hint they are. */
        struct eth_addr pfx;
        if (mac_prefix_get(global, &pfx, NULL)) {
            vctx->mac_hint_base = mac_hint_get(global, &pfx);
        }
    }
    vctx->mac_hint = vctx->mac_hint_base;
    vctx->macs_changed = false;
    vctx->ports_valid = false;
    shash_init(&vctx->ports_by_name);
    hmap_init(&vctx->subnet_ips);
    vctx->sg_rules = NULL;
    vctx->tunnel_keys = NULL;
}

/* Points 'vctx' at command 'c', the last of its transaction if 'last'. */
void
vpc_ctl_context_init_command(struct vpc_ctl_context *vctx,
                             struct ctl_command *c, bool last)
{
    ctl_context_init_command(&vctx->base, c, last);
}

/* Called once the commands of a transaction have run: if they claimed or
 * freed MAC addresses, records in VPC_Global options:mac_hint the lowest
 * one that is now free as far as they know, where the next allocation with
 * a narrow scope starts. */
void
vpc_ctl_context_finish(struct vpc_ctl_context *vctx)
{
    const struct vpcrec_vpc_global *g = vctx->global;
    struct eth_addr pfx;

    if (!vctx->macs_changed || !g || !mac_prefix_get(g, &pfx, NULL)) {
        return;
    }

    /* Below 'mac_hint' every MAC is in use; with every port replicated,
     * the first one free from there is the lowest free one. */
    const struct sset *macs = macs_in_use(&vctx->base);
    char buf[ETH_ADDR_STRLEN + 1];
    uint32_t low = mac_first_free(vctx, macs, &pfx, buf);
    const char *old = smap_get(&g->options, "mac_hint");
    if (low <= 0xffffff && (!old || strcmp(old, buf))) {
        struct smap options;

        /* Writing the whole column must not undo someone else's change to
         * another key. */
        ovsdb_idl_txn_verify(&g->header_, &vpcrec_vpc_global_col_options);
        smap_clone(&options, &g->options);
        smap_replace(&options, "mac_hint", buf);
        vpcrec_vpc_global_set_options(g, &options);
        smap_destroy(&options);
    }
}

/* Frees what 'vctx' holds, after command 'c' (or NULL) has run. */
void
vpc_ctl_context_done(struct vpc_ctl_context *vctx, struct ctl_command *c)
{
    ctl_context_done(&vctx->base, c);
    sset_destroy(&vctx->macs);
    sset_init(&vctx->macs);
    vctx->macs_valid = false;
    clear_port_indexes(vctx);
    shash_destroy(&vctx->ports_by_name);
    hmap_destroy(&vctx->subnet_ips);
    shash_init(&vctx->ports_by_name);
    hmap_init(&vctx->subnet_ips);
    vpc_ctl_sg_rules_destroy(vctx->sg_rules);
    vctx->sg_rules = NULL;
    vpc_ctl_forget_tunnel_keys(vctx);
}
