/* The VPC pipeline's tables: what pipeline.h names, for logs and dumps.
 * Depends on nothing but pipeline.h, so that flow-table.c can name tables
 * without depending on the stages that fill them. */
#include <config.h>
#include "pipeline.h"

/* Returns a short name for 'table_id', for logs and dumps. */
const char *
vpc_table_name(int table_id)
{
    switch (table_id) {
    case VPC_T_CLASSIFY: return "classify";
    case VPC_T_PORT_SEC: return "port_sec";
    case VPC_T_ARP: return "arp";
    case VPC_T_BIND: return "bind";
    case VPC_T_ARP_REPLY: return "arp_reply";
    case VPC_T_MIGRANT: return "migrant";
    case VPC_T_ROUTER: return "router";
    case VPC_T_SG_REMOTE: return "sg_remote";
    case VPC_T_SG_OUT: return "sg_out";
    case VPC_T_SG_OUT_EVAL: return "sg_out_eval";
    case VPC_T_SG_OUT_ALLOW: return "sg_out_allow";
    case VPC_T_SG_OUT_DENY: return "sg_out_deny";
    case VPC_T_L3_ADMIT: return "l3_admit";
    case VPC_T_NACL_OUT: return "nacl_out";
    case VPC_T_ROUTE: return "route";
    case VPC_T_NACL_IN: return "nacl_in";
    case VPC_T_DEST: return "dest";
    case VPC_T_TO_TUNNEL: return "to_tunnel";
    case VPC_T_MTU: return "mtu";
    case VPC_T_LOCAL_OUT: return "local_out";
    case VPC_T_TO_PORT: return "to_port";
    case VPC_T_SG_IN_EVAL: return "sg_in_eval";
    case VPC_T_SG_IN_ALLOW: return "sg_in_allow";
    case VPC_T_SG_IN_DENY: return "sg_in_deny";
    case VPC_T_DELIVER: return "deliver";
    case VPC_T_GW_SNAT: return "gw_snat";
    case VPC_T_GW_SNAT_NEW: return "gw_snat_new";
    case VPC_T_GW_EGRESS: return "gw_egress";
    case VPC_T_GW_NEXT_HOP: return "gw_next_hop";
    case VPC_T_GW_FROM_EXT: return "gw_from_ext";
    case VPC_T_GW_EXT_ARP: return "gw_ext_arp";
    case VPC_T_GW_DNAT: return "gw_dnat";
    case VPC_T_GW_TO_VPC: return "gw_to_vpc";
    default: return "unknown";
    }
}
