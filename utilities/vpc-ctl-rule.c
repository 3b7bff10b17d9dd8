/* vpc-ctl: the values that the rules of security groups and of network
 * ACLs share.  See vpc-ctl-rule.h.
 *
 * The protocol itself is parsed by lib/vpc-sg.c, which vpc-controller
 * shares; what is here is only vpc-ctl's: its arguments and its output. */
#include <config.h>

#include "vpc-ctl-rule.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db-ctl-base.h"
#include "openvswitch/dynamic-string.h"
#include "util.h"
#include "vpc-addr.h"
#include "vpc-ctl-common.h"
#include "vpc-sg.h"

#define PORT_MIN 1
#define PORT_MAX 65535

/* ----------------------------------------------------------- Arguments */

/* Parses 's', digits only, into '*n', which must be from 'min' to 'max'.
 * Returns false, leaving '*n' alone, if it is not. */
bool
vpc_ctl_parse_number(const char *s, int64_t min, int64_t max, int64_t *n)
{
    char *end;

    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!isdigit((unsigned char) s[0]) || *end || errno
        || v < min || v > max) {
        return false;
    }
    *n = v;
    return true;
}

/* Parses 's', "FIRST[SEP SECOND]", into '*first' and, if given, '*second'
 * (else left alone), each from 'min' to 'max', as vpc_ctl_parse_number()
 * does. */
bool
vpc_ctl_parse_number_pair(const char *s, char sep, int64_t min, int64_t max,
                          int64_t *first, int64_t *second)
{
    const char *p = strchr(s, sep);
    char *head = p ? xmemdup0(s, p - s) : xstrdup(s);
    bool ok = (vpc_ctl_parse_number(head, min, max, first)
               && (!p || vpc_ctl_parse_number(p + 1, min, max, second)));
    free(head);
    return ok;
}

/* Parses 's', "ingress" or "egress", into '*ingress'.  Otherwise sets an
 * error in 'ctx' and returns false. */
bool
vpc_ctl_parse_direction(struct ctl_context *ctx, const char *s,
                        bool *ingress)
{
    if (strcmp(s, "ingress") && strcmp(s, "egress")) {
        ctl_error(ctx, "%s: direction must be ingress or egress", s);
        return false;
    }
    *ingress = !strcmp(s, "ingress");
    return true;
}

/* Parses 's', "allow" or "deny", into '*deny'.  Otherwise sets an error in
 * 'ctx' and returns false. */
bool
vpc_ctl_parse_action(struct ctl_context *ctx, const char *s, bool *deny)
{
    if (strcmp(s, "allow") && strcmp(s, "deny")) {
        ctl_error(ctx, "%s: action must be allow or deny", s);
        return false;
    }
    *deny = !strcmp(s, "deny");
    return true;
}

/* Parses 's', a destination port "N" or range "N-M" from 1 to 65535, into
 * '*min' and '*max'.  Returns NULL, or a malloc()'d error. */
char *
vpc_ctl_parse_ports(const char *s, int64_t *min, int64_t *max)
{
    if (!vpc_ctl_parse_number_pair(s, '-', PORT_MIN, PORT_MAX, min, max)) {
        return xasprintf("%s: ports must be N or N-M, from %d to %d", s,
                         PORT_MIN, PORT_MAX);
    }
    if (!strchr(s, '-')) {
        *max = *min;
    } else if (*min > *max) {
        return xasprintf("%s: empty port range (%"PRId64" is above "
                         "%"PRId64")", s, *min, *max);
    }
    return NULL;
}

/* Parses 's', the other end of a rule: an IPv4 block without host bits,
 * stored into '*cidr' as a malloc()'d string in the form
 * vpc_cidr4_to_string() gives, or an IPv6 block without host bits, stored
 * as it is.  Returns NULL, or a malloc()'d error (and '*cidr' is left
 * alone). */
char *
vpc_ctl_parse_rule_cidr(const char *s, char **cidr)
{
    if (vpc_cidr_is_ipv6(s)) {
        char *error = vpc_cidr6_check(s);
        if (!error) {
            *cidr = xstrdup(s);
        }
        return error;
    }

    struct vpc_cidr4 c;
    char *error = vpc_cidr4_parse(s, &c);
    if (!error) {
        *cidr = vpc_cidr4_to_string(&c);
    }
    return error;
}

/* ---------------------------------------------------------------- Rows */

/* Returns the protocol in 's', a row's protocol column, as
 * vpc_sg_protocol_parse() gives it, or VPC_CTL_PROTO_INVALID for one that
 * it refuses. */
int
vpc_ctl_row_protocol(const char *s)
{
    int proto;
    char *error = vpc_sg_protocol_parse(s, &proto);
    if (error) {
        free(error);
        return VPC_CTL_PROTO_INVALID;
    }
    return proto;
}

/* Stores in '*min' and '*max' the port range of a row whose optional
 * columns port_min and port_max are 'port_min' (with 'n_port_min' values)
 * and 'port_max' (with 'n_port_max'): a column left empty takes the
 * other's value, and '*min' and '*max' are 0 for none. */
void
vpc_ctl_row_ports(const int64_t *port_min, size_t n_port_min,
                  const int64_t *port_max, size_t n_port_max,
                  int64_t *min, int64_t *max)
{
    *min = (n_port_min ? *port_min : n_port_max ? *port_max : 0);
    *max = n_port_max ? *port_max : *min;
}

/* Returns 's', a row's CIDR, as a malloc()'d string: IPv4 blocks in the
 * form vpc_cidr4_to_string() gives, anything else as it is. */
char *
vpc_ctl_normalize_cidr(const char *s)
{
    struct vpc_cidr4 cidr;

    return (!vpc_cidr_is_ipv6(s) && vpc_ctl_cidr_parses(s, &cidr)
            ? vpc_cidr4_to_string(&cidr)
            : xstrdup(s));
}

/* -------------------------------------------------------------- Output */

/* Prints protocol 'proto' into 's' as vpc_sg_protocol_parse() takes it:
 * by name if it has one, else by number; or 'row_proto', the row's text,
 * if 'proto' is VPC_CTL_PROTO_INVALID. */
void
vpc_ctl_put_protocol(struct ds *s, int proto, const char *row_proto)
{
    const char *name = vpc_sg_protocol_name(proto);

    if (name) {
        ds_put_cstr(s, name);
    } else if (proto >= 0) {
        ds_put_format(s, "%d", proto);
    } else {
        ds_put_cstr(s, row_proto);
    }
}

/* Prints the port range from 'min' to 'max' into 's', after a space, as
 * vpc_ctl_parse_ports() takes it: " N" or " N-M"; nothing if 'min' is 0
 * (every port). */
void
vpc_ctl_put_ports(struct ds *s, int64_t min, int64_t max)
{
    if (min) {
        ds_put_format(s, " %"PRId64, min);
        if (max != min) {
            ds_put_format(s, "-%"PRId64, max);
        }
    }
}
