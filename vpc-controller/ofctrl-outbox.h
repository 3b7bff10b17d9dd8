/* What a switch session sends, in order, handed to its connection only as
 * fast as the switch reads it.
 *
 * A switch's first bundle holds all of its flows (10,756 each on 20
 * switches at 4,000 ports), and the controller builds every switch's
 * bundle in one pass, far faster than the switches read them: queued as
 * encoded OpenFlow messages (about 300 bytes each with their buffers),
 * they were a quarter of the controller's peak memory.  Here a bundle's
 * flow mods wait as references to the flows' shared match and actions (24
 * bytes each) and are encoded when the connection has room for them.
 * Any other message sent meanwhile waits behind them, so that the switch
 * sees everything in the order it was sent. */
#ifndef VPC_CONTROLLER_OFCTRL_OUTBOX_H
#define VPC_CONTROLLER_OFCTRL_OUTBOX_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "openvswitch/list.h"
#include "openvswitch/ofp-protocol.h"

struct ofpbuf;
struct rconn;
struct rconn_packet_counter;
struct vpc_flow;

/* Flow mods waiting for a commit, each a reference to its flow's match
 * and actions. */
struct ofctrl_mods {
    struct ofctrl_mod *mods;
    size_t n, allocated;
};

void ofctrl_mods_init(struct ofctrl_mods *);
void ofctrl_mods_clear(struct ofctrl_mods *);
void ofctrl_mods_push(struct ofctrl_mods *, const struct vpc_flow *,
                      uint16_t command);

struct ofctrl_outbox {
    struct ovs_list items;      /* Of "struct outbox_item", oldest first. */
    struct rconn_packet_counter *backlog;   /* What the rconn still has. */
};

void ofctrl_outbox_init(struct ofctrl_outbox *);
void ofctrl_outbox_destroy(struct ofctrl_outbox *);
void ofctrl_outbox_send(struct ofctrl_outbox *, struct rconn *,
                        struct ofpbuf *);
void ofctrl_outbox_send_bundle_mods(struct ofctrl_outbox *, struct rconn *,
                                    struct ofctrl_mods *, uint32_t bundle_id,
                                    uint16_t flags, enum ofp_version,
                                    enum ofputil_protocol);
void ofctrl_outbox_run(struct ofctrl_outbox *, struct rconn *);
void ofctrl_outbox_wait(const struct ofctrl_outbox *);
bool ofctrl_outbox_is_empty(const struct ofctrl_outbox *);

#endif /* ofctrl-outbox.h */
