/* Conjunction IDs of security group rules, unique in the whole model.
 *
 * A rule's clauses that match no VPC key are one flow on a chassis for
 * every VPC that has them, with a conjunction action per rule (see
 * ofproto-vpc's stage-sg.c), so no two rules of a chassis may share an ID:
 * every rule of the model gets its own.  A rule keeps its ID for as long
 * as the model has it, so that rebuilding one VPC never renumbers
 * another's (whose flows are rebuilt only when it changes).  The ID is
 * the first 32 bits of the rule's UUID, unless another rule has them:
 * then the next free number.  So every instance that reads the same
 * database gives the same IDs, and a new owner of a switch finds the
 * flows it would have sent, but for such (rare) collisions, where the
 * order of the builds decides.  The ID of a rule that is gone is free
 * again after the build or update that dropped it.
 *
 * Rules whose conjunctions have the same shape (ofproto-vpc's
 * pl_sg_conj_shape(): the same clauses but the port's), in any VPC or
 * group, share one ID instead, and with it one conjunction flow per
 * chassis: the ID of the shape, kept while a rule of the model has it. */
#ifndef VPC_CONTROLLER_MODEL_CONJ_H
#define VPC_CONTROLLER_MODEL_CONJ_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct model_vpc;
struct uuid;

void model_conj_begin(bool full);
uint32_t model_conj_id(const struct uuid *rule, unsigned int sub);
uint32_t model_conj_shape_id(const void *key, size_t len);
void model_conj_end_build(void);
void model_conj_end_update(const struct model_vpc *old);
void model_conj_destroy(void);

#endif /* model-conj.h */
