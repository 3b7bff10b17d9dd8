#include <config.h>
#include "vpc-flowlog.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include "util.h"
#include "vpc-addr.h"
#include "vpc-idl.h"

/* Parses 's', a collector as "IP:PORT" (an IPv4 address that is neither
 * 0.0.0.0 nor a broadcast or multicast address, and a UDP port from 1 to
 * 65535), into '*ip' (host order) and '*port'.  Returns NULL on success,
 * else a message (to free) that says what is wrong. */
char *
vpc_flowlog_parse_collector(const char *s, uint32_t *ip, uint16_t *port)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s || !colon[1]) {
        return xasprintf("%s: collector must be IP:PORT", s);
    }

    char *addr = xmemdup0(s, colon - s);
    char *error = vpc_ip4_parse(addr, ip);
    free(addr);
    if (error) {
        free(error);
        return xasprintf("%s: collector must be IP:PORT with an IPv4 "
                         "address", s);
    }
    if (!*ip || *ip == UINT32_MAX || (*ip >> 28) == 0xe) {
        return xasprintf("%s: collector address must be a unicast address",
                         s);
    }

    const char *p = colon + 1;
    char *end;
    errno = 0;
    unsigned long n = isdigit((unsigned char) *p) ? strtoul(p, &end, 10) : 0;
    if (!isdigit((unsigned char) *p) || errno || *end || !n || n > 65535) {
        return xasprintf("%s: collector port must be from 1 to 65535", s);
    }
    *port = n;
    return NULL;
}

/* Parses 's', a Flow_Log.sampling, into '*sampling'.  Returns NULL on
 * success, else a message (to free). */
char *
vpc_flowlog_parse_sampling(const char *s, uint32_t *sampling)
{
    char *end;
    errno = 0;
    unsigned long long n = (isdigit((unsigned char) s[0])
                            ? strtoull(s, &end, 10) : 0);
    if (!isdigit((unsigned char) s[0]) || errno || *end || !n
        || n > VPC_FLOWLOG_SAMPLING_MAX) {
        return xasprintf("sampling: \"%s\" is not a number from 1 to %u", s,
                         VPC_FLOWLOG_SAMPLING_MAX);
    }
    *sampling = n;
    return NULL;
}

/* True if 's' is a Flow_Log.traffic value. */
bool
vpc_flowlog_traffic_is_valid(const char *s)
{
    return (!strcmp(s, "accepted") || !strcmp(s, "rejected")
            || !strcmp(s, "all"));
}

/* The probability of a sample action (out of 65535) that samples one packet
 * in 'sampling' on average: 65535 / 'sampling', rounded down, but at least
 * 1.  So 1 samples every packet, and anything above 65535 one in 65535. */
uint16_t
vpc_flowlog_probability(uint64_t sampling)
{
    uint64_t p = sampling ? UINT16_MAX / sampling : UINT16_MAX;
    return p ? p : 1;
}

/* Checks the values of Flow_Log 'row' (but its subnet), as vpc-controller
 * takes them: its collector's address and port, its sampling (1 if none)
 * and its traffic ("all" if none).  Returns NULL, or a malloc()'d error:
 * the controller skips such a row. */
char *
vpc_flowlog_check_row(const struct vpcrec_flow_log *row, uint32_t *ip,
                      uint16_t *port, uint32_t *sampling,
                      const char **traffic)
{
    char *error = vpc_flowlog_parse_collector(row->collector, ip, port);
    if (error) {
        return error;
    }
    *sampling = 1;
    if (row->n_sampling) {
        if (row->sampling[0] < 1
            || row->sampling[0] > VPC_FLOWLOG_SAMPLING_MAX) {
            return xasprintf("sampling %"PRId64" out of range",
                             row->sampling[0]);
        }
        *sampling = row->sampling[0];
    }
    *traffic = row->traffic ? row->traffic : "all";
    if (!vpc_flowlog_traffic_is_valid(*traffic)) {
        return xasprintf("traffic \"%s\" is not accepted, rejected or all",
                         *traffic);
    }
    return NULL;
}
