/* Routing and delivery of the VPC pipeline on a host: a subnet gateway's
 * own answers (VPC_T_ROUTER), same-subnet and routed traffic
 * (VPC_T_L3_ADMIT, VPC_T_ROUTE), and delivery of what VPC_T_BIND found
 * (VPC_T_DEST, VPC_T_TO_TUNNEL, VPC_T_LOCAL_OUT, VPC_T_DELIVER). */
#include <config.h>
#include "stage-route.h"

#include "byte-order.h"
#include "flow-table.h"
#include "openvswitch/match.h"
#include "packets.h"
#include "pipeline.h"
#include "pl-actions.h"
#include "stage-punt.h"
#include "vpc-pipeline.h"

/* Adds to 'out' the flows that deliver what VPC_T_BIND finds, and those
 * that drop routed packets whose TTL would expire, the same for every VPC,
 * building actions in 'a'. */
void
pl_route_build_static(struct vpc_flow_table *out, struct ofpbuf *a)
{
    struct match match;

    /* IP inside the VPC, from a VM port or a gateway... */
    match_init_catchall(&match);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    pl_put_bind_lookup(a, MFF_IPV4_DST, VPC_T_TO_TUNNEL);
    pl_add_flow(out, VPC_T_DEST, VPC_PRIO_MATCH, 0, &match, a);

    /* ...to a port on another chassis: out the tunnel to its chassis, with
     * the VPC's key (all of metadata, which holds nothing else). */
    match_set_reg_masked(&match, VPC_MFF_BIND - MFF_REG0, VPC_BIND_REMOTE,
                         VPC_BIND_REMOTE);
    pl_put_tunnel_out(a);
    pl_add_flow(out, VPC_T_TO_TUNNEL, VPC_PRIO_MATCH, 0, &match, a);

    /* From a tunnel: only to a port here. */
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    pl_put_bind_lookup(a, MFF_IPV4_DST, VPC_T_TO_PORT);
    pl_add_flow(out, VPC_T_LOCAL_OUT, VPC_PRIO_MATCH, 0, &match, a);

    /* To a port here, once its security groups allowed it (VPC_T_TO_PORT
     * and stage-sg.c). */
    match_set_reg_masked(&match, VPC_MFF_BIND - MFF_REG0, VPC_BIND_LOCAL,
                         VPC_BIND_LOCAL);
    pl_put_move_bits(a, VPC_MFF_BIND_MAC, 0, MFF_ETH_DST, 0, 48);
    pl_put_output_bind(a);
    pl_add_flow(out, VPC_T_DELIVER, VPC_PRIO_MATCH, 0, &match, a);

    /* A routed packet whose TTL would expire is dropped here rather than by
     * dec_ttl, which would send it to a controller. */
    for (uint8_t ttl = 0; ttl <= 1; ttl++) {
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        match_set_nw_ttl(&match, ttl);
        pl_add_flow(out, VPC_T_L3_ADMIT, VPC_PRIO_MATCH - 5, 0, &match, a);
    }
}

/* Adds to 'out' the route of VPC 'key' into its subnet 'sn', building
 * actions in 'a': the subnet's gateway is the new source MAC, and its
 * network ACL, if any, judges what enters. */
void
pl_route_build_to_subnet(struct vpc_flow_table *out, uint64_t md,
                         const struct vpc_pl_subnet *sn, struct ofpbuf *a)
{
    struct match match;

    match_init_catchall(&match);
    pl_match_vpc(&match, md);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_dst_masked(&match, sn->network, sn->mask);
    pl_put_set_mac(a, MFF_ETH_SRC, sn->gateway_mac);
    if (sn->nacl) {
        pl_put_set_be32(a, VPC_MFF_NACL, htonl(sn->nacl));
        pl_put_goto(a, VPC_T_NACL_IN);
    } else {
        pl_put_goto(a, VPC_T_DEST);
    }
    pl_add_flow(out, VPC_T_ROUTE,
                VPC_PRIO_ROUTE_FOR(ip_count_cidr_bits(sn->mask), 1),
                vpc_cookie_from_uuid(&sn->uuid), &match, a);
}

/* Adds to 'out' the flows of 'sn', a subnet of 'vpc', on a host, building
 * actions in 'a': its gateway's answers, traffic inside the subnet, and
 * routing out of it and into it. */
void
pl_route_build_subnet(struct vpc_flow_table *out,
                      const struct vpc_pl_vpc *vpc,
                      const struct vpc_pl_subnet *sn, struct ofpbuf *a)
{
    uint64_t cookie = vpc_cookie_from_uuid(&sn->uuid);
    uint32_t key = vpc->tunnel_key;
    struct match match;

    /* The gateway answers ping: swap addresses, echo reply, same port. */
    match_init_catchall(&match);
    pl_match_vpc(&match, key);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_proto(&match, IPPROTO_ICMP);
    match_set_icmp_type(&match, ICMP4_ECHO_REQUEST);
    match_set_icmp_code(&match, 0);
    match_set_nw_dst(&match, sn->gateway_ip);
    pl_put_move(a, MFF_ETH_SRC, MFF_ETH_DST);
    pl_put_set_mac(a, MFF_ETH_SRC, sn->gateway_mac);
    pl_put_move(a, MFF_IPV4_SRC, MFF_IPV4_DST);
    pl_put_set_be32(a, MFF_IPV4_SRC, sn->gateway_ip);
    uint8_t ttl = 64, type = ICMP4_ECHO_REPLY;
    pl_put_set_field(a, MFF_IP_TTL, &ttl);
    pl_put_set_field(a, MFF_ICMPV4_TYPE, &type);
    pl_put_output(a, OFPP_IN_PORT);
    pl_add_flow(out, VPC_T_ROUTER, VPC_PRIO_MATCH, cookie, &match, a);

    /* Anything else addressed to the gateway goes on as same-subnet
     * traffic and finds no port: dropped without a flow of its own. */

    /* From a port of this subnet: to an address of the subnet, on... */
    uint32_t subnet_id = ntohl(sn->network);
    pl_match_vpc(&match, key);
    match_set_reg(&match, VPC_MFF_SRC_SUBNET - MFF_REG0, subnet_id);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_dst_masked(&match, sn->network, sn->mask);
    pl_put_goto(a, VPC_T_DEST);
    pl_add_flow(out, VPC_T_L3_ADMIT, VPC_PRIO_MATCH, cookie, &match, a);

    /* ...elsewhere, through the gateway's MAC: routed. */
    pl_match_vpc(&match, key);
    match_set_reg(&match, VPC_MFF_SRC_SUBNET - MFF_REG0, subnet_id);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_dl_dst(&match, sn->gateway_mac);
    pl_put_dec_ttl(a);
    if (sn->route_table) {
        pl_put_set_be32(a, VPC_MFF_ROUTE_TABLE, htonl(sn->route_table));
    }
    if (sn->nacl) {
        pl_put_set_be32(a, VPC_MFF_NACL, htonl(sn->nacl));
        pl_put_goto(a, VPC_T_NACL_OUT);
    } else {
        pl_put_goto(a, VPC_T_ROUTE);
    }
    pl_add_flow(out, VPC_T_L3_ADMIT, VPC_PRIO_MATCH - 10, cookie, &match, a);

    pl_route_build_to_subnet(out, pl_vpc_md(vpc), sn, a);
}

/* Adds to 'out' the default route of 'vpc' on a host, building actions in
 * 'a'.  What is inside the VPC's address space but in no subnet is
 * dropped; everything else goes to the active gateway, chosen by the
 * fast-failover group of the VPC's gateway group, with the VPC's tunnel
 * key.  Only for a host whose fast-failover group exists: one that reaches
 * a gateway of the group (see pl_gw_host_reaches_group()). */
void
pl_route_build_default(struct vpc_flow_table *out,
                       const struct vpc_pl_vpc *vpc, struct ofpbuf *a)
{
    uint64_t cookie = vpc_cookie_from_uuid(&vpc->uuid);
    struct match match;

    match_init_catchall(&match);
    for (size_t i = 0; i < vpc->n_cidrs; i++) {
        pl_match_vpc(&match, vpc->tunnel_key);
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        match_set_nw_dst_masked(&match, vpc->cidrs[i].network,
                                vpc->cidrs[i].mask);
        pl_add_flow(out, VPC_T_ROUTE,
                    VPC_PRIO_ROUTE_FOR(
                        ip_count_cidr_bits(vpc->cidrs[i].mask), 0),
                    cookie, &match, a);
    }
    pl_match_vpc(&match, vpc->tunnel_key);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    if (vpc->mtu) {
        /* Within the VPC's MTU only (stage-punt.c). */
        pl_punt_put_mtu_check(a, vpc, VPC_FLAG_TO_GATEWAY);
        pl_add_flow(out, VPC_T_ROUTE, VPC_PRIO_ROUTE, cookie, &match, a);

        pl_match_vpc(&match, vpc->tunnel_key);
        match_set_reg_masked(&match, VPC_MFF_FLAGS - MFF_REG0,
                             VPC_FLAG_TO_GATEWAY, VPC_FLAG_TO_GATEWAY);
        pl_put_tun_id(a, vpc->tunnel_key);
        pl_put_group(a, vpc->gw->ff_group_id);
        pl_add_flow(out, VPC_T_MTU, VPC_PRIO_MATCH + 5, cookie, &match, a);
    } else {
        pl_put_tun_id(a, vpc->tunnel_key);
        pl_put_group(a, vpc->gw->ff_group_id);
        pl_add_flow(out, VPC_T_ROUTE, VPC_PRIO_ROUTE, cookie, &match, a);
    }
}
