/* Security groups on a host.  See pipeline.h for the tables and vpc(5) for
 * what the rules mean.
 *
 * Conntrack runs in a zone per port: the port's OpenFlow port number, for
 * what it sends (VPC_T_SG_OUT) as for what it receives (VPC_T_TO_PORT), so
 * that one zone sees both directions of the port's connections, two VPCs
 * with the same addresses never share an entry, and the two ends of a
 * connection between ports of one chassis each have their own.
 *
 * A rule is a conjunctive match of two or three clauses: the port (one
 * flow per local port of the rule's group), the other end (one flow per
 * block, or the remote group's bit) and, unless the rule covers every
 * protocol, the protocol with its ports or ICMP type.  The groups of the
 * other end are looked up before conntrack (VPC_T_SG_REMOTE: one flow per
 * address of a member of a group that rules name), so a group of N
 * members that M rules name costs about N + M flows whatever the rules'
 * priorities, and a member that joins or leaves changes one flow per
 * address.  Clause flows with one match and priority are one flow with a
 * conjunction action per rule, and rules of a group that differ only in
 * their protocol are one conjunction (pl_sg_rule_leader()).
 *
 * Only the port clause and the conjunction flow match the VPC's key in
 * metadata.  The port clause is enough to keep VPCs apart: a conjunction
 * completes only if every one of its clauses matches, and a packet of
 * another VPC never matches the port clause (its in_port, or the port
 * VPC_T_BIND found for it, belongs to one VPC).  So the other clauses,
 * the other end and the protocol, are the same flow in every VPC that
 * has them: they go to a table of their own ('shared' below), which the
 * caller merges with the other VPCs' of the chassis (flow-merge.h) into
 * one flow with every VPC's conjunction actions.  A hundred VPCs with the
 * same rules cost their clauses once per chassis, not a hundred times.
 * That needs conjunction IDs unique among the VPCs of a chassis, which
 * the caller gives (see vpc_pl_sg_rule, and pl_sg_number()): unless
 * rules have one shape (pl_sg_conj_shape(): the same clauses but the
 * port's), in any VPC or group.  Those may have one ID, and then share
 * their conjunction flow too, which matches no VPC key either: the port
 * clauses keep them apart. */
#include <config.h>
#include "stage-sg.h"

#include <limits.h>
#include <string.h>

#include "bitmap.h"
#include "byte-order.h"
#include "flow.h"
#include "flow-table.h"
#include "hash.h"
#include "openvswitch/hmap.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "packets.h"
#include "pipeline.h"
#include "pl-actions.h"
#include "stage-flowlog.h"
#include "stage-migrate.h"
#include "util.h"
#include "vpc-pipeline.h"

/* The conntrack zone of the port: egress, the port it came in on... */
#define ZONE_OUT "NXM_OF_IN_PORT[]"
/* ...ingress, the port VPC_T_BIND found for it. */
#define ZONE_IN "NXM_NX_REG7[0..15]"

/* The tables of one direction. */
struct sg_tables {
    enum vpc_table eval, allow, deny;
    const char *zone;
};

static const struct sg_tables sg_out = {
    VPC_T_SG_OUT_EVAL, VPC_T_SG_OUT_ALLOW, VPC_T_SG_OUT_DENY, ZONE_OUT,
};
static const struct sg_tables sg_in = {
    VPC_T_SG_IN_EVAL, VPC_T_SG_IN_ALLOW, VPC_T_SG_IN_DENY, ZONE_IN,
};

/* Looks up the address in field 'src' in VPC_T_SG_REMOTE, which leaves
 * the groups it belongs to in VPC_MFF_SG_REMOTE (zero if none). */
static void
put_remote_lookup(struct ofpbuf *a, enum mf_field_id src)
{
    pl_put_move(a, src, VPC_MFF_LOOKUP_IP);
    pl_put_set_be32(a, VPC_MFF_SG_REMOTE, htonl(0));
    pl_put_resubmit(a, VPC_T_SG_REMOTE);
}

static void
build_direction_static(struct vpc_flow_table *out,
                       const struct sg_tables *t, enum vpc_table next,
                       struct ofpbuf *a)
{
    struct match match;

    /* Broken packets, and replies or related packets of a connection
     * that was cut, go no further... */
    match_init_catchall(&match);
    match_set_ct_state_masked(&match, CS_INVALID | CS_TRACKED,
                              CS_INVALID | CS_TRACKED);
    pl_add_flow(out, t->eval, VPC_PRIO_SG_STATE + 10, 0, &match, a);

    match_set_ct_state_masked(&match, CS_REPLY_DIR | CS_TRACKED,
                              CS_REPLY_DIR | CS_TRACKED);
    match_set_ct_mark_masked(&match, VPC_CT_BLOCKED, VPC_CT_BLOCKED);
    pl_add_flow(out, t->eval, VPC_PRIO_SG_STATE + 10, 0, &match, a);

    match_set_ct_state_masked(&match, CS_RELATED | CS_TRACKED,
                              CS_RELATED | CS_TRACKED);
    match_set_ct_mark_masked(&match, VPC_CT_BLOCKED, VPC_CT_BLOCKED);
    pl_add_flow(out, t->eval, VPC_PRIO_SG_STATE + 10, 0, &match, a);

    /* ...other replies and related packets (ICMP errors) pass, whatever
     * the rules say. */
    match_set_ct_state_masked(&match, CS_REPLY_DIR | CS_TRACKED,
                              CS_REPLY_DIR | CS_TRACKED);
    pl_put_goto(a, next);
    pl_add_flow(out, t->eval, VPC_PRIO_SG_STATE, 0, &match, a);

    match_set_ct_state_masked(&match, CS_RELATED | CS_TRACKED,
                              CS_RELATED | CS_TRACKED);
    pl_put_goto(a, next);
    pl_add_flow(out, t->eval, VPC_PRIO_SG_STATE, 0, &match, a);

    /* Allowed: a new connection is committed; one that was cut and is
     * allowed again is restored.  (The miss goes on.)  Conntrack actions
     * need an IP match. */
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    pl_match_ct_new(&match);
    pl_put_parsed(a, "ct(commit,zone=%s)", t->zone);
    pl_put_goto(a, next);
    pl_add_flow(out, t->allow, VPC_PRIO_MATCH, 0, &match, a);

    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_ct_state_masked(&match, CS_TRACKED, CS_NEW | CS_TRACKED);
    match_set_ct_mark_masked(&match, VPC_CT_BLOCKED, VPC_CT_BLOCKED);
    pl_put_parsed(a, "ct(commit,zone=%s,exec(set_field:0/%#x->ct_mark))",
                  t->zone, VPC_CT_BLOCKED);
    pl_put_goto(a, next);
    pl_add_flow(out, t->allow, VPC_PRIO_MATCH, 0, &match, a);

    /* Denied: a connection conntrack has committed is marked cut, so that
     * its replies stop too; the packet is dropped.  (The miss drops.) */
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_ct_state_masked(&match, CS_TRACKED, CS_NEW | CS_TRACKED);
    match_set_ct_mark_masked(&match, 0, VPC_CT_BLOCKED);
    pl_put_parsed(a, "ct(commit,zone=%s,exec(set_field:%#x/%#x->ct_mark))",
                  t->zone, VPC_CT_BLOCKED, VPC_CT_BLOCKED);
    pl_add_flow(out, t->deny, VPC_PRIO_MATCH, 0, &match, a);
}

/* Appends to 'a' what VPC_T_TO_PORT does with an IP packet for a port
 * here: the groups of its source, then conntrack in the port's zone and
 * the port's ingress rules. */
void
pl_sg_put_ingress(struct ofpbuf *a)
{
    put_remote_lookup(a, MFF_IPV4_SRC);
    pl_put_parsed(a, "ct(zone=%s,table=%d)", ZONE_IN, VPC_T_SG_IN_EVAL);
}

/* Adds to 'out' the flows of security groups that every host has,
 * building actions in 'a': conntrack in the port's zone, and what the
 * state of a connection decides before any rule. */
void
pl_sg_build_static(struct vpc_flow_table *out, struct ofpbuf *a)
{
    struct match match;

    /* The groups of the other end (the destination), then conntrack. */
    match_init_catchall(&match);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    put_remote_lookup(a, MFF_IPV4_DST);
    pl_put_parsed(a, "ct(zone=%s,table=%d)", ZONE_OUT, VPC_T_SG_OUT_EVAL);
    pl_add_flow(out, VPC_T_SG_OUT, VPC_PRIO_MATCH, 0, &match, a);
    build_direction_static(out, &sg_out, VPC_T_L3_ADMIT, a);

    /* The same for what a port here receives: the source's groups. */
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_reg_masked(&match, VPC_MFF_BIND - MFF_REG0, VPC_BIND_LOCAL,
                         VPC_BIND_LOCAL);
    pl_sg_put_ingress(a);
    pl_add_flow(out, VPC_T_TO_PORT, VPC_PRIO_MATCH, 0, &match, a);
    build_direction_static(out, &sg_in, VPC_T_DELIVER, a);
}

/* Clause flows being gathered: one per (table, priority, match), with a
 * conjunction action for each rule that uses it.  A VPC's own clauses (the
 * ports) and those that VPCs share (no VPC key) are gathered apart. */
struct clause {
    struct hmap_node node;
    uint8_t table;
    uint16_t priority;
    uint64_t cookie;            /* Of the first object that asked for it. */
    struct match match;
    struct ofpbuf actions;
};

static uint32_t
clause_hash(uint8_t table, uint16_t priority, const struct match *match)
{
    return match_hash(match, hash_int(table << 16 | priority, 0));
}

static struct clause *
clause_find(struct hmap *clauses, uint8_t table, uint16_t priority,
            const struct match *match, uint32_t hash)
{
    struct clause *c;

    HMAP_FOR_EACH_WITH_HASH (c, node, hash, clauses) {
        if (c->table == table && c->priority == priority
            && match_equal(&c->match, match)) {
            return c;
        }
    }
    return NULL;
}

static bool
clause_has(const struct clause *c, uint32_t conj_id, uint8_t k)
{
    const struct ofpact *a;

    OFPACT_FOR_EACH (a, c->actions.data, c->actions.size) {
        const struct ofpact_conjunction *conj = ofpact_get_CONJUNCTION(a);
        if (conj->id == conj_id && conj->clause == k) {
            return true;
        }
    }
    return false;
}

static void
clause_add(struct hmap *clauses, uint8_t table, uint16_t priority,
           uint64_t cookie, const struct match *match,
           const struct vpc_pl_sg_rule *r, uint32_t conj_id, uint8_t k,
           uint8_t n)
{
    uint32_t hash = clause_hash(table, priority, match);
    struct clause *c = clause_find(clauses, table, priority, match, hash);

    if (!c) {
        c = xmalloc(sizeof *c);
        c->table = table;
        c->priority = priority;
        c->cookie = cookie;
        c->match = *match;
        ofpbuf_init(&c->actions, 64);
        hmap_insert(clauses, &c->node, hash);
    } else if (r->conj_shared && clause_has(c, conj_id, k)) {
        /* Two groups with rules of one shape (pl_sg_conj_shape()) give a
         * port in both the same conjunction twice. */
        return;
    }

    struct ofpact_conjunction *conj = ofpact_put_CONJUNCTION(&c->actions);
    conj->id = conj_id;
    conj->clause = k;
    conj->n_clauses = n;
}

/* Adds the clause flows of 'clauses' to 'out' and frees them. */
static void
clauses_flush(struct hmap *clauses, struct vpc_flow_table *out,
              struct ofpbuf *a)
{
    struct clause *c;

    HMAP_FOR_EACH_POP (c, node, clauses) {
        ofpbuf_put(a, c->actions.data, c->actions.size);
        pl_add_flow(out, c->table, c->priority, c->cookie, &c->match, a);
        ofpbuf_uninit(&c->actions);
        free(c);
    }
}

static bool
port_in_group(const struct vpc_pl_port *port, size_t sg)
{
    for (size_t i = 0; i < port->n_sgs; i++) {
        if (port->sgs[i] == sg) {
            return true;
        }
    }
    return false;
}

static bool
port_is_local(const struct vpc_pl_chassis *chassis,
              const struct vpc_pl_port *port)
{
    return port->chassis && port->chassis == chassis->self && port->ofport;
}

/* Does rule 'r' of 'vpc' have another end at all?  (A remote group
 * without members, or whose members have no address, allows nothing and
 * needs no flows.) */
static bool
rule_has_remote(const struct vpc_pl_vpc *vpc, const struct vpc_pl_sg_rule *r)
{
    if (!r->remote_is_group) {
        return true;
    }
    for (size_t i = 0; i < vpc->n_ports; i++) {
        if (vpc->ports[i].n_ips
            && port_in_group(&vpc->ports[i], r->remote_group)) {
            return true;
        }
    }
    return false;
}

/* The clause of rule 'r' (the 'k'th of 'n') that matches the other end:
 * its block; or the remote group's bit, if it has one in 'bits' (see
 * pl_sg_remote_bits()); or else each address of its members.  Without
 * the VPC key: see the top of this file. */
static void
add_remote_clauses(struct hmap *clauses, const struct vpc_pl_vpc *vpc,
                   const int *bits, const struct vpc_pl_sg_rule *r,
                   uint8_t table, uint16_t priority, uint8_t k, uint8_t n)
{
    struct match match;

    match_init_catchall(&match);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    if (r->remote_is_group && bits[r->remote_group] >= 0) {
        uint32_t bit = UINT32_C(1) << bits[r->remote_group];
        match_set_reg_masked(&match, VPC_MFF_SG_REMOTE - MFF_REG0, bit, bit);
        clause_add(clauses, table, priority, vpc_cookie_from_uuid(&r->uuid),
                   &match, r, r->conj_id, k, n);
        return;
    } else if (!r->remote_is_group) {
        if (r->ingress) {
            match_set_nw_src_masked(&match, r->remote_network,
                                    r->remote_mask);
        } else {
            match_set_nw_dst_masked(&match, r->remote_network,
                                    r->remote_mask);
        }
        clause_add(clauses, table, priority, vpc_cookie_from_uuid(&r->uuid),
                   &match, r, r->conj_id, k, n);
        return;
    }
    for (size_t i = 0; i < vpc->n_ports; i++) {
        const struct vpc_pl_port *p = &vpc->ports[i];
        if (!port_in_group(p, r->remote_group)) {
            continue;
        }
        for (size_t j = 0; j < p->n_ips; j++) {
            if (r->ingress) {
                match_set_nw_src(&match, p->ips[j]);
            } else {
                match_set_nw_dst(&match, p->ips[j]);
            }
            clause_add(clauses, table, priority,
                       vpc_cookie_from_uuid(&p->uuid), &match, r, r->conj_id,
                       k, n);
        }
    }
}

/* The clause of rule 'r' (the 'k'th of 'n') that matches the protocol: a
 * TCP or UDP port range as the fewest prefix matches, or an ICMP type and
 * code.  Without the VPC key: see the top of this file. */
static void
add_proto_clauses(struct hmap *clauses, const struct vpc_pl_sg_rule *r,
                  uint32_t conj_id, uint8_t table, uint16_t priority,
                  uint8_t k, uint8_t n)
{
    uint64_t cookie = vpc_cookie_from_uuid(&r->uuid);
    struct match match;

    match_init_catchall(&match);
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_proto(&match, r->proto);
    if ((r->proto == IPPROTO_TCP || r->proto == IPPROTO_UDP)
        && r->port_min) {
        struct pl_port_block blocks[PL_MAX_PORT_BLOCKS];
        size_t n_blocks = pl_port_blocks(r->port_min, r->port_max, blocks);
        for (size_t i = 0; i < n_blocks; i++) {
            match_set_tp_dst_masked(&match, htons(blocks[i].port),
                                    htons(blocks[i].mask));
            clause_add(clauses, table, priority, cookie, &match, r, conj_id,
                       k, n);
        }
        return;
    }
    if (r->proto == IPPROTO_ICMP && r->icmp_type >= 0) {
        match_set_icmp_type(&match, r->icmp_type);
        if (r->icmp_code >= 0) {
            match_set_icmp_code(&match, r->icmp_code);
        }
    }
    clause_add(clauses, table, priority, cookie, &match, r, conj_id, k, n);
}

/* The priority of rule 'r''s flows in its direction's table. */
static uint16_t
rule_priority(const struct vpc_pl_sg_rule *r)
{
    return VPC_PRIO_SG_RULE + 2 * (100 - r->priority) + r->deny;
}

/* Rules of one group that differ only in what they match of the protocol
 * (the same direction, action, priority and other end) are one
 * conjunction, whose protocol clause is the union of theirs: the bench's
 * group of 21 rules is 12 conjunction flows on each host, not 21.  Returns
 * the first rule of 'g' that rule 'i' joins this way, or 'i' itself.  A
 * rule for every protocol has no protocol clause to share, and with flow
 * logs every rule keeps its own conjunction, whose flow logs it by name.
 * The caller keeps the answer in the rule's 'leader'. */
size_t
pl_sg_rule_leader(const struct vpc_pl_vpc *vpc, const struct vpc_pl_sg *g,
                  size_t i)
{
    const struct vpc_pl_sg_rule *r = &g->rules[i];

    if (vpc->n_flow_logs || r->proto < 0) {
        return i;
    }
    for (size_t j = 0; j < i; j++) {
        const struct vpc_pl_sg_rule *l = &g->rules[j];
        if (l->proto >= 0 && l->ingress == r->ingress && l->deny == r->deny
            && l->priority == r->priority
            && l->remote_is_group == r->remote_is_group
            && (r->remote_is_group
                ? l->remote_group == r->remote_group
                : (l->remote_network == r->remote_network
                   && l->remote_mask == r->remote_mask))) {
            return j;           /* The first such rule leads. */
        }
    }
    return i;
}

/* Adds the protocol clause of rule 'r', which joins 'leader''s
 * conjunction (see pl_sg_rule_leader()), to 'shared', unless it is NULL. */
static void
build_joined_rule(struct hmap *shared, const struct vpc_pl_vpc *vpc,
                  const struct vpc_pl_sg_rule *leader,
                  const struct vpc_pl_sg_rule *r)
{
    if (shared && rule_has_remote(vpc, r)) {
        add_proto_clauses(shared, r, leader->conj_id,
                          (r->ingress ? &sg_in : &sg_out)->eval,
                          rule_priority(r), 2, 3);
    }
}

/* Adds the flows of rule 'r' of group 'sg' of 'vpc' on 'chassis' to
 * 'clauses' (the VPC's own) and 'out', unless 'out' is NULL, and to
 * 'shared' (the clauses VPCs share) and 'shared_flows' (the conjunction
 * flow of a rule whose shape has one), unless they are NULL, building
 * actions in 'a'; 'bits' are the groups' bits in VPC_MFF_SG_REMOTE. */
static void
build_rule(struct vpc_flow_table *out, struct hmap *clauses,
           struct hmap *shared, struct vpc_flow_table *shared_flows,
           const struct vpc_pl_chassis *chassis,
           const struct vpc_pl_vpc *vpc, const int *bits, size_t sg,
           const struct vpc_pl_sg_rule *r, struct ofpbuf *a)
{
    const struct sg_tables *t = r->ingress ? &sg_in : &sg_out;
    uint16_t priority = rule_priority(r);
    uint8_t n = r->proto < 0 ? 2 : 3;
    struct match match;

    if (!rule_has_remote(vpc, r)) {
        return;
    }
    if (shared) {
        add_remote_clauses(shared, vpc, bits, r, t->eval, priority, 1, n);
        if (n == 3) {
            add_proto_clauses(shared, r, r->conj_id, t->eval, priority, 2,
                              n);
        }
    }
    if (r->conj_shared && shared_flows) {
        /* The conjunction flow of every rule of this shape, whatever its
         * VPC: its port clause keeps VPCs apart. */
        match_init_catchall(&match);
        match_set_conj_id(&match, r->conj_id);
        pl_put_goto(a, r->deny ? t->deny : t->allow);
        pl_add_flow(shared_flows, t->eval, priority, VPC_COOKIE_SHARED,
                    &match, a);
    }
    if (!out) {
        return;
    }

    /* The ports here that the rule is for. */
    match_init_catchall(&match);
    for (size_t i = 0; i < vpc->n_ports; i++) {
        const struct vpc_pl_port *p = &vpc->ports[i];
        bool awaited = pl_migrate_awaits(chassis, p);
        if (!port_in_group(p, sg)
            || !(awaited || port_is_local(chassis, p))) {
            continue;
        }
        pl_match_vpc(&match, vpc->tunnel_key);
        if (awaited) {
            /* Migrating here: its OpenFlow port is not known yet, but its
             * MAC is (see stage-migrate.c). */
            if (r->ingress) {
                match_set_reg_masked(&match, VPC_MFF_BIND - MFF_REG0,
                                     VPC_BIND_LOCAL, VPC_BIND_LOCAL);
                match_set_xreg(&match, VPC_MFF_BIND_MAC - MFF_XREG0,
                               eth_addr_to_uint64(p->mac));
            } else {
                match_set_dl_src(&match, p->mac);
            }
        } else if (r->ingress) {
            match_set_reg_masked(&match, VPC_MFF_BIND - MFF_REG0,
                                 VPC_BIND_LOCAL | ofp_to_u16(p->ofport),
                                 VPC_BIND_LOCAL | 0xffff);
        } else {
            match_set_in_port(&match, p->ofport);
        }
        clause_add(clauses, t->eval, priority,
                   vpc_cookie_from_uuid(&p->uuid), &match, r, r->conj_id, 0,
                   n);
        match_init_catchall(&match);
    }

    /* What a match does (unless the rule's shape has it, above)... */
    uint64_t cookie = vpc_cookie_from_uuid(&r->uuid);
    if (!r->conj_shared) {
        pl_match_vpc(&match, vpc->tunnel_key);
        match_set_conj_id(&match, r->conj_id);
        pl_put_goto(a, r->deny ? t->deny : t->allow);
        pl_add_flow(out, t->eval, priority, cookie, &match, a);
    }

    /* ...and with flow logs, first, what logs it (see stage-flowlog.c):
     * the lookup of the conjunction flow finds these above it. */
    if (vpc->n_flow_logs) {
        pl_match_vpc(&match, vpc->tunnel_key);
        match_set_conj_id(&match, r->conj_id);
        if (!r->deny) {
            pl_match_ct_new(&match);
        }
        pl_flowlog_add_decision(out, vpc, t->eval, priority + 1, cookie,
                                &match,
                                ((r->deny ? VPC_OBS_REJECTED : 0)
                                 | (r->ingress ? VPC_OBS_INGRESS : 0)
                                 | VPC_OBS_SG_RULE
                                 | pl_flowlog_rule_obs(cookie)),
                                r->deny ? t->deny : t->allow, a);
    }
}

/* With flow logs of rejected traffic: what no rule of 'vpc' allowed is
 * logged on its way to the deny table (see stage-flowlog.c). */
static void
build_none_logged(struct vpc_flow_table *out, const struct vpc_pl_vpc *vpc,
                  struct ofpbuf *a)
{
    static const struct sg_tables *const dirs[] = { &sg_out, &sg_in };
    struct match match;

    if (!pl_flowlog_any(vpc, true)) {
        return;
    }
    for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
        match_init_catchall(&match);
        pl_match_vpc(&match, vpc->tunnel_key);
        match_set_dl_type(&match, htons(ETH_TYPE_IP));
        pl_flowlog_add_decision(out, vpc, dirs[i]->eval,
                                VPC_PRIO_SG_RULE - 2,
                                vpc_cookie_from_uuid(&vpc->uuid), &match,
                                (VPC_OBS_REJECTED | VPC_OBS_SG_NONE
                                 | (dirs[i] == &sg_in ? VPC_OBS_INGRESS : 0)),
                                dirs[i]->deny, a);
    }
}

/* Sets 'bits[i]' to the bit of group i in VPC_MFF_SG_REMOTE, or -1: the
 * first VPC_SG_REMOTE_BITS groups of 'vpc' that a rule names as the other
 * end have one, the default group first and then by index, the same on
 * every chassis.  Returns true if any group has one. */
bool
pl_sg_remote_bits(const struct vpc_pl_vpc *vpc, int *bits)
{
    int n_bits = 0;

    for (size_t i = 0; i < vpc->n_sgs; i++) {
        bits[i] = -1;
    }
    for (size_t i = 0; i < vpc->n_sgs; i++) {
        const struct vpc_pl_sg *g = &vpc->sgs[i];
        for (size_t j = 0; j < g->n_rules; j++) {
            const struct vpc_pl_sg_rule *r = &g->rules[j];
            if (r->remote_is_group && bits[r->remote_group] < 0) {
                bits[r->remote_group] = INT_MAX;    /* Named. */
            }
        }
    }
    /* The default group first: every VPC's "in from its own members" is
     * then one shape (pl_sg_conj_shape()). */
    size_t d = vpc->default_sg;
    if (d < vpc->n_sgs && bits[d] == INT_MAX) {
        bits[d] = n_bits++;
    }
    for (size_t i = 0; i < vpc->n_sgs; i++) {
        if (bits[i] == INT_MAX) {
            bits[i] = n_bits < VPC_SG_REMOTE_BITS ? n_bits++ : -1;
        }
    }
    return n_bits > 0;
}

/* A protocol clause of a shape, as pl_sg_conj_shape() puts it. */
struct shape_proto {
    int32_t proto;
    uint32_t port_min, port_max;
    int32_t icmp_type, icmp_code;
};

static int
compare_shape_protos(const void *a_, const void *b_)
{
    return memcmp(a_, b_, sizeof(struct shape_proto));
}

/* Appends to 'key' the shape of the conjunction that rule 'leader' of
 * group 'g' of 'vpc' leads (see pl_sg_rule_leader()), given the groups'
 * bits in 'bits' (pl_sg_remote_bits()), and returns true; or returns
 * false if it has none, because its clauses name its VPC (a remote group
 * without a bit: one clause per member's address) or its VPC logs flows
 * (each rule's conjunction names it).
 *
 * Two conjunctions of one shape have the same clauses but the port's: the
 * same direction, priority and action, the same other end (an address
 * block, or a bit of VPC_MFF_SG_REMOTE, which each VPC sets for its own
 * groups) and the same union of protocol clauses.  They may therefore
 * have one conjunction ID and one conjunction flow, in any VPC and group
 * of a chassis: the port clause, which matches the VPC's key, keeps them
 * apart, as it keeps apart the VPCs that share the other clauses. */
bool
pl_sg_conj_shape(const struct vpc_pl_vpc *vpc, const struct vpc_pl_sg *g,
                 size_t leader, const int *bits, struct ofpbuf *key)
{
    const struct vpc_pl_sg_rule *r = &g->rules[leader];

    if (vpc->n_flow_logs
        || (r->remote_is_group && bits[r->remote_group] < 0)) {
        return false;
    }

    uint32_t head[6] = {
        r->ingress, r->deny, rule_priority(r), r->remote_is_group,
        r->remote_is_group ? bits[r->remote_group] : ntohl(r->remote_network),
        r->remote_is_group ? 0 : ntohl(r->remote_mask),
    };
    ofpbuf_put(key, head, sizeof head);

    /* The protocols of the rules that join it, sorted, once each. */
    size_t n = 0;
    struct shape_proto *protos = xmalloc(g->n_rules * sizeof *protos);
    for (size_t i = leader; i < g->n_rules; i++) {
        const struct vpc_pl_sg_rule *j = &g->rules[i];
        if (i == leader || j->leader == leader) {
            struct shape_proto *sp = &protos[n++];
            memset(sp, 0, sizeof *sp);
            sp->proto = j->proto;
            sp->port_min = j->port_min;
            sp->port_max = j->port_max;
            sp->icmp_type = j->icmp_type;
            sp->icmp_code = j->icmp_code;
        }
    }
    qsort(protos, n, sizeof *protos, compare_shape_protos);
    for (size_t i = 0; i < n; i++) {
        if (!i || compare_shape_protos(&protos[i - 1], &protos[i])) {
            ofpbuf_put(key, &protos[i], sizeof protos[i]);
        }
    }
    free(protos);
    return true;
}

/* Numbers the rules of 'vpc', which the caller owns: sets each rule's
 * 'leader' (pl_sg_rule_leader()) and its conjunction ID.  A rule that
 * leads a conjunction with a shape (pl_sg_conj_shape()) gets
 * 'shape_id(g, index, key, len, aux)', unless 'shape_id' is NULL; another
 * leading rule 'own_id(rule, index, aux)', or keeps its ID if 'own_id' is
 * NULL; a rule that joins another, its leader's. */
void
pl_sg_number(const struct vpc_pl_vpc *vpc, pl_sg_shape_id_func *shape_id,
             pl_sg_own_id_func *own_id, void *aux)
{
    int *bits = xmalloc((vpc->n_sgs + 1) * sizeof *bits);
    struct ofpbuf key;

    pl_sg_remote_bits(vpc, bits);
    ofpbuf_init(&key, 256);
    for (size_t i = 0; i < vpc->n_sgs; i++) {
        const struct vpc_pl_sg *g = &vpc->sgs[i];
        struct vpc_pl_sg_rule *rules = CONST_CAST(struct vpc_pl_sg_rule *,
                                                  g->rules);
        for (size_t j = 0; j < g->n_rules; j++) {
            rules[j].leader = pl_sg_rule_leader(vpc, g, j);
        }
        for (size_t j = 0; j < g->n_rules; j++) {
            struct vpc_pl_sg_rule *r = &rules[j];
            if (r->leader != j) {
                r->conj_id = rules[r->leader].conj_id;
                r->conj_shared = rules[r->leader].conj_shared;
                continue;
            }
            ofpbuf_clear(&key);
            r->conj_shared = (shape_id
                              && pl_sg_conj_shape(vpc, g, j, bits, &key));
            if (r->conj_shared) {
                r->conj_id = shape_id(g, j, key.data, key.size, aux);
            } else if (own_id) {
                r->conj_id = own_id(r, j, aux);
            }
        }
    }
    ofpbuf_uninit(&key);
    free(bits);
}

/* The groups with a bit that each address of 'vpc' belongs to: one flow in
 * VPC_T_SG_REMOTE per address of a member, whatever the number of rules
 * and priorities that name its groups. */
static void
build_remote_lookups(struct vpc_flow_table *out,
                     const struct vpc_pl_vpc *vpc, const int *bits,
                     struct ofpbuf *a)
{
    struct match match;

    match_init_catchall(&match);
    for (size_t i = 0; i < vpc->n_ports; i++) {
        const struct vpc_pl_port *p = &vpc->ports[i];
        uint32_t member_of = 0;
        for (size_t j = 0; j < p->n_sgs; j++) {
            if (bits[p->sgs[j]] >= 0) {
                member_of |= UINT32_C(1) << bits[p->sgs[j]];
            }
        }
        for (size_t j = 0; member_of && j < p->n_ips; j++) {
            pl_match_vpc(&match, vpc->tunnel_key);
            match_set_reg(&match, VPC_MFF_LOOKUP_IP - MFF_REG0,
                          ntohl(p->ips[j]));
            pl_put_set_be32(a, VPC_MFF_SG_REMOTE, htonl(member_of));
            pl_add_flow(out, VPC_T_SG_REMOTE, VPC_PRIO_MATCH,
                        vpc_cookie_from_uuid(&p->uuid), &match, a);
        }
    }
}

/* Sets bit i of 'here' (room for the groups of 'vpc') if the VPC's group i
 * has a member on 'chassis', a host (or one migrating to it): the groups
 * whose rules it needs. */
void
pl_sg_groups_here(const struct vpc_pl_chassis *chassis,
                  const struct vpc_pl_vpc *vpc, unsigned long *here)
{
    memset(here, 0, bitmap_n_bytes(vpc->n_sgs));
    for (size_t i = 0; i < vpc->n_ports; i++) {
        const struct vpc_pl_port *p = &vpc->ports[i];
        if (port_is_local(chassis, p) || pl_migrate_awaits(chassis, p)) {
            for (size_t j = 0; j < p->n_sgs; j++) {
                bitmap_set1(here, p->sgs[j]);
            }
        }
    }
}

/* Adds to 'out' the security group flows of 'vpc' on 'chassis', a host
 * with a port of it, building actions in 'a': the rules of every group
 * that has a member here, and the groups of the VPC's addresses.  The
 * clauses that match no VPC key go to 'shared' instead, with only this
 * VPC's conjunction actions, for the caller to merge with other VPCs'.
 * Either 'out' or 'shared' may be NULL, for only the other: the flows of
 * 'shared' depend only on the VPC and on which of its groups have a member
 * on the chassis (pl_sg_groups_here()), so that a caller may build them
 * once for every chassis that has the same groups. */
void
pl_sg_build_vpc(struct vpc_flow_table *out, struct vpc_flow_table *shared,
                const struct vpc_pl_chassis *chassis,
                const struct vpc_pl_vpc *vpc, struct ofpbuf *a)
{
    struct hmap clauses = HMAP_INITIALIZER(&clauses);
    struct hmap shared_clauses = HMAP_INITIALIZER(&shared_clauses);
    int *bits = xmalloc((vpc->n_sgs + 1) * sizeof *bits);
    unsigned long *here = bitmap_allocate(vpc->n_sgs);

    if (pl_sg_remote_bits(vpc, bits) && out) {
        build_remote_lookups(out, vpc, bits, a);
    }

    pl_sg_groups_here(chassis, vpc, here);
    size_t sg;
    BITMAP_FOR_EACH_1 (sg, vpc->n_sgs, here) {
        const struct vpc_pl_sg *g = &vpc->sgs[sg];
        for (size_t i = 0; i < g->n_rules; i++) {
            size_t leader = g->rules[i].leader;
            if (leader == i) {
                build_rule(out, &clauses, shared ? &shared_clauses : NULL,
                           shared, chassis, vpc, bits, sg, &g->rules[i], a);
            } else {
                build_joined_rule(shared ? &shared_clauses : NULL, vpc,
                                  &g->rules[leader], &g->rules[i]);
            }
        }
    }
    if (out) {
        clauses_flush(&clauses, out, a);
        build_none_logged(out, vpc, a);
    }
    if (shared) {
        clauses_flush(&shared_clauses, shared, a);
    }
    hmap_destroy(&clauses);
    hmap_destroy(&shared_clauses);
    bitmap_free(here);
    free(bits);
}
