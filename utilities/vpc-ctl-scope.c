/* vpc-ctl: which Port rows a command batch replicates.
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
 * by VPC_Global:alloc_seqno. */
#include <config.h>

#include <string.h>

#include "db-ctl-base.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "sset.h"
#include "uuid.h"
#include "vpc-ctl.h"
#include "vpc-ctl-alloc.h"
#include "vpc-idl.h"

static struct {
    bool narrow;                /* Replicating only some Port rows? */
    bool conditioned;           /* Was a Port condition ever set? */
    unsigned int cond_seqno;    /* The IDL matches the condition set last
                                 * once its condition seqno reaches this. */
    struct sset names;          /* PORT arguments. */
    struct sset macs;           /* MAC arguments, normalized. */
    struct sset subnets;        /* SUBNET arguments. */
} scope = {
    .names = SSET_INITIALIZER(&scope.names),
    .macs = SSET_INITIALIZER(&scope.macs),
    .subnets = SSET_INITIALIZER(&scope.subnets),
};

static void
scope_set_condition(struct ovsdb_idl *idl, struct ovsdb_idl_condition *cond)
{
    unsigned int seqno = vpcrec_port_set_condition(idl, cond);

    if (!scope.conditioned || seqno != scope.cond_seqno) {
        /* The change goes out on the next ovsdb_idl_run(). */
        scope.conditioned = true;
        scope.cond_seqno = seqno;
        poll_immediate_wake();
    }
}

static void
scope_set_true(struct ovsdb_idl *idl)
{
    struct ovsdb_idl_condition cond;

    ovsdb_idl_condition_init(&cond);
    ovsdb_idl_condition_add_clause_true(&cond);
    scope_set_condition(idl, &cond);
    ovsdb_idl_condition_destroy(&cond);
}

/* Replicates every row of the Port table.  Returns true if the scope was
 * narrow, in which case the caller should try again once the IDL catches
 * up (vpc_ctl_scope_ready()). */
bool
vpc_ctl_scope_widen(struct ovsdb_idl *idl)
{
    if (!scope.narrow) {
        return false;
    }
    scope.narrow = false;
    scope_set_true(idl);
    return true;
}

/* Builds the Port condition from the arguments and the current subnets. */
static void
scope_update(struct ovsdb_idl *idl)
{
    struct ovsdb_idl_condition cond;
    const char *s;

    ovsdb_idl_condition_init(&cond);
    SSET_FOR_EACH (s, &scope.names) {
        vpcrec_port_add_clause_name(&cond, OVSDB_F_EQ, s);
    }
    SSET_FOR_EACH (s, &scope.macs) {
        vpcrec_port_add_clause_mac(&cond, OVSDB_F_EQ, s);
    }

    /* Subnets are few: index them by name for big batches. */
    struct shash by_name = SHASH_INITIALIZER(&by_name);
    const struct vpcrec_subnet *subnet;
    VPCREC_SUBNET_FOR_EACH (subnet, idl) {
        shash_add_once(&by_name, subnet->name, subnet);
    }
    SSET_FOR_EACH (s, &scope.subnets) {
        struct uuid uuid;
        subnet = shash_find_data(&by_name, s);
        if (!subnet && uuid_from_string(&uuid, s)) {
            subnet = vpcrec_subnet_get_for_uuid(idl, &uuid);
        }
        if (subnet) {
            vpcrec_port_add_clause_subnet(&cond, OVSDB_F_EQ,
                                          &subnet->header_.uuid);
        }
    }
    shash_destroy(&by_name);

    scope_set_condition(idl, &cond);
    ovsdb_idl_condition_destroy(&cond);
}

/* Chooses how many Port rows 'idl' replicates for the 'n' 'commands': a
 * narrow scope if they are all port-add, port-del, port-show,
 * port-set-* or port-migrate, else every row.  Call after the commands'
 * prerequisites and before the first ovsdb_idl_run(), and not for a dry
 * run, whose transaction the server aborts before its indexes could
 * refuse a MAC address. */
void
vpc_ctl_scope_init(struct ovsdb_idl *idl, const struct ctl_command *commands,
                   size_t n)
{
    const struct ctl_command *c;

    for (c = commands; c < &commands[n]; c++) {
        struct uuid uuid;

        /* vpc_ctl_port_lookup() also takes a UUID, which a condition on
         * "name" would not find. */
        bool add = !strcmp(c->syntax->name, "port-add");
        bool by_name = (!strcmp(c->syntax->name, "port-del")
                        || !strcmp(c->syntax->name, "port-show")
                        || !strcmp(c->syntax->name, "port-set-sg")
                        || !strcmp(c->syntax->name, "port-set-chassis")
                        || !strcmp(c->syntax->name, "port-set-hostname")
                        || !strcmp(c->syntax->name,
                                   "port-set-source-check")
                        || !strcmp(c->syntax->name, "port-migrate"));
        const char *name = add ? c->argv[2] : c->argv[1];
        if ((!add && !by_name) || uuid_from_string(&uuid, name)) {
            sset_clear(&scope.names);
            sset_clear(&scope.macs);
            sset_clear(&scope.subnets);
            return;
        }
        sset_add(&scope.names, name);
        if (by_name) {
            continue;
        }
        sset_add(&scope.subnets, c->argv[1]);

        const char *mac_s = c->argc > 3 ? c->argv[3] : NULL;
        struct eth_addr ea;
        if (mac_s && mac_s[0] && strcmp(mac_s, "dynamic")
            && eth_addr_from_string(mac_s, &ea)) {
            char buf[ETH_ADDR_STRLEN + 1];
            vpc_ctl_mac_normalize(&ea, buf);
            sset_add(&scope.macs, buf);
        }
    }
    if (n) {
        /* Nothing until the Subnet rows tell the subnets' UUIDs. */
        struct ovsdb_idl_condition cond;
        ovsdb_idl_condition_init(&cond);
        scope_set_condition(idl, &cond);
        ovsdb_idl_condition_destroy(&cond);
        scope.narrow = true;
    }
}

/* Returns true if the IDL holds the rows that the commands need, false if
 * the caller must wait for more (with ovsdb_idl_run()).  With a narrow
 * scope, follows the subnets' UUIDs, which only the replicated Subnet
 * table tells. */
bool
vpc_ctl_scope_ready(struct ovsdb_idl *idl)
{
    if (!scope.conditioned) {
        return true;
    }

    /* Setting the same condition again only returns the seqno to wait for,
     * which a reconnection may have changed. */
    if (scope.narrow) {
        scope_update(idl);
    } else {
        scope_set_true(idl);
    }
    return ovsdb_idl_get_condition_seqno(idl) == scope.cond_seqno;
}

/* Is the scope narrow: are only some Port rows replicated? */
bool
vpc_ctl_scope_is_narrow(void)
{
    return scope.narrow;
}
