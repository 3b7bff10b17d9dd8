/* vpc-ctl commands for VPC peering: peering-*, each with its
 * prerequisites, in vpc_ctl_peering_commands; and what vpc-del, "show" and
 * the routes of vpc-ctl-route.c need of peerings.
 *
 * A peering has one row per side: peering-add makes one VPC's side, and
 * the peering is active once the other VPC has made its own and as long
 * as the two VPCs' address blocks do not overlap.  A VPC's blocks are its
 * CIDRs, or for a VPC without any, its subnets' CIDRs. */
#include <config.h>

#include "vpc-ctl-peering.h"

#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "ovsdb-idl.h"
#include "svec.h"
#include "util.h"
#include "vpc-addr.h"
#include "vpc-ctl-common.h"
#include "vpc-ctl-route.h"
#include "vpc-idl.h"

/* -------------------------------------------------------------- Blocks */

/* Returns the address blocks of 'vpc', as the header comment says, and
 * stores their number in '*n'.  A CIDR that another client wrote badly is
 * passed over, as vpc-controller passes it over.  The caller frees the
 * array; its strings are the rows'. */
struct vpc_ctl_block *
vpc_ctl_vpc_blocks(struct ctl_context *ctx, const struct vpcrec_vpc *vpc,
                   size_t *n)
{
    struct vpc_ctl_block *blocks = NULL;
    size_t allocated = 0;

    *n = 0;
    if (vpc->n_cidrs) {
        blocks = xmalloc(vpc->n_cidrs * sizeof *blocks);
        for (size_t i = 0; i < vpc->n_cidrs; i++) {
            if (vpc_ctl_cidr_parses(vpc->cidrs[i], &blocks[*n].cidr)) {
                blocks[(*n)++].s = vpc->cidrs[i];
            }
        }
        return blocks;
    }

    size_t n_subnets;
    struct vpc_ctl_row *subnets = vpc_ctl_sorted_rows(
        ctx, &vpcrec_table_subnet, &vpcrec_subnet_col_vpc, &vpc->header_,
        &n_subnets);
    for (size_t i = 0; i < n_subnets; i++) {
        const struct vpcrec_subnet *subnet = VPC_CTL_ROW(subnet,
                                                         subnets[i].row);
        if (*n >= allocated) {
            blocks = x2nrealloc(blocks, &allocated, sizeof *blocks);
        }
        if (vpc_ctl_cidr_parses(subnet->cidr, &blocks[*n].cidr)) {
            blocks[(*n)++].s = subnet->cidr;
        }
    }
    free(subnets);
    return blocks;
}

/* If a block of 'a' overlaps a block of 'b', puts "X of VPC A overlaps Y
 * of VPC B" for the first such pair into 's' and returns true. */
static bool
vpcs_overlap(struct ctl_context *ctx, const struct vpcrec_vpc *a,
             const struct vpcrec_vpc *b, struct ds *s)
{
    size_t n_a, n_b;
    struct vpc_ctl_block *as = vpc_ctl_vpc_blocks(ctx, a, &n_a);
    struct vpc_ctl_block *bs = vpc_ctl_vpc_blocks(ctx, b, &n_b);
    bool overlap = false;

    for (size_t i = 0; i < n_a && !overlap; i++) {
        for (size_t j = 0; j < n_b && !overlap; j++) {
            if (vpc_cidr4_overlaps(&as[i].cidr, &bs[j].cidr)) {
                ds_put_format(s, "%s of VPC %s overlaps %s of VPC %s",
                              as[i].s, a->name, bs[j].s, b->name);
                overlap = true;
            }
        }
    }
    free(as);
    free(bs);
    return overlap;
}

/* Returns true if 'cidr' (the string 'cidr_s'), a route's destination
 * through 'peering', lies inside one of the blocks of its peer VPC.
 * Otherwise sets an error in 'ctx' and returns false. */
bool
vpc_ctl_peering_check_cidr(struct ctl_context *ctx,
                           const struct vpcrec_peering *peering,
                           const struct vpc_cidr4 *cidr, const char *cidr_s)
{
    const struct vpcrec_vpc *peer = peering->peer_vpc;
    size_t n;
    struct vpc_ctl_block *blocks = vpc_ctl_vpc_blocks(ctx, peer, &n);
    bool inside = false;

    for (size_t i = 0; i < n && !inside; i++) {
        inside = vpc_cidr4_contains(&blocks[i].cidr, cidr);
    }
    if (!inside) {
        struct ds s = DS_EMPTY_INITIALIZER;
        for (size_t i = 0; i < n; i++) {
            ds_put_format(&s, "%s%s", i ? "," : "", blocks[i].s);
        }
        ctl_error(ctx, "%s is outside peer VPC %s (%s) of peering %s",
                  cidr_s, peer->name,
                  n ? ds_cstr(&s) : "which has no CIDRs or subnets",
                  peering->name);
        ds_destroy(&s);
    }
    free(blocks);
    return inside;
}

/* ------------------------------------------------------------ Peerings */

/* Returns the side of a peering that 'vpc' has with 'peer', or NULL. */
static const struct vpcrec_peering *
peering_find(struct ctl_context *ctx, const struct vpcrec_vpc *vpc,
             const struct vpcrec_vpc *peer)
{
    const struct vpcrec_peering *p;

    VPCREC_PEERING_FOR_EACH (p, ctx->idl) {
        if (p->vpc == vpc && p->peer_vpc == peer) {
            return p;
        }
    }
    return NULL;
}

/* Returns true if 'p' is active: the other side exists and the VPCs do not
 * overlap.  Otherwise, if 'why' is nonnull, says why not into it. */
bool
vpc_ctl_peering_is_active(struct ctl_context *ctx,
                          const struct vpcrec_peering *p, struct ds *why)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    bool active = false;

    if (!p->vpc || !p->peer_vpc) {
        ds_put_cstr(&s, "a VPC is missing");
    } else if (p->vpc == p->peer_vpc) {
        ds_put_cstr(&s, "a VPC cannot peer with itself");
    } else if (!peering_find(ctx, p->peer_vpc, p->vpc)) {
        ds_put_format(&s, "VPC %s has no peering with %s", p->peer_vpc->name,
                      p->vpc->name);
    } else {
        active = !vpcs_overlap(ctx, p->vpc, p->peer_vpc, &s);
    }
    if (why) {
        ds_put_cstr(why, ds_cstr(&s));
    }
    ds_destroy(&s);
    return active;
}

static void
cmd_peering_add(struct ctl_context *ctx)
{
    const struct vpcrec_vpc *vpc = VPC_CTL_LOOKUP(ctx, vpc, ctx->argv[1],
                                                  true);
    const struct vpcrec_vpc *peer = (vpc
                                     ? VPC_CTL_LOOKUP(ctx, vpc, ctx->argv[2],
                                                      true)
                                     : NULL);
    if (!peer) {
        return;
    }
    if (vpc == peer) {
        ctl_error(ctx, "%s: a VPC cannot peer with itself", vpc->name);
        return;
    }

    bool may_exist = vpc_ctl_has_option(ctx, "--may-exist");
    const char *name_opt = vpc_ctl_option(ctx, "--name");
    if (name_opt && !name_opt[0]) {
        ctl_error(ctx, "--name needs a name");
        return;
    }
    char *name = (name_opt ? xstrdup(name_opt)
                  : xasprintf("%s-%s", vpc->name, peer->name));

    const struct vpcrec_peering *p = VPC_CTL_LOOKUP(ctx, peering, name,
                                                    false);
    struct ds why = DS_EMPTY_INITIALIZER;
    if (p) {
        if (!may_exist) {
            ctl_error(ctx, "%s: a peering with this name already exists",
                      name);
        } else if (p->vpc != vpc || p->peer_vpc != peer) {
            ctl_error(ctx, "%s: peering exists from VPC %s to VPC %s", name,
                      p->vpc ? p->vpc->name : "(none)",
                      p->peer_vpc ? p->peer_vpc->name : "(none)");
        }
    } else if ((p = peering_find(ctx, vpc, peer)) != NULL) {
        if (!may_exist || name_opt) {
            ctl_error(ctx, "%s: VPC already peers with VPC %s as %s",
                      vpc->name, peer->name, p->name);
        }
    } else if (vpcs_overlap(ctx, vpc, peer, &why)) {
        ctl_error(ctx, "%s; peered VPCs must not overlap", ds_cstr(&why));
    } else {
        p = VPC_CTL_INSERT(ctx, peering);
        vpcrec_peering_set_name(p, name);
        vpcrec_peering_set_vpc(p, vpc);
        vpcrec_peering_set_peer_vpc(p, peer);
    }
    ds_destroy(&why);
    free(name);
}

static void
cmd_peering_del(struct ctl_context *ctx)
{
    const struct vpcrec_peering *p
        = VPC_CTL_LOOKUP(ctx, peering, ctx->argv[1],
                         !vpc_ctl_has_option(ctx, "--if-exists"));
    if (!p) {
        return;
    }
    if (!vpc_ctl_has_option(ctx, "--cascade")
        && vpc_ctl_route_refuse_next_hop(ctx, &p->header_,
                                         "delete them first or use "
                                         "--cascade")) {
        return;
    }
    vpc_ctl_route_delete_next_hop(ctx, &p->header_);
    vpcrec_peering_delete(p);
}

/* Prints 'p' as "NAME vpc=VPC peer_vpc=PEER routes=N active", or with
 * "inactive (WHY)". */
static void
put_peering(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_peering *p = VPC_CTL_ROW(peering, row);
    struct ds *s = &ctx->output;
    struct ds why = DS_EMPTY_INITIALIZER;

    ds_put_format(s, "%s vpc=%s peer_vpc=%s routes=%"PRIuSIZE" ", p->name,
                  p->vpc ? p->vpc->name : "",
                  p->peer_vpc ? p->peer_vpc->name : "",
                  vpc_ctl_route_count_next_hop(ctx, row));
    if (vpc_ctl_peering_is_active(ctx, p, &why)) {
        ds_put_cstr(s, "active\n");
    } else {
        ds_put_format(s, "inactive (%s)\n", ds_cstr(&why));
    }
    ds_destroy(&why);
}

static void
cmd_peering_list(struct ctl_context *ctx)
{
    vpc_ctl_list(ctx, &vpcrec_table_peering, &vpcrec_table_vpc,
                 &vpcrec_peering_col_vpc, put_peering);
}

/* ------------------------------------------------ For the other families */

/* Returns true if 'p' joins 'vpc', on either side. */
static bool
peering_joins(const struct vpcrec_peering *p, const struct vpcrec_vpc *vpc)
{
    return p->vpc == vpc || p->peer_vpc == vpc;
}

/* If peerings join 'vpc' (its own sides, or other VPCs' sides that name
 * it), sets the error "VPC: VPC is still in peering(s) a, b..." in 'ctx'
 * and returns true. */
bool
vpc_ctl_peering_refuse_vpc_del(struct ctl_context *ctx,
                               const struct vpcrec_vpc *vpc)
{
    struct svec names = SVEC_EMPTY_INITIALIZER;
    const struct vpcrec_peering *p;

    VPCREC_PEERING_FOR_EACH (p, ctx->idl) {
        if (peering_joins(p, vpc)) {
            svec_add(&names, p->name);
        }
    }
    svec_sort(&names);
    if (names.n) {
        char *s = svec_join(&names, ", ", "");
        ctl_error(ctx, "%s: VPC is still in peering(s) %s; delete them "
                  "first or use --cascade", vpc->name, s);
        free(s);
    }
    bool refused = names.n > 0;
    svec_destroy(&names);
    return refused;
}

/* Deletes, in the transaction of 'ctx', the peerings that join 'vpc' on
 * either side, with the routes (of any VPC) that use them. */
void
vpc_ctl_peering_delete_vpc(struct ctl_context *ctx,
                           const struct vpcrec_vpc *vpc)
{
    const struct vpcrec_peering *p, *next;

    VPCREC_PEERING_FOR_EACH_SAFE (p, next, ctx->idl) {
        if (peering_joins(p, vpc)) {
            vpc_ctl_route_delete_next_hop(ctx, &p->header_);
            vpcrec_peering_delete(p);
        }
    }
}

static void
show_peering(struct ctl_context *ctx, const struct ovsdb_idl_row *row)
{
    const struct vpcrec_peering *p = VPC_CTL_ROW(peering, row);

    ds_put_format(&ctx->output, "    peering %s (peer_vpc %s, %s)\n",
                  p->name, p->peer_vpc ? p->peer_vpc->name : "",
                  vpc_ctl_peering_is_active(ctx, p, NULL)
                  ? "active" : "inactive");
}

/* Prints the sides of peerings of 'vpc' into the output of 'ctx', for
 * "show", one line each, by name. */
void
vpc_ctl_peering_show_vpc(struct ctl_context *ctx,
                         const struct vpcrec_vpc *vpc)
{
    vpc_ctl_put_sorted(ctx, &vpcrec_table_peering, &vpcrec_peering_col_vpc,
                       &vpc->header_, show_peering);
}

/* ------------------------------------------------------------- Commands */

const struct ctl_command_syntax vpc_ctl_peering_commands[] = {
    {"peering-add", 2, 2, "VPC PEER_VPC [--name=NAME]", vpc_ctl_pre_routes,
     cmd_peering_add, NULL, "--may-exist,--name=", RW},
    {"peering-del", 1, 1, "PEERING", vpc_ctl_pre_routes, cmd_peering_del,
     NULL, "--if-exists,--cascade", RW},
    {"peering-list", 0, 1, "[VPC]", vpc_ctl_pre_routes, cmd_peering_list,
     NULL, "", RO},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};
