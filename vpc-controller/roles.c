/* Roles of this controller instance.  See roles.h. */
#include <config.h>
#include "roles.h"

#include "bitmap.h"
#include "coverage.h"
#include "hash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "shards.h"
#include "status.h"
#include "util.h"
#include "vpc-idl.h"

VLOG_DEFINE_THIS_MODULE(roles);

COVERAGE_DEFINE(roles_claim_txn);
COVERAGE_DEFINE(roles_claim_txn_failed);

static struct ovsdb_idl *vpcdb;
static char *instance_id;
static bool active;
static uint64_t *shard_gens;        /* Per shard: claimed generation, or 0. */
static size_t n_shard_gens;
static struct ovsdb_idl_txn *claim_txn;
static unsigned long *claiming;     /* Shards 'claim_txn' claims. */

/* Starts following the shard locks as instance 'instance' of the VPC
 * database 'idl'. */
void
roles_init(struct ovsdb_idl *idl, const char *instance)
{
    vpcdb = idl;
    instance_id = xstrdup(instance);
}

/* Forgets every role and claim. */
void
roles_destroy(void)
{
    if (claim_txn) {
        ovsdb_idl_txn_destroy(claim_txn);
        claim_txn = NULL;
    }
    free(shard_gens);
    free(claiming);
    shard_gens = NULL;
    claiming = NULL;
    n_shard_gens = 0;
    free(instance_id);
    instance_id = NULL;
}

/* Did the generations we hold change since roles_run() last returned
 * true? */
static bool gens_changed = true;

/* Follows the locks: claims a role generation for shards we got, steps
 * down from shards we lost.  Returns true when the roles to ask switches
 * for changed since it last did and are settled (no claim in flight);
 * only then do the switches need asking again. */
bool
roles_run(void)
{
    bool locked = shards_is_active();
    if (locked != active) {
        active = locked;
        VLOG_INFO("%s: %s", instance_id, active ? "active" : "standby");
        status_changed();
    }

    size_t n = shards_count();
    if (n != n_shard_gens) {
        if (claim_txn) {
            ovsdb_idl_txn_destroy(claim_txn);
            claim_txn = NULL;
        }
        free(shard_gens);
        free(claiming);
        shard_gens = xcalloc(n + 1, sizeof *shard_gens);
        claiming = bitmap_allocate(n + 1);
        n_shard_gens = n;
        gens_changed = true;
    }

    if (claim_txn) {
        enum ovsdb_idl_txn_status st = ovsdb_idl_txn_commit(claim_txn);
        if (st == TXN_INCOMPLETE) {
            return false;
        }
        if (st == TXN_SUCCESS) {
            uint64_t gen = ovsdb_idl_txn_get_increment_new_value(claim_txn);
            for (size_t i = 0; i < n; i++) {
                if (bitmap_is_set(claiming, i) && shard_is_held(i)) {
                    shard_gens[i] = gen;
                    gens_changed = true;
                }
            }
            VLOG_INFO("%s: claiming the primary role with generation "
                      "%"PRIu64, instance_id, gen);
        } else {
            COVERAGE_INC(roles_claim_txn_failed);
        }
        ovsdb_idl_txn_destroy(claim_txn);
        claim_txn = NULL;
        bitmap_set_multiple(claiming, 0, n, false);
    }

    bool pending = false;
    for (size_t i = 0; i < n; i++) {
        if (!shard_is_held(i)) {
            if (shard_gens[i]) {
                shard_gens[i] = 0;
                gens_changed = true;
            }
        } else if (!shard_gens[i]) {
            pending = true;
            bitmap_set1(claiming, i);
        }
    }
    if (pending && ovsdb_idl_is_connected(vpcdb)
        && ovsdb_idl_has_ever_connected(vpcdb)) {
        claim_txn = ovsdb_idl_txn_create(vpcdb);
        ovsdb_idl_txn_add_comment(claim_txn, "vpc-controller %s: claim",
                                  instance_id);
        const struct vpcrec_vpc_global *g = vpcrec_vpc_global_first(vpcdb);
        if (!g) {
            g = vpcrec_vpc_global_insert(claim_txn);
        }
        ovsdb_idl_txn_increment(claim_txn, &g->header_,
                                &vpcrec_vpc_global_col_role_generation,
                                true);
        ovsdb_idl_txn_commit(claim_txn);
        COVERAGE_INC(roles_claim_txn);
    } else {
        bitmap_set_multiple(claiming, 0, n, false);
    }
    if (claim_txn || !gens_changed) {
        return false;
    }
    gens_changed = false;
    /* The chassis whose rows are ours to keep changed. */
    status_changed();
    return true;
}

/* Arranges for poll_block() to wake up when a claim is answered. */
void
roles_wait(void)
{
    if (claim_txn) {
        ovsdb_idl_txn_wait(claim_txn);
    }
}

/* This instance's name. */
const char *
roles_instance(void)
{
    return instance_id;
}

/* Does this instance hold the "vpc_controller" lock? */
bool
roles_is_active(void)
{
    return active;
}

/* Is the chassis called 'chassis' ours to program (we hold its shard's
 * lock and a generation for it)? */
bool
roles_owns(const char *chassis)
{
    return roles_owns_hash(hash_string(chassis, 0));
}

/* The same, for the chassis whose name hashes (hash_string(name, 0)) to
 * 'name_hash'. */
bool
roles_owns_hash(uint32_t name_hash)
{
    return roles_owns_shard(shard_of_hash(name_hash));
}

/* Do we own every shard (so that no chassis is another instance's)? */
bool
roles_owns_all(void)
{
    size_t n = shards_count();

    if (!n || n > n_shard_gens) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!shard_gens[i]) {
            return false;
        }
    }
    return true;
}

/* Do we own shard number 'shard'? */
bool
roles_owns_shard(size_t shard)
{
    return shard < n_shard_gens && shard_gens[shard];
}

/* Do we own any shard? */
bool
roles_owns_any(void)
{
    for (size_t i = 0; i < n_shard_gens; i++) {
        if (shard_gens[i]) {
            return true;
        }
    }
    return false;
}

/* Is a claim for a generation in flight?  (Status waits for it.) */
bool
roles_claiming(void)
{
    return claim_txn != NULL;
}

/* Returns the role generation to ask the switch of 'chassis' for, and sets
 * '*primary' to whether we ask to be its primary: our generation if we
 * own it, else 0 (a secondary claim takes the switch's own). */
uint64_t
roles_generation(const char *chassis, bool *primary)
{
    size_t shard = shard_of(chassis);

    *primary = shard < n_shard_gens && shard_gens[shard];
    return *primary ? shard_gens[shard] : 0;
}

/* The switch of 'chassis' refused our generation: it is stale (another
 * instance claimed a newer one, or the database's counter went back), so
 * we claim a new one while we still hold the lock. */
void
roles_refused(const char *chassis)
{
    size_t shard = shard_of(chassis);

    if (shard < n_shard_gens) {
        VLOG_WARN("chassis %s refused generation %"PRIu64"; claiming a new "
                  "one", chassis, shard_gens[shard]);
        shard_gens[shard] = 0;
        gens_changed = true;
        /* Its chassis are not ours until the new claim: the next status
         * pass must not speak for them (see cfg-claims.h). */
        status_changed();
    }
}
