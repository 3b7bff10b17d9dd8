/* Identity by certificate.  See peer-cert.h. */
#include <config.h>
#include "peer-cert.h"

#include <string.h>

#include "coverage.h"
#include "openvswitch/vlog.h"

VLOG_DEFINE_THIS_MODULE(peer_cert);

COVERAGE_DEFINE(peer_cert_refused);

/* What ovs-pki appends to NAME to make a certificate's subject unique. */
#define OVS_PKI_SUFFIX " id:"

/* Returns true if 'cn', the common name of a peer's certificate (NULL if it
 * has none), names system-id 'system_id'. */
bool
peer_cert_names(const char *cn, const char *system_id)
{
    size_t len = strlen(system_id);

    return (cn && len && !strncmp(cn, system_id, len)
            && (!cn[len] || !strncmp(cn + len, OVS_PKI_SUFFIX,
                                     strlen(OVS_PKI_SUFFIX))));
}

/* Reports that the 'what' ("OVSDB" or "OpenFlow") connection from 'peer'
 * was refused: its certificate's common name 'cn' (NULL if none) does not
 * name 'system_id', the chassis it claims to be. */
void
peer_cert_refuse(const char *what, const char *peer, const char *cn,
                 const char *system_id)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

    COVERAGE_INC(peer_cert_refused);
    if (cn) {
        VLOG_WARN_RL(&rl, "%s: refusing %s connection claiming system-id "
                     "%s: the CN of its certificate is \"%s\"", peer, what,
                     system_id, cn);
    } else {
        VLOG_WARN_RL(&rl, "%s: refusing %s connection claiming system-id "
                     "%s: its certificate has no CN", peer, what, system_id);
    }
}
