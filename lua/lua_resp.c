/* lua/lua_resp.c - a command's RESP2/RESP3 reply as the Lua value redis.call returns,
 * with Redis 7.0's conversions:
 *   integer -> number          bulk -> string          null bulk / null array -> false
 *   array -> table 1..n        status -> {ok=s}        error -> {err=s}
 *   RESP3: map -> {map={k=v}}  set -> {set={k=true}}   null -> nil
 *          double -> {double=n}  boolean -> true/false  big number -> {big_number=s}
 *          verbatim -> {verbatim_string={format=f, string=s}}; attributes skipped.
 * The bytes come from our own reply builder, so they are well formed. */
#include <lauxlib.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lua/lua_int.h"

/* The line after the type byte: pushes nothing, returns its end, sets *len. */
static const char *line(const char *p, size_t *len)
{
    const char *e = strstr(p, "\r\n");
    *len = (size_t)(e - p);
    return e + 2;
}

/* The value on the top becomes {field = value}: a table sized for it, so that the
 * field goes in without a rehash. */
static void push_field_table(lua_State *L, const char *field)
{
    lua_createtable(L, 0, 1);
    lua_insert(L, -2);
    lua_setfield(L, -2, field);
}

static const char *push_aggregate(lua_State *L, const char *p, long n, char kind)
{
    luaL_checkstack(L, 4, "reply too deeply nested");
    int size = n < INT_MAX ? (int)n : 0;
    if (kind == '*' || kind == '>')
        lua_createtable(L, size, 0);
    else
        lua_createtable(L, 0, size);
    for (long i = 0; i < n; i++) {
        if (kind == '*' || kind == '>') {
            p = lresp_push(L, p);
            lua_rawseti(L, -2, (int)i + 1);
        } else if (kind == '~') {
            p = lresp_push(L, p);
            lua_pushboolean(L, 1);
            lua_rawset(L, -3);
        } else {
            p = lresp_push(L, p);
            p = lresp_push(L, p);
            lua_rawset(L, -3);
        }
    }
    if (kind == '%')
        push_field_table(L, "map");
    else if (kind == '~')
        push_field_table(L, "set");
    return p;
}

static const char *push_verbatim(lua_State *L, const char *p, long n)
{
    lua_createtable(L, 0, 2);
    lua_pushlstring(L, p, 3);
    lua_setfield(L, -2, "format");
    lua_pushlstring(L, p + 4, (size_t)n - 4);
    lua_setfield(L, -2, "string");
    push_field_table(L, "verbatim_string");
    return p + n + 2;
}

const char *lresp_push(lua_State *L, const char *p)
{
    char kind = *p++;
    size_t len;
    const char *next = line(p, &len);
    long n;                                 /* a length or count: parsed where one is */
    switch (kind) {
    case '+':
    case '-':
        lua_pushlstring(L, p, len);
        push_field_table(L, kind == '+' ? "ok" : "err");
        return next;
    case ':':
        lua_pushnumber(L, (lua_Number)strtoll(p, NULL, 10));
        return next;
    case '$':
        if ((n = strtol(p, NULL, 10)) < 0) {
            lua_pushboolean(L, 0);
            return next;
        }
        lua_pushlstring(L, next, (size_t)n);
        return next + n + 2;
    case '=':
        return push_verbatim(L, next, strtol(p, NULL, 10));
    case '*':
    case '~':
    case '%':
    case '>':
        if ((n = strtol(p, NULL, 10)) < 0) {
            lua_pushboolean(L, 0);
            return next;
        }
        return push_aggregate(L, next, n, kind);
    case '|':
        next = push_aggregate(L, next, strtol(p, NULL, 10), '%');
        lua_pop(L, 1);
        return lresp_push(L, next);
    case '_':
        lua_pushnil(L);
        return next;
    case ',':
        lua_pushnumber(L, strtod(p, NULL));
        push_field_table(L, "double");
        return next;
    case '#':
        lua_pushboolean(L, *p == 't');
        return next;
    case '(':
        lua_pushlstring(L, p, len);
        push_field_table(L, "big_number");
        return next;
    }
    lua_pushnil(L);
    return next;
}
