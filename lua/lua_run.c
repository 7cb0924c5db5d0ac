/* lua/lua_run.c - running one script or function: KEYS/ARGV (or the two table
 * arguments of a function), the instruction-count hook that honours SCRIPT KILL, the
 * error handler, the reply (Redis 7.0's error shape:
 * "<err> script: <name>, on <source>:<line>.").
 *
 * Garbage is left to Lua's own incremental collector (a cycle each time the heap
 * doubled, paced by allocation) and to the worker's cron (script_gc_tick), with no
 * step of our own between runs: Redis's step of 50 KB every 50 runs completes a whole
 * cycle, marking every library table, even when those runs made a few hundred bytes
 * of garbage (the KEYS and ARGV tables); it cost more than a third of an EVALSHA of
 * "return 1".  lrun_count counts the runs for script_gc_tick.
 *
 * What every run needs from the registry (the error handler, the real globals table,
 * the names KEYS and ARGV) is referenced once, on the first run: the worker's one
 * state lives as long as the worker. */
#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#include "lua/lua_int.h"
#include "conf/shared.h"
#include "lua/script.h"
#include "lua/script_run.h"
#include "keyspace/db.h"
#include "shm/undo.h"
#include "types/call.h"
#include "types/maxmemory.h"

#define HOOK_EVERY 100000                  /* instructions between kill checks */

static struct {
    int handler;                            /* __redis__err__handler */
    int globals;                            /* the real globals table */
    int keys, argv;                         /* the strings "KEYS" and "ARGV" */
} refs = { LUA_NOREF, LUA_NOREF, LUA_NOREF, LUA_NOREF };

lua_State *lstate;
struct lrun *lrun;
uint64_t lrun_count;

static void (*busy_hook)(void);

void script_set_busy_hook(void (*fn)(void)) { busy_hook = fn; }

static void kill_hook(lua_State *L, lua_Debug *ar)
{
    if (busy_hook && script_busy_ms() >= conf_shared()->busy_reply_threshold)
        busy_hook();
    if (!srun_killed())
        return;
    /* from now on every line raises, so pcall cannot swallow the kill for long */
    lua_sethook(L, kill_hook, LUA_MASKLINE, 0);
    lua_pushstring(L, "Script killed by user with SCRIPT KILL...");
    lua_error(L);
}

/* Pushes a table of argv[from, from+n) as strings. */
static void push_args(lua_State *L, const struct cmd_ctx *c, int from, int n)
{
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushlstring(L, c->argv[from + i], c->argvlen[from + i]);
        lua_rawseti(L, -2, i + 1);
    }
}

/* References the value on the top of the stack (popped) from the registry. */
static int ref_top(lua_State *L) { return luaL_ref(L, LUA_REGISTRYINDEX); }

static void take_refs(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, LREG_G);
    lua_getfield(L, -1, "__redis__err__handler");
    refs.handler = ref_top(L);
    refs.globals = ref_top(L);
    lua_pushliteral(L, "KEYS");
    refs.keys = ref_top(L);
    lua_pushliteral(L, "ARGV");
    refs.argv = ref_top(L);
}

/* Sets the global named by the string referenced as name_ref to a table of
 * argv[from, from+n); the real globals table is on the top of the stack.  Raw: that
 * table's metatable only raises on reading a missing name. */
static void set_global(lua_State *L, int name_ref, const struct cmd_ctx *c, int from, int n)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, name_ref);
    push_args(L, c, from, n);
    lua_rawset(L, -3);
}

/* Sets KEYS and ARGV in the real globals table. */
static void set_globals(lua_State *L, const struct cmd_ctx *c, int first, int nkeys)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, refs.globals);
    set_global(L, refs.keys, c, first, nkeys);
    set_global(L, refs.argv, c, first + nkeys, c->argc - first - nkeys);
    lua_pop(L, 1);
}

/* When the run starts, for busy-reply-threshold: the time the dispatcher read just
 * before the command when the script is the command itself (no second read of the
 * clock); the clock when it runs inside EXEC, after the commands queued before it. */
static int64_t run_start_ms(void) { return call_depth() == 1 ? db_now_ms() : db_wall_ms(); }

/* The error object on the top (a table from the error handler) as the reply. */
static void reply_script_error(lua_State *L, struct reply *r, const char *name)
{
    if (!lua_istable(L, -1)) {
        const char *msg = lua_isstring(L, -1) ? lua_tostring(L, -1) : "execution failure";
        reply_errorf(r, "ERR Error running script %s, %.100s", name, msg);
        return;
    }
    int table = lua_gettop(L);
    lua_getfield(L, -1, "err");
    lua_getfield(L, -2, "source");
    lua_getfield(L, -3, "line");
    const char *err = lua_tostring(L, -3);
    if (!err)
        err = "ERR unknown error";
    if (lua_isstring(L, -2) && lua_isnumber(L, -1))
        err = lua_pushfstring(L, "%s script: %s, on %s:%d.", err, name, lua_tostring(L, -2), (int)lua_tonumber(L, -1));
    lapi_reply_error(L, table, r, err);     /* a redis.call error is not counted twice */
    lua_settop(L, table);
}

static void reply_aborted(struct reply *r, int why)
{
    reply_error(r, why == UNDO_ABORT_OOM ? MAXMEMORY_OOM_ERROR
                                         : "ERR write too large for the undo log; it was rolled back");
}

void lrun_exec(lua_State *L, struct lrun *run, int first, int nkeys, int as_globals)
{
    struct cmd_ctx *c = run->caller;
    int base = lua_gettop(L) - 1;           /* below the function */
    if (refs.handler == LUA_NOREF)
        take_refs(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, refs.handler);
    lua_insert(L, -2);                      /* handler, function */
    int nargs = 0;
    if (as_globals) {
        set_globals(L, c, first, nkeys);
    } else {
        push_args(L, c, first, nkeys);
        push_args(L, c, first + nkeys, c->argc - first - nkeys);
        nargs = 2;
    }
    lrun = run;
    lrun_count++;
    lapi_reset_aborted();
    srun_begin(run->is_eval, c->slot, run_start_ms());
    lua_sethook(L, kill_hook, LUA_MASKCOUNT, HOOK_EVERY);
    int rc = lua_pcall(L, nargs, 1, base + 1);
    lua_sethook(L, NULL, 0, 0);
    srun_end();
    lrun = NULL;
    if (lapi_aborted()) {
        reply_aborted(c->reply, lapi_aborted());
        undo_begin();                       /* the caller commits an empty write */
    } else if (rc) {
        reply_script_error(L, c->reply, run->name);
    } else {
        lreply_write(L, c->reply, run->resp);
    }
    lua_settop(L, base);
}

/* Checks numkeys; replies and returns -1 when invalid. */
int lrun_numkeys(struct cmd_ctx *c, int *nkeys, const char *not_int)
{
    long long n;
    if (!arg_ll(c, 2, &n, not_int))
        return -1;
    if (n > c->argc - 3) {
        reply_error(c->reply, "ERR Number of keys can't be greater than number of args");
        return -1;
    }
    if (n < 0) {
        reply_error(c->reply, "ERR Number of keys can't be negative");
        return -1;
    }
    *nkeys = (int)n;
    return 0;
}
