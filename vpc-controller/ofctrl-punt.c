/* The switch side of punted packets: NXT_PACKET_IN2, which carries the
 * userdata of the flow's controller action, and the meters that bound
 * what each host punts (pipeline.h names them). */
#include <config.h>
#include "ofctrl-punt.h"

#include <string.h>

#include "openvswitch/ofp-meter.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/ofp-msgs.h"
#include "coverage.h"
#include "dp-packet.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-errors.h"
#include "pipeline.h"
#include "timeval.h"
#include "util.h"

COVERAGE_DEFINE(ofctrl_punt_overflow);

/* Punted packets kept for ofctrl_recv_punt() at most: more are dropped
 * (and the meter and the caller's own bounds make that rare). */
#define OFCTRL_MAX_PUNTS 100

void
ofctrl_punts_init(struct ofctrl_punts *punts)
{
    ovs_list_init(&punts->queue);
    punts->n = 0;
    punts->n_dropped = 0;
    punts->meter_xid_min = UINT32_MAX;
    punts->meter_xid_max = 0;
    punts->meter_stats_next = 0;
    punts->meter_stats_xid = 0;
    memset(punts->meter_drops, 0, sizeof punts->meter_drops);
}

void
ofctrl_punts_destroy(struct ofctrl_punts *punts)
{
    ofpbuf_list_delete(&punts->queue);
}

/* Keeps a copy of 'oh', a packet-in, for ofctrl_punts_pop(), within
 * bounds. */
void
ofctrl_punts_push(struct ofctrl_punts *punts, const struct ofp_header *oh)
{
    if (punts->n < OFCTRL_MAX_PUNTS) {
        struct ofpbuf *copy = ofpbuf_clone_data(oh, ntohs(oh->length));
        ovs_list_push_back(&punts->queue, &copy->list_node);
        punts->n++;
    } else {
        COVERAGE_INC(ofctrl_punt_overflow);
        punts->n_dropped++;
    }
}

/* Returns the oldest packet-in kept (the caller frees it), or NULL. */
struct ofpbuf *
ofctrl_punts_pop(struct ofctrl_punts *punts)
{
    if (ovs_list_is_empty(&punts->queue)) {
        return NULL;
    }
    punts->n--;
    return CONTAINER_OF(ovs_list_pop_front(&punts->queue), struct ofpbuf,
                        list_node);
}

/* Returns true if 'oh' (an error) answers one of our latest meter mods:
 * "meter exists" for an add, or "not primary" after a lost claim; or our
 * latest meter statistics request, from a switch that keeps none.  There
 * is nothing to repair for any of them: a resync for each would read the
 * whole switch back every few seconds. */
bool
ofctrl_punts_is_meter_reply(const struct ofctrl_punts *punts,
                            const struct ofp_header *oh)
{
    uint32_t xid = ntohl(oh->xid);
    return ((xid >= punts->meter_xid_min && xid <= punts->meter_xid_max)
            || (punts->meter_stats_xid && xid == punts->meter_stats_xid));
}

/* Returns the message that asks for packet-ins as NXT_PACKET_IN2. */
struct ofpbuf *
ofctrl_punt_format_request(enum ofp_version version)
{
    return ofputil_encode_set_packet_in_format(version,
                                               OFPUTIL_PACKET_IN_NXT2);
}

/* Appends to 'msgs' the meter mods that give a switch our meters, whether
 * it has them already or not: for each, an "add" (refused if it exists:
 * ofctrl_punts_is_meter_reply() says to ignore that error) and a "modify"
 * (which then succeeds).  Deleting a meter would delete the flows that use
 * it, so we never do. */
void
ofctrl_punts_meter_mods(struct ofctrl_punts *punts, enum ofp_version version,
                        struct ovs_list *msgs)
{
    punts->meter_xid_min = UINT32_MAX;
    punts->meter_xid_max = 0;

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
            uint32_t xid = ntohl(((struct ofp_header *) msg->data)->xid);
            punts->meter_xid_min = MIN(punts->meter_xid_min, xid);
            punts->meter_xid_max = MAX(punts->meter_xid_max, xid);
            ovs_list_push_back(msgs, &msg->list_node);
        }
    }
}

/* Returns a packet-out of 'packet' (an answer to a punt, say) with
 * 'ofpacts' as its actions. */
struct ofpbuf *
ofctrl_punt_packet_out(enum ofputil_protocol protocol,
                       const struct dp_packet *packet,
                       const struct ofpact *ofpacts, size_t ofpacts_len)
{
    struct ofputil_packet_out po = {
        .packet = dp_packet_data(packet),
        .packet_len = dp_packet_size(packet),
        .buffer_id = UINT32_MAX,
        .ofpacts = CONST_CAST(struct ofpact *, ofpacts),
        .ofpacts_len = ofpacts_len,
    };
    match_init_catchall(&po.flow_metadata);
    match_set_in_port(&po.flow_metadata, OFPP_CONTROLLER);
    return ofputil_encode_packet_out(&po, protocol);
}

#define OFCTRL_METER_STATS_MSEC 5000   /* How often to read meter drops. */

/* Returns the index in 'meter_drops' of our meter 'meter_id', or -1. */
static int
meter_index(uint32_t meter_id)
{
    return (meter_id == VPC_METER_DHCP ? OFCTRL_METER_DHCP
            : meter_id == VPC_METER_TOO_BIG ? OFCTRL_METER_TOO_BIG
            : -1);
}

/* Returns a request for the switch's meter statistics if it is time to ask
 * again (every OFCTRL_METER_STATS_MSEC), otherwise NULL. */
struct ofpbuf *
ofctrl_punts_meter_stats_request(struct ofctrl_punts *punts,
                                 enum ofp_version version)
{
    long long int now = time_msec();

    if (now < punts->meter_stats_next) {
        return NULL;
    }
    struct ofpbuf *msg = ofputil_encode_meter_request(version,
                                                      OFPUTIL_METER_STATS,
                                                      OFPM13_ALL);
    punts->meter_stats_xid = ntohl(((struct ofp_header *) msg->data)->xid);
    punts->meter_stats_next = now + OFCTRL_METER_STATS_MSEC;
    return msg;
}

/* Records what our meters' bands dropped, from meter stats reply 'oh', if
 * it answers our latest request. */
void
ofctrl_punts_meter_stats_reply(struct ofctrl_punts *punts,
                               const struct ofp_header *oh)
{
    if (ntohl(oh->xid) != punts->meter_stats_xid) {
        return;
    }

    struct ofpbuf msg = ofpbuf_const_initializer(oh, ntohs(oh->length));
    struct ofpbuf bands;
    struct ofputil_meter_stats ms;

    ofpbuf_init(&bands, 64);
    while (!ofputil_decode_meter_stats(&msg, &ms, &bands)) {
        int i = meter_index(ms.meter_id);
        if (i >= 0) {
            uint64_t dropped = 0;
            for (size_t b = 0; b < ms.n_bands; b++) {
                dropped += ms.bands[b].packet_count;
            }
            punts->meter_drops[i] = dropped;
        }
    }
    ofpbuf_uninit(&bands);
}
