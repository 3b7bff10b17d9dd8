/* The desired state of the whole system.  See model.h. */
#include <config.h>
#include "model.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "hash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "sset.h"
#include "util.h"
#include "uuid.h"
#include "vpc-addr.h"
#include "vpc-idl.h"

VLOG_DEFINE_THIS_MODULE(model);

/* Bad rows are reported at most this often: they are rebuilt on every
 * change until someone fixes them. */
static struct vlog_rate_limit bad_row_rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* Initializes 'model' as empty. */
void
vpc_model_init(struct vpc_model *model)
{
    hmap_init(&model->vpcs);
    hmap_init(&model->bindings);
    shash_init(&model->locations);
    model->n_ports = 0;
}

static void
model_vpc_destroy(struct model_vpc *mv)
{
    free(mv->name);
    free(mv->subnets);
    free(mv->ports);
    free(mv->ips);
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

    struct model_binding *b;
    HMAP_FOR_EACH_POP (b, hmap_node, &model->bindings) {
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
    hmap_moved(&a->bindings);
    hmap_moved(&b->bindings);
    hmap_moved(&a->locations.map);
    hmap_moved(&b->locations.map);
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

/* Returns the binding of the Port row 'uuid', or NULL. */
const struct model_binding *
vpc_model_find_binding(const struct vpc_model *model, const struct uuid *uuid)
{
    const struct model_binding *b;

    HMAP_FOR_EACH_WITH_HASH (b, hmap_node, uuid_hash(uuid),
                             &model->bindings) {
        if (uuid_equals(&b->port, uuid)) {
            return b;
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
        loc->encap_ip = in.s_addr;
        loc->encap = (!strcmp(ch->encap_type, "geneve") ? VPC_ENCAP_GENEVE
                      : VPC_ENCAP_VXLAN);
        shash_add(&model->locations, loc->name, loc);
    }
}

/* Decides where port 'name' is bound.  A binding sticks to its chassis as
 * long as that chassis still has the interface (or is out of touch, when
 * it may still forward); otherwise the first connected chassis (by name)
 * with the interface takes it. */
static const struct model_location *
resolve_binding(const struct vpc_model *model, const char *name,
                const struct vpcrec_port *row,
                const struct model_location *previous,
                const struct shash *claims)
{
    const struct sset *claimants = shash_find_data(claims, name);
    const char *prev = (previous ? previous->name
                        : row->chassis ? row->chassis->name : NULL);
    const struct model_location *prev_loc
        = prev ? shash_find_data(&model->locations, prev) : NULL;

    if (prev_loc && prev_loc->connected) {
        if (claimants && sset_contains(claimants, prev)) {
            if (sset_count(claimants) > 1) {
                VLOG_WARN_RL(&bad_row_rl, "port %s: interface with this "
                             "iface-id on several chassis; it stays bound "
                             "to %s", name, prev);
            }
            return prev_loc;
        }
        prev_loc = NULL;
    }
    if (claimants && !sset_is_empty(claimants)) {
        const char **sorted = sset_sort(claimants);
        const struct model_location *loc
            = shash_find_data(&model->locations, sorted[0]);
        if (sset_count(claimants) > 1) {
            VLOG_WARN_RL(&bad_row_rl, "port %s: interface with this iface-id "
                         "on several chassis; binding it to %s", name,
                         sorted[0]);
        }
        free(sorted);
        return loc;
    }
    return prev_loc;
}

/* Building one VPC. */
struct vpc_builder {
    struct model_vpc *mv;
    size_t allocated_subnets, allocated_ports, allocated_ips;
    size_t n_ips;
    const struct vpcrec_subnet **subnet_rows;
    struct sset used_ips;
};

static int
compare_subnet_rows(const void *a_, const void *b_)
{
    const struct vpcrec_subnet *const *a = a_;
    const struct vpcrec_subnet *const *b = b_;
    return uuid_compare_3way(&(*a)->header_.uuid, &(*b)->header_.uuid);
}

static int
compare_pl_ports(const void *a_, const void *b_)
{
    const struct vpc_pl_port *a = a_;
    const struct vpc_pl_port *b = b_;
    return uuid_compare_3way(&a->uuid, &b->uuid);
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

static uint32_t
fingerprint(const struct model_vpc *mv,
            const struct model_location *const *where)
{
    const struct vpc_pl_vpc *pl = &mv->pl;
    uint32_t h = uuid_hash(&pl->uuid);

    h = hash_int(pl->tunnel_key, h);
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
        h = hash_string(where[i] ? where[i]->name : "", h);
        h = hash_int(ofp_to_u16(p->ofport), h);
        h = hash_int(p->encap_ip, h);
        h = hash_int(p->encap, h);
    }
    return h;
}

/* Rebuilds 'model' from the VPC database 'idl' and the 'connected' chassis
 * (name -> struct model_location with their bindings).  'previous' (may be
 * the empty model) keeps bindings stable. */
void
vpc_model_build(struct vpc_model *model, struct ovsdb_idl *idl,
                const struct shash *connected,
                const struct vpc_model *previous)
{
    build_locations(model, idl, connected);

    /* Which chassis has an interface for which iface-id. */
    struct shash claims = SHASH_INITIALIZER(&claims);
    struct shash_node *node;
    SHASH_FOR_EACH (node, connected) {
        const struct model_location *c = node->data;
        struct shash_node *b;
        SHASH_FOR_EACH (b, c->bindings) {
            struct sset *set = shash_find_data(&claims, b->name);
            if (!set) {
                set = xmalloc(sizeof *set);
                sset_init(set);
                shash_add(&claims, b->name, set);
            }
            sset_add(set, c->name);
        }
    }

    /* VPCs, then their subnets, then the subnets' ports. */
    struct shash builders = SHASH_INITIALIZER(&builders);  /* by uuid str */
    const struct vpcrec_vpc *vpc_row;
    VPCREC_VPC_FOR_EACH (vpc_row, idl) {
        struct vpc_builder *b = xzalloc(sizeof *b);
        b->mv = xzalloc(sizeof *b->mv);
        b->mv->name = xstrdup(vpc_row->name);
        b->mv->pl.uuid = vpc_row->header_.uuid;
        b->mv->pl.tunnel_key = vpc_row->tunnel_key;
        sset_init(&b->used_ips);
        char key[UUID_LEN + 1];
        snprintf(key, sizeof key, UUID_FMT,
                 UUID_ARGS(&vpc_row->header_.uuid));
        shash_add(&builders, key, b);
    }

    /* Subnets, sorted by uuid for a stable order. */
    size_t n_subnet_rows = 0, i = 0;
    const struct vpcrec_subnet *sn_row;
    VPCREC_SUBNET_FOR_EACH (sn_row, idl) {
        n_subnet_rows++;
    }
    const struct vpcrec_subnet **sn_rows = xmalloc((n_subnet_rows + 1)
                                                   * sizeof *sn_rows);
    VPCREC_SUBNET_FOR_EACH (sn_row, idl) {
        sn_rows[i++] = sn_row;
    }
    qsort(sn_rows, n_subnet_rows, sizeof *sn_rows, compare_subnet_rows);

    /* Subnet row -> (builder, index). */
    struct hmap subnet_index = HMAP_INITIALIZER(&subnet_index);
    struct subnet_entry {
        struct hmap_node node;
        const struct vpcrec_subnet *row;
        struct vpc_builder *b;
        size_t idx;
    };
    for (i = 0; i < n_subnet_rows; i++) {
        sn_row = sn_rows[i];
        char key[UUID_LEN + 1];
        snprintf(key, sizeof key, UUID_FMT,
                 UUID_ARGS(&sn_row->vpc->header_.uuid));
        struct vpc_builder *b = shash_find_data(&builders, key);
        struct vpc_pl_subnet sn;
        if (!b || !parse_subnet(sn_row, &sn)) {
            continue;
        }
        struct model_vpc *mv = b->mv;
        if (mv->pl.n_subnets >= b->allocated_subnets) {
            mv->subnets = x2nrealloc(mv->subnets, &b->allocated_subnets,
                                     sizeof *mv->subnets);
        }
        mv->subnets[mv->pl.n_subnets] = sn;

        struct subnet_entry *e = xmalloc(sizeof *e);
        e->row = sn_row;
        e->b = b;
        e->idx = mv->pl.n_subnets++;
        hmap_insert(&subnet_index, &e->node, hash_pointer(sn_row, 0));
    }
    free(sn_rows);

    /* Ports.  IPs go to a per-port slice of a temporary array first,
     * because the VPC's IP array grows while ports are added. */
    const struct vpcrec_port *port_row;
    model->n_ports = 0;
    VPCREC_PORT_FOR_EACH (port_row, idl) {
        struct subnet_entry *e = NULL, *cand;
        HMAP_FOR_EACH_WITH_HASH (cand, node,
                                 hash_pointer(port_row->subnet, 0),
                                 &subnet_index) {
            if (cand->row == port_row->subnet) {
                e = cand;
                break;
            }
        }
        if (!e) {
            /* Its subnet was ignored as invalid (and logged). */
            continue;
        }

        struct vpc_pl_port p = { .uuid = port_row->header_.uuid,
                                 .subnet = e->idx };
        char *error = vpc_mac_parse(port_row->mac, &p.mac);
        if (error) {
            VLOG_WARN_RL(&bad_row_rl, "port %s ignored: %s", port_row->name,
                         error);
            free(error);
            continue;
        }

        struct vpc_builder *b = e->b;
        struct model_vpc *mv = b->mv;
        const struct vpc_pl_subnet *sn = &mv->subnets[e->idx];
        size_t start = b->n_ips;
        for (size_t j = 0; j < port_row->n_ips; j++) {
            uint32_t ip;
            error = vpc_ip4_parse(port_row->ips[j], &ip);
            if (!error && (htonl(ip) & sn->mask) != sn->network) {
                error = xasprintf("%s is outside its subnet",
                                  port_row->ips[j]);
            }
            if (!error && !sset_add(&b->used_ips, port_row->ips[j])) {
                error = xasprintf("%s is used twice in VPC %s",
                                  port_row->ips[j], mv->name);
            }
            if (error) {
                VLOG_WARN_RL(&bad_row_rl, "port %s: address ignored: %s",
                             port_row->name, error);
                free(error);
                continue;
            }
            if (b->n_ips >= b->allocated_ips) {
                mv->ips = x2nrealloc(mv->ips, &b->allocated_ips,
                                     sizeof *mv->ips);
            }
            mv->ips[b->n_ips++] = htonl(ip);
        }

        /* Where it is. */
        const struct model_binding *prev_b
            = previous ? vpc_model_find_binding(previous, &p.uuid) : NULL;
        const struct model_location *where
            = resolve_binding(model, port_row->name, port_row,
                              prev_b ? prev_b->where : NULL, &claims);
        struct model_binding *mb = xzalloc(sizeof *mb);
        mb->port = p.uuid;
        mb->where = where;
        hmap_insert(&model->bindings, &mb->hmap_node, uuid_hash(&p.uuid));
        if (where) {
            p.chassis = where;
            p.encap_ip = where->encap_ip;
            p.encap = where->encap;
            if (where->connected) {
                p.ofport = u16_to_ofp((uintptr_t) shash_find_data(
                                          where->bindings, port_row->name));
            }
        }

        if (mv->pl.n_ports >= b->allocated_ports) {
            mv->ports = x2nrealloc(mv->ports, &b->allocated_ports,
                                   sizeof *mv->ports);
        }
        /* Stash the slice in 'ips' until the array stops moving. */
        p.ips = (const ovs_be32 *) (uintptr_t) start;
        p.n_ips = b->n_ips - start;
        mv->ports[mv->pl.n_ports++] = p;
        model->n_ports++;
    }

    SHASH_FOR_EACH (node, &builders) {
        struct vpc_builder *b = node->data;
        struct model_vpc *mv = b->mv;

        for (i = 0; i < mv->pl.n_ports; i++) {
            mv->ports[i].ips = mv->ips + (uintptr_t) mv->ports[i].ips;
        }
        qsort(mv->ports, mv->pl.n_ports, sizeof *mv->ports,
              compare_pl_ports);
        mv->pl.subnets = mv->subnets;
        mv->pl.ports = mv->ports;

        const struct model_location **where
            = xmalloc((mv->pl.n_ports + 1) * sizeof *where);
        for (i = 0; i < mv->pl.n_ports; i++) {
            where[i] = mv->ports[i].chassis;
        }
        mv->fingerprint = fingerprint(mv, where);
        free(where);

        hmap_insert(&model->vpcs, &mv->hmap_node, uuid_hash(&mv->pl.uuid));
        sset_destroy(&b->used_ips);
        free(b);
    }
    shash_destroy(&builders);

    struct subnet_entry *e;
    HMAP_FOR_EACH_POP (e, node, &subnet_index) {
        free(e);
    }
    hmap_destroy(&subnet_index);

    SHASH_FOR_EACH (node, &claims) {
        sset_destroy(node->data);
    }
    shash_destroy_free_data(&claims);
}
