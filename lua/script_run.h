/* lua/script_run.h - the running script's state in the arena (struct script_run in
 * lua/script_cache.h), shared with other workers without the lock: SCRIPT KILL and
 * FUNCTION KILL from any connection, and the dispatcher's -BUSY decision
 * (script_busy_ms in lua/script.h).
 *
 * One 64-bit word carries the run id and its flags (SRUN_EVAL, SRUN_WROTE,
 * SRUN_KILLED).  The running worker publishes it with a release store at the start
 * (after the run's other fields: readers load it with acquire and then read those)
 * and clears it at the end; in between the flags change only by compare-and-swap:
 * "the script wrote" and "the script was killed" exclude each other, so a kill
 * answered OK always stops the script and a script is never stopped after its first
 * write.  No store needs to be ordered before a later load of another word, so there
 * is no sequentially consistent store (an xchg on x86) per run. */
#ifndef LUA_SCRIPT_RUN_H
#define LUA_SCRIPT_RUN_H

#include "proto/reply.h"
#include <stdint.h>

enum { SRUN_EVAL = 1, SRUN_WROTE = 2, SRUN_KILLED = 4 };

/* Marks a script as running in this process since start_ms (wall clock, lock held).
 * is_eval: EVAL (vs FCALL). */
void srun_begin(int is_eval, int slot, int64_t start_ms);
void srun_end(void);
/* Before a write command: 1 ok (now unkillable), 0 the script was killed. */
int srun_note_write(void);
/* The running script of this process was asked to stop. */
int srun_killed(void);

enum srun_kill_result { SRUN_KILL_OK, SRUN_KILL_NOTBUSY, SRUN_KILL_UNKILLABLE, SRUN_KILL_OTHER_KIND };
/* SCRIPT KILL (is_eval) / FUNCTION KILL: without the lock, from any worker. */
enum srun_kill_result srun_kill(int is_eval);
/* SCRIPT KILL (is_eval) / FUNCTION KILL: srun_kill and Redis's reply for its result. */
void srun_kill_reply(struct reply *r, int is_eval);
/* A worker (re)spawned into slot forgets a run its dead predecessor left. */
void srun_clear_slot(int slot);
#endif
