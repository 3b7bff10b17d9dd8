/* test-pipeline: prints the flows ofproto-vpc builds for a small VPC, as
 * seen from a chosen chassis, for tests/pipeline.at to check.
 *
 * usage: test-pipeline CHASSIS
 *   CHASSIS is hv1 (ports p1 local, p2 remote on hv2), hv2, or hv3 (no
 *   port of the VPC), or "static" for the per-chassis flows.  With a
 *   gateway group (gw1 preferred, then gw2; SNAT of 10.0.0.0/16 to
 *   203.0.113.10, elastic IP 203.0.113.20 for p1): hv1-gw (hv1 with
 *   tunnel ports 8 to gw1 and 9 to gw2), gw1 and gw2 (gateways with
 *   uplink 3 and a tunnel port 10 to the other gateway), gw-static.
 *   Every port is in the default group (ingress from its members, all
 *   egress); p1 also in "web" (TCP 80-443 from anywhere, ping from
 *   198.51.100.0/24 denied).  Subnet 10.0.2.0/24 has a network ACL: SSH in
 *   from 10.0.0.0/8, nothing else in, everything out.  hv1-many: more
 *   groups named by rules than reg9 has bits.  hv1-two: on hv1, the VPC
 *   and a second one with the same rules (key 43, conjunction IDs 101...,
 *   p1 on ofport 15).  hv1-two-del: hv1-two, then the second VPC goes
 *   away: the shared flows that change, as they were ("-") and are ("+").
 *   merge-cap: 3,100 owners (metadata 1...) want one clause flow, each
 *   with a conjunction of its own.  merge-cap-del: then the first 200
 *   go: the flows that change, as they were ("-") and are ("+").
 *   hv1-flowlog: hv1 with two flow logs: one of the whole VPC, all
 *   traffic, one packet in 100, to collector set 7; one of 10.0.2.0/24,
 *   rejected traffic, every packet, to collector set 8.
 *
 * Clauses that VPCs share come out merged, as a chassis has them. */
#include <config.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "flow-merge.h"
#include "flow-table.h"
#include "group-table.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/util.h"
#include "packets.h"
#include "util.h"
#include "flow.h"
#include "uuid.h"
#include "stage-sg.h"
#include "vpc-pipeline.h"

static ovs_be32
ip(const char *s)
{
    ovs_be32 a;
    ovs_assert(inet_pton(AF_INET, s, &a) == 1);
    return a;
}

static struct eth_addr
mac(const char *s)
{
    struct eth_addr ea;
    ovs_assert(eth_addr_from_string(s, &ea));
    return ea;
}

/* The conjunction ID of each shape that a rule leads, 1001 and up in order
 * of first use (the controller hashes the shape). */
static uint32_t
intern_shape(const struct vpc_pl_sg *g OVS_UNUSED, size_t leader OVS_UNUSED,
             const void *key, size_t len, void *aux OVS_UNUSED)
{
    static struct ofpbuf seen[16];
    static size_t n_seen;
    size_t k;

    for (k = 0; k < n_seen; k++) {
        if (seen[k].size == len && !memcmp(seen[k].data, key, len)) {
            return 1001 + k;
        }
    }
    ovs_assert(n_seen < ARRAY_SIZE(seen));
    ofpbuf_init(&seen[n_seen], len);
    ofpbuf_put(&seen[n_seen++], key, len);
    return 1001 + k;
}

/* Numbers the rules of 'vpc' as the controller does (vpc-controller's
 * model_sg_number()), with 'shapes'; without, they keep the IDs they were
 * given, as those of a VPC with flow logs do. */
static void
number_rules(struct vpc_pl_vpc *vpc, bool shapes)
{
    pl_sg_number(vpc, shapes ? intern_shape : NULL, NULL, NULL);
}

/* "hv1-many": more groups named as the other end than there are bits for
 * them.  35 groups, each with one rule "ingress from my own members";
 * p1 (10.0.1.2, ofport 5, local) is in the last of them, p2 (10.0.1.3,
 * remote) in the first and the last. */
#define N_MANY 35
static void
build_many_groups(const void *self, struct vpc_flow_table *flows,
                  struct vpc_flow_table *shared)
{
    static struct vpc_pl_sg_rule rules[N_MANY];
    static struct vpc_pl_sg sgs[N_MANY];
    static const size_t p1_sgs[1] = { N_MANY - 1 };
    static const size_t p2_sgs[2] = { 0, N_MANY - 1 };

    for (size_t i = 0; i < N_MANY; i++) {
        rules[i] = (struct vpc_pl_sg_rule) {
            .conj_id = i + 1, .ingress = true, .priority = 100, .proto = -1,
            .icmp_type = -1, .icmp_code = -1, .remote_is_group = true,
            .remote_group = i,
        };
        sgs[i] = (struct vpc_pl_sg) { .rules = &rules[i], .n_rules = 1 };
    }
    struct vpc_pl_subnet subnet = {
        .network = ip("10.0.1.0"), .mask = ip("255.255.255.0"),
        .gateway_ip = ip("10.0.1.1"), .gateway_mac = mac("0a:00:00:00:00:01"),
    };
    ovs_be32 ips[2] = { ip("10.0.1.2"), ip("10.0.1.3") };
    struct vpc_pl_port ports[2] = {
        { .mac = mac("0a:00:00:00:00:11"), .ips = &ips[0], .n_ips = 1,
          .chassis = self, .ofport = u16_to_ofp(5),
          .encap_ip = ip("192.0.2.1"), .sgs = p1_sgs, .n_sgs = 1 },
        { .mac = mac("0a:00:00:00:00:12"), .ips = &ips[1], .n_ips = 1,
          .chassis = "hv2", .ofport = u16_to_ofp(7),
          .encap_ip = ip("192.0.2.2"), .sgs = p2_sgs, .n_sgs = 2 },
    };
    struct vpc_pl_vpc vpc = {
        .tunnel_key = 42, .subnets = &subnet, .n_subnets = 1,
        .ports = ports, .n_ports = 2, .sgs = sgs, .n_sgs = N_MANY,
    };
    struct vpc_pl_chassis chassis = {
        .self = self, .tunnel_ofport = { u16_to_ofp(1), u16_to_ofp(2) },
    };
    number_rules(&vpc, false);
    vpc_pipeline_build_vpc(&chassis, &vpc, flows, shared);
}

/* "merge-cap": 3,100 owners want the flow "ip" in sg_out_eval at priority
 * 200, owner i with conjunction(i + 1, 2/2). */
static void
build_merge_cap(struct vpc_flow_merge *merge)
{
    uint64_t stub[64 / 8];
    struct ofpbuf a = OFPBUF_STUB_INITIALIZER(stub);
    struct match match;

    match_init_catchall(&match);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    for (uint32_t i = 0; i < 3100; i++) {
        struct vpc_flow_parts *parts = vpc_flow_parts_create(i + 1);
        struct uuid owner = { .parts = { i + 1 } };

        ofpbuf_clear(&a);
        struct ofpact_conjunction *c = ofpact_put_CONJUNCTION(&a);
        c->id = i + 1;
        c->clause = 1;
        c->n_clauses = 2;
        vpc_flow_table_add(&parts->flows, 36, 200, 0, &match, a.data,
                           a.size);
        vpc_flow_merge_set(merge, &owner, parts);
        vpc_flow_parts_unref(parts);
    }
    ofpbuf_uninit(&a);
}

/* Prints the flows of 'flows', each line after 'prefix'. */
static void
print_prefixed(const char *prefix, const struct vpc_flow_table *flows)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    vpc_flow_table_format(flows, &s);

    char *save_ptr = NULL;
    for (char *line = strtok_r(ds_cstr(&s), "\n", &save_ptr); line;
         line = strtok_r(NULL, "\n", &save_ptr)) {
        printf("%s%s\n", prefix, line);
    }
    ds_destroy(&s);
}

/* Flushes 'merge' and prints the merged flows that changed, as they were
 * ("- ") and are ("+ "). */
static void
print_flush(struct vpc_flow_merge *merge)
{
    struct vpc_flow_table was, now;

    vpc_flow_table_init(&was);
    vpc_flow_table_init(&now);
    vpc_flow_merge_flush(merge, &was, &now);
    print_prefixed("- ", &was);
    print_prefixed("+ ", &now);
    vpc_flow_table_destroy(&was);
    vpc_flow_table_destroy(&now);
}

int
main(int argc, char *argv[])
{
    static const char hv1[] = "hv1", hv2[] = "hv2", hv3[] = "hv3";
    static const char gw1[] = "gw1", gw2[] = "gw2";

    set_program_name(argv[0]);
    if (argc != 2) {
        ovs_fatal(0, "usage: %s hv1|hv2|hv3|static|hv1-gw|gw1|gw2|gw-static"
                  "|hv1-many|hv1-punt|hv1-routes|hv2-routes|hv1-mig|hv2-mig"
                  "|hv3-mig|hv1-mig-gone|hv3-mig-gone|hv1-two|hv1-two-del"
                  "|merge-cap|merge-cap-del|hv1-flowlog", argv[0]);
    }
    const char *name = argv[1];
    bool punt = !strcmp(name, "hv1-punt");
    bool routes = !strcmp(name, "hv1-routes") || !strcmp(name, "hv2-routes");
    bool with_gw = (punt || !strcmp(name, "hv1-routes")
                    || !strcmp(name, "hv1-gw") || !strcmp(name, "gw1")
                    || !strcmp(name, "gw2") || !strcmp(name, "gw-static"));

    const void *gateways[2] = { gw1, gw2 };
    struct vpc_pl_gw_group group = {
        .ff_group_id = 7, .arp_group_id = 8,
        .mac = mac("0a:00:00:00:00:99"), .next_hop = ip("203.0.113.1"),
        .physnet = "external", .gateways = gateways, .n_gateways = 2,
    };
    ovs_assert(uuid_from_string(&group.uuid,
                                "44444444-0000-0000-0000-000000000000"));
    struct vpc_pl_nat nats[2] = {
        { .eip = false, .external_ip = ip("203.0.113.10"),
          .logical_ip = ip("10.0.0.0"), .logical_mask = ip("255.255.0.0") },
        { .eip = true, .external_ip = ip("203.0.113.20"),
          .logical_ip = ip("10.0.1.2"), .logical_mask = OVS_BE32_MAX },
    };
    ovs_assert(uuid_from_string(&nats[0].uuid,
                                "55555551-0000-0000-0000-000000000000"));
    ovs_assert(uuid_from_string(&nats[1].uuid,
                                "55555552-0000-0000-0000-000000000000"));
    struct vpc_pl_cidr cidr = { ip("10.0.0.0"), ip("255.255.0.0") };

    struct vpc_flow_table flows;
    struct vpc_flow_parts *shared = vpc_flow_parts_create(42);
    struct vpc_group_table groups;
    struct vpc_flow_merge merge;
    vpc_flow_table_init(&flows);
    vpc_group_table_init(&groups);
    vpc_flow_merge_init(&merge);
    if (!strncmp(name, "merge-cap", 9)) {
        build_merge_cap(&merge);
    } else if (!strcmp(name, "hv1-many")) {
        build_many_groups(hv1, &flows, &shared->flows);
        vpc_flow_merge_set(&merge, &UUID_ZERO, shared);
    } else if (!strcmp(name, "static")) {
        vpc_pipeline_build_static(&flows);
    } else if (!strcmp(name, "gw-static")) {
        struct vpc_pl_uplink uplink = { "external", u16_to_ofp(3) };
        struct vpc_pl_chassis chassis = {
            .self = gw1, .gateway = true, .uplinks = &uplink, .n_uplinks = 1,
        };
        vpc_pipeline_build_gateway_static(&chassis, &flows);
    } else {
        struct vpc_pl_subnet subnets[2] = {
            { .network = ip("10.0.1.0"), .mask = ip("255.255.255.0"),
              .gateway_ip = ip("10.0.1.1"),
              .gateway_mac = mac("0a:00:00:00:00:01") },
            { .network = ip("10.0.2.0"), .mask = ip("255.255.255.0"),
              .gateway_ip = ip("10.0.2.1"),
              .gateway_mac = mac("0a:00:00:00:00:02") },
        };
        ovs_be32 ips[3] = { ip("10.0.1.2"), ip("10.0.2.2"), ip("10.0.1.3") };
        struct vpc_pl_port ports[3] = {
            { .mac = mac("0a:00:00:00:00:11"), .ips = &ips[0], .n_ips = 1,
              .subnet = 0, .chassis = hv1, .ofport = u16_to_ofp(5),
              .encap_ip = ip("192.0.2.1"), .encap = VPC_ENCAP_VXLAN },
            { .mac = mac("0a:00:00:00:00:12"), .ips = &ips[1], .n_ips = 1,
              .subnet = 1, .chassis = hv2, .ofport = u16_to_ofp(7),
              .encap_ip = ip("192.0.2.2"), .encap = VPC_ENCAP_GENEVE },
            { .mac = mac("0a:00:00:00:00:13"), .ips = &ips[2], .n_ips = 1,
              .subnet = 0 },    /* Unbound. */
        };
        /* Security groups: every port in the default group (ingress
         * from its members, all egress), p1 also in "web" (TCP 80-443
         * from anywhere; ping from 198.51.100.0/24 denied first). */
        struct vpc_pl_sg_rule rules[4] = {
            { .conj_id = 1, .ingress = true, .priority = 100,
              .proto = -1, .icmp_type = -1, .icmp_code = -1,
              .remote_is_group = true, .remote_group = 0 },
            { .conj_id = 2, .priority = 100, .proto = -1, .icmp_type = -1,
              .icmp_code = -1 },
            { .conj_id = 3, .ingress = true, .priority = 10, .proto = 6,
              .port_min = 80, .port_max = 443, .icmp_type = -1,
              .icmp_code = -1 },
            { .conj_id = 4, .ingress = true, .deny = true, .priority = 5,
              .proto = 1, .icmp_type = 8, .icmp_code = -1,
              .remote_network = ip("198.51.100.0"),
              .remote_mask = ip("255.255.255.0") },
        };
        struct vpc_pl_sg sgs[2] = {
            { .rules = &rules[0], .n_rules = 2 },
            { .rules = &rules[2], .n_rules = 2 },
        };
        static const size_t both[2] = { 0, 1 }, dflt[1] = { 0 };
        ports[0].sgs = both;
        ports[0].n_sgs = 2;
        for (int i = 1; i < 3; i++) {
            ports[i].sgs = dflt;
            ports[i].n_sgs = 1;
        }
        for (int i = 0; i < 4; i++) {
            char s[UUID_LEN + 1];
            snprintf(s, sizeof s, "6666666%d-0000-0000-0000-000000000000",
                     i + 1);
            ovs_assert(uuid_from_string(&rules[i].uuid, s));
        }
        ovs_assert(uuid_from_string(&sgs[0].uuid,
                                    "77777771-0000-0000-0000-000000000000"));
        ovs_assert(uuid_from_string(&sgs[1].uuid,
                                    "77777772-0000-0000-0000-000000000000"));

        /* A network ACL on 10.0.2.0/24: SSH in from 10.0.0.0/8, then
         * nothing else in; everything out. */
        struct vpc_pl_nacl_rule acl_rules[3] = {
            { .number = 100, .ingress = true, .proto = 6, .port_min = 22,
              .port_max = 22, .network = ip("10.0.0.0"),
              .mask = ip("255.0.0.0") },
            { .number = 200, .ingress = true, .deny = true, .proto = -1 },
            { .number = 100, .proto = -1 },
        };
        for (int i = 0; i < 3; i++) {
            char s[UUID_LEN + 1];
            snprintf(s, sizeof s, "8888888%d-0000-0000-0000-000000000000",
                     i + 1);
            ovs_assert(uuid_from_string(&acl_rules[i].uuid, s));
        }
        struct vpc_pl_nacl nacl = { .rules = acl_rules, .n_rules = 3 };
        ovs_assert(uuid_from_string(&nacl.uuid,
                                    "99999999-0000-0000-0000-000000000000"));
        subnets[1].nacl = 1;
        /* hv1-punt: DHCP served on 10.0.1.0/24, an MTU of 1450. */
        subnets[0].dhcp = punt;

        /* "-mig": p1 is migrating from hv1 to hv3 (vxlan, 192.0.2.3). */
        if (strstr(name, "-mig")) {
            ports[0].migrate_from = hv1;
            ports[0].migrate_to = hv3;
            ports[0].migrate_encap_ip = ip("192.0.2.3");
            ports[0].migrate_encap = VPC_ENCAP_VXLAN;
        }
        /* "-gone": and it left hv1 (bound to hv3, no interface yet). */
        if (strstr(name, "-gone")) {
            ports[0].chassis = hv3;
            ports[0].ofport = 0;
            ports[0].encap_ip = ip("192.0.2.3");
        }

        struct vpc_pl_vpc vpc = {
            .tunnel_key = 42,
            .subnets = subnets, .n_subnets = 2,
            .ports = ports, .n_ports = 3,
            .sgs = sgs, .n_sgs = 2,
            .nacls = &nacl, .n_nacls = 1,
            .mtu = punt ? 1450 : 0,
        };
        struct vpc_pl_flow_log flow_logs[2] = {
            { .collector_set_id = 7, .probability = 655, .accepted = true,
              .rejected = true, .whole_vpc = true },
            { .collector_set_id = 8, .probability = UINT16_MAX,
              .rejected = true, .subnet = 1 },
        };
        if (!strcmp(name, "hv1-flowlog")) {
            vpc.flow_logs = flow_logs;
            vpc.n_flow_logs = 2;
        }
        ovs_assert(uuid_from_string(&vpc.uuid,
                                    "11111111-0000-0000-0000-000000000000"));
        ovs_assert(uuid_from_string(&subnets[0].uuid,
                                    "22222222-0000-0000-0000-000000000000"));
        ovs_assert(uuid_from_string(&subnets[1].uuid,
                                    "22222223-0000-0000-0000-000000000000"));
        for (int i = 0; i < 3; i++) {
            char s[UUID_LEN + 1];
            snprintf(s, sizeof s, "3333333%d-0000-0000-0000-000000000000",
                     i + 1);
            ovs_assert(uuid_from_string(&ports[i].uuid, s));
        }

        struct vpc_pl_chassis chassis = {
            .tunnel_ofport = { u16_to_ofp(1), u16_to_ofp(2) },
        };
        chassis.self = (!strncmp(name, "hv1", 3) ? hv1
                        : !strncmp(name, "hv2", 3) ? hv2
                        : !strcmp(name, "gw1") ? gw1
                        : !strcmp(name, "gw2") ? gw2 : hv3);
        chassis.encap = (chassis.self == hv2 ? VPC_ENCAP_GENEVE
                         : VPC_ENCAP_VXLAN);

        struct vpc_pl_peer host_peers[2] = {
            { gw1, u16_to_ofp(8) }, { gw2, u16_to_ofp(9) },
        };
        struct vpc_pl_peer gw_peer = {
            chassis.self == gw1 ? gw2 : gw1, u16_to_ofp(10),
        };
        struct vpc_pl_uplink uplink = { "external", u16_to_ofp(3) };
        if (with_gw) {
            vpc.gw = &group;
            vpc.nats = nats;
            vpc.n_nats = 2;
            vpc.cidrs = &cidr;
            vpc.n_cidrs = 1;
            if (chassis.self == hv1) {
                chassis.peers = host_peers;
                chassis.n_peers = 2;
            } else {
                chassis.gateway = true;
                chassis.peers = &gw_peer;
                chassis.n_peers = 1;
                chassis.uplinks = &uplink;
                chassis.n_uplinks = 1;
            }
            vpc_pipeline_build_gw_group(&chassis, &group, &flows, &groups);
        }
        /* hv1-routes, hv2-routes: 10.0.1.0/24 uses a route table: 10.0.2.0/24
         * through p2 (an appliance on hv2), 192.168.0.0/16 into VPC 43 (an
         * active peering), 198.51.100.0/24 to the gateways. */
        struct vpc_pl_subnet peer_subnet = {
            .network = ip("192.168.1.0"), .mask = ip("255.255.255.0"),
            .gateway_ip = ip("192.168.1.1"),
            .gateway_mac = mac("0a:00:00:00:00:31"),
        };
        ovs_be32 peer_ips[2] = { ip("192.168.1.5"), ip("192.168.1.6") };
        struct vpc_pl_port peer_ports[2] = {
            { .mac = mac("0a:00:00:00:00:35"), .ips = &peer_ips[0],
              .n_ips = 1, .chassis = hv2, .ofport = u16_to_ofp(9),
              .encap_ip = ip("192.0.2.2"), .encap = VPC_ENCAP_GENEVE },
            { .mac = mac("0a:00:00:00:00:36"), .ips = &peer_ips[1],
              .n_ips = 1, .chassis = hv1, .ofport = u16_to_ofp(6),
              .encap_ip = ip("192.0.2.1"), .encap = VPC_ENCAP_VXLAN },
        };
        struct vpc_pl_vpc peer = {
            .tunnel_key = 43, .subnets = &peer_subnet, .n_subnets = 1,
            .ports = peer_ports, .n_ports = 2, .mtu = 1450,
        };
        struct vpc_pl_route rt_routes[3] = {
            { .network = ip("10.0.2.0"), .mask = ip("255.255.255.0"),
              .next_hop = VPC_NH_PORT, .port = 1 },
            { .network = ip("192.168.0.0"), .mask = ip("255.255.0.0"),
              .next_hop = VPC_NH_PEERING, .peering = 0 },
            { .network = ip("198.51.100.0"), .mask = ip("255.255.255.0"),
              .next_hop = VPC_NH_GATEWAY },
        };
        struct vpc_pl_route_table rtable = {
            .routes = rt_routes, .n_routes = 3,
        };
        struct vpc_pl_peering peering = { .peer = &peer };
        if (routes) {
            ovs_assert(uuid_from_string(&peer.uuid,
                                    "aaaaaaa1-0000-0000-0000-000000000000"));
            ovs_assert(uuid_from_string(&peer_subnet.uuid,
                                    "aaaaaaa2-0000-0000-0000-000000000000"));
            ovs_assert(uuid_from_string(&peer_ports[0].uuid,
                                    "aaaaaaa3-0000-0000-0000-000000000000"));
            ovs_assert(uuid_from_string(&peer_ports[1].uuid,
                                    "aaaaaaa4-0000-0000-0000-000000000000"));
            ovs_assert(uuid_from_string(&peering.uuid,
                                    "bbbbbbb1-0000-0000-0000-000000000000"));
            for (int i = 0; i < 3; i++) {
                char s[UUID_LEN + 1];
                snprintf(s, sizeof s,
                         "ccccccc%d-0000-0000-0000-000000000000", i + 1);
                ovs_assert(uuid_from_string(&rt_routes[i].uuid, s));
            }
            subnets[0].route_table = 1;
            ports[1].appliance = true;
            vpc.route_tables = &rtable;
            vpc.n_route_tables = 1;
            vpc.peerings = &peering;
            vpc.n_peerings = 1;
        }
        bool shapes = !strncmp(name, "hv1-two", 7);
        number_rules(&vpc, shapes);
        vpc_pipeline_build_vpc(&chassis, &vpc, &flows, &shared->flows);
        vpc_flow_merge_set(&merge, &vpc.uuid, shared);

        if (shapes) {
            /* Another VPC with the same subnets, ports and rules: its
             * rules have the same shapes, and so the same conjunction IDs,
             * as the controller gives them. */
            vpc.tunnel_key = 43;
            ovs_assert(uuid_from_string(
                           &vpc.uuid, "11111112-0000-0000-0000-000000000000"));
            ports[0].ofport = u16_to_ofp(15);
            number_rules(&vpc, shapes);
            /* (Parts given to a merge stay as they are.) */
            vpc_flow_parts_unref(shared);
            shared = vpc_flow_parts_create(43);
            vpc_pipeline_build_vpc(&chassis, &vpc, &flows, &shared->flows);
            vpc_flow_merge_set(&merge, &vpc.uuid, shared);
        }
    }
    vpc_flow_merge_flush(&merge, NULL, NULL);
    if (!strcmp(name, "merge-cap-del")) {
        for (uint32_t i = 0; i < 200; i++) {
            struct uuid owner = { .parts = { i + 1 } };
            vpc_flow_merge_set(&merge, &owner, NULL);
        }
        print_flush(&merge);
    } else if (!strcmp(name, "hv1-two-del")) {
        struct uuid second;

        ovs_assert(uuid_from_string(&second,
                                    "11111112-0000-0000-0000-000000000000"));
        vpc_flow_merge_set(&merge, &second, NULL);
        print_flush(&merge);
        vpc_flow_table_clear(&flows);
    } else {
        const struct vpc_flow *flow;
        HMAP_FOR_EACH (flow, hmap_node,
                       &vpc_flow_merge_flows(&merge)->flows) {
            vpc_flow_table_add_copy(&flows, flow);
        }
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    vpc_group_table_format(&groups, &s);
    vpc_flow_table_format(&flows, &s);
    fputs(ds_cstr(&s), stdout);
    ds_destroy(&s);
    vpc_flow_table_destroy(&flows);
    vpc_flow_parts_unref(shared);
    vpc_flow_merge_destroy(&merge);
    vpc_group_table_destroy(&groups);
    return 0;
}
