/* lua/function.c - FUNCTION LOAD/DELETE/FLUSH/LIST/KILL/STATS/HELP and FCALL,
 * FCALL_RO (see function.h).
 *
 * The worker's function table lives in its Lua registry, in two views of the same
 * entries {name=, fn=, flags=, desc=, lib=}:
 *  - LREG_FUNCS maps a function name folded to lower case to its entry: FCALL's and
 *    the name-clash checks' lookup (Redis compares function names case-insensitively);
 *  - LREG_LIBS maps a library name to {function name as registered -> entry}: what
 *    FUNCTION LIST and STATS report.  A library may register both f and F (as Redis
 *    lets it); LREG_FUNCS then holds one of them.
 * Both are rebuilt from the arena's libraries whenever the arena's fgeneration differs
 * from the one they were built at (the old ones collected at once, as after SCRIPT
 * FLUSH: see eval.c); every change of the libraries (LOAD, DELETE, FLUSH, RESTORE)
 * bumps fgeneration inside the write. */
#include <ctype.h>
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "lua/function.h"
#include "lua/lua_int.h"
#include "lua/script.h"
#include "lua/script_cache.h"
#include "lua/script_run.h"
#include "shm/undo.h"
#include "types/maxmemory.h"
#include "util/glob.h"
#include "util/log.h"

#define LREG_FUNCS "ferrous.funcs"
#define LREG_LIBS "ferrous.libs"

static uint64_t seen_fgeneration;

void function_push_folded(lua_State *L, const char *s, size_t n)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t i = 0; i < n; i++)
        luaL_addchar(&b, (char)tolower((unsigned char)s[i]));
    luaL_pushresult(&b);
}

/* Moves the pending functions on the top (from flib_load, popped) into the table as
 * library lib. */
static void install(lua_State *L, const char *lib, size_t liblen)
{
    lua_getfield(L, LUA_REGISTRYINDEX, LREG_FUNCS);
    lua_pushnil(L);
    while (lua_next(L, -3)) {
        lua_pushlstring(L, lib, liblen);
        lua_setfield(L, -2, "lib");
        size_t n;
        const char *fname = lua_tolstring(L, -2, &n);
        function_push_folded(L, fname, n);
        lua_insert(L, -2);
        lua_rawset(L, -4);
    }
    lua_pop(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, LREG_LIBS);
    lua_pushlstring(L, lib, liblen);
    lua_pushvalue(L, -3);
    lua_rawset(L, -3);
    lua_pop(L, 2);
}

static void collect_lib(shm_off_t entry, void *arg)
{
    struct script_body *b = shm_ptr(entry);
    char err[512];
    if (flib_load(lstate, script_body_code(b), b->len, 0, err, sizeof(err)) < 0) {
        log_msg(LOG_WARNING, "Function library '%.*s' failed to load: %s", (int)b->klen, b->data, err);
        return;
    }
    install(lstate, b->data, b->klen);
}

void function_sync(void)
{
    struct script_shared *s = scache_shared();
    if (s->fgeneration == seen_fgeneration)
        return;
    lua_newtable(lstate);
    lua_setfield(lstate, LUA_REGISTRYINDEX, LREG_FUNCS);
    lua_newtable(lstate);
    lua_setfield(lstate, LUA_REGISTRYINDEX, LREG_LIBS);
    uint64_t cursor = 0;
    do
        cursor = dict_scan(&s->libraries, cursor, collect_lib, NULL);
    while (cursor);
    seen_fgeneration = s->fgeneration;
    lua_gc(lstate, LUA_GCCOLLECT, 0);
}

int function_find(const char *name, size_t len)
{
    lua_getfield(lstate, LUA_REGISTRYINDEX, LREG_FUNCS);
    function_push_folded(lstate, name, len);
    lua_rawget(lstate, -2);
    lua_replace(lstate, -2);
    if (lua_istable(lstate, -1))
        return 1;
    lua_pop(lstate, 1);
    return 0;
}

void function_bump_generation(void)
{
    struct script_shared *s = scache_shared();
    UNDO_SET(s->fgeneration, s->fgeneration + 1);
}

void function_syntax_error(struct cmd_ctx *c)
{
    int n = (int)strnlen(c->argv[1], c->argvlen[1] < 128 ? c->argvlen[1] : 128);     /* Redis's %.128s */
    reply_errorf(c->reply, "ERR unknown subcommand or wrong number of arguments for '%.*s'. Try FUNCTION HELP.",
                 n, c->argv[1]);
}

/* A pending function (the table on the top) whose name, in any case, a library other
 * than lib owns; NULL if none. */
static const char *clashing_function(const char *lib)
{
    lua_pushnil(lstate);
    while (lua_next(lstate, -2)) {
        lua_pop(lstate, 1);
        size_t n;
        const char *fname = lua_tolstring(lstate, -1, &n);
        if (function_find(fname, n)) {
            lua_getfield(lstate, -1, "lib");
            int other = strcmp(lua_tostring(lstate, -1), lib) != 0;
            lua_pop(lstate, 2);
            if (other) {
                lua_pop(lstate, 1);
                return fname;
            }
        }
    }
    return NULL;
}

/* Loads code as library name (checked by flib_metadata) unless it exists and replace
 * is off; replies. */
static void load_library(struct cmd_ctx *c, const char *name, const char *code, size_t len, int replace)
{
    struct dict *libs = &scache_shared()->libraries;
    char err[512];
    if (!replace && scache_find(libs, name, strlen(name))) {
        reply_errorf(c->reply, "ERR Library '%s' already exists", name);
        return;
    }
    function_sync();
    int top = lua_gettop(lstate);
    const char *clash;
    if (flib_load(lstate, code, len, 1, err, sizeof(err)) < 0) {
        reply_error(c->reply, err);
    } else if ((clash = clashing_function(name))) {
        reply_errorf(c->reply, "ERR Function %s already exists", clash);
    } else {
        scache_put(libs, name, strlen(name), code, len);
        function_bump_generation();
        reply_bulk_cstr(c->reply, name);
    }
    lua_settop(lstate, top);
}

/* FUNCTION LOAD [REPLACE] function-code */
static void function_load_command(struct cmd_ctx *c)
{
    int replace = 0;
    for (int i = 2; i < c->argc - 1; i++) {
        if (!arg_is(c, i, "replace")) {
            reply_errorf(c->reply, "ERR Unknown option given: %.*s", (int)strnlen(c->argv[i], c->argvlen[i]),
                         c->argv[i]);
            return;
        }
        replace = 1;
    }
    const char *code = c->argv[c->argc - 1];
    size_t len = c->argvlen[c->argc - 1];
    char err[512];
    char *name = flib_metadata(code, len, err, sizeof(err));
    if (!name) {
        reply_error(c->reply, err);
        return;
    }
    load_library(c, name, code, len, replace);
    free(name);
}

/* FUNCTION DELETE library-name */
static void function_delete_command(struct cmd_ctx *c)
{
    if (!scache_del(&scache_shared()->libraries, c->argv[2], c->argvlen[2])) {
        reply_error(c->reply, "ERR Library not found");
        return;
    }
    function_bump_generation();
    reply_ok(c->reply);
}

/* FUNCTION FLUSH [ASYNC|SYNC] */
static void function_flush_command(struct cmd_ctx *c)
{
    if (c->argc > 3) {
        function_syntax_error(c);
        return;
    }
    if (c->argc == 3 && !arg_is(c, 2, "sync") && !arg_is(c, 2, "async")) {
        reply_error(c->reply, "ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
        return;
    }
    scache_clear(&scache_shared()->libraries);
    function_bump_generation();
    reply_ok(c->reply);
}

/* One function (its entry on the top): {name, description, flags}. */
static void reply_function(struct reply *r, const char *fname)
{
    static const struct { int flag; const char *name; } names[] = {
        { SF_NO_WRITES, "no-writes" }, { SF_ALLOW_OOM, "allow-oom" }, { SF_ALLOW_STALE, "allow-stale" },
        { SF_NO_CLUSTER, "no-cluster" }, { SF_ALLOW_CROSS_SLOT, "allow-cross-slot-keys" },
    };
    reply_map(r, 3);
    reply_bulk_cstr(r, "name");
    reply_bulk_cstr(r, fname);
    reply_bulk_cstr(r, "description");
    lua_getfield(lstate, -1, "desc");
    if (lua_isstring(lstate, -1))
        reply_bulk_cstr(r, lua_tostring(lstate, -1));
    else
        reply_null(r);
    lua_getfield(lstate, -2, "flags");
    int flags = (int)lua_tonumber(lstate, -1);
    lua_pop(lstate, 2);
    reply_bulk_cstr(r, "flags");
    long n = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        n += (flags & names[i].flag) != 0;
    reply_set(r, n);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (flags & names[i].flag)
            reply_status(r, names[i].name);
}

/* Pushes library name's {function name -> entry} (an empty table if it failed to load). */
static void push_library(const char *name, size_t len)
{
    lua_getfield(lstate, LUA_REGISTRYINDEX, LREG_LIBS);
    lua_pushlstring(lstate, name, len);
    lua_rawget(lstate, -2);
    lua_replace(lstate, -2);
    if (!lua_istable(lstate, -1)) {
        lua_pop(lstate, 1);
        lua_newtable(lstate);
    }
}

struct list_args {
    struct cmd_ctx *c;
    const char *pattern;
    size_t plen;
    int withcode;
    long count;
};

static void reply_library(shm_off_t entry, void *arg)
{
    struct list_args *a = arg;
    struct script_body *b = shm_ptr(entry);
    if (a->pattern && !glob_match(a->pattern, a->plen, b->data, b->klen, 1))
        return;
    struct reply *r = a->c->reply;
    a->count++;
    reply_map(r, a->withcode ? 4 : 3);
    reply_bulk_cstr(r, "library_name");
    reply_bulk(r, b->data, b->klen);
    reply_bulk_cstr(r, "engine");
    reply_bulk_cstr(r, "LUA");
    reply_bulk_cstr(r, "functions");
    size_t h = reply_defer_begin(r);
    long n = 0;
    push_library(b->data, b->klen);
    lua_pushnil(lstate);
    while (lua_next(lstate, -2)) {
        reply_function(r, lua_tostring(lstate, -2));
        n++;
        lua_pop(lstate, 1);
    }
    lua_pop(lstate, 1);
    reply_defer_end(r, h, '*', n);
    if (a->withcode) {
        reply_bulk_cstr(r, "library_code");
        reply_bulk(r, script_body_code(b), b->len);
    }
}

/* FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE] */
static void function_list_command(struct cmd_ctx *c)
{
    struct list_args a = { .c = c };
    for (int i = 2; i < c->argc; i++) {
        if (!a.withcode && arg_is(c, i, "withcode")) {
            a.withcode = 1;
        } else if (!a.pattern && arg_is(c, i, "libraryname")) {
            if (i + 1 >= c->argc) {
                reply_error(c->reply, "ERR library name argument was not given");
                return;
            }
            a.pattern = c->argv[++i];
            a.plen = c->argvlen[i];
        } else {
            reply_errorf(c->reply, "ERR Unknown argument %.*s", (int)strnlen(c->argv[i], c->argvlen[i]), c->argv[i]);
            return;
        }
    }
    function_sync();
    struct dict *libs = &scache_shared()->libraries;
    size_t h = reply_defer_begin(c->reply);
    uint64_t cursor = 0;
    do
        cursor = dict_scan(libs, cursor, reply_library, &a);
    while (cursor);
    reply_defer_end(c->reply, h, '*', a.count);
}

long function_count(void)
{
    function_sync();
    long nfuncs = 0;                            /* Redis: the sum of its libraries' counts */
    lua_getfield(lstate, LUA_REGISTRYINDEX, LREG_LIBS);
    lua_pushnil(lstate);
    while (lua_next(lstate, -2)) {
        lua_pushnil(lstate);
        while (lua_next(lstate, -2)) {
            nfuncs++;
            lua_pop(lstate, 1);
        }
        lua_pop(lstate, 1);
    }
    lua_pop(lstate, 1);
    return nfuncs;
}

/* FUNCTION STATS (the running function is not reported yet: running_script is nil) */
static void function_stats_command(struct cmd_ctx *c)
{
    long nfuncs = function_count();
    struct reply *r = c->reply;
    reply_map(r, 2);
    reply_bulk_cstr(r, "running_script");
    reply_null(r);
    reply_bulk_cstr(r, "engines");
    reply_map(r, 1);
    reply_bulk_cstr(r, "LUA");
    reply_map(r, 2);
    reply_bulk_cstr(r, "libraries_count");
    reply_int(r, (long long)dict_size(&scache_shared()->libraries));
    reply_bulk_cstr(r, "functions_count");
    reply_int(r, nfuncs);
}

/* FUNCTION KILL (without the lock) */
static void function_kill_command(struct cmd_ctx *c) { srun_kill_reply(c->reply, 0); }

static const char *const function_help_lines[] = {
    "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "LOAD [REPLACE] <FUNCTION CODE>",
    "    Create a new library with the given library name and code.",
    "DELETE <LIBRARY NAME>",
    "    Delete the given library.",
    "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
    "    Return general information on all the libraries:",
    "    * Library name",
    "    * The engine used to run the Library",
    "    * Library description",
    "    * Functions list",
    "    * Library code (if WITHCODE is given)",
    "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
    "STATS",
    "    Return information about the current function running:",
    "    * Function name",
    "    * Command used to run the function",
    "    * Duration in MS that the function is running",
    "    If no function is running, return nil",
    "    In addition, returns a list of available engines.",
    "KILL",
    "    Kill the current running function.",
    "FLUSH [ASYNC|SYNC]",
    "    Delete all the libraries.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the libraries.",
    "    * SYNC: Synchronously flush the libraries.",
    "DUMP",
    "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
    "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
    "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
    "    control how to handle existing libraries (default APPEND):",
    "    * FLUSH: delete all existing libraries.",
    "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
    "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
    "      libraries with the new libraries (notice that even on this option there is a chance of failure",
    "      in case of functions name collision with another library).",
    "HELP",
    "    Prints this help.",
    NULL,
};

/* FUNCTION HELP */
static void function_help_command(struct cmd_ctx *c)
{
    long n = 0;
    while (function_help_lines[n])
        n++;
    reply_array(c->reply, n);
    for (long i = 0; i < n; i++)
        reply_status(c->reply, function_help_lines[i]);
}

/* Runs the function whose entry is on the top (left there): the entry holds the name
 * as registered, which error messages show, for the run's duration. */
static void fcall_entry(struct cmd_ctx *c, int ro, int nkeys)
{
    lua_getfield(lstate, -1, "flags");
    int flags = (int)lua_tonumber(lstate, -1);
    lua_getfield(lstate, -2, "name");
    const char *name = lua_tostring(lstate, -1);
    lua_pop(lstate, 2);
    if (!(flags & (SF_NO_WRITES | SF_ALLOW_OOM)) && maxmemory_exceeded()) {
        reply_error(c->reply, MAXMEMORY_OOM_ERROR);
        return;
    }
    if (ro && !(flags & SF_NO_WRITES)) {
        reply_error(c->reply, "ERR Can not execute a script with write flag using *_ro command.");
        return;
    }
    struct lrun run = {
        .caller = c, .db = c->db, .dbid = c->dbid, .resp = 2, .read_only = ro || (flags & SF_NO_WRITES),
        .is_eval = 0, .name = name,
    };
    lua_getfield(lstate, -1, "fn");
    lrun_exec(lstate, &run, 3, nkeys, 0);
}

/* FCALL / FCALL_RO function numkeys [key ...] [arg ...] */
static void fcall_generic(struct cmd_ctx *c, int ro)
{
    function_sync();
    if (!function_find(c->argv[1], c->argvlen[1])) {
        reply_error(c->reply, "ERR Function not found");
        return;
    }
    int nkeys;
    if (lrun_numkeys(c, &nkeys, "ERR Bad number of keys provided") == 0)
        fcall_entry(c, ro, nkeys);
    lua_pop(lstate, 1);
}

static void fcall_command(struct cmd_ctx *c) { fcall_generic(c, 0); }
static void fcall_ro_command(struct cmd_ctx *c) { fcall_generic(c, 1); }

/* acl: FUNC_W for the subcommands that change the libraries, FUNC_R for the others */
#define FUNCSUB(name, proc, arity, flags, acl, summary, complexity) \
    { name, proc, arity, flags, 0, 0, 0, "scripting", "7.0.0", summary, complexity, acl, NULL, NULL }
#define FUNC_W "@write @slow @scripting"
#define FUNC_R "@slow @scripting"

static struct command function_subcommands[] = {
    FUNCSUB("load", function_load_command, -3, CMD_WRITE | CMD_DENYOOM | CMD_NOSCRIPT, FUNC_W,
            "Create a function with the given arguments (name, code, description)", "O(1) (considering compilation time is redundant)"),
    FUNCSUB("delete", function_delete_command, 3, CMD_WRITE | CMD_NOSCRIPT, FUNC_W, "Delete a function by name", "O(1)"),
    FUNCSUB("flush", function_flush_command, -2, CMD_WRITE | CMD_NOSCRIPT, FUNC_W, "Deleting all functions",
            "O(N) where N is the number of functions deleted"),
    FUNCSUB("dump", function_dump_command, 2, CMD_NOSCRIPT, FUNC_R, "Dump all functions into a serialized binary payload",
            "O(N) where N is the number of functions"),
    FUNCSUB("restore", function_restore_command, -3, CMD_WRITE | CMD_DENYOOM | CMD_NOSCRIPT, FUNC_W,
            "Restore all the functions on the given payload", "O(N) where N is the number of functions on the payload"),
    FUNCSUB("list", function_list_command, -2, CMD_NOSCRIPT, FUNC_R, "List information about all the functions",
            "O(N) where N is the number of functions"),
    FUNCSUB("stats", function_stats_command, 2, CMD_NOSCRIPT | CMD_ALLOW_BUSY, FUNC_R,
            "Return information about the function currently running (name, description, duration)", "O(1)"),
    FUNCSUB("kill", function_kill_command, 2, CMD_NOSCRIPT | CMD_ALLOW_BUSY | CMD_NOLOCK, FUNC_R,
            "Kill the function currently in execution.", "O(1)"),
    FUNCSUB("help", function_help_command, 2, CMD_LOADING | CMD_STALE | CMD_NOLOCK, FUNC_R,
            "Show helpful text about the different subcommands", "O(1)"),
    { 0 }
};

#define FCALL_FLAGS (CMD_NOSCRIPT | CMD_SKIP_MONITOR | CMD_STALE)

const struct command function_commands[] = {
    { "fcall", fcall_command, -3, FCALL_FLAGS | CMD_MAY_REPLICATE, 0, 0, 0, "scripting", "7.0.0",
      "Invoke a function", "Depends on the function that is executed.", "@slow @scripting", NULL, NULL },
    { "fcall_ro", fcall_ro_command, -3, FCALL_FLAGS | CMD_READONLY, 0, 0, 0, "scripting", "7.0.0",
      "Invoke a read-only function", "Depends on the function that is executed.", "@slow @scripting", NULL, NULL },
    { "function", NULL, -2, 0, 0, 0, 0, "scripting", "7.0.0", "A container for function commands",
      "Depends on subcommand.", "@slow", function_subcommands, NULL },
    { 0 }
};
