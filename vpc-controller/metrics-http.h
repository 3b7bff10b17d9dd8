/* The HTTP server behind --metrics: GET /metrics and GET /healthz.
 *
 * It runs libevent's evhttp in a thread of its own, which never touches
 * the model, the IDL or any switch session: it serves the last snapshot
 * the main loop published (a rendered text and a health verdict).  A
 * request that finds the snapshot older than METRICS_HTTP_FRESH_MSEC asks
 * the main loop for a new one (metrics_http_wanted()) and is answered when
 * it comes, or after METRICS_HTTP_WAIT_MSEC with the one there is: the
 * main loop never waits for the HTTP thread, and a slow main loop only
 * makes answers older.
 *
 * Bad clients get HTTP errors: 404 for other paths, 405 for methods other
 * than GET and HEAD, 400 (from evhttp) for oversized headers or garbage.
 * Clients that stall are dropped after a timeout, and past
 * METRICS_HTTP_MAX_CONNS open connections new ones wait in the kernel's
 * backlog. */
#ifndef VPC_CONTROLLER_METRICS_HTTP_H
#define VPC_CONTROLLER_METRICS_HTTP_H 1

#include <stdbool.h>
#include "openvswitch/compiler.h"

struct ds;
struct metrics_http;

#define METRICS_HTTP_FRESH_MSEC 100
#define METRICS_HTTP_WAIT_MSEC 1000
#define METRICS_HTTP_MAX_CONNS 64
#define METRICS_HTTP_MAX_HEADERS 8192
#define METRICS_HTTP_MAX_BODY 1024
#define METRICS_HTTP_TIMEOUT_SEC 5

char *metrics_http_check_target(const char *target) OVS_WARN_UNUSED_RESULT;
char *metrics_http_open(const char *target, struct metrics_http **)
    OVS_WARN_UNUSED_RESULT;
void metrics_http_close(struct metrics_http *);
const char *metrics_http_get_name(const struct metrics_http *);

bool metrics_http_wanted(const struct metrics_http *);
void metrics_http_publish(struct metrics_http *, struct ds *text,
                          bool healthy, const char *health);
void metrics_http_wait(const struct metrics_http *);

#endif /* metrics-http.h */
