/* The security groups of a VPC in the model: its groups and their rules
 * as ofproto-vpc input, and each port's groups.  Part of model.c's VPC
 * build (see model.h). */
#ifndef VPC_CONTROLLER_MODEL_SG_H
#define VPC_CONTROLLER_MODEL_SG_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"

struct model_vpc;
struct ovsdb_idl;
struct uuid;
struct vpcrec_port;
struct vpcrec_vpc;
struct vpc_pl_vpc;

/* What building one VPC's groups leaves for its ports. */
struct model_sg_builder {
    struct model_uuid_map groups;   /* Security_Group uuid -> index. */
    size_t default_sg;          /* Index of the default group. */
};

void model_sg_build(const struct vpcrec_vpc *, struct model_vpc *,
                    struct model_sg_builder *);
void model_sg_number(struct model_vpc *);
size_t model_sg_port_groups(const struct model_sg_builder *,
                            const struct vpcrec_port *, size_t *sgs);
void model_sg_builder_destroy(struct model_sg_builder *);
uint32_t model_sg_fingerprint(const struct vpc_pl_vpc *, uint32_t basis);

#endif /* model-sg.h */
