/* vpc-ctl internals shared between the main loop and the commands. */
#ifndef VPC_CTL_H
#define VPC_CTL_H 1

#include "db-ctl-base.h"
#include "openvswitch/hmap.h"
#include "openvswitch/shash.h"
#include "sset.h"

struct vpcrec_vpc_global;

/* Per-transaction context: db-ctl-base's context plus what our commands
 * share, such as the set of MAC addresses in use (built on first use). */
struct vpc_ctl_context {
    struct ctl_context base;
    const struct vpcrec_vpc_global *global;

    bool macs_valid;            /* Is 'macs' up to date? */
    struct sset macs;           /* MACs of all ports and subnet gateways
                                 * (with a narrow scope, of those that are
                                 * replicated). */
    uint32_t mac_hint;          /* Every allocatable MAC below is in use. */
    uint32_t mac_hint_base;     /* What 'mac_hint' starts from. */
    bool macs_changed;          /* Did a command claim or free a MAC? */

    /* The VPC tunnel keys in use, for vpc-add in big batches (NULL until
     * the first one needs it; generic commands and vpc-del drop it), and
     * below which every key is in use. */
    unsigned long *tunnel_keys;
    long long tunnel_key_hint;
    bool narrow;                /* Only some rows replicated? */

    /* Indexes for big batches, built on first use and kept up to date by
     * our own commands (generic commands invalidate them). */
    bool ports_valid;
    struct shash ports_by_name;     /* Port name -> vpcrec_port. */
    struct hmap subnet_ips;         /* Of struct subnet_ips, by row. */

    /* The rules of every security group, for sg-rule-add in big batches
     * (see vpc-ctl-sg.c). */
    struct vpc_ctl_sg_rules *sg_rules;
};

void vpc_ctl_cmds_init(void (*exit_func)(int status));
void vpc_ctl_context_init(struct vpc_ctl_context *, struct ctl_command *,
                          struct ovsdb_idl *, struct ovsdb_idl_txn *,
                          const struct vpcrec_vpc_global *,
                          struct ovsdb_symbol_table *);
void vpc_ctl_context_init_command(struct vpc_ctl_context *,
                                  struct ctl_command *, bool last);
void vpc_ctl_context_finish(struct vpc_ctl_context *);
void vpc_ctl_context_done(struct vpc_ctl_context *, struct ctl_command *);
void vpc_ctl_forget_tunnel_keys(struct vpc_ctl_context *);

/* The rows that a command batch replicates (vpc-ctl-scope.c). */
void vpc_ctl_scope_init(struct ovsdb_idl *, const struct ctl_command *,
                        size_t n);
bool vpc_ctl_scope_ready(struct ovsdb_idl *);
bool vpc_ctl_scope_widen(struct ovsdb_idl *);
bool vpc_ctl_scope_is_narrow(void);
void vpc_ctl_scope_claim_mac(const char *mac);
bool vpc_ctl_scope_check_claims(struct ovsdb_idl *);
void vpc_ctl_scope_forget_claims(void);

#endif /* vpc-ctl.h */
