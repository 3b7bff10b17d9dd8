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
#include "heap.h"
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

    /* Whose it is (see conn_wake_set_owner()). */
    int kind;
    void *owner;
    conn_wake_wait_cb *wait_cb;

    /* The lists and the heap below hold only the connections with
     * something to do, so that a pass costs what those do. */
    struct ovs_list due_node;       /* In 'due[kind]' if 'in_due'. */
    bool in_due;                    /* Runs this pass. */
    struct ovs_list stale_node;     /* In 'stale_list' if 'stale'. */
    struct ovs_list poked_node;     /* In 'poked_list' if 'poked'. */
    struct heap_node heap_node;     /* In 'timers' if 'in_heap'. */
    bool in_heap;

    uint64_t n_runs;                /* Passes it ran in. */
    uint64_t created_pass;          /* 'n_passes' when it was created. */
};

static struct ovs_list all = OVS_LIST_INITIALIZER(&all);
static size_t n_conns;

/* The connections that run in this pass, by kind; those whose wait
 * function must be asked again; those poked since the last pass; and the
 * timers of the others, earliest first. */
static struct ovs_list due[CONN_WAKE_N_KINDS] = {
    OVS_LIST_INITIALIZER(&due[0]), OVS_LIST_INITIALIZER(&due[1]),
    OVS_LIST_INITIALIZER(&due[2]), OVS_LIST_INITIALIZER(&due[3]),
};
static struct ovs_list stale_list = OVS_LIST_INITIALIZER(&stale_list);
static struct ovs_list poked_list = OVS_LIST_INITIALIZER(&poked_list);
static struct heap timers;
static bool timers_ready;
static uint64_t n_passes, n_slots;  /* Passes, connections x passes. */
static int epfd = -1;
static bool epoll_failed;

/* The connection whose descriptor each descriptor number is, by number. */
static struct conn_wake **owners;
static size_t n_owners;
static size_t n_registered;         /* Descriptors in the epoll set. */

static long long int next_sweep;
static uint64_t n_runs;

/* A heap priority for 'deadline': the earliest is the largest. */
static uint64_t
deadline_priority(long long int deadline)
{
    return deadline <= 0 ? UINT64_MAX : (uint64_t) (LLONG_MAX - deadline);
}

static long long int
priority_deadline(uint64_t priority)
{
    return priority == UINT64_MAX ? LLONG_MIN
                                  : LLONG_MAX - (long long int) priority;
}

static void
make_due(struct conn_wake *w)
{
    if (!w->in_due) {
        ovs_list_push_back(&due[w->kind], &w->due_node);
        w->in_due = true;
    }
}

static void
make_stale(struct conn_wake *w)
{
    if (!w->stale) {
        ovs_list_push_back(&stale_list, &w->stale_node);
        w->stale = true;
    }
}

/* 'w' runs in this pass: it is no longer due, and its wait function is
 * to be asked again. */
static void
mark_run(struct conn_wake *w)
{
    if (w->in_due) {
        ovs_list_remove(&w->due_node);
        w->in_due = false;
    }
    if (w->poked) {
        ovs_list_remove(&w->poked_node);
        w->poked = false;
    }
    make_stale(w);
    COVERAGE_INC(conn_wake_run);
    n_runs++;
    w->n_runs++;
}

static void
timers_init(void)
{
    if (!timers_ready) {
        heap_init(&timers);
        timers_ready = true;
    }
}

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

    timers_init();
    poll_capture_init(&w->cap);
    ovs_list_push_back(&all, &w->node);
    w->created_pass = n_passes;
    make_due(w);
    make_stale(w);
    n_conns++;
    return w;
}

/* Says whose connection 'w' is: conn_wake_pop_due('kind') returns 'owner'
 * when it is due, and conn_wake_wait() calls 'wait_cb'('owner') (which
 * must call conn_wake_wait_begin() and conn_wake_wait_end() around its
 * wait function) when its wait function must be asked again.  Without
 * this, the caller asks conn_wake_should_run() and waits for it itself. */
void
conn_wake_set_owner(struct conn_wake *w, int kind, void *owner,
                    conn_wake_wait_cb *wait_cb)
{
    ovs_assert(kind >= 0 && kind < CONN_WAKE_N_KINDS);
    if (w->in_due) {
        ovs_list_remove(&w->due_node);
        w->in_due = false;
        w->kind = kind;
        make_due(w);
    }
    w->kind = kind;
    w->owner = owner;
    w->wait_cb = wait_cb;
}

/* Frees 'w' and takes its descriptors out of the epoll set. */
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
    if (w->in_due) {
        ovs_list_remove(&w->due_node);
    }
    if (w->stale) {
        ovs_list_remove(&w->stale_node);
    }
    if (w->poked) {
        ovs_list_remove(&w->poked_node);
    }
    if (w->in_heap) {
        heap_remove(&timers, &w->heap_node);
    }
    ovs_list_remove(&w->node);
    n_conns--;
    poll_capture_destroy(&w->cap);
    free(w->reg);
    free(w);
}

/* Works out which connections run in this pass: those with a descriptor
 * ready, a timer due or a poke, and (once a second) all.  Call once per
 * pass of the main loop, before the connections' owners ask. */
void
conn_wake_run(void)
{
    long long int now = time_msec();
    bool sweep = now >= next_sweep || !epoll_ready();
    struct conn_wake *w;

    timers_init();
    n_passes++;
    n_slots += n_conns;
    if (sweep) {
        next_sweep = (sweep_msec == LLONG_MAX ? LLONG_MAX
                      : now + sweep_msec);
        LIST_FOR_EACH (w, node, &all) {
            make_due(w);
        }
    }
    LIST_FOR_EACH_POP (w, poked_node, &poked_list) {
        w->poked = false;
        make_due(w);
    }
    while (!heap_is_empty(&timers)
           && priority_deadline(heap_max(&timers)->priority) <= now) {
        w = CONTAINER_OF(heap_max(&timers), struct conn_wake, heap_node);
        heap_remove(&timers, &w->heap_node);
        w->in_heap = false;
        make_due(w);
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
            make_due(w);
        } else {
            /* Nobody's any more (cannot happen: numbers leave the set
             * with their owners). */
            epoll_change(EPOLL_CTL_DEL, evs[i].data.fd, 0);
        }
    }
}

/* Should 'w''s owner run its connection in this pass?  (Each time it says
 * yes, the connection counts as served.) */
bool
conn_wake_should_run(struct conn_wake *w)
{
    if (w->in_due || w->poked) {
        mark_run(w);
        return true;
    }
    COVERAGE_INC(conn_wake_skip);
    return false;
}

/* Returns the owner of the next connection of 'kind' due in this pass
 * (counted as served, as if conn_wake_should_run() said yes), or NULL if
 * there is none left. */
void *
conn_wake_pop_due(int kind)
{
    if (ovs_list_is_empty(&due[kind])) {
        return NULL;
    }
    struct conn_wake *w = CONTAINER_OF(ovs_list_front(&due[kind]),
                                       struct conn_wake, due_node);
    mark_run(w);
    return w->owner;
}

/* Notes that 'w''s connection changed from outside (something was queued to
 * it): it runs in the next pass, and its wait function is asked again. */
void
conn_wake_poke(struct conn_wake *w)
{
    if (!w->poked) {
        ovs_list_push_back(&poked_list, &w->poked_node);
        w->poked = true;
    }
    make_stale(w);
}

/* Starts capturing what the connection's wait function asks for, and
 * returns true, if it must be asked again; else returns false, and the
 * wait function need not be called. */
bool
conn_wake_wait_begin(struct conn_wake *w)
{
    if (w->captured && !w->stale && !w->poked && epfd >= 0) {
        return false;
    }
    poll_capture_start(&w->cap);
    return true;
}

/* Ends what conn_wake_wait_begin() started. */
void
conn_wake_wait_end(struct conn_wake *w)
{
    poll_capture_stop();
    w->captured = true;
    if (w->stale) {
        ovs_list_remove(&w->stale_node);
        w->stale = false;
    }
    if (w->cap.deadline == LLONG_MAX) {
        if (w->in_heap) {
            heap_remove(&timers, &w->heap_node);
            w->in_heap = false;
        }
    } else if (w->in_heap) {
        heap_change(&timers, &w->heap_node,
                    deadline_priority(w->cap.deadline));
    } else {
        heap_insert(&timers, &w->heap_node,
                    deadline_priority(w->cap.deadline));
        w->in_heap = true;
    }
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

/* Asks again the wait functions of the connections with an owner that ran
 * or were poked, and arranges for poll_block() to wake up when a
 * connection has work.  (A poked connection runs in the next pass, when
 * whatever it now waits for, or anything else, wakes the loop.) */
void
conn_wake_wait(void)
{
    struct conn_wake *w;

    LIST_FOR_EACH_SAFE (w, stale_node, &stale_list) {
        if (w->wait_cb) {
            w->wait_cb(w->owner);
        }
    }
    for (size_t i = 0; i < CONN_WAKE_N_KINDS; i++) {
        if (!ovs_list_is_empty(&due[i])) {
            /* Due, and not run: its owner did not get to it this pass. */
            poll_immediate_wake();
        }
    }
    if (epfd < 0) {
        return;
    }

    long long int when = next_sweep;
    if (timers_ready && !heap_is_empty(&timers)) {
        when = MIN(when, priority_deadline(heap_max(&timers)->priority));
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
    uint64_t passes = n_passes - w->created_pass;
    uint64_t idle = passes > w->n_runs ? passes - w->n_runs : 0;
    ds_put_format(s, "%spasses_served=%"PRIu64" %spasses_idle=%"PRIu64,
                  prefix, w->n_runs, prefix, idle);
}

/* Appends a line of statistics to 's'. */
void
conn_wake_format_stats(struct ds *s)
{
    ds_put_format(s, "connections: %"PRIuSIZE" (served in %"PRIu64" passes, "
                  "idle in %"PRIu64")\n", n_conns, n_runs,
                  n_slots > n_runs ? n_slots - n_runs : 0);
}
