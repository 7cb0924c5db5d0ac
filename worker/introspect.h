/* worker/introspect.h - the state that lets the workers look like one server to the
 * introspection commands (MONITOR, SLOWLOG, LATENCY, INFO commandstats/errorstats/
 * latencystats, CLIENT PAUSE, DEBUG SET-ACTIVE-EXPIRE), and the two hooks the
 * dispatcher calls around every command.
 *
 * The state is one block in the arena, anchored at header.stats_off and created by
 * the first worker that starts (introspect_worker_init).  Its parts belong to the
 * modules named below; each says which lock guards what.  In short: everything is
 * changed under the keyspace lock inside a write, except the per-worker statistics
 * tables, which have a single writer each (their worker), as the worker slots do.
 *
 * Cost when unused: the dispatcher tests introspect_gate_needed() (a client flag and
 * one shared word) before a command, and introspect_call_end() after it reads the
 * monotonic clock once more, bumps this worker's counters and compares the duration
 * with two thresholds and a shared monitor count.
 */
#ifndef WORKER_INTROSPECT_H
#define WORKER_INTROSPECT_H

#include <stdint.h>
#include "shm/arena.h"
#include "types/command.h"
#include "worker/client.h"
#include "worker/latency.h"
#include "worker/monitor.h"
#include "worker/pause.h"
#include "worker/slowlog.h"

struct introspect {
    struct monitor_shared monitor;      /* worker/monitor.c */
    struct pause_shared pause;          /* worker/pause.c */
    struct slowlog_shared slowlog;      /* worker/slowlog.c */
    struct latency_shared latency;      /* worker/latency.c */
    int32_t active_expire_off;          /* DEBUG SET-ACTIVE-EXPIRE 0 (under the lock) */
    int32_t reserved;
    shm_off_t cmdstats[SHM_MAX_WORKERS]; /* worker/cmdstats.c: each slot's table */
};

/* The block, in this process (set by introspect_worker_init / introspect_create). */
extern struct introspect *introspect;

/* Creates the block if the arena has none yet (inside a write). */
void introspect_create(void);
/* At a worker's start: creates the block if needed, clears what a dead worker left in
 * this slot (its monitors) and attaches the slot's statistics.  Takes the lock. */
void introspect_worker_init(int slot);

/* A client is closing: stops its monitoring (takes the lock) and forgets it paused. */
void introspect_client_gone(struct client *c);

/* SLOWLOG, LATENCY and MONITOR (registered at startup). */
extern const struct command introspect_commands[];

/* ---- dispatcher hooks ---- */

/* Before running a command, when introspect_gate_needed(): 1 when the command must not
 * run now (a monitor touching the keyspace is refused; a paused client waits, see
 * pause.h).  For commands that take the lock, call it with the lock held. */
static inline int introspect_gate_needed(const struct client *c)
{
    return (c->flags & CLIENT_MONITOR) || __atomic_load_n(&introspect->pause.type, __ATOMIC_RELAXED);
}
int introspect_gate(struct client *c, const struct command *cmd);

/* Around a command: begin right before it runs, end right after (with the command's
 * context).  end records its statistics and latency, logs it to the slowlog and feeds
 * it to monitors; the last three need the lock, which it takes when *locked is 0 (and
 * leaves held, setting *locked, as dispatch does). */
struct call_mark {
    int64_t start_ns;
    uint64_t errors;                    /* client's error replies before the command */
};
void introspect_call_begin(struct call_mark *m, const struct client *c);
void introspect_call_end(const struct call_mark *m, struct cmd_ctx *ctx, int *locked);

/* Takes the keyspace lock unless *locked (logging a recovered dead owner's write). */
void introspect_lock(int *locked);
/* The same if the lock is free now; 0 when it is held elsewhere. */
int introspect_try_lock(int *locked);
/* Runs fn(arg) in a write: inside the current one when there is one, else in its own
 * (a write that cannot finish, out of arena memory, is dropped).  The lock is held. */
void introspect_write(void (*fn)(void *arg), void *arg);
#endif
