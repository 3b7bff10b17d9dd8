/* Flow logs.  See pipeline.h for the observation point IDs and vpc(5) for
 * what is logged.
 *
 * A flow log adds no table: the flows that decide the fate of a packet
 * (a security group rule's conjunction flow, the "no rule allowed it" flow
 * of a direction, a network ACL's deny rules and its "no rule matched")
 * get sample actions, for the collector set of each flow log that covers
 * them, with the VPC's tunnel key as observation domain.  Every one of
 * those flows matches the VPC's key, so a VPC's samples never land in
 * another VPC's flows, even where clauses are shared (flow-merge.h): the
 * shared clauses only lead to the conjunction flows, which are the VPC's
 * own.  A VPC without flow logs gets no flow more and no flow changed.
 *
 * Accepted traffic is logged when a rule allows a new connection: the
 * logged form of an allow rule's conjunction flow matches conntrack's
 * "new", so a connection costs one sample, not one per packet (each sample
 * is a trip through ovs-vswitchd), and the exporter's flow records still
 * say which connections were opened.  Rejected traffic is logged packet by
 * packet: it is dropped anyway, and a flood of it is what an operator
 * wants to see (sampling thins it).
 *
 * A flow log of a subnet covers the packets that a port of the subnet
 * sends (its source address in the subnet) or receives (its destination):
 * the logged flows of such a subnet match that address, one priority above
 * the VPC's own logged flow. */
#include <config.h>
#include "stage-flowlog.h"

#include "byte-order.h"
#include "flow-table.h"
#include "openvswitch/match.h"
#include "openvswitch/ofpbuf.h"
#include "packets.h"
#include "pl-actions.h"
#include "util.h"
#include "vpc-pipeline.h"

/* Does flow log 'fl' log 'rejected' (else accepted) traffic of 'subnet'
 * (SIZE_MAX: the whole VPC's flow logs only)? */
static bool
log_applies(const struct vpc_pl_flow_log *fl, bool rejected, size_t subnet)
{
    return ((rejected ? fl->rejected : fl->accepted)
            && (fl->whole_vpc || fl->subnet == subnet));
}

/* Does 'vpc' have a flow log of 'rejected' (else accepted) traffic, of the
 * whole VPC or of a subnet? */
bool
pl_flowlog_any(const struct vpc_pl_vpc *vpc, bool rejected)
{
    for (size_t i = 0; i < vpc->n_flow_logs; i++) {
        if (rejected ? vpc->flow_logs[i].rejected
                     : vpc->flow_logs[i].accepted) {
            return true;
        }
    }
    return false;
}

/* Appends to 'a' a sample action for each flow log of 'vpc' that logs
 * 'rejected' (else accepted) traffic of the whole VPC or, unless 'subnet'
 * is SIZE_MAX, of its subnet 'subnet', with observation point 'obs' (plus
 * VPC_OBS_REJECTED for 'rejected').  Returns how many. */
size_t
pl_flowlog_put_samples(struct ofpbuf *a, const struct vpc_pl_vpc *vpc,
                       bool rejected, size_t subnet, uint32_t obs)
{
    size_t n = 0;

    for (size_t i = 0; i < vpc->n_flow_logs; i++) {
        const struct vpc_pl_flow_log *fl = &vpc->flow_logs[i];
        if (log_applies(fl, rejected, subnet)) {
            pl_put_parsed(a, "sample(probability=%"PRIu16","
                          "collector_set_id=%"PRIu32","
                          "obs_domain_id=%"PRIu32",obs_point_id=%"PRIu32")",
                          fl->probability, fl->collector_set_id,
                          vpc->tunnel_key,
                          obs | (rejected ? VPC_OBS_REJECTED : 0));
            n++;
        }
    }
    return n;
}

/* Does 'vpc' have a flow log of 'rejected' (else accepted) traffic of its
 * subnet 's' alone? */
static bool
subnet_has_own_log(const struct vpc_pl_vpc *vpc, bool rejected, size_t s)
{
    for (size_t i = 0; i < vpc->n_flow_logs; i++) {
        const struct vpc_pl_flow_log *fl = &vpc->flow_logs[i];
        if (!fl->whole_vpc && fl->subnet == s
            && log_applies(fl, rejected, s)) {
            return true;
        }
    }
    return false;
}

/* Adds to 'out' the logged forms of a flow that decides, in 'table', for
 * the packets of 'vpc' that 'match' matches (it matches the VPC's key):
 * the sample actions of the flow logs that apply, with observation point
 * 'obs' (rejected traffic if it has VPC_OBS_REJECTED), then a goto to
 * 'next' (none if negative).  One flow at 'priority' for the flow logs of
 * the whole VPC, if any, and one at 'priority' + 1 for each subnet with
 * flow logs of its own, that matches the address of the subnet's port (the
 * destination if 'obs' has VPC_OBS_INGRESS, else the source). */
void
pl_flowlog_add_decision(struct vpc_flow_table *out,
                        const struct vpc_pl_vpc *vpc, enum vpc_table table,
                        uint16_t priority, uint64_t cookie,
                        const struct match *match, uint32_t obs, int next,
                        struct ofpbuf *a)
{
    bool rejected = obs & VPC_OBS_REJECTED;

    obs &= ~VPC_OBS_REJECTED;
    if (pl_flowlog_put_samples(a, vpc, rejected, SIZE_MAX, obs)) {
        if (next >= 0) {
            pl_put_goto(a, next);
        }
        struct match m = *match;
        pl_add_flow(out, table, priority, cookie, &m, a);
    }
    for (size_t i = 0; i < vpc->n_subnets; i++) {
        const struct vpc_pl_subnet *sn = &vpc->subnets[i];
        if (!subnet_has_own_log(vpc, rejected, i)) {
            continue;
        }

        struct match m = *match;
        match_set_dl_type(&m, htons(ETH_TYPE_IP));
        if (obs & VPC_OBS_INGRESS) {
            match_set_nw_dst_masked(&m, sn->network, sn->mask);
        } else {
            match_set_nw_src_masked(&m, sn->network, sn->mask);
        }
        pl_flowlog_put_samples(a, vpc, rejected, i, obs);
        if (next >= 0) {
            pl_put_goto(a, next);
        }
        pl_add_flow(out, table, priority + 1, cookie, &m, a);
    }
}

/* The observation point ID bits of the rule whose cookie is 'cookie'. */
uint32_t
pl_flowlog_rule_obs(uint64_t cookie)
{
    return (cookie >> 4) & VPC_OBS_ID_MASK;
}
