/* Peering: what a host with a port of VPC A needs to send into VPC B, a
 * peer of A that a route of A names: B's view.  It is B's own routing to
 * its subnets (and their network ACLs), B's addresses and where they are
 * bound, and B's MTU, with A's key beside B's in metadata (pl_vpc_md()),
 * so that the view never mixes with B's own flows, nor with the view of B
 * from another peer, on a host that has those too.  A packet leaves with
 * B's tunnel key (the low 24 bits of metadata) and is delivered by B's
 * pipeline on the other side, whose ingress security groups judge it; one
 * for a port of B on this host takes B's key back before its ingress
 * security groups.
 *
 * The view holds B's subnets and nothing else: no route of B's route
 * tables, no way to B's gateways, no peering of B.  So peering is not
 * transitive, and A cannot reach the outside through B. */
#include <config.h>
#include "stage-peer.h"

#include "byte-order.h"
#include "flow-table.h"
#include "openvswitch/match.h"
#include "packets.h"
#include "pipeline.h"
#include "pl-actions.h"
#include "stage-lookup.h"
#include "stage-nacl.h"
#include "stage-punt.h"
#include "stage-route.h"
#include "vpc-pipeline.h"

static bool
peering_is_used(const struct vpc_pl_vpc *vpc, size_t peering)
{
    for (size_t i = 0; i < vpc->n_route_tables; i++) {
        const struct vpc_pl_route_table *rt = &vpc->route_tables[i];
        for (size_t j = 0; j < rt->n_routes; j++) {
            if (rt->routes[j].next_hop == VPC_NH_PEERING
                && rt->routes[j].peering == peering) {
                return true;
            }
        }
    }
    return false;
}

static void
build_view(struct vpc_flow_table *out, const struct vpc_pl_chassis *chassis,
           const struct vpc_pl_vpc *vpc, const struct vpc_pl_peering *pg,
           struct ofpbuf *a)
{
    struct vpc_pl_vpc view = *pg->peer;
    view.view_key = vpc->tunnel_key;
    uint64_t md = pl_vpc_md(&view);

    for (size_t i = 0; i < view.n_subnets; i++) {
        pl_route_build_to_subnet(out, md, &view.subnets[i], a);
    }
    for (size_t i = 0; i < view.n_ports; i++) {
        pl_lookup_build_port(out, chassis, &view, &view.ports[i], a);
    }
    pl_nacl_build_vpc(out, &view, false, a);
    pl_punt_build_mtu(out, &view, a);

    /* To a port of the peer on this host: the peer's own key again, for
     * its ingress security groups. */
    struct match match;
    match_init_catchall(&match);
    pl_match_vpc(&match, md);
    match_set_reg_masked(&match, VPC_MFF_BIND - MFF_REG0, VPC_BIND_LOCAL,
                         VPC_BIND_LOCAL);
    pl_put_set_vpc_key(a, view.tunnel_key);
    pl_put_goto(a, VPC_T_TO_PORT);
    pl_add_flow(out, VPC_T_TO_TUNNEL, VPC_PRIO_MATCH + 5,
                vpc_cookie_from_uuid(&pg->uuid), &match, a);
}

/* Adds to 'out' the views of the peers of 'vpc' that its routes use, on
 * 'chassis', a host with a port of 'vpc', building actions in 'a'. */
void
pl_peer_build_views(struct vpc_flow_table *out,
                    const struct vpc_pl_chassis *chassis,
                    const struct vpc_pl_vpc *vpc, struct ofpbuf *a)
{
    for (size_t i = 0; i < vpc->n_peerings; i++) {
        if (vpc->peerings[i].peer && peering_is_used(vpc, i)) {
            build_view(out, chassis, vpc, &vpc->peerings[i], a);
        }
    }
}
