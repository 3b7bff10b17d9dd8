/* The controller's engine.  See engine.h.
 *
 * One round of work (engine_run()) goes through the modules in turn:
 *
 *   - roles.c: which shards (and so which chassis) are ours, and whether
 *     we are the active instance;
 *   - chassis.c: hosts' OVSDB sessions and switches' OpenFlow sessions,
 *     joined into chassis;
 *   - changes.c: what changed in the database and on the chassis, and the
 *     model rebuilt for it;
 *   - chassis-sync.c: the model turned into flows, and their difference
 *     sent to each chassis;
 *   - gateway.c: peer tunnels, next-hop ARP, takeovers;
 *   - status.c: what the database is told back. */
#include <config.h>
#include "engine.h"

#include "changes.h"
#include "chassis.h"
#include "chassis-sync.h"
#include "conn-wake.h"
#include "engine-private.h"
#include "flow-table.h"
#include "gateway.h"
#include "host.h"
#include "model-conj.h"
#include "ofctrl.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "ovsdb-idl.h"
#include "port-names.h"
#include "roles.h"
#include "shards.h"
#include "status.h"
#include "util.h"
#include "vpc-idl.h"

struct ovsdb_idl *engine_vpcdb;
struct vpc_model engine_model;

/* Initializes the engine to read and write the VPC database 'idl', as the
 * controller instance called 'instance'. */
void
engine_init(struct ovsdb_idl *idl, const char *instance)
{
    engine_vpcdb = idl;
    vpc_model_init(&engine_model);
    roles_init(idl, instance);
    changes_init(idl);
    port_names_init(idl);
    ovsdb_idl_track_add_all(idl);

    /* We write these; our own writes need not wake us.  (Port.chassis is
     * written too, but where another instance says a port is bound is an
     * input for a port we have no binding for.) */
    ovsdb_idl_omit_alert(idl, &vpcrec_port_col_up);
    ovsdb_idl_omit_alert(idl, &vpcrec_port_col_refused_chassis);
    ovsdb_idl_omit_alert(idl, &vpcrec_chassis_cfg_col_nb_cfg_timestamp);
    ovsdb_idl_omit_alert(idl, &vpcrec_chassis_cfg_col_nb_cfg);
    ovsdb_idl_omit_alert(idl, &vpcrec_chassis_col_connected);
    ovsdb_idl_omit_alert(idl, &vpcrec_chassis_col_owner);
    ovsdb_idl_omit_alert(idl, &vpcrec_controller_col_heartbeat);
    ovsdb_idl_omit_alert(idl, &vpcrec_controller_col_shards);
    /* Nor do other instances' claims (see cfg-claims.h): the active
     * instance reads them in every round until hv_cfg catches up. */
    ovsdb_idl_omit_alert(idl, &vpcrec_controller_col_nb_cfg);
    ovsdb_idl_omit_alert(idl, &vpcrec_controller_col_nb_cfg_chassis);
    /* Nor do the global row's counters, which are no input to the model:
     * a new nb_cfg only needs barriers (see chassis-sync.c). */
    ovsdb_idl_omit_alert(idl, &vpcrec_vpc_global_col_nb_cfg);
    ovsdb_idl_omit_alert(idl, &vpcrec_vpc_global_col_alloc_seqno);
    ovsdb_idl_omit_alert(idl, &vpcrec_vpc_global_col_role_generation);
    ovsdb_idl_omit_alert(idl, &vpcrec_vpc_global_col_options);
    ovsdb_idl_omit_alert(idl, &vpcrec_vpc_global_col_external_ids);
    ovsdb_idl_omit_alert(idl, &vpcrec_vpc_global_col_hv_cfg);
    ovsdb_idl_omit_alert(idl, &vpcrec_vpc_global_col_hv_cfg_timestamp);
    ovsdb_idl_omit_alert(idl, &vpcrec_vpc_global_col_nb_cfg_timestamp);
}

/* The configuration the database asks for (VPC_Global's nb_cfg). */
int64_t
engine_nb_cfg(void)
{
    const struct vpcrec_vpc_global *g = vpcrec_vpc_global_first(engine_vpcdb);
    return g ? g->nb_cfg : 0;
}

/* Adds a host that dialed in to our OVSDB listener ('ssl': over SSL, so
 * its certificate must name its system-id).  Takes ownership of 'rpc'. */
void
engine_add_host(struct jsonrpc *rpc, bool ssl)
{
    chassis_add_host(rpc, ssl);
}

/* Adds a switch that dialed in to our OpenFlow listener ('ssl': over SSL,
 * so its certificate must name its chassis).  Takes ownership of
 * 'vconn'. */
void
engine_add_switch(struct vconn *vconn, bool ssl)
{
    chassis_add_switch(vconn, ssl);
}

/* Does one round of work; 'cfg' says what a host's br-int must look
 * like. */
void
engine_run(const struct host_config *cfg)
{
    conn_wake_run();
    ovsdb_idl_run(engine_vpcdb);
    shards_run(engine_vpcdb);
    if (roles_run()) {
        chassis_sync_roles();
    }
    chassis_run_hosts(cfg);
    chassis_run_switches();
    chassis_run_ofctrl();
    status_check_cfg();
    changes_run();
    gateway_run();
    status_run();
}

/* Arranges for poll_block() to wake up when engine_run() has work. */
void
engine_wait(void)
{
    /* Wake at once only for work that this round can do: a standby
     * instance writes no status, and nothing is built while the database
     * is away (ovsdb_idl_wait() wakes us when it returns). */
    bool db_ok = (ovsdb_idl_is_connected(engine_vpcdb)
                  && ovsdb_idl_has_ever_connected(engine_vpcdb));

    ovsdb_idl_wait(engine_vpcdb);
    shards_wait();
    chassis_wait(db_ok);
    conn_wake_wait();
    gateway_wait();
    roles_wait();
    status_wait(db_ok);
    if (db_ok && changes_pending()) {
        poll_immediate_wake();
    }
}

/* Frees everything. */
void
engine_destroy(void)
{
    chassis_destroy_all();
    chassis_sync_destroy();
    status_destroy();
    roles_destroy();
    shards_destroy();
    vpc_model_destroy(&engine_model);
    model_conj_destroy();
    changes_destroy();
    port_names_destroy();
}

/* Introspection. */

/* Makes the next round rebuild every flow of every chassis from scratch,
 * and read again the flows and groups of every switch we own: each gets
 * the difference between what it has (changed behind our back, say) and
 * what it should have. */
void
engine_force_recompute(void)
{
    changes_force_recompute();
    chassis_resync_owned();
}

/* Appends what "vpc/status" shows to 's'. */
void
engine_format_status(struct ds *s)
{
    const struct vpcrec_vpc_global *g = vpcrec_vpc_global_first(engine_vpcdb);

    ds_put_format(s, "instance: %s\n", roles_instance());
    ds_put_format(s, "role: %s\n", roles_is_active() ? "active" : "standby");
    shards_format(s);
    ds_put_format(s, "database: %s\n",
                  ovsdb_idl_is_connected(engine_vpcdb) ? "connected"
                                                       : "not connected");
    ds_put_format(s, "chassis: %"PRIuSIZE"\n", hmap_count(&chassis_map));

    /* Cheap to ask for often (a benchmark waits on it after a restart),
     * unlike "vpc/chassis-list". */
    size_t n_owned = 0, n_synced = 0, n_ifaces = 0;
    const struct chassis *ch;
    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        if (chassis_is_owned(ch)) {
            n_owned++;
            n_synced += (ch->ofctrl
                         && ofctrl_get_state(ch->ofctrl) == OFCTRL_SYNCED);
        }
        n_ifaces += shash_count(host_get_bindings(ch->hn->host));
    }
    ds_put_format(s, "chassis in sync: %"PRIuSIZE" of %"PRIuSIZE" owned\n",
                  n_synced, n_owned);
    ds_put_format(s, "interfaces with an iface-id on the chassis: %"PRIuSIZE
                  "\n", n_ifaces);
    ds_put_format(s, "vpcs: %"PRIuSIZE"\n", hmap_count(&engine_model.vpcs));
    ds_put_format(s, "ports: %"PRIuSIZE"\n", engine_model.n_ports);
    conn_wake_format_stats(s);
    size_t n_bodies, n_refs;
    vpc_flow_body_stats(&n_bodies, &n_refs);
    ds_put_format(s, "flows kept: %"PRIuSIZE" (%"PRIuSIZE" distinct match "
                  "and actions)\n", n_refs, n_bodies);
    ds_put_format(s, "nb_cfg: %"PRId64"\n", g ? g->nb_cfg : 0);
    ds_put_format(s, "hv_cfg: %"PRId64"\n", g ? g->hv_cfg : 0);
    changes_format_stats(s);
    status_format_stats(s);
}

/* Appends a line per chassis (and per host session that is none) to 's',
 * for "vpc/chassis-list". */
void
engine_format_chassis(struct ds *s)
{
    size_t n;
    struct chassis **all = chassis_sorted(&n);

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
        ds_put_char(s, ' ');
        host_format_stats(ch->hn->host, s);
        ds_put_format(s, " rounds_visited=%"PRIu64" status_visits=%"PRIu64
                      "\n", ch->n_round_visits, ch->n_status_visits);
    }
    free(all);
    chassis_format_unadopted(s);
}

/* Appends "NAME FLOWS" per chassis to 's', for "vpc/flow-count". */
void
engine_format_flow_counts(struct ds *s)
{
    size_t n;
    struct chassis **all = chassis_sorted(&n);

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
    const struct vpc_flow_table *shared = vpc_flow_merge_flows(&ch->shared);
    HMAP_FOR_EACH (flow, hmap_node, &shared->flows) {
        vpc_flow_table_add_copy(&all, flow);
    }
    vpc_flow_table_format(&all, s);
    vpc_flow_table_destroy(&all);
    return true;
}
