/* Flows that several owners share.  See flow-merge.h. */
#include <config.h>
#include "flow-merge.h"

#include <stdlib.h>
#include <string.h>

#include "byte-order.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "pipeline.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(vpc_flow_merge);

/* An owner and the parts it wants. */
struct merge_owner {
    struct hmap_node hmap_node;     /* In 'owners', by UUID. */
    struct uuid uuid;
    struct vpc_flow_parts *parts;   /* Never empty. */
};

/* Returns new, empty parts of an owner whose flows (if it must have flows
 * of its own) match 'metadata', with one reference. */
struct vpc_flow_parts *
vpc_flow_parts_create(uint64_t metadata)
{
    struct vpc_flow_parts *parts = xmalloc(sizeof *parts);
    vpc_flow_table_init(&parts->flows);
    parts->metadata = metadata;
    parts->n_refs = 1;
    return parts;
}

/* Returns 'parts' with one more reference. */
struct vpc_flow_parts *
vpc_flow_parts_ref(struct vpc_flow_parts *parts)
{
    parts->n_refs++;
    return parts;
}

/* Drops a reference to 'parts' (NULL: none), freeing them with the
 * last. */
void
vpc_flow_parts_unref(struct vpc_flow_parts *parts)
{
    if (parts && !--parts->n_refs) {
        vpc_flow_table_destroy(&parts->flows);
        free(parts);
    }
}

/* A (table, priority, match) that owners want, who, and the flows it
 * gives (one, or more past VPC_MERGE_MAX_CONJUNCTIONS). */
struct merge_key {
    struct hmap_node hmap_node;     /* In 'keys', by vpc_flow_hash(). */
    struct vpc_flow key;            /* No cookie, no actions. */
    struct vpc_flow_body key_body;  /* Its match, its own. */
    struct merge_owner **owners;
    size_t n_owners, allocated_owners;
    struct vpc_flow **out;          /* In the merge's 'flows'. */
    size_t n_out, allocated_out;
    struct ovs_list dirty_node;     /* In 'dirty', if 'dirty'. */
    bool dirty;
};

static void
key_free(struct merge_key *k)
{
    minimatch_destroy(&k->key_body.match);
    free(k->owners);
    free(k->out);
    free(k);
}

/* Initializes 'm' as empty. */
void
vpc_flow_merge_init(struct vpc_flow_merge *m)
{
    hmap_init(&m->owners);
    hmap_init(&m->keys);
    ovs_list_init(&m->dirty);
    vpc_flow_table_init(&m->flows);
}

/* Forgets every owner and merged flow of 'm'. */
void
vpc_flow_merge_clear(struct vpc_flow_merge *m)
{
    struct merge_owner *o;
    struct merge_key *k;

    HMAP_FOR_EACH_POP (o, hmap_node, &m->owners) {
        vpc_flow_parts_unref(o->parts);
        free(o);
    }
    HMAP_FOR_EACH_POP (k, hmap_node, &m->keys) {
        key_free(k);
    }
    ovs_list_init(&m->dirty);
    vpc_flow_table_clear(&m->flows);
}

/* Frees 'm'. */
void
vpc_flow_merge_destroy(struct vpc_flow_merge *m)
{
    if (m) {
        vpc_flow_merge_clear(m);
        hmap_destroy(&m->owners);
        hmap_destroy(&m->keys);
        vpc_flow_table_destroy(&m->flows);
    }
}

static struct merge_owner *
owner_find(const struct vpc_flow_merge *m, const struct uuid *uuid)
{
    struct merge_owner *o;

    HMAP_FOR_EACH_WITH_HASH (o, hmap_node, uuid_hash(uuid), &m->owners) {
        if (uuid_equals(&o->uuid, uuid)) {
            return o;
        }
    }
    return NULL;
}

/* The key of 'flow', created (without owners) if 'create'. */
static struct merge_key *
key_find(struct vpc_flow_merge *m, const struct vpc_flow *flow, bool create)
{
    uint32_t hash = vpc_flow_hash(flow);
    struct merge_key *k;

    HMAP_FOR_EACH_WITH_HASH (k, hmap_node, hash, &m->keys) {
        if (k->key.table_id == flow->table_id
            && k->key.priority == flow->priority
            && minimatch_equal(&k->key_body.match, vpc_flow_match(flow))) {
            return k;
        }
    }
    if (!create) {
        return NULL;
    }
    k = xzalloc(sizeof *k);
    struct minimatch match;
    minimatch_clone(&match, vpc_flow_match(flow));
    vpc_flow_body_init_loose(&k->key_body, &match, NULL, 0);
    vpc_flow_init_from_body(&k->key, &k->key_body, flow->table_id,
                            flow->priority, 0);
    hmap_insert(&m->keys, &k->hmap_node, hash);
    return k;
}

static void
key_mark_dirty(struct vpc_flow_merge *m, struct merge_key *k)
{
    if (!k->dirty) {
        k->dirty = true;
        ovs_list_push_back(&m->dirty, &k->dirty_node);
    }
}

static void
key_remove_owner(struct merge_key *k, const struct merge_owner *o)
{
    for (size_t i = 0; i < k->n_owners; i++) {
        if (k->owners[i] == o) {
            k->owners[i] = k->owners[--k->n_owners];
            return;
        }
    }
    OVS_NOT_REACHED();
}

/* Makes 'parts' (NULL: none) the flows that 'owner' wants merged, in
 * place of what it wanted before, and keeps a reference to them.  Costs
 * what the owner's parts hold (nothing, if they are the same parts); the
 * merged flows change at the next vpc_flow_merge_flush(). */
void
vpc_flow_merge_set(struct vpc_flow_merge *m, const struct uuid *owner,
                   struct vpc_flow_parts *parts)
{
    struct vpc_flow_table empty;     /* Needs no destroy while empty. */
    vpc_flow_table_init(&empty);
    struct merge_owner *o = owner_find(m, owner);
    const struct vpc_flow_table *old = o ? &o->parts->flows : &empty;
    const struct vpc_flow_table *new = parts ? &parts->flows : &empty;
    const struct vpc_flow *f;

    if (o && o->parts == parts) {
        return;
    } else if (!o) {
        if (!vpc_flow_table_count(new)) {
            return;
        }
        o = xzalloc(sizeof *o);
        o->uuid = *owner;
        hmap_insert(&m->owners, &o->hmap_node, uuid_hash(owner));
    }

    /* Parts it no longer wants, or wants with other actions... */
    HMAP_FOR_EACH (f, hmap_node, &old->flows) {
        const struct vpc_flow *g = vpc_flow_table_find(new, f);
        if (!g || !ofpacts_equal(vpc_flow_ofpacts(f), vpc_flow_ofpacts_len(f),
                                 vpc_flow_ofpacts(g),
                                 vpc_flow_ofpacts_len(g))) {
            struct merge_key *k = key_find(m, f, false);
            if (!g) {
                key_remove_owner(k, o);
            }
            key_mark_dirty(m, k);
        }
    }
    /* ...and new ones. */
    HMAP_FOR_EACH (f, hmap_node, &new->flows) {
        if (!vpc_flow_table_find(old, f)) {
            struct merge_key *k = key_find(m, f, true);
            if (k->n_owners >= k->allocated_owners) {
                k->owners = x2nrealloc(k->owners, &k->allocated_owners,
                                       sizeof *k->owners);
            }
            k->owners[k->n_owners++] = o;
            key_mark_dirty(m, k);
        }
    }

    vpc_flow_parts_unref(o->parts);
    if (vpc_flow_table_count(new)) {
        o->parts = vpc_flow_parts_ref(parts);
    } else {
        hmap_remove(&m->owners, &o->hmap_node);
        free(o);
    }
}

static int
compare_conjunctions(const void *a_, const void *b_)
{
    const struct ofpact_conjunction *a = a_;
    const struct ofpact_conjunction *b = b_;

    if (a->id != b->id) {
        return a->id < b->id ? -1 : 1;
    } else if (a->clause != b->clause) {
        return a->clause < b->clause ? -1 : 1;
    }
    return a->n_clauses < b->n_clauses ? -1 : a->n_clauses > b->n_clauses;
}

/* One owner's conjunction actions for a key, sorted. */
struct owner_conjs {
    const struct merge_owner *owner;
    struct ofpact_conjunction *conjs;
    size_t n;
};

static int
compare_owner_conjs(const void *a_, const void *b_)
{
    const struct owner_conjs *a = a_;
    const struct owner_conjs *b = b_;

    if (!a->n || !b->n) {
        return !!a->n - !!b->n;
    }
    /* Owners of rules of one shape have the same conjunctions: then their
     * UUIDs decide, whatever the order they came in. */
    int cmp = compare_conjunctions(&a->conjs[0], &b->conjs[0]);
    return cmp ? cmp : uuid_compare_3way(&a->owner->uuid, &b->owner->uuid);
}

/* A set of conjunctions (ID, clause and number of clauses). */
struct conj_set_node {
    struct hmap_node hmap_node;
    struct ofpact_conjunction conj;
};

static uint32_t
conj_hash(const struct ofpact_conjunction *c)
{
    return hash_3words(c->id, c->clause, c->n_clauses);
}

static bool
conj_set_contains(const struct hmap *set, const struct ofpact_conjunction *c)
{
    const struct conj_set_node *node;

    HMAP_FOR_EACH_WITH_HASH (node, hmap_node, conj_hash(c), set) {
        if (!compare_conjunctions(&node->conj, c)) {
            return true;
        }
    }
    return false;
}

/* Appends the 'n' conjunctions of 'conjs', sorted, to 'out' (once each). */
static void
put_conjunctions(struct ofpbuf *out, struct ofpact_conjunction *conjs,
                 size_t n)
{
    if (n) {
        qsort(conjs, n, sizeof *conjs, compare_conjunctions);
    }
    for (size_t i = 0; i < n; i++) {
        if (!i || compare_conjunctions(&conjs[i - 1], &conjs[i])) {
            struct ofpact_conjunction *c = ofpact_put_CONJUNCTION(out);
            c->id = conjs[i].id;
            c->clause = conjs[i].clause;
            c->n_clauses = conjs[i].n_clauses;
        }
    }
}

static void
log_overflow(const struct merge_key *k, size_t n_narrowed)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);

    if (!VLOG_DROP_WARN(&rl)) {
        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_format(&s, "table=%d(%s), ", k->key.table_id,
                      vpc_table_name(k->key.table_id));
        minimatch_format(&k->key_body.match, NULL, NULL, &s, k->key.priority);
        VLOG_WARN("%s: more than %d conjunctions: %"PRIuSIZE" owner(s) get "
                  "a flow of their own", ds_cstr(&s),
                  VPC_MERGE_MAX_CONJUNCTIONS, n_narrowed);
        ds_destroy(&s);
    }
}

static bool
is_conjunctions(const struct vpc_flow *f)
{
    return (vpc_flow_ofpacts_len(f)
            && vpc_flow_ofpacts(f)->type == OFPACT_CONJUNCTION);
}

/* Adds to 'fresh' the flow that the owners of 'k' want with actions that
 * are not conjunctions: the same flow, which they share as it is.  Should
 * two want different actions, a bug, the one whose actions compare lower
 * wins, whatever the order they came in, and it is logged. */
static void
merge_build_same(const struct merge_key *k, struct vpc_flow_table *fresh)
{
    const struct vpc_flow *first = NULL;
    bool differ = false;

    for (size_t i = 0; i < k->n_owners; i++) {
        const struct vpc_flow *part = vpc_flow_table_find(
            &k->owners[i]->parts->flows, &k->key);
        if (!first) {
            first = part;
        } else if (part->body != first->body) {
            const struct vpc_flow_body *p = part->body, *f = first->body;
            if (p->ofpacts_len != f->ofpacts_len
                || memcmp(p->ofpacts, f->ofpacts, p->ofpacts_len)) {
                differ = true;
                if (p->ofpacts_len < f->ofpacts_len
                    || (p->ofpacts_len == f->ofpacts_len
                        && memcmp(p->ofpacts, f->ofpacts,
                                  p->ofpacts_len) < 0)) {
                    first = part;
                }
            }
        }
    }
    if (differ) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        struct ds s = DS_EMPTY_INITIALIZER;
        minimatch_format(&k->key_body.match, NULL, NULL, &s, k->key.priority);
        VLOG_WARN_RL(&rl, "table=%d, %s: owners want different actions",
                     k->key.table_id, ds_cstr(&s));
        ds_destroy(&s);
    }

    struct vpc_flow_body body;
    struct vpc_flow flow;
    vpc_flow_body_init_loose(&body, &k->key_body.match,
                             vpc_flow_ofpacts(first),
                             vpc_flow_ofpacts_len(first));
    vpc_flow_init_from_body(&flow, &body, k->key.table_id, k->key.priority,
                            VPC_COOKIE_SHARED);
    vpc_flow_table_add_copy(fresh, &flow);
}

/* Adds to 'fresh' the flows that the owners of 'k' want: one with the union
 * of their conjunction actions, sorted, so that the same owners give the
 * same flow whatever the order they came in.  Owners past
 * VPC_MERGE_MAX_CONJUNCTIONS (in the order of their lowest conjunction,
 * then of their UUIDs)
 * get a flow each instead, that matches their metadata too.  (A flow with
 * other actions, merge_build_same(), is the same for every owner.) */
static void
merge_build(const struct merge_key *k, struct vpc_flow_table *fresh)
{
    if (!k->n_owners) {
        return;
    }
    const struct vpc_flow *first = vpc_flow_table_find(
        &k->owners[0]->parts->flows, &k->key);
    if (!is_conjunctions(first)) {
        merge_build_same(k, fresh);
        return;
    }

    struct owner_conjs *ocs = xcalloc(k->n_owners + 1, sizeof *ocs);
    size_t n_total = 0;

    for (size_t i = 0; i < k->n_owners; i++) {
        const struct vpc_flow *part = vpc_flow_table_find(
            &k->owners[i]->parts->flows, &k->key);
        struct owner_conjs *oc = &ocs[i];
        size_t allocated = 0;
        const struct ofpact *a;

        oc->owner = k->owners[i];
        OFPACT_FOR_EACH (a, vpc_flow_ofpacts(part),
                         vpc_flow_ofpacts_len(part)) {
            ovs_assert(a->type == OFPACT_CONJUNCTION);
            if (oc->n >= allocated) {
                oc->conjs = x2nrealloc(oc->conjs, &allocated,
                                       sizeof *oc->conjs);
            }
            oc->conjs[oc->n++] = *ofpact_get_CONJUNCTION(a);
        }
        if (oc->n) {
            qsort(oc->conjs, oc->n, sizeof *oc->conjs, compare_conjunctions);
        }
        n_total += oc->n;
    }
    qsort(ocs, k->n_owners, sizeof *ocs, compare_owner_conjs);

    uint64_t stub[1024 / 8];
    struct ofpbuf actions = OFPBUF_STUB_INITIALIZER(stub);
    struct ofpact_conjunction *shared = xmalloc((n_total + 1)
                                                * sizeof *shared);
    size_t n_shared = 0, n_narrowed = 0;
    struct hmap distinct = HMAP_INITIALIZER(&distinct);
    for (size_t i = 0; i < k->n_owners; i++) {
        const struct owner_conjs *oc = &ocs[i];

        /* Only the conjunctions not shared yet count towards the cap:
         * owners of rules of one shape share theirs. */
        size_t n_new = 0;
        for (size_t j = 0; j < oc->n; j++) {
            n_new += !conj_set_contains(&distinct, &oc->conjs[j]);
        }
        if (hmap_count(&distinct) + n_new <= VPC_MERGE_MAX_CONJUNCTIONS) {
            for (size_t j = 0; j < oc->n; j++) {
                if (!conj_set_contains(&distinct, &oc->conjs[j])) {
                    struct conj_set_node *node = xmalloc(sizeof *node);
                    node->conj = oc->conjs[j];
                    hmap_insert(&distinct, &node->hmap_node,
                                conj_hash(&node->conj));
                    shared[n_shared++] = oc->conjs[j];
                }
            }
        } else if (oc->n) {
            struct match match;
            minimatch_expand(&k->key_body.match, &match);
            match_set_metadata(&match, htonll(oc->owner->parts->metadata));
            ofpbuf_clear(&actions);
            put_conjunctions(&actions, oc->conjs, oc->n);
            vpc_flow_table_add(fresh, k->key.table_id, k->key.priority,
                               VPC_COOKIE_SHARED, &match, actions.data,
                               actions.size);
            n_narrowed++;
        }
    }
    if (n_narrowed) {
        log_overflow(k, n_narrowed);
    }
    struct conj_set_node *node;
    HMAP_FOR_EACH_POP (node, hmap_node, &distinct) {
        free(node);
    }
    hmap_destroy(&distinct);

    ofpbuf_clear(&actions);
    put_conjunctions(&actions, shared, n_shared);
    if (actions.size) {
        struct vpc_flow_body body;
        struct vpc_flow flow;
        vpc_flow_body_init_loose(&body, &k->key_body.match, actions.data,
                                 actions.size);
        vpc_flow_init_from_body(&flow, &body, k->key.table_id,
                                k->key.priority, VPC_COOKIE_SHARED);
        vpc_flow_table_add_copy(fresh, &flow);
    }

    ofpbuf_uninit(&actions);
    free(shared);
    for (size_t i = 0; i < k->n_owners; i++) {
        free(ocs[i].conjs);
    }
    free(ocs);
}

/* Brings the merged flows of 'm' up to its owners' parts.  Adds to 'was'
 * the merged flows that changed or went away, as they were, and to 'now'
 * those that changed or came, as they are (either may be NULL): the
 * difference for a switch.  Costs what the changed flows hold. */
void
vpc_flow_merge_flush(struct vpc_flow_merge *m, struct vpc_flow_table *was,
                     struct vpc_flow_table *now)
{
    struct merge_key *k;

    LIST_FOR_EACH_POP (k, dirty_node, &m->dirty) {
        struct vpc_flow_table fresh;
        struct vpc_flow *f;
        size_t n_kept = 0;

        k->dirty = false;
        vpc_flow_table_init(&fresh);
        if (k->n_owners) {
            merge_build(k, &fresh);
        }

        /* What the key had: kept if it still wants it as it is... */
        for (size_t i = 0; i < k->n_out; i++) {
            struct vpc_flow *had = k->out[i];
            f = vpc_flow_table_find(&fresh, had);
            if (f && vpc_flow_same_actions(f, had)) {
                vpc_flow_table_remove(&fresh, f);
                k->out[n_kept++] = had;
            } else {
                if (was) {
                    vpc_flow_table_add_copy(was, had);
                }
                vpc_flow_table_remove(&m->flows, had);
            }
        }
        k->n_out = n_kept;
        /* ...and what it wants now. */
        HMAP_FOR_EACH (f, hmap_node, &fresh.flows) {
            if (k->n_out >= k->allocated_out) {
                k->out = x2nrealloc(k->out, &k->allocated_out,
                                    sizeof *k->out);
            }
            k->out[k->n_out++] = vpc_flow_table_add_copy(&m->flows, f);
            if (now) {
                vpc_flow_table_add_copy(now, f);
            }
        }
        vpc_flow_table_destroy(&fresh);

        if (!k->n_owners) {
            ovs_assert(!k->n_out);
            hmap_remove(&m->keys, &k->hmap_node);
            key_free(k);
        }
    }
}

/* Does 'owner' have parts in 'm'? */
bool
vpc_flow_merge_has_owner(const struct vpc_flow_merge *m,
                         const struct uuid *owner)
{
    return owner_find(m, owner) != NULL;
}

/* Returns the merged flows of 'm', as of the last vpc_flow_merge_flush(). */
const struct vpc_flow_table *
vpc_flow_merge_flows(const struct vpc_flow_merge *m)
{
    return &m->flows;
}
