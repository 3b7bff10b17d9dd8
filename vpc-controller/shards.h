/* Chassis shards and the controller instances that own them.
 *
 * Chassis are split into shards by a hash of their names.  Each shard has
 * an OVSDB lock, "vpc_shard_N"; the instance holding it owns the shard's
 * chassis (it is their OpenFlow primary and writes their status).  Every
 * instance queues for every lock, so when an owner dies another instance
 * gets its locks at once.  Instances announce themselves with a heartbeat
 * in the Controller table; from the live ones each shard has a preferred
 * owner (the live instances, sorted by name, dealt the shards in turn),
 * and an instance that holds a shard whose preferred owner is another
 * live instance lets it go, so that adding an instance spreads the
 * shards.  A starting instance queues at first only for the shards that
 * would be its own if every instance with a row were alive (see
 * START_GRACE in shards.c), so that instances starting together do not
 * pass shards around.  The holder of one more lock, "vpc_controller", is
 * the active instance, for work that belongs to no chassis. */
#ifndef VPC_CONTROLLER_SHARDS_H
#define VPC_CONTROLLER_SHARDS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ds;
struct ovsdb_idl;

#define VPC_DEFAULT_SHARDS 16
#define VPC_MAX_SHARDS 64

void shards_init(const char *remote, const char *instance);
void shards_destroy(void);
void shards_run(struct ovsdb_idl *vpcdb);
void shards_wait(void);

size_t shards_count(void);
size_t shard_of(const char *chassis);
size_t shard_of_hash(uint32_t name_hash);
bool shard_is_held(size_t shard);
bool shards_is_active(void);
bool shards_is_connected(void);
void shards_format(struct ds *);

#endif /* shards.h */
