/* The gateway groups of the model: each with its outside network and its
 * gateways, most preferred first, as ofproto-vpc input.  Part of
 * model.c's build (see model.h). */
#include <config.h>
#include "model-gw.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "hmapx.h"
#include "model.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"
#include "uuid.h"
#include "vpc-addr.h"
#include "vpc-idl.h"

/* Frees 'g'. */
void
model_gw_group_destroy(struct model_gw_group *g)
{
    for (size_t i = 0; i < g->n_gateways; i++) {
        free(g->gateway_names[i]);
    }
    free(g->gateway_names);
    free(g->gateways);
    free(g->name);
    free(g->physnet);
    free(g);
}

struct gw_entry {
    const char *name;
    int64_t priority;
};

static int
compare_gw_entries(const void *a_, const void *b_)
{
    const struct gw_entry *a = a_, *b = b_;
    return (a->priority != b->priority ? (a->priority > b->priority ? -1 : 1)
            : strcmp(a->name, b->name));
}

/* Parses 'row' into 'g'.  Returns an error or NULL. */
static char *
parse_gw_group(const struct vpcrec_gateway_group *row,
               struct model_gw_group *g)
{
    const struct vpcrec_external_network *net = row->external_network;
    struct vpc_cidr4 cidr;
    uint32_t nh;
    char *error;

    if (!net) {
        return xstrdup("no external network");
    }
    error = vpc_cidr4_parse(net->cidr, &cidr);
    if (!error) {
        error = vpc_ip4_parse(net->next_hop, &nh);
    }
    if (!error && !vpc_cidr4_contains_ip(&cidr, nh)) {
        error = xasprintf("next hop %s is outside %s", net->next_hop,
                          net->cidr);
    }
    if (!error) {
        error = vpc_mac_parse(row->mac, &g->pl.mac);
    }
    if (error) {
        return error;
    }
    g->pl.next_hop = htonl(nh);
    g->physnet = xstrdup(net->physical_network[0] ? net->physical_network
                                                  : "external");
    return NULL;
}

/* Builds the gateway groups of 'model' from 'idl' (its locations are
 * built). */
void
model_gw_build(struct vpc_model *model, struct ovsdb_idl *idl)
{
    const struct vpcrec_gateway_group *row;

    /* OpenFlow group IDs come from the rows' UUIDs; in UUID order, a
     * group whose ID is taken (by a group with a smaller UUID) takes the
     * next free one, so that every instance picks the same IDs. */
    size_t n_rows = 0;
    VPCREC_GATEWAY_GROUP_FOR_EACH (row, idl) {
        n_rows++;
    }
    const struct vpcrec_gateway_group **rows = xmalloc((n_rows + 1)
                                                       * sizeof *rows);
    n_rows = 0;
    VPCREC_GATEWAY_GROUP_FOR_EACH (row, idl) {
        rows[n_rows++] = row;
    }
    qsort(rows, n_rows, sizeof *rows, model_compare_rows);
    struct hmapx ids = HMAPX_INITIALIZER(&ids);

    for (size_t k = 0; k < n_rows; k++) {
        row = rows[k];
        struct model_gw_group *g = xzalloc(sizeof *g);
        char *error = parse_gw_group(row, g);
        if (error) {
            model_log_bad_row("gateway group", row->name, error);
            free(g->physnet);
            free(g);
            continue;
        }
        g->name = xstrdup(row->name);
        g->pl.uuid = row->header_.uuid;
        uint32_t id = row->header_.uuid.parts[0] & 0x3fffffff;
        while (!id || !hmapx_add(&ids, (void *) (uintptr_t) id)) {
            id = (id + 1) & 0x3fffffff;
        }
        g->pl.ff_group_id = id;
        g->pl.arp_group_id = id | 0x40000000;
        g->pl.physnet = g->physnet;

        struct gw_entry *entries = xmalloc((row->n_priorities + 1)
                                           * sizeof *entries);
        for (size_t i = 0; i < row->n_priorities; i++) {
            entries[i].name = row->key_priorities[i];
            entries[i].priority = row->value_priorities[i];
        }
        qsort(entries, row->n_priorities, sizeof *entries,
              compare_gw_entries);
        g->n_gateways = row->n_priorities;
        g->gateway_names = xmalloc((g->n_gateways + 1)
                                   * sizeof *g->gateway_names);
        g->gateways = xmalloc((g->n_gateways + 1) * sizeof *g->gateways);
        uint32_t h = uuid_hash(&g->pl.uuid);
        h = hash_bytes(&g->pl.mac, sizeof g->pl.mac, h);
        h = hash_int(g->pl.next_hop, h);
        h = hash_string(g->physnet, h);
        for (size_t i = 0; i < g->n_gateways; i++) {
            const struct model_location *loc
                = shash_find_data(&model->locations, entries[i].name);
            g->gateway_names[i] = xstrdup(entries[i].name);
            g->gateways[i] = loc;
            h = hash_string(entries[i].name, h);
            h = hash_int(loc ? loc->encap_ip : 0, h);
        }
        free(entries);
        g->pl.gateways = g->gateways;
        g->pl.n_gateways = g->n_gateways;
        g->fingerprint = h;
        hmap_insert(&model->gw_groups, &g->hmap_node, uuid_hash(&g->pl.uuid));
    }
    hmapx_destroy(&ids);
    free(rows);
}

/* Returns the gateway group with row 'uuid', or NULL. */
const struct model_gw_group *
vpc_model_find_gw_group(const struct vpc_model *model,
                        const struct uuid *uuid)
{
    const struct model_gw_group *g;

    HMAP_FOR_EACH_WITH_HASH (g, hmap_node, uuid_hash(uuid),
                             &model->gw_groups) {
        if (uuid_equals(&g->pl.uuid, uuid)) {
            return g;
        }
    }
    return NULL;
}

