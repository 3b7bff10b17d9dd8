/* The model's indexes of its VPCs: the VPCs that peer or have a gateway
 * group, the VPCs placed at each location and the VPC that holds each of
 * their rows, kept as VPCs come and go (model_index_vpc(),
 * model_unindex_vpc()) so that a change or a host finds its VPCs with one
 * lookup, whatever the number of VPCs. */
#include <config.h>
#include "model-index.h"

#include <stdlib.h>

#include "hash.h"
#include "hmapx.h"
#include "model.h"
#include "util.h"
#include "uuid.h"
#include "uuidset.h"

/* A row that a VPC of the model holds (see 'rows' in struct vpc_model). */
struct model_row {
    struct hmap_node hmap_node;     /* In vpc_model's 'rows', by uuid. */
    struct uuid uuid;
    struct model_vpc *mv;
};

static void
row_add(struct vpc_model *model, struct model_vpc *mv,
        const struct uuid *uuid)
{
    struct model_row *r = xmalloc(sizeof *r);
    r->uuid = *uuid;
    r->mv = mv;
    hmap_insert(&model->rows, &r->hmap_node, uuid_hash(uuid));
}

static void
row_remove(struct vpc_model *model, struct model_vpc *mv,
           const struct uuid *uuid)
{
    struct model_row *r;

    HMAP_FOR_EACH_WITH_HASH (r, hmap_node, uuid_hash(uuid), &model->rows) {
        if (r->mv == mv && uuid_equals(&r->uuid, uuid)) {
            hmap_remove(&model->rows, &r->hmap_node);
            free(r);
            return;
        }
    }
}

/* Calls 'cb' for the UUID of each row that 'mv' holds besides its own and
 * its ports': subnets, NAT rules, security groups and their rules, network
 * ACLs and their rules, route tables and their routes, peerings and flow
 * logs: what a change to one of those rows looks for. */
static void
rows_for_each(struct vpc_model *model, struct model_vpc *mv,
              void (*cb)(struct vpc_model *, struct model_vpc *,
                         const struct uuid *))
{
    const struct vpc_pl_vpc *pl = &mv->pl;

    for (size_t i = 0; i < pl->n_subnets; i++) {
        cb(model, mv, &pl->subnets[i].uuid);
    }
    for (size_t i = 0; i < pl->n_nats; i++) {
        cb(model, mv, &pl->nats[i].uuid);
    }
    for (size_t i = 0; i < pl->n_sgs; i++) {
        cb(model, mv, &pl->sgs[i].uuid);
        for (size_t j = 0; j < pl->sgs[i].n_rules; j++) {
            cb(model, mv, &pl->sgs[i].rules[j].uuid);
        }
    }
    for (size_t i = 0; i < pl->n_nacls; i++) {
        cb(model, mv, &pl->nacls[i].uuid);
        for (size_t j = 0; j < pl->nacls[i].n_rules; j++) {
            cb(model, mv, &pl->nacls[i].rules[j].uuid);
        }
    }
    for (size_t i = 0; i < pl->n_route_tables; i++) {
        cb(model, mv, &pl->route_tables[i].uuid);
        for (size_t j = 0; j < pl->route_tables[i].n_routes; j++) {
            cb(model, mv, &pl->route_tables[i].routes[j].uuid);
        }
    }
    for (size_t i = 0; i < pl->n_peerings; i++) {
        cb(model, mv, &pl->peerings[i].uuid);
    }
    for (size_t i = 0; i < pl->n_flow_logs; i++) {
        cb(model, mv, &pl->flow_logs[i].uuid);
    }
}

/* Adds to 'vpcs' the UUID of each VPC of 'model' that holds row 'uuid' (a
 * subnet, NAT rule, security group or rule, network ACL or rule, route
 * table or route, peering or flow log: see rows_for_each()), and returns
 * how many do.  One lookup, whatever the number of VPCs. */
size_t
vpc_model_row_vpcs(const struct vpc_model *model, const struct uuid *uuid,
                   struct uuidset *vpcs)
{
    const struct model_row *r;
    size_t n = 0;

    HMAP_FOR_EACH_WITH_HASH (r, hmap_node, uuid_hash(uuid), &model->rows) {
        if (uuid_equals(&r->uuid, uuid)) {
            uuidset_insert(vpcs, &r->mv->pl.uuid);
            n++;
        }
    }
    return n;
}

/* The VPCs placed at one location (see 'placed' in struct vpc_model). */
struct model_placement {
    struct hmap_node hmap_node;     /* In vpc_model's 'placed'. */
    const struct model_location *where;
    struct hmapx vpcs;              /* Of struct model_vpc. */
};

static struct model_placement *
placement_find(const struct vpc_model *model,
               const struct model_location *where)
{
    struct model_placement *pm;

    HMAP_FOR_EACH_WITH_HASH (pm, hmap_node, hash_pointer(where, 0),
                             &model->placed) {
        if (pm->where == where) {
            return pm;
        }
    }
    return NULL;
}

/* Calls 'cb' for each location that a port of 'mv' is bound at, migrates
 * from or migrates to (a location may come more than once). */
static void
placement_for_each(struct vpc_model *model, struct model_vpc *mv,
                   void (*cb)(struct vpc_model *, struct model_vpc *,
                              const struct model_location *))
{
    for (size_t i = 0; i < mv->pl.n_ports; i++) {
        const struct vpc_pl_port *p = &mv->pl.ports[i];
        const void *where[] = { p->chassis, p->migrate_from, p->migrate_to };
        for (size_t j = 0; j < ARRAY_SIZE(where); j++) {
            if (where[j]) {
                cb(model, mv, where[j]);
            }
        }
    }
}

static void
placement_add(struct vpc_model *model, struct model_vpc *mv,
              const struct model_location *where)
{
    struct model_placement *pm = placement_find(model, where);
    if (!pm) {
        pm = xmalloc(sizeof *pm);
        pm->where = where;
        hmapx_init(&pm->vpcs);
        hmap_insert(&model->placed, &pm->hmap_node, hash_pointer(where, 0));
    }
    hmapx_add(&pm->vpcs, mv);
}

static void
placement_remove(struct vpc_model *model, struct model_vpc *mv,
                 const struct model_location *where)
{
    struct model_placement *pm = placement_find(model, where);
    if (pm) {
        hmapx_find_and_delete(&pm->vpcs, mv);
        if (hmapx_is_empty(&pm->vpcs)) {
            hmap_remove(&model->placed, &pm->hmap_node);
            hmapx_destroy(&pm->vpcs);
            free(pm);
        }
    }
}

/* Notes 'mv', just added to 'model''s VPCs, in its indexes. */
void
model_index_vpc(struct vpc_model *model, struct model_vpc *mv)
{
    if (mv->pl.n_peerings) {
        hmapx_add(&model->peered, mv);
    }
    if (mv->pl.gw) {
        hmapx_add(&model->gw_vpcs, mv);
    }
    placement_for_each(model, mv, placement_add);
    rows_for_each(model, mv, row_add);
}

/* Takes 'mv', about to leave 'model''s VPCs, out of its indexes. */
void
model_unindex_vpc(struct vpc_model *model, struct model_vpc *mv)
{
    hmapx_find_and_delete(&model->peered, mv);
    hmapx_find_and_delete(&model->gw_vpcs, mv);
    placement_for_each(model, mv, placement_remove);
    rows_for_each(model, mv, row_remove);
}

/* Returns the VPCs (of struct model_vpc) of 'model' that have a port bound
 * at 'where', or migrating from or to it, or NULL if none: the VPCs whose
 * flows a host there may need, found without looking at every VPC. */
const struct hmapx *
vpc_model_vpcs_at(const struct vpc_model *model,
                  const struct model_location *where)
{
    const struct model_placement *pm = where ? placement_find(model, where)
                                             : NULL;
    return pm ? &pm->vpcs : NULL;
}

/* Frees the indexes of 'model' (but its VPCs, which it only points to). */
void
model_index_destroy(struct vpc_model *model)
{
    hmapx_destroy(&model->peered);
    hmapx_destroy(&model->gw_vpcs);
    struct model_placement *pm;
    HMAP_FOR_EACH_POP (pm, hmap_node, &model->placed) {
        hmapx_destroy(&pm->vpcs);
        free(pm);
    }
    hmap_destroy(&model->placed);
    struct model_row *r;
    HMAP_FOR_EACH_POP (r, hmap_node, &model->rows) {
        free(r);
    }
    hmap_destroy(&model->rows);
}
