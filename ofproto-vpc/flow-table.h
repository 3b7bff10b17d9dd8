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

/* The match and actions of a flow.  A body that flows in tables share is
 * kept once, however many flows in however many tables have it (the same
 * flow on many chassis), and counted: never change it.  A flow outside any
 * table (a key to look one up, say) may have a body of its own, made with
 * vpc_flow_body_init_loose(), whose match and actions its maker owns. */
struct vpc_flow_body {
    struct hmap_node hmap_node;     /* In flow-table.c's set of bodies. */
    size_t refcount;                /* 0 for a body of one's own. */
    uint32_t match_hash;            /* minimatch_hash(&match, 0). */
    struct minimatch match;
    struct ofpact *ofpacts;
    size_t ofpacts_len;
};

/* A flow: its key (table, priority, match), its cookie and its actions.
 * The match and actions are those of 'body' (vpc_flow_match(),
 * vpc_flow_ofpacts()). */
struct vpc_flow {
    struct hmap_node hmap_node;     /* In vpc_flow_table, by key hash. */
    uint8_t table_id;
    uint16_t priority;
    uint64_t cookie;
    struct vpc_flow_body *body;
};

static inline const struct minimatch *
vpc_flow_match(const struct vpc_flow *flow)
{
    return &flow->body->match;
}

static inline const struct ofpact *
vpc_flow_ofpacts(const struct vpc_flow *flow)
{
    return flow->body->ofpacts;
}

static inline size_t
vpc_flow_ofpacts_len(const struct vpc_flow *flow)
{
    return flow->body->ofpacts_len;
}

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
void vpc_flow_body_init_loose(struct vpc_flow_body *,
                              const struct minimatch *,
                              const struct ofpact *, size_t ofpacts_len);
struct vpc_flow *vpc_flow_table_find(const struct vpc_flow_table *,
                                     const struct vpc_flow *key);
void vpc_flow_table_remove(struct vpc_flow_table *, struct vpc_flow *);
void vpc_flow_table_move(struct vpc_flow_table *dst,
                         struct vpc_flow_table *src);

uint32_t vpc_flow_hash(const struct vpc_flow *);
bool vpc_flow_same_actions(const struct vpc_flow *, const struct vpc_flow *);
void vpc_ofpacts_zero_padding(struct ofpact *, size_t ofpacts_len);
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
