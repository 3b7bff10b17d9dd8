/* vpc-ctl's commands: the generic database commands and one table per
 * command family, each in its own vpc-ctl-FAMILY.c.  A new family is a new
 * file and one line below. */
#include <config.h>

#include "db-ctl-base.h"
#include "openvswitch/vlog.h"
#include "vpc-ctl.h"
#include "vpc-ctl-acl.h"
#include "vpc-ctl-annotate.h"
#include "vpc-ctl-common.h"
#include "vpc-ctl-dhcp.h"
#include "vpc-ctl-flowlog.h"
#include "vpc-ctl-gateway.h"
#include "vpc-ctl-misc.h"
#include "vpc-ctl-peering.h"
#include "vpc-ctl-route.h"
#include "vpc-ctl-sg.h"
#include "vpc-ctl-vpc.h"
#include "vpc-idl.h"

VLOG_DEFINE_THIS_MODULE(vpc_ctl_cmds);

/* Registers the generic database commands and ours; 'exit_func' is called
 * by ctl_fatal(). */
void
vpc_ctl_cmds_init(void (*exit_func)(int status))
{
    ctl_init(&vpcrec_idl_class, vpcrec_table_classes, vpc_ctl_tables, NULL,
             exit_func);
    ctl_register_commands(vpc_ctl_vpc_commands);
    ctl_register_commands(vpc_ctl_gateway_commands);
    ctl_register_commands(vpc_ctl_misc_commands);
    ctl_register_commands(vpc_ctl_sg_commands);
    ctl_register_commands(vpc_ctl_acl_commands);
    ctl_register_commands(vpc_ctl_dhcp_commands);
    ctl_register_commands(vpc_ctl_route_commands);
    ctl_register_commands(vpc_ctl_peering_commands);
    ctl_register_commands(vpc_ctl_flowlog_commands);
    ctl_register_commands(vpc_ctl_annotate_commands);
}
