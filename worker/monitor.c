/* worker/monitor.c - MONITOR across workers (see monitor.h).
 *
 * Process-private: the list of this worker's monitor clients, in the order they
 * started monitoring, to which arriving lines are copied. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "conf/shared.h"
#include "keyspace/inbox.h"
#include "shm/lock.h"
#include "shm/undo.h"
#include "util/repr.h"
#include "worker/introspect.h"
#include "worker/redact.h"
#include "worker/registry.h"
#include "worker/worker.h"

static struct client **local;
static size_t nlocal, local_cap;

char *monitor_format_line(int64_t sec, int64_t usec, int dbid, const char *origin,
                          int argc, const char **argv, const size_t *argvlen, size_t *len)
{
    char head[128 + 1024];
    int hlen = snprintf(head, sizeof(head), "+%lld.%06lld [%d %s]", (long long)sec, (long long)usec, dbid,
                        origin);
    size_t size = (size_t)hlen + 2;
    for (int i = 0; i < argc; i++)
        size += 1 + (redact_arg(argc, argv, argvlen, i) ? sizeof(REDACTED) + 1 : repr_size(argv[i], argvlen[i]));
    char *line = malloc(size), *p = line;
    if (!line)
        return NULL;
    memcpy(p, head, (size_t)hlen);
    p += hlen;
    for (int i = 0; i < argc; i++) {
        *p++ = ' ';
        p = redact_arg(argc, argv, argvlen, i) ? repr_write(p, REDACTED, sizeof(REDACTED) - 1)
                                               : repr_write(p, argv[i], argvlen[i]);
    }
    memcpy(p, "\r\n", 2);
    *len = (size_t)(p + 2 - line);
    return line;
}

/* Appends the line to the inbox of every worker that has monitors (inside a write). */
static void broadcast(int dbid, const char *origin, int argc, const char **argv, const size_t *argvlen)
{
    struct timeval tv;
    size_t len;
    gettimeofday(&tv, NULL);
    char *line = monitor_format_line(tv.tv_sec, tv.tv_usec, dbid, origin, argc, argv, argvlen, &len);
    if (!line)
        return;
    for (uint32_t w = 0; w < shm_header()->nworkers; w++)
        if (introspect->monitor.per_slot[w])
            inbox_push((int)w, 0, INBOX_MONITOR, line, len);
    free(line);
}

void monitor_feed(const struct client *c, int argc, const char **argv, const size_t *argvlen)
{
    char origin[CONF_PATH_MAX + 8];
    if (c->flags & CLIENT_UNIX)
        snprintf(origin, sizeof(origin), "unix:%s", conf_shared()->unixsocket);
    else
        snprintf(origin, sizeof(origin), "%s", c->addr);
    broadcast(c->dbid, origin, argc, argv, argvlen);
}

void monitor_feed_script(int dbid, int argc, const char **argv, const size_t *argvlen)
{
    broadcast(dbid, "lua", argc, argv, argvlen);
}

void monitor_deliver(const char *line, size_t len)
{
    for (size_t i = 0; i < nlocal; i++) {
        reply_raw(&local[i]->out, line, len);
        worker_schedule(local[i]);
    }
}

static void count_slot(int slot, int delta)
{
    UNDO_SET(introspect->monitor.per_slot[slot], introspect->monitor.per_slot[slot] + (uint32_t)delta);
    UNDO_SET(introspect->monitor.total, introspect->monitor.total + (uint32_t)delta);
}

/* MONITOR */
void monitor_command(struct cmd_ctx *c)
{
    struct client *cl = c->client;
    if (cl->flags & CLIENT_MONITOR)
        return;                             /* already monitoring: no reply, as Redis */
    if (nlocal == local_cap) {
        size_t cap = local_cap ? local_cap * 2 : 8;
        struct client **grown = realloc(local, cap * sizeof(*grown));
        if (!grown) {
            reply_error(c->reply, "ERR out of memory");
            return;
        }
        local = grown;
        local_cap = cap;
    }
    count_slot(c->slot, 1);
    local[nlocal++] = cl;
    cl->flags |= CLIENT_MONITOR;
    cl->record->flags |= CLIENT_MONITOR;
    reply_ok(c->reply);
}

static void stop_locked(void *arg)
{
    count_slot(worker.slot, -1);
}

void monitor_stop(struct client *c)
{
    size_t i = 0;
    while (i < nlocal && local[i] != c)
        i++;
    if (i == nlocal)
        return;
    memmove(local + i, local + i + 1, (nlocal - i - 1) * sizeof(*local));
    nlocal--;
    c->flags &= ~CLIENT_MONITOR;
    c->record->flags &= ~CLIENT_MONITOR;
    introspect_locked_write(stop_locked, NULL);
}

void monitor_clear_slot(int slot)
{
    if (introspect->monitor.per_slot[slot])
        count_slot(slot, -(int)introspect->monitor.per_slot[slot]);
}
