/* An emulated host: its Open_vSwitch database, served in-process and
 * dialing in to the controllers as "ovs-vsctl set-manager" makes
 * ovsdb-server do, and ovs-vswitchd's side of that database (bridges,
 * OpenFlow port numbers, interface state, cur_cfg), with an emulated
 * OpenFlow switch (emu-switch.h) per bridge. */
#ifndef EMU_HOST_H
#define EMU_HOST_H 1

#include <stddef.h>

struct ds;
struct emu_host;
struct ovsdb_schema;
struct smap;
struct sset;
struct svec;

struct emu_host_config {
    const char *name;               /* system-id and hostname. */
    const char *encap_ip;           /* external_ids:vpc-encap-ip. */
    const struct smap *external_ids;  /* More external_ids, or NULL. */
    const struct sset *managers;    /* OVSDB remotes to dial. */
    const char *dir;                /* For db.sock and BRIDGE.mgmt, or NULL. */
    const struct svec *bridges;     /* "BRIDGE[:PORT,...]": bridges the
                                     * operator made before onboarding. */
};

struct emu_host *emu_host_create(const struct ovsdb_schema *,
                                 const struct emu_host_config *,
                                 char **errorp);
void emu_host_destroy(struct emu_host *);

void emu_host_run(struct emu_host *);
void emu_host_wait(struct emu_host *);

const char *emu_host_name(const struct emu_host *);
size_t emu_host_n_flows(const struct emu_host *);
void emu_host_format(const struct emu_host *, struct ds *);

#endif /* emu-host.h */
