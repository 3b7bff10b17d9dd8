/* Metrics for Prometheus.  See metrics.h. */
#include <config.h>
#include "metrics.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "changes.h"
#include "chassis.h"
#include "coverage.h"
#include "engine-private.h"
#include "metrics-http.h"
#include "ofctrl.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "roles.h"
#include "shards.h"
#include "timeval.h"
#include "util.h"
#include "vpc-idl.h"

VLOG_DEFINE_THIS_MODULE(metrics);

/* The coverage counters that metrics read (defined across the
 * controller's modules): the counts are theirs, not kept twice.  Coverage
 * folds each thread's counts into 'total' once a second. */
#define METRICS_COUNTERS                        \
    C(ofctrl_flow_mod)                          \
    C(ofctrl_group_mod)                         \
    C(ofctrl_bundle)                            \
    C(ofctrl_reconcile)                         \
    C(ofctrl_repair)                            \
    C(ofctrl_switch_error)                      \
    C(ofctrl_role_refused)                      \
    C(ofctrl_packet_out)                        \
    C(ofctrl_punt_overflow)                     \
    C(engine_model_build)                       \
    C(engine_status_txn)                        \
    C(engine_status_txn_failed)                 \
    C(roles_claim_txn)                          \
    C(roles_claim_txn_failed)                   \
    C(shards_heartbeat_txn)                     \
    C(shards_heartbeat_txn_failed)              \
    C(host_config_txn)                          \
    C(punt_received)                            \
    C(punt_dhcp)                                \
    C(punt_too_big)                             \
    C(punt_over_budget)                         \
    C(punt_not_owner)                           \
    C(punt_malformed)                           \
    C(punt_unknown_port)                        \
    C(punt_too_big_icmp)                        \
    C(punt_too_big_dropped)                     \
    C(dhcp_malformed)                           \
    C(dhcp_offer)                               \
    C(dhcp_ack)                                 \
    C(dhcp_nak)
#define C(NAME) extern struct coverage_counter counter_##NAME;
METRICS_COUNTERS
#undef C
#define TOTAL(NAME) ((uint64_t) counter_##NAME.total)

/* A histogram of durations, in seconds. */
static const double buckets[] = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};
struct histogram {
    uint64_t counts[ARRAY_SIZE(buckets)];   /* Not cumulative. */
    uint64_t count;
    double sum;
};

static void
histogram_observe(struct histogram *h, long long int msec)
{
    double sec = msec / 1000.0;
    for (size_t i = 0; i < ARRAY_SIZE(buckets); i++) {
        if (sec <= buckets[i]) {
            h->counts[i]++;
            break;
        }
    }
    h->count++;
    h->sum += sec;
}

static struct metrics_http *http;
static long long int last_publish = LLONG_MIN;

/* From a database change to the last bundle it caused. */
static struct histogram change_to_flows;
static unsigned int last_idl_seqno;
static bool change_pending;
static long long int change_start;

/* From a new nb_cfg to hv_cfg reaching it. */
static struct histogram change_to_hv_cfg;
#define MAX_CFG_WAITS 32
static struct cfg_wait {
    int64_t cfg;
    long long int start;
} cfg_waits[MAX_CFG_WAITS];
static size_t n_cfg_waits;
static int64_t last_nb_cfg = -1;

/* For process metrics. */
static long long int boot_time;     /* Seconds since the epoch. */

static void
read_boot_time(void)
{
    FILE *f = fopen("/proc/stat", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
        if (sscanf(line, "btime %lld", &boot_time) == 1) {
            break;
        }
    }
    if (f) {
        fclose(f);
    }
}

/* Starts serving metrics on 'target' (ptcp:PORT[:IP]), or does nothing if
 * 'target' is NULL.  A target we cannot listen on is fatal. */
void
metrics_init(const char *target)
{
    if (!target) {
        return;
    }
    char *error = metrics_http_open(target, &http);
    if (error) {
        ovs_fatal(0, "%s", error);
    }
    read_boot_time();
    last_idl_seqno = ovsdb_idl_get_seqno(engine_vpcdb);
}

/* Stops serving metrics. */
void
metrics_destroy(void)
{
    metrics_http_close(http);
    http = NULL;
}

/* Is the engine done with the changes it has seen? */
static bool
engine_idle(void)
{
    if (changes_pending() || changes_build_pending()) {
        return false;
    }
    const struct chassis *ch;
    HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
        if (ch->commit_pending || (ch->ofctrl && ofctrl_n_queued(ch->ofctrl))) {
            return false;
        }
    }
    return true;
}

/* Times database changes ('round_start': when this round of the main loop
 * began, before it read them) to the last bundle they caused, and nb_cfg
 * values to hv_cfg. */
static void
observe(long long int round_start)
{
    unsigned int seqno = ovsdb_idl_get_seqno(engine_vpcdb);
    if (seqno != last_idl_seqno) {
        last_idl_seqno = seqno;
        if (!change_pending) {
            change_pending = true;
            change_start = round_start;
        }
    }
    if (change_pending && engine_idle()) {
        long long int sent = ofctrl_last_bundle_time();
        if (sent >= change_start) {
            histogram_observe(&change_to_flows, sent - change_start);
        }
        change_pending = false;
    }

    const struct vpcrec_vpc_global *g = vpcrec_vpc_global_first(engine_vpcdb);
    if (!g) {
        return;
    }
    if (g->nb_cfg < last_nb_cfg) {
        n_cfg_waits = 0;            /* Another database. */
    } else if (last_nb_cfg >= 0 && g->nb_cfg > last_nb_cfg) {
        if (n_cfg_waits == MAX_CFG_WAITS) {
            memmove(cfg_waits, cfg_waits + 1,
                    (MAX_CFG_WAITS - 1) * sizeof *cfg_waits);
            n_cfg_waits--;
        }
        cfg_waits[n_cfg_waits++] = (struct cfg_wait) {
            .cfg = g->nb_cfg, .start = round_start,
        };
    }
    last_nb_cfg = g->nb_cfg;

    size_t done = 0;
    long long int now = time_msec();
    while (done < n_cfg_waits && cfg_waits[done].cfg <= g->hv_cfg) {
        histogram_observe(&change_to_hv_cfg, now - cfg_waits[done].start);
        done++;
    }
    if (done) {
        n_cfg_waits -= done;
        memmove(cfg_waits, cfg_waits + done, n_cfg_waits * sizeof *cfg_waits);
    }
}

/* Rendering, in the Prometheus text format 0.0.4. */

static void
put_head(struct ds *s, const char *name, const char *type, const char *help)
{
    ds_put_format(s, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
put_value(struct ds *s, const char *name, const char *type,
          const char *help, uint64_t value)
{
    put_head(s, name, type, help);
    ds_put_format(s, "%s %"PRIu64"\n", name, value);
}

/* One sample of a metric with one label. */
struct sample {
    const char *label;
    uint64_t value;
};

/* Appends metric 'name' with a sample per member of 'samples', each with
 * label 'key' set to its 'label'. */
static void
put_samples(struct ds *s, const char *name, const char *type,
            const char *help, const char *key,
            const struct sample *samples, size_t n)
{
    put_head(s, name, type, help);
    for (size_t i = 0; i < n; i++) {
        ds_put_format(s, "%s{%s=\"%s\"} %"PRIu64"\n", name, key,
                      samples[i].label, samples[i].value);
    }
}

static void
put_label_value(struct ds *s, const char *value)
{
    for (const char *p = value; *p; p++) {
        if (*p == '\\' || *p == '"') {
            ds_put_char(s, '\\');
            ds_put_char(s, *p);
        } else if (*p == '\n') {
            ds_put_cstr(s, "\\n");
        } else {
            ds_put_char(s, *p);
        }
    }
}

static void
put_histogram(struct ds *s, const char *name, const char *help,
              const struct histogram *h)
{
    uint64_t cumulative = 0;

    put_head(s, name, "histogram", help);
    for (size_t i = 0; i < ARRAY_SIZE(buckets); i++) {
        cumulative += h->counts[i];
        ds_put_format(s, "%s_bucket{le=\"%g\"} %"PRIu64"\n", name,
                      buckets[i], cumulative);
    }
    ds_put_format(s, "%s_bucket{le=\"+Inf\"} %"PRIu64"\n", name, h->count);
    ds_put_format(s, "%s_sum %.6f\n%s_count %"PRIu64"\n", name, h->sum,
                  name, h->count);
}

/* A difference of counters that cannot be negative, but might look so if
 * they were folded at different times. */
static uint64_t
minus(uint64_t a, uint64_t b)
{
    return a > b ? a - b : 0;
}

static void
render_chassis(struct ds *s)
{
    size_t n_known = 0, n_connected = 0, n_synced = 0;
    const struct vpcrec_chassis *row;
    VPCREC_CHASSIS_FOR_EACH (row, engine_vpcdb) {
        n_known++;
    }

    size_t n;
    struct chassis **all = chassis_sorted(&n);
    int64_t nb_cfg = engine_nb_cfg();
    for (size_t i = 0; i < n; i++) {
        const struct ofctrl *ofc = all[i]->ofctrl;
        if (ofc && ofctrl_is_alive(ofc)) {
            n_connected++;
            if (ofctrl_get_state(ofc) == OFCTRL_SYNCED
                && ofctrl_get_acked_cfg(ofc) >= nb_cfg) {
                n_synced++;
            }
        }
    }
    put_value(s, "ovs_vpc_chassis_known", "gauge",
              "Chassis rows in the VPC database.", n_known);
    put_value(s, "ovs_vpc_chassis_connected", "gauge",
              "Chassis connected to this instance over OVSDB and OpenFlow.",
              n_connected);
    put_value(s, "ovs_vpc_chassis_synced", "gauge",
              "Chassis this instance programs whose switch acknowledged "
              "the current nb_cfg.", n_synced);

    put_head(s, "ovs_vpc_chassis_flows", "gauge",
             "Flows this instance wants on each chassis it is connected "
             "to.");
    for (size_t i = 0; i < n; i++) {
        ds_put_cstr(s, "ovs_vpc_chassis_flows{chassis=\"");
        put_label_value(s, all[i]->name);
        ds_put_format(s, "\"} %"PRIuSIZE"\n", all[i]->n_flows);
    }
    static const char *const meters[OFCTRL_N_METERS] = {
        [OFCTRL_METER_DHCP] = "dhcp",
        [OFCTRL_METER_TOO_BIG] = "too_big",
    };
    put_head(s, "ovs_vpc_meter_drops_total", "counter",
             "Packets that the meters on each chassis this instance "
             "programs dropped on their way to the controller (DHCP "
             "requests, packets too big), from the switch's meter "
             "statistics, read every 5 s.");
    for (size_t i = 0; i < n; i++) {
        const struct ofctrl *ofc = all[i]->ofctrl;
        if (!ofc || !ofctrl_is_alive(ofc)) {
            continue;
        }
        for (size_t m = 0; m < OFCTRL_N_METERS; m++) {
            ds_put_cstr(s, "ovs_vpc_meter_drops_total{chassis=\"");
            put_label_value(s, all[i]->name);
            ds_put_format(s, "\",meter=\"%s\"} %"PRIu64"\n", meters[m],
                          ofctrl_get_meter_drops(ofc, m));
        }
    }
    put_head(s, "ovs_vpc_chassis_groups", "gauge",
             "OpenFlow groups this instance wants on each chassis it is "
             "connected to.");
    for (size_t i = 0; i < n; i++) {
        ds_put_cstr(s, "ovs_vpc_chassis_groups{chassis=\"");
        put_label_value(s, all[i]->name);
        ds_put_format(s, "\"} %"PRIuSIZE"\n",
                      vpc_group_table_count(&all[i]->base_groups));
    }
    free(all);
}

static void
render_counters(struct ds *s)
{
    put_value(s, "ovs_vpc_flow_mods_total", "counter",
              "Flow mods sent to switches, in bundles.",
              TOTAL(ofctrl_flow_mod));
    put_value(s, "ovs_vpc_group_mods_total", "counter",
              "Group mods sent to switches, in bundles.",
              TOTAL(ofctrl_group_mod));
    put_value(s, "ovs_vpc_bundles_total", "counter",
              "Atomic bundles committed on switches.", TOTAL(ofctrl_bundle));
    put_value(s, "ovs_vpc_reconciles_total", "counter",
              "Reconciliations of a switch's flows with the wanted ones.",
              TOTAL(ofctrl_reconcile));
    put_value(s, "ovs_vpc_flow_repairs_total", "counter",
              "Switch tables found changed behind the controller's back.",
              TOTAL(ofctrl_repair));
    put_value(s, "ovs_vpc_switch_errors_total", "counter",
              "OpenFlow errors switches returned.",
              TOTAL(ofctrl_switch_error));
    put_value(s, "ovs_vpc_role_claims_refused_total", "counter",
              "Primary role claims switches refused as stale.",
              TOTAL(ofctrl_role_refused));
    put_value(s, "ovs_vpc_model_builds_total", "counter",
              "Builds of the whole model (not the incremental updates).",
              TOTAL(engine_model_build));

    uint64_t in_dhcp = TOTAL(punt_dhcp), in_mtu = TOTAL(punt_too_big);
    const struct sample ins[] = {
        { "dhcp", in_dhcp },
        { "mtu", in_mtu },
        { "other", minus(TOTAL(punt_received), in_dhcp + in_mtu) },
    };
    put_samples(s, "ovs_vpc_packet_ins_total", "counter",
                "Packets switches punted to this instance, by kind.", "kind",
                ins, ARRAY_SIZE(ins));

    uint64_t out_dhcp = TOTAL(dhcp_offer) + TOTAL(dhcp_ack) + TOTAL(dhcp_nak);
    uint64_t out_mtu = TOTAL(punt_too_big_icmp);
    const struct sample outs[] = {
        { "dhcp", out_dhcp },
        { "mtu", out_mtu },
        { "other", minus(TOTAL(ofctrl_packet_out), out_dhcp + out_mtu) },
    };
    put_samples(s, "ovs_vpc_packet_outs_total", "counter",
                "Packets this instance sent out of switches, by kind "
                "(other: gateway ARP).", "kind", outs, ARRAY_SIZE(outs));

    const struct sample drops[] = {
        { "queue_full", TOTAL(ofctrl_punt_overflow) },
        { "over_budget", TOTAL(punt_over_budget) },
        { "not_owner", TOTAL(punt_not_owner) },
        { "malformed", TOTAL(punt_malformed) + TOTAL(dhcp_malformed) },
        { "unknown_port", TOTAL(punt_unknown_port) },
        { "cannot_fragment", TOTAL(punt_too_big_dropped) },
    };
    put_samples(s, "ovs_vpc_punt_drops_total", "counter",
                "Punted packets dropped by this instance, by reason.",
                "reason", drops, ARRAY_SIZE(drops));

    const struct sample txns[] = {
        { "status", TOTAL(engine_status_txn) },
        { "claim", TOTAL(roles_claim_txn) },
        { "heartbeat", TOTAL(shards_heartbeat_txn) },
    };
    put_samples(s, "ovs_vpc_db_transactions_total", "counter",
                "Transactions this instance committed to the VPC database, "
                "by purpose.", "kind", txns, ARRAY_SIZE(txns));
    const struct sample failed[] = {
        { "status", TOTAL(engine_status_txn_failed) },
        { "claim", TOTAL(roles_claim_txn_failed) },
        { "heartbeat", TOTAL(shards_heartbeat_txn_failed) },
    };
    put_samples(s, "ovs_vpc_db_transaction_failures_total", "counter",
                "Transactions to the VPC database that did not commit, by "
                "purpose.", "kind", failed, ARRAY_SIZE(failed));
    put_value(s, "ovs_vpc_host_transactions_total", "counter",
              "Configuration transactions sent to hosts' ovsdb-server.",
              TOTAL(host_config_txn));
}

static void
render_process(struct ds *s)
{
    char buf[1024];
    FILE *f = fopen("/proc/self/stat", "r");
    size_t len = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f) {
        fclose(f);
    }
    buf[len] = '\0';

    unsigned long utime, stime, vsize;
    unsigned long long starttime;
    long rss;
    const char *p = strrchr(buf, ')');
    if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
                    "%lu %lu %*d %*d %*d %*d %*d %*d %llu %lu %ld",
                    &utime, &stime, &starttime, &vsize, &rss) == 5) {
        double hz = sysconf(_SC_CLK_TCK);
        put_head(s, "process_cpu_seconds_total", "counter",
                 "User and system CPU time spent, in seconds.");
        ds_put_format(s, "process_cpu_seconds_total %.2f\n",
                      (utime + stime) / hz);
        put_value(s, "process_resident_memory_bytes", "gauge",
                  "Resident memory size, in bytes.",
                  (uint64_t) rss * sysconf(_SC_PAGESIZE));
        put_value(s, "process_virtual_memory_bytes", "gauge",
                  "Virtual memory size, in bytes.", vsize);
        if (boot_time) {
            put_head(s, "process_start_time_seconds", "gauge",
                     "Start time of the process since the epoch, in "
                     "seconds.");
            ds_put_format(s, "process_start_time_seconds %.2f\n",
                          boot_time + starttime / hz);
        }
    }

    DIR *dir = opendir("/proc/self/fd");
    if (dir) {
        uint64_t n = 0;
        while (readdir(dir)) {
            n++;
        }
        closedir(dir);
        put_value(s, "process_open_fds", "gauge",
                  "Open file descriptors.", n > 3 ? n - 3 : 0);
    }
    struct rlimit rl;
    if (!getrlimit(RLIMIT_NOFILE, &rl)) {
        put_value(s, "process_max_fds", "gauge",
                  "Limit on open file descriptors.", rl.rlim_cur);
    }
}

static void
render(struct ds *s)
{
    const struct vpcrec_vpc_global *g = vpcrec_vpc_global_first(engine_vpcdb);
    size_t n_owned = 0;
    for (size_t i = 0; i < shards_count(); i++) {
        n_owned += shard_is_held(i);
    }

    put_value(s, "ovs_vpc_up", "gauge",
              "1 while this instance is connected to the VPC database.",
              ovsdb_idl_is_connected(engine_vpcdb));
    put_value(s, "ovs_vpc_active", "gauge",
              "1 if this instance is the active one (holds the "
              "vpc_controller lock).", roles_is_active());
    put_value(s, "ovs_vpc_shards", "gauge", "Chassis shards in the cluster.",
              shards_count());
    put_value(s, "ovs_vpc_shards_owned", "gauge",
              "Chassis shards this instance owns.", n_owned);
    put_value(s, "ovs_vpc_vpcs", "gauge", "VPCs in the model.",
              hmap_count(&engine_model.vpcs));
    put_value(s, "ovs_vpc_ports", "gauge", "Ports in the model.",
              engine_model.n_ports);
    put_value(s, "ovs_vpc_nb_cfg", "gauge",
              "The configuration sequence number clients asked for.",
              g && g->nb_cfg > 0 ? g->nb_cfg : 0);
    put_value(s, "ovs_vpc_hv_cfg", "gauge",
              "The configuration sequence number every chassis has.",
              g && g->hv_cfg > 0 ? g->hv_cfg : 0);
    render_chassis(s);
    render_counters(s);
    put_histogram(s, "ovs_vpc_change_to_flows_seconds",
                  "Time from a database change to the last bundle it "
                  "caused being sent.", &change_to_flows);
    put_histogram(s, "ovs_vpc_change_to_hv_cfg_seconds",
                  "Time from a new nb_cfg to hv_cfg reaching it.",
                  &change_to_hv_cfg);
    render_process(s);
}

/* Whether this instance is healthy, and why, in 'reason'. */
static bool
check_health(struct ds *reason)
{
    if (!ovsdb_idl_is_connected(engine_vpcdb)
        || !ovsdb_idl_has_ever_connected(engine_vpcdb)) {
        ds_put_cstr(reason, "unhealthy: not connected to the VPC database");
        return false;
    }
    if (!shards_is_connected()) {
        ds_put_cstr(reason, "unhealthy: lock session to the VPC database "
                    "is down");
        return false;
    }
    ds_put_format(reason, "ok: %s", roles_is_active() ? "active" : "standby");
    return true;
}

/* Measures this round ('round_start': when it began), and publishes a new
 * snapshot if a scrape waits for one and the last is old enough. */
void
metrics_run(long long int round_start)
{
    if (!http) {
        return;
    }
    observe(round_start);
    if (metrics_http_wanted(http)
        && time_msec() >= last_publish + METRICS_HTTP_FRESH_MSEC) {
        struct ds text = DS_EMPTY_INITIALIZER;
        struct ds reason = DS_EMPTY_INITIALIZER;
        bool healthy = check_health(&reason);
        render(&text);
        metrics_http_publish(http, &text, healthy, ds_cstr(&reason));
        ds_destroy(&reason);
        last_publish = time_msec();
    }
}

/* Arranges for poll_block() to wake up when a scrape waits. */
void
metrics_wait(void)
{
    if (!http) {
        return;
    }
    if (metrics_http_wanted(http)) {
        poll_timer_wait_until(last_publish + METRICS_HTTP_FRESH_MSEC);
    } else {
        metrics_http_wait(http);
    }
}

/* Appends what "vpc/status" shows of metrics to 's'. */
void
metrics_format_status(struct ds *s)
{
    if (http) {
        ds_put_format(s, "metrics: %s\n", metrics_http_get_name(http));
    }
}
