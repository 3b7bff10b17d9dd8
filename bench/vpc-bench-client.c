/* vpc-bench-client: what one more port costs a client that stays
 * connected to the VPC DB, as an orchestrator's API server would, rather
 * than starting "vpc-ctl" for each change.
 *
 * usage: vpc-bench-client DB SUBNET PORT MAC IP TRIALS
 *
 * Connects to DB once, then TRIALS times: one transaction adds Port PORT
 * (MAC, IP) to subnet SUBNET and bumps VPC_Global nb_cfg, as "vpc-ctl
 * --wait=hv port-add" does; the time from committing it to hv_cfg reaching
 * that nb_cfg (every chassis has the flows) is printed; then the same for
 * deleting the port.  One line per trial: "ADD_MS DEL_MS".  Replicates only
 * the VPC_Global row, the subnets and the Port row named PORT. */
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
 * commit to every chassis having caught up with it. */
static double
commit_and_wait(struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn,
                const struct vpcrec_vpc_global *g, const char *what)
{
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
    ovsdb_idl_txn_destroy(txn);
    run_until(idl, hv_caught_up, &next_cfg, "hv_cfg");
    return now_ms() - t0;
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    if (argc != 7) {
        ovs_fatal(0, "usage: %s DB SUBNET PORT MAC IP TRIALS", argv[0]);
    }
    const char *db = argv[1], *subnet_name = argv[2], *port_name = argv[3];
    const char *mac = argv[4], *ip = argv[5];
    int trials = atoi(argv[6]);
    if (trials <= 0) {
        ovs_fatal(0, "%s: TRIALS must be a positive number", argv[6]);
    }

    struct ovsdb_idl *idl = ovsdb_idl_create(db, &vpcrec_idl_class, false,
                                             true);
    ovsdb_idl_add_table(idl, &vpcrec_table_vpc_global);
    ovsdb_idl_add_column(idl, &vpcrec_vpc_global_col_nb_cfg);
    ovsdb_idl_add_column(idl, &vpcrec_vpc_global_col_hv_cfg);
    ovsdb_idl_add_table(idl, &vpcrec_table_subnet);
    ovsdb_idl_add_column(idl, &vpcrec_subnet_col_name);
    ovsdb_idl_add_table(idl, &vpcrec_table_port);
    ovsdb_idl_add_column(idl, &vpcrec_port_col_name);
    ovsdb_idl_add_column(idl, &vpcrec_port_col_subnet);
    ovsdb_idl_add_column(idl, &vpcrec_port_col_mac);
    ovsdb_idl_add_column(idl, &vpcrec_port_col_ips);

    struct ovsdb_idl_condition cond;
    ovsdb_idl_condition_init(&cond);
    vpcrec_port_add_clause_name(&cond, OVSDB_F_EQ, port_name);
    vpcrec_port_set_condition(idl, &cond);
    ovsdb_idl_condition_destroy(&cond);

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
        const struct vpcrec_vpc_global *g = vpcrec_vpc_global_first(idl);
        struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);
        const struct vpcrec_port *port = vpcrec_port_insert(txn);
        vpcrec_port_set_name(port, port_name);
        vpcrec_port_set_subnet(port, subnet);
        vpcrec_port_set_mac(port, mac);
        vpcrec_port_set_ips(port, &ip, 1);
        double add_ms = commit_and_wait(idl, txn, g, "port add");

        /* The new row, replicated by the condition on its name. */
        port = vpcrec_port_first(idl);
        if (!port) {
            ovs_fatal(0, "%s: the new port was not replicated", port_name);
        }
        g = vpcrec_vpc_global_first(idl);
        txn = ovsdb_idl_txn_create(idl);
        vpcrec_port_delete(port);
        double del_ms = commit_and_wait(idl, txn, g, "port delete");

        printf("%.1f %.1f\n", add_ms, del_ms);
        fflush(stdout);
    }
    ovsdb_idl_destroy(idl);
    return 0;
}
