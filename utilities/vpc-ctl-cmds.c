/* vpc-ctl commands: VPCs, subnets, ports, chassis and "show".
 *
 * Every command validates all of its input before it writes anything; an
 * error ends vpc-ctl before the transaction is committed, so a refused
 * command leaves the database unchanged. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bitmap.h"
#include "db-ctl-base.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/vlog.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "smap.h"
#include "sset.h"
#include "svec.h"
#include "util.h"
#include "uuid.h"
#include "vpc-addr.h"
#include "vpc-ctl.h"
#include "vpc-idl.h"

VLOG_DEFINE_THIS_MODULE(vpc_ctl_cmds);

#define VPC_TUNNEL_KEY_MAX 16777215
#define DEFAULT_MAC_PREFIX "0a:00:00"

static struct vpc_ctl_context *
vctx_cast(struct ctl_context *ctx)
{
    return CONTAINER_OF(ctx, struct vpc_ctl_context, base);
}

/* Every transaction that allocates or frees addresses goes through here:
 * verifying and bumping VPC_Global's alloc_seqno makes concurrent vpc-ctl
 * invocations retry rather than hand out the same IP twice. */
static void
claim_allocation(struct ctl_context *ctx)
{
    const struct vpcrec_vpc_global *g = vctx_cast(ctx)->global;

    if (g) {
        ovsdb_idl_txn_verify(&g->header_, &vpcrec_vpc_global_col_alloc_seqno);
        vpcrec_vpc_global_set_alloc_seqno(g, g->alloc_seqno + 1);
    }
}

/* Lookups by name or UUID. */

static bool
row_matches(const struct ovsdb_idl_row *row, const char *row_name,
            const char *id)
{
    struct uuid uuid;

    return !strcmp(row_name, id)
           || (uuid_from_string(&uuid, id) && uuid_equals(&uuid, &row->uuid));
}

/* Returns the row of table 'tc' whose 'name_col' (a string column) is 'id',
 * or whose UUID is 'id'.  If there is none and 'must_exist', sets an error
 * that calls the row 'what'. */
static const struct ovsdb_idl_row *
named_row_lookup(struct ctl_context *ctx,
                 const struct ovsdb_idl_table_class *tc,
                 const struct ovsdb_idl_column *name_col, const char *what,
                 const char *id, bool must_exist)
{
    const struct ovsdb_idl_row *row;

    for (row = ovsdb_idl_first_row(ctx->idl, tc); row;
         row = ovsdb_idl_next_row(row)) {
        const struct ovsdb_datum *name = ovsdb_idl_read(row, name_col);
        if (name->n && row_matches(row, json_string(name->keys[0].s), id)) {
            return row;
        }
    }
    if (must_exist) {
        ctl_error(ctx, "%s: %s not found", id, what);
    }
    return NULL;
}

static const struct vpcrec_vpc *
vpc_lookup(struct ctl_context *ctx, const char *id, bool must_exist)
{
    const struct ovsdb_idl_row *row = named_row_lookup(
        ctx, &vpcrec_table_vpc, &vpcrec_vpc_col_name, "VPC", id, must_exist);
    return row ? CONTAINER_OF(row, struct vpcrec_vpc, header_) : NULL;
}

static const struct vpcrec_subnet *
subnet_lookup(struct ctl_context *ctx, const char *id, bool must_exist)
{
    const struct ovsdb_idl_row *row = named_row_lookup(
        ctx, &vpcrec_table_subnet, &vpcrec_subnet_col_name, "subnet", id,
        must_exist);
    return row ? CONTAINER_OF(row, struct vpcrec_subnet, header_) : NULL;
}

static void index_ports(struct vpc_ctl_context *);

static const struct vpcrec_port *
port_lookup(struct ctl_context *ctx, const char *id, bool must_exist)
{
    struct vpc_ctl_context *vctx = vctx_cast(ctx);
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

static const char *
option_value(struct ctl_context *ctx, const char *name)
{
    return shash_find_data(&ctx->options, name);
}

static bool
has_option(struct ctl_context *ctx, const char *name)
{
    return shash_find(&ctx->options, name) != NULL;
}

/* MAC addresses in use, by every port and every subnet gateway. */

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
    struct vpc_ctl_context *vctx = vctx_cast(ctx);

    if (vctx->macs_valid) {
        sset_clear(&vctx->macs);
        vctx->macs_valid = false;
    }
    vctx->mac_hint = 1;
    clear_port_indexes(vctx);
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

static void
mac_normalize(const struct eth_addr *ea, char buf[ETH_ADDR_STRLEN + 1])
{
    snprintf(buf, ETH_ADDR_STRLEN + 1, ETH_ADDR_FMT, ETH_ADDR_ARGS(*ea));
}

static void
add_mac_string(struct sset *macs, const char *s)
{
    struct eth_addr ea;
    char buf[ETH_ADDR_STRLEN + 1];

    if (eth_addr_from_string(s, &ea)) {
        mac_normalize(&ea, buf);
        sset_add(macs, buf);
    }
}

static struct sset *
macs_in_use(struct ctl_context *ctx)
{
    struct vpc_ctl_context *vctx = vctx_cast(ctx);

    if (!vctx->macs_valid) {
        const struct vpcrec_port *port;
        const struct vpcrec_subnet *subnet;

        VPCREC_PORT_FOR_EACH (port, ctx->idl) {
            add_mac_string(&vctx->macs, port->mac);
        }
        VPCREC_SUBNET_FOR_EACH (subnet, ctx->idl) {
            add_mac_string(&vctx->macs, subnet->gateway_mac);
        }
        vctx->macs_valid = true;
    }
    return &vctx->macs;
}

/* Parses MAC 's', or allocates a free one when 's' is NULL, "" or
 * "dynamic".  Stores the normalized string in 'buf' and records it as in
 * use.  Returns false with an error set on failure. */
static bool
mac_claim(struct ctl_context *ctx, const char *s,
          char buf[ETH_ADDR_STRLEN + 1])
{
    struct sset *macs = macs_in_use(ctx);
    struct eth_addr ea;

    if (s && s[0] && strcmp(s, "dynamic")) {
        char *error = vpc_mac_parse(s, &ea);
        if (error) {
            ctl_error(ctx, "%s", error);
            free(error);
            return false;
        }
        mac_normalize(&ea, buf);
        if (sset_contains(macs, buf)) {
            ctl_error(ctx, "%s: MAC address is already in use", s);
            return false;
        }
    } else {
        const struct vpcrec_vpc_global *g = vctx_cast(ctx)->global;
        const char *prefix = g ? smap_get_def(&g->options, "mac_prefix",
                                              DEFAULT_MAC_PREFIX)
                               : DEFAULT_MAC_PREFIX;
        struct eth_addr pfx;
        char *full = xasprintf("%s:00:00:00", prefix);
        bool ok = eth_addr_from_string(full, &pfx);
        free(full);
        if (!ok || eth_addr_is_multicast(pfx)) {
            ctl_error(ctx, "VPC_Global options:mac_prefix=%s is not three "
                      "octets of a unicast MAC address", prefix);
            return false;
        }

        uint32_t low;
        for (low = MAX(vctx_cast(ctx)->mac_hint, 1); low <= 0xffffff;
             low++) {
            ea = pfx;
            ea.ea[3] = low >> 16;
            ea.ea[4] = low >> 8;
            ea.ea[5] = low;
            mac_normalize(&ea, buf);
            if (!sset_contains(macs, buf)) {
                break;
            }
        }
        if (low > 0xffffff) {
            ctl_error(ctx, "no free MAC address left under prefix %s",
                      prefix);
            return false;
        }
        vctx_cast(ctx)->mac_hint = low + 1;
    }
    sset_add(macs, buf);
    return true;
}

static void
mac_release(struct ctl_context *ctx, const char *s)
{
    struct vpc_ctl_context *vctx = vctx_cast(ctx);

    if (vctx->macs_valid) {
        struct eth_addr ea;
        char buf[ETH_ADDR_STRLEN + 1];

        if (eth_addr_from_string(s, &ea)) {
            mac_normalize(&ea, buf);
            sset_find_and_delete(&vctx->macs, buf);
            uint32_t low = (ea.ea[3] << 16) | (ea.ea[4] << 8) | ea.ea[5];
            vctx->mac_hint = MIN(vctx->mac_hint, low);
        }
    }
}

/* Parses a column value that was validated when it was written; a row that
 * another client wrote badly yields an error rather than a guess. */
static bool
parse_row_cidr(struct ctl_context *ctx, const char *what, const char *s,
               struct vpc_cidr4 *cidr)
{
    char *error = vpc_cidr4_parse(s, cidr);
    if (error) {
        ctl_error(ctx, "%s has an invalid CIDR in the database: %s", what,
                  error);
        free(error);
        return false;
    }
    return true;
}

/* ---------------------------------------------------------------- VPCs */

static void
cmd_vpc_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const char *key_s = option_value(ctx, "--tunnel-key");
    const char *cidrs_s = option_value(ctx, "--cidr");

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
    if (cidrs_s) {
        char *copy = xstrdup(cidrs_s);
        char *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
            struct vpc_cidr4 c;
            char *error = vpc_cidr4_parse(t, &c);
            if (error) {
                ctl_error(ctx, "%s", error);
                free(error);
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
        free(copy);
        if (!n_blocks) {
            ctl_error(ctx, "--cidr needs at least one CIDR");
            goto out;
        }
    }

    const struct vpcrec_vpc *vpc = vpc_lookup(ctx, name, false);
    if (vpc) {
        if (!has_option(ctx, "--may-exist")) {
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
        size_t n = 0;
        VPCREC_VPC_FOR_EACH (other, ctx->idl) {
            n++;
        }
        /* Among n VPCs, one of the keys 1...n+1 is free. */
        unsigned long *used = bitmap_allocate(n + 2);
        VPCREC_VPC_FOR_EACH (other, ctx->idl) {
            if (other->tunnel_key > 0 && other->tunnel_key <= n + 1) {
                bitmap_set1(used, other->tunnel_key);
            }
        }
        for (key = 1; bitmap_is_set(used, key); key++) {
            continue;
        }
        bitmap_free(used);
        if (key > VPC_TUNNEL_KEY_MAX) {
            ctl_error(ctx, "no free tunnel key left");
            goto out;
        }
    }

    vpc = vpcrec_vpc_insert(ctx->txn);
    vpcrec_vpc_set_name(vpc, name);
    vpcrec_vpc_set_tunnel_key(vpc, key);
    vpcrec_vpc_set_cidrs(vpc, (const char **) cidrs.names, cidrs.n);
    claim_allocation(ctx);
    ds_put_format(&ctx->output, "vpc %s tunnel_key=%lld\n", name, key);

out:
    svec_destroy(&cidrs);
    free(blocks);
}

static void delete_subnet(struct ctl_context *, const struct vpcrec_subnet *);

static void
cmd_vpc_del(struct ctl_context *ctx)
{
    const struct vpcrec_vpc *vpc
        = vpc_lookup(ctx, ctx->argv[1], !has_option(ctx, "--if-exists"));
    if (!vpc) {
        return;
    }

    const struct vpcrec_subnet *subnet;
    size_t n_subnets = 0;
    VPCREC_SUBNET_FOR_EACH (subnet, ctx->idl) {
        n_subnets += subnet->vpc == vpc;
    }
    if (n_subnets && !has_option(ctx, "--cascade")) {
        ctl_error(ctx, "%s: VPC still has %"PRIuSIZE" subnet(s); delete "
                  "them first or use --cascade", vpc->name, n_subnets);
        return;
    }

    const struct vpcrec_subnet *next;
    VPCREC_SUBNET_FOR_EACH_SAFE (subnet, next, ctx->idl) {
        if (subnet->vpc == vpc) {
            delete_subnet(ctx, subnet);
        }
    }
    vpcrec_vpc_delete(vpc);
    claim_allocation(ctx);
}

static int
compare_vpcs(const void *a_, const void *b_)
{
    const struct vpcrec_vpc *const *a = a_;
    const struct vpcrec_vpc *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static const struct vpcrec_vpc **
sorted_vpcs(struct ctl_context *ctx, size_t *n)
{
    const struct vpcrec_vpc **vpcs = NULL;
    const struct vpcrec_vpc *vpc;
    size_t allocated = 0;

    *n = 0;
    VPCREC_VPC_FOR_EACH (vpc, ctx->idl) {
        if (*n >= allocated) {
            vpcs = x2nrealloc(vpcs, &allocated, sizeof *vpcs);
        }
        vpcs[(*n)++] = vpc;
    }
    if (*n) {
        qsort(vpcs, *n, sizeof *vpcs, compare_vpcs);
    }
    return vpcs;
}

static void
put_cidrs(struct ds *s, const struct vpcrec_vpc *vpc)
{
    for (size_t i = 0; i < vpc->n_cidrs; i++) {
        ds_put_format(s, "%s%s", i ? "," : "", vpc->cidrs[i]);
    }
}

/* Checks that 'cidr' (the string 'cidr_s') lies inside one of the blocks of
 * 'vpc', if it has any.  Returns false with an error set otherwise. */
static bool
cidr_in_vpc(struct ctl_context *ctx, const struct vpcrec_vpc *vpc,
            const struct vpc_cidr4 *cidr, const char *cidr_s)
{
    for (size_t i = 0; i < vpc->n_cidrs; i++) {
        struct vpc_cidr4 block;
        if (!parse_row_cidr(ctx, vpc->name, vpc->cidrs[i], &block)) {
            return false;
        }
        if (vpc_cidr4_contains(&block, cidr)) {
            return true;
        }
    }
    if (vpc->n_cidrs) {
        struct ds s = DS_EMPTY_INITIALIZER;
        put_cidrs(&s, vpc);
        ctl_error(ctx, "%s is outside VPC %s (%s)", cidr_s, vpc->name,
                  ds_cstr(&s));
        ds_destroy(&s);
        return false;
    }
    return true;
}

static void
cmd_vpc_list(struct ctl_context *ctx)
{
    size_t n;
    const struct vpcrec_vpc **vpcs = sorted_vpcs(ctx, &n);

    for (size_t i = 0; i < n; i++) {
        ds_put_format(&ctx->output, "%s tunnel_key=%"PRId64,
                      vpcs[i]->name, vpcs[i]->tunnel_key);
        if (vpcs[i]->n_cidrs) {
            ds_put_cstr(&ctx->output, " cidrs=");
            put_cidrs(&ctx->output, vpcs[i]);
        }
        ds_put_char(&ctx->output, '\n');
    }
    free(vpcs);
}

/* ------------------------------------------------------------- Subnets */

static int
compare_subnets(const void *a_, const void *b_)
{
    const struct vpcrec_subnet *const *a = a_;
    const struct vpcrec_subnet *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

/* Returns the subnets of 'vpc' (all subnets if 'vpc' is NULL), sorted by
 * name. */
static const struct vpcrec_subnet **
sorted_subnets(struct ctl_context *ctx, const struct vpcrec_vpc *vpc,
               size_t *n)
{
    const struct vpcrec_subnet **subnets = NULL;
    const struct vpcrec_subnet *subnet;
    size_t allocated = 0;

    *n = 0;
    VPCREC_SUBNET_FOR_EACH (subnet, ctx->idl) {
        if (!vpc || subnet->vpc == vpc) {
            if (*n >= allocated) {
                subnets = x2nrealloc(subnets, &allocated, sizeof *subnets);
            }
            subnets[(*n)++] = subnet;
        }
    }
    if (*n) {
        qsort(subnets, *n, sizeof *subnets, compare_subnets);
    }
    return subnets;
}


static void
cmd_subnet_add(struct ctl_context *ctx)
{
    const char *vpc_name = ctx->argv[1];
    const char *name = ctx->argv[2];
    const char *cidr_s = ctx->argv[3];

    struct vpc_cidr4 cidr;
    char *error = vpc_cidr4_parse(cidr_s, &cidr);
    if (error) {
        ctl_error(ctx, "%s", error);
        free(error);
        return;
    }
    if (cidr.plen > 30) {
        ctl_error(ctx, "%s: a subnet needs a prefix of /30 or shorter "
                  "(room for a gateway and a port)", cidr_s);
        return;
    }

    const struct vpcrec_vpc *vpc = vpc_lookup(ctx, vpc_name, true);
    if (!vpc) {
        return;
    }

    const struct vpcrec_subnet *subnet = subnet_lookup(ctx, name, false);
    if (subnet) {
        if (!has_option(ctx, "--may-exist")) {
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

    if (!cidr_in_vpc(ctx, vpc, &cidr, cidr_s)) {
        return;
    }

    /* Not overlapping a sibling (the first by name, for a stable
     * message). */
    size_t n_sibs;
    const struct vpcrec_subnet **sibs = sorted_subnets(ctx, vpc, &n_sibs);
    for (size_t i = 0; i < n_sibs; i++) {
        struct vpc_cidr4 other;
        bool bad = !parse_row_cidr(ctx, sibs[i]->name, sibs[i]->cidr,
                                   &other);
        if (!bad && vpc_cidr4_overlaps(&cidr, &other)) {
            ctl_error(ctx, "%s overlaps subnet %s (%s) of VPC %s", cidr_s,
                      sibs[i]->name, sibs[i]->cidr, vpc->name);
            bad = true;
        }
        if (bad) {
            free(sibs);
            return;
        }
    }
    free(sibs);

    /* Gateway: given, or the first usable address. */
    uint32_t gw = cidr.addr + 1;
    const char *gw_s = option_value(ctx, "--gateway-ip");
    if (gw_s) {
        error = vpc_ip4_parse(gw_s, &gw);
        if (error) {
            ctl_error(ctx, "%s", error);
            free(error);
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
    if (!mac_claim(ctx, option_value(ctx, "--gateway-mac"), mac)) {
        return;
    }

    char *gw_str = vpc_ip4_to_string(gw);
    subnet = vpcrec_subnet_insert(ctx->txn);
    vpcrec_subnet_set_name(subnet, name);
    vpcrec_subnet_set_vpc(subnet, vpc);
    vpcrec_subnet_set_cidr(subnet, cidr_s);
    vpcrec_subnet_set_gateway_ip(subnet, gw_str);
    vpcrec_subnet_set_gateway_mac(subnet, mac);
    claim_allocation(ctx);
    ds_put_format(&ctx->output, "subnet %s cidr=%s gateway_ip=%s "
                  "gateway_mac=%s\n", name, cidr_s, gw_str, mac);
    free(gw_str);
}

static void
delete_port(struct ctl_context *ctx, const struct vpcrec_port *port)
{
    struct vpc_ctl_context *vctx = vctx_cast(ctx);

    mac_release(ctx, port->mac);
    if (vctx->ports_valid) {
        shash_find_and_delete(&vctx->ports_by_name, port->name);
        index_port_ips(vctx, port, false);
    }
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
    mac_release(ctx, subnet->gateway_mac);
    vpcrec_subnet_delete(subnet);
}

static void
cmd_subnet_del(struct ctl_context *ctx)
{
    const struct vpcrec_subnet *subnet
        = subnet_lookup(ctx, ctx->argv[1], !has_option(ctx, "--if-exists"));
    if (!subnet) {
        return;
    }

    const struct vpcrec_port *port;
    size_t n_ports = 0;
    VPCREC_PORT_FOR_EACH (port, ctx->idl) {
        n_ports += port->subnet == subnet;
    }
    if (n_ports && !has_option(ctx, "--cascade")) {
        ctl_error(ctx, "%s: subnet still has %"PRIuSIZE" port(s); delete "
                  "them first or use --cascade", subnet->name, n_ports);
        return;
    }
    delete_subnet(ctx, subnet);
    claim_allocation(ctx);
}

static void
cmd_subnet_list(struct ctl_context *ctx)
{
    const struct vpcrec_vpc *vpc = NULL;

    if (ctx->argc > 1) {
        vpc = vpc_lookup(ctx, ctx->argv[1], true);
        if (!vpc) {
            return;
        }
    }

    size_t n;
    const struct vpcrec_subnet **subnets = sorted_subnets(ctx, vpc, &n);
    for (size_t i = 0; i < n; i++) {
        const struct vpcrec_subnet *s = subnets[i];
        ds_put_format(&ctx->output, "%s vpc=%s cidr=%s gateway_ip=%s "
                      "gateway_mac=%s\n", s->name,
                      s->vpc ? s->vpc->name : "", s->cidr, s->gateway_ip,
                      s->gateway_mac);
    }
    free(subnets);
}

/* --------------------------------------------------------------- Ports */

/* Validates IP 's' for a new port in 'subnet', or allocates the lowest free
 * address when 's' is NULL, "" or "dynamic".  On success returns the
 * address as a malloc()'d string; on failure sets an error and returns
 * NULL. */
static char *
ip_claim(struct ctl_context *ctx, const struct vpcrec_subnet *subnet,
         const char *s)
{
    struct vpc_cidr4 cidr;
    uint32_t gw;
    char *error;

    if (!parse_row_cidr(ctx, subnet->name, subnet->cidr, &cidr)) {
        return NULL;
    }
    error = vpc_ip4_parse(subnet->gateway_ip, &gw);
    if (error) {
        ctl_error(ctx, "subnet %s has an invalid gateway_ip: %s",
                  subnet->name, error);
        free(error);
        return NULL;
    }

    uint32_t bcast = vpc_cidr4_broadcast(&cidr);
    struct vpc_ctl_context *vctx = vctx_cast(ctx);
    index_ports(vctx);
    struct subnet_ips *si = subnet_ips_get(vctx, subnet);
    const struct sset *used = &si->ips;

    char *result = NULL;
    if (s && s[0] && strcmp(s, "dynamic")) {
        uint32_t ip;
        error = vpc_ip4_parse(s, &ip);
        if (error) {
            ctl_error(ctx, "%s", error);
            free(error);
        } else if (!vpc_cidr4_contains_ip(&cidr, ip)) {
            ctl_error(ctx, "%s is outside subnet %s (%s)", s, subnet->name,
                      subnet->cidr);
        } else if (ip == cidr.addr || ip == bcast) {
            ctl_error(ctx, "%s is the %s address of subnet %s", s,
                      ip == cidr.addr ? "network" : "broadcast",
                      subnet->name);
        } else if (ip == gw) {
            ctl_error(ctx, "%s is the gateway address of subnet %s", s,
                      subnet->name);
        } else {
            result = vpc_ip4_to_string(ip);
            if (sset_contains(used, result)) {
                ctl_error(ctx, "%s is already in use in subnet %s", s,
                          subnet->name);
                free(result);
                result = NULL;
            }
        }
    } else {
        for (uint32_t ip = MAX(cidr.addr + 1, si->hint); ip < bcast; ip++) {
            if (ip == gw) {
                continue;
            }
            char *candidate = vpc_ip4_to_string(ip);
            if (!sset_contains(used, candidate)) {
                result = candidate;
                si->hint = ip + 1;
                break;
            }
            free(candidate);
        }
        if (!result) {
            ctl_error(ctx, "subnet %s (%s) has no free address left",
                      subnet->name, subnet->cidr);
        }
    }
    return result;
}

static void
cmd_port_add(struct ctl_context *ctx)
{
    const char *subnet_name = ctx->argv[1];
    const char *name = ctx->argv[2];
    const char *mac_s = ctx->argc > 3 ? ctx->argv[3] : NULL;
    const char *ip_s = ctx->argc > 4 ? ctx->argv[4] : NULL;

    const struct vpcrec_subnet *subnet = subnet_lookup(ctx, subnet_name,
                                                       true);
    if (!subnet) {
        return;
    }

    const struct vpcrec_port *port = port_lookup(ctx, name, false);
    if (port) {
        if (!has_option(ctx, "--may-exist")) {
            ctl_error(ctx, "%s: a port with this name already exists", name);
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
    char *ip = ip_claim(ctx, subnet, ip_s);
    if (!ip) {
        return;
    }
    char mac[ETH_ADDR_STRLEN + 1];
    if (!mac_claim(ctx, mac_s, mac)) {
        free(ip);
        return;
    }

    port = vpcrec_port_insert(ctx->txn);
    vpcrec_port_set_name(port, name);
    vpcrec_port_set_subnet(port, subnet);
    vpcrec_port_set_mac(port, mac);
    vpcrec_port_set_ips(port, (const char **) &ip, 1);
    claim_allocation(ctx);
    shash_add_once(&vctx_cast(ctx)->ports_by_name, name, port);
    index_port_ips(vctx_cast(ctx), port, true);
    ds_put_format(&ctx->output, "port %s mac=%s ip=%s\n", name, mac, ip);
    free(ip);
}

static void
cmd_port_del(struct ctl_context *ctx)
{
    const struct vpcrec_port *port
        = port_lookup(ctx, ctx->argv[1], !has_option(ctx, "--if-exists"));
    if (port) {
        delete_port(ctx, port);
        claim_allocation(ctx);
    }
}

static void
put_port_ips(struct ds *s, const struct vpcrec_port *port)
{
    for (size_t i = 0; i < port->n_ips; i++) {
        ds_put_format(s, "%s%s", i ? "," : "", port->ips[i]);
    }
}

static void
put_port_binding(struct ds *s, const struct vpcrec_port *port)
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
    const struct vpcrec_port *port = port_lookup(ctx, ctx->argv[1], true);
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
    put_port_ips(s, port);
    ds_put_format(s, "\nchassis: %s\n",
                  port->chassis ? port->chassis->name : "(unbound)");
    ds_put_format(s, "up: %s\n",
                  port->n_up && port->up[0] ? "true" : "false");
}

static int
compare_ports(const void *a_, const void *b_)
{
    const struct vpcrec_port *const *a = a_;
    const struct vpcrec_port *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

/* Returns the ports of 'subnet' (all ports if NULL), sorted by name. */
static const struct vpcrec_port **
sorted_ports(struct ctl_context *ctx, const struct vpcrec_subnet *subnet,
             size_t *n)
{
    const struct vpcrec_port **ports = NULL;
    const struct vpcrec_port *port;
    size_t allocated = 0;

    *n = 0;
    VPCREC_PORT_FOR_EACH (port, ctx->idl) {
        if (!subnet || port->subnet == subnet) {
            if (*n >= allocated) {
                ports = x2nrealloc(ports, &allocated, sizeof *ports);
            }
            ports[(*n)++] = port;
        }
    }
    if (*n) {
        qsort(ports, *n, sizeof *ports, compare_ports);
    }
    return ports;
}

static void
cmd_port_list(struct ctl_context *ctx)
{
    const struct vpcrec_subnet *subnet = NULL;

    if (ctx->argc > 1) {
        subnet = subnet_lookup(ctx, ctx->argv[1], true);
        if (!subnet) {
            return;
        }
    }

    size_t n;
    const struct vpcrec_port **ports = sorted_ports(ctx, subnet, &n);
    for (size_t i = 0; i < n; i++) {
        struct ds *s = &ctx->output;
        ds_put_format(s, "%s subnet=%s mac=%s ip=", ports[i]->name,
                      ports[i]->subnet ? ports[i]->subnet->name : "",
                      ports[i]->mac);
        put_port_ips(s, ports[i]);
        ds_put_char(s, ' ');
        put_port_binding(s, ports[i]);
        ds_put_char(s, '\n');
    }
    free(ports);
}

/* ------------------------------------------------------------- Chassis */

static int
compare_chassis(const void *a_, const void *b_)
{
    const struct vpcrec_chassis *const *a = a_;
    const struct vpcrec_chassis *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static void
cmd_chassis_list(struct ctl_context *ctx)
{
    const struct vpcrec_chassis **all = NULL;
    const struct vpcrec_chassis *ch;
    size_t n = 0, allocated = 0;

    VPCREC_CHASSIS_FOR_EACH (ch, ctx->idl) {
        if (n >= allocated) {
            all = x2nrealloc(all, &allocated, sizeof *all);
        }
        all[n++] = ch;
    }
    if (n) {
        qsort(all, n, sizeof *all, compare_chassis);
    }
    for (size_t i = 0; i < n; i++) {
        ch = all[i];
        ds_put_format(&ctx->output, "%s role=%s encap=%s:%s "
                      "connected=%s nb_cfg=%"PRId64, ch->name,
                      ch->role, ch->encap_type, ch->encap_ip,
                      ch->connected ? "true" : "false", ch->nb_cfg);
        if (ch->owner[0]) {
            ds_put_format(&ctx->output, " owner=%s", ch->owner);
        }
        ds_put_char(&ctx->output, '\n');
    }
    free(all);
}

/* ---------------------------------------------------------------- show */

static void
cmd_show(struct ctl_context *ctx)
{
    const struct vpcrec_vpc **vpcs;
    size_t n_vpcs;

    if (ctx->argc > 1) {
        const struct vpcrec_vpc *vpc = vpc_lookup(ctx, ctx->argv[1], true);
        if (!vpc) {
            return;
        }
        vpcs = xmalloc(sizeof *vpcs);
        vpcs[0] = vpc;
        n_vpcs = 1;
    } else {
        vpcs = sorted_vpcs(ctx, &n_vpcs);
    }

    struct ds *s = &ctx->output;
    for (size_t i = 0; i < n_vpcs; i++) {
        const struct vpcrec_vpc *vpc = vpcs[i];
        ds_put_format(s, "vpc %s (tunnel_key %"PRId64, vpc->name,
                      vpc->tunnel_key);
        if (vpc->n_cidrs) {
            ds_put_cstr(s, ", cidrs ");
            put_cidrs(s, vpc);
        }
        ds_put_cstr(s, ")\n");

        size_t n_subnets;
        const struct vpcrec_subnet **subnets = sorted_subnets(ctx, vpc,
                                                              &n_subnets);
        for (size_t j = 0; j < n_subnets; j++) {
            const struct vpcrec_subnet *subnet = subnets[j];
            ds_put_format(s, "    subnet %s %s (gateway %s %s)\n",
                          subnet->name, subnet->cidr, subnet->gateway_ip,
                          subnet->gateway_mac);

            size_t n_ports;
            const struct vpcrec_port **ports = sorted_ports(ctx, subnet,
                                                            &n_ports);
            for (size_t k = 0; k < n_ports; k++) {
                ds_put_format(s, "        port %s %s ", ports[k]->name,
                              ports[k]->mac);
                put_port_ips(s, ports[k]);
                ds_put_cstr(s, " (");
                put_port_binding(s, ports[k]);
                ds_put_cstr(s, ")\n");
            }
            free(ports);
        }
        free(subnets);
    }
    free(vpcs);
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

static void
pre_global(struct ctl_context *ctx)
{
    ovsdb_idl_add_column(ctx->idl, &vpcrec_vpc_global_col_alloc_seqno);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_vpc_global_col_options);
}

static void
pre_vpcs(struct ctl_context *ctx)
{
    pre_global(ctx);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_vpc_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_vpc_col_tunnel_key);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_vpc_col_cidrs);
}

static void
pre_subnets(struct ctl_context *ctx)
{
    pre_vpcs(ctx);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_subnet_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_subnet_col_vpc);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_subnet_col_cidr);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_subnet_col_gateway_ip);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_subnet_col_gateway_mac);
    /* Every MAC in use. */
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_mac);
}

static void
pre_ports(struct ctl_context *ctx)
{
    pre_subnets(ctx);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_subnet);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_ips);
}

static void
pre_chassis(struct ctl_context *ctx)
{
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_col_role);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_col_encap_type);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_col_encap_ip);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_col_connected);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_col_nb_cfg);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_col_owner);
}

static void
pre_bindings(struct ctl_context *ctx)
{
    pre_ports(ctx);
    pre_chassis(ctx);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_chassis);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_up);
}

/* ------------------------------------------------------ Initialization */

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
    vctx->mac_hint = 1;
    vctx->ports_valid = false;
    shash_init(&vctx->ports_by_name);
    hmap_init(&vctx->subnet_ips);
}

void
vpc_ctl_context_init_command(struct vpc_ctl_context *vctx,
                             struct ctl_command *c, bool last)
{
    ctl_context_init_command(&vctx->base, c, last);
}

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
}

static const struct ctl_table_class tables[VPCREC_N_TABLES] = {
    [VPCREC_TABLE_VPC].row_ids[0] = {&vpcrec_vpc_col_name, NULL, NULL},
    [VPCREC_TABLE_SUBNET].row_ids[0] = {&vpcrec_subnet_col_name, NULL, NULL},
    [VPCREC_TABLE_PORT].row_ids[0] = {&vpcrec_port_col_name, NULL, NULL},
    [VPCREC_TABLE_CHASSIS].row_ids[0] = {&vpcrec_chassis_col_name, NULL,
                                         NULL},
};

static const struct ctl_command_syntax vpc_commands[] = {
    {"vpc-add", 1, 1, "VPC [--tunnel-key=N] [--cidr=CIDR]", pre_vpcs,
     cmd_vpc_add, NULL, "--may-exist,--tunnel-key=,--cidr=", RW},
    {"vpc-del", 1, 1, "VPC", pre_ports, cmd_vpc_del, NULL,
     "--if-exists,--cascade", RW},
    {"vpc-list", 0, 0, "", pre_vpcs, cmd_vpc_list, NULL, "", RO},
    {"subnet-add", 3, 3, "VPC SUBNET CIDR", pre_subnets, cmd_subnet_add,
     NULL, "--may-exist,--gateway-ip=,--gateway-mac=", RW},
    {"subnet-del", 1, 1, "SUBNET", pre_ports, cmd_subnet_del, NULL,
     "--if-exists,--cascade", RW},
    {"subnet-list", 0, 1, "[VPC]", pre_subnets, cmd_subnet_list, NULL, "",
     RO},
    {"port-add", 2, 4, "SUBNET PORT [MAC] [IP]", pre_ports, cmd_port_add,
     NULL, "--may-exist", RW},
    {"port-del", 1, 1, "PORT", pre_ports, cmd_port_del, NULL, "--if-exists",
     RW},
    {"port-show", 1, 1, "PORT", pre_bindings, cmd_port_show, NULL, "", RO},
    {"port-list", 0, 1, "[SUBNET]", pre_bindings, cmd_port_list, NULL, "",
     RO},
    {"chassis-list", 0, 0, "", pre_chassis, cmd_chassis_list, NULL, "", RO},
    {"show", 0, 1, "[VPC]", pre_bindings, cmd_show, NULL, "", RO},
    {"sync", 0, 0, "", NULL, cmd_sync, NULL, "", RO},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};

/* Registers the generic database commands and ours; 'exit_func' is called
 * by ctl_fatal(). */
void
vpc_ctl_cmds_init(void (*exit_func)(int status))
{
    ctl_init(&vpcrec_idl_class, vpcrec_table_classes, tables, NULL,
             exit_func);
    ctl_register_commands(vpc_commands);
}
