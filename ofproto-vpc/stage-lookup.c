/* ARP and address lookup of the VPC pipeline: one flow per address a VPC
 * knows, in VPC_T_BIND, that serves ARP, routing and delivery alike; and
 * the ARP responder (VPC_T_ARP, VPC_T_ARP_REPLY). */
#include <config.h>
#include "stage-lookup.h"

#include "byte-order.h"
#include "flow.h"
#include "flow-table.h"
#include "openvswitch/match.h"
#include "packets.h"
#include "pipeline.h"
#include "pl-actions.h"
#include "stage-migrate.h"
#include "vpc-pipeline.h"

/* Adds to 'out' the flows of the ARP responder, the same for every VPC,
 * building actions in 'a'. */
void
pl_lookup_build_static(struct vpc_flow_table *out, struct ofpbuf *a)
{
    struct match match;

    /* ARP that the responder did not answer (replies, gratuitous ARP,
     * requests for unknown addresses) goes no further: no scanning, no
     * spoofing of other hosts' caches. */
    match_init_catchall(&match);
    match_set_dl_type(&match, htons(ETH_TYPE_ARP));
    pl_add_flow(out, VPC_T_ARP, VPC_PRIO_CATCH, 0, &match, a);

    /* ARP requests: answered if the address is known, with its MAC. */
    match_set_dl_type(&match, htons(ETH_TYPE_ARP));
    match_set_nw_proto(&match, ARP_OP_REQUEST);
    pl_put_bind_lookup(a, MFF_ARP_TPA, VPC_T_ARP_REPLY);
    pl_add_flow(out, VPC_T_ARP, VPC_PRIO_MATCH, 0, &match, a);

    match_set_dl_type(&match, htons(ETH_TYPE_ARP));
    match_set_nw_proto(&match, ARP_OP_REQUEST);
    match_set_reg_masked(&match, VPC_MFF_BIND - MFF_REG0, VPC_BIND_FOUND,
                         VPC_BIND_FOUND);
    pl_put_move(a, MFF_ETH_SRC, MFF_ETH_DST);
    pl_put_move_bits(a, VPC_MFF_BIND_MAC, 0, MFF_ETH_SRC, 0, 48);
    uint16_t op = htons(ARP_OP_REPLY);
    pl_put_set_field(a, MFF_ARP_OP, &op);
    pl_put_move(a, MFF_ARP_SHA, MFF_ARP_THA);
    pl_put_move(a, MFF_ARP_SPA, MFF_ARP_TPA);
    pl_put_move_bits(a, VPC_MFF_BIND_MAC, 0, MFF_ARP_SHA, 0, 48);
    pl_put_move(a, VPC_MFF_LOOKUP_IP, MFF_ARP_SPA);
    pl_put_output(a, OFPP_IN_PORT);
    pl_add_flow(out, VPC_T_ARP_REPLY, VPC_PRIO_MATCH, 0, &match, a);
}

/* Address 'ip' of VPC 'key' is known, with MAC 'mac', on another chassis
 * behind 'encap_ip' through tunnel port 'ofport' (VPC_BIND_REMOTE), on this
 * chassis behind port 'ofport' (VPC_BIND_LOCAL), or nowhere to deliver to
 * ('where' 0: ARP is answered, IP dropped).  With 'arriving', the port is
 * migrating here: where it arrived, if it did, overrides that. */
static void
build_bind(struct vpc_flow_table *out, uint64_t md, uint64_t cookie,
           ovs_be32 ip, struct eth_addr mac, uint32_t where,
           ofp_port_t ofport, ovs_be32 encap_ip, bool arriving,
           struct ofpbuf *a)
{
    struct match match;

    match_init_catchall(&match);
    pl_match_vpc(&match, md);
    match_set_reg(&match, VPC_MFF_LOOKUP_IP - MFF_REG0, ntohl(ip));

    ovs_be64 mac64 = htonll(eth_addr_to_uint64(mac));
    pl_put_set_field(a, VPC_MFF_BIND_MAC, &mac64);
    if (where == VPC_BIND_REMOTE) {
        pl_put_set_be32(a, VPC_MFF_BIND_TUN_DST, encap_ip);
    }
    uint32_t bind = VPC_BIND_FOUND | (where ? where | ofp_to_u16(ofport) : 0);
    pl_put_set_be32(a, VPC_MFF_BIND, htonl(bind));
    if (arriving) {
        pl_migrate_put_arrival(a);
    }
    pl_add_flow(out, VPC_T_BIND, VPC_PRIO_MATCH, cookie, &match, a);
}

/* Adds to 'out' the address of the gateway of 'sn', a subnet of 'vpc', in
 * VPC_T_BIND, building actions in 'a'.  ARP for it is answered; IP to it
 * is delivered nowhere. */
void
pl_lookup_build_subnet(struct vpc_flow_table *out,
                       const struct vpc_pl_vpc *vpc,
                       const struct vpc_pl_subnet *sn, struct ofpbuf *a)
{
    uint64_t cookie = vpc_cookie_from_uuid(&sn->uuid);

    build_bind(out, pl_vpc_md(vpc), cookie, sn->gateway_ip, sn->gateway_mac,
               0, 0, 0, false, a);
}

/* Adds to 'out' the addresses of 'port' of 'vpc' in VPC_T_BIND on
 * 'chassis', building actions in 'a': known everywhere in the VPC, and
 * where to deliver them if the port is bound and reachable. */
void
pl_lookup_build_port(struct vpc_flow_table *out,
                     const struct vpc_pl_chassis *chassis,
                     const struct vpc_pl_vpc *vpc,
                     const struct vpc_pl_port *port, struct ofpbuf *a)
{
    uint64_t cookie = vpc_cookie_from_uuid(&port->uuid);
    uint32_t where = 0;
    ofp_port_t ofport = 0;

    if (!port->chassis) {
        /* Unbound: answered for, not delivered. */
    } else if (port->chassis == chassis->self) {
        if (port->ofport) {
            where = VPC_BIND_LOCAL;
            ofport = port->ofport;
        }
    } else if (chassis->tunnel_ofport[port->encap] && port->encap_ip) {
        where = VPC_BIND_REMOTE;
        ofport = chassis->tunnel_ofport[port->encap];
    }
    bool arriving = pl_migrate_awaits(chassis, port);
    for (size_t i = 0; i < port->n_ips; i++) {
        build_bind(out, pl_vpc_md(vpc), cookie, port->ips[i], port->mac,
                   where, ofport, port->encap_ip, arriving, a);
    }
}
