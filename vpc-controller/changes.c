/* Changes and the model.  See changes.h.
 *
 * The reference path is "rebuild the model, diff": the whole model is
 * rebuilt from the database and the chassis, which costs little; what is
 * expensive, turning a VPC into flows for a chassis, happens only for
 * VPCs whose fingerprint changed (see chassis-sync.h), and only the flows
 * that differ reach the switch.  The incremental path rebuilds only the
 * VPCs a change touches and must come to the same flows: "vpc/recompute"
 * throws everything away and rebuilds it, which must change nothing. */
#include <config.h>
#include "changes.h"

#include <string.h>

#include "chassis.h"
#include "chassis-sync.h"
#include "coverage.h"
#include "engine-private.h"
#include "flowlog.h"
#include "gateway.h"
#include "host.h"
#include "model-acl.h"
#include "model-flowlog.h"
#include "model-route.h"
#include "model-sg.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "port-names.h"
#include "roles.h"
#include "sset.h"
#include "status.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"
#include "uuidset.h"
#include "vpc-idl.h"

VLOG_DEFINE_THIS_MODULE(changes);

COVERAGE_DEFINE(engine_model_build);

static struct ovsdb_idl *vpcdb;
static unsigned int vpcdb_seqno;

/* What the next build must look at.  'need_build' asks for a whole model
 * (chassis came or went, a host's identity or tunnels changed); otherwise
 * only the VPCs that the database's tracked changes and the interfaces in
 * 'dirty_ifaces' touch are rebuilt. */
static bool need_build = true;
static bool db_changed;
static struct sset dirty_ifaces = SSET_INITIALIZER(&dirty_ifaces);
static unsigned int chassis_tbl_seqno, ext_net_seqno, gw_group_seqno;
static bool force_recompute;

/* Statistics for "vpc/status". */
static uint64_t n_builds, n_incremental, n_recomputes;
static long long int last_build_msec;

/* A dirty-set entry: only 'hmap_node' and 'pl.uuid' are used. */
static void
add_dirty(struct hmap *dirty, const struct uuid *uuid)
{
    struct model_vpc *d = xzalloc(sizeof *d);
    d->pl.uuid = *uuid;
    hmap_insert(dirty, &d->hmap_node, uuid_hash(uuid));
}

/* Frees the set of 'dirty' VPCs of a build (or update) that began at
 * 'start', and notes how long it took. */
static void
finish_build(struct hmap *dirty, long long int start, const char *what)
{
    size_t n_dirty = hmap_count(dirty);
    struct model_vpc *d;
    HMAP_FOR_EACH_POP (d, hmap_node, dirty) {
        free(d);
    }
    hmap_destroy(dirty);
    last_build_msec = time_msec() - start;
    VLOG_DBG("model %s and flow sync for nb_cfg %"PRId64": %lld ms, "
             "%"PRIuSIZE" VPC(s) changed", what, engine_nb_cfg(),
             last_build_msec, n_dirty);
}


/* Rebuilds the whole model and brings every chassis to it. */
static void
build_and_sync(void)
{
    long long int start = time_msec();
    struct shash connected = SHASH_INITIALIZER(&connected);
    struct model_location *locs = xcalloc(hmap_count(&chassis_map) + 1,
                                          sizeof *locs);
    struct chassis *ch;
    size_t i = 0;

    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        const struct host_identity *id = host_get_identity(ch->hn->host);
        if (!id || !host_is_ready(ch->hn->host)) {
            continue;
        }
        struct model_location *loc = &locs[i++];
        loc->name = ch->name;
        loc->encap_ip = id->encap_ip;
        loc->encap = id->encap;
        loc->underlay_mtu = id->underlay_mtu;
        loc->gateway = !strcmp(id->role, "gateway");
        loc->bindings = host_get_bindings(ch->hn->host);
        shash_add(&connected, ch->name, loc);
    }

    struct vpc_model new;
    vpc_model_init(&new);
    new.claims = chassis_iface_claims();
    vpc_model_build(&new, vpcdb, &connected,
                    force_recompute ? NULL : &engine_model);
    shash_destroy(&connected);
    free(locs);
    COVERAGE_INC(engine_model_build);
    n_builds++;

    /* Which VPCs changed. */
    struct hmap dirty = HMAP_INITIALIZER(&dirty);
    const struct model_vpc *mv;
    HMAP_FOR_EACH (mv, hmap_node, &new.vpcs) {
        const struct model_vpc *old = vpc_model_find(&engine_model,
                                                     &mv->pl.uuid);
        if (!old || old->fingerprint != mv->fingerprint) {
            add_dirty(&dirty, &mv->pl.uuid);
        }
    }
    HMAP_FOR_EACH (mv, hmap_node, &engine_model.vpcs) {
        if (!vpc_model_find(&new, &mv->pl.uuid)) {
            add_dirty(&dirty, &mv->pl.uuid);
        }
    }
    vpc_model_swap(&engine_model, &new);
    chassis_sync_prune_ports();
    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        ch->id_seqno = host_get_identity_seqno(ch->hn->host);
    }
    flowlog_begin();
    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        gateway_set_peers(ch);
        flowlog_set_collector_sets(ch);
    }

    if (force_recompute) {
        n_recomputes++;
        HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
            ch->dirty_all = true;
        }
    }
    chassis_sync_all(&dirty, true);

    /* 'new' now holds the previous model: its locations were referenced
     * by nothing but the old flows' builders. */
    vpc_model_destroy(&new);
    finish_build(&dirty, start, "build");
    force_recompute = false;
    status_changed();
}

/* The database changes and interfaces that a build has taken in. */
static void
forget_changes(void)
{
    port_names_absorb();
    ovsdb_idl_track_clear(vpcdb);
    db_changed = false;
    sset_clear(&dirty_ifaces);
    chassis_tbl_seqno = vpcrec_chassis_get_seqno(vpcdb);
    ext_net_seqno = vpcrec_external_network_get_seqno(vpcdb);
    gw_group_seqno = vpcrec_gateway_group_get_seqno(vpcdb);
}

/* Would the changes since the last build change a part of the model that
 * is not one VPC's: the chassis, outside networks or gateway groups? */
static bool
shared_rows_changed(void)
{
    return (chassis_tbl_seqno != vpcrec_chassis_get_seqno(vpcdb)
            || ext_net_seqno != vpcrec_external_network_get_seqno(vpcdb)
            || gw_group_seqno != vpcrec_gateway_group_get_seqno(vpcdb));
}

/* Adds to 'vpcs' the VPC that Port 'row' was in and the one it is in. */
static void
add_port_vpcs(const struct vpcrec_port *row, void *vpcs_)
{
    struct uuidset *vpcs = vpcs_;
    const struct model_binding *b = vpc_model_find_binding(
        &engine_model, &row->header_.uuid);

    if (b) {
        uuidset_insert(vpcs, &b->vpc);
    }
    if (!vpcrec_port_is_deleted(row) && row->subnet && row->subnet->vpc) {
        uuidset_insert(vpcs, &row->subnet->vpc->header_.uuid);
    }
}

/* Port 'row' has an interface that came, went or changed on a chassis:
 * its VPCs are rebuilt (see add_port_vpcs()) and its status looked at,
 * even if its binding stays (another chassis may claim it in vain). */
static void
add_iface_port(const struct vpcrec_port *row, void *vpcs)
{
    add_port_vpcs(row, vpcs);
    status_note_port(&row->header_.uuid);
}

/* Is tracked Port 'row' changed only in where it is bound, which matters
 * only to a port the model has no location for? */
static bool
port_change_is_moot(const struct vpcrec_port *row)
{
    if (vpcrec_port_is_new(row) || vpcrec_port_is_deleted(row)
        || vpcrec_port_is_updated(row, VPCREC_PORT_COL_NAME)
        || vpcrec_port_is_updated(row, VPCREC_PORT_COL_MAC)
        || vpcrec_port_is_updated(row, VPCREC_PORT_COL_IPS)
        || vpcrec_port_is_updated(row, VPCREC_PORT_COL_SUBNET)
        || vpcrec_port_is_updated(row, VPCREC_PORT_COL_SECURITY_GROUPS)
        || vpcrec_port_is_updated(row, VPCREC_PORT_COL_REQUESTED_CHASSIS)
        || vpcrec_port_is_updated(row, VPCREC_PORT_COL_SOURCE_CHECK)
        || vpcrec_port_is_updated(row, VPCREC_PORT_COL_OPTIONS)) {
        return false;
    }
    const struct model_binding *b = vpc_model_find_binding(
        &engine_model, &row->header_.uuid);
    return b && b->where;
}

/* Tracked Port 'row' changed only in where it is bound.  If it is bound on
 * a chassis of ours and the row says otherwise, another instance wrote it
 * (the active one, say, which writes the ports it sees no binding for and
 * had not yet seen this one's interface): its status is looked at again,
 * which puts ours back, since nothing else will. */
static void
check_port_owner_write(const struct vpcrec_port *row)
{
    const struct model_binding *b = vpc_model_find_binding(
        &engine_model, &row->header_.uuid);
    const char *now = row->chassis ? row->chassis->name : NULL;

    if (b && b->where && roles_owns_hash(b->where->name_hash)
        && (!now || strcmp(now, b->where->name))) {
        status_note_port(&row->header_.uuid);
        status_touch();
    }
}

/* Adds to 'vpcs' the VPC that holds the security group, network ACL, route
 * table, route, peering, flow log or rule 'uuid' in the model (one lookup,
 * see vpc_model_row_vpcs()), and 'vpc' (where the row is now, if
 * anywhere).  Returns false if a row reported as new is one the model has
 * (the database was read afresh). */
static bool
add_policy_row_vpcs(const struct uuid *uuid, const struct vpcrec_vpc *vpc,
                bool is_new, struct uuidset *vpcs)
{
    if (vpc_model_row_vpcs(&engine_model, uuid, vpcs) && is_new) {
        return false;
    }
    if (vpc) {
        uuidset_insert(vpcs, &vpc->header_.uuid);
    }
    return true;
}

/* Collects into 'vpcs' the VPCs that the tracked database changes and
 * 'dirty_ifaces' touch: where changed rows were (as the model has it) and
 * where they are.  Returns false if the changes cannot be trusted to be
 * complete: the IDL read a fresh copy of the database (after a reconnect,
 * it reports rows it had as new, and rows deleted meanwhile not at all),
 * so only a whole build will do. */
static bool
collect_changed_vpcs(struct uuidset *vpcs)
{
    const struct vpcrec_vpc *vpc;
    VPCREC_VPC_FOR_EACH_TRACKED (vpc, vpcdb) {
        if (vpcrec_vpc_is_new(vpc) && vpc_model_find(&engine_model,
                                                     &vpc->header_.uuid)) {
            return false;
        }
        uuidset_insert(vpcs, &vpc->header_.uuid);
    }

    const struct vpcrec_subnet *sn;
    VPCREC_SUBNET_FOR_EACH_TRACKED (sn, vpcdb) {
        if (vpc_model_row_vpcs(&engine_model, &sn->header_.uuid, vpcs)
            && vpcrec_subnet_is_new(sn)) {
            return false;
        }
        if (!vpcrec_subnet_is_deleted(sn) && sn->vpc) {
            uuidset_insert(vpcs, &sn->vpc->header_.uuid);
        }
    }

    const struct vpcrec_nat *nat;
    VPCREC_NAT_FOR_EACH_TRACKED (nat, vpcdb) {
        vpc_model_row_vpcs(&engine_model, &nat->header_.uuid, vpcs);
        if (!vpcrec_nat_is_deleted(nat) && nat->vpc) {
            uuidset_insert(vpcs, &nat->vpc->header_.uuid);
        }
    }

    const struct vpcrec_security_group *sg;
    VPCREC_SECURITY_GROUP_FOR_EACH_TRACKED (sg, vpcdb) {
        bool deleted = vpcrec_security_group_is_deleted(sg);
        if (!add_policy_row_vpcs(&sg->header_.uuid, deleted ? NULL : sg->vpc,
                             vpcrec_security_group_is_new(sg), vpcs)) {
            return false;
        }
    }

    const struct vpcrec_security_group_rule *rule;
    VPCREC_SECURITY_GROUP_RULE_FOR_EACH_TRACKED (rule, vpcdb) {
        bool deleted = vpcrec_security_group_rule_is_deleted(rule);
        const struct vpcrec_vpc *now = (!deleted && rule->security_group
                                        ? rule->security_group->vpc
                                        : NULL);
        if (!add_policy_row_vpcs(&rule->header_.uuid, now,
                             vpcrec_security_group_rule_is_new(rule),
                             vpcs)) {
            return false;
        }
    }

    const struct vpcrec_network_acl *acl;
    VPCREC_NETWORK_ACL_FOR_EACH_TRACKED (acl, vpcdb) {
        bool deleted = vpcrec_network_acl_is_deleted(acl);
        if (!add_policy_row_vpcs(&acl->header_.uuid,
                                 deleted ? NULL : acl->vpc,
                                 vpcrec_network_acl_is_new(acl), vpcs)) {
            return false;
        }
    }

    const struct vpcrec_network_acl_rule *acl_rule;
    VPCREC_NETWORK_ACL_RULE_FOR_EACH_TRACKED (acl_rule, vpcdb) {
        bool deleted = vpcrec_network_acl_rule_is_deleted(acl_rule);
        const struct vpcrec_vpc *now = (!deleted && acl_rule->network_acl
                                        ? acl_rule->network_acl->vpc
                                        : NULL);
        if (!add_policy_row_vpcs(&acl_rule->header_.uuid, now,
                                 vpcrec_network_acl_rule_is_new(acl_rule),
                                 vpcs)) {
            return false;
        }
    }

    const struct vpcrec_flow_log *fl;
    VPCREC_FLOW_LOG_FOR_EACH_TRACKED (fl, vpcdb) {
        bool deleted = vpcrec_flow_log_is_deleted(fl);
        if (!add_policy_row_vpcs(&fl->header_.uuid, deleted ? NULL : fl->vpc,
                                 vpcrec_flow_log_is_new(fl), vpcs)) {
            return false;
        }
    }

    const struct vpcrec_route_table *rt;
    VPCREC_ROUTE_TABLE_FOR_EACH_TRACKED (rt, vpcdb) {
        bool deleted = vpcrec_route_table_is_deleted(rt);
        if (!add_policy_row_vpcs(&rt->header_.uuid, deleted ? NULL : rt->vpc,
                                 vpcrec_route_table_is_new(rt), vpcs)) {
            return false;
        }
    }

    const struct vpcrec_static_route *route;
    VPCREC_STATIC_ROUTE_FOR_EACH_TRACKED (route, vpcdb) {
        bool deleted = vpcrec_static_route_is_deleted(route);
        const struct vpcrec_vpc *now = (!deleted && route->route_table
                                        ? route->route_table->vpc : NULL);
        if (!add_policy_row_vpcs(&route->header_.uuid, now,
                                 vpcrec_static_route_is_new(route), vpcs)) {
            return false;
        }
    }

    /* A peering changes both sides. */
    const struct vpcrec_peering *peering;
    VPCREC_PEERING_FOR_EACH_TRACKED (peering, vpcdb) {
        bool deleted = vpcrec_peering_is_deleted(peering);
        if (!add_policy_row_vpcs(&peering->header_.uuid,
                                 deleted ? NULL : peering->vpc,
                                 vpcrec_peering_is_new(peering), vpcs)) {
            return false;
        }
        if (!deleted && peering->peer_vpc) {
            uuidset_insert(vpcs, &peering->peer_vpc->header_.uuid);
        }
    }

    const struct vpcrec_port *port;
    VPCREC_PORT_FOR_EACH_TRACKED (port, vpcdb) {
        if (vpcrec_port_is_new(port)
            && vpc_model_find_binding(&engine_model, &port->header_.uuid)) {
            return false;
        } else if (port_change_is_moot(port)) {
            check_port_owner_write(port);
            continue;
        }
        add_port_vpcs(port, vpcs);
        if (!vpcrec_port_is_deleted(port)) {
            /* Also a port the model leaves out (a bad MAC or subnet) has
             * a status: unbound, down. */
            status_note_port(&port->header_.uuid);
        }
    }

    const char *iface;
    SSET_FOR_EACH (iface, &dirty_ifaces) {
        port_names_for_each(iface, add_iface_port, vpcs);
    }

    /* A VPC that is gone without its deletion reported: the database was
     * read afresh, and none of the VPCs we had is left (any that is left
     * is reported as new, above).  Then the first of ours is gone too, so
     * looking at one is enough, whatever the number of VPCs. */
    const struct model_vpc *first;
    HMAP_FOR_EACH (first, hmap_node, &engine_model.vpcs) {
        if (!vpcrec_vpc_get_for_uuid(vpcdb, &first->pl.uuid)
            && !uuidset_find(vpcs, &first->pl.uuid)) {
            return false;
        }
        break;
    }

    /* A VPC's peers hold a view of it. */
    model_route_add_peers(&engine_model, vpcdb, vpcs);
    return true;
}

/* Rebuilds only the VPCs that changed since the last build and brings every
 * chassis to them: a change costs what the VPCs it touches hold, not what
 * the database holds. */
static bool
update_and_sync(void)
{
    long long int start = time_msec();
    struct uuidset vpcs = UUIDSET_INITIALIZER(&vpcs);
    if (!collect_changed_vpcs(&vpcs)) {
        uuidset_destroy(&vpcs);
        return false;
    } else if (uuidset_is_empty(&vpcs)) {
        /* Nothing for the model (our own status coming back, say): only
         * what a round without changes does, if anything. */
        if (chassis_sync_idle_due()) {
            struct hmap none = HMAP_INITIALIZER(&none);
            chassis_sync_all(&none, false);
            hmap_destroy(&none);
        }
        uuidset_destroy(&vpcs);
        return true;
    }

    struct hmap olds = HMAP_INITIALIZER(&olds);
    vpc_model_update_vpcs(&engine_model, vpcdb, &vpcs, &olds);
    n_builds++;
    n_incremental++;

    /* Which of them really changed. */
    struct hmap dirty = HMAP_INITIALIZER(&dirty);
    bool base = false;
    bool logs = false;          /* A changed VPC has or had flow logs. */
    const struct uuidset_node *node;
    UUIDSET_FOR_EACH (node, &vpcs) {
        const struct model_vpc *new = vpc_model_find(&engine_model,
                                                     &node->uuid);
        const struct model_vpc *old = NULL, *mv;
        HMAP_FOR_EACH_WITH_HASH (mv, hmap_node, uuid_hash(&node->uuid),
                                 &olds) {
            if (uuid_equals(&mv->pl.uuid, &node->uuid)) {
                old = mv;
            }
        }
        if (old && new && old->fingerprint == new->fingerprint) {
            continue;
        }
        if (old || new) {
            add_dirty(&dirty, &node->uuid);
        }
        /* Which chassis host a VPC with a way out decides peers and the
         * fast-failover groups. */
        if ((old && old->pl.gw) || (new && new->pl.gw)) {
            base = true;
        }
        if ((old && old->pl.n_flow_logs) || (new && new->pl.n_flow_logs)) {
            logs = true;
        }
        if (old) {
            status_note_vpc_ports(old);
            for (size_t i = 0; i < old->pl.n_ports; i++) {
                const struct uuid *port = &old->pl.ports[i].uuid;
                if (!vpc_model_find_binding(&engine_model, port)) {
                    chassis_sync_forget_port(port);
                }
            }
        }
        if (new) {
            status_note_vpc_ports(new);
        }
    }
    uuidset_destroy(&vpcs);

    /* A host's collector sets come from the VPCs with flow logs only: a
     * change to VPCs without any (most changes) leaves them all as they
     * are, and walking every VPC and chassis for it would make a small
     * change cost what the world holds. */
    if (base || logs) {
        struct chassis *ch;
        flowlog_begin();
        HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
            if (base) {
                gateway_set_peers(ch);
            }
            flowlog_set_collector_sets(ch);
        }
    }
    chassis_sync_all(&dirty, base);

    struct model_vpc *mv;
    HMAP_FOR_EACH_POP (mv, hmap_node, &olds) {
        vpc_model_free_vpc(mv);
    }
    hmap_destroy(&olds);
    finish_build(&dirty, start, "update");
    status_touch();
    return true;
}

/* Starts following the changes of the VPC database 'idl'. */
void
changes_init(struct ovsdb_idl *idl)
{
    vpcdb = idl;
}

/* Forgets the changes not taken in yet. */
void
changes_destroy(void)
{
    sset_destroy(&dirty_ifaces);
}

/* The next round rebuilds the whole model: chassis came or went, a host's
 * identity, tunnels or role changed. */
void
changes_need_build(void)
{
    need_build = true;
}

/* Will the next round rebuild the whole model? */
bool
changes_build_pending(void)
{
    return need_build;
}

/* The interface with iface-id 'iface_id' came, went or changed on a
 * chassis: the next round rebuilds the VPC of the port of that name. */
void
changes_note_iface(const char *iface_id)
{
    sset_add(&dirty_ifaces, iface_id);
}

/* Makes the next round rebuild every flow of every chassis from scratch;
 * the switches see only what differs, which should be nothing. */
void
changes_force_recompute(void)
{
    force_recompute = true;
}

/* Takes in what changed since the last round: the whole model, or only
 * the VPCs the changes touch, and brings every chassis to it.  Never acts
 * on a database it has not read: an empty view would delete every flow. */
void
changes_run(void)
{
    unsigned int seqno = ovsdb_idl_get_seqno(vpcdb);
    if (seqno != vpcdb_seqno) {
        vpcdb_seqno = seqno;
        db_changed = true;
    }

    if (!ovsdb_idl_has_ever_connected(vpcdb)
        || !ovsdb_idl_is_connected(vpcdb)) {
        return;
    }
    if (need_build || force_recompute || (db_changed
                                          && shared_rows_changed())) {
        need_build = false;
        build_and_sync();
        forget_changes();
    } else if (db_changed || !sset_is_empty(&dirty_ifaces)) {
        if (!update_and_sync()) {
            VLOG_INFO("the VPC database was read afresh: rebuilding "
                      "everything");
            build_and_sync();
        }
        forget_changes();
    } else if (chassis_sync_idle_due()) {
        /* Switches that finished reading their flows, and barriers for a
         * configuration with nothing to change. */
        struct hmap none = HMAP_INITIALIZER(&none);
        chassis_sync_all(&none, false);
        hmap_destroy(&none);
    }
}

/* Is there work for changes_run() as soon as the database is there? */
bool
changes_pending(void)
{
    return (need_build || force_recompute || db_changed
            || !sset_is_empty(&dirty_ifaces) || chassis_sync_deferred());
}

/* Appends the model's statistics to 's', for "vpc/status". */
void
changes_format_stats(struct ds *s)
{
    ds_put_format(s, "model builds: %"PRIu64" (%"PRIu64" incremental)\n",
                  n_builds, n_incremental);
    ds_put_format(s, "full recomputes: %"PRIu64"\n", n_recomputes);
    ds_put_format(s, "vpc flow rebuilds: %"PRIu64"\n",
                  chassis_sync_n_vpc_rebuilds());
    ds_put_format(s, "synced chassis: %"PRIu64"\n",
                  chassis_sync_n_chassis_syncs());
    uint64_t rounds, idle_rounds;
    chassis_sync_n_rounds(&rounds, &idle_rounds);
    ds_put_format(s, "sync rounds: %"PRIu64" (%"PRIu64" with no change to "
                  "the model)\n", rounds, idle_rounds);
    ds_put_format(s, "last build: %lld ms\n", last_build_msec);
}
