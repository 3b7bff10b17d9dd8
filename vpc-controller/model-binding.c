/* Where a port is bound.  See model-binding.h. */
#include <config.h>
#include "model-binding.h"

#include <string.h>

#include "coverage.h"
#include "model.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "sset.h"
#include "util.h"
#include "vpc-idl.h"

VLOG_DEFINE_THIS_MODULE(model_binding);

COVERAGE_DEFINE(model_binding_refused);

/* Bad configurations are reported at most this often: they are looked at
 * again on every change until someone fixes them. */
static struct vlog_rate_limit bad_row_rl = VLOG_RATE_LIMIT_INIT(5, 20);

static int
compare_locations_by_name(const void *a_, const void *b_)
{
    const struct model_location *const *a = a_;
    const struct model_location *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

/* Returns the connected locations that have an interface for port 'name',
 * sorted by name, and their number in '*n' (NULL if none; the caller frees
 * it).  With the model's 'claims' only the chassis that claim the port are
 * looked at, else every one of the 'n_connected' in 'connected'. */
static const struct model_location **
find_claimants(const struct vpc_model *model, const char *name,
               struct model_location *const *connected, size_t n_connected,
               size_t *n)
{
    const struct model_location **out = NULL;
    size_t allocated = 0;

    *n = 0;
    if (model->claims) {
        const struct sset *names = shash_find_data(model->claims, name);
        const char *cname;

        if (!names) {
            return NULL;
        }
        SSET_FOR_EACH (cname, names) {
            const struct model_location *loc
                = shash_find_data(&model->locations, cname);
            if (loc && loc->connected && shash_find(loc->bindings, name)) {
                if (*n >= allocated) {
                    out = x2nrealloc(out, &allocated, sizeof *out);
                }
                out[(*n)++] = loc;
            }
        }
        if (*n > 1) {
            qsort(out, *n, sizeof *out, compare_locations_by_name);
        }
        return out;
    }
    for (size_t i = 0; i < n_connected; i++) {
        if (shash_find(connected[i]->bindings, name)) {
            if (*n >= allocated) {
                out = x2nrealloc(out, &allocated, sizeof *out);
            }
            out[(*n)++] = connected[i];
        }
    }
    return out;
}

/* Decides where port 'name', which may only be bound on chassis
 * 'requested' (or, if it is migrating, also on 'dest'), is bound: on
 * 'requested' if that chassis has the interface (or had it, 'prev', and is
 * out of touch); else, if migrating, on 'dest', whether its interface is
 * there yet or not (the VM is on its way); else nowhere.  Adds to
 * 'refused' the other connected chassis that have an interface for it,
 * which get nothing. */
static const struct model_location *
resolve_requested(const struct vpc_model *model, const char *name,
                  const char *requested, const struct model_location *dest,
                  const char *prev, struct model_location *const *connected,
                  size_t n_connected, struct sset *refused)
{
    const struct model_location *req
        = shash_find_data(&model->locations, requested);
    size_t n;
    const struct model_location **claimants
        = find_claimants(model, name, connected, n_connected, &n);

    for (size_t i = 0; i < n; i++) {
        if (claimants[i] != req && claimants[i] != dest) {
            COVERAGE_INC(model_binding_refused);
            if (dest) {
                VLOG_WARN_RL(&bad_row_rl, "port %s: its interface on chassis "
                             "%s is ignored: the port may only be bound on "
                             "%s or %s", name, claimants[i]->name,
                             requested, dest->name);
            } else {
                VLOG_WARN_RL(&bad_row_rl, "port %s: its interface on chassis "
                             "%s is ignored: the port may only be bound on "
                             "%s", name, claimants[i]->name, requested);
            }
            sset_add(refused, claimants[i]->name);
        }
    }
    free(claimants);
    if (req && !req->gateway) {
        if (req->connected ? shash_find(req->bindings, name) != NULL
                           : prev && !strcmp(prev, requested)) {
            return req;
        }
    }
    return dest;
}

/* Returns the chassis that port 'row' is migrating to, if any: the one
 * its options:migration_destination names, if the port has a requested
 * chassis (the source) and that is another one, known and no gateway. */
const struct model_location *
model_migration_destination(const struct vpc_model *model,
                            const struct vpcrec_port *row)
{
    const char *dest = smap_get(&row->options, "migration_destination");

    if (!dest || !row->requested_chassis
        || !strcmp(dest, row->requested_chassis)) {
        return NULL;
    }
    const struct model_location *loc = shash_find_data(&model->locations,
                                                       dest);
    return loc && !loc->gateway ? loc : NULL;
}

/* Decides where port 'name' (Port 'row', bound at 'previous' in the
 * previous model, if any) is bound among the 'n_connected' locations in
 * 'connected' (sorted by name), adding to 'refused' the chassis whose
 * claim is refused.  A binding sticks to its chassis as long as that
 * chassis still has the interface (or is out of touch, when it may still
 * forward); otherwise the first connected chassis (by name) with the
 * interface takes it.  (An iface-id on several chassis is reported by the
 * engine when the chassis' interfaces change.) */
const struct model_location *
model_resolve_binding(const struct vpc_model *model, const char *name,
                      const struct vpcrec_port *row,
                      const struct model_location *previous,
                      struct model_location *const *connected,
                      size_t n_connected, struct sset *refused)
{
    const char *prev = (previous ? previous->name
                        : row->chassis ? row->chassis->name : NULL);

    if (row->requested_chassis) {
        return resolve_requested(model, name, row->requested_chassis,
                                 model_migration_destination(model, row),
                                 prev, connected, n_connected, refused);
    }
    const struct model_location *prev_loc
        = prev ? shash_find_data(&model->locations, prev) : NULL;

    if (prev_loc && (prev_loc->gateway || prev_loc->connected)) {
        if (!prev_loc->gateway && shash_find(prev_loc->bindings, name)) {
            return prev_loc;
        }
        prev_loc = NULL;
    }
    size_t n;
    const struct model_location **claimants
        = find_claimants(model, name, connected, n_connected, &n);
    const struct model_location *where = prev_loc;
    for (size_t i = 0; i < n; i++) {
        if (claimants[i]->gateway) {
            /* Gateway tunnels carry VPC traffic to the outside: a VM there
             * would have its traffic NATed out. */
            VLOG_WARN_RL(&bad_row_rl, "port %s: its interface on gateway "
                         "%s is ignored: gateways carry no VM ports", name,
                         claimants[i]->name);
            continue;
        }
        where = claimants[i];
        break;
    }
    free(claimants);
    return where;
}
