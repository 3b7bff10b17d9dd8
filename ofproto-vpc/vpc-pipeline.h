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
struct vpc_group_table;

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
    uint32_t nacl;              /* Its network ACL: 1 + an index into the
                                 * VPC's 'nacls', or 0 for none. */
    bool dhcp;                  /* Its ports' DHCP requests go to the
                                 * controller. */
    uint32_t route_table;       /* What routes its ports' packets: 1 + an
                                 * index into the VPC's 'route_tables', or
                                 * 0 for the implicit routes only. */
};

struct vpc_pl_port {
    struct uuid uuid;
    struct eth_addr mac;
    const ovs_be32 *ips;
    size_t n_ips;
    size_t subnet;              /* Index into the VPC's 'subnets'. */
    const size_t *sgs;          /* Its security groups: indexes into the */
    size_t n_sgs;               /* VPC's 'sgs'. */
    bool appliance;             /* Source and destination check off: it
                                 * sends from any address and gets what
                                 * routes send to it. */

    /* Where the port is bound: 'chassis' is an opaque identity compared
     * with vpc_pl_chassis's 'self' (NULL: unbound). */
    const void *chassis;
    ofp_port_t ofport;          /* On its chassis. */
    ovs_be32 encap_ip;          /* Its chassis' tunnel endpoint. */
    enum vpc_encap encap;       /* Its chassis' encapsulation. */

    /* A live migration from chassis 'migrate_from' to chassis
     * 'migrate_to' (NULL: none), behind 'migrate_encap_ip' with
     * 'migrate_encap'.  Until the port is bound there with an OpenFlow
     * port, that chassis is prepared for its arrival; the source sends it
     * a copy of what is for the port while the port is bound there, and
     * what still reaches it from a tunnel once it is not
     * (stage-migrate.c). */
    const void *migrate_from;
    const void *migrate_to;
    ovs_be32 migrate_encap_ip;
    enum vpc_encap migrate_encap;
};

/* A security group rule.  The fingerprint hashes it whole: zero it
 * before filling it in. */
struct vpc_pl_sg_rule {
    struct uuid uuid;
    uint32_t conj_id;           /* Nonzero.  Unless 'conj_shared', unique
                                 * among the rules of all VPCs of a
                                 * chassis: clauses that VPCs share
                                 * (vpc_pipeline_build_vpc()) carry the
                                 * conjunctions of several. */
    bool conj_shared;           /* 'conj_id' is that of every leading rule
                                 * of the same shape, in whatever VPC or
                                 * group (see stage-sg.c). */
    size_t leader;              /* The rule of its group whose conjunction
                                 * it joins (pl_sg_rule_leader()), as an
                                 * index into the group's 'rules': its own
                                 * if none. */
    bool ingress;               /* Else egress. */
    bool deny;                  /* Else allow. */
    uint8_t priority;           /* 1 (wins) to 100. */
    int16_t proto;              /* IP protocol, or -1 for all. */
    uint16_t port_min;          /* TCP or UDP destination ports; */
    uint16_t port_max;          /* 0 and 0: all. */
    int16_t icmp_type;          /* ICMP type, -1 for all... */
    int16_t icmp_code;          /* ...and code, -1 for all. */
    bool remote_is_group;       /* The other end: 'remote_group''s */
    size_t remote_group;        /* members (an index into 'sgs'), else */
    ovs_be32 remote_network;    /* this block. */
    ovs_be32 remote_mask;
};

/* A security group: rules for the ports that name it. */
struct vpc_pl_sg {
    struct uuid uuid;
    const struct vpc_pl_sg_rule *rules;
    size_t n_rules;
};

/* A network ACL rule.  The fingerprint hashes it whole: zero it before
 * filling it in. */
struct vpc_pl_nacl_rule {
    struct uuid uuid;
    uint16_t number;            /* 1 (first) to 32766. */
    bool ingress;               /* Else egress. */
    bool deny;                  /* Else allow. */
    int16_t proto;              /* IP protocol, or -1 for all. */
    uint16_t port_min;          /* TCP or UDP destination ports; */
    uint16_t port_max;          /* 0 and 0: all. */
    ovs_be32 network;           /* The other end. */
    ovs_be32 mask;
};

/* A network ACL: stateless rules for the subnets that name it. */
struct vpc_pl_nacl {
    struct uuid uuid;
    const struct vpc_pl_nacl_rule *rules;
    size_t n_rules;
};

/* Where a route sends its packets. */
enum vpc_pl_next_hop {
    VPC_NH_GATEWAY,             /* The VPC's gateway group. */
    VPC_NH_PORT,                /* A port of the VPC (an appliance). */
    VPC_NH_PEERING,             /* An active peering. */
    VPC_NH_DROP,                /* Nowhere (its next hop is not usable). */
};

/* A route of a route table.  The fingerprint hashes it whole: zero it
 * before filling it in. */
struct vpc_pl_route {
    struct uuid uuid;
    ovs_be32 network;           /* Host bits zero. */
    ovs_be32 mask;
    enum vpc_pl_next_hop next_hop;
    size_t port;                /* VPC_NH_PORT: an index into 'ports'. */
    size_t peering;             /* VPC_NH_PEERING: into 'peerings'. */
};

struct vpc_pl_route_table {
    struct uuid uuid;
    const struct vpc_pl_route *routes;
    size_t n_routes;
};

struct vpc_pl_vpc;

/* An active peering of a VPC with 'peer' (whose CIDRs do not overlap its
 * own; NULL if it is not known: routes to it drop). */
struct vpc_pl_peering {
    struct uuid uuid;           /* This VPC's side. */
    const struct vpc_pl_vpc *peer;
};

/* A gateway group: the gateways that carry VPCs' outside traffic, and the
 * outside network they are on. */
struct vpc_pl_gw_group {
    struct uuid uuid;
    uint32_t ff_group_id;       /* On hosts: to the active gateway. */
    uint32_t arp_group_id;      /* On gateways: "am I the active one?" */
    struct eth_addr mac;        /* Of every outside address of the group. */
    ovs_be32 next_hop;          /* The outside router. */
    const char *physnet;        /* Bridge mapping key of the network. */
    const void *const *gateways;    /* Chassis identities, most preferred
                                     * first (NULL: not known). */
    size_t n_gateways;
};

/* An outside address of a VPC. */
struct vpc_pl_nat {
    struct uuid uuid;
    bool eip;                   /* Elastic IP, else SNAT. */
    ovs_be32 external_ip;
    ovs_be32 logical_ip;        /* SNAT: a prefix; EIP: the port's IP. */
    ovs_be32 logical_mask;      /* EIP: all-ones. */
};

/* A flow log: sample actions, for a collector set that the controller
 * configures on the hosts of the VPC (or subnet), in the flows that decide
 * (stage-flowlog.c).  The fingerprint hashes it whole: zero it before
 * filling it in. */
struct vpc_pl_flow_log {
    struct uuid uuid;
    uint32_t collector_set_id;  /* Flow_Sample_Collector_Set id on hosts. */
    uint16_t probability;       /* Of a packet being sampled, out of
                                 * 65535. */
    bool accepted;              /* Logs accepted traffic. */
    bool rejected;              /* Logs rejected traffic. */
    bool whole_vpc;             /* Else only the ports of 'subnet' (an */
    size_t subnet;              /* index into the VPC's 'subnets'). */
};

struct vpc_pl_cidr {
    ovs_be32 network;
    ovs_be32 mask;
};

struct vpc_pl_vpc {
    struct uuid uuid;
    uint32_t tunnel_key;        /* 1...2**24-1. */
    const struct vpc_pl_subnet *subnets;
    size_t n_subnets;
    const struct vpc_pl_port *ports;
    size_t n_ports;
    uint16_t mtu;               /* Largest IP packet a port may send over a
                                 * tunnel; 0: no limit. */
    const struct vpc_pl_cidr *cidrs;    /* The VPC's own address space. */
    size_t n_cidrs;
    const struct vpc_pl_sg *sgs;        /* Security groups: a port in */
    size_t n_sgs;                       /* none sends and gets nothing. */
    size_t default_sg;                  /* The default one, in 'sgs'. */
    const struct vpc_pl_nacl *nacls;    /* Network ACLs. */
    size_t n_nacls;
    const struct vpc_pl_route_table *route_tables;
    size_t n_route_tables;
    const struct vpc_pl_peering *peerings;  /* Active ones. */
    size_t n_peerings;
    const struct vpc_pl_flow_log *flow_logs;
    size_t n_flow_logs;
    uint32_t view_key;          /* Nonzero in a peer's view of this VPC
                                 * (stage-peer.c): the peer's key. */

    /* The way out, if any.  NAT uses 'tunnel_key' as conntrack zone, so
     * a VPC with a gateway group has a key of at most 65535. */
    const struct vpc_pl_gw_group *gw;
    const struct vpc_pl_nat *nats;
    size_t n_nats;
};

/* A tunnel port to one peer chassis (remote_ip fixed, BFD on): the
 * liveness that fast-failover groups watch. */
struct vpc_pl_peer {
    const void *chassis;        /* Identity, as in 'self'. */
    ofp_port_t ofport;
};

/* A gateway's patch port to the bridge of an outside network. */
struct vpc_pl_uplink {
    const char *physnet;
    ofp_port_t ofport;
};

/* The chassis being programmed. */
struct vpc_pl_chassis {
    const void *self;                          /* Compared with 'chassis'. */
    enum vpc_encap encap;                      /* What others send us. */
    ofp_port_t tunnel_ofport[VPC_N_ENCAPS];    /* 0 if not (yet) there. */
    bool gateway;                              /* Role gateway. */
    const struct vpc_pl_peer *peers;
    size_t n_peers;
    const struct vpc_pl_uplink *uplinks;
    size_t n_uplinks;
};

bool vpc_pipeline_hosts_vpc(const struct vpc_pl_chassis *,
                            const struct vpc_pl_vpc *);
bool vpc_pipeline_serves_vpc(const struct vpc_pl_chassis *,
                             const struct vpc_pl_vpc *);
bool vpc_pipeline_serves_group(const struct vpc_pl_chassis *,
                               const struct vpc_pl_gw_group *);
void vpc_pipeline_build_static(struct vpc_flow_table *);
void vpc_pipeline_build_gateway_static(const struct vpc_pl_chassis *,
                                       struct vpc_flow_table *);
void vpc_pipeline_build_gw_group(const struct vpc_pl_chassis *,
                                 const struct vpc_pl_gw_group *,
                                 struct vpc_flow_table *,
                                 struct vpc_group_table *);
void vpc_pipeline_build_vpc(const struct vpc_pl_chassis *,
                            const struct vpc_pl_vpc *,
                            struct vpc_flow_table *,
                            struct vpc_flow_table *shared);
void vpc_pipeline_sg_groups_here(const struct vpc_pl_chassis *,
                                 const struct vpc_pl_vpc *,
                                 unsigned long *here);
void vpc_pipeline_build_vpc_shared(const struct vpc_pl_chassis *,
                                   const struct vpc_pl_vpc *,
                                   struct vpc_flow_table *shared);

#endif /* vpc-pipeline.h */
