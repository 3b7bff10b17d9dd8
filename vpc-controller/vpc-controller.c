/* vpc-controller: reads the VPC database and programs every host.
 *
 * Hosts dial in: their ovsdb-server to our OVSDB listener (set-manager),
 * then, once we have pointed their br-int at us, their ovs-vswitchd to our
 * OpenFlow listener. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "command-line.h"
#include "conn-wake.h"
#include "coverage.h"
#include "daemon.h"
#include "engine.h"
#include "shards.h"
#include "fatal-signal.h"
#include "host.h"
#include "jsonrpc.h"
#include "metrics.h"
#include "metrics-http.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "stream-ssl.h"
#include "stream.h"
#include "svec.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "vpc-idl.h"
#include "vpc-util.h"

VLOG_DEFINE_THIS_MODULE(vpc_controller);

/* Command-line settings. */
static const char *db;
static struct svec ovsdb_listen = SVEC_EMPTY_INITIALIZER;
static struct svec of_listen = SVEC_EMPTY_INITIALIZER;
static struct svec of_targets = SVEC_EMPTY_INITIALIZER;
static char *unixctl_path;
static char *instance;
static const char *metrics_target;

static bool exiting;

static void parse_options(int argc, char *argv[]);
static void register_unixctl(struct unixctl_server *);

/* The address a host should use to reach OpenFlow listener 'name', or NULL
 * if it cannot be derived (ptcp without an address). */
static char *
derive_of_target(const char *name)
{
    if (!strncmp(name, "punix:", 6)) {
        return xasprintf("unix:%s", name + 6);
    }
    const char *kinds[] = { "ptcp:", "pssl:" };
    for (int i = 0; i < 2; i++) {
        size_t len = strlen(kinds[i]);
        if (!strncmp(name, kinds[i], len)) {
            /* pKIND:PORT:IP -> KIND:IP:PORT. */
            const char *port = name + len;
            const char *colon = strchr(port, ':');
            if (!colon || !colon[1]) {
                return NULL;
            }
            return xasprintf("%.*s:%s:%.*s", (int) len - 2, kinds[i] + 1,
                             colon + 1, (int) (colon - port), port);
        }
    }
    return NULL;
}

/* The OVSDB and OpenFlow listeners that hosts dial in to. */
struct listeners {
    struct pstream **pstreams;      /* OVSDB. */
    size_t n_pstreams;
    struct pvconn **pvconns;        /* OpenFlow. */
    size_t n_pvconns;
};

/* Whether listener 'name' takes SSL connections, whose certificates must
 * name the chassis they claim to be (see peer-cert.h). */
static bool
listener_is_ssl(const char *name)
{
    return !strncmp(name, "pssl:", 5);
}

/* Opens every listener of --ovsdb-listen and --of-listen.  One we cannot
 * open is fatal: hosts would have no way in. */
static void
listeners_open(struct listeners *l)
{
    l->n_pstreams = ovsdb_listen.n;
    l->n_pvconns = of_listen.n;
    l->pstreams = xcalloc(l->n_pstreams, sizeof *l->pstreams);
    l->pvconns = xcalloc(l->n_pvconns, sizeof *l->pvconns);
    for (size_t i = 0; i < l->n_pstreams; i++) {
        int error = pstream_open(ovsdb_listen.names[i], &l->pstreams[i],
                                 DSCP_DEFAULT);
        if (error) {
            ovs_fatal(error, "%s: cannot listen for OVSDB connections",
                      ovsdb_listen.names[i]);
        }
    }
    for (size_t i = 0; i < l->n_pvconns; i++) {
        int error = pvconn_open(of_listen.names[i],
                                (1u << OFP14_VERSION) | (1u << OFP15_VERSION),
                                DSCP_DEFAULT, &l->pvconns[i]);
        if (error) {
            ovs_fatal(error, "%s: cannot listen for OpenFlow connections",
                      of_listen.names[i]);
        }
    }
}

/* Connections taken from one listener in one round, at most.  Hosts that
 * dial in together (a restart, a rack coming up) are all taken in a few
 * rounds, while the rest of the round still runs between bursts. */
#define MAX_ACCEPTS_PER_ROUND 256

/* Hands the engine the connections that came in, until a listener has no
 * more or MAX_ACCEPTS_PER_ROUND. */
static void
listeners_run(struct listeners *l)
{
    for (size_t i = 0; i < l->n_pstreams; i++) {
        for (int j = 0; j < MAX_ACCEPTS_PER_ROUND; j++) {
            struct stream *stream;
            int error = pstream_accept(l->pstreams[i], &stream);
            if (error) {
                if (error != EAGAIN) {
                    VLOG_WARN("%s: accept failed: %s",
                              pstream_get_name(l->pstreams[i]),
                              ovs_strerror(error));
                }
                break;
            }
            engine_add_host(jsonrpc_open(stream),
                            listener_is_ssl(ovsdb_listen.names[i]));
        }
    }
    for (size_t i = 0; i < l->n_pvconns; i++) {
        for (int j = 0; j < MAX_ACCEPTS_PER_ROUND; j++) {
            struct vconn *vconn;
            int error = pvconn_accept(l->pvconns[i], &vconn);
            if (error) {
                if (error != EAGAIN) {
                    VLOG_WARN("OpenFlow accept failed: %s",
                              ovs_strerror(error));
                }
                break;
            }
            engine_add_switch(vconn, listener_is_ssl(of_listen.names[i]));
        }
    }
}

static void
listeners_wait(const struct listeners *l)
{
    for (size_t i = 0; i < l->n_pstreams; i++) {
        pstream_wait(l->pstreams[i]);
    }
    for (size_t i = 0; i < l->n_pvconns; i++) {
        pvconn_wait(l->pvconns[i]);
    }
}

/* A connection of the main loop's own: the listeners, or the unixctl
 * server. */
struct main_conn {
    struct conn_wake *wake;
    struct listeners *listeners;
    struct unixctl_server *unixctl;
};
static struct main_conn main_conns[2];

static void
main_conn_wait(void *mc_)
{
    struct main_conn *mc = mc_;

    if (conn_wake_wait_begin(mc->wake)) {
        if (mc->listeners) {
            listeners_wait(mc->listeners);
        } else {
            unixctl_server_wait(mc->unixctl);
        }
        conn_wake_wait_end(mc->wake);
    }
}

static void
listeners_close(struct listeners *l)
{
    for (size_t i = 0; i < l->n_pstreams; i++) {
        pstream_close(l->pstreams[i]);
    }
    for (size_t i = 0; i < l->n_pvconns; i++) {
        pvconn_close(l->pvconns[i]);
    }
    free(l->pstreams);
    free(l->pvconns);
}

/* Each host holds two of our descriptors (its OVSDB and its OpenFlow
 * connection): the usual soft limit of 1,024 open files would refuse
 * hosts past about 500.  Raise it to the hard limit, and say so when even
 * that is low. */
static void
raise_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl)) {
        return;
    }
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl)) {
            VLOG_WARN("could not raise the open files limit (%s)",
                      ovs_strerror(errno));
            getrlimit(RLIMIT_NOFILE, &rl);
        }
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 4096) {
        VLOG_WARN("the open files limit is %llu: at most about %llu hosts "
                  "can connect (each holds two connections)",
                  (unsigned long long int) rl.rlim_cur,
                  (unsigned long long int) rl.rlim_cur / 2 - 16);
    }
}

int
main(int argc, char *argv[])
{
    struct unixctl_server *unixctl;
    struct listeners listeners;

    set_program_name(argv[0]);
    service_start(&argc, &argv);
    fatal_ignore_sigpipe();
    vlog_set_levels_from_string_assert("reconnect:warn");
    parse_options(argc, argv);

    daemonize_start(false);
    raise_fd_limit();

    int error = unixctl_server_create(unixctl_path, &unixctl);
    if (error) {
        ovs_fatal(error, "could not create the unixctl server");
    }
    register_unixctl(unixctl);
    listeners_open(&listeners);

    struct ovsdb_idl *vpcdb = ovsdb_idl_create(db, &vpcrec_idl_class, true,
                                               true);
    engine_init(vpcdb, instance);
    shards_init(db, instance);
    metrics_init(metrics_target);
    daemonize_complete();
    VLOG_INFO("vpc-controller started: VPC DB %s", db);

    /* The listeners and the unixctl server, like the sessions, run only in
     * the passes that have something for them (see conn-wake.h): in a
     * restart, most passes serve a few of thousands of sessions, and an
     * accept() that found nothing, on each listener in each pass, was a
     * fifth of what the controller did before it read the database. */
    main_conns[0] = (struct main_conn) {
        .wake = conn_wake_create(), .listeners = &listeners
    };
    main_conns[1] = (struct main_conn) {
        .wake = conn_wake_create(), .unixctl = unixctl
    };
    for (size_t i = 0; i < ARRAY_SIZE(main_conns); i++) {
        conn_wake_set_owner(main_conns[i].wake, CONN_WAKE_MAIN,
                            &main_conns[i], main_conn_wait);
    }

    struct host_config cfg = { .of_targets = &of_targets };
    while (!exiting) {
        long long int round_start = time_msec();
        engine_run(&cfg);
        struct main_conn *mc;
        while ((mc = conn_wake_pop_due(CONN_WAKE_MAIN))) {
            if (mc->listeners) {
                listeners_run(mc->listeners);
            } else {
                unixctl_server_run(mc->unixctl);
            }
        }
        metrics_run(round_start);
        coverage_run();

        engine_wait();      /* Its conn_wake_wait() calls main_conn_wait(). */
        metrics_wait();
        if (exiting) {
            poll_immediate_wake();
        }
        poll_block();
    }

    for (size_t i = 0; i < ARRAY_SIZE(main_conns); i++) {
        conn_wake_destroy(main_conns[i].wake);
    }
    metrics_destroy();
    engine_destroy();
    ovsdb_idl_destroy(vpcdb);
    listeners_close(&listeners);
    unixctl_server_destroy(unixctl);
    service_stop();
    return 0;
}

static void OVS_NO_RETURN
usage(void)
{
    printf("%s: ovs-vpc controller\n"
           "usage: %s [OPTIONS]\n"
           "\nOptions:\n"
           "  --db=DATABASE          the VPC DB (default: %s, or $VPC_DB;\n"
           "                         a comma-separated list for a cluster)\n"
           "  --ovsdb-listen=PSTREAM where hosts' ovsdb-server dial in\n"
           "                         (repeatable; default: punix:%s/"
           "vpc-controller.ovsdb)\n"
           "  --of-listen=PVCONN     where hosts' ovs-vswitchd dial in\n"
           "                         (repeatable; default: punix:%s/"
           "vpc-controller.of)\n"
           "  --of-target=TARGET     what hosts are told to dial for OpenFlow\n"
           "                         (repeatable; derived from --of-listen\n"
           "                         when it names an address)\n"
           "  --unixctl=SOCKET       override the control socket\n"
           "  --instance=NAME        this instance's name in the cluster\n"
           "                         (default: HOSTNAME:PID)\n"
           "  --metrics=ptcp:PORT[:IP]  serve /metrics (Prometheus) and\n"
           "                         /healthz over HTTP\n",
           program_name, program_name, vpc_default_db(), vpc_rundir(),
           vpc_rundir());
    daemon_usage();
    vlog_usage();
    stream_usage("OVSDB listener", false, true, true);
    printf("\nOther options:\n"
           "  -h, --help             display this help message\n"
           "  -V, --version          display version information\n");
    exit(EXIT_SUCCESS);
}

static void
parse_options(int argc, char *argv[])
{
    enum {
        OPT_DB = UCHAR_MAX + 1,
        OPT_OVSDB_LISTEN,
        OPT_OF_LISTEN,
        OPT_OF_TARGET,
        OPT_UNIXCTL,
        OPT_INSTANCE,
        OPT_METRICS,
        OPT_PEER_CA_CERT,
        OPT_BOOTSTRAP_CA_CERT,
        VLOG_OPTION_ENUMS,
        DAEMON_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"ovsdb-listen", required_argument, NULL, OPT_OVSDB_LISTEN},
        {"of-listen", required_argument, NULL, OPT_OF_LISTEN},
        {"of-target", required_argument, NULL, OPT_OF_TARGET},
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"instance", required_argument, NULL, OPT_INSTANCE},
        {"metrics", required_argument, NULL, OPT_METRICS},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        DAEMON_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {"peer-ca-cert", required_argument, NULL, OPT_PEER_CA_CERT},
        {"bootstrap-ca-cert", required_argument, NULL, OPT_BOOTSTRAP_CA_CERT},
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(
        long_options);

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }

        switch (c) {
        case OPT_DB:
            db = optarg;
            break;

        case OPT_OVSDB_LISTEN:
            svec_add(&ovsdb_listen, optarg);
            break;

        case OPT_OF_LISTEN:
            svec_add(&of_listen, optarg);
            break;

        case OPT_OF_TARGET:
            svec_add(&of_targets, optarg);
            break;

        case OPT_UNIXCTL:
            unixctl_path = optarg;
            break;

        case OPT_INSTANCE:
            instance = optarg;
            break;

        case OPT_METRICS: {
            char *error = metrics_http_check_target(optarg);
            if (error) {
                ovs_fatal(0, "%s", error);
            }
            metrics_target = optarg;
            break;
        }

        case 'h':
            usage();
            OVS_NOT_REACHED();

        case 'V':
            ovs_print_version(0, 0);
            exit(EXIT_SUCCESS);

        VLOG_OPTION_HANDLERS
        DAEMON_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS

        case OPT_PEER_CA_CERT:
            stream_ssl_set_peer_ca_cert_file(optarg);
            break;

        case OPT_BOOTSTRAP_CA_CERT:
            stream_ssl_set_ca_cert_file(optarg, true);
            break;

        case '?':
            exit(EXIT_FAILURE);

        default:
            abort();
        }
    }
    free(short_options);

    if (optind < argc) {
        ovs_fatal(0, "%s: unexpected argument (see --help)", argv[optind]);
    }
    if (!db) {
        db = vpc_default_db();
    }
    if (!instance) {
        char host[256] = "";
        gethostname(host, sizeof host - 1);
        instance = xasprintf("%s:%ld", host, (long) getpid());
    }
    if (!ovsdb_listen.n) {
        svec_add_nocopy(&ovsdb_listen,
                        xasprintf("punix:%s/vpc-controller.ovsdb",
                                  vpc_rundir()));
    }
    if (!of_listen.n) {
        svec_add_nocopy(&of_listen,
                        xasprintf("punix:%s/vpc-controller.of",
                                  vpc_rundir()));
    }
    if (!of_targets.n) {
        for (size_t i = 0; i < of_listen.n; i++) {
            char *target = derive_of_target(of_listen.names[i]);
            if (target) {
                svec_add_nocopy(&of_targets, target);
            }
        }
        if (!of_targets.n) {
            ovs_fatal(0, "cannot tell hosts where to connect for OpenFlow: "
                      "give --of-target (e.g. tcp:192.0.2.1:6653)");
        }
    }
}

/* unixctl commands: "ovs-appctl -t vpc-controller vpc/status" etc. */

static void
unixctl_status(struct unixctl_conn *conn, int argc OVS_UNUSED,
               const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    engine_format_status(&s);
    ds_put_cstr(&s, "listeners: ");
    conn_wake_format(main_conns[0].wake, "", &s);
    ds_put_char(&s, '\n');
    metrics_format_status(&s);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
unixctl_chassis_list(struct unixctl_conn *conn, int argc OVS_UNUSED,
                     const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    engine_format_chassis(&s);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
unixctl_flow_count(struct unixctl_conn *conn, int argc OVS_UNUSED,
                   const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    engine_format_flow_counts(&s);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
unixctl_dump_flows(struct unixctl_conn *conn, int argc OVS_UNUSED,
                   const char *argv[], void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    if (engine_format_flows(argv[1], &s)) {
        unixctl_command_reply(conn, ds_cstr(&s));
    } else {
        unixctl_command_reply_error(conn, "no such chassis");
    }
    ds_destroy(&s);
}

static void
unixctl_recompute(struct unixctl_conn *conn, int argc OVS_UNUSED,
                  const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    engine_force_recompute();
    poll_immediate_wake();
    unixctl_command_reply(conn, NULL);
}

static void
unixctl_exit(struct unixctl_conn *conn, int argc OVS_UNUSED,
             const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    exiting = true;
    unixctl_command_reply(conn, NULL);
}

static void
register_unixctl(struct unixctl_server *server OVS_UNUSED)
{
    unixctl_command_register("vpc/status", "", 0, 0, unixctl_status, NULL);
    unixctl_command_register("vpc/chassis-list", "", 0, 0,
                             unixctl_chassis_list, NULL);
    unixctl_command_register("vpc/flow-count", "", 0, 0,
                             unixctl_flow_count, NULL);
    unixctl_command_register("vpc/dump-flows", "CHASSIS", 1, 1,
                             unixctl_dump_flows, NULL);
    unixctl_command_register("vpc/recompute", "", 0, 0, unixctl_recompute,
                             NULL);
    unixctl_command_register("exit", "", 0, 0, unixctl_exit, NULL);
}
