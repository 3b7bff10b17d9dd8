/* Where a port is bound: the model's choice among the chassis that have an
 * interface for it.  Part of model.c's VPC build (see model.h). */
#ifndef VPC_CONTROLLER_MODEL_BINDING_H
#define VPC_CONTROLLER_MODEL_BINDING_H 1

#include <stddef.h>

struct model_location;
struct sset;
struct vpc_model;
struct vpcrec_port;

const struct model_location *model_resolve_binding(
    const struct vpc_model *, const char *name, const struct vpcrec_port *,
    const struct model_location *previous,
    struct model_location *const *connected, size_t n_connected,
    struct sset *refused);
const struct model_location *model_migration_destination(
    const struct vpc_model *, const struct vpcrec_port *);

#endif /* model-binding.h */
