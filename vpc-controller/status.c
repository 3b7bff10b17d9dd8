/* Status in the VPC database.  See status.h. */
#include <config.h>
#include "status.h"

#include <limits.h>
#include <string.h>

#include "cfg-claims.h"
#include "chassis.h"
#include "chassis-sync.h"
#include "coverage.h"
#include "openvswitch/dynamic-string.h"
#include "engine-private.h"
#include "hash.h"
#include "hmapx.h"
#include "host.h"
#include "ofctrl.h"
#include "openvswitch/hmap.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "roles.h"
#include "rows-by-name.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"
#include "uuidset.h"
#include "vpc-idl.h"

VLOG_DEFINE_THIS_MODULE(status);

COVERAGE_DEFINE(engine_status_txn);
COVERAGE_DEFINE(engine_status_txn_failed);
COVERAGE_DEFINE(engine_status_chassis_cfg);
COVERAGE_DEFINE(engine_status_port);

static bool status_dirty = true;
/* A status pass looks at every port when 'status_full', else at the ports
 * in 'status_ports' (in VPCs that were rebuilt) and 'pending_ports' (ports
 * of ours, bound with an interface, whose flows were not yet
 * acknowledged when last looked at). */
static bool status_full = true;
static struct uuidset status_ports = UUIDSET_INITIALIZER(&status_ports);
static struct uuidset pending_ports = UUIDSET_INITIALIZER(&pending_ports);
/* The status transaction in flight.  Only one: until its reply, the IDL
 * shows the values it overwrites, so a second one would be written
 * against stale values (and could skip a write that is needed). */
static struct ovsdb_idl_txn *status_txn;
static int64_t last_nb_cfg = -1;

/* Statistics for "vpc/status": rows written, and ports looked at that
 * were another instance's to write. */
static uint64_t n_chassis_cfg_writes, n_port_writes, n_port_others;

/* A port that is not up, bound on one of our chassis whose switch has yet
 * to acknowledge its flows, is written once, bound and up together, when
 * the switch does, rather than first as bound and down and then again as
 * up: every controller instance replicates every write to a Port row.
 * Not for longer than STATUS_DEFER_MS, though, so that a switch slow to
 * acknowledge does not keep the port's binding from the database.  (A
 * port whose row says it is up is written down at once, the row must not
 * go on saying so, unless its switch is still being read: see
 * STATUS_UNREAD_MS.) */
#define STATUS_DEFER_MS 1000

/* A port whose row says it is up, bound where it was, keeps saying so while
 * the switch of its chassis is still being read or answering what we sent
 * it, for up to STATUS_UNREAD_MS: after a controller restart (or a switch's
 * reconnection) the flows are usually there, as reading them shows, and
 * writing every port down and up again would cost two writes per port for
 * nothing, and show users a flap while traffic flows.  (A switch that stays
 * away longer than its reconnection backoff has its ports written down.) */
#define STATUS_UNREAD_MS 10000

struct deferred_port {
    struct hmap_node node;          /* In 'deferred_ports', by port. */
    struct uuid port;
    long long int since;
    unsigned int pass;              /* The last pass that deferred it. */
};
static struct hmap deferred_ports = HMAP_INITIALIZER(&deferred_ports);
static unsigned int status_pass;
static long long int deferral_end = LLONG_MAX;  /* The earliest. */

/* The next status pass looks at every port. */
void
status_changed(void)
{
    status_dirty = true;
    status_full = true;
}

/* The next status pass looks at the ports it was told of (and those still
 * waiting for their flows). */
void
status_touch(void)
{
    status_dirty = true;
}

/* The next status pass looks at port 'uuid'. */
void
status_note_port(const struct uuid *uuid)
{
    uuidset_insert(&status_ports, uuid);
}

/* Is a port bound at 'where' (NULL: unbound) one that this instance may
 * have to write?  The active instance writes unbound ports, and each
 * owner the ports bound on its chassis: no instance need look at the
 * ports that other owners write, so that its status passes cost what its
 * own chassis carry (and, for the active one, the unbound ports). */
static bool
may_write_port_at(const struct model_location *where)
{
    return where ? roles_owns_hash(where->name_hash) : roles_is_active();
}

/* The next status pass looks at the ports of 'mv' (those it may write,
 * see may_write_port_at()). */
void
status_note_vpc_ports(const struct model_vpc *mv)
{
    for (size_t i = 0; i < mv->pl.n_ports; i++) {
        if (may_write_port_at(mv->pl.ports[i].chassis)) {
            uuidset_insert(&status_ports, &mv->pl.ports[i].uuid);
        }
    }
}

static const char *
chassis_name_of(const struct ovsdb_idl_row *row)
{
    return CONTAINER_OF(row, const struct vpcrec_chassis, header_)->name;
}

static const char *
cfg_name_of(const struct ovsdb_idl_row *row)
{
    return CONTAINER_OF(row, const struct vpcrec_chassis_cfg, header_)->name;
}

static struct rows_by_name chassis_rows = ROWS_BY_NAME_INITIALIZER(
    &chassis_rows, &vpcrec_table_chassis, chassis_name_of);
static struct rows_by_name cfg_rows = ROWS_BY_NAME_INITIALIZER(
    &cfg_rows, &vpcrec_table_chassis_cfg, cfg_name_of);

/* The Chassis_Cfg row called 'name': one inserted by this status pass (in
 * 'inserted', if nonnull), or the database's, or NULL. */
static const struct vpcrec_chassis_cfg *
cfg_row_find(const char *name, const struct shash *inserted)
{
    const struct vpcrec_chassis_cfg *row = (inserted
                                            ? shash_find_data(inserted, name)
                                            : NULL);
    if (row) {
        return row;
    }
    const struct ovsdb_idl_row *r = rows_by_name_find(&cfg_rows, engine_vpcdb,
                                                      name);
    return r ? CONTAINER_OF(r, const struct vpcrec_chassis_cfg, header_)
             : NULL;
}

/* The configuration of chassis 'name' as its Chassis_Cfg row says (0 if
 * it has none), or 'claim' if that is newer. */
static int64_t
cfg_or_claim(const char *name, int64_t claim)
{
    const struct vpcrec_chassis_cfg *cfg = cfg_row_find(name, NULL);
    return MAX(cfg ? cfg->nb_cfg : 0, claim);
}

/* The configuration that the owner of the chassis of Chassis row 'row'
 * (whose name hashes to 'name_hash') says it has: its owner's claim, if
 * that speaks for it (see cfg-claims.h), or its Chassis_Cfg row's if that
 * is newer; 0 if its owner said nothing of it yet.  A claim of 'enough' or
 * more is returned without looking the row up: it is all the caller
 * needs to know, and all it usually takes. */
static int64_t
reported_cfg(const struct cfg_claims *claims,
             const struct vpcrec_chassis *row, uint32_t name_hash,
             int64_t enough)
{
    int64_t claim = cfg_claims_lookup(claims, row->name, name_hash);
    return claim >= enough ? claim : cfg_or_claim(row->name, claim);
}

static const struct vpcrec_chassis *chassis_row_find(const char *name,
                                                    const struct shash *);

/* The configuration of chassis row 'row', for hv_cfg_behind(), if it is
 * another owner's to report (connected, not ours); else INT64_MAX. */
static int64_t
others_cfg(const struct cfg_claims *claims, const struct vpcrec_chassis *row,
           int64_t enough)
{
    if (!row->connected) {
        return INT64_MAX;
    }
    uint32_t name_hash = hash_string(row->name, 0);
    return (!roles_owns_hash(name_hash)
            ? reported_cfg(claims, row, name_hash, enough) : INT64_MAX);
}

/* A chassis that hv_cfg_behind() last found behind hv_cfg, looked at first
 * next time: while a configuration goes out, every round would otherwise
 * read every other owner's chassis row to learn what one of them says. */
static char *behind_witness;

/* Would hv_cfg move up if written now?  (For the active instance, which
 * learns of other owners' acknowledgements only from their claims and
 * Chassis_Cfg rows.) */
static bool
hv_cfg_behind(void)
{
    const struct vpcrec_vpc_global *g = vpcrec_vpc_global_first(engine_vpcdb);
    const struct vpcrec_chassis *row;

    if (!g || status_txn || g->hv_cfg >= g->nb_cfg || roles_owns_all()) {
        /* (Owning every shard, we know every acknowledgement from our
         * own sessions: no row need be read.) */
        return false;
    }
    struct cfg_claims claims;
    cfg_claims_load(&claims, engine_vpcdb);
    if (behind_witness) {
        row = chassis_row_find(behind_witness, NULL);
        if (row && others_cfg(&claims, row, g->hv_cfg + 1) <= g->hv_cfg) {
            cfg_claims_destroy(&claims);
            return false;
        }
        free(behind_witness);
        behind_witness = NULL;
    }
    bool others = false;
    VPCREC_CHASSIS_FOR_EACH (row, engine_vpcdb) {
        /* Ours are in our sessions, whose acknowledgements wake us. */
        int64_t cfg = others_cfg(&claims, row, g->hv_cfg + 1);
        if (cfg <= g->hv_cfg) {
            behind_witness = xstrdup(row->name);
            cfg_claims_destroy(&claims);
            return false;
        }
        others |= cfg != INT64_MAX;
    }
    cfg_claims_destroy(&claims);
    if (!others) {
        return false;
    }
    struct chassis *ch;
    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        if (ch->ofctrl && chassis_is_owned(ch)
            && ofctrl_get_acked_cfg(ch->ofctrl) <= g->hv_cfg) {
            return false;
        }
    }
    return true;
}

/* Status depends on what the model does not: a new nb_cfg (with no
 * chassis, hv_cfg follows it at once) and, for the active instance, the
 * chassis' acknowledgements that their owners write. */
void
status_check_cfg(void)
{
    if (engine_nb_cfg() != last_nb_cfg) {
        last_nb_cfg = engine_nb_cfg();
        status_dirty = true;
    }
    if (roles_is_active() && hv_cfg_behind()) {
        status_dirty = true;
    }
}

/* Is the port bound, with its flows acknowledged by its chassis?  The
 * location's 'aux' is its chassis (or NULL), set by write_status(). */
static bool
port_is_up(const struct vpcrec_port *row, const struct model_binding *b)
{
    if (!b || !b->where || !b->where->connected || !b->ofport) {
        return false;
    }
    const struct chassis *ch = b->where->aux;
    return ch && chassis_sync_port_is_up(ch, &row->header_.uuid, b->ofport);
}

/* A location, with its Chassis row and whether we own its chassis: looked
 * up once per status pass for the locations of the ports it writes. */
struct loc_row {
    struct hmap_node node;
    const struct model_location *loc;
    const struct vpcrec_chassis *row;
    bool owned;
};

/* The Chassis row called 'name': one inserted by this pass (in 'inserted',
 * if nonnull), or the database's, or NULL. */
static const struct vpcrec_chassis *
chassis_row_find(const char *name, const struct shash *inserted)
{
    const struct vpcrec_chassis *row = (inserted
                                        ? shash_find_data(inserted, name)
                                        : NULL);
    if (row) {
        return row;
    }

    const struct ovsdb_idl_row *r = rows_by_name_find(&chassis_rows,
                                                      engine_vpcdb, name);
    return r ? CONTAINER_OF(r, const struct vpcrec_chassis, header_) : NULL;
}

/* The loc_row of 'loc' in 'loc_rows', looked up now if it is not there
 * yet; sets the location's 'aux' to its chassis (see port_is_up()). */
static const struct loc_row *
loc_row_get(struct hmap *loc_rows, const struct model_location *loc_,
            const struct shash *inserted)
{
    struct model_location *loc = CONST_CAST(struct model_location *, loc_);
    uint32_t hash = hash_pointer(loc, 0);
    struct loc_row *lr;

    HMAP_FOR_EACH_WITH_HASH (lr, node, hash, loc_rows) {
        if (lr->loc == loc) {
            return lr;
        }
    }
    struct chassis *where = chassis_find(loc->name);
    lr = xmalloc(sizeof *lr);
    lr->loc = loc;
    lr->row = chassis_row_find(loc->name, inserted);
    lr->owned = where && chassis_is_owned(where);
    hmap_insert(loc_rows, &lr->node, hash);
    loc->aux = where;
    return lr;
}

/* Writes which chassis claim 'port' (binding 'b') in vain.  Returns true
 * if that changed. */
static bool
write_refused(const struct vpcrec_port *port, const struct model_binding *b)
{
    size_t n = b ? sset_count(&b->refused) : 0;
    bool same = n == port->n_refused_chassis;

    for (size_t i = 0; same && i < port->n_refused_chassis; i++) {
        same = sset_contains(&b->refused, port->refused_chassis[i]);
    }
    if (!same) {
        const char **names = b ? sset_sort(&b->refused) : NULL;
        vpcrec_port_set_refused_chassis(port, names, n);
        free(names);
    }
    return !same;
}

static struct deferred_port *
deferred_port_find(const struct uuid *port)
{
    struct deferred_port *dp;

    HMAP_FOR_EACH_WITH_HASH (dp, node, uuid_hash(port), &deferred_ports) {
        if (uuid_equals(&dp->port, port)) {
            return dp;
        }
    }
    return NULL;
}

/* Port 'port' has status to write while its flows are on their way: should
 * the write wait for them, for at most 'limit' ms since it first waited
 * (see STATUS_DEFER_MS and STATUS_UNREAD_MS)? */
static bool
defer_port(const struct uuid *port, long long int limit)
{
    long long int now = time_msec();
    struct deferred_port *dp = deferred_port_find(port);

    if (!dp) {
        dp = xmalloc(sizeof *dp);
        dp->port = *port;
        dp->since = now;
        hmap_insert(&deferred_ports, &dp->node, uuid_hash(port));
    }
    dp->pass = status_pass;
    if (now - dp->since >= limit) {
        hmap_remove(&deferred_ports, &dp->node);
        free(dp);
        return false;
    }
    deferral_end = MIN(deferral_end, dp->since + limit);
    return true;
}

/* Is the switch of chassis 'ch' (NULL: unknown) still to be read in this
 * session, or to acknowledge what it was sent?  (See STATUS_UNREAD_MS.) */
static bool
switch_unsettled(const struct chassis *ch)
{
    /* (An idle session is one in sync.) */
    return !ch || !ch->ofctrl || !ofctrl_is_idle(ch->ofctrl);
}

/* Empties 'set' and gives back the room it took: a set that a full pass
 * filled with every port keeps its buckets when emptied, and every later
 * pass that walks it (or clears it) would walk them all. */
static void
ports_clear(struct uuidset *set)
{
    uuidset_clear(set);
    hmap_shrink(&set->uuids);
}

/* Forgets the deferrals that the last pass did not renew: ports written,
 * gone, or no longer ours. */
static void
prune_deferred_ports(void)
{
    struct deferred_port *dp;

    HMAP_FOR_EACH_SAFE (dp, node, &deferred_ports) {
        if (dp->pass != status_pass) {
            hmap_remove(&deferred_ports, &dp->node);
            free(dp);
        }
    }
    hmap_shrink(&deferred_ports);
}

/* Writes where 'port' is bound and whether it is up, if that is ours to
 * write; remembers it in 'pending_ports' while it waits for its flows. */
static void
write_port_status(const struct vpcrec_port *port, struct hmap *loc_rows,
                  const struct shash *inserted)
{
    const struct model_binding *b
        = vpc_model_find_binding(&engine_model, &port->header_.uuid);
    const struct vpcrec_chassis *want = NULL;
    bool ours = roles_is_active();
    if (b && b->where) {
        const struct loc_row *lr = loc_row_get(loc_rows, b->where, inserted);
        want = lr->row;
        ours = lr->owned;
    }
    if (!ours) {
        n_port_others++;
        return;
    }
    bool up = port_is_up(port, b);
    bool pending = !up && b && b->where && b->where->connected && b->ofport;
    bool row_up = port->n_up && port->up[0];
    if (pending
        && (row_up
            ? (port->chassis == want && switch_unsettled(b->where->aux)
               && defer_port(&port->header_.uuid, STATUS_UNREAD_MS))
            : defer_port(&port->header_.uuid, STATUS_DEFER_MS))) {
        uuidset_insert(&pending_ports, &port->header_.uuid);
        return;
    }
    bool written = false;
    if (port->chassis != want) {
        vpcrec_port_set_chassis(port, want);
        written = true;
    }
    written |= write_refused(port, b);
    if (!port->n_up || port->up[0] != up) {
        vpcrec_port_set_up(port, &up, 1);
        written = true;
    }
    if (written) {
        COVERAGE_INC(engine_status_port);
        n_port_writes++;
    }
    if (pending) {
        uuidset_insert(&pending_ports, &port->header_.uuid);
    }
}

/* Does this status pass say in our Controller row what every chassis we
 * own has (see cfg-claims.h)?  (The active instance that owns them all
 * needs no claim: it knows them from their sessions.) */
static bool status_claims;

/* The chassis our claim speaks for: those we own and have a switch session
 * with, as the last full status pass found them. */
static struct sset claimed_chassis = SSET_INITIALIZER(&claimed_chassis);

/* Is 'acked', the configuration that the switch of 'ch' acknowledged, news
 * for its Chassis 'row'?  A chassis' row is written only when a change
 * reached its flows (its switch acknowledged a new generation), or when
 * the row is behind its session otherwise (a new session, a row going
 * backwards): a configuration that changes nothing on a chassis, as most
 * changes do on most chassis, costs its row nothing, and the database and
 * every client that follows the Chassis_Cfg table nothing either.  The
 * active instance learns that the chassis has it from its own session or
 * from its owner's claim; hv_cfg says when every chassis has it.  Without
 * a claim, every value is news. */
static bool
chassis_cfg_news(const struct chassis *ch, int64_t row_cfg, int64_t acked)
{
    return (!status_claims
            || ch->status_session != ch->ofctrl
            || ch->status_gen != ofctrl_get_acked_gen(ch->ofctrl)
            || row_cfg > acked);
}

/* Writes 'acked' as the configuration of chassis 'ch' in its Chassis_Cfg
 * row (inserted, and noted in 'inserted', if there is none), if that is
 * news (see chassis_cfg_news()). */
static void
write_chassis_cfg(struct ovsdb_idl_txn *txn, struct chassis *ch,
                  int64_t acked, long long int now, struct shash *inserted)
{
    const struct vpcrec_chassis_cfg *cfg = cfg_row_find(ch->name, inserted);
    int64_t row_cfg = cfg ? cfg->nb_cfg : -1;

    if (acked < 0 || acked == row_cfg
        || !chassis_cfg_news(ch, row_cfg, acked)) {
        ch->status_cfg = row_cfg;
        return;
    }
    if (!cfg) {
        cfg = vpcrec_chassis_cfg_insert(txn);
        vpcrec_chassis_cfg_set_name(cfg, ch->name);
        shash_add(inserted, ch->name, cfg);
    }
    vpcrec_chassis_cfg_set_nb_cfg(cfg, acked);
    vpcrec_chassis_cfg_set_nb_cfg_timestamp(cfg, now);
    ch->status_cfg = acked;
    ch->status_session = ch->ofctrl;
    ch->status_gen = ofctrl_get_acked_gen(ch->ofctrl);
    COVERAGE_INC(engine_status_chassis_cfg);
    n_chassis_cfg_writes++;
}

/* Writes the status of the ports bound on the chassis we own, found
 * through the model's index of where VPCs are: an instance that is not the
 * active one writes no other port (see may_write_port_at()), and a full
 * pass costs what its chassis carry, not every port of the world. */
static void
write_owned_ports(struct hmap *loc_rows, const struct shash *inserted)
{
    struct chassis *ch;

    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        if (!chassis_is_owned(ch)) {
            continue;
        }
        const struct model_location *loc
            = shash_find_data(&engine_model.locations, ch->name);
        const struct hmapx *vpcs = vpc_model_vpcs_at(&engine_model, loc);
        if (!loc || !vpcs) {
            continue;
        }
        const struct hmapx_node *node;
        HMAPX_FOR_EACH (node, vpcs) {
            const struct model_vpc *mv = node->data;
            for (size_t i = 0; i < mv->pl.n_ports; i++) {
                if (mv->pl.ports[i].chassis != loc) {
                    continue;
                }
                const struct vpcrec_port *port = vpcrec_port_get_for_uuid(
                    engine_vpcdb, &mv->pl.ports[i].uuid);
                if (port && !vpcrec_port_is_deleted(port)) {
                    write_port_status(port, loc_rows, inserted);
                }
            }
        }
    }
}

/* For a chassis 'ch' that we own, whose row is as the last full pass left
 * it: writes its configuration to its Chassis_Cfg row if that is news, and
 * takes it into '*own_cfg'. */
static void
owned_chassis_cfg(struct ovsdb_idl_txn *txn, struct chassis *ch,
                  long long int now, struct shash *inserted_cfgs,
                  int64_t *own_cfg)
{
    if (ch->ofctrl) {
        int64_t acked = ofctrl_get_acked_cfg(ch->ofctrl);
        /* 'status_cfg' is what its row had when last looked at, and nobody
         * else writes the row of a chassis we own between full passes:
         * whether the row needs writing is known without looking it up.
         * (Most changes move every chassis' 'acked' and concern few of
         * them.) */
        if (acked != ch->status_cfg
            && chassis_cfg_news(ch, ch->status_cfg, acked)) {
            write_chassis_cfg(txn, ch, acked, now, inserted_cfgs);
        }
        *own_cfg = MIN(*own_cfg, acked);
    }
}

/* Brings the Chassis 'row' (NULL: none yet) of chassis 'ch', which we
 * own, to what its host says, and its Chassis_Cfg row to what its switch
 * acknowledged, and takes that into '*own_cfg'. */
static void
write_chassis_row(struct ovsdb_idl_txn *txn, struct chassis *ch,
                  const struct vpcrec_chassis *row, long long int now,
                  struct shash *inserted, struct shash *inserted_cfgs,
                  int64_t *own_cfg)
{
    const struct host_identity *id = host_get_identity(ch->hn->host);
    if (!row) {
        row = vpcrec_chassis_insert(txn);
        vpcrec_chassis_set_name(row, ch->name);
        shash_add(inserted, ch->name, row);
    }
    if (strcmp(row->encap_type, vpc_encap_name(id->encap))) {
        vpcrec_chassis_set_encap_type(row, vpc_encap_name(id->encap));
    }
    if (strcmp(row->encap_ip, id->encap_ip_s)) {
        vpcrec_chassis_set_encap_ip(row, id->encap_ip_s);
    }
    if (strcmp(row->role, id->role)) {
        vpcrec_chassis_set_role(row, id->role);
    }
    if (strcmp(row->datapath_type, id->datapath_type)) {
        vpcrec_chassis_set_datapath_type(row, id->datapath_type);
    }
    if (!smap_equal(&row->bridge_mappings, &id->bridge_mappings)) {
        vpcrec_chassis_set_bridge_mappings(row, &id->bridge_mappings);
    }
    int64_t mtu = id->underlay_mtu;
    if (!row->underlay_mtu || *row->underlay_mtu != mtu) {
        vpcrec_chassis_set_underlay_mtu(row, &mtu, 1);
    }
    if (!row->connected) {
        vpcrec_chassis_set_connected(row, true);
    }
    if (strcmp(row->owner, roles_instance())) {
        vpcrec_chassis_set_owner(row, roles_instance());
    }
    if (ch->ofctrl) {
        int64_t acked = ofctrl_get_acked_cfg(ch->ofctrl);
        write_chassis_cfg(txn, ch, acked, now, inserted_cfgs);
        *own_cfg = MIN(*own_cfg, acked);
    }
}

static void
write_status(struct ovsdb_idl_txn *txn)
{
    bool active = roles_is_active();
    long long int now = time_wall_msec();

    status_pass++;
    deferral_end = LLONG_MAX;
    struct shash inserted = SHASH_INITIALIZER(&inserted);
    struct shash inserted_cfgs = SHASH_INITIALIZER(&inserted_cfgs);
    const struct vpcrec_chassis *row;
    struct chassis *ch;

    /* Chassis rows of hosts we have no session with, looked at when
     * anything but the ports changed (a chassis that goes, or a shard
     * that comes or goes, makes the next pass a full one).  Hosts dial
     * every instance, and a session to one says nothing of the others:
     * such a row is marked down, with no owner, by the holder of its
     * shard alone, which cannot program it.  (Unless the row changed
     * since we read it: the new owner may just have written it.)  Each
     * owner keeps its connected chassis' rows (below). */
    if (status_full && roles_owns_any()) {
        VPCREC_CHASSIS_FOR_EACH (row, engine_vpcdb) {
            if ((row->connected || row->owner[0])
                && roles_owns(row->name) && !chassis_find(row->name)) {
                vpcrec_chassis_verify_connected(row);
                vpcrec_chassis_verify_owner(row);
                vpcrec_chassis_set_connected(row, false);
                vpcrec_chassis_set_owner(row, "");
            }
        }
    }
    /* 'own_cfg': what every chassis we own has; 'hv_cfg': what every
     * chassis has, for the active instance. */
    const struct vpcrec_controller *mine = cfg_claims_my_row(engine_vpcdb);
    status_claims = mine || (active && roles_owns_all());
    int64_t hv_cfg = INT64_MAX;
    int64_t own_cfg = INT64_MAX;
    if (active && !status_full && roles_owns_all()) {
        /* Every chassis is ours, its row as the last full pass left it,
         * and one that was not noted busy since a pass last found it idle
         * is idle still: its configuration is the floor's, which is news
         * to no row (chassis_cfg_news()).  So this pass looks only at the
         * others, and costs what changed, not how many chassis there
         * are. */
        struct hmapx_node *node;
        HMAPX_FOR_EACH (node, &chassis_status_due) {
            ch = node->data;
            ch->n_status_visits++;
            owned_chassis_cfg(txn, ch, now, &inserted_cfgs, &own_cfg);
        }
        if (hmap_count(&chassis_map) > hmapx_count(&chassis_status_due)) {
            own_cfg = MIN(own_cfg, ofctrl_get_cfg_floor());
        }
    } else {
        struct cfg_claims claims;
        if (active) {
            cfg_claims_load(&claims, engine_vpcdb);
        }
        if (status_full) {
            /* The chassis our claim speaks for change only with a full
             * pass: a chassis that comes, goes, changes hands or loses
             * its switch session makes the next pass a full one. */
            sset_clear(&claimed_chassis);
        }
        HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
            bool owned = chassis_is_owned(ch);
            if (!owned && !active) {
                /* Another owner's: only hv_cfg, the active instance's,
                 * reads what its owner reports. */
                continue;
            }
            ch->n_status_visits++;
            if (owned && status_full && ch->ofctrl) {
                sset_add(&claimed_chassis, ch->name);
            }
            if (owned && !status_full) {
                /* Its row is as the last full pass left it (a chassis
                 * that comes, goes or changes makes the next pass a full
                 * one): only its configuration may be news. */
                owned_chassis_cfg(txn, ch, now, &inserted_cfgs, &own_cfg);
                continue;
            }
            if (!owned) {
                /* Its owner reports what its switch acknowledged: in its
                 * claim (enough, most of the time, without a look at the
                 * chassis' rows), or in the chassis' Chassis_Cfg row. */
                int64_t claim = cfg_claims_lookup(&claims, ch->name,
                                                  ch->hmap_node.hash);
                if (claim >= engine_nb_cfg()) {
                    continue;
                }
                row = chassis_row_find(ch->name, &inserted);
                if (row && row->connected) {
                    hv_cfg = MIN(hv_cfg, cfg_or_claim(ch->name, claim));
                } else if (claim >= 0 || ch->ofctrl) {
                    hv_cfg = MIN(hv_cfg, claim);
                }
                continue;
            }
            row = chassis_row_find(ch->name, &inserted);
            write_chassis_row(txn, ch, row, now, &inserted, &inserted_cfgs,
                              &own_cfg);
        }
        if (active) {
            cfg_claims_destroy(&claims);
        }
    }
    if (mine) {
        cfg_claims_write(mine, (own_cfg == INT64_MAX ? engine_nb_cfg()
                                : own_cfg), &claimed_chassis);
    }
    hv_cfg = MIN(hv_cfg, own_cfg);
    /* Whichever way, this pass looked at the chassis noted busy. */
    struct hmapx_node *node;
    HMAPX_FOR_EACH_SAFE (node, &chassis_status_due) {
        ch = node->data;
        if (chassis_is_settled(ch)) {
            hmapx_delete(&chassis_status_due, node);
        }
    }

    /* Ports: where they are bound, and whether their flows are in; each
     * written by the owner of its chassis, unbound ones by the active
     * instance.  Each location's chassis row and chassis are looked up
     * once, not per port, and only for the locations of these ports. */
    struct hmap loc_rows = HMAP_INITIALIZER(&loc_rows);
    const struct vpcrec_port *port;
    if (status_full) {
        ports_clear(&pending_ports);
        if (active) {
            VPCREC_PORT_FOR_EACH (port, engine_vpcdb) {
                write_port_status(port, &loc_rows, &inserted);
            }
        } else {
            write_owned_ports(&loc_rows, &inserted);
        }
    } else {
        struct uuidset_node *un;
        UUIDSET_FOR_EACH (un, &pending_ports) {
            uuidset_insert(&status_ports, &un->uuid);
        }
        UUIDSET_FOR_EACH (un, &status_ports) {
            uuidset_find_and_delete(&pending_ports, &un->uuid);
            const struct model_binding *b = vpc_model_find_binding(
                &engine_model, &un->uuid);
            if (b ? !may_write_port_at(b->where) : !active) {
                /* Another owner's; or, not in the model (see
                 * write_port_status()), the active instance's. */
                continue;
            }
            port = vpcrec_port_get_for_uuid(engine_vpcdb, &un->uuid);
            if (port && !vpcrec_port_is_deleted(port)) {
                write_port_status(port, &loc_rows, &inserted);
            }
        }
    }
    status_full = false;
    ports_clear(&status_ports);
    hmap_shrink(&pending_ports.uuids);
    prune_deferred_ports();
    shash_destroy(&inserted);
    shash_destroy(&inserted_cfgs);
    struct loc_row *lr;
    HMAP_FOR_EACH_POP (lr, node, &loc_rows) {
        free(lr);
    }
    hmap_destroy(&loc_rows);

    if (!roles_is_active()) {
        return;
    }

    /* The configuration every chassis has. */
    const struct vpcrec_vpc_global *g = vpcrec_vpc_global_first(engine_vpcdb);
    if (!g) {
        g = vpcrec_vpc_global_insert(txn);
    } else {
        if (hv_cfg == INT64_MAX) {
            hv_cfg = g->nb_cfg;
        }
        hv_cfg = MIN(hv_cfg, g->nb_cfg);
        if (hv_cfg > g->hv_cfg) {
            VLOG_DBG("every chassis has nb_cfg %"PRId64, hv_cfg);
            vpcrec_vpc_global_set_hv_cfg(g, hv_cfg);
            vpcrec_vpc_global_set_hv_cfg_timestamp(g, now);
        }
    }
}

/* Writes what changed, if it is ours to write, once the transaction in
 * flight (if any) is answered. */
void
status_run(void)
{
    if (status_txn) {
        enum ovsdb_idl_txn_status s = ovsdb_idl_txn_commit(status_txn);
        if (s == TXN_INCOMPLETE) {
            return;
        }
        if (s == TXN_ERROR) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
            VLOG_WARN_RL(&rl, "writing status to the VPC database failed: "
                         "%s", ovsdb_idl_txn_get_error(status_txn));
        }
        if (s != TXN_SUCCESS && s != TXN_UNCHANGED) {
            COVERAGE_INC(engine_status_txn_failed);
            status_changed();
            /* Every Chassis row's nb_cfg is news again. */
            struct chassis *ch;
            HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
                ch->status_session = NULL;
            }
        }
        ovsdb_idl_txn_destroy(status_txn);
        status_txn = NULL;
        /* What other owners reported while it was in flight was not
         * looked at (see hv_cfg_behind()), and may have been the last
         * news to come: nothing else would wake us to publish it. */
        if (roles_is_active() && hv_cfg_behind()) {
            status_dirty = true;
        }
    }
    if (time_msec() >= deferral_end) {
        status_dirty = true;
    }
    if (!roles_is_active() && !roles_owns_any()) {
        /* Nothing is ours to write; when something is, look at all. */
        ports_clear(&status_ports);
        status_full = true;
    }
    if (status_dirty && (roles_is_active() || roles_owns_any())
        && !roles_claiming()
        && ovsdb_idl_is_connected(engine_vpcdb)
        && ovsdb_idl_has_ever_connected(engine_vpcdb)) {
        status_dirty = false;
        status_txn = ovsdb_idl_txn_create(engine_vpcdb);
        ovsdb_idl_txn_add_comment(status_txn, "vpc-controller: status");
        write_status(status_txn);
        COVERAGE_INC(engine_status_txn);
        ovsdb_idl_txn_commit(status_txn);
    }
}

/* Arranges for poll_block() to wake up when the status transaction is
 * answered, or at once if there is status to write ('db_ok': the
 * database is there to write to). */
void
status_wait(bool db_ok)
{
    if (status_txn) {
        ovsdb_idl_txn_wait(status_txn);
    } else if (db_ok && (roles_is_active() || roles_owns_any())
               && !roles_claiming()) {
        if (status_dirty) {
            poll_immediate_wake();
        } else if (deferral_end != LLONG_MAX) {
            poll_timer_wait_until(deferral_end);
        }
    }
}

/* Appends the rows that status wrote to 's', for "vpc/status". */
void
status_format_stats(struct ds *s)
{
    ds_put_format(s, "nb_cfg writes to Chassis_Cfg rows: %"PRIu64"\n",
                  n_chassis_cfg_writes);
    ds_put_format(s, "status writes to Port rows: %"PRIu64"\n", n_port_writes);
    ds_put_format(s, "other instances' Port rows looked at: %"PRIu64"\n",
                  n_port_others);
}

/* Forgets the transaction in flight and every port noted. */
void
status_destroy(void)
{
    if (status_txn) {
        ovsdb_idl_txn_destroy(status_txn);
        status_txn = NULL;
    }
    sset_destroy(&claimed_chassis);
    uuidset_destroy(&status_ports);
    uuidset_destroy(&pending_ports);
    struct deferred_port *dp;
    HMAP_FOR_EACH_POP (dp, node, &deferred_ports) {
        free(dp);
    }
    deferral_end = LLONG_MAX;
    free(behind_witness);
    behind_witness = NULL;
    rows_by_name_clear(&chassis_rows);
    rows_by_name_clear(&cfg_rows);
}
