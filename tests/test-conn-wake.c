/* test-conn-wake: checks vpc-controller/conn-wake.c with N socket pairs
 * standing in for host connections, and prints what it saw, for
 * tests/system-scale.at.
 *
 * usage: test-conn-wake N
 *
 * Each "connection" is one end of a socket pair whose wait function asks
 * for POLLIN.  The test runs passes of conn_wake_run() and counts the
 * connections due in each:
 *   1. the first pass: every connection (never asked what it waits for);
 *   2. a pass with nothing written: none (until the once-a-second sweep);
 *   3. a byte written to every third pair: those, and only those, even
 *      when there are more of them than any fixed batch of readiness
 *      reports (the byte stays unread, so they stay ready);
 *   4. after they read their byte: none;
 *   5. one connection poked: that one;
 *   6. one whose wait function asks for a timer already due: that one;
 *   7. a connection destroyed and its descriptor number reused by a new
 *      pair: the new one is served when its peer writes.
 * One line per pass: "pass K: D due".
 *
 * usage: test-conn-wake N owned
 *
 * The same connections name their owners (conn_wake_set_owner()): even
 * ones of kind 0, odd ones of kind 1.  Passes take the due connections
 * with conn_wake_pop_due(), which must hand each at most once and only
 * under its kind, and conn_wake_wait() must ask the wait functions of
 * those that ran and no others:
 *   1. the first pass: every connection;
 *   2. nothing written: none;
 *   3. a byte to every third pair: those;
 *   4. after they read it: none;
 *   5. a byte to connection 1, which moves to kind 0 once due: it comes
 *      under kind 0;
 *   6. a byte to connection 2, connection 3 poked, and only kind 0
 *      taken: connection 2 (and the poked 3's wait function asked);
 *   7. connection 3, due since pass 6 although nothing reports it;
 *   8. none.
 * One line per pass: "pass K: D due, W waits". */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn-wake.h"
#include "openvswitch/poll-loop.h"
#include "timeval.h"
#include "util.h"

struct conn {
    int fds[2];                 /* [0] ours, [1] the peer's. */
    struct conn_wake *wake;
    long long int timer;        /* LLONG_MAX: none. */
    int kind;                   /* In 'owned' mode. */
};

static struct conn *conns;
static int n;

static void
conn_open(struct conn *c)
{
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, c->fds)) {
        ovs_fatal(errno, "socketpair");
    }
    c->wake = conn_wake_create();
    c->timer = LLONG_MAX;
}

static void
conn_close(struct conn *c)
{
    conn_wake_destroy(c->wake);
    close(c->fds[0]);
    close(c->fds[1]);
}

/* One pass: which connections are due, and then their waits. */
static int
pass(int k, bool *due)
{
    int n_due = 0;

    conn_wake_run();
    for (int i = 0; i < n; i++) {
        due[i] = conn_wake_should_run(conns[i].wake);
        n_due += due[i];
    }
    for (int i = 0; i < n; i++) {
        if (conn_wake_wait_begin(conns[i].wake)) {
            poll_fd_wait(conns[i].fds[0], POLLIN);
            if (conns[i].timer != LLONG_MAX) {
                poll_timer_wait_until(conns[i].timer);
            }
            conn_wake_wait_end(conns[i].wake);
        }
    }
    conn_wake_wait();
    printf("pass %d: %d due\n", k, n_due);
    return n_due;
}

static void
put_byte(int fd)
{
    if (write(fd, "x", 1) != 1) {
        ovs_fatal(errno, "write");
    }
}

static void
get_byte(int fd)
{
    char c;
    if (read(fd, &c, 1) != 1) {
        ovs_fatal(errno, "read");
    }
}

/* After pass 3: checks that every third connection, and only those, was
 * due, and has them read their byte. */
static void
read_every_third(const bool *due)
{
    for (int i = 0; i < n; i++) {
        if (due[i] != (i % 3 == 0)) {
            ovs_fatal(0, "pass 3: connection %d is %sdue", i,
                      due[i] ? "" : "not ");
        }
        if (due[i]) {
            get_byte(conns[i].fds[0]);
        }
    }
}

/* Owned mode. */
static int n_waits;

static void
conn_wait_cb(void *c_)
{
    struct conn *c = c_;

    n_waits++;
    if (conn_wake_wait_begin(c->wake)) {
        poll_fd_wait(c->fds[0], POLLIN);
        conn_wake_wait_end(c->wake);
    }
}

/* The rest of an owned pass after conn_wake_run(), taking the due connections of the kinds in 'kinds' (a
 * bit per kind).  Returns how many were due.  Fails unless the wait
 * functions asked are those of the connections that ran and 'others'
 * more (poked ones that did not run). */
static int
owned_take(int k, bool *due, unsigned int kinds, int others)
{
    int n_due = 0;

    memset(due, 0, n * sizeof *due);
    for (int kind = 0; kind < 2; kind++) {
        struct conn *c;
        while ((kinds & (1u << kind)) && (c = conn_wake_pop_due(kind))) {
            int i = c - conns;
            if (i < 0 || i >= n || c->kind != kind || due[i]) {
                ovs_fatal(0, "pass %d: kind %d handed connection %d %s", k,
                          kind, i, due[i] ? "twice" : "of another kind");
            }
            due[i] = true;
            n_due++;
        }
    }
    n_waits = 0;
    conn_wake_wait();
    if (n_waits != n_due + others) {
        ovs_fatal(0, "pass %d: %d ran (and %d poked) but %d wait functions "
                  "were asked", k, n_due, others, n_waits);
    }
    printf("pass %d: %d due, %d waits\n", k, n_due, n_waits);
    return n_due;
}

static int
owned_pass(int k, bool *due, unsigned int kinds, int others)
{
    conn_wake_run();
    return owned_take(k, due, kinds, others);
}

static void
owned_main(bool *due)
{
    for (int i = 0; i < n; i++) {
        conns[i].kind = i % 2;
        conn_wake_set_owner(conns[i].wake, conns[i].kind, &conns[i],
                            conn_wait_cb);
    }
    int k = 1;
    owned_pass(k++, due, 3, 0);                     /* 1: all. */
    owned_pass(k++, due, 3, 0);                     /* 2: none. */

    for (int i = 0; i < n; i += 3) {
        put_byte(conns[i].fds[1]);
    }
    owned_pass(k++, due, 3, 0);                     /* 3: every third. */
    read_every_third(due);
    owned_pass(k++, due, 3, 0);                     /* 4: none. */

    put_byte(conns[1].fds[1]);
    conn_wake_run();
    conns[1].kind = 0;          /* Due under kind 1, moved to kind 0. */
    conn_wake_set_owner(conns[1].wake, 0, &conns[1], conn_wait_cb);
    owned_take(k++, due, 1, 0);                     /* 5: one, kind 0. */
    if (!due[1]) {
        ovs_fatal(0, "pass 5: the moved connection is not due");
    }
    get_byte(conns[1].fds[0]);

    put_byte(conns[2].fds[1]);
    conn_wake_poke(conns[3].wake);
    owned_pass(k++, due, 1, 1);                     /* 6: 2 of kind 0. */
    if (!due[2] || due[3]) {
        ovs_fatal(0, "pass 6: kind 0 did not hand connection 2 alone");
    }
    get_byte(conns[2].fds[0]);
    owned_pass(k++, due, 3, 0);                     /* 7: 3, kind 1. */
    if (!due[3]) {
        ovs_fatal(0, "pass 7: connection 3 is no longer due");
    }
    owned_pass(k++, due, 3, 0);                     /* 8: none. */
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    bool owned = argc == 3 && !strcmp(argv[2], "owned");
    if ((argc != 2 && !owned) || (n = atoi(argv[1])) < 4) {
        ovs_fatal(0, "usage: %s N [owned] (N: 4 or more)", argv[0]);
    }
    /* Two descriptors a connection, more than the usual soft limit. */
    struct rlimit rl;
    if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    conns = xcalloc(n, sizeof *conns);
    bool *due = xcalloc(n, sizeof *due);
    for (int i = 0; i < n; i++) {
        conn_open(&conns[i]);
    }

    /* No once-a-second sweep: what is due must not depend on how fast
     * this runs. */
    conn_wake_set_sweep(LLONG_MAX);
    if (owned) {
        owned_main(due);
        goto out;
    }
    int k = 1;
    pass(k++, due);                                 /* 1: all. */
    pass(k++, due);                                 /* 2: none. */

    for (int i = 0; i < n; i += 3) {
        put_byte(conns[i].fds[1]);
    }
    pass(k++, due);                                 /* 3: every third. */
    read_every_third(due);
    pass(k++, due);                                 /* 4: none. */

    conn_wake_poke(conns[1].wake);
    pass(k++, due);                                 /* 5: one. */
    if (!due[1]) {
        ovs_fatal(0, "pass 5: the poked connection is not due");
    }

    conns[2].timer = time_msec() - 1;
    conn_wake_poke(conns[2].wake);                  /* Its wait changed. */
    pass(k++, due);                                 /* 6: one (poked). */
    conns[2].timer = LLONG_MAX;
    pass(k++, due);                                 /* 7: one (timer). */
    if (!due[2]) {
        ovs_fatal(0, "pass 7: the connection with a due timer is not due");
    }
    pass(k++, due);                                 /* 8: none. */

    /* Number reuse: close connection 0 and open a new pair, which (being
     * the lowest free numbers) takes the same descriptor numbers. */
    int old_fd = conns[0].fds[0];
    conn_close(&conns[0]);
    conn_open(&conns[0]);
    pass(k++, due);                                 /* 9: the new one. */
    put_byte(conns[0].fds[1]);
    pass(k++, due);                                 /* 10: the new one. */
    if (!due[0]) {
        ovs_fatal(0, "pass 10: the connection on reused descriptor %d "
                  "(was %d) is not due", conns[0].fds[0], old_fd);
    }
    get_byte(conns[0].fds[0]);
    pass(k++, due);                                 /* 11: none. */

out:
    for (int i = 0; i < n; i++) {
        conn_close(&conns[i]);
    }
    free(conns);
    free(due);
    return 0;
}
