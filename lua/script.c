/* lua/script.c - scripting's entry points for the worker (see script.h). */
#include "lua/function.h"
#include "lua/lua_int.h"
#include "lua/script.h"
#include "lua/script_cache.h"
#include "lua/script_run.h"
#include "shm/lock.h"
#include "shm/undo.h"

void script_register_commands(void)
{
    scache_register_types();
    command_register(eval_commands);
    command_register(function_commands);
}

void script_worker_init(int slot)
{
    shm_lock_acquire();
    undo_begin();
    scache_create();
    undo_commit();
    srun_clear_slot(slot);
    shm_lock_release();
    lstate = lenv_create();
}

#define GC_TICK_KB 64                       /* a cron tick's collection step */

static uint64_t heap_after_gc;              /* the heap after the last clean cycle */
static uint64_t runs_at_cycle_end;          /* lrun_count when a tick's step ended one */

/* A cycle a tick's step ends is clean when no script ran since the previous one
 * ended: it began after the last run's locals were dropped, so it freed them. */
void script_gc_tick(void)
{
    if (!lstate || (lrun_count == runs_at_cycle_end && script_lua_memory() <= heap_after_gc))
        return;
    if (!lua_gc(lstate, LUA_GCSTEP, GC_TICK_KB))
        return;
    heap_after_gc = lrun_count == runs_at_cycle_end ? script_lua_memory() : 0;
    runs_at_cycle_end = lrun_count;
}

uint64_t script_lua_memory(void)
{
    if (!lstate)
        return 0;
    return (uint64_t)lua_gc(lstate, LUA_GCCOUNT, 0) * 1024 + (uint64_t)lua_gc(lstate, LUA_GCCOUNTB, 0);
}
