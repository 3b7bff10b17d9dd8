/* An emulated host.  See emu-host.h. */
#include <config.h>
#include "emu-host.h"

#include <errno.h>
#include <string.h>

#include "bitmap.h"
#include "coverage.h"
#include "emu-switch.h"
#include "flow.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb/column.h"
#include "ovsdb/jsonrpc-server.h"
#include "ovsdb/ovsdb.h"
#include "ovsdb/row.h"
#include "ovsdb/storage.h"
#include "ovsdb/table.h"
#include "ovsdb/transaction.h"
#include "ovsdb/trigger.h"
#include "ovsdb-data.h"
#include "ovsdb-error.h"
#include "packets.h"
#include "simap.h"
#include "smap.h"
#include "sset.h"
#include "svec.h"
#include "timeval.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(emu_host);

COVERAGE_DEFINE(emu_vswitchd_txn);

/* Automatic OpenFlow port numbers, as ofproto hands them out: counting up
 * from 1, below 32768, a number not reused once it was used. */
#define EMU_AUTO_PORT_MAX 32768

struct emu_bridge {
    struct hmap_node hmap_node;     /* In the host's 'bridges', by name. */
    char *name;
    struct emu_switch *sw;
    uint16_t alloc_port_no;
    unsigned long *used;            /* Port numbers ever used (bitmap). */
    struct simap ofports;           /* Interface name -> OpenFlow port. */
    bool seen;                      /* Still in the database? */
};

struct emu_host {
    char *name;
    char *dir;
    struct ovsdb *db;
    struct ovsdb_jsonrpc_server *rpc;
    struct hmap bridges;            /* Of "struct emu_bridge". */
    bool dirty;                     /* Database changed since last look? */
};

/* Reading rows. */

static const struct ovsdb_datum *
get_datum(const struct ovsdb_row *row, const char *column)
{
    const struct ovsdb_column *c
        = ovsdb_table_schema_get_column(row->table->schema, column);
    ovs_assert(c);
    return &row->fields[c->index];
}

static const char *
get_string(const struct ovsdb_row *row, const char *column)
{
    const struct ovsdb_datum *d = get_datum(row, column);
    return d->n ? json_string(d->keys[0].s) : "";
}

static int64_t
get_integer(const struct ovsdb_row *row, const char *column, int64_t dflt)
{
    const struct ovsdb_datum *d = get_datum(row, column);
    return d->n ? d->keys[0].integer : dflt;
}

static const char *
get_map_value(const struct ovsdb_row *row, const char *column,
              const char *key)
{
    const struct ovsdb_datum *d = get_datum(row, column);
    for (size_t i = 0; i < d->n; i++) {
        if (!strcmp(json_string(d->keys[i].s), key)) {
            return json_string(d->values[i].s);
        }
    }
    return NULL;
}

static const struct ovsdb_row *
get_ref(const struct ovsdb *db, const char *table, const struct uuid *uuid)
{
    return ovsdb_table_get_row(ovsdb_get_table(db, table), uuid);
}

static const struct ovsdb_row *
first_row(const struct ovsdb *db, const char *table)
{
    const struct ovsdb_table *t = ovsdb_get_table(db, table);
    const struct ovsdb_row *row;

    HMAP_FOR_EACH (row, hmap_node, &t->rows) {
        return row;
    }
    return NULL;
}

/* Writing rows: JSON operations, run as one transaction. */

static void
add_update(struct json *ops, const char *table, const struct ovsdb_row *row,
           struct json *values)
{
    struct json *op = json_object_create();
    json_object_put_string(op, "op", "update");
    json_object_put_string(op, "table", table);
    char uuid[UUID_LEN + 1];
    snprintf(uuid, sizeof uuid, UUID_FMT, UUID_ARGS(ovsdb_row_get_uuid(row)));
    json_object_put(op, "where",
                    json_array_create_1(json_array_create_3(
                        json_string_create("_uuid"),
                        json_string_create("=="),
                        json_array_create_2(json_string_create("uuid"),
                                            json_string_create(uuid)))));
    json_object_put(op, "row", values);
    json_array_add(ops, op);
}

static struct json *
smap_to_ovsdb_json(const struct smap *smap)
{
    struct json *pairs = json_array_create_empty();
    const struct smap_node **nodes = smap_sort(smap);
    for (size_t i = 0; i < smap_count(smap); i++) {
        json_array_add(pairs, json_array_create_2(
                           json_string_create(nodes[i]->key),
                           json_string_create(nodes[i]->value)));
    }
    free(nodes);
    return json_array_create_2(json_string_create("map"), pairs);
}

static char *
run_ops(struct emu_host *host, struct json *ops)
{
    bool durable;
    struct json *results = NULL;
    char *problem = NULL;

    struct ovsdb_txn *txn = ovsdb_execute_compose(
        host->db, NULL, ops, false, NULL, NULL, 0, NULL, &durable, NULL,
        &results);
    if (txn) {
        struct ovsdb_error *error = ovsdb_txn_propose_commit_block(txn,
                                                                   durable);
        if (error) {
            problem = ovsdb_error_to_string_free(error);
        }
    } else {
        problem = json_to_string(results, 0);
    }
    json_destroy(results);
    json_destroy(ops);
    return problem;
}

static void
add_insert(struct json *ops, const char *table, const char *uuid_name,
           struct json *row)
{
    struct json *op = json_object_create();
    json_object_put_string(op, "op", "insert");
    json_object_put_string(op, "table", table);
    if (uuid_name) {
        json_object_put_string(op, "uuid-name", uuid_name);
    }
    json_object_put(op, "row", row);
    json_array_add(ops, op);
}

static struct json *
named_uuid(const char *name)
{
    return json_array_create_2(json_string_create("named-uuid"),
                               json_string_create(name));
}

/* Adds to 'ops' the bridges in 'specs' ("BRIDGE[:PORT,...]", each with its
 * internal port), as "ovs-vsctl add-br" and "add-port" make them.  Returns
 * the value of the Open_vSwitch 'bridges' column that holds them. */
static struct json *
add_bridges(struct json *ops, const struct svec *specs)
{
    struct json *bridges = json_array_create_empty();

    for (size_t i = 0; specs && i < specs->n; i++) {
        char *copy = xstrdup(specs->names[i]), *save = NULL;
        char *br_name = strtok_r(copy, ":", &save);
        char *port_list = strtok_r(NULL, "", &save);
        struct svec port_names = SVEC_EMPTY_INITIALIZER;

        svec_add(&port_names, br_name);
        char *port_name;
        while (port_list
               && (port_name = strtok_r(NULL, ",", &port_list)) != NULL) {
            svec_add(&port_names, port_name);
        }
        struct json *ports = json_array_create_empty();
        for (size_t j = 0; j < port_names.n; j++) {
            char *iface = xasprintf("i%"PRIuSIZE"_%"PRIuSIZE, i, j);
            char *port = xasprintf("p%"PRIuSIZE"_%"PRIuSIZE, i, j);
            struct json *row = json_object_create();
            json_object_put_string(row, "name", port_names.names[j]);
            json_object_put_string(row, "type", j ? "" : "internal");
            add_insert(ops, "Interface", iface, row);

            row = json_object_create();
            json_object_put_string(row, "name", port_names.names[j]);
            json_object_put(row, "interfaces", named_uuid(iface));
            add_insert(ops, "Port", port, row);
            json_array_add(ports, named_uuid(port));
            free(iface);
            free(port);
        }

        char *br = xasprintf("b%"PRIuSIZE, i);
        struct json *row = json_object_create();
        json_object_put_string(row, "name", br_name);
        json_object_put_string(row, "datapath_type", "netdev");
        json_object_put(row, "ports", json_array_create_2(
                            json_string_create("set"), ports));
        add_insert(ops, "Bridge", br, row);
        json_array_add(bridges, named_uuid(br));
        free(br);
        svec_destroy(&port_names);
        free(copy);
    }
    return json_array_create_2(json_string_create("set"), bridges);
}

/* Host. */

/* Creates host 'cfg->name' with a database of 'schema' (copied).  Returns
 * NULL and an error message in '*errorp' on failure. */
struct emu_host *
emu_host_create(const struct ovsdb_schema *schema,
                const struct emu_host_config *cfg, char **errorp)
{
    struct emu_host *host = xzalloc(sizeof *host);

    *errorp = NULL;
    host->name = xstrdup(cfg->name);
    host->dir = nullable_xstrdup(cfg->dir);
    hmap_init(&host->bridges);
    host->db = ovsdb_create(ovsdb_schema_clone(schema),
                            ovsdb_storage_create_unbacked(cfg->name));

    /* What ovs-vswitchd and "ovs-vsctl set-manager" would have written. */
    struct smap ext = SMAP_INITIALIZER(&ext);
    if (cfg->external_ids) {
        smap_clone(&ext, cfg->external_ids);
    }
    smap_replace(&ext, "system-id", cfg->name);
    smap_replace(&ext, "hostname", cfg->name);
    smap_replace(&ext, "vpc-encap-ip", cfg->encap_ip);

    struct json *ops = json_array_create_1(json_string_create("Open_vSwitch"));
    struct json *row = json_object_create();
    json_object_put(row, "external_ids", smap_to_ovsdb_json(&ext));
    json_object_put_string(row, "ovs_version", "3.1.0");
    json_object_put_string(row, "db_version", schema->version);
    json_object_put_string(row, "system_type", "vpc-chassis-emu");
    json_object_put(row, "datapath_types", json_array_create_2(
                        json_string_create("set"),
                        json_array_create_2(json_string_create("netdev"),
                                            json_string_create("system"))));
    json_object_put(row, "bridges", add_bridges(ops, cfg->bridges));
    add_insert(ops, "Open_vSwitch", NULL, row);
    smap_destroy(&ext);

    *errorp = run_ops(host, ops);
    if (*errorp) {
        emu_host_destroy(host);
        return NULL;
    }

    host->rpc = ovsdb_jsonrpc_server_create(false);
    ovsdb_jsonrpc_server_add_db(host->rpc, host->db);
    struct shash remotes = SHASH_INITIALIZER(&remotes);
    const char *target;
    SSET_FOR_EACH (target, cfg->managers) {
        shash_add(&remotes, target, ovsdb_jsonrpc_default_options(target));
    }
    if (host->dir) {
        char *local = xasprintf("punix:%s/db.sock", host->dir);
        shash_add(&remotes, local, ovsdb_jsonrpc_default_options(local));
        free(local);
    }
    ovsdb_jsonrpc_server_set_remotes(host->rpc, &remotes);
    shash_destroy_free_data(&remotes);
    host->dirty = true;
    return host;
}

static void
bridge_destroy(struct emu_host *host, struct emu_bridge *br)
{
    hmap_remove(&host->bridges, &br->hmap_node);
    emu_switch_destroy(br->sw);
    bitmap_free(br->used);
    simap_destroy(&br->ofports);
    free(br->name);
    free(br);
}

/* Destroys 'host'. */
void
emu_host_destroy(struct emu_host *host)
{
    if (host) {
        struct emu_bridge *br;
        HMAP_FOR_EACH_SAFE (br, hmap_node, &host->bridges) {
            bridge_destroy(host, br);
        }
        hmap_destroy(&host->bridges);
        if (host->rpc) {
            ovsdb_jsonrpc_server_destroy(host->rpc);
        }
        ovsdb_destroy(host->db);
        free(host->name);
        free(host->dir);
        free(host);
    }
}

static struct emu_bridge *
bridge_find(const struct emu_host *host, const char *name)
{
    struct emu_bridge *br;

    HMAP_FOR_EACH_WITH_HASH (br, hmap_node, hash_string(name, 0),
                             &host->bridges) {
        if (!strcmp(br->name, name)) {
            return br;
        }
    }
    return NULL;
}

static struct emu_bridge *
bridge_create(struct emu_host *host, const char *name)
{
    struct emu_bridge *br = xzalloc(sizeof *br);
    char *sw_name = xasprintf("%s/%s", host->name, name);
    char *mgmt = host->dir ? xasprintf("punix:%s/%s.mgmt", host->dir, name)
                           : NULL;

    br->name = xstrdup(name);
    br->sw = emu_switch_create(sw_name, mgmt);
    br->used = bitmap_allocate(EMU_AUTO_PORT_MAX);
    simap_init(&br->ofports);
    hmap_insert(&host->bridges, &br->hmap_node, hash_string(name, 0));
    free(sw_name);
    free(mgmt);
    return br;
}

/* Picks an OpenFlow port number for new interface 'name', as ofproto
 * does: the requested one if it is free, the bridge's own for its local
 * port, else the next automatic one. */
static int
alloc_ofport(struct emu_bridge *br, const char *name, const char *type,
             int64_t request)
{
    if (!strcmp(name, br->name) && !strcmp(type, "internal")) {
        return OFPP_LOCAL;
    }
    if (request > 0 && request < 0xff00) {
        bool taken = false;
        const struct simap_node *n;
        SIMAP_FOR_EACH (n, &br->ofports) {
            taken |= n->data == request;
        }
        if (!taken) {
            if (request < EMU_AUTO_PORT_MAX) {
                bitmap_set1(br->used, request);
            }
            return request;
        }
    }
    for (int i = 1; i < EMU_AUTO_PORT_MAX; i++) {
        if (++br->alloc_port_no >= EMU_AUTO_PORT_MAX) {
            br->alloc_port_no = 1;
        }
        if (!bitmap_is_set(br->used, br->alloc_port_no)) {
            bitmap_set1(br->used, br->alloc_port_no);
            return br->alloc_port_no;
        }
    }
    return -1;
}

static struct eth_addr
iface_mac(const struct emu_host *host, const char *bridge, const char *iface)
{
    uint32_t h = hash_string(iface, hash_string(bridge,
                                                hash_string(host->name, 0)));
    return (struct eth_addr) { .ea = {
        0xaa, 0x55, h >> 24, h >> 16, h >> 8, h,
    } };
}

/* ovs-vswitchd's work on bridge row 'brow': ports numbered, interfaces
 * up, datapath ID reported, controllers dialed. */
static void
reconcile_bridge(struct emu_host *host, const struct ovsdb_row *brow,
                 struct json *ops)
{
    const char *name = get_string(brow, "name");
    struct emu_bridge *br = bridge_find(host, name);
    if (!br) {
        br = bridge_create(host, name);
    }
    br->seen = true;

    /* The interfaces, in the order ovs-vswitchd adds them: its ports
     * into a hash table by name, in the order of the 'ports' column (by
     * UUID); from that table first the interfaces that request a port
     * number, then the others. */
    const struct ovsdb_datum *ports = get_datum(brow, "ports");
    struct shash wanted = SHASH_INITIALIZER(&wanted);
    for (size_t i = 0; i < ports->n; i++) {
        const struct ovsdb_row *prow = get_ref(host->db, "Port",
                                               &ports->keys[i].uuid);
        if (prow) {
            shash_add_once(&wanted, get_string(prow, "name"), prow);
        }
    }
    const struct ovsdb_row **ifaces = NULL;
    size_t n_ifaces = 0, allocated = 0;
    for (int pass = 0; pass < 2; pass++) {
        const struct shash_node *node;
        SHASH_FOR_EACH (node, &wanted) {
            const struct ovsdb_datum *ifs = get_datum(node->data,
                                                      "interfaces");
            for (size_t j = 0; j < ifs->n; j++) {
                const struct ovsdb_row *irow = get_ref(host->db, "Interface",
                                                       &ifs->keys[j].uuid);
                if (irow && (get_integer(irow, "ofport_request", 0) > 0)
                            == !pass) {
                    if (n_ifaces >= allocated) {
                        ifaces = x2nrealloc(ifaces, &allocated,
                                            sizeof *ifaces);
                    }
                    ifaces[n_ifaces++] = irow;
                }
            }
        }
    }
    shash_destroy(&wanted);

    struct simap now = SIMAP_INITIALIZER(&now);
    struct emu_port *eps = xmalloc((n_ifaces + 1) * sizeof *eps);
    size_t n_eps = 0;
    for (size_t i = 0; i < n_ifaces; i++) {
        const struct ovsdb_row *irow = ifaces[i];
        const char *iname = get_string(irow, "name");
        const char *type = get_string(irow, "type");
        const struct simap_node *had = simap_find(&br->ofports, iname);
        int ofport = had ? had->data
                         : alloc_ofport(br, iname, type,
                                        get_integer(irow, "ofport_request",
                                                    0));
        if (ofport < 0 || simap_find(&now, iname)) {
            continue;
        }
        simap_put(&now, iname, ofport);
        simap_put(&br->ofports, iname, ofport);

        struct eth_addr mac = iface_mac(host, name, iname);
        eps[n_eps++] = (struct emu_port) {
            .name = iname, .ofport = u16_to_ofp(ofport), .mac = mac,
        };

        struct json *values = json_object_create();
        bool changed = false;
        if (get_integer(irow, "ofport", -2) != ofport) {
            json_object_put(values, "ofport", json_integer_create(ofport));
            changed = true;
        }
        if (strcmp(get_string(irow, "admin_state"), "up")) {
            json_object_put_string(values, "admin_state", "up");
            json_object_put_string(values, "link_state", "up");
            char mac_s[ETH_ADDR_STRLEN + 1];
            snprintf(mac_s, sizeof mac_s, ETH_ADDR_FMT, ETH_ADDR_ARGS(mac));
            json_object_put_string(values, "mac_in_use", mac_s);
            bool tunnel = strcmp(type, "") && strcmp(type, "internal")
                          && strcmp(type, "system");
            json_object_put(values, "ifindex",
                            json_integer_create(tunnel ? 0 : ofport));
            json_object_put(values, "mtu", json_integer_create(1500));
            changed = true;
        }
        const char *bfd = get_map_value(irow, "bfd", "enable");
        bool want_bfd = bfd && !strcmp(bfd, "true");
        const char *state = get_map_value(irow, "bfd_status", "state");
        if (want_bfd != (state != NULL)) {
            /* No packets: every peer is taken to be alive. */
            struct smap st = SMAP_INITIALIZER(&st);
            if (want_bfd) {
                smap_add(&st, "state", "up");
                smap_add(&st, "forwarding", "true");
                smap_add(&st, "remote_state", "up");
                smap_add(&st, "diagnostic", "No Diagnostic");
                smap_add(&st, "remote_diagnostic", "No Diagnostic");
                smap_add(&st, "flap_count", "1");
            }
            json_object_put(values, "bfd_status", smap_to_ovsdb_json(&st));
            smap_destroy(&st);
            changed = true;
        }
        if (changed) {
            add_update(ops, "Interface", irow, values);
        } else {
            json_destroy(values);
        }
    }
    free(ifaces);

    /* Interfaces gone: their numbers stay used. */
    struct simap_node *n;
    SIMAP_FOR_EACH_SAFE (n, &br->ofports) {
        if (!simap_find(&now, n->name)) {
            simap_delete(&br->ofports, n);
        }
    }
    simap_destroy(&now);
    emu_switch_set_ports(br->sw, eps, n_eps);
    free(eps);

    /* Datapath ID: other_config:datapath-id, else from the bridge's name
     * and host, as a MAC ovs-vswitchd would pick. */
    uint64_t dpid;
    const char *dpid_s = get_map_value(brow, "other_config", "datapath-id");
    if (!dpid_s || !dpid_from_string(dpid_s, &dpid)) {
        struct eth_addr mac = iface_mac(host, name, name);
        dpid = eth_addr_to_uint64(mac);
    }
    emu_switch_set_dpid(br->sw, dpid);
    char dpid_hex[17];
    snprintf(dpid_hex, sizeof dpid_hex, "%016"PRIx64, dpid);
    if (strcmp(get_string(brow, "datapath_id"), dpid_hex)) {
        struct json *values = json_object_create();
        json_object_put_string(values, "datapath_id", dpid_hex);
        json_object_put_string(values, "datapath_version", "<built-in>");
        add_update(ops, "Bridge", brow, values);
    }

    /* OpenFlow versions and controllers. */
    const struct ovsdb_datum *protocols = get_datum(brow, "protocols");
    uint32_t versions = 0;
    for (size_t i = 0; i < protocols->n; i++) {
        versions |= ofputil_versions_from_string(
            json_string(protocols->keys[i].s));
    }
    emu_switch_set_versions(br->sw, versions);

    struct sset targets = SSET_INITIALIZER(&targets);
    const struct ovsdb_datum *ctls = get_datum(brow, "controller");
    for (size_t i = 0; i < ctls->n; i++) {
        const struct ovsdb_row *crow = get_ref(host->db, "Controller",
                                               &ctls->keys[i].uuid);
        const char *target = crow ? get_string(crow, "target") : "";
        if (!strncmp(target, "tcp:", 4) || !strncmp(target, "unix:", 5)
            || !strncmp(target, "ssl:", 4)) {
            sset_add(&targets, target);
        }
    }
    emu_switch_set_controllers(br->sw, &targets);
    sset_destroy(&targets);
}

/* ovs-vswitchd's pass over the whole database. */
static void
reconcile(struct emu_host *host)
{
    const struct ovsdb_row *ovs = first_row(host->db, "Open_vSwitch");
    if (!ovs) {
        return;
    }

    struct json *ops = json_array_create_1(json_string_create("Open_vSwitch"));
    struct emu_bridge *br;
    HMAP_FOR_EACH (br, hmap_node, &host->bridges) {
        br->seen = false;
    }
    const struct ovsdb_datum *bridges = get_datum(ovs, "bridges");
    for (size_t i = 0; i < bridges->n; i++) {
        const struct ovsdb_row *brow = get_ref(host->db, "Bridge",
                                               &bridges->keys[i].uuid);
        if (brow) {
            reconcile_bridge(host, brow, ops);
        }
    }
    HMAP_FOR_EACH_SAFE (br, hmap_node, &host->bridges) {
        if (!br->seen) {
            bridge_destroy(host, br);
        }
    }

    int64_t next_cfg = get_integer(ovs, "next_cfg", 0);
    if (get_integer(ovs, "cur_cfg", 0) != next_cfg) {
        struct json *values = json_object_create();
        json_object_put(values, "cur_cfg", json_integer_create(next_cfg));
        add_update(ops, "Open_vSwitch", ovs, values);
    }

    if (ops->array.n > 1) {
        COVERAGE_INC(emu_vswitchd_txn);
        char *error = run_ops(host, ops);
        if (error) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
            VLOG_WARN_RL(&rl, "%s: updating the database failed: %s",
                         host->name, error);
            free(error);
        }
    } else {
        json_destroy(ops);
    }
}

/* Serves the database, acts on its changes as ovs-vswitchd would, and
 * runs the switches. */
void
emu_host_run(struct emu_host *host)
{
    ovsdb_jsonrpc_server_run(host->rpc);
    ovsdb_storage_run(host->db->storage);
    if (host->db->run_triggers || host->db->run_triggers_now) {
        host->dirty = true;
    }
    ovsdb_trigger_run(host->db, time_msec());
    if (host->dirty) {
        host->dirty = false;
        reconcile(host);
    }

    struct emu_bridge *br;
    HMAP_FOR_EACH (br, hmap_node, &host->bridges) {
        emu_switch_run(br->sw);
    }
}

/* Arranges for poll_block() to wake up when emu_host_run() has work. */
void
emu_host_wait(struct emu_host *host)
{
    ovsdb_jsonrpc_server_wait(host->rpc);
    ovsdb_storage_wait(host->db->storage);
    ovsdb_trigger_wait(host->db, time_msec());
    if (host->dirty || host->db->run_triggers) {
        poll_immediate_wake();
    }

    struct emu_bridge *br;
    HMAP_FOR_EACH (br, hmap_node, &host->bridges) {
        emu_switch_wait(br->sw);
    }
}

/* Returns the host's name. */
const char *
emu_host_name(const struct emu_host *host)
{
    return host->name;
}

/* Returns the number of flows in all the host's bridges. */
size_t
emu_host_n_flows(const struct emu_host *host)
{
    const struct emu_bridge *br;
    size_t n = 0;

    HMAP_FOR_EACH (br, hmap_node, &host->bridges) {
        n += emu_switch_n_flows(br->sw);
    }
    return n;
}

/* Appends a line about 'host' to 's'. */
void
emu_host_format(const struct emu_host *host, struct ds *s)
{
    const struct emu_bridge *br;

    ds_put_format(s, "%s", host->name);
    HMAP_FOR_EACH (br, hmap_node, &host->bridges) {
        ds_put_format(s, " %s: flows=%"PRIuSIZE" groups=%"PRIuSIZE
                      " ports=%"PRIuSIZE" openflow_conns=%"PRIuSIZE,
                      br->name, emu_switch_n_flows(br->sw),
                      emu_switch_n_groups(br->sw),
                      simap_count(&br->ofports), emu_switch_n_conns(br->sw));
    }
    ds_put_char(s, '\n');
}
