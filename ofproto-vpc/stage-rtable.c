/* Route tables, in VPC_T_ROUTE on a host: the routes of the tables that
 * the VPC's subnets use (VPC_MFF_ROUTE_TABLE says which, set by
 * VPC_T_L3_ADMIT for what a subnet's ports send), to an appliance port
 * wherever it is bound, to the VPC's gateways, or into a peer VPC (whose
 * view stage-peer.c builds).  Each route is one flow on each chassis that
 * has the VPC, whatever its next hop.
 *
 * Also an appliance port's own flows: it may send from any address
 * (VPC_T_PORT_SEC), and what comes over a tunnel for its MAC is its own
 * (VPC_T_LOCAL_OUT), whatever the destination address. */
#include <config.h>
#include "stage-rtable.h"

#include "byte-order.h"
#include "flow.h"
#include "flow-table.h"
#include "openvswitch/match.h"
#include "packets.h"
#include "pipeline.h"
#include "pl-actions.h"
#include "stage-gateway.h"
#include "stage-punt.h"
#include "vpc-pipeline.h"

/* Appends to 'a' the way to 'port', an appliance of 'vpc': to its MAC,
 * from its subnet's gateway, wherever VPC_T_BIND says it is bound (its
 * first address says where). */
static void
put_to_port(struct ofpbuf *a, const struct vpc_pl_vpc *vpc,
            const struct vpc_pl_port *port)
{
    pl_put_set_mac(a, MFF_ETH_SRC, vpc->subnets[port->subnet].gateway_mac);
    pl_put_set_be32(a, VPC_MFF_LOOKUP_IP, port->ips[0]);
    pl_put_resubmit(a, VPC_T_BIND);
    pl_put_goto(a, VPC_T_TO_TUNNEL);
}

/* Appends to 'a' the next hop of 'r', a route of 'vpc' on 'chassis'; no
 * action drops. */
static void
put_next_hop(struct ofpbuf *a, const struct vpc_pl_chassis *chassis,
             const struct vpc_pl_vpc *vpc, const struct vpc_pl_route *r)
{
    switch (r->next_hop) {
    case VPC_NH_GATEWAY:
        if (vpc->gw && pl_gw_host_reaches_group(chassis, vpc->gw)) {
            if (vpc->mtu) {
                pl_punt_put_mtu_check(a, vpc, VPC_FLAG_TO_GATEWAY);
            } else {
                pl_put_tun_id(a, vpc->tunnel_key);
                pl_put_group(a, vpc->gw->ff_group_id);
            }
        }
        break;

    case VPC_NH_PORT: {
        const struct vpc_pl_port *port = &vpc->ports[r->port];
        if (port->chassis && port->n_ips) {
            put_to_port(a, vpc, port);
        }
        break;
    }

    case VPC_NH_PEERING: {
        /* Into the peer's view of its own subnets (stage-peer.c), which
         * it routes as if the packet were its own. */
        const struct vpc_pl_vpc *peer = vpc->peerings[r->peering].peer;
        if (!peer) {
            break;
        }
        ovs_be64 md = htonll(peer->tunnel_key
                             | ((uint64_t) vpc->tunnel_key << 32));
        pl_put_set_field(a, VPC_MFF_VPC_KEY, &md);
        pl_put_resubmit(a, VPC_T_ROUTE);   /* goto_table only goes on. */
        break;
    }

    case VPC_NH_DROP:
    default:
        break;
    }
}

/* Adds to 'out' the routes of the route tables of 'vpc' that a subnet
 * uses, on 'chassis', a host with a port of it, building actions in
 * 'a'. */
void
pl_rtable_build_vpc(struct vpc_flow_table *out,
                    const struct vpc_pl_chassis *chassis,
                    const struct vpc_pl_vpc *vpc, struct ofpbuf *a)
{
    for (size_t i = 0; i < vpc->n_route_tables; i++) {
        uint32_t id = i + 1;
        bool used = false;
        for (size_t j = 0; j < vpc->n_subnets && !used; j++) {
            used = vpc->subnets[j].route_table == id;
        }
        if (!used) {
            continue;
        }

        const struct vpc_pl_route_table *rt = &vpc->route_tables[i];
        for (size_t j = 0; j < rt->n_routes; j++) {
            const struct vpc_pl_route *r = &rt->routes[j];
            struct match match;

            match_init_catchall(&match);
            pl_match_vpc(&match, pl_vpc_md(vpc));
            match_set_reg(&match, VPC_MFF_ROUTE_TABLE - MFF_REG0, id);
            match_set_dl_type(&match, htons(ETH_TYPE_IP));
            match_set_nw_dst_masked(&match, r->network, r->mask);
            put_next_hop(a, chassis, vpc, r);
            pl_add_flow(out, VPC_T_ROUTE,
                        VPC_PRIO_ROUTE_FOR(ip_count_cidr_bits(r->mask), 2),
                        vpc_cookie_from_uuid(&r->uuid), &match, a);
        }
    }
}

/* Adds to 'out' the flows of 'port', an appliance of 'vpc' bound here,
 * building actions in 'a'. */
void
pl_rtable_build_appliance(struct vpc_flow_table *out,
                          const struct vpc_pl_vpc *vpc,
                          const struct vpc_pl_port *port, struct ofpbuf *a)
{
    uint64_t cookie = vpc_cookie_from_uuid(&port->uuid);
    struct match match;

    /* IPv4 from any address (its MAC is checked in VPC_T_CLASSIFY; ARP
     * still claims only its own addresses). */
    match_init_catchall(&match);
    match_set_in_port(&match, port->ofport);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    pl_put_goto(a, VPC_T_ARP);
    pl_add_flow(out, VPC_T_PORT_SEC, VPC_PRIO_MATCH - 10, cookie, &match,
                a);

    /* From a tunnel to its MAC: delivered to it, whatever the address. */
    match_init_catchall(&match);
    pl_match_vpc(&match, pl_vpc_md(vpc));
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_dl_dst(&match, port->mac);
    ovs_be64 mac64 = htonll(eth_addr_to_uint64(port->mac));
    pl_put_set_field(a, VPC_MFF_BIND_MAC, &mac64);
    pl_put_set_be32(a, VPC_MFF_BIND, htonl(VPC_BIND_FOUND | VPC_BIND_LOCAL
                                           | ofp_to_u16(port->ofport)));
    pl_put_goto(a, VPC_T_TO_PORT);
    pl_add_flow(out, VPC_T_LOCAL_OUT, VPC_PRIO_MATCH + 10, cookie, &match,
                a);
}
