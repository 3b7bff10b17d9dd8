/* The flow and group mods that a switch session queues, encoded. */
#ifndef VPC_CONTROLLER_OFCTRL_MODS_H
#define VPC_CONTROLLER_OFCTRL_MODS_H 1

#include <stddef.h>
#include <stdint.h>
#include "openvswitch/ofp-protocol.h"

struct ofpbuf;
struct ovs_list;
struct vpc_flow;
struct vpc_group_table;

void ofctrl_log_flow_mod(const char *name, const struct vpc_flow *,
                         uint16_t command);
struct ofpbuf *ofctrl_encode_flow_mod(const struct vpc_flow *,
                                      uint16_t command,
                                      enum ofputil_protocol);
size_t ofctrl_encode_group_diff(const char *name, enum ofp_version,
                                const struct vpc_group_table *old,
                                const struct vpc_group_table *new,
                                struct ovs_list *adds, struct ovs_list *dels);

#endif /* ofctrl-mods.h */
