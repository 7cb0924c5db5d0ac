/* bench/pubsub_bench.c - Pub/Sub throughput of any RESP server: one publisher
 * connection PUBLISHes numbered messages (pipelined) to one channel that S subscriber
 * connections listen to; the result is messages received per second, over all
 * subscribers, from the first PUBLISH to the last message received.  Subscribers
 * check that each one gets every message once and in publish order.
 *
 *   pubsub_bench [-h host] [-p port] [-s subscribers,...] [-n messages] [-d bytes]
 *                [-P pipeline] [-t timeout-seconds]
 *
 * Default: -s 1,50 (one run per count), -n 100000, -d 16, -P 64.  Connections are
 * opened one after another, each from the next CPU this process may use (the
 * subscribers first, then the publisher), so where the server hands a connection to
 * the worker of the CPU it comes from (Ferrous, SO_INCOMING_CPU) they spread over the
 * worker processes.  The publisher (hiredis) runs in its own thread; one thread
 * polls every subscriber socket and scans the pushes in place: it expects nothing but
 * RESP2 "message" pushes and needs no allocation per message, so the server, not the
 * parsing of its output, sets the rate (hiredis's reader made this thread the limit,
 * whichever server it measured).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "util/cpuset.h"

#define CHANNEL "pubsub-bench"

struct options {
    const char *host;
    int port;
    long messages;
    int size;
    int pipeline;
    int timeout_s;
};

struct publisher {
    redisContext *ctx;
    const struct options *opt;
    long expected_receivers;
    int failed;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A connection made from the turn-th allowed CPU (the thread's affinity restored after). */
static redisContext *connect_or_die(const struct options *opt, int turn)
{
    cpu_set_t allowed;
    int pinned = sched_getaffinity(0, sizeof(allowed), &allowed) == 0 && CPU_COUNT(&allowed) > 1;
    if (pinned) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpuset_nth(&allowed, turn), &one);
        sched_setaffinity(0, sizeof(one), &one);
    }
    redisContext *c = redisConnect(opt->host, opt->port);
    if (pinned)
        sched_setaffinity(0, sizeof(allowed), &allowed);
    if (!c || c->err) {
        fprintf(stderr, "connect %s:%d: %s\n", opt->host, opt->port, c ? c->errstr : "out of memory");
        exit(1);
    }
    return c;
}

/* The message numbered seq, padded with 'x' to size bytes (at least its digits). */
static int format_message(char *buf, size_t cap, long seq, int size)
{
    int n = snprintf(buf, cap, "%ld:", seq);
    while (n < size && (size_t)n < cap - 1)
        buf[n++] = 'x';
    buf[n] = '\0';
    return n;
}

static void *publish_all(void *arg)
{
    struct publisher *p = arg;
    const struct options *opt = p->opt;
    char *msg = malloc((size_t)opt->size + 32);
    for (long sent = 0, acked = 0; acked < opt->messages;) {
        while (sent < opt->messages && sent - acked < opt->pipeline) {
            int len = format_message(msg, (size_t)opt->size + 32, sent++, opt->size);
            redisAppendCommand(p->ctx, "PUBLISH %s %b", CHANNEL, msg, (size_t)len);
        }
        redisReply *r;
        if (redisGetReply(p->ctx, (void **)&r) != REDIS_OK) {
            fprintf(stderr, "publisher: %s\n", p->ctx->errstr);
            p->failed = 1;
            break;
        }
        if (r->type != REDIS_REPLY_INTEGER || r->integer != p->expected_receivers) {
            fprintf(stderr, "publisher: PUBLISH replied %lld (type %d), expected %ld receivers\n",
                    r->type == REDIS_REPLY_INTEGER ? r->integer : -1, r->type, p->expected_receivers);
            p->failed = 1;
        }
        freeReplyObject(r);
        acked++;
    }
    free(msg);
    return NULL;
}

/* A subscriber's socket and the bytes read from it that do not yet make a message. */
struct subscriber {
    int fd;
    long next_seq;
    size_t len;
    char buf[1 << 16];
};

/* Parses "$<n>\r\n<n bytes>\r\n" at p (end e): the payload's start and length, and
 * where the bulk ends; 0 when incomplete, -1 when malformed. */
static int parse_bulk(const char *p, const char *e, const char **data, long *n, const char **after)
{
    if (p >= e)
        return 0;
    if (*p != '$')
        return -1;
    const char *eol = memchr(p, '\r', (size_t)(e - p));
    if (!eol || eol + 1 >= e)
        return 0;
    char *digits_end;
    *n = strtol(p + 1, &digits_end, 10);
    if (digits_end != eol || eol[1] != '\n' || *n < 0)
        return -1;
    *data = eol + 2;
    if (e - *data < *n + 2)
        return 0;
    if ((*data)[*n] != '\r' || (*data)[*n + 1] != '\n')
        return -1;
    *after = *data + *n + 2;
    return 1;
}

/* Consumes the complete ["message", channel, "<seq>:xxx"] pushes at the front of the
 * buffer, checking each is the next one; their count, or -1 on anything else. */
static long consume_messages(struct subscriber *s)
{
    static const char head[] = "*3\r\n$7\r\nmessage\r\n";
    const char *p = s->buf, *e = s->buf + s->len;
    long n = 0;
    for (;;) {
        size_t have = (size_t)(e - p);
        if (have < sizeof(head) - 1) {
            if (memcmp(p, head, have) != 0)
                return -1;
            break;
        }
        if (memcmp(p, head, sizeof(head) - 1) != 0)
            return -1;
        const char *channel, *payload, *q;
        long channel_len, payload_len;
        int rc = parse_bulk(p + sizeof(head) - 1, e, &channel, &channel_len, &q);
        if (rc == 1)
            rc = parse_bulk(q, e, &payload, &payload_len, &q);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
        if (channel_len != (long)strlen(CHANNEL) || memcmp(channel, CHANNEL, (size_t)channel_len) != 0 ||
            strtol(payload, NULL, 10) != s->next_seq)
            return -1;
        s->next_seq++;
        n++;
        p = q;
    }
    s->len = (size_t)(e - p);
    memmove(s->buf, p, s->len);
    return n;
}

/* Reads what the socket has and counts the complete messages; -1 on error. */
static long drain_subscriber(struct subscriber *s)
{
    ssize_t r = read(s->fd, s->buf + s->len, sizeof(s->buf) - s->len);
    if (r < 0 && errno == EINTR)
        return 0;
    if (r <= 0) {
        fprintf(stderr, "subscriber: %s\n", r ? strerror(errno) : "connection closed");
        return -1;
    }
    s->len += (size_t)r;
    long n = consume_messages(s);
    if (n < 0)
        fprintf(stderr, "subscriber: unexpected or out-of-order message (wanted %ld)\n", s->next_seq);
    return n;
}

/* Polls every subscriber until each got all messages; returns messages received. */
static long receive_all(struct subscriber *subs, int nsubs, const struct options *opt, double deadline)
{
    struct pollfd *pfd = calloc((size_t)nsubs, sizeof(*pfd));
    long total = 0, want = opt->messages * nsubs;
    for (int i = 0; i < nsubs; i++)
        pfd[i] = (struct pollfd){ .fd = subs[i].fd, .events = POLLIN };
    while (total < want && now_s() < deadline) {
        if (poll(pfd, (nfds_t)nsubs, 100) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < nsubs; i++) {
            if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            long n = drain_subscriber(&subs[i]);
            if (n < 0) {
                fprintf(stderr, "subscriber %d failed\n", i);
                free(pfd);
                return total;
            }
            total += n;
        }
    }
    free(pfd);
    return total;
}

/* A connection subscribed to CHANNEL, its socket handed to a subscriber; 0 on error. */
static redisContext *subscribe(const struct options *opt, int turn, struct subscriber *s)
{
    redisContext *c = connect_or_die(opt, turn);
    redisReply *r = redisCommand(c, "SUBSCRIBE %s", CHANNEL);
    int ok = r && r->type == REDIS_REPLY_ARRAY && r->elements == 3 && c->reader->pos == c->reader->len;
    if (r)
        freeReplyObject(r);
    if (!ok) {
        redisFree(c);
        return NULL;
    }
    *s = (struct subscriber){ .fd = c->fd };
    return c;
}

/* One run with nsubs subscribers; returns 0 when every message arrived. */
static int run(const struct options *opt, int nsubs)
{
    redisContext **conns = calloc((size_t)nsubs, sizeof(*conns));
    struct subscriber *subs = malloc((size_t)nsubs * sizeof(*subs));
    for (int i = 0; i < nsubs; i++) {
        conns[i] = subscribe(opt, i, &subs[i]);
        if (!conns[i]) {
            fprintf(stderr, "SUBSCRIBE failed on subscriber %d\n", i);
            return 1;
        }
    }
    struct publisher p = { connect_or_die(opt, nsubs), opt, nsubs, 0 };
    pthread_t th;
    double start = now_s();
    pthread_create(&th, NULL, publish_all, &p);
    long got = receive_all(subs, nsubs, opt, start + opt->timeout_s);
    double end = now_s();
    pthread_join(th, NULL);
    long want = opt->messages * nsubs;
    printf("subscribers=%d messages=%ld size=%d pipeline=%d: received %ld/%ld in %.3f s, %.0f msg/s received\n",
           nsubs, opt->messages, opt->size, opt->pipeline, got, want, end - start, got / (end - start));
    redisFree(p.ctx);
    for (int i = 0; i < nsubs; i++)
        redisFree(conns[i]);
    free(conns);
    free(subs);
    return got != want || p.failed;
}

static void usage(void)
{
    fprintf(stderr, "usage: pubsub_bench [-h host] [-p port] [-s subscribers,...] [-n messages] [-d bytes]\n"
                    "                    [-P pipeline] [-t timeout-seconds]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    struct options opt = { "127.0.0.1", 6379, 100000, 16, 64, 60 };
    const char *counts = "1,50";
    int ch;
    while ((ch = getopt(argc, argv, "h:p:s:n:d:P:t:")) != -1) {
        switch (ch) {
        case 'h': opt.host = optarg; break;
        case 'p': opt.port = atoi(optarg); break;
        case 's': counts = optarg; break;
        case 'n': opt.messages = atol(optarg); break;
        case 'd': opt.size = atoi(optarg); break;
        case 'P': opt.pipeline = atoi(optarg); break;
        case 't': opt.timeout_s = atoi(optarg); break;
        default: usage();
        }
    }
    if (opt.messages <= 0 || opt.size < 0 || opt.pipeline <= 0 || opt.timeout_s <= 0)
        usage();
    int failed = 0;
    for (const char *p = counts; *p;) {
        int n = atoi(p);
        if (n <= 0)
            usage();
        failed |= run(&opt, n);
        p += strcspn(p, ",");
        p += *p == ',';
    }
    return failed;
}
