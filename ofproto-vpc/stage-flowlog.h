/* Flow logs: sample actions in the flows of security groups and network
 * ACLs that decide, for the VPCs with flow logs.  No tables of their own. */
#ifndef OFPROTO_VPC_STAGE_FLOWLOG_H
#define OFPROTO_VPC_STAGE_FLOWLOG_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "pipeline.h"

struct match;
struct ofpbuf;
struct vpc_flow_table;
struct vpc_pl_vpc;

bool pl_flowlog_any(const struct vpc_pl_vpc *, bool rejected);
size_t pl_flowlog_put_samples(struct ofpbuf *, const struct vpc_pl_vpc *,
                              bool rejected, size_t subnet, uint32_t obs);
void pl_flowlog_add_decision(struct vpc_flow_table *,
                             const struct vpc_pl_vpc *, enum vpc_table,
                             uint16_t priority, uint64_t cookie,
                             const struct match *, uint32_t obs, int next,
                             struct ofpbuf *);
uint32_t pl_flowlog_rule_obs(uint64_t cookie);

#endif /* stage-flowlog.h */
