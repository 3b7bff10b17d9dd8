/* Serving only the connections that have something to do.
 *
 * The controller holds two connections per host, and at any moment nearly
 * all of them are idle.  Running each of them on every pass of the main
 * loop (a recv() that finds nothing) and registering each descriptor with
 * poll() again made every pass cost a system call per connection: at 1,000
 * hosts, a change to one port took 10 ms, most of it spent on hosts it did
 * not concern.
 *
 * A connection's owner asks conn_wake_should_run() before running it, and
 * wraps its wait function in conn_wake_wait_begin()/conn_wake_wait_end().
 * What the wait function asks for (descriptors, events, its earliest timer)
 * is kept in an epoll set instead of going to poll().  A connection runs
 * when one of its descriptors is ready, when its timer is due, when it was
 * poked (conn_wake_poke(): its state changed from outside, for example a
 * message was queued to it) and, as a safety net, once a second.  Its wait
 * function is asked again only after it ran or was poked, since nothing
 * else changes what it waits for. */
#ifndef VPC_CONN_WAKE_H
#define VPC_CONN_WAKE_H 1

#include <stdbool.h>
#include <stdint.h>

struct ds;

struct conn_wake *conn_wake_create(void);
void conn_wake_destroy(struct conn_wake *);

void conn_wake_run(void);
bool conn_wake_should_run(struct conn_wake *);
void conn_wake_poke(struct conn_wake *);

bool conn_wake_wait_begin(struct conn_wake *);
void conn_wake_wait_end(struct conn_wake *);
void conn_wake_wait(void);

void conn_wake_format(const struct conn_wake *, const char *prefix,
                      struct ds *);
void conn_wake_format_stats(struct ds *);

void conn_wake_set_sweep(long long int msec);

#endif /* conn-wake.h */
