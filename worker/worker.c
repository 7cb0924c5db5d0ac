/* worker/worker.c - a worker process's event loop.
 *
 * One epoll loop per worker.  Each round:
 *   1. read every readable client socket (no lock held);
 *   2. take the keyspace lock once, run every complete command of every client read
 *      in this round (replies go to the clients' private buffers), release the lock;
 *   3. write the replies.
 * So the lock is taken once per batch of clients and pipelined commands, and a reply
 * leaves the process only after its write committed.
 * Each worker polls its own SO_REUSEPORT listening sockets (master/listen.h); the
 * unix socket is shared with EPOLLEXCLUSIVE, so a new connection wakes one worker.
 * The eventfd of this worker's slot carries requests from other workers (CLIENT KILL);
 * a timerfd drives the cron at `hz`.
 * With nothing to run, the worker waits through worker/idle.h, which naps briefly
 * instead of blocking while the load makes that pay.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "conf/shared.h"
#include "keyspace/blocking.h"
#include "keyspace/db.h"
#include "keyspace/inbox.h"
#include "keyspace/lfu.h"
#include "keyspace/watch.h"
#include "keyspace/pubsub.h"
#include "lua/script.h"
#include "types/block.h"
#include "types/call.h"
#include "shm/lock.h"
#include "shm/undo.h"
#include "util/log.h"
#include "util/rand.h"
#include "worker/client_map.h"
#include "worker/cmd_pubsub.h"
#include "worker/cron.h"
#include "worker/cmd_reset.h"
#include "worker/dispatch.h"
#include "worker/idle.h"
#include "worker/multi.h"
#include "worker/introspect.h"
#include "worker/obuf_limit.h"
#include "worker/registry.h"
#include "worker/worker.h"

struct worker worker;
static struct worker_params params;
static struct idle_policy idle;
static volatile sig_atomic_t got_sigterm;

/* epoll data: small integers for the fixed fds, client pointers otherwise */
enum { EV_TIMER = 1, EV_EVENTFD = 2, EV_LISTEN_BASE = 16, EV_LISTEN_UNIX = 15 };
#define EV_IS_FIXED(u) ((u) < 64)

struct conf_values *worker_conf(void) { return conf_shared(); }

static void on_sigterm(int sig) { got_sigterm = 1; }

int worker_stop_requested(void) { return got_sigterm; }

static void epoll_add(int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = { .events = events, .data.u64 = data };
    if (epoll_ctl(worker.epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        log_msg(LOG_WARNING, "epoll_ctl(ADD, %d) failed: %s", fd, strerror(errno));
        exit(1);
    }
}

void worker_want_write(struct client *c, int on)
{
    if (!!(c->flags & CLIENT_WANT_WRITE) == !!on)
        return;
    struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c };
    epoll_ctl(worker.epfd, EPOLL_CTL_MOD, c->fd, &ev);
    c->flags = on ? (c->flags | CLIENT_WANT_WRITE) : (c->flags & ~CLIENT_WANT_WRITE);
}

static void format_addr(int fd, int is_unix, int local, char *buf, size_t len)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    int rc = local ? getsockname(fd, (struct sockaddr *)&ss, &sl) : getpeername(fd, (struct sockaddr *)&ss, &sl);
    if (rc != 0 || is_unix) {
        const char *path = "";
        if (rc == 0 && is_unix && local)
            path = ((struct sockaddr_un *)&ss)->sun_path;
        snprintf(buf, len, "%.50s:0", path);
        return;
    }
    char ip[INET6_ADDRSTRLEN];
    int port;
    if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
        port = ntohs(s6->sin6_port);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
        port = ntohs(s4->sin_port);
    }
    snprintf(buf, len, "%s:%d", ip, port);
}

static uint64_t connected_clients_total(void)
{
    uint64_t n = 0;
    for (uint32_t i = 0; i < shm_header()->nworkers; i++)
        n += shm_header()->workers[i].connected_clients;
    return n;
}

static void refuse(int fd, const char *msg)
{
    ssize_t w = write(fd, msg, strlen(msg));
    (void)w;
    close(fd);
    worker.shm->rejected_connections++;
}

static void setup_socket(int fd, int is_unix)
{
    int one = 1;
    if (!is_unix) {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        int idle = (int)worker_conf()->tcp_keepalive;
        if (idle > 0) {
            int intvl = idle / 3 ? idle / 3 : 1, cnt = 3;
            setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
            setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
            setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
            setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
        }
    }
}

static void accept_one(int fd, int is_unix)
{
    if (connected_clients_total() >= (uint64_t)worker_conf()->maxclients) {
        refuse(fd, "-ERR max number of clients reached\r\n");
        return;
    }
    uint64_t id = __atomic_fetch_add(&shm_header()->next_client_id, 1, __ATOMIC_RELAXED);
    struct client_record *rec = registry_claim(id, worker.slot);
    struct client *c = rec ? client_create(fd, is_unix) : NULL;
    if (!c) {
        if (rec)
            __atomic_store_n(&rec->id, 0, __ATOMIC_RELEASE);
        refuse(fd, "-ERR max number of clients reached\r\n");
        return;
    }
    setup_socket(fd, is_unix);
    c->id = id;
    c->record = rec;
    c->authenticated = worker_conf()->requirepass[0] == '\0';
    c->created_ms = c->last_interaction_ms = db_wall_ms();
    format_addr(fd, is_unix, 0, c->addr, sizeof(c->addr));
    format_addr(fd, is_unix, 1, c->laddr, sizeof(c->laddr));
    rec->fd = fd;
    rec->dbid = 0;
    rec->resp = 2;
    rec->sub = rec->psub = rec->ssub = 0;
    rec->obuf_soft_since_ms = 0;
    rec->flags = c->flags;
    rec->created_ms = c->created_ms;
    rec->last_ms = c->created_ms;
    snprintf(rec->addr, sizeof(rec->addr), "%s", c->addr);
    snprintf(rec->laddr, sizeof(rec->laddr), "%s", c->laddr);
    c->next = worker.clients;
    if (worker.clients)
        worker.clients->prev = c;
    worker.clients = c;
    client_map_put(c);
    worker.nclients++;
    worker.shm->connected_clients = worker.nclients;
    worker.shm->connections_received++;
    epoll_add(fd, EPOLLIN, (uint64_t)(uintptr_t)c);
}

static void accept_all(int lfd, int is_unix)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                log_msg(LOG_WARNING, "Accepting client connection: %s", strerror(errno));
            return;
        }
        accept_one(fd, is_unix);
    }
}

static void batch_add(struct client *c);

static void batch_remove(struct client *c)
{
    for (struct client **p = &worker.batch; *p; p = &(*p)->batch_next)
        if (*p == c) {
            *p = c->batch_next;
            return;
        }
}

/* Ends a client's blocked state; cancel: its waiter is still in the arena (timeout,
 * disconnect) and is removed - inside a write. */
static void unblock(struct client *c, int cancel)
{
    if (cancel)
        block_cancel(c->block_waiter);
    c->flags &= ~CLIENT_BLOCKED;
    c->block_waiter = 0;
    worker.nblocked--;
}

/* Appends a published message to its receivers' output buffers, in the form of each
 * one's protocol (RESP2: an array, RESP3: a push); a receiver over its output buffer
 * limit is closed. */
/* The receivers of the last delivery of the current drain: messages to one channel
 * follow each other naming the same clients, found once.  Valid within one drain (no
 * client is freed during it). */
#define MEMO_RECEIVERS 256
static struct {
    uint32_t n;
    uint64_t ids[MEMO_RECEIVERS];
    struct client *clients[MEMO_RECEIVERS];
} memo;

static struct client *const *receivers(const struct pubsub_delivery *d)
{
    if (d->nids > MEMO_RECEIVERS)
        return NULL;
    if (d->nids != memo.n || memcmp(d->ids, memo.ids, d->nids * sizeof(uint64_t)) != 0) {
        memcpy(memo.ids, d->ids, d->nids * sizeof(uint64_t));
        for (uint32_t i = 0; i < d->nids; i++)
            memo.clients[i] = client_map_get(d->ids[i]);
        memo.n = d->nids;
    }
    return memo.clients;
}

static void deliver_push(const struct pubsub_delivery *d)
{
    const char *payload = pubsub_delivery_payload(d);
    struct client *const *known = receivers(d);
    for (uint32_t i = 0; i < d->nids; i++) {
        struct client *c = known ? known[i] : client_map_get(d->ids[i]);
        if (!c || (c->flags & CLIENT_CLOSE_ASAP))
            continue;
        size_t at = c->out.len;
        reply_raw(&c->out, payload, d->payload_len);
        if (c->resp == 2)
            c->out.buf[at] = '*';
        if (obuf_limit_reached_in(c, CONF_OBUF_PUBSUB))
            c->flags |= CLIENT_CLOSE_ASAP;
        batch_add(c);
    }
}

static void deliver_msg(const struct inbox_msg *msg)
{
    struct client *c;
    if (msg->kind == INBOX_PUSH)
        deliver_push((const struct pubsub_delivery *)msg->data);
    else if (msg->kind == INBOX_MONITOR)
        monitor_deliver(msg->data, msg->len);
    else if ((c = client_map_get(msg->client_id)) && (c->flags & CLIENT_BLOCKED) && msg->kind == INBOX_REPLY) {
        size_t mark = c->out.len;
        reply_raw(&c->out, msg->data, msg->len);
        unblock(c, 0);
        client_reply_filter(c, mark);
        batch_add(c);
    }
}

/* Delivers the committed messages this worker sent itself (no lock needed). */
static void drain_local(void)
{
    if (!inbox_local_pending())
        return;
    memo.n = UINT32_MAX;                /* clients may have gone since the last drain */
    inbox_local_drain(deliver_msg);
}

/* Delivers this worker's messages to its clients, its own first (they were kept
 * private only while the arena inbox was empty, so whatever is there came later: see
 * keyspace/inbox.h); the lock is held. */
static void drain_inbox_locked(void)
{
    drain_local();
    if (!inbox_pending(worker.slot))
        return;
    undo_begin();
    memo.n = UINT32_MAX;
    shm_off_t m = inbox_take(worker.slot);
    while (m) {
        struct inbox_msg *msg = shm_ptr(m);
        deliver_msg(msg);
        shm_off_t next = msg->next;
        inbox_msg_free(m);
        m = next;
    }
    undo_commit();
}

void worker_drain_inbox(int *locked)
{
    if (!*locked) {
        shm_lock_acquire();
        *locked = 1;
    }
    drain_inbox_locked();
}

void worker_block_timeouts(void)
{
    int64_t now = db_wall_ms();
    int due = 0;
    for (struct client *c = worker.clients; c && !due; c = c->next)
        due = (c->flags & CLIENT_BLOCKED) && c->block_deadline_ms && c->block_deadline_ms <= now;
    if (!due)
        return;
    shm_lock_acquire();
    drain_inbox_locked();           /* a waiter served meanwhile gets its reply, not a timeout */
    undo_begin();
    for (struct client *c = worker.clients; c; c = c->next)
        if ((c->flags & CLIENT_BLOCKED) && c->block_deadline_ms && c->block_deadline_ms <= now) {
            unblock(c, 1);
            size_t mark = c->out.len;
            block_reply_timeout(&c->out);
            client_reply_filter(c, mark);
            batch_add(c);
        }
    undo_commit();
    shm_lock_release();
}

/* epoll_wait's timeout: until the nearest blocked client's deadline. */
static int next_timeout_ms(void)
{
    if (!worker.nblocked)
        return -1;
    int64_t now = db_wall_ms(), next = -1;
    for (struct client *c = worker.clients; c; c = c->next)
        if ((c->flags & CLIENT_BLOCKED) && c->block_deadline_ms &&
            (next < 0 || c->block_deadline_ms < next))
            next = c->block_deadline_ms;
    if (next < 0)
        return -1;
    return next <= now ? 0 : (int)(next - now);
}

/* Frees the client; its registry record is released under the lock. */
void worker_close_client(struct client *c)
{
    introspect_client_gone(c);
    epoll_ctl(worker.epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    client_map_del(c->id);
    if (c->prev)
        c->prev->next = c->next;
    else
        worker.clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    worker.nclients--;
    worker.shm->connected_clients = worker.nclients;
    if (c->record->name || (c->flags & CLIENT_BLOCKED) || pubsub_client_subscribed(c) || multi_watching(c)) {
        shm_lock_acquire();
        if (c->flags & CLIENT_BLOCKED)
            drain_inbox_locked();
        multi_unwatch_locked(c);
        undo_begin();
        if (c->flags & CLIENT_BLOCKED)
            unblock(c, 1);
        pubsub_client_gone(c->id);
        registry_release(c->record);
        undo_commit();
        shm_lock_release();
    } else {
        __atomic_store_n(&c->record->id, 0, __ATOMIC_RELEASE);
    }
    if (c->flags & CLIENT_IN_BATCH)
        batch_remove(c);
    multi_free(c);
    client_free(c);
}

static void batch_add(struct client *c)
{
    if (c->flags & CLIENT_IN_BATCH)
        return;
    c->flags |= CLIENT_IN_BATCH;
    c->batch_next = worker.batch;
    worker.batch = c;
}

void worker_schedule(struct client *c) { batch_add(c); }

static void on_readable(struct client *c)
{
    long n = client_read(c);
    if (n < 0) {
        c->flags |= CLIENT_CLOSE_ASAP;
        batch_add(c);
        return;
    }
    if (n == 0)
        return;
    worker.shm->net_input_bytes += (uint64_t)n;
    c->last_interaction_ms = db_wall_ms();
    if (c->qlen - c->qpos > (size_t)worker_conf()->client_query_buffer_limit) {
        log_msg(LOG_WARNING, "Closing client that reached max query buffer length (qbuf=%zu)",
                c->qlen - c->qpos);
        c->flags |= CLIENT_CLOSE_ASAP;
    }
    batch_add(c);
}

/* Runs every complete command in the client's query buffer. */
static void process_input(struct client *c, int *locked)
{
    struct request_limits lim = {
        .proto_max_bulk_len = worker_conf()->proto_max_bulk_len,
        .authenticated = c->authenticated,
    };
    char err[128];
    while (!(c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP | CLIENT_BLOCKED | CLIENT_PAUSED)) &&
           c->qpos < c->qlen) {
        size_t consumed = 0;
        int rc = request_parse(&c->req, c->qbuf + c->qpos, c->qlen - c->qpos, &consumed, &lim, err, sizeof(err));
        if (rc == 0)
            break;
        if (rc < 0) {
            reply_errorf(&c->out, "ERR %s", err);
            call_refused(NULL, "ERR", 1);       /* counted as Redis counts it */
            log_msg(LOG_VERBOSE, "Protocol error (%s) from client: id=%llu addr=%s", err,
                    (unsigned long long)c->id, c->addr);
            c->flags |= CLIENT_CLOSE_AFTER_REPLY;
            break;
        }
        size_t reply_mark = c->out.len;
        if (c->req.argc > 0) {
            worker.running = c;
            dispatch_command(c, locked);        /* counts its error replies (types/call.h) */
            worker.running = NULL;
        }
        if (c->flags & CLIENT_PAUSED) {         /* the command waits in the buffer */
            request_reset(&c->req);
            break;
        }
        client_reply_filter(c, reply_mark);
        c->qpos += consumed;
        request_reset(&c->req);
        lim.authenticated = c->authenticated;
    }
}

static void flush_client(struct client *c)
{
    if (c->flags & CLIENT_CLOSE_ASAP) {
        worker_close_client(c);
        return;
    }
    size_t before = c->out.len - c->out_sent;
    int rc = c->out.len ? client_write(c) : 1;
    worker.shm->net_output_bytes += before - (c->out.len - c->out_sent);
    if (rc < 0 || (rc == 1 && (c->flags & CLIENT_CLOSE_AFTER_REPLY)) || (rc == 0 && obuf_limit_reached(c))) {
        worker_close_client(c);
        return;
    }
    worker_want_write(c, rc == 0);
    if (c->record) {
        c->record->last_ms = c->last_interaction_ms;
        c->record->qbuf = c->qlen - c->qpos;
        c->record->qbuf_free = c->qcap - c->qlen;
        c->record->omem = c->out.len - c->out_sent;
    }
}

static void run_batch(void)
{
    int locked = 0;
    /* clients added meanwhile (unblocked by an inbox drain) are at the front: run them
     * too; the messages of the batch's last writes to this worker's clients go out now */
    struct client *from = NULL, *to = NULL;
    do {
        to = from;
        from = worker.batch;
        for (struct client *c = from; c != to; c = c->batch_next)
            if (!(c->flags & CLIENT_CLOSE_ASAP))
                process_input(c, &locked);
        drain_local();
    } while (worker.batch != from);
    if (locked) {
        shm_lock_release();
        inbox_wake();
    }
    struct client *c = worker.batch;
    worker.batch = NULL;
    int served = 0;
    while (c) {
        served++;
        struct client *next = c->batch_next;
        c->flags &= ~CLIENT_IN_BATCH;
        client_compact_query(c);
        flush_client(c);
        c = next;
    }
    idle_served(&idle, served);
}

static void on_eventfd(void)
{
    uint64_t v;
    ssize_t r = read(shm_header()->workers[worker.slot].event_fd, &v, sizeof(v));
    (void)r;
    pause_resume_clients();
    for (struct client *c = worker.clients; c; c = c->next)
        if (c->record->kill) {
            c->flags |= CLIENT_CLOSE_ASAP;
            batch_add(c);
        }
    if (inbox_pending(worker.slot)) {
        int locked = 0;
        worker_drain_inbox(&locked);
        shm_lock_release();
    }
}

void worker_accept_event(uint64_t u)
{
    if (u == EV_LISTEN_UNIX)
        accept_all(params.unix_fd, 1);
    else if (u >= EV_LISTEN_BASE)
        accept_all(params.tcp_fds[u - EV_LISTEN_BASE], 0);
}

static void handle_event(struct epoll_event *ev)
{
    uint64_t u = ev->data.u64;
    if (!EV_IS_FIXED(u)) {
        struct client *c = ev->data.ptr;
        if (ev->events & (EPOLLIN | EPOLLERR | EPOLLHUP))
            on_readable(c);
        else if (ev->events & EPOLLOUT)
            batch_add(c);
        return;
    }
    if (u == EV_TIMER) {
        uint64_t ticks;
        ssize_t r = read(worker.timer_fd, &ticks, sizeof(ticks));
        (void)r;
        cron_tick();
    } else if (u == EV_EVENTFD) {
        on_eventfd();
    } else {
        worker_accept_event(u);
    }
}

static void setup_loop(void)
{
    worker.epfd = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < params.ntcp; i++)
        epoll_add(params.tcp_fds[i], EPOLLIN, EV_LISTEN_BASE + (uint64_t)i);
    if (params.unix_fd >= 0)
        epoll_add(params.unix_fd, EPOLLIN | EPOLLEXCLUSIVE, EV_LISTEN_UNIX);
    epoll_add(shm_header()->workers[worker.slot].event_fd, EPOLLIN, EV_EVENTFD);
    worker.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    long hz = worker_conf()->hz > 0 ? worker_conf()->hz : 10;
    struct itimerspec its = { .it_interval = { 0, 1000000000L / hz }, .it_value = { 0, 1000000000L / hz } };
    timerfd_settime(worker.timer_fd, 0, &its, NULL);
    epoll_add(worker.timer_fd, EPOLLIN, EV_TIMER);
}

/* A worker respawned into a slot first cleans what the dead one left there. */
static void claim_slot(int slot)
{
    worker.slot = slot;
    worker.shm = &shm_header()->workers[slot];
    shm_lock_acquire();
    undo_begin();
    registry_release_slot(slot);
    block_cancel_slot(slot);
    watch_remove_slot(slot);
    pubsub_release_slot(slot);
    for (shm_off_t m = inbox_take(slot), next; m; m = next) {
        next = ((struct inbox_msg *)shm_ptr(m))->next;
        inbox_msg_free(m);
    }
    undo_commit();
    shm_lock_release();
    inbox_set_local_slot(slot);
    worker.shm->connected_clients = 0;
    worker.shm->generation++;
    worker.shm->pid = getpid();
}

__attribute__((noreturn)) static void shutdown_worker(void)
{
    while (worker.clients) {
        struct client *c = worker.clients;
        if (c->out.len > c->out_sent) {
            fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) & ~O_NONBLOCK);
            client_write(c);
        }
        worker_close_client(c);
    }
    worker.shm->pid = 0;
    exit(0);
}

/* keyspace/lfu.h's view of the LFU directives. */
static void read_lfu_config(struct lfu_config *out)
{
    const struct conf_values *v = worker_conf();
    out->enabled = v->maxmemory_policy == CONF_MM_ALLKEYS_LFU || v->maxmemory_policy == CONF_MM_VOLATILE_LFU;
    out->log_factor = v->lfu_log_factor;
    out->decay_time = v->lfu_decay_time;
}

void worker_main(const struct worker_params *p)
{
    params = *p;
    log_set_role('W');
    script_set_busy_hook(worker_busy_poll);
    lfu_set_source(read_lfu_config);
    rand_reseed();
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    struct sigaction sa = { .sa_handler = on_sigterm };
    sigaction(SIGTERM, &sa, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    claim_slot(p->slot);
    script_worker_init(p->slot);
    introspect_worker_init(p->slot);
    setup_loop();
    idle_init();
    struct epoll_event events[256];
    while (!got_sigterm) {
        int n = worker.batch ? epoll_wait(worker.epfd, events, 256, 0)
                             : idle_wait(&idle, worker.epfd, events, 256, next_timeout_ms());
        for (int i = 0; i < n; i++)
            handle_event(&events[i]);
        if (worker.nblocked)
            worker_block_timeouts();
        if (worker.batch || inbox_local_pending())   /* local: writes outside a batch (cron's expiry) */
            run_batch();
        inbox_wake();               /* and their messages to other workers */
    }
    shutdown_worker();
}
