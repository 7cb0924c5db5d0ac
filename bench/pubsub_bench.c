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
 * opened one after another, so with SO_REUSEPORT listeners (Ferrous) they spread over
 * the worker processes.  The publisher runs in its own thread; one thread polls every
 * subscriber socket and parses the pushes with hiredis's reader.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

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

static redisContext *connect_or_die(const struct options *opt)
{
    redisContext *c = redisConnect(opt->host, opt->port);
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

static int subscribe(redisContext *c)
{
    redisReply *r = redisCommand(c, "SUBSCRIBE %s", CHANNEL);
    int ok = r && r->type == REDIS_REPLY_ARRAY && r->elements == 3;
    if (r)
        freeReplyObject(r);
    return ok;
}

/* Checks one pushed message: ["message", channel, "<seq>:xxx"], seq the next one. */
static int check_message(const redisReply *r, long *next_seq)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 || r->element[2]->type != REDIS_REPLY_STRING ||
        strcmp(r->element[0]->str, "message") != 0)
        return 0;
    long seq = strtol(r->element[2]->str, NULL, 10);
    if (seq != *next_seq)
        return 0;
    (*next_seq)++;
    return 1;
}

/* Reads what the socket has and counts the complete messages; -1 on error. */
static long drain_subscriber(redisContext *c, long *next_seq)
{
    long n = 0;
    if (redisBufferRead(c) != REDIS_OK)
        return -1;
    for (;;) {
        redisReply *r;
        if (redisGetReplyFromReader(c, (void **)&r) != REDIS_OK)
            return -1;
        if (!r)
            return n;
        int ok = check_message(r, next_seq);
        freeReplyObject(r);
        if (!ok) {
            fprintf(stderr, "subscriber: unexpected or out-of-order message (wanted %ld)\n", *next_seq);
            return -1;
        }
        n++;
    }
}

/* Polls every subscriber until each got all messages; returns messages received. */
static long receive_all(redisContext **subs, int nsubs, const struct options *opt, double deadline)
{
    struct pollfd *pfd = calloc((size_t)nsubs, sizeof(*pfd));
    long *next = calloc((size_t)nsubs, sizeof(*next));
    long total = 0, want = opt->messages * nsubs;
    for (int i = 0; i < nsubs; i++)
        pfd[i] = (struct pollfd){ .fd = subs[i]->fd, .events = POLLIN };
    while (total < want && now_s() < deadline) {
        if (poll(pfd, (nfds_t)nsubs, 100) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < nsubs; i++) {
            if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            long n = drain_subscriber(subs[i], &next[i]);
            if (n < 0) {
                fprintf(stderr, "subscriber %d: %s\n", i, subs[i]->err ? subs[i]->errstr : "bad message");
                free(pfd);
                free(next);
                return total;
            }
            total += n;
        }
    }
    free(pfd);
    free(next);
    return total;
}

/* One run with nsubs subscribers; returns 0 when every message arrived. */
static int run(const struct options *opt, int nsubs)
{
    redisContext **subs = calloc((size_t)nsubs, sizeof(*subs));
    for (int i = 0; i < nsubs; i++) {
        subs[i] = connect_or_die(opt);
        if (!subscribe(subs[i])) {
            fprintf(stderr, "SUBSCRIBE failed on subscriber %d\n", i);
            return 1;
        }
    }
    struct publisher p = { connect_or_die(opt), opt, nsubs, 0 };
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
        redisFree(subs[i]);
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
