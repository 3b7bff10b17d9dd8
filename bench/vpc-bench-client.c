/* vpc-bench-client: what a change costs a client that stays connected to
 * the VPC DB, as an orchestrator's API server would, rather than starting
 * "vpc-ctl" for each change.
 *
 * usage: vpc-bench-client DB SUBNET PORT MAC IP TRIALS
 *        vpc-bench-client DB rule-add SG TRIALS
 *        vpc-bench-client DB join PORT SG TRIALS
 *        vpc-bench-client DB route TABLE CIDR NEXT_HOP TRIALS
 *
 * Connects to DB once, then TRIALS times commits one transaction that makes
 * a change and bumps VPC_Global nb_cfg, as "vpc-ctl --wait=hv" does, prints
 * the time from committing it to hv_cfg reaching that nb_cfg (every chassis
 * has the flows), and then does the same for undoing the change.  One line
 * per trial: the two times in milliseconds.
 *
 * The changes: Port PORT (MAC, IP) added to subnet SUBNET and deleted
 * again; a rule added to security group SG (ingress TCP from 203.0.113.0/24
 * to port 10001 in the first trial, 10002 in the second...) and deleted
 * again; security group SG added to the groups of Port PORT and taken off
 * again; a route for CIDR to NEXT_HOP ("port:PORT", "peering:PEERING" or
 * "gateway", as in vpc-ctl route-add) added to route table TABLE and
 * deleted again.  Replicates only the VPC_Global row and the rows that it
 * changes or names. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "command-line.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "util.h"
#include "vpc-idl.h"

VLOG_DEFINE_THIS_MODULE(vpc_bench_client);

static double
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* Runs the IDL until 'done' says so, or exits after a minute. */
static void
run_until(struct ovsdb_idl *idl, bool (*done)(struct ovsdb_idl *, void *),
          void *aux, const char *what)
{
    double deadline = now_ms() + 60000;

    for (;;) {
        ovsdb_idl_run(idl);
        if (!ovsdb_idl_is_alive(idl)) {
            ovs_fatal(0, "database connection failed (%s)",
                      ovs_retval_to_string(ovsdb_idl_get_last_error(idl)));
        }
        if (done(idl, aux)) {
            return;
        }
        if (now_ms() > deadline) {
            ovs_fatal(0, "timed out waiting for %s", what);
        }
        ovsdb_idl_wait(idl);
        poll_timer_wait(1000);
        poll_block();
    }
}

static bool
synced(struct ovsdb_idl *idl, void *aux OVS_UNUSED)
{
    return ovsdb_idl_has_ever_connected(idl) && vpcrec_vpc_global_first(idl);
}

static bool
hv_caught_up(struct ovsdb_idl *idl, void *next_cfg_)
{
    const struct vpcrec_vpc_global *g = vpcrec_vpc_global_first(idl);
    return g && g->hv_cfg >= *(int64_t *) next_cfg_;
}

/* Commits 'txn' with an nb_cfg bump and returns the milliseconds from the
 * commit to every chassis having caught up with it.  If 'inserted' is
 * nonnull, it is the provisional UUID of a row that 'txn' inserts, and
 * becomes the UUID that the server gave the row. */
static double
commit_and_wait(struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn,
                const char *what, struct uuid *inserted)
{
    const struct vpcrec_vpc_global *g = vpcrec_vpc_global_first(idl);
    if (!g) {
        ovs_fatal(0, "%s: the VPC_Global row is gone", what);
    }
    ovsdb_idl_txn_increment(txn, &g->header_, &vpcrec_vpc_global_col_nb_cfg,
                            true);
    double t0 = now_ms();
    enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit_block(txn);
    if (status != TXN_SUCCESS) {
        ovs_fatal(0, "%s: transaction failed (%s): %s", what,
                  ovsdb_idl_txn_status_to_string(status),
                  ovsdb_idl_txn_get_error(txn));
    }
    int64_t next_cfg = ovsdb_idl_txn_get_increment_new_value(txn);
    if (inserted) {
        const struct uuid *real = ovsdb_idl_txn_get_insert_uuid(txn,
                                                                inserted);
        if (!real) {
            ovs_fatal(0, "%s: the server did not say what it inserted",
                      what);
        }
        *inserted = *real;
    }
    ovsdb_idl_txn_destroy(txn);
    run_until(idl, hv_caught_up, &next_cfg, "hv_cfg");
    return now_ms() - t0;
}

/* Deletes the row of 'table' whose UUID is 'uuid', a row that a trial
 * inserted in 'add_ms', and prints the trial's line: 'add_ms' and the time
 * of the delete, from its commit to hv_cfg. */
static void
delete_and_print(struct ovsdb_idl *idl,
                 const struct ovsdb_idl_table_class *table,
                 const struct uuid *uuid, double add_ms, const char *what)
{
    const struct ovsdb_idl_row *row = ovsdb_idl_get_row_for_uuid(idl, table,
                                                                 uuid);
    if (!row) {
        ovs_fatal(0, "%s: the new row was not replicated", what);
    }
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);
    ovsdb_idl_txn_delete(row);
    double del_ms = commit_and_wait(idl, txn, what, NULL);

    printf("%.1f %.1f\n", add_ms, del_ms);
    fflush(stdout);
}

/* Returns a connection to 'db' that replicates the nb_cfg and hv_cfg of
 * VPC_Global; the caller adds what else it needs before the first run. */
static struct ovsdb_idl *
create_idl(const char *db)
{
    struct ovsdb_idl *idl = ovsdb_idl_create(db, &vpcrec_idl_class, false,
                                             true);
    ovsdb_idl_add_table(idl, &vpcrec_table_vpc_global);
    ovsdb_idl_add_column(idl, &vpcrec_vpc_global_col_nb_cfg);
    ovsdb_idl_add_column(idl, &vpcrec_vpc_global_col_hv_cfg);
    return idl;
}

/* Replicates only the Port row named 'name' of 'idl'. */
static void
replicate_port(struct ovsdb_idl *idl, const char *name)
{
    struct ovsdb_idl_condition cond;

    ovsdb_idl_condition_init(&cond);
    vpcrec_port_add_clause_name(&cond, OVSDB_F_EQ, name);
    vpcrec_port_set_condition(idl, &cond);
    ovsdb_idl_condition_destroy(&cond);
}

/* Replicates the name of only the Security_Group named 'name' of 'idl'. */
static void
replicate_sg(struct ovsdb_idl *idl, const char *name)
{
    struct ovsdb_idl_condition cond;

    ovsdb_idl_add_table(idl, &vpcrec_table_security_group);
    ovsdb_idl_add_column(idl, &vpcrec_security_group_col_name);
    ovsdb_idl_condition_init(&cond);
    vpcrec_security_group_add_clause_name(&cond, OVSDB_F_EQ, name);
    vpcrec_security_group_set_condition(idl, &cond);
    ovsdb_idl_condition_destroy(&cond);
}

static const struct vpcrec_security_group *
find_sg(struct ovsdb_idl *idl, const char *name)
{
    const struct vpcrec_security_group *sg = vpcrec_security_group_first(idl);
    if (!sg) {
        ovs_fatal(0, "%s: security group not found", name);
    }
    return sg;
}

/* Adds Port 'port_name' with 'mac' and 'ip' to the subnet named
 * 'subnet_name' and deletes it again, 'trials' times, over 'db'. */
static void
time_port(const char *db, const char *subnet_name, const char *port_name,
          const char *mac, const char *ip, int trials)
{
    struct ovsdb_idl *idl = create_idl(db);
    ovsdb_idl_add_table(idl, &vpcrec_table_subnet);
    ovsdb_idl_add_column(idl, &vpcrec_subnet_col_name);
    ovsdb_idl_add_table(idl, &vpcrec_table_port);
    ovsdb_idl_add_column(idl, &vpcrec_port_col_name);
    ovsdb_idl_add_column(idl, &vpcrec_port_col_subnet);
    ovsdb_idl_add_column(idl, &vpcrec_port_col_mac);
    ovsdb_idl_add_column(idl, &vpcrec_port_col_ips);
    replicate_port(idl, port_name);

    run_until(idl, synced, NULL, "the database");

    const struct vpcrec_subnet *subnet, *s;
    subnet = NULL;
    VPCREC_SUBNET_FOR_EACH (s, idl) {
        if (!strcmp(s->name, subnet_name)) {
            subnet = s;
        }
    }
    if (!subnet) {
        ovs_fatal(0, "%s: subnet not found", subnet_name);
    }
    if (vpcrec_port_first(idl)) {
        ovs_fatal(0, "%s: a port with this name already exists", port_name);
    }

    for (int i = 0; i < trials; i++) {
        struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);
        const struct vpcrec_port *port = vpcrec_port_insert(txn);
        vpcrec_port_set_name(port, port_name);
        vpcrec_port_set_subnet(port, subnet);
        vpcrec_port_set_mac(port, mac);
        vpcrec_port_set_ips(port, &ip, 1);
        double add_ms = commit_and_wait(idl, txn, "port add", NULL);

        /* The new row, replicated by the condition on its name. */
        port = vpcrec_port_first(idl);
        if (!port) {
            ovs_fatal(0, "%s: the new port was not replicated", port_name);
        }
        txn = ovsdb_idl_txn_create(idl);
        vpcrec_port_delete(port);
        double del_ms = commit_and_wait(idl, txn, "port delete", NULL);

        printf("%.1f %.1f\n", add_ms, del_ms);
        fflush(stdout);
    }
    ovsdb_idl_destroy(idl);
}

/* The remote of the rules that time_rule_add() adds. */
#define BENCH_RULE_CIDR "203.0.113.0/24"

/* Adds a rule to the security group named 'sg_name' and deletes it again,
 * 'trials' times, over 'db'. */
static void
time_rule_add(const char *db, const char *sg_name, int trials)
{
    static const struct ovsdb_idl_column *const columns[] = {
        &vpcrec_security_group_rule_col_security_group,
        &vpcrec_security_group_rule_col_direction,
        &vpcrec_security_group_rule_col_action,
        &vpcrec_security_group_rule_col_priority,
        &vpcrec_security_group_rule_col_protocol,
        &vpcrec_security_group_rule_col_port_min,
        &vpcrec_security_group_rule_col_port_max,
        &vpcrec_security_group_rule_col_remote_cidr,
    };
    struct ovsdb_idl *idl = create_idl(db);
    struct ovsdb_idl_condition cond;

    replicate_sg(idl, sg_name);
    ovsdb_idl_add_table(idl, &vpcrec_table_security_group_rule);
    for (size_t i = 0; i < ARRAY_SIZE(columns); i++) {
        ovsdb_idl_add_column(idl, columns[i]);
    }
    ovsdb_idl_condition_init(&cond);
    vpcrec_security_group_rule_add_clause_remote_cidr(&cond, OVSDB_F_EQ,
                                                      BENCH_RULE_CIDR);
    vpcrec_security_group_rule_set_condition(idl, &cond);
    ovsdb_idl_condition_destroy(&cond);

    run_until(idl, synced, NULL, "the database");

    const struct vpcrec_security_group *sg = find_sg(idl, sg_name);
    const struct vpcrec_security_group_rule *rule;
    VPCREC_SECURITY_GROUP_RULE_FOR_EACH (rule, idl) {
        if (rule->security_group == sg) {
            ovs_fatal(0, "%s: security group already has a rule from %s",
                      sg_name, BENCH_RULE_CIDR);
        }
    }

    for (int i = 0; i < trials; i++) {
        struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);
        int64_t port = 10001 + i, priority = 1;

        rule = vpcrec_security_group_rule_insert(txn);
        vpcrec_security_group_rule_set_security_group(rule, sg);
        vpcrec_security_group_rule_set_direction(rule, "ingress");
        vpcrec_security_group_rule_set_action(rule, "allow");
        vpcrec_security_group_rule_set_priority(rule, priority);
        vpcrec_security_group_rule_set_protocol(rule, "tcp");
        vpcrec_security_group_rule_set_port_min(rule, &port, 1);
        vpcrec_security_group_rule_set_port_max(rule, &port, 1);
        vpcrec_security_group_rule_set_remote_cidr(rule, BENCH_RULE_CIDR);
        struct uuid uuid = rule->header_.uuid;
        double add_ms = commit_and_wait(idl, txn, "rule add", &uuid);
        delete_and_print(idl, &vpcrec_table_security_group_rule, &uuid,
                         add_ms, "rule delete");
    }
    ovsdb_idl_destroy(idl);
}

/* Adds the security group named 'sg_name' to the groups of Port
 * 'port_name' and takes it off again, 'trials' times, over 'db'.  Both are
 * mutations: the port's other groups are neither read nor written. */
static void
time_join(const char *db, const char *port_name, const char *sg_name,
          int trials)
{
    struct ovsdb_idl *idl = create_idl(db);

    replicate_sg(idl, sg_name);
    ovsdb_idl_add_table(idl, &vpcrec_table_port);
    ovsdb_idl_add_column(idl, &vpcrec_port_col_name);
    ovsdb_idl_add_column(idl, &vpcrec_port_col_security_groups);
    replicate_port(idl, port_name);

    run_until(idl, synced, NULL, "the database");

    const struct vpcrec_security_group *sg = find_sg(idl, sg_name);
    const struct vpcrec_port *port = vpcrec_port_first(idl);
    if (!port) {
        ovs_fatal(0, "%s: port not found", port_name);
    }
    for (size_t i = 0; i < port->n_security_groups; i++) {
        if (port->security_groups[i] == sg) {
            ovs_fatal(0, "%s: port is already in security group %s",
                      port_name, sg_name);
        }
    }

    for (int i = 0; i < trials; i++) {
        struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);
        port = vpcrec_port_first(idl);
        if (!port) {
            ovs_fatal(0, "%s: the port is gone", port_name);
        }
        vpcrec_port_update_security_groups_addvalue(port, sg);
        double join_ms = commit_and_wait(idl, txn, "join", NULL);

        txn = ovsdb_idl_txn_create(idl);
        vpcrec_port_update_security_groups_delvalue(port, sg);
        double leave_ms = commit_and_wait(idl, txn, "leave", NULL);

        printf("%.1f %.1f\n", join_ms, leave_ms);
        fflush(stdout);
    }
    ovsdb_idl_destroy(idl);
}

/* Replicates only the Route_Table named 'name' of 'idl'. */
static void
replicate_route_table(struct ovsdb_idl *idl, const char *name)
{
    struct ovsdb_idl_condition cond;

    ovsdb_idl_add_table(idl, &vpcrec_table_route_table);
    ovsdb_idl_add_column(idl, &vpcrec_route_table_col_name);
    ovsdb_idl_condition_init(&cond);
    vpcrec_route_table_add_clause_name(&cond, OVSDB_F_EQ, name);
    vpcrec_route_table_set_condition(idl, &cond);
    ovsdb_idl_condition_destroy(&cond);
}

/* Adds a route for 'cidr' to 'next_hop' ("port:PORT", "peering:PEERING" or
 * "gateway") to the route table named 'table_name' and deletes it again,
 * 'trials' times, over 'db'.  It checks neither the next hop's VPC nor the
 * CIDR, as vpc-ctl would: the caller gives what vpc-ctl accepts. */
static void
time_route(const char *db, const char *table_name, const char *cidr,
           const char *next_hop, int trials)
{
    struct ovsdb_idl *idl = create_idl(db);
    struct ovsdb_idl_condition cond;
    const char *port_name = NULL, *peering_name = NULL;

    if (!strncmp(next_hop, "port:", 5)) {
        port_name = next_hop + 5;
    } else if (!strncmp(next_hop, "peering:", 8)) {
        peering_name = next_hop + 8;
    } else if (strcmp(next_hop, "gateway")) {
        ovs_fatal(0, "%s: NEXT_HOP must be port:PORT, peering:PEERING or "
                  "gateway", next_hop);
    }

    replicate_route_table(idl, table_name);
    ovsdb_idl_add_table(idl, &vpcrec_table_static_route);
    ovsdb_idl_add_column(idl, &vpcrec_static_route_col_route_table);
    ovsdb_idl_add_column(idl, &vpcrec_static_route_col_cidr);
    ovsdb_idl_add_column(idl, &vpcrec_static_route_col_next_hop_port);
    ovsdb_idl_add_column(idl, &vpcrec_static_route_col_next_hop_peering);
    ovsdb_idl_condition_init(&cond);
    vpcrec_static_route_add_clause_cidr(&cond, OVSDB_F_EQ, cidr);
    vpcrec_static_route_set_condition(idl, &cond);
    ovsdb_idl_condition_destroy(&cond);

    /* The next hop's row, by its name; nothing of the other table. */
    ovsdb_idl_add_table(idl, &vpcrec_table_port);
    ovsdb_idl_add_column(idl, &vpcrec_port_col_name);
    replicate_port(idl, port_name ? port_name : "");
    ovsdb_idl_add_table(idl, &vpcrec_table_peering);
    ovsdb_idl_add_column(idl, &vpcrec_peering_col_name);
    ovsdb_idl_condition_init(&cond);
    vpcrec_peering_add_clause_name(&cond, OVSDB_F_EQ,
                                   peering_name ? peering_name : "");
    vpcrec_peering_set_condition(idl, &cond);
    ovsdb_idl_condition_destroy(&cond);

    run_until(idl, synced, NULL, "the database");

    const struct vpcrec_route_table *table = vpcrec_route_table_first(idl);
    if (!table) {
        ovs_fatal(0, "%s: route table not found", table_name);
    }
    const struct vpcrec_port *port = NULL;
    if (port_name) {
        port = vpcrec_port_first(idl);
        if (!port) {
            ovs_fatal(0, "%s: port not found", port_name);
        }
    }
    const struct vpcrec_peering *peering = NULL;
    if (peering_name) {
        peering = vpcrec_peering_first(idl);
        if (!peering) {
            ovs_fatal(0, "%s: peering not found", peering_name);
        }
    }
    const struct vpcrec_static_route *route;
    VPCREC_STATIC_ROUTE_FOR_EACH (route, idl) {
        if (route->route_table == table) {
            ovs_fatal(0, "%s: route table already has a route for %s",
                      table_name, cidr);
        }
    }

    for (int i = 0; i < trials; i++) {
        struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);

        route = vpcrec_static_route_insert(txn);
        vpcrec_static_route_set_route_table(route, table);
        vpcrec_static_route_set_cidr(route, cidr);
        vpcrec_static_route_set_next_hop_port(route, port);
        vpcrec_static_route_set_next_hop_peering(route, peering);
        struct uuid uuid = route->header_.uuid;
        double add_ms = commit_and_wait(idl, txn, "route add", &uuid);
        delete_and_print(idl, &vpcrec_table_static_route, &uuid, add_ms,
                         "route delete");
    }
    ovsdb_idl_destroy(idl);
}

static int
parse_trials(const char *s)
{
    int trials = atoi(s);
    if (trials <= 0) {
        ovs_fatal(0, "%s: TRIALS must be a positive number", s);
    }
    return trials;
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    if (argc == 7 && !strcmp(argv[2], "route")) {
        time_route(argv[1], argv[3], argv[4], argv[5],
                   parse_trials(argv[6]));
    } else if (argc == 7) {
        time_port(argv[1], argv[2], argv[3], argv[4], argv[5],
                  parse_trials(argv[6]));
    } else if (argc == 5 && !strcmp(argv[2], "rule-add")) {
        time_rule_add(argv[1], argv[3], parse_trials(argv[4]));
    } else if (argc == 6 && !strcmp(argv[2], "join")) {
        time_join(argv[1], argv[3], argv[4], parse_trials(argv[5]));
    } else {
        ovs_fatal(0, "usage: %s DB SUBNET PORT MAC IP TRIALS\n"
                  "       %s DB rule-add SG TRIALS\n"
                  "       %s DB join PORT SG TRIALS\n"
                  "       %s DB route TABLE CIDR NEXT_HOP TRIALS",
                  argv[0], argv[0], argv[0], argv[0]);
    }
    return 0;
}
