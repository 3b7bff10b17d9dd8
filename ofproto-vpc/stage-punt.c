/* Packets the pipeline hands to a controller, because no flow can answer
 * them: a VM port's DHCP requests (in VPC_T_PORT_SEC) and packets too big
 * for the tunnel they would leave by (VPC_T_MTU), which get an ICMP
 * "fragmentation needed" back.  Only flows that match exactly what is
 * expected punt, and every punt goes through the meter of its kind
 * (pipeline.h), so that a VM cannot load the controllers. */
#include <config.h>
#include "stage-punt.h"

#include "byte-order.h"
#include "flow-table.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "packets.h"
#include "pipeline.h"
#include "pl-actions.h"
#include "vpc-pipeline.h"

/* The DHCP messages a controller needs whole; for a packet that is too
 * big, its headers are enough to quote in the ICMP error (RFC 1812 asks
 * for no more than 576 bytes in all). */
#define PUNT_MAX_LEN_DHCP UINT16_MAX
#define PUNT_MAX_LEN_TOO_BIG (14 + 548)

/* Appends to 'a' a punt of 'kind' with argument 'arg' through 'meter'. */
static void
put_punt(struct ofpbuf *a, enum vpc_punt kind, uint32_t arg,
         uint32_t meter, uint16_t max_len)
{
    struct vpc_punt_userdata ud = { htonl(kind), htonl(arg) };
    struct ofpact_controller *oc = ofpact_put_CONTROLLER(a);

    oc->max_len = max_len;
    oc->reason = OFPR_ACTION;
    oc->meter_id = meter;
    oc->userdata_len = sizeof ud;
    ofpbuf_put(a, &ud, sizeof ud);
    oc = a->header;
    ofpact_finish_CONTROLLER(a, &oc);
}

/* Adds to 'out' the flows of VPC_T_MTU that are the same for every VPC,
 * building actions in 'a': what fits goes out the tunnel to its port's
 * chassis. */
void
pl_punt_build_static(struct vpc_flow_table *out, struct ofpbuf *a)
{
    struct match match;

    match_init_catchall(&match);
    match_set_reg_masked(&match, VPC_MFF_BIND - MFF_REG0, VPC_BIND_REMOTE,
                         VPC_BIND_REMOTE);
    pl_put_tunnel_out(a);
    pl_add_flow(out, VPC_T_MTU, VPC_PRIO_MATCH, 0, &match, a);
}

/* Adds to 'out' the punt of the DHCP requests of 'port', a port of 'vpc'
 * bound here, if its subnet's server is on, building actions in 'a'.
 * (VPC_T_CLASSIFY has checked the source MAC.) */
void
pl_punt_build_dhcp(struct vpc_flow_table *out, const struct vpc_pl_vpc *vpc,
                   const struct vpc_pl_port *port, struct ofpbuf *a)
{
    if (!vpc->subnets[port->subnet].dhcp) {
        return;
    }

    uint64_t cookie = vpc_cookie_from_uuid(&port->uuid);
    struct match match;

    /* From no address yet, or from the port's own (renewing, informing):
     * nothing else is a client of ours. */
    for (size_t i = 0; i <= port->n_ips; i++) {
        match_init_catchall(&match);
        match_set_in_port(&match, port->ofport);
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        match_set_nw_proto(&match, IPPROTO_UDP);
        match_set_nw_src(&match, i ? port->ips[i - 1] : htonl(0));
        match_set_tp_src(&match, htons(68));
        match_set_tp_dst(&match, htons(67));
        put_punt(a, VPC_PUNT_DHCP, 0, VPC_METER_DHCP, PUNT_MAX_LEN_DHCP);
        pl_add_flow(out, VPC_T_PORT_SEC, VPC_PRIO_MATCH + 10, cookie,
                    &match, a);
    }
}

/* Appends to 'a': VPC_MFF_FLAGS set to 'flags', plus VPC_FLAG_TOO_BIG if
 * the packet is larger than 'vpc''s MTU, then on to VPC_T_MTU. */
void
pl_punt_put_mtu_check(struct ofpbuf *a, const struct vpc_pl_vpc *vpc,
                      uint32_t flags)
{
    if (flags) {
        pl_put_set_be32(a, VPC_MFF_FLAGS, htonl(flags));
    }

    /* The length compared is the frame's, with its Ethernet header. */
    struct ofpact_check_pkt_larger *cpl = ofpact_put_CHECK_PKT_LARGER(a);
    cpl->pkt_len = vpc->mtu + ETH_HEADER_LEN;
    cpl->dst.field = mf_from_id(VPC_MFF_FLAGS);
    cpl->dst.ofs = 0;
    cpl->dst.n_bits = 1;
    pl_put_goto(a, VPC_T_MTU);
}

/* Adds to 'out' the flows of 'vpc', on a host, that keep what it sends
 * over a tunnel within its MTU, building actions in 'a': to a port on
 * another chassis, the size is checked first (VPC_T_TO_TUNNEL), and a
 * packet that is too big goes to the controller instead (VPC_T_MTU). */
void
pl_punt_build_mtu(struct vpc_flow_table *out, const struct vpc_pl_vpc *vpc,
                  struct ofpbuf *a)
{
    if (!vpc->mtu) {
        return;
    }

    uint64_t cookie = vpc_cookie_from_uuid(&vpc->uuid);
    struct match match;

    match_init_catchall(&match);
    pl_match_vpc(&match, pl_vpc_md(vpc));
    match_set_reg_masked(&match, VPC_MFF_BIND - MFF_REG0, VPC_BIND_REMOTE,
                         VPC_BIND_REMOTE);
    pl_punt_put_mtu_check(a, vpc, 0);
    pl_add_flow(out, VPC_T_TO_TUNNEL, VPC_PRIO_MATCH + 10, cookie, &match,
                a);

    pl_match_vpc(&match, pl_vpc_md(vpc));
    match_set_reg_masked(&match, VPC_MFF_FLAGS - MFF_REG0, VPC_FLAG_TOO_BIG,
                         VPC_FLAG_TOO_BIG);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    put_punt(a, VPC_PUNT_TOO_BIG, vpc->mtu, VPC_METER_TOO_BIG,
             PUNT_MAX_LEN_TOO_BIG);
    pl_add_flow(out, VPC_T_MTU, VPC_PRIO_MATCH + 10, cookie, &match, a);
}
