/* The VPC pipeline: from the desired state of one chassis to OpenFlow flows.
 * See pipeline.h for the tables and vpc-pipeline.h for the inputs.  The
 * stages build the flows of their tables (stage-*.c); this file decides
 * which a chassis needs and adds the miss flow of each host table. */
#include <config.h>
#include "vpc-pipeline.h"

#include <string.h>

#include "bitmap.h"
#include "openvswitch/match.h"
#include "openvswitch/ofpbuf.h"
#include "pipeline.h"
#include "pl-actions.h"
#include "stage-classify.h"
#include "stage-gateway.h"
#include "stage-lookup.h"
#include "stage-migrate.h"
#include "stage-nacl.h"
#include "stage-peer.h"
#include "stage-punt.h"
#include "stage-route.h"
#include "stage-rtable.h"
#include "stage-sg.h"
#include "util.h"

/* Returns true if 'chassis' has at least one port of 'vpc', or is the
 * destination of the migration of one, or its source that it left. */
bool
vpc_pipeline_hosts_vpc(const struct vpc_pl_chassis *chassis,
                       const struct vpc_pl_vpc *vpc)
{
    for (size_t i = 0; i < vpc->n_ports; i++) {
        if ((vpc->ports[i].chassis && vpc->ports[i].chassis == chassis->self
             && vpc->ports[i].ofport)
            || pl_migrate_needs_vpc(chassis, &vpc->ports[i])) {
            return true;
        }
    }
    return false;
}

/* Returns true if 'chassis' is one of the gateways of 'group', with an
 * uplink to its outside network.  (A gateway without one serves nothing:
 * it runs no BFD to the hosts, so they leave it out.) */
bool
vpc_pipeline_serves_group(const struct vpc_pl_chassis *chassis,
                          const struct vpc_pl_gw_group *group)
{
    return pl_gw_serves_group(chassis, group);
}

/* Returns true if 'chassis' is a gateway of 'vpc'. */
bool
vpc_pipeline_serves_vpc(const struct vpc_pl_chassis *chassis,
                        const struct vpc_pl_vpc *vpc)
{
    return vpc_pipeline_serves_group(chassis, vpc->gw);
}

/* Adds to 'out' the flows that every chassis has whatever it hosts: the
 * miss behaviour of each table.  Nothing is ever flooded and nothing goes
 * to a controller on a miss: what no flow admits is dropped. */
void
vpc_pipeline_build_static(struct vpc_flow_table *out)
{
    static const struct {
        enum vpc_table table;
        int next;               /* -1: drop. */
    } misses[] = {
        { VPC_T_CLASSIFY, -1 },
        { VPC_T_PORT_SEC, -1 },
        { VPC_T_ARP, VPC_T_ROUTER },
        { VPC_T_BIND, -1 },
        { VPC_T_ARP_REPLY, -1 },
        { VPC_T_ROUTER, VPC_T_SG_OUT },
        { VPC_T_SG_REMOTE, -1 },
        { VPC_T_SG_OUT, -1 },
        { VPC_T_SG_OUT_EVAL, VPC_T_SG_OUT_DENY },
        { VPC_T_SG_OUT_ALLOW, VPC_T_L3_ADMIT },
        { VPC_T_SG_OUT_DENY, -1 },
        { VPC_T_L3_ADMIT, -1 },
        { VPC_T_NACL_OUT, -1 },
        { VPC_T_ROUTE, -1 },
        { VPC_T_NACL_IN, -1 },
        { VPC_T_DEST, -1 },
        { VPC_T_TO_TUNNEL, VPC_T_TO_PORT },
        { VPC_T_MTU, -1 },
        { VPC_T_LOCAL_OUT, -1 },
        { VPC_T_TO_PORT, -1 },
        { VPC_T_SG_IN_EVAL, VPC_T_SG_IN_DENY },
        { VPC_T_SG_IN_ALLOW, VPC_T_DELIVER },
        { VPC_T_SG_IN_DENY, -1 },
        { VPC_T_DELIVER, -1 },
    };
    uint64_t stub[1024 / 8];
    struct ofpbuf a = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    match_init_catchall(&match);
    for (size_t i = 0; i < ARRAY_SIZE(misses); i++) {
        if (misses[i].next >= 0) {
            pl_put_goto(&a, misses[i].next);
        }
        pl_add_flow(out, misses[i].table, VPC_PRIO_DEFAULT, 0, &match, &a);
    }

    pl_lookup_build_static(out, &a);
    pl_sg_build_static(out, &a);
    pl_route_build_static(out, &a);
    pl_punt_build_static(out, &a);
    ofpbuf_uninit(&a);
}

/* Adds to 'out' the flows of 'chassis', if it is a gateway, that do not
 * depend on what it serves: the miss behaviour of the gateway tables
 * (drop, never to a controller), connections conntrack already knows, TTL
 * expiry. */
void
vpc_pipeline_build_gateway_static(const struct vpc_pl_chassis *chassis,
                                  struct vpc_flow_table *out)
{
    uint64_t stub[1024 / 8];
    struct ofpbuf a = OFPBUF_STUB_INITIALIZER(stub);

    pl_gw_build_static(out, chassis, &a);
    ofpbuf_uninit(&a);
}

/* Adds to 'flows' and 'groups' what 'group' needs on 'chassis' beyond the
 * flows of its VPCs:
 *
 *   - On a host: a fast-failover group over the tunnel ports to the
 *     group's gateways, most preferred first, if it reaches any.
 *
 *   - On one of the gateways: an ARP group that answers if this gateway
 *     is the active one, and the learning of the next hop's MAC.
 *
 * stage-gateway.c says how. */
void
vpc_pipeline_build_gw_group(const struct vpc_pl_chassis *chassis,
                            const struct vpc_pl_gw_group *group,
                            struct vpc_flow_table *flows,
                            struct vpc_group_table *groups)
{
    uint64_t stub[1024 / 8];
    struct ofpbuf a = OFPBUF_STUB_INITIALIZER(stub);

    if (vpc_pipeline_serves_group(chassis, group)) {
        pl_gw_build_gateway_group(flows, groups, chassis, group, &a);
    } else if (pl_gw_host_reaches_group(chassis, group)) {
        pl_gw_build_host_group(groups, chassis, group, &a);
    }
    ofpbuf_uninit(&a);
}

/* The flows of 'vpc' on 'chassis', a host with a port of it, and its parts
 * of the flows that VPCs share in 'shared'. */
static void
build_host_vpc(struct vpc_flow_table *out, struct vpc_flow_table *shared,
               const struct vpc_pl_chassis *chassis,
               const struct vpc_pl_vpc *vpc, struct ofpbuf *a)
{
    pl_classify_build_tunnel(out, vpc, a);

    for (size_t i = 0; i < vpc->n_subnets; i++) {
        pl_lookup_build_subnet(out, vpc, &vpc->subnets[i], a);
        pl_route_build_subnet(out, vpc, &vpc->subnets[i], a);
    }
    /* The default route uses the fast-failover group, which exists only
     * if the host reaches a gateway (vpc_pipeline_build_gw_group()). */
    if (vpc->gw && pl_gw_host_reaches_group(chassis, vpc->gw)) {
        pl_route_build_default(out, vpc, a);
    }

    for (size_t i = 0; i < vpc->n_ports; i++) {
        const struct vpc_pl_port *port = &vpc->ports[i];

        pl_lookup_build_port(out, chassis, vpc, port, a);
        if (port->chassis == chassis->self && port->ofport) {
            pl_classify_build_port(out, vpc, port, a);
            pl_punt_build_dhcp(out, vpc, port, a);
            if (port->appliance) {
                pl_rtable_build_appliance(out, vpc, port, a);
            }
        }
        pl_migrate_build_port(out, chassis, vpc, port, a);
    }
    pl_sg_build_vpc(out, shared, chassis, vpc, a);
    pl_nacl_build_vpc(out, vpc, true, a);
    pl_punt_build_mtu(out, vpc, a);
    pl_rtable_build_vpc(out, chassis, vpc, a);
    pl_peer_build_views(out, chassis, vpc, a);
}

/* Adds to 'out' the flows of 'vpc' on 'chassis': a host's if it has a port
 * of the VPC, a gateway's if it is one of the VPC's gateways, else none.
 *
 * Some flows are the same in every VPC that has them (security group
 * clauses that match no VPC key: see stage-sg.c): the VPC's parts of
 * those, flows with conjunction actions only, go to 'shared' (unless it
 * is NULL: see vpc_pipeline_build_vpc_shared()).  A switch can hold only
 * one flow with their key, so the caller merges them with the parts of
 * the chassis' other VPCs (flow-merge.h); their conjunction IDs must be
 * unique among those VPCs. */
void
vpc_pipeline_build_vpc(const struct vpc_pl_chassis *chassis,
                       const struct vpc_pl_vpc *vpc,
                       struct vpc_flow_table *out,
                       struct vpc_flow_table *shared)
{
    uint64_t stub[1024 / 8];
    struct ofpbuf a = OFPBUF_STUB_INITIALIZER(stub);

    if (vpc_pipeline_serves_vpc(chassis, vpc)) {
        pl_gw_build_vpc(out, chassis, vpc, &a);
    } else if (vpc_pipeline_hosts_vpc(chassis, vpc)) {
        build_host_vpc(out, shared, chassis, vpc, &a);
    }
    ofpbuf_uninit(&a);
}

/* Sets bit i of 'here' (room for 'vpc''s n_sgs bits) if 'chassis' needs the
 * rules of the VPC's security group i: it is a host with a member of the
 * group.  The VPC's parts of the flows that VPCs share depend on nothing
 * else: two chassis with the same bits get the same parts from
 * vpc_pipeline_build_vpc_shared(). */
void
vpc_pipeline_sg_groups_here(const struct vpc_pl_chassis *chassis,
                            const struct vpc_pl_vpc *vpc, unsigned long *here)
{
    pl_sg_groups_here(chassis, vpc, here);
    if (vpc_pipeline_serves_vpc(chassis, vpc)) {
        memset(here, 0, bitmap_n_bytes(vpc->n_sgs));
    }
}

/* Adds to 'shared' only the parts of the flows that VPCs share that
 * vpc_pipeline_build_vpc() would add: for a caller that builds them once
 * for all the chassis with the same vpc_pipeline_sg_groups_here(). */
void
vpc_pipeline_build_vpc_shared(const struct vpc_pl_chassis *chassis,
                              const struct vpc_pl_vpc *vpc,
                              struct vpc_flow_table *shared)
{
    uint64_t stub[1024 / 8];
    struct ofpbuf a = OFPBUF_STUB_INITIALIZER(stub);

    if (!vpc_pipeline_serves_vpc(chassis, vpc)
        && vpc_pipeline_hosts_vpc(chassis, vpc)) {
        pl_sg_build_vpc(NULL, shared, chassis, vpc, &a);
    }
    ofpbuf_uninit(&a);
}
