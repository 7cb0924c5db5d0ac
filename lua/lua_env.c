/* lua/lua_env.c - the worker's sandboxed Lua state, as Redis 7.0 builds its own:
 * libraries base (minus print, dofile, loadfile, getfenv, setfenv, newproxy), table,
 * string, math, cjson, struct, cmsgpack, bit, coroutine; the redis table;
 * no os, io, package or debug.
 *
 * Read-only globals: stock Lua 5.1 has no read-only tables, so every library table
 * and the globals table are replaced by an empty proxy whose metatable reads through
 * to the real table (__index) and refuses writes (__newindex).  The real tables are
 * reachable only from C: the proxies' metatables are protected (__metatable), and
 * rawset, rawget, setmetatable, next and pairs are wrapped to see through proxies
 * (and to refuse writes to them).  The real globals table has a metatable whose
 * __index raises "Script attempted to access nonexistent global variable".  KEYS and
 * ARGV are set in the real globals table by lua_run.c. */
#include <lauxlib.h>
#include <lualib.h>
#include <lua-bitop.h>
#include <lua-cjson.h>
#include <stdlib.h>

#include "lua/function.h"
#include "lua/lua_alloc.h"
#include "lua/lua_int.h"
#include "lua/lua_libs.h"

#define RO_ERROR "Attempt to modify a readonly table"

/* Error raised from C with the position of the Lua code that triggered it. */
int lenv_ro_newindex(lua_State *L) { return luaL_error(L, RO_ERROR); }

static int missing_global(lua_State *L)
{
    return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                      luaL_optstring(L, 2, "?"));
}

/* Replaces the value at idx (a proxy) by its real table; 1 if it was a proxy. */
static int unwrap(lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TTABLE)
        return 0;
    lua_getfield(L, LUA_REGISTRYINDEX, LREG_RO);
    lua_pushvalue(L, idx);
    lua_rawget(L, -2);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 2);
        return 0;
    }
    lua_replace(L, idx);
    lua_pop(L, 1);
    return 1;
}

static int ro_refuse(lua_State *L)
{
    lua_pushstring(L, RO_ERROR);
    return lua_error(L);
}

static int wrap_rawset(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkany(L, 2);
    luaL_checkany(L, 3);
    if (unwrap(L, 1))
        return ro_refuse(L);
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 1;
}

static int wrap_rawget(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkany(L, 2);
    unwrap(L, 1);
    lua_settop(L, 2);
    lua_rawget(L, 1);
    return 1;
}

static int wrap_setmetatable(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    if (unwrap(L, 1))
        return ro_refuse(L);
    int t = lua_type(L, 2);
    luaL_argcheck(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table expected");
    if (luaL_getmetafield(L, 1, "__metatable"))
        return luaL_error(L, "cannot change a protected metatable");
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

static int wrap_next(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    unwrap(L, 1);
    lua_settop(L, 2);
    if (lua_next(L, 1))
        return 2;
    lua_pushnil(L);
    return 1;
}

/* Redis's pcall: an error table caught is handed to the script as its err string. */
static int wrap_pcall(lua_State *L)
{
    int argc = lua_gettop(L);
    luaL_checkany(L, 1);
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    if (lua_pcall(L, argc - 1, LUA_MULTRET, 0) == 0)
        return lua_gettop(L);
    if (lua_istable(L, -1)) {
        lua_getfield(L, -1, "err");
        if (lua_isstring(L, -1))
            lua_replace(L, -2);
        else
            lua_pop(L, 1);
    }
    lua_pushboolean(L, 0);
    lua_replace(L, 1);                      /* false, err */
    return 2;
}

static int wrap_pairs(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_pushcfunction(L, wrap_next);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

void lenv_readonly_proxy(lua_State *L, int idx)
{
    idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
    lua_newtable(L);                        /* proxy */
    lua_newtable(L);                        /* its metatable */
    lua_pushvalue(L, idx);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, lenv_ro_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_getfield(L, LUA_REGISTRYINDEX, LREG_RO);
    lua_pushvalue(L, -2);
    lua_pushvalue(L, idx);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

static void open_lib(lua_State *L, lua_CFunction fn, const char *name)
{
    lua_pushcfunction(L, fn);
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
    lua_setglobal(L, name);
}

static const char err_handler_src[] =
    "local dbg = debug\n"
    "__redis__err__handler = function(err)\n"
    "  local i = dbg.getinfo(2, 'nSl')\n"
    "  if i and i.what == 'C' then i = dbg.getinfo(3, 'nSl') end\n"
    "  if type(err) ~= 'table' then err = {err = 'ERR ' .. tostring(err)} end\n"
    "  if i then err['source'] = i.source; err['line'] = i.currentline end\n"
    "  return err\n"
    "end\n";

static void open_libs(lua_State *L)
{
    open_lib(L, luaopen_base, "");
    open_lib(L, luaopen_table, LUA_TABLIBNAME);
    open_lib(L, luaopen_string, LUA_STRLIBNAME);
    open_lib(L, luaopen_math, LUA_MATHLIBNAME);
    open_lib(L, luaopen_debug, LUA_DBLIBNAME);
    open_lib(L, luaopen_cjson, "cjson");
    open_lib(L, lstruct_open, "struct");
    open_lib(L, lcmsgpack_open, "cmsgpack");
    open_lib(L, luaopen_bit, "bit");
    lua_pushnil(L);                         /* luaopen_base's return value set "" */
    lua_setglobal(L, "");
    if (luaL_loadbuffer(L, err_handler_src, sizeof(err_handler_src) - 1, "=err_handler") || lua_pcall(L, 0, 0, 0))
        abort();
    static const char *const removed[] = { "print", "dofile", "loadfile", "getfenv", "setfenv", "newproxy",
                                           "module", "require", "package", "debug", NULL };
    for (int i = 0; removed[i]; i++) {
        lua_pushnil(L);
        lua_setglobal(L, removed[i]);
    }
    static const luaL_Reg wrapped[] = { { "rawset", wrap_rawset }, { "rawget", wrap_rawget },
                                        { "setmetatable", wrap_setmetatable }, { "next", wrap_next },
                                        { "pairs", wrap_pairs },
                                        { "pcall", wrap_pcall }, { NULL, NULL } };
    for (const luaL_Reg *w = wrapped; w->name; w++) {
        lua_pushcfunction(L, w->func);
        lua_setglobal(L, w->name);
    }
}

static void make_redis_table(lua_State *L)
{
    lua_newtable(L);
    lapi_fill(L);
    lua_setglobal(L, "redis");
}

/* Replaces every library table in the globals by its read-only proxy. */
static void protect_libraries(lua_State *L)
{
    static const char *const libs[] = { "string", "math", "table", "cjson", "bit", "coroutine", "redis",
                                        "cmsgpack", "struct", NULL };
    for (int i = 0; libs[i]; i++) {
        lua_getglobal(L, libs[i]);
        if (lua_istable(L, -1)) {
            lenv_readonly_proxy(L, -1);
            lua_setglobal(L, libs[i]);
        }
        lua_pop(L, 1);
    }
}

/* Swaps the globals table for its proxy; the real one raises on missing names. */
static void protect_globals(lua_State *L)
{
    lua_pushvalue(L, LUA_GLOBALSINDEX);     /* real globals G */
    lenv_readonly_proxy(L, -1);             /* G, P */
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "_G");              /* G._G = P */
    lua_newtable(L);
    lua_pushcfunction(L, missing_global);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -3);
    lua_pushvalue(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, LREG_G);
    lua_replace(L, LUA_GLOBALSINDEX);       /* globals = P */
    lua_pop(L, 1);
}

lua_State *lenv_create(void)
{
    lua_State *L = lua_newstate(lalloc, NULL);
    if (!L)
        abort();
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LREG_RO);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LREG_SCRIPTS);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LREG_SFLAGS);
    open_libs(L);
    make_redis_table(L);
    protect_libraries(L);
    protect_globals(L);
    flib_init(L);
    return L;
}
