/* The rows of an IDL table whose names are unique, by name.  See
 * rows-by-name.h. */
#include <config.h>
#include "rows-by-name.h"

#include <string.h>

#include "ovsdb-idl.h"
#include "ovsdb-idl-provider.h"
#include "util.h"

static void
fill(struct rows_by_name *rbn, struct ovsdb_idl *idl)
{
    shash_clear_free_data(&rbn->uuids);
    rbn->table_seqno = ovsdb_idl_table_get_seqno(idl, rbn->table);
    rbn->idl_seqno = ovsdb_idl_get_seqno(idl);
    rbn->filled = true;
    for (const struct ovsdb_idl_row *row = ovsdb_idl_first_row(idl,
                                                                rbn->table);
         row; row = ovsdb_idl_next_row(row)) {
        const char *name = rbn->name_of(row);
        if (!shash_find(&rbn->uuids, name)) {
            shash_add(&rbn->uuids, name,
                      xmemdup(&row->uuid, sizeof row->uuid));
        }
    }
}

/* The row of 'rbn''s table in 'idl' called 'name', or NULL. */
const struct ovsdb_idl_row *
rows_by_name_find(struct rows_by_name *rbn, struct ovsdb_idl *idl,
                  const char *name)
{
    if (!rbn->filled
        || rbn->table_seqno != ovsdb_idl_table_get_seqno(idl, rbn->table)
        || (rbn->table_seqno > rbn->idl_seqno
            && rbn->idl_seqno != ovsdb_idl_get_seqno(idl))) {
        fill(rbn, idl);
    }
    for (int i = 0; i < 2; i++) {
        const struct uuid *uuid = shash_find_data(&rbn->uuids, name);
        if (!uuid) {
            return NULL;
        }
        const struct ovsdb_idl_row *row = ovsdb_idl_get_row_for_uuid(
            idl, rbn->table, uuid);
        if (row && row->new_datum && !strcmp(rbn->name_of(row), name)) {
            return row;
        }
        fill(rbn, idl);
    }
    return NULL;
}

/* Forgets what 'rbn' holds: the next lookup fills it afresh. */
void
rows_by_name_clear(struct rows_by_name *rbn)
{
    shash_clear_free_data(&rbn->uuids);
    rbn->filled = false;
}
