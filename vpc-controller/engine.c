/* The controller's engine.  See engine.h.
 *
 * The reference path is "rebuild the model, diff": the model (every VPC as
 * ofproto-vpc input) is rebuilt from scratch whenever the database or a
 * host changes, which costs little; what is expensive, turning a VPC into
 * flows for a chassis, happens only for VPCs whose fingerprint changed, and
 * only the flows that differ reach the switch.  "vpc/recompute" throws all
 * of that away and rebuilds everything, which must change nothing. */
#include <config.h>
#include "engine.h"

#include <string.h>

#include "coverage.h"
#include "dp-packet.h"
#include "flow-table.h"
#include "group-table.h"
#include "hash.h"
#include "host.h"
#include "jsonrpc.h"
#include "model.h"
#include "ofctrl.h"
#include "openvswitch/dynamic-string.h"
#include "bitmap.h"
#include "hmapx.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "openvswitch/ofp-actions.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "pipeline.h"
#include "shards.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"
#include "uuidset.h"
#include "vpc-idl.h"
#include "vpc-pipeline.h"

VLOG_DEFINE_THIS_MODULE(engine);

COVERAGE_DEFINE(engine_model_build);
COVERAGE_DEFINE(engine_vpc_flows);
COVERAGE_DEFINE(engine_status_txn);

/* An OVSDB session with a host, adopted (it is a chassis) or not. */
struct host_node {
    struct ovs_list list_node;      /* In 'hosts'. */
    struct host *host;
    struct chassis *chassis;        /* If adopted. */
    char *refused_as;               /* system-id we refused, once logged. */
};

/* An OpenFlow session not (yet) tied to a chassis. */
struct switch_node {
    struct ovs_list list_node;      /* In 'switches'. */
    struct ofctrl *ofctrl;
    long long int created;
    bool warned;
};

/* The flows of one VPC on one chassis. */
struct chassis_vpc {
    struct hmap_node hmap_node;     /* In chassis 'vpcs', by VPC uuid. */
    struct uuid vpc;
    struct vpc_flow_table flows;
};

/* A host we adopted: its OVSDB session, its OpenFlow session, and the
 * flows it has (as far as we know: what we sent). */
struct chassis {
    struct hmap_node hmap_node;     /* In 'chassis_map', by name. */
    char *name;
    struct host_node *hn;
    struct ofctrl *ofctrl;
    unsigned int host_seqno;
    unsigned int id_seqno;          /* Host identity we built with. */
    struct shash bound;             /* Its bindings as the model last saw
                                     * them: iface-id -> ofport. */
    ofp_port_t tunnels[VPC_N_ENCAPS];
    enum vpc_encap encap;
    unsigned int ports_seqno;       /* Peer tunnels and uplinks. */
    bool role_primary;              /* The role we last asked for... */
    uint64_t role_gen;              /* ...with this generation. */
    bool gateway;
    bool dirty_all;                 /* Rebuild every VPC's flows. */
    bool commit_pending;            /* chassis_sync() queued a commit. */

    /* Peer tunnel ports and uplinks as ofproto-vpc sees them. */
    struct vpc_pl_peer *pl_peers;
    size_t n_pl_peers;
    struct vpc_pl_uplink *pl_uplinks;
    size_t n_pl_uplinks;

    /* Flows and groups that are not any one VPC's: table misses, gateway
     * plumbing, fast-failover groups. */
    struct vpc_flow_table base_flows;
    struct vpc_group_table base_groups;
    long long int next_arp;         /* Gateways: next next-hop ARP. */
    struct sset active_groups;      /* Gateways: groups it is active for
                                     * (uuid strings), last we looked. */
    struct hmap vpcs;               /* Of chassis_vpc. */
    size_t n_flows;

    struct new_port {
        struct uuid port;
        ofp_port_t ofport;
    } *new_ports;                   /* Local ports awaiting a generation. */
    size_t n_new_ports, allocated_new_ports;
};

/* When a port's flows were committed on its chassis: it is "up" once the
 * switch acknowledges that generation. */
struct port_gen {
    struct hmap_node hmap_node;     /* In 'port_gens', by port uuid. */
    struct uuid port;
    char *chassis;
    const struct ofctrl *session;   /* Generations count per session. */
    ofp_port_t ofport;
    uint64_t gen;
};

static struct ovsdb_idl *vpcdb;
static unsigned int vpcdb_seqno;

static void prune_port_gens(const struct ofctrl *);

/* Who does what among controller instances:
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
static char *instance_id;
static bool active;
static uint64_t *shard_gens;        /* Per shard: claimed generation, or 0. */
static size_t n_shard_gens;
static struct ovsdb_idl_txn *claim_txn;
static unsigned long *claiming;     /* Shards 'claim_txn' claims. */
static struct ovs_list hosts = OVS_LIST_INITIALIZER(&hosts);
static struct ovs_list switches = OVS_LIST_INITIALIZER(&switches);
static struct hmap chassis_map = HMAP_INITIALIZER(&chassis_map);
static struct hmap port_gens = HMAP_INITIALIZER(&port_gens);
static struct vpc_model model;

/* What the next build must look at.  'need_build' asks for a whole model
 * (chassis came or went, a host's identity or tunnels changed); otherwise
 * only the VPCs that the database's tracked changes and the interfaces in
 * 'dirty_ifaces' touch are rebuilt. */
static bool need_build = true;
static bool db_changed;
static struct sset dirty_ifaces = SSET_INITIALIZER(&dirty_ifaces);
static unsigned int chassis_tbl_seqno, ext_net_seqno, gw_group_seqno;
static int64_t last_nb_cfg = -1;
static bool force_recompute;
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

/* Statistics for "vpc/status". */
static uint64_t n_builds, n_incremental, n_recomputes, n_vpc_rebuilds;
static long long int last_build_msec;

/* Initializes the engine to read and write the VPC database 'idl', as the
 * controller instance called 'instance'. */
void
engine_init(struct ovsdb_idl *idl, const char *instance)
{
    vpcdb = idl;
    instance_id = xstrdup(instance);
    vpc_model_init(&model);
    vpc_model_create_indexes(idl);
    ovsdb_idl_track_add_all(idl);

    /* We write these; our own writes need not wake us.  (Port.chassis is
     * written too, but where another instance says a port is bound is an
     * input for a port we have no binding for.) */
    ovsdb_idl_omit_alert(idl, &vpcrec_port_col_up);
    ovsdb_idl_omit_alert(idl, &vpcrec_chassis_col_nb_cfg_timestamp);
    ovsdb_idl_omit_alert(idl, &vpcrec_chassis_col_nb_cfg);
    ovsdb_idl_omit_alert(idl, &vpcrec_chassis_col_connected);
    ovsdb_idl_omit_alert(idl, &vpcrec_chassis_col_owner);
    ovsdb_idl_omit_alert(idl, &vpcrec_controller_col_heartbeat);
    ovsdb_idl_omit_alert(idl, &vpcrec_controller_col_shards);
    /* Nor do the global row's counters, which are no input to the model:
     * a new nb_cfg only needs barriers (see engine_run()). */
    ovsdb_idl_omit_alert(idl, &vpcrec_vpc_global_col_nb_cfg);
    ovsdb_idl_omit_alert(idl, &vpcrec_vpc_global_col_alloc_seqno);
    ovsdb_idl_omit_alert(idl, &vpcrec_vpc_global_col_role_generation);
    ovsdb_idl_omit_alert(idl, &vpcrec_vpc_global_col_options);
    ovsdb_idl_omit_alert(idl, &vpcrec_vpc_global_col_external_ids);
    ovsdb_idl_omit_alert(idl, &vpcrec_vpc_global_col_hv_cfg);
    ovsdb_idl_omit_alert(idl, &vpcrec_vpc_global_col_hv_cfg_timestamp);
    ovsdb_idl_omit_alert(idl, &vpcrec_vpc_global_col_nb_cfg_timestamp);
}

/* The next status pass looks at every port. */
static void
status_changed(void)
{
    status_dirty = true;
    status_full = true;
}

/* Chassis. */

static struct chassis *
chassis_find(const char *name)
{
    struct chassis *ch;

    HMAP_FOR_EACH_WITH_HASH (ch, hmap_node, hash_string(name, 0),
                             &chassis_map) {
        if (!strcmp(ch->name, name)) {
            return ch;
        }
    }
    return NULL;
}

static void
chassis_clear_flows(struct chassis *ch)
{
    struct chassis_vpc *cv;

    HMAP_FOR_EACH_POP (cv, hmap_node, &ch->vpcs) {
        vpc_flow_table_destroy(&cv->flows);
        free(cv);
    }
    vpc_flow_table_clear(&ch->base_flows);
    vpc_group_table_clear(&ch->base_groups);
    ch->n_flows = 0;
    ch->n_new_ports = 0;
}

static struct chassis *
chassis_create(struct host_node *hn, const char *name)
{
    struct chassis *ch = xzalloc(sizeof *ch);

    ch->name = xstrdup(name);
    ch->hn = hn;
    hmap_init(&ch->vpcs);
    shash_init(&ch->bound);
    vpc_flow_table_init(&ch->base_flows);
    vpc_group_table_init(&ch->base_groups);
    sset_init(&ch->active_groups);
    hmap_insert(&chassis_map, &ch->hmap_node, hash_string(name, 0));
    hn->chassis = ch;
    host_set_accepted(hn->host, true);
    VLOG_INFO("chassis %s: adopted the host at %s", name,
              host_get_name(hn->host));
    need_build = true;
    status_changed();
    return ch;
}

/* Forgets chassis 'ch' (its host left).  An OpenFlow session that is still
 * up waits for the host to come back. */
static void
chassis_destroy(struct chassis *ch)
{
    VLOG_INFO("chassis %s: host disconnected", ch->name);
    if (ch->ofctrl) {
        struct switch_node *sn = xzalloc(sizeof *sn);
        sn->ofctrl = ch->ofctrl;
        sn->created = time_msec();
        ovs_list_push_back(&switches, &sn->list_node);
    }
    if (ch->hn) {
        ch->hn->chassis = NULL;
        host_set_accepted(ch->hn->host, false);
    }
    chassis_clear_flows(ch);
    hmap_destroy(&ch->vpcs);
    vpc_flow_table_destroy(&ch->base_flows);
    vpc_group_table_destroy(&ch->base_groups);
    hmap_remove(&chassis_map, &ch->hmap_node);
    free(ch->new_ports);
    free(ch->pl_peers);
    free(ch->pl_uplinks);
    shash_destroy(&ch->bound);
    sset_destroy(&ch->active_groups);
    free(ch->name);
    free(ch);
    need_build = true;
    status_changed();
}

/* Hosts. */

/* Adds a host that dialed in to our OVSDB listener.  Takes ownership of
 * 'rpc'. */
void
engine_add_host(struct jsonrpc *rpc)
{
    struct host_node *hn = xzalloc(sizeof *hn);

    hn->host = host_create(rpc);
    ovs_list_push_back(&hosts, &hn->list_node);
}

static void
host_node_destroy(struct host_node *hn)
{
    if (hn->chassis) {
        chassis_destroy(hn->chassis);
    }
    ovs_list_remove(&hn->list_node);
    host_destroy(hn->host);
    free(hn->refused_as);
    free(hn);
}

/* Adopts, keeps or refuses the host, according to the identity it gives. */
static void
host_node_settle(struct host_node *hn)
{
    const struct host_identity *id = host_get_identity(hn->host);
    struct chassis *ch = hn->chassis;

    if (ch && (!id || strcmp(id->system_id, ch->name))) {
        /* It no longer says it is this chassis. */
        chassis_destroy(ch);
        ch = NULL;
    }
    if (ch || !id) {
        return;
    }

    struct chassis *other = chassis_find(id->system_id);
    if (!other) {
        free(hn->refused_as);
        hn->refused_as = NULL;
        chassis_create(hn, id->system_id);
    } else if (!hn->refused_as || strcmp(hn->refused_as, id->system_id)) {
        VLOG_WARN("refusing the host at %s: it claims system-id %s, which "
                  "the connected host at %s already has", host_get_name(
                  hn->host), id->system_id, host_get_name(other->hn->host));
        free(hn->refused_as);
        hn->refused_as = xstrdup(id->system_id);
    }
}

/* Reports iface-ids of 'ch' that another chassis also has: only one of
 * them gets the port (the one it is bound to, else the first by name). */
static void
check_duplicate_ifaces(const struct chassis *ch)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
    const struct shash *mine = host_get_bindings(ch->hn->host);
    const struct chassis *other;
    struct shash_node *node;

    HMAP_FOR_EACH (other, hmap_node, &chassis_map) {
        if (other == ch) {
            continue;
        }
        const struct shash *theirs = host_get_bindings(other->hn->host);
        SHASH_FOR_EACH (node, mine) {
            if (shash_find(theirs, node->name)) {
                VLOG_WARN_RL(&rl, "iface-id %s is on chassis %s and %s; "
                             "the port is bound to only one of them",
                             node->name, ch->name, other->name);
            }
        }
    }
}

/* Adds to 'dirty_ifaces' the iface-ids whose interface on 'ch' came, went
 * or changed since the model last saw 'ch'. */
static void
note_binding_changes(struct chassis *ch)
{
    const struct shash *now = host_get_bindings(ch->hn->host);
    struct shash_node *node;

    SHASH_FOR_EACH (node, now) {
        if (shash_find_data(&ch->bound, node->name) != node->data) {
            sset_add(&dirty_ifaces, node->name);
        }
    }
    SHASH_FOR_EACH (node, &ch->bound) {
        if (!shash_find(now, node->name)) {
            sset_add(&dirty_ifaces, node->name);
        }
    }
    shash_clear(&ch->bound);
    SHASH_FOR_EACH (node, now) {
        shash_add(&ch->bound, node->name, node->data);
    }
}

static void
run_hosts(const struct host_config *cfg)
{
    struct host_node *hn;

    LIST_FOR_EACH_SAFE (hn, list_node, &hosts) {
        host_run(hn->host, cfg);
        if (!host_is_alive(hn->host)) {
            VLOG_INFO("%s: host's OVSDB connection closed",
                      host_get_name(hn->host));
            host_node_destroy(hn);
            continue;
        }
        host_node_settle(hn);

        struct chassis *ch = hn->chassis;
        if (ch && ch->host_seqno != host_get_change_seqno(hn->host)) {
            bool was_dirty_all = ch->dirty_all;
            ch->host_seqno = host_get_change_seqno(hn->host);
            for (int e = 0; e < VPC_N_ENCAPS; e++) {
                ofp_port_t t = host_get_tunnel_ofport(hn->host, e);
                if (t != ch->tunnels[e]) {
                    ch->tunnels[e] = t;
                    ch->dirty_all = true;
                }
            }
            /* Its own encapsulation decides which tunnel it listens on. */
            const struct host_identity *id = host_get_identity(hn->host);
            if (id && id->encap != ch->encap) {
                ch->encap = id->encap;
                ch->dirty_all = true;
            }
            bool gateway = id && !strcmp(id->role, "gateway");
            if (gateway != ch->gateway) {
                ch->gateway = gateway;
                ch->dirty_all = true;
            }
            /* Gateway reachability changes which flows a VPC needs. */
            if (ch->ports_seqno != host_get_ports_seqno(hn->host)) {
                ch->ports_seqno = host_get_ports_seqno(hn->host);
                ch->dirty_all = true;
            }
            if (ch->id_seqno != host_get_identity_seqno(hn->host)) {
                ch->id_seqno = host_get_identity_seqno(hn->host);
                need_build = true;
            }
            if (ch->dirty_all && !was_dirty_all) {
                need_build = true;
            }
            note_binding_changes(ch);
            check_duplicate_ifaces(ch);
            if (need_build) {
                status_changed();
            } else {
                /* The ports of interfaces that came or went are in the
                 * VPCs the next update rebuilds. */
                status_dirty = true;
            }
        }
    }
}

/* Switches. */

/* Adds a switch that dialed in to our OpenFlow listener.  Takes ownership
 * of 'vconn'. */
void
engine_add_switch(struct vconn *vconn)
{
    struct switch_node *sn = xzalloc(sizeof *sn);

    sn->ofctrl = ofctrl_create(vconn);
    sn->created = time_msec();
    ovs_list_push_back(&switches, &sn->list_node);
}

static void
switch_node_destroy(struct switch_node *sn)
{
    ovs_list_remove(&sn->list_node);
    prune_port_gens(sn->ofctrl);
    ofctrl_destroy(sn->ofctrl);
    free(sn);
}

static struct chassis *
chassis_find_by_dpid(uint64_t dpid)
{
    struct chassis *ch;

    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        const struct host_identity *id = host_get_identity(ch->hn->host);
        if (id && id->dpid == dpid) {
            return ch;
        }
    }
    return NULL;
}

/* Is 'ch' ours to program? */
static bool
chassis_is_owned(const struct chassis *ch)
{
    size_t shard = shard_of(ch->name);
    return shard < n_shard_gens && shard_gens[shard];
}

static bool
owns_any_shard(void)
{
    for (size_t i = 0; i < n_shard_gens; i++) {
        if (shard_gens[i]) {
            return true;
        }
    }
    return false;
}

/* Asks 'ch''s switch for the role we should have: primary with our
 * generation if we own it, else secondary (with the newest generation,
 * which the switch also checks).  Starting over as primary means reading
 * the switch's flows again; nothing is flushed. */
static void
chassis_sync_role(struct chassis *ch, bool force)
{
    size_t shard = shard_of(ch->name);
    bool primary = shard < n_shard_gens && shard_gens[shard];
    const struct vpcrec_vpc_global *g = vpcrec_vpc_global_first(vpcdb);
    uint64_t gen = primary ? shard_gens[shard] : g ? g->role_generation : 0;

    if (ch->ofctrl && (force || primary != ch->role_primary
                       || (primary && gen != ch->role_gen))) {
        ch->role_primary = primary;
        ch->role_gen = gen;
        ofctrl_set_role(ch->ofctrl, primary, gen);
        chassis_clear_flows(ch);
        need_build = true;
        status_changed();
    }
}

/* Follows the locks: claims a role generation for shards we got, steps
 * down from shards we lost. */
static void
run_role(void)
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
    }

    if (claim_txn) {
        enum ovsdb_idl_txn_status st = ovsdb_idl_txn_commit(claim_txn);
        if (st == TXN_INCOMPLETE) {
            return;
        }
        if (st == TXN_SUCCESS) {
            uint64_t gen = ovsdb_idl_txn_get_increment_new_value(claim_txn);
            for (size_t i = 0; i < n; i++) {
                if (bitmap_is_set(claiming, i) && shard_is_held(i)) {
                    shard_gens[i] = gen;
                }
            }
            VLOG_INFO("%s: claiming the primary role with generation "
                      "%"PRIu64, instance_id, gen);
        }
        ovsdb_idl_txn_destroy(claim_txn);
        claim_txn = NULL;
        bitmap_set_multiple(claiming, 0, n, false);
    }

    bool pending = false;
    for (size_t i = 0; i < n; i++) {
        if (!shard_is_held(i)) {
            shard_gens[i] = 0;
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
    } else {
        bitmap_set_multiple(claiming, 0, n, false);
    }

    struct chassis *ch;
    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        chassis_sync_role(ch, false);
    }
}

static void
run_switches(void)
{
    struct switch_node *sn;

    LIST_FOR_EACH_SAFE (sn, list_node, &switches) {
        ofctrl_run(sn->ofctrl);
        if (!ofctrl_is_alive(sn->ofctrl)) {
            switch_node_destroy(sn);
            continue;
        }

        uint64_t dpid;
        if (!ofctrl_get_dpid(sn->ofctrl, &dpid)) {
            continue;
        }
        struct chassis *ch = chassis_find_by_dpid(dpid);
        if (ch && !ch->ofctrl) {
            VLOG_INFO("chassis %s: OpenFlow connection from %s",
                      ch->name, ofctrl_get_name(sn->ofctrl));
            ch->ofctrl = sn->ofctrl;
            chassis_sync_role(ch, true);
            ofctrl_resync(ch->ofctrl);
            ovs_list_remove(&sn->list_node);
            free(sn);
            status_changed();
        } else if (ch) {
            VLOG_WARN("%s: refusing a second OpenFlow connection for "
                      "chassis %s (datapath ID %016"PRIx64")",
                      ofctrl_get_name(sn->ofctrl), ch->name, dpid);
            switch_node_destroy(sn);
        } else if (!sn->warned && time_msec() - sn->created > 10000) {
            VLOG_WARN("%s: switch with datapath ID %016"PRIx64" belongs to "
                      "no known chassis", ofctrl_get_name(sn->ofctrl), dpid);
            sn->warned = true;
        }
    }
}

static void
run_chassis_ofctrl(void)
{
    struct chassis *ch;

    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        if (ch->ofctrl) {
            uint64_t acked = ofctrl_get_acked_gen(ch->ofctrl);
            int64_t cfg = ofctrl_get_acked_cfg(ch->ofctrl);
            ofctrl_run(ch->ofctrl);
            if (!ofctrl_is_alive(ch->ofctrl)) {
                VLOG_INFO("chassis %s: OpenFlow connection closed",
                          ch->name);
                prune_port_gens(ch->ofctrl);
                ofctrl_destroy(ch->ofctrl);
                ch->ofctrl = NULL;
                chassis_clear_flows(ch);
                status_changed();
            } else if (acked != ofctrl_get_acked_gen(ch->ofctrl)
                       || cfg != ofctrl_get_acked_cfg(ch->ofctrl)) {
                status_dirty = true;
            }
            if (ch->ofctrl && chassis_is_owned(ch)
                && ofctrl_role_refused(ch->ofctrl)) {
                /* Our generation is stale (another instance claimed a newer
                 * one, or the database's counter went back): claim a new
                 * one while we still hold the lock. */
                size_t shard = shard_of(ch->name);
                VLOG_WARN("chassis %s refused generation %"PRIu64"; "
                          "claiming a new one", ch->name, shard_gens[shard]);
                shard_gens[shard] = 0;
            }
        }
    }
}

/* Flows. */

static struct chassis_vpc *
chassis_vpc_find(const struct chassis *ch, const struct uuid *vpc)
{
    struct chassis_vpc *cv;

    HMAP_FOR_EACH_WITH_HASH (cv, hmap_node, uuid_hash(vpc), &ch->vpcs) {
        if (uuid_equals(&cv->vpc, vpc)) {
            return cv;
        }
    }
    return NULL;
}

/* Refreshes what ofproto-vpc needs to know about 'ch''s peer tunnels and
 * uplinks (the locations they point to belong to the current model). */
static void
chassis_refresh_ports(struct chassis *ch)
{
    const struct host_identity *id = host_get_identity(ch->hn->host);
    const struct shash *peers = host_get_peer_ofports(ch->hn->host);
    struct shash_node *node;

    free(ch->pl_peers);
    ch->pl_peers = xmalloc((shash_count(peers) + 1) * sizeof *ch->pl_peers);
    ch->n_pl_peers = 0;
    SHASH_FOR_EACH (node, peers) {
        const void *loc = shash_find_data(&model.locations, node->name);
        ofp_port_t ofport = u16_to_ofp((uintptr_t) node->data);
        if (loc && ofport) {
            ch->pl_peers[ch->n_pl_peers++] = (struct vpc_pl_peer) {
                .chassis = loc, .ofport = ofport,
            };
        }
    }

    free(ch->pl_uplinks);
    ch->n_pl_uplinks = 0;
    ch->pl_uplinks = NULL;
    if (id) {
        ch->pl_uplinks = xmalloc((smap_count(&id->bridge_mappings) + 1)
                                 * sizeof *ch->pl_uplinks);
        struct smap_node *m;
        SMAP_FOR_EACH (m, &id->bridge_mappings) {
            ofp_port_t ofport = host_get_uplink_ofport(ch->hn->host, m->key);
            if (ofport) {
                ch->pl_uplinks[ch->n_pl_uplinks++] = (struct vpc_pl_uplink) {
                    .physnet = m->key, .ofport = ofport,
                };
            }
        }
    }
}

static struct vpc_pl_chassis
chassis_view(const struct chassis *ch)
{
    const struct host_identity *id = host_get_identity(ch->hn->host);
    struct vpc_pl_chassis pc = {
        .self = shash_find_data(&model.locations, ch->name),
        .encap = id ? id->encap : VPC_ENCAP_VXLAN,
        .gateway = ch->gateway,
        .peers = ch->pl_peers,
        .n_peers = ch->n_pl_peers,
        .uplinks = ch->pl_uplinks,
        .n_uplinks = ch->n_pl_uplinks,
    };
    memcpy(pc.tunnel_ofport, ch->tunnels, sizeof pc.tunnel_ofport);
    return pc;
}

/* Builds into 'flows' and 'groups' what 'ch' needs beyond its VPCs' flows:
 * the static flows, a gateway's plumbing, and one group per gateway group
 * that a VPC it hosts (or serves, as a gateway) uses. */
static void
build_base(const struct vpc_pl_chassis *pc, struct vpc_flow_table *flows,
           struct vpc_group_table *groups)
{
    vpc_pipeline_build_static(flows);
    vpc_pipeline_build_gateway_static(pc, flows);

    struct hmapx done = HMAPX_INITIALIZER(&done);
    const struct model_vpc *mv;
    HMAP_FOR_EACH (mv, hmap_node, &model.vpcs) {
        const struct vpc_pl_gw_group *gw = mv->pl.gw;
        if (gw && !hmapx_contains(&done, CONST_CAST(void *, gw))
            && (vpc_pipeline_serves_vpc(pc, &mv->pl)
                || vpc_pipeline_hosts_vpc(pc, &mv->pl))) {
            hmapx_add(&done, CONST_CAST(void *, gw));
            vpc_pipeline_build_gw_group(pc, gw, flows, groups);
        }
    }
    hmapx_destroy(&done);
}

static void
note_new_local_ports(struct chassis *ch, const struct vpc_pl_chassis *pc,
                     const struct model_vpc *mv)
{
    for (size_t i = 0; i < mv->pl.n_ports; i++) {
        const struct vpc_pl_port *p = &mv->pl.ports[i];
        if (p->chassis && p->chassis == pc->self && p->ofport) {
            if (ch->n_new_ports >= ch->allocated_new_ports) {
                ch->new_ports = x2nrealloc(ch->new_ports,
                                           &ch->allocated_new_ports,
                                           sizeof *ch->new_ports);
            }
            ch->new_ports[ch->n_new_ports].port = p->uuid;
            ch->new_ports[ch->n_new_ports++].ofport = p->ofport;
        }
    }
}

/* Rebuilds the flows of VPC 'uuid' ('mv', NULL if it is gone) on 'ch' and
 * queues the difference.  With 'reconcile', nothing is queued: the caller
 * reconciles against the switch afterwards. */
static void
chassis_sync_vpc(struct chassis *ch, const struct vpc_pl_chassis *pc,
                 const struct uuid *uuid, const struct model_vpc *mv,
                 bool reconcile)
{
    struct chassis_vpc *cv = chassis_vpc_find(ch, uuid);
    struct vpc_flow_table new;

    vpc_flow_table_init(&new);
    if (mv) {
        COVERAGE_INC(engine_vpc_flows);
        n_vpc_rebuilds++;
        vpc_pipeline_build_vpc(pc, &mv->pl, &new);
        note_new_local_ports(ch, pc, mv);
    }
    if (!reconcile) {
        ofctrl_update(ch->ofctrl, cv ? &cv->flows : NULL, &new);
    }

    if (cv) {
        ch->n_flows -= vpc_flow_table_count(&cv->flows);
        vpc_flow_table_clear(&cv->flows);
    }
    if (vpc_flow_table_count(&new)) {
        if (!cv) {
            cv = xmalloc(sizeof *cv);
            cv->vpc = *uuid;
            vpc_flow_table_init(&cv->flows);
            hmap_insert(&ch->vpcs, &cv->hmap_node, uuid_hash(uuid));
        }
        ch->n_flows += vpc_flow_table_count(&new);
        vpc_flow_table_move(&cv->flows, &new);
    } else if (cv) {
        hmap_remove(&ch->vpcs, &cv->hmap_node);
        vpc_flow_table_destroy(&cv->flows);
        free(cv);
    }
    vpc_flow_table_destroy(&new);
}

static void
set_port_gen(const struct uuid *port, const char *chassis,
             const struct ofctrl *session, ofp_port_t ofport, uint64_t gen)
{
    struct port_gen *pg;

    HMAP_FOR_EACH_WITH_HASH (pg, hmap_node, uuid_hash(port), &port_gens) {
        if (uuid_equals(&pg->port, port)) {
            if (strcmp(pg->chassis, chassis) || pg->session != session
                || pg->ofport != ofport) {
                free(pg->chassis);
                pg->chassis = xstrdup(chassis);
                pg->session = session;
                pg->ofport = ofport;
                pg->gen = gen;
            }
            return;
        }
    }
    pg = xmalloc(sizeof *pg);
    pg->port = *port;
    pg->chassis = xstrdup(chassis);
    pg->session = session;
    pg->ofport = ofport;
    pg->gen = gen;
    hmap_insert(&port_gens, &pg->hmap_node, uuid_hash(port));
}

/* Forgets the generations of ports whose rows are gone, or (if 'session'
 * is nonnull) that were counted in 'session', which is going away. */
static void
prune_port_gens(const struct ofctrl *session)
{
    struct port_gen *pg;

    HMAP_FOR_EACH_SAFE (pg, hmap_node, &port_gens) {
        if (session ? pg->session == session
                    : !vpc_model_find_binding(&model, &pg->port)) {
            hmap_remove(&port_gens, &pg->hmap_node);
            free(pg->chassis);
            free(pg);
        }
    }
}

static const struct port_gen *
find_port_gen(const struct uuid *port)
{
    const struct port_gen *pg;

    HMAP_FOR_EACH_WITH_HASH (pg, hmap_node, uuid_hash(port), &port_gens) {
        if (uuid_equals(&pg->port, port)) {
            return pg;
        }
    }
    return NULL;
}

static int64_t
current_nb_cfg(void)
{
    const struct vpcrec_vpc_global *g = vpcrec_vpc_global_first(vpcdb);
    return g ? g->nb_cfg : 0;
}

/* Brings chassis 'ch' up to the model: everything, when its switch has
 * just been read (reconcile), else the VPCs in 'dirty' (all if NULL), and
 * with 'base' (or all) the flows and groups that are not a VPC's. */
static void
chassis_sync(struct chassis *ch, const struct hmap *dirty, bool base)
{
    if (!ch->ofctrl || !host_is_ready(ch->hn->host)) {
        return;
    }

    enum ofctrl_state state = ofctrl_get_state(ch->ofctrl);
    if (state == OFCTRL_DUMPED || (state == OFCTRL_SYNCED
                                   && (ch->dirty_all || !dirty
                                       || hmap_count(dirty)))) {
        chassis_refresh_ports(ch);
    }
    struct vpc_pl_chassis pc = chassis_view(ch);
    const struct model_vpc *mv;

    if (state == OFCTRL_DUMPED) {
        chassis_clear_flows(ch);
        build_base(&pc, &ch->base_flows, &ch->base_groups);
        ch->n_flows = vpc_flow_table_count(&ch->base_flows);
        HMAP_FOR_EACH (mv, hmap_node, &model.vpcs) {
            chassis_sync_vpc(ch, &pc, &mv->pl.uuid, mv, true);
        }

        size_t n = hmap_count(&ch->vpcs) + 1, i = 0;
        struct vpc_flow_table **parts = xmalloc(n * sizeof *parts);
        struct chassis_vpc *cv;
        parts[i++] = &ch->base_flows;
        HMAP_FOR_EACH (cv, hmap_node, &ch->vpcs) {
            parts[i++] = &cv->flows;
        }
        ofctrl_reconcile(ch->ofctrl, parts, n, &ch->base_groups);
        ch->next_arp = 0;
        free(parts);
        ch->dirty_all = false;
    } else if (state == OFCTRL_SYNCED) {
        if (ch->dirty_all || !dirty || (base && hmap_count(dirty))) {
            struct vpc_flow_table flows;
            struct vpc_group_table groups;
            vpc_flow_table_init(&flows);
            vpc_group_table_init(&groups);
            build_base(&pc, &flows, &groups);
            ofctrl_update_groups(ch->ofctrl, &ch->base_groups, &groups);
            ofctrl_update(ch->ofctrl, &ch->base_flows, &flows);
            ch->n_flows += vpc_flow_table_count(&flows);
            ch->n_flows -= vpc_flow_table_count(&ch->base_flows);
            vpc_flow_table_clear(&ch->base_flows);
            vpc_flow_table_move(&ch->base_flows, &flows);
            vpc_flow_table_destroy(&flows);
            vpc_group_table_swap(&ch->base_groups, &groups);
            vpc_group_table_destroy(&groups);
        }
        if (ch->dirty_all || !dirty) {
            /* Every VPC we have flows for or the model has. */
            struct chassis_vpc *cv;
            HMAP_FOR_EACH_SAFE (cv, hmap_node, &ch->vpcs) {
                if (!vpc_model_find(&model, &cv->vpc)) {
                    chassis_sync_vpc(ch, &pc, &cv->vpc, NULL, false);
                }
            }
            HMAP_FOR_EACH (mv, hmap_node, &model.vpcs) {
                chassis_sync_vpc(ch, &pc, &mv->pl.uuid, mv, false);
            }
            ch->dirty_all = false;
        } else {
            const struct model_vpc *d;
            HMAP_FOR_EACH (d, hmap_node, dirty) {
                chassis_sync_vpc(ch, &pc, &d->pl.uuid,
                                 vpc_model_find(&model, &d->pl.uuid), false);
            }
        }
    } else {
        return;
    }
    ch->commit_pending = true;
}

/* Sends what chassis_sync() queued for 'ch', with the configuration it
 * brings the switch to. */
static void
chassis_commit(struct chassis *ch)
{
    ch->commit_pending = false;
    if (!ch->ofctrl) {
        return;
    }
    ofctrl_commit(ch->ofctrl, current_nb_cfg());
    uint64_t gen = ofctrl_get_sent_gen(ch->ofctrl);
    for (size_t i = 0; i < ch->n_new_ports; i++) {
        set_port_gen(&ch->new_ports[i].port, ch->name, ch->ofctrl,
                     ch->new_ports[i].ofport, gen);
    }
    ch->n_new_ports = 0;
}

/* Brings every chassis to the model (see chassis_sync()).  Small changes
 * are worked out for every chassis before any is sent: once a switch has
 * work it competes with us for the CPU.  Large ones go out chassis by
 * chassis, so that the encoded messages of all of them are never held at
 * once. */
#define SYNC_BATCH_MAX 64

/* A round of work spends at most this long bringing chassis to the model;
 * the chassis left over are rebuilt whole in the next round (their
 * 'dirty_all').  Meanwhile sessions are served: hosts and switches probe
 * us every 5 s, and a round that takes longer loses them. */
#define SYNC_SLICE_MSEC 1000
static bool sync_deferred;

static void
sync_all(const struct hmap *dirty, bool base)
{
    long long int deadline = time_msec() + SYNC_SLICE_MSEC;
    struct chassis *ch;

    sync_deferred = false;
    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        if (sync_deferred) {
            if (ch->ofctrl && (!dirty || base || hmap_count(dirty))) {
                ch->dirty_all = true;
            }
            continue;
        }
        chassis_sync(ch, ch->dirty_all ? NULL : dirty, base);
        if (ch->commit_pending && ch->ofctrl
            && ofctrl_n_queued(ch->ofctrl) > SYNC_BATCH_MAX) {
            chassis_commit(ch);
        }
        if (time_msec() >= deadline) {
            sync_deferred = true;
        }
    }
    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        if (ch->commit_pending) {
            chassis_commit(ch);
        }
    }
}

/* Gateways. */

static void
add_peer(struct shash *peers, const char *self, const char *name,
         enum vpc_encap encap)
{
    const struct model_location *loc = shash_find_data(&model.locations,
                                                       name);
    if (strcmp(name, self) && loc && loc->encap_ip
        && !shash_find(peers, name)) {
        struct host_peer *peer = xmalloc(sizeof *peer);
        peer->name = CONST_CAST(char *, loc->name);
        peer->remote_ip = xasprintf(IP_FMT, IP_ARGS(loc->encap_ip));
        peer->encap = encap;
        shash_add(peers, name, peer);
    }
}

/* The peer tunnel ports 'ch' needs: a host one to each gateway of the VPCs
 * it hosts, a gateway one to each host of the VPCs it serves and one to
 * each other gateway of its groups (to know which of them is active).  A
 * pair of chassis uses one encapsulation: the gateway's between a host and
 * a gateway, else that of the chassis whose name sorts first. */
static void
chassis_set_peers(struct chassis *ch)
{
    const struct host_identity *id = host_get_identity(ch->hn->host);
    struct shash peers = SHASH_INITIALIZER(&peers);
    const struct model_vpc *mv;

    if (!id || !chassis_is_owned(ch)) {
        /* Only the owner manages them, from a model it has built. */
        host_forget_peers(ch->hn->host);
        return;
    }
    chassis_refresh_ports(ch);
    struct vpc_pl_chassis pc = chassis_view(ch);
    if (!pc.self) {
        host_forget_peers(ch->hn->host);
        return;
    }
    HMAP_FOR_EACH (mv, hmap_node, &model.vpcs) {
        const struct model_gw_group *g;
        if (!mv->pl.gw) {
            continue;
        }
        g = CONTAINER_OF(mv->pl.gw, struct model_gw_group, pl);
        if (vpc_pipeline_serves_vpc(&pc, &mv->pl)) {
            for (size_t i = 0; i < g->n_gateways; i++) {
                const struct model_location *loc = g->gateways[i];
                if (loc) {
                    add_peer(&peers, ch->name, loc->name,
                             strcmp(ch->name, loc->name) < 0
                             ? id->encap : loc->encap);
                }
            }
            for (size_t i = 0; i < mv->pl.n_ports; i++) {
                const struct model_location *loc = mv->pl.ports[i].chassis;
                if (loc) {
                    add_peer(&peers, ch->name, loc->name, id->encap);
                }
            }
        } else if (vpc_pipeline_hosts_vpc(&pc, &mv->pl)) {
            for (size_t i = 0; i < g->n_gateways; i++) {
                const struct model_location *loc = g->gateways[i];
                if (loc) {
                    add_peer(&peers, ch->name, loc->name, loc->encap);
                }
            }
        }
    }

    const struct shash_node **sorted = shash_sort(&peers);
    size_t n = shash_count(&peers);
    struct host_peer *array = xmalloc((n + 1) * sizeof *array);
    for (size_t i = 0; i < n; i++) {
        array[i] = *(struct host_peer *) sorted[i]->data;
    }
    host_set_peers(ch->hn->host, array, n);
    for (size_t i = 0; i < n; i++) {
        free(array[i].remote_ip);
    }
    free(array);
    free(sorted);
    shash_destroy_free_data(&peers);
}

/* A gateway asks its next hops for their MACs now and then (the learn flow
 * takes the MAC from the answer, and from any other ARP the next hop
 * sends).  The request is an ARP probe (sender address 0) from a MAC of
 * the gateway's own: the group's MAC must only ever come from the active
 * gateway, or the outside network's switches would send the group's
 * traffic to a standby, and a sender address would make the next hop
 * point an outside address at us. */
#define NEXT_HOP_ARP_INTERVAL 5000

static void
run_next_hop_arp(void)
{
    long long int now = time_msec();
    struct chassis *ch;

    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        if (!ch->gateway || !chassis_is_owned(ch) || !ch->ofctrl
            || ofctrl_get_state(ch->ofctrl) != OFCTRL_SYNCED
            || now < ch->next_arp) {
            continue;
        }
        ch->next_arp = now + NEXT_HOP_ARP_INTERVAL;

        struct vpc_pl_chassis pc = chassis_view(ch);
        struct hmapx done = HMAPX_INITIALIZER(&done);
        const struct model_gw_group *g;
        HMAP_FOR_EACH (g, hmap_node, &model.gw_groups) {
            ofp_port_t uplink = host_get_uplink_ofport(ch->hn->host,
                                                       g->physnet);
            if (!uplink || !vpc_pipeline_serves_group(&pc, &g->pl)
                || !hmapx_add(&done, (void *) (uintptr_t)
                              (g->pl.next_hop ^ ofp_to_u16(uplink)))) {
                continue;
            }

            const struct host_identity *id = host_get_identity(ch->hn->host);
            struct eth_addr mac;
            eth_addr_from_uint64(id->dpid, &mac);
            eth_addr_mark_random(&mac);     /* Local, unicast. */

            struct dp_packet packet;
            dp_packet_init(&packet, 64);
            compose_arp(&packet, ARP_OP_REQUEST, mac, eth_addr_zero, true,
                        htonl(0), g->pl.next_hop);

            uint64_t stub[64 / 8];
            struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
            ofpact_put_OUTPUT(&ofpacts)->port = uplink;
            ofctrl_send_packet(ch->ofctrl, &packet, ofpacts.data,
                               ofpacts.size);
            ofpbuf_uninit(&ofpacts);
            dp_packet_uninit(&packet);
        }
        hmapx_destroy(&done);
    }
}

/* Sends on 'ch' an ARP packet for every outside address of VPCs served by
 * gateway group 'g': gratuitous ARP from the group's MAC, so that the
 * outside network's switches learn where that MAC is now. */
static void
send_gratuitous_arps(struct chassis *ch, const struct model_gw_group *g,
                     ofp_port_t uplink)
{
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    const struct model_vpc *mv;

    ofpact_put_OUTPUT(&ofpacts)->port = uplink;
    HMAP_FOR_EACH (mv, hmap_node, &model.vpcs) {
        if (mv->pl.gw != &g->pl) {
            continue;
        }
        for (size_t i = 0; i < mv->pl.n_nats; i++) {
            ovs_be32 ip = mv->pl.nats[i].external_ip;
            struct dp_packet packet;
            dp_packet_init(&packet, 64);
            compose_arp(&packet, ARP_OP_REQUEST, g->pl.mac, eth_addr_zero,
                        true, ip, ip);
            ofctrl_send_packet(ch->ofctrl, &packet, ofpacts.data,
                               ofpacts.size);
            dp_packet_uninit(&packet);
        }
    }
    ofpbuf_uninit(&ofpacts);
}

/* Which gateway of a group is active is decided in the data path (BFD and
 * the ARP group, see ofproto-vpc); we follow it from the gateways' BFD
 * status, the same view, and when a gateway becomes active we make it
 * announce the group's outside addresses.  A more preferred gateway
 * counts as gone only once its BFD session was up and went down, so that
 * a gateway that has just started does not announce itself while its
 * sessions are still coming up.  Traffic itself never waits
 * for this: a host moves to the new gateway on its own, and the first
 * packet the gateway sends out teaches the outside network the same. */
static void
run_gateway_takeover(void)
{
    struct chassis *ch;

    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        if (!ch->gateway || !chassis_is_owned(ch) || !ch->ofctrl
            || ofctrl_get_state(ch->ofctrl) != OFCTRL_SYNCED) {
            sset_clear(&ch->active_groups);
            continue;
        }

        struct sset now = SSET_INITIALIZER(&now);
        const struct model_location *self
            = shash_find_data(&model.locations, ch->name);
        const struct model_gw_group *g;
        HMAP_FOR_EACH (g, hmap_node, &model.gw_groups) {
            ofp_port_t uplink = host_get_uplink_ofport(ch->hn->host,
                                                       g->physnet);
            bool is_active = false;
            for (size_t i = 0; uplink && i < g->n_gateways; i++) {
                if (g->gateways[i] == self) {
                    is_active = true;
                    break;
                } else if (g->gateways[i]
                           && !host_peer_is_down(ch->hn->host,
                                                 g->gateway_names[i])) {
                    /* Alive, or not known to be gone (its BFD session has
                     * not come up yet): not our turn. */
                    break;
                }
            }
            if (is_active) {
                char *key = xasprintf(UUID_FMT, UUID_ARGS(&g->pl.uuid));
                if (!sset_contains(&ch->active_groups, key)) {
                    VLOG_INFO("chassis %s: active gateway of group %s",
                              ch->name, g->name);
                    send_gratuitous_arps(ch, g, uplink);
                }
                sset_add_and_free(&now, key);
            }
        }
        sset_swap(&now, &ch->active_groups);
        sset_destroy(&now);
    }
}

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
             "%"PRIuSIZE" VPC(s) changed", what, current_nb_cfg(),
             last_build_msec, n_dirty);
}

/* Would hv_cfg move up if written now?  (For the active instance, which
 * learns of other owners' acknowledgements only from their Chassis rows.) */
static bool
hv_cfg_behind(void)
{
    const struct vpcrec_vpc_global *g = vpcrec_vpc_global_first(vpcdb);
    const struct vpcrec_chassis *row;
    int64_t min = g ? g->nb_cfg : 0;

    if (!g || status_txn || g->hv_cfg >= g->nb_cfg) {
        return false;
    }
    VPCREC_CHASSIS_FOR_EACH (row, vpcdb) {
        if (row->connected) {
            min = MIN(min, row->nb_cfg);
        }
    }
    return min > g->hv_cfg;
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
        loc->gateway = !strcmp(id->role, "gateway");
        loc->bindings = host_get_bindings(ch->hn->host);
        shash_add(&connected, ch->name, loc);
    }

    struct vpc_model new;
    vpc_model_init(&new);
    vpc_model_build(&new, vpcdb, &connected, force_recompute ? NULL : &model);
    shash_destroy(&connected);
    free(locs);
    COVERAGE_INC(engine_model_build);
    n_builds++;

    /* Which VPCs changed. */
    struct hmap dirty = HMAP_INITIALIZER(&dirty);
    const struct model_vpc *mv;
    HMAP_FOR_EACH (mv, hmap_node, &new.vpcs) {
        const struct model_vpc *old = vpc_model_find(&model, &mv->pl.uuid);
        if (!old || old->fingerprint != mv->fingerprint) {
            add_dirty(&dirty, &mv->pl.uuid);
        }
    }
    HMAP_FOR_EACH (mv, hmap_node, &model.vpcs) {
        if (!vpc_model_find(&new, &mv->pl.uuid)) {
            add_dirty(&dirty, &mv->pl.uuid);
        }
    }
    vpc_model_swap(&model, &new);
    prune_port_gens(NULL);
    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        ch->id_seqno = host_get_identity_seqno(ch->hn->host);
    }
    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        chassis_set_peers(ch);
    }

    if (force_recompute) {
        n_recomputes++;
        HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
            ch->dirty_all = true;
        }
    }
    sync_all(&dirty, true);

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
        &model, &row->header_.uuid);

    if (b) {
        uuidset_insert(vpcs, &b->vpc);
    }
    if (!vpcrec_port_is_deleted(row) && row->subnet && row->subnet->vpc) {
        uuidset_insert(vpcs, &row->subnet->vpc->header_.uuid);
    }
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
        || vpcrec_port_is_updated(row, VPCREC_PORT_COL_SUBNET)) {
        return false;
    }
    const struct model_binding *b = vpc_model_find_binding(
        &model, &row->header_.uuid);
    return b && b->where;
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
        if (vpcrec_vpc_is_new(vpc) && vpc_model_find(&model,
                                                     &vpc->header_.uuid)) {
            return false;
        }
        uuidset_insert(vpcs, &vpc->header_.uuid);
    }

    const struct vpcrec_subnet *sn;
    VPCREC_SUBNET_FOR_EACH_TRACKED (sn, vpcdb) {
        const struct model_vpc *mv;
        HMAP_FOR_EACH (mv, hmap_node, &model.vpcs) {
            for (size_t i = 0; i < mv->pl.n_subnets; i++) {
                if (uuid_equals(&mv->pl.subnets[i].uuid, &sn->header_.uuid)) {
                    if (vpcrec_subnet_is_new(sn)) {
                        return false;
                    }
                    uuidset_insert(vpcs, &mv->pl.uuid);
                }
            }
        }
        if (!vpcrec_subnet_is_deleted(sn) && sn->vpc) {
            uuidset_insert(vpcs, &sn->vpc->header_.uuid);
        }
    }

    const struct vpcrec_nat *nat;
    VPCREC_NAT_FOR_EACH_TRACKED (nat, vpcdb) {
        const struct model_vpc *mv;
        HMAP_FOR_EACH (mv, hmap_node, &model.vpcs) {
            for (size_t i = 0; i < mv->pl.n_nats; i++) {
                if (uuid_equals(&mv->pl.nats[i].uuid, &nat->header_.uuid)) {
                    uuidset_insert(vpcs, &mv->pl.uuid);
                }
            }
        }
        if (!vpcrec_nat_is_deleted(nat) && nat->vpc) {
            uuidset_insert(vpcs, &nat->vpc->header_.uuid);
        }
    }

    const struct vpcrec_port *port;
    VPCREC_PORT_FOR_EACH_TRACKED (port, vpcdb) {
        if (vpcrec_port_is_new(port)
            && vpc_model_find_binding(&model, &port->header_.uuid)) {
            return false;
        } else if (port_change_is_moot(port)) {
            continue;
        }
        add_port_vpcs(port, vpcs);
        if (!vpcrec_port_is_deleted(port)) {
            /* Also a port the model leaves out (a bad MAC or subnet) has
             * a status: unbound, down. */
            uuidset_insert(&status_ports, &port->header_.uuid);
        }
    }

    const char *iface;
    SSET_FOR_EACH (iface, &dirty_ifaces) {
        vpc_model_for_ports_named(iface, add_port_vpcs, vpcs);
    }

    /* A VPC that is gone, should its deletion have gone unreported. */
    const struct model_vpc *mv;
    HMAP_FOR_EACH (mv, hmap_node, &model.vpcs) {
        if (!vpcrec_vpc_get_for_uuid(vpcdb, &mv->pl.uuid)) {
            uuidset_insert(vpcs, &mv->pl.uuid);
        }
    }
    return true;
}

/* Forgets the generation of port 'uuid'. */
static void
forget_port_gen(const struct uuid *uuid)
{
    struct port_gen *pg = CONST_CAST(struct port_gen *, find_port_gen(uuid));
    if (pg) {
        hmap_remove(&port_gens, &pg->hmap_node);
        free(pg->chassis);
        free(pg);
    }
}

static void
note_status_ports(const struct model_vpc *mv)
{
    for (size_t i = 0; i < mv->pl.n_ports; i++) {
        uuidset_insert(&status_ports, &mv->pl.ports[i].uuid);
    }
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
        /* Nothing for the model (our own status coming back, say). */
        struct hmap none = HMAP_INITIALIZER(&none);
        sync_all(&none, false);
        hmap_destroy(&none);
        uuidset_destroy(&vpcs);
        return true;
    }

    struct hmap olds = HMAP_INITIALIZER(&olds);
    vpc_model_update_vpcs(&model, vpcdb, &vpcs, &olds);
    n_builds++;
    n_incremental++;

    /* Which of them really changed. */
    struct hmap dirty = HMAP_INITIALIZER(&dirty);
    bool base = false;
    const struct uuidset_node *node;
    UUIDSET_FOR_EACH (node, &vpcs) {
        const struct model_vpc *new = vpc_model_find(&model, &node->uuid);
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
        if (old) {
            note_status_ports(old);
            for (size_t i = 0; i < old->pl.n_ports; i++) {
                const struct uuid *port = &old->pl.ports[i].uuid;
                if (!vpc_model_find_binding(&model, port)) {
                    forget_port_gen(port);
                }
            }
        }
        if (new) {
            note_status_ports(new);
        }
    }
    uuidset_destroy(&vpcs);

    struct chassis *ch;
    if (base) {
        HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
            chassis_set_peers(ch);
        }
    }
    sync_all(&dirty, base);

    struct model_vpc *mv;
    HMAP_FOR_EACH_POP (mv, hmap_node, &olds) {
        vpc_model_free_vpc(mv);
    }
    hmap_destroy(&olds);
    finish_build(&dirty, start, "update");
    status_dirty = true;
    return true;
}

/* Status in the database. */

/* Is the port bound, with its flows acknowledged by its chassis?  The
 * location's 'aux' is its chassis (or NULL), set by write_status(). */
static bool
port_is_up(const struct vpcrec_port *row, const struct model_binding *b)
{
    if (!b || !b->where || !b->where->connected || !b->ofport) {
        return false;
    }
    const struct chassis *ch = b->where->aux;
    const struct port_gen *pg = ch ? find_port_gen(&row->header_.uuid) : NULL;
    return (ch && ch->ofctrl && pg && !strcmp(pg->chassis, ch->name)
            && pg->session == ch->ofctrl && pg->ofport == b->ofport
            && ofctrl_get_state(ch->ofctrl) == OFCTRL_SYNCED
            && ofctrl_get_acked_gen(ch->ofctrl) >= pg->gen);
}

/* A location, with its Chassis row and whether we own its chassis. */
struct loc_row {
    struct hmap_node node;
    const struct model_location *loc;
    const struct vpcrec_chassis *row;
    bool owned;
};

/* Writes where 'port' is bound and whether it is up, if that is ours to
 * write; remembers it in 'pending_ports' while it waits for its flows. */
static void
write_port_status(const struct vpcrec_port *port, const struct hmap *loc_rows)
{
    const struct model_binding *b
        = vpc_model_find_binding(&model, &port->header_.uuid);
    const struct vpcrec_chassis *want = NULL;
    bool ours = active;
    if (b && b->where) {
        struct loc_row *lr;
        HMAP_FOR_EACH_WITH_HASH (lr, node, hash_pointer(b->where, 0),
                                 loc_rows) {
            if (lr->loc == b->where) {
                want = lr->row;
                ours = lr->owned;
                break;
            }
        }
    }
    if (!ours) {
        return;
    }
    if (port->chassis != want) {
        vpcrec_port_set_chassis(port, want);
    }
    bool up = port_is_up(port, b);
    if (!port->n_up || port->up[0] != up) {
        vpcrec_port_set_up(port, &up, 1);
    }
    if (!up && b && b->where && b->where->connected && b->ofport) {
        uuidset_insert(&pending_ports, &port->header_.uuid);
    }
}

static void
write_status(struct ovsdb_idl_txn *txn)
{
    long long int now = time_wall_msec();
    struct shash rows = SHASH_INITIALIZER(&rows);
    const struct vpcrec_chassis *row;
    struct chassis *ch;

    /* Chassis rows.  The active instance marks those that no instance
     * here is connected to (hosts dial every instance); each owner keeps
     * its own chassis' rows. */
    VPCREC_CHASSIS_FOR_EACH (row, vpcdb) {
        shash_add_once(&rows, row->name, row);
        if (active && !chassis_find(row->name) && row->connected) {
            vpcrec_chassis_set_connected(row, false);
        }
    }
    int64_t hv_cfg = INT64_MAX;
    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        const struct host_identity *id = host_get_identity(ch->hn->host);
        row = shash_find_data(&rows, ch->name);
        if (!chassis_is_owned(ch)) {
            /* Its owner reports what its switch acknowledged. */
            if (row && row->connected) {
                hv_cfg = MIN(hv_cfg, row->nb_cfg);
            } else if (ch->ofctrl) {
                hv_cfg = MIN(hv_cfg, -1);
            }
            continue;
        }
        if (!row) {
            row = vpcrec_chassis_insert(txn);
            vpcrec_chassis_set_name(row, ch->name);
            shash_add(&rows, ch->name, row);
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
        if (!row->connected) {
            vpcrec_chassis_set_connected(row, true);
        }
        if (strcmp(row->owner, instance_id)) {
            vpcrec_chassis_set_owner(row, instance_id);
        }
        if (ch->ofctrl) {
            int64_t acked = ofctrl_get_acked_cfg(ch->ofctrl);
            if (acked >= 0 && acked != row->nb_cfg) {
                vpcrec_chassis_set_nb_cfg(row, acked);
                vpcrec_chassis_set_nb_cfg_timestamp(row, now);
            }
            hv_cfg = MIN(hv_cfg, acked);
        }
    }

    /* Ports: where they are bound, and whether their flows are in; each
     * written by the owner of its chassis, unbound ones by the active
     * instance.  Each location's chassis row and chassis are looked up
     * once, not per port. */
    struct hmap loc_rows = HMAP_INITIALIZER(&loc_rows);
    struct shash_node *node;
    SHASH_FOR_EACH (node, &model.locations) {
        struct model_location *loc = node->data;
        struct loc_row *lr = xmalloc(sizeof *lr);
        struct chassis *where = chassis_find(loc->name);
        lr->loc = loc;
        lr->row = shash_find_data(&rows, loc->name);
        lr->owned = where && chassis_is_owned(where);
        hmap_insert(&loc_rows, &lr->node, hash_pointer(loc, 0));
        loc->aux = where;
    }
    const struct vpcrec_port *port;
    if (status_full) {
        uuidset_clear(&pending_ports);
        VPCREC_PORT_FOR_EACH (port, vpcdb) {
            write_port_status(port, &loc_rows);
        }
    } else {
        struct uuidset_node *un;
        UUIDSET_FOR_EACH (un, &pending_ports) {
            uuidset_insert(&status_ports, &un->uuid);
        }
        UUIDSET_FOR_EACH (un, &status_ports) {
            uuidset_find_and_delete(&pending_ports, &un->uuid);
            port = vpcrec_port_get_for_uuid(vpcdb, &un->uuid);
            if (port && !vpcrec_port_is_deleted(port)) {
                write_port_status(port, &loc_rows);
            }
        }
    }
    status_full = false;
    uuidset_clear(&status_ports);
    shash_destroy(&rows);
    struct loc_row *lr;
    HMAP_FOR_EACH_POP (lr, node, &loc_rows) {
        free(lr);
    }
    hmap_destroy(&loc_rows);

    if (!active) {
        return;
    }

    /* The configuration every chassis has. */
    const struct vpcrec_vpc_global *g = vpcrec_vpc_global_first(vpcdb);
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

static void
run_status(void)
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
            status_changed();
        }
        ovsdb_idl_txn_destroy(status_txn);
        status_txn = NULL;
    }
    if (!active && !owns_any_shard()) {
        /* Nothing is ours to write; when something is, look at all. */
        uuidset_clear(&status_ports);
        status_full = true;
    }
    if (status_dirty && (active || owns_any_shard()) && !claim_txn
        && ovsdb_idl_is_connected(vpcdb)
        && ovsdb_idl_has_ever_connected(vpcdb)) {
        status_dirty = false;
        status_txn = ovsdb_idl_txn_create(vpcdb);
        ovsdb_idl_txn_add_comment(status_txn, "vpc-controller: status");
        write_status(status_txn);
        COVERAGE_INC(engine_status_txn);
        ovsdb_idl_txn_commit(status_txn);
    }
}

/* Does one round of work. */
void
engine_run(const struct host_config *cfg)
{
    ovsdb_idl_run(vpcdb);
    shards_run(vpcdb);
    run_role();
    run_hosts(cfg);
    run_switches();
    run_chassis_ofctrl();

    unsigned int seqno = ovsdb_idl_get_seqno(vpcdb);
    if (seqno != vpcdb_seqno) {
        vpcdb_seqno = seqno;
        db_changed = true;
    }
    /* Status depends on what the model does not: a new nb_cfg (with no
     * chassis, hv_cfg follows it at once) and, for the active instance,
     * the chassis' acknowledgements that their owners write. */
    if (current_nb_cfg() != last_nb_cfg) {
        last_nb_cfg = current_nb_cfg();
        status_dirty = true;
    }
    if (active && hv_cfg_behind()) {
        status_dirty = true;
    }

    /* Never act on a database we have not read: an empty view would
     * delete every flow. */
    if (ovsdb_idl_has_ever_connected(vpcdb)
        && ovsdb_idl_is_connected(vpcdb)) {
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
        } else {
            /* Switches that finished reading their flows, and barriers for
             * a configuration with nothing to change. */
            struct hmap none = HMAP_INITIALIZER(&none);
            sync_all(&none, false);
            hmap_destroy(&none);
        }
    }
    run_next_hop_arp();
    run_gateway_takeover();
    run_status();
}

/* Arranges for poll_block() to wake up when engine_run() has work. */
void
engine_wait(void)
{
    struct host_node *hn;
    struct switch_node *sn;
    struct chassis *ch;

    ovsdb_idl_wait(vpcdb);
    shards_wait();
    LIST_FOR_EACH (hn, list_node, &hosts) {
        host_wait(hn->host);
    }
    LIST_FOR_EACH (sn, list_node, &switches) {
        ofctrl_wait(sn->ofctrl);
    }
    /* Wake at once only for work that this round can do: a standby
     * instance writes no status, and nothing is built while the database
     * is away (ovsdb_idl_wait() wakes us when it returns). */
    bool db_ok = (ovsdb_idl_is_connected(vpcdb)
                  && ovsdb_idl_has_ever_connected(vpcdb));
    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        if (ch->ofctrl) {
            ofctrl_wait(ch->ofctrl);
            if (db_ok && ofctrl_get_state(ch->ofctrl) == OFCTRL_DUMPED
                && host_is_ready(ch->hn->host)) {
                poll_immediate_wake();
            }
            if (ch->gateway && chassis_is_owned(ch)
                && ofctrl_get_state(ch->ofctrl) == OFCTRL_SYNCED) {
                poll_timer_wait_until(ch->next_arp);
            }
        }
    }
    if (claim_txn) {
        ovsdb_idl_txn_wait(claim_txn);
    }
    if (status_txn) {
        ovsdb_idl_txn_wait(status_txn);
    }
    if (db_ok && ((status_dirty && (active || owns_any_shard())
                   && !claim_txn && !status_txn)
                  || need_build || force_recompute || db_changed
                  || !sset_is_empty(&dirty_ifaces) || sync_deferred)) {
        poll_immediate_wake();
    }
}

/* Frees everything. */
void
engine_destroy(void)
{
    struct host_node *hn;
    LIST_FOR_EACH_SAFE (hn, list_node, &hosts) {
        host_node_destroy(hn);
    }
    struct switch_node *sn;
    LIST_FOR_EACH_SAFE (sn, list_node, &switches) {
        switch_node_destroy(sn);
    }
    struct port_gen *pg;
    HMAP_FOR_EACH_POP (pg, hmap_node, &port_gens) {
        free(pg->chassis);
        free(pg);
    }
    if (status_txn) {
        ovsdb_idl_txn_destroy(status_txn);
        status_txn = NULL;
    }
    if (claim_txn) {
        ovsdb_idl_txn_destroy(claim_txn);
        claim_txn = NULL;
    }
    free(shard_gens);
    free(claiming);
    shard_gens = NULL;
    claiming = NULL;
    n_shard_gens = 0;
    shards_destroy();
    vpc_model_destroy(&model);
    sset_destroy(&dirty_ifaces);
    uuidset_destroy(&status_ports);
    uuidset_destroy(&pending_ports);
    free(instance_id);
}

/* Introspection. */

/* Makes the next round rebuild every flow of every chassis from scratch;
 * the switches see only what differs, which should be nothing. */
void
engine_force_recompute(void)
{
    force_recompute = true;
}

void
engine_format_status(struct ds *s)
{
    const struct vpcrec_vpc_global *g = vpcrec_vpc_global_first(vpcdb);

    ds_put_format(s, "instance: %s\n", instance_id);
    ds_put_format(s, "role: %s\n", active ? "active" : "standby");
    shards_format(s);
    ds_put_format(s, "database: %s\n",
                  ovsdb_idl_is_connected(vpcdb) ? "connected"
                                                : "not connected");
    ds_put_format(s, "chassis: %"PRIuSIZE"\n", hmap_count(&chassis_map));
    ds_put_format(s, "vpcs: %"PRIuSIZE"\n", hmap_count(&model.vpcs));
    ds_put_format(s, "ports: %"PRIuSIZE"\n", model.n_ports);
    ds_put_format(s, "nb_cfg: %"PRId64"\n", g ? g->nb_cfg : 0);
    ds_put_format(s, "hv_cfg: %"PRId64"\n", g ? g->hv_cfg : 0);
    ds_put_format(s, "model builds: %"PRIu64" (%"PRIu64" incremental)\n",
                  n_builds, n_incremental);
    ds_put_format(s, "full recomputes: %"PRIu64"\n", n_recomputes);
    ds_put_format(s, "vpc flow rebuilds: %"PRIu64"\n", n_vpc_rebuilds);
    ds_put_format(s, "last build: %lld ms\n", last_build_msec);
}

static int
compare_chassis(const void *a_, const void *b_)
{
    const struct chassis *const *a = a_;
    const struct chassis *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static struct chassis **
sorted_chassis(size_t *n)
{
    struct chassis **all = xmalloc((hmap_count(&chassis_map) + 1)
                                   * sizeof *all);
    struct chassis *ch;

    *n = 0;
    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        all[(*n)++] = ch;
    }
    qsort(all, *n, sizeof *all, compare_chassis);
    return all;
}

void
engine_format_chassis(struct ds *s)
{
    size_t n;
    struct chassis **all = sorted_chassis(&n);

    for (size_t i = 0; i < n; i++) {
        const struct chassis *ch = all[i];
        const struct host_identity *id = host_get_identity(ch->hn->host);
        ds_put_format(s, "%s ovsdb=%s encap=%s:%s ", ch->name,
                      host_get_name(ch->hn->host), vpc_encap_name(id->encap),
                      id->encap_ip_s);
        if (ch->ofctrl) {
            ofctrl_format_stats(ch->ofctrl, s);
        } else {
            ds_put_cstr(s, "openflow=disconnected");
        }
        ds_put_char(s, '\n');
    }
    free(all);

    struct host_node *hn;
    LIST_FOR_EACH (hn, list_node, &hosts) {
        if (!hn->chassis) {
            ds_put_format(s, "(not adopted) ovsdb=%s%s%s\n",
                          host_get_name(hn->host),
                          hn->refused_as ? " refused as " : "",
                          hn->refused_as ? hn->refused_as : "");
        }
    }
}

void
engine_format_flow_counts(struct ds *s)
{
    size_t n;
    struct chassis **all = sorted_chassis(&n);

    for (size_t i = 0; i < n; i++) {
        ds_put_format(s, "%s %"PRIuSIZE"\n", all[i]->name, all[i]->n_flows);
    }
    free(all);
}

/* Appends the flows we want on 'name' to 's'.  Returns false if there is no
 * such chassis. */
bool
engine_format_flows(const char *name, struct ds *s)
{
    const struct chassis *ch = chassis_find(name);
    if (!ch) {
        return false;
    }

    struct vpc_flow_table all;
    const struct chassis_vpc *cv;
    const struct vpc_flow *flow;
    vpc_flow_table_init(&all);
    HMAP_FOR_EACH (flow, hmap_node, &ch->base_flows.flows) {
        vpc_flow_table_add_copy(&all, flow);
    }
    HMAP_FOR_EACH (cv, hmap_node, &ch->vpcs) {
        HMAP_FOR_EACH (flow, hmap_node, &cv->flows.flows) {
            vpc_flow_table_add_copy(&all, flow);
        }
    }
    vpc_flow_table_format(&all, s);
    vpc_flow_table_destroy(&all);
    return true;
}
