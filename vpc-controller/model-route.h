/* The route tables and peerings of a VPC in the model: its tables and
 * their routes as ofproto-vpc input, which table each subnet uses, and its
 * active peerings, with the peer VPCs they lead to.  Part of model.c's VPC
 * build (see model.h). */
#ifndef VPC_CONTROLLER_MODEL_ROUTE_H
#define VPC_CONTROLLER_MODEL_ROUTE_H 1

#include <stdbool.h>
#include <stdint.h>
#include "model.h"

struct ovsdb_idl;
struct uuid;
struct uuidset;
struct vpcrec_subnet;
struct vpcrec_vpc;

/* What building one VPC's route tables leaves for its subnets and ports. */
struct model_route_builder {
    const struct vpcrec_vpc *vpc;
    struct model_uuid_map tables;   /* Route_Table uuid -> number. */
    const struct vpcrec_route_table **table_rows;
    size_t n_tables;
};

void model_route_begin(const struct vpcrec_vpc *, struct model_route_builder *);
uint32_t model_route_subnet_table(const struct model_route_builder *,
                                  const struct vpcrec_subnet *);
void model_route_finish(struct model_route_builder *, struct model_vpc *);
void model_route_resolve(struct vpc_model *, struct model_vpc *);
uint32_t model_route_fingerprint(const struct vpc_pl_vpc *, uint32_t basis);
void model_route_add_peers(const struct vpc_model *, struct ovsdb_idl *,
                           struct uuidset *vpcs);

#endif /* model-route.h */
