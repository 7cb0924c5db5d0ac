/* worker/pause.c - CLIENT PAUSE / CLIENT UNPAUSE across workers.
 *
 * The pause is one shared state (struct pause_shared): its type and its end time,
 * changed by CLIENT PAUSE / UNPAUSE and by its expiry, under the keyspace lock inside
 * a write.  A second CLIENT PAUSE merges with a running one as Redis 7.0 does: the more
 * restrictive type and the later end win.
 *
 * A worker checks the pause before running a command (after taking the lock, for
 * commands that take it: so no write that starts after CLIENT PAUSE WRITE returned can
 * slip in).  A client whose command is paused (every command under ALL; under WRITE
 * those flagged write or may-replicate) gets CLIENT_PAUSED: its command stays in its
 * query buffer and it reads no further until the pause ends; CLIENT LIST shows it
 * blocked ('b').  When the pause ends (UNPAUSE pokes every worker's eventfd; expiry
 * is seen by each worker's cron) the worker resumes its paused clients in the order
 * they were paused.
 */
#ifndef WORKER_PAUSE_H
#define WORKER_PAUSE_H

#include <stdint.h>
#include "types/command.h"
#include "worker/client.h"

enum pause_type { PAUSE_NONE = 0, PAUSE_WRITE = 1, PAUSE_ALL = 2 };

struct pause_shared {
    int32_t type;                       /* enum pause_type; may be stale past end_ms */
    int32_t reserved;
    int64_t end_ms;                     /* wall clock */
};

/* The pause in force now (PAUSE_NONE once its end time passed). */
enum pause_type pause_current(void);
/* 1 if c's command cmd must wait (c is then paused); 0 to run it. */
int pause_postpone(struct client *c, const struct command *cmd);
/* CLIENT PAUSE / UNPAUSE (inside the command's write); UNPAUSE pokes every worker. */
void pause_start(int64_t end_ms, enum pause_type type);
void pause_stop(void);
/* Clears an expired pause (inside a write): the dispatcher's check is then one load. */
void pause_expire(void);
/* Resumes this worker's paused clients when no pause is in force (cron, eventfd). */
void pause_resume_clients(void);
/* A paused client is going away. */
void pause_forget(struct client *c);
#endif
