/* vpc-ctl: what every command family shares.  Rows found, counted, sorted
 * and listed the same way in every table; options; new rows; CIDRs of rows
 * written earlier; the allocation sequence number.
 *
 * Every command validates all of its input before it writes anything; an
 * error ends vpc-ctl before the transaction is committed, so a refused
 * command leaves the database unchanged. */
#include <config.h>

#include "vpc-ctl-common.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "ovsdb-idl-provider.h"
#include "util.h"
#include "uuid.h"
#include "vpc-addr.h"
#include "vpc-idl.h"

/* Every transaction that allocates or frees addresses goes through here:
 * verifying and bumping VPC_Global's alloc_seqno makes concurrent vpc-ctl
 * invocations retry rather than hand out the same IP twice. */
void
vpc_ctl_claim_allocation(struct ctl_context *ctx)
{
    const struct vpcrec_vpc_global *g = vpc_ctl_cast(ctx)->global;

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
const struct ovsdb_idl_row *
vpc_ctl_insert_row(struct ctl_context *ctx,
                   const struct ovsdb_idl_table_class *table)
{
    struct uuid uuid;

    if (getrandom(&uuid, sizeof uuid, 0) == sizeof uuid) {
        uuid_set_bits_v4(&uuid);
    } else {
        uuid_generate(&uuid);
    }
    return ovsdb_idl_txn_insert(ctx->txn, table, &uuid);
}

/* Parses a column value that was validated when it was written; a row that
 * another client wrote badly yields an error rather than a guess. */
bool
vpc_ctl_parse_row_cidr(struct ctl_context *ctx, const char *what,
                       const char *s, struct vpc_cidr4 *cidr)
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
bool
vpc_ctl_cidr_parses(const char *s, struct vpc_cidr4 *cidr)
{
    char *error = vpc_cidr4_parse(s, cidr);
    bool ok = !error;
    free(error);
    return ok;
}

/* Returns true if 'error' is NULL.  Otherwise sets it as the error of
 * 'ctx', frees it and returns false. */
bool
vpc_ctl_check(struct ctl_context *ctx, char *error)
{
    if (error) {
        ctl_error(ctx, "%s", error);
        free(error);
        return false;
    }
    return true;
}

/* ---------------------------------------------------------------- Rows
 *
 * One way to find, count and sort the rows of every table: by the column
 * that names them (the same one the generic database commands use), or
 * by the row they refer to. */

/* The column that names the rows of each table, besides their UUIDs. */
const struct ctl_table_class vpc_ctl_tables[VPCREC_N_TABLES] = {
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
    [VPCREC_TABLE_SECURITY_GROUP].row_ids[0]
        = {&vpcrec_security_group_col_name, NULL, NULL},
    [VPCREC_TABLE_NETWORK_ACL].row_ids[0]
        = {&vpcrec_network_acl_col_name, NULL, NULL},
    [VPCREC_TABLE_ROUTE_TABLE].row_ids[0]
        = {&vpcrec_route_table_col_name, NULL, NULL},
    [VPCREC_TABLE_PEERING].row_ids[0] = {&vpcrec_peering_col_name, NULL,
                                         NULL},
    [VPCREC_TABLE_FLOW_LOG].row_ids[0] = {&vpcrec_flow_log_col_collector,
                                          NULL, NULL},
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
    [VPCREC_TABLE_SECURITY_GROUP] = {"security group", false},
    [VPCREC_TABLE_NETWORK_ACL] = {"network ACL", false},
    [VPCREC_TABLE_ROUTE_TABLE] = {"route table", false},
    [VPCREC_TABLE_PEERING] = {"peering", false},
    [VPCREC_TABLE_FLOW_LOG] = {"flow log", false},
};

static size_t
table_index(const struct ovsdb_idl_table_class *tc)
{
    return tc - vpcrec_table_classes;
}

static const struct ovsdb_idl_column *
name_column(const struct ovsdb_idl_table_class *tc)
{
    return vpc_ctl_tables[table_index(tc)].row_ids[0].name_column;
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

/* An IDL index of the rows of each table by their name, for
 * vpc_ctl_lookup(): a batch such as vpc-bench's one transaction of 10,000
 * ports looks names up tens of thousands of times, most of them names that
 * do not exist yet (every vpc-add, subnet-add and port-add), and a scan of
 * the table for each made the batch cost rows x commands.  The IDL keeps
 * its indexes up to date with the transaction's own inserts, deletes and
 * renames, so a name found (or not) is the truth at that point of the
 * batch. */
static struct ovsdb_idl_index *name_indexes[VPCREC_N_TABLES];
static bool name_wanted[VPCREC_N_TABLES];

/* A prerequisite: replicates 'col', the name column of its table (see
 * vpc_ctl_tables), which vpc_ctl_lookup() then finds rows by through an
 * index. */
void
vpc_ctl_pre_name(struct ctl_context *ctx, const struct ovsdb_idl_column *col)
{
    ovsdb_idl_add_column(ctx->idl, col);
    for (size_t i = 0; i < VPCREC_N_TABLES; i++) {
        if (vpc_ctl_tables[i].row_ids[0].name_column == col) {
            name_wanted[i] = true;
        }
    }
}

/* IDL indexes of rows by a reference column that refers to one row, for
 * vpc_ctl_sorted_rows(): a subnet-add checks its CIDR against the other
 * subnets of its VPC, which a batch of 1,000 subnet-adds found by reading
 * every subnet of the world each time. */
static struct {
    const struct ovsdb_idl_column *col;
    struct ovsdb_idl_index *index;
} ref_indexes[4];
static size_t n_ref_indexes;

/* A prerequisite: replicates 'col', a column of references to at most one
 * row, and has vpc_ctl_sorted_rows() find the rows that refer to a given
 * row through an index on it. */
void
vpc_ctl_pre_ref(struct ctl_context *ctx, const struct ovsdb_idl_column *col)
{
    ovs_assert(col->type.n_max == 1);
    ovsdb_idl_add_column(ctx->idl, col);
    for (size_t i = 0; i < n_ref_indexes; i++) {
        if (ref_indexes[i].col == col) {
            return;
        }
    }
    ovs_assert(n_ref_indexes < ARRAY_SIZE(ref_indexes));
    ref_indexes[n_ref_indexes++].col = col;
}

static struct ovsdb_idl_index *
ref_index(const struct ovsdb_idl_column *col)
{
    for (size_t i = 0; i < n_ref_indexes; i++) {
        if (ref_indexes[i].col == col) {
            return ref_indexes[i].index;
        }
    }
    return NULL;
}

/* Creates the indexes of vpc_ctl_lookup() and vpc_ctl_sorted_rows() in
 * 'idl', for the columns that the commands' prerequisites replicated
 * through vpc_ctl_pre_name() and vpc_ctl_pre_ref(), before its first
 * ovsdb_idl_run(). */
void
vpc_ctl_create_name_indexes(struct ovsdb_idl *idl)
{
    for (size_t i = 0; i < n_ref_indexes; i++) {
        if (!ref_indexes[i].index) {
            ref_indexes[i].index = ovsdb_idl_index_create1(
                idl, ref_indexes[i].col);
        }
    }
    for (size_t i = 0; i < VPCREC_N_TABLES; i++) {
        const struct ovsdb_idl_column *col
            = vpc_ctl_tables[i].row_ids[0].name_column;
        if (col && name_wanted[i] && !name_indexes[i]) {
            name_indexes[i] = ovsdb_idl_index_create1(idl, col);
        }
    }
}

/* Returns the row of 'tc' named 'id' (one of them, if several are), or
 * NULL. */
static const struct ovsdb_idl_row *
find_by_name(struct ctl_context *ctx, const struct ovsdb_idl_table_class *tc,
             const char *id)
{
    struct ovsdb_idl_index *index = name_indexes[table_index(tc)];
    const struct ovsdb_idl_column *name_col = name_column(tc);
    const struct ovsdb_idl_row *row;

    if (index) {
        struct ovsdb_idl_row *target = ovsdb_idl_index_init_row(index);
        union ovsdb_atom *key = xmalloc(sizeof *key);
        struct ovsdb_datum datum = { .n = 1, .keys = key };

        key->s = ovsdb_atom_string_create(id);
        ovsdb_idl_index_write(target, name_col, &datum, tc);
        row = ovsdb_idl_index_find(index, target);
        ovsdb_idl_index_destroy_row(target);
        return row;
    }

    /* No index (the IDL was made without one): search. */
    for (row = ovsdb_idl_first_row(ctx->idl, tc); row;
         row = ovsdb_idl_next_row(row)) {
        const struct ovsdb_datum *name = ovsdb_idl_read(row, name_col);
        if (name->n && !strcmp(json_string(name->keys[0].s), id)) {
            return row;
        }
    }
    return NULL;
}

/* Returns the row of table 'tc' whose name is 'id', or whose UUID is 'id'.
 * If there is none and 'must_exist', sets the error "ID: WHAT not found".
 * VPC_CTL_LOOKUP() returns it typed.  Costs a lookup, not a look at every
 * row, whether the row exists or not. */
const struct ovsdb_idl_row *
vpc_ctl_lookup(struct ctl_context *ctx,
               const struct ovsdb_idl_table_class *tc, const char *id,
               bool must_exist)
{
    const struct ovsdb_idl_row *row = find_by_name(ctx, tc, id);
    struct uuid uuid;

    if (!row && uuid_from_string(&uuid, id)) {
        row = ovsdb_idl_get_row_for_uuid(ctx->idl, tc, &uuid);
        if (row && !row->new_datum) {
            row = NULL;         /* Deleted by this transaction. */
        }
    }
    if (!row && must_exist) {
        ctl_error(ctx, "%s: %s not found", id,
                  table_info[table_index(tc)].what);
    }
    return row;
}

/* Returns the VPC that 'row' names in its column 'vpc_col', or NULL. */
static const struct vpcrec_vpc *
row_vpc(struct ctl_context *ctx, const struct ovsdb_idl_row *row,
        const struct ovsdb_idl_column *vpc_col)
{
    const struct ovsdb_datum *d = ovsdb_idl_read(row, vpc_col);

    return (d->n
            ? VPC_CTL_ROW(vpc, ovsdb_idl_get_row_for_uuid(
                              ctx->idl, &vpcrec_table_vpc, &d->keys[0].uuid))
            : NULL);
}

static const char *
vpc_name(const struct vpcrec_vpc *vpc)
{
    return vpc ? vpc->name : "(none)";
}

/* Returns the row of table 'tc' whose name (or UUID) is 'id', which must
 * be a row of 'vpc' (the VPC that its column 'vpc_col' names).  Otherwise
 * sets the error "ID: WHAT not found" or "ID: WHAT is in VPC A, not in VPC
 * B" and returns NULL.  VPC_CTL_LOOKUP_IN_VPC() returns it typed. */
const struct ovsdb_idl_row *
vpc_ctl_lookup_in_vpc(struct ctl_context *ctx,
                      const struct ovsdb_idl_table_class *tc,
                      const struct ovsdb_idl_column *vpc_col, const char *id,
                      const struct vpcrec_vpc *vpc)
{
    const struct ovsdb_idl_row *row = vpc_ctl_lookup(ctx, tc, id, true);
    const struct vpcrec_vpc *its = row ? row_vpc(ctx, row, vpc_col) : NULL;

    if (row && its != vpc) {
        ctl_error(ctx, "%s: %s is in VPC %s, not in VPC %s", row_name(row),
                  row_what(row), vpc_name(its), vpc_name(vpc));
        return NULL;
    }
    return row;
}

/* For vpc-add, which also makes rows of its own in other tables (its
 * default security group "VPC-default", its main route table "VPC-main"):
 * returns true if no row of 'tc' has the name of new VPC 'vpc_name''s row
 * in 'tc', 'vpc_name' followed by 'suffix'.  Otherwise returns false with
 * the error "NAME: a WHAT with this name already exists; VPC V needs the
 * name for its ROLE" set. */
bool
vpc_ctl_vpc_row_name_is_free(struct ctl_context *ctx,
                             const struct ovsdb_idl_table_class *tc,
                             const char *vpc_name, const char *suffix,
                             const char *role)
{
    char *name = xasprintf("%s%s", vpc_name, suffix);
    bool is_free = !vpc_ctl_lookup(ctx, tc, name, false);
    if (!is_free) {
        ctl_error(ctx, "%s: a %s with this name already exists; VPC %s "
                  "needs the name for its %s", name,
                  table_info[table_index(tc)].what, vpc_name, role);
    }
    free(name);
    return is_free;
}

/* For "...-add VPC NAME [--may-exist]" in table 'tc', whose column
 * 'vpc_col' names the VPC of each row: returns true if no row of 'tc' has
 * 'name'.  Otherwise returns false, with the error "NAME: a WHAT with this
 * name already exists" set, or with --may-exist, none if the row is of
 * 'vpc', else "NAME: WHAT exists in VPC OTHER". */
bool
vpc_ctl_name_is_free(struct ctl_context *ctx,
                     const struct ovsdb_idl_table_class *tc,
                     const struct ovsdb_idl_column *vpc_col,
                     const char *name, const struct vpcrec_vpc *vpc)
{
    const struct ovsdb_idl_row *row = vpc_ctl_lookup(ctx, tc, name, false);
    if (!row) {
        return true;
    }

    const struct vpcrec_vpc *its = row_vpc(ctx, row, vpc_col);
    if (!vpc_ctl_has_option(ctx, "--may-exist")) {
        ctl_error(ctx, "%s: a %s with this name already exists", name,
                  row_what(row));
    } else if (its != vpc) {
        ctl_error(ctx, "%s: %s exists in VPC %s", name, row_what(row),
                  vpc_name(its));
    }
    return false;
}

/* Does 'row' refer to 'ref' through its reference column 'ref_col' (one of
 * the references, if the column is a set)?  Any row does if 'ref' is
 * NULL. */
static bool
row_refers_to(const struct ovsdb_idl_row *row,
              const struct ovsdb_idl_column *ref_col,
              const struct ovsdb_idl_row *ref)
{
    if (!ref) {
        return true;
    }

    const struct ovsdb_datum *d = ovsdb_idl_read(row, ref_col);
    for (size_t i = 0; i < d->n; i++) {
        if (uuid_equals(&d->keys[i].uuid, &ref->uuid)) {
            return true;
        }
    }
    return false;
}

/* Returns how many rows of 'tc' refer to 'ref' through 'ref_col'. */
size_t
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

/* The row after 'row' for vpc_ctl_sorted_rows(): in 'index', if nonnull,
 * through 'cursor', else in its table. */
static const struct ovsdb_idl_row *
sorted_rows_next(struct ovsdb_idl_index *index,
                 struct ovsdb_idl_cursor *cursor,
                 const struct ovsdb_idl_row *row)
{
    if (index) {
        ovsdb_idl_cursor_next_eq(cursor);
        return ovsdb_idl_cursor_data(cursor);
    }
    return ovsdb_idl_next_row(row);
}

/* Returns the rows of table 'tc' that refer to 'ref' through 'ref_col'
 * (every row if 'ref' is NULL), sorted by name: NAT rows by outside
 * address.  Stores their number in '*n'.  The caller frees the array;
 * VPC_CTL_ROW() makes its rows typed. */
struct vpc_ctl_row *
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
    struct ovsdb_idl_index *index = ref ? ref_index(ref_col) : NULL;
    struct ovsdb_idl_row *target = NULL;
    struct ovsdb_idl_cursor cursor = { .index = NULL };
    if (index) {
        /* Only the rows that refer to 'ref', through the index. */
        union ovsdb_atom *key = xmalloc(sizeof *key);
        struct ovsdb_datum datum = { .n = 1, .keys = key };

        key->uuid = ref->uuid;
        target = ovsdb_idl_index_init_row(index);
        ovsdb_idl_index_write(target, ref_col, &datum, tc);
        cursor = ovsdb_idl_cursor_first_eq(index, target);
        row = ovsdb_idl_cursor_data(&cursor);
    } else {
        row = ovsdb_idl_first_row(ctx->idl, tc);
    }
    for (; row; row = sorted_rows_next(index, &cursor, row)) {
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
    if (target) {
        ovsdb_idl_index_destroy_row(target);
    }
    if (*n) {
        qsort(rows, *n, sizeof *rows, compare_rows);
    }
    return rows;
}

/* If rows of 'tc' refer to 'ref' through 'ref_col', sets the error "NAME:
 * WHAT is still used by USERS(s) a, b; HINT" and returns true. */
bool
vpc_ctl_refuse_if_used(struct ctl_context *ctx,
                       const struct ovsdb_idl_row *ref,
                       const struct ovsdb_idl_table_class *tc,
                       const struct ovsdb_idl_column *ref_col,
                       const char *hint)
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

/* For vpc-del without --cascade: if rows of 'tc' refer to 'vpc' through
 * 'vpc_col', besides 'own' (the row of 'tc' that goes with the VPC, such
 * as its default security group, or NULL), sets the error "VPC: VPC still
 * has N WHAT(s)[ besides OWN]; delete them first or use --cascade" and
 * returns true. */
bool
vpc_ctl_refuse_vpc_rows(struct ctl_context *ctx,
                        const struct vpcrec_vpc *vpc,
                        const struct ovsdb_idl_table_class *tc,
                        const struct ovsdb_idl_column *vpc_col,
                        const struct ovsdb_idl_row *own)
{
    size_t n = vpc_ctl_count_rows(ctx, tc, vpc_col, &vpc->header_);
    if (own && row_vpc(ctx, own, vpc_col) == vpc) {
        n--;
    } else {
        own = NULL;
    }
    if (n) {
        ctl_error(ctx, "%s: VPC still has %"PRIuSIZE" %s(s)%s%s; delete "
                  "them first or use --cascade", vpc->name, n,
                  table_info[table_index(tc)].what, own ? " besides " : "",
                  own ? row_name(own) : "");
    }
    return n > 0;
}

/* Returns true, with an error set, if 'cidr' (the string 'cidr_s') overlaps
 * the CIDR column 'cidr_col' of a row of 'tc' that refers to 'ref' through
 * 'ref_col' (of any row, if 'ref' is NULL): "CIDR_S overlaps WHAT NAME
 * (ITS_CIDR)", and " of WHAT NAME" of 'ref', for the first such row by
 * name.  Also if one of those rows has an invalid CIDR. */
bool
vpc_ctl_refuse_if_overlaps(struct ctl_context *ctx,
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

        if (!vpc_ctl_parse_row_cidr(ctx, rows[i].name, other_s, &other)) {
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

/* Calls 'put' for each row that vpc_ctl_sorted_rows() returns, in order. */
void
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
void
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
void
vpc_ctl_put_joined(struct ds *s, char *const *strings, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ds_put_format(s, "%s%s", i ? "," : "", strings[i]);
    }
}

/* Returns the value of option 'name' of the command in 'ctx', or NULL if it
 * was not given or has no value. */
const char *
vpc_ctl_option(struct ctl_context *ctx, const char *name)
{
    return shash_find_data(&ctx->options, name);
}

/* Was option 'name' given to the command in 'ctx'? */
bool
vpc_ctl_has_option(struct ctl_context *ctx, const char *name)
{
    return shash_find(&ctx->options, name) != NULL;
}

/* Prerequisites of every command that allocates or frees addresses: the
 * columns of VPC_Global that 'ctx''s transaction verifies and updates. */
void
vpc_ctl_pre_global(struct ctl_context *ctx)
{
    ovsdb_idl_add_column(ctx->idl, &vpcrec_vpc_global_col_alloc_seqno);
    ovsdb_idl_add_column(ctx->idl, &vpcrec_vpc_global_col_options);
}
