/* What each instance says of the configuration of its chassis.  See
 * cfg-claims.h. */
#include <config.h>
#include "cfg-claims.h"

#include <string.h>

#include "roles.h"
#include "shards.h"
#include "util.h"
#include "vpc-idl.h"

struct cfg_claim {
    const char *owner;          /* The Controller row's name. */
    int64_t cfg;
    uint64_t shards;            /* A bit per shard it speaks for. */
    int64_t n_chassis;          /* How many chassis it speaks for. */
    int64_t n_rows;             /* Connected Chassis rows naming it. */
};

static struct cfg_claim *
find_claim(const struct cfg_claims *c, const char *owner)
{
    for (size_t i = 0; i < c->n; i++) {
        if (!strcmp(c->claims[i].owner, owner)) {
            return &c->claims[i];
        }
    }
    return NULL;
}

/* Loads into 'c' the claims that the Controller rows of 'idl' make, and
 * counts the connected Chassis rows that name each one's instance as their
 * owner.  The claims point into the rows: they are good until the IDL runs
 * again. */
void
cfg_claims_load(struct cfg_claims *c, struct ovsdb_idl *idl)
{
    const struct vpcrec_controller *ctl;
    size_t allocated = 0;

    c->claims = NULL;
    c->n = 0;
    VPCREC_CONTROLLER_FOR_EACH (ctl, idl) {
        if (!ctl->nb_cfg) {
            continue;
        }
        if (c->n >= allocated) {
            c->claims = x2nrealloc(c->claims, &allocated, sizeof *c->claims);
        }
        struct cfg_claim *claim = &c->claims[c->n++];
        claim->owner = ctl->name;
        claim->cfg = *ctl->nb_cfg;
        claim->shards = 0;
        for (size_t i = 0; i < ctl->n_nb_cfg_shards; i++) {
            if (ctl->nb_cfg_shards[i] >= 0
                && ctl->nb_cfg_shards[i] < VPC_MAX_SHARDS) {
                claim->shards |= UINT64_C(1) << ctl->nb_cfg_shards[i];
            }
        }
        claim->n_chassis = ctl->nb_cfg_chassis ? *ctl->nb_cfg_chassis : 0;
        claim->n_rows = 0;
    }
    if (!c->n) {
        return;
    }

    const struct vpcrec_chassis *row;
    VPCREC_CHASSIS_FOR_EACH (row, idl) {
        if (row->connected && row->owner[0]) {
            struct cfg_claim *claim = find_claim(c, row->owner);
            if (claim) {
                claim->n_rows++;
            }
        }
    }
}

/* What the owner of Chassis 'row', whose name hashes (hash_string(name,
 * 0)) to 'name_hash', says the chassis has: its claim, if it speaks for
 * the chassis' shard and for at least as many chassis as the connected
 * rows that name it their owner (more would include one it no longer has,
 * whose row is behind what its claim says); else -1. */
int64_t
cfg_claims_lookup(const struct cfg_claims *c, const struct vpcrec_chassis *row,
                  uint32_t name_hash)
{
    if (!c->n || !row->owner[0]) {
        return -1;
    }
    const struct cfg_claim *claim = find_claim(c, row->owner);
    size_t shard = shard_of_hash(name_hash);
    return (claim && claim->n_rows <= claim->n_chassis
            && shard < VPC_MAX_SHARDS
            && claim->shards & (UINT64_C(1) << shard)
            ? claim->cfg : -1);
}

void
cfg_claims_destroy(struct cfg_claims *c)
{
    free(c->claims);
    c->claims = NULL;
    c->n = 0;
}

/* This instance's Controller row (inserted by its heartbeat), or NULL. */
const struct vpcrec_controller *
cfg_claims_my_row(struct ovsdb_idl *idl)
{
    const struct vpcrec_controller *row;

    VPCREC_CONTROLLER_FOR_EACH (row, idl) {
        if (!strcmp(row->name, roles_instance())) {
            return row;
        }
    }
    return NULL;
}

/* Claims in 'mine', this instance's Controller row, that the 'n_chassis'
 * chassis of the shards it owns have configuration 'cfg' at least, if it
 * does not say so already. */
void
cfg_claims_write(const struct vpcrec_controller *mine, int64_t cfg,
                 int64_t n_chassis)
{
    size_t n_shards = shards_count();
    int64_t *owned = xmalloc((n_shards + 1) * sizeof *owned);
    size_t n_owned = 0;

    for (size_t i = 0; i < n_shards; i++) {
        if (roles_owns_shard(i)) {
            owned[n_owned++] = i;
        }
    }
    if (n_owned != mine->n_nb_cfg_shards
        || (n_owned && memcmp(owned, mine->nb_cfg_shards,
                              n_owned * sizeof *owned))) {
        vpcrec_controller_set_nb_cfg_shards(mine, owned, n_owned);
    }
    free(owned);
    if (!mine->nb_cfg || *mine->nb_cfg != cfg) {
        vpcrec_controller_set_nb_cfg(mine, &cfg, 1);
    }
    if (!mine->nb_cfg_chassis || *mine->nb_cfg_chassis != n_chassis) {
        vpcrec_controller_set_nb_cfg_chassis(mine, &n_chassis, 1);
    }
}
