/* Packets the controller answers: see punt.h. */
#include <config.h>
#include "punt.h"

#include <string.h>
#include "chassis.h"
#include "coverage.h"
#include "csum.h"
#include "dp-packet.h"
#include "engine-private.h"
#include "flow.h"
#include "model.h"
#include "ofctrl.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "pipeline.h"
#include "port-names.h"
#include "roles.h"
#include "util.h"
#include "vpc-addr.h"
#include "vpc-idl.h"

VLOG_DEFINE_THIS_MODULE(punt);

COVERAGE_DEFINE(punt_received);
COVERAGE_DEFINE(punt_dhcp);
COVERAGE_DEFINE(punt_too_big);
COVERAGE_DEFINE(punt_over_budget);
COVERAGE_DEFINE(punt_not_owner);
COVERAGE_DEFINE(punt_malformed);
COVERAGE_DEFINE(punt_unknown_port);
COVERAGE_DEFINE(punt_too_big_icmp);
COVERAGE_DEFINE(punt_too_big_dropped);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

#define ICMP4_FRAG_NEEDED 4     /* Code of ICMP4_DST_UNREACH. */

/* Punts a chassis may have handled in one run of ours, at most. */
#define PUNT_MAX_PER_RUN 50

struct find_port_aux {
    const struct vpcrec_port *row;
};

static void
found_port(const struct vpcrec_port *row, void *aux_)
{
    struct find_port_aux *aux = aux_;
    aux->row = row;
}

/* Fills in 's' for a packet that 'ch' punted from its OpenFlow port
 * 'ofport': the port bound there, its subnet, its VPC.  Returns false if
 * no port of ours is bound there now (it moved, or went away, since). */
static bool
find_sender(struct chassis *ch, ofp_port_t ofport, struct punt_sender *s)
{
    const char *name = NULL;
    struct shash_node *node;

    SHASH_FOR_EACH (node, &ch->bound) {
        if (u16_to_ofp((uintptr_t) node->data) == ofport) {
            name = node->name;
            break;
        }
    }
    if (!name) {
        return false;
    }

    struct find_port_aux aux = { NULL };
    port_names_for_each(name, found_port, &aux);
    const struct vpcrec_port *row = aux.row;
    const struct model_binding *b
        = row ? vpc_model_find_binding(&engine_model, &row->header_.uuid)
              : NULL;
    if (!b || !b->where || strcmp(b->where->name, ch->name)
        || b->ofport != ofport || !row->subnet) {
        return false;
    }

    const struct vpcrec_subnet *sn = row->subnet;
    const struct model_vpc *mv = vpc_model_find(&engine_model, &b->vpc);
    struct vpc_cidr4 cidr;
    uint32_t gw;
    char *error = vpc_cidr4_parse(sn->cidr, &cidr);
    if (!error) {
        error = vpc_ip4_parse(sn->gateway_ip, &gw);
    }
    if (!error) {
        error = vpc_mac_parse(sn->gateway_mac, &s->gateway_mac);
    }
    if (!error) {
        error = vpc_mac_parse(row->mac, &s->mac);
    }
    if (error || !mv) {
        free(error);
        return false;
    }

    s->chassis = ch;
    s->ofport = ofport;
    s->port = row;
    s->subnet = sn;
    s->gateway_ip = htonl(gw);
    s->mask = htonl(vpc_cidr4_mask(&cidr));
    s->mtu = mv->pl.mtu;
    s->ip = 0;
    for (size_t i = 0; i < row->n_ips; i++) {
        uint32_t ip;
        error = vpc_ip4_parse(row->ips[i], &ip);
        if (!error && vpc_cidr4_contains_ip(&cidr, ip)) {
            s->ip = htonl(ip);
            break;
        }
        free(error);
    }
    return true;
}

/* Sends to 's''s port an IPv4 packet from its subnet gateway to 'ip_dst',
 * of protocol 'proto', with 'l4_len' bytes of 'l4' as payload (whose UDP
 * checksum, if it is UDP, is filled in). */
void
punt_send_ipv4(const struct punt_sender *s, ovs_be32 ip_dst, uint8_t proto,
               const void *l4, size_t l4_len)
{
    struct dp_packet packet;
    dp_packet_init(&packet, ETH_HEADER_LEN + IP_HEADER_LEN + l4_len);

    struct eth_header *eth = dp_packet_put_zeros(&packet, sizeof *eth);
    eth->eth_dst = s->mac;
    eth->eth_src = s->gateway_mac;
    eth->eth_type = htons(ETH_TYPE_IP);

    struct ip_header *ip = dp_packet_put_zeros(&packet, sizeof *ip);
    ip->ip_ihl_ver = IP_IHL_VER(5, 4);
    ip->ip_tot_len = htons(IP_HEADER_LEN + l4_len);
    ip->ip_ttl = 64;
    ip->ip_proto = proto;
    put_16aligned_be32(&ip->ip_src, s->gateway_ip);
    put_16aligned_be32(&ip->ip_dst, ip_dst);
    ip->ip_csum = csum(ip, sizeof *ip);

    void *l4_copy = dp_packet_put(&packet, l4, l4_len);
    if (proto == IPPROTO_UDP && l4_len >= UDP_HEADER_LEN) {
        struct udp_header *udp = l4_copy;
        udp->udp_csum = 0;
        uint32_t partial = packet_csum_pseudoheader(ip);
        ovs_be16 c = csum_finish(csum_continue(partial, udp, l4_len));
        udp->udp_csum = c ? c : htons(0xffff);
    }

    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    ofpact_put_OUTPUT(&ofpacts)->port = s->ofport;
    ofctrl_send_packet(s->chassis->ofctrl, &packet, ofpacts.data,
                       ofpacts.size);
    ofpbuf_uninit(&ofpacts);
    dp_packet_uninit(&packet);
}

/* A packet too big for the tunnel that 's' sent, as 'packet' (its first
 * bytes): if it says not to fragment, an ICMP "fragmentation needed" with
 * the VPC's MTU goes back, so that the sender's path MTU discovery
 * adapts; otherwise it is dropped (OVS cannot fragment it). */
static void
too_big(const struct punt_sender *s, const struct dp_packet *packet,
        uint32_t mtu)
{
    const struct ip_header *ip = dp_packet_l3(packet);
    size_t l3_size = dp_packet_l3_size(packet);

    if (!ip || l3_size < IP_HEADER_LEN || IP_VER(ip->ip_ihl_ver) != 4
        || IP_IHL(ip->ip_ihl_ver) * 4 > l3_size) {
        COVERAGE_INC(punt_malformed);
        return;
    }
    if (!(ip->ip_frag_off & htons(IP_DONT_FRAGMENT))) {
        COVERAGE_INC(punt_too_big_dropped);
        return;
    }
    if (ip->ip_proto == IPPROTO_ICMP) {
        /* No error about an error. */
        const struct icmp_header *icmp = dp_packet_l4(packet);
        if (!icmp || dp_packet_l4_size(packet) < ICMP_HEADER_LEN
            || (icmp->icmp_type != ICMP4_ECHO_REQUEST
                && icmp->icmp_type != ICMP4_ECHO_REPLY)) {
            COVERAGE_INC(punt_too_big_dropped);
            return;
        }
    }

    /* The original datagram's start: at most 576 bytes in all. */
    size_t quote = MIN(l3_size, 576 - IP_HEADER_LEN - ICMP_HEADER_LEN);
    uint8_t buf[576];
    struct icmp_header *icmp = (struct icmp_header *) buf;
    memset(icmp, 0, sizeof *icmp);
    icmp->icmp_type = ICMP4_DST_UNREACH;
    icmp->icmp_code = ICMP4_FRAG_NEEDED;
    icmp->icmp_fields.frag.mtu = htons(mtu);
    memcpy(buf + ICMP_HEADER_LEN, ip, quote);
    icmp->icmp_csum = csum(buf, ICMP_HEADER_LEN + quote);
    punt_send_ipv4(s, get_16aligned_be32(&ip->ip_src), IPPROTO_ICMP, buf,
                   ICMP_HEADER_LEN + quote);
    COVERAGE_INC(punt_too_big_icmp);
}

static void
handle_punt(struct chassis *ch, const struct ofp_header *oh)
{
    struct ofputil_packet_in pin;   /* Points into 'oh'. */
    size_t total_len;
    uint32_t buffer_id;

    COVERAGE_INC(punt_received);
    if (ofputil_decode_packet_in(oh, true, NULL, NULL, &pin, &total_len,
                                 &buffer_id, NULL)) {
        COVERAGE_INC(punt_malformed);
        return;
    }

    struct vpc_punt_userdata ud;
    if (pin.userdata_len != sizeof ud) {
        /* Not a punt of ours. */
        COVERAGE_INC(punt_malformed);
        return;
    }
    memcpy(&ud, pin.userdata, sizeof ud);

    ofp_port_t in_port = pin.flow_metadata.flow.in_port.ofp_port;
    struct punt_sender s;
    if (!find_sender(ch, in_port, &s)) {
        VLOG_DBG_RL(&rl, "chassis %s: punt from OpenFlow port %"PRIu16", "
                    "which no port is bound to", ch->name,
                    ofp_to_u16(in_port));
        COVERAGE_INC(punt_unknown_port);
        return;
    }

    struct dp_packet packet;
    dp_packet_use_const(&packet, pin.packet, pin.packet_len);
    struct flow flow;
    flow_extract(&packet, &flow);

    switch (ntohl(ud.kind)) {
    case VPC_PUNT_DHCP:
        COVERAGE_INC(punt_dhcp);
        punt_dhcp(&s, &packet);
        break;
    case VPC_PUNT_TOO_BIG:
        COVERAGE_INC(punt_too_big);
        too_big(&s, &packet, ntohl(ud.arg));
        break;
    default:
        COVERAGE_INC(punt_malformed);
        break;
    }
}

/* Answers what 'ch' punted since we last looked, if we own it, within its
 * budget. */
void
punt_run(struct chassis *ch)
{
    struct ofpbuf *msg;

    for (int i = 0; i < PUNT_MAX_PER_RUN
                    && (msg = ofctrl_recv_punt(ch->ofctrl)); i++) {
        if (!chassis_is_owned(ch)) {
            COVERAGE_INC(punt_not_owner);
        } else if (!token_bucket_withdraw(&ch->punt_budget, 1000)) {
            COVERAGE_INC(punt_over_budget);
        } else {
            handle_punt(ch, msg->data);
        }
        ofpbuf_delete(msg);
    }
}
