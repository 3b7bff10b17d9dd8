/* A host's OVSDB session.  See host.h. */
#include <config.h>
#include "host.h"
#include "host-private.h"

#include <arpa/inet.h>
#include <string.h>

#include "conn-wake.h"
#include "coverage.h"
#include "flow.h"
#include "host-ipfix.h"
#include "jsonrpc.h"
#include "host-idl.h"
#include "openvswitch/vlog.h"

VLOG_DEFINE_THIS_MODULE(host);

COVERAGE_DEFINE(host_config_txn);

/* Returns the name of 'encap' as used in OVSDB. */
const char *
vpc_encap_name(enum vpc_encap encap)
{
    return encap == VPC_ENCAP_GENEVE ? "geneve" : "vxlan";
}

static void
add_columns(struct ovsdb_idl *idl)
{
    ovsdb_idl_add_table(idl, &hostrec_table_open_vswitch);
    ovsdb_idl_add_column(idl, &hostrec_open_vswitch_col_external_ids);
    ovsdb_idl_add_column(idl, &hostrec_open_vswitch_col_bridges);

    ovsdb_idl_add_table(idl, &hostrec_table_bridge);
    ovsdb_idl_add_column(idl, &hostrec_bridge_col_name);
    ovsdb_idl_add_column(idl, &hostrec_bridge_col_ports);
    ovsdb_idl_add_column(idl, &hostrec_bridge_col_controller);
    ovsdb_idl_add_column(idl, &hostrec_bridge_col_fail_mode);
    ovsdb_idl_add_column(idl, &hostrec_bridge_col_datapath_type);
    ovsdb_idl_add_column(idl, &hostrec_bridge_col_protocols);
    ovsdb_idl_add_column(idl, &hostrec_bridge_col_other_config);

    ovsdb_idl_add_table(idl, &hostrec_table_port);
    ovsdb_idl_add_column(idl, &hostrec_port_col_name);
    ovsdb_idl_add_column(idl, &hostrec_port_col_interfaces);

    ovsdb_idl_add_table(idl, &hostrec_table_interface);
    ovsdb_idl_add_column(idl, &hostrec_interface_col_name);
    ovsdb_idl_add_column(idl, &hostrec_interface_col_type);
    ovsdb_idl_add_column(idl, &hostrec_interface_col_options);
    ovsdb_idl_add_column(idl, &hostrec_interface_col_external_ids);
    ovsdb_idl_add_column(idl, &hostrec_interface_col_ofport);
    ovsdb_idl_add_column(idl, &hostrec_interface_col_bfd);
    ovsdb_idl_add_column(idl, &hostrec_interface_col_bfd_status);

    ovsdb_idl_add_table(idl, &hostrec_table_controller);
    ovsdb_idl_add_column(idl, &hostrec_controller_col_target);

    host_ipfix_add_columns(idl);
}

/* Creates a host for 'rpc', an OVSDB connection that a host opened to us.
 * Takes ownership of 'rpc'. */
struct host *
host_create(struct jsonrpc *rpc)
{
    struct host *host = xzalloc(sizeof *host);

    host->name = xstrdup(jsonrpc_get_name(rpc));
    host->idl = ovsdb_idl_create_unconnected(&hostrec_idl_class, false);
    add_columns(host->idl);
    ovsdb_idl_set_jsonrpc(host->idl, rpc);
    host->wake = conn_wake_create();
    shash_init(&host->bindings);
    shash_init(&host->peer_ofports);
    shash_init(&host->uplink_ofports);
    sset_init(&host->live_peers);
    sset_init(&host->down_peers);
    host->idl_seqno = ovsdb_idl_get_seqno(host->idl);
    VLOG_INFO("%s: host connected to the OVSDB listener", host->name);
    return host;
}

static void
identity_destroy(struct host_identity *id)
{
    if (id) {
        free(id->system_id);
        free(id->encap_ip_s);
        free(id->role);
        free(id->datapath_type);
        smap_destroy(&id->bridge_mappings);
        free(id);
    }
}

static void peers_free(struct host_peer *, size_t n);

/* Closes the session and frees 'host'.  (Its connection's record in
 * conn-wake goes first, before the session closes its descriptor; nothing
 * after that may poke it.) */
void
host_destroy(struct host *host)
{
    if (host) {
        conn_wake_destroy(host->wake);
        if (host->txn) {
            ovsdb_idl_txn_destroy(host->txn);
        }
        ovsdb_idl_destroy(host->idl);
        identity_destroy(host->id);
        free(host->id_problem);
        free(host->peer_id);
        shash_destroy(&host->bindings);
        shash_destroy(&host->peer_ofports);
        shash_destroy(&host->uplink_ofports);
        sset_destroy(&host->live_peers);
        sset_destroy(&host->down_peers);
        peers_free(host->peers, host->n_peers);
        host_collector_sets_free(host->csets, host->n_csets);
        free(host->name);
        free(host);
    }
}

/* Returns false once the host's OVSDB connection is gone. */
bool
host_is_alive(const struct host *host)
{
    return ovsdb_idl_is_alive(host->idl);
}

/* Returns true once the host's database has been read at least once, so
 * that its bindings are complete. */
bool
host_is_ready(const struct host *host)
{
    return host->ready;
}

/* Returns the peer's name, for logs. */
const char *
host_get_name(const struct host *host)
{
    return host->name;
}

/* Returns the common name of the certificate the host connected with, or
 * NULL if it has shown none (yet: it is known once the SSL handshake is
 * over, before its database arrives). */
const char *
host_get_peer_id(const struct host *host)
{
    return host->peer_id;
}

/* Returns who the host says it is, or NULL if it has not said so validly. */
const struct host_identity *
host_get_identity(const struct host *host)
{
    return host->id;
}

/* Sets whether the controller adopts this host (configures its br-int);
 * a host whose identity conflicts with another's is not adopted. */
void
host_set_accepted(struct host *host, bool accepted)
{
    if (host->accepted != accepted) {
        host->accepted = accepted;
        conn_wake_poke(host->wake);
    }
}

/* Returns whether the host is adopted. */
bool
host_is_accepted(const struct host *host)
{
    return host->accepted;
}

/* Returns a number that changes whenever the identity, the bindings or the
 * tunnel ports change. */
unsigned int
host_get_change_seqno(const struct host *host)
{
    return host->change_seqno;
}

/* Returns a number that changes whenever the identity changes. */
unsigned int
host_get_identity_seqno(const struct host *host)
{
    return host->id_seqno;
}

/* Returns the VM interfaces on br-int: iface-id -> OpenFlow port number
 * (as uintptr_t). */
const struct shash *
host_get_bindings(const struct host *host)
{
    return &host->bindings;
}

/* Returns the OpenFlow port of the tunnel for 'encap', or 0. */
ofp_port_t
host_get_tunnel_ofport(const struct host *host, enum vpc_encap encap)
{
    return host->tunnel_ofport[encap];
}

static void
peers_free(struct host_peer *peers, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(peers[i].name);
        free(peers[i].remote_ip);
    }
    free(peers);
}

/* Sets the peer tunnel ports that the host should have; the host is
 * reconfigured if they differ from the last ones. */
void
host_set_peers(struct host *host, const struct host_peer *peers, size_t n)
{
    bool same = host->peers_known && n == host->n_peers;
    for (size_t i = 0; same && i < n; i++) {
        same = (!strcmp(peers[i].name, host->peers[i].name)
                && !strcmp(peers[i].remote_ip, host->peers[i].remote_ip)
                && peers[i].encap == host->peers[i].encap);
    }
    if (same) {
        return;
    }

    peers_free(host->peers, host->n_peers);
    host->peers = n ? xmalloc(n * sizeof *host->peers) : NULL;
    for (size_t i = 0; i < n; i++) {
        host->peers[i].name = xstrdup(peers[i].name);
        host->peers[i].remote_ip = xstrdup(peers[i].remote_ip);
        host->peers[i].encap = peers[i].encap;
    }
    host->n_peers = n;
    host->peers_known = true;
    host->txn_seqno = 0;        /* Configure again. */
    conn_wake_poke(host->wake);
}

/* Leaves the host's peer tunnel ports alone (as they are) until the next
 * host_set_peers(): for a controller instance that does not own the host,
 * or does not know yet what it should have. */
void
host_forget_peers(struct host *host)
{
    host->peers_known = false;
}

/* Sets the flow log collector sets that the host should have ('sets',
 * sorted by flow log; the host takes them over); the host is reconfigured
 * if they differ from the last ones. */
void
host_set_collector_sets(struct host *host, struct host_collector_set *sets,
                        size_t n)
{
    if (host->csets_known
        && host_collector_sets_equal(sets, n, host->csets, host->n_csets)) {
        host_collector_sets_free(sets, n);
        return;
    }
    host_collector_sets_free(host->csets, host->n_csets);
    host->csets = sets;
    host->n_csets = n;
    host->csets_known = true;
    host->txn_seqno = 0;        /* Configure again. */
    conn_wake_poke(host->wake);
}

/* Leaves the host's collector sets alone until the next
 * host_set_collector_sets(), as host_forget_peers() does its peers. */
void
host_forget_collector_sets(struct host *host)
{
    host->csets_known = false;
}

/* Returns a number that changes whenever the peer tunnel ports or the
 * uplinks change. */
unsigned int
host_get_ports_seqno(const struct host *host)
{
    return host->ports_seqno;
}

/* Returns true if BFD on the host's tunnel port to 'peer' says the peer
 * is forwarding. */
bool
host_peer_is_live(const struct host *host, const char *peer)
{
    return sset_contains(&host->live_peers, peer);
}

/* Returns true if BFD on the host's tunnel port to 'peer' was up and is
 * not now: the peer is known to be gone (not merely not up yet). */
bool
host_peer_is_down(const struct host *host, const char *peer)
{
    return sset_contains(&host->down_peers, peer);
}

/* Returns the peer tunnel ports on br-int: peer chassis name -> OpenFlow
 * port number (as uintptr_t). */
const struct shash *
host_get_peer_ofports(const struct host *host)
{
    return &host->peer_ofports;
}

/* Returns the OpenFlow port of br-int's patch port to the bridge of
 * outside network 'physnet', or 0. */
ofp_port_t
host_get_uplink_ofport(const struct host *host, const char *physnet)
{
    return u16_to_ofp((uintptr_t) shash_find_data(&host->uplink_ofports,
                                                  physnet));
}

static void
set_problem(struct host *host, char *problem)
{
    if (!host->id_problem || strcmp(host->id_problem, problem)) {
        VLOG_WARN("%s: %s", host->name, problem);
    }
    free(host->id_problem);
    host->id_problem = problem;
}

/* Parses the identity in 'ovs' external_ids.  Returns NULL (after logging
 * why, once) if it is missing or invalid. */
static struct host_identity *
parse_identity(struct host *host, const struct hostrec_open_vswitch *ovs)
{
    const struct smap *ext = &ovs->external_ids;
    const char *system_id = smap_get(ext, "system-id");
    const char *encap_ip = smap_get(ext, "vpc-encap-ip");
    const char *encap_type = smap_get_def(ext, "vpc-encap-type", "vxlan");
    const char *role = smap_get_def(ext, "vpc-role", "compute");
    const char *dp_type = smap_get_def(ext, "vpc-datapath-type", "");
    const char *mappings = smap_get_def(ext, "vpc-bridge-mappings", "");
    const char *mtu_s = smap_get(ext, "vpc-underlay-mtu");
    struct in_addr in;

    if (!system_id || !system_id[0]) {
        set_problem(host, xstrdup("external_ids:system-id is not set; "
                                  "waiting for it"));
        return NULL;
    }
    if (!encap_ip || inet_pton(AF_INET, encap_ip, &in) != 1) {
        set_problem(host, xasprintf("host %s: external_ids:vpc-encap-ip "
                                    "\"%s\" is not an IPv4 address",
                                    system_id, encap_ip ? encap_ip : ""));
        return NULL;
    }
    if (strcmp(encap_type, "vxlan") && strcmp(encap_type, "geneve")) {
        set_problem(host, xasprintf("host %s: external_ids:vpc-encap-type "
                                    "\"%s\" is not vxlan or geneve",
                                    system_id, encap_type));
        return NULL;
    }
    if (strcmp(role, "compute") && strcmp(role, "gateway")) {
        set_problem(host, xasprintf("host %s: external_ids:vpc-role \"%s\" "
                                    "is not compute or gateway",
                                    system_id, role));
        return NULL;
    }
    if (dp_type[0] && strcmp(dp_type, "system") && strcmp(dp_type, "netdev")) {
        set_problem(host, xasprintf("host %s: external_ids:"
                                    "vpc-datapath-type \"%s\" is not system "
                                    "or netdev", system_id, dp_type));
        return NULL;
    }

    struct host_identity *id = xzalloc(sizeof *id);
    id->system_id = xstrdup(system_id);
    id->encap_ip = in.s_addr;
    id->encap_ip_s = xstrdup(encap_ip);
    id->encap = strcmp(encap_type, "geneve") ? VPC_ENCAP_VXLAN
                                               : VPC_ENCAP_GENEVE;
    id->role = xstrdup(role);
    id->datapath_type = xstrdup(dp_type);
    id->underlay_mtu = HOST_UNDERLAY_MTU_DEFAULT;
    if (mtu_s && (!str_to_int(mtu_s, 10, &id->underlay_mtu)
                  || id->underlay_mtu < 576 || id->underlay_mtu > 65535)) {
        static struct vlog_rate_limit mtu_rl = VLOG_RATE_LIMIT_INIT(1, 5);
        id->underlay_mtu = HOST_UNDERLAY_MTU_DEFAULT;
        VLOG_WARN_RL(&mtu_rl, "%s: host %s: external_ids:vpc-underlay-mtu \"%s\" is not "
                  "a number from 576 to 65535; assuming %d", host->name,
                  system_id, mtu_s, HOST_UNDERLAY_MTU_DEFAULT);
    }
    smap_init(&id->bridge_mappings);
    char *copy = xstrdup(mappings), *save = NULL;
    for (char *m = strtok_r(copy, ",", &save); m;
         m = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(m, ':');
        if (colon && colon != m && colon[1]) {
            *colon = '\0';
            smap_replace(&id->bridge_mappings, m, colon + 1);
        } else {
            VLOG_WARN("%s: host %s: ignoring bad vpc-bridge-mappings entry "
                      "\"%s\" (expected NETWORK:BRIDGE)", host->name,
                      system_id, m);
        }
    }
    free(copy);

    /* A stable datapath ID per system-id: the OpenFlow connection that
     * reports it belongs to this host. */
    id->dpid = (((uint64_t) hash_string(system_id, 0) << 16)
                ^ hash_string(system_id, 1)) & UINT64_C(0xffffffffffff);

    free(host->id_problem);
    host->id_problem = NULL;
    return id;
}

static bool
identity_equal(const struct host_identity *a, const struct host_identity *b)
{
    if (!a || !b) {
        return a == b;
    }
    return !strcmp(a->system_id, b->system_id)
           && a->encap_ip == b->encap_ip
           && a->encap == b->encap
           && !strcmp(a->role, b->role)
           && !strcmp(a->datapath_type, b->datapath_type)
           && a->underlay_mtu == b->underlay_mtu
           && smap_equal(&a->bridge_mappings, &b->bridge_mappings);
}

static ofp_port_t
iface_ofport(const struct hostrec_interface *iface)
{
    return (iface->n_ofport && iface->ofport[0] > 0
            && iface->ofport[0] < UINT16_MAX
            ? u16_to_ofp(iface->ofport[0]) : 0);
}

/* Returns true if 'a' and 'b' have the same names with the same data. */
static bool
shash_same_data(const struct shash *a, const struct shash *b)
{
    struct shash_node *node;

    if (shash_count(a) != shash_count(b)) {
        return false;
    }
    SHASH_FOR_EACH (node, a) {
        struct shash_node *other = shash_find(b, node->name);
        if (!other || other->data != node->data) {
            return false;
        }
    }
    return true;
}

/* Reads the VM interfaces and tunnel ports of br-int.  Returns true if they
 * changed. */
static bool
read_bindings(struct host *host)
{
    const struct hostrec_bridge *br
        = host_find_bridge(host->idl, VPC_INTEGRATION_BRIDGE);
    struct shash bindings = SHASH_INITIALIZER(&bindings);
    struct shash peers = SHASH_INITIALIZER(&peers);
    struct shash uplinks = SHASH_INITIALIZER(&uplinks);
    struct sset live = SSET_INITIALIZER(&live);
    struct sset down = SSET_INITIALIZER(&down);
    ofp_port_t tunnels[VPC_N_ENCAPS] = { 0 };

    for (size_t i = 0; br && i < br->n_ports; i++) {
        const struct hostrec_port *port = br->ports[i];
        for (size_t j = 0; j < port->n_interfaces; j++) {
            const struct hostrec_interface *iface = port->interfaces[j];
            const char *iface_id = smap_get(&iface->external_ids,
                                            "iface-id");
            ofp_port_t ofport = iface_ofport(iface);

            for (int e = 0; e < VPC_N_ENCAPS; e++) {
                if (!strcmp(iface->name, host_tunnel_port_name(e))) {
                    tunnels[e] = ofport;
                }
            }
            const char *peer = smap_get(&iface->external_ids, "vpc-peer");
            if (peer && ofport) {
                shash_add_once(&peers, peer,
                               (void *) (uintptr_t) ofp_to_u16(ofport));
                if (smap_get_bool(&iface->bfd_status, "forwarding", false)) {
                    sset_add(&live, peer);
                } else if (smap_get_int(&iface->bfd_status, "flap_count",
                                        0) > 0) {
                    sset_add(&down, peer);
                }
            }
            const char *physnet = smap_get(&iface->external_ids,
                                           "vpc-physnet");
            if (physnet && ofport) {
                shash_add_once(&uplinks, physnet,
                               (void *) (uintptr_t) ofp_to_u16(ofport));
            }
            if (!iface_id || !iface_id[0] || !ofport) {
                continue;
            }
            if (!shash_add_once(&bindings, iface_id,
                                (void *) (uintptr_t) ofp_to_u16(ofport))) {
                static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
                VLOG_WARN_RL(&rl, "%s: two interfaces on %s carry iface-id "
                             "%s; using the first", host->name,
                             VPC_INTEGRATION_BRIDGE, iface_id);
            }
        }
    }

    bool ports_changed = (!shash_same_data(&peers, &host->peer_ofports)
                          || !shash_same_data(&uplinks,
                                              &host->uplink_ofports));
    bool changed = (ports_changed
                    || memcmp(tunnels, host->tunnel_ofport, sizeof tunnels)
                    || !shash_same_data(&bindings, &host->bindings));
    host->ports_seqno += ports_changed;
    memcpy(host->tunnel_ofport, tunnels, sizeof tunnels);
    shash_swap(&bindings, &host->bindings);
    shash_destroy(&bindings);
    shash_swap(&peers, &host->peer_ofports);
    shash_destroy(&peers);
    shash_swap(&uplinks, &host->uplink_ofports);
    shash_destroy(&uplinks);
    sset_swap(&live, &host->live_peers);
    sset_destroy(&live);
    sset_swap(&down, &host->down_peers);
    sset_destroy(&down);
    return changed;
}

/* Processes the host's database and keeps its br-int configured. */
void
host_run(struct host *host, const struct host_config *cfg)
{
    ovsdb_idl_run(host->idl);
    host->ready = (ovsdb_idl_has_ever_connected(host->idl)
                   && hostrec_open_vswitch_first(host->idl) != NULL);
    if (!host->peer_id && ovsdb_idl_get_peer_id(host->idl)) {
        host->peer_id = xstrdup(ovsdb_idl_get_peer_id(host->idl));
    }

    if (host->txn) {
        enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit(host->txn);
        if (status == TXN_INCOMPLETE) {
            return;
        }
        if (status == TXN_ERROR || status == TXN_ABORTED) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
            VLOG_WARN_RL(&rl, "%s: configuring %s failed: %s", host->name,
                         VPC_INTEGRATION_BRIDGE,
                         ovsdb_idl_txn_get_error(host->txn));
        }
        ovsdb_idl_txn_destroy(host->txn);
        host->txn = NULL;
    }

    unsigned int seqno = ovsdb_idl_get_seqno(host->idl);
    if (seqno != host->idl_seqno) {
        host->idl_seqno = seqno;

        const struct hostrec_open_vswitch *ovs
            = hostrec_open_vswitch_first(host->idl);
        struct host_identity *id = ovs ? parse_identity(host, ovs) : NULL;
        if (!identity_equal(id, host->id)) {
            if (id) {
                VLOG_INFO("%s: host is %s (encap %s %s, role %s)",
                          host->name, id->system_id,
                          vpc_encap_name(id->encap), id->encap_ip_s,
                          id->role);
            }
            identity_destroy(host->id);
            host->id = id;
            host->change_seqno++;
            host->id_seqno++;
        } else {
            identity_destroy(id);
        }
        if (read_bindings(host)) {
            host->change_seqno++;
        }
    }

    /* Configure at most once per database version: if our last write did
     * not stick, the next change brings us back. */
    if (host->accepted && host->id && host->txn_seqno != seqno
        && hostrec_open_vswitch_first(host->idl)) {
        struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(host->idl);
        ovsdb_idl_txn_add_comment(txn, "vpc-controller: configure %s",
                                  VPC_INTEGRATION_BRIDGE);
        host->txn_seqno = seqno;
        if (host_configure_br_int(host, txn, cfg)) {
            COVERAGE_INC(host_config_txn);
            host->txn = txn;
            ovsdb_idl_txn_commit(txn);
        } else {
            ovsdb_idl_txn_destroy(txn);
        }
    }
}

/* Arranges for poll_block() to wake up when host_run() has work. */
void
host_wait(struct host *host)
{
    if (conn_wake_wait_begin(host->wake)) {
        ovsdb_idl_wait(host->idl);
        if (host->txn) {
            ovsdb_idl_txn_wait(host->txn);
        }
        conn_wake_wait_end(host->wake);
    }
}

/* Appends to 's' how often the host's OVSDB session was served. */
void
host_format_stats(const struct host *host, struct ds *s)
{
    conn_wake_format(host->wake, "ovsdb_", s);
}

/* Names the owner of the host's session for conn_wake_pop_due() and
 * conn_wake_wait() (see conn-wake.h). */
void
host_set_wake_owner(struct host *host, int kind, void *owner,
                    conn_wake_wait_cb *wait_cb)
{
    conn_wake_set_owner(host->wake, kind, owner, wait_cb);
}

/* Should host_run() serve 'host' in this pass of the main loop (see
 * conn-wake.h)? */
bool
host_should_run(struct host *host)
{
    return conn_wake_should_run(host->wake);
}
