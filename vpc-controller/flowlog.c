/* Flow logs: which collector sets each host needs.  See flowlog.h.
 *
 * A host needs the collector set of a flow log when it carries a port that
 * the flow log covers: a port of its VPC, or of its subnet.  The sample
 * actions (ofproto-vpc/stage-flowlog.c) name the collector set by an ID
 * the same on every host: the first 32 bits of the flow log's UUID. */
#include <config.h>
#include "flowlog.h"

#include <stdlib.h>
#include <string.h>

#include "chassis.h"
#include "engine-private.h"
#include "host.h"
#include "host-ipfix.h"
#include "roles.h"
#include "util.h"
#include "uuid.h"

static int
compare_sets(const void *a_, const void *b_)
{
    const struct host_collector_set *a = a_;
    const struct host_collector_set *b = b_;
    return strcmp(a->flow_log, b->flow_log);
}

/* Does 'vpc' have a port bound to chassis 'self' that flow log 'fl'
 * covers? */
static bool
covers_port_here(const struct vpc_pl_vpc *vpc,
                 const struct vpc_pl_flow_log *fl, const void *self)
{
    for (size_t i = 0; i < vpc->n_ports; i++) {
        const struct vpc_pl_port *p = &vpc->ports[i];
        if (p->chassis == self && (fl->whole_vpc || p->subnet == fl->subnet)) {
            return true;
        }
    }
    return false;
}

/* The VPCs of the model that have flow logs, found by flowlog_begin():
 * a change calls flowlog_set_collector_sets() for every chassis, and going
 * through every VPC for each took a quarter of the controller's CPU on one
 * port added at 300 emulated hosts with 3,000 VPCs and no flow log. */
static const struct model_vpc **logged;
static size_t n_logged, allocated_logged;

/* Finds the VPCs with flow logs in the model as it is now, for the calls
 * of flowlog_set_collector_sets() that follow until the model changes. */
void
flowlog_begin(void)
{
    const struct model_vpc *mv;

    n_logged = 0;
    HMAP_FOR_EACH (mv, hmap_node, &engine_model.vpcs) {
        if (mv->pl.n_flow_logs) {
            if (n_logged >= allocated_logged) {
                logged = x2nrealloc(logged, &allocated_logged,
                                    sizeof *logged);
            }
            logged[n_logged++] = mv;
        }
    }
}

/* Gives the host of 'ch' the collector sets of the flow logs that cover a
 * port it carries.  Only the chassis' owner manages them, from a model it
 * has built.  Call flowlog_begin() first, after the model last changed. */
void
flowlog_set_collector_sets(struct chassis *ch)
{
    const void *self = shash_find_data(&engine_model.locations, ch->name);
    if (!self || !host_get_identity(ch->hn->host) || !chassis_is_owned(ch)) {
        host_forget_collector_sets(ch->hn->host);
        return;
    }

    struct host_collector_set *sets = NULL;
    size_t n = 0, allocated = 0;
    for (size_t j = 0; j < n_logged; j++) {
        const struct model_vpc *mv = logged[j];
        for (size_t i = 0; i < mv->pl.n_flow_logs; i++) {
            const struct vpc_pl_flow_log *fl = &mv->pl.flow_logs[i];
            if (!covers_port_here(&mv->pl, fl, self)) {
                continue;
            }
            if (n >= allocated) {
                sets = x2nrealloc(sets, &allocated, sizeof *sets);
            }
            sets[n].id = fl->collector_set_id;
            sets[n].target = xstrdup(mv->flow_log_targets[i]);
            sets[n].flow_log = xasprintf(UUID_FMT, UUID_ARGS(&fl->uuid));
            n++;
        }
    }
    if (n) {
        qsort(sets, n, sizeof *sets, compare_sets);
    }
    host_set_collector_sets(ch->hn->host, sets, n);
}
