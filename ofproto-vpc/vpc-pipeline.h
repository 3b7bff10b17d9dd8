/* The VPC pipeline: from the desired state of one chassis to OpenFlow flows.
 *
 * Pure: no sockets, no globals, no database.  The caller describes each VPC
 * once (its subnets, its ports and where each port is bound) and asks for
 * the flows of that VPC as seen from one chassis.  A chassis needs a VPC's
 * flows only if it has a local port in it, so the flows of a chassis grow
 * with the VPCs it hosts, and within a VPC with its addresses, never with
 * pairs of ports. */
#ifndef OFPROTO_VPC_VPC_PIPELINE_H
#define OFPROTO_VPC_VPC_PIPELINE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "openvswitch/types.h"
#include "openvswitch/uuid.h"
#include "packets.h"

struct vpc_flow_table;

enum vpc_encap {
    VPC_ENCAP_VXLAN,
    VPC_ENCAP_GENEVE,
    VPC_N_ENCAPS
};

struct vpc_pl_subnet {
    struct uuid uuid;
    ovs_be32 network;           /* Host bits zero. */
    ovs_be32 mask;
    ovs_be32 gateway_ip;
    struct eth_addr gateway_mac;
};

struct vpc_pl_port {
    struct uuid uuid;
    struct eth_addr mac;
    const ovs_be32 *ips;
    size_t n_ips;
    size_t subnet;              /* Index into the VPC's 'subnets'. */

    /* Where the port is bound: 'chassis' is an opaque identity compared
     * with vpc_pl_chassis's 'self' (NULL: unbound). */
    const void *chassis;
    ofp_port_t ofport;          /* On its chassis. */
    ovs_be32 encap_ip;          /* Its chassis' tunnel endpoint. */
    enum vpc_encap encap;       /* Its chassis' encapsulation. */
};

struct vpc_pl_vpc {
    struct uuid uuid;
    uint32_t tunnel_key;        /* 1...2**24-1. */
    const struct vpc_pl_subnet *subnets;
    size_t n_subnets;
    const struct vpc_pl_port *ports;
    size_t n_ports;
};

/* The chassis being programmed. */
struct vpc_pl_chassis {
    const void *self;                          /* Compared with 'chassis'. */
    enum vpc_encap encap;                      /* What others send us. */
    ofp_port_t tunnel_ofport[VPC_N_ENCAPS];    /* 0 if not (yet) there. */
};

bool vpc_pipeline_hosts_vpc(const struct vpc_pl_chassis *,
                            const struct vpc_pl_vpc *);
void vpc_pipeline_build_static(struct vpc_flow_table *);
void vpc_pipeline_build_vpc(const struct vpc_pl_chassis *,
                            const struct vpc_pl_vpc *,
                            struct vpc_flow_table *);

#endif /* vpc-pipeline.h */
