/* worker/monitor.c - MONITOR across workers.
 *
 * Every command a monitor should see is turned into Redis's line
 *   +1339518083.107412 [0 127.0.0.1:60866] "keys" "*"\r\n
 * by the worker that ran it, right after it ran and still holding the keyspace lock,
 * and appended (INBOX_MONITOR) to the inbox of every worker that has monitors; that
 * worker copies it to each of its monitor clients.  Because lines are appended under
 * the lock, every monitor sees the commands of all workers in execution order.  The
 * commands EXEC runs and those a script runs ("[db lua]") are fed as they run, through
 * the call hooks (types/call.h, worker/introspect.c): as in Redis 7.0, EXEC's line
 * follows its commands' and EVAL's / FCALL's precedes its script's.
 *
 * Shared state (struct monitor_shared, in struct introspect): how many monitors each
 * worker slot has and their total, changed under the lock inside a write (MONITOR,
 * a monitor's disconnection, a respawned worker clearing its dead predecessor's).  The
 * dispatcher reads 'total' without the lock to skip all this when nobody monitors.
 */
#ifndef WORKER_MONITOR_H
#define WORKER_MONITOR_H

#include <stddef.h>
#include <stdint.h>
#include "shm/arena.h"
#include "types/command.h"
#include "worker/client.h"

struct monitor_shared {
    uint32_t total;                     /* read without the lock: __atomic_load_n */
    uint32_t per_slot[SHM_MAX_WORKERS];
};

/* The line MONITOR shows for a command: "+<sec>.<usec> [<db> <origin>] "arg" ...\r\n",
 * each argument quoted as Redis's sdscatrepr, sensitive ones "(redacted)" (redact.h).
 * origin: the client's address, "unix:<socket path>", or "lua".  Returns a malloc'd
 * buffer of *len bytes, NULL when out of memory. */
char *monitor_format_line(int64_t sec, int64_t usec, int dbid, const char *origin,
                          int argc, const char **argv, const size_t *argvlen, size_t *len);

/* Feeds a command a client ran to every monitor (lock held; opens its own write unless
 * inside one).  The caller checked introspect->monitor.total and the command's flags. */
void monitor_feed(const struct client *c, int argc, const char **argv, const size_t *argvlen);
/* The same for a command a script ran ("[db lua]"), inside the script's write. */
void monitor_feed_script(int dbid, int argc, const char **argv, const size_t *argvlen);

/* MONITOR (the command; its table entry is in introspect.c). */
void monitor_command(struct cmd_ctx *c);

/* An INBOX_MONITOR message reached this worker: copies it to its monitor clients. */
void monitor_deliver(const char *line, size_t len);
/* A monitor client is going away (or leaves monitor mode): takes the lock unless this
 * process holds it, inside a write then. */
void monitor_stop(struct client *c);
/* A respawned worker forgets its slot's monitors (inside a write). */
void monitor_clear_slot(int slot);
#endif
