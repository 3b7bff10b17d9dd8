#ifndef VPC_CTL_ANNOTATE_CONJ_H
#define VPC_CTL_ANNOTATE_CONJ_H 1

#include <stdint.h>

struct hmap;
struct ovsdb_idl;

void vpc_ctl_annotate_conj_init(struct ovsdb_idl *, struct hmap *);
const char *vpc_ctl_annotate_conj_find(const struct hmap *, uint32_t id);
void vpc_ctl_annotate_conj_destroy(struct hmap *);

#endif /* vpc-ctl-annotate-conj.h */
