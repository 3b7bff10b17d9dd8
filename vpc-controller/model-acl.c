/* The network ACLs of a VPC in the model.  See model-acl.h. */
#include <config.h>
#include "model-acl.h"

#include <string.h>

#include "hash.h"
#include "model.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "util.h"
#include "uuid.h"
#include "vpc-addr.h"
#include "vpc-idl.h"
#include "vpc-sg.h"

VLOG_DEFINE_THIS_MODULE(model_acl);

static struct vlog_rate_limit bad_row_rl = VLOG_RATE_LIMIT_INIT(5, 20);

static int
compare_rules(const void *a_, const void *b_)
{
    const struct vpc_pl_nacl_rule *a = a_;
    const struct vpc_pl_nacl_rule *b = b_;
    return (a->ingress != b->ingress ? a->ingress - b->ingress
            : a->number != b->number ? a->number - b->number
            : uuid_compare_3way(&a->uuid, &b->uuid));
}

/* Parses 'row' into 'r' (zeroed).  Returns NULL, or a malloc()'d error.
 * Sets '*skip' for a rule that is valid but does not apply yet (IPv6). */
static char *
parse_rule(const struct vpcrec_network_acl_rule *row,
           struct vpc_pl_nacl_rule *r, bool *skip)
{
    int proto;
    char *error = vpc_sg_protocol_parse(row->protocol, &proto);
    if (error) {
        return error;
    }

    *skip = false;
    r->uuid = row->header_.uuid;
    r->number = row->number;
    r->ingress = !strcmp(row->direction, "ingress");
    r->deny = !strcmp(row->action, "deny");
    r->proto = proto;
    error = vpc_sg_port_range(proto, row->port_min, row->n_port_min,
                              row->port_max, row->n_port_max,
                              &r->port_min, &r->port_max);
    if (error) {
        return error;
    }
    if (vpc_cidr_is_ipv6(row->cidr)) {
        error = vpc_cidr6_check(row->cidr);
        *skip = !error;
        return error;
    }
    struct vpc_cidr4 cidr;
    error = vpc_cidr4_parse(row->cidr, &cidr);
    if (!error) {
        r->network = htonl(cidr.addr);
        r->mask = htonl(vpc_cidr4_mask(&cidr));
    }
    return error;
}

/* Builds the network ACLs of VPC 'row' into 'mv' (its 'nacls',
 * 'nacl_rules' and 'pl.nacls'), and into 'b' what its subnets need to find
 * theirs.  ACLs are taken in UUID order, rules by direction and number. */
void
model_acl_build(const struct vpcrec_vpc *row, struct model_vpc *mv,
                struct model_acl_builder *b)
{
    model_uuid_map_init(&b->acls);

    size_t n_acls;
    const struct ovsdb_idl_row **acl_refs = model_referrers(
        &row->header_, &vpcrec_table_network_acl,
        &vpcrec_network_acl_col_vpc, &n_acls);
    const struct vpcrec_network_acl **acls = xmalloc((n_acls + 1)
                                                     * sizeof *acls);
    for (size_t i = 0; i < n_acls; i++) {
        acls[i] = MODEL_ROW_CAST(vpcrec_network_acl, acl_refs[i]);
    }
    free(acl_refs);

    mv->nacls = xmalloc((n_acls + 1) * sizeof *mv->nacls);
    mv->nacl_rules = NULL;
    size_t *firsts = xmalloc((n_acls + 1) * sizeof *firsts);
    size_t n_rules = 0, allocated_rules = 0;
    for (size_t i = 0; i < n_acls; i++) {
        model_uuid_map_add(&b->acls, &acls[i]->header_.uuid, i + 1);

        size_t first = firsts[i] = n_rules;
        size_t n_refs;
        const struct ovsdb_idl_row **refs = model_referrers(
            &acls[i]->header_, &vpcrec_table_network_acl_rule,
            &vpcrec_network_acl_rule_col_network_acl, &n_refs);
        for (size_t j = 0; j < n_refs; j++) {
            const struct vpcrec_network_acl_rule *r_row
                = MODEL_ROW_CAST(vpcrec_network_acl_rule, refs[j]);
            if (n_rules >= allocated_rules) {
                mv->nacl_rules = x2nrealloc(mv->nacl_rules,
                                            &allocated_rules,
                                            sizeof *mv->nacl_rules);
            }
            struct vpc_pl_nacl_rule *r = &mv->nacl_rules[n_rules];
            bool skip;
            memset(r, 0, sizeof *r);    /* The fingerprint hashes it. */
            char *error = parse_rule(r_row, r, &skip);
            if (error) {
                VLOG_WARN_RL(&bad_row_rl, "network ACL %s: rule %"PRId64
                             " ignored: %s", acls[i]->name, r_row->number,
                             error);
                free(error);
            } else if (!skip) {
                n_rules++;
            }
        }
        free(refs);
        qsort(&mv->nacl_rules[first], n_rules - first,
              sizeof *mv->nacl_rules, compare_rules);
        mv->nacls[i] = (struct vpc_pl_nacl) {
            .uuid = acls[i]->header_.uuid,
            .n_rules = n_rules - first,
        };
    }
    /* Only now does 'nacl_rules' stay where it is. */
    for (size_t i = 0; i < n_acls; i++) {
        mv->nacls[i].rules = (mv->nacl_rules
                              ? &mv->nacl_rules[firsts[i]] : NULL);
    }
    free(firsts);
    free(acls);

    mv->pl.nacls = mv->nacls;
    mv->pl.n_nacls = n_acls;
}

/* Returns the number of the ACL of Subnet 'row' in the VPC that 'b' was
 * built for, or 0 if it has none.  An ACL of another VPC is ignored (with
 * a log): vpc-ctl never sets one. */
uint32_t
model_acl_subnet_acl(const struct model_acl_builder *b,
                     const struct vpcrec_subnet *row)
{
    if (!row->network_acl) {
        return 0;
    }
    size_t number = model_uuid_map_find(&b->acls,
                                        &row->network_acl->header_.uuid);
    if (number != SIZE_MAX) {
        return number;
    }
    VLOG_WARN_RL(&bad_row_rl, "subnet %s: network ACL %s is not an ACL of "
                 "its VPC: ignored", row->name, row->network_acl->name);
    return 0;
}

/* Frees what 'b' holds. */
void
model_acl_builder_destroy(struct model_acl_builder *b)
{
    model_uuid_map_destroy(&b->acls);
}

/* Returns a hash of the network ACLs of 'pl', with 'basis'. */
uint32_t
model_acl_fingerprint(const struct vpc_pl_vpc *pl, uint32_t basis)
{
    uint32_t h = basis;

    for (size_t i = 0; i < pl->n_nacls; i++) {
        const struct vpc_pl_nacl *acl = &pl->nacls[i];
        h = hash_bytes(&acl->uuid, sizeof acl->uuid, h);
        h = hash_bytes(acl->rules, acl->n_rules * sizeof *acl->rules, h);
    }
    return h;
}
