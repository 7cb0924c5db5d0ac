/* worker/introspect.h - the state that lets the workers look like one server to the
 * introspection commands (MONITOR, SLOWLOG, LATENCY, INFO commandstats/errorstats/
 * latencystats, CLIENT PAUSE, DEBUG SET-ACTIVE-EXPIRE), the gate the dispatcher asks
 * before a client's command, and the hooks that see every command call.
 *
 * The state is one block in the arena, anchored at header.stats_off and created by
 * the first worker that starts (introspect_worker_init).  Its parts belong to the
 * modules named below; each says which lock guards what.  In short: everything is
 * changed under the keyspace lock inside a write, except the per-worker statistics
 * tables, which have a single writer each (their worker), as the worker slots do.
 *
 * Cost when unused: the dispatcher tests introspect_gate_needed() (a client flag and
 * one shared word) before a command; after every call (types/call.h) the 'done' hook
 * bumps this worker's counters and compares the duration with two thresholds and a
 * shared monitor count.
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

/* ---- around commands ---- */

/* Installs this worker's hooks into every command call (types/call.h): command and
 * error statistics, the slowlog, latency samples and the MONITOR feed, for a client's
 * commands, EXEC's queued ones and scripts' redis.call alike; and the write stream's
 * (replication/propagate.h), also fed by expired keys and served blocked clients.
 * Worker startup. */
void introspect_install_call_hooks(void);

/* Before running a client's command, when introspect_gate_needed(): 1 when the
 * command must not run now (a monitor touching the keyspace is refused with an error;
 * a paused client waits, see pause.h).  For commands that take the lock, call it with
 * the lock held. */
static inline int introspect_gate_needed(const struct client *c)
{
    return (c->flags & CLIENT_MONITOR) || __atomic_load_n(&introspect->pause.type, __ATOMIC_RELAXED);
}
int introspect_gate(struct client *c, const struct command *cmd);

/* Runs fn(arg) in a write with the keyspace lock: inside the current write when there
 * is one, else in its own (a write that cannot finish, out of arena memory, is
 * dropped).  Takes the lock if this process does not hold it, and then releases it. */
void introspect_locked_write(void (*fn)(void *arg), void *arg);
/* The same, but only if the lock is held by this process or free now: 0 (and fn not
 * run) when another process holds it. */
int introspect_try_locked_write(void (*fn)(void *arg), void *arg);
#endif
