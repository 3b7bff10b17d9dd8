/* Flows that several owners share.
 *
 * A security group clause that does not name its VPC (a protocol and
 * port block, an address block, a bit of VPC_MFF_SG_REMOTE) is the same
 * match, in the same table at the same priority, in every VPC that has
 * it; on a switch it can only be one flow.  Each owner (a VPC, by UUID)
 * says which such flows it wants, each with its own conjunction actions;
 * the merge keeps one flow per (table, priority, match) whose actions are
 * the union of every owner's, sorted by conjunction ID, with cookie
 * VPC_COOKIE_SHARED.  A flow with other actions (the conjunction flow of
 * rules of one shape, see stage-sg.c) is the same for every owner that
 * wants it, and one flow.
 *
 * A change to one owner's parts touches only the flows whose parts it
 * changed: vpc_flow_merge_set() notes them and vpc_flow_merge_flush()
 * gives their merged flows before and after, for a difference.  An
 * owner's parts are a vpc_flow_parts, which the merge keeps a reference
 * to: one VPC's parts may serve the merges of many chassis.  Pure, like
 * the rest of ofproto-vpc: no globals. */
#ifndef OFPROTO_VPC_FLOW_MERGE_H
#define OFPROTO_VPC_FLOW_MERGE_H 1

#include "flow-table.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"

struct uuid;

/* The most conjunction actions a merged flow carries: 16 bytes each, they
 * must leave the flow mod (and the bundle message around it) below
 * OpenFlow's 64 kB.  A host reaches this only with thousands of rules of
 * local groups with one clause (say, "all egress"); the owners past it
 * (by their lowest conjunction ID) then get a flow each, which also
 * matches their 'metadata' (their VPC key), as before VPCs shared
 * clauses.  Logged. */
#define VPC_MERGE_MAX_CONJUNCTIONS 3000

/* The flows that an owner wants merged, each with conjunction actions
 * only, or with the actions every owner gives it (their cookies do not
 * matter).  Not to be changed once given to a
 * merge. */
struct vpc_flow_parts {
    struct vpc_flow_table flows;
    uint64_t metadata;          /* The owner's own value of metadata. */
    size_t n_refs;
};

struct vpc_flow_parts *vpc_flow_parts_create(uint64_t metadata);
struct vpc_flow_parts *vpc_flow_parts_ref(struct vpc_flow_parts *);
void vpc_flow_parts_unref(struct vpc_flow_parts *);

struct vpc_flow_merge {
    struct hmap owners;             /* Of struct merge_owner, by UUID. */
    struct hmap keys;               /* Of struct merge_key, by flow key. */
    struct ovs_list dirty;          /* Keys whose parts changed. */
    struct vpc_flow_table flows;    /* The merged flows, as of the last
                                     * vpc_flow_merge_flush(). */
};

void vpc_flow_merge_init(struct vpc_flow_merge *);
void vpc_flow_merge_destroy(struct vpc_flow_merge *);
void vpc_flow_merge_clear(struct vpc_flow_merge *);
void vpc_flow_merge_set(struct vpc_flow_merge *, const struct uuid *owner,
                        struct vpc_flow_parts *);
void vpc_flow_merge_flush(struct vpc_flow_merge *,
                          struct vpc_flow_table *was,
                          struct vpc_flow_table *now);
bool vpc_flow_merge_has_owner(const struct vpc_flow_merge *,
                              const struct uuid *owner);
const struct vpc_flow_table *vpc_flow_merge_flows(
    const struct vpc_flow_merge *);

#endif /* flow-merge.h */
