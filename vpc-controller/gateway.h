/* Gateway runtime: what the controller does for gateways beyond their
 * flows.  It keeps the peer tunnel ports (with BFD) between hosts and the
 * gateways of their VPCs, asks gateways' next hops for their MACs, and
 * makes a gateway that becomes active announce its group's outside
 * addresses. */
#ifndef VPC_CONTROLLER_GATEWAY_H
#define VPC_CONTROLLER_GATEWAY_H 1

struct chassis;

void gateway_set_peers(struct chassis *);
void gateway_run(void);
void gateway_wait(void);

#endif /* gateway.h */
