/* The tables of an emulated switch: flows, groups and meters, changed as
 * ofproto changes its own by flow, group and meter mods (already decoded
 * by OVS's ofp-* functions), with a log of each change so that a bundle
 * can be undone. */
#ifndef EMU_TABLE_H
#define EMU_TABLE_H 1

#include <stdbool.h>
#include <stdint.h>

#include "classifier.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-meter.h"
#include "openvswitch/ofp-group.h"

struct ofpact;
struct ofputil_flow_mod;

/* As ofproto: 255 tables, of which the last (254) is the read-only one
 * of internal flows, and automatic port numbers below 0xff00. */
#define EMU_N_TABLES 255
#define EMU_TBL_INTERNAL 254
#define EMU_MAX_PORTS 0xff00

struct emu_flow {
    struct hmap_node hmap_node;     /* In 'flows', by table and rule. */
    struct cls_rule cr;             /* Match and priority. */
    uint8_t table_id;
    ovs_be64 cookie;
    uint16_t idle_timeout;
    uint16_t hard_timeout;
    uint16_t importance;
    enum ofputil_flow_mod_flags flags;
    long long int created;
    struct ofpact *ofpacts;
    size_t ofpacts_len;
};

struct emu_group {
    struct hmap_node hmap_node;     /* In 'groups', by id. */
    uint32_t id;
    uint8_t type;
    struct ovs_list buckets;        /* Of "struct ofputil_bucket". */
    struct ofputil_group_props props;
    long long int created;
};

struct emu_meter {
    struct hmap_node hmap_node;     /* In 'meters', by id. */
    struct ofputil_meter_config mc; /* 'bands' is ours. */
};

struct emu_table {
    struct hmap flows;              /* Of "struct emu_flow". */
    struct hmap groups;             /* Of "struct emu_group". */
    struct hmap meters;             /* Of "struct emu_meter". */
};

/* One change made to the tables, kept until the change commits (and
 * undone if it does not). */
struct emu_change {
    struct ovs_list list_node;
    bool added;                     /* Else removed. */
    struct emu_flow *flow;          /* One of 'flow' and 'group'. */
    struct emu_group *group;
    struct emu_meter *meter;
};

void emu_table_init(struct emu_table *);
void emu_table_destroy(struct emu_table *);

enum ofperr emu_table_flow_mod(struct emu_table *,
                               const struct ofputil_flow_mod *,
                               struct ovs_list *log);
enum ofperr emu_table_group_mod(struct emu_table *,
                                const struct ofputil_group_mod *,
                                struct ovs_list *log);
enum ofperr emu_table_meter_mod(struct emu_table *,
                                const struct ofputil_meter_mod *,
                                struct ovs_list *log);
void emu_table_finish(struct emu_table *, struct ovs_list *log, bool ok);

enum ofperr emu_table_check_ofpacts(const struct emu_table *,
                                    const struct ofpact *, size_t);
bool emu_flow_is_selected(const struct emu_flow *, uint8_t table_id,
                          const struct minimatch *, int priority,
                          bool strict, ovs_be64 cookie, ovs_be64 cookie_mask,
                          ofp_port_t out_port, uint32_t out_group);

#endif /* emu-table.h */
