"""Checks that a vpc-bench JSON report has every figure (not their values:
benchmarks never pass or fail on time)."""
import json
import sys

d = json.load(open(sys.argv[1]))
assert d["complete"], "the run did not complete"
lat = d["latency"]
for k in ("first_reply_ms", "wait_hv_port_add_ms", "client_port_add_ms"):
    assert lat[k]["median"] > 0, k
s = d["scale"][0]
assert (s["hosts"], s["vpcs"], s["ports"]) == (2, 2, 8), s
assert s["ports_up"] == 8, s
assert s["converge_ms"] > 0 and s["flows_per_host_max"] > 0, s
assert s["one_more_port_ms"]["median"] > 0, s
assert s["client_port_add_ms"]["median"] > 0, s
assert s["client_port_del_ms"]["median"] > 0, s
assert s["client_small_vpc_port_add_ms"]["median"] > 0, s
dp = d["dataplane"]
assert dp["vpc_gbps"] > 0 and dp["two_flow_gbps"] > 0, dp
print("ok")
