/* The HTTP server behind --metrics.  See metrics-http.h. */
#include <config.h>
#include "metrics-http.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/thread.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "ovs-atomic.h"
#include "ovs-thread.h"
#include "packets.h"
#include "seq.h"
#include "socket-util.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(metrics_http);

/* What the main loop published last.  Read by the HTTP thread through a
 * reference taken under the mutex. */
struct snapshot {
    struct ovs_refcount ref;
    char *text;
    size_t len;
    bool healthy;
    char *health;                   /* One line. */
    long long int when;             /* time_msec() at publication. */
};

/* A request waiting for a fresh snapshot. */
struct pending {
    struct evhttp_request *req;
    bool metrics;                   /* /metrics, else /healthz. */
};

struct metrics_http {
    char *name;                     /* ptcp:PORT:IP, with the real port. */

    /* The HTTP thread's own, once started. */
    struct event_base *base;
    struct evhttp *http;
    struct evconnlistener *listener;
    struct event *reap_timer;       /* Frees connections evhttp closed. */
    struct event *wait_timer;       /* Gives up waiting for a snapshot. */
    struct event *published;        /* Activated by the main loop. */
    struct bufferevent **conns;     /* Open connections (one ref each). */
    size_t n_conns;
    bool paused;                    /* Listener disabled: too many. */
    struct pending *pending;
    size_t n_pending, allocated_pending;
    pthread_t thread;

    /* Shared. */
    struct ovs_mutex mutex;
    struct snapshot *snap OVS_GUARDED;
    struct seq *want;               /* Changed when a request waits. */
    uint64_t want_seen;             /* Main loop only. */
};

static void
snapshot_unref(struct snapshot *s)
{
    if (s && ovs_refcount_unref(&s->ref) == 1) {
        free(s->text);
        free(s->health);
        free(s);
    }
}

static struct snapshot *
get_snapshot(struct metrics_http *h)
{
    ovs_mutex_lock(&h->mutex);
    struct snapshot *s = h->snap;
    if (s) {
        ovs_refcount_ref(&s->ref);
    }
    ovs_mutex_unlock(&h->mutex);
    return s;
}

static void
reply_text(struct evhttp_request *req, int code, const char *reason,
           const char *type, const char *text, size_t len)
{
    struct evkeyvalq *headers = evhttp_request_get_output_headers(req);
    struct evbuffer *body = evbuffer_new();

    evhttp_add_header(headers, "Content-Type", type);
    evhttp_add_header(headers, "Cache-Control", "no-store");
    evbuffer_add(body, text, len);
    evhttp_send_reply(req, code, reason, body);
    evbuffer_free(body);
}

static void
reply_plain(struct evhttp_request *req, int code, const char *reason,
            const char *line)
{
    char *text = xasprintf("%s\n", line);
    reply_text(req, code, reason, "text/plain; charset=utf-8", text,
               strlen(text));
    free(text);
}

/* Answers 'p' from 's' (NULL if nothing was ever published). */
static void
answer(const struct pending *p, const struct snapshot *s)
{
    if (!s) {
        reply_plain(p->req, 503, "Service Unavailable",
                    "starting: no metrics yet");
    } else if (p->metrics) {
        reply_text(p->req, 200, "OK", "text/plain; version=0.0.4; "
                   "charset=utf-8", s->text, s->len);
    } else if (s->healthy) {
        reply_plain(p->req, 200, "OK", s->health);
    } else {
        reply_plain(p->req, 503, "Service Unavailable", s->health);
    }
}

static void
answer_pending(struct metrics_http *h)
{
    struct snapshot *s = get_snapshot(h);
    for (size_t i = 0; i < h->n_pending; i++) {
        answer(&h->pending[i], s);
    }
    h->n_pending = 0;
    snapshot_unref(s);
    evtimer_del(h->wait_timer);
}

static void
published_cb(evutil_socket_t fd OVS_UNUSED, short what OVS_UNUSED, void *h_)
{
    answer_pending(h_);
}

static void
wait_timer_cb(evutil_socket_t fd OVS_UNUSED, short what OVS_UNUSED, void *h_)
{
    answer_pending(h_);
}

static void
request_cb(struct evhttp_request *req, void *h_)
{
    struct metrics_http *h = h_;
    enum evhttp_cmd_type method = evhttp_request_get_command(req);
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;

    if (!path || (strcmp(path, "/metrics") && strcmp(path, "/healthz"))) {
        reply_plain(req, 404, "Not Found",
                    "not found: try /metrics or /healthz");
        return;
    }
    if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
                          "GET, HEAD");
        reply_plain(req, 405, "Method Not Allowed",
                    "method not allowed: use GET or HEAD");
        return;
    }

    struct pending p = { .req = req, .metrics = path[1] == 'm' };
    struct snapshot *s = get_snapshot(h);
    if (s && time_msec() - s->when < METRICS_HTTP_FRESH_MSEC) {
        answer(&p, s);
    } else if (h->n_pending >= METRICS_HTTP_MAX_CONNS) {
        /* Cannot happen with bounded connections, but be safe. */
        answer(&p, s);
    } else {
        if (!h->n_pending) {
            struct timeval tv = {
                .tv_sec = METRICS_HTTP_WAIT_MSEC / 1000,
                .tv_usec = METRICS_HTTP_WAIT_MSEC % 1000 * 1000,
            };
            evtimer_add(h->wait_timer, &tv);
            seq_change(h->want);
        }
        if (h->n_pending >= h->allocated_pending) {
            h->pending = x2nrealloc(h->pending, &h->allocated_pending,
                                    sizeof *h->pending);
        }
        h->pending[h->n_pending++] = p;
    }
    snapshot_unref(s);
}

/* Drops our reference to the connections evhttp has freed (it clears a
 * bufferevent's callbacks when it lets it go), which closes them, and
 * takes new ones again if there is room. */
static void
reap_conns(struct metrics_http *h)
{
    size_t n = 0;
    for (size_t i = 0; i < h->n_conns; i++) {
        bufferevent_data_cb readcb;
        bufferevent_getcb(h->conns[i], &readcb, NULL, NULL, NULL);
        if (readcb) {
            h->conns[n++] = h->conns[i];
        } else {
            bufferevent_decref(h->conns[i]);
        }
    }
    h->n_conns = n;
    if (h->paused && n < METRICS_HTTP_MAX_CONNS) {
        evconnlistener_enable(h->listener);
        h->paused = false;
    }
}

static void
reap_timer_cb(evutil_socket_t fd OVS_UNUSED, short what OVS_UNUSED, void *h_)
{
    reap_conns(h_);
}

/* evhttp asks for a bufferevent per new connection: we make it, and keep
 * a reference to count the connections and stop taking new ones. */
static struct bufferevent *
new_conn_cb(struct event_base *base, void *h_)
{
    struct metrics_http *h = h_;

    reap_conns(h);
    struct bufferevent *bev = bufferevent_socket_new(base, -1,
                                                     BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
        return NULL;
    }
    bufferevent_incref(bev);
    h->conns[h->n_conns++] = bev;
    if (h->n_conns >= METRICS_HTTP_MAX_CONNS) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_WARN_RL(&rl, "%s: %d connections open, taking no more for now",
                     h->name, METRICS_HTTP_MAX_CONNS);
        evconnlistener_disable(h->listener);
        h->paused = true;
    }
    return bev;
}

static void *
http_thread(void *h_)
{
    struct metrics_http *h = h_;
    event_base_dispatch(h->base);
    return NULL;
}

/* Parses 'target' (ptcp:PORT[:IP]) into 'ss'.  Returns an error message,
 * or NULL. */
static char *
parse_target(const char *target, struct sockaddr_storage *ss)
{
    if (strncmp(target, "ptcp:", 5)) {
        return xasprintf("--metrics=%s: expected ptcp:PORT[:IP]", target);
    }
    const char *port_s = target + 5;
    const char *colon = strchr(port_s, ':');
    size_t port_len = colon ? colon - port_s : strlen(port_s);
    unsigned long port = 0;
    for (size_t i = 0; i < port_len; i++) {
        if (port_s[i] < '0' || port_s[i] > '9' || port > 65535) {
            port = ULONG_MAX;
            break;
        }
        port = port * 10 + (port_s[i] - '0');
    }
    if (!port_len || port > 65535) {
        return xasprintf("--metrics=%s: bad port \"%.*s\" (0 to 65535)",
                         target, (int) port_len, port_s);
    }

    const char *ip = colon ? colon + 1 : "0.0.0.0";
    char *ip_copy = xstrdup(ip);
    size_t ip_len = strlen(ip_copy);
    if (ip_len > 2 && ip_copy[0] == '[' && ip_copy[ip_len - 1] == ']') {
        ip_copy[ip_len - 1] = '\0';
        memmove(ip_copy, ip_copy + 1, ip_len - 1);
    }
    memset(ss, 0, sizeof *ss);
    ovs_be32 ip4;
    struct in6_addr ip6;
    if (ip_parse(ip_copy, &ip4)) {
        struct sockaddr_in *sin = ALIGNED_CAST(struct sockaddr_in *, ss);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        sin->sin_addr.s_addr = ip4;
    } else if (ipv6_parse(ip_copy, &ip6)) {
        struct sockaddr_in6 *sin6 = ALIGNED_CAST(struct sockaddr_in6 *, ss);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        sin6->sin6_addr = ip6;
    } else {
        free(ip_copy);
        return xasprintf("--metrics=%s: bad IP address \"%s\"", target, ip);
    }
    free(ip_copy);
    return NULL;
}

/* Checks the syntax of 'target' (ptcp:PORT[:IP]).  Returns an error
 * message (to free) or NULL. */
char *
metrics_http_check_target(const char *target)
{
    struct sockaddr_storage ss;
    return parse_target(target, &ss);
}

/* Opens a listening socket for 'target'; on success stores it in '*fdp'
 * and the address it is bound to in 'ss'. */
static char *
listen_on(const char *target, struct sockaddr_storage *ss, int *fdp)
{
    char *error = parse_target(target, ss);
    if (error) {
        return error;
    }
    int fd = socket(ss->ss_family, SOCK_STREAM, 0);
    if (fd < 0) {
        return xasprintf("--metrics=%s: cannot listen: %s", target,
                         ovs_strerror(errno));
    }
    int on = 1;
    socklen_t len = ss->ss_family == AF_INET ? sizeof(struct sockaddr_in)
                                             : sizeof(struct sockaddr_in6);
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on)
        || bind(fd, (struct sockaddr *) ss, len)
        || listen(fd, 64)
        || set_nonblocking(fd)
        || getsockname(fd, (struct sockaddr *) ss, &len)) {
        error = xasprintf("--metrics=%s: cannot listen: %s", target,
                          ovs_strerror(errno));
        close(fd);
        return error;
    }
    *fdp = fd;
    return NULL;
}

/* Starts serving on 'target' (ptcp:PORT[:IP]; port 0 picks a free one) in
 * a thread of its own.  Returns NULL and stores the server in '*hp', or
 * returns a one-line error message (to free). */
char *
metrics_http_open(const char *target, struct metrics_http **hp)
{
    struct sockaddr_storage ss;
    int fd = -1;
    char *error = listen_on(target, &ss, &fd);
    if (error) {
        *hp = NULL;
        return error;
    }

    static struct ovsthread_once once = OVSTHREAD_ONCE_INITIALIZER;
    if (ovsthread_once_start(&once)) {
        evthread_use_pthreads();
        ovsthread_once_done(&once);
    }

    struct metrics_http *h = xzalloc(sizeof *h);
    struct ds name = DS_EMPTY_INITIALIZER;
    ds_put_format(&name, "ptcp:%"PRIu16":", ss_get_port(&ss));
    ss_format_address(&ss, &name);
    h->name = ds_steal_cstr(&name);
    ovs_mutex_init(&h->mutex);
    h->want = seq_create();
    h->want_seen = seq_read(h->want);
    h->conns = xmalloc(METRICS_HTTP_MAX_CONNS * sizeof *h->conns);

    h->base = event_base_new();
    h->http = h->base ? evhttp_new(h->base) : NULL;
    if (!h->http) {
        ovs_fatal(0, "%s: cannot start the HTTP server", h->name);
    }
    evhttp_set_max_headers_size(h->http, METRICS_HTTP_MAX_HEADERS);
    evhttp_set_max_body_size(h->http, METRICS_HTTP_MAX_BODY);
    evhttp_set_timeout(h->http, METRICS_HTTP_TIMEOUT_SEC);
    /* Any method reaches request_cb, which answers 405 (evhttp's own
     * filter would answer 501). */
    evhttp_set_allowed_methods(h->http, 0xffff);
    evhttp_set_gencb(h->http, request_cb, h);
    evhttp_set_bevcb(h->http, new_conn_cb, h);
    struct evhttp_bound_socket *bound
        = evhttp_accept_socket_with_handle(h->http, fd);
    if (!bound) {
        ovs_fatal(0, "%s: cannot start the HTTP server", h->name);
    }
    h->listener = evhttp_bound_socket_get_listener(bound);

    struct timeval second = { .tv_sec = 1 };
    h->reap_timer = event_new(h->base, -1, EV_PERSIST, reap_timer_cb, h);
    event_add(h->reap_timer, &second);
    h->wait_timer = evtimer_new(h->base, wait_timer_cb, h);
    h->published = event_new(h->base, -1, 0, published_cb, h);

    VLOG_INFO("%s: serving metrics", h->name);
    h->thread = ovs_thread_create("metrics_http", http_thread, h);
    *hp = h;
    return NULL;
}

/* Stops the HTTP thread and frees 'h'. */
void
metrics_http_close(struct metrics_http *h)
{
    if (!h) {
        return;
    }
    event_base_loopbreak(h->base);
    xpthread_join(h->thread, NULL);

    for (size_t i = 0; i < h->n_pending; i++) {
        evhttp_send_error(h->pending[i].req, 503, "shutting down");
    }
    free(h->pending);
    evhttp_free(h->http);
    for (size_t i = 0; i < h->n_conns; i++) {
        bufferevent_decref(h->conns[i]);
    }
    free(h->conns);
    event_free(h->reap_timer);
    event_free(h->wait_timer);
    event_free(h->published);
    event_base_free(h->base);
    snapshot_unref(h->snap);
    seq_destroy(h->want);
    ovs_mutex_destroy(&h->mutex);
    free(h->name);
    free(h);
}

/* The address 'h' listens on, as ptcp:PORT:IP. */
const char *
metrics_http_get_name(const struct metrics_http *h)
{
    return h->name;
}

/* Does a client wait for a fresher snapshot than the last one? */
bool
metrics_http_wanted(const struct metrics_http *h)
{
    return seq_read(h->want) != h->want_seen;
}

/* Publishes 'text' (whose contents it takes), and the health verdict
 * 'healthy' with its one-line explanation 'health', and answers the
 * clients that waited for them.  Called by the main loop only. */
void
metrics_http_publish(struct metrics_http *h, struct ds *text, bool healthy,
                     const char *health)
{
    struct snapshot *s = xmalloc(sizeof *s);
    ovs_refcount_init(&s->ref);
    s->len = text->length;
    s->text = ds_steal_cstr(text);
    s->healthy = healthy;
    s->health = xstrdup(health);
    s->when = time_msec();

    h->want_seen = seq_read(h->want);
    ovs_mutex_lock(&h->mutex);
    struct snapshot *old = h->snap;
    h->snap = s;
    ovs_mutex_unlock(&h->mutex);
    snapshot_unref(old);
    event_active(h->published, 0, 0);
}

/* Wakes the main loop when a client wants a fresh snapshot. */
void
metrics_http_wait(const struct metrics_http *h)
{
    seq_wait(h->want, h->want_seen);
}
