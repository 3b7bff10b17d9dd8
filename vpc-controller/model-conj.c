/* Conjunction IDs of security group rules.  See model-conj.h. */
#include <config.h>
#include "model-conj.h"

#include <string.h>

#include "hash.h"
#include "model.h"
#include "openvswitch/hmap.h"
#include "util.h"
#include "uuid.h"

/* A rule, or a shape of rules, and its ID. */
struct conj {
    struct hmap_node by_rule;   /* In 'by_rule' (by rule_hash()) or in
                                 * 'by_shape' (by hash_bytes()). */
    struct hmap_node by_id;     /* In 'by_id', by hash_int(id). */
    struct uuid rule;
    unsigned int sub;
    uint32_t id;
    uint64_t seen;              /* The last build or update that gave it. */

    /* A shape (pl_sg_conj_shape()): its key, and how many leading rules of
     * the model have it. */
    void *shape;
    size_t shape_len;
    size_t n_refs;
};

static struct hmap by_rule = HMAP_INITIALIZER(&by_rule);
static struct hmap by_shape = HMAP_INITIALIZER(&by_shape);
static struct hmap by_id = HMAP_INITIALIZER(&by_id);
static uint64_t generation;

static uint32_t
rule_hash(const struct uuid *rule, unsigned int sub)
{
    return hash_int(sub, uuid_hash(rule));
}

static struct conj *
find_id(uint32_t id)
{
    struct conj *c;

    HMAP_FOR_EACH_WITH_HASH (c, by_id, hash_int(id, 0), &by_id) {
        if (c->id == id) {
            return c;
        }
    }
    return NULL;
}

static void
conj_free(struct conj *c)
{
    hmap_remove(c->shape ? &by_shape : &by_rule, &c->by_rule);
    hmap_remove(&by_id, &c->by_id);
    free(c->shape);
    free(c);
}

/* A free ID, 'id' if it is. */
static uint32_t
free_id(uint32_t id)
{
    while (!id || find_id(id)) {
        id++;
    }
    return id;
}

/* A build of the whole model ('full'), or an update of some of its VPCs,
 * starts: the IDs it gives out are marked as in use by it.  A build counts
 * the rules of every shape anew. */
void
model_conj_begin(bool full)
{
    generation++;
    if (full) {
        struct conj *c;
        HMAP_FOR_EACH (c, by_rule, &by_shape) {
            c->n_refs = 0;
        }
    }
}

/* Returns the conjunction ID of the rule whose row is 'rule' (with 'sub'
 * 0), or of the 'sub'th rule that a row stands for without rule rows of
 * its own (a VPC's implicit default group: 1, 2...): the one it has, or a
 * new one. */
uint32_t
model_conj_id(const struct uuid *rule, unsigned int sub)
{
    uint32_t hash = rule_hash(rule, sub);
    struct conj *c;

    HMAP_FOR_EACH_WITH_HASH (c, by_rule, hash, &by_rule) {
        if (c->sub == sub && uuid_equals(&c->rule, rule)) {
            c->seen = generation;
            return c->id;
        }
    }

    uint32_t id = free_id(rule->parts[0] + sub);
    c = xzalloc(sizeof *c);
    c->rule = *rule;
    c->sub = sub;
    c->id = id;
    c->seen = generation;
    hmap_insert(&by_rule, &c->by_rule, hash);
    hmap_insert(&by_id, &c->by_id, hash_int(id, 0));
    return id;
}

/* Returns the conjunction ID of the rules whose conjunctions have the
 * shape 'key' (of 'len' bytes, see pl_sg_conj_shape()), and counts one
 * more such leading rule: the ID it has, or a new one (the shape's hash,
 * unless another has it).  model_conj_end_update() uncounts the rules of
 * the VPCs an update replaced. */
uint32_t
model_conj_shape_id(const void *key, size_t len)
{
    uint32_t hash = hash_bytes(key, len, 0);
    struct conj *c;

    HMAP_FOR_EACH_WITH_HASH (c, by_rule, hash, &by_shape) {
        if (c->shape_len == len && !memcmp(c->shape, key, len)) {
            c->n_refs++;
            return c->id;
        }
    }

    c = xzalloc(sizeof *c);
    c->shape = xmemdup(key, len);
    c->shape_len = len;
    c->n_refs = 1;
    c->id = free_id(hash);
    hmap_insert(&by_shape, &c->by_rule, hash);
    hmap_insert(&by_id, &c->by_id, hash_int(c->id, 0));
    return c->id;
}

/* After a build of the whole model: frees the IDs of the rules and shapes
 * it left out. */
void
model_conj_end_build(void)
{
    struct conj *c;

    HMAP_FOR_EACH_SAFE (c, by_rule, &by_rule) {
        if (c->seen != generation) {
            conj_free(c);
        }
    }
    HMAP_FOR_EACH_SAFE (c, by_rule, &by_shape) {
        if (!c->n_refs) {
            conj_free(c);
        }
    }
}

/* After an update that rebuilt the VPC whose previous version is 'old':
 * frees the IDs of the rules of 'old' that the update left out.  Costs
 * what 'old' holds. */
void
model_conj_end_update(const struct model_vpc *old)
{
    for (size_t i = 0; i < old->pl.n_sgs; i++) {
        const struct vpc_pl_sg *sg = &old->pl.sgs[i];
        for (size_t j = 0; j < sg->n_rules; j++) {
            const struct vpc_pl_sg_rule *r = &sg->rules[j];
            struct conj *c = find_id(r->conj_id);
            if (!c) {
                continue;
            } else if (r->conj_shared) {
                if (r->leader == j && c->shape) {
                    ovs_assert(c->n_refs);
                    if (!--c->n_refs) {
                        conj_free(c);
                    }
                }
            } else if (c->seen != generation && !c->shape
                       && uuid_equals(&c->rule, &r->uuid)) {
                conj_free(c);
            }
        }
    }
}

/* Frees every ID. */
void
model_conj_destroy(void)
{
    struct conj *c;

    HMAP_FOR_EACH_SAFE (c, by_rule, &by_rule) {
        conj_free(c);
    }
    HMAP_FOR_EACH_SAFE (c, by_rule, &by_shape) {
        conj_free(c);
    }
}
