/* Packets the controller answers (DESIGN.md, "Packets the controller
 * answers"): what a chassis' pipeline punts (ofproto-vpc's stage-punt.c)
 * comes to its owning instance as a packet-in, and the answer goes back as
 * a packet-out.  This module owns that path: it bounds the work per
 * chassis, finds the port that sent the packet, hands it to the service
 * of its kind (DHCP in punt-dhcp.c, ICMP "fragmentation needed" here) and
 * counts what it drops. */
#ifndef VPC_CONTROLLER_PUNT_H
#define VPC_CONTROLLER_PUNT_H 1

#include <stdint.h>
#include "openvswitch/types.h"
#include "packets.h"

struct chassis;
struct dp_packet;
struct vpcrec_port;
struct vpcrec_subnet;

/* Punts a chassis may cost us per second, whatever its meters let
 * through, and in a burst. */
#define PUNT_RATE 200
#define PUNT_BURST 200

void punt_run(struct chassis *);

/* For the services: who sent a punted packet. */
struct punt_sender {
    struct chassis *chassis;
    ofp_port_t ofport;
    const struct vpcrec_port *port;
    struct eth_addr mac;            /* The port's. */
    const struct vpcrec_subnet *subnet;
    struct eth_addr gateway_mac;    /* Its subnet gateway's. */
    ovs_be32 gateway_ip;
    ovs_be32 ip;                    /* Its address in the subnet, or 0. */
    ovs_be32 mask;                  /* The subnet's. */
    int mtu;                        /* Its VPC's. */
};

void punt_send_ipv4(const struct punt_sender *, ovs_be32 ip_dst,
                    uint8_t proto, const void *l4, size_t l4_len);
void punt_dhcp(const struct punt_sender *, const struct dp_packet *);

#endif /* punt.h */
