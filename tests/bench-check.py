"""Checks that a vpc-bench JSON report has every figure (not their values:
benchmarks never pass or fail on time).

usage: bench-check.py REPORT [--security] [--routes] [--metrics-scrape]
       bench-check.py REPORT --emulated [--instances=N] [--large-vpc=N]
                                            [--hosts-first]
--security, --routes, --metrics-scrape: the run used them, whose figures
must be there too.
--emulated: a "vpc-bench --emulated=3 --emulated-vpcs=4" run;
--instances=N: ... with --instances=N (each instance's figures).
--hosts-first: ... with --hosts-first (the report says so).
--large-vpc=N: ... with --large-vpc=N, world (b): every host holds flows
for every port of the large VPC."""
import json
import sys

d = json.load(open(sys.argv[1]))
security = "--security" in sys.argv[2:]
routes = "--routes" in sys.argv[2:]
metrics = "--metrics-scrape" in sys.argv[2:]
assert d["complete"], "the run did not complete"
if "--emulated" in sys.argv[2:]:
    e = d["emulated"]
    large = 0
    for a in sys.argv[2:]:
        if a.startswith("--large-vpc="):
            large = int(a.split("=", 1)[1])
    assert (e["hosts"], e["vpcs"], e["ports"]) == (3, 4, 40 + large), e
    assert e["ports_up"] == 40 + large, e
    r = d["emulated_rss"]
    assert r["peak_total_mb"] > 0 and r["stopped_at_mb"] is None, r
    assert r["curve_s_ctl_db_emu_total_mb"], r
    if large:
        b = e["large_vpc"]
        assert b["ports"] == large and b["converge_ms"] > 0, b
        assert e["converge_ms"] >= b["converge_ms"], e
        # Every host (all 3 are sampled) has flows for each of its ports.
        assert [h["host"] for h in b["hosts_sampled"]] == \
            ["hv1", "hv2", "hv3"], b
        for h in b["hosts_sampled"]:
            assert h["large_vpc_ports"] == large, h
            assert h["their_flows"] >= large, h
        assert e["flows_per_host_median"] > b["flows_per_host_median_world_a"]
        assert 0 < b["share_of_host_flows_percent"] < 100, b
        assert b["client_port_add_ms"]["median"] > 0, b
        # A port of the large VPC changes flows on every host.
        assert b["flow_mods_per_port_change"] >= e["hosts"], b
        for k in ("controller_bytes_per_flow", "emulator_bytes_per_flow"):
            assert k in b, k
    else:
        assert e["large_vpc"] is None, e
    # Every host reports the configuration that --wait=hv waited for.
    assert e["hosts_converged"] == 3, e
    n = 1
    for a in sys.argv[2:]:
        if a.startswith("--instances="):
            n = int(a.split("=", 1)[1])
    assert e["hosts_first"] is ("--hosts-first" in sys.argv[2:]), e
    inst = e["instances"]
    assert [i["name"] for i in inst] == ["c%d" % (k + 1) for k in range(n)], e
    for i in inst:
        assert i["cpu_s"] >= 0 and i["peak_rss_mb"] > 0, i
        assert i["shards"] > 0, i
    # The shards, and the hosts, are split among the instances.
    assert sum(i["hosts"] for i in inst) == 3, e
    # Every instance read every VM's interface before the world came.
    assert e["vm_interfaces_ms"] > 0, e
    assert e["vm_interfaces_controller_cpu_s"] >= 0, e
    for k in ("onboard_ms", "converge_ms", "controller_peak_rss_mb",
              "db_peak_rss_mb", "emulator_peak_rss_mb", "flows_total"):
        assert e[k] > 0, k
    assert 0 < e["flows_per_host_median"] <= e["flows_per_host_max"], e
    for k in ("client_port_add_ms", "client_small_vpc_port_add_ms"):
        assert e[k]["median"] > 0, k
    assert e["restart_ms"] > 0 and e["restart_mods"] >= 0, e
    # Each instance says what the restart cost it: at least the first whole
    # build of its model, and how many of its claims switches refused.
    ri = e["restart_instances"]
    assert [i["name"] for i in ri] == ["c%d" % (k + 1) for k in range(n)], e
    for i in ri:
        assert i["whole_builds"] >= 1 and i["role_claims_refused"] >= 0, i
    print("ok")
    sys.exit(0)
lat = d["latency"]
for k in ("first_reply_ms", "wait_hv_port_add_ms", "client_port_add_ms"):
    assert lat[k]["median"] > 0, k


def check_scale(s):
    assert (s["hosts"], s["vpcs"], s["ports"]) == (2, 2, 8), s
    assert s["ports_up"] == 8, s
    assert s["converge_ms"] > 0 and s["flows_per_host_max"] > 0, s
    assert 0 < s["flows_per_host_median"] <= s["flows_per_host_max"], s
    assert s["one_more_port_ms"]["median"] > 0, s
    assert s["client_port_add_ms"]["median"] > 0, s
    assert s["client_port_del_ms"]["median"] > 0, s
    assert s["client_small_vpc_port_add_ms"]["median"] > 0, s


def check_vs_plain(s):
    """The ratios to the scale run of a world that adds to it."""
    vs = s["vs_plain"]
    # CPU at this size may round to 0 s, whose ratio is null.
    for k in ("converge", "controller_db_peak_rss", "flows_per_host_max",
              "flows_per_host_avg", "flows_per_host_median"):
        assert vs[k] > 0, k
    for k in ("controller_db_cpu", "vswitchd_cpu"):
        assert k in vs, k
    # What it adds costs flows.
    assert s["flows_per_host_max"] > d["scale"][0]["flows_per_host_max"]


check_scale(d["scale"][0])
if security:
    sec = d["security"]["scale"][0]
    check_scale(sec)
    assert (sec["groups_per_port"], sec["rules_per_group"]) == (3, 21), sec
    for k in ("client_rule_add_ms", "client_rule_del_ms", "client_join_ms",
              "client_leave_ms"):
        assert sec[k]["median"] > 0, k
    check_vs_plain(sec)
if routes:
    rt = d["routes"]["scale"][0]
    check_scale(rt)
    # At 2 VPCs: one peering, both VPCs in it.
    assert (rt["routes_per_vpc"], rt["peerings"]) == (10, 1), rt
    for k in ("client_route_add_ms", "client_route_del_ms",
              "client_peering_route_add_ms", "client_peering_route_del_ms"):
        assert rt[k]["median"] > 0, k
    check_vs_plain(rt)
if metrics:
    m = d["metrics"][0]
    for k in ("controller_cpu_s_without", "controller_cpu_s_with",
              "increase_percent", "scrape_ms_median", "page_bytes"):
        assert k in m, k
    # Every scrape answered.
    assert m["scrapes"] > 0 and m["scrapes_ok"] == m["scrapes"], m
dp = d["dataplane"]
assert dp["vpc_gbps"] > 0 and dp["two_flow_gbps"] > 0, dp
assert dp["vpc_sg_gbps"] > 0 and dp["vpc_sg_ratio"] > 0, dp
print("ok")
