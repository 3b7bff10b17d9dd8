/* The gateway groups of the model (model-gw.c). */
#ifndef VPC_CONTROLLER_MODEL_GW_H
#define VPC_CONTROLLER_MODEL_GW_H 1

struct model_gw_group;
struct ovsdb_idl;
struct vpc_model;

void model_gw_build(struct vpc_model *, struct ovsdb_idl *);
void model_gw_group_destroy(struct model_gw_group *);

#endif /* model-gw.h */
