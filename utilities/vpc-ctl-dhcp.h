/* vpc-ctl commands for DHCP: the options a subnet's DHCP server hands
 * out, and port host names. */
#ifndef VPC_CTL_DHCP_H
#define VPC_CTL_DHCP_H 1

#include "db-ctl-base.h"

/* dhcp-set, dhcp-unset, dhcp-show, port-set-hostname. */
extern const struct ctl_command_syntax vpc_ctl_dhcp_commands[];

#endif /* vpc-ctl-dhcp.h */
