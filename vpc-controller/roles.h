/* Roles: what this controller instance does among the others.
 *
 *   - The chassis of a shard (see shards.h) are owned by the instance that
 *     holds the shard's lock: it claims the OpenFlow primary role for them
 *     with a generation taken from VPC_Global's role_generation (so that a
 *     switch refuses an instance that lost the lock but does not know it
 *     yet), programs them and writes their status.
 *
 *   - The instance holding the "vpc_controller" lock is "active": it does
 *     what belongs to no chassis (hv_cfg, chassis no instance is connected
 *     to, unbound ports). */
#ifndef VPC_CONTROLLER_ROLES_H
#define VPC_CONTROLLER_ROLES_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ovsdb_idl;

void roles_init(struct ovsdb_idl *, const char *instance);
void roles_destroy(void);
bool roles_run(void);
void roles_wait(void);

const char *roles_instance(void);
bool roles_is_active(void);
bool roles_owns(const char *chassis);
bool roles_owns_hash(uint32_t name_hash);
bool roles_owns_shard(size_t shard);
bool roles_owns_any(void);
bool roles_owns_all(void);
bool roles_claiming(void);
uint64_t roles_generation(const char *chassis, bool *primary);
void roles_refused(const char *chassis);

#endif /* roles.h */
