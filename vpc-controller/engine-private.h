/* What every module of the engine reads: the VPC database and the model
 * built from it.  engine.c owns both; changes.c rebuilds the model. */
#ifndef VPC_CONTROLLER_ENGINE_PRIVATE_H
#define VPC_CONTROLLER_ENGINE_PRIVATE_H 1

#include <stdint.h>
#include "model.h"

struct ovsdb_idl;

/* The VPC database, as engine_init() was given it. */
extern struct ovsdb_idl *engine_vpcdb;

/* Every VPC as ofproto-vpc input, and where each port is bound. */
extern struct vpc_model engine_model;

int64_t engine_nb_cfg(void);

#endif /* engine-private.h */
