/* Gateway runtime.  See gateway.h. */
#include <config.h>
#include "gateway.h"

#include <string.h>

#include "chassis.h"
#include "chassis-sync.h"
#include "dp-packet.h"
#include "engine-private.h"
#include "hmapx.h"
#include "host.h"
#include "ofctrl.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "roles.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(gateway);

static void
add_peer(struct shash *peers, const char *self, const char *name,
         enum vpc_encap encap)
{
    const struct model_location *loc = shash_find_data(&engine_model.locations,
                                                       name);
    if (strcmp(name, self) && loc && loc->encap_ip
        && !shash_find(peers, name)) {
        struct host_peer *peer = xmalloc(sizeof *peer);
        peer->name = CONST_CAST(char *, loc->name);
        peer->remote_ip = xasprintf(IP_FMT, IP_ARGS(loc->encap_ip));
        peer->encap = encap;
        shash_add(peers, name, peer);
    }
}

/* The peer tunnel ports 'ch' needs: a host one to each gateway of the VPCs
 * it hosts, a gateway one to each host of the VPCs it serves and one to
 * each other gateway of its groups (to know which of them is active).  A
 * pair of chassis uses one encapsulation: the gateway's between a host and
 * a gateway, else that of the chassis whose name sorts first. */
void
gateway_set_peers(struct chassis *ch)
{
    const struct host_identity *id = host_get_identity(ch->hn->host);
    struct shash peers = SHASH_INITIALIZER(&peers);
    const struct model_vpc *mv;

    if (!id || !chassis_is_owned(ch)) {
        /* Only the owner manages them, from a model it has built. */
        host_forget_peers(ch->hn->host);
        return;
    }
    chassis_refresh_ports(ch);
    struct vpc_pl_chassis pc = chassis_view(ch);
    if (!pc.self) {
        host_forget_peers(ch->hn->host);
        return;
    }
    HMAP_FOR_EACH (mv, hmap_node, &engine_model.vpcs) {
        const struct model_gw_group *g;
        if (!mv->pl.gw) {
            continue;
        }
        g = CONTAINER_OF(mv->pl.gw, struct model_gw_group, pl);
        if (vpc_pipeline_serves_vpc(&pc, &mv->pl)) {
            for (size_t i = 0; i < g->n_gateways; i++) {
                const struct model_location *loc = g->gateways[i];
                if (loc) {
                    add_peer(&peers, ch->name, loc->name,
                             strcmp(ch->name, loc->name) < 0
                             ? id->encap : loc->encap);
                }
            }
            for (size_t i = 0; i < mv->pl.n_ports; i++) {
                const struct model_location *loc = mv->pl.ports[i].chassis;
                if (loc) {
                    add_peer(&peers, ch->name, loc->name, id->encap);
                }
            }
        } else if (vpc_pipeline_hosts_vpc(&pc, &mv->pl)) {
            for (size_t i = 0; i < g->n_gateways; i++) {
                const struct model_location *loc = g->gateways[i];
                if (loc) {
                    add_peer(&peers, ch->name, loc->name, loc->encap);
                }
            }
        }
    }

    const struct shash_node **sorted = shash_sort(&peers);
    size_t n = shash_count(&peers);
    struct host_peer *array = xmalloc((n + 1) * sizeof *array);
    for (size_t i = 0; i < n; i++) {
        array[i] = *(struct host_peer *) sorted[i]->data;
    }
    host_set_peers(ch->hn->host, array, n);
    for (size_t i = 0; i < n; i++) {
        free(array[i].remote_ip);
    }
    free(array);
    free(sorted);
    shash_destroy_free_data(&peers);
}

/* A gateway asks its next hops for their MACs now and then (the learn flow
 * takes the MAC from the answer, and from any other ARP the next hop
 * sends).  The request is an ARP probe (sender address 0) from a MAC of
 * the gateway's own: the group's MAC must only ever come from the active
 * gateway, or the outside network's switches would send the group's
 * traffic to a standby, and a sender address would make the next hop
 * point an outside address at us. */
#define NEXT_HOP_ARP_INTERVAL 5000

static void
run_next_hop_arp(void)
{
    long long int now = time_msec();
    struct hmapx_node *node;

    HMAPX_FOR_EACH (node, &chassis_gateways) {
        struct chassis *ch = node->data;
        if (!chassis_is_owned(ch) || !ch->ofctrl
            || ofctrl_get_state(ch->ofctrl) != OFCTRL_SYNCED
            || now < ch->next_arp) {
            continue;
        }
        ch->next_arp = now + NEXT_HOP_ARP_INTERVAL;

        struct vpc_pl_chassis pc = chassis_view(ch);
        struct hmapx done = HMAPX_INITIALIZER(&done);
        const struct model_gw_group *g;
        HMAP_FOR_EACH (g, hmap_node, &engine_model.gw_groups) {
            ofp_port_t uplink = host_get_uplink_ofport(ch->hn->host,
                                                       g->physnet);
            if (!uplink || !vpc_pipeline_serves_group(&pc, &g->pl)
                || !hmapx_add(&done, (void *) (uintptr_t)
                              (g->pl.next_hop ^ ofp_to_u16(uplink)))) {
                continue;
            }

            const struct host_identity *id = host_get_identity(ch->hn->host);
            struct eth_addr mac;
            eth_addr_from_uint64(id->dpid, &mac);
            eth_addr_mark_random(&mac);     /* Local, unicast. */

            struct dp_packet packet;
            dp_packet_init(&packet, 64);
            compose_arp(&packet, ARP_OP_REQUEST, mac, eth_addr_zero, true,
                        htonl(0), g->pl.next_hop);

            uint64_t stub[64 / 8];
            struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
            ofpact_put_OUTPUT(&ofpacts)->port = uplink;
            ofctrl_send_packet(ch->ofctrl, &packet, ofpacts.data,
                               ofpacts.size);
            ofpbuf_uninit(&ofpacts);
            dp_packet_uninit(&packet);
        }
        hmapx_destroy(&done);
    }
}

/* Sends on 'ch' an ARP packet for every outside address of VPCs served by
 * gateway group 'g': gratuitous ARP from the group's MAC, so that the
 * outside network's switches learn where that MAC is now. */
static void
send_gratuitous_arps(struct chassis *ch, const struct model_gw_group *g,
                     ofp_port_t uplink)
{
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    const struct model_vpc *mv;

    ofpact_put_OUTPUT(&ofpacts)->port = uplink;
    HMAP_FOR_EACH (mv, hmap_node, &engine_model.vpcs) {
        if (mv->pl.gw != &g->pl) {
            continue;
        }
        for (size_t i = 0; i < mv->pl.n_nats; i++) {
            ovs_be32 ip = mv->pl.nats[i].external_ip;
            struct dp_packet packet;
            dp_packet_init(&packet, 64);
            compose_arp(&packet, ARP_OP_REQUEST, g->pl.mac, eth_addr_zero,
                        true, ip, ip);
            ofctrl_send_packet(ch->ofctrl, &packet, ofpacts.data,
                               ofpacts.size);
            dp_packet_uninit(&packet);
        }
    }
    ofpbuf_uninit(&ofpacts);
}

/* Which gateway of a group is active is decided in the data path (BFD and
 * the ARP group, see ofproto-vpc); we follow it from the gateways' BFD
 * status, the same view, and when a gateway becomes active we make it
 * announce the group's outside addresses.  A more preferred gateway
 * counts as gone only once its BFD session was up and went down, so that
 * a gateway that has just started does not announce itself while its
 * sessions are still coming up.  Traffic itself never waits
 * for this: a host moves to the new gateway on its own, and the first
 * packet the gateway sends out teaches the outside network the same. */
static void
run_takeover(void)
{
    struct hmapx_node *node;

    HMAPX_FOR_EACH (node, &chassis_gateways) {
        struct chassis *ch = node->data;
        if (!chassis_is_owned(ch) || !ch->ofctrl
            || ofctrl_get_state(ch->ofctrl) != OFCTRL_SYNCED) {
            sset_clear(&ch->active_groups);
            continue;
        }

        struct sset now = SSET_INITIALIZER(&now);
        const struct model_location *self
            = shash_find_data(&engine_model.locations, ch->name);
        const struct model_gw_group *g;
        HMAP_FOR_EACH (g, hmap_node, &engine_model.gw_groups) {
            ofp_port_t uplink = host_get_uplink_ofport(ch->hn->host,
                                                       g->physnet);
            bool is_active = false;
            for (size_t i = 0; uplink && i < g->n_gateways; i++) {
                if (g->gateways[i] == self) {
                    is_active = true;
                    break;
                } else if (g->gateways[i]
                           && !host_peer_is_down(ch->hn->host,
                                                 g->gateway_names[i])) {
                    /* Alive, or not known to be gone (its BFD session has
                     * not come up yet): not our turn. */
                    break;
                }
            }
            if (is_active) {
                char *key = xasprintf(UUID_FMT, UUID_ARGS(&g->pl.uuid));
                if (!sset_contains(&ch->active_groups, key)) {
                    VLOG_INFO("chassis %s: active gateway of group %s",
                              ch->name, g->name);
                    send_gratuitous_arps(ch, g, uplink);
                }
                sset_add_and_free(&now, key);
            }
        }
        sset_swap(&now, &ch->active_groups);
        sset_destroy(&now);
    }
}

/* Does the gateways' periodic work: next-hop ARP and takeovers. */
void
gateway_run(void)
{
    run_next_hop_arp();
    run_takeover();
}

/* Arranges for poll_block() to wake up for the next next-hop ARP. */
void
gateway_wait(void)
{
    struct hmapx_node *node;

    HMAPX_FOR_EACH (node, &chassis_gateways) {
        const struct chassis *ch = node->data;
        if (ch->ofctrl && chassis_is_owned(ch)
            && ofctrl_get_state(ch->ofctrl) == OFCTRL_SYNCED) {
            poll_timer_wait_until(ch->next_arp);
        }
    }
}
