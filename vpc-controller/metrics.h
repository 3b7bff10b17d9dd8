/* Metrics for Prometheus (--metrics=ptcp:PORT[:IP]).
 *
 * The main loop gathers what the controller already counts (its coverage
 * counters, its chassis and their OpenFlow sessions, its shards, the VPC
 * database's nb_cfg and hv_cfg), measures how long a database change
 * takes to reach the switches, renders it all in the Prometheus text
 * format, and publishes it to the HTTP thread of metrics-http.h when a
 * scrape asks, at most every METRICS_HTTP_FRESH_MSEC. */
#ifndef VPC_CONTROLLER_METRICS_H
#define VPC_CONTROLLER_METRICS_H 1

struct ds;

void metrics_init(const char *target);
void metrics_destroy(void);

void metrics_run(long long int round_start);
void metrics_wait(void);

void metrics_format_status(struct ds *);

#endif /* metrics.h */
