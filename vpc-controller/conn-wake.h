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
 * else changes what it waits for.
 *
 * An owner that names itself (conn_wake_set_owner()) need not even ask
 * each of its connections: conn_wake_pop_due() hands it those due in this
 * pass, and conn_wake_wait() asks the wait functions of those that ran.
 * The due, the poked and the timers are kept apart from the idle, so a
 * pass costs what the connections with something to do cost, however many
 * are idle. */
#ifndef VPC_CONN_WAKE_H
#define VPC_CONN_WAKE_H 1

#include <stdbool.h>
#include <stdint.h>

struct ds;

/* Connections of different kinds (a host's OVSDB session, a switch's
 * OpenFlow session) are due in lists of their own.  The last kind is the
 * main loop's: its listeners and its unixctl server. */
#define CONN_WAKE_N_KINDS 4
#define CONN_WAKE_MAIN (CONN_WAKE_N_KINDS - 1)

typedef void conn_wake_wait_cb(void *owner);

struct conn_wake *conn_wake_create(void);
void conn_wake_set_owner(struct conn_wake *, int kind, void *owner,
                         conn_wake_wait_cb *);
void conn_wake_destroy(struct conn_wake *);

void conn_wake_run(void);
bool conn_wake_should_run(struct conn_wake *);
void *conn_wake_pop_due(int kind);
void conn_wake_poke(struct conn_wake *);

bool conn_wake_wait_begin(struct conn_wake *);
void conn_wake_wait_end(struct conn_wake *);
void conn_wake_wait(void);

void conn_wake_format(const struct conn_wake *, const char *prefix,
                      struct ds *);
void conn_wake_format_stats(struct ds *);

void conn_wake_set_sweep(long long int msec);

#endif /* conn-wake.h */
