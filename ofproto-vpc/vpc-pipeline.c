/* The VPC pipeline: from the desired state of one chassis to OpenFlow flows.
 * See pipeline.h for the tables and vpc-pipeline.h for the inputs. */
#include <config.h>
#include "vpc-pipeline.h"

#include "byte-order.h"
#include "flow.h"
#include "flow-table.h"
#include "group-table.h"
#include "openvswitch/dynamic-string.h"
#include "openflow/openflow-1.1.h"
#include "openvswitch/match.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "pipeline.h"
#include "pl-actions.h"
#include "stage-classify.h"
#include "stage-lookup.h"
#include "stage-route.h"
#include "util.h"

#include <string.h>

/* Returns true if 'chassis' has at least one port of 'vpc'. */
bool
vpc_pipeline_hosts_vpc(const struct vpc_pl_chassis *chassis,
                       const struct vpc_pl_vpc *vpc)
{
    for (size_t i = 0; i < vpc->n_ports; i++) {
        if (vpc->ports[i].chassis && vpc->ports[i].chassis == chassis->self
            && vpc->ports[i].ofport) {
            return true;
        }
    }
    return false;
}

static ofp_port_t uplink_ofport(const struct vpc_pl_chassis *,
                                const char *physnet);

/* Returns true if 'chassis' is one of the gateways of 'group', with an
 * uplink to its outside network.  (A gateway without one serves nothing:
 * it runs no BFD to the hosts, so they leave it out.) */
bool
vpc_pipeline_serves_group(const struct vpc_pl_chassis *chassis,
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

/* Returns true if 'chassis' is a gateway of 'vpc'. */
bool
vpc_pipeline_serves_vpc(const struct vpc_pl_chassis *chassis,
                        const struct vpc_pl_vpc *vpc)
{
    return vpc_pipeline_serves_group(chassis, vpc->gw);
}

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

/* Does a host reach at least one gateway of 'group' (so that its
 * fast-failover group exists)? */
static bool
host_reaches_group(const struct vpc_pl_chassis *chassis,
                   const struct vpc_pl_gw_group *group)
{
    for (size_t i = 0; i < group->n_gateways; i++) {
        if (peer_ofport(chassis, group->gateways[i])) {
            return true;
        }
    }
    return false;
}

/* Adds the flows that every chassis has whatever it hosts: the miss
 * behaviour of each table.  Nothing is ever flooded and nothing goes to a
 * controller: what no flow admits is dropped. */
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
        { VPC_T_ROUTER, VPC_T_L3_ADMIT },
        { VPC_T_L3_ADMIT, -1 },
        { VPC_T_ROUTE, -1 },
        { VPC_T_DEST, -1 },
        { VPC_T_TO_TUNNEL, VPC_T_TO_PORT },
        { VPC_T_LOCAL_OUT, -1 },
        { VPC_T_TO_PORT, -1 },
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
    pl_route_build_static(out, &a);
    ofpbuf_uninit(&a);
}

/* Adds the flows of a gateway chassis that do not depend on what it
 * serves: the miss behaviour of the gateway tables (drop, never to a
 * controller), connections conntrack already knows, TTL expiry. */
void
vpc_pipeline_build_gateway_static(const struct vpc_pl_chassis *chassis,
                                  struct vpc_flow_table *out)
{
    static const enum vpc_table tables[] = {
        VPC_T_GW_SNAT, VPC_T_GW_SNAT_NEW, VPC_T_GW_EGRESS,
        VPC_T_GW_NEXT_HOP, VPC_T_GW_FROM_EXT, VPC_T_GW_EXT_ARP,
        VPC_T_GW_DNAT, VPC_T_GW_TO_VPC,
    };
    uint64_t stub[1024 / 8];
    struct ofpbuf a = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    if (!chassis->gateway) {
        return;
    }
    match_init_catchall(&match);
    for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
        pl_add_flow(out, tables[i], VPC_PRIO_DEFAULT, 0, &match, &a);
    }

    /* Established connections and replies: conntrack has translated them
     * already.  So it has for later packets of a connection that has no
     * reply yet (still "new", but translated): without these, a
     * connection whose first reply was lost, say during a failover, would
     * be stuck until conntrack forgets it. */
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    pl_match_ct_known(&match);
    pl_put_goto(&a, VPC_T_GW_EGRESS);
    pl_add_flow(out, VPC_T_GW_SNAT_NEW, VPC_PRIO_CATCH, 0, &match, &a);

    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_ct_state_masked(&match, CS_NEW | CS_TRACKED | CS_SRC_NAT,
                              CS_NEW | CS_TRACKED | CS_SRC_NAT);
    pl_put_goto(&a, VPC_T_GW_EGRESS);
    pl_add_flow(out, VPC_T_GW_SNAT_NEW, VPC_PRIO_CATCH, 0, &match, &a);

    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    pl_match_ct_known(&match);
    pl_put_goto(&a, VPC_T_GW_TO_VPC);
    pl_add_flow(out, VPC_T_GW_DNAT, VPC_PRIO_CATCH, 0, &match, &a);

    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_ct_state_masked(&match, CS_NEW | CS_TRACKED | CS_DST_NAT,
                              CS_NEW | CS_TRACKED | CS_DST_NAT);
    pl_put_goto(&a, VPC_T_GW_TO_VPC);
    pl_add_flow(out, VPC_T_GW_DNAT, VPC_PRIO_CATCH, 0, &match, &a);

    /* ARP from outside that is not the next hop's goes on to the
     * responder. */
    match_set_dl_type(&match, htons(ETH_TYPE_ARP));
    pl_put_goto(&a, VPC_T_GW_EXT_ARP);
    pl_add_flow(out, VPC_T_GW_FROM_EXT, VPC_PRIO_CATCH, 0, &match, &a);

    for (uint8_t ttl = 0; ttl <= 1; ttl++) {
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        match_set_nw_ttl(&match, ttl);
        pl_add_flow(out, VPC_T_GW_TO_VPC, VPC_PRIO_MATCH + 10, 0, &match, &a);
    }

    /* Everything from an uplink enters the outside pipeline. */
    for (size_t i = 0; i < chassis->n_uplinks; i++) {
        if (chassis->uplinks[i].ofport) {
            match_set_in_port(&match, chassis->uplinks[i].ofport);
            pl_put_goto(&a, VPC_T_GW_FROM_EXT);
            pl_add_flow(out, VPC_T_CLASSIFY, VPC_PRIO_MATCH, 0, &match, &a);
        }
    }
    ofpbuf_uninit(&a);
}

/* Adds what 'group' needs on 'chassis' beyond the flows of its VPCs:
 *
 *   - On a host: a fast-failover group over the tunnel ports to the
 *     group's gateways, most preferred first.  BFD on those ports makes a
 *     dead gateway's bucket dead, so the host moves to the next gateway by
 *     itself.
 *
 *   - On one of the gateways: the same idea turned around, an ARP group
 *     whose first live bucket says which gateway is active: a bucket per
 *     more preferred gateway that does nothing while that gateway is
 *     alive, then our own, which answers.  And the next hop's MAC is
 *     learned from any ARP it sends. */
void
vpc_pipeline_build_gw_group(const struct vpc_pl_chassis *chassis,
                            const struct vpc_pl_gw_group *group,
                            struct vpc_flow_table *flows,
                            struct vpc_group_table *groups)
{
    uint64_t stub[1024 / 8];
    struct ofpbuf a = OFPBUF_STUB_INITIALIZER(stub);

    if (!vpc_pipeline_serves_group(chassis, group)) {
        if (!host_reaches_group(chassis, group)) {
            ofpbuf_uninit(&a);
            return;
        }
        struct vpc_group *g = vpc_group_table_add(groups, group->ff_group_id,
                                                  OFPGT11_FF);
        for (size_t i = 0; i < group->n_gateways; i++) {
            ofp_port_t port = peer_ofport(chassis, group->gateways[i]);
            if (port) {
                pl_put_output(&a, port);
                vpc_group_add_bucket(g, port, a.data, a.size);
                ofpbuf_clear(&a);
            }
        }
        vpc_group_finish(g);
        ofpbuf_uninit(&a);
        return;
    }

    ofp_port_t uplink = uplink_ofport(chassis, group->physnet);
    /* The next hop's MAC, from any ARP it sends on the uplink. */
    struct match match;
    match_init_catchall(&match);
    match_set_in_port(&match, uplink);
    match_set_dl_type(&match, htons(ETH_TYPE_ARP));
    match_set_nw_src(&match, group->next_hop);
    pl_put_parsed(&a, "learn(table=%d,priority=%d,cookie=%#"PRIx64","
                  "NXM_NX_REG%d[]=NXM_OF_ARP_SPA[],"
                  "load:NXM_NX_ARP_SHA[]->NXM_OF_ETH_DST[],"
                  "output:NXM_OF_IN_PORT[])",
                  VPC_T_GW_NEXT_HOP, VPC_PRIO_MATCH, VPC_COOKIE_LEARNED,
                  VPC_MFF_NEXT_HOP - MFF_REG0);
    pl_put_goto(&a, VPC_T_GW_EXT_ARP);
    pl_add_flow(flows, VPC_T_GW_FROM_EXT, VPC_PRIO_MATCH + 10, 0,
                &match, &a);

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
            ofpbuf_uninit(&a);
            return;
        }
        vpc_group_add_bucket(g, port, NULL, 0);
    }
    /* We are active: answer with the group's MAC, whatever address of the
     * group was asked for. */
    pl_put_move(&a, MFF_ETH_SRC, MFF_ETH_DST);
    pl_put_set_mac(&a, MFF_ETH_SRC, group->mac);
    uint16_t op = htons(ARP_OP_REPLY);
    pl_put_set_field(&a, MFF_ARP_OP, &op);
    pl_put_move(&a, MFF_ARP_SHA, MFF_ARP_THA);
    pl_put_set_mac(&a, MFF_ARP_SHA, group->mac);
    pl_put_move(&a, MFF_ARP_TPA, VPC_MFF_SCRATCH);
    pl_put_move(&a, MFF_ARP_SPA, MFF_ARP_TPA);
    pl_put_move(&a, VPC_MFF_SCRATCH, MFF_ARP_SPA);
    pl_put_output(&a, OFPP_IN_PORT);
    /* Fast-failover buckets must watch something: the uplink, which is
     * where the ARP requests come from. */
    vpc_group_add_bucket(g, uplink, a.data, a.size);
    vpc_group_finish(g);
    ofpbuf_clear(&a);

    ofpbuf_uninit(&a);
}

/* On a host: the VPC's default route.  What is inside the VPC's address
 * space but in no subnet is dropped; everything else goes to the active
 * gateway, chosen by the fast-failover group, with the VPC's tunnel key. */
static void
build_default_route(struct vpc_flow_table *out,
                    const struct vpc_pl_chassis *chassis,
                    const struct vpc_pl_vpc *vpc, struct ofpbuf *a)
{
    uint64_t cookie = vpc_cookie_from_uuid(&vpc->uuid);
    struct match match;

    if (!vpc->gw || !host_reaches_group(chassis, vpc->gw)) {
        return;
    }
    match_init_catchall(&match);
    for (size_t i = 0; i < vpc->n_cidrs; i++) {
        pl_match_vpc(&match, vpc->tunnel_key);
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        match_set_nw_dst_masked(&match, vpc->cidrs[i].network,
                                vpc->cidrs[i].mask);
        pl_add_flow(out, VPC_T_ROUTE, VPC_PRIO_CATCH + 10, cookie, &match, a);
    }
    pl_match_vpc(&match, vpc->tunnel_key);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    pl_put_tun_id(a, vpc->tunnel_key);
    pl_put_group(a, vpc->gw->ff_group_id);
    pl_add_flow(out, VPC_T_ROUTE, VPC_PRIO_CATCH, cookie, &match, a);
}

/* The flows of 'vpc' on one of its gateways. */
static void
build_gateway_vpc(struct vpc_flow_table *out,
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

    /* Routing into the VPC and delivery to hosts: every port is remote. */
    for (size_t i = 0; i < vpc->n_subnets; i++) {
        pl_route_build_to_subnet(out, key, &vpc->subnets[i], a);
    }
    for (size_t i = 0; i < vpc->n_ports; i++) {
        if (vpc->ports[i].chassis) {
            pl_lookup_build_port(out, chassis, vpc, &vpc->ports[i], a);
        }
    }
}

/* Adds to 'out' the flows of 'vpc' on 'chassis': a host's if it has a port
 * of the VPC, a gateway's if it is one of the VPC's gateways, else none. */
void
vpc_pipeline_build_vpc(const struct vpc_pl_chassis *chassis,
                       const struct vpc_pl_vpc *vpc,
                       struct vpc_flow_table *out)
{
    uint64_t stub[1024 / 8];
    struct ofpbuf a = OFPBUF_STUB_INITIALIZER(stub);

    if (vpc_pipeline_serves_vpc(chassis, vpc)) {
        build_gateway_vpc(out, chassis, vpc, &a);
        ofpbuf_uninit(&a);
        return;
    } else if (!vpc_pipeline_hosts_vpc(chassis, vpc)) {
        ofpbuf_uninit(&a);
        return;
    }

    pl_classify_build_tunnel(out, vpc, &a);

    for (size_t i = 0; i < vpc->n_subnets; i++) {
        pl_lookup_build_subnet(out, vpc, &vpc->subnets[i], &a);
        pl_route_build_subnet(out, vpc, &vpc->subnets[i], &a);
    }
    build_default_route(out, chassis, vpc, &a);

    for (size_t i = 0; i < vpc->n_ports; i++) {
        const struct vpc_pl_port *port = &vpc->ports[i];

        pl_lookup_build_port(out, chassis, vpc, port, &a);
        if (port->chassis == chassis->self && port->ofport) {
            pl_classify_build_port(out, vpc, port, &a);
        }
    }
    ofpbuf_uninit(&a);
}
