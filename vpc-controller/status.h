/* Status written to the VPC database: each chassis' row (its identity,
 * whether it is connected, who owns it, the nb_cfg its switch
 * acknowledged), each port's binding and whether it is up, and, by the
 * active instance, hv_cfg.  One transaction in flight at a time; a pass
 * looks at every port only when something shared changed, else at the
 * ports of rebuilt VPCs and those still waiting for their flows.  Each
 * instance looks only at the ports it writes: those bound on the chassis
 * it owns, and for the active one the unbound ones too. */
#ifndef VPC_CONTROLLER_STATUS_H
#define VPC_CONTROLLER_STATUS_H 1

#include <stdbool.h>

struct ds;
struct model_vpc;
struct ovsdb_idl;
struct uuid;

void status_changed(void);
void status_touch(void);
void status_note_port(const struct uuid *);
void status_note_vpc_ports(const struct model_vpc *);
void status_check_cfg(void);

void status_run(void);
void status_wait(bool db_ok);
void status_destroy(void);
void status_format_stats(struct ds *);

#endif /* status.h */
