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

/* A flow.  In a vpc_flow_table, 'match' and 'ofpacts' belong to 'body',
 * which every flow in any table with the same match and actions shares
 * (the same flow on many chassis is kept once): never change them in
 * place.  A flow outside any table (a key to look one up, say) has no
 * body. */
struct vpc_flow {
    struct hmap_node hmap_node;     /* In vpc_flow_table, by key hash. */
    uint8_t table_id;
    uint16_t priority;
    struct minimatch match;
    uint64_t cookie;
    struct ofpact *ofpacts;
    size_t ofpacts_len;
    struct vpc_flow_body *body;
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
void vpc_flow_body_stats(size_t *n_bodies, size_t *n_refs);

struct vpc_flow_body *vpc_flow_body_hold(const struct vpc_flow *);
void vpc_flow_body_release(struct vpc_flow_body *);
void vpc_flow_init_from_body(struct vpc_flow *, const struct vpc_flow_body *,
                             uint8_t table_id, uint16_t priority,
                             uint64_t cookie);

#endif /* flow-table.h */
