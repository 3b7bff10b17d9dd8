/* Live migration of a port between two chassis: the destination prepared
 * for the port's arrival, and the source sending a copy of what is for the
 * port there (VPC_T_MIGRANT, and flows of their own in VPC_T_CLASSIFY,
 * VPC_T_PORT_SEC and VPC_T_TO_PORT). */
#ifndef OFPROTO_VPC_STAGE_MIGRATE_H
#define OFPROTO_VPC_STAGE_MIGRATE_H 1

#include <stdbool.h>

struct ofpbuf;
struct vpc_flow_table;
struct vpc_pl_chassis;
struct vpc_pl_port;
struct vpc_pl_vpc;

bool pl_migrate_awaits(const struct vpc_pl_chassis *,
                       const struct vpc_pl_port *);
bool pl_migrate_needs_vpc(const struct vpc_pl_chassis *,
                          const struct vpc_pl_port *);
void pl_migrate_put_arrival(struct ofpbuf *);
void pl_migrate_build_port(struct vpc_flow_table *,
                           const struct vpc_pl_chassis *,
                           const struct vpc_pl_vpc *,
                           const struct vpc_pl_port *, struct ofpbuf *);

#endif /* stage-migrate.h */
