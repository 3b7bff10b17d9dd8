/* vpc-chassis-emu: one process that stands in for many OVS hosts.
 *
 * To a vpc-controller each emulated host looks like a stock OVS host that
 * ran the onboarding command: its Open_vSwitch database dials in to the
 * controller's --ovsdb-listen, and once the controller has configured
 * br-int, br-int's OpenFlow connection dials the controller's target.
 * See emu-host.h and emu-switch.h. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "command-line.h"
#include "conn-wake.h"
#include "daemon.h"
#include "emu-host.h"
#include "fatal-signal.h"
#include "memory.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb/ovsdb.h"
#include "ovsdb-error.h"
#include "simap.h"
#include "smap.h"
#include "sset.h"
#include "svec.h"
#include "stream-ssl.h"
#include "stream.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vpc_chassis_emu);

static int n_hosts = 1;
static int first_index = 1;
static const char *prefix = "hv";
static const char *encap_base = "192.0.2.11";
static const char *run_dir;
static const char *unixctl_path;
static char *schema_file;
static struct sset managers = SSET_INITIALIZER(&managers);
static struct smap external_ids = SMAP_INITIALIZER(&external_ids);
static struct svec bridges = SVEC_EMPTY_INITIALIZER;

static struct emu_host **hosts;
static struct conn_wake **wakes;    /* One per host, for all its sessions. */
static bool exiting;

static void parse_options(int argc, char *argv[]);
static conn_wake_wait_cb host_wait_cb;
static void register_unixctl(void);
static void raise_fd_limit(int n);

int
main(int argc, char *argv[])
{
    struct unixctl_server *unixctl;

    set_program_name(argv[0]);
    service_start(&argc, &argv);
    fatal_ignore_sigpipe();
    vlog_set_levels_from_string_assert("reconnect:warn");
    parse_options(argc, argv);

    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_file(schema_file, &schema);
    if (error) {
        ovs_fatal(0, "%s", ovsdb_error_to_string_free(error));
    }
    /* Per host: a database connection, an OpenFlow connection, and two
     * listening sockets with --run-dir. */
    raise_fd_limit(n_hosts * 4 + 64);

    daemonize_start(false);
    int retval = unixctl_server_create(unixctl_path, &unixctl);
    if (retval) {
        ovs_fatal(retval, "could not create the unixctl server");
    }
    register_unixctl();

    if (run_dir && mkdir(run_dir, 0755) && errno != EEXIST) {
        ovs_fatal(errno, "%s: cannot create directory", run_dir);
    }
    struct in_addr base;
    ovs_assert(inet_pton(AF_INET, encap_base, &base) == 1);
    hosts = xcalloc(n_hosts, sizeof *hosts);
    wakes = xcalloc(n_hosts, sizeof *wakes);
    for (int i = 0; i < n_hosts; i++) {
        char *name = xasprintf("%s%d", prefix, first_index + i);
        struct in_addr ip = { .s_addr = htonl(ntohl(base.s_addr) + i) };
        char ip_s[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &ip, ip_s, sizeof ip_s);
        char *dir = run_dir ? xasprintf("%s/%s", run_dir, name) : NULL;
        if (dir && mkdir(dir, 0700) && errno != EEXIST) {
            ovs_fatal(errno, "%s: cannot create directory", dir);
        }

        struct emu_host_config cfg = {
            .name = name,
            .encap_ip = ip_s,
            .external_ids = &external_ids,
            .managers = &managers,
            .dir = dir,
            .bridges = &bridges,
        };
        char *problem;
        hosts[i] = emu_host_create(schema, &cfg, &problem);
        if (!hosts[i]) {
            ovs_fatal(0, "%s: %s", name, problem);
        }
        wakes[i] = conn_wake_create();
        conn_wake_set_owner(wakes[i], 0, (void *) (uintptr_t) (i + 1),
                            host_wait_cb);
        free(name);
        free(dir);
    }
    ovsdb_schema_destroy(schema);
    daemonize_complete();
    VLOG_INFO("emulating %d hosts", n_hosts);

    while (!exiting) {
        memory_run();
        if (memory_should_report()) {
            struct simap usage = SIMAP_INITIALIZER(&usage);
            simap_put(&usage, "hosts", n_hosts);
            memory_report(&usage);
            simap_destroy(&usage);
        }
        /* Like vpc-controller, serve only the hosts with something to do
         * (see conn-wake.h): a thousand real hosts are a thousand
         * processes, and this one process should not make one host's
         * answer wait for the other hosts' idle sessions. */
        conn_wake_run();
        void *owner;
        while ((owner = conn_wake_pop_due(0))) {
            emu_host_run(hosts[(uintptr_t) owner - 1]);
        }
        unixctl_server_run(unixctl);

        conn_wake_wait();           /* Asks host_wait_cb() of those that ran. */
        unixctl_server_wait(unixctl);
        memory_wait();
        if (exiting) {
            poll_immediate_wake();
        }
        poll_block();
    }

    for (int i = 0; i < n_hosts; i++) {
        conn_wake_destroy(wakes[i]);
        emu_host_destroy(hosts[i]);
    }
    free(wakes);
    free(hosts);
    unixctl_server_destroy(unixctl);
    service_stop();
    return 0;
}

static void
raise_fd_limit(int n)
{
    struct rlimit rl;

    if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < n) {
        rl.rlim_cur = MIN(rl.rlim_max, n);
        if (setrlimit(RLIMIT_NOFILE, &rl)) {
            VLOG_WARN("could not raise the open files limit to %d (%s)",
                      n, ovs_strerror(errno));
        }
    }
}

static void
emu_exit(struct unixctl_conn *conn, int argc OVS_UNUSED,
         const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    exiting = true;
    unixctl_command_reply(conn, NULL);
}

static void
emu_list(struct unixctl_conn *conn, int argc OVS_UNUSED,
         const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    for (int i = 0; i < n_hosts; i++) {
        emu_host_format(hosts[i], &s);
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static int
compare_sizes(const void *a_, const void *b_)
{
    const size_t *a = a_, *b = b_;
    return *a < *b ? -1 : *a > *b;
}

static void
emu_flow_count(struct unixctl_conn *conn, int argc, const char *argv[],
               void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    if (argc > 1) {
        for (int i = 0; i < n_hosts; i++) {
            if (!strcmp(emu_host_name(hosts[i]), argv[1])) {
                ds_put_format(&s, "%"PRIuSIZE"\n",
                              emu_host_n_flows(hosts[i]));
                unixctl_command_reply(conn, ds_cstr(&s));
                ds_destroy(&s);
                return;
            }
        }
        unixctl_command_reply_error(conn, "no such host");
        return;
    }

    size_t *counts = xmalloc(n_hosts * sizeof *counts);
    size_t total = 0;
    for (int i = 0; i < n_hosts; i++) {
        counts[i] = emu_host_n_flows(hosts[i]);
        total += counts[i];
    }
    qsort(counts, n_hosts, sizeof *counts, compare_sizes);
    ds_put_format(&s, "hosts=%d flows=%"PRIuSIZE" min=%"PRIuSIZE
                  " median=%"PRIuSIZE" max=%"PRIuSIZE"\n", n_hosts, total,
                  counts[0], counts[n_hosts / 2], counts[n_hosts - 1]);
    free(counts);
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
register_unixctl(void)
{
    unixctl_command_register("exit", "", 0, 0, emu_exit, NULL);
    unixctl_command_register("emu/list", "", 0, 0, emu_list, NULL);
    unixctl_command_register("emu/flow-count", "[HOST]", 0, 1,
                             emu_flow_count, NULL);
}

static void OVS_NO_RETURN
usage(void)
{
    printf("%s: emulates many OVS hosts for vpc-controller\n"
           "usage: %s [OPTIONS]\n"
           "\nOptions:\n"
           "  --hosts=N              number of hosts (default: 1)\n"
           "  --prefix=NAME          hosts are NAME1, NAME2... (default: hv)\n"
           "  --first=K              number of the first host (default: 1)\n"
           "  --manager=REMOTE       the controller's --ovsdb-listen, as\n"
           "                         \"ovs-vsctl set-manager\" takes it\n"
           "                         (repeatable; required)\n"
           "  --encap-base=IP        the first host's vpc-encap-ip; host i\n"
           "                         gets IP + i - 1 (default: 192.0.2.11;\n"
           "                         past 254 hosts use 127.x.y.z)\n"
           "  --external-id=KEY=VAL  one more external_ids key for every\n"
           "                         host (repeatable)\n"
           "  --run-dir=DIR          per host, DIR/HOST/db.sock (its\n"
           "                         database, for ovs-vsctl) and\n"
           "                         DIR/HOST/BRIDGE.mgmt (for ovs-ofctl)\n"
           "  --bridge=BR[:PORT,...] a bridge (and ports) every host has\n"
           "                         before it is onboarded (repeatable;\n"
           "                         a gateway's br-ex, say)\n"
           "  --schema=FILE          Open_vSwitch schema (default: %s)\n"
           "  --unixctl=SOCKET       override the control socket\n",
           program_name, program_name, schema_file);
    daemon_usage();
    vlog_usage();
    printf("\nOther options:\n"
           "  -h, --help             display this help message\n"
           "  -V, --version          display version information\n");
    exit(EXIT_SUCCESS);
}

/* Asks host number 'owner' (1-based) what it waits for (see
 * conn-wake.h). */
static void
host_wait_cb(void *owner)
{
    size_t i = (uintptr_t) owner - 1;
    if (conn_wake_wait_begin(wakes[i])) {
        emu_host_wait(hosts[i]);
        conn_wake_wait_end(wakes[i]);
    }
}

static void
parse_options(int argc, char *argv[])
{
    enum {
        OPT_HOSTS = UCHAR_MAX + 1,
        OPT_PREFIX,
        OPT_FIRST,
        OPT_MANAGER,
        OPT_ENCAP_BASE,
        OPT_EXTERNAL_ID,
        OPT_RUN_DIR,
        OPT_BRIDGE,
        OPT_SCHEMA,
        OPT_UNIXCTL,
        VLOG_OPTION_ENUMS,
        DAEMON_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"hosts", required_argument, NULL, OPT_HOSTS},
        {"prefix", required_argument, NULL, OPT_PREFIX},
        {"first", required_argument, NULL, OPT_FIRST},
        {"manager", required_argument, NULL, OPT_MANAGER},
        {"encap-base", required_argument, NULL, OPT_ENCAP_BASE},
        {"external-id", required_argument, NULL, OPT_EXTERNAL_ID},
        {"run-dir", required_argument, NULL, OPT_RUN_DIR},
        {"bridge", required_argument, NULL, OPT_BRIDGE},
        {"schema", required_argument, NULL, OPT_SCHEMA},
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        DAEMON_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(
        long_options);
    struct in_addr in;

    schema_file = xstrdup(EMU_DEFAULT_SCHEMA);
    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }

        switch (c) {
        case OPT_HOSTS:
            if (!str_to_int(optarg, 10, &n_hosts) || n_hosts < 1
                || n_hosts > 100000) {
                ovs_fatal(0, "--hosts: \"%s\" is not a number from 1 to "
                          "100000", optarg);
            }
            break;

        case OPT_PREFIX:
            prefix = optarg;
            break;

        case OPT_FIRST:
            if (!str_to_int(optarg, 10, &first_index) || first_index < 0) {
                ovs_fatal(0, "--first: \"%s\" is not a number", optarg);
            }
            break;

        case OPT_MANAGER:
            if (stream_verify_name(optarg)) {
                ovs_fatal(0, "--manager: \"%s\" is not an active OVSDB "
                          "remote (tcp:IP:PORT, ssl:IP:PORT, unix:FILE)",
                          optarg);
            }
            sset_add(&managers, optarg);
            break;

        case OPT_ENCAP_BASE:
            if (inet_pton(AF_INET, optarg, &in) != 1) {
                ovs_fatal(0, "--encap-base: \"%s\" is not an IPv4 address",
                          optarg);
            }
            encap_base = optarg;
            break;

        case OPT_EXTERNAL_ID: {
            const char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg) {
                ovs_fatal(0, "--external-id: \"%s\" is not KEY=VALUE",
                          optarg);
            }
            char *key = xmemdup0(optarg, eq - optarg);
            smap_replace(&external_ids, key, eq + 1);
            free(key);
            break;
        }

        case OPT_RUN_DIR:
            run_dir = optarg;
            break;

        case OPT_BRIDGE:
            if (optarg[0] == ':' || optarg[0] == '\0') {
                ovs_fatal(0, "--bridge: \"%s\" is not BRIDGE[:PORT,...]",
                          optarg);
            }
            svec_add(&bridges, optarg);
            break;

        case OPT_SCHEMA:
            free(schema_file);
            schema_file = xstrdup(optarg);
            break;

        case OPT_UNIXCTL:
            unixctl_path = optarg;
            break;

        case 'h':
            usage();
            OVS_NOT_REACHED();

        case 'V':
            ovs_print_version(0, 0);
            exit(EXIT_SUCCESS);

        VLOG_OPTION_HANDLERS
        DAEMON_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS

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
    if (sset_is_empty(&managers)) {
        ovs_fatal(0, "at least one --manager is required (see --help)");
    }
}
