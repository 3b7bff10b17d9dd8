/* The helpers that the pipeline's stages build their flows with: actions
 * appended to an ofpbuf, the matches they share, and adding a flow.  Only
 * the stages use them; vpc-pipeline.h is the library's interface. */
#ifndef OFPROTO_VPC_PL_ACTIONS_H
#define OFPROTO_VPC_PL_ACTIONS_H 1

#include <stdint.h>
#include "openvswitch/compiler.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/types.h"
#include "pipeline.h"

struct match;
struct ofpbuf;
struct vpc_flow_table;

/* Actions.  Each appends to its ofpbuf. */
void pl_put_set_field(struct ofpbuf *, enum mf_field_id, const void *value);
void pl_put_set_be32(struct ofpbuf *, enum mf_field_id, ovs_be32 value);
void pl_put_set_mac(struct ofpbuf *, enum mf_field_id, struct eth_addr);
void pl_put_set_vpc_key(struct ofpbuf *, uint32_t key);
void pl_put_move_bits(struct ofpbuf *, enum mf_field_id src, int src_ofs,
                      enum mf_field_id dst, int dst_ofs, int n_bits);
void pl_put_move(struct ofpbuf *, enum mf_field_id src,
                 enum mf_field_id dst);
void pl_put_output_bind(struct ofpbuf *);
void pl_put_tunnel_out(struct ofpbuf *);
void pl_put_goto(struct ofpbuf *, enum vpc_table);
void pl_put_output(struct ofpbuf *, ofp_port_t);
void pl_put_resubmit(struct ofpbuf *, enum vpc_table);
void pl_put_group(struct ofpbuf *, uint32_t group_id);
void pl_put_tun_id(struct ofpbuf *, uint32_t key);
void pl_put_parsed(struct ofpbuf *, const char *format, ...)
    OVS_PRINTF_FORMAT(2, 3);
void pl_put_dec_ttl(struct ofpbuf *);
void pl_put_bind_lookup(struct ofpbuf *, enum mf_field_id src,
                        enum vpc_table next);

/* A block of TCP or UDP ports: a value and a mask. */
struct pl_port_block {
    uint16_t port;
    uint16_t mask;
};
#define PL_MAX_PORT_BLOCKS 32
size_t pl_port_blocks(uint16_t min, uint16_t max,
                      struct pl_port_block blocks[PL_MAX_PORT_BLOCKS]);

/* Flows. */
void pl_add_flow(struct vpc_flow_table *, enum vpc_table, uint16_t priority,
                 uint64_t cookie, struct match *, struct ofpbuf *);

struct vpc_pl_vpc;
uint64_t pl_vpc_md(const struct vpc_pl_vpc *);

/* Matches. */
void pl_match_vpc(struct match *, uint64_t md);
void pl_match_ct_new(struct match *);
void pl_match_ct_known(struct match *);

#endif /* pl-actions.h */
