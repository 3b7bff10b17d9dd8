/* A set of OpenFlow flows keyed by (table, priority, match). */
#include <config.h>
#include "flow-table.h"

#include <string.h>

#include "coverage.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "pipeline.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(vpc_flow_table);

COVERAGE_DEFINE(vpc_flow_compared_as_text);

/* The match and actions of flows in tables, each kept once however many
 * flows in however many tables have them: a VPC's flows for its remote
 * ports are the same on every chassis that has the VPC, and at 20 chassis
 * the copies were most of the controller's memory.  A flow is its key,
 * its cookie and a pointer to its body: 40 bytes. */
static struct hmap bodies = HMAP_INITIALIZER(&bodies);
static size_t n_body_refs;

static uint32_t
body_hash(uint32_t match_hash, const struct ofpact *ofpacts, size_t len)
{
    return hash_bytes(ofpacts, len, match_hash);
}

/* Returns the body with 'match' and 'ofpacts', with a new reference to it.
 * Takes 'match' over (it is destroyed if a body already has it). */
static struct vpc_flow_body *
body_get(struct minimatch *match, uint32_t match_hash,
         const struct ofpact *ofpacts, size_t ofpacts_len)
{
    uint32_t hash = body_hash(match_hash, ofpacts, ofpacts_len);
    struct vpc_flow_body *b;

    n_body_refs++;
    HMAP_FOR_EACH_WITH_HASH (b, hmap_node, hash, &bodies) {
        if (b->match_hash == match_hash && b->ofpacts_len == ofpacts_len
            && !memcmp(b->ofpacts, ofpacts, ofpacts_len)
            && minimatch_equal(&b->match, match)) {
            minimatch_destroy(match);
            b->refcount++;
            return b;
        }
    }
    b = xmalloc(sizeof *b);
    b->refcount = 1;
    b->match_hash = match_hash;
    minimatch_move(&b->match, match);
    b->ofpacts = xmemdup(ofpacts, ofpacts_len);
    b->ofpacts_len = ofpacts_len;
    hmap_insert(&bodies, &b->hmap_node, hash);
    return b;
}

static void
body_drop(struct vpc_flow_body *b)
{
    if (!--b->refcount) {
        hmap_remove(&bodies, &b->hmap_node);
        minimatch_destroy(&b->match);
        free(b->ofpacts);
        free(b);
    }
}

static void
body_unref(struct vpc_flow_body *b)
{
    n_body_refs--;
    body_drop(b);
}

/* Gives 'flow' the body 'b' (whose reference it takes). */
static void
flow_set_body(struct vpc_flow *flow, struct vpc_flow_body *b)
{
    flow->body = b;
}

/* Returns a shared body with the match and actions of 'src' (which may be
 * one of its own), with a new reference to it. */
static struct vpc_flow_body *
body_share(const struct vpc_flow_body *src)
{
    if (src->refcount) {
        struct vpc_flow_body *b = CONST_CAST(struct vpc_flow_body *, src);
        b->refcount++;
        n_body_refs++;
        return b;
    } else {
        struct minimatch mm;
        minimatch_clone(&mm, &src->match);
        return body_get(&mm, src->match_hash, src->ofpacts,
                        src->ofpacts_len);
    }
}

/* Makes 'b' a body of one's own (in no table) with 'match' and the
 * 'ofpacts_len' bytes of 'ofpacts', which it borrows: its maker keeps them
 * for as long as 'b' is used. */
void
vpc_flow_body_init_loose(struct vpc_flow_body *b,
                         const struct minimatch *match,
                         const struct ofpact *ofpacts, size_t ofpacts_len)
{
    b->refcount = 0;
    b->match_hash = minimatch_hash(match, 0);
    b->match = *match;
    b->ofpacts = CONST_CAST(struct ofpact *, ofpacts);
    b->ofpacts_len = ofpacts_len;
}

/* Returns the body of 'flow' (its match and actions) with a reference
 * that vpc_flow_body_release() drops, for a flow mod still to be
 * encoded: the body lasts however the tables change meanwhile.  A flow
 * whose body is its own gets a shared one with the same match and
 * actions.  Such references are not counted as flows kept. */
struct vpc_flow_body *
vpc_flow_body_hold(const struct vpc_flow *flow)
{
    struct vpc_flow_body *b = body_share(flow->body);
    n_body_refs--;
    return b;
}

/* Drops a reference that vpc_flow_body_hold() returned. */
void
vpc_flow_body_release(struct vpc_flow_body *b)
{
    body_drop(b);
}

/* Makes 'flow' a flow outside any table, with 'table_id', 'priority' and
 * 'cookie', whose match and actions are those of 'b' (on which it takes no
 * reference: 'flow' is valid while 'b' is held). */
void
vpc_flow_init_from_body(struct vpc_flow *flow, const struct vpc_flow_body *b,
                        uint8_t table_id, uint16_t priority, uint64_t cookie)
{
    flow->table_id = table_id;
    flow->priority = priority;
    flow->cookie = cookie;
    flow->body = CONST_CAST(struct vpc_flow_body *, b);
}

/* How many distinct bodies (match and actions) the flows in all tables
 * have, and how many flows refer to them. */
void
vpc_flow_body_stats(size_t *n_bodies, size_t *n_refs)
{
    *n_bodies = hmap_count(&bodies);
    *n_refs = n_body_refs;
}

static uint32_t
flow_key_hash(uint8_t table_id, uint16_t priority, uint32_t match_hash)
{
    return hash_2words(match_hash, ((uint32_t) table_id << 16) | priority);
}

/* Returns the hash of the key of 'flow' (table, priority, match), the one
 * that flow tables use. */
uint32_t
vpc_flow_hash(const struct vpc_flow *flow)
{
    return flow_key_hash(flow->table_id, flow->priority,
                         flow->body->match_hash);
}

/* Initializes 'table' as empty. */
void
vpc_flow_table_init(struct vpc_flow_table *table)
{
    hmap_init(&table->flows);
}

static void
flow_free(struct vpc_flow *flow)
{
    body_unref(flow->body);
    free(flow);
}

/* Removes every flow from 'table'. */
void
vpc_flow_table_clear(struct vpc_flow_table *table)
{
    struct vpc_flow *flow;

    HMAP_FOR_EACH_POP (flow, hmap_node, &table->flows) {
        flow_free(flow);
    }
}

/* Frees 'table' and its flows. */
void
vpc_flow_table_destroy(struct vpc_flow_table *table)
{
    if (table) {
        vpc_flow_table_clear(table);
        hmap_destroy(&table->flows);
    }
}

/* Returns the number of flows in 'table'. */
size_t
vpc_flow_table_count(const struct vpc_flow_table *table)
{
    return hmap_count(&table->flows);
}

static struct vpc_flow *
find__(const struct vpc_flow_table *table, uint8_t table_id,
       uint16_t priority, const struct minimatch *match, uint32_t hash)
{
    struct vpc_flow *flow;

    HMAP_FOR_EACH_WITH_HASH (flow, hmap_node, hash, &table->flows) {
        if (flow->table_id == table_id && flow->priority == priority
            && minimatch_equal(vpc_flow_match(flow), match)) {
            return flow;
        }
    }
    return NULL;
}

/* Adds a flow to 'table' that matches 'match' in 'table_id' at 'priority'
 * and executes the 'ofpacts_len' bytes of 'ofpacts'.  Two flows with the
 * same table, priority and match would be ambiguous on a switch: the second
 * one is refused (logged) and false is returned. */
bool
vpc_flow_table_add(struct vpc_flow_table *table, uint8_t table_id,
                   uint16_t priority, uint64_t cookie,
                   const struct match *match, const struct ofpact *ofpacts,
                   size_t ofpacts_len)
{
    struct vpc_flow *flow = xmalloc(sizeof *flow);

    /* Normalized as a match read back from a switch is: Ethernet packet
     * type explicit, bits outside the mask zero.  Otherwise a reconcile
     * would see two equal matches as different. */
    struct match normalized = *match;
    match_set_default_packet_type(&normalized);
    match_zero_wildcarded_fields(&normalized);

    struct minimatch mm;
    minimatch_init(&mm, &normalized);
    uint32_t match_hash = minimatch_hash(&mm, 0);
    flow->table_id = table_id;
    flow->priority = priority;
    flow->cookie = cookie;
    flow_set_body(flow, body_get(&mm, match_hash, ofpacts, ofpacts_len));

    uint32_t hash = flow_key_hash(table_id, priority, match_hash);
    struct vpc_flow *old = find__(table, table_id, priority,
                                  vpc_flow_match(flow), hash);
    if (old) {
        /* The same flow twice (two gateway groups on one outside network
         * need the same uplink flows) is one flow; two different flows
         * with one key are a conflict. */
        if (!vpc_flow_same_actions(old, flow)) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
            struct ds s = DS_EMPTY_INITIALIZER;
            vpc_flow_format(flow, &s);
            VLOG_WARN_RL(&rl, "duplicate flow ignored: %s", ds_cstr(&s));
            ds_destroy(&s);
        }
        flow_free(flow);
        return false;
    }
    hmap_insert(&table->flows, &flow->hmap_node, hash);
    return true;
}

/* Adds a copy of 'src' to 'table', which must not hold a flow with the same
 * key.  Returns the copy. */
struct vpc_flow *
vpc_flow_table_add_copy(struct vpc_flow_table *table,
                        const struct vpc_flow *src)
{
    struct vpc_flow *flow = xmalloc(sizeof *flow);

    flow->table_id = src->table_id;
    flow->priority = src->priority;
    flow->cookie = src->cookie;
    flow_set_body(flow, body_share(src->body));
    hmap_insert(&table->flows, &flow->hmap_node, vpc_flow_hash(flow));
    return flow;
}

/* Returns the flow in 'table' with the same key as 'key', or NULL. */
struct vpc_flow *
vpc_flow_table_find(const struct vpc_flow_table *table,
                    const struct vpc_flow *key)
{
    return find__(table, key->table_id, key->priority, vpc_flow_match(key),
                  vpc_flow_hash(key));
}

/* Removes 'flow' from 'table' and frees it. */
void
vpc_flow_table_remove(struct vpc_flow_table *table, struct vpc_flow *flow)
{
    hmap_remove(&table->flows, &flow->hmap_node);
    flow_free(flow);
}

/* Moves every flow of 'src' into 'dst', which must be empty. */
void
vpc_flow_table_move(struct vpc_flow_table *dst, struct vpc_flow_table *src)
{
    ovs_assert(hmap_is_empty(&dst->flows));
    hmap_swap(&dst->flows, &src->flows);
}

/* Zeroes the alignment padding after the value and the mask of each
 * set_field action in 'ofpacts' (nested ones too).  Neither decoding nor
 * parsing actions defines those bytes, which are part of the actions all
 * the same: with them zeroed, the same actions are the same bytes (see
 * vpc_flow_reported_same()), and flows with the same actions share a
 * body. */
void
vpc_ofpacts_zero_padding(struct ofpact *ofpacts, size_t ofpacts_len)
{
    struct ofpact *a;

    OFPACT_FOR_EACH_FLATTENED (a, ofpacts, ofpacts_len) {
        if (a->type == OFPACT_SET_FIELD) {
            /* The value, padding, the mask, padding: where OVS says the
             * mask is, and up to the action's end. */
            struct ofpact_set_field *sf = ofpact_get_SET_FIELD(a);
            size_t n = sf->field->n_bytes;
            uint8_t *value = (uint8_t *) sf->value;
            uint8_t *mask = (uint8_t *) ofpact_set_field_mask(sf);
            uint8_t *end = (uint8_t *) a + a->len;

            if (mask >= value + n && end >= mask + n) {
                memset(value + n, 0, mask - (value + n));
                memset(mask + n, 0, end - (mask + n));
            }
        }
    }
}

/* Returns true if actions 'a' and 'b' are the same bytes, but for each
 * action's 'raw' (the OpenFlow action it was decoded from, which the
 * actions we build do not have): a cheap way to tell that what a switch
 * reports is what we built.  False says nothing: compare them with
 * ofpacts_equal_stringwise(). */
static bool
ofpacts_same_bytes(const struct ofpact *a, size_t a_len,
                   const struct ofpact *b, size_t b_len)
{
    const struct ofpact *x;
    const struct ofpact *y = b;

    if (a_len != b_len) {
        return false;
    }
    OFPACT_FOR_EACH (x, a, a_len) {
        if (x->type != y->type || x->len != y->len
            || memcmp(x + 1, y + 1, x->len - sizeof *x)) {
            return false;
        }
        y = ofpact_next(y);
    }
    return true;
}

/* Returns true if 'have', a flow as a switch reported it, has the cookie
 * and means the actions of 'want', a flow we built.  What a switch reports
 * back may differ from what we encoded in bits that do not matter
 * (padding, lengths), so this compares what the actions mean; but most
 * often they are the same bytes, which is a cheaper comparison. */
bool
vpc_flow_reported_same(const struct vpc_flow *have,
                       const struct vpc_flow *want)
{
    const struct vpc_flow_body *h = have->body, *w = want->body;
    if (have->cookie != want->cookie) {
        return false;
    } else if (ofpacts_same_bytes(h->ofpacts, h->ofpacts_len,
                                  w->ofpacts, w->ofpacts_len)) {
        return true;
    }
    COVERAGE_INC(vpc_flow_compared_as_text);
    return ofpacts_equal_stringwise(h->ofpacts, h->ofpacts_len,
                                    w->ofpacts, w->ofpacts_len);
}

/* Returns true if 'a' and 'b' have the same cookie and actions. */
bool
vpc_flow_same_actions(const struct vpc_flow *a, const struct vpc_flow *b)
{
    return a->cookie == b->cookie
           && (a->body == b->body
               || ofpacts_equal(vpc_flow_ofpacts(a), vpc_flow_ofpacts_len(a),
                                vpc_flow_ofpacts(b),
                                vpc_flow_ofpacts_len(b)));
}

/* Appends 'flow' to 's' in the style of "ovs-ofctl dump-flows", with the
 * table's name. */
void
vpc_flow_format(const struct vpc_flow *flow, struct ds *s)
{
    ds_put_format(s, "table=%d(%s), cookie=0x%"PRIx64", ", flow->table_id,
                  vpc_table_name(flow->table_id), flow->cookie);
    minimatch_format(vpc_flow_match(flow), NULL, NULL, s, flow->priority);
    ds_put_cstr(s, " actions=");
    if (vpc_flow_ofpacts_len(flow)) {
        struct ofpact_format_params fp = { .s = s };
        ofpacts_format(vpc_flow_ofpacts(flow), vpc_flow_ofpacts_len(flow),
                       &fp);
    } else {
        ds_put_cstr(s, "drop");
    }
}

static int
compare_lines(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;
    return strcmp(*a, *b);
}

/* Appends every flow of 'table' to 's', one per line, sorted. */
void
vpc_flow_table_format(const struct vpc_flow_table *table, struct ds *s)
{
    size_t n = hmap_count(&table->flows), i = 0;
    char **lines = xmalloc((n ? n : 1) * sizeof *lines);
    const struct vpc_flow *flow;

    HMAP_FOR_EACH (flow, hmap_node, &table->flows) {
        struct ds line = DS_EMPTY_INITIALIZER;
        vpc_flow_format(flow, &line);
        lines[i++] = ds_steal_cstr(&line);
    }
    qsort(lines, n, sizeof *lines, compare_lines);
    for (i = 0; i < n; i++) {
        ds_put_format(s, "%s\n", lines[i]);
        free(lines[i]);
    }
    free(lines);
}

/* Returns the cookie for flows caused by the row with 'uuid': its first 32
 * bits, so that a flow on a switch leads back to its row. */
uint64_t
vpc_cookie_from_uuid(const struct uuid *uuid)
{
    return uuid->parts[0];
}
