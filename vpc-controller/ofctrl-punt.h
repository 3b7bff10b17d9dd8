/* The switch side of punted packets (see punt.h): the packet-in format we
 * ask for, the meters every punt goes through, and the punted packets a
 * session keeps for its caller. */
#ifndef VPC_CONTROLLER_OFCTRL_PUNT_H
#define VPC_CONTROLLER_OFCTRL_PUNT_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "openvswitch/list.h"
#include "openvswitch/ofp-protocol.h"

struct ofp_header;
struct ofpbuf;

/* A session's punted packets (NXT_PACKET_IN2 messages) waiting for
 * ofctrl_recv_punt(), and the meter mods whose errors mean nothing. */
/* The meters every switch has for what the pipeline sends us. */
enum ofctrl_meter {
    OFCTRL_METER_DHCP,          /* DHCP requests (VPC_METER_DHCP). */
    OFCTRL_METER_TOO_BIG,       /* Packets too big (VPC_METER_TOO_BIG). */
    OFCTRL_N_METERS
};

struct ofctrl_punts {
    struct ovs_list queue;          /* Of struct ofpbuf. */
    size_t n;
    uint64_t n_dropped;             /* Queue full. */
    uint32_t meter_xid_min, meter_xid_max;

    /* What the switch's meters dropped, as its meter statistics said last
     * (asked every OFCTRL_METER_STATS_MSEC by the primary). */
    long long int meter_stats_next;
    uint32_t meter_stats_xid;
    uint64_t meter_drops[OFCTRL_N_METERS];
};

void ofctrl_punts_init(struct ofctrl_punts *);
void ofctrl_punts_destroy(struct ofctrl_punts *);
void ofctrl_punts_push(struct ofctrl_punts *, const struct ofp_header *);
struct ofpbuf *ofctrl_punts_pop(struct ofctrl_punts *);
void ofctrl_punts_meter_mods(struct ofctrl_punts *, enum ofp_version,
                             struct ovs_list *msgs);
bool ofctrl_punts_is_meter_reply(const struct ofctrl_punts *,
                                 const struct ofp_header *);
struct ofpbuf *ofctrl_punts_meter_stats_request(struct ofctrl_punts *,
                                                enum ofp_version);
void ofctrl_punts_meter_stats_reply(struct ofctrl_punts *,
                                    const struct ofp_header *);

struct ofpbuf *ofctrl_punt_format_request(enum ofp_version);

struct dp_packet;
struct ofpact;
struct ofpbuf *ofctrl_punt_packet_out(enum ofputil_protocol,
                                      const struct dp_packet *,
                                      const struct ofpact *,
                                      size_t ofpacts_len);

#endif /* ofctrl-punt.h */
