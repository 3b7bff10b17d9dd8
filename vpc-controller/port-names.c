/* The Port rows of the VPC database by name.
 *
 * A skiplist index on Port.name cost every instance a walk of string
 * comparisons for each of the 100,000 ports it replicated: a few percent
 * of its converge and its restart.  This map is a hash table instead,
 * kept from the IDL's tracked changes (port_names_absorb(), just before
 * they are cleared).  It holds UUIDs, not rows: a lookup checks each row
 * it finds against the database as it is now, so an entry that the
 * changes not yet absorbed made stale (a port deleted, renamed, or gone
 * while the IDL read the database afresh) finds nothing. */
#include <config.h>
#include "port-names.h"

#include <string.h>

#include "hash.h"
#include "openvswitch/hmap.h"
#include "ovsdb-idl.h"
#include "util.h"
#include "uuid.h"
#include "vpc-idl.h"

struct port_name {
    struct hmap_node by_name;       /* In 'names', by hash of 'name'. */
    struct hmap_node by_uuid;       /* In 'uuids', by 'uuid'. */
    struct uuid uuid;
    char *name;
};

static struct ovsdb_idl *idl;
static struct hmap names = HMAP_INITIALIZER(&names);
static struct hmap uuids = HMAP_INITIALIZER(&uuids);

/* Reads Port rows' names from 'idl_', whose changes must be tracked. */
void
port_names_init(struct ovsdb_idl *idl_)
{
    idl = idl_;
}

static struct port_name *
find_uuid(const struct uuid *uuid)
{
    struct port_name *pn;

    HMAP_FOR_EACH_WITH_HASH (pn, by_uuid, uuid_hash(uuid), &uuids) {
        if (uuid_equals(&pn->uuid, uuid)) {
            return pn;
        }
    }
    return NULL;
}

static void
add(const struct vpcrec_port *row)
{
    struct port_name *pn = xmalloc(sizeof *pn);
    pn->uuid = row->header_.uuid;
    pn->name = xstrdup(row->name);
    hmap_insert(&names, &pn->by_name, hash_string(pn->name, 0));
    hmap_insert(&uuids, &pn->by_uuid, uuid_hash(&pn->uuid));
}

static void
remove_entry(struct port_name *pn)
{
    hmap_remove(&names, &pn->by_name);
    hmap_remove(&uuids, &pn->by_uuid);
    free(pn->name);
    free(pn);
}

static void
clear(void)
{
    struct port_name *pn;

    HMAP_FOR_EACH_SAFE (pn, by_uuid, &uuids) {
        remove_entry(pn);
    }
}

/* Takes in the Port rows that came, went or were renamed since the last
 * call.  Call before the IDL's tracked changes are cleared.  A row
 * reported as new that the map already has means the IDL read the
 * database afresh (it reports no deletions then): the map is filled again
 * from every row. */
void
port_names_absorb(void)
{
    const struct vpcrec_port *row;
    bool afresh = false;

    VPCREC_PORT_FOR_EACH_TRACKED (row, idl) {
        struct port_name *pn = find_uuid(&row->header_.uuid);
        if (vpcrec_port_is_deleted(row)) {
            if (pn) {
                remove_entry(pn);
            }
        } else if (vpcrec_port_is_new(row) && pn) {
            afresh = true;
            break;
        } else if (!pn) {
            add(row);
        } else if (strcmp(pn->name, row->name)) {
            remove_entry(pn);
            add(row);
        }
    }
    if (afresh) {
        clear();
        VPCREC_PORT_FOR_EACH (row, idl) {
            add(row);
        }
    }
}

/* Calls 'cb' for each Port row named 'name' (the name is unique, but a
 * database being changed by hand may briefly say otherwise), as far as the
 * changes absorbed so far know. */
void
port_names_for_each(const char *name,
                    void (*cb)(const struct vpcrec_port *, void *aux),
                    void *aux)
{
    const struct port_name *pn;

    if (!idl) {
        return;
    }
    HMAP_FOR_EACH_WITH_HASH (pn, by_name, hash_string(name, 0), &names) {
        if (!strcmp(pn->name, name)) {
            const struct vpcrec_port *row = vpcrec_port_get_for_uuid(
                idl, &pn->uuid);
            if (row && row->header_.new_datum
                && !vpcrec_port_is_deleted(row)
                && !strcmp(row->name, name)) {
                cb(row, aux);
            }
        }
    }
}

/* Frees the map. */
void
port_names_destroy(void)
{
    clear();
    hmap_destroy(&names);
    hmap_init(&names);
    hmap_destroy(&uuids);
    hmap_init(&uuids);
    idl = NULL;
}
