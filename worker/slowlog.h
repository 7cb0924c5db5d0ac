/* worker/slowlog.c - SLOWLOG GET / LEN / RESET / HELP: one log for all workers.
 *
 * The log is a list of arena allocations, newest first, anchored in struct
 * slowlog_shared (in struct introspect).  The worker that ran a command slower than
 * slowlog-log-slower-than microseconds appends it, under the keyspace lock inside a
 * write, and trims the oldest entries beyond slowlog-max-len; SLOWLOG reads and resets
 * it under the lock.  An entry keeps what Redis keeps: id, unix time, duration, the
 * arguments (at most 32, each at most 128 bytes, as Redis trims them; sensitive ones
 * redacted), the client's address and name.
 */
#ifndef WORKER_SLOWLOG_H
#define WORKER_SLOWLOG_H

#include <stdint.h>
#include "shm/arena.h"
#include "types/command.h"

#define SLOWLOG_MAX_ARGC 32
#define SLOWLOG_MAX_ARGLEN 128

struct slowlog_shared {
    shm_off_t newest, oldest;           /* struct slowlog_entry, doubly linked */
    uint64_t len;
    uint64_t next_id;
};

/* Logs the command of ctx that took usec microseconds (lock held, inside a write). */
void slowlog_push(const struct cmd_ctx *ctx, int64_t usec);

extern struct command slowlog_subcommands[];
#endif
