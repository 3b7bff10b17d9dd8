/* Changes: what a database change or a host's interface touches, and the
 * model rebuilt for it (the incremental path).
 *
 * A change to VPC, Subnet, Port or NAT rows, or an interface that comes or
 * goes on a host, rebuilds in place only the VPCs it touches (where the
 * changed rows were, as the model has them, and where they are now).
 * Chassis, outside networks, gateway groups, host identities, and a
 * database read afresh after a reconnect rebuild the whole model.  Either
 * way only VPCs whose fingerprint changed reach chassis-sync. */
#ifndef VPC_CONTROLLER_CHANGES_H
#define VPC_CONTROLLER_CHANGES_H 1

#include <stdbool.h>

struct ds;
struct ovsdb_idl;

void changes_init(struct ovsdb_idl *);
void changes_destroy(void);

void changes_need_build(void);
bool changes_build_pending(void);
void changes_note_iface(const char *iface_id);
void changes_force_recompute(void);

void changes_run(void);
bool changes_pending(void);
void changes_format_stats(struct ds *);

#endif /* changes.h */
