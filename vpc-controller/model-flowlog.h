/* The flow logs of a VPC in the model: as ofproto-vpc input (the sample
 * actions), and where each sends its records (the hosts' collector sets).
 * Part of model.c's VPC build (see model.h). */
#ifndef VPC_CONTROLLER_MODEL_FLOWLOG_H
#define VPC_CONTROLLER_MODEL_FLOWLOG_H 1

#include <stdbool.h>
#include <stdint.h>

struct model_vpc;
struct ovsdb_idl;
struct uuid;
struct vpcrec_vpc;
struct vpc_pl_vpc;

void model_flowlog_build(const struct vpcrec_vpc *, struct model_vpc *);
uint32_t model_flowlog_fingerprint(const struct vpc_pl_vpc *,
                                   uint32_t basis);

#endif /* model-flowlog.h */
