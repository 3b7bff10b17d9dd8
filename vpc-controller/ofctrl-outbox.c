/* What a switch session sends, in order.  See ofctrl-outbox.h. */
#include <config.h>
#include "ofctrl-outbox.h"

#include "flow-table.h"
#include "ofctrl-mods.h"
#include "openvswitch/ofp-bundle.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/rconn.h"
#include "util.h"

/* Bytes of messages that the rconn may hold before we stop handing it
 * more: two of its 64 kB writes. */
#define OUTBOX_BACKLOG (128 * 1024)

/* A flow mod to encode: its flow's match and actions, held. */
struct ofctrl_mod {
    struct vpc_flow_body *body;
    uint64_t cookie;
    uint16_t priority;
    uint8_t table_id;
    uint8_t command;            /* OFPFC_ADD, _MODIFY_STRICT, _DELETE_STRICT. */
};

/* Something to send: a message, or a bundle's flow mods. */
struct outbox_item {
    struct ovs_list list_node;  /* In ofctrl_outbox's 'items'. */
    struct ofpbuf *msg;         /* A message, or NULL for flow mods. */

    /* Flow mods 'mods.mods[next]' onward, to go into bundle 'bundle_id'. */
    struct ofctrl_mods mods;
    size_t next;
    uint32_t bundle_id;
    uint16_t flags;
    enum ofp_version version;
    enum ofputil_protocol protocol;
};

/* Initializes 'mods' as empty. */
void
ofctrl_mods_init(struct ofctrl_mods *mods)
{
    mods->mods = NULL;
    mods->n = mods->allocated = 0;
}

static void
mods_release(struct ofctrl_mods *mods, size_t from)
{
    for (size_t i = from; i < mods->n; i++) {
        vpc_flow_body_release(mods->mods[i].body);
    }
    free(mods->mods);
    ofctrl_mods_init(mods);
}

/* Forgets every flow mod in 'mods'. */
void
ofctrl_mods_clear(struct ofctrl_mods *mods)
{
    mods_release(mods, 0);
}

/* Appends to 'mods' flow mod 'command' (OFPFC_ADD, OFPFC_MODIFY_STRICT or
 * OFPFC_DELETE_STRICT) of 'flow'. */
void
ofctrl_mods_push(struct ofctrl_mods *mods, const struct vpc_flow *flow,
                 uint16_t command)
{
    if (mods->n >= mods->allocated) {
        mods->mods = x2nrealloc(mods->mods, &mods->allocated,
                                sizeof *mods->mods);
    }
    mods->mods[mods->n++] = (struct ofctrl_mod) {
        .body = vpc_flow_body_hold(flow),
        .cookie = flow->cookie,
        .priority = flow->priority,
        .table_id = flow->table_id,
        .command = command,
    };
}

/* Initializes 'ob' as empty. */
void
ofctrl_outbox_init(struct ofctrl_outbox *ob)
{
    ovs_list_init(&ob->items);
    ob->backlog = rconn_packet_counter_create();
}

static void
item_free(struct outbox_item *item)
{
    ofpbuf_delete(item->msg);
    mods_release(&item->mods, item->next);
    free(item);
}

/* Frees what 'ob' has not sent.  Call it after destroying the rconn that
 * 'ob' sent to. */
void
ofctrl_outbox_destroy(struct ofctrl_outbox *ob)
{
    struct outbox_item *item;

    LIST_FOR_EACH_POP (item, list_node, &ob->items) {
        item_free(item);
    }
    rconn_packet_counter_destroy(ob->backlog);
}

static bool
has_room(const struct ofctrl_outbox *ob)
{
    return rconn_packet_counter_n_bytes(ob->backlog) < OUTBOX_BACKLOG;
}

/* Sends 'msg' on 'rc' after what 'ob' holds: at once if it holds nothing. */
void
ofctrl_outbox_send(struct ofctrl_outbox *ob, struct rconn *rc,
                   struct ofpbuf *msg)
{
    if (ovs_list_is_empty(&ob->items)) {
        rconn_send(rc, msg, ob->backlog);
    } else {
        struct outbox_item *item = xzalloc(sizeof *item);
        item->msg = msg;
        ovs_list_push_back(&ob->items, &item->list_node);
    }
}

/* Sends on 'rc', after what 'ob' holds, the flow mods 'mods' (which are
 * taken, leaving 'mods' empty) as messages of bundle 'bundle_id' with
 * 'flags', for a switch that speaks 'version' and 'protocol'. */
void
ofctrl_outbox_send_bundle_mods(struct ofctrl_outbox *ob, struct rconn *rc,
                               struct ofctrl_mods *mods, uint32_t bundle_id,
                               uint16_t flags, enum ofp_version version,
                               enum ofputil_protocol protocol)
{
    if (!mods->n) {
        return;
    }

    struct outbox_item *item = xzalloc(sizeof *item);
    item->mods = *mods;
    item->mods.mods = xrealloc(mods->mods, mods->n * sizeof *mods->mods);
    item->mods.allocated = mods->n;
    item->bundle_id = bundle_id;
    item->flags = flags;
    item->version = version;
    item->protocol = protocol;
    ovs_list_push_back(&ob->items, &item->list_node);
    ofctrl_mods_init(mods);

    ofctrl_outbox_run(ob, rc);
}

/* Encodes flow mod 'mod' as a message of the bundle of 'item'. */
static struct ofpbuf *
encode_bundle_add(const struct outbox_item *item, const struct ofctrl_mod *mod)
{
    struct vpc_flow flow;
    vpc_flow_init_from_body(&flow, mod->body, mod->table_id, mod->priority,
                            mod->cookie);

    struct ofpbuf *fm = ofctrl_encode_flow_mod(&flow, mod->command,
                                               item->protocol);
    struct ofputil_bundle_add_msg bam = {
        .bundle_id = item->bundle_id,
        .flags = item->flags,
        .msg = fm->data,
    };
    struct ofpbuf *msg = ofputil_encode_bundle_add(item->version, &bam);
    ofpbuf_delete(fm);
    return msg;
}

/* Hands 'rc' what 'ob' holds, in order, while 'rc' has room for it. */
void
ofctrl_outbox_run(struct ofctrl_outbox *ob, struct rconn *rc)
{
    while (!ovs_list_is_empty(&ob->items) && has_room(ob)) {
        struct outbox_item *item = CONTAINER_OF(ovs_list_front(&ob->items),
                                                struct outbox_item,
                                                list_node);
        if (item->msg) {
            rconn_send(rc, item->msg, ob->backlog);
            item->msg = NULL;
        } else {
            while (item->next < item->mods.n && has_room(ob)) {
                struct ofctrl_mod *mod = &item->mods.mods[item->next++];
                rconn_send(rc, encode_bundle_add(item, mod), ob->backlog);
                vpc_flow_body_release(mod->body);
            }
            if (item->next < item->mods.n) {
                break;
            }
        }
        ovs_list_remove(&item->list_node);
        item_free(item);
    }
}

/* Arranges for poll_block() to wake up when ofctrl_outbox_run() can hand
 * over more (otherwise the rconn wakes it when it has sent its backlog). */
void
ofctrl_outbox_wait(const struct ofctrl_outbox *ob)
{
    if (!ovs_list_is_empty(&ob->items) && has_room(ob)) {
        poll_immediate_wake();
    }
}

/* Returns true if 'ob' holds nothing to send. */
bool
ofctrl_outbox_is_empty(const struct ofctrl_outbox *ob)
{
    return ovs_list_is_empty(&ob->items);
}
