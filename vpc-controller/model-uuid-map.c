/* Row UUIDs to small numbers, for the builders of a VPC's parts (see
 * struct model_uuid_map in model.h). */
#include <config.h>
#include "model.h"

#include <stdint.h>
#include <stdlib.h>

#include "util.h"
#include "uuid.h"

struct uuid_map_node {
    struct hmap_node node;
    struct uuid uuid;
    size_t value;
};

/* Initializes 'map' as empty. */
void
model_uuid_map_init(struct model_uuid_map *map)
{
    hmap_init(&map->map);
}

/* Frees what 'map' holds. */
void
model_uuid_map_destroy(struct model_uuid_map *map)
{
    struct uuid_map_node *n;

    HMAP_FOR_EACH_POP (n, node, &map->map) {
        free(n);
    }
    hmap_destroy(&map->map);
}

/* Maps 'uuid' to 'value' in 'map'. */
void
model_uuid_map_add(struct model_uuid_map *map, const struct uuid *uuid,
                   size_t value)
{
    struct uuid_map_node *n = xmalloc(sizeof *n);
    n->uuid = *uuid;
    n->value = value;
    hmap_insert(&map->map, &n->node, uuid_hash(uuid));
}

/* Returns what 'map' maps 'uuid' to, or SIZE_MAX. */
size_t
model_uuid_map_find(const struct model_uuid_map *map, const struct uuid *uuid)
{
    const struct uuid_map_node *n;

    HMAP_FOR_EACH_WITH_HASH (n, node, uuid_hash(uuid), &map->map) {
        if (uuid_equals(&n->uuid, uuid)) {
            return n->value;
        }
    }
    return SIZE_MAX;
}
