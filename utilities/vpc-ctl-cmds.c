/* vpc-ctl commands: VPCs, subnets, ports, gateways and NAT, chassis and
 * "show".
 *
 * Every command validates all of its input before it writes anything; an
 * error ends vpc-ctl before the transaction is committed, so a refused
 * command leaves the database unchanged. */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "bitmap.h"
#include "db-ctl-base.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
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
#define VPC_CT_ZONE_MAX 65535      /* Conntrack zones are 16 bits. */

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

/* Inserts a row into 'table' in the transaction of 'ctx'.  The server
 * gives the row its UUID; the IDL only needs a provisional one, random and
 * not in use.  The generated *_insert() functions would take it from
 * uuid_generate(), whose first call in a process initializes OpenSSL: on
 * this project's machines about 2 ms of the 12 ms of CPU that a whole
 * "vpc-ctl port-add" costs.  The kernel's random numbers serve as well. */
static const struct ovsdb_idl_row *
insert_row(struct ctl_context *ctx, const struct ovsdb_idl_table_class *table)
{
    struct uuid uuid;

    if (getrandom(&uuid, sizeof uuid, 0) == sizeof uuid) {
        uuid_set_bits_v4(&uuid);
    } else {
        uuid_generate(&uuid);
    }
    return ovsdb_idl_txn_insert(ctx->txn, table, &uuid);
}

#define INSERT(CTX, TABLE)                                              \
    CONTAINER_OF(insert_row(CTX, &vpcrec_table_##TABLE),                \
                 struct vpcrec_##TABLE, header_)

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

/* Parses 's' as a CIDR, quietly: for rows that only might match. */
static bool
cidr_parses(const char *s, struct vpc_cidr4 *cidr)
{
    char *error = vpc_cidr4_parse(s, cidr);
    bool ok = !error;
    free(error);
    return ok;
}

/* Returns true if 'error' is NULL.  Otherwise sets it as the error of
 * 'ctx', frees it and returns false. */
static bool
vpc_ctl_check(struct ctl_context *ctx, char *error)
{
    if (error) {
        ctl_error(ctx, "%s", error);
        free(error);
        return false;
    }
    return true;
}

/* ------------------------------------------------------- Address pools
 *
 * A subnet gives addresses to ports and an external network gives them to
 * NAT rules, in the same way. */

/* The block of a subnet or an external network. */
struct vpc_ctl_pool {
    const char *what;           /* "subnet" or "external network". */
    const char *name;           /* Its name. */
    const char *cidr_s;         /* Its CIDR, as in the database. */
    struct vpc_cidr4 cidr;      /* Its CIDR, parsed. */
    uint32_t reserved;          /* Its gateway's or next hop's address. */
    const char *reserved_what;  /* "gateway address" or "next hop". */

    /* Which addresses are in use: every one below 'start', and those for
     * which 'in_use' returns true. */
    uint32_t start;
    bool (*in_use)(const void *aux, uint32_t ip);
    const void *aux;
};

/* Parses 's' as the address of a new user of 'pool' into '*ip'.  Returns
 * false with an error set if it is not an address of the block, or is its
 * network, broadcast or reserved address.  Whether it is in use is the
 * caller's to check. */
static bool
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
static bool
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

/* ---------------------------------------------------------------- Rows
 *
 * One way to find, count and sort the rows of every table: by the column
 * that names them (the same one the generic database commands use), or
 * by the row they refer to. */

/* The column that names the rows of each table, besides their UUIDs. */
static const struct ctl_table_class tables[VPCREC_N_TABLES] = {
    [VPCREC_TABLE_VPC].row_ids[0] = {&vpcrec_vpc_col_name, NULL, NULL},
    [VPCREC_TABLE_SUBNET].row_ids[0] = {&vpcrec_subnet_col_name, NULL, NULL},
    [VPCREC_TABLE_PORT].row_ids[0] = {&vpcrec_port_col_name, NULL, NULL},
    [VPCREC_TABLE_CHASSIS].row_ids[0] = {&vpcrec_chassis_col_name, NULL,
                                         NULL},
    [VPCREC_TABLE_EXTERNAL_NETWORK].row_ids[0]
        = {&vpcrec_external_network_col_name, NULL, NULL},
    [VPCREC_TABLE_GATEWAY_GROUP].row_ids[0]
        = {&vpcrec_gateway_group_col_name, NULL, NULL},
    [VPCREC_TABLE_NAT].row_ids[0] = {&vpcrec_nat_col_external_ip, NULL,
                                     NULL},
};

/* What messages call a row of each table, and whether the rows sort by
 * their name as an IPv4 address rather than as a string. */
static const struct {
    const char *what;
    bool by_ip;
} table_info[VPCREC_N_TABLES] = {
    [VPCREC_TABLE_VPC] = {"VPC", false},
    [VPCREC_TABLE_SUBNET] = {"subnet", false},
    [VPCREC_TABLE_PORT] = {"port", false},
    [VPCREC_TABLE_CHASSIS] = {"chassis", false},
    [VPCREC_TABLE_EXTERNAL_NETWORK] = {"external network", false},
    [VPCREC_TABLE_GATEWAY_GROUP] = {"gateway group", false},
    [VPCREC_TABLE_NAT] = {"NAT rule", true},
};

/* The 'struct vpcrec_TABLE' whose header is IDL row 'ROW', or NULL if
 * 'ROW' is NULL; 'TABLE' is a table's name in the IDL, such as 'vpc'. */
#define VPC_CTL_ROW(TABLE, ROW)                                         \
    ((const struct vpcrec_##TABLE *)                                    \
     vpc_ctl_row_container(ROW, offsetof(struct vpcrec_##TABLE, header_)))

static inline const void *
vpc_ctl_row_container(const struct ovsdb_idl_row *row, size_t offset)
{
    return row ? (const char *) row - offset : NULL;
}

/* vpc_ctl_lookup() for table 'TABLE', typed. */
#define VPC_CTL_LOOKUP(CTX, TABLE, ID, MUST_EXIST)                      \
    VPC_CTL_ROW(TABLE, vpc_ctl_lookup(CTX, &vpcrec_table_##TABLE, ID,   \
                                      MUST_EXIST))

static size_t
table_index(const struct ovsdb_idl_table_class *tc)
{
    return tc - vpcrec_table_classes;
}

static const struct ovsdb_idl_column *
name_column(const struct ovsdb_idl_table_class *tc)
{
    return tables[table_index(tc)].row_ids[0].name_column;
}

/* Returns the name of 'row', or "" if it has none. */
static const char *
row_name(const struct ovsdb_idl_row *row)
{
    const struct ovsdb_datum *name
        = ovsdb_idl_read(row, name_column(row->table->class_));
    return name->n ? json_string(name->keys[0].s) : "";
}

/* Returns what messages call 'row': "VPC", "subnet"... */
static const char *
row_what(const struct ovsdb_idl_row *row)
{
    return table_info[table_index(row->table->class_)].what;
}

static bool
row_matches(const struct ovsdb_idl_row *row, const char *row_name,
            const char *id)
{
    struct uuid uuid;

    return !strcmp(row_name, id)
           || (uuid_from_string(&uuid, id) && uuid_equals(&uuid, &row->uuid));
}

/* Returns the row of table 'tc' whose name is 'id', or whose UUID is 'id'.
 * If there is none and 'must_exist', sets the error "ID: WHAT not found".
 * VPC_CTL_LOOKUP() returns it typed. */
static const struct ovsdb_idl_row *
vpc_ctl_lookup(struct ctl_context *ctx,
               const struct ovsdb_idl_table_class *tc, const char *id,
               bool must_exist)
{
    const struct ovsdb_idl_column *name_col = name_column(tc);
    const struct ovsdb_idl_row *row;

    for (row = ovsdb_idl_first_row(ctx->idl, tc); row;
         row = ovsdb_idl_next_row(row)) {
        const struct ovsdb_datum *name = ovsdb_idl_read(row, name_col);
        if (name->n && row_matches(row, json_string(name->keys[0].s), id)) {
            return row;
        }
    }
    if (must_exist) {
        ctl_error(ctx, "%s: %s not found", id,
                  table_info[table_index(tc)].what);
    }
    return NULL;
}

/* Does 'row' refer to 'ref' through its reference column 'ref_col'?  Any
 * row does if 'ref' is NULL. */
static bool
row_refers_to(const struct ovsdb_idl_row *row,
              const struct ovsdb_idl_column *ref_col,
              const struct ovsdb_idl_row *ref)
{
    if (!ref) {
        return true;
    }

    const struct ovsdb_datum *d = ovsdb_idl_read(row, ref_col);
    return d->n && uuid_equals(&d->keys[0].uuid, &ref->uuid);
}

/* Returns how many rows of 'tc' refer to 'ref' through 'ref_col'. */
static size_t
vpc_ctl_count_rows(struct ctl_context *ctx,
                   const struct ovsdb_idl_table_class *tc,
                   const struct ovsdb_idl_column *ref_col,
                   const struct ovsdb_idl_row *ref)
{
    const struct ovsdb_idl_row *row;
    size_t n = 0;

    for (row = ovsdb_idl_first_row(ctx->idl, tc); row;
         row = ovsdb_idl_next_row(row)) {
        n += row_refers_to(row, ref_col, ref);
    }
    return n;
}

/* A row in a sorted list. */
struct vpc_ctl_row {
    const struct ovsdb_idl_row *row;
    const char *name;           /* Its name; "" in a table sorted by IP. */
    uint32_t ip;                /* Its name as an IP address, or 0. */
};

static int
compare_rows(const void *a_, const void *b_)
{
    const struct vpc_ctl_row *a = a_;
    const struct vpc_ctl_row *b = b_;

    if (a->ip != b->ip) {
        return a->ip < b->ip ? -1 : 1;
    }
    return strcmp(a->name, b->name);
}

/* Returns the rows of table 'tc' that refer to 'ref' through 'ref_col'
 * (every row if 'ref' is NULL), sorted by name: NAT rows by outside
 * address.  Stores their number in '*n'.  The caller frees the array;
 * VPC_CTL_ROW() makes its rows typed. */
static struct vpc_ctl_row *
vpc_ctl_sorted_rows(struct ctl_context *ctx,
                    const struct ovsdb_idl_table_class *tc,
                    const struct ovsdb_idl_column *ref_col,
                    const struct ovsdb_idl_row *ref, size_t *n)
{
    bool by_ip = table_info[table_index(tc)].by_ip;
    struct vpc_ctl_row *rows = NULL;
    size_t allocated = 0;
    const struct ovsdb_idl_row *row;

    *n = 0;
    for (row = ovsdb_idl_first_row(ctx->idl, tc); row;
         row = ovsdb_idl_next_row(row)) {
        if (!row_refers_to(row, ref_col, ref)) {
            continue;
        }
        if (*n >= allocated) {
            rows = x2nrealloc(rows, &allocated, sizeof *rows);
        }

        struct vpc_ctl_row *r = &rows[(*n)++];
        r->row = row;
        r->name = row_name(row);
        r->ip = 0;
        if (by_ip) {
            free(vpc_ip4_parse(r->name, &r->ip));
            r->name = "";
        }
    }
    if (*n) {
        qsort(rows, *n, sizeof *rows, compare_rows);
    }
    return rows;
}

/* If rows of 'tc' refer to 'ref' through 'ref_col', sets the error "NAME:
 * WHAT is still used by USERS(s) a, b; HINT" and returns true. */
static bool
refuse_if_used(struct ctl_context *ctx, const struct ovsdb_idl_row *ref,
               const struct ovsdb_idl_table_class *tc,
               const struct ovsdb_idl_column *ref_col, const char *hint)
{
    size_t n;
    struct vpc_ctl_row *rows = vpc_ctl_sorted_rows(ctx, tc, ref_col, ref,
                                                   &n);
    if (n) {
        struct ds names = DS_EMPTY_INITIALIZER;
        for (size_t i = 0; i < n; i++) {
            ds_put_format(&names, "%s%s", i ? ", " : "", rows[i].name);
        }
        ctl_error(ctx, "%s: %s is still used by %s(s) %s; %s", row_name(ref),
                  row_what(ref), table_info[table_index(tc)].what,
                  ds_cstr(&names), hint);
        ds_destroy(&names);
    }
    free(rows);
    return n > 0;
}

/* Returns true, with an error set, if 'cidr' (the string 'cidr_s') overlaps
 * the CIDR column 'cidr_col' of a row of 'tc' that refers to 'ref' through
 * 'ref_col' (of any row, if 'ref' is NULL): "CIDR_S overlaps WHAT NAME
 * (ITS_CIDR)", and " of WHAT NAME" of 'ref', for the first such row by
 * name.  Also if one of those rows has an invalid CIDR. */
static bool
refuse_if_overlaps(struct ctl_context *ctx,
                   const struct ovsdb_idl_table_class *tc,
                   const struct ovsdb_idl_column *cidr_col,
                   const struct ovsdb_idl_column *ref_col,
                   const struct ovsdb_idl_row *ref,
                   const struct vpc_cidr4 *cidr, const char *cidr_s)
{
    size_t n;
    struct vpc_ctl_row *rows = vpc_ctl_sorted_rows(ctx, tc, ref_col, ref,
                                                   &n);
    bool refused = false;
    for (size_t i = 0; i < n && !refused; i++) {
        const struct ovsdb_datum *d = ovsdb_idl_read(rows[i].row, cidr_col);
        const char *other_s = d->n ? json_string(d->keys[0].s) : "";
        struct vpc_cidr4 other;

        if (!parse_row_cidr(ctx, rows[i].name, other_s, &other)) {
            refused = true;
        } else if (vpc_cidr4_overlaps(cidr, &other)) {
            struct ds of = DS_EMPTY_INITIALIZER;
            if (ref) {
                ds_put_format(&of, " of %s %s", row_what(ref), row_name(ref));
            }
            ctl_error(ctx, "%s overlaps %s %s (%s)%s", cidr_s,
                      row_what(rows[i].row), rows[i].name, other_s,
                      ds_cstr(&of));
            ds_destroy(&of);
            refused = true;
        }
    }
    free(rows);
    return refused;
}

/* Prints a row into 'ctx->output'. */
typedef void vpc_ctl_put_func(struct ctl_context *,
                              const struct ovsdb_idl_row *);

/* Calls 'put' for each row that vpc_ctl_sorted_rows() returns, in order. */
static void
vpc_ctl_put_sorted(struct ctl_context *ctx,
                   const struct ovsdb_idl_table_class *tc,
                   const struct ovsdb_idl_column *ref_col,
                   const struct ovsdb_idl_row *ref, vpc_ctl_put_func *put)
{
    size_t n;
    struct vpc_ctl_row *rows = vpc_ctl_sorted_rows(ctx, tc, ref_col, ref,
                                                   &n);
    for (size_t i = 0; i < n; i++) {
        put(ctx, rows[i].row);
    }
    free(rows);
}

/* Runs "...-list [PARENT]": calls 'put' for each row of 'tc', sorted by
 * name; given the optional argument, only for those that refer through
 * 'ref_col' to the row of table 'parent' that it names. */
static void
vpc_ctl_list(struct ctl_context *ctx, const struct ovsdb_idl_table_class *tc,
             const struct ovsdb_idl_table_class *parent,
             const struct ovsdb_idl_column *ref_col, vpc_ctl_put_func *put)
{
    const struct ovsdb_idl_row *ref = NULL;

    if (ctx->argc > 1) {
        ref = vpc_ctl_lookup(ctx, parent, ctx->argv[1], true);
        if (!ref) {
            return;
        }
    }
    vpc_ctl_put_sorted(ctx, tc, ref_col, ref, put);
}

/* Prints the 'n' strings in 'strings', separated by commas. */
static void
vpc_ctl_put_joined(struct ds *s, char *const *strings, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ds_put_format(s, "%s%s", i ? "," : "", strings[i]);
    }
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

/* MAC addresses in use, by every port, subnet gateway and gateway group. */

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
    vctx->mac_hint = vctx->mac_hint_base;
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
    mac_normalize(&ea, buf);
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
        if (!vpc_ctl_check(ctx, vpc_mac_parse(s, &ea))) {
            return false;
        }
        mac_normalize(&ea, buf);
        if (sset_contains(macs, buf)) {
            ctl_error(ctx, "%s: MAC address is already in use", s);
            return false;
        }
    } else {
        struct vpc_ctl_context *vctx = vctx_cast(ctx);
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
        uint32_t low;
        for (low = MAX(vctx->mac_hint, 1); low <= 0xffffff; low++) {
            mac_format(&pfx, low, buf);
            if (!sset_contains(macs, buf)) {
                break;
            }
        }
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
    vctx_cast(ctx)->macs_changed = true;
    return true;
}

/* Forgets MAC 's' as in use.  Under the allocation prefix it is free
 * again, so the search for a free MAC (and the next mac_hint) starts no
 * higher than it: with a narrow scope, that is the only way vpc-ctl learns
 * of a hole below the hint. */
static void
mac_release(struct ctl_context *ctx, const char *s)
{
    struct vpc_ctl_context *vctx = vctx_cast(ctx);
    struct eth_addr ea, pfx;

    vctx->macs_changed = true;
    if (!eth_addr_from_string(s, &ea)) {
        return;
    }
    if (vctx->macs_valid) {
        char buf[ETH_ADDR_STRLEN + 1];

        mac_normalize(&ea, buf);
        sset_find_and_delete(&vctx->macs, buf);
    }
    if (mac_prefix_get(vctx->global, &pfx, NULL)
        && !memcmp(ea.ea, pfx.ea, 3)) {
        uint32_t low = (ea.ea[3] << 16) | (ea.ea[4] << 8) | ea.ea[5];
        vctx->mac_hint = MIN(vctx->mac_hint, MAX(low, 1));
    }
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
        free(copy);
        if (!n_blocks) {
            ctl_error(ctx, "--cidr needs at least one CIDR");
            goto out;
        }
    }

    const struct vpcrec_vpc *vpc = VPC_CTL_LOOKUP(ctx, vpc, name, false);
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

    vpc = INSERT(ctx, vpc);
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
static void delete_vpc_nats(struct ctl_context *, const struct vpcrec_vpc *);

static void
cmd_vpc_del(struct ctl_context *ctx)
{
    const struct vpcrec_vpc *vpc
        = VPC_CTL_LOOKUP(ctx, vpc, ctx->argv[1],
                         !has_option(ctx, "--if-exists"));
    if (!vpc) {
        return;
    }

    size_t n_subnets = vpc_ctl_count_rows(ctx, &vpcrec_table_subnet,
                                          &vpcrec_subnet_col_vpc,
                                          &vpc->header_);
    size_t n_nats = vpc_ctl_count_rows(ctx, &vpcrec_table_nat,
                                       &vpcrec_nat_col_vpc, &vpc->header_);
    if (!has_option(ctx, "--cascade")) {
        if (n_subnets) {
            ctl_error(ctx, "%s: VPC still has %"PRIuSIZE" subnet(s); delete "
                      "them first or use --cascade", vpc->name, n_subnets);
            return;
        } else if (n_nats) {
            ctl_error(ctx, "%s: VPC still has %"PRIuSIZE" NAT rule(s); "
                      "delete them first or use --cascade", vpc->name,
                      n_nats);
            return;
        }
    }

    delete_vpc_nats(ctx, vpc);

    const struct vpcrec_subnet *subnet, *next;
    VPCREC_SUBNET_FOR_EACH_SAFE (subnet, next, ctx->idl) {
        if (subnet->vpc == vpc) {
            delete_subnet(ctx, subnet);
        }
    }
    vpcrec_vpc_delete(vpc);
    claim_allocation(ctx);
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
    if (refuse_if_overlaps(ctx, &vpcrec_table_subnet, &vpcrec_subnet_col_cidr,
                           &vpcrec_subnet_col_vpc, &vpc->header_, &cidr,
                           cidr_s)) {
        return;
    }

    /* Gateway: given, or the first usable address. */
    uint32_t gw = cidr.addr + 1;
    const char *gw_s = option_value(ctx, "--gateway-ip");
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
    if (!mac_claim(ctx, option_value(ctx, "--gateway-mac"), mac)) {
        return;
    }

    char *gw_str = vpc_ip4_to_string(gw);
    subnet = INSERT(ctx, subnet);
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
        = VPC_CTL_LOOKUP(ctx, subnet, ctx->argv[1],
                         !has_option(ctx, "--if-exists"));
    if (!subnet) {
        return;
    }

    size_t n_ports = vpc_ctl_count_rows(ctx, &vpcrec_table_port,
                                        &vpcrec_port_col_subnet,
                                        &subnet->header_);
    if (n_ports && !has_option(ctx, "--cascade")) {
        ctl_error(ctx, "%s: subnet still has %"PRIuSIZE" port(s); delete "
                  "them first or use --cascade", subnet->name, n_ports);
        return;
    }
    delete_subnet(ctx, subnet);
    claim_allocation(ctx);
}

static void
put_subnet(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_subnet *s = VPC_CTL_ROW(subnet, row);

    ds_put_format(&ctx->output, "%s vpc=%s cidr=%s gateway_ip=%s "
                  "gateway_mac=%s\n", s->name, s->vpc ? s->vpc->name : "",
                  s->cidr, s->gateway_ip, s->gateway_mac);
}

static void
cmd_subnet_list(struct ctl_context *ctx)
{
    vpc_ctl_list(ctx, &vpcrec_table_subnet, &vpcrec_table_vpc,
                 &vpcrec_subnet_col_vpc, put_subnet);
}

/* --------------------------------------------------------------- Ports */

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
static char *
ip_claim(struct ctl_context *ctx, const struct vpcrec_subnet *subnet,
         const char *s)
{
    struct vpc_ctl_pool pool = {
        .what = "subnet",
        .name = subnet->name,
        .cidr_s = subnet->cidr,
        .reserved_what = "gateway address",
        .in_use = subnet_ip_in_use,
    };

    if (!parse_row_cidr(ctx, subnet->name, subnet->cidr, &pool.cidr)) {
        return NULL;
    }
    char *error = vpc_ip4_parse(subnet->gateway_ip, &pool.reserved);
    if (error) {
        ctl_error(ctx, "subnet %s has an invalid gateway_ip: %s",
                  subnet->name, error);
        free(error);
        return NULL;
    }

    struct vpc_ctl_context *vctx = vctx_cast(ctx);
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

    port = INSERT(ctx, port);
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
    vpc_ctl_put_joined(s, port->ips, port->n_ips);
    ds_put_format(s, "\nchassis: %s\n",
                  port->chassis ? port->chassis->name : "(unbound)");
    ds_put_format(s, "up: %s\n",
                  port->n_up && port->up[0] ? "true" : "false");
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
    put_port_binding(s, port);
    ds_put_char(s, '\n');
}

static void
cmd_port_list(struct ctl_context *ctx)
{
    vpc_ctl_list(ctx, &vpcrec_table_port, &vpcrec_table_subnet,
                 &vpcrec_port_col_subnet, put_port);
}

/* --------------------------------------------------- External networks */

/* Parses the CIDR and next hop of 'net', validated when they were
 * written. */
static bool
parse_ext_net(struct ctl_context *ctx,
              const struct vpcrec_external_network *net,
              struct vpc_ctl_pool *pool)
{
    *pool = (struct vpc_ctl_pool) {
        .what = "external network",
        .name = net->name,
        .cidr_s = net->cidr,
        .reserved_what = "next hop",
    };
    if (!parse_row_cidr(ctx, net->name, net->cidr, &pool->cidr)) {
        return false;
    }
    char *error = vpc_ip4_parse(net->next_hop, &pool->reserved);
    if (error) {
        ctl_error(ctx, "external network %s has an invalid next hop in the "
                  "database: %s", net->name, error);
        free(error);
        return false;
    }
    return true;
}

/* Validates the arguments of ext-net-add.  On success returns NULL and
 * stores the normalized CIDR and next hop, which the caller frees. */
static char *
ext_net_parse_args(const char *cidr_s, const char *next_hop_s,
                   const char *physnet, struct vpc_cidr4 *cidr,
                   char **cidr_norm, char **next_hop_norm)
{
    uint32_t next_hop;

    char *error = vpc_cidr4_parse(cidr_s, cidr);
    if (error) {
        return error;
    }
    if (cidr->plen > 30) {
        return xasprintf("%s: an external network needs a prefix of /30 or "
                         "shorter (room for a next hop and an outside "
                         "address)", cidr_s);
    }
    error = vpc_ip4_parse(next_hop_s, &next_hop);
    if (error) {
        return error;
    }
    if (!vpc_cidr4_contains_ip(cidr, next_hop) || next_hop == cidr->addr
        || next_hop == vpc_cidr4_broadcast(cidr)) {
        return xasprintf("next hop %s is not a usable address of %s",
                         next_hop_s, cidr_s);
    }
    if (!physnet[0]) {
        return xstrdup("--physnet needs a physical network name");
    }
    *cidr_norm = vpc_cidr4_to_string(cidr);
    *next_hop_norm = vpc_ip4_to_string(next_hop);
    return NULL;
}

static void
cmd_ext_net_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const char *physnet = option_value(ctx, "--physnet");
    if (!physnet) {
        physnet = "external";
    }

    struct vpc_cidr4 cidr;
    char *cidr_s = NULL, *next_hop_s = NULL;
    if (!vpc_ctl_check(ctx, ext_net_parse_args(ctx->argv[2], ctx->argv[3],
                                               physnet, &cidr, &cidr_s,
                                               &next_hop_s))) {
        return;
    }

    const struct vpcrec_external_network *net
        = VPC_CTL_LOOKUP(ctx, external_network, name, false);
    if (net) {
        if (!has_option(ctx, "--may-exist")) {
            ctl_error(ctx, "%s: an external network with this name already "
                      "exists", name);
        } else if (strcmp(net->cidr, cidr_s)
                   || strcmp(net->next_hop, next_hop_s)
                   || strcmp(net->physical_network, physnet)) {
            ctl_error(ctx, "%s: external network exists with CIDR %s, next "
                      "hop %s, physical network %s", name, net->cidr,
                      net->next_hop, net->physical_network);
        }
        goto out;
    }

    /* Outside addresses are unique in the whole database (NAT's index), so
     * external networks never overlap. */
    if (refuse_if_overlaps(ctx, &vpcrec_table_external_network,
                           &vpcrec_external_network_col_cidr, NULL, NULL,
                           &cidr, cidr_s)) {
        goto out;
    }

    net = INSERT(ctx, external_network);
    vpcrec_external_network_set_name(net, name);
    vpcrec_external_network_set_cidr(net, cidr_s);
    vpcrec_external_network_set_next_hop(net, next_hop_s);
    vpcrec_external_network_set_physical_network(net, physnet);
    claim_allocation(ctx);

out:
    free(cidr_s);
    free(next_hop_s);
}

static void
cmd_ext_net_del(struct ctl_context *ctx)
{
    const struct vpcrec_external_network *net
        = VPC_CTL_LOOKUP(ctx, external_network, ctx->argv[1],
                         !has_option(ctx, "--if-exists"));
    if (!net || refuse_if_used(ctx, &net->header_,
                               &vpcrec_table_gateway_group,
                               &vpcrec_gateway_group_col_external_network,
                               "delete them first")) {
        return;
    }
    vpcrec_external_network_delete(net);
    claim_allocation(ctx);
}

static void
put_ext_net(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_external_network *net
        = VPC_CTL_ROW(external_network, row);

    ds_put_format(&ctx->output, "%s cidr=%s next_hop=%s "
                  "physical_network=%s\n", net->name, net->cidr,
                  net->next_hop, net->physical_network);
}

static void
cmd_ext_net_list(struct ctl_context *ctx)
{
    vpc_ctl_list(ctx, &vpcrec_table_external_network, NULL, NULL,
                 put_ext_net);
}

/* ------------------------------------------------------ Gateway groups */

#define GW_PRIORITY_MAX 32767
#define GW_PRIORITY_DEFAULT 100     /* Of the first chassis listed. */

/* Parses the CHASSIS[:PRIORITY] arguments of gw-group-add into chassis
 * names (as in the Chassis table) and priorities.  Each chassis must be a
 * gateway with a bridge for 'net', and appear once; priorities must differ,
 * so that which gateway is active is never a tie. */
static bool
parse_gw_chassis(struct ctl_context *ctx,
                 const struct vpcrec_external_network *net, char *args[],
                 size_t n, struct svec *names, int64_t *prios)
{
    for (size_t i = 0; i < n; i++) {
        const char *arg = args[i];
        const char *colon = strrchr(arg, ':');
        long long prio = GW_PRIORITY_DEFAULT - (long long) i;

        if (colon) {
            char *end;
            errno = 0;
            prio = strtoll(colon + 1, &end, 10);
            if (errno || *end || !colon[1] || prio < 0
                || prio > GW_PRIORITY_MAX) {
                ctl_error(ctx, "%s: priority must be an integer from 0 to "
                          "%d", arg, GW_PRIORITY_MAX);
                return false;
            }
        } else if (prio < 0) {
            ctl_error(ctx, "%s: no default priority is left after %d "
                      "chassis; give CHASSIS:PRIORITY", arg,
                      GW_PRIORITY_DEFAULT + 1);
            return false;
        }

        char *ch_name = colon ? xmemdup0(arg, colon - arg) : xstrdup(arg);
        const struct vpcrec_chassis *ch = VPC_CTL_LOOKUP(ctx, chassis,
                                                         ch_name, true);
        free(ch_name);
        if (!ch) {
            return false;
        }
        if (strcmp(ch->role, "gateway")) {
            ctl_error(ctx, "chassis %s is a %s chassis, not a gateway",
                      ch->name, ch->role);
            return false;
        }
        if (!smap_get(&ch->bridge_mappings, net->physical_network)) {
            ctl_error(ctx, "chassis %s has no bridge mapping for physical "
                      "network %s (of external network %s)", ch->name,
                      net->physical_network, net->name);
            return false;
        }
        for (size_t j = 0; j < i; j++) {
            if (!strcmp(names->names[j], ch->name)) {
                ctl_error(ctx, "chassis %s is listed twice", ch->name);
                return false;
            } else if (prios[j] == prio) {
                ctl_error(ctx, "chassis %s and %s have the same priority "
                          "%lld; priorities must differ", names->names[j],
                          ch->name, prio);
                return false;
            }
        }
        svec_add(names, ch->name);
        prios[i] = prio;
    }
    return true;
}

/* Does 'group' have exactly these chassis and priorities? */
static bool
gw_group_has_priorities(const struct vpcrec_gateway_group *group,
                        const struct svec *names, const int64_t *prios)
{
    if (group->n_priorities != names->n) {
        return false;
    }
    for (size_t i = 0; i < names->n; i++) {
        size_t j;
        for (j = 0; j < group->n_priorities; j++) {
            if (!strcmp(group->key_priorities[j], names->names[i])) {
                break;
            }
        }
        if (j >= group->n_priorities || group->value_priorities[j] != prios[i]) {
            return false;
        }
    }
    return true;
}

/* Prints the chassis of 'group' as "gw1:100,gw2:99", highest priority
 * (the preferred gateway) first. */
static void
put_gw_priorities(struct ds *s, const struct vpcrec_gateway_group *group)
{
    size_t n = group->n_priorities;
    bool *done = xcalloc(n ? n : 1, sizeof *done);

    for (size_t k = 0; k < n; k++) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < n; i++) {
            if (!done[i] && (best == SIZE_MAX
                             || group->value_priorities[i]
                                > group->value_priorities[best])) {
                best = i;
            }
        }
        done[best] = true;
        ds_put_format(s, "%s%s:%"PRId64, k ? "," : "",
                      group->key_priorities[best],
                      group->value_priorities[best]);
    }
    free(done);
}

static void
cmd_gw_group_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const struct vpcrec_external_network *net
        = VPC_CTL_LOOKUP(ctx, external_network, ctx->argv[2], true);
    if (!net) {
        return;
    }

    size_t n = ctx->argc - 3;
    struct svec names = SVEC_EMPTY_INITIALIZER;
    int64_t *prios = xmalloc(n * sizeof *prios);
    if (!parse_gw_chassis(ctx, net, &ctx->argv[3], n, &names, prios)) {
        goto out;
    }

    const struct vpcrec_gateway_group *group
        = VPC_CTL_LOOKUP(ctx, gateway_group, name, false);
    if (group) {
        if (!has_option(ctx, "--may-exist")) {
            ctl_error(ctx, "%s: a gateway group with this name already "
                      "exists", name);
        } else if (group->external_network != net
                   || !gw_group_has_priorities(group, &names, prios)) {
            struct ds s = DS_EMPTY_INITIALIZER;
            put_gw_priorities(&s, group);
            ctl_error(ctx, "%s: gateway group exists with external network "
                      "%s and chassis %s", name,
                      group->external_network
                      ? group->external_network->name : "", ds_cstr(&s));
            ds_destroy(&s);
        } else {
            ds_put_format(&ctx->output, "gw-group %s mac=%s\n", group->name,
                          group->mac);
        }
        goto out;
    }

    char mac[ETH_ADDR_STRLEN + 1];
    if (!mac_claim(ctx, NULL, mac)) {
        goto out;
    }
    group = INSERT(ctx, gateway_group);
    vpcrec_gateway_group_set_name(group, name);
    vpcrec_gateway_group_set_external_network(group, net);
    vpcrec_gateway_group_set_priorities(group, (const char **) names.names,
                                        prios, n);
    vpcrec_gateway_group_set_mac(group, mac);
    claim_allocation(ctx);
    ds_put_format(&ctx->output, "gw-group %s mac=%s\n", name, mac);

out:
    svec_destroy(&names);
    free(prios);
}

static void
cmd_gw_group_del(struct ctl_context *ctx)
{
    const struct vpcrec_gateway_group *group
        = VPC_CTL_LOOKUP(ctx, gateway_group, ctx->argv[1],
                         !has_option(ctx, "--if-exists"));
    if (!group || refuse_if_used(ctx, &group->header_, &vpcrec_table_vpc,
                                 &vpcrec_vpc_col_gateway_group,
                                 "clear it with vpc-set-gateway first")) {
        return;
    }
    mac_release(ctx, group->mac);
    vpcrec_gateway_group_delete(group);
    claim_allocation(ctx);
}

static void
put_gw_group(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_gateway_group *group
        = VPC_CTL_ROW(gateway_group, row);

    ds_put_format(&ctx->output, "%s external_network=%s mac=%s chassis=",
                  group->name, (group->external_network
                                ? group->external_network->name : ""),
                  group->mac);
    put_gw_priorities(&ctx->output, group);
    ds_put_char(&ctx->output, '\n');
}

static void
cmd_gw_group_list(struct ctl_context *ctx)
{
    vpc_ctl_list(ctx, &vpcrec_table_gateway_group, NULL, NULL,
                 put_gw_group);
}

/* ----------------------------------------------------------------- NAT */

static void
delete_vpc_nats(struct ctl_context *ctx, const struct vpcrec_vpc *vpc)
{
    const struct vpcrec_nat *nat, *next;

    VPCREC_NAT_FOR_EACH_SAFE (nat, next, ctx->idl) {
        if (nat->vpc == vpc) {
            vpcrec_nat_delete(nat);
        }
    }
}

/* Returns the NAT row whose outside address is 'ip', if any. */
static const struct vpcrec_nat *
nat_find_external_ip(struct ctl_context *ctx, uint32_t ip)
{
    const struct vpcrec_nat *nat;

    VPCREC_NAT_FOR_EACH (nat, ctx->idl) {
        uint32_t other;
        char *error = vpc_ip4_parse(nat->external_ip, &other);
        if (!error && other == ip) {
            return nat;
        }
        free(error);
    }
    return NULL;
}

/* Looks up a NAT row by outside address or UUID. */
static const struct vpcrec_nat *
nat_lookup(struct ctl_context *ctx, const char *id, bool must_exist)
{
    const struct vpcrec_nat *nat = NULL;
    struct uuid uuid;
    uint32_t ip;

    char *error = vpc_ip4_parse(id, &ip);
    if (!error) {
        nat = nat_find_external_ip(ctx, ip);
    } else if (uuid_from_string(&uuid, id)) {
        nat = vpcrec_nat_get_for_uuid(ctx->idl, &uuid);
    }
    free(error);
    if (!nat && must_exist) {
        ctl_error(ctx, "%s: NAT rule not found", id);
    }
    return nat;
}

/* Prints 'nat' as "TYPE EXTERNAL_IP logical_ip=IP [vpc=VPC] [port=PORT]",
 * where an elastic IP whose port was deleted shows "unbound". */
static void
put_nat(struct ds *s, const struct vpcrec_nat *nat, bool with_vpc)
{
    ds_put_format(s, "%s %s logical_ip=%s", nat->type, nat->external_ip,
                  nat->logical_ip);
    if (with_vpc) {
        ds_put_format(s, " vpc=%s", nat->vpc ? nat->vpc->name : "");
    }
    if (!strcmp(nat->type, "eip")) {
        if (nat->port) {
            ds_put_format(s, " port=%s", nat->port->name);
        } else {
            ds_put_cstr(s, " unbound");
        }
    }
}

/* Describes the user of an outside address for an error message. */
static void
put_nat_user(struct ds *s, const struct vpcrec_nat *nat)
{
    const char *vpc = nat->vpc ? nat->vpc->name : "";

    if (!strcmp(nat->type, "snat")) {
        ds_put_format(s, "the SNAT of %s in VPC %s", nat->logical_ip, vpc);
    } else if (nat->port) {
        ds_put_format(s, "the elastic IP of port %s in VPC %s",
                      nat->port->name, vpc);
    } else {
        ds_put_format(s, "an unbound elastic IP of VPC %s", vpc);
    }
}

static int
compare_uint32(const void *a_, const void *b_)
{
    const uint32_t *a = a_;
    const uint32_t *b = b_;
    return *a < *b ? -1 : *a > *b;
}

/* The outside addresses of the NAT rows, sorted. */
struct nat_ips {
    uint32_t *ips;
    size_t n;
};

static bool
external_ip_in_use(const void *used_, uint32_t ip)
{
    const struct nat_ips *used = used_;

    return bsearch(&ip, used->ips, used->n, sizeof *used->ips,
                   compare_uint32) != NULL;
}

/* Validates outside address 's' for a new NAT row on 'net', or allocates
 * the lowest free one when 's' is NULL, "" or "dynamic".  Returns the
 * address as a malloc()'d string, or NULL with an error set.  The unique
 * index on NAT's external_ip backs this up against concurrent writers. */
static char *
external_ip_claim(struct ctl_context *ctx,
                  const struct vpcrec_external_network *net, const char *s)
{
    struct vpc_ctl_pool pool;
    uint32_t ip;

    if (!parse_ext_net(ctx, net, &pool)) {
        return NULL;
    }
    if (s && s[0] && strcmp(s, "dynamic")) {
        const struct vpcrec_nat *user;
        if (!vpc_ctl_pool_parse(ctx, &pool, s, &ip)) {
            return NULL;
        } else if ((user = nat_find_external_ip(ctx, ip)) != NULL) {
            struct ds who = DS_EMPTY_INITIALIZER;
            put_nat_user(&who, user);
            ctl_error(ctx, "%s is already used by %s", s, ds_cstr(&who));
            ds_destroy(&who);
            return NULL;
        }
    } else {
        struct nat_ips used;
        struct vpc_ctl_row *nats = vpc_ctl_sorted_rows(
            ctx, &vpcrec_table_nat, NULL, NULL, &used.n);
        used.ips = xmalloc((used.n ? used.n : 1) * sizeof *used.ips);
        for (size_t i = 0; i < used.n; i++) {
            used.ips[i] = nats[i].ip;
        }
        free(nats);

        pool.in_use = external_ip_in_use;
        pool.aux = &used;
        bool ok = vpc_ctl_pool_allocate(ctx, &pool, &ip);
        free(used.ips);
        if (!ok) {
            return NULL;
        }
    }
    return vpc_ip4_to_string(ip);
}

/* The external network through which 'vpc' reaches the outside, or NULL
 * with an error set. */
static const struct vpcrec_external_network *
vpc_external_network(struct ctl_context *ctx, const struct vpcrec_vpc *vpc)
{
    const struct vpcrec_gateway_group *group = vpc->gateway_group;

    if (!group || !group->external_network) {
        ctl_error(ctx, "VPC %s has no gateway group; set one with "
                  "vpc-set-gateway", vpc->name);
        return NULL;
    }
    return group->external_network;
}

/* Adds a NAT row, claims its address and prints it. */
static void
nat_insert(struct ctl_context *ctx, const char *type,
           const struct vpcrec_vpc *vpc, const char *external_ip,
           const char *logical_ip, const struct vpcrec_port *port)
{
    const struct vpcrec_nat *nat = INSERT(ctx, nat);

    vpcrec_nat_set_type(nat, type);
    vpcrec_nat_set_vpc(nat, vpc);
    vpcrec_nat_set_external_ip(nat, external_ip);
    vpcrec_nat_set_logical_ip(nat, logical_ip);
    vpcrec_nat_set_port(nat, port);
    claim_allocation(ctx);
    put_nat(&ctx->output, nat, true);
    ds_put_char(&ctx->output, '\n');
}

static void
cmd_vpc_set_gateway(struct ctl_context *ctx)
{
    const struct vpcrec_vpc *vpc
        = VPC_CTL_LOOKUP(ctx, vpc, ctx->argv[1], true);
    if (!vpc) {
        return;
    }
    const struct vpcrec_gateway_group *group = NULL;
    if (ctx->argc > 2) {
        group = VPC_CTL_LOOKUP(ctx, gateway_group, ctx->argv[2], true);
        if (!group) {
            return;
        }
        if (vpc->tunnel_key > VPC_CT_ZONE_MAX) {
            ctl_error(ctx, "%s: tunnel key %"PRId64" is above %d: gateways "
                      "use it as the VPC's conntrack zone for NAT", vpc->name,
                      vpc->tunnel_key, VPC_CT_ZONE_MAX);
            return;
        }
    }

    /* NAT rows use addresses of the old group's external network: they may
     * stay only if the new group is on the same network. */
    const struct vpcrec_gateway_group *old = vpc->gateway_group;
    size_t n_nats = vpc_ctl_count_rows(ctx, &vpcrec_table_nat,
                                       &vpcrec_nat_col_vpc, &vpc->header_);
    if (n_nats && (!group || !old
                   || group->external_network != old->external_network)) {
        if (!has_option(ctx, "--cascade")) {
            ctl_error(ctx, "%s: VPC still has %"PRIuSIZE" NAT rule(s) on "
                      "its external network; delete them first or use "
                      "--cascade", vpc->name, n_nats);
            return;
        }
        delete_vpc_nats(ctx, vpc);
    }
    vpcrec_vpc_set_gateway_group(vpc, group);
    /* snat-add and eip-add allocate on the group's network: a concurrent
     * one retries against the new group. */
    claim_allocation(ctx);
}

/* An SNAT block must be VPC addresses: inside the VPC's blocks when it has
 * any, else covering or inside at least one of its subnets. */
static bool
snat_cidr_in_vpc(struct ctl_context *ctx, const struct vpcrec_vpc *vpc,
                 const struct vpc_cidr4 *cidr, const char *cidr_s)
{
    if (vpc->n_cidrs) {
        return cidr_in_vpc(ctx, vpc, cidr, cidr_s);
    }

    const struct vpcrec_subnet *subnet;
    VPCREC_SUBNET_FOR_EACH (subnet, ctx->idl) {
        struct vpc_cidr4 block;
        if (subnet->vpc == vpc
            && cidr_parses(subnet->cidr, &block)
            && vpc_cidr4_overlaps(&block, cidr)) {
            return true;
        }
    }
    ctl_error(ctx, "%s overlaps no subnet of VPC %s", cidr_s, vpc->name);
    return false;
}

static void
cmd_snat_add(struct ctl_context *ctx)
{
    const char *cidr_s = ctx->argv[2];
    struct vpc_cidr4 cidr;
    if (!vpc_ctl_check(ctx, vpc_cidr4_parse(cidr_s, &cidr))) {
        return;
    }

    const struct vpcrec_vpc *vpc
        = VPC_CTL_LOOKUP(ctx, vpc, ctx->argv[1], true);
    if (!vpc) {
        return;
    }
    const struct vpcrec_external_network *net = vpc_external_network(ctx,
                                                                     vpc);
    if (!net || !snat_cidr_in_vpc(ctx, vpc, &cidr, cidr_s)) {
        return;
    }

    /* One rule per block: the longest prefix decides, so a second rule for
     * the same block would be a tie. */
    const struct vpcrec_nat *nat;
    VPCREC_NAT_FOR_EACH (nat, ctx->idl) {
        struct vpc_cidr4 other;
        if (nat->vpc == vpc && !strcmp(nat->type, "snat")
            && cidr_parses(nat->logical_ip, &other)
            && other.addr == cidr.addr && other.plen == cidr.plen) {
            ctl_error(ctx, "VPC %s already has an SNAT rule for %s (%s)",
                      vpc->name, nat->logical_ip, nat->external_ip);
            return;
        }
    }

    char *external_ip = external_ip_claim(ctx, net,
                                          ctx->argc > 3 ? ctx->argv[3] : NULL);
    if (external_ip) {
        char *logical_ip = vpc_cidr4_to_string(&cidr);
        nat_insert(ctx, "snat", vpc, external_ip, logical_ip, NULL);
        free(logical_ip);
        free(external_ip);
    }
}

static void
cmd_eip_add(struct ctl_context *ctx)
{
    const struct vpcrec_vpc *vpc
        = VPC_CTL_LOOKUP(ctx, vpc, ctx->argv[1], true);
    if (!vpc) {
        return;
    }
    const struct vpcrec_port *port = port_lookup(ctx, ctx->argv[2], true);
    if (!port) {
        return;
    }
    const struct vpcrec_vpc *port_vpc = port->subnet ? port->subnet->vpc
                                                     : NULL;
    if (port_vpc != vpc) {
        ctl_error(ctx, "port %s is in VPC %s, not %s", port->name,
                  port_vpc ? port_vpc->name : "(none)", vpc->name);
        return;
    }
    const struct vpcrec_external_network *net = vpc_external_network(ctx,
                                                                     vpc);
    if (!net) {
        return;
    }

    /* The port's first IPv4 address. */
    char *logical_ip = NULL;
    for (size_t i = 0; i < port->n_ips && !logical_ip; i++) {
        uint32_t ip;
        char *error = vpc_ip4_parse(port->ips[i], &ip);
        if (!error) {
            logical_ip = vpc_ip4_to_string(ip);
        }
        free(error);
    }
    if (!logical_ip) {
        ctl_error(ctx, "port %s has no IPv4 address", port->name);
        return;
    }

    const struct vpcrec_nat *nat;
    VPCREC_NAT_FOR_EACH (nat, ctx->idl) {
        if (nat->port == port && !strcmp(nat->type, "eip")) {
            ctl_error(ctx, "port %s already has elastic IP %s", port->name,
                      nat->external_ip);
            free(logical_ip);
            return;
        }
    }

    char *external_ip = external_ip_claim(ctx, net,
                                          ctx->argc > 3 ? ctx->argv[3] : NULL);
    if (external_ip) {
        nat_insert(ctx, "eip", vpc, external_ip, logical_ip, port);
        free(external_ip);
    }
    free(logical_ip);
}

static void
cmd_nat_del(struct ctl_context *ctx)
{
    const struct vpcrec_nat *nat
        = nat_lookup(ctx, ctx->argv[1], !has_option(ctx, "--if-exists"));
    if (nat) {
        vpcrec_nat_delete(nat);
        claim_allocation(ctx);
    }
}

static void
put_nat_line(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    put_nat(&ctx->output, VPC_CTL_ROW(nat, row), true);
    ds_put_char(&ctx->output, '\n');
}

static void
cmd_nat_list(struct ctl_context *ctx)
{
    vpc_ctl_list(ctx, &vpcrec_table_nat, &vpcrec_table_vpc,
                 &vpcrec_nat_col_vpc, put_nat_line);
}

/* ------------------------------------------------------------- Chassis */

static void
put_chassis(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_chassis *ch = VPC_CTL_ROW(chassis, row);
    struct ds *s = &ctx->output;

    ds_put_format(s, "%s role=%s encap=%s:%s connected=%s nb_cfg=%"PRId64,
                  ch->name, ch->role, ch->encap_type, ch->encap_ip,
                  ch->connected ? "true" : "false", ch->nb_cfg);
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
    put_port_binding(s, port);
    ds_put_cstr(s, ")\n");
}

static void
show_subnet(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_subnet *subnet = VPC_CTL_ROW(subnet, row);

    ds_put_format(&ctx->output, "    subnet %s %s (gateway %s %s)\n",
                  subnet->name, subnet->cidr, subnet->gateway_ip,
                  subnet->gateway_mac);
    vpc_ctl_put_sorted(ctx, &vpcrec_table_port, &vpcrec_port_col_subnet,
                       row, show_port);
}

static void
show_nat(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    ds_put_cstr(&ctx->output, "    ");
    put_nat(&ctx->output, VPC_CTL_ROW(nat, row), false);
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

/* Subnets, without their VPCs, and every MAC in use. */
static void
pre_subnets_and_macs(struct ctl_context *ctx)
{
    ovsdb_idl_add_column(ctx->idl, &vpcrec_subnet_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_subnet_col_cidr);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_subnet_col_gateway_ip);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_subnet_col_gateway_mac);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_mac);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_gateway_group_col_mac);
}

static void
pre_subnets(struct ctl_context *ctx)
{
    pre_vpcs(ctx);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_subnet_col_vpc);
    pre_subnets_and_macs(ctx);
}

static void
pre_port_columns(struct ctl_context *ctx)
{
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_subnet);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_ips);
}

static void
pre_ports(struct ctl_context *ctx)
{
    pre_subnets(ctx);
    pre_port_columns(ctx);
}

/* What port-add reads: no VPC, which matters to a batch of port-adds that
 * would otherwise load every VPC for nothing. */
static void
pre_port_add(struct ctl_context *ctx)
{
    pre_global(ctx);
    pre_subnets_and_macs(ctx);
    pre_port_columns(ctx);
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
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_col_bridge_mappings);
}

static void
pre_bindings(struct ctl_context *ctx)
{
    pre_ports(ctx);
    pre_chassis(ctx);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_chassis);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_port_col_up);
}

static void
pre_vpc_del(struct ctl_context *ctx)
{
    pre_ports(ctx);
    /* With --cascade, its NAT rows go too. */
    ovsdb_idl_add_column(ctx->idl, &vpcrec_nat_col_vpc);
}

/* External networks, and the gateway groups that use them. */
static void
pre_ext_nets(struct ctl_context *ctx)
{
    pre_global(ctx);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_external_network_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_external_network_col_cidr);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_external_network_col_next_hop);
    ovsdb_idl_add_column(ctx->idl,
                         &vpcrec_external_network_col_physical_network);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_gateway_group_col_name);
    ovsdb_idl_add_column(ctx->idl,
                         &vpcrec_gateway_group_col_external_network);
}

/* Gateway groups, their chassis, and the VPCs that use them. */
static void
pre_gw_groups(struct ctl_context *ctx)
{
    pre_subnets(ctx);
    pre_ext_nets(ctx);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_gateway_group_col_priorities);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_col_name);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_col_role);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_chassis_col_bridge_mappings);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_vpc_col_gateway_group);
}

static void
pre_nats(struct ctl_context *ctx)
{
    pre_gw_groups(ctx);
    pre_ports(ctx);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_nat_col_type);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_nat_col_vpc);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_nat_col_external_ip);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_nat_col_logical_ip);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_nat_col_port);
}

static void
pre_show(struct ctl_context *ctx)
{
    pre_bindings(ctx);
    pre_nats(ctx);
}

/* ---------------------------------------------------- Narrow scope
 *
 * Allocating an IP address for a new port needs the ports of its subnet,
 * and refusing a name or a MAC address already taken needs the ports with
 * that name or MAC; deleting or showing a port needs that port: not the
 * thousands of other Port rows.  A batch made only of port-add, port-del
 * and port-show commands therefore asks the server for just those rows
 * (OVSDB conditional monitoring) and starts looking for a free MAC at
 * VPC_Global options:mac_hint.  The MAC it picks may belong to a port it
 * does not see; then the Port table's unique index on "mac" fails the
 * transaction, and vpc-ctl widens the scope to every Port row and tries
 * again, as any other command would have run.  Concurrent writers are
 * still kept apart by VPC_Global:alloc_seqno. */

static struct {
    bool narrow;                /* Replicating only some Port rows? */
    bool conditioned;           /* Was a Port condition ever set? */
    unsigned int cond_seqno;    /* The IDL matches the condition set last
                                 * once its condition seqno reaches this. */
    struct sset names;          /* PORT arguments. */
    struct sset macs;           /* MAC arguments, normalized. */
    struct sset subnets;        /* SUBNET arguments. */
} scope = {
    .names = SSET_INITIALIZER(&scope.names),
    .macs = SSET_INITIALIZER(&scope.macs),
    .subnets = SSET_INITIALIZER(&scope.subnets),
};

static void
scope_set_condition(struct ovsdb_idl *idl, struct ovsdb_idl_condition *cond)
{
    unsigned int seqno = vpcrec_port_set_condition(idl, cond);

    if (!scope.conditioned || seqno != scope.cond_seqno) {
        /* The change goes out on the next ovsdb_idl_run(). */
        scope.conditioned = true;
        scope.cond_seqno = seqno;
        poll_immediate_wake();
    }
}

static void
scope_set_true(struct ovsdb_idl *idl)
{
    struct ovsdb_idl_condition cond;

    ovsdb_idl_condition_init(&cond);
    ovsdb_idl_condition_add_clause_true(&cond);
    scope_set_condition(idl, &cond);
    ovsdb_idl_condition_destroy(&cond);
}

/* Replicates every row of the Port table.  Returns true if the scope was
 * narrow, in which case the caller should try again once the IDL catches
 * up (vpc_ctl_scope_ready()). */
bool
vpc_ctl_scope_widen(struct ovsdb_idl *idl)
{
    if (!scope.narrow) {
        return false;
    }
    scope.narrow = false;
    scope_set_true(idl);
    return true;
}

/* Builds the Port condition from the arguments and the current subnets. */
static void
scope_update(struct ovsdb_idl *idl)
{
    struct ovsdb_idl_condition cond;
    const char *s;

    ovsdb_idl_condition_init(&cond);
    SSET_FOR_EACH (s, &scope.names) {
        vpcrec_port_add_clause_name(&cond, OVSDB_F_EQ, s);
    }
    SSET_FOR_EACH (s, &scope.macs) {
        vpcrec_port_add_clause_mac(&cond, OVSDB_F_EQ, s);
    }

    /* Subnets are few: index them by name for big batches. */
    struct shash by_name = SHASH_INITIALIZER(&by_name);
    const struct vpcrec_subnet *subnet;
    VPCREC_SUBNET_FOR_EACH (subnet, idl) {
        shash_add_once(&by_name, subnet->name, subnet);
    }
    SSET_FOR_EACH (s, &scope.subnets) {
        struct uuid uuid;
        subnet = shash_find_data(&by_name, s);
        if (!subnet && uuid_from_string(&uuid, s)) {
            subnet = vpcrec_subnet_get_for_uuid(idl, &uuid);
        }
        if (subnet) {
            vpcrec_port_add_clause_subnet(&cond, OVSDB_F_EQ,
                                          &subnet->header_.uuid);
        }
    }
    shash_destroy(&by_name);

    scope_set_condition(idl, &cond);
    ovsdb_idl_condition_destroy(&cond);
}

/* Chooses how many Port rows to replicate for 'commands': a narrow scope
 * if they are all port-add, port-del or port-show, else every row.  Call after the commands'
 * prerequisites and before the first ovsdb_idl_run(), and not for a dry
 * run, whose transaction the server aborts before its indexes could refuse
 * a MAC address. */
void
vpc_ctl_scope_init(struct ovsdb_idl *idl, const struct ctl_command *commands,
                   size_t n)
{
    const struct ctl_command *c;

    for (c = commands; c < &commands[n]; c++) {
        struct uuid uuid;

        /* port_lookup() also takes a UUID, which a condition on "name"
         * would not find. */
        bool add = c->syntax->run == cmd_port_add;
        bool by_name = (c->syntax->run == cmd_port_del
                        || c->syntax->run == cmd_port_show);
        const char *name = add ? c->argv[2] : c->argv[1];
        if ((!add && !by_name) || uuid_from_string(&uuid, name)) {
            sset_clear(&scope.names);
            sset_clear(&scope.macs);
            sset_clear(&scope.subnets);
            return;
        }
        sset_add(&scope.names, name);
        if (by_name) {
            continue;
        }
        sset_add(&scope.subnets, c->argv[1]);

        const char *mac_s = c->argc > 3 ? c->argv[3] : NULL;
        struct eth_addr ea;
        if (mac_s && mac_s[0] && strcmp(mac_s, "dynamic")
            && eth_addr_from_string(mac_s, &ea)) {
            char buf[ETH_ADDR_STRLEN + 1];
            mac_normalize(&ea, buf);
            sset_add(&scope.macs, buf);
        }
    }
    if (n) {
        /* Nothing until the Subnet rows tell the subnets' UUIDs. */
        struct ovsdb_idl_condition cond;
        ovsdb_idl_condition_init(&cond);
        scope_set_condition(idl, &cond);
        ovsdb_idl_condition_destroy(&cond);
        scope.narrow = true;
    }
}

/* Returns true if the IDL holds the rows that the commands need, false if
 * the caller must wait for more (with ovsdb_idl_run()).  With a narrow
 * scope, follows the subnets' UUIDs, which only the replicated Subnet
 * table tells. */
bool
vpc_ctl_scope_ready(struct ovsdb_idl *idl)
{
    if (!scope.conditioned) {
        return true;
    }

    /* Setting the same condition again only returns the seqno to wait for,
     * which a reconnection may have changed. */
    if (scope.narrow) {
        scope_update(idl);
    } else {
        scope_set_true(idl);
    }
    return ovsdb_idl_get_condition_seqno(idl) == scope.cond_seqno;
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
    vctx->narrow = scope.narrow;
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
}

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
    uint32_t low;
    for (low = MAX(vctx->mac_hint, 1); low <= 0xffffff; low++) {
        mac_format(&pfx, low, buf);
        if (!sset_contains(macs, buf)) {
            break;
        }
    }
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

static const struct ctl_command_syntax vpc_commands[] = {
    {"vpc-add", 1, 1, "VPC [--tunnel-key=N] [--cidr=CIDR]", pre_vpcs,
     cmd_vpc_add, NULL, "--may-exist,--tunnel-key=,--cidr=", RW},
    {"vpc-del", 1, 1, "VPC", pre_vpc_del, cmd_vpc_del, NULL,
     "--if-exists,--cascade", RW},
    {"vpc-list", 0, 0, "", pre_vpcs, cmd_vpc_list, NULL, "", RO},
    {"subnet-add", 3, 3, "VPC SUBNET CIDR", pre_subnets, cmd_subnet_add,
     NULL, "--may-exist,--gateway-ip=,--gateway-mac=", RW},
    {"subnet-del", 1, 1, "SUBNET", pre_ports, cmd_subnet_del, NULL,
     "--if-exists,--cascade", RW},
    {"subnet-list", 0, 1, "[VPC]", pre_subnets, cmd_subnet_list, NULL, "",
     RO},
    {"port-add", 2, 4, "SUBNET PORT [MAC] [IP]", pre_port_add, cmd_port_add,
     NULL, "--may-exist", RW},
    {"port-del", 1, 1, "PORT", pre_ports, cmd_port_del, NULL, "--if-exists",
     RW},
    {"port-show", 1, 1, "PORT", pre_bindings, cmd_port_show, NULL, "", RO},
    {"port-list", 0, 1, "[SUBNET]", pre_bindings, cmd_port_list, NULL, "",
     RO},
    {"ext-net-add", 3, 3, "NAME CIDR NEXT_HOP [--physnet=NAME]",
     pre_ext_nets, cmd_ext_net_add, NULL, "--may-exist,--physnet=", RW},
    {"ext-net-del", 1, 1, "NAME", pre_ext_nets, cmd_ext_net_del, NULL,
     "--if-exists", RW},
    {"ext-net-list", 0, 0, "", pre_ext_nets, cmd_ext_net_list, NULL, "",
     RO},
    {"gw-group-add", 3, INT_MAX, "GROUP EXT_NET CHASSIS[:PRIORITY]...",
     pre_gw_groups, cmd_gw_group_add, NULL, "--may-exist", RW},
    {"gw-group-del", 1, 1, "GROUP", pre_gw_groups, cmd_gw_group_del, NULL,
     "--if-exists", RW},
    {"gw-group-list", 0, 0, "", pre_gw_groups, cmd_gw_group_list, NULL, "",
     RO},
    {"vpc-set-gateway", 1, 2, "VPC [GROUP]", pre_nats, cmd_vpc_set_gateway,
     NULL, "--cascade", RW},
    {"snat-add", 2, 3, "VPC CIDR [EXTERNAL_IP]", pre_nats, cmd_snat_add,
     NULL, "", RW},
    {"eip-add", 2, 3, "VPC PORT [EXTERNAL_IP]", pre_nats, cmd_eip_add, NULL,
     "", RW},
    {"nat-del", 1, 1, "EXTERNAL_IP", pre_nats, cmd_nat_del, NULL,
     "--if-exists", RW},
    {"nat-list", 0, 1, "[VPC]", pre_nats, cmd_nat_list, NULL, "", RO},
    {"chassis-list", 0, 0, "", pre_chassis, cmd_chassis_list, NULL, "", RO},
    {"show", 0, 1, "[VPC]", pre_show, cmd_show, NULL, "", RO},
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
