/* The helpers that the pipeline's stages build their flows with. */
#include <config.h>
#include "pl-actions.h"

#include <stdarg.h>
#include <string.h>

#include "byte-order.h"
#include "flow-table.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "packets.h"
#include "vpc-pipeline.h"
#include "util.h"

/* Appends to 'a' an action that sets field 'id' to 'value' (as wide as the
 * field).  Like ofpact_put_set_field(), but every byte of the action is
 * defined (that function leaves the alignment padding of the value
 * uninitialized), so that two builds of the same flow compare equal byte
 * for byte. */
void
pl_put_set_field(struct ofpbuf *a, enum mf_field_id id, const void *value)
{
    const struct mf_field *field = mf_from_id(id);
    struct ofpact_set_field *sf = ofpact_put_set_field(a, field, NULL, NULL);

    memcpy(sf->value, value, field->n_bytes);
    memset(ofpact_set_field_mask(sf), 0xff, field->n_bytes);
}

/* Appends to 'a' an action that sets 32-bit field 'id' to 'value'. */
void
pl_put_set_be32(struct ofpbuf *a, enum mf_field_id id, ovs_be32 value)
{
    pl_put_set_field(a, id, &value);
}

/* Appends to 'a' an action that sets Ethernet address field 'id' to
 * 'mac'. */
void
pl_put_set_mac(struct ofpbuf *a, enum mf_field_id id, struct eth_addr mac)
{
    pl_put_set_field(a, id, &mac);
}

/* Appends to 'a' an action that puts VPC tunnel key 'key' in
 * VPC_MFF_VPC_KEY. */
void
pl_put_set_vpc_key(struct ofpbuf *a, uint32_t key)
{
    ovs_be64 value = htonll(key);
    pl_put_set_field(a, VPC_MFF_VPC_KEY, &value);
}

/* Appends to 'a' an action that copies 'n_bits' of field 'src' from bit
 * 'src_ofs' to field 'dst' from bit 'dst_ofs'. */
void
pl_put_move_bits(struct ofpbuf *a, enum mf_field_id src, int src_ofs,
                 enum mf_field_id dst, int dst_ofs, int n_bits)
{
    struct ofpact_reg_move *move = ofpact_put_REG_MOVE(a);

    move->src = (struct mf_subfield) { mf_from_id(src), src_ofs, n_bits };
    move->dst = (struct mf_subfield) { mf_from_id(dst), dst_ofs, n_bits };
}

/* Appends to 'a' an action that copies all of field 'src' to field 'dst',
 * which is as wide. */
void
pl_put_move(struct ofpbuf *a, enum mf_field_id src, enum mf_field_id dst)
{
    pl_put_move_bits(a, src, 0, dst, 0, mf_from_id(src)->n_bits);
}

/* Appends to 'a' an output to the port whose number VPC_T_BIND found. */
void
pl_put_output_bind(struct ofpbuf *a)
{
    struct ofpact_output_reg *out = ofpact_put_OUTPUT_REG(a);

    out->max_len = UINT16_MAX;
    out->src = (struct mf_subfield) { mf_from_id(VPC_MFF_BIND), 0, 16 };
}

/* Appends to 'a' a goto_table to 'table'. */
void
pl_put_goto(struct ofpbuf *a, enum vpc_table table)
{
    ofpact_put_GOTO_TABLE(a)->table_id = table;
}

/* Appends to 'a' an output to 'port'. */
void
pl_put_output(struct ofpbuf *a, ofp_port_t port)
{
    ofpact_put_OUTPUT(a)->port = port;
}

/* Appends to 'a' a resubmit to 'table': runs it and comes back
 * (goto_table only goes forward). */
void
pl_put_resubmit(struct ofpbuf *a, enum vpc_table table)
{
    struct ofpact_resubmit *resubmit = ofpact_put_RESUBMIT(a);
    resubmit->in_port = OFPP_IN_PORT;
    resubmit->table_id = table;
}

/* Appends to 'a' an action that sends the packet to group 'group_id'. */
void
pl_put_group(struct ofpbuf *a, uint32_t group_id)
{
    ofpact_put_GROUP(a)->group_id = group_id;
}

/* Appends to 'a' an action that sets the tunnel ID to 'key'. */
void
pl_put_tun_id(struct ofpbuf *a, uint32_t key)
{
    ovs_be64 tun_id = htonll(key);
    pl_put_set_field(a, MFF_TUN_ID, &tun_id);
}

/* Appends the actions in 'format' (ovs-ofctl syntax) to 'a'.  For actions
 * whose structures are awkward to build by hand (ct, learn); the text is
 * always ours, so a parse error is a bug. */
void
pl_put_parsed(struct ofpbuf *a, const char *format, ...)
{
    enum ofputil_protocol usable;
    struct ofpact_parse_params pp = {
        .ofpacts = a,
        .usable_protocols = &usable,
    };
    va_list args;

    va_start(args, format);
    char *text = xvasprintf(format, args);
    va_end(args);

    size_t start = a->size;
    char *error = ofpacts_parse_actions(text, &pp);
    if (error) {
        ovs_abort(0, "%s: %s", text, error);
    }
    free(text);
    vpc_ofpacts_zero_padding(ofpbuf_at_assert(a, start, 0), a->size - start);
}

/* Appends to 'a' dec_ttl in its standard form (controller id 0), which is
 * what a switch reports back, so that reconciling never sees a difference.
 * TTL expiry never reaches it: VPC_T_L3_ADMIT drops TTL 0 and 1 first. */
void
pl_put_dec_ttl(struct ofpbuf *a)
{
    struct ofpact_cnt_ids *ids = ofpact_put_DEC_TTL(a);
    uint16_t id = 0;

    ofpbuf_put(a, &id, sizeof id);
    ids = a->header;
    ids->n_controllers = 1;
    ofpact_finish_DEC_TTL(a, &ids);
}

/* Appends to 'a' a lookup of the IPv4 address in field 'src' in
 * VPC_T_BIND, then a goto_table to 'next'.  VPC_MFF_BIND is cleared first,
 * so that a miss finds nothing even if an earlier stage ever made a lookup
 * of its own. */
void
pl_put_bind_lookup(struct ofpbuf *a, enum mf_field_id src,
                   enum vpc_table next)
{
    pl_put_move(a, src, VPC_MFF_LOOKUP_IP);
    pl_put_set_be32(a, VPC_MFF_BIND, htonl(0));
    pl_put_resubmit(a, VPC_T_BIND);
    pl_put_goto(a, next);
}

/* Adds to 'out' a flow in 'table' at 'priority' with 'cookie' that matches
 * 'match' and executes the actions in 'a', then resets 'match' and 'a' for
 * the next one. */
void
pl_add_flow(struct vpc_flow_table *out, enum vpc_table table,
            uint16_t priority, uint64_t cookie, struct match *match,
            struct ofpbuf *a)
{
    vpc_flow_table_add(out, table, priority, cookie, match, a->data,
                       a->size);
    match_init_catchall(match);
    ofpbuf_clear(a);
}

/* Makes 'match' match packets of the VPC with tunnel key 'key'. */
void
pl_match_vpc(struct match *match, uint64_t md)
{
    match_set_metadata(match, htonll(md));
}

/* Makes 'match' match new connections. */
void
pl_match_ct_new(struct match *match)
{
    match_set_ct_state_masked(match, CS_NEW | CS_TRACKED,
                              CS_NEW | CS_TRACKED);
}

/* Makes 'match' match connections conntrack knows (established, related,
 * replies). */
void
pl_match_ct_known(struct match *match)
{
    match_set_ct_state_masked(match, CS_TRACKED,
                              CS_NEW | CS_TRACKED | CS_INVALID);
}

/* Puts into 'blocks' the fewest prefix matches that together cover ports
 * 'min' to 'max' (1 <= min <= max), and returns how many there are. */
size_t
pl_port_blocks(uint16_t min, uint16_t max,
               struct pl_port_block blocks[PL_MAX_PORT_BLOCKS])
{
    size_t n = 0;

    for (uint32_t lo = min; lo <= max; ) {
        /* The largest aligned block that starts at 'lo' and ends at or
         * below 'max'. */
        int bits = lo ? MIN(raw_ctz(lo), 16) : 16;
        while (bits > 0 && lo + (1u << bits) - 1 > max) {
            bits--;
        }
        ovs_assert(n < PL_MAX_PORT_BLOCKS);
        blocks[n++] = (struct pl_port_block) {
            .port = lo, .mask = 0xffff << bits & 0xffff,
        };
        lo += 1u << bits;
    }
    return n;
}

/* Appends to 'a' the way out over a tunnel to what VPC_T_BIND found on
 * another chassis: its MAC, the VPC's key (the low 24 bits of metadata;
 * see pl_vpc_md()) as tunnel ID (which is zero for what a VM sends), its
 * chassis' endpoint. */
void
pl_put_tunnel_out(struct ofpbuf *a)
{
    pl_put_move_bits(a, VPC_MFF_BIND_MAC, 0, MFF_ETH_DST, 0, 48);
    pl_put_move_bits(a, VPC_MFF_VPC_KEY, 0, MFF_TUN_ID, 0, 24);
    pl_put_move(a, VPC_MFF_BIND_TUN_DST, MFF_TUN_DST);
    pl_put_output_bind(a);
}

/* The metadata of 'vpc''s packets: its tunnel key, and in a peer's view of
 * it (see stage-peer.c) the viewing VPC's key in bits 32 and up. */
uint64_t
pl_vpc_md(const struct vpc_pl_vpc *vpc)
{
    return vpc->tunnel_key | ((uint64_t) vpc->view_key << 32);
}
