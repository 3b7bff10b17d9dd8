/* The network ACLs of a VPC in the model: its ACLs and their rules as
 * ofproto-vpc input, and which one each subnet uses.  Part of model.c's
 * VPC build (see model.h). */
#ifndef VPC_CONTROLLER_MODEL_ACL_H
#define VPC_CONTROLLER_MODEL_ACL_H 1

#include <stdbool.h>
#include <stdint.h>
#include "model.h"

struct model_vpc;
struct ovsdb_idl;
struct uuid;
struct vpcrec_subnet;
struct vpcrec_vpc;
struct vpc_pl_vpc;

/* What building one VPC's ACLs leaves for its subnets. */
struct model_acl_builder {
    struct model_uuid_map acls;     /* Network_ACL uuid -> number. */
};

void model_acl_build(const struct vpcrec_vpc *, struct model_vpc *,
                     struct model_acl_builder *);
uint32_t model_acl_subnet_acl(const struct model_acl_builder *,
                              const struct vpcrec_subnet *);
void model_acl_builder_destroy(struct model_acl_builder *);
uint32_t model_acl_fingerprint(const struct vpc_pl_vpc *, uint32_t basis);

#endif /* model-acl.h */
