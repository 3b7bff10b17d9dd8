/* Flow monitoring.  See ofctrl-monitor.h. */
#include <config.h>
#include "ofctrl-monitor.h"

#include "flow-table.h"
#include "nx-match.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-monitor.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofpbuf.h"
#include "pipeline.h"

/* Returns a request, for a switch spoken to in 'protocol', to monitor
 * every table for flows added, changed or deleted.  Changes made by our
 * own connection come back only as "abbreviated" events. */
struct ofpbuf *
ofctrl_monitor_request(enum ofputil_protocol protocol)
{
    struct ofputil_flow_monitor_request fmr = {
        .id = 1,
        .command = OFPFMC_ADD,
        .flags = OFPFMF_ADD | OFPFMF_REMOVED | OFPFMF_MODIFY,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .table_id = 0xff,
    };
    match_init_catchall(&fmr.match);

    struct ofpbuf *msg = ofpbuf_new(0);
    ofputil_append_flow_monitor_request(&fmr, msg, protocol);
    ofpmsg_update_length(msg);
    return msg;
}

/* Returns a request, for a switch spoken to in 'protocol', to cancel the
 * monitor that ofctrl_monitor_request() asked for.  A secondary connection
 * has no use for it: the switch would report to it every flow that the
 * primary changes, which is the whole of the primary's work. */
struct ofpbuf *
ofctrl_monitor_cancel(enum ofputil_protocol protocol)
{
    struct ofpbuf *msg = ofputil_encode_flow_monitor_cancel(1, protocol);
    enum ofp_version version = ofputil_protocol_to_ofp_version(protocol);

    if (version >= OFP14_VERSION) {
        /* OpenFlow 1.4 cancels with a monitor request whose command is
         * "delete"; the switch parses its match too, so it needs one. */
        struct match match;
        match_init_catchall(&match);
        oxm_put_match(msg, &match, version);
    }
    ofpmsg_update_length(msg);
    return msg;
}

/* Does flow monitor reply 'oh' report a flow that another connection
 * added, changed or deleted?  (Flows a switch learns itself come and go
 * in VPC_T_GW_NEXT_HOP and VPC_T_MIGRANT, and are nobody's tampering.) */
bool
ofctrl_monitor_is_foreign(const struct ofp_header *oh)
{
    struct ofpbuf msg = ofpbuf_const_initializer(oh, ntohs(oh->length));
    uint64_t stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    bool foreign = false;

    for (;;) {
        struct ofputil_flow_update fu;
        if (ofputil_decode_flow_update(&fu, &msg, &ofpacts)) {
            break;
        }
        if ((fu.event == OFPFME_ADDED || fu.event == OFPFME_REMOVED
             || fu.event == OFPFME_MODIFIED)
            && fu.table_id != VPC_T_GW_NEXT_HOP
            && fu.table_id != VPC_T_MIGRANT) {
            foreign = true;
        }
    }
    ofpbuf_uninit(&ofpacts);
    return foreign;
}

/* Another client (say, "ovs-ofctl add-flow") may have added 'flow' with the
 * packet type wildcarded, which the dumped match lost when it was
 * normalized and which a strict delete must repeat.  If so, makes 'twin'
 * that flow, with body 'twin_body' (whose match the caller destroys), and
 * returns true. */
bool
ofctrl_monitor_foreign_twin(const struct vpc_flow *flow,
                            struct vpc_flow *twin,
                            struct vpc_flow_body *twin_body)
{
    struct match match;

    minimatch_expand(vpc_flow_match(flow), &match);
    if (!match.wc.masks.packet_type) {
        return false;
    }
    match.wc.masks.packet_type = 0;
    match.flow.packet_type = 0;

    struct minimatch mm;
    minimatch_init(&mm, &match);
    vpc_flow_body_init_loose(twin_body, &mm, vpc_flow_ofpacts(flow),
                             vpc_flow_ofpacts_len(flow));
    vpc_flow_init_from_body(twin, twin_body, flow->table_id, flow->priority,
                            flow->cookie);
    return true;
}
