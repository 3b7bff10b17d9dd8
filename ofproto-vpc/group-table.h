/* A set of OpenFlow groups keyed by group ID. */
#ifndef OFPROTO_VPC_GROUP_TABLE_H
#define OFPROTO_VPC_GROUP_TABLE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/types.h"

struct ds;
struct ofpact;

/* A group and its buckets ("struct ofputil_bucket"s).  'desc' is its
 * canonical text, which is how two groups are compared: a switch reports
 * buckets back with ids and lengths we never chose. */
struct vpc_group {
    struct hmap_node hmap_node;     /* In vpc_group_table, by id. */
    uint32_t id;
    uint8_t type;                   /* OFPGT11_*. */
    struct ovs_list buckets;
    char *desc;                     /* NULL until vpc_group_finish(). */
};

struct vpc_group_table {
    struct hmap groups;
};

void vpc_group_table_init(struct vpc_group_table *);
void vpc_group_table_destroy(struct vpc_group_table *);
void vpc_group_table_clear(struct vpc_group_table *);
size_t vpc_group_table_count(const struct vpc_group_table *);

struct vpc_group *vpc_group_table_add(struct vpc_group_table *, uint32_t id,
                                      uint8_t type);
void vpc_group_add_bucket(struct vpc_group *, ofp_port_t watch_port,
                          const struct ofpact *, size_t ofpacts_len);
void vpc_group_finish(struct vpc_group *);
struct vpc_group *vpc_group_table_find(const struct vpc_group_table *,
                                       uint32_t id);
void vpc_group_table_remove(struct vpc_group_table *, struct vpc_group *);
void vpc_group_table_swap(struct vpc_group_table *, struct vpc_group_table *);
bool vpc_group_equal(const struct vpc_group *, const struct vpc_group *);
void vpc_group_table_format(const struct vpc_group_table *, struct ds *);

#endif /* group-table.h */
