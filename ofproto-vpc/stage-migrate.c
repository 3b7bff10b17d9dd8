/* Live migration of a port from one chassis (the source, where it is
 * bound) to another (the destination), with no controller on the data
 * path.  See vpc(5), Port options:migration_destination.
 *
 * The destination cannot know the OpenFlow port of the VM's interface
 * before the interface appears, so it is prepared for the port's MAC
 * instead, from any port that is not a tunnel (tun_id 0):
 *
 *   - VPC_T_CLASSIFY: the MAC's frames enter the port's VPC, and each one
 *     (the first is the hypervisor's RARP or gratuitous ARP, or any packet
 *     the VM sends) learns into VPC_T_MIGRANT which OpenFlow port it came
 *     from.  'delete_learned': when the controller removes this flow (the
 *     port is bound here, or the migration is over), what it learned goes
 *     with it.
 *   - VPC_T_PORT_SEC: source IP and ARP sender checked by MAC.
 *   - VPC_T_BIND: the port's addresses look VPC_T_MIGRANT up after their
 *     usual answer (stage-lookup.c), so that once the port has spoken here
 *     it is delivered here, in its OpenFlow port's conntrack zone.
 *   - Security groups: the port's clauses match its MAC instead of its
 *     OpenFlow port (stage-sg.c).
 *
 * The source, as long as the port is bound there, delivers as usual and
 * also sends a copy of everything for the port to the destination (before
 * its own conntrack), which drops it until the port has arrived there: what
 * reaches the source after the VM left (other chassis still send there
 * until the controller moves the binding) is not lost, and a destination
 * whose interface exists before the VM runs there (as with a hypervisor's
 * live migration) delivers from the VM's first packet on.  Once the port
 * is bound elsewhere, the source still forwards to the destination what
 * reaches it from a tunnel for the port: the controller tells every
 * chassis, but not all at the same instant. */
#include <config.h>
#include "stage-migrate.h"

#include "byte-order.h"
#include "flow.h"
#include "flow-table.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "packets.h"
#include "pipeline.h"
#include "pl-actions.h"
#include "stage-sg.h"
#include "vpc-pipeline.h"

/* Is 'chassis' the destination of a migration of 'port' that has not
 * arrived yet (is not bound here with an OpenFlow port)? */
bool
pl_migrate_awaits(const struct vpc_pl_chassis *chassis,
                  const struct vpc_pl_port *port)
{
    return (port->migrate_to && port->migrate_to == chassis->self
            && !chassis->gateway
            && !(port->chassis == chassis->self && port->ofport));
}

/* Was 'chassis' the source of a migration of 'port', which is bound
 * elsewhere now? */
static bool
is_former_source(const struct vpc_pl_chassis *chassis,
                 const struct vpc_pl_port *port)
{
    return (port->migrate_to && port->migrate_from == chassis->self
            && port->migrate_to != chassis->self
            && port->chassis != chassis->self);
}

/* Does 'chassis' need the flows of the VPC of 'port' for the port's
 * migration, whether it has a port of the VPC or not: is it the
 * destination, waiting for it, or the source, which it left? */
bool
pl_migrate_needs_vpc(const struct vpc_pl_chassis *chassis,
                     const struct vpc_pl_port *port)
{
    return (pl_migrate_awaits(chassis, port)
            || is_former_source(chassis, port));
}

/* Appends to 'a', after the port's answer in VPC_T_BIND, the lookup of
 * where it arrived (if it did). */
void
pl_migrate_put_arrival(struct ofpbuf *a)
{
    pl_put_resubmit(a, VPC_T_MIGRANT);
}

/* The destination's flows for 'port' of 'vpc', which has not arrived. */
static void
build_destination(struct vpc_flow_table *out, const struct vpc_pl_vpc *vpc,
                  const struct vpc_pl_port *port, struct ofpbuf *a)
{
    const struct vpc_pl_subnet *sn = &vpc->subnets[port->subnet];
    uint64_t cookie = vpc_cookie_from_uuid(&port->uuid);
    struct match match;

    /* Its MAC from a port that is no tunnel: learn where it is, enter the
     * VPC.  (Below the ports' own flows, which match their OpenFlow
     * port.) */
    match_init_catchall(&match);
    match_set_tun_id(&match, htonll(0));
    match_set_dl_src(&match, port->mac);
    pl_put_parsed(a, "learn(table=%d,priority=%d,delete_learned,"
                  "cookie=%#"PRIx64",OXM_OF_METADATA[]=%#"PRIx32","
                  "OXM_OF_PKT_REG2[0..47]=%#"PRIx64","
                  "load:%#"PRIx32"->NXM_NX_REG7[16..31],"
                  "load:NXM_OF_IN_PORT[]->NXM_NX_REG7[0..15])",
                  VPC_T_MIGRANT, VPC_PRIO_MATCH, VPC_COOKIE_MIGRANT | cookie,
                  vpc->tunnel_key, eth_addr_to_uint64(port->mac),
                  (VPC_BIND_FOUND | VPC_BIND_LOCAL) >> 16);
    pl_put_set_vpc_key(a, vpc->tunnel_key);
    pl_put_set_be32(a, VPC_MFF_SRC_SUBNET, sn->network);
    pl_put_goto(a, VPC_T_PORT_SEC);
    pl_add_flow(out, VPC_T_CLASSIFY, VPC_PRIO_MATCH - 10, cookie, &match, a);

    for (size_t i = 0; i < port->n_ips; i++) {
        /* IPv4 from its own address only, and ARP that claims only its
         * own MAC and address. */
        pl_match_vpc(&match, vpc->tunnel_key);
        match_set_dl_src(&match, port->mac);
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        match_set_nw_src(&match, port->ips[i]);
        pl_put_goto(a, VPC_T_ARP);
        pl_add_flow(out, VPC_T_PORT_SEC, VPC_PRIO_MATCH - 10, cookie, &match,
                    a);

        pl_match_vpc(&match, vpc->tunnel_key);
        match_set_dl_src(&match, port->mac);
        match_set_dl_type(&match, htons(ETH_TYPE_ARP));
        match_set_nw_src(&match, port->ips[i]);
        match_set_arp_sha(&match, port->mac);
        pl_put_goto(a, VPC_T_ARP);
        pl_add_flow(out, VPC_T_PORT_SEC, VPC_PRIO_MATCH - 10, cookie, &match,
                    a);
    }
}

/* The source's delivery to 'port' of 'vpc', bound here: a copy to the
 * destination through tunnel port 'tunnel', then on as usual.  The copy
 * leaves before conntrack: the destination judges it in its own zone for
 * the port, and this chassis' zone, which no longer sees what the VM sends
 * once it has left, does not get to call the replies invalid. */
static void
build_source(struct vpc_flow_table *out, const struct vpc_pl_vpc *vpc,
             const struct vpc_pl_port *port, ofp_port_t tunnel,
             struct ofpbuf *a)
{
    uint64_t cookie = vpc_cookie_from_uuid(&port->uuid);
    uint32_t bind = VPC_BIND_LOCAL | ofp_to_u16(port->ofport);
    struct match match;

    /* OVS never outputs a packet to the port it came in on, except with
     * output:IN_PORT: one flow for what came from that tunnel port, one
     * for the rest. */
    for (int from_tunnel = 1; from_tunnel >= 0; from_tunnel--) {
        match_init_catchall(&match);
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        match_set_reg_masked(&match, VPC_MFF_BIND - MFF_REG0, bind,
                             VPC_BIND_LOCAL | 0xffff);
        if (from_tunnel) {
            match_set_in_port(&match, tunnel);
        }
        size_t ofs = a->size;
        ofpact_put_CLONE(a);
        pl_put_move_bits(a, VPC_MFF_BIND_MAC, 0, MFF_ETH_DST, 0, 48);
        pl_put_tun_id(a, vpc->tunnel_key);
        pl_put_set_be32(a, MFF_TUN_DST, port->migrate_encap_ip);
        pl_put_output(a, from_tunnel ? OFPP_IN_PORT : tunnel);
        struct ofpact_nest *clone = ofpbuf_at_assert(a, ofs, sizeof *clone);
        a->header = clone;
        ofpact_finish_CLONE(a, &clone);
        pl_sg_put_ingress(a);
        pl_add_flow(out, VPC_T_TO_PORT, VPC_PRIO_MATCH + 10 + from_tunnel,
                    cookie, &match, a);
    }
}

/* The source's forwarding of what reaches it from a tunnel for 'port' of
 * 'vpc', now bound elsewhere, to the destination through tunnel port
 * 'tunnel': until every chassis has heard that the port moved, some still
 * send to the source, which would drop it (nothing that came from a
 * tunnel goes out of one otherwise). */
static void
build_former_source(struct vpc_flow_table *out,
                    const struct vpc_pl_vpc *vpc,
                    const struct vpc_pl_port *port, ofp_port_t tunnel,
                    struct ofpbuf *a)
{
    uint64_t cookie = vpc_cookie_from_uuid(&port->uuid);
    struct match match;

    for (int from_tunnel = 1; from_tunnel >= 0; from_tunnel--) {
        match_init_catchall(&match);
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        match_set_reg_masked(&match, VPC_MFF_BIND - MFF_REG0,
                             VPC_BIND_REMOTE, VPC_BIND_REMOTE);
        match_set_xreg(&match, VPC_MFF_BIND_MAC - MFF_XREG0,
                       eth_addr_to_uint64(port->mac));
        if (from_tunnel) {
            match_set_in_port(&match, tunnel);
        }
        pl_put_move_bits(a, VPC_MFF_BIND_MAC, 0, MFF_ETH_DST, 0, 48);
        pl_put_tun_id(a, vpc->tunnel_key);
        pl_put_set_be32(a, MFF_TUN_DST, port->migrate_encap_ip);
        pl_put_output(a, from_tunnel ? OFPP_IN_PORT : tunnel);
        pl_add_flow(out, VPC_T_TO_PORT, VPC_PRIO_MATCH + 10 + from_tunnel,
                    cookie, &match, a);
    }
}

/* Adds to 'out' the flows of 'port' of 'vpc' on 'chassis' for its
 * migration, if it is migrating: on the destination, until it arrives;
 * on the source, while it is bound there.  Builds actions in 'a'. */
void
pl_migrate_build_port(struct vpc_flow_table *out,
                      const struct vpc_pl_chassis *chassis,
                      const struct vpc_pl_vpc *vpc,
                      const struct vpc_pl_port *port, struct ofpbuf *a)
{
    ofp_port_t tunnel = chassis->tunnel_ofport[port->migrate_encap];

    if (!port->migrate_to) {
        return;
    } else if (pl_migrate_awaits(chassis, port)) {
        build_destination(out, vpc, port, a);
    } else if (port->migrate_to == chassis->self || !port->migrate_encap_ip
               || !tunnel) {
        /* Arrived, or no way there. */
    } else if (port->chassis == chassis->self && port->ofport) {
        build_source(out, vpc, port, tunnel, a);
    } else if (is_former_source(chassis, port)) {
        build_former_source(out, vpc, port, tunnel, a);
    }
}
