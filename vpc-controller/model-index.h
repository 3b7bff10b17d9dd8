#ifndef VPC_CONTROLLER_MODEL_INDEX_H
#define VPC_CONTROLLER_MODEL_INDEX_H 1

struct model_vpc;
struct vpc_model;

void model_index_vpc(struct vpc_model *, struct model_vpc *);
void model_unindex_vpc(struct vpc_model *, struct model_vpc *);
void model_index_destroy(struct vpc_model *);

#endif /* model-index.h */
