/* vpc-ctl: the command-line interface to the VPC database.
 *
 * Main loop, options and the transaction; the commands themselves live in
 * one file per family, listed in vpc-ctl-cmds.c. */
#include <config.h>

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command-line.h"
#include "db-ctl-base.h"
#include "fatal-signal.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "process.h"
#include "stream.h"
#include "stream-ssl.h"
#include "table.h"
#include "timeval.h"
#include "util.h"
#include "vpc-ctl.h"
#include "vpc-ctl-common.h"
#include "vpc-idl.h"
#include "vpc-util.h"

VLOG_DEFINE_THIS_MODULE(vpc_ctl);

/* --db: the database remote(s). */
static const char *db;

/* --oneline, --dry-run, --timeout. */
static bool oneline;
static bool dry_run;
static unsigned int timeout;

/* --no-leader-only: accept a follower of a clustered database. */
static bool leader_only = true;

/* --wait=hv: wait until every chassis has installed the change. */
static bool wait_hv;

/* Output formatting for table-producing commands. */
static struct table_style table_style = TABLE_STYLE_DEFAULT;

static struct ovsdb_idl *the_idl;
static struct ovsdb_idl_txn *the_idl_txn;

static void parse_options(int argc, char *argv[],
                          struct shash *local_options);
static void run_prerequisites(struct ctl_command *, size_t n,
                              struct ovsdb_idl *);
static bool do_vpc_ctl(const char *args, struct ctl_command *, size_t n,
                       struct ovsdb_idl *);
static void vpc_ctl_exit(int status) OVS_NO_RETURN;

/* Commands whose options may also follow their arguments, as in
 * "vpc-add VPC --tunnel-key=N". */
static const char *const trailing_option_commands[] = {
    "vpc-add", "vpc-del", "subnet-add", "subnet-del", "port-add", "port-del",
    "ext-net-add", "ext-net-del", "gw-group-add", "gw-group-del",
    "vpc-set-gateway", "nat-del", "sg-add", "sg-del", "sg-rule-add",
    "sg-rule-del", "acl-add", "acl-del", "acl-rule-add", "acl-rule-del",
    "rt-add", "rt-del", "route-add", "route-del", "peering-add",
    "peering-del", "flow-log-add", "flow-log-del", NULL
};

static bool
takes_trailing_options(const char *name)
{
    for (const char *const *c = trailing_option_commands; *c; c++) {
        if (!strcmp(*c, name)) {
            return true;
        }
    }
    return false;
}

/* Moves "--option" words that follow the arguments of the commands above
 * in front of the command name, where db-ctl-base (and getopt, for the
 * first command) expects options.  Commands are separated by "--". */
static void
move_trailing_options(int argc, char *argv[])
{
    int cmd = -1;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) {
            cmd = -1;
        } else if (cmd < 0) {
            if (takes_trailing_options(argv[i])) {
                cmd = i;
            }
        } else if (!strncmp(argv[i], "--", 2)) {
            char *opt = argv[i];
            memmove(&argv[cmd + 1], &argv[cmd], (i - cmd) * sizeof *argv);
            argv[cmd++] = opt;
        }
    }
}

int
main(int argc, char *argv[])
{
    struct ctl_command *commands;
    struct shash local_options;
    size_t n_commands;

    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    vlog_set_levels_from_string_assert("reconnect:warn");
    /* A failed transaction is reported once, by ctl_fatal(). */
    vlog_set_levels_from_string_assert("ovsdb_idl:err");

    vpc_ctl_cmds_init(vpc_ctl_exit);

    char *args = process_escape_args(argv);
    move_trailing_options(argc, argv);
    shash_init(&local_options);
    parse_options(argc, argv, &local_options);
    char *error = ctl_parse_commands(argc - optind, argv + optind,
                                     &local_options, &commands, &n_commands);
    if (error) {
        ctl_fatal("%s", error);
    }
    VLOG(ctl_might_write_to_db(commands, n_commands) ? VLL_INFO : VLL_DBG,
         "Called as %s", args);

    ctl_timeout_setup(timeout);

    /* With several remotes (a clustered DB), keep trying until one of them
     * is the leader; with one remote, fail at once if it is unusable. */
    bool several = strchr(db, ',') != NULL;
    the_idl = ovsdb_idl_create(db, &vpcrec_idl_class, false, several);
    ovsdb_idl_set_leader_only(the_idl, leader_only);
    run_prerequisites(commands, n_commands, the_idl);
    vpc_ctl_create_name_indexes(the_idl);
    if (!dry_run) {
        vpc_ctl_scope_init(the_idl, commands, n_commands);
    }

    /* There is no point in trying a transaction twice against the same
     * database contents: if it failed, the database changed and we must
     * wait for the new contents before retrying.  The contents also change
     * when the server acknowledges a new condition (vpc_ctl_scope_*()),
     * which the condition seqno tells even if no row came with it. */
    unsigned int seqno = ovsdb_idl_get_seqno(the_idl);
    unsigned int cond_seqno = ovsdb_idl_get_condition_seqno(the_idl);
    for (;;) {
        ovsdb_idl_run(the_idl);
        if (!ovsdb_idl_is_alive(the_idl)) {
            int retval = ovsdb_idl_get_last_error(the_idl);
            if (retval) {
                ctl_fatal("%s: database connection failed (%s)",
                          db, ovs_retval_to_string(retval));
            }
            ctl_fatal("%s: database connection failed (not a usable server: "
                      "for a clustered database list every member, or use "
                      "--no-leader-only)", db);
        }

        if (seqno != ovsdb_idl_get_seqno(the_idl)
            || cond_seqno != ovsdb_idl_get_condition_seqno(the_idl)) {
            seqno = ovsdb_idl_get_seqno(the_idl);
            cond_seqno = ovsdb_idl_get_condition_seqno(the_idl);
            if (ovsdb_idl_has_ever_connected(the_idl)
                && vpc_ctl_scope_ready(the_idl)
                && do_vpc_ctl(args, commands, n_commands, the_idl)) {
                free(args);
                vpc_ctl_exit(EXIT_SUCCESS);
            }
        }

        if (seqno == ovsdb_idl_get_seqno(the_idl)
            && cond_seqno == ovsdb_idl_get_condition_seqno(the_idl)) {
            ovsdb_idl_wait(the_idl);
            poll_block();
        }
    }
}

static void OVS_NO_RETURN
usage(void)
{
    printf("\
%s: ovs-vpc database management utility\n\
usage: %s [OPTIONS] COMMAND [ARG...]\n\
\n\
VPC commands:\n\
  vpc-add VPC [--tunnel-key=N] [--cidr=CIDR[,CIDR...]]\n\
                            create a VPC (tunnel key allocated if not\n\
                            given), its security group VPC-default and its\n\
                            main route table VPC-main\n\
  vpc-del VPC [--cascade]   delete a VPC (--cascade: with its subnets,\n\
                            ports, NAT rules, security groups, network\n\
                            ACLs, route tables and the peerings, either\n\
                            side, that join it)\n\
  vpc-list                  list VPCs\n\
\n\
Subnet commands:\n\
  subnet-add VPC SUBNET CIDR [--gateway-ip=IP]\n\
                            create a subnet of VPC\n\
  subnet-del SUBNET [--cascade]\n\
                            delete a subnet (--cascade: with its ports)\n\
  subnet-list [VPC]         list subnets\n\
\n\
Port commands:\n\
  port-add SUBNET PORT [MAC] [IP] [--chassis=CHASSIS]\n\
                            create a port (MAC and IP allocated if not given;\n\
                            bound only on CHASSIS if given)\n\
  port-set-chassis PORT [CHASSIS]\n\
                            the only chassis where PORT may be bound (none:\n\
                            any, the first that has its interface); ends a\n\
                            migration\n\
  port-migrate PORT CHASSIS a live migration of PORT's VM to CHASSIS\n\
  port-set-source-check PORT true|false\n\
                            false: PORT is an appliance (may send from and\n\
                            receive for addresses that are not its own)\n\
  port-del PORT             delete a port (refused while a route uses it)\n\
  port-show PORT            show a port, its binding and security groups\n\
  port-list [SUBNET]        list ports\n\
\n\
Gateway commands:\n\
  ext-net-add NAME CIDR NEXT_HOP [--physnet=NAME]\n\
                            create an external network (physnet: external)\n\
  ext-net-del NAME          delete an external network\n\
  ext-net-list              list external networks\n\
  gw-group-add GROUP EXT_NET CHASSIS[:PRIORITY]...\n\
                            create a gateway group (MAC allocated; default\n\
                            priorities 100, 99, ...: the first is preferred)\n\
  gw-group-del GROUP        delete a gateway group\n\
  gw-group-list             list gateway groups\n\
  vpc-set-gateway VPC [GROUP] [--cascade]\n\
                            set (or without GROUP clear) a VPC's gateway\n\
                            group (--cascade: delete NAT rules it strands)\n\
  snat-add VPC CIDR [EXTERNAL_IP]\n\
                            translate CIDR to EXTERNAL_IP (allocated if not\n\
                            given) towards the outside\n\
  eip-add VPC PORT [EXTERNAL_IP]\n\
                            bind elastic IP EXTERNAL_IP (allocated if not\n\
                            given) to PORT\n\
  nat-del EXTERNAL_IP       delete a NAT rule\n\
  nat-list [VPC]            list NAT rules\n\
\n\
Security group commands:\n\
  sg-add VPC SG [--no-default-egress]\n\
                            create a security group of VPC (with a rule that\n\
                            allows all egress, unless --no-default-egress)\n\
  sg-del SG [--cascade]     delete a security group (--cascade: take it off\n\
                            its ports, delete the rules that name it)\n\
  sg-list [VPC]             list security groups\n\
  sg-show SG                show a security group and its rules\n\
  sg-rule-add SG DIRECTION PROTOCOL [PORTS|TYPE[/CODE]] REMOTE\n\
              [--action=allow|deny] [--priority=N]\n\
                            add a rule (REMOTE: a CIDR or a group of the\n\
                            VPC) and print its id\n\
  sg-rule-del SG ID         delete a rule by id (or give its content as to\n\
                            sg-rule-add)\n\
  port-set-sg PORT [SG...]  set a port's security groups (none: the VPC's\n\
                            default group)\n\
\n\
Network ACL commands:\n\
  acl-add VPC ACL           create a network ACL of VPC (no rules: it denies\n\
                            everything until given some)\n\
  acl-del ACL [--cascade]   delete a network ACL and its rules (--cascade:\n\
                            detach it from its subnets)\n\
  acl-list [VPC]            list network ACLs\n\
  acl-show ACL              show a network ACL and its rules\n\
  acl-rule-add ACL NUMBER DIRECTION ACTION PROTOCOL [PORTS] CIDR\n\
                            add a rule (NUMBER: 1 to 32766, one rule per\n\
                            number and direction; the lowest match decides)\n\
  acl-rule-del ACL DIRECTION NUMBER\n\
                            delete a rule\n\
  subnet-set-acl SUBNET [ACL]\n\
                            set (or without ACL clear) a subnet's ACL\n\
\n\
DHCP commands (TARGET: a VPC or a subnet, or vpc:NAME, subnet:NAME):\n\
  dhcp-set TARGET KEY=VALUE...\n\
                            set DHCP options: dns, domain, lease_time, mtu,\n\
                            and for a subnet, enabled\n\
  dhcp-unset TARGET KEY...  unset DHCP options\n\
  dhcp-show TARGET          show the DHCP options that apply, and whence\n\
  port-set-hostname PORT [HOSTNAME]\n\
                            the host name DHCP hands out (none: PORT)\n\
\n\
Route table commands (NEXT_HOP: gateway, [port:]PORT or peering:PEERING):\n\
  rt-add VPC TABLE          create a route table of VPC (without routes)\n\
  rt-del TABLE [--cascade]  delete a route table and its routes (not a main\n\
                            one; --cascade: its subnets go back to main)\n\
  rt-list [VPC]             list route tables\n\
  rt-show TABLE             show a route table, its routes and subnets\n\
  route-add TABLE CIDR NEXT_HOP\n\
                            add a route (one per CIDR and table)\n\
  route-del TABLE CIDR      delete a route\n\
  subnet-set-route-table SUBNET [TABLE]\n\
                            route a subnet by TABLE (none: its VPC's main)\n\
\n\
Peering commands:\n\
  peering-add VPC PEER_VPC [--name=NAME]\n\
                            create VPC's side of a peering (NAME: VPC-PEER;\n\
                            active once PEER_VPC has its side too)\n\
  peering-del PEERING [--cascade]\n\
                            delete a side (--cascade: with its routes)\n\
  peering-list [VPC]        list sides of peerings, active or not\n\
\n\
Flow log commands:\n\
  flow-log-add VPC collector=IP:PORT [subnet=SUBNET] [sampling=N]\n\
               [traffic=accepted|rejected|all]\n\
                            export IPFIX records of what VPC's (SUBNET's)\n\
                            security groups and ACLs decide to IP:PORT\n\
  flow-log-del VPC [collector=IP:PORT] [subnet=SUBNET]\n\
                            delete the VPC's flow logs that match\n\
  flow-log-list [VPC]       list flow logs\n\
\n\
Status:\n\
  chassis-list              list chassis and their state\n\
  show [VPC]                print VPCs, NAT rules, subnets, ports, bindings,\n\
                            security groups, network ACLs, route tables and\n\
                            peerings\n\
  sync                      with --wait=hv: wait for all earlier changes\n\
  annotate                  OVS dump-flows or ofproto/trace output on stdin,\n\
                            in VPC terms: tables named, cookies explained\n\
\n\
%s\
%s\
\n\
Options:\n\
  --db=DATABASE             connect to DATABASE (default: %s,\n\
                            or $VPC_DB; a comma-separated list is allowed)\n\
  --wait=none|hv            with hv, return only when every chassis has\n\
                            installed the change\n\
  -t, --timeout=SECS        give up after SECS seconds\n\
  --no-leader-only          accept a follower of a clustered database\n\
  --oneline                 print exactly one line of output per command\n\
  --dry-run                 do not commit changes to the database\n\
  --may-exist, --if-exists  (per command) do not fail on existing/missing\n",
           program_name, program_name, ctl_get_db_cmd_usage(),
           ctl_list_db_tables_usage(), vpc_default_db());
    table_usage();
    vlog_usage();
    printf("\nOther options:\n"
           "  -h, --help                display this help message\n"
           "  -V, --version             display version information\n");
    stream_usage("database", true, true, true);
    exit(EXIT_SUCCESS);
}

static void
parse_options(int argc, char *argv[], struct shash *local_options)
{
    enum {
        OPT_DB = UCHAR_MAX + 1,
        OPT_ONELINE,
        OPT_NO_SYSLOG,
        OPT_DRY_RUN,
        OPT_WAIT,
        OPT_NO_WAIT,
        OPT_NO_LEADER_ONLY,
        OPT_LOCAL,
        VLOG_OPTION_ENUMS,
        TABLE_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option global_long_options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"no-syslog", no_argument, NULL, OPT_NO_SYSLOG},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"oneline", no_argument, NULL, OPT_ONELINE},
        {"wait", required_argument, NULL, OPT_WAIT},
        {"no-wait", no_argument, NULL, OPT_NO_WAIT},
        {"no-leader-only", no_argument, NULL, OPT_NO_LEADER_ONLY},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        TABLE_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    const int n_global_long_options = ARRAY_SIZE(global_long_options) - 1;

    char *tmp = ovs_cmdl_long_options_to_short_options(global_long_options);
    char *short_options = xasprintf("+%s", tmp);
    free(tmp);

    /* Global options and the options of every command share one getopt
     * table; command options given before the command land in
     * 'local_options'. */
    struct option *options = xmemdup(global_long_options,
                                     sizeof global_long_options);
    size_t allocated_options = ARRAY_SIZE(global_long_options);
    size_t n_options = n_global_long_options;
    ctl_add_cmd_options(&options, &n_options, &allocated_options, OPT_LOCAL);

    for (;;) {
        int idx;
        int c = getopt_long(argc, argv, short_options, options, &idx);
        if (c == -1) {
            break;
        }

        switch (c) {
        case OPT_DB:
            db = optarg;
            break;

        case OPT_ONELINE:
            oneline = true;
            break;

        case OPT_NO_SYSLOG:
            vlog_set_levels(&this_module, VLF_SYSLOG, VLL_WARN);
            break;

        case OPT_DRY_RUN:
            dry_run = true;
            break;

        case OPT_WAIT:
            if (!strcmp(optarg, "hv")) {
                wait_hv = true;
            } else if (!strcmp(optarg, "none")) {
                wait_hv = false;
            } else {
                ctl_fatal("argument to --wait must be \"none\" or \"hv\"");
            }
            break;

        case OPT_NO_WAIT:
            wait_hv = false;
            break;

        case OPT_NO_LEADER_ONLY:
            leader_only = false;
            break;

        case OPT_LOCAL:
            if (shash_find(local_options, options[idx].name)) {
                ctl_fatal("'%s' option specified multiple times",
                          options[idx].name);
            }
            shash_add_nocopy(local_options,
                             xasprintf("--%s", options[idx].name),
                             nullable_xstrdup(optarg));
            break;

        case 'h':
            usage();
            OVS_NOT_REACHED();

        case 'V':
            ovs_print_version(0, 0);
            printf("DB Schema %s\n", vpcrec_get_db_version());
            exit(EXIT_SUCCESS);

        case 't':
            if (!str_to_uint(optarg, 10, &timeout) || !timeout) {
                ctl_fatal("value %s on -t or --timeout is invalid", optarg);
            }
            break;

        VLOG_OPTION_HANDLERS
        TABLE_OPTION_HANDLERS(&table_style)
        STREAM_SSL_OPTION_HANDLERS

        case '?':
            exit(EXIT_FAILURE);

        default:
            abort();
        }
    }
    free(short_options);

    if (!db) {
        db = vpc_default_db();
    }

    for (size_t i = n_global_long_options; options[i].name; i++) {
        free(CONST_CAST(char *, options[i].name));
    }
    free(options);
}

static void
run_prerequisites(struct ctl_command *commands, size_t n_commands,
                  struct ovsdb_idl *idl)
{
    ovsdb_idl_add_table(idl, &vpcrec_table_vpc_global);
    ovsdb_idl_add_column(idl, &vpcrec_vpc_global_col_alloc_seqno);
    if (wait_hv) {
        ovsdb_idl_add_column(idl, &vpcrec_vpc_global_col_nb_cfg);
        ovsdb_idl_add_column(idl, &vpcrec_vpc_global_col_hv_cfg);
    }

    for (struct ctl_command *c = commands; c < &commands[n_commands]; c++) {
        if (c->syntax->prerequisites) {
            struct ctl_context ctx;

            ds_init(&c->output);
            c->table = NULL;

            ctl_context_init(&ctx, c, idl, NULL, NULL, NULL);
            (c->syntax->prerequisites)(&ctx);
            if (ctx.error) {
                ctl_fatal("%s", ctx.error);
            }
            ctl_context_done(&ctx, c);

            ovs_assert(!c->output.string);
            ovs_assert(!c->table);
        }
    }
}

static void
print_output(struct ctl_command *c)
{
    struct ds *ds = &c->output;

    if (c->table) {
        table_print(c->table, &table_style);
    } else if (oneline) {
        ds_chomp(ds, '\n');
        for (size_t j = 0; j < ds->length; j++) {
            int ch = ds->string[j];
            if (ch == '\n') {
                fputs("\\n", stdout);
            } else if (ch == '\\') {
                fputs("\\\\", stdout);
            } else {
                putchar(ch);
            }
        }
        putchar('\n');
    } else {
        fputs(ds_cstr(ds), stdout);
    }
}

/* Waits until the controller reports that every chassis has installed
 * configuration 'next_cfg'. */
static void
wait_for_hv(struct ovsdb_idl *idl, int64_t next_cfg)
{
    ovsdb_idl_enable_reconnect(idl);
    for (;;) {
        ovsdb_idl_run(idl);
        const struct vpcrec_vpc_global *g = vpcrec_vpc_global_first(idl);
        if (g && g->hv_cfg >= next_cfg) {
            return;
        }
        ovsdb_idl_wait(idl);
        poll_block();
    }
}

static void
free_command_outputs(struct ctl_command *commands, size_t n_commands)
{
    for (struct ctl_command *c = commands; c < &commands[n_commands]; c++) {
        ds_destroy(&c->output);
        table_destroy(c->table);
        free(c->table);
        c->table = NULL;
    }
}

/* Runs 'commands' in one transaction.  Returns true when done, false if the
 * transaction must be retried against newer database contents. */
static bool
do_vpc_ctl(const char *args, struct ctl_command *commands, size_t n_commands,
           struct ovsdb_idl *idl)
{
    struct ovsdb_idl_txn *txn;
    struct ovsdb_symbol_table *symtab;
    struct vpc_ctl_context vctx;
    struct ctl_command *c;
    bool may_write = ctl_might_write_to_db(commands, n_commands) || wait_hv;

    txn = the_idl_txn = ovsdb_idl_txn_create(idl);
    if (dry_run) {
        ovsdb_idl_txn_set_dry_run(txn);
    }
    ovsdb_idl_txn_add_comment(txn, "vpc-ctl: %s", args);

    const struct vpcrec_vpc_global *global = vpcrec_vpc_global_first(idl);
    if (!global && may_write) {
        global = vpcrec_vpc_global_insert(txn);
    }
    if (wait_hv && global) {
        /* Forced: "--wait=hv sync" (or any command) waits even when the
         * transaction changes nothing else. */
        ovsdb_idl_txn_increment(txn, &global->header_,
                                &vpcrec_vpc_global_col_nb_cfg, true);
    }

    symtab = ovsdb_symbol_table_create();
    for (c = commands; c < &commands[n_commands]; c++) {
        ds_init(&c->output);
        c->table = NULL;
    }
    vpc_ctl_context_init(&vctx, NULL, idl, txn, global, symtab);
    for (c = commands; c < &commands[n_commands]; c++) {
        vpc_ctl_context_init_command(&vctx, c, c == &commands[n_commands - 1]);
        if (c->syntax->run) {
            (c->syntax->run)(&vctx.base);
        }
        if (vctx.base.error) {
            ctl_fatal("%s", vctx.base.error);
        }
        ctl_context_done_command(&vctx.base, c);

        if (vctx.base.try_again) {
            vpc_ctl_context_done(&vctx, NULL);
            goto try_again;
        }
    }
    if (vpc_ctl_scope_check_claims(idl)) {
        /* A narrow scope does not show yet who else might hold the MACs
         * that the commands claimed: try again once it does. */
        vpc_ctl_context_done(&vctx, NULL);
        goto try_again;
    }
    vpc_ctl_context_finish(&vctx);
    vpc_ctl_context_done(&vctx, NULL);

    struct shash_node *node;
    SHASH_FOR_EACH (node, &symtab->sh) {
        struct ovsdb_symbol *symbol = node->data;
        if (!symbol->created) {
            ctl_fatal("row id \"%s\" is referenced but never created "
                      "(e.g. with \"-- --id=%s create ...\")",
                      node->name, node->name);
        }
        if (!symbol->strong_ref && !symbol->weak_ref) {
            VLOG_WARN("row id \"%s\" was created but no reference to it "
                      "was inserted", node->name);
        }
    }

    enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit_block(txn);
    int64_t next_cfg = 0;
    if (status == TXN_SUCCESS || status == TXN_UNCHANGED) {
        if (wait_hv && status == TXN_SUCCESS) {
            next_cfg = ovsdb_idl_txn_get_increment_new_value(txn);
        }
        for (c = commands; c < &commands[n_commands]; c++) {
            if (c->syntax->postprocess) {
                vpc_ctl_context_init(&vctx, c, idl, txn, global, symtab);
                (c->syntax->postprocess)(&vctx.base);
                if (vctx.base.error) {
                    ctl_fatal("%s", vctx.base.error);
                }
                vpc_ctl_context_done(&vctx, c);
            }
        }
    }
    char *error = xstrdup(ovsdb_idl_txn_get_error(txn));

    switch (status) {
    case TXN_UNCOMMITTED:
    case TXN_INCOMPLETE:
        OVS_NOT_REACHED();

    case TXN_ABORTED:
        ctl_fatal("transaction aborted");

    case TXN_UNCHANGED:
    case TXN_SUCCESS:
        break;

    case TXN_TRY_AGAIN:
        free(error);
        goto try_again;

    case TXN_ERROR:
        if (vpc_ctl_scope_widen(idl)) {
            /* Most likely a MAC address that a port outside the narrow
             * scope already has: try again seeing every port. */
            free(error);
            goto try_again;
        }
        ctl_fatal("transaction error: %s", error);

    case TXN_NOT_LOCKED:
        ctl_fatal("database not locked");

    default:
        OVS_NOT_REACHED();
    }
    free(error);
    ovsdb_idl_txn_destroy(txn);
    txn = the_idl_txn = NULL;
    ovsdb_symbol_table_destroy(symtab);

    for (c = commands; c < &commands[n_commands]; c++) {
        print_output(c);
    }
    fflush(stdout);

    if (wait_hv && next_cfg) {
        wait_for_hv(idl, next_cfg);
    }

    for (c = commands; c < &commands[n_commands]; c++) {
        ds_destroy(&c->output);
        table_destroy(c->table);
        free(c->table);
        shash_destroy_free_data(&c->options);
    }
    free(commands);
    return true;

try_again:
    /* The database changed under us, or a command asked to wait: drop this
     * attempt entirely so that the retry starts from fresh contents. */
    vpc_ctl_scope_forget_claims();
    ovsdb_idl_txn_abort(txn);
    ovsdb_idl_txn_destroy(txn);
    the_idl_txn = NULL;
    ovsdb_symbol_table_destroy(symtab);
    free_command_outputs(commands, n_commands);
    return false;
}

/* Exits with 'status'.  The IDL and the transaction stay: tearing down a
 * replica row by row, with its indexes, took a quarter of the CPU of a
 * big batch, which the kernel frees at once; the_idl still points to them,
 * so leak checkers do not count them as lost. */
static void
vpc_ctl_exit(int status)
{
    exit(status);
}
