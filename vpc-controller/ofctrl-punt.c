/* The switch side of punted packets: NXT_PACKET_IN2, which carries the
 * userdata of the flow's controller action, and the meters that bound
 * what each host punts (pipeline.h names them). */
#include <config.h>
#include "ofctrl-punt.h"

#include "openvswitch/ofp-meter.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/ofp-msgs.h"
#include "pipeline.h"
#include "util.h"

/* Returns the message that asks for packet-ins as NXT_PACKET_IN2. */
struct ofpbuf *
ofctrl_punt_format_request(enum ofp_version version)
{
    return ofputil_encode_set_packet_in_format(version,
                                               OFPUTIL_PACKET_IN_NXT2);
}

/* Appends to 'msgs' the meter mods that give a switch our meters, whether
 * it has them already or not: for each, an "add" (refused if it exists:
 * the caller ignores that error) and a "modify" (which then succeeds).
 * Deleting a meter would delete the flows that use it, so we never do. */
void
ofctrl_punt_meter_mods(enum ofp_version version, struct ovs_list *msgs)
{
    static const struct {
        uint32_t id;
        uint32_t rate;          /* Packets per second. */
    } meters[] = {
        { VPC_METER_DHCP, VPC_METER_DHCP_RATE },
        { VPC_METER_TOO_BIG, VPC_METER_TOO_BIG_RATE },
    };

    for (size_t i = 0; i < ARRAY_SIZE(meters); i++) {
        static const uint16_t commands[] = { OFPMC13_ADD, OFPMC13_MODIFY };
        struct ofputil_meter_band band = {
            .type = OFPMBT13_DROP,
            .rate = meters[i].rate,
            .burst_size = meters[i].rate,
        };
        for (size_t j = 0; j < ARRAY_SIZE(commands); j++) {
            struct ofputil_meter_mod mm = {
                .command = commands[j],
                .meter = {
                    .meter_id = meters[i].id,
                    .flags = OFPMF13_PKTPS | OFPMF13_BURST | OFPMF13_STATS,
                    .n_bands = 1,
                    .bands = &band,
                },
            };
            struct ofpbuf *msg = ofputil_encode_meter_mod(version, &mm);
            ovs_list_push_back(msgs, &msg->list_node);
        }
    }
}
