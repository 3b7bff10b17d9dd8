/* Classification and port security of the VPC pipeline: VPC_T_CLASSIFY
 * and VPC_T_PORT_SEC on a host.  (A gateway classifies in
 * stage-gateway.c.) */
#include <config.h>
#include "stage-classify.h"

#include "byte-order.h"
#include "flow-table.h"
#include "openvswitch/match.h"
#include "packets.h"
#include "pipeline.h"
#include "pl-actions.h"
#include "vpc-pipeline.h"

/* Adds to 'out' the classification of packets from a tunnel into 'vpc' on
 * a host, building actions in 'a'. */
void
pl_classify_build_tunnel(struct vpc_flow_table *out,
                         const struct vpc_pl_vpc *vpc, struct ofpbuf *a)
{
    uint64_t cookie = vpc_cookie_from_uuid(&vpc->uuid);
    struct match match;

    /* From a tunnel (the flow-based port, or a gateway's port), the tunnel
     * key selects the VPC: a packet from a VM port has tunnel ID 0, which
     * no VPC has.  Only local delivery follows (the sender did port
     * security and routing). */
    match_init_catchall(&match);
    match_set_tun_id(&match, htonll(vpc->tunnel_key));
    pl_put_set_vpc_key(a, vpc->tunnel_key);
    pl_put_goto(a, VPC_T_LOCAL_OUT);
    pl_add_flow(out, VPC_T_CLASSIFY, VPC_PRIO_MATCH, cookie, &match, a);
}

/* Adds to 'out' the classification and port security of 'port', a port of
 * 'vpc' bound to this chassis, building actions in 'a'. */
void
pl_classify_build_port(struct vpc_flow_table *out,
                       const struct vpc_pl_vpc *vpc,
                       const struct vpc_pl_port *port, struct ofpbuf *a)
{
    const struct vpc_pl_subnet *sn = &vpc->subnets[port->subnet];
    uint64_t cookie = vpc_cookie_from_uuid(&port->uuid);
    struct match match;

    /* Frames from the port with its own source MAC enter the VPC. */
    match_init_catchall(&match);
    match_set_in_port(&match, port->ofport);
    match_set_dl_src(&match, port->mac);
    pl_put_set_vpc_key(a, vpc->tunnel_key);
    pl_put_set_be32(a, VPC_MFF_SRC_SUBNET, sn->network);
    pl_put_goto(a, VPC_T_PORT_SEC);
    pl_add_flow(out, VPC_T_CLASSIFY, VPC_PRIO_MATCH, cookie, &match, a);

    for (size_t i = 0; i < port->n_ips; i++) {
        /* IPv4 from its own address only... */
        match_set_in_port(&match, port->ofport);
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        match_set_nw_src(&match, port->ips[i]);
        pl_put_goto(a, VPC_T_ARP);
        pl_add_flow(out, VPC_T_PORT_SEC, VPC_PRIO_MATCH, cookie, &match, a);

        /* ...and ARP that claims only its own MAC and address. */
        match_set_in_port(&match, port->ofport);
        match_set_dl_type(&match, htons(ETH_TYPE_ARP));
        match_set_nw_src(&match, port->ips[i]);
        match_set_arp_sha(&match, port->mac);
        pl_put_goto(a, VPC_T_ARP);
        pl_add_flow(out, VPC_T_PORT_SEC, VPC_PRIO_MATCH, cookie, &match, a);
    }
}
