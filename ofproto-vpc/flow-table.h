/* A set of OpenFlow flows keyed by (table, priority, match). */
#ifndef OFPROTO_VPC_FLOW_TABLE_H
#define OFPROTO_VPC_FLOW_TABLE_H 1

#include <stdbool.h>
#include <stdint.h>
#include "openvswitch/hmap.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"

struct ds;
struct uuid;

struct vpc_flow {
    struct hmap_node hmap_node;     /* In vpc_flow_table, by key hash. */
    uint8_t table_id;
    uint16_t priority;
    struct minimatch match;
    uint64_t cookie;
    struct ofpact *ofpacts;
    size_t ofpacts_len;
};

struct vpc_flow_table {
    struct hmap flows;
};

void vpc_flow_table_init(struct vpc_flow_table *);
void vpc_flow_table_destroy(struct vpc_flow_table *);
void vpc_flow_table_clear(struct vpc_flow_table *);
size_t vpc_flow_table_count(const struct vpc_flow_table *);

bool vpc_flow_table_add(struct vpc_flow_table *, uint8_t table_id,
                        uint16_t priority, uint64_t cookie,
                        const struct match *, const struct ofpact *,
                        size_t ofpacts_len);
struct vpc_flow *vpc_flow_table_add_copy(struct vpc_flow_table *,
                                         const struct vpc_flow *);
struct vpc_flow *vpc_flow_table_find(const struct vpc_flow_table *,
                                     const struct vpc_flow *key);
void vpc_flow_table_remove(struct vpc_flow_table *, struct vpc_flow *);
void vpc_flow_table_move(struct vpc_flow_table *dst,
                         struct vpc_flow_table *src);

uint32_t vpc_flow_hash(const struct vpc_flow *);
bool vpc_flow_same_actions(const struct vpc_flow *, const struct vpc_flow *);
bool vpc_flow_reported_same(const struct vpc_flow *have,
                            const struct vpc_flow *want);
void vpc_flow_format(const struct vpc_flow *, struct ds *);
void vpc_flow_table_format(const struct vpc_flow_table *, struct ds *);
uint64_t vpc_cookie_from_uuid(const struct uuid *);

#endif /* flow-table.h */
