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

uint64_t script_lua_memory(void)
{
    if (!lstate)
        return 0;
    return (uint64_t)lua_gc(lstate, LUA_GCCOUNT, 0) * 1024 + (uint64_t)lua_gc(lstate, LUA_GCCOUNTB, 0);
}
