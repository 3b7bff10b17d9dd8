/* Flow logs on a host.  See host-ipfix.h.
 *
 * Each collector set we want is a Flow_Sample_Collector_Set row on br-int
 * (id: the flow log's collector set ID, the same on every host) with an
 * IPFIX row that sends to the flow log's collector; both carry
 * external_ids:vpc-flow-log=UUID.  Rows without that key are someone
 * else's and stay as they are; ours that no flow log wants go. */
#include <config.h>
#include "host-ipfix.h"

#include <string.h>

#include "host-idl.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(host_ipfix);

/* Replicates the columns that host_ipfix_configure() reads. */
void
host_ipfix_add_columns(struct ovsdb_idl *idl)
{
    ovsdb_idl_add_table(idl, &hostrec_table_flow_sample_collector_set);
    ovsdb_idl_add_column(idl, &hostrec_flow_sample_collector_set_col_id);
    ovsdb_idl_add_column(idl, &hostrec_flow_sample_collector_set_col_bridge);
    ovsdb_idl_add_column(idl, &hostrec_flow_sample_collector_set_col_ipfix);
    ovsdb_idl_add_column(idl,
                         &hostrec_flow_sample_collector_set_col_external_ids);
    ovsdb_idl_add_table(idl, &hostrec_table_ipfix);
    ovsdb_idl_add_column(idl, &hostrec_ipfix_col_targets);
    ovsdb_idl_add_column(idl, &hostrec_ipfix_col_external_ids);
}

static const struct host_collector_set *
find_wanted(const struct host_collector_set *sets, size_t n,
            const char *flow_log)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(sets[i].flow_log, flow_log)) {
            return &sets[i];
        }
    }
    return NULL;
}

static bool
ipfix_is(const struct hostrec_ipfix *ipfix, const char *target)
{
    return (ipfix && ipfix->n_targets == 1
            && !strcmp(ipfix->targets[0], target));
}

static void
set_ipfix(const struct hostrec_ipfix *ipfix,
          const struct host_collector_set *s)
{
    const char *targets[] = { s->target };
    struct smap ids = SMAP_INITIALIZER(&ids);

    hostrec_ipfix_set_targets(ipfix, targets, 1);
    smap_add(&ids, HOST_IPFIX_KEY, s->flow_log);
    hostrec_ipfix_set_external_ids(ipfix, &ids);
    smap_destroy(&ids);
}

/* Brings the collector sets we made on bridge 'br' of the host whose
 * database is 'idl' to the 'n' in 'sets', in 'txn'.  Returns true if
 * anything was written. */
bool
host_ipfix_configure(struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn,
                     const struct hostrec_bridge *br,
                     const struct host_collector_set *sets, size_t n,
                     const char *host_name)
{
    const struct hostrec_flow_sample_collector_set *row;
    bool *have = xcalloc(n + 1, sizeof *have);
    bool changed = false;

    HOSTREC_FLOW_SAMPLE_COLLECTOR_SET_FOR_EACH (row, idl) {
        const char *fl = smap_get(&row->external_ids, HOST_IPFIX_KEY);
        const struct host_collector_set *want;

        if (!fl) {
            /* Not ours; but an ID we want on our bridge is taken. */
            for (size_t i = 0; i < n; i++) {
                if (row->bridge == br && row->id == sets[i].id) {
                    static struct vlog_rate_limit rl
                        = VLOG_RATE_LIMIT_INIT(1, 5);
                    VLOG_WARN_RL(&rl, "%s: collector set %"PRIu32" of flow "
                                 "log %s is taken by another client's row",
                                 host_name, sets[i].id, sets[i].flow_log);
                    have[i] = true;
                }
            }
            continue;
        }
        want = find_wanted(sets, n, fl);
        if (!want || row->bridge != br || row->id != want->id
            || have[want - sets]) {
            hostrec_flow_sample_collector_set_delete(row);
            changed = true;
            continue;
        }
        if (!ipfix_is(row->ipfix, want->target)) {
            if (row->ipfix) {
                set_ipfix(row->ipfix, want);
            } else {
                struct hostrec_ipfix *ipfix = hostrec_ipfix_insert(txn);
                set_ipfix(ipfix, want);
                hostrec_flow_sample_collector_set_set_ipfix(row, ipfix);
            }
            changed = true;
        }
        have[want - sets] = true;
    }

    for (size_t i = 0; i < n; i++) {
        if (have[i]) {
            continue;
        }
        struct hostrec_ipfix *ipfix = hostrec_ipfix_insert(txn);
        set_ipfix(ipfix, &sets[i]);

        struct hostrec_flow_sample_collector_set *new
            = hostrec_flow_sample_collector_set_insert(txn);
        struct smap ids = SMAP_INITIALIZER(&ids);
        smap_add(&ids, HOST_IPFIX_KEY, sets[i].flow_log);
        hostrec_flow_sample_collector_set_set_id(new, sets[i].id);
        hostrec_flow_sample_collector_set_set_bridge(new, br);
        hostrec_flow_sample_collector_set_set_ipfix(new, ipfix);
        hostrec_flow_sample_collector_set_set_external_ids(new, &ids);
        smap_destroy(&ids);
        changed = true;
    }
    free(have);
    return changed;
}

/* Are the collector sets 'a' and 'b' (each sorted by flow log) the
 * same? */
bool
host_collector_sets_equal(const struct host_collector_set *a, size_t n_a,
                          const struct host_collector_set *b, size_t n_b)
{
    if (n_a != n_b) {
        return false;
    }
    for (size_t i = 0; i < n_a; i++) {
        if (a[i].id != b[i].id || strcmp(a[i].target, b[i].target)
            || strcmp(a[i].flow_log, b[i].flow_log)) {
            return false;
        }
    }
    return true;
}

/* Frees the 'n' collector sets in 'sets', and the array. */
void
host_collector_sets_free(struct host_collector_set *sets, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(sets[i].target);
        free(sets[i].flow_log);
    }
    free(sets);
}
