/* lua/function_lib.c - loading a function library (FUNCTION LOAD's code) into the
 * worker's Lua state: the "#!lua name=<lib>" metadata, compilation as
 * "@user_function", and running the code with a load-time redis table that offers
 * register_function and log only (anything else raises "Script attempted to access
 * nonexistent global variable").  Registered functions are collected into a table
 * {name -> {fn=, flags=, desc=}} left on the stack.
 *
 * Each library runs in its own environment table E whose metatable reads through to
 * the load-time globals; once loaded it reads through to the normal (read-only)
 * globals, so the functions see the full redis API when FCALL runs them. */
#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#include "lua/function.h"
#include "lua/lua_int.h"

#define LREG_LOADG "ferrous.loadG"              /* the load-time globals */

#define LREG_PENDING "ferrous.pending"          /* functions registered by the loading library */

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

#define BAD_NAME "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"

static int reg_error(lua_State *L, const char *msg)
{
    lapi_push_error(L, msg, strlen(msg));
    return lua_error(L);
}

/* Flags from a table of strings; -1 on an unknown one. */
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
        const char *s = lua_tostring(L, -1);
        int j = 0;
        while (names[j].name && !(s && strcmp(s, names[j].name) == 0))
            j++;
        if (!names[j].name)
            return -1;
        flags |= names[j].flag;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return flags;
}

/* register_function{function_name=, callback=, flags=, description=}: pushes name,
 * callback, flags, description (nil when absent). */
static void named_args(lua_State *L)
{
    lua_pushnil(L);
    lua_pushnil(L);
    lua_pushnumber(L, 0);
    lua_pushnil(L);                             /* 2 name, 3 callback, 4 flags, 5 desc */
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
        int slot = strcmp(k, "function_name") == 0 ? 2 : strcmp(k, "callback") == 0 ? 3
                 : strcmp(k, "flags") == 0 ? 4 : strcmp(k, "description") == 0 ? 5 : 0;
        if (!slot)
            reg_error(L, "unknown argument given to redis.register_function");
        if (slot == 4) {
            int f = lua_istable(L, -1) ? parse_flags(L, lua_gettop(L)) : -1;
            if (f < 0)
                reg_error(L, "unknown flag given");
            lua_pop(L, 1);
            lua_pushnumber(L, f);
        }
        lua_replace(L, slot);
    }
}

static int api_register_function(lua_State *L)
{
    int argc = lua_gettop(L);
    if (argc == 1 && lua_istable(L, 1)) {
        named_args(L);
    } else if (argc == 2) {
        lua_pushnil(L);
        lua_insert(L, 1);                       /* same slots as the named form */
        lua_pushnumber(L, 0);
        lua_pushnil(L);
    } else {
        return reg_error(L, "wrong number of arguments to redis.register_function");
    }
    size_t n;
    const char *name = lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, &n) : NULL;
    if (!name || !name_ok(name, n))
        return reg_error(L, BAD_NAME);
    if (!lua_isfunction(L, 3))
        return reg_error(L, "redis.register_function must get a callback argument");
    lua_getfield(L, LUA_REGISTRYINDEX, LREG_PENDING);   /* 6 */
    lua_getfield(L, 6, name);
    if (!lua_isnil(L, -1))
        return reg_error(L, "Function already exists in the library");
    lua_pop(L, 1);
    lua_createtable(L, 0, 3);
    lua_pushvalue(L, 3);
    lua_setfield(L, -2, "fn");
    lua_pushvalue(L, 4);
    lua_setfield(L, -2, "flags");
    lua_pushvalue(L, 5);
    lua_setfield(L, -2, "desc");
    lua_setfield(L, 6, name);
    return 0;
}

/* The load-time globals: redis = {register_function, log, LOG_*, REDIS_VERSION*},
 * reading through to the normal globals for everything else. */
void flib_init(lua_State *L)
{
    lua_newtable(L);                            /* real load-time redis table */
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
    lua_newtable(L);
    lua_getfield(L, LUA_REGISTRYINDEX, LREG_G);
    lua_getmetatable(L, -1);
    lua_getfield(L, -1, "__index");             /* the missing-global raiser */
    lua_setfield(L, -4, "__index");
    lua_pop(L, 2);
    lua_setmetatable(L, -2);
    lenv_readonly_proxy(L, -1);                 /* loadredis, proxy */
    lua_newtable(L);                            /* load-time globals */
    lua_insert(L, -2);
    lua_setfield(L, -2, "redis");
    lua_newtable(L);
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, LREG_LOADG);
    lua_pop(L, 1);
}

/* Parses "#!lua name=<lib>" into name; 0 ok, -1 with err. */
static int parse_metadata(const char *code, size_t len, char *name, size_t namecap, char *err, size_t errlen)
{
    if (len < 2 || code[0] != '#' || code[1] != '!') {
        snprintf(err, errlen, "ERR Missing library metadata");
        return -1;
    }
    const char *nl = memchr(code, '\n', len);
    if (!nl) {
        snprintf(err, errlen, "ERR Invalid library metadata");
        return -1;
    }
    size_t end = (size_t)(nl - code), i = 2;
    name[0] = '\0';
    int have_name = 0;
    for (int word = 0; i < end; word++) {
        while (i < end && code[i] == ' ')
            i++;
        size_t j = i;
        while (j < end && code[j] != ' ')
            j++;
        if (j == i)
            break;
        if (word == 0 && !(j - i == 3 && memcmp(code + i, "lua", 3) == 0)) {
            snprintf(err, errlen, "ERR Engine '%.*s' not found", (int)(j - i), code + i);
            return -1;
        }
        if (word > 0 && (j - i < 5 || memcmp(code + i, "name=", 5) != 0)) {
            snprintf(err, errlen, "ERR Invalid metadata value given: %.*s", (int)(j - i), code + i);
            return -1;
        }
        if (word > 0) {
            snprintf(name, namecap, "%.*s", (int)(j - i - 5), code + i + 5);
            have_name = 1;
        }
        i = j;
    }
    if (!have_name) {
        snprintf(err, errlen, "ERR Library name was not given");
        return -1;
    }
    if (!name_ok(name, strlen(name))) {
        snprintf(err, errlen, "ERR " BAD_NAME);
        return -1;
    }
    return 0;
}

/* Sets the environment table's read-through target (its metatable's __index). */
static void env_target(lua_State *L, int env, int target_idx)
{
    lua_getmetatable(L, env);
    lua_pushvalue(L, target_idx);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}

int flib_load(lua_State *L, const char *code, size_t len, char *name, size_t namecap, char *err, size_t errlen)
{
    if (parse_metadata(code, len, name, namecap, err, errlen) < 0)
        return -1;
    int base = lua_gettop(L);
    if (lscript_compile(L, code, len, "@user_function") < 0) {
        snprintf(err, errlen, "ERR Error compiling function: %s", lua_tostring(L, -1));
        lua_settop(L, base);
        return -1;
    }
    lua_newtable(L);                            /* base+2: pending functions */
    lua_newtable(L);                            /* base+3: env */
    lua_newtable(L);
    lua_pushcfunction(L, lenv_ro_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_getfield(L, LUA_REGISTRYINDEX, LREG_LOADG);
    env_target(L, base + 3, base + 4);
    lua_pop(L, 1);
    lua_pushvalue(L, base + 3);
    lua_setfenv(L, base + 1);
    lua_getfield(L, LUA_REGISTRYINDEX, LREG_G);
    lua_getfield(L, -1, "__redis__err__handler");
    lua_replace(L, -2);                         /* base+4: handler */
    lua_pushvalue(L, base + 2);
    lua_setfield(L, LUA_REGISTRYINDEX, LREG_PENDING);
    lua_pushvalue(L, base + 1);
    int rc = lua_pcall(L, 0, 0, base + 4);
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LREG_PENDING);
    if (rc) {
        const char *msg = "unknown error";
        if (lua_istable(L, -1)) {
            lua_getfield(L, -1, "err");
            msg = lua_isstring(L, -1) ? lua_tostring(L, -1) : msg;
        }
        snprintf(err, errlen, "ERR Error registering functions: %s", msg);
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
