/* Chassis sync: when each port's flows went out to its chassis, and so
 * whether they are in (the port is "up").  See chassis-sync.h. */
#include <config.h>
#include "chassis-sync.h"

#include <string.h>

#include "chassis.h"
#include "engine-private.h"
#include "hash.h"
#include "model.h"
#include "ofctrl.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "util.h"
#include "uuid.h"

/* When a port's flows were committed on its chassis: it is "up" once the
 * switch acknowledges that generation. */
struct port_gen {
    struct hmap_node hmap_node;     /* In 'port_gens', by port uuid. */
    struct ovs_list session_node;   /* In its session_gens' 'gens'. */
    struct uuid port;
    char *chassis;
    const struct ofctrl *session;   /* Generations count per session. */
    ofp_port_t ofport;
    uint64_t gen;
};

/* The port generations counted in one session: a session that goes away
 * forgets its own, not every port's. */
struct session_gens {
    struct hmap_node hmap_node;     /* In 'session_gens', by session. */
    const struct ofctrl *session;
    struct ovs_list gens;           /* Of struct port_gen. */
};

static struct hmap port_gens = HMAP_INITIALIZER(&port_gens);
static struct hmap session_gens = HMAP_INITIALIZER(&session_gens);

static struct session_gens *
session_gens_find(const struct ofctrl *session)
{
    struct session_gens *sg;

    HMAP_FOR_EACH_WITH_HASH (sg, hmap_node, hash_pointer(session, 0),
                             &session_gens) {
        if (sg->session == session) {
            return sg;
        }
    }
    return NULL;
}

/* Files 'pg' under its session. */
static void
port_gen_link(struct port_gen *pg)
{
    struct session_gens *sg = session_gens_find(pg->session);
    if (!sg) {
        sg = xmalloc(sizeof *sg);
        sg->session = pg->session;
        ovs_list_init(&sg->gens);
        hmap_insert(&session_gens, &sg->hmap_node,
                    hash_pointer(pg->session, 0));
    }
    ovs_list_push_back(&sg->gens, &pg->session_node);
}

/* Takes 'pg' out of its session's list, and the session out of
 * 'session_gens' once it has none. */
static void
port_gen_unlink(struct port_gen *pg)
{
    struct session_gens *sg = session_gens_find(pg->session);

    ovs_list_remove(&pg->session_node);
    if (sg && ovs_list_is_empty(&sg->gens)) {
        hmap_remove(&session_gens, &sg->hmap_node);
        free(sg);
    }
}

static void
port_gen_free(struct port_gen *pg)
{
    hmap_remove(&port_gens, &pg->hmap_node);
    port_gen_unlink(pg);
    free(pg->chassis);
    free(pg);
}

/* Notes that the flows of port 'port', bound to 'ofport' on 'chassis',
 * went out in generation 'gen' of its switch's session 'session'. */
void
chassis_sync_port_gen_set(const struct uuid *port, const char *chassis,
                          const struct ofctrl *session, ofp_port_t ofport,
                          uint64_t gen)
{
    struct port_gen *pg;

    HMAP_FOR_EACH_WITH_HASH (pg, hmap_node, uuid_hash(port), &port_gens) {
        if (uuid_equals(&pg->port, port)) {
            if (strcmp(pg->chassis, chassis) || pg->session != session
                || pg->ofport != ofport) {
                free(pg->chassis);
                pg->chassis = xstrdup(chassis);
                if (pg->session != session) {
                    port_gen_unlink(pg);
                    pg->session = session;
                    port_gen_link(pg);
                }
                pg->ofport = ofport;
                pg->gen = gen;
            }
            return;
        }
    }
    pg = xmalloc(sizeof *pg);
    pg->port = *port;
    pg->chassis = xstrdup(chassis);
    pg->session = session;
    pg->ofport = ofport;
    pg->gen = gen;
    hmap_insert(&port_gens, &pg->hmap_node, uuid_hash(port));
    port_gen_link(pg);
}

/* Forgets the generations counted in 'session', which is going away: only
 * its own, whatever the number of ports in the world. */
static void
prune_session_gens(const struct ofctrl *session)
{
    struct session_gens *sg = session_gens_find(session);
    struct port_gen *pg;

    if (!sg) {
        return;
    }
    hmap_remove(&session_gens, &sg->hmap_node);
    LIST_FOR_EACH_POP (pg, session_node, &sg->gens) {
        hmap_remove(&port_gens, &pg->hmap_node);
        free(pg->chassis);
        free(pg);
    }
    free(sg);
}

/* Forgets the generations of ports whose rows are gone. */
static void
prune_port_gens(void)
{
    struct port_gen *pg;

    HMAP_FOR_EACH_SAFE (pg, hmap_node, &port_gens) {
        if (!vpc_model_find_binding(&engine_model, &pg->port)) {
            port_gen_free(pg);
        }
    }
}

static const struct port_gen *
port_gen_find(const struct uuid *port)
{
    const struct port_gen *pg;

    HMAP_FOR_EACH_WITH_HASH (pg, hmap_node, uuid_hash(port), &port_gens) {
        if (uuid_equals(&pg->port, port)) {
            return pg;
        }
    }
    return NULL;
}

/* Forgets the generation of port 'uuid', whose row is gone. */
void
chassis_sync_forget_port(const struct uuid *uuid)
{
    struct port_gen *pg = CONST_CAST(struct port_gen *, port_gen_find(uuid));
    if (pg) {
        port_gen_free(pg);
    }
}

/* Are the flows of port 'port', bound to 'ofport' on 'ch', acknowledged by
 * its switch in this session? */
bool
chassis_sync_port_is_up(const struct chassis *ch, const struct uuid *port,
                        ofp_port_t ofport)
{
    const struct port_gen *pg = port_gen_find(port);
    return (ch->ofctrl && pg && !strcmp(pg->chassis, ch->name)
            && pg->session == ch->ofctrl && pg->ofport == ofport
            && ofctrl_get_state(ch->ofctrl) == OFCTRL_SYNCED
            && ofctrl_get_acked_gen(ch->ofctrl) >= pg->gen);
}

/* Forgets the generations counted in 'session', which is going away. */
void
chassis_sync_forget_session(const struct ofctrl *session)
{
    prune_session_gens(session);
}

/* Forgets the generations of ports the model no longer has. */
void
chassis_sync_prune_ports(void)
{
    prune_port_gens();
}

/* Forgets every generation. */
void
chassis_sync_destroy(void)
{
    struct port_gen *pg;

    HMAP_FOR_EACH_POP (pg, hmap_node, &port_gens) {
        free(pg->chassis);
        free(pg);
    }
    struct session_gens *sg;
    HMAP_FOR_EACH_POP (sg, hmap_node, &session_gens) {
        free(sg);
    }
}
