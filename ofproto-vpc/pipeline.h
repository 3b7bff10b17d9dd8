/* The VPC pipeline's tables and registers.  This header is the one owner of
 * table numbers and register assignments: every flow the project installs
 * names its table and registers through it.  pipeline.c names the tables;
 * it depends on nothing else, so that flow-table.c can use it. */
#ifndef OFPROTO_VPC_PIPELINE_H
#define OFPROTO_VPC_PIPELINE_H 1

#include <stdbool.h>
#include <stdint.h>
#include "openvswitch/meta-flow.h"

/* Tables, in packet order.  The gaps leave room for stages to come
 * (security groups at 35 and 65, custom routes at 55).  Each stage-*.c
 * builds the flows of its tables, as noted below; vpc-pipeline.c calls the
 * stages and adds the miss flow of every table up to VPC_T_TO_PORT. */
enum vpc_table {
    /* stage-classify.c (on a gateway, stage-gateway.c classifies): */
    /* in_port (a VM port: check its source MAC) or in_port=tunnel with a
     * known tun_id: load the VPC key into metadata. */
    VPC_T_CLASSIFY = 0,
    /* Source IP and ARP sender of VM ports must be the port's own. */
    VPC_T_PORT_SEC = 10,

    /* stage-lookup.c: */
    /* ARP requests look their target up in VPC_T_BIND and are answered
     * in VPC_T_ARP_REPLY if it is known; other ARP dropped. */
    VPC_T_ARP = 20,
    /* One flow per address the VPC knows (a port's or a subnet gateway's):
     * metadata and VPC_MFF_LOOKUP_IP in, its MAC and where it is in
     * VPC_MFF_BIND_MAC, VPC_MFF_BIND_TUN_DST and VPC_MFF_BIND out.  Used
     * through resubmit; a miss leaves the registers zero. */
    VPC_T_BIND = 22,
    /* A known address: the ARP reply, straight back out the port. */
    VPC_T_ARP_REPLY = 23,
    /* stage-migrate.c: on the destination of a live migration, where the
     * migrating port's first packet arrived: one flow per port, learned
     * (learn action: not reconciled), that makes VPC_T_BIND deliver to
     * that OpenFlow port.  Used through resubmit from the port's flows in
     * VPC_T_BIND. */
    VPC_T_MIGRANT = 24,

    /* stage-route.c: */
    /* Packets for a subnet gateway itself: ping answered, rest dropped. */
    VPC_T_ROUTER = 30,
    /* stage-sg.c: the security groups (that rules name as the other end)
     * of the address in VPC_MFF_LOOKUP_IP, as bits in VPC_MFF_SG_REMOTE:
     * one flow per address of their members.  Used through resubmit; a
     * miss leaves the register zero. */
    VPC_T_SG_REMOTE = 34,
    /* stage-sg.c: egress security groups, for what a VM port sends (after
     * the subnet gateway's own answers, before routing).  Conntrack in the
     * sending port's zone (its OpenFlow port number)... */
    VPC_T_SG_OUT = 35,
    /* ...then replies and related packets of allowed connections pass,
     * unless their connection was cut; other packets are judged by the
     * port's egress rules (conjunctive matches: port, remote, protocol).
     * Only the port clause and the conjunction flow match the VPC key:
     * the remote and protocol clauses of all the VPCs of a chassis are
     * one flow per match (VPC_COOKIE_SHARED), with a conjunction action
     * per rule, and conjunction IDs are unique per chassis. */
    VPC_T_SG_OUT_EVAL = 36,
    /* Allowed: a new connection is committed (a cut one restored). */
    VPC_T_SG_OUT_ALLOW = 37,
    /* Denied, or no rule: dropped, and a committed connection is marked
     * cut (VPC_CT_BLOCKED) so that its replies stop too. */
    VPC_T_SG_OUT_DENY = 38,

    /* stage-route.c: */
    /* Same-subnet traffic passes; traffic to the gateway MAC is routed
     * (through the source subnet's network ACL, if it has one). */
    VPC_T_L3_ADMIT = 40,
    /* stage-nacl.c: the egress rules of the network ACL in VPC_MFF_NACL,
     * for what leaves a subnet: the first match by rule number decides;
     * no match, dropped. */
    VPC_T_NACL_OUT = 45,
    /* stage-route.c: routed: the destination subnet's gateway MAC becomes
     * the source (and its network ACL judges what enters it);
     * stage-rtable.c: routes of route tables, to appliances, gateways and
     * peerings; stage-peer.c: a peer VPC's subnets, seen from a VPC that
     * peers with it. */
    VPC_T_ROUTE = 50,
    /* stage-nacl.c: the ingress rules of the network ACL in VPC_MFF_NACL,
     * for what enters a subnet, from another subnet or the outside. */
    VPC_T_NACL_IN = 52,
    /* Routed or same-subnet IP: its destination looked up in VPC_T_BIND. */
    VPC_T_DEST = 60,
    /* Destination port on another chassis: out the tunnel (on a host,
     * through VPC_T_MTU). */
    VPC_T_TO_TUNNEL = 61,
    /* stage-punt.c: leaving a host over a tunnel, to a port elsewhere or
     * to a gateway: a packet larger than its VPC's MTU goes to the
     * controller (for an ICMP "fragmentation needed"), metered, instead
     * of out. */
    VPC_T_MTU = 62,
    /* From a tunnel: the destination looked up in VPC_T_BIND, and only
     * local delivery follows (never back out a tunnel). */
    VPC_T_LOCAL_OUT = 70,
    /* stage-sg.c: destination port on this chassis: conntrack in its zone
     * (its OpenFlow port number), for... */
    VPC_T_TO_PORT = 71,

    /* stage-sg.c: ingress security groups, for what a port here receives,
     * from anywhere: the same as egress, with the receiving port's
     * ingress rules. */
    VPC_T_SG_IN_EVAL = 72,
    VPC_T_SG_IN_ALLOW = 73,
    VPC_T_SG_IN_DENY = 74,
    /* stage-route.c: allowed; deliver. */
    VPC_T_DELIVER = 75,

    /* stage-gateway.c.  Gateways only.  Leaving a VPC for the outside: */
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
/* The IPv4 address that VPC_T_BIND looks up. */
#define VPC_MFF_LOOKUP_IP MFF_REG3
/* What VPC_T_BIND found: the MAC (bits 0-47), the tunnel endpoint of a
 * remote address, and VPC_BIND_* flags with the OpenFlow port to send it to
 * (the tunnel port or the local port) in bits 0-15. */
#define VPC_MFF_BIND_MAC MFF_XREG2
#define VPC_MFF_BIND_TUN_DST MFF_REG6
#define VPC_MFF_BIND MFF_REG7
#define VPC_BIND_FOUND 0x80000000   /* The VPC knows the address. */
#define VPC_BIND_REMOTE 0x00010000  /* Bound on another chassis. */
#define VPC_BIND_LOCAL 0x00020000   /* Bound here, to an OpenFlow port. */

/* What VPC_T_SG_REMOTE found: bit N set if the other end of the packet
 * (its destination for egress, its source for ingress) is an address of
 * a member of the VPC's Nth group that a rule names as the other end (the
 * first 32 such groups; rules naming others match their members'
 * addresses one by one). */
#define VPC_MFF_SG_REMOTE MFF_REG9
#define VPC_SG_REMOTE_BITS 32

/* The network ACL whose rules VPC_T_NACL_OUT or VPC_T_NACL_IN apply: its
 * number in its VPC, from 1. */
#define VPC_MFF_NACL MFF_REG8

/* Flags (VPC_FLAG_*). */
#define VPC_MFF_FLAGS MFF_REG10
#define VPC_FLAG_TOO_BIG 0x1        /* Larger than the VPC's MTU. */
#define VPC_FLAG_TO_GATEWAY 0x2     /* VPC_T_MTU: to the gateway group. */

/* The route table (1 + its index in its VPC) that routes a packet from a
 * VM port in VPC_T_ROUTE, or 0 for the implicit routes only. */
#define VPC_MFF_ROUTE_TABLE MFF_REG11

/* Packets for the controller (stage-punt.c).  Each kind goes through an
 * OpenFlow meter of its own on every host, which the controller installs
 * with the meter's rate (packets per second) and burst. */
enum vpc_punt {
    VPC_PUNT_DHCP = 1,          /* A DHCP request from a VM port. */
    VPC_PUNT_TOO_BIG = 2,       /* Too big for the tunnel. */
};
#define VPC_METER_DHCP 1
#define VPC_METER_TOO_BIG 2
#define VPC_METER_DHCP_RATE 200
#define VPC_METER_TOO_BIG_RATE 100

/* The userdata of a punt, in network byte order: the kind, and its
 * argument (VPC_PUNT_TOO_BIG: the VPC's MTU). */
struct vpc_punt_userdata {
    ovs_be32 kind;
    ovs_be32 arg;
};

/* ct_mark, on hosts: a connection whose packets a security group rule no
 * longer allows.  Its replies are dropped too. */
#define VPC_CT_BLOCKED 0x1

/* Flow logs (stage-flowlog.c): the observation point ID of a sample action
 * says what decided.  Bit 31: rejected, else accepted; bit 30: ingress,
 * else egress; bits 28-29: the kind of thing that decided; bits 0-27, for
 * a rule, the first 28 bits of its UUID (its cookie shifted right by 4),
 * else 0. */
#define VPC_OBS_REJECTED 0x80000000
#define VPC_OBS_INGRESS 0x40000000
#define VPC_OBS_SG_RULE 0x00000000      /* A security group rule. */
#define VPC_OBS_NACL_RULE 0x10000000    /* A network ACL rule. */
#define VPC_OBS_SG_NONE 0x20000000      /* No security group rule allowed. */
#define VPC_OBS_NACL_NONE 0x30000000    /* No network ACL rule matched. */
#define VPC_OBS_ID_MASK 0x0fffffff

/* Priorities. */
enum {
    VPC_PRIO_DEFAULT = 0,       /* Table miss: drop or go on. */
    VPC_PRIO_CATCH = 50,        /* Catch-alls above the miss flow. */
    VPC_PRIO_MATCH = 100,       /* Exact per-object flows. */
    VPC_PRIO_SNAT = 100,        /* Plus the SNAT prefix length. */
    VPC_PRIO_EIP = 200,         /* Above any SNAT prefix. */
    VPC_PRIO_SG_RULE = 200,     /* Plus 2 * (100 - rule priority), plus 1
                                 * for deny: 200...399.  A rule's logged
                                 * conjunction flows (stage-flowlog.c) at
                                 * its own plus 1 and 2 (they match its
                                 * conj_id), no rule's at 198 and 199. */
    VPC_PRIO_SG_STATE = 1000,   /* Connection state, above any rule. */
    VPC_PRIO_NACL = 1000,       /* Plus 32767 - rule number; no rule's
                                 * (logged) at 1000. */
    VPC_PRIO_ROUTE = 1000,      /* VPC_T_ROUTE: longest prefix first: plus
                                 * 3 * prefix length, plus 1 for a subnet
                                 * (the implicit "local" routes) and 2 for
                                 * a route of a route table, which wins
                                 * over a local route of the same length. */
};

/* VPC_T_ROUTE's priority for a prefix of 'plen' bits: 'kind' 0 for what
 * is in the VPC's CIDRs but in no subnet (dropped) and for the default
 * route, 1 for a subnet, 2 for a route of a route table. */
#define VPC_PRIO_ROUTE_FOR(PLEN, KIND) (VPC_PRIO_ROUTE + 3 * (PLEN) + (KIND))

/* Cookies.  A flow's cookie is the first 32 bits of the UUID of the row
 * that caused it (vpc_cookie_from_uuid()), 0 for the flows every chassis
 * has, or one of these. */
/* Learned next-hop flows (gateways). */
#define VPC_COOKIE_LEARNED UINT64_C(0x7670636c6561726e)     /* "vpclearn" */
/* A migrating port's learned flow in VPC_T_MIGRANT: this in the upper 32
 * bits, the port's cookie in the lower 32. */
#define VPC_COOKIE_MIGRANT UINT64_C(0x766d696700000000)
/* Security group clauses that several VPCs of a chassis share (see
 * flow-merge.h): a protocol with its port block or ICMP type, an address
 * block, a bit of VPC_MFF_SG_REMOTE, an address of a remote group's
 * member.  They match no VPC key, and their conjunction actions lead to
 * their rules: "conj_id=N" matches the conjunction flow of rule N, whose
 * cookie is the rule's. */
#define VPC_COOKIE_SHARED UINT64_C(0x7670637368617265)      /* "vpcshare" */

/* Is 'cookie' that of a flow that a switch learned itself (which the
 * controller leaves alone)? */
static inline bool
vpc_cookie_is_learned(uint64_t cookie)
{
    return (cookie == VPC_COOKIE_LEARNED
            || (cookie & UINT64_C(0xffffffff00000000)) == VPC_COOKIE_MIGRANT);
}

const char *vpc_table_name(int table_id);

#endif /* pipeline.h */
