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
 * One line per pass: "pass K: D due". */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
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

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    if (argc != 2 || (n = atoi(argv[1])) < 4) {
        ovs_fatal(0, "usage: %s N (4 or more)", argv[0]);
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
    int k = 1;
    pass(k++, due);                                 /* 1: all. */
    pass(k++, due);                                 /* 2: none. */

    for (int i = 0; i < n; i += 3) {
        put_byte(conns[i].fds[1]);
    }
    pass(k++, due);                                 /* 3: every third. */
    for (int i = 0; i < n; i++) {
        if (due[i] != (i % 3 == 0)) {
            ovs_fatal(0, "pass 3: connection %d is %sdue", i,
                      due[i] ? "" : "not ");
        }
        if (due[i]) {
            get_byte(conns[i].fds[0]);
        }
    }
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

    for (int i = 0; i < n; i++) {
        conn_close(&conns[i]);
    }
    free(conns);
    free(due);
    return 0;
}
