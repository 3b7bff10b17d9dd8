/* Chassis: hosts and their OpenFlow sessions.  See chassis.h. */
#include <config.h>
#include "chassis.h"

#include <string.h>

#include "changes.h"
#include "chassis-sync.h"
#include "flowlog.h"
#include "gateway.h"
#include "hash.h"
#include "host.h"
#include "jsonrpc.h"
#include "ofctrl.h"
#include "punt.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "peer-cert.h"
#include "roles.h"
#include "status.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(chassis);

/* An OpenFlow session not (yet) tied to a chassis. */
struct switch_node {
    struct ovs_list list_node;      /* In 'switches'. */
    struct ofctrl *ofctrl;
    bool ssl;                       /* Its certificate must name its
                                     * chassis. */
    long long int created;
    bool warned;
};

struct hmap chassis_map = HMAP_INITIALIZER(&chassis_map);
struct hmapx chassis_gateways = HMAPX_INITIALIZER(&chassis_gateways);
struct hmapx chassis_busy = HMAPX_INITIALIZER(&chassis_busy);
struct hmapx chassis_status_due = HMAPX_INITIALIZER(&chassis_status_due);

/* The chassis by datapath ID, so that a switch that dials in finds its
 * chassis without a walk over every chassis on every pass. */
static struct hmap chassis_by_dpid = HMAP_INITIALIZER(&chassis_by_dpid);

/* A chassis came: the switches not yet tied to one are to look for theirs
 * again.  (Otherwise a switch looks when its session runs.) */
static bool switches_recheck;

/* Notes that 'ch' may have something to do in the next round of changes
 * whatever they are: its switch's session ran or changed state, or it is
 * to be rebuilt whole.  (See chassis_sync_all().) */
void
chassis_note_busy(struct chassis *ch)
{
    hmapx_add(&chassis_busy, ch);
    hmapx_add(&chassis_status_due, ch);
}

/* Does chassis 'ch' leave rounds of work and status passes nothing to do:
 * no switch, a switch in sync with nothing pending (ofctrl_is_idle()), or
 * one we are a secondary of, for a chassis we do not own (we send it
 * nothing)?  A chassis that is settled is not visited by the rounds that
 * follow: an instance that shares the chassis with others would otherwise
 * visit every chassis it does not own in every round.  (A switch that made
 * us its secondary although its chassis is ours is not settled: its
 * configuration is not ours to vouch for until we are its primary.) */
bool
chassis_is_settled(const struct chassis *ch)
{
    return (!ch->ofctrl || ofctrl_is_idle(ch->ofctrl)
            || (ofctrl_get_state(ch->ofctrl) == OFCTRL_STANDBY
                && !chassis_is_owned(ch)));
}

/* Which chassis have an interface with an iface-id, as their 'bound' says:
 * iface-id -> struct sset of chassis names.  Who else claims a port is one
 * lookup, not a look at every chassis. */
static struct shash iface_claims = SHASH_INITIALIZER(&iface_claims);
static struct ovs_list hosts = OVS_LIST_INITIALIZER(&hosts);
static struct ovs_list switches = OVS_LIST_INITIALIZER(&switches);

/* The host sessions not adopted as a chassis, settled on every pass (one
 * may be adopted once another that made the same claim goes); an adopted
 * host is looked at only when its session ran. */
static struct ovs_list unadopted = OVS_LIST_INITIALIZER(&unadopted);

/* Kinds of connection in conn-wake.h: hosts' OVSDB sessions (owner: the
 * struct host_node), the OpenFlow sessions of chassis (owner: the
 * struct chassis) and those not tied to one yet (struct switch_node). */
enum {
    WAKE_HOST,
    WAKE_CHASSIS_SWITCH,
    WAKE_LOOSE_SWITCH,
};
BUILD_ASSERT_DECL(WAKE_LOOSE_SWITCH < CONN_WAKE_MAIN);

static void
host_node_wait(void *hn_)
{
    struct host_node *hn = hn_;
    host_wait(hn->host);
}

static void
chassis_switch_wait(void *ch_)
{
    struct chassis *ch = ch_;
    ofctrl_wait(ch->ofctrl);
}

static void
switch_node_wait(void *sn_)
{
    struct switch_node *sn = sn_;
    ofctrl_wait(sn->ofctrl);
}

/* Returns the chassis called 'name', or NULL. */
struct chassis *
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

/* Forgets the flows we sent to 'ch': its switch is to be read again, or
 * is gone. */
void
chassis_clear_flows(struct chassis *ch)
{
    struct chassis_vpc *cv;

    chassis_sync_forget_holder(ch);
    HMAP_FOR_EACH_POP (cv, hmap_node, &ch->vpcs) {
        vpc_flow_table_destroy(&cv->flows);
        free(cv);
    }
    vpc_flow_merge_clear(&ch->shared);
    vpc_flow_table_clear(&ch->base_flows);
    vpc_group_table_clear(&ch->base_groups);
    ch->n_flows = 0;
    ch->n_new_ports = 0;
}

static struct chassis *
chassis_create(struct host_node *hn, const char *name, uint64_t dpid)
{
    struct chassis *ch = xzalloc(sizeof *ch);
    token_bucket_init(&ch->punt_budget, PUNT_RATE, PUNT_BURST * 1000);

    ch->name = xstrdup(name);
    ch->status_cfg = -1;
    ch->hn = hn;
    hmap_init(&ch->vpcs);
    uuidset_init(&ch->held);
    vpc_flow_merge_init(&ch->shared);
    shash_init(&ch->bound);
    vpc_flow_table_init(&ch->base_flows);
    vpc_group_table_init(&ch->base_groups);
    sset_init(&ch->active_groups);
    hmap_insert(&chassis_map, &ch->hmap_node, hash_string(name, 0));
    ch->dpid = dpid;
    hmap_insert(&chassis_by_dpid, &ch->dpid_node, hash_uint64(dpid));
    switches_recheck = true;
    hn->chassis = ch;
    ovs_list_remove(&hn->unadopted_node);
    host_set_accepted(hn->host, true);
    VLOG_INFO("chassis %s: adopted the host at %s", name,
              host_get_name(hn->host));
    changes_need_build();
    status_changed();
    return ch;
}

static void
claim_add(const char *iface_id, const char *chassis)
{
    struct sset *names = shash_find_data(&iface_claims, iface_id);
    if (!names) {
        names = xmalloc(sizeof *names);
        sset_init(names);
        shash_add_nocopy(&iface_claims, xstrdup(iface_id), names);
    }
    sset_add(names, chassis);
}

static void
claim_remove(const char *iface_id, const char *chassis)
{
    struct shash_node *node = shash_find(&iface_claims, iface_id);
    if (node) {
        struct sset *names = node->data;
        sset_find_and_delete(names, chassis);
        if (sset_is_empty(names)) {
            shash_delete(&iface_claims, node);
            sset_destroy(names);
            free(names);
        }
    }
}

/* Returns the index of the chassis that have each iface-id: iface-id ->
 * struct sset of chassis names (see model.h's 'claims'). */
const struct shash *
chassis_iface_claims(void)
{
    return &iface_claims;
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
        sn->ssl = ch->ofctrl_ssl;
        sn->created = time_msec();
        ovs_list_push_back(&switches, &sn->list_node);
        ofctrl_set_wake_owner(sn->ofctrl, WAKE_LOOSE_SWITCH, sn,
                              switch_node_wait);
    }
    if (ch->hn) {
        ch->hn->chassis = NULL;
        ovs_list_push_back(&unadopted, &ch->hn->unadopted_node);
        host_set_accepted(ch->hn->host, false);
    }
    chassis_clear_flows(ch);
    hmap_destroy(&ch->vpcs);
    uuidset_destroy(&ch->held);
    vpc_flow_merge_destroy(&ch->shared);
    vpc_flow_table_destroy(&ch->base_flows);
    vpc_group_table_destroy(&ch->base_groups);
    hmap_remove(&chassis_map, &ch->hmap_node);
    hmap_remove(&chassis_by_dpid, &ch->dpid_node);
    hmapx_find_and_delete(&chassis_gateways, ch);
    hmapx_find_and_delete(&chassis_busy, ch);
    hmapx_find_and_delete(&chassis_status_due, ch);
    free(ch->new_ports);
    free(ch->pl_peers);
    free(ch->pl_uplinks);
    struct shash_node *node;
    SHASH_FOR_EACH (node, &ch->bound) {
        claim_remove(node->name, ch->name);
    }
    shash_destroy(&ch->bound);
    sset_destroy(&ch->active_groups);
    free(ch->name);
    free(ch);
    changes_need_build();
    status_changed();
}

/* Hosts. */

/* Adds a host that dialed in to our OVSDB listener ('ssl': over SSL, so
 * its certificate must name its system-id).  Takes ownership of 'rpc'. */
void
chassis_add_host(struct jsonrpc *rpc, bool ssl)
{
    struct host_node *hn = xzalloc(sizeof *hn);

    hn->host = host_create(rpc);
    hn->ssl = ssl;
    ovs_list_push_back(&hosts, &hn->list_node);
    ovs_list_push_back(&unadopted, &hn->unadopted_node);
    host_set_wake_owner(hn->host, WAKE_HOST, hn, host_node_wait);
}

static void
host_node_destroy(struct host_node *hn)
{
    if (hn->chassis) {
        chassis_destroy(hn->chassis);
    }
    ovs_list_remove(&hn->unadopted_node);
    ovs_list_remove(&hn->list_node);
    host_destroy(hn->host);
    free(hn->refused_as);
    free(hn);
}

/* Notes that the host's claim to be 'system_id' was refused and reported,
 * so that it is reported once. */
static void
host_node_refused(struct host_node *hn, const char *system_id)
{
    free(hn->refused_as);
    hn->refused_as = xstrdup(system_id);
}

/* Adopts, keeps or refuses the host, according to the identity it gives
 * and, over SSL, the certificate it proved it holds. */
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

    bool reported = hn->refused_as && !strcmp(hn->refused_as, id->system_id);
    const char *cn = host_get_peer_id(hn->host);
    if (hn->ssl && !peer_cert_names(cn, id->system_id)) {
        if (!reported) {
            peer_cert_refuse("OVSDB", host_get_name(hn->host), cn,
                             id->system_id);
            host_node_refused(hn, id->system_id);
        }
        return;
    }

    struct chassis *other = chassis_find(id->system_id);
    if (!other) {
        free(hn->refused_as);
        hn->refused_as = NULL;
        chassis_create(hn, id->system_id, id->dpid);
    } else if (!reported) {
        VLOG_WARN("refusing the host at %s: it claims system-id %s, which "
                  "the connected host at %s already has", host_get_name(
                  hn->host), id->system_id, host_get_name(other->hn->host));
        host_node_refused(hn, id->system_id);
    }
}

/* Reports iface-ids of 'ch' that another chassis also has: only one of
 * them gets the port (the one it is bound to, else the first by name). */
static void
check_duplicate_ifaces(const struct chassis *ch)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
    struct shash_node *node;

    SHASH_FOR_EACH (node, &ch->bound) {
        const struct sset *names = shash_find_data(&iface_claims, node->name);
        const char *other;

        if (!names || sset_count(names) < 2) {
            continue;
        }
        SSET_FOR_EACH (other, names) {
            if (strcmp(other, ch->name)) {
                VLOG_WARN_RL(&rl, "iface-id %s is on chassis %s and %s; "
                             "the port is bound to only one of them",
                             node->name, ch->name, other);
            }
        }
    }
}

/* Adds to 'dirty_ifaces' the iface-ids whose interface on 'ch' came, went
 * or changed since the model last saw 'ch', and keeps 'iface_claims' up
 * to date with them. */
static void
note_binding_changes(struct chassis *ch)
{
    const struct shash *now = host_get_bindings(ch->hn->host);
    struct shash_node *node;

    SHASH_FOR_EACH (node, now) {
        struct shash_node *was = shash_find(&ch->bound, node->name);
        if (!was) {
            claim_add(node->name, ch->name);
        }
        if (!was || was->data != node->data) {
            changes_note_iface(node->name);
        }
    }
    SHASH_FOR_EACH (node, &ch->bound) {
        if (!shash_find(now, node->name)) {
            changes_note_iface(node->name);
            claim_remove(node->name, ch->name);
        }
    }
    shash_clear(&ch->bound);
    SHASH_FOR_EACH (node, now) {
        shash_add(&ch->bound, node->name, node->data);
    }
}

/* Runs 'hn''s session.  Returns false if it closed (and 'hn' is freed). */
static bool
host_node_serve(struct host_node *hn, const struct host_config *cfg)
{
    bool was_ready = host_is_ready(hn->host);
    host_run(hn->host, cfg);
    if (host_is_ready(hn->host) != was_ready) {
        chassis_sync_note_idle_work();
        if (hn->chassis) {
            chassis_note_busy(hn->chassis);
        }
    }
    if (!host_is_alive(hn->host)) {
        VLOG_INFO("%s: host's OVSDB connection closed",
                  host_get_name(hn->host));
        host_node_destroy(hn);
        return false;
    }
    return true;
}

/* Adopts, keeps or refuses 'hn' and notes what changed in its chassis. */
static void
host_node_update(struct host_node *hn)
{
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
            if (gateway) {
                hmapx_add(&chassis_gateways, ch);
            } else {
                hmapx_find_and_delete(&chassis_gateways, ch);
                sset_clear(&ch->active_groups);
            }
            ch->dirty_all = true;
        }
        /* Gateway reachability changes which flows a VPC needs. */
        if (ch->ports_seqno != host_get_ports_seqno(hn->host)) {
            ch->ports_seqno = host_get_ports_seqno(hn->host);
            ch->dirty_all = true;
        }
        if (ch->id_seqno != host_get_identity_seqno(hn->host)) {
            ch->id_seqno = host_get_identity_seqno(hn->host);
            changes_need_build();
        }
        if (ch->dirty_all && !was_dirty_all) {
            chassis_note_busy(ch);
            changes_need_build();
        }
        note_binding_changes(ch);
        check_duplicate_ifaces(ch);
        if (changes_build_pending()) {
            status_changed();
        } else {
            /* The ports of interfaces that came or went are in the
             * VPCs the next update rebuilds. */
            status_touch();
        }
    }
}

/* Serves the hosts' OVSDB sessions that have something to do ('cfg' says
 * what a host's br-int must look like) and notes what changed in the
 * chassis they are.  Only host_run() changes a host, so a host whose
 * session did not run is not looked at; but a host not yet adopted is
 * settled on every pass. */
void
chassis_run_hosts(const struct host_config *cfg)
{
    struct host_node *hn, *next;

    while ((hn = conn_wake_pop_due(WAKE_HOST))) {
        if (host_node_serve(hn, cfg)) {
            host_node_update(hn);
        }
    }
    LIST_FOR_EACH_SAFE (hn, next, unadopted_node, &unadopted) {
        host_node_update(hn);
    }
}

/* Switches. */

/* Adds a switch that dialed in to our OpenFlow listener ('ssl': over SSL,
 * so its certificate must name its chassis).  Takes ownership of
 * 'vconn'. */
void
chassis_add_switch(struct vconn *vconn, bool ssl)
{
    struct switch_node *sn = xzalloc(sizeof *sn);

    sn->ofctrl = ofctrl_create(vconn);
    ofctrl_set_wake_owner(sn->ofctrl, WAKE_LOOSE_SWITCH, sn,
                          switch_node_wait);
    sn->ssl = ssl;
    sn->created = time_msec();
    ovs_list_push_back(&switches, &sn->list_node);
}

static void
switch_node_destroy(struct switch_node *sn)
{
    ovs_list_remove(&sn->list_node);
    chassis_sync_forget_session(sn->ofctrl);
    ofctrl_destroy(sn->ofctrl);
    free(sn);
}

static struct chassis *
chassis_find_by_dpid(uint64_t dpid)
{
    struct chassis *ch;

    HMAP_FOR_EACH_WITH_HASH (ch, dpid_node, hash_uint64(dpid),
                             &chassis_by_dpid) {
        const struct host_identity *id = host_get_identity(ch->hn->host);
        if (ch->dpid == dpid && id && id->dpid == dpid) {
            return ch;
        }
    }
    return NULL;
}

/* Asks 'ch''s switch for the role we should have: primary with our
 * generation if we own it, else secondary (see ofctrl_set_role()).
 * Starting over as primary means reading the switch's flows again;
 * nothing is flushed, and the next round brings them to the model.  A
 * newer generation for a switch that took our last primary claim (one of
 * the shard's other switches refused the older one) is only claimed.  The
 * model does not depend on who owns what, so none of this builds it. */
static void
chassis_sync_role(struct chassis *ch, bool force)
{
    bool primary;
    uint64_t gen = roles_generation(ch->name, &primary);

    if (!ch->ofctrl) {
        return;
    } else if (!force && ch->role_asked && primary == ch->role_primary
               && (!primary || gen == ch->role_gen)) {
        return;
    }

    bool kept = ofctrl_set_role(ch->ofctrl, primary, gen);
    ch->role_asked = true;
    ch->role_primary = primary;
    ch->role_gen = gen;
    if (force || !kept) {
        chassis_note_busy(ch);
        chassis_clear_flows(ch);
        status_changed();
    }
}

/* Asks every chassis' switch for the role the shards say we have, and
 * gives the hosts of the chassis that changed hands the configuration that
 * only an owner manages (tunnels to gateways, flow log collectors) or
 * takes it back; also for a chassis whose switch is not connected.  (A
 * build of the whole model does that for every chassis.) */
void
chassis_sync_roles(void)
{
    bool begun = false;
    struct chassis *ch;

    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        chassis_sync_role(ch, false);

        bool owned = chassis_is_owned(ch);
        if (owned != ch->config_owned) {
            ch->config_owned = owned;
            if (!begun) {
                flowlog_begin();
                begun = true;
            }
            gateway_set_peers(ch);
            flowlog_set_collector_sets(ch);
        }
    }
}

/* Serves the OpenFlow sessions not yet tied to a chassis and ties those
 * whose datapath ID a chassis reports. */
void
chassis_run_switches(void)
{
    long long int now = time_msec();
    bool recheck = switches_recheck;
    struct switch_node *sn;

    switches_recheck = false;
    LIST_FOR_EACH_SAFE (sn, list_node, &switches) {
        /* Whether its chassis has come is asked when its session ran (it
         * may have just said its datapath ID; and conn-wake runs it once a
         * second at least) or a chassis came, not on every pass: during a
         * restart hundreds of switches wait while their hosts are read. */
        if (ofctrl_should_run(sn->ofctrl)) {
            ofctrl_run(sn->ofctrl);
            if (!ofctrl_is_alive(sn->ofctrl)) {
                switch_node_destroy(sn);
                continue;
            }
        } else if (!recheck) {
            continue;
        }

        uint64_t dpid;
        if (!ofctrl_get_dpid(sn->ofctrl, &dpid)) {
            continue;
        }
        struct chassis *ch = chassis_find_by_dpid(dpid);
        const char *cn = ofctrl_get_peer_id(sn->ofctrl);
        if (ch && sn->ssl && !peer_cert_names(cn, ch->name)) {
            /* Its datapath ID is no secret: the certificate decides. */
            peer_cert_refuse("OpenFlow", ofctrl_get_name(sn->ofctrl), cn,
                             ch->name);
            switch_node_destroy(sn);
        } else if (ch && !ch->ofctrl) {
            VLOG_INFO("chassis %s: OpenFlow connection from %s",
                      ch->name, ofctrl_get_name(sn->ofctrl));
            ch->ofctrl = sn->ofctrl;
            ofctrl_set_wake_owner(ch->ofctrl, WAKE_CHASSIS_SWITCH, ch,
                                  chassis_switch_wait);
            chassis_sync_note_idle_work();
            ch->status_session = NULL;
            ch->ofctrl_ssl = sn->ssl;
            chassis_sync_role(ch, true);
            ofctrl_resync(ch->ofctrl);
            chassis_note_busy(ch);
            ovs_list_remove(&sn->list_node);
            free(sn);
            status_changed();
        } else if (ch) {
            VLOG_WARN("%s: refusing a second OpenFlow connection for "
                      "chassis %s (datapath ID %016"PRIx64")",
                      ofctrl_get_name(sn->ofctrl), ch->name, dpid);
            switch_node_destroy(sn);
        } else if (!sn->warned && now - sn->created > 10000) {
            VLOG_WARN("%s: switch with datapath ID %016"PRIx64" belongs to "
                      "no known chassis", ofctrl_get_name(sn->ofctrl), dpid);
            sn->warned = true;
        }
    }
}

/* Serves the chassis' OpenFlow sessions. */
void
chassis_run_ofctrl(void)
{
    struct chassis *ch;

    while ((ch = conn_wake_pop_due(WAKE_CHASSIS_SWITCH))) {
        uint64_t acked = ofctrl_get_acked_gen(ch->ofctrl);
        int64_t cfg = ofctrl_get_acked_cfg(ch->ofctrl);
        enum ofctrl_state state = ofctrl_get_state(ch->ofctrl);
        ofctrl_run(ch->ofctrl);
        if (!chassis_is_settled(ch)) {
            /* (A session that stayed idle, its sweep, say, gives the
             * rounds nothing to do.) */
            chassis_note_busy(ch);
        }
        if (ofctrl_get_state(ch->ofctrl) != state) {
            chassis_sync_note_idle_work();
        }
        if (!ofctrl_is_alive(ch->ofctrl)) {
            VLOG_INFO("chassis %s: OpenFlow connection closed",
                      ch->name);
            chassis_sync_forget_session(ch->ofctrl);
            ofctrl_destroy(ch->ofctrl);
            ch->ofctrl = NULL;
            ch->status_session = NULL;
            chassis_clear_flows(ch);
            status_changed();
        } else if (acked != ofctrl_get_acked_gen(ch->ofctrl)
                   || cfg != ofctrl_get_acked_cfg(ch->ofctrl)) {
            status_touch();
        }
        if (ch->ofctrl && ofctrl_role_refused(ch->ofctrl)
            && chassis_is_owned(ch)) {
            /* Claimed again with the new generation this asks for. */
            roles_refused(ch->name);
        }
        if (ch->ofctrl) {
            punt_run(ch);
        }
    }
}

static int
compare_chassis(const void *a_, const void *b_)
{
    const struct chassis *const *a = a_;
    const struct chassis *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

/* Returns every chassis, sorted by name, in a malloc()'d array of '*n'. */
struct chassis **
chassis_sorted(size_t *n)
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

/* Arranges for poll_block() to wake up when the sessions have work, or a
 * switch that has been read can be reconciled ('db_ok': the database is
 * there to reconcile against). */
void
chassis_wait(bool db_ok)
{
    /* The sessions' wait functions are asked by conn_wake_wait(), for
     * those that ran.  A switch read and waiting to be reconciled makes a
     * round of its own (see chassis_sync_idle_due()). */
    if (db_ok && chassis_sync_idle_due()) {
        poll_immediate_wake();
    }
}

/* Closes every session and forgets every chassis. */
void
chassis_destroy_all(void)
{
    struct host_node *hn;
    LIST_FOR_EACH_SAFE (hn, list_node, &hosts) {
        host_node_destroy(hn);
    }
    struct switch_node *sn;
    LIST_FOR_EACH_SAFE (sn, list_node, &switches) {
        switch_node_destroy(sn);
    }
    hmapx_destroy(&chassis_gateways);
    hmapx_init(&chassis_gateways);
}

/* Appends to 's' a line per host session that is no chassis (yet). */
void
chassis_format_unadopted(struct ds *s)
{
    struct host_node *hn;

    LIST_FOR_EACH (hn, list_node, &hosts) {
        if (!hn->chassis) {
            const char *cn = host_get_peer_id(hn->host);
            ds_put_format(s, "(not adopted) ovsdb=%s%s%s%s%s%s\n",
                          host_get_name(hn->host),
                          hn->refused_as ? " refused as " : "",
                          hn->refused_as ? hn->refused_as : "",
                          cn ? " (certificate \"" : "", cn ? cn : "",
                          cn ? "\")" : "");
        }
    }
}

/* Reads the flows and groups of every switch we own again, so that the
 * next sync sends each the difference from what it really has. */
void
chassis_resync_owned(void)
{
    struct chassis *ch;

    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        if (ch->ofctrl && chassis_is_owned(ch)) {
            ofctrl_resync(ch->ofctrl);
            chassis_note_busy(ch);
        }
    }
}
