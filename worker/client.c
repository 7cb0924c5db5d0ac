/* worker/client.c - a connection's buffers: reading requests in, writing replies out
 * (see client.h); each read() and write() that moves bytes is counted in the worker's
 * slot (INFO total_reads_processed, total_writes_processed).  Parsed-but-unfinished
 * multibulk arguments point into the query buffer, so whenever the buffer moves
 * (growth, compaction) they are rebased. */
#include <errno.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "worker/client.h"
#include "worker/worker.h"

#define QBUF_CHUNK (16 * 1024)
#define OUT_COMPACT_MIN (16 * 1024)     /* sent bytes worth a move of the rest */

struct client *client_create(int fd, int is_unix)
{
    struct client *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->fd = fd;
    c->resp = 2;
    c->flags = is_unix ? CLIENT_UNIX : 0;
    request_init(&c->req);
    reply_init(&c->out, 2);
    return c;
}

void client_free(struct client *c)
{
    request_free(&c->req);
    reply_free(&c->out);
    free(c->qbuf);
    free(c);
}

/* The parser's arguments of a command still being received point into the old
 * buffer; move them by delta. */
static void rebase_partial_args(struct client *c, intptr_t delta)
{
    if (c->req.type != '*')
        return;
    for (int i = 0; i < c->req.argc; i++)
        c->req.argv[i] = (const char *)((intptr_t)c->req.argv[i] + delta);
}

void client_compact_query(struct client *c)
{
    if (c->qpos == 0)
        return;
    if (c->qpos == c->qlen) {
        c->qpos = c->qlen = 0;
        return;
    }
    rebase_partial_args(c, -(intptr_t)c->qpos);
    memmove(c->qbuf, c->qbuf + c->qpos, c->qlen - c->qpos);
    c->qlen -= c->qpos;
    c->qpos = 0;
}

/* Makes room for want more bytes: compacts, or moves the unparsed bytes into a
 * bigger buffer. */
static int ensure_room(struct client *c, size_t want)
{
    if (c->qcap - c->qlen >= want)
        return 0;
    client_compact_query(c);
    if (c->qcap - c->qlen >= want)
        return 0;
    size_t cap = c->qcap ? c->qcap : QBUF_CHUNK;
    while (cap - c->qlen < want)
        cap *= 2;
    char *nb = malloc(cap);
    if (!nb)
        return -1;
    if (c->qlen)
        memcpy(nb, c->qbuf, c->qlen);
    rebase_partial_args(c, (intptr_t)nb - (intptr_t)c->qbuf);
    free(c->qbuf);
    c->qbuf = nb;
    c->qcap = cap;
    return 0;
}

long client_read(struct client *c)
{
    /* a bulk being received: read it whole if it is big (as Redis does) */
    size_t want = QBUF_CHUNK;
    if (c->req.type == '*' && c->req.bulk_len > QBUF_CHUNK)
        want = (size_t)c->req.bulk_len + 2;
    if (ensure_room(c, want) != 0)
        return -1;
    ssize_t n = read(c->fd, c->qbuf + c->qlen, c->qcap - c->qlen);
    if (n > 0) {
        c->qlen += (size_t)n;
        worker.shm->reads_processed++;
        return n;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
    return -1;
}

/* A reader slower than its replies leaves the buffer never empty: move the unsent
 * part to the front once most of the buffer is sent, so the buffer stops growing
 * (each regrowth copies it and touches fresh pages). */
static void compact_output(struct client *c)
{
    if (c->out_sent < OUT_COMPACT_MIN || c->out_sent < c->out.len / 2)
        return;
    memmove(c->out.buf, c->out.buf + c->out_sent, c->out.len - c->out_sent);
    c->out.len -= c->out_sent;
    c->out_sent = 0;
}

int client_write(struct client *c)
{
    while (c->out_sent < c->out.len) {
        ssize_t n = write(c->fd, c->out.buf + c->out_sent, c->out.len - c->out_sent);
        if (n > 0) {
            c->out_sent += (size_t)n;
            worker.shm->writes_processed++;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            compact_output(c);
            return 0;
        }
        return -1;
    }
    c->out_sent = 0;
    reply_reset(&c->out);
    return 1;
}
