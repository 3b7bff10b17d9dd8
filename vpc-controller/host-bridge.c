/* Writing a host's integration bridge: br-int itself, its tunnel ports,
 * peer tunnel ports, uplink patch ports and flow log collectors, touching
 * only what differs from what we want.  See host.h. */
#include <config.h>
#include "host-private.h"

#include <stdarg.h>
#include <string.h>

#include "compiler.h"
#include "host-ipfix.h"
#include "host-idl.h"
#include "openvswitch/vlog.h"
#include "svec.h"

VLOG_DEFINE_THIS_MODULE(host_bridge);

/* Tunnel port names on br-int, one per encapsulation. */
static const char *const tunnel_port_names[VPC_N_ENCAPS] = {
    [VPC_ENCAP_VXLAN] = "vpc-vxlan",
    [VPC_ENCAP_GENEVE] = "vpc-geneve",
};

/* BFD on peer tunnel ports: a peer is declared dead after three missed
 * 100 ms intervals, so failover takes about 0.3 s. */
#define PEER_BFD_INTERVAL "100"

/* OpenFlow versions br-int speaks: ours (1.4, 1.5, for bundles) and the
 * ones users' ovs-ofctl defaults to. */
static const char *const br_int_protocols[] = {
    "OpenFlow10", "OpenFlow13", "OpenFlow14", "OpenFlow15",
};
/* Returns the name of the flow-based tunnel port on br-int for 'encap'. */
const char *
host_tunnel_port_name(enum vpc_encap encap)
{
    return tunnel_port_names[encap];
}

/* Returns the bridge called 'name' in 'idl', or NULL. */
const struct hostrec_bridge *
host_find_bridge(struct ovsdb_idl *idl, const char *name)
{
    const struct hostrec_bridge *br;

    HOSTREC_BRIDGE_FOR_EACH (br, idl) {
        if (!strcmp(br->name, name)) {
            return br;
        }
    }
    return NULL;
}

static const struct hostrec_bridge *
find_br_int(struct ovsdb_idl *idl)
{
    return host_find_bridge(idl, VPC_INTEGRATION_BRIDGE);
}

static bool
controller_present(const struct hostrec_bridge *br, const char *target)
{
    for (size_t i = 0; i < br->n_controller; i++) {
        if (!strcmp(br->controller[i]->target, target)) {
            return true;
        }
    }
    return false;
}

static const struct hostrec_interface *
find_iface(const struct hostrec_bridge *br, const char *name)
{
    for (size_t i = 0; i < br->n_ports; i++) {
        const struct hostrec_port *port = br->ports[i];
        for (size_t j = 0; j < port->n_interfaces; j++) {
            if (!strcmp(port->interfaces[j]->name, name)) {
                return port->interfaces[j];
            }
        }
    }
    return NULL;
}

static const struct hostrec_interface *
add_port(struct ovsdb_idl_txn *txn, const struct hostrec_bridge *br,
         const char *name, const char *type)
{
    struct hostrec_interface *iface = hostrec_interface_insert(txn);
    hostrec_interface_set_name(iface, name);
    hostrec_interface_set_type(iface, type);

    struct hostrec_port *port = hostrec_port_insert(txn);
    hostrec_port_set_name(port, name);
    hostrec_port_set_interfaces(port, &iface, 1);
    hostrec_bridge_update_ports_addvalue(br, port);
    return iface;
}

static bool
smap_get_equals(const struct smap *smap, const char *key, const char *value)
{
    const char *v = smap_get(smap, key);
    return v && !strcmp(v, value);
}

/* Removes from 'br' every port with an interface whose external_ids 'key'
 * is set but not in 'keep'.  Returns true if it removed any. */
static bool
remove_stale_ports(const struct hostrec_bridge *br, const char *key,
                   const struct sset *keep)
{
    bool changed = false;

    for (size_t i = 0; i < br->n_ports; i++) {
        const struct hostrec_port *port = br->ports[i];
        for (size_t j = 0; j < port->n_interfaces; j++) {
            const char *value = smap_get(&port->interfaces[j]->external_ids,
                                         key);
            if (value && !sset_contains(keep, value)) {
                hostrec_bridge_update_ports_delvalue(br, port);
                changed = true;
                break;
            }
        }
    }
    return changed;
}

/* Finds the interface on 'br' whose external_ids 'key' is 'value', or adds
 * a port called 'name' of 'type' for it. */
static const struct hostrec_interface *
find_or_add_tagged(struct ovsdb_idl_txn *txn, const struct hostrec_bridge *br,
                   const char *key, const char *value, const char *name,
                   const char *type, bool *changed)
{
    for (size_t i = 0; i < br->n_ports; i++) {
        const struct hostrec_port *port = br->ports[i];
        for (size_t j = 0; j < port->n_interfaces; j++) {
            const struct hostrec_interface *iface = port->interfaces[j];
            if (smap_get_equals(&iface->external_ids, key, value)) {
                if (strcmp(iface->type, type)) {
                    hostrec_interface_set_type(iface, type);
                    *changed = true;
                }
                return iface;
            }
        }
    }
    const struct hostrec_interface *iface = add_port(txn, br, name, type);
    hostrec_interface_update_external_ids_setkey(iface, key, value);
    *changed = true;
    return iface;
}

/* Sets a column of 'iface' that now holds 'have' (with 'set') to the key
 * and value pairs that follow, up to a null key, unless it holds exactly
 * those.  Returns whether it changed. */
static bool SENTINEL(0)
set_smap_column(const struct hostrec_interface *iface, const struct smap *have,
                void (*set)(const struct hostrec_interface *,
                            const struct smap *), ...)
{
    struct smap want = SMAP_INITIALIZER(&want);
    const char *key;
    va_list args;

    va_start(args, set);
    while ((key = va_arg(args, const char *))) {
        smap_add(&want, key, va_arg(args, const char *));
    }
    va_end(args);

    bool changed = !smap_equal(have, &want);
    if (changed) {
        set(iface, &want);
    }
    smap_destroy(&want);
    return changed;
}

/* A tunnel port per peer chassis, remote endpoint fixed and BFD on, so
 * that fast-failover groups see whether the peer is alive.  The key still
 * comes from the flow. */
static bool
configure_peers(struct host *host, struct ovsdb_idl_txn *txn,
                const struct hostrec_bridge *br)
{
    struct sset keep = SSET_INITIALIZER(&keep);
    bool changed = false;

    if (!host->peers_known) {
        return false;
    }
    for (size_t i = 0; i < host->n_peers; i++) {
        const struct host_peer *peer = &host->peers[i];
        char name[16];

        snprintf(name, sizeof name, "vpc-t%08"PRIx32,
                 hash_string(peer->name, 0));
        const struct hostrec_interface *iface = find_or_add_tagged(
            txn, br, "vpc-peer", peer->name, name, vpc_encap_name(peer->encap),
            &changed);

        changed |= set_smap_column(iface, &iface->options,
                                   hostrec_interface_set_options,
                                   "remote_ip", peer->remote_ip,
                                   "local_ip", host->id->encap_ip_s,
                                   "key", "flow", (char *) NULL);
        changed |= set_smap_column(iface, &iface->bfd,
                                   hostrec_interface_set_bfd,
                                   "enable", "true",
                                   "min_rx", PEER_BFD_INTERVAL,
                                   "min_tx", PEER_BFD_INTERVAL,
                                   (char *) NULL);
        sset_add(&keep, peer->name);
    }
    changed |= remove_stale_ports(br, "vpc-peer", &keep);
    sset_destroy(&keep);
    return changed;
}

/* On a gateway: a patch port pair between br-int and the bridge of each
 * outside network in vpc-bridge-mappings.  The outside bridge is the
 * operator's: we only add our patch port to it. */
static bool
configure_uplinks(struct host *host, struct ovsdb_idl_txn *txn,
                  const struct hostrec_bridge *br)
{
    struct sset keep = SSET_INITIALIZER(&keep);
    bool changed = false;

    if (!strcmp(host->id->role, "gateway")) {
        struct smap_node *m;
        SMAP_FOR_EACH (m, &host->id->bridge_mappings) {
            const char *physnet = m->key, *bridge = m->value;
            const struct hostrec_bridge *ext
                = host_find_bridge(host->idl, bridge);
            if (!ext || ext == br) {
                static struct vlog_rate_limit rl
                    = VLOG_RATE_LIMIT_INIT(1, 5);
                VLOG_WARN_RL(&rl, "%s: host %s: bridge %s of network %s %s",
                             host->name, host->id->system_id, bridge,
                             physnet, ext ? "is the integration bridge"
                                          : "does not exist");
                continue;
            }
            ovsdb_idl_txn_verify(&ext->header_, &hostrec_bridge_col_ports);

            char *in_name = xasprintf("vpc-ext-%s", physnet);
            char *out_name = xasprintf("vpc-int-%s", physnet);
            const struct hostrec_interface *in = find_or_add_tagged(
                txn, br, "vpc-physnet", physnet, in_name, "patch", &changed);
            const struct hostrec_interface *out = find_or_add_tagged(
                txn, ext, "vpc-uplink", physnet, out_name, "patch",
                &changed);

            changed |= set_smap_column(in, &in->options,
                                       hostrec_interface_set_options,
                                       "peer", out->name, (char *) NULL);
            changed |= set_smap_column(out, &out->options,
                                       hostrec_interface_set_options,
                                       "peer", in->name, (char *) NULL);
            free(in_name);
            free(out_name);
            sset_add(&keep, physnet);

            /* (A network that moved to another bridge leaves its old
             * patch port behind; the operator removes it.) */
            struct sset mapped = SSET_INITIALIZER(&mapped);
            struct smap_node *n;
            SMAP_FOR_EACH (n, &host->id->bridge_mappings) {
                sset_add(&mapped, n->key);
            }
            changed |= remove_stale_ports(ext, "vpc-uplink", &mapped);
            sset_destroy(&mapped);
        }
    }
    changed |= remove_stale_ports(br, "vpc-physnet", &keep);
    sset_destroy(&keep);
    return changed;
}

/* Makes br-int what we need, in 'txn', touching only what differs.
 * Returns true if anything was written. */
bool
host_configure_br_int(struct host *host, struct ovsdb_idl_txn *txn,
                      const struct host_config *cfg)
{
    const struct hostrec_open_vswitch *ovs
        = hostrec_open_vswitch_first(host->idl);
    const struct hostrec_bridge *br = find_br_int(host->idl);
    const struct host_identity *id = host->id;
    bool changed = false;

    /* Several controller instances configure the same host: verifying
     * what we add to makes a racing second instance retry and find it,
     * instead of adding it twice. */
    ovsdb_idl_txn_verify(&ovs->header_, &hostrec_open_vswitch_col_bridges);
    if (br) {
        ovsdb_idl_txn_verify(&br->header_, &hostrec_bridge_col_ports);
    }

    if (!br) {
        VLOG_INFO("%s: host %s: creating %s", host->name, id->system_id,
                  VPC_INTEGRATION_BRIDGE);
        struct hostrec_bridge *nbr = hostrec_bridge_insert(txn);
        hostrec_bridge_set_name(nbr, VPC_INTEGRATION_BRIDGE);
        hostrec_open_vswitch_update_bridges_addvalue(ovs, nbr);
        add_port(txn, nbr, VPC_INTEGRATION_BRIDGE, "internal");
        br = nbr;
        changed = true;
    }

    /* A switch that loses its controllers must not fall back to learning,
     * which would join VPCs. */
    if (!br->fail_mode || strcmp(br->fail_mode, "secure")) {
        hostrec_bridge_set_fail_mode(br, "secure");
        changed = true;
    }
    if (strcmp(br->datapath_type, id->datapath_type)) {
        hostrec_bridge_set_datapath_type(br, id->datapath_type);
        changed = true;
    }
    bool protocols_ok = br->n_protocols == ARRAY_SIZE(br_int_protocols);
    for (size_t i = 0; protocols_ok && i < br->n_protocols; i++) {
        protocols_ok = !strcmp(br->protocols[i], br_int_protocols[i]);
    }
    if (!protocols_ok) {
        hostrec_bridge_set_protocols(br, (const char **) br_int_protocols,
                                    ARRAY_SIZE(br_int_protocols));
        changed = true;
    }

    char dpid[17];
    snprintf(dpid, sizeof dpid, "%016"PRIx64, id->dpid);
    if (!smap_get_equals(&br->other_config, "datapath-id", dpid)) {
        hostrec_bridge_update_other_config_setkey(br, "datapath-id", dpid);
        changed = true;
    }
    if (!smap_get_equals(&br->other_config, "disable-in-band", "true")) {
        hostrec_bridge_update_other_config_setkey(br, "disable-in-band",
                                                 "true");
        changed = true;
    }

    /* Our OpenFlow address.  Other controllers' rows stay. */
    for (size_t i = 0; i < cfg->of_targets->n; i++) {
        const char *target = cfg->of_targets->names[i];
        if (!controller_present(br, target)) {
            struct hostrec_controller *c = hostrec_controller_insert(txn);
            hostrec_controller_set_target(c, target);
            hostrec_bridge_update_controller_addvalue(br, c);
            changed = true;
        }
    }

    /* One flow-based tunnel port per encapsulation: remote endpoint and
     * key come from the flow (tun_dst, tun_id). */
    for (int e = 0; e < VPC_N_ENCAPS; e++) {
        const char *name = tunnel_port_names[e];
        const char *type = vpc_encap_name(e);
        const struct hostrec_interface *iface = find_iface(br, name);

        if (!iface) {
            iface = add_port(txn, br, name, type);
            changed = true;
        } else if (strcmp(iface->type, type)) {
            hostrec_interface_set_type(iface, type);
            changed = true;
        }
        changed |= set_smap_column(iface, &iface->options,
                                   hostrec_interface_set_options,
                                   "remote_ip", "flow", "key", "flow",
                                   "local_ip", id->encap_ip_s, (char *) NULL);
    }

    changed |= configure_peers(host, txn, br);
    changed |= configure_uplinks(host, txn, br);
    if (host->csets_known) {
        changed |= host_ipfix_configure(host->idl, txn, br, host->csets,
                                        host->n_csets, host->name);
    }
    return changed;
}
