/* Flow monitoring: how a switch tells us of flows that another connection
 * (an operator's ovs-ofctl, say) adds, changes or deletes, so that ofctrl
 * can repair them. */
#ifndef VPC_CONTROLLER_OFCTRL_MONITOR_H
#define VPC_CONTROLLER_OFCTRL_MONITOR_H 1

#include <stdbool.h>
#include "openvswitch/ofp-protocol.h"

struct ofp_header;
struct ofpbuf;

struct ofpbuf *ofctrl_monitor_request(enum ofputil_protocol);
struct ofpbuf *ofctrl_monitor_cancel(enum ofputil_protocol);
bool ofctrl_monitor_is_foreign(const struct ofp_header *);

struct vpc_flow;
struct vpc_flow_body;
bool ofctrl_monitor_foreign_twin(const struct vpc_flow *,
                                 struct vpc_flow *twin,
                                 struct vpc_flow_body *twin_body);

#endif /* ofctrl-monitor.h */
