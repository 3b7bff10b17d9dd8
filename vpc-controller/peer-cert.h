/* Identity by certificate: a host that dials in over SSL must hold a
 * certificate that names the system-id it claims, on its OVSDB connection
 * (which claims the system-id in its Open_vSwitch external_ids) and on its
 * switch's OpenFlow connection (which claims the chassis whose datapath ID
 * it reports) alike.
 *
 * The name is the common name (CN) of the certificate's subject.
 * "ovs-pki req+sign NAME switch" issues "NAME id:UUID" (or "NAME id:DATE"
 * without uuidgen), and "ovs-pki --unique req+sign NAME switch" just
 * "NAME": either names system-id NAME.  Connections over tcp: and unix:
 * prove nothing and are not checked. */
#ifndef VPC_CONTROLLER_PEER_CERT_H
#define VPC_CONTROLLER_PEER_CERT_H 1

#include <stdbool.h>

bool peer_cert_names(const char *cn, const char *system_id);
void peer_cert_refuse(const char *what, const char *peer, const char *cn,
                      const char *system_id);

#endif /* peer-cert.h */
