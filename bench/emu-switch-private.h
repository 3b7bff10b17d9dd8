/* What the emulated switch's files share about a switch and its
 * connections.  Only bench/emu-switch*.c include this header: everyone
 * else goes through emu-switch.h. */
#ifndef EMU_SWITCH_PRIVATE_H
#define EMU_SWITCH_PRIVATE_H 1

#include <stdbool.h>
#include <stdint.h>

#include "emu-switch.h"
#include "emu-table.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-protocol.h"
#include "openflow/openflow.h"

struct ofp_header;
struct ofputil_phy_port;
struct ofpbuf;
struct pvconn;
struct rconn;

struct emu_bundle {
    struct hmap_node hmap_node;     /* In the connection's 'bundles'. */
    uint32_t id;
    uint16_t flags;
    bool closed;
    struct ovs_list msgs;           /* Bundle add messages, in order. */
};

struct emu_conn {
    struct ovs_list list_node;      /* In the switch's 'conns'. */
    struct emu_switch *sw;
    struct rconn *rconn;
    char *target;                   /* A controller's; NULL if accepted. */
    unsigned int conn_seqno;
    enum ofputil_protocol protocol; /* 0 until the version is known. */
    enum ofp12_controller_role role;
    struct hmap bundles;
    bool monitoring;                /* Has a flow monitor. */
};

struct emu_switch {
    char *name;
    uint64_t dpid;
    uint32_t allowed_versions;
    struct emu_table table;
    struct emu_port *ports;
    size_t n_ports;
    bool election_id_defined;
    uint64_t election_id;
    struct pvconn *mgmt;
    struct ovs_list conns;          /* Of "struct emu_conn". */
};

void emu_conn_send(struct emu_conn *, struct ofpbuf *);
void emu_port_describe(const struct emu_port *, struct ofputil_phy_port *);
void emu_conn_send_replies(struct emu_conn *, struct ovs_list *replies);

/* emu-switch-stats.c: the multipart requests (what a switch reports of its
 * ports, flows, groups, meters and tables) and flow monitors. */
enum ofperr emu_handle_port_desc_request(struct emu_conn *,
                                         const struct ofp_header *);
enum ofperr emu_handle_flow_stats_request(struct emu_conn *,
                                          const struct ofp_header *,
                                          bool aggregate);
enum ofperr emu_handle_group_desc_request(struct emu_conn *,
                                          const struct ofp_header *);
enum ofperr emu_handle_group_stats_request(struct emu_conn *,
                                           const struct ofp_header *);
enum ofperr emu_handle_meter_config_request(struct emu_conn *,
                                            const struct ofp_header *);
enum ofperr emu_handle_meter_stats_request(struct emu_conn *,
                                           const struct ofp_header *);
enum ofperr emu_handle_flow_monitor_request(struct emu_conn *,
                                            const struct ofp_header *);
enum ofperr emu_handle_table_features_request(struct emu_conn *,
                                              const struct ofp_header *);
enum ofperr emu_handle_table_stats_request(struct emu_conn *,
                                           const struct ofp_header *);

#endif /* emu-switch-private.h */
