/* Gateways in the VPC pipeline: the way out of a VPC and back in, with NAT
 * in the VPC's conntrack zone (VPC_T_GW_*, and a gateway's own
 * VPC_T_CLASSIFY flows), and the groups that make hosts and gateways fail
 * over by themselves. */
#include <config.h>
#include "stage-gateway.h"

#include <string.h>

#include "byte-order.h"
#include "flow-table.h"
#include "group-table.h"
#include "openflow/openflow-1.1.h"
#include "openvswitch/match.h"
#include "openvswitch/ofpbuf.h"
#include "packets.h"
#include "pipeline.h"
#include "pl-actions.h"
#include "stage-lookup.h"
#include "stage-nacl.h"
#include "stage-route.h"
#include "vpc-pipeline.h"

static ofp_port_t
peer_ofport(const struct vpc_pl_chassis *chassis, const void *peer)
{
    for (size_t i = 0; peer && i < chassis->n_peers; i++) {
        if (chassis->peers[i].chassis == peer) {
            return chassis->peers[i].ofport;
        }
    }
    return 0;
}

static ofp_port_t
uplink_ofport(const struct vpc_pl_chassis *chassis, const char *physnet)
{
    for (size_t i = 0; i < chassis->n_uplinks; i++) {
        if (!strcmp(chassis->uplinks[i].physnet, physnet)) {
            return chassis->uplinks[i].ofport;
        }
    }
    return 0;
}

/* Returns true if 'chassis' is one of the gateways of 'group', with an
 * uplink to its outside network.  (A gateway without one serves nothing:
 * it runs no BFD to the hosts, so they leave it out.) */
bool
pl_gw_serves_group(const struct vpc_pl_chassis *chassis,
                   const struct vpc_pl_gw_group *group)
{
    if (chassis->gateway && group
        && uplink_ofport(chassis, group->physnet)) {
        for (size_t i = 0; i < group->n_gateways; i++) {
            if (group->gateways[i] && group->gateways[i] == chassis->self) {
                return true;
            }
        }
    }
    return false;
}

/* Returns true if host 'chassis' reaches at least one gateway of 'group'
 * (so that its fast-failover group exists). */
bool
pl_gw_host_reaches_group(const struct vpc_pl_chassis *chassis,
                         const struct vpc_pl_gw_group *group)
{
    for (size_t i = 0; i < group->n_gateways; i++) {
        if (peer_ofport(chassis, group->gateways[i])) {
            return true;
        }
    }
    return false;
}

/* Adds to 'out' the flows of 'chassis', if it is a gateway, that do not
 * depend on what it serves, building actions in 'a': the miss behaviour
 * of the gateway tables (drop, never to a controller), connections
 * conntrack already knows, TTL expiry. */
void
pl_gw_build_static(struct vpc_flow_table *out,
                   const struct vpc_pl_chassis *chassis, struct ofpbuf *a)
{
    static const enum vpc_table tables[] = {
        VPC_T_GW_SNAT, VPC_T_GW_SNAT_NEW, VPC_T_GW_EGRESS,
        VPC_T_GW_NEXT_HOP, VPC_T_GW_FROM_EXT, VPC_T_GW_EXT_ARP,
        VPC_T_GW_DNAT, VPC_T_GW_TO_VPC,
    };
    struct match match;

    if (!chassis->gateway) {
        return;
    }
    match_init_catchall(&match);
    for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
        pl_add_flow(out, tables[i], VPC_PRIO_DEFAULT, 0, &match, a);
    }

    /* Established connections and replies: conntrack has translated them
     * already.  So it has for later packets of a connection that has no
     * reply yet (still "new", but translated): without these, a
     * connection whose first reply was lost, say during a failover, would
     * be stuck until conntrack forgets it. */
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    pl_match_ct_known(&match);
    pl_put_goto(a, VPC_T_GW_EGRESS);
    pl_add_flow(out, VPC_T_GW_SNAT_NEW, VPC_PRIO_CATCH, 0, &match, a);

    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_ct_state_masked(&match, CS_NEW | CS_TRACKED | CS_SRC_NAT,
                              CS_NEW | CS_TRACKED | CS_SRC_NAT);
    pl_put_goto(a, VPC_T_GW_EGRESS);
    pl_add_flow(out, VPC_T_GW_SNAT_NEW, VPC_PRIO_CATCH, 0, &match, a);

    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    pl_match_ct_known(&match);
    pl_put_goto(a, VPC_T_GW_TO_VPC);
    pl_add_flow(out, VPC_T_GW_DNAT, VPC_PRIO_CATCH, 0, &match, a);

    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_ct_state_masked(&match, CS_NEW | CS_TRACKED | CS_DST_NAT,
                              CS_NEW | CS_TRACKED | CS_DST_NAT);
    pl_put_goto(a, VPC_T_GW_TO_VPC);
    pl_add_flow(out, VPC_T_GW_DNAT, VPC_PRIO_CATCH, 0, &match, a);

    /* ARP from outside that is not the next hop's goes on to the
     * responder. */
    match_set_dl_type(&match, htons(ETH_TYPE_ARP));
    pl_put_goto(a, VPC_T_GW_EXT_ARP);
    pl_add_flow(out, VPC_T_GW_FROM_EXT, VPC_PRIO_CATCH, 0, &match, a);

    for (uint8_t ttl = 0; ttl <= 1; ttl++) {
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        match_set_nw_ttl(&match, ttl);
        pl_add_flow(out, VPC_T_GW_TO_VPC, VPC_PRIO_MATCH + 10, 0, &match, a);
    }

    /* Everything from an uplink enters the outside pipeline. */
    for (size_t i = 0; i < chassis->n_uplinks; i++) {
        if (chassis->uplinks[i].ofport) {
            match_set_in_port(&match, chassis->uplinks[i].ofport);
            pl_put_goto(a, VPC_T_GW_FROM_EXT);
            pl_add_flow(out, VPC_T_CLASSIFY, VPC_PRIO_MATCH, 0, &match, a);
        }
    }
}

/* Adds to 'groups' what gateway group 'group' needs on host 'chassis',
 * building actions in 'a': a fast-failover group over the tunnel ports to
 * the group's gateways, most preferred first.  BFD on those ports makes a
 * dead gateway's bucket dead, so the host moves to the next gateway by
 * itself. */
void
pl_gw_build_host_group(struct vpc_group_table *groups,
                       const struct vpc_pl_chassis *chassis,
                       const struct vpc_pl_gw_group *group, struct ofpbuf *a)
{
    struct vpc_group *g = vpc_group_table_add(groups, group->ff_group_id,
                                              OFPGT11_FF);
    for (size_t i = 0; i < group->n_gateways; i++) {
        ofp_port_t port = peer_ofport(chassis, group->gateways[i]);
        if (port) {
            pl_put_output(a, port);
            vpc_group_add_bucket(g, port, a->data, a->size);
            ofpbuf_clear(a);
        }
    }
    vpc_group_finish(g);
}

/* Adds to 'flows' and 'groups' what gateway group 'group' needs on
 * 'chassis', one of its gateways, building actions in 'a': a host's
 * fast-failover group turned around, an ARP group whose first live bucket
 * says which gateway is active: a bucket per more preferred gateway that
 * does nothing while that gateway is alive, then our own, which answers.
 * And the next hop's MAC is learned from any ARP it sends. */
void
pl_gw_build_gateway_group(struct vpc_flow_table *flows,
                          struct vpc_group_table *groups,
                          const struct vpc_pl_chassis *chassis,
                          const struct vpc_pl_gw_group *group,
                          struct ofpbuf *a)
{
    ofp_port_t uplink = uplink_ofport(chassis, group->physnet);
    /* The next hop's MAC, from any ARP it sends on the uplink. */
    struct match match;
    match_init_catchall(&match);
    match_set_in_port(&match, uplink);
    match_set_dl_type(&match, htons(ETH_TYPE_ARP));
    match_set_nw_src(&match, group->next_hop);
    pl_put_parsed(a, "learn(table=%d,priority=%d,cookie=%#"PRIx64","
                  "NXM_NX_REG%d[]=NXM_OF_ARP_SPA[],"
                  "load:NXM_NX_ARP_SHA[]->NXM_OF_ETH_DST[],"
                  "output:NXM_OF_IN_PORT[])",
                  VPC_T_GW_NEXT_HOP, VPC_PRIO_MATCH, VPC_COOKIE_LEARNED,
                  VPC_MFF_NEXT_HOP - MFF_REG0);
    pl_put_goto(a, VPC_T_GW_EXT_ARP);
    pl_add_flow(flows, VPC_T_GW_FROM_EXT, VPC_PRIO_MATCH + 10, 0,
                &match, a);

    struct vpc_group *g = vpc_group_table_add(groups, group->arp_group_id,
                                              OFPGT11_FF);
    for (size_t i = 0; i < group->n_gateways; i++) {
        if (group->gateways[i] == chassis->self) {
            break;
        } else if (!group->gateways[i]) {
            continue;           /* Not a chassis (yet): not alive. */
        }
        ofp_port_t port = peer_ofport(chassis, group->gateways[i]);
        if (!port) {
            /* A more preferred gateway we have no tunnel to yet: we cannot
             * tell whether it is alive, so we do not answer. */
            vpc_group_finish(g);
            return;
        }
        vpc_group_add_bucket(g, port, NULL, 0);
    }
    /* We are active: answer with the group's MAC, whatever address of the
     * group was asked for. */
    pl_put_move(a, MFF_ETH_SRC, MFF_ETH_DST);
    pl_put_set_mac(a, MFF_ETH_SRC, group->mac);
    uint16_t op = htons(ARP_OP_REPLY);
    pl_put_set_field(a, MFF_ARP_OP, &op);
    pl_put_move(a, MFF_ARP_SHA, MFF_ARP_THA);
    pl_put_set_mac(a, MFF_ARP_SHA, group->mac);
    pl_put_move(a, MFF_ARP_TPA, VPC_MFF_SCRATCH);
    pl_put_move(a, MFF_ARP_SPA, MFF_ARP_TPA);
    pl_put_move(a, VPC_MFF_SCRATCH, MFF_ARP_SPA);
    pl_put_output(a, OFPP_IN_PORT);
    /* Fast-failover buckets must watch something: the uplink, which is
     * where the ARP requests come from. */
    vpc_group_add_bucket(g, uplink, a->data, a->size);
    vpc_group_finish(g);
    ofpbuf_clear(a);
}

/* Adds to 'out' the flows of 'vpc' on 'chassis', one of its gateways,
 * building actions in 'a'. */
void
pl_gw_build_vpc(struct vpc_flow_table *out,
                const struct vpc_pl_chassis *chassis,
                const struct vpc_pl_vpc *vpc, struct ofpbuf *a)
{
    const struct vpc_pl_gw_group *gw = vpc->gw;
    uint64_t cookie = vpc_cookie_from_uuid(&vpc->uuid);
    uint32_t key = vpc->tunnel_key;
    unsigned int zone = key;
    struct match match;

    /* From a host: leaving for the outside, in the VPC's conntrack zone. */
    match_init_catchall(&match);
    match_set_tun_id(&match, htonll(key));
    pl_put_set_vpc_key(a, key);
    pl_put_goto(a, VPC_T_GW_SNAT);
    pl_add_flow(out, VPC_T_CLASSIFY, VPC_PRIO_MATCH, cookie, &match, a);

    pl_match_vpc(&match, key);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    pl_put_parsed(a, "ct(zone=%u,nat,table=%d)", zone, VPC_T_GW_SNAT_NEW);
    pl_add_flow(out, VPC_T_GW_SNAT, VPC_PRIO_MATCH, cookie, &match, a);

    /* Out to the next hop with the group's MAC. */
    pl_match_vpc(&match, key);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    pl_put_set_mac(a, MFF_ETH_SRC, gw->mac);
    pl_put_set_be32(a, VPC_MFF_NEXT_HOP, gw->next_hop);
    pl_put_resubmit(a, VPC_T_GW_NEXT_HOP);
    pl_add_flow(out, VPC_T_GW_EGRESS, VPC_PRIO_MATCH, cookie, &match, a);

    /* Back in: routed into the VPC like any of its traffic (an earlier
     * table, so resubmit rather than goto). */
    pl_match_vpc(&match, key);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    pl_put_dec_ttl(a);
    pl_put_resubmit(a, VPC_T_ROUTE);
    pl_add_flow(out, VPC_T_GW_TO_VPC, VPC_PRIO_MATCH, cookie, &match, a);

    for (size_t i = 0; i < vpc->n_nats; i++) {
        const struct vpc_pl_nat *nat = &vpc->nats[i];
        uint64_t nat_cookie = vpc_cookie_from_uuid(&nat->uuid);
        ovs_be32 ext = nat->external_ip;

        /* New connections from inside take this address. */
        pl_match_vpc(&match, key);
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        pl_match_ct_new(&match);
        match_set_nw_src_masked(&match, nat->logical_ip, nat->logical_mask);
        pl_put_parsed(a, "ct(commit,zone=%u,nat(src="IP_FMT"),table=%d)",
                      zone, IP_ARGS(ext), VPC_T_GW_EGRESS);
        pl_add_flow(out, VPC_T_GW_SNAT_NEW,
                    nat->eip ? VPC_PRIO_EIP
                    : VPC_PRIO_SNAT + ip_count_cidr_bits(nat->logical_mask),
                    nat_cookie, &match, a);

        /* Traffic to the address from outside: conntrack in the VPC's
         * zone, which undoes SNAT for replies. */
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        match_set_nw_dst(&match, ext);
        pl_put_set_vpc_key(a, key);
        pl_put_parsed(a, "ct(zone=%u,nat,table=%d)", zone, VPC_T_GW_DNAT);
        pl_add_flow(out, VPC_T_GW_FROM_EXT, VPC_PRIO_MATCH, nat_cookie,
                    &match, a);

        /* ARP for it, answered by the active gateway. */
        match_set_dl_type(&match, htons(ETH_TYPE_ARP));
        match_set_nw_proto(&match, ARP_OP_REQUEST);
        match_set_nw_dst(&match, ext);
        pl_put_group(a, gw->arp_group_id);
        pl_add_flow(out, VPC_T_GW_EXT_ARP, VPC_PRIO_MATCH, nat_cookie,
                    &match, a);

        /* An elastic IP also takes new connections from outside. */
        if (nat->eip) {
            pl_match_vpc(&match, key);
            match_set_dl_type(&match, htons(ETH_TYPE_IP));
            pl_match_ct_new(&match);
            match_set_nw_dst(&match, ext);
            pl_put_parsed(a, "ct(commit,zone=%u,nat(dst="IP_FMT"),table=%d)",
                          zone, IP_ARGS(nat->logical_ip), VPC_T_GW_TO_VPC);
            pl_add_flow(out, VPC_T_GW_DNAT, VPC_PRIO_MATCH, nat_cookie,
                        &match, a);
        }
    }

    /* Routing into the VPC, through the network ACLs of the subnets it
     * enters, and delivery to hosts: every port is remote. */
    for (size_t i = 0; i < vpc->n_subnets; i++) {
        pl_route_build_to_subnet(out, key, &vpc->subnets[i], a);
    }
    pl_nacl_build_vpc(out, vpc, false, a);
    for (size_t i = 0; i < vpc->n_ports; i++) {
        if (vpc->ports[i].chassis) {
            pl_lookup_build_port(out, chassis, vpc, &vpc->ports[i], a);
        }
    }
}
