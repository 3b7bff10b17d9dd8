/* The route tables and peerings of a VPC in the model.  See
 * model-route.h. */
#include <config.h>
#include "model-route.h"

#include <string.h>

#include "hash.h"
#include "model.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "util.h"
#include "uuid.h"
#include "uuidset.h"
#include "vpc-addr.h"
#include "vpc-idl.h"

VLOG_DEFINE_THIS_MODULE(model_route);

static struct vlog_rate_limit bad_row_rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* Starts building the route tables of VPC 'row' into 'b': which number
 * each table has (its place in UUID order, from 1). */
void
model_route_begin(const struct vpcrec_vpc *row, struct model_route_builder *b)
{
    b->vpc = row;
    b->table_rows = NULL;
    b->n_tables = 0;
    model_uuid_map_init(&b->tables);

    const struct ovsdb_idl_row **refs = model_referrers(
        &row->header_, &vpcrec_table_route_table,
        &vpcrec_route_table_col_vpc, &b->n_tables);
    b->table_rows = xmalloc((b->n_tables + 1) * sizeof *b->table_rows);
    for (size_t i = 0; i < b->n_tables; i++) {
        b->table_rows[i] = MODEL_ROW_CAST(vpcrec_route_table, refs[i]);
    }
    free(refs);
    for (size_t i = 0; i < b->n_tables; i++) {
        model_uuid_map_add(&b->tables, &b->table_rows[i]->header_.uuid,
                           i + 1);
    }
}

/* Returns the number of the route table of Subnet 'row' (its own, else its
 * VPC's main table) in the VPC that 'b' is building, or 0 for none.  A
 * table of another VPC is ignored (with a log): vpc-ctl never sets one. */
uint32_t
model_route_subnet_table(const struct model_route_builder *b,
                         const struct vpcrec_subnet *row)
{
    const struct vpcrec_route_table *t = (row->route_table
                                          ? row->route_table
                                          : b->vpc->main_route_table);
    if (!t) {
        return 0;
    }
    size_t number = model_uuid_map_find(&b->tables, &t->header_.uuid);
    if (number != SIZE_MAX) {
        return number;
    }
    VLOG_WARN_RL(&bad_row_rl, "subnet %s: route table %s is not a table of "
                 "its VPC: ignored", row->name, t->name);
    return 0;
}

/* Appends 's' to the '*n' CIDRs of 'cidrs' (of '*allocated'), if it is
 * one (the database was checked when it was written). */
static void
add_cidr(struct vpc_cidr4 **cidrs, size_t *n, size_t *allocated,
         const char *s)
{
    struct vpc_cidr4 c;
    char *error = vpc_cidr4_parse(s, &c);
    if (error) {
        free(error);
        return;
    }
    if (*n >= *allocated) {
        *cidrs = x2nrealloc(*cidrs, allocated, sizeof **cidrs);
    }
    (*cidrs)[(*n)++] = c;
}

/* The address space of VPC 'row' (its CIDRs, or its subnets' if it names
 * none), in a malloc()'d array of '*n'. */
static struct vpc_cidr4 *
vpc_space(const struct vpcrec_vpc *row, size_t *n)
{
    struct vpc_cidr4 *cidrs = NULL;
    size_t allocated = 0;

    *n = 0;
    for (size_t i = 0; i < row->n_cidrs; i++) {
        add_cidr(&cidrs, n, &allocated, row->cidrs[i]);
    }
    if (!*n) {
        size_t n_subnets;
        const struct ovsdb_idl_row **refs = model_referrers(
            &row->header_, &vpcrec_table_subnet, &vpcrec_subnet_col_vpc,
            &n_subnets);
        for (size_t i = 0; i < n_subnets; i++) {
            add_cidr(&cidrs, n, &allocated,
                     MODEL_ROW_CAST(vpcrec_subnet, refs[i])->cidr);
        }
        free(refs);
    }
    return cidrs;
}

static bool
spaces_overlap(const struct vpc_cidr4 *a, size_t n_a,
               const struct vpc_cidr4 *b, size_t n_b)
{
    for (size_t i = 0; i < n_a; i++) {
        for (size_t j = 0; j < n_b; j++) {
            if (vpc_cidr4_overlaps(&a[i], &b[j])) {
                return true;
            }
        }
    }
    return false;
}

static bool
space_contains(const struct vpc_cidr4 *space, size_t n,
               const struct vpc_cidr4 *c)
{
    for (size_t i = 0; i < n; i++) {
        if (vpc_cidr4_contains(&space[i], c)) {
            return true;
        }
    }
    return false;
}

/* Returns true if peering 'p' (a side of VPC 'vpc') is active: the other
 * side exists and the two VPCs' address spaces do not overlap.  Fills in
 * the peer's space. */
static bool
peering_is_active(const struct vpcrec_peering *p,
                  const struct vpcrec_vpc *vpc,
                  struct vpc_cidr4 **peer_space, size_t *n_peer_space)
{
    *peer_space = NULL;
    *n_peer_space = 0;
    if (!p->peer_vpc || p->peer_vpc == vpc) {
        return false;
    }

    bool other_side = false;
    size_t n_refs;
    const struct ovsdb_idl_row **refs = model_referrers(
        &p->peer_vpc->header_, &vpcrec_table_peering,
        &vpcrec_peering_col_vpc, &n_refs);
    for (size_t i = 0; i < n_refs; i++) {
        const struct vpcrec_peering *q = MODEL_ROW_CAST(vpcrec_peering,
                                                        refs[i]);
        other_side = other_side || q->peer_vpc == vpc;
    }
    free(refs);
    if (!other_side) {
        return false;
    }

    size_t n_own;
    struct vpc_cidr4 *own = vpc_space(vpc, &n_own);
    *peer_space = vpc_space(p->peer_vpc, n_peer_space);
    bool overlap = spaces_overlap(own, n_own, *peer_space, *n_peer_space);
    free(own);
    if (overlap) {
        VLOG_WARN_RL(&bad_row_rl, "peering %s: VPCs %s and %s overlap: "
                     "inactive", p->name, vpc->name, p->peer_vpc->name);
    }
    return !overlap;
}

static int
compare_routes(const void *a_, const void *b_)
{
    const struct vpc_pl_route *a = a_;
    const struct vpc_pl_route *b = b_;
    uint32_t ma = ntohl(a->mask), mb = ntohl(b->mask);
    uint32_t na = ntohl(a->network), nb = ntohl(b->network);
    return (ma != mb ? (ma > mb ? -1 : 1)
            : na != nb ? (na < nb ? -1 : 1)
            : 0);
}

/* What the routes of a VPC may lead to. */
struct next_hops {
    struct model_uuid_map ports;        /* Port uuid -> index. */
    struct model_uuid_map peerings;     /* Peering uuid -> index. */
    struct vpc_cidr4 **spaces;          /* Each active peering's peer's. */
    size_t *n_spaces;
};

/* Parses route 'row' into 'r' (zeroed).  Returns NULL, or a malloc()'d
 * message: a route whose next hop is not usable drops ('*valid' true), one
 * whose CIDR is bad is left out ('*valid' false). */
static char *
parse_route(const struct vpcrec_static_route *row,
            const struct next_hops *nh, struct vpc_pl_route *r, bool *valid)
{
    struct vpc_cidr4 cidr;
    char *error = vpc_cidr4_parse(row->cidr, &cidr);
    *valid = !error;
    if (error) {
        return error;
    }
    r->uuid = row->header_.uuid;
    r->network = htonl(cidr.addr);
    r->mask = htonl(vpc_cidr4_mask(&cidr));
    r->next_hop = VPC_NH_GATEWAY;
    if (row->next_hop_port) {
        size_t i = model_uuid_map_find(&nh->ports,
                                       &row->next_hop_port->header_.uuid);
        if (i == SIZE_MAX) {
            r->next_hop = VPC_NH_DROP;
            return xasprintf("next hop %s is not a port of the VPC: drops",
                             row->next_hop_port->name);
        }
        r->next_hop = VPC_NH_PORT;
        r->port = i;
    } else if (row->next_hop_peering) {
        size_t i = model_uuid_map_find(&nh->peerings,
                                       &row->next_hop_peering->header_.uuid);
        if (i == SIZE_MAX) {
            /* Not active (yet): nothing to say. */
            r->next_hop = VPC_NH_DROP;
        } else if (!space_contains(nh->spaces[i], nh->n_spaces[i], &cidr)) {
            r->next_hop = VPC_NH_DROP;
            return xasprintf("%s is not inside peering %s's peer VPC: drops",
                             row->cidr, row->next_hop_peering->name);
        } else {
            r->next_hop = VPC_NH_PEERING;
            r->peering = i;
        }
    }
    return NULL;
}

/* Builds, into 'mv' (whose ports are built), the route tables that 'b'
 * began and the VPC's active peerings (whose peers model_route_resolve()
 * finds), and frees what 'b' holds. */
void
model_route_finish(struct model_route_builder *b, struct model_vpc *mv)
{
    struct next_hops nh;
    model_uuid_map_init(&nh.ports);
    model_uuid_map_init(&nh.peerings);
    for (size_t i = 0; i < mv->pl.n_ports; i++) {
        model_uuid_map_add(&nh.ports, &mv->pl.ports[i].uuid, i);
    }

    /* Active peerings, in UUID order. */
    size_t n_prows;
    const struct ovsdb_idl_row **prefs = model_referrers(
        &b->vpc->header_, &vpcrec_table_peering, &vpcrec_peering_col_vpc,
        &n_prows);
    const struct vpcrec_peering **prows = xmalloc((n_prows + 1)
                                                  * sizeof *prows);
    for (size_t i = 0; i < n_prows; i++) {
        prows[i] = MODEL_ROW_CAST(vpcrec_peering, prefs[i]);
    }
    free(prefs);

    mv->peerings = xmalloc((n_prows + 1) * sizeof *mv->peerings);
    mv->peer_vpcs = xmalloc((n_prows + 1) * sizeof *mv->peer_vpcs);
    nh.spaces = xmalloc((n_prows + 1) * sizeof *nh.spaces);
    nh.n_spaces = xmalloc((n_prows + 1) * sizeof *nh.n_spaces);
    size_t n_peerings = 0;
    for (size_t i = 0; i < n_prows; i++) {
        struct vpc_cidr4 *space;
        size_t n_space;
        if (peering_is_active(prows[i], b->vpc, &space, &n_space)) {
            mv->peerings[n_peerings] = (struct vpc_pl_peering) {
                .uuid = prows[i]->header_.uuid,
            };
            mv->peer_vpcs[n_peerings] = prows[i]->peer_vpc->header_.uuid;
            nh.spaces[n_peerings] = space;
            nh.n_spaces[n_peerings] = n_space;
            model_uuid_map_add(&nh.peerings, &prows[i]->header_.uuid,
                               n_peerings);
            n_peerings++;
        } else {
            free(space);
        }
    }
    free(prows);

    /* Tables and their routes, most specific first. */
    mv->route_tables = xmalloc((b->n_tables + 1) * sizeof *mv->route_tables);
    mv->routes = NULL;
    size_t *firsts = xmalloc((b->n_tables + 1) * sizeof *firsts);
    size_t n_routes = 0, allocated_routes = 0;
    for (size_t i = 0; i < b->n_tables; i++) {
        size_t first = firsts[i] = n_routes;
        size_t n_refs;
        const struct ovsdb_idl_row **refs = model_referrers(
            &b->table_rows[i]->header_, &vpcrec_table_static_route,
            &vpcrec_static_route_col_route_table, &n_refs);
        for (size_t j = 0; j < n_refs; j++) {
            const struct vpcrec_static_route *row
                = MODEL_ROW_CAST(vpcrec_static_route, refs[j]);
            if (n_routes >= allocated_routes) {
                mv->routes = x2nrealloc(mv->routes, &allocated_routes,
                                        sizeof *mv->routes);
            }
            struct vpc_pl_route *r = &mv->routes[n_routes];
            memset(r, 0, sizeof *r);    /* The fingerprint hashes it. */
            bool valid;
            char *error = parse_route(row, &nh, r, &valid);
            if (error) {
                VLOG_WARN_RL(&bad_row_rl, "route table %s: route %s: %s",
                             b->table_rows[i]->name, row->cidr, error);
                free(error);
            }
            n_routes += valid;
        }
        free(refs);
        qsort(&mv->routes[first], n_routes - first, sizeof *mv->routes,
              compare_routes);
        mv->route_tables[i] = (struct vpc_pl_route_table) {
            .uuid = b->table_rows[i]->header_.uuid,
            .n_routes = n_routes - first,
        };
    }
    for (size_t i = 0; i < b->n_tables; i++) {
        mv->route_tables[i].routes = (mv->routes
                                      ? &mv->routes[firsts[i]] : NULL);
    }
    free(firsts);

    mv->pl.route_tables = mv->route_tables;
    mv->pl.n_route_tables = b->n_tables;
    mv->pl.peerings = mv->peerings;
    mv->pl.n_peerings = n_peerings;

    for (size_t i = 0; i < n_peerings; i++) {
        free(nh.spaces[i]);
    }
    free(nh.spaces);
    free(nh.n_spaces);
    model_uuid_map_destroy(&nh.ports);
    model_uuid_map_destroy(&nh.peerings);
    model_uuid_map_destroy(&b->tables);
    free(b->table_rows);
}

/* Points the peerings of 'mv' at their peers in 'model' (a peer the model
 * does not have, none: its routes drop) and folds what the peers' views
 * hold into 'mv''s fingerprint: its flows hold their views (and a change
 * of a peer's routes or security groups, which no view holds, leaves
 * them be). */
void
model_route_resolve(struct vpc_model *model, struct model_vpc *mv)
{
    uint32_t h = mv->own_fingerprint;

    for (size_t i = 0; i < mv->pl.n_peerings; i++) {
        const struct model_vpc *peer = vpc_model_find(model,
                                                      &mv->peer_vpcs[i]);
        mv->peerings[i].peer = peer ? &peer->pl : NULL;
        h = hash_int(peer ? peer->view_fingerprint : 0, h);
    }
    mv->fingerprint = h;
}

/* Returns a hash of the route tables and peerings of 'pl', with
 * 'basis'. */
uint32_t
model_route_fingerprint(const struct vpc_pl_vpc *pl, uint32_t basis)
{
    uint32_t h = basis;

    for (size_t i = 0; i < pl->n_route_tables; i++) {
        const struct vpc_pl_route_table *rt = &pl->route_tables[i];
        h = hash_bytes(&rt->uuid, sizeof rt->uuid, h);
        h = hash_bytes(rt->routes, rt->n_routes * sizeof *rt->routes, h);
    }
    for (size_t i = 0; i < pl->n_peerings; i++) {
        h = hash_bytes(&pl->peerings[i].uuid, sizeof pl->peerings[i].uuid,
                       h);
    }
    return h;
}

/* Adds to 'vpcs' the VPCs that peer with one of them, in the database
 * (either side) or in 'model': their views of them change with them. */
void
model_route_add_peers(const struct vpc_model *model, struct ovsdb_idl *idl,
                      struct uuidset *vpcs)
{
    struct uuidset more = UUIDSET_INITIALIZER(&more);
    const struct uuidset_node *node;

    UUIDSET_FOR_EACH (node, vpcs) {
        const struct vpcrec_vpc *row = vpcrec_vpc_get_for_uuid(idl,
                                                               &node->uuid);
        if (!row) {
            continue;
        }
        /* The peerings of either side: each refers to 'row' as 'vpc' or
         * as 'peer_vpc' (or both), and brings in the other. */
        size_t n_refs;
        const struct ovsdb_idl_row **refs = model_referrers(
            &row->header_, &vpcrec_table_peering, &vpcrec_peering_col_vpc,
            &n_refs);
        for (size_t i = 0; i < n_refs; i++) {
            const struct vpcrec_peering *p = MODEL_ROW_CAST(vpcrec_peering,
                                                            refs[i]);
            if (p->peer_vpc) {
                uuidset_insert(&more, &p->peer_vpc->header_.uuid);
            }
        }
        free(refs);
        refs = model_referrers(&row->header_, &vpcrec_table_peering,
                               &vpcrec_peering_col_peer_vpc, &n_refs);
        for (size_t i = 0; i < n_refs; i++) {
            const struct vpcrec_peering *p = MODEL_ROW_CAST(vpcrec_peering,
                                                            refs[i]);
            if (p->vpc) {
                uuidset_insert(&more, &p->vpc->header_.uuid);
            }
        }
        free(refs);
    }

    const struct hmapx_node *peered;
    HMAPX_FOR_EACH (peered, &model->peered) {
        const struct model_vpc *mv = peered->data;
        for (size_t i = 0; i < mv->pl.n_peerings; i++) {
            if (uuidset_find(vpcs, &mv->peer_vpcs[i])) {
                uuidset_insert(&more, &mv->pl.uuid);
            }
        }
    }

    UUIDSET_FOR_EACH (node, &more) {
        uuidset_insert(vpcs, &node->uuid);
    }
    uuidset_destroy(&more);
}
