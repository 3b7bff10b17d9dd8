/* The rows of an IDL table whose names are unique, by name.
 *
 * A status pass of an instance that shares the chassis with others looks
 * up every chassis' Chassis and Chassis_Cfg rows: a skiplist index made
 * each lookup a walk of string comparisons, half the CPU of such an
 * instance during a converge.  The map holds UUIDs, filled afresh from the
 * table when its rows came, went or changed in a column that alerts (the
 * table's seqno moved).  Other columns are read from the rows themselves,
 * so a change to those (a chassis' nb_cfg, its 'connected') costs nothing
 * here.
 *
 * A table's seqno can stay put over a change: the IDL stamps rows deleted
 * while others still refer to them (a Chassis that ports are bound to)
 * after a run's last increment of its own seqno, and the next run's first
 * change to the table gets the same stamp.  So a map filled while the
 * table's seqno was past the IDL's is trusted only until the IDL's moves;
 * and every row a lookup finds is checked against the database, and the
 * map filled again if it is not there (or renamed). */
#ifndef VPC_CONTROLLER_ROWS_BY_NAME_H
#define VPC_CONTROLLER_ROWS_BY_NAME_H 1

#include <stdbool.h>

#include "openvswitch/shash.h"

struct ovsdb_idl;
struct ovsdb_idl_row;
struct ovsdb_idl_table_class;

struct rows_by_name {
    const struct ovsdb_idl_table_class *table;
    const char *(*name_of)(const struct ovsdb_idl_row *);
    struct shash uuids;         /* struct uuid *, by name. */
    unsigned int table_seqno;   /* The table's, when filled. */
    unsigned int idl_seqno;     /* The IDL's, when filled. */
    bool filled;
};

#define ROWS_BY_NAME_INITIALIZER(RBN, TABLE, NAME_OF) \
    { TABLE, NAME_OF, SHASH_INITIALIZER(&(RBN)->uuids), 0, 0, false }

const struct ovsdb_idl_row *rows_by_name_find(struct rows_by_name *,
                                              struct ovsdb_idl *,
                                              const char *name);
void rows_by_name_clear(struct rows_by_name *);

#endif /* rows-by-name.h */
