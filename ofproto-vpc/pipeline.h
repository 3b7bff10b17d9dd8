/* The VPC pipeline's tables and registers.  This header is the one owner of
 * table numbers and register assignments: every flow the project installs
 * names its table and registers through it. */
#ifndef OFPROTO_VPC_PIPELINE_H
#define OFPROTO_VPC_PIPELINE_H 1

#include "openvswitch/meta-flow.h"

/* Tables, in packet order.  The gaps leave room for stages to come
 * (security groups at 35 and 65, custom routes at 55). */
enum vpc_table {
    /* in_port (a VM port: check its source MAC) or in_port=tunnel with a
     * known tun_id: load the VPC key into metadata. */
    VPC_T_CLASSIFY = 0,
    /* Source IP and ARP sender of VM ports must be the port's own. */
    VPC_T_PORT_SEC = 10,
    /* ARP requests answered for every known address; other ARP dropped. */
    VPC_T_ARP = 20,
    /* Packets for a subnet gateway itself: ping answered, rest dropped. */
    VPC_T_ROUTER = 30,
    /* Same-subnet traffic passes; traffic to the gateway MAC is routed. */
    VPC_T_L3_ADMIT = 40,
    /* Routed: the destination subnet's gateway MAC becomes the source. */
    VPC_T_ROUTE = 50,
    /* Destination port on another chassis: out the tunnel. */
    VPC_T_DEST = 60,
    /* Destination port on this chassis: deliver. */
    VPC_T_LOCAL_OUT = 70,

    /* Gateways only.  Leaving a VPC for the outside: */
    /* From a host over the tunnel: conntrack with NAT, in the VPC's zone. */
    VPC_T_GW_SNAT = 80,
    /* New connections: the port's elastic IP, else the longest SNAT
     * prefix; established ones go on; the rest is dropped. */
    VPC_T_GW_SNAT_NEW = 81,
    /* The group's outside MAC as source; the next hop's MAC... */
    VPC_T_GW_EGRESS = 82,
    /* ...learned from its ARP (learn action: not reconciled): out. */
    VPC_T_GW_NEXT_HOP = 83,
    /* Entering from the outside (uplink): learn the next hop; traffic to
     * an outside address: conntrack with NAT in its VPC's zone. */
    VPC_T_GW_FROM_EXT = 84,
    /* ARP for outside addresses, answered by the active gateway only. */
    VPC_T_GW_EXT_ARP = 85,
    /* New connections to an elastic IP: DNAT; replies go on. */
    VPC_T_GW_DNAT = 86,
    /* Into the VPC: TTL, then routed like any VPC traffic. */
    VPC_T_GW_TO_VPC = 87,
};

/* Registers.  metadata holds the VPC's tunnel key from classification on. */
#define VPC_MFF_VPC_KEY MFF_METADATA
/* The source port's subnet (its network address), for VM traffic. */
#define VPC_MFF_SRC_SUBNET MFF_REG0
/* Gateways: the next hop whose learned MAC VPC_T_GW_NEXT_HOP applies. */
#define VPC_MFF_NEXT_HOP MFF_REG1
/* Gateways: scratch space for swapping ARP addresses. */
#define VPC_MFF_SCRATCH MFF_REG2

/* Priorities. */
enum {
    VPC_PRIO_DEFAULT = 0,       /* Table miss: drop or go on. */
    VPC_PRIO_CATCH = 50,        /* Catch-alls above the miss flow. */
    VPC_PRIO_MATCH = 100,       /* Exact per-object flows. */
    VPC_PRIO_SNAT = 100,        /* Plus the SNAT prefix length. */
    VPC_PRIO_EIP = 200,         /* Above any SNAT prefix. */
};

/* The cookie of learned next-hop flows. */
#define VPC_COOKIE_LEARNED UINT64_C(0x7670636c6561726e)

const char *vpc_table_name(int table_id);

#endif /* pipeline.h */
