/* test-pipeline: prints the flows ofproto-vpc builds for a small VPC, as
 * seen from a chosen chassis, for tests/pipeline.at to check.
 *
 * usage: test-pipeline CHASSIS
 *   CHASSIS is hv1 (ports p1 local, p2 remote on hv2), hv2, or hv3 (no
 *   port of the VPC), or "static" for the per-chassis flows. */
#include <config.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "flow-table.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/util.h"
#include "packets.h"
#include "util.h"
#include "flow.h"
#include "uuid.h"
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

int
main(int argc, char *argv[])
{
    static const char hv1[] = "hv1", hv2[] = "hv2", hv3[] = "hv3";

    set_program_name(argv[0]);
    if (argc != 2) {
        ovs_fatal(0, "usage: %s hv1|hv2|hv3|static", argv[0]);
    }

    struct vpc_flow_table flows;
    vpc_flow_table_init(&flows);
    if (!strcmp(argv[1], "static")) {
        vpc_pipeline_build_static(&flows);
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
        struct vpc_pl_vpc vpc = {
            .tunnel_key = 42,
            .subnets = subnets, .n_subnets = 2,
            .ports = ports, .n_ports = 3,
        };
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
        chassis.self = (!strcmp(argv[1], "hv1") ? hv1
                        : !strcmp(argv[1], "hv2") ? hv2 : hv3);
        chassis.encap = (chassis.self == hv2 ? VPC_ENCAP_GENEVE
                         : VPC_ENCAP_VXLAN);
        vpc_pipeline_build_vpc(&chassis, &vpc, &flows);
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    vpc_flow_table_format(&flows, &s);
    fputs(ds_cstr(&s), stdout);
    ds_destroy(&s);
    vpc_flow_table_destroy(&flows);
    return 0;
}
