/* vpc-ctl: what every command family shares.
 *
 * A command family is a vpc-ctl-FAMILY.c with its table of commands, whose
 * run functions find, count, sort and list rows with the functions below,
 * the same way in every table. */
#ifndef VPC_CTL_COMMON_H
#define VPC_CTL_COMMON_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db-ctl-base.h"
#include "vpc-ctl.h"
#include "vpc-idl.h"

struct ds;
struct vpc_cidr4;

/* The vpc-ctl context of 'ctx', a command's context. */
static inline struct vpc_ctl_context *
vpc_ctl_cast(struct ctl_context *ctx)
{
    return CONTAINER_OF(ctx, struct vpc_ctl_context, base);
}

/* Options and errors. */
const char *vpc_ctl_option(struct ctl_context *, const char *name);
bool vpc_ctl_has_option(struct ctl_context *, const char *name);
bool vpc_ctl_check(struct ctl_context *, char *error);

/* New rows and allocations. */
const struct ovsdb_idl_row *vpc_ctl_insert_row(
    struct ctl_context *, const struct ovsdb_idl_table_class *);
void vpc_ctl_claim_allocation(struct ctl_context *);
void vpc_ctl_pre_global(struct ctl_context *);

/* Inserts a row into table 'TABLE' (a table's name in the IDL, such as
 * 'vpc') and evaluates to it as a 'struct vpcrec_TABLE *'. */
#define VPC_CTL_INSERT(CTX, TABLE)                                      \
    CONTAINER_OF(vpc_ctl_insert_row(CTX, &vpcrec_table_##TABLE),        \
                 struct vpcrec_##TABLE, header_)

/* CIDRs of rows, written and validated earlier. */
bool vpc_ctl_parse_row_cidr(struct ctl_context *, const char *what,
                            const char *s, struct vpc_cidr4 *);
bool vpc_ctl_cidr_parses(const char *s, struct vpc_cidr4 *);

/* Rows of any table, named by the column the generic database commands
 * use: vpc_ctl_tables, which vpc_ctl_cmds_init() gives to db-ctl-base. */
extern const struct ctl_table_class vpc_ctl_tables[VPCREC_N_TABLES];

void vpc_ctl_create_name_indexes(struct ovsdb_idl *);
void vpc_ctl_pre_name(struct ctl_context *,
                      const struct ovsdb_idl_column *name_col);
void vpc_ctl_pre_ref(struct ctl_context *,
                     const struct ovsdb_idl_column *ref_col);
const struct ovsdb_idl_row *vpc_ctl_lookup(
    struct ctl_context *, const struct ovsdb_idl_table_class *,
    const char *id, bool must_exist);
const struct ovsdb_idl_row *vpc_ctl_lookup_in_vpc(
    struct ctl_context *, const struct ovsdb_idl_table_class *,
    const struct ovsdb_idl_column *vpc_col, const char *id,
    const struct vpcrec_vpc *);
bool vpc_ctl_name_is_free(struct ctl_context *,
                          const struct ovsdb_idl_table_class *,
                          const struct ovsdb_idl_column *vpc_col,
                          const char *name, const struct vpcrec_vpc *);
bool vpc_ctl_vpc_row_name_is_free(struct ctl_context *,
                                  const struct ovsdb_idl_table_class *,
                                  const char *vpc_name, const char *suffix,
                                  const char *role);
size_t vpc_ctl_count_rows(struct ctl_context *,
                          const struct ovsdb_idl_table_class *,
                          const struct ovsdb_idl_column *ref_col,
                          const struct ovsdb_idl_row *ref);

/* A row in a sorted list. */
struct vpc_ctl_row {
    const struct ovsdb_idl_row *row;
    const char *name;           /* Its name; "" in a table sorted by IP. */
    uint32_t ip;                /* Its name as an IP address, or 0. */
};

struct vpc_ctl_row *vpc_ctl_sorted_rows(
    struct ctl_context *, const struct ovsdb_idl_table_class *,
    const struct ovsdb_idl_column *ref_col, const struct ovsdb_idl_row *ref,
    size_t *n);

/* Prints a row into the output of a command's context. */
typedef void vpc_ctl_put_func(struct ctl_context *,
                              const struct ovsdb_idl_row *);

void vpc_ctl_put_sorted(struct ctl_context *,
                        const struct ovsdb_idl_table_class *,
                        const struct ovsdb_idl_column *ref_col,
                        const struct ovsdb_idl_row *ref, vpc_ctl_put_func *);
void vpc_ctl_list(struct ctl_context *, const struct ovsdb_idl_table_class *,
                  const struct ovsdb_idl_table_class *parent,
                  const struct ovsdb_idl_column *ref_col,
                  vpc_ctl_put_func *);
void vpc_ctl_put_joined(struct ds *, char *const *strings, size_t n);

bool vpc_ctl_refuse_if_used(struct ctl_context *,
                            const struct ovsdb_idl_row *ref,
                            const struct ovsdb_idl_table_class *,
                            const struct ovsdb_idl_column *ref_col,
                            const char *hint);
bool vpc_ctl_refuse_vpc_rows(struct ctl_context *, const struct vpcrec_vpc *,
                             const struct ovsdb_idl_table_class *,
                             const struct ovsdb_idl_column *vpc_col,
                             const struct ovsdb_idl_row *own);
bool vpc_ctl_refuse_if_overlaps(struct ctl_context *,
                                const struct ovsdb_idl_table_class *,
                                const struct ovsdb_idl_column *cidr_col,
                                const struct ovsdb_idl_column *ref_col,
                                const struct ovsdb_idl_row *ref,
                                const struct vpc_cidr4 *,
                                const char *cidr_s);

static inline const void *
vpc_ctl_row_container__(const struct ovsdb_idl_row *row, size_t offset)
{
    return row ? (const char *) row - offset : NULL;
}

/* The 'struct vpcrec_TABLE' whose header is IDL row 'ROW', or NULL if
 * 'ROW' is NULL; 'TABLE' is a table's name in the IDL, such as 'vpc'. */
#define VPC_CTL_ROW(TABLE, ROW)                                         \
    ((const struct vpcrec_##TABLE *)                                    \
     vpc_ctl_row_container__(ROW, offsetof(struct vpcrec_##TABLE, header_)))

/* vpc_ctl_lookup() in table 'TABLE', typed as VPC_CTL_ROW() does. */
#define VPC_CTL_LOOKUP(CTX, TABLE, ID, MUST_EXIST)                      \
    VPC_CTL_ROW(TABLE, vpc_ctl_lookup(CTX, &vpcrec_table_##TABLE, ID,   \
                                      MUST_EXIST))

/* vpc_ctl_lookup_in_vpc() in table 'TABLE', whose column 'vpc' names the
 * VPC of its rows, typed as VPC_CTL_ROW() does. */
#define VPC_CTL_LOOKUP_IN_VPC(CTX, TABLE, ID, VPC)                      \
    VPC_CTL_ROW(TABLE, vpc_ctl_lookup_in_vpc(CTX, &vpcrec_table_##TABLE, \
                                             &vpcrec_##TABLE##_col_vpc, \
                                             ID, VPC))

/* vpc_ctl_name_is_free() in table 'TABLE', as VPC_CTL_LOOKUP_IN_VPC(). */
#define VPC_CTL_NAME_IS_FREE(CTX, TABLE, NAME, VPC)                     \
    vpc_ctl_name_is_free(CTX, &vpcrec_table_##TABLE,                    \
                         &vpcrec_##TABLE##_col_vpc, NAME, VPC)

#endif /* vpc-ctl-common.h */
