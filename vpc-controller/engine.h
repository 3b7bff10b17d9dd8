/* The controller's engine: hosts and their OpenFlow sessions become
 * chassis; the VPC database and the chassis' interfaces become a model;
 * the model becomes flows on every chassis and status in the database. */
#ifndef VPC_CONTROLLER_ENGINE_H
#define VPC_CONTROLLER_ENGINE_H 1

#include <stdbool.h>

struct ds;
struct host_config;
struct jsonrpc;
struct ovsdb_idl;
struct vconn;

void engine_init(struct ovsdb_idl *vpcdb, const char *instance);
void engine_destroy(void);

void engine_add_host(struct jsonrpc *, bool ssl);
void engine_add_switch(struct vconn *, bool ssl);

void engine_run(const struct host_config *);
void engine_wait(void);

void engine_force_recompute(void);
void engine_format_status(struct ds *);
void engine_format_chassis(struct ds *);
void engine_format_flow_counts(struct ds *);
bool engine_format_flows(const char *chassis, struct ds *);

#endif /* engine.h */
