/* Chassis sync: the model becomes flows on every chassis.  See
 * chassis-sync.h. */
#include <config.h>
#include "chassis-sync.h"

#include <string.h>

#include "bitmap.h"
#include "chassis.h"
#include "coverage.h"
#include "engine-private.h"
#include "flow-table.h"
#include "group-table.h"
#include "hash.h"
#include "hmapx.h"
#include "host.h"
#include "ofctrl.h"
#include "flow.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(chassis_sync);

COVERAGE_DEFINE(engine_vpc_flows);
COVERAGE_DEFINE(engine_chassis_sync);
COVERAGE_DEFINE(engine_chassis_skip);

static uint64_t n_vpc_rebuilds;
static uint64_t n_chassis_syncs;

/* The chassis that the VPCs of an incremental round may change: where
 * their ports are bound and where they migrate from and to, where they
 * have flows (the index of holders), and (with 'gateways') every gateway.
 * Any other chassis has nothing to change: the round costs what the VPCs
 * hold, not how many chassis there are. */
struct sync_scope {
    struct hmapx chassis;
    bool gateways;
};

/* A VPC's parts of the flows that the VPCs of a chassis share, as one
 * round of work (chassis_sync_all()) built them: they depend only on which
 * of its groups have members on the chassis, so all the chassis with the
 * same ones get the same parts, built once, and hold them by reference in
 * their merges. */
struct round_parts {
    struct hmap_node hmap_node;     /* In 'round_parts', by VPC and bits. */
    struct uuid vpc;
    unsigned long *here;            /* vpc_pipeline_sg_groups_here(). */
    size_t n_sgs;
    struct vpc_flow_parts *parts;   /* NULL if none. */
};
static struct hmap round_parts = HMAP_INITIALIZER(&round_parts);

static struct chassis_vpc *
chassis_vpc_find(const struct chassis *ch, const struct uuid *vpc)
{
    struct chassis_vpc *cv;

    HMAP_FOR_EACH_WITH_HASH (cv, hmap_node, uuid_hash(vpc), &ch->vpcs) {
        if (uuid_equals(&cv->vpc, vpc)) {
            return cv;
        }
    }
    return NULL;
}

/* The chassis that hold flows of a VPC, their own or parts of the flows
 * they share: a round for a few VPCs visits these and the VPCs' new
 * locations (see sync_scope), found here rather than by asking every
 * chassis. */
struct vpc_holders {
    struct hmap_node hmap_node;     /* In 'holders', by VPC uuid. */
    struct uuid vpc;
    struct hmapx chassis;
};
static struct hmap holders = HMAP_INITIALIZER(&holders);

static struct vpc_holders *
holders_find(const struct uuid *vpc)
{
    struct vpc_holders *h;

    HMAP_FOR_EACH_WITH_HASH (h, hmap_node, uuid_hash(vpc), &holders) {
        if (uuid_equals(&h->vpc, vpc)) {
            return h;
        }
    }
    return NULL;
}

static void
holders_remove(struct chassis *ch, const struct uuid *vpc)
{
    struct vpc_holders *h = holders_find(vpc);

    if (h && hmapx_find_and_delete(&h->chassis, ch)
        && hmapx_is_empty(&h->chassis)) {
        hmap_remove(&holders, &h->hmap_node);
        hmapx_destroy(&h->chassis);
        free(h);
    }
}

/* Brings the index up to whether 'ch' holds flows of VPC 'vpc' now: its
 * own ('has_flows') or parts of the shared ones. */
static void
holders_note(struct chassis *ch, const struct uuid *vpc, bool has_flows)
{
    bool holds = has_flows || vpc_flow_merge_has_owner(&ch->shared, vpc);

    if (holds == uuidset_contains(&ch->held, vpc)) {
        return;
    }
    if (holds) {
        struct vpc_holders *h = holders_find(vpc);
        if (!h) {
            h = xmalloc(sizeof *h);
            h->vpc = *vpc;
            hmapx_init(&h->chassis);
            hmap_insert(&holders, &h->hmap_node, uuid_hash(vpc));
        }
        hmapx_add(&h->chassis, ch);
        uuidset_insert(&ch->held, vpc);
    } else {
        holders_remove(ch, vpc);
        uuidset_find_and_delete(&ch->held, vpc);
    }
}

/* Takes 'ch' out of the index: its flows are being thrown away. */
void
chassis_sync_forget_holder(struct chassis *ch)
{
    struct uuidset_node *node;

    UUIDSET_FOR_EACH (node, &ch->held) {
        holders_remove(ch, &node->uuid);
    }
    uuidset_clear(&ch->held);
}

/* Refreshes what ofproto-vpc needs to know about 'ch''s peer tunnels and
 * uplinks (the locations they point to belong to the current model). */
void
chassis_refresh_ports(struct chassis *ch)
{
    const struct host_identity *id = host_get_identity(ch->hn->host);
    const struct shash *peers = host_get_peer_ofports(ch->hn->host);
    struct shash_node *node;

    free(ch->pl_peers);
    ch->pl_peers = xmalloc((shash_count(peers) + 1) * sizeof *ch->pl_peers);
    ch->n_pl_peers = 0;
    SHASH_FOR_EACH (node, peers) {
        const void *loc = shash_find_data(&engine_model.locations, node->name);
        ofp_port_t ofport = u16_to_ofp((uintptr_t) node->data);
        if (loc && ofport) {
            ch->pl_peers[ch->n_pl_peers++] = (struct vpc_pl_peer) {
                .chassis = loc, .ofport = ofport,
            };
        }
    }

    free(ch->pl_uplinks);
    ch->n_pl_uplinks = 0;
    ch->pl_uplinks = NULL;
    if (id) {
        ch->pl_uplinks = xmalloc((smap_count(&id->bridge_mappings) + 1)
                                 * sizeof *ch->pl_uplinks);
        struct smap_node *m;
        SMAP_FOR_EACH (m, &id->bridge_mappings) {
            ofp_port_t ofport = host_get_uplink_ofport(ch->hn->host, m->key);
            if (ofport) {
                ch->pl_uplinks[ch->n_pl_uplinks++] = (struct vpc_pl_uplink) {
                    .physnet = m->key, .ofport = ofport,
                };
            }
        }
    }
}

/* Returns 'ch' as ofproto-vpc sees it. */
struct vpc_pl_chassis
chassis_view(const struct chassis *ch)
{
    const struct host_identity *id = host_get_identity(ch->hn->host);
    struct vpc_pl_chassis pc = {
        .self = shash_find_data(&engine_model.locations, ch->name),
        .encap = id ? id->encap : VPC_ENCAP_VXLAN,
        .gateway = ch->gateway,
        .peers = ch->pl_peers,
        .n_peers = ch->n_pl_peers,
        .uplinks = ch->pl_uplinks,
        .n_uplinks = ch->n_pl_uplinks,
    };
    memcpy(pc.tunnel_ofport, ch->tunnels, sizeof pc.tunnel_ofport);
    return pc;
}

/* Adds to 'out' (of struct model_vpc) the VPCs of the model whose flows
 * chassis 'pc' may need: those with a port bound there (or migrating from
 * or to it) and, on a gateway, those with a gateway group.  Found through
 * the model's indexes: a chassis costs the VPCs it carries, not every VPC
 * of the world. */
static void
carried_vpcs(const struct vpc_pl_chassis *pc, struct hmapx *out)
{
    const struct hmapx *at = vpc_model_vpcs_at(&engine_model, pc->self);
    struct hmapx_node *node;

    if (at) {
        HMAPX_FOR_EACH (node, at) {
            hmapx_add(out, node->data);
        }
    }
    if (pc->gateway) {
        HMAPX_FOR_EACH (node, &engine_model.gw_vpcs) {
            hmapx_add(out, node->data);
        }
    }
}

/* Builds into 'flows' and 'groups' what 'ch' needs beyond its VPCs' flows:
 * the static flows, a gateway's plumbing, and one group per gateway group
 * that a VPC it hosts (or serves, as a gateway) uses.  'carried' holds the
 * VPCs it may need (carried_vpcs()). */
static void
build_base(const struct vpc_pl_chassis *pc, const struct hmapx *carried,
           struct vpc_flow_table *flows, struct vpc_group_table *groups)
{
    vpc_pipeline_build_static(flows);
    vpc_pipeline_build_gateway_static(pc, flows);

    struct hmapx done = HMAPX_INITIALIZER(&done);
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, carried) {
        const struct model_vpc *mv = node->data;
        const struct vpc_pl_gw_group *gw = mv->pl.gw;
        if (gw && !hmapx_contains(&done, CONST_CAST(void *, gw))
            && (vpc_pipeline_serves_vpc(pc, &mv->pl)
                || vpc_pipeline_hosts_vpc(pc, &mv->pl))) {
            hmapx_add(&done, CONST_CAST(void *, gw));
            vpc_pipeline_build_gw_group(pc, gw, flows, groups);
        }
    }
    hmapx_destroy(&done);
}

static void
note_new_local_ports(struct chassis *ch, const struct vpc_pl_chassis *pc,
                     const struct model_vpc *mv)
{
    for (size_t i = 0; i < mv->pl.n_ports; i++) {
        const struct vpc_pl_port *p = &mv->pl.ports[i];
        if (p->chassis && p->chassis == pc->self && p->ofport) {
            if (ch->n_new_ports >= ch->allocated_new_ports) {
                ch->new_ports = x2nrealloc(ch->new_ports,
                                           &ch->allocated_new_ports,
                                           sizeof *ch->new_ports);
            }
            ch->new_ports[ch->n_new_ports].port = p->uuid;
            ch->new_ports[ch->n_new_ports++].ofport = p->ofport;
        }
    }
}

/* Returns the parts of the flows that VPCs share that 'mv' has on 'pc' (NULL
 * if none), built once per round for each set of its groups. */
static struct vpc_flow_parts *
round_parts_get(const struct vpc_pl_chassis *pc, const struct model_vpc *mv)
{
    size_t n = mv->pl.n_sgs;
    unsigned long *here = bitmap_allocate(n);
    struct round_parts *rp;

    vpc_pipeline_sg_groups_here(pc, &mv->pl, here);
    if (bitmap_is_all_zeros(here, n)) {
        bitmap_free(here);
        return NULL;
    }

    uint32_t hash = hash_bytes(here, bitmap_n_bytes(n),
                               uuid_hash(&mv->pl.uuid));
    HMAP_FOR_EACH_WITH_HASH (rp, hmap_node, hash, &round_parts) {
        if (uuid_equals(&rp->vpc, &mv->pl.uuid) && rp->n_sgs == n
            && bitmap_equal(rp->here, here, n)) {
            bitmap_free(here);
            return rp->parts;
        }
    }
    rp = xmalloc(sizeof *rp);
    rp->vpc = mv->pl.uuid;
    rp->here = here;
    rp->n_sgs = n;
    rp->parts = vpc_flow_parts_create(mv->pl.tunnel_key);
    vpc_pipeline_build_vpc_shared(pc, &mv->pl, &rp->parts->flows);
    if (!vpc_flow_table_count(&rp->parts->flows)) {
        vpc_flow_parts_unref(rp->parts);
        rp->parts = NULL;
    }
    hmap_insert(&round_parts, &rp->hmap_node, hash);
    return rp->parts;
}

/* Forgets the parts of this round (the merges keep theirs). */
static void
round_parts_clear(void)
{
    struct round_parts *rp;

    HMAP_FOR_EACH_POP (rp, hmap_node, &round_parts) {
        vpc_flow_parts_unref(rp->parts);
        bitmap_free(rp->here);
        free(rp);
    }
}

/* Rebuilds the flows of VPC 'uuid' ('mv', NULL if it is gone) on 'ch' and
 * queues the difference.  With 'reconcile', nothing is queued: the caller
 * reconciles against the switch afterwards.  Its parts of the flows that
 * VPCs share go to 'ch''s merge, for chassis_sync_shared(). */
static void
chassis_sync_vpc(struct chassis *ch, const struct vpc_pl_chassis *pc,
                 const struct uuid *uuid, const struct model_vpc *mv,
                 bool reconcile)
{
    struct chassis_vpc *cv = chassis_vpc_find(ch, uuid);
    struct vpc_flow_table new;

    vpc_flow_table_init(&new);
    if (mv) {
        COVERAGE_INC(engine_vpc_flows);
        n_vpc_rebuilds++;
        vpc_pipeline_build_vpc(pc, &mv->pl, &new, NULL);
        note_new_local_ports(ch, pc, mv);
    }
    vpc_flow_merge_set(&ch->shared, uuid,
                       mv ? round_parts_get(pc, mv) : NULL);
    if (!reconcile) {
        ofctrl_update(ch->ofctrl, cv ? &cv->flows : NULL, &new);
    }

    if (cv) {
        ch->n_flows -= vpc_flow_table_count(&cv->flows);
        vpc_flow_table_clear(&cv->flows);
    }
    bool has_flows = vpc_flow_table_count(&new) > 0;
    if (has_flows) {
        if (!cv) {
            cv = xmalloc(sizeof *cv);
            cv->vpc = *uuid;
            vpc_flow_table_init(&cv->flows);
            hmap_insert(&ch->vpcs, &cv->hmap_node, uuid_hash(uuid));
        }
        ch->n_flows += vpc_flow_table_count(&new);
        vpc_flow_table_move(&cv->flows, &new);
    } else if (cv) {
        hmap_remove(&ch->vpcs, &cv->hmap_node);
        vpc_flow_table_destroy(&cv->flows);
        free(cv);
    }
    vpc_flow_table_destroy(&new);
    holders_note(ch, uuid, has_flows);
}

/* Brings the flows that 'ch''s VPCs share to what chassis_sync_vpc() gave
 * their merge, and queues the difference (unless 'reconcile', as there):
 * only the flows whose parts changed. */
static void
chassis_sync_shared(struct chassis *ch, bool reconcile)
{
    struct vpc_flow_table was, now;

    vpc_flow_table_init(&was);
    vpc_flow_table_init(&now);
    vpc_flow_merge_flush(&ch->shared, &was, &now);
    if (!reconcile) {
        ofctrl_update(ch->ofctrl, &was, &now);
    }
    ch->n_flows += vpc_flow_table_count(&now);
    ch->n_flows -= vpc_flow_table_count(&was);
    vpc_flow_table_destroy(&was);
    vpc_flow_table_destroy(&now);
}

/* Notes in 'scope' the chassis whose flows the VPCs of 'dirty' (of
 * struct model_vpc, only their UUIDs used) may change: where they are in
 * the model, and where they have flows. */
static void
sync_scope_init(struct sync_scope *scope, const struct hmap *dirty)
{
    const struct model_vpc *d;

    struct hmapx locations = HMAPX_INITIALIZER(&locations);
    hmapx_init(&scope->chassis);
    scope->gateways = false;
    HMAP_FOR_EACH (d, hmap_node, dirty) {
        const struct vpc_holders *h = holders_find(&d->pl.uuid);
        if (h) {
            struct hmapx_node *node;
            HMAPX_FOR_EACH (node, &h->chassis) {
                hmapx_add(&scope->chassis, node->data);
            }
        }

        const struct model_vpc *mv = vpc_model_find(&engine_model,
                                                    &d->pl.uuid);
        if (!mv) {
            continue;
        }
        for (size_t i = 0; i < mv->pl.n_ports; i++) {
            const struct vpc_pl_port *p = &mv->pl.ports[i];
            const void *where[] = { p->chassis, p->migrate_from,
                                    p->migrate_to };
            for (size_t j = 0; j < ARRAY_SIZE(where); j++) {
                if (where[j]) {
                    hmapx_add(&locations, CONST_CAST(void *,
                                                            where[j]));
                }
            }
        }
        if (mv->pl.gw) {
            scope->gateways = true;
        }
    }

    /* Looked up here, once per location, rather than per chassis. */
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &locations) {
        const struct model_location *loc = node->data;
        struct chassis *ch = chassis_find(loc->name);
        if (ch) {
            hmapx_add(&scope->chassis, ch);
        }
    }
    hmapx_destroy(&locations);
}

/* Might the round of 'scope' change the flows of 'ch'? */
static bool
sync_scope_has(const struct sync_scope *scope, const struct chassis *ch)
{
    return ((scope->gateways && ch->gateway)
            || hmapx_contains(&scope->chassis,
                              CONST_CAST(struct chassis *, ch)));
}

/* Is the VPC 'uuid' in 'dirty' (of struct model_vpc, by UUID)? */
static bool
dirty_has(const struct hmap *dirty, const struct uuid *uuid)
{
    const struct model_vpc *d;

    HMAP_FOR_EACH_WITH_HASH (d, hmap_node, uuid_hash(uuid), dirty) {
        if (uuid_equals(&d->pl.uuid, uuid)) {
            return true;
        }
    }
    return false;
}

/* Brings the flows of chassis 'ch' (seen as 'pc') for the VPCs of 'dirty'
 * to the model.  Only a VPC that the chassis carries (see carried_vpcs())
 * or holds flows of can change them: any other builds nothing here, which
 * is what a whole pass of the chassis relies on too.  So when 'dirty' is
 * larger than what the chassis carries and holds, those are what is
 * looked at: a round of 1,000 new VPCs, each on 5 of 1,000 hosts, would
 * otherwise cost every chassis 1,000 builds of nothing. */
static void
sync_dirty_vpcs(struct chassis *ch, const struct vpc_pl_chassis *pc,
                const struct hmap *dirty)
{
    struct hmapx carried = HMAPX_INITIALIZER(&carried);
    carried_vpcs(pc, &carried);

    size_t n_here = hmapx_count(&carried) + uuidset_count(&ch->held);
    if (hmap_count(dirty) <= n_here) {
        const struct model_vpc *d;
        HMAP_FOR_EACH (d, hmap_node, dirty) {
            chassis_sync_vpc(ch, pc, &d->pl.uuid,
                             vpc_model_find(&engine_model, &d->pl.uuid),
                             false);
        }
        hmapx_destroy(&carried);
        return;
    }

    /* Collected first: a sync changes 'ch->held'. */
    struct uuidset todo = UUIDSET_INITIALIZER(&todo);
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &carried) {
        const struct model_vpc *mv = node->data;
        if (dirty_has(dirty, &mv->pl.uuid)) {
            uuidset_insert(&todo, &mv->pl.uuid);
        }
    }
    const struct uuidset_node *un;
    UUIDSET_FOR_EACH (un, &ch->held) {
        if (dirty_has(dirty, &un->uuid)) {
            uuidset_insert(&todo, &un->uuid);
        }
    }
    UUIDSET_FOR_EACH (un, &todo) {
        chassis_sync_vpc(ch, pc, &un->uuid,
                         vpc_model_find(&engine_model, &un->uuid), false);
    }
    uuidset_destroy(&todo);
    hmapx_destroy(&carried);
}

/* Brings chassis 'ch' up to the model: everything, when its switch has
 * just been read (reconcile), else the VPCs in 'dirty' (all if NULL), and
 * with 'base' (or all) the flows and groups that are not a VPC's.  With
 * 'scope' (an incremental round), a chassis outside it only gets a commit:
 * the round's configuration changes nothing there. */
static void
chassis_sync(struct chassis *ch, const struct hmap *dirty, bool base,
             const struct sync_scope *scope)
{
    if (!ch->ofctrl) {
        return;
    } else if (!host_is_ready(ch->hn->host)) {
        /* Nothing can be brought to it: it stays at the configuration its
         * switch has, and is visited again in every round until ready. */
        ofctrl_hold_cfg(ch->ofctrl, true);
        return;
    }
    ofctrl_hold_cfg(ch->ofctrl, false);

    enum ofctrl_state state = ofctrl_get_state(ch->ofctrl);
    if (state == OFCTRL_SYNCED && scope && dirty && !ch->dirty_all
        && !base && !sync_scope_has(scope, ch)) {
        COVERAGE_INC(engine_chassis_skip);
        ch->commit_pending = true;
        return;
    }
    if (state == OFCTRL_DUMPED || (state == OFCTRL_SYNCED
                                   && (ch->dirty_all || !dirty
                                       || hmap_count(dirty)))) {
        COVERAGE_INC(engine_chassis_sync);
        n_chassis_syncs++;
    }
    if (state == OFCTRL_DUMPED || (state == OFCTRL_SYNCED
                                   && (ch->dirty_all || !dirty
                                       || hmap_count(dirty)))) {
        chassis_refresh_ports(ch);
    }
    struct vpc_pl_chassis pc = chassis_view(ch);
    struct hmapx carried = HMAPX_INITIALIZER(&carried);
    struct hmapx_node *node;

    if (state == OFCTRL_DUMPED || (state == OFCTRL_SYNCED
                                   && (ch->dirty_all || !dirty || base))) {
        carried_vpcs(&pc, &carried);
    }
    if (state == OFCTRL_DUMPED) {
        chassis_clear_flows(ch);
        build_base(&pc, &carried, &ch->base_flows, &ch->base_groups);
        ch->n_flows = vpc_flow_table_count(&ch->base_flows);
        HMAPX_FOR_EACH (node, &carried) {
            const struct model_vpc *mv = node->data;
            chassis_sync_vpc(ch, &pc, &mv->pl.uuid, mv, true);
        }
        chassis_sync_shared(ch, true);

        size_t n = hmap_count(&ch->vpcs) + 2, i = 0;
        const struct vpc_flow_table **parts = xmalloc(n * sizeof *parts);
        struct chassis_vpc *cv;
        parts[i++] = &ch->base_flows;
        parts[i++] = vpc_flow_merge_flows(&ch->shared);
        HMAP_FOR_EACH (cv, hmap_node, &ch->vpcs) {
            parts[i++] = &cv->flows;
        }
        ofctrl_reconcile(ch->ofctrl, parts, n, &ch->base_groups);
        ch->next_arp = 0;
        free(parts);
        ch->dirty_all = false;
    } else if (state == OFCTRL_SYNCED) {
        if (ch->dirty_all || !dirty || (base && hmap_count(dirty))) {
            struct vpc_flow_table flows;
            struct vpc_group_table groups;
            vpc_flow_table_init(&flows);
            vpc_group_table_init(&groups);
            build_base(&pc, &carried, &flows, &groups);
            ofctrl_update_groups(ch->ofctrl, &ch->base_groups, &groups);
            ofctrl_update(ch->ofctrl, &ch->base_flows, &flows);
            ch->n_flows += vpc_flow_table_count(&flows);
            ch->n_flows -= vpc_flow_table_count(&ch->base_flows);
            vpc_flow_table_clear(&ch->base_flows);
            vpc_flow_table_move(&ch->base_flows, &flows);
            vpc_flow_table_destroy(&flows);
            vpc_group_table_swap(&ch->base_groups, &groups);
            vpc_group_table_destroy(&groups);
        }
        if (ch->dirty_all || !dirty) {
            /* Every VPC we have flows for, and every VPC it carries. */
            struct chassis_vpc *cv;
            HMAP_FOR_EACH_SAFE (cv, hmap_node, &ch->vpcs) {
                const struct model_vpc *mv = vpc_model_find(&engine_model,
                                                            &cv->vpc);
                if (!mv) {
                    chassis_sync_vpc(ch, &pc, &cv->vpc, NULL, false);
                } else {
                    hmapx_add(&carried, CONST_CAST(struct model_vpc *, mv));
                }
            }
            HMAPX_FOR_EACH (node, &carried) {
                const struct model_vpc *mv = node->data;
                chassis_sync_vpc(ch, &pc, &mv->pl.uuid, mv, false);
            }
            ch->dirty_all = false;
        } else {
            sync_dirty_vpcs(ch, &pc, dirty);
        }
        chassis_sync_shared(ch, false);
    } else {
        hmapx_destroy(&carried);
        return;
    }
    hmapx_destroy(&carried);
    ch->commit_pending = true;
}

/* Sends what chassis_sync() queued for 'ch', with the configuration it
 * brings the switch to. */
static void
chassis_commit(struct chassis *ch)
{
    ch->commit_pending = false;
    if (!ch->ofctrl) {
        return;
    }
    ofctrl_commit(ch->ofctrl, engine_nb_cfg());
    uint64_t gen = ofctrl_get_sent_gen(ch->ofctrl);
    for (size_t i = 0; i < ch->n_new_ports; i++) {
        chassis_sync_port_gen_set(&ch->new_ports[i].port, ch->name, ch->ofctrl,
                     ch->new_ports[i].ofport, gen);
    }
    ch->n_new_ports = 0;
}

/* Brings every chassis to the model (see chassis_sync()).  Small changes
 * are worked out for every chassis before any is sent: once a switch has
 * work it competes with us for the CPU.  Large ones go out chassis by
 * chassis, so that the encoded messages of all of them are never held at
 * once. */
#define SYNC_BATCH_MAX 64

/* A round of work spends at most this long bringing chassis to the model;
 * the chassis left over are rebuilt whole in the next round (their
 * 'dirty_all').  Meanwhile sessions are served: hosts and switches probe
 * us every 5 s, and a round that takes longer loses them. */
#define SYNC_SLICE_MSEC 1000
static bool sync_deferred;

/* A round with no change to the model still has work for a chassis whose
 * switch has just been read (to reconcile), whose host has just become
 * ready, or, for every chassis, when the configuration (nb_cfg) is new:
 * such rounds run only then, not on every pass of the main loop, which
 * would cost a visit to every chassis per message received. */
static bool idle_due = true;
static int64_t idle_cfg = INT64_MIN;
static uint64_t n_rounds, n_idle_rounds;

/* One chassis of a round (see chassis_sync_all()). */
static void
sync_one(struct chassis *ch, const struct hmap *dirty, bool base,
         const struct sync_scope *scope, long long int deadline, size_t *n)
{
    if (sync_deferred) {
        if (ch->ofctrl && (!dirty || base || hmap_count(dirty))) {
            ch->dirty_all = true;
            chassis_note_busy(ch);
        }
        return;
    }
    ch->n_round_visits++;
    chassis_sync(ch, ch->dirty_all ? NULL : dirty, base, scope);
    if (ch->commit_pending && ch->ofctrl
        && ofctrl_n_queued(ch->ofctrl) > SYNC_BATCH_MAX) {
        chassis_commit(ch);
    }
    /* (The clock, read for every chassis, was a tenth of a small change's
     * cost at 1,000 chassis.) */
    if (!(++*n % 16) && time_msec() >= deadline) {
        sync_deferred = true;
    }
}

/* A round of changes (or of none, 'dirty' empty) that neither rebuilds
 * everything nor concerns what every chassis shares ('base') visits only
 * the chassis that it may change (its scope), the gateways if it concerns
 * them, and the busy ones (chassis_note_busy()): every other switch is in
 * sync with nothing pending and nothing to change, so once the round is
 * complete it is at the new configuration, all of them at once
 * (ofctrl_set_cfg_floor()).  Such a round costs what it changes, not how
 * many chassis there are. */
void
chassis_sync_all(const struct hmap *dirty, bool base)
{
    long long int deadline = time_msec() + SYNC_SLICE_MSEC;
    struct sync_scope scope;
    bool scoped = dirty && !base && hmap_count(dirty);
    struct hmapx visit = HMAPX_INITIALIZER(&visit);
    struct hmapx_node *node;
    struct chassis *ch;
    size_t n = 0;

    if (scoped) {
        sync_scope_init(&scope, dirty);
    }
    sync_deferred = false;
    idle_due = false;
    idle_cfg = engine_nb_cfg();
    n_rounds++;
    n_idle_rounds += dirty && !base && !hmap_count(dirty);
    if (dirty && !base) {
        if (scoped) {
            HMAPX_FOR_EACH (node, &scope.chassis) {
                hmapx_add(&visit, node->data);
            }
            if (scope.gateways) {
                HMAPX_FOR_EACH (node, &chassis_gateways) {
                    hmapx_add(&visit, node->data);
                }
            }
        }
        HMAPX_FOR_EACH (node, &chassis_busy) {
            hmapx_add(&visit, node->data);
        }
        HMAPX_FOR_EACH (node, &visit) {
            sync_one(node->data, dirty, base, scoped ? &scope : NULL,
                     deadline, &n);
        }
    } else {
        HMAP_FOR_EACH (ch, hmap_node, &chassis_map) {
            hmapx_add(&visit, ch);
            sync_one(ch, dirty, base, NULL, deadline, &n);
        }
    }
    HMAPX_FOR_EACH (node, &visit) {
        ch = node->data;
        if (ch->commit_pending) {
            chassis_commit(ch);
        }
        chassis_note_busy(ch);
    }
    /* Busy until its switch has acknowledged what it was sent (or is one
     * we send nothing, see chassis_is_settled()). */
    HMAPX_FOR_EACH_SAFE (node, &chassis_busy) {
        ch = node->data;
        if (!ch->ofctrl || (ofctrl_is_idle(ch->ofctrl) ? !ch->dirty_all
                            : chassis_is_settled(ch))) {
            hmapx_delete(&chassis_busy, node);
        }
    }
    if (!sync_deferred) {
        ofctrl_set_cfg_floor(engine_nb_cfg());
    }
    hmapx_destroy(&visit);
    round_parts_clear();
    if (scoped) {
        hmapx_destroy(&scope.chassis);
    }
}

/* Notes that a chassis may have work although the model did not change:
 * its switch was read, or its host became ready. */
void
chassis_sync_note_idle_work(void)
{
    idle_due = true;
}

/* Does a round without changes to the model have work (see 'idle_due')? */
bool
chassis_sync_idle_due(void)
{
    return idle_due || sync_deferred || engine_nb_cfg() != idle_cfg;
}

/* Stores in '*rounds' how many times chassis_sync_all() went over the
 * chassis, and in '*idle' how many of those had no change to the model. */
void
chassis_sync_n_rounds(uint64_t *rounds, uint64_t *idle)
{
    *rounds = n_rounds;
    *idle = n_idle_rounds;
}

/* Did the last chassis_sync_all() leave chassis for the next round? */
bool
chassis_sync_deferred(void)
{
    return sync_deferred;
}

/* How many times a VPC's flows were built for a chassis. */
uint64_t
chassis_sync_n_vpc_rebuilds(void)
{
    return n_vpc_rebuilds;
}

/* How many times a chassis was brought to the model (not counting the
 * chassis that a round's changes could not touch). */
uint64_t
chassis_sync_n_chassis_syncs(void)
{
    return n_chassis_syncs;
}
