/* lua/script.h - Lua scripting as the worker sees it: EVAL, EVALSHA, EVAL_RO,
 * EVALSHA_RO, SCRIPT, FUNCTION, FCALL, FCALL_RO.  One Lua 5.1 state per worker
 * process; the script cache and function libraries live in the arena
 * (lua/script_cache.h) so every worker sees the same scripts.  A script runs inside
 * the calling command's write with the keyspace lock held, so it is atomic even if
 * its worker dies mid-way. */
#ifndef LUA_SCRIPT_H
#define LUA_SCRIPT_H

#include <stdint.h>

/* Registers the scripting commands and the arena types (startup, before forking). */
void script_register_commands(void);

/* Creates this worker's Lua state and the arena's shared scripting state if absent,
 * and forgets a script run left by a dead worker in this slot.  Call once in the
 * worker process after it claimed its slot (takes the keyspace lock). */
void script_worker_init(int slot);

/* A garbage collection step of this worker's Lua state, from its cron (never while a
 * script runs).  Runs leave garbage to Lua's own collector, which waits for the heap
 * to double; these steps collect what a large script dropped even when too few
 * scripts follow it to make the heap grow.  A step's work is bounded (Lua's
 * LUA_GCSTEP of 64 KB: some 13,000 dead objects swept); there is none once a cycle
 * run at ticks with no script in between left the heap no larger than it is now (an
 * idle worker). */
void script_gc_tick(void);

/* Bytes this worker's Lua state holds (Lua's own count), 0 before script_worker_init. */
uint64_t script_lua_memory(void);

/* Functions registered by every library loaded (FUNCTION STATS's functions_count,
 * INFO's number_of_functions); the keyspace lock held. */
long function_count(void);

/* Milliseconds the currently running script (on any worker) has been running, or -1
 * when none runs.  Needs no lock. */
int script_busy_ms(void);

/* Called from a script's instruction hook, every ~100,000 instructions, once the
 * script has run past busy-reply-threshold: the worker serves its other clients
 * there (worker/busy.c).  Set once at worker start. */
void script_set_busy_hook(void (*fn)(void));
#endif
