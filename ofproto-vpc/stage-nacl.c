/* Network ACLs.  See pipeline.h for the tables and vpc(5) for what the
 * rules mean.
 *
 * Routing puts the number of a subnet's ACL in VPC_MFF_NACL where traffic
 * crosses the subnet's border (stage-route.c): VPC_T_L3_ADMIT for what
 * leaves the source subnet, VPC_T_ROUTE for what enters the destination
 * subnet, on a host or, for traffic from the outside, on a gateway.
 * Subnets without an ACL skip these tables.  Each rule is one flow per
 * TCP or UDP port block, whatever the number of subnets that use its ACL;
 * no rule matched: dropped (the table miss). */
#include <config.h>
#include "stage-nacl.h"

#include "byte-order.h"
#include "flow-table.h"
#include "openvswitch/match.h"
#include "openvswitch/ofpbuf.h"
#include "packets.h"
#include "pipeline.h"
#include "pl-actions.h"
#include "stage-flowlog.h"
#include "util.h"
#include "vpc-pipeline.h"

static void
build_rule(struct vpc_flow_table *out, const struct vpc_pl_vpc *vpc,
           uint32_t nacl, const struct vpc_pl_nacl_rule *r, bool log,
           struct ofpbuf *a)
{
    enum vpc_table table = r->ingress ? VPC_T_NACL_IN : VPC_T_NACL_OUT;
    enum vpc_table next = r->ingress ? VPC_T_DEST : VPC_T_ROUTE;
    uint16_t priority = VPC_PRIO_NACL + (32767 - r->number);
    uint64_t cookie = vpc_cookie_from_uuid(&r->uuid);
    struct pl_port_block blocks[PL_MAX_PORT_BLOCKS];
    size_t n_blocks = 1;
    struct match match;

    if (r->port_min) {
        n_blocks = pl_port_blocks(r->port_min, r->port_max, blocks);
    }
    match_init_catchall(&match);
    for (size_t i = 0; i < n_blocks; i++) {
        pl_match_vpc(&match, pl_vpc_md(vpc));
        match_set_reg(&match, VPC_MFF_NACL - MFF_REG0, nacl);
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        if (r->ingress) {
            match_set_nw_src_masked(&match, r->network, r->mask);
        } else {
            match_set_nw_dst_masked(&match, r->network, r->mask);
        }
        if (r->proto >= 0) {
            match_set_nw_proto(&match, r->proto);
        }
        if (r->port_min) {
            match_set_tp_dst_masked(&match, htons(blocks[i].port),
                                    htons(blocks[i].mask));
        }
        if (!r->deny) {
            pl_put_goto(a, next);
        } else if (log) {
            pl_flowlog_put_samples(a, vpc, true, SIZE_MAX,
                                   ((r->ingress ? VPC_OBS_INGRESS : 0)
                                    | VPC_OBS_NACL_RULE
                                    | pl_flowlog_rule_obs(cookie)));
        }
        pl_add_flow(out, table, priority, cookie, &match, a);
    }
}

/* With flow logs of rejected traffic of the whole VPC: what no rule of a
 * network ACL of 'vpc' matched is logged before it is dropped. */
static void
build_none_logged(struct vpc_flow_table *out, const struct vpc_pl_vpc *vpc,
                  struct ofpbuf *a)
{
    static const enum vpc_table tables[] = { VPC_T_NACL_OUT, VPC_T_NACL_IN };
    struct match match;

    for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
        match_init_catchall(&match);
        pl_match_vpc(&match, pl_vpc_md(vpc));
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        if (pl_flowlog_put_samples(a, vpc, true, SIZE_MAX,
                                   (VPC_OBS_NACL_NONE
                                    | (tables[i] == VPC_T_NACL_IN
                                       ? VPC_OBS_INGRESS : 0)))) {
            pl_add_flow(out, tables[i], VPC_PRIO_NACL,
                        vpc_cookie_from_uuid(&vpc->uuid), &match, a);
        }
    }
}

/* Adds to 'out' the flows of the network ACLs of 'vpc' that one of its
 * subnets uses, building actions in 'a'.  With 'log' (on hosts), what the
 * rules drop is logged by the flow logs of the whole VPC (subnets' own
 * flow logs do not log network ACL decisions: the rules of an ACL are the
 * same flows for every subnet that uses it). */
void
pl_nacl_build_vpc(struct vpc_flow_table *out, const struct vpc_pl_vpc *vpc,
                  bool log, struct ofpbuf *a)
{
    bool any = false;

    for (size_t i = 0; i < vpc->n_nacls; i++) {
        uint32_t nacl = i + 1;
        bool used = false;
        for (size_t j = 0; j < vpc->n_subnets && !used; j++) {
            used = vpc->subnets[j].nacl == nacl;
        }
        if (!used) {
            continue;
        }
        const struct vpc_pl_nacl *acl = &vpc->nacls[i];
        for (size_t j = 0; j < acl->n_rules; j++) {
            build_rule(out, vpc, nacl, &acl->rules[j], log, a);
        }
        any = true;
    }
    if (any && log) {
        build_none_logged(out, vpc, a);
    }
}
