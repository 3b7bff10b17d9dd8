/* The DHCPv4 server of every subnet (RFC 2131 and 2132), answered from
 * the database: the lease is the port's own address, the server the
 * subnet gateway, the options its VPC's and subnet's dhcp_options (see
 * vpc(5)).  A client is only ever a port's own interface: the pipeline
 * punts DHCP from the port's MAC only, and the message must name that MAC
 * as its client too. */
#include <config.h>
#include "punt.h"

#include <string.h>
#include "coverage.h"
#include "dhcp.h"
#include "dp-packet.h"
#include "engine-private.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "util.h"
#include "vpc-dhcp.h"
#include "vpc-idl.h"

VLOG_DEFINE_THIS_MODULE(punt_dhcp);

COVERAGE_DEFINE(dhcp_malformed);
COVERAGE_DEFINE(dhcp_disabled);
COVERAGE_DEFINE(dhcp_no_address);
COVERAGE_DEFINE(dhcp_offer);
COVERAGE_DEFINE(dhcp_ack);
COVERAGE_DEFINE(dhcp_nak);
COVERAGE_DEFINE(dhcp_release);
COVERAGE_DEFINE(dhcp_decline);
COVERAGE_DEFINE(dhcp_other_server);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* Message types beyond lib/dhcp.h's. */
#define DHCP_MSG_DECLINE 4
#define DHCP_MSG_RELEASE 7
#define DHCP_MSG_INFORM 8

/* Options (RFC 2132). */
enum {
    OPT_SUBNET_MASK = 1,
    OPT_ROUTER = 3,
    OPT_DNS = 6,
    OPT_HOST_NAME = 12,
    OPT_DOMAIN_NAME = 15,
    OPT_MTU = 26,
    OPT_BROADCAST = 28,
    OPT_REQUESTED_IP = 50,
    OPT_LEASE_TIME = 51,
    OPT_OVERLOAD = 52,
    OPT_MSG_TYPE = 53,
    OPT_SERVER_ID = 54,
    OPT_MESSAGE = 56,
    OPT_T1 = 58,
    OPT_T2 = 59,
};

#define DHCP_FLAG_BROADCAST 0x8000
#define DHCP_OPTIONS_MAX 312        /* The minimum every client takes. */

/* What a request says, beyond its header. */
struct dhcp_request {
    const struct dhcp_header *h;
    int type;                   /* OPT_MSG_TYPE, or -1. */
    ovs_be32 requested_ip;      /* OPT_REQUESTED_IP, or 0. */
    ovs_be32 server_id;         /* OPT_SERVER_ID, or 0. */
};

/* Parses the DHCP message in 'packet' (UDP to port 67, as the pipeline
 * matched) into 'req'.  Returns NULL, or why it is malformed. */
static const char *
parse_request(const struct dp_packet *packet, struct eth_addr client,
              struct dhcp_request *req)
{
    const struct ip_header *ip = dp_packet_l3(packet);
    const struct udp_header *udp = dp_packet_l4(packet);
    size_t l3_size = dp_packet_l3_size(packet);
    size_t l4_size = dp_packet_l4_size(packet);

    if (!ip || !udp || l4_size < UDP_HEADER_LEN) {
        return "truncated headers";
    }
    if (ntohs(ip->ip_tot_len) > l3_size
        || IP_IS_FRAGMENT(ip->ip_frag_off)) {
        return "IP length or fragment";
    }
    size_t udp_len = ntohs(udp->udp_len);
    if (udp_len < UDP_HEADER_LEN || udp_len > l4_size) {
        return "bad UDP length";
    }

    const uint8_t *p = (const uint8_t *) (udp + 1);
    size_t len = udp_len - UDP_HEADER_LEN;
    if (len < DHCP_HEADER_LEN + 4) {
        return "truncated BOOTP header";
    }
    const struct dhcp_header *h = (const struct dhcp_header *) p;
    ovs_be32 cookie;
    memcpy(&cookie, p + DHCP_HEADER_LEN, 4);
    if (h->op != DHCP_OP_REQUEST || h->htype != 1 || h->hlen != ETH_ADDR_LEN
        || cookie != htonl(DHCP_MAGIC_COOKIE)) {
        return "not an Ethernet DHCP request";
    }
    if (memcmp(h->chaddr, client.ea, ETH_ADDR_LEN)) {
        return "client hardware address is not the port's";
    }

    req->h = h;
    req->type = -1;
    req->requested_ip = req->server_id = 0;
    const uint8_t *opt = p + DHCP_HEADER_LEN + 4;
    const uint8_t *end = p + len;
    for (;;) {
        if (opt >= end) {
            return "options not terminated";
        }
        uint8_t code = *opt++;
        if (code == DHCP_OPT_PAD) {
            continue;
        } else if (code == DHCP_OPT_END) {
            break;
        }
        if (opt >= end || opt + 1 + *opt > end) {
            return "option runs past the end";
        }
        uint8_t olen = *opt++;
        if (code == OPT_MSG_TYPE) {
            if (olen != 1) {
                return "bad message type length";
            }
            req->type = opt[0];
        } else if (code == OPT_REQUESTED_IP || code == OPT_SERVER_ID) {
            if (olen != 4) {
                return "bad address option length";
            }
            memcpy(code == OPT_SERVER_ID ? &req->server_id
                   : &req->requested_ip, opt, 4);
        } else if (code == OPT_OVERLOAD) {
            /* Options in 'sname' or 'file': none that we read would be
             * there in practice; read only the options field. */
        }
        opt += olen;
    }
    if (req->type < 0) {
        return "no message type";
    }
    return NULL;
}

/* A reply's options, as they are added. */
struct dhcp_options {
    uint8_t buf[DHCP_OPTIONS_MAX];
    size_t len;
};

static void
put_option(struct dhcp_options *o, uint8_t code, const void *data,
           size_t len)
{
    /* Room for this one and the end. */
    if (len <= 255 && o->len + 2 + len + 1 <= sizeof o->buf) {
        o->buf[o->len++] = code;
        o->buf[o->len++] = len;
        memcpy(&o->buf[o->len], data, len);
        o->len += len;
    }
}

static void
put_be32(struct dhcp_options *o, uint8_t code, ovs_be32 value)
{
    put_option(o, code, &value, sizeof value);
}

/* The name handed out as the port's host name, or NULL. */
static const char *
host_name(const struct vpcrec_port *port)
{
    const char *name = smap_get(&port->external_ids, "hostname");
    if (name && vpc_dhcp_hostname_is_valid(name)) {
        return name;
    }
    return vpc_dhcp_hostname_is_valid(port->name) ? port->name : NULL;
}

/* Sends 's' a reply of 'type' to request 'req'. */
static void
send_reply(const struct punt_sender *s, const struct dhcp_request *req,
           int type, const struct vpc_dhcp_config *cfg, const char *message)
{
    struct dhcp_header h;
    memset(&h, 0, sizeof h);
    h.op = DHCP_OP_REPLY;
    h.htype = 1;
    h.hlen = ETH_ADDR_LEN;
    h.xid = req->h->xid;
    h.flags = req->h->flags;
    h.giaddr = req->h->giaddr;
    memcpy(h.chaddr, req->h->chaddr, sizeof h.chaddr);
    if (req->type == DHCP_MSG_INFORM) {
        h.ciaddr = req->h->ciaddr;
    } else if (type != DHCP_MSG_NAK) {
        h.yiaddr = s->ip;
    }

    struct dhcp_options opts = { .len = 0 };
    struct dhcp_options *o = &opts;
    uint8_t t = type;
    put_option(o, OPT_MSG_TYPE, &t, 1);
    put_be32(o, OPT_SERVER_ID, s->gateway_ip);
    if (type == DHCP_MSG_NAK) {
        put_option(o, OPT_MESSAGE, message, strlen(message));
    } else {
        if (req->type != DHCP_MSG_INFORM) {
            put_be32(o, OPT_LEASE_TIME, htonl(cfg->lease_time));
            put_be32(o, OPT_T1, htonl(cfg->lease_time / 2));
            put_be32(o, OPT_T2, htonl(cfg->lease_time / 8 * 7));
        }
        put_be32(o, OPT_SUBNET_MASK, s->mask);
        put_be32(o, OPT_ROUTER, s->gateway_ip);
        put_be32(o, OPT_BROADCAST, s->ip | ~s->mask);
        if (cfg->n_dns) {
            put_option(o, OPT_DNS, cfg->dns, cfg->n_dns * sizeof *cfg->dns);
        }
        if (cfg->domain[0]) {
            put_option(o, OPT_DOMAIN_NAME, cfg->domain, strlen(cfg->domain));
        }
        const char *name = host_name(s->port);
        if (name && req->type != DHCP_MSG_INFORM) {
            put_option(o, OPT_HOST_NAME, name, strlen(name));
        }
        int mtu = cfg->mtu ? MIN(cfg->mtu, s->mtu) : s->mtu;
        ovs_be16 mtu16 = htons(mtu);
        put_option(o, OPT_MTU, &mtu16, sizeof mtu16);
    }
    o->buf[o->len++] = DHCP_OPT_END;

    /* UDP, BOOTP, the magic cookie, options: at least 300 bytes of
     * BOOTP (RFC 1542), padded with zeros. */
    uint8_t msg[UDP_HEADER_LEN + DHCP_HEADER_LEN + 4 + DHCP_OPTIONS_MAX];
    size_t dhcp_len = MAX(DHCP_HEADER_LEN + 4 + o->len, 300);
    size_t udp_len = UDP_HEADER_LEN + dhcp_len;
    ovs_be32 cookie = htonl(DHCP_MAGIC_COOKIE);
    struct udp_header udp = {
        .udp_src = htons(DHCP_SERVER_PORT),
        .udp_dst = htons(DHCP_CLIENT_PORT),
        .udp_len = htons(udp_len),
    };
    memset(msg, 0, sizeof msg);
    memcpy(msg, &udp, sizeof udp);
    memcpy(msg + UDP_HEADER_LEN, &h, sizeof h);
    memcpy(msg + UDP_HEADER_LEN + DHCP_HEADER_LEN, &cookie, 4);
    memcpy(msg + UDP_HEADER_LEN + DHCP_HEADER_LEN + 4, o->buf, o->len);

    /* To the client's address if it has one, else broadcast if it asked
     * for that (or is told no), else to the address it is given.  On the
     * wire it goes straight to the port. */
    ovs_be32 dst = (req->h->ciaddr ? req->h->ciaddr
                    : (type == DHCP_MSG_NAK
                       || req->h->flags & htons(DHCP_FLAG_BROADCAST))
                    ? htonl(UINT32_MAX) : s->ip);
    punt_send_ipv4(s, dst, IPPROTO_UDP, msg, udp_len);
}

/* Answers the DHCP message in 'packet' that 's' punted. */
void
punt_dhcp(const struct punt_sender *s, const struct dp_packet *packet)
{
    struct dhcp_request req;
    const char *why = parse_request(packet, s->mac, &req);
    if (why) {
        VLOG_DBG_RL(&rl, "port %s: malformed DHCP message dropped: %s",
                    s->port->name, why);
        COVERAGE_INC(dhcp_malformed);
        return;
    }

    struct vpc_dhcp_config cfg;
    vpc_dhcp_config_init(&cfg);
    if (s->subnet->vpc) {
        vpc_dhcp_config_apply(&cfg, &s->subnet->vpc->dhcp_options, false);
    }
    vpc_dhcp_config_apply(&cfg, &s->subnet->dhcp_options, true);
    if (!cfg.enabled) {
        /* Turned off a moment ago: its flow is on its way out. */
        COVERAGE_INC(dhcp_disabled);
        return;
    }
    if (!s->ip) {
        COVERAGE_INC(dhcp_no_address);
        VLOG_INFO_RL(&rl, "port %s: no address in its subnet to lease",
                     s->port->name);
        return;
    }

    switch (req.type) {
    case DHCP_MSG_DISCOVER:
        send_reply(s, &req, DHCP_MSG_OFFER, &cfg, NULL);
        COVERAGE_INC(dhcp_offer);
        break;

    case DHCP_MSG_REQUEST: {
        /* SELECTING names a server (ignore it if it is another one) and
         * the address; INIT-REBOOT names only the address; RENEWING and
         * REBINDING name neither, and the address is in 'ciaddr'. */
        if (req.server_id && req.server_id != s->gateway_ip) {
            COVERAGE_INC(dhcp_other_server);
            break;
        }
        ovs_be32 want = req.requested_ip ? req.requested_ip : req.h->ciaddr;
        if (want == s->ip) {
            send_reply(s, &req, DHCP_MSG_ACK, &cfg, NULL);
            COVERAGE_INC(dhcp_ack);
        } else {
            send_reply(s, &req, DHCP_MSG_NAK, &cfg,
                       "requested address is not this port's");
            COVERAGE_INC(dhcp_nak);
        }
        break;
    }

    case DHCP_MSG_INFORM:
        send_reply(s, &req, DHCP_MSG_ACK, &cfg, NULL);
        COVERAGE_INC(dhcp_ack);
        break;

    case DHCP_MSG_RELEASE:
        /* The address stays the port's: nothing to free. */
        COVERAGE_INC(dhcp_release);
        break;

    case DHCP_MSG_DECLINE:
        VLOG_WARN_RL(&rl, "port %s: its VM declined %s: is another host "
                     "using the address?", s->port->name,
                     s->port->n_ips ? s->port->ips[0] : "");
        COVERAGE_INC(dhcp_decline);
        break;

    default:
        COVERAGE_INC(dhcp_malformed);
        break;
    }
}
