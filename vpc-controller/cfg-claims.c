/* What each instance says of the configuration of its chassis.  See
 * cfg-claims.h. */
#include <config.h>
#include "cfg-claims.h"

#include <string.h>

#include "hash.h"
#include "roles.h"
#include "sset.h"
#include "util.h"
#include "vpc-idl.h"

/* A chassis that a claim speaks for. */
struct cfg_claim {
    struct hmap_node node;          /* In 'chassis', by name. */
    const char *name;               /* In the Controller row. */
    int64_t cfg;
};

static struct cfg_claim *
find_claim(const struct cfg_claims *c, const char *name, uint32_t hash)
{
    struct cfg_claim *claim;

    HMAP_FOR_EACH_WITH_HASH (claim, node, hash, &c->chassis) {
        if (!strcmp(claim->name, name)) {
            return claim;
        }
    }
    return NULL;
}

/* Loads into 'c' the claims that the Controller rows of 'idl' make.  They
 * point into the rows: they are good until the IDL runs again. */
void
cfg_claims_load(struct cfg_claims *c, struct ovsdb_idl *idl)
{
    const struct vpcrec_controller *ctl;
    size_t n = 0;

    VPCREC_CONTROLLER_FOR_EACH (ctl, idl) {
        n += ctl->nb_cfg ? ctl->n_nb_cfg_chassis : 0;
    }
    hmap_init(&c->chassis);
    c->claims = n ? xmalloc(n * sizeof *c->claims) : NULL;
    if (!n) {
        return;
    }
    hmap_reserve(&c->chassis, n);

    n = 0;
    VPCREC_CONTROLLER_FOR_EACH (ctl, idl) {
        if (!ctl->nb_cfg) {
            continue;
        }
        for (size_t i = 0; i < ctl->n_nb_cfg_chassis; i++) {
            const char *name = ctl->nb_cfg_chassis[i];
            uint32_t hash = hash_string(name, 0);
            struct cfg_claim *claim = find_claim(c, name, hash);
            if (claim) {
                /* Two instances speak for it while it changes hands (or
                 * until a dead one's row goes): each said what the chassis
                 * had when it wrote, and its flows keep that until the
                 * new owner brings them further, as a Chassis_Cfg row
                 * would say. */
                claim->cfg = MAX(claim->cfg, *ctl->nb_cfg);
                continue;
            }
            claim = &c->claims[n++];
            claim->name = name;
            claim->cfg = *ctl->nb_cfg;
            hmap_insert(&c->chassis, &claim->node, hash);
        }
    }
}

/* The configuration that the claims say chassis 'name' (which hashes,
 * hash_string(name, 0), to 'name_hash') has; -1 if none speaks for it. */
int64_t
cfg_claims_lookup(const struct cfg_claims *c, const char *name,
                  uint32_t name_hash)
{
    const struct cfg_claim *claim = find_claim(c, name, name_hash);
    return claim ? claim->cfg : -1;
}

void
cfg_claims_destroy(struct cfg_claims *c)
{
    hmap_destroy(&c->chassis);
    free(c->claims);
    c->claims = NULL;
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

/* Claims in 'mine', this instance's Controller row, that the chassis in
 * 'chassis' have configuration 'cfg' at least, if it does not say so
 * already. */
void
cfg_claims_write(const struct vpcrec_controller *mine, int64_t cfg,
                 const struct sset *chassis)
{
    const char **names = sset_sort(chassis);
    size_t n = sset_count(chassis);
    bool same = n == mine->n_nb_cfg_chassis;

    for (size_t i = 0; same && i < n; i++) {
        same = !strcmp(names[i], mine->nb_cfg_chassis[i]);
    }
    if (!same) {
        vpcrec_controller_set_nb_cfg_chassis(mine, names, n);
    }
    free(names);
    if (!mine->nb_cfg || *mine->nb_cfg != cfg) {
        vpcrec_controller_set_nb_cfg(mine, &cfg, 1);
    }
}
