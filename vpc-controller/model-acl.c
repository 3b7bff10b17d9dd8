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

static struct ovsdb_idl_index *acl_by_vpc;
static struct ovsdb_idl_index *rule_by_acl;

/* Creates the database indexes the ACLs are built with.  Call once,
 * before 'idl' first runs. */
void
model_acl_create_indexes(struct ovsdb_idl *idl)
{
    acl_by_vpc = ovsdb_idl_index_create1(idl, &vpcrec_network_acl_col_vpc);
    rule_by_acl = ovsdb_idl_index_create1(
        idl, &vpcrec_network_acl_rule_col_network_acl);
}

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

    const struct vpcrec_network_acl **acls = NULL;
    size_t n_acls = 0, allocated = 0;
    struct vpcrec_network_acl *key
        = vpcrec_network_acl_index_init_row(acl_by_vpc);
    vpcrec_network_acl_index_set_vpc(key, row);
    const struct vpcrec_network_acl *acl_row;
    VPCREC_NETWORK_ACL_FOR_EACH_EQUAL (acl_row, key, acl_by_vpc) {
        if (n_acls >= allocated) {
            acls = x2nrealloc(acls, &allocated, sizeof *acls);
        }
        acls[n_acls++] = acl_row;
    }
    vpcrec_network_acl_index_destroy_row(key);
    qsort(acls, n_acls, sizeof *acls, model_compare_rows);

    mv->nacls = xmalloc((n_acls + 1) * sizeof *mv->nacls);
    mv->nacl_rules = NULL;
    size_t *firsts = xmalloc((n_acls + 1) * sizeof *firsts);
    size_t n_rules = 0, allocated_rules = 0;
    struct vpcrec_network_acl_rule *rkey
        = vpcrec_network_acl_rule_index_init_row(rule_by_acl);
    for (size_t i = 0; i < n_acls; i++) {
        model_uuid_map_add(&b->acls, &acls[i]->header_.uuid, i + 1);

        size_t first = firsts[i] = n_rules;
        vpcrec_network_acl_rule_index_set_network_acl(rkey, acls[i]);
        const struct vpcrec_network_acl_rule *r_row;
        VPCREC_NETWORK_ACL_RULE_FOR_EACH_EQUAL (r_row, rkey, rule_by_acl) {
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
        qsort(&mv->nacl_rules[first], n_rules - first,
              sizeof *mv->nacl_rules, compare_rules);
        mv->nacls[i] = (struct vpc_pl_nacl) {
            .uuid = acls[i]->header_.uuid,
            .n_rules = n_rules - first,
        };
    }
    vpcrec_network_acl_rule_index_destroy_row(rkey);
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
