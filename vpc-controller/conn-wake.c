/* Serving only the connections that have something to do.  See
 * conn-wake.h. */
#include <config.h>
#include "conn-wake.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "coverage.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(conn_wake);

COVERAGE_DEFINE(conn_wake_run);
COVERAGE_DEFINE(conn_wake_skip);

/* Every connection runs at least this often, whatever it asked for. */
static long long int sweep_msec = 1000;

struct conn_wake {
    struct ovs_list node;           /* In 'all'. */
    struct poll_capture cap;        /* What its wait function asked for. */
    struct pollfd *reg;             /* What is in the epoll set for it. */
    size_t n_reg, allocated_reg;
    bool captured;                  /* 'cap' is valid. */
    bool stale;                     /* It ran since 'cap' was taken. */
    bool poked;                     /* Changed from outside. */
    bool due;                       /* Runs this pass. */
    uint64_t n_runs, n_skips;       /* Passes it ran in, sat out. */
};

static struct ovs_list all = OVS_LIST_INITIALIZER(&all);
static size_t n_conns;
static int epfd = -1;
static bool epoll_failed;

/* The connection whose descriptor each descriptor number is, by number. */
static struct conn_wake **owners;
static size_t n_owners;
static size_t n_registered;         /* Descriptors in the epoll set. */

static long long int next_sweep;
static uint64_t n_runs, n_skips;

static struct conn_wake *
owner_get(int fd)
{
    return fd >= 0 && fd < n_owners ? owners[fd] : NULL;
}

static void
owner_set(int fd, struct conn_wake *w)
{
    if (fd >= n_owners) {
        size_t n = MAX(64, n_owners);
        while (n <= fd) {
            n *= 2;
        }
        owners = xrealloc(owners, n * sizeof *owners);
        memset(&owners[n_owners], 0, (n - n_owners) * sizeof *owners);
        n_owners = n;
    }
    if (w && !owners[fd]) {
        n_registered++;
    } else if (!w && owners[fd]) {
        n_registered--;
    }
    owners[fd] = w;
}

/* Opens the epoll set, once.  Without one (the system refused), every
 * connection runs on every pass, as if this module were not here. */
static bool
epoll_ready(void)
{
    if (epfd < 0 && !epoll_failed) {
        epfd = epoll_create1(EPOLL_CLOEXEC);
        if (epfd < 0) {
            VLOG_WARN("epoll_create1 failed (%s): serving every connection "
                      "on every pass", ovs_strerror(errno));
            epoll_failed = true;
        }
    }
    return epfd >= 0;
}

static uint32_t
epoll_events(short int events)
{
    return ((events & POLLIN ? EPOLLIN : 0)
            | (events & POLLOUT ? EPOLLOUT : 0)
            | (events & POLLPRI ? EPOLLPRI : 0));
}

static void
epoll_change(int op, int fd, short int events)
{
    struct epoll_event ev = { .events = epoll_events(events), .data.fd = fd };

    if (epoll_ctl(epfd, op, fd, &ev) && op == EPOLL_CTL_ADD
        && errno == EEXIST) {
        epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
    }
}

static const struct pollfd *
pollfd_find(const struct pollfd *fds, size_t n, int fd)
{
    for (size_t i = 0; i < n; i++) {
        if (fds[i].fd == fd) {
            return &fds[i];
        }
    }
    return NULL;
}

/* Brings the epoll set from what it holds for 'w' to what 'w''s wait
 * function asked for last.  A descriptor number that now belongs to
 * another connection (ours was closed and the number reused) is not ours
 * to remove. */
static void
reregister(struct conn_wake *w)
{
    for (size_t i = 0; i < w->n_reg; i++) {
        int fd = w->reg[i].fd;
        if (owner_get(fd) == w
            && !pollfd_find(w->cap.fds, w->cap.n_fds, fd)) {
            epoll_change(EPOLL_CTL_DEL, fd, 0);
            owner_set(fd, NULL);
        }
    }
    for (size_t i = 0; i < w->cap.n_fds; i++) {
        const struct pollfd *want = &w->cap.fds[i];
        const struct pollfd *had = pollfd_find(w->reg, w->n_reg, want->fd);
        if (owner_get(want->fd) != w) {
            epoll_change(EPOLL_CTL_ADD, want->fd, want->events);
            owner_set(want->fd, w);
        } else if (!had || had->events != want->events) {
            epoll_change(EPOLL_CTL_MOD, want->fd, want->events);
        }
    }
    if (w->cap.n_fds > w->allocated_reg) {
        w->allocated_reg = w->cap.n_fds;
        w->reg = xrealloc(w->reg, w->allocated_reg * sizeof *w->reg);
    }
    memcpy(w->reg, w->cap.fds, w->cap.n_fds * sizeof *w->reg);
    w->n_reg = w->cap.n_fds;
}

/* Returns a new record for a connection, which runs on the next pass. */
struct conn_wake *
conn_wake_create(void)
{
    struct conn_wake *w = xzalloc(sizeof *w);

    poll_capture_init(&w->cap);
    w->due = true;
    ovs_list_push_back(&all, &w->node);
    n_conns++;
    return w;
}

/* Forgets 'w'.  Call it before the connection closes its descriptors, so
 * that no number is taken out of the epoll set after another connection
 * got it. */
void
conn_wake_destroy(struct conn_wake *w)
{
    if (!w) {
        return;
    }
    for (size_t i = 0; i < w->n_reg; i++) {
        if (owner_get(w->reg[i].fd) == w) {
            epoll_change(EPOLL_CTL_DEL, w->reg[i].fd, 0);
            owner_set(w->reg[i].fd, NULL);
        }
    }
    ovs_list_remove(&w->node);
    n_conns--;
    poll_capture_destroy(&w->cap);
    free(w->reg);
    free(w);
}

/* Works out, at the start of a pass, which connections run in it. */
void
conn_wake_run(void)
{
    long long int now = time_msec();
    bool sweep = now >= next_sweep || !epoll_ready();
    struct conn_wake *w;

    if (sweep) {
        next_sweep = (sweep_msec == LLONG_MAX ? LLONG_MAX
                      : now + sweep_msec);
    }
    LIST_FOR_EACH (w, node, &all) {
        w->due = (sweep || w->poked || !w->captured
                  || w->cap.deadline <= now);
    }
    if (epfd < 0) {
        return;
    }

    /* One call, with room for every descriptor in the set: the set is
     * level-triggered, so a descriptor that stays ready is reported by
     * every call, and calling until one returns less than the room would
     * never end once the room is full of those. */
    static struct epoll_event *evs;
    static size_t allocated_evs;
    if (n_registered > allocated_evs) {
        allocated_evs = MAX(n_registered, 2 * allocated_evs);
        evs = xrealloc(evs, allocated_evs * sizeof *evs);
    }
    if (!n_registered) {
        return;
    }
    int n = epoll_wait(epfd, evs, allocated_evs, 0);
    for (int i = 0; i < n; i++) {
        w = owner_get(evs[i].data.fd);
        if (w) {
            w->due = true;
        } else {
            /* Nobody's any more (cannot happen: numbers leave the set
             * with their owners). */
            epoll_change(EPOLL_CTL_DEL, evs[i].data.fd, 0);
        }
    }
}

/* Should the connection of 'w' run in this pass?  If so, its wait function
 * will be asked again. */
bool
conn_wake_should_run(struct conn_wake *w)
{
    if (w->due || w->poked) {
        w->due = w->poked = false;
        w->stale = true;
        COVERAGE_INC(conn_wake_run);
        n_runs++;
        w->n_runs++;
        return true;
    }
    COVERAGE_INC(conn_wake_skip);
    n_skips++;
    w->n_skips++;
    return false;
}

/* The state of 'w''s connection changed from outside (a message queued,
 * a setting changed): it runs in the next pass, and its wait function is
 * asked again in this one. */
void
conn_wake_poke(struct conn_wake *w)
{
    w->poked = true;
}

/* Begins asking the wait function of 'w''s connection what it waits for.
 * Returns false if there is no need (nothing changed since it was last
 * asked): then the caller skips it and does not call conn_wake_wait_end().
 * Every poll_*_wait() until conn_wake_wait_end() goes to 'w'. */
bool
conn_wake_wait_begin(struct conn_wake *w)
{
    if (w->captured && !w->stale && !w->poked && epfd >= 0) {
        return false;
    }
    poll_capture_start(&w->cap);
    return true;
}

void
conn_wake_wait_end(struct conn_wake *w)
{
    poll_capture_stop();
    w->captured = true;
    w->stale = false;
    if (epoll_ready()) {
        reregister(w);
    } else {
        /* Without epoll, wait for everything as usual. */
        for (size_t i = 0; i < w->cap.n_fds; i++) {
            poll_fd_wait(w->cap.fds[i].fd, w->cap.fds[i].events);
        }
        if (w->cap.deadline != LLONG_MAX) {
            poll_timer_wait_until(w->cap.deadline);
        }
    }
}

/* Arranges for poll_block() to wake up when a connection has work. */
void
conn_wake_wait(void)
{
    if (epfd < 0) {
        return;
    }

    long long int when = next_sweep;
    struct conn_wake *w;
    LIST_FOR_EACH (w, node, &all) {
        if (w->cap.deadline < when) {
            when = w->cap.deadline;
        }
    }
    poll_fd_wait(epfd, POLLIN);
    poll_timer_wait_until(when);
}

/* Runs every connection every 'msec' ms (LLONG_MAX: never), whatever it
 * asked for, instead of every second.  (For tests.) */
void
conn_wake_set_sweep(long long int msec)
{
    sweep_msec = msec;
    next_sweep = 0;
}

/* Appends to 's' in how many passes 'w''s connection ran and in how many
 * it sat out, with 'prefix' before each name. */
void
conn_wake_format(const struct conn_wake *w, const char *prefix,
                 struct ds *s)
{
    ds_put_format(s, "%spasses_served=%"PRIu64" %spasses_idle=%"PRIu64,
                  prefix, w->n_runs, prefix, w->n_skips);
}

/* Appends a line of statistics to 's'. */
void
conn_wake_format_stats(struct ds *s)
{
    ds_put_format(s, "connections: %"PRIuSIZE" (served in %"PRIu64" passes, "
                  "idle in %"PRIu64")\n", n_conns, n_runs, n_skips);
}
