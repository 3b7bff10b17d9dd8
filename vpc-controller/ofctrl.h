/* One OpenFlow session with one switch: handshake, reconciliation against
 * the flows the switch already has, and flow changes in atomic bundles
 * acknowledged by barriers. */
#ifndef VPC_CONTROLLER_OFCTRL_H
#define VPC_CONTROLLER_OFCTRL_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "conn-wake.h"
#include "ofctrl-punt.h"

struct dp_packet;
struct ds;
struct ofpact;
struct ofctrl;
struct vpc_group_table;
struct vconn;
struct vpc_flow_table;

/* Life of a session:
 *
 *   HANDSHAKE: waiting for the switch's features (its datapath ID).
 *   DUMPING:   the flows the switch has are being read.
 *   DUMPED:    read; the owner must call ofctrl_reconcile().
 *   SYNCED:    the owner may call ofctrl_update() and ofctrl_commit().
 *   STANDBY:   another controller instance is primary: we send nothing.
 *
 * ofctrl_set_role() makes the session claim the primary role (with a
 * generation ID, so that the switch refuses a stale claim), which leads
 * to DUMPING, or the secondary role, which leads to STANDBY.
 *
 * Any error from the switch on our changes sends the session back to
 * DUMPING, so that it converges on what the switch really has. */
enum ofctrl_state {
    OFCTRL_HANDSHAKE,
    OFCTRL_STANDBY,             /* Secondary role: we send no flows. */
    OFCTRL_DUMPING,
    OFCTRL_DUMPED,
    OFCTRL_SYNCED,
};

struct ofctrl *ofctrl_create(struct vconn *);
void ofctrl_destroy(struct ofctrl *);
void ofctrl_run(struct ofctrl *);
void ofctrl_wait(struct ofctrl *);
bool ofctrl_should_run(struct ofctrl *);
void ofctrl_set_wake_owner(struct ofctrl *, int kind, void *owner,
                           conn_wake_wait_cb *);

bool ofctrl_is_alive(const struct ofctrl *);
const char *ofctrl_get_name(const struct ofctrl *);
const char *ofctrl_get_peer_id(const struct ofctrl *);
enum ofctrl_state ofctrl_get_state(const struct ofctrl *);
bool ofctrl_get_dpid(const struct ofctrl *, uint64_t *dpid);

void ofctrl_resync(struct ofctrl *);
bool ofctrl_set_role(struct ofctrl *, bool primary, uint64_t generation);
bool ofctrl_is_primary(const struct ofctrl *);
bool ofctrl_role_refused(const struct ofctrl *);
void ofctrl_reconcile(struct ofctrl *,
                      const struct vpc_flow_table *const *parts,
                      size_t n_parts, const struct vpc_group_table *);
void ofctrl_update(struct ofctrl *, const struct vpc_flow_table *old,
                   const struct vpc_flow_table *new);
void ofctrl_update_groups(struct ofctrl *, const struct vpc_group_table *old,
                          const struct vpc_group_table *new);
void ofctrl_commit(struct ofctrl *, int64_t cfg);
struct ofpbuf *ofctrl_recv_punt(struct ofctrl *);
void ofctrl_send_packet(struct ofctrl *, const struct dp_packet *,
                        const struct ofpact *, size_t ofpacts_len);

int64_t ofctrl_get_acked_cfg(const struct ofctrl *);
void ofctrl_set_cfg_floor(int64_t cfg);
int64_t ofctrl_get_cfg_floor(void);
bool ofctrl_is_idle(const struct ofctrl *);
void ofctrl_hold_cfg(struct ofctrl *, bool hold);

uint64_t ofctrl_get_meter_drops(const struct ofctrl *, enum ofctrl_meter);
uint64_t ofctrl_get_acked_gen(const struct ofctrl *);
uint64_t ofctrl_get_sent_gen(const struct ofctrl *);
size_t ofctrl_n_queued(const struct ofctrl *);
long long int ofctrl_last_bundle_time(void);
void ofctrl_format_stats(const struct ofctrl *, struct ds *);

#endif /* ofctrl.h */
