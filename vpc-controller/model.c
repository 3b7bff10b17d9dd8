/* The desired state of the whole system.  See model.h. */
#include <config.h>
#include "model.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "hash.h"
#include "hmapx.h"
#include "host.h"
#include "model-acl.h"
#include "model-binding.h"
#include "model-conj.h"
#include "model-gw.h"
#include "model-index.h"
#include "model-route.h"
#include "model-flowlog.h"
#include "model-sg.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "util.h"
#include "uuidset.h"
#include "uuid.h"
#include "vpc-addr.h"
#include "vpc-dhcp.h"
#include "vpc-idl.h"
#include "vpc-sg.h"

VLOG_DEFINE_THIS_MODULE(model);


/* Bad rows are reported at most this often: they are rebuilt on every
 * change until someone fixes them. */
static struct vlog_rate_limit bad_row_rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* Initializes 'model' as empty. */
void
vpc_model_init(struct vpc_model *model)
{
    hmap_init(&model->vpcs);
    hmap_init(&model->gw_groups);
    hmap_init(&model->bindings);
    shash_init(&model->locations);
    hmapx_init(&model->peered);
    model->n_ports = 0;
    model->claims = NULL;
    hmap_init(&model->placed);
    hmapx_init(&model->gw_vpcs);
    hmap_init(&model->rows);
}

static void
model_vpc_destroy(struct model_vpc *mv)
{
    free(mv->name);
    free(mv->subnets);
    free(mv->ports);
    free(mv->ips);
    free(mv->cidrs);
    free(mv->nats);
    free(mv->sgs);
    free(mv->sg_rules);
    free(mv->port_sgs);
    free(mv->nacls);
    free(mv->nacl_rules);
    free(mv->route_tables);
    free(mv->routes);
    free(mv->peerings);
    free(mv->peer_vpcs);
    for (size_t i = 0; i < mv->pl.n_flow_logs; i++) {
        free(mv->flow_log_targets[i]);
    }
    free(mv->flow_log_targets);
    free(mv->flow_logs);
    free(mv);
}

static void
location_destroy(void *loc_)
{
    struct model_location *loc = loc_;
    free(loc->name);
    free(loc);
}

/* Frees everything in 'model'. */
void
vpc_model_destroy(struct vpc_model *model)
{
    struct model_vpc *mv;
    HMAP_FOR_EACH_POP (mv, hmap_node, &model->vpcs) {
        model_vpc_destroy(mv);
    }
    hmap_destroy(&model->vpcs);
    model_index_destroy(model);

    struct model_gw_group *g;
    HMAP_FOR_EACH_POP (g, hmap_node, &model->gw_groups) {
        model_gw_group_destroy(g);
    }
    hmap_destroy(&model->gw_groups);

    struct model_binding *b;
    HMAP_FOR_EACH_POP (b, hmap_node, &model->bindings) {
        sset_destroy(&b->refused);
        free(b);
    }
    hmap_destroy(&model->bindings);
    struct shash_node *node;
    SHASH_FOR_EACH (node, &model->locations) {
        location_destroy(node->data);
    }
    shash_destroy(&model->locations);
}

/* Exchanges the contents of 'a' and 'b'. */
void
vpc_model_swap(struct vpc_model *a, struct vpc_model *b)
{
    struct vpc_model tmp = *a;
    *a = *b;
    *b = tmp;
    hmap_moved(&a->vpcs);
    hmap_moved(&b->vpcs);
    hmap_moved(&a->gw_groups);
    hmap_moved(&b->gw_groups);
    hmap_moved(&a->bindings);
    hmap_moved(&b->bindings);
    hmap_moved(&a->locations.map);
    hmap_moved(&b->locations.map);
    hmap_moved(&a->peered.map);
    hmap_moved(&b->peered.map);
    hmap_moved(&a->gw_vpcs.map);
    hmap_moved(&b->gw_vpcs.map);
    hmap_moved(&a->placed);
    hmap_moved(&b->placed);
    hmap_moved(&a->rows);
    hmap_moved(&b->rows);
}

/* Returns the VPC with row 'uuid', or NULL. */
const struct model_vpc *
vpc_model_find(const struct vpc_model *model, const struct uuid *uuid)
{
    const struct model_vpc *mv;

    HMAP_FOR_EACH_WITH_HASH (mv, hmap_node, uuid_hash(uuid), &model->vpcs) {
        if (uuid_equals(&mv->pl.uuid, uuid)) {
            return mv;
        }
    }
    return NULL;
}

/* Locations: every connected chassis, and every Chassis row (for hosts that
 * are out of touch). */
static void
build_locations(struct vpc_model *model, struct ovsdb_idl *idl,
                const struct shash *connected)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, connected) {
        const struct model_location *c = node->data;
        struct model_location *loc = xmemdup(c, sizeof *c);
        loc->name = xstrdup(c->name);
        loc->name_hash = hash_string(loc->name, 0);
        loc->connected = true;
        shash_add(&model->locations, loc->name, loc);
    }

    const struct vpcrec_chassis *ch;
    VPCREC_CHASSIS_FOR_EACH (ch, idl) {
        struct in_addr in;
        if (shash_find(&model->locations, ch->name)
            || inet_pton(AF_INET, ch->encap_ip, &in) != 1) {
            continue;
        }
        struct model_location *loc = xzalloc(sizeof *loc);
        loc->name = xstrdup(ch->name);
        loc->name_hash = hash_string(loc->name, 0);
        loc->encap_ip = in.s_addr;
        loc->encap = (!strcmp(ch->encap_type, "geneve") ? VPC_ENCAP_GENEVE
                      : VPC_ENCAP_VXLAN);
        loc->gateway = !strcmp(ch->role, "gateway");
        loc->underlay_mtu = (ch->underlay_mtu ? *ch->underlay_mtu
                             : HOST_UNDERLAY_MTU_DEFAULT);
        shash_add(&model->locations, loc->name, loc);
    }
}


/* Logs that the row 'name' of kind 'what' is ignored because of 'error',
 * which it frees. */
void
model_log_bad_row(const char *what, const char *name, char *error)
{
    VLOG_WARN_RL(&bad_row_rl, "%s %s ignored: %s", what, name, error);
    free(error);
}

/* Returns true if one of the 'n' items of 'size' bytes at 'items' (rules,
 * routes: structs that begin with their row's UUID) is row 'uuid''s. */
BUILD_ASSERT_DECL(offsetof(struct vpc_pl_sg_rule, uuid) == 0);
BUILD_ASSERT_DECL(offsetof(struct vpc_pl_nacl_rule, uuid) == 0);
BUILD_ASSERT_DECL(offsetof(struct vpc_pl_flow_log, uuid) == 0);
BUILD_ASSERT_DECL(offsetof(struct vpc_pl_route, uuid) == 0);
BUILD_ASSERT_DECL(offsetof(struct vpc_pl_peering, uuid) == 0);

bool
model_uuid_in(const void *items, size_t n, size_t size,
              const struct uuid *uuid)
{
    for (size_t i = 0; i < n; i++) {
        if (uuid_equals((const struct uuid *) ((const char *) items
                                               + i * size), uuid)) {
            return true;
        }
    }
    return false;
}

/* Compares two pointers to IDL rows (of any table: each begins with its
 * struct ovsdb_idl_row) by UUID, for a stable order: a qsort() comparator
 * for 'a_' and 'b_'. */
int
model_compare_rows(const void *a_, const void *b_)
{
    const struct ovsdb_idl_row *const *a = a_;
    const struct ovsdb_idl_row *const *b = b_;
    return uuid_compare_3way(&(*a)->uuid, &(*b)->uuid);
}

/* Collects the rows that refer to 'target' through 'column' (see
 * model_referrers()). */
struct referrers {
    const struct ovsdb_idl_row *target;
    const struct ovsdb_idl_column *column;
    const struct ovsdb_idl_row **rows;
    size_t n, allocated;
};

static void
add_referrer(const struct ovsdb_idl_row *row, void *r_)
{
    struct referrers *r = r_;
    const struct ovsdb_datum *d = ovsdb_idl_read(row, r->column);

    for (size_t i = 0; i < d->n; i++) {
        if (uuid_equals(&d->keys[i].uuid, &r->target->uuid)) {
            if (r->n >= r->allocated) {
                r->rows = x2nrealloc(r->rows, &r->allocated, sizeof *r->rows);
            }
            r->rows[r->n++] = row;
            return;
        }
    }
}

/* Returns a new array of the rows of 'table' whose reference column
 * 'column' refers to 'row', in UUID order (model_compare_rows()), and
 * stores how many in '*n'.  The IDL keeps the arcs from the rows that
 * refer to a row anyway (ovsdb_idl_row_for_each_referrer()), so unlike an
 * index on 'column' this costs nothing to keep up while rows are
 * replicated: inserting 100,000 ports and their VPCs' rows into skiplist
 * indexes cost every instance a tenth of its converge. */
const struct ovsdb_idl_row **
model_referrers(const struct ovsdb_idl_row *row,
                const struct ovsdb_idl_table_class *table,
                const struct ovsdb_idl_column *column, size_t *n)
{
    struct referrers r = { .target = row, .column = column };

    ovsdb_idl_row_for_each_referrer(row, table, add_referrer, &r);
    qsort(r.rows, r.n, sizeof *r.rows, model_compare_rows);

    /* A row with two arcs to 'row' is visited twice. */
    size_t k = 0;
    for (size_t i = 0; i < r.n; i++) {
        if (!k || r.rows[k - 1] != r.rows[i]) {
            r.rows[k++] = r.rows[i];
        }
    }
    *n = k;
    return r.rows;
}

/* Building one VPC. */
struct vpc_builder {
    struct model_vpc *mv;
    const struct model_gw_group *gw;
};

/* What building any VPC needs. */
struct build_ctx {
    struct model_location **conn;   /* Connected locations, by name. */
    size_t n_conn;
    const struct hmap *prev_bindings;   /* Of model_binding, or NULL. */
};

/* The database indexes the model is built with: a VPC's parts are found
 * through them, so one VPC costs what it holds, not what the database
 * holds. */

/* A set of IPv4 addresses in one allocation: open addressing, 0 marks an
 * empty slot (address 0 is never valid). */
struct ip_set {
    uint32_t *slots;
    size_t mask;
};

static void
ip_set_init(struct ip_set *set, size_t n)
{
    size_t size = 16;
    while (size < 2 * n) {
        size *= 2;
    }
    set->slots = xcalloc(size, sizeof *set->slots);
    set->mask = size - 1;
}

/* Adds 'ip'; returns false if it was already there. */
static bool
ip_set_add(struct ip_set *set, uint32_t ip)
{
    for (size_t i = hash_int(ip, 0) & set->mask; ;
         i = (i + 1) & set->mask) {
        if (!set->slots[i]) {
            set->slots[i] = ip;
            return true;
        } else if (set->slots[i] == ip) {
            return false;
        }
    }
}

static int
compare_nats(const void *a_, const void *b_)
{
    const struct vpc_pl_nat *a = a_;
    const struct vpc_pl_nat *b = b_;
    return uuid_compare_3way(&a->uuid, &b->uuid);
}

/* The VPC's own address space and its gateway group. */
static void
build_vpc_outside(const struct vpc_model *model, const struct vpcrec_vpc *row,
                  struct vpc_builder *b)
{
    struct model_vpc *mv = b->mv;

    mv->cidrs = xmalloc((row->n_cidrs + 1) * sizeof *mv->cidrs);
    for (size_t i = 0; i < row->n_cidrs; i++) {
        struct vpc_cidr4 cidr;
        char *error = vpc_cidr4_parse(row->cidrs[i], &cidr);
        if (error) {
            model_log_bad_row("VPC CIDR of", row->name, error);
            continue;
        }
        struct vpc_pl_cidr *c = &mv->cidrs[mv->pl.n_cidrs++];
        memset(c, 0, sizeof *c);    /* The fingerprint hashes it whole. */
        c->network = htonl(cidr.addr);
        c->mask = htonl(vpc_cidr4_mask(&cidr));
    }
    mv->pl.cidrs = mv->cidrs;

    if (row->gateway_group) {
        if (row->tunnel_key > UINT16_MAX) {
            model_log_bad_row("gateway group of VPC", row->name, xasprintf(
                            "tunnel key %"PRId64" is above 65535, the "
                            "largest conntrack zone", row->tunnel_key));
        } else {
            b->gw = vpc_model_find_gw_group(model,
                                            &row->gateway_group->header_.uuid);
            mv->pl.gw = b->gw ? &b->gw->pl : NULL;
        }
    }
}

/* Parses NAT 'row' of a VPC whose gateway group is 'gw'. */
static char *
parse_nat(const struct vpcrec_nat *row, const struct model_gw_group *gw,
          struct vpc_pl_nat *nat)
{
    const struct vpcrec_external_network *net
        = row->vpc->gateway_group->external_network;
    struct vpc_cidr4 outside, logical;
    uint32_t ext;
    char *error = vpc_cidr4_parse(net->cidr, &outside);

    if (!error) {
        error = vpc_ip4_parse(row->external_ip, &ext);
    }
    if (!error && (!vpc_cidr4_contains_ip(&outside, ext)
                   || htonl(ext) == gw->pl.next_hop)) {
        error = xasprintf("%s is not a free address of %s", row->external_ip,
                          net->cidr);
    }
    bool eip = !strcmp(row->type, "eip");
    if (!error && eip) {
        error = vpc_ip4_parse(row->logical_ip, &logical.addr);
        logical.plen = 32;
    } else if (!error) {
        error = vpc_cidr4_parse(row->logical_ip, &logical);
    }
    if (!error && eip
        && (!row->port || !row->port->subnet
            || row->port->subnet->vpc != row->vpc)) {
        error = xstrdup("elastic IP is not bound to a port of its VPC");
    }
    if (!error && eip) {
        bool found = false;
        for (size_t i = 0; !found && i < row->port->n_ips; i++) {
            uint32_t ip;
            char *e = vpc_ip4_parse(row->port->ips[i], &ip);
            found = !e && ip == logical.addr;
            free(e);
        }
        if (!found) {
            error = xasprintf("%s is not an address of port %s",
                              row->logical_ip, row->port->name);
        }
    }
    if (error) {
        return error;
    }
    memset(nat, 0, sizeof *nat);    /* The fingerprint hashes it whole. */
    nat->uuid = row->header_.uuid;
    nat->eip = eip;
    nat->external_ip = htonl(ext);
    nat->logical_ip = htonl(logical.addr);
    nat->logical_mask = htonl(vpc_cidr4_mask(&logical));
    return NULL;
}

/* The VPC's NAT rules.  A VPC without a (valid) gateway group has no way
 * out, so its rules are not used. */
static void
build_nats(const struct vpcrec_vpc *row, struct vpc_builder *b)
{
    struct model_vpc *mv = b->mv;
    size_t allocated = 0;

    if (!b->gw) {
        return;
    }
    size_t n_refs;
    const struct ovsdb_idl_row **refs = model_referrers(
        &row->header_, &vpcrec_table_nat, &vpcrec_nat_col_vpc, &n_refs);
    for (size_t i = 0; i < n_refs; i++) {
        const struct vpcrec_nat *nat_row = MODEL_ROW_CAST(vpcrec_nat, refs[i]);
        struct vpc_pl_nat nat;
        char *error = parse_nat(nat_row, b->gw, &nat);
        if (error) {
            model_log_bad_row("NAT", nat_row->external_ip, error);
            continue;
        }
        if (mv->pl.n_nats >= allocated) {
            mv->nats = x2nrealloc(mv->nats, &allocated, sizeof *mv->nats);
        }
        mv->nats[mv->pl.n_nats++] = nat;
    }
    free(refs);
    qsort(mv->nats, mv->pl.n_nats, sizeof *mv->nats, compare_nats);
}

static int
compare_locations(const void *a_, const void *b_)
{
    const struct model_location *const *a = a_;
    const struct model_location *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static bool
parse_subnet(const struct vpcrec_subnet *row, struct vpc_pl_subnet *sn)
{
    struct vpc_cidr4 cidr;
    uint32_t gw;
    char *error = vpc_cidr4_parse(row->cidr, &cidr);
    if (!error) {
        error = vpc_ip4_parse(row->gateway_ip, &gw);
    }
    if (!error && !vpc_cidr4_contains_ip(&cidr, gw)) {
        error = xasprintf("gateway %s outside %s", row->gateway_ip,
                          row->cidr);
    }
    if (!error) {
        error = vpc_mac_parse(row->gateway_mac, &sn->gateway_mac);
    }
    if (error) {
        VLOG_WARN_RL(&bad_row_rl, "subnet %s ignored: %s", row->name, error);
        free(error);
        return false;
    }
    sn->uuid = row->header_.uuid;
    sn->network = htonl(cidr.addr);
    sn->mask = htonl(vpc_cidr4_mask(&cidr));
    sn->gateway_ip = htonl(gw);
    return true;
}

/* Bytes that encapsulation adds to what a VM sends: the outer IPv4 (20)
 * and UDP (8) headers, VXLAN's or option-less Geneve's (8), and the
 * inner Ethernet header (14). */
#define ENCAP_OVERHEAD 50

static void
mtu_lower(int *mtu, const struct model_location *loc)
{
    if (loc && loc->underlay_mtu) {
        *mtu = MIN(*mtu, loc->underlay_mtu - ENCAP_OVERHEAD);
    }
}

/* The largest IP packet a port of 'vpc' (whose gateway group is 'gw', if
 * any) can send over a tunnel: the smallest underlay MTU of the chassis
 * that carry its traffic (those its ports are bound to, and its
 * gateways), less encapsulation. */
static uint16_t
vpc_mtu(const struct vpc_pl_vpc *vpc, const struct model_gw_group *gw)
{
    int mtu = 65535;

    for (size_t i = 0; i < vpc->n_ports; i++) {
        mtu_lower(&mtu, vpc->ports[i].chassis);
    }
    for (size_t i = 0; gw && i < gw->n_gateways; i++) {
        mtu_lower(&mtu, gw->gateways[i]);
    }
    return (mtu == 65535 ? HOST_UNDERLAY_MTU_DEFAULT - ENCAP_OVERHEAD
            : MAX(mtu, 576));
}

/* A hash of what a peer's view of 'mv' holds (see ofproto-vpc's
 * stage-peer.c): its key, MTU, subnets, ports and where they are, and
 * network ACLs. */
static uint32_t
view_fingerprint(const struct model_vpc *mv)
{
    const struct vpc_pl_vpc *pl = &mv->pl;
    uint32_t h = uuid_hash(&pl->uuid);

    h = hash_int(pl->tunnel_key, h);
    h = hash_int(pl->mtu, h);
    for (size_t i = 0; i < pl->n_subnets; i++) {
        const struct vpc_pl_subnet *sn = &pl->subnets[i];
        h = hash_bytes(sn, sizeof *sn, h);
    }
    for (size_t i = 0; i < pl->n_ports; i++) {
        const struct vpc_pl_port *p = &pl->ports[i];
        h = hash_bytes(&p->uuid, sizeof p->uuid, h);
        h = hash_bytes(&p->mac, sizeof p->mac, h);
        h = hash_bytes(p->ips, p->n_ips * sizeof *p->ips, h);
        h = hash_int(p->subnet, h);
        const struct model_location *where = p->chassis;
        h = hash_string(where ? where->name : "", h);
        h = hash_int(ofp_to_u16(p->ofport), h);
        h = hash_int(p->encap_ip, h);
        h = hash_boolean(p->appliance, h);
        h = hash_int(p->encap, h);
        h = hash_bytes(p->sgs, p->n_sgs * sizeof *p->sgs, h);
        const struct model_location *src = p->migrate_from;
        const struct model_location *dest = p->migrate_to;
        h = hash_string(src ? src->name : "", h);
        h = hash_string(dest ? dest->name : "", h);
        h = hash_int(p->migrate_encap_ip, h);
        h = hash_int(p->migrate_encap, h);
    }
    return model_acl_fingerprint(pl, h);
}

/* A hash of everything in 'mv' that its flows depend on, but its peers'
 * views of it ('view' from view_fingerprint()). */
static uint32_t
fingerprint(const struct model_vpc *mv, uint32_t view, uint32_t gw_fingerprint)
{
    const struct vpc_pl_vpc *pl = &mv->pl;
    uint32_t h = view;

    h = model_sg_fingerprint(pl, h);
    h = model_route_fingerprint(pl, h);
    h = model_flowlog_fingerprint(pl, h);
    h = hash_bytes(pl->cidrs, pl->n_cidrs * sizeof *pl->cidrs, h);
    h = hash_bytes(pl->nats, pl->n_nats * sizeof *pl->nats, h);
    h = hash_int(pl->gw ? gw_fingerprint : 0, h);
    return h;
}

/* Points every VPC's peerings at their peers (the VPCs without any need
 * nothing: their fingerprint is their own). */
static void
resolve_peerings(struct vpc_model *model)
{
    struct hmapx_node *node;

    HMAPX_FOR_EACH (node, &model->peered) {
        model_route_resolve(model, node->data);
    }
}

static const struct model_binding *
find_binding(const struct hmap *bindings, const struct uuid *uuid)
{
    const struct model_binding *b;

    HMAP_FOR_EACH_WITH_HASH (b, hmap_node, uuid_hash(uuid), bindings) {
        if (uuid_equals(&b->port, uuid)) {
            return b;
        }
    }
    return NULL;
}

/* Returns the binding of the Port row 'uuid', or NULL. */
const struct model_binding *
vpc_model_find_binding(const struct vpc_model *model, const struct uuid *uuid)
{
    return find_binding(&model->bindings, uuid);
}

/* The connected locations of 'model', sorted by name: among chassis that
 * have a port's interface, the first claimant wins.  A model whose caller
 * keeps the claims looks up a port's claimants there, and needs no list
 * of every location (which would make rebuilding one VPC cost what the
 * world has). */
static void
build_ctx_init(struct build_ctx *ctx, const struct vpc_model *model,
               const struct hmap *prev_bindings)
{
    struct shash_node *node;

    ctx->n_conn = 0;
    ctx->prev_bindings = prev_bindings;
    if (model->claims) {
        ctx->conn = NULL;
        return;
    }
    ctx->conn = xmalloc((shash_count(&model->locations) + 1)
                        * sizeof *ctx->conn);
    SHASH_FOR_EACH (node, &model->locations) {
        struct model_location *loc = node->data;
        if (loc->connected) {
            ctx->conn[ctx->n_conn++] = loc;
        }
    }
    qsort(ctx->conn, ctx->n_conn, sizeof *ctx->conn, compare_locations);
}

/* A port row and the index of its subnet in the VPC being built. */
struct port_ref {
    const struct vpcrec_port *row;
    size_t subnet;
};

static int
compare_port_refs(const void *a_, const void *b_)
{
    const struct port_ref *a = a_;
    const struct port_ref *b = b_;
    return uuid_compare_3way(&a->row->header_.uuid, &b->row->header_.uuid);
}

/* The ports of a VPC's subnets, as build_vpc() finds them. */
struct subnet_ports {
    const struct vpcrec_subnet *subnet_row;   /* The subnet looked at... */
    size_t subnet;                  /* ...and its index in the VPC. */
    struct port_ref *refs;          /* The ports found so far. */
    size_t n_refs, allocated_refs;
    size_t n_ip_strings;            /* Their addresses. */
    size_t n_sg_refs;               /* Their security groups (at least one
                                     * slot each). */
};

/* Adds Port 'row_', which refers to the subnet of 'sp_' (struct
 * subnet_ports), to its ports.  ('subnet' is the one column of Port that
 * refers to Subnet, so each port that is in the subnet comes once.) */
static void
add_subnet_port(const struct ovsdb_idl_row *row_, void *sp_)
{
    const struct vpcrec_port *row = CONTAINER_OF(row_, struct vpcrec_port,
                                                 header_);
    struct subnet_ports *sp = sp_;

    if (row->subnet != sp->subnet_row) {
        return;
    }
    if (sp->n_refs >= sp->allocated_refs) {
        sp->refs = x2nrealloc(sp->refs, &sp->allocated_refs,
                              sizeof *sp->refs);
    }
    sp->refs[sp->n_refs++] = (struct port_ref) {
        .row = row, .subnet = sp->subnet,
    };
    sp->n_ip_strings += row->n_ips;
    sp->n_sg_refs += MAX(1, MIN(row->n_security_groups, VPC_SG_MAX_PER_PORT));
}

/* Adds to 'model' the VPC of 'row', with its subnets, ports, bindings and
 * NAT rules.  Rows are taken in UUID order, so every instance that reads
 * the same database makes the same choices (which of two ports with the
 * same address keeps it). */
static void
build_vpc(struct vpc_model *model, const struct vpcrec_vpc *row,
          const struct build_ctx *ctx)
{
    struct model_vpc *mv = xzalloc(sizeof *mv);
    struct vpc_builder b = { .mv = mv };

    mv->name = xstrdup(row->name);
    mv->pl.uuid = row->header_.uuid;
    mv->pl.tunnel_key = row->tunnel_key;
    build_vpc_outside(model, row, &b);
    build_nats(row, &b);
    struct model_sg_builder sgb;
    model_sg_build(row, mv, &sgb);
    struct model_acl_builder aclb;
    model_acl_build(row, mv, &aclb);
    struct model_route_builder rtb;
    model_route_begin(row, &rtb);

    /* Subnets. */
    size_t n_rows;
    const struct ovsdb_idl_row **sn_refs = model_referrers(
        &row->header_, &vpcrec_table_subnet, &vpcrec_subnet_col_vpc, &n_rows);
    const struct vpcrec_subnet **sn_rows = xmalloc((n_rows + 1)
                                                   * sizeof *sn_rows);
    for (size_t i = 0; i < n_rows; i++) {
        sn_rows[i] = MODEL_ROW_CAST(vpcrec_subnet, sn_refs[i]);
    }
    free(sn_refs);

    /* Ports of valid subnets. */
    mv->subnets = xmalloc((n_rows + 1) * sizeof *mv->subnets);
    struct subnet_ports sp = { .refs = NULL };
    for (size_t i = 0; i < n_rows; i++) {
        struct vpc_pl_subnet *sn = &mv->subnets[mv->pl.n_subnets];
        memset(sn, 0, sizeof *sn);  /* The fingerprint hashes it whole. */
        if (!parse_subnet(sn_rows[i], sn)) {
            continue;
        }
        sn->nacl = model_acl_subnet_acl(&aclb, sn_rows[i]);
        sn->route_table = model_route_subnet_table(&rtb, sn_rows[i]);
        struct vpc_dhcp_config dhcp;
        vpc_dhcp_config_init(&dhcp);
        vpc_dhcp_config_apply(&dhcp, &sn_rows[i]->dhcp_options, true);
        sn->dhcp = dhcp.enabled;
        sp.subnet_row = sn_rows[i];
        sp.subnet = mv->pl.n_subnets;
        ovsdb_idl_row_for_each_referrer(&sn_rows[i]->header_,
                                        &vpcrec_table_port, add_subnet_port,
                                        &sp);
        mv->pl.n_subnets++;
    }
    free(sn_rows);
    struct port_ref *refs = sp.refs;
    size_t n_refs = sp.n_refs;
    size_t n_ip_strings = sp.n_ip_strings, n_sg_refs = sp.n_sg_refs;
    qsort(refs, n_refs, sizeof *refs, compare_port_refs);

    struct ip_set used_ips;
    ip_set_init(&used_ips, n_ip_strings);
    mv->ips = xmalloc((n_ip_strings + 1) * sizeof *mv->ips);
    mv->ports = xmalloc((n_refs + 1) * sizeof *mv->ports);
    mv->port_sgs = xmalloc((n_sg_refs + 1) * sizeof *mv->port_sgs);
    size_t n_ips = 0, n_port_sgs = 0;
    for (size_t i = 0; i < n_refs; i++) {
        const struct vpcrec_port *port_row = refs[i].row;
        struct vpc_pl_port p = { .uuid = port_row->header_.uuid,
                                 .subnet = refs[i].subnet };
        char *error = vpc_mac_parse(port_row->mac, &p.mac);
        if (error) {
            VLOG_WARN_RL(&bad_row_rl, "port %s ignored: %s", port_row->name,
                         error);
            free(error);
            continue;
        }

        const struct vpc_pl_subnet *sn = &mv->subnets[p.subnet];
        p.ips = &mv->ips[n_ips];
        for (size_t j = 0; j < port_row->n_ips; j++) {
            uint32_t ip;
            error = vpc_ip4_parse(port_row->ips[j], &ip);
            if (!error && (htonl(ip) & sn->mask) != sn->network) {
                error = xasprintf("%s is outside its subnet",
                                  port_row->ips[j]);
            }
            if (!error && !ip_set_add(&used_ips, ip)) {
                error = xasprintf("%s is used twice in VPC %s",
                                  port_row->ips[j], mv->name);
            }
            if (error) {
                VLOG_WARN_RL(&bad_row_rl, "port %s: address ignored: %s",
                             port_row->name, error);
                free(error);
                continue;
            }
            mv->ips[n_ips++] = htonl(ip);
        }
        p.n_ips = &mv->ips[n_ips] - p.ips;
        p.sgs = &mv->port_sgs[n_port_sgs];
        p.appliance = port_row->n_source_check && !port_row->source_check[0];
        p.n_sgs = model_sg_port_groups(&sgb, port_row,
                                       &mv->port_sgs[n_port_sgs]);
        n_port_sgs += p.n_sgs;

        /* Where it is. */
        const struct model_binding *prev_b
            = (ctx->prev_bindings
               ? find_binding(ctx->prev_bindings, &p.uuid) : NULL);
        struct sset refused = SSET_INITIALIZER(&refused);
        const struct model_location *where
            = model_resolve_binding(model, port_row->name, port_row,
                                    prev_b ? prev_b->where : NULL,
                                    ctx->conn, ctx->n_conn, &refused);
        if (where) {
            p.chassis = where;
            p.encap_ip = where->encap_ip;
            p.encap = where->encap;
            if (where->connected) {
                p.ofport = u16_to_ofp((uintptr_t) shash_find_data(
                                          where->bindings, port_row->name));
            }
        }
        const struct model_location *dest
            = model_migration_destination(model, port_row);
        if (dest) {
            p.migrate_from = shash_find_data(&model->locations,
                                             port_row->requested_chassis);
            p.migrate_to = dest;
            p.migrate_encap_ip = dest->encap_ip;
            p.migrate_encap = dest->encap;
        }
        struct model_binding *mb = CONST_CAST(
            struct model_binding *, find_binding(&model->bindings, &p.uuid));
        if (!mb) {
            mb = xmalloc(sizeof *mb);
            mb->port = p.uuid;
            sset_init(&mb->refused);
            hmap_insert(&model->bindings, &mb->hmap_node,
                        uuid_hash(&p.uuid));
        }
        mb->vpc = mv->pl.uuid;
        mb->where = where;
        mb->ofport = p.ofport;
        sset_swap(&mb->refused, &refused);
        sset_destroy(&refused);

        mv->ports[mv->pl.n_ports++] = p;
    }
    free(used_ips.slots);
    free(refs);
    model_sg_builder_destroy(&sgb);
    model_acl_builder_destroy(&aclb);

    mv->pl.subnets = mv->subnets;
    mv->pl.ports = mv->ports;
    mv->pl.nats = mv->nats;
    mv->pl.mtu = vpc_mtu(&mv->pl, b.gw);
    model_route_finish(&rtb, mv);
    model_flowlog_build(row, mv);
    model_sg_number(mv);
    mv->view_fingerprint = view_fingerprint(mv);
    mv->own_fingerprint = fingerprint(mv, mv->view_fingerprint,
                                      b.gw ? b.gw->fingerprint : 0);
    mv->fingerprint = mv->own_fingerprint;  /* model_route_resolve(). */
    hmap_insert(&model->vpcs, &mv->hmap_node, uuid_hash(&mv->pl.uuid));
    model_index_vpc(model, mv);
    model->n_ports += mv->pl.n_ports;
}

/* Builds 'model' (empty) from the VPC database 'idl' and the 'connected'
 * chassis (name -> struct model_location with their bindings).
 * 'previous' (NULL or an earlier model) keeps bindings stable; rules keep
 * their conjunction IDs (model-conj.h).  Costs O(rows), with no allocation
 * per port beyond its binding record. */
void
vpc_model_build(struct vpc_model *model, struct ovsdb_idl *idl,
                const struct shash *connected,
                const struct vpc_model *previous)
{
    build_locations(model, idl, connected);
    model_gw_build(model, idl);

    struct build_ctx ctx;
    build_ctx_init(&ctx, model, previous ? &previous->bindings : NULL);
    model_conj_begin(true);
    const struct vpcrec_vpc *row;
    VPCREC_VPC_FOR_EACH (row, idl) {
        build_vpc(model, row, &ctx);
    }
    model_conj_end_build();
    free(ctx.conn);
    resolve_peerings(model);
}

/* Rebuilds in 'model' the VPCs whose UUIDs are in 'vpcs' from 'idl',
 * keeping its locations and gateway groups (the caller knows that none of
 * them changed) and the other VPCs.  The VPCs' previous versions move to
 * 'old_vpcs' (by UUID), for the caller to compare and then free with
 * vpc_model_free_vpc().  The other VPCs' rules keep their conjunction IDs
 * (model-conj.h).  Costs what those VPCs hold. */
void
vpc_model_update_vpcs(struct vpc_model *model, struct ovsdb_idl *idl,
                      const struct uuidset *vpcs, struct hmap *old_vpcs)
{
    struct hmap prev = HMAP_INITIALIZER(&prev);
    const struct uuidset_node *node;

    /* Take the old versions out first: a port or subnet may have moved
     * from one of these VPCs to another. */
    UUIDSET_FOR_EACH (node, vpcs) {
        struct model_vpc *mv = CONST_CAST(struct model_vpc *,
                                          vpc_model_find(model, &node->uuid));
        if (!mv) {
            continue;
        }
        hmap_remove(&model->vpcs, &mv->hmap_node);
        model_unindex_vpc(model, mv);
        hmap_insert(old_vpcs, &mv->hmap_node, uuid_hash(&mv->pl.uuid));
        model->n_ports -= mv->pl.n_ports;
        for (size_t i = 0; i < mv->pl.n_ports; i++) {
            struct model_binding *b = CONST_CAST(
                struct model_binding *,
                find_binding(&model->bindings, &mv->pl.ports[i].uuid));
            if (b) {
                hmap_remove(&model->bindings, &b->hmap_node);
                hmap_insert(&prev, &b->hmap_node, uuid_hash(&b->port));
            }
        }
    }

    struct build_ctx ctx;
    build_ctx_init(&ctx, model, &prev);
    model_conj_begin(false);
    UUIDSET_FOR_EACH (node, vpcs) {
        const struct vpcrec_vpc *row = vpcrec_vpc_get_for_uuid(idl,
                                                               &node->uuid);
        if (row && !vpcrec_vpc_is_deleted(row)) {
            build_vpc(model, row, &ctx);
        }
    }
    struct model_vpc *old;
    HMAP_FOR_EACH (old, hmap_node, old_vpcs) {
        model_conj_end_update(old);
    }
    free(ctx.conn);
    /* Every peering's peer again: one of them may just have been rebuilt
     * (the caller rebuilds the VPCs that peer with one it rebuilds, see
     * model_route_add_peers(), so that their flows follow). */
    resolve_peerings(model);

    struct model_binding *b;
    HMAP_FOR_EACH_POP (b, hmap_node, &prev) {
        sset_destroy(&b->refused);
        free(b);
    }
    hmap_destroy(&prev);
}

/* Frees 'mv', a VPC that vpc_model_update_vpcs() took out of a model. */
void
vpc_model_free_vpc(struct model_vpc *mv)
{
    model_vpc_destroy(mv);
}
