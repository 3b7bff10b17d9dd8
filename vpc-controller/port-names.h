/* The Port rows of the VPC database by name: what an interface's iface-id
 * on a host, or a packet punted from its OpenFlow port, finds its port
 * by. */
#ifndef VPC_CONTROLLER_PORT_NAMES_H
#define VPC_CONTROLLER_PORT_NAMES_H 1

struct ovsdb_idl;
struct vpcrec_port;

void port_names_init(struct ovsdb_idl *);
void port_names_absorb(void);
void port_names_for_each(const char *name,
                         void (*)(const struct vpcrec_port *, void *aux),
                         void *aux);
void port_names_destroy(void);

#endif /* port-names.h */
