/* lua/function_lib.c - a function library's code (FUNCTION LOAD's argument) checked and
 * loaded into the worker's Lua state, with Redis 7.0's rules and error texts:
 *
 *  - flib_metadata reads the first line, "#!<engine> name=<lib>", split as Redis splits
 *    it (util/splitargs.h: quotes, escapes); "name=" is matched case-insensitively and
 *    may appear once, nothing else may; the engine is "lua" in any case.  Its checks
 *    run in Redis's order: the line's syntax, its arguments, the library name, then the
 *    engine; the caller checks whether the library exists before flib_load compiles.
 *  - flib_load compiles what follows the first line (so line numbers count it) as
 *    "@user_function" and runs it for at most FUNCTION LOAD's time limit, with
 *    load-time globals holding only redis = {register_function, log, LOG_*,
 *    REDIS_VERSION*}: any other name raises "Script attempted to access nonexistent
 *    global variable".  register_function collects {name -> {fn=, flags=, desc=, name=}};
 *    within one library names are case-sensitive, as in Redis (function.c folds them
 *    across libraries).
 *
 * Each library runs in its own environment table E whose metatable reads through to
 * the load-time globals; once loaded it reads through to the normal (read-only)
 * globals, so the functions see the full redis API when FCALL runs them. */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lua/function.h"
#include "lua/lua_int.h"
#include "util/splitargs.h"

#define LREG_LOADG "ferrous.loadG"              /* the load-time globals */
#define LREG_PENDING "ferrous.pending"          /* functions registered by the loading library */

#define LOAD_HOOK_EVERY 100000                  /* instructions between time-limit checks */

#define BAD_NAME "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"

/* A library or function name: letters, digits and '_', at least one. */
static int name_ok(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == '_' || (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= 'A' && s[i] <= 'Z')))
            return 0;
    return 1;
}

/* ---- the metadata line ---- */

/* The first line's length, or -1 when a NUL byte or the end comes before a newline
 * (Redis looks for the newline with strchr). */
static long first_line(const char *code, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (code[i] == '\n')
            return (long)i;
        if (code[i] == '\0')
            return -1;
    }
    return -1;
}

/* The library name among the line's words after the first; -1 with err. */
static int metadata_name(const struct splitargs *a, int *which, char *err, size_t errlen)
{
    *which = -1;
    for (int i = 1; i < a->argc; i++) {
        if (strncasecmp(a->argv[i], "name=", 5) != 0) {
            snprintf(err, errlen, "ERR Invalid metadata value given: %s", a->argv[i]);
            return -1;
        }
        if (*which >= 0) {
            snprintf(err, errlen, "ERR Invalid metadata value, name argument was given multiple times");
            return -1;
        }
        *which = i;
    }
    if (*which < 0) {
        snprintf(err, errlen, "ERR Library name was not given");
        return -1;
    }
    return 0;
}

char *flib_metadata(const char *code, size_t len, char *err, size_t errlen)
{
    if (len < 2 || code[0] != '#' || code[1] != '!') {
        snprintf(err, errlen, "ERR Missing library metadata");
        return NULL;
    }
    long end = first_line(code, len);
    struct splitargs a;
    if (end < 0 || splitargs(code, (size_t)end, &a) < 0) {
        snprintf(err, errlen, "ERR Invalid library metadata");
        return NULL;
    }
    char *name = NULL;
    int which;
    const char *engine = a.argv[0] + 2;                 /* the first word starts with "#!" */
    if (metadata_name(&a, &which, err, errlen) < 0)
        goto done;
    /* an engine name holding a NUL byte is refused (Redis finds "lua" or not, by its hash seed) */
    if (!name_ok(a.argv[which] + 5, a.argvlen[which] - 5))
        snprintf(err, errlen, "ERR " BAD_NAME);
    else if (a.argvlen[0] != 5 || strncasecmp(engine, "lua", 3) != 0)
        snprintf(err, errlen, "ERR Engine '%s' not found", engine);
    else if (!(name = strdup(a.argv[which] + 5)))
        snprintf(err, errlen, "ERR out of memory");
done:
    splitargs_free(&a);
    return name;
}

/* ---- redis.register_function ---- */

static int reg_error(lua_State *L, const char *msg)
{
    lapi_push_error(L, msg, strlen(msg));
    return lua_error(L);
}

/* Flags from the table at idx (strings, any case); -1 on anything else. */
static int parse_flags(lua_State *L, int idx)
{
    static const struct { const char *name; int flag; } names[] = {
        { "no-writes", SF_NO_WRITES }, { "allow-oom", SF_ALLOW_OOM }, { "allow-stale", SF_ALLOW_STALE },
        { "no-cluster", SF_NO_CLUSTER }, { "allow-cross-slot-keys", SF_ALLOW_CROSS_SLOT }, { NULL, 0 },
    };
    int flags = 0;
    for (int i = 1;; i++) {
        lua_rawgeti(L, idx, i);
        if (lua_isnil(L, -1))
            break;
        const char *s = lua_isstring(L, -1) ? lua_tostring(L, -1) : NULL;
        int j = 0;
        while (s && names[j].name && strcasecmp(s, names[j].name) != 0)
            j++;
        lua_pop(L, 1);
        if (!s || !names[j].name)
            return -1;
        flags |= names[j].flag;
    }
    lua_pop(L, 1);
    return flags;
}

/* The slot (2 name, 3 callback, 4 flags, 5 description) of a named argument, after
 * checking its value (on the top); raises Redis's error otherwise. */
static int named_slot(lua_State *L)
{
    const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
    if (lua_type(L, -2) != LUA_TSTRING && lua_type(L, -2) != LUA_TNUMBER)
        reg_error(L, "named argument key given to redis.register_function is not a string");
    if (strcasecmp(k, "function_name") == 0) {
        if (!lua_isstring(L, -1))
            reg_error(L, "function_name argument given to redis.register_function must be a string");
        return 2;
    }
    if (strcasecmp(k, "description") == 0) {
        if (!lua_isstring(L, -1))
            reg_error(L, "description argument given to redis.register_function must be a string");
        return 5;
    }
    if (strcasecmp(k, "callback") == 0) {
        if (!lua_isfunction(L, -1))
            reg_error(L, "callback argument given to redis.register_function must be a function");
        return 3;
    }
    if (strcasecmp(k, "flags") != 0)
        reg_error(L, "unknown argument given to redis.register_function");
    int f = lua_istable(L, -1) ? parse_flags(L, lua_gettop(L)) : -2;
    if (f < 0)
        reg_error(L, f == -2 ? "flags argument to redis.register_function must be a table representing function flags"
                             : "unknown flag given");
    lua_pop(L, 1);
    lua_pushnumber(L, f);
    return 4;
}

/* register_function{function_name=, callback=, flags=, description=}: leaves name,
 * callback, flags, description (nil when absent) in slots 2..5. */
static void named_args(lua_State *L)
{
    if (!lua_istable(L, 1))
        reg_error(L, "calling redis.register_function with a single argument is only applicable to Lua table "
                     "(representing named arguments).");
    lua_settop(L, 1);
    lua_pushnil(L);
    lua_pushnil(L);
    lua_pushnumber(L, 0);
    lua_pushnil(L);
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        int slot = named_slot(L);
        lua_replace(L, slot);
    }
    if (lua_isnil(L, 2))
        reg_error(L, "redis.register_function must get a function name argument");
    if (lua_isnil(L, 3))
        reg_error(L, "redis.register_function must get a callback argument");
}

/* register_function(name, callback): the same slots as the named form. */
static void positional_args(lua_State *L)
{
    if (!lua_isstring(L, 1))
        reg_error(L, "first argument to redis.register_function must be a string");
    if (!lua_isfunction(L, 2))
        reg_error(L, "second argument to redis.register_function must be a function");
    lua_pushnil(L);
    lua_insert(L, 1);
    lua_pushnumber(L, 0);
    lua_pushnil(L);
}

static int api_register_function(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, LREG_PENDING);
    int loading = lua_istable(L, -1);
    lua_pop(L, 1);
    if (!loading)
        return reg_error(L, "redis.register_function can only be called on FUNCTION LOAD command");
    int argc = lua_gettop(L);
    if (argc < 1 || argc > 2)
        return reg_error(L, "wrong number of arguments to redis.register_function");
    if (argc == 1)
        named_args(L);
    else
        positional_args(L);
    size_t n;
    const char *name = lua_tolstring(L, 2, &n);
    if (!name_ok(name, n))
        return reg_error(L, BAD_NAME);
    lua_getfield(L, LUA_REGISTRYINDEX, LREG_PENDING);   /* 6 */
    lua_pushvalue(L, 2);
    lua_rawget(L, 6);
    if (!lua_isnil(L, -1))
        return reg_error(L, "Function already exists in the library");
    lua_pop(L, 1);
    lua_createtable(L, 0, 4);
    static const char *const fields[] = { "name", "fn", "flags", "desc" };
    for (int i = 0; i < 4; i++) {
        lua_pushvalue(L, 2 + i);
        lua_setfield(L, -2, fields[i]);
    }
    lua_pushvalue(L, 2);
    lua_insert(L, -2);
    lua_rawset(L, 6);
    return 0;
}

/* ---- the load-time environment ---- */

/* The load-time globals: {redis = {register_function, log, LOG_*, REDIS_VERSION*}},
 * both raising "nonexistent global variable" for any other name. */
void flib_init(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, LREG_G);
    lua_getmetatable(L, -1);                    /* G, its metatable (the raiser) */
    lua_newtable(L);                            /* the load-time redis table */
    lua_pushcfunction(L, api_register_function);
    lua_setfield(L, -2, "register_function");
    lua_getglobal(L, "redis");
    static const char *const copied[] = { "log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING",
                                          "REDIS_VERSION", "REDIS_VERSION_NUM", NULL };
    for (int i = 0; copied[i]; i++) {
        lua_getfield(L, -1, copied[i]);
        lua_setfield(L, -3, copied[i]);
    }
    lua_pop(L, 1);
    lua_pushvalue(L, -2);
    lua_setmetatable(L, -2);
    lenv_readonly_proxy(L, -1);                 /* G, mt, redis, proxy */
    lua_newtable(L);                            /* load-time globals */
    lua_insert(L, -2);
    lua_setfield(L, -2, "redis");
    lua_pushvalue(L, -3);
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, LREG_LOADG);
    lua_pop(L, 3);
}

/* ---- loading ---- */

static struct timespec load_start;

static long load_elapsed_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - load_start.tv_sec) * 1000 + (now.tv_nsec - load_start.tv_nsec) / 1000000;
}

/* Raises "FUNCTION LOAD timeout" once the load ran past its limit, and on every line
 * after that, so pcall cannot swallow it for long. */
static void load_hook(lua_State *L, lua_Debug *ar)
{
    if (load_elapsed_ms() <= FLIB_LOAD_TIMEOUT_MS)
        return;
    lua_sethook(L, load_hook, LUA_MASKLINE, 0);
    reg_error(L, "FUNCTION LOAD timeout");
}

/* Sets the environment table's read-through target (its metatable's __index). */
static void env_target(lua_State *L, int env, int target_idx)
{
    lua_getmetatable(L, env);
    lua_pushvalue(L, target_idx);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}

/* A new environment table (read-only for the code) reading through to the load-time
 * globals, pushed. */
static void push_load_env(lua_State *L)
{
    lua_newtable(L);
    lua_newtable(L);
    lua_pushcfunction(L, lenv_ro_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_getfield(L, LUA_REGISTRYINDEX, LREG_LOADG);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
}

/* Runs the compiled chunk at base+1 with environment base+3, collecting functions
 * into base+2; 0 or -1 with err. */
static int run_chunk(lua_State *L, int base, int limited, char *err, size_t errlen)
{
    lua_pushvalue(L, base + 3);
    lua_setfenv(L, base + 1);
    lua_getfield(L, LUA_REGISTRYINDEX, LREG_G);
    lua_getfield(L, -1, "__redis__err__handler");
    lua_replace(L, -2);                         /* base+4: handler */
    lua_pushvalue(L, base + 2);
    lua_setfield(L, LUA_REGISTRYINDEX, LREG_PENDING);
    lua_pushvalue(L, base + 1);
    if (limited) {
        clock_gettime(CLOCK_MONOTONIC, &load_start);
        lua_sethook(L, load_hook, LUA_MASKCOUNT, LOAD_HOOK_EVERY);
    }
    int rc = lua_pcall(L, 0, 0, base + 4);
    lua_sethook(L, NULL, 0, 0);
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LREG_PENDING);
    if (rc == 0)
        return 0;
    const char *msg = "unknown error";
    if (lua_istable(L, -1)) {
        lua_getfield(L, -1, "err");
        msg = lua_isstring(L, -1) ? lua_tostring(L, -1) : msg;
    }
    snprintf(err, errlen, "ERR Error registering functions: %s", msg);
    return -1;
}

int flib_load(lua_State *L, const char *code, size_t len, int limited, char *err, size_t errlen)
{
    long end = first_line(code, len);
    if (end < 0) {
        snprintf(err, errlen, "ERR Invalid library metadata");
        return -1;
    }
    int base = lua_gettop(L);
    if (luaL_loadbuffer(L, code + end, len - (size_t)end, "@user_function")) {
        snprintf(err, errlen, "ERR Error compiling function: %s", lua_tostring(L, -1));
        lua_settop(L, base);
        return -1;
    }
    lua_newtable(L);                            /* base+2: pending functions */
    push_load_env(L);                           /* base+3: env */
    if (run_chunk(L, base, limited, err, errlen) < 0) {
        lua_settop(L, base);
        return -1;
    }
    lua_pushnil(L);
    if (!lua_next(L, base + 2)) {
        snprintf(err, errlen, "ERR No functions registered");
        lua_settop(L, base);
        return -1;
    }
    env_target(L, base + 3, LUA_GLOBALSINDEX);
    lua_settop(L, base + 2);
    lua_remove(L, base + 1);
    return 0;
}
