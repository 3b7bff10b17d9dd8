/* The switch side of punted packets (see punt.h): the packet-in format we
 * ask for, and the meters every punt goes through. */
#ifndef VPC_CONTROLLER_OFCTRL_PUNT_H
#define VPC_CONTROLLER_OFCTRL_PUNT_H 1

#include "openvswitch/list.h"
#include "openvswitch/ofp-protocol.h"

struct ofpbuf *ofctrl_punt_format_request(enum ofp_version);
void ofctrl_punt_meter_mods(enum ofp_version, struct ovs_list *msgs);

#endif /* ofctrl-punt.h */
