/* Reading a switch's tables: the replies to the flow and group dumps that
 * a reconcile (or a repair) compares with what we want. */
#ifndef VPC_CONTROLLER_OFCTRL_READ_H
#define VPC_CONTROLLER_OFCTRL_READ_H 1

#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-protocol.h"

struct ofp_header;
struct vpc_flow_table;
struct vpc_group_table;

enum ofperr ofctrl_read_flows(const struct ofp_header *,
                              struct vpc_flow_table *);
enum ofperr ofctrl_read_groups(const struct ofp_header *, enum ofp_version,
                               struct vpc_group_table *);

#endif /* ofctrl-read.h */
