/* The VPC pipeline: from the desired state of one chassis to OpenFlow flows.
 * See pipeline.h for the tables and vpc-pipeline.h for the inputs. */
#include <config.h>
#include "vpc-pipeline.h"

#include "byte-order.h"
#include "flow-table.h"
#include "openvswitch/match.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "pipeline.h"
#include "util.h"

#include <string.h>

/* Returns a short name for 'table_id', for logs and dumps. */
const char *
vpc_table_name(int table_id)
{
    switch (table_id) {
    case VPC_T_CLASSIFY: return "classify";
    case VPC_T_PORT_SEC: return "port_sec";
    case VPC_T_ARP: return "arp";
    case VPC_T_ROUTER: return "router";
    case VPC_T_L3_ADMIT: return "l3_admit";
    case VPC_T_ROUTE: return "route";
    case VPC_T_DEST: return "dest";
    case VPC_T_LOCAL_OUT: return "local_out";
    default: return "unknown";
    }
}

/* Action helpers.  Each appends to 'a'. */

/* Like ofpact_put_set_field(), but every byte of the action is defined
 * (that function leaves the alignment padding of the value uninitialized),
 * so that two builds of the same flow compare equal byte for byte. */
static void
put_set_field(struct ofpbuf *a, enum mf_field_id id, const void *value)
{
    const struct mf_field *field = mf_from_id(id);
    struct ofpact_set_field *sf = ofpact_put_set_field(a, field, NULL, NULL);

    memcpy(sf->value, value, field->n_bytes);
    memset(ofpact_set_field_mask(sf), 0xff, field->n_bytes);
}

static void
put_set_be32(struct ofpbuf *a, enum mf_field_id id, ovs_be32 value)
{
    put_set_field(a, id, &value);
}

static void
put_set_mac(struct ofpbuf *a, enum mf_field_id id, struct eth_addr mac)
{
    put_set_field(a, id, &mac);
}

static void
put_set_vpc_key(struct ofpbuf *a, uint32_t key)
{
    ovs_be64 value = htonll(key);
    put_set_field(a, VPC_MFF_VPC_KEY, &value);
}

static void
put_move(struct ofpbuf *a, enum mf_field_id src, enum mf_field_id dst)
{
    struct ofpact_reg_move *move = ofpact_put_REG_MOVE(a);
    const struct mf_field *s = mf_from_id(src);
    const struct mf_field *d = mf_from_id(dst);

    move->src = (struct mf_subfield) { s, 0, s->n_bits };
    move->dst = (struct mf_subfield) { d, 0, d->n_bits };
}

static void
put_goto(struct ofpbuf *a, enum vpc_table table)
{
    ofpact_put_GOTO_TABLE(a)->table_id = table;
}

static void
put_output(struct ofpbuf *a, ofp_port_t port)
{
    ofpact_put_OUTPUT(a)->port = port;
}

/* dec_ttl in its standard form (controller id 0), which is what a switch
 * reports back, so that reconciling never sees a difference.  TTL expiry
 * never reaches it: VPC_T_L3_ADMIT drops TTL 0 and 1 first. */
static void
put_dec_ttl(struct ofpbuf *a)
{
    struct ofpact_cnt_ids *ids = ofpact_put_DEC_TTL(a);
    uint16_t id = 0;

    ofpbuf_put(a, &id, sizeof id);
    ids = a->header;
    ids->n_controllers = 1;
    ofpact_finish_DEC_TTL(a, &ids);
}

/* Adds a flow and resets 'match' and 'a' for the next one. */
static void
add_flow(struct vpc_flow_table *out, enum vpc_table table, uint16_t priority,
         uint64_t cookie, struct match *match, struct ofpbuf *a)
{
    vpc_flow_table_add(out, table, priority, cookie, match, a->data,
                       a->size);
    match_init_catchall(match);
    ofpbuf_clear(a);
}

static void
match_vpc(struct match *match, uint32_t key)
{
    match_set_metadata(match, htonll(key));
}

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
        { VPC_T_ROUTER, VPC_T_L3_ADMIT },
        { VPC_T_L3_ADMIT, -1 },
        { VPC_T_ROUTE, -1 },
        { VPC_T_DEST, VPC_T_LOCAL_OUT },
        { VPC_T_LOCAL_OUT, -1 },
    };
    uint64_t stub[1024 / 8];
    struct ofpbuf a = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    match_init_catchall(&match);
    for (size_t i = 0; i < ARRAY_SIZE(misses); i++) {
        if (misses[i].next >= 0) {
            put_goto(&a, misses[i].next);
        }
        add_flow(out, misses[i].table, VPC_PRIO_DEFAULT, 0, &match, &a);
    }

    /* ARP that the responder did not answer (replies, gratuitous ARP,
     * requests for unknown addresses) goes no further: no scanning, no
     * spoofing of other hosts' caches. */
    match_set_dl_type(&match, htons(ETH_TYPE_ARP));
    add_flow(out, VPC_T_ARP, VPC_PRIO_CATCH, 0, &match, &a);

    /* A routed packet whose TTL would expire is dropped here rather than by
     * dec_ttl, which would send it to a controller. */
    for (uint8_t ttl = 0; ttl <= 1; ttl++) {
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        match_set_nw_ttl(&match, ttl);
        add_flow(out, VPC_T_L3_ADMIT, VPC_PRIO_MATCH - 5, 0, &match, &a);
    }
    ofpbuf_uninit(&a);
}

/* ARP request for 'ip' answered with 'mac', straight back out the port it
 * came in on. */
static void
build_arp_reply(struct vpc_flow_table *out, uint32_t key, uint64_t cookie,
                ovs_be32 ip, struct eth_addr mac, struct ofpbuf *a)
{
    struct match match;

    match_init_catchall(&match);
    match_vpc(&match, key);
    match_set_dl_type(&match, htons(ETH_TYPE_ARP));
    match_set_nw_proto(&match, ARP_OP_REQUEST);
    match_set_nw_dst(&match, ip);

    put_move(a, MFF_ETH_SRC, MFF_ETH_DST);
    put_set_mac(a, MFF_ETH_SRC, mac);
    uint16_t op = htons(ARP_OP_REPLY);
    put_set_field(a, MFF_ARP_OP, &op);
    put_move(a, MFF_ARP_SHA, MFF_ARP_THA);
    put_move(a, MFF_ARP_SPA, MFF_ARP_TPA);
    put_set_mac(a, MFF_ARP_SHA, mac);
    put_set_be32(a, MFF_ARP_SPA, ip);
    put_output(a, OFPP_IN_PORT);
    add_flow(out, VPC_T_ARP, VPC_PRIO_MATCH, cookie, &match, a);
}

static void
build_subnet(struct vpc_flow_table *out, const struct vpc_pl_vpc *vpc,
             const struct vpc_pl_subnet *sn, struct ofpbuf *a)
{
    uint64_t cookie = vpc_cookie_from_uuid(&sn->uuid);
    uint32_t key = vpc->tunnel_key;
    struct match match;

    build_arp_reply(out, key, cookie, sn->gateway_ip, sn->gateway_mac, a);

    /* The gateway answers ping: swap addresses, echo reply, same port. */
    match_init_catchall(&match);
    match_vpc(&match, key);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_proto(&match, IPPROTO_ICMP);
    match_set_icmp_type(&match, ICMP4_ECHO_REQUEST);
    match_set_icmp_code(&match, 0);
    match_set_nw_dst(&match, sn->gateway_ip);
    put_move(a, MFF_ETH_SRC, MFF_ETH_DST);
    put_set_mac(a, MFF_ETH_SRC, sn->gateway_mac);
    put_move(a, MFF_IPV4_SRC, MFF_IPV4_DST);
    put_set_be32(a, MFF_IPV4_SRC, sn->gateway_ip);
    uint8_t ttl = 64, type = ICMP4_ECHO_REPLY;
    put_set_field(a, MFF_IP_TTL, &ttl);
    put_set_field(a, MFF_ICMPV4_TYPE, &type);
    put_output(a, OFPP_IN_PORT);
    add_flow(out, VPC_T_ROUTER, VPC_PRIO_MATCH, cookie, &match, a);

    /* Anything else addressed to the gateway goes on as same-subnet
     * traffic and finds no port: dropped without a flow of its own. */

    /* From a port of this subnet: to an address of the subnet, on... */
    uint32_t subnet_id = ntohl(sn->network);
    match_vpc(&match, key);
    match_set_reg(&match, VPC_MFF_SRC_SUBNET - MFF_REG0, subnet_id);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_dst_masked(&match, sn->network, sn->mask);
    put_goto(a, VPC_T_DEST);
    add_flow(out, VPC_T_L3_ADMIT, VPC_PRIO_MATCH, cookie, &match, a);

    /* ...elsewhere, through the gateway's MAC: routed. */
    match_vpc(&match, key);
    match_set_reg(&match, VPC_MFF_SRC_SUBNET - MFF_REG0, subnet_id);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_dl_dst(&match, sn->gateway_mac);
    put_dec_ttl(a);
    put_goto(a, VPC_T_ROUTE);
    add_flow(out, VPC_T_L3_ADMIT, VPC_PRIO_MATCH - 10, cookie, &match, a);

    /* Routed into this subnet: its gateway is the new source MAC. */
    match_vpc(&match, key);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_dst_masked(&match, sn->network, sn->mask);
    put_set_mac(a, MFF_ETH_SRC, sn->gateway_mac);
    put_goto(a, VPC_T_DEST);
    add_flow(out, VPC_T_ROUTE, VPC_PRIO_MATCH, cookie, &match, a);
}

static void
build_local_port(struct vpc_flow_table *out, const struct vpc_pl_vpc *vpc,
                 const struct vpc_pl_port *port, struct ofpbuf *a)
{
    const struct vpc_pl_subnet *sn = &vpc->subnets[port->subnet];
    uint64_t cookie = vpc_cookie_from_uuid(&port->uuid);
    struct match match;

    /* Frames from the port with its own source MAC enter the VPC. */
    match_init_catchall(&match);
    match_set_in_port(&match, port->ofport);
    match_set_dl_src(&match, port->mac);
    put_set_vpc_key(a, vpc->tunnel_key);
    put_set_be32(a, VPC_MFF_SRC_SUBNET, sn->network);
    put_goto(a, VPC_T_PORT_SEC);
    add_flow(out, VPC_T_CLASSIFY, VPC_PRIO_MATCH, cookie, &match, a);

    for (size_t i = 0; i < port->n_ips; i++) {
        /* IPv4 from its own address only... */
        match_set_in_port(&match, port->ofport);
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        match_set_nw_src(&match, port->ips[i]);
        put_goto(a, VPC_T_ARP);
        add_flow(out, VPC_T_PORT_SEC, VPC_PRIO_MATCH, cookie, &match, a);

        /* ...and ARP that claims only its own MAC and address. */
        match_set_in_port(&match, port->ofport);
        match_set_dl_type(&match, htons(ETH_TYPE_ARP));
        match_set_nw_src(&match, port->ips[i]);
        match_set_arp_sha(&match, port->mac);
        put_goto(a, VPC_T_ARP);
        add_flow(out, VPC_T_PORT_SEC, VPC_PRIO_MATCH, cookie, &match, a);

        /* Delivery to the port. */
        match_vpc(&match, vpc->tunnel_key);
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        match_set_nw_dst(&match, port->ips[i]);
        put_set_mac(a, MFF_ETH_DST, port->mac);
        put_output(a, port->ofport);
        add_flow(out, VPC_T_LOCAL_OUT, VPC_PRIO_MATCH, cookie, &match, a);
    }
}

static void
build_remote_port(struct vpc_flow_table *out,
                  const struct vpc_pl_chassis *chassis,
                  const struct vpc_pl_vpc *vpc,
                  const struct vpc_pl_port *port, struct ofpbuf *a)
{
    ofp_port_t tunnel = chassis->tunnel_ofport[port->encap];
    uint64_t cookie = vpc_cookie_from_uuid(&port->uuid);
    struct match match;

    if (!tunnel || !port->encap_ip) {
        return;
    }
    match_init_catchall(&match);
    for (size_t i = 0; i < port->n_ips; i++) {
        match_vpc(&match, vpc->tunnel_key);
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        match_set_nw_dst(&match, port->ips[i]);
        put_set_mac(a, MFF_ETH_DST, port->mac);
        ovs_be64 tun_id = htonll(vpc->tunnel_key);
        put_set_field(a, MFF_TUN_ID, &tun_id);
        put_set_be32(a, MFF_TUN_DST, port->encap_ip);
        put_output(a, tunnel);
        add_flow(out, VPC_T_DEST, VPC_PRIO_MATCH, cookie, &match, a);
    }
}

/* Adds to 'out' the flows of 'vpc' on 'chassis'.  Adds nothing if the
 * chassis hosts no port of the VPC. */
void
vpc_pipeline_build_vpc(const struct vpc_pl_chassis *chassis,
                       const struct vpc_pl_vpc *vpc,
                       struct vpc_flow_table *out)
{
    if (!vpc_pipeline_hosts_vpc(chassis, vpc)) {
        return;
    }

    uint64_t stub[1024 / 8];
    struct ofpbuf a = OFPBUF_STUB_INITIALIZER(stub);
    uint64_t cookie = vpc_cookie_from_uuid(&vpc->uuid);
    struct match match;

    /* From a tunnel, the tunnel key selects the VPC; only local delivery
     * follows (the sender did port security and routing).  Senders use
     * the receiver's encapsulation, so only our own tunnel port needs it. */
    ofp_port_t tunnel = chassis->tunnel_ofport[chassis->encap];
    match_init_catchall(&match);
    if (tunnel) {
        match_set_in_port(&match, tunnel);
        match_set_tun_id(&match, htonll(vpc->tunnel_key));
        put_set_vpc_key(&a, vpc->tunnel_key);
        put_goto(&a, VPC_T_LOCAL_OUT);
        add_flow(out, VPC_T_CLASSIFY, VPC_PRIO_MATCH, cookie, &match, &a);
    }

    for (size_t i = 0; i < vpc->n_subnets; i++) {
        build_subnet(out, vpc, &vpc->subnets[i], &a);
    }

    for (size_t i = 0; i < vpc->n_ports; i++) {
        const struct vpc_pl_port *port = &vpc->ports[i];

        for (size_t j = 0; j < port->n_ips; j++) {
            build_arp_reply(out, vpc->tunnel_key,
                            vpc_cookie_from_uuid(&port->uuid), port->ips[j],
                            port->mac, &a);
        }
        if (!port->chassis) {
            continue;
        } else if (port->chassis == chassis->self) {
            if (port->ofport) {
                build_local_port(out, vpc, port, &a);
            }
        } else {
            build_remote_port(out, chassis, vpc, port, &a);
        }
    }
    ofpbuf_uninit(&a);
}
