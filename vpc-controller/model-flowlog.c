/* The flow logs of a VPC in the model.  See model-flowlog.h. */
#include <config.h>
#include "model-flowlog.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "model.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "util.h"
#include "uuid.h"
#include "vpc-flowlog.h"
#include "vpc-idl.h"

VLOG_DEFINE_THIS_MODULE(model_flowlog);

/* Fills 'fl' (zeroed) and '*target' from 'row', a flow log of the VPC 'mv'
 * whose subnets are built.  Returns an error (to free) if the row is bad:
 * then it is skipped. */
static char *
parse_flow_log(const struct vpcrec_flow_log *row, const struct model_vpc *mv,
               struct vpc_pl_flow_log *fl, char **target)
{
    uint32_t ip, sampling;
    uint16_t port;
    const char *traffic;
    char *error = vpc_flowlog_check_row(row, &ip, &port, &sampling,
                                        &traffic);
    if (error) {
        return error;
    }

    fl->uuid = row->header_.uuid;
    fl->collector_set_id = row->header_.uuid.parts[0];
    fl->probability = vpc_flowlog_probability(sampling);
    fl->accepted = strcmp(traffic, "rejected") != 0;
    fl->rejected = strcmp(traffic, "accepted") != 0;
    fl->whole_vpc = !row->subnet;
    if (row->subnet) {
        fl->subnet = SIZE_MAX;
        for (size_t i = 0; i < mv->pl.n_subnets; i++) {
            if (uuid_equals(&mv->pl.subnets[i].uuid,
                            &row->subnet->header_.uuid)) {
                fl->subnet = i;
            }
        }
        if (fl->subnet == SIZE_MAX) {
            return xasprintf("subnet %s is not a valid subnet of the VPC",
                             row->subnet->name);
        }
    }
    *target = xasprintf("%u.%u.%u.%u:%u", ip >> 24, (ip >> 16) & 0xff,
                        (ip >> 8) & 0xff, ip & 0xff, port);
    return NULL;
}

static int
compare_flow_log_rows(const void *a_, const void *b_)
{
    const struct vpcrec_flow_log *const *a = a_;
    const struct vpcrec_flow_log *const *b = b_;
    return uuid_compare_3way(&(*a)->header_.uuid, &(*b)->header_.uuid);
}

/* Builds the flow logs of VPC 'row' into 'mv' (its 'flow_logs',
 * 'flow_log_targets' and 'pl.flow_logs'), after its subnets.  Rows with
 * bad values are skipped, with a log line. */
void
model_flowlog_build(const struct vpcrec_vpc *row, struct model_vpc *mv)
{
    size_t n_rows;
    const struct ovsdb_idl_row **refs = model_referrers(
        &row->header_, &vpcrec_table_flow_log, &vpcrec_flow_log_col_vpc,
        &n_rows);
    const struct vpcrec_flow_log **rows = xmalloc((n_rows + 1)
                                                  * sizeof *rows);
    for (size_t i = 0; i < n_rows; i++) {
        rows[i] = MODEL_ROW_CAST(vpcrec_flow_log, refs[i]);
    }
    free(refs);
    if (n_rows) {
        qsort(rows, n_rows, sizeof *rows, compare_flow_log_rows);
    }

    mv->flow_logs = xcalloc(n_rows + 1, sizeof *mv->flow_logs);
    mv->flow_log_targets = xcalloc(n_rows + 1,
                                   sizeof *mv->flow_log_targets);
    size_t n = 0;
    for (size_t i = 0; i < n_rows; i++) {
        char *error = parse_flow_log(rows[i], mv, &mv->flow_logs[n],
                                     &mv->flow_log_targets[n]);
        if (error) {
            char uuid[UUID_LEN + 1];
            snprintf(uuid, sizeof uuid, UUID_FMT,
                     UUID_ARGS(&rows[i]->header_.uuid));
            model_log_bad_row("flow log", uuid, error);
            memset(&mv->flow_logs[n], 0, sizeof mv->flow_logs[n]);
        } else {
            n++;
        }
    }
    free(rows);
    mv->pl.flow_logs = mv->flow_logs;
    mv->pl.n_flow_logs = n;
}

/* Hashes what the flows of 'pl' take from its flow logs into 'basis'. */
uint32_t
model_flowlog_fingerprint(const struct vpc_pl_vpc *pl, uint32_t basis)
{
    return hash_bytes(pl->flow_logs, pl->n_flow_logs * sizeof *pl->flow_logs,
                      basis);
}
