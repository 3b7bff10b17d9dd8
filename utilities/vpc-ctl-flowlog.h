/* vpc-ctl commands for flow logs. */
#ifndef VPC_CTL_FLOWLOG_H
#define VPC_CTL_FLOWLOG_H 1

#include "db-ctl-base.h"

struct vpcrec_subnet;
struct vpcrec_vpc;

/* flow-log-add, flow-log-del, flow-log-list. */
extern const struct ctl_command_syntax vpc_ctl_flowlog_commands[];

/* For the other families: the flow logs of a VPC or a subnet go with it,
 * and "show" prints them. */
void vpc_ctl_pre_flow_logs(struct ctl_context *);
void vpc_ctl_flowlog_delete_vpc(struct ctl_context *,
                                const struct vpcrec_vpc *);
void vpc_ctl_flowlog_delete_subnet(struct ctl_context *,
                                   const struct vpcrec_subnet *);
void vpc_ctl_flowlog_show_vpc(struct ctl_context *,
                              const struct vpcrec_vpc *);

#endif /* vpc-ctl-flowlog.h */
