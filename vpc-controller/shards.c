/* Chassis shards and the controller instances that own them.  See
 * shards.h. */
#include <config.h>
#include "shards.h"

#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"
#include "vpc-idl.h"

VLOG_DEFINE_THIS_MODULE(shards);

COVERAGE_DEFINE(shards_heartbeat_txn);
COVERAGE_DEFINE(shards_heartbeat_txn_failed);

/* An instance writes its heartbeat this often, and is taken for dead when
 * others have not seen it change for HEARTBEAT_DEAD ms.
 *
 * Who is alive decides only how the shards are shared out, not who holds
 * them: the server hands a dead instance's locks at once, as its session
 * closes, to the instances queued for them.  So the limit is generous,
 * well past a busy instance's longest round of work (several seconds when
 * four instances rebuild their models at once on two cores): taking a
 * slow instance for dead moves shards, and every move makes the
 * instances that give and take them work more. */
#define HEARTBEAT_INTERVAL 2000
#define HEARTBEAT_DEAD 15000

/* The active instance deletes the rows of instances it has not seen alive
 * for this long (an instance named after its host and pid leaves a new
 * row at every start). */
#define HEARTBEAT_FORGET 60000

/* An instance gives a shard away only after holding it this long, and
 * only to an instance it has seen alive at least PEER_SETTLE, so that two
 * instances with slightly different views do not pass shards back and
 * forth. */
#define HOLD_BEFORE_RELEASE 1500

/* When instances start together (a cluster's cold start, or every
 * instance restarted at once) the first to be ready would get every lock,
 * hand most of them over a few seconds later, and so make every switch
 * change hands twice.  So for this long after its lock sessions are up
 * (and at most START_GRACE_MAX after it knew the shards) an instance
 * queues only for the shards dealt to it from the instances that may be
 * alive, and hands none over; then it queues for the rest.  An instance
 * with a row may be alive until we have watched its row START_WATCH
 * without seeing its heartbeat change (a live instance writes one every
 * HEARTBEAT_INTERVAL, and the first right as it has read the database; a
 * busy round can delay the next).  So the shards of one that is gone
 * wait at most that much longer for an owner, at our start only, and one
 * we wrongly take for gone has its shards handed back after the grace,
 * as without it.  Names that last across restarts leave no rows of
 * earlier runs to watch (vpc-service gives one). */
#define START_GRACE 5000
#define START_GRACE_MAX 15000
#define START_WATCH 4000

/* A peer that starts writes its first heartbeat as it has read the
 * database, and may count the row of a gone instance as alive for
 * START_WATCH after that, so that it does not queue for the shards we
 * would deal it: we deal it none before then. */
#define PEER_SETTLE (START_WATCH + HOLD_BEFORE_RELEASE)

struct shard {
    struct ovsdb_idl *idl;          /* Holds (or queues for) the lock. */
    char *lock_name;
    bool held;
    long long int held_since;
    long long int rerequest_at;     /* Queue again then, after a release. */
    bool requested;                 /* Queued for (or holding) the lock? */
};

/* What we know of another instance. */
struct peer {
    int64_t heartbeat;
    long long int changed;          /* When we saw 'heartbeat' change. */
    long long int alive_since;
    long long int first_seen;
    uint64_t listed;                /* Shards its row lists, a bit each. */
};
BUILD_ASSERT_DECL(VPC_MAX_SHARDS <= 64);

static char *remote;
static char *instance;
static struct shard *shards;
static size_t n_shards;

/* The "vpc_controller" lock: its holder does what belongs to no chassis.
 * Every lock has a session of its own: an IDL that has asked for a lock
 * may only write while it holds it, and the main IDL writes whatever
 * lock it holds. */
static struct shard global;

static void shard_init(struct shard *, char *lock_name);
static void shard_request(struct shard *);
static struct shash peers = SHASH_INITIALIZER(&peers);

static struct ovsdb_idl_txn *hb_txn;
static struct ovsdb_idl *hb_db;         /* The database heartbeats go to. */
static long long int started;
static long long int grace_ends;        /* 0: our lock sessions not up. */
static long long int grace_max;         /* 0: the shards not known yet. */
static long long int next_heartbeat;
static int64_t my_heartbeat;

/* Starts following shards: 'remote' is the VPC DB (as for the main IDL),
 * 'name' this instance. */
void
shards_init(const char *remote_, const char *name)
{
    remote = xstrdup(remote_);
    instance = xstrdup(name);
    started = time_msec();
    shard_init(&global, xstrdup("vpc_controller"));
    shard_request(&global);
}

static void
shard_init(struct shard *s, char *lock_name)
{
    /* A session that replicates next to nothing: it is there for the
     * lock, which lives on the server it talks to (the leader). */
    s->idl = ovsdb_idl_create(remote, &vpcrec_idl_class, false, true);
    ovsdb_idl_add_table(s->idl, &vpcrec_table_vpc_global);
    ovsdb_idl_add_column(s->idl, &vpcrec_vpc_global_col_role_generation);
    s->lock_name = lock_name;
}

static void
shard_request(struct shard *s)
{
    ovsdb_idl_set_lock(s->idl, s->lock_name);
    s->requested = true;
}

static void
shard_destroy(struct shard *s)
{
    ovsdb_idl_destroy(s->idl);
    free(s->lock_name);
    memset(s, 0, sizeof *s);
}

static void
set_count(size_t n)
{
    if (n == n_shards) {
        return;
    }
    for (size_t i = 0; i < n_shards; i++) {
        shard_destroy(&shards[i]);
    }
    free(shards);

    VLOG_INFO("%s: %"PRIuSIZE" chassis shards", instance, n);
    n_shards = n;
    shards = xcalloc(n, sizeof *shards);
    for (size_t i = 0; i < n; i++) {
        shard_init(&shards[i], xasprintf("vpc_shard_%"PRIuSIZE, i));
    }
}

void
shards_destroy(void)
{
    set_count(0);
    if (global.idl) {
        shard_destroy(&global);
    }
    if (hb_txn) {
        ovsdb_idl_txn_destroy(hb_txn);
        hb_txn = NULL;
    }
    shash_destroy_free_data(&peers);
    free(remote);
    free(instance);
}

static size_t
configured_count(struct ovsdb_idl *vpcdb)
{
    const struct vpcrec_vpc_global *g = vpcrec_vpc_global_first(vpcdb);
    int n = g ? smap_get_int(&g->options, "shards", VPC_DEFAULT_SHARDS)
              : VPC_DEFAULT_SHARDS;
    if (n < 1 || n > VPC_MAX_SHARDS) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 60);
        VLOG_WARN_RL(&rl, "VPC_Global options:shards=%d is not in 1...%d; "
                     "using %d", n, VPC_MAX_SHARDS, VPC_DEFAULT_SHARDS);
        n = VPC_DEFAULT_SHARDS;
    }
    return n;
}

/* Our heartbeat, and the shards we hold, in our Controller row. */
static void
run_heartbeat(struct ovsdb_idl *vpcdb)
{
    long long int now = time_msec();

    if (hb_txn) {
        enum ovsdb_idl_txn_status s = ovsdb_idl_txn_commit(hb_txn);
        if (s == TXN_INCOMPLETE) {
            return;
        }
        if (s != TXN_SUCCESS && s != TXN_UNCHANGED) {
            COVERAGE_INC(shards_heartbeat_txn_failed);
        }
        ovsdb_idl_txn_destroy(hb_txn);
        hb_txn = NULL;
    }
    if (now < next_heartbeat || !ovsdb_idl_is_connected(vpcdb)
        || !ovsdb_idl_has_ever_connected(vpcdb)) {
        return;
    }
    next_heartbeat = now + HEARTBEAT_INTERVAL;

    const struct vpcrec_controller *row, *mine = NULL;
    hb_txn = ovsdb_idl_txn_create(vpcdb);
    VPCREC_CONTROLLER_FOR_EACH (row, vpcdb) {
        if (!strcmp(row->name, instance)) {
            mine = row;
            continue;
        }
        const struct peer *p = shash_find_data(&peers, row->name);
        if (global.held && p
            && now - MAX(p->changed, started) > HEARTBEAT_FORGET) {
            VLOG_INFO("%s: forgetting instance %s, not seen alive for %d s",
                      instance, row->name, HEARTBEAT_FORGET / 1000);
            vpcrec_controller_delete(row);
        }
    }
    if (!mine) {
        mine = vpcrec_controller_insert(hb_txn);
        vpcrec_controller_set_name(mine, instance);
    }
    my_heartbeat = MAX(my_heartbeat, mine->heartbeat) + 1;
    vpcrec_controller_set_heartbeat(mine, my_heartbeat);

    int64_t *held = xmalloc((n_shards + 1) * sizeof *held);
    size_t n_held = 0;
    for (size_t i = 0; i < n_shards; i++) {
        if (shards[i].held) {
            held[n_held++] = i;
        }
    }
    vpcrec_controller_set_shards(mine, held, n_held);
    free(held);
    ovsdb_idl_txn_commit(hb_txn);
    COVERAGE_INC(shards_heartbeat_txn);
}

static int
compare_names(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;
    return strcmp(*a, *b);
}

/* Is 'p' alive, and has it been long enough to be dealt shards? */
static bool
is_live(const struct peer *p, long long int now)
{
    return (now - p->changed <= HEARTBEAT_DEAD
            && now - p->alive_since >= PEER_SETTLE);
}

/* Us and the instances for which 'counts' is true, sorted by name: the
 * shards are dealt to them in turn. */
static const char **
sorted_instances(bool (*counts)(const struct peer *, long long int now),
                 long long int now, size_t *n)
{
    const char **names = xmalloc((shash_count(&peers) + 1) * sizeof *names);
    struct shash_node *node;

    *n = 0;
    names[(*n)++] = instance;
    SHASH_FOR_EACH (node, &peers) {
        if (counts(node->data, now)) {
            names[(*n)++] = node->name;
        }
    }
    qsort(names, *n, sizeof *names, compare_names);
    return names;
}

/* Brings what we know of the other instances up to date from their rows.
 * Returns the instances we see alive (always including us), sorted by
 * name. */
static const char **
live_instances(struct ovsdb_idl *vpcdb, size_t *n, long long int now)
{
    const struct vpcrec_controller *row;
    struct sset seen = SSET_INITIALIZER(&seen);

    VPCREC_CONTROLLER_FOR_EACH (row, vpcdb) {
        if (!strcmp(row->name, instance)) {
            continue;
        }
        struct peer *p = shash_find_data(&peers, row->name);
        if (!p) {
            p = xzalloc(sizeof *p);
            p->heartbeat = row->heartbeat;
            p->changed = LLONG_MIN / 2;     /* Not seen alive yet. */
            p->first_seen = now;
            shash_add(&peers, row->name, p);
        } else if (p->heartbeat != row->heartbeat) {
            if (now - p->changed > HEARTBEAT_DEAD) {
                p->alive_since = now;
            }
            p->heartbeat = row->heartbeat;
            p->changed = now;
        }
        p->listed = 0;
        for (size_t i = 0; i < row->n_shards; i++) {
            if (row->shards[i] >= 0 && row->shards[i] < VPC_MAX_SHARDS) {
                p->listed |= UINT64_C(1) << row->shards[i];
            }
        }
        sset_add(&seen, row->name);
    }

    struct shash_node *node;
    SHASH_FOR_EACH_SAFE (node, &peers) {
        if (!sset_contains(&seen, node->name)) {
            free(node->data);
            shash_delete(&peers, node);
        }
    }
    sset_destroy(&seen);
    return sorted_instances(is_live, now, n);
}

/* Is 'p' an instance we take for alive while we start (START_WATCH)? */
static bool
may_be_alive(const struct peer *p, long long int now)
{
    return p->changed > LLONG_MIN / 2 || now - p->first_seen < START_WATCH;
}

static bool
in_start_grace(long long int now)
{
    return !grace_ends || now < grace_ends;
}

/* Queues for the locks not asked for yet.  While we start, only for the
 * shards dealt to us from the instances that may be alive (and us),
 * sorted by name, as live_instances() deals them once all are alive; and
 * we stop queueing for one that an instance we took for gone turns out to
 * be alive to take. */
static void
request_locks(long long int now)
{
    if (!n_shards) {
        return;
    }
    if (!grace_max) {
        grace_max = now + START_GRACE_MAX;
    }
    if (!grace_ends && ovsdb_idl_is_connected(shards[0].idl)) {
        grace_ends = MIN(now + START_GRACE, grace_max);
    } else if (!grace_ends && now >= grace_max) {
        grace_ends = now;
    }

    size_t n_alive = 0;
    bool grace = in_start_grace(now);
    const char **alive = (grace ? sorted_instances(may_be_alive, now, &n_alive)
                          : NULL);
    for (size_t i = 0; i < n_shards; i++) {
        struct shard *s = &shards[i];
        if (s->rerequest_at) {
            continue;
        }
        bool ours = !grace || !strcmp(alive[i % n_alive], instance);
        if (ours && !s->requested) {
            shard_request(s);
        } else if (!ours && s->requested && !s->held) {
            ovsdb_idl_set_lock(s->idl, NULL);
            s->requested = false;
        }
    }
    free(alive);
}

/* May we hand 'shard', which we took at 'when', over to instance 'name'?
 * Only if we saw its heartbeat change since, and its row does not say it
 * holds 'shard': a shard that came to us because its holder died is not
 * handed back to it while it still looks alive (see HEARTBEAT_DEAD).
 * (Our copy of the database may lag by seconds behind the lock, which
 * came on a session of its own: the dead holder's last heartbeat can
 * arrive after the shard did, but that row lists the shard.) */
static bool
peer_may_take(const char *name, size_t shard, long long int when)
{
    const struct peer *p = shash_find_data(&peers, name);

    return p && p->changed > when && !(p->listed & (UINT64_C(1) << shard));
}

/* Follows the locks and gives away shards another live instance should
 * have. */
void
shards_run(struct ovsdb_idl *vpcdb)
{
    long long int now = time_msec();

    hb_db = vpcdb;
    ovsdb_idl_run(global.idl);
    if (ovsdb_idl_has_lock(global.idl) != global.held) {
        global.held = !global.held;
        next_heartbeat = 0;
    }
    if (ovsdb_idl_has_ever_connected(vpcdb)) {
        set_count(configured_count(vpcdb));
    }
    for (size_t i = 0; i < n_shards; i++) {
        struct shard *s = &shards[i];
        ovsdb_idl_run(s->idl);
        if (s->rerequest_at && now >= s->rerequest_at) {
            s->rerequest_at = 0;
            shard_request(s);
        }
        bool held = ovsdb_idl_has_lock(s->idl);
        if (held != s->held) {
            s->held = held;
            s->held_since = now;
            next_heartbeat = 0;     /* Tell the others now. */
            VLOG_INFO("%s: %s shard %"PRIuSIZE, instance,
                      held ? "owns" : "no longer owns", i);
        }
    }

    size_t n_live;
    const char **live = live_instances(vpcdb, &n_live, now);
    request_locks(now);
    bool starting = in_start_grace(now);
    for (size_t i = 0; i < n_shards; i++) {
        struct shard *s = &shards[i];
        const char *preferred = live[i % n_live];
        if (s->held && !starting && strcmp(preferred, instance)
            && now - s->held_since >= HOLD_BEFORE_RELEASE
            && peer_may_take(preferred, i, s->held_since)) {
            VLOG_INFO("%s: handing shard %"PRIuSIZE" over to %s", instance,
                      i, preferred);
            ovsdb_idl_set_lock(s->idl, NULL);
            s->requested = false;
            s->held = false;
            s->held_since = now;
            s->rerequest_at = now + 500;    /* Then queue again. */
            next_heartbeat = 0;
        }
    }
    free(live);
    run_heartbeat(vpcdb);
}

void
shards_wait(void)
{
    bool unrequested = false;

    ovsdb_idl_wait(global.idl);
    for (size_t i = 0; i < n_shards; i++) {
        unrequested |= !shards[i].requested;
        ovsdb_idl_wait(shards[i].idl);
        if (shards[i].rerequest_at) {
            poll_timer_wait_until(shards[i].rerequest_at);
        }
        if (shards[i].held
            && time_msec() < shards[i].held_since + HOLD_BEFORE_RELEASE) {
            poll_timer_wait_until(shards[i].held_since
                                  + HOLD_BEFORE_RELEASE);
        }
    }
    long long int now = time_msec();
    if (n_shards && in_start_grace(now)) {
        /* Starting: the grace ends (then we may queue for more shards and
         * hand some over), and an instance may turn out gone. */
        long long int end = grace_ends ? grace_ends : grace_max;
        poll_timer_wait_until(unrequested ? MIN(end, now + 250) : end);
    }
    if (hb_txn) {
        ovsdb_idl_txn_wait(hb_txn);
    } else if (hb_db && ovsdb_idl_is_connected(hb_db)
               && ovsdb_idl_has_ever_connected(hb_db)) {
        /* (Without the database the heartbeat waits for it, and the
         * database's session wakes us when it is back: a timer that is
         * due all along would spin the loop.) */
        poll_timer_wait_until(next_heartbeat);
    }
}

size_t
shards_count(void)
{
    return n_shards;
}

/* The shard of chassis 'name' (0 before the shards are known). */
size_t
shard_of(const char *name)
{
    return shard_of_hash(hash_string(name, 0));
}

/* The same, for a chassis whose name hashes (hash_string(name, 0)) to
 * 'name_hash': a loop over the chassis need not hash their names again. */
size_t
shard_of_hash(uint32_t name_hash)
{
    return n_shards ? name_hash % n_shards : 0;
}

/* Do we hold the "vpc_controller" lock? */
bool
shards_is_active(void)
{
    return global.held;
}

/* Is the session that holds (or queues for) the "vpc_controller" lock
 * connected?  Without it this instance can be neither active nor a
 * standby ready to take over. */
bool
shards_is_connected(void)
{
    return global.idl && ovsdb_idl_is_connected(global.idl);
}

/* Do we hold the lock of 'shard'? */
bool
shard_is_held(size_t shard)
{
    return shard < n_shards && shards[shard].held;
}

void
shards_format(struct ds *s)
{
    size_t n = 0;

    ds_put_cstr(s, "shards owned:");
    for (size_t i = 0; i < n_shards; i++) {
        if (shards[i].held) {
            ds_put_format(s, " %"PRIuSIZE, i);
            n++;
        }
    }
    ds_put_format(s, "%s (%"PRIuSIZE" of %"PRIuSIZE")\n", n ? "" : " none",
                  n, n_shards);

    /* While it starts, an instance queues only for its own shards, and
     * could not yet take over another's at once. */
    size_t n_requested = 0;
    for (size_t i = 0; i < n_shards; i++) {
        n_requested += shards[i].requested;
    }
    ds_put_format(s, "shards queued for: %"PRIuSIZE" of %"PRIuSIZE"\n",
                  n_requested, n_shards);
}
