/* What each instance says of the configuration of the chassis it owns.
 *
 * A change leaves the flows of most chassis as they are, and their
 * Chassis_Cfg rows are not written for it.  Instead every instance that
 * owns chassis writes, in its Controller row, the configuration that all
 * of them have at least (nb_cfg) and which chassis that speaks for
 * (nb_cfg_chassis, rewritten only when they change): one integer per
 * instance and change, where writing the rows of its chassis cost one
 * row per chassis it owns, the database's CPU to take them and every
 * instance's to replicate them.  The active instance reads these claims
 * to publish hv_cfg.  See the Controller table in vpc(5). */
#ifndef VPC_CONTROLLER_CFG_CLAIMS_H
#define VPC_CONTROLLER_CFG_CLAIMS_H 1

#include <stddef.h>
#include <stdint.h>

#include "openvswitch/hmap.h"

struct ovsdb_idl;
struct sset;
struct vpcrec_controller;

/* The claims of every instance, as the database has them, by chassis. */
struct cfg_claims {
    struct hmap chassis;            /* struct cfg_claim, by name. */
    struct cfg_claim *claims;
};

void cfg_claims_load(struct cfg_claims *, struct ovsdb_idl *);
int64_t cfg_claims_lookup(const struct cfg_claims *, const char *chassis,
                          uint32_t name_hash);
void cfg_claims_destroy(struct cfg_claims *);

const struct vpcrec_controller *cfg_claims_my_row(struct ovsdb_idl *);
void cfg_claims_write(const struct vpcrec_controller *mine, int64_t cfg,
                      const struct sset *chassis);

#endif /* cfg-claims.h */
