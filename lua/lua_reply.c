/* lua/lua_reply.c - a script's return value as the reply, with Redis 7.0's rules:
 *   string -> bulk; number -> integer (truncated); true -> :1, false -> null, unless
 *   the script chose RESP3 (redis.setresp(3)): then booleans; nil and others -> null;
 *   table with a string 'err' -> error, 'ok' -> status, number 'double' -> double,
 *   string 'big_number' -> big number, table 'map' -> map, table 'set' -> set;
 *   any other table -> array of t[1], t[2], ... up to the first nil.
 * RESP3 types fall back to their RESP2 forms through the reply builder. */
#include <lauxlib.h>

#include "lua/lua_int.h"

static void write_value(lua_State *L, struct reply *r, int lua_resp);

/* Pushes t[field] (raw) for the table on the top; returns its type. */
static int field(lua_State *L, const char *name)
{
    lua_pushstring(L, name);
    lua_rawget(L, -2);
    return lua_type(L, -1);
}

static void write_array(lua_State *L, struct reply *r, int lua_resp)
{
    size_t h = reply_defer_begin(r);
    long n = 0;
    for (;;) {
        lua_rawgeti(L, -1, (int)n + 1);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            break;
        }
        write_value(L, r, lua_resp);
        lua_pop(L, 1);
        n++;
    }
    reply_defer_end(r, h, '*', n);
}

/* The map or set table on the top: pairs (map) or keys (set). */
static void write_pairs(lua_State *L, struct reply *r, int is_map, int lua_resp)
{
    size_t h = reply_defer_begin(r);
    long n = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pushvalue(L, -2);
        write_value(L, r, lua_resp);
        lua_pop(L, 1);
        if (is_map)
            write_value(L, r, lua_resp);
        lua_pop(L, 1);
        n++;
    }
    reply_defer_end(r, h, is_map ? '%' : '~', n);
}

/* A table that is a special reply ({err=}, {ok=}...): written, returns 1. */
static int write_special(lua_State *L, struct reply *r, int lua_resp)
{
    if (field(L, "err") == LUA_TSTRING) {
        lapi_reply_error(L, -2, r, lua_tostring(L, -1));
    } else if (lua_pop(L, 1), field(L, "ok") == LUA_TSTRING) {
        reply_status(r, lua_tostring(L, -1));
    } else if (lua_pop(L, 1), field(L, "double") == LUA_TNUMBER) {
        reply_double(r, lua_tonumber(L, -1));
    } else if (lua_pop(L, 1), field(L, "big_number") == LUA_TSTRING) {
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);
        if (r->resp == 3) {
            reply_raw(r, "(", 1);
            reply_raw(r, s, len);
            reply_raw(r, "\r\n", 2);
        } else {
            reply_bulk(r, s, len);
        }
    } else if (lua_pop(L, 1), field(L, "map") == LUA_TTABLE) {
        write_pairs(L, r, 1, lua_resp);
    } else if (lua_pop(L, 1), field(L, "set") == LUA_TTABLE) {
        write_pairs(L, r, 0, lua_resp);
    } else {
        lua_pop(L, 1);
        return 0;
    }
    lua_pop(L, 1);
    return 1;
}

static void write_value(lua_State *L, struct reply *r, int lua_resp)
{
    if (!lua_checkstack(L, 4)) {
        reply_error(r, "ERR reached lua stack limit");
        return;
    }
    switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);
        reply_bulk(r, s, len);
        break;
    }
    case LUA_TBOOLEAN:
        if (lua_resp == 3)
            reply_bool(r, lua_toboolean(L, -1));
        else if (lua_toboolean(L, -1))
            reply_int(r, 1);
        else
            reply_null(r);
        break;
    case LUA_TNUMBER:
        reply_int(r, (long long)lua_tonumber(L, -1));
        break;
    case LUA_TTABLE:
        if (!write_special(L, r, lua_resp))
            write_array(L, r, lua_resp);
        break;
    default:
        reply_null(r);
    }
}

void lreply_write(lua_State *L, struct reply *r, int lua_resp) { write_value(L, r, lua_resp); }
