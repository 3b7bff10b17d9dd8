/* Flow logs: what vpc-ctl checks and vpc-controller applies, one parser for
 * both.  See Flow_Log in vpc(5). */
#ifndef VPC_FLOWLOG_H
#define VPC_FLOWLOG_H 1

#include <stdbool.h>
#include <stdint.h>
#include "compiler.h"

/* Flow_Log.sampling: one packet in N, 1 (every packet) to 2**32-1. */
#define VPC_FLOWLOG_SAMPLING_MAX UINT32_MAX

char *vpc_flowlog_parse_collector(const char *s, uint32_t *ip,
                                  uint16_t *port) OVS_WARN_UNUSED_RESULT;
char *vpc_flowlog_parse_sampling(const char *s, uint32_t *sampling)
    OVS_WARN_UNUSED_RESULT;
bool vpc_flowlog_traffic_is_valid(const char *s);
uint16_t vpc_flowlog_probability(uint64_t sampling);

struct vpcrec_flow_log;
char *vpc_flowlog_check_row(const struct vpcrec_flow_log *,
                            uint32_t *ip, uint16_t *port,
                            uint32_t *sampling, const char **traffic)
    OVS_WARN_UNUSED_RESULT;

#endif /* vpc-flowlog.h */
