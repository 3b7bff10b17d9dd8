/* The flow and group mods that a switch session queues, encoded (see
 * ofctrl.c, which sends them in bundles through ofctrl-outbox.c).  'name'
 * names the session in the debug log. */
#include <config.h>
#include "ofctrl-mods.h"

#include "byte-order.h"
#include "flow-table.h"
#include "group-table.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-group.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"

VLOG_DEFINE_THIS_MODULE(ofctrl_mods);

/* Logs (at debug level) that session 'name' queues flow mod 'command' of
 * 'flow'. */
void
ofctrl_log_flow_mod(const char *name, const struct vpc_flow *flow,
                    uint16_t command)
{
    if (VLOG_IS_DBG_ENABLED()) {
        struct ds s = DS_EMPTY_INITIALIZER;
        vpc_flow_format(flow, &s);
        VLOG_DBG("%s: %s %s", name,
                 command == OFPFC_ADD ? "add"
                 : command == OFPFC_DELETE_STRICT ? "delete" : "modify",
                 ds_cstr(&s));
        ds_destroy(&s);
    }
}

/* Returns flow mod 'command' (OFPFC_ADD, OFPFC_MODIFY_STRICT or
 * OFPFC_DELETE_STRICT) of 'flow' for a switch that speaks 'protocol'. */
struct ofpbuf *
ofctrl_encode_flow_mod(const struct vpc_flow *flow, uint16_t command,
                       enum ofputil_protocol protocol)
{
    struct ofputil_flow_mod fm = {
        .match = *vpc_flow_match(flow),
        .priority = flow->priority,
        .new_cookie = htonll(flow->cookie),
        .modify_cookie = command == OFPFC_MODIFY_STRICT,
        .table_id = flow->table_id,
        .command = command,
        .buffer_id = UINT32_MAX,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
    };
    if (command != OFPFC_DELETE_STRICT) {
        fm.ofpacts = CONST_CAST(struct ofpact *, vpc_flow_ofpacts(flow));
        fm.ofpacts_len = vpc_flow_ofpacts_len(flow);
    } else {
        fm.new_cookie = OVS_BE64_MAX;
    }
    return ofputil_encode_flow_mod(&fm, protocol);
}

/* Appends to 'adds' ('dels') the group mod that adds or replaces
 * (deletes) group 'g'. */
static void
put_group_mod(const char *name, enum ofp_version version,
              const struct vpc_group *g, bool delete,
              struct ovs_list *adds, struct ovs_list *dels)
{
    VLOG_DBG("%s: %s %s", name, delete ? "delete" : "set", g->desc);

    struct ofputil_group_mod gm = {
        .command = delete ? OFPGC11_DELETE : OFPGC11_ADD_OR_MOD,
        .type = g->type,
        .group_id = g->id,
        .command_bucket_id = OFPG15_BUCKET_ALL,
    };
    ovs_list_init(&gm.buckets);
    if (!delete) {
        ofputil_bucket_clone_list(&gm.buckets, &g->buckets, NULL);
    }
    struct ofpbuf *msg = ofputil_encode_group_mod(version, &gm, NULL, -1);
    ofputil_uninit_group_mod(&gm);
    ovs_list_push_back(delete ? dels : adds, &msg->list_node);
}

/* Appends to 'adds' and 'dels' the group mods, for OpenFlow 'version',
 * that turn groups 'old' into 'new' (either NULL: none), and returns how
 * many. */
size_t
ofctrl_encode_group_diff(const char *name, enum ofp_version version,
                         const struct vpc_group_table *old,
                         const struct vpc_group_table *new,
                         struct ovs_list *adds, struct ovs_list *dels)
{
    const struct vpc_group *g;
    size_t n = 0;

    if (new) {
        HMAP_FOR_EACH (g, hmap_node, &new->groups) {
            const struct vpc_group *had = (old ? vpc_group_table_find(old,
                                                                      g->id)
                                           : NULL);
            if (!had || !vpc_group_equal(had, g)) {
                put_group_mod(name, version, g, false, adds, dels);
                n++;
            }
        }
    }
    if (old) {
        HMAP_FOR_EACH (g, hmap_node, &old->groups) {
            if (!new || !vpc_group_table_find(new, g->id)) {
                put_group_mod(name, version, g, true, adds, dels);
                n++;
            }
        }
    }
    return n;
}
