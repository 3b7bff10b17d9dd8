/* vpc-ctl: which rows a command batch replicates.
 *
 * Allocating an IP address for a new port needs the ports of its subnet,
 * and refusing a name or a MAC address already taken needs the ports with
 * that name or MAC; deleting or showing a port, or setting its security
 * groups, chassis or host name, needs that port: not the thousands of
 * other Port rows.  A batch made only of port-add, port-del, port-show and
 * port-set-* commands therefore asks the server for just those rows (OVSDB
 * conditional monitoring) and starts looking for a free MAC at VPC_Global
 * options:mac_hint.  The MAC it picks may belong to a port it does not
 * see; then the Port table's unique index on "mac" fails the transaction,
 * and vpc-ctl widens the scope to every Port row and tries again, as any
 * other command would have run.  Concurrent writers are still kept apart
 * by VPC_Global:alloc_seqno.
 *
 * A batch made only of vpc-add, subnet-add and port-add (how a world is
 * built) narrows more: besides the VPC rows, which it replicates all (a
 * VPC name must be free, and the tunnel key too), it asks for the subnets
 * it names and those of the VPCs it adds subnets to (a CIDR must not
 * overlap a sibling's), the security groups and route tables named like
 * the default group and main table of each new VPC, and the ports as
 * above.  A MAC address that such a batch claims, for a port or a subnet
 * gateway, could be a subnet gateway's that it does not see, which no
 * index would refuse: so before committing, it asks for the ports and
 * subnets that hold the MACs it claimed, and runs the batch again once it
 * sees them, until every MAC it claims has been checked.  What it cannot
 * decide from what it sees (a port named in the batch that exists in a
 * subnet it does not replicate), it widens for, to every row. */
#include <config.h>

#include <string.h>

#include "db-ctl-base.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "sset.h"
#include "uuid.h"
#include "vpc-ctl.h"
#include "vpc-ctl-alloc.h"
#include "vpc-idl.h"

VLOG_DEFINE_THIS_MODULE(vpc_ctl_scope);

enum scope_mode {
    SCOPE_ALL,                  /* Every row. */
    SCOPE_PORTS,                /* Some Port rows, every row elsewhere. */
    SCOPE_ADDS,                 /* Also some Subnet, Security_Group and
                                 * Route_Table rows. */
};

static struct {
    enum scope_mode mode;       /* What the batch allows to narrow. */
    bool narrow;                /* Replicating only some rows? */
    bool conditioned;           /* Was a condition ever set? */
    unsigned int cond_seqno;    /* The IDL matches the conditions set last
                                 * once its condition seqno reaches this. */
    struct sset names;          /* PORT arguments. */
    struct sset macs;           /* MACs asked for, normalized. */
    struct sset subnets;        /* SUBNET arguments of port-add. */
    struct sset subnet_names;   /* SUBNET arguments (SCOPE_ADDS). */
    struct sset subnet_vpcs;    /* VPC arguments of subnet-add. */
    struct sset sg_names;       /* Default groups of new VPCs. */
    struct sset rt_names;       /* Main tables of new VPCs. */
    struct sset claimed;        /* MACs claimed in this attempt, not in
                                 * 'macs' yet (SCOPE_ADDS). */
    size_t n_dynamic_macs;      /* MACs that the batch allocates. */
    bool predicted;             /* Are they in 'macs' (SCOPE_ADDS)? */
    bool dirty;                 /* Have the sets above changed since the
                                 * conditions were last set? */
    struct uuid *refs;          /* The subnets' and VPCs' UUIDs then. */
    size_t n_refs, n_subnet_refs;
} scope = {
    .names = SSET_INITIALIZER(&scope.names),
    .macs = SSET_INITIALIZER(&scope.macs),
    .subnets = SSET_INITIALIZER(&scope.subnets),
    .subnet_names = SSET_INITIALIZER(&scope.subnet_names),
    .subnet_vpcs = SSET_INITIALIZER(&scope.subnet_vpcs),
    .sg_names = SSET_INITIALIZER(&scope.sg_names),
    .rt_names = SSET_INITIALIZER(&scope.rt_names),
    .claimed = SSET_INITIALIZER(&scope.claimed),
};

/* Sets the conditions of the narrowed tables: 'conds' in the order Port,
 * Subnet, Security_Group, Route_Table, as many as the mode narrows. */
static void
scope_set_conditions(struct ovsdb_idl *idl,
                     struct ovsdb_idl_condition conds[4])
{
    unsigned int (*const set[4])(struct ovsdb_idl *,
                                 struct ovsdb_idl_condition *) = {
        vpcrec_port_set_condition,
        vpcrec_subnet_set_condition,
        vpcrec_security_group_set_condition,
        vpcrec_route_table_set_condition,
    };
    size_t n = scope.mode == SCOPE_ADDS ? 4 : 1;
    unsigned int seqno = 0;

    /* Each call tells when the conditions set so far are all acked: the
     * last ones (the highest) tell when every one is. */
    for (size_t i = 0; i < n; i++) {
        seqno = MAX(seqno, set[i](idl, &conds[i]));
    }
    if (!scope.conditioned || seqno != scope.cond_seqno) {
        /* The change goes out on the next ovsdb_idl_run(). */
        scope.conditioned = true;
        scope.cond_seqno = seqno;
        poll_immediate_wake();
    }
}

static void
scope_conds_init(struct ovsdb_idl_condition conds[4])
{
    for (size_t i = 0; i < 4; i++) {
        ovsdb_idl_condition_init(&conds[i]);
    }
}

static void
scope_conds_destroy(struct ovsdb_idl_condition conds[4])
{
    for (size_t i = 0; i < 4; i++) {
        ovsdb_idl_condition_destroy(&conds[i]);
    }
}

static void
scope_set_true(struct ovsdb_idl *idl)
{
    struct ovsdb_idl_condition conds[4];

    scope_conds_init(conds);
    for (size_t i = 0; i < 4; i++) {
        ovsdb_idl_condition_add_clause_true(&conds[i]);
    }
    scope_set_conditions(idl, conds);
    scope_conds_destroy(conds);
}

/* Replicates every row.  Returns true if the scope was narrow, in which
 * case the caller should try again once the IDL catches up
 * (vpc_ctl_scope_ready()). */
bool
vpc_ctl_scope_widen(struct ovsdb_idl *idl)
{
    if (!scope.narrow) {
        return false;
    }
    VLOG_INFO("widening the scope to every row");
    scope.narrow = false;
    scope_set_true(idl);
    return true;
}

/* Appends to 'uuids' the UUID of the row of 'tc' named, or whose UUID is,
 * each of 'ids', found through 'by_name' (of the rows of 'tc' by name).
 * Names of rows that do not exist (yet) add nothing. */
static void
scope_resolve(struct ovsdb_idl *idl, const struct ovsdb_idl_table_class *tc,
              const struct shash *by_name, const struct sset *ids,
              struct uuid **uuids, size_t *n, size_t *allocated)
{
    const char *s;

    SSET_FOR_EACH (s, ids) {
        const struct ovsdb_idl_row *row = shash_find_data(by_name, s);
        struct uuid uuid;

        if (!row && uuid_from_string(&uuid, s)) {
            row = ovsdb_idl_get_row_for_uuid(idl, tc, &uuid);
        }
        if (row) {
            if (*n >= *allocated) {
                *uuids = x2nrealloc(*uuids, allocated, sizeof **uuids);
            }
            (*uuids)[(*n)++] = row->uuid;
        }
    }
}

/* Builds the conditions from the arguments and the rows replicated so far,
 * and sets them unless they are those already set and acknowledged.  With
 * SCOPE_ADDS, no Port or Subnet row is asked for until VPC_Global, once
 * 'loaded', tells which MACs the batch will allocate: the first conditions
 * on those big tables then ask for their holders too, which saves the
 * server a pass over every row for vpc_ctl_scope_check_claims(). */
static void
scope_update(struct ovsdb_idl *idl, bool loaded)
{
    if (scope.mode == SCOPE_ADDS && !scope.predicted && loaded) {
        vpc_ctl_mac_predict(vpcrec_vpc_global_first(idl),
                            scope.n_dynamic_macs, &scope.macs);
        scope.predicted = true;
        scope.dirty = true;
    }

    /* The UUIDs of the subnets that port-adds name, then of the VPCs that
     * subnet-adds name: subnets and VPCs are few, index them by name for
     * big batches. */
    struct uuid *uuids = NULL;
    size_t n_subnets = 0, n = 0, allocated = 0;
    struct shash by_name = SHASH_INITIALIZER(&by_name);
    const struct vpcrec_subnet *sn;
    VPCREC_SUBNET_FOR_EACH (sn, idl) {
        shash_add_once(&by_name, sn->name, sn);
    }
    scope_resolve(idl, &vpcrec_table_subnet, &by_name, &scope.subnets,
                  &uuids, &n, &allocated);
    n_subnets = n;
    shash_clear(&by_name);
    if (scope.mode == SCOPE_ADDS) {
        const struct vpcrec_vpc *vpc;
        VPCREC_VPC_FOR_EACH (vpc, idl) {
            shash_add_once(&by_name, vpc->name, vpc);
        }
        scope_resolve(idl, &vpcrec_table_vpc, &by_name, &scope.subnet_vpcs,
                      &uuids, &n, &allocated);
    }
    shash_destroy(&by_name);

    /* Building and comparing conditions of thousands of clauses is not
     * free: skip it when nothing changed since they were acknowledged. */
    if (!scope.dirty && n == scope.n_refs && n_subnets == scope.n_subnet_refs
        && (!n || !memcmp(uuids, scope.refs, n * sizeof *uuids))
        && ovsdb_idl_get_condition_seqno(idl) == scope.cond_seqno) {
        free(uuids);
        return;
    }
    scope.dirty = false;
    free(scope.refs);
    scope.refs = n ? xmemdup(uuids, n * sizeof *uuids) : NULL;
    scope.n_refs = n;
    scope.n_subnet_refs = n_subnets;

    static const struct sset empty = SSET_INITIALIZER(&empty);
    struct ovsdb_idl_condition conds[4];
    struct ovsdb_idl_condition *port = &conds[0], *subnet = &conds[1];
    const char *s;

    scope_conds_init(conds);
    bool waiting = scope.mode == SCOPE_ADDS && !scope.predicted;
    SSET_FOR_EACH (s, waiting ? &empty : &scope.names) {
        vpcrec_port_add_clause_name(port, OVSDB_F_EQ, s);
    }
    SSET_FOR_EACH (s, waiting ? &empty : &scope.macs) {
        vpcrec_port_add_clause_mac(port, OVSDB_F_EQ, s);
    }
    for (size_t i = 0; i < n_subnets; i++) {
        vpcrec_port_add_clause_subnet(port, OVSDB_F_EQ, &uuids[i]);
    }
    if (scope.mode == SCOPE_ADDS) {
        SSET_FOR_EACH (s, waiting ? &empty : &scope.subnet_names) {
            vpcrec_subnet_add_clause_name(subnet, OVSDB_F_EQ, s);
        }
        SSET_FOR_EACH (s, waiting ? &empty : &scope.macs) {
            vpcrec_subnet_add_clause_gateway_mac(subnet, OVSDB_F_EQ, s);
        }
        for (size_t i = n_subnets; i < n; i++) {
            vpcrec_subnet_add_clause_vpc(subnet, OVSDB_F_EQ, &uuids[i]);
        }
        SSET_FOR_EACH (s, &scope.sg_names) {
            vpcrec_security_group_add_clause_name(&conds[2], OVSDB_F_EQ, s);
        }
        SSET_FOR_EACH (s, &scope.rt_names) {
            vpcrec_route_table_add_clause_name(&conds[3], OVSDB_F_EQ, s);
        }
    }
    free(uuids);

    scope_set_conditions(idl, conds);
    scope_conds_destroy(conds);
}

static void
scope_clear(void)
{
    sset_clear(&scope.names);
    sset_clear(&scope.macs);
    sset_clear(&scope.subnets);
    sset_clear(&scope.subnet_names);
    sset_clear(&scope.subnet_vpcs);
    sset_clear(&scope.sg_names);
    sset_clear(&scope.rt_names);
}

/* Adds MAC 's', if it is one, to the MACs whose holders to replicate, or
 * counts one more MAC to allocate if 's' asks for one. */
static void
scope_add_mac(const char *s)
{
    struct eth_addr ea;

    if (!s || !s[0] || !strcmp(s, "dynamic")) {
        scope.n_dynamic_macs++;
    } else if (eth_addr_from_string(s, &ea)) {
        char buf[ETH_ADDR_STRLEN + 1];
        vpc_ctl_mac_normalize(&ea, buf);
        sset_add(&scope.macs, buf);
    }
}

static bool
is_uuid(const char *s)
{
    struct uuid uuid;
    return uuid_from_string(&uuid, s);
}

/* Adds what command 'c' needs to the scope.  Returns the narrowest mode
 * that allows it: SCOPE_ALL if it needs every row. */
static enum scope_mode
scope_add_command(const struct ctl_command *c)
{
    const char *cmd = c->syntax->name;

    if (!strcmp(cmd, "vpc-add")) {
        char *name = xasprintf("%s-default", c->argv[1]);
        sset_add_and_free(&scope.sg_names, name);
        name = xasprintf("%s-main", c->argv[1]);
        sset_add_and_free(&scope.rt_names, name);
        return SCOPE_ADDS;
    } else if (!strcmp(cmd, "subnet-add")) {
        /* vpc_ctl_lookup() also takes a UUID, which a condition on "name"
         * would not find. */
        if (is_uuid(c->argv[2])) {
            return SCOPE_ALL;
        }
        sset_add(&scope.subnet_vpcs, c->argv[1]);
        sset_add(&scope.subnet_names, c->argv[2]);
        struct shash_node *mac = shash_find(&c->options, "--gateway-mac");
        scope_add_mac(mac ? mac->data : NULL);
        return SCOPE_ADDS;
    } else if (!strcmp(cmd, "port-add")) {
        if (is_uuid(c->argv[2])) {
            return SCOPE_ALL;
        }
        sset_add(&scope.names, c->argv[2]);
        sset_add(&scope.subnets, c->argv[1]);
        scope_add_mac(c->argc > 3 ? c->argv[3] : NULL);
        if (is_uuid(c->argv[1])) {
            return SCOPE_PORTS;
        }
        sset_add(&scope.subnet_names, c->argv[1]);
        return SCOPE_ADDS;
    } else if (!strcmp(cmd, "port-del")
               || !strcmp(cmd, "port-show")
               || !strcmp(cmd, "port-set-sg")
               || !strcmp(cmd, "port-set-chassis")
               || !strcmp(cmd, "port-set-hostname")
               || !strcmp(cmd, "port-set-source-check")
               || !strcmp(cmd, "port-migrate")) {
        if (is_uuid(c->argv[1])) {
            return SCOPE_ALL;
        }
        sset_add(&scope.names, c->argv[1]);
        return SCOPE_PORTS;
    }
    return SCOPE_ALL;
}

/* Chooses which rows 'idl' replicates for the 'n' 'commands': a narrow
 * scope if they are all vpc-add, subnet-add or port-add (SCOPE_ADDS), or
 * all port-add, port-del, port-show, port-set-* or port-migrate
 * (SCOPE_PORTS), else every row.  Call after the commands' prerequisites
 * and before the first ovsdb_idl_run(), and not for a dry run, whose
 * transaction the server aborts before its indexes could refuse a MAC
 * address. */
void
vpc_ctl_scope_init(struct ovsdb_idl *idl, const struct ctl_command *commands,
                   size_t n)
{
    enum scope_mode mode = SCOPE_ADDS;
    bool creates = false;       /* Any vpc-add or subnet-add? */

    for (const struct ctl_command *c = commands; c < &commands[n]; c++) {
        enum scope_mode m = scope_add_command(c);
        if (m == SCOPE_ALL) {
            scope_clear();
            return;
        }
        mode = MIN(mode, m);
        creates = creates || !strcmp(c->syntax->name, "vpc-add")
                  || !strcmp(c->syntax->name, "subnet-add");
    }
    if (!n) {
        return;
    }
    if (mode == SCOPE_ADDS && !creates) {
        /* Only port-adds: narrowing the subnets too would cost a round of
         * MAC checks that the replicated subnets make needless. */
        mode = SCOPE_PORTS;
    } else if (mode == SCOPE_PORTS && creates) {
        /* vpc-add or subnet-add with port-del and the like: they read
         * rows that only SCOPE_ADDS knows how to narrow. */
        scope_clear();
        return;
    }
    scope.mode = mode;
    scope.narrow = true;
    scope.dirty = true;
    VLOG_INFO("narrow scope: %s", mode == SCOPE_ADDS
              ? "some rows of Port, Subnet, Security_Group, Route_Table"
              : "some rows of Port");

    /* What the arguments tell at once; the subnets' and VPCs' UUIDs
     * follow once their rows arrive (vpc_ctl_scope_ready()). */
    scope_update(idl, false);
}

/* Returns true if the IDL holds the rows that the commands need, false if
 * the caller must wait for more (with ovsdb_idl_run()).  With a narrow
 * scope, follows the subnets' and VPCs' UUIDs, which only their replicated
 * tables tell. */
bool
vpc_ctl_scope_ready(struct ovsdb_idl *idl)
{
    if (!scope.conditioned) {
        return true;
    }

    /* Setting the same conditions again only returns the seqno to wait
     * for, which a reconnection may have changed. */
    if (scope.narrow) {
        scope_update(idl, true);
    } else {
        scope_set_true(idl);
    }
    return ovsdb_idl_get_condition_seqno(idl) == scope.cond_seqno;
}

/* Is the scope narrow: are only some rows replicated? */
bool
vpc_ctl_scope_is_narrow(void)
{
    return scope.narrow;
}

/* Notes that a command claimed MAC 'mac' (normalized).  With SCOPE_ADDS,
 * a subnet gateway that is not replicated might hold it already. */
void
vpc_ctl_scope_claim_mac(const char *mac)
{
    if (scope.narrow && scope.mode == SCOPE_ADDS
        && !sset_contains(&scope.macs, mac)) {
        sset_add(&scope.claimed, mac);
    }
}

/* Called when the commands of an attempt have run, before its commit: if
 * they claimed MACs whose holders, if any, are not replicated yet, asks
 * for them and returns true: the caller must try again once the IDL
 * catches up (vpc_ctl_scope_ready()). */
bool
vpc_ctl_scope_check_claims(struct ovsdb_idl *idl)
{
    if (sset_is_empty(&scope.claimed)) {
        return false;
    }
    bool narrow = scope.narrow;
    if (narrow) {
        VLOG_INFO("checking %"PRIuSIZE" claimed MAC address(es)",
                  sset_count(&scope.claimed));
        const char *s;
        SSET_FOR_EACH (s, &scope.claimed) {
            sset_add(&scope.macs, s);
        }
        scope.dirty = true;
        scope_update(idl, true);
    }
    sset_clear(&scope.claimed);
    return narrow;
}

/* Forgets the MACs claimed in an attempt that is dropped. */
void
vpc_ctl_scope_forget_claims(void)
{
    sset_clear(&scope.claimed);
}
