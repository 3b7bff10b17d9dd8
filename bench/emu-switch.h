/* An emulated OpenFlow switch: one bridge of one emulated host.
 *
 * It speaks OpenFlow the way ovs-vswitchd does toward its controllers and
 * toward "ovs-ofctl" on its management socket: every message is decoded
 * with OVS's own ofp-* functions, refused with the error OVS would give,
 * and flow, group and meter mods change a table kept in memory that can
 * be dumped, compared and counted.  There is no datapath: packet-outs are
 * checked and dropped, and no packet ever reaches a flow. */
#ifndef EMU_SWITCH_H
#define EMU_SWITCH_H 1

#include <stddef.h>
#include <stdint.h>

#include "openvswitch/types.h"

struct emu_switch;
struct sset;

/* A port, as the switch describes it to its controllers. */
struct emu_port {
    const char *name;
    ofp_port_t ofport;
    struct eth_addr mac;
};

struct emu_switch *emu_switch_create(const char *name, const char *mgmt);
void emu_switch_destroy(struct emu_switch *);

void emu_switch_set_dpid(struct emu_switch *, uint64_t dpid);
void emu_switch_set_versions(struct emu_switch *, uint32_t allowed);
void emu_switch_set_controllers(struct emu_switch *, const struct sset *);
void emu_switch_set_ports(struct emu_switch *, const struct emu_port *,
                          size_t n);
bool emu_switch_is_connected(const struct emu_switch *, const char *target);

void emu_switch_run(struct emu_switch *);
void emu_switch_wait(struct emu_switch *);

size_t emu_switch_n_flows(const struct emu_switch *);
size_t emu_switch_n_groups(const struct emu_switch *);
size_t emu_switch_n_conns(const struct emu_switch *);

#endif /* emu-switch.h */
