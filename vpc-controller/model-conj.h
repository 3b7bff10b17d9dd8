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
 * again after the build or update that dropped it. */
#ifndef VPC_CONTROLLER_MODEL_CONJ_H
#define VPC_CONTROLLER_MODEL_CONJ_H 1

#include <stdint.h>

struct model_vpc;
struct uuid;

void model_conj_begin(void);
uint32_t model_conj_id(const struct uuid *rule, unsigned int sub);
void model_conj_end_build(void);
void model_conj_end_update(const struct model_vpc *old);
void model_conj_destroy(void);

#endif /* model-conj.h */
