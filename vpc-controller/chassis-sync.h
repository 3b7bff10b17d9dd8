/* Chassis sync: brings each chassis' switch to the model.
 *
 * A VPC's flows on a chassis are built by ofproto-vpc only when the VPC
 * changed, and only the flows that differ from what the chassis has reach
 * its switch, in one bundle per round.  A switch that was just read
 * (reconnect, new role) is reconciled against everything instead.  Local
 * ports remember the OpenFlow generation that brought their flows, so
 * that a port is "up" once its switch acknowledged that generation. */
#ifndef VPC_CONTROLLER_CHASSIS_SYNC_H
#define VPC_CONTROLLER_CHASSIS_SYNC_H 1

#include <stdbool.h>
#include <stdint.h>
#include "openvswitch/types.h"
#include "vpc-pipeline.h"

struct chassis;
struct hmap;
struct ofctrl;
struct uuid;

void chassis_refresh_ports(struct chassis *);
struct vpc_pl_chassis chassis_view(const struct chassis *);

void chassis_sync_all(const struct hmap *dirty, bool base);
bool chassis_sync_deferred(void);
void chassis_sync_note_idle_work(void);
bool chassis_sync_idle_due(void);
void chassis_sync_n_rounds(uint64_t *rounds, uint64_t *idle);
uint64_t chassis_sync_n_vpc_rebuilds(void);
uint64_t chassis_sync_n_chassis_syncs(void);

bool chassis_sync_port_is_up(const struct chassis *, const struct uuid *port,
                             ofp_port_t ofport);
void chassis_sync_forget_port(const struct uuid *port);
void chassis_sync_port_gen_set(const struct uuid *port, const char *chassis,
                               const struct ofctrl *, ofp_port_t,
                               uint64_t gen);
void chassis_sync_forget_session(const struct ofctrl *);
void chassis_sync_forget_holder(struct chassis *);
void chassis_sync_prune_ports(void);
void chassis_sync_destroy(void);

#endif /* chassis-sync.h */
