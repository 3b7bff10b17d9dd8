/* The desired state of the whole system, as ofproto-vpc inputs: every VPC
 * with its subnets and ports, and where each port is bound.  Built whole
 * from the VPC database and the hosts' interfaces when chassis, outside
 * networks or gateway groups change; otherwise only the VPCs that a change
 * touches are rebuilt, in place.  Each VPC carries a fingerprint so that
 * only VPCs that changed are turned into flows again. */
#ifndef VPC_CONTROLLER_MODEL_H
#define VPC_CONTROLLER_MODEL_H 1

#include <stdint.h>
#include "hmapx.h"
#include "openvswitch/hmap.h"
#include "openvswitch/shash.h"
#include "openvswitch/uuid.h"
#include "sset.h"
#include "vpc-pipeline.h"

struct ovsdb_idl;
struct ovsdb_idl_column;
struct ovsdb_idl_row;
struct ovsdb_idl_table_class;
struct uuidset;
struct vpcrec_port;

/* Where ports can be: a chassis, by name.  Connected chassis report their
 * encapsulation themselves; others are known from their Chassis row, so
 * that ports on a host that is briefly out of touch stay reachable. */
struct model_location {
    char *name;                 /* system-id. */
    uint32_t name_hash;         /* hash_string(name, 0). */
    ovs_be32 encap_ip;
    enum vpc_encap encap;
    int underlay_mtu;
    bool connected;             /* A live host says it is this chassis. */
    bool gateway;               /* Role gateway: no VM ports bind here. */
    const struct shash *bindings;   /* iface-id -> ofport, if connected. */
    void *aux;                  /* For the model's user. */
};

struct model_vpc {
    struct hmap_node hmap_node;     /* In vpc_model's 'vpcs', by uuid. */
    struct vpc_pl_vpc pl;           /* What ofproto-vpc needs. */
    char *name;
    uint32_t fingerprint;           /* Hash of everything in 'pl'. */

    /* Storage behind 'pl'. */
    struct vpc_pl_subnet *subnets;
    struct vpc_pl_port *ports;
    ovs_be32 *ips;
    struct vpc_pl_cidr *cidrs;
    struct vpc_pl_nat *nats;
    struct vpc_pl_sg *sgs;
    struct vpc_pl_sg_rule *sg_rules;
    size_t *port_sgs;
    struct vpc_pl_nacl *nacls;
    struct vpc_pl_nacl_rule *nacl_rules;
    struct vpc_pl_route_table *route_tables;
    struct vpc_pl_route *routes;
    struct vpc_pl_peering *peerings;
    struct uuid *peer_vpcs;         /* Of each of 'peerings'. */
    struct vpc_pl_flow_log *flow_logs;
    char **flow_log_targets;        /* "IP:PORT" of each of 'flow_logs'. */
    uint32_t own_fingerprint;       /* 'fingerprint' without the peers'. */
    uint32_t view_fingerprint;      /* What a peer's view of it holds. */
};

/* A gateway group with its outside network. */
struct model_gw_group {
    struct hmap_node hmap_node;     /* In vpc_model's 'gw_groups', by uuid. */
    struct vpc_pl_gw_group pl;
    char *name;
    char *physnet;
    char **gateway_names;           /* Most preferred first. */
    const void **gateways;          /* Their locations (or NULL). */
    size_t n_gateways;
    uint32_t fingerprint;
};

/* A port and where it is bound, for status reporting. */
struct model_binding {
    struct hmap_node hmap_node;     /* In vpc_model's 'bindings', by uuid. */
    struct uuid port;               /* Port row. */
    struct uuid vpc;                /* The VPC it is in. */
    const struct model_location *where;    /* NULL: unbound. */
    ofp_port_t ofport;              /* Its interface there, if connected. */
    struct sset refused;            /* Chassis with an interface for it
                                     * that are not its requested chassis. */
};

struct vpc_model {
    struct hmap vpcs;               /* Of model_vpc. */
    struct hmap gw_groups;          /* Of model_gw_group. */
    struct hmap bindings;           /* Of model_binding. */
    struct shash locations;         /* Name -> struct model_location. */
    struct hmapx peered;            /* The model_vpcs in 'vpcs' with a
                                     * peering: what a change to one VPC
                                     * looks at for its peers. */
    struct hmap placed;             /* Locations with the model_vpcs that
                                     * have a port bound at, or migrating
                                     * from or to, each (model.c's struct
                                     * model_placement). */
    struct hmapx gw_vpcs;           /* The model_vpcs with a gateway
                                     * group. */
    struct hmap rows;               /* The rows that its VPCs hold, to the
                                     * VPC (model.c's struct model_row). */
    size_t n_ports;
    const struct shash *claims;     /* iface-id -> struct sset of the names
                                     * of the chassis with an interface for
                                     * it, kept by the caller; or NULL: a
                                     * port's interface is looked for in
                                     * every connected location. */
};

/* Helpers for building the parts of a VPC (model-*.c). */

/* Row UUIDs to small numbers (say, indexes into an array). */
struct model_uuid_map {
    struct hmap map;
};

void model_uuid_map_init(struct model_uuid_map *);
void model_uuid_map_destroy(struct model_uuid_map *);
void model_uuid_map_add(struct model_uuid_map *, const struct uuid *,
                        size_t value);
size_t model_uuid_map_find(const struct model_uuid_map *,
                           const struct uuid *);
int model_compare_rows(const void *, const void *);
/* The row of IDL type 'STRUCT' (say, vpcrec_subnet) whose header is
 * 'ROW', as model_referrers() returns them. */
#define MODEL_ROW_CAST(STRUCT, ROW) \
    CONTAINER_OF(ROW, const struct STRUCT, header_)
const struct ovsdb_idl_row **model_referrers(
    const struct ovsdb_idl_row *, const struct ovsdb_idl_table_class *,
    const struct ovsdb_idl_column *, size_t *n);
bool model_uuid_in(const void *items, size_t n, size_t size,
                   const struct uuid *);
void model_log_bad_row(const char *what, const char *name, char *error);

void vpc_model_init(struct vpc_model *);
void vpc_model_destroy(struct vpc_model *);
void vpc_model_build(struct vpc_model *, struct ovsdb_idl *vpcdb,
                     const struct shash *connected,
                     const struct vpc_model *previous);
void vpc_model_update_vpcs(struct vpc_model *, struct ovsdb_idl *vpcdb,
                           const struct uuidset *vpcs,
                           struct hmap *old_vpcs);
void vpc_model_free_vpc(struct model_vpc *);
const struct model_vpc *vpc_model_find(const struct vpc_model *,
                                       const struct uuid *);
size_t vpc_model_row_vpcs(const struct vpc_model *, const struct uuid *,
                          struct uuidset *vpcs);
const struct hmapx *vpc_model_vpcs_at(const struct vpc_model *,
                                      const struct model_location *);
const struct model_gw_group *vpc_model_find_gw_group(
    const struct vpc_model *, const struct uuid *);
const struct model_binding *vpc_model_find_binding(const struct vpc_model *,
                                                   const struct uuid *);
void vpc_model_swap(struct vpc_model *, struct vpc_model *);

#endif /* model.h */
