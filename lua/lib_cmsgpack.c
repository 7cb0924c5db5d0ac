/* lua/lib_cmsgpack.c - the cmsgpack library of Redis 7.0 scripts (MessagePack), byte
 * for byte as the lua-cmsgpack 0.4.0 that Redis bundles behaves.
 *
 * pack(v, ...): the encodings of the values, concatenated; no value is an error.
 *   nil, functions, threads, userdata: nil (0xc0).  Booleans: 0xc2/0xc3.  A number
 *   that is an integer in [-2^63, 2^63): the shortest int - positive fixint, then
 *   uint8..uint64 when >= 0; negative fixint, then int8..int64 when < 0.  Any other
 *   number: float32 if a float holds exactly the same value (infinities do), else
 *   float64.  Strings: fixstr (< 32 bytes), str8, str16, str32.  A table whose keys
 *   are exactly the numbers 1..n (each <= INT_MAX): array of n; any other table: map,
 *   pairs in lua_next order.  A table nested 16 levels down is packed as nil, so
 *   cycles end.  A read-only library proxy (lua_env.c) is packed as the table it
 *   stands for, as Redis, which has no proxies, packs the library itself.
 * unpack(s): every value in s.  unpack_one(s [, offset]) and unpack_limit(s, limit
 *   [, offset]): at most 1 / limit values from byte offset (0-based), returned after
 *   the offset that follows them, or -1 when s is used up; limit and offset both 0
 *   (or absent) decode everything and return no offset.  Decoded: nil, booleans,
 *   every int width (uint64 above 2^63-1 wraps to a negative number, as in Redis),
 *   float32/64, str8/16/32 and fixstr, arrays (tables 1..n) and maps.  bin, ext and
 *   0xc1 are "Bad data format in input.", a cut input "Missing bytes in input.".
 * Error texts, and the Lua stack checks with their messages, are Redis's and come in
 * the same order, so deep nesting or thousands of values fail as they do in Redis.
 *
 * The encoder writes into one buffer kept for the process (pack never runs Lua code
 * while encoding, so it is never re-entered); a Lua error half-way leaves it valid. */
#include <lauxlib.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lua/lua_int.h"
#include "lua/lua_libs.h"

#define MAX_NESTING 16
#define KEEP_BUFFER (64 * 1024)     /* a larger encode buffer is freed after pack */

/* --- encoding ---------------------------------------------------------------------- */

static struct {
    unsigned char *b;
    size_t len, cap;
} out;

static void put(lua_State *L, const void *p, size_t n)
{
    if (out.cap - out.len < n) {
        size_t cap = out.cap ? out.cap : 256;
        while (cap - out.len < n)
            cap *= 2;
        unsigned char *b = realloc(out.b, cap);
        if (!b)
            luaL_error(L, "not enough memory");
        out.b = b;
        out.cap = cap;
    }
    memcpy(out.b + out.len, p, n);
    out.len += n;
}

/* A type byte followed by the low nbytes bytes of v, big-endian. */
static void put_tagged(lua_State *L, unsigned char tag, uint64_t v, int nbytes)
{
    unsigned char b[9];
    b[0] = tag;
    for (int i = nbytes; i >= 1; i--, v >>= 8)
        b[i] = (unsigned char)(v & 0xff);
    put(L, b, (size_t)nbytes + 1);
}

static void put_byte(lua_State *L, unsigned char c) { put(L, &c, 1); }

static void encode_int(lua_State *L, int64_t n)
{
    uint64_t v = (uint64_t)n;
    if (n >= 0) {
        if (n <= 127)
            put_byte(L, (unsigned char)n);
        else if (n <= 0xff)
            put_tagged(L, 0xcc, v, 1);
        else if (n <= 0xffff)
            put_tagged(L, 0xcd, v, 2);
        else if (n <= 0xffffffffLL)
            put_tagged(L, 0xce, v, 4);
        else
            put_tagged(L, 0xcf, v, 8);
    } else if (n >= -32) {
        put_byte(L, (unsigned char)(v & 0xff));
    } else if (n >= -128) {
        put_tagged(L, 0xd0, v, 1);
    } else if (n >= -32768) {
        put_tagged(L, 0xd1, v, 2);
    } else if (n >= INT32_MIN) {
        put_tagged(L, 0xd2, v, 4);
    } else {
        put_tagged(L, 0xd3, v, 8);
    }
}

/* float (double to float follows IEEE 754: out of range becomes infinite). */
static void encode_number(lua_State *L, double d)
{
    if (d >= -0x1p63 && d < 0x1p63 && d == (double)(int64_t)d) {
        encode_int(L, (int64_t)d);
        return;
    }
    float f = (float)d;
    if ((double)f == d) {
        uint32_t bits;
        memcpy(&bits, &f, 4);
        put_tagged(L, 0xca, bits, 4);
    } else {
        uint64_t bits;
        memcpy(&bits, &d, 8);
        put_tagged(L, 0xcb, bits, 8);
    }
}

/* Header of a string, array or map of n: the fix form below fix_limit, else 8, 16 or
 * 32 bits of length (tag8 0 when the type has no 8-bit form). */
static void encode_length(lua_State *L, size_t n, unsigned char fix, size_t fix_limit,
                          unsigned char tag8, unsigned char tag16, unsigned char tag32)
{
    if (n < fix_limit)
        put_byte(L, (unsigned char)(fix | n));
    else if (tag8 && n <= 0xff)
        put_tagged(L, tag8, n, 1);
    else if (n <= 0xffff)
        put_tagged(L, tag16, n, 2);
    else
        put_tagged(L, tag32, n, 4);
}

static void encode_string(lua_State *L)
{
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    encode_length(L, len, 0xa0, 32, 0xd9, 0xda, 0xdb);
    put(L, s, len);
}

/* Replaces a read-only proxy on the top of the stack by its real table. */
static void unwrap_proxy(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, LREG_RO);
    lua_pushvalue(L, -2);
    lua_rawget(L, -2);
    if (lua_istable(L, -1))
        lua_replace(L, -3);
    else
        lua_pop(L, 1);
    lua_pop(L, 1);
}

/* 1 if the keys of the table on the top are exactly the numbers 1..n; sets *n.
 * Needs 2 free stack slots. */
static int table_is_array(lua_State *L, size_t *n)
{
    int top = lua_gettop(L);
    size_t count = 0;
    double max = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        double k = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : 0;
        if (!(k > 0 && k <= INT_MAX && k == floor(k))) {
            lua_settop(L, top);
            return 0;
        }
        if (k > max)
            max = k;
        count++;
    }
    *n = count;
    return max == (double)count;
}

static void encode_value(lua_State *L, int level);

static void encode_array(lua_State *L, size_t n, int level)
{
    encode_length(L, n, 0x90, 16, 0, 0xdc, 0xdd);
    luaL_checkstack(L, 1, "in function mp_encode_lua_table_as_array");
    for (size_t i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, (int)i);
        encode_value(L, level + 1);
    }
}

static void encode_map(lua_State *L, int level)
{
    size_t n = 0;
    luaL_checkstack(L, 3, "in function mp_encode_lua_table_as_map");
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        n++;
    }
    encode_length(L, n, 0x80, 16, 0, 0xde, 0xdf);
    lua_pushnil(L);
    while (lua_next(L, -2)) {               /* key value */
        lua_pushvalue(L, -2);
        encode_value(L, level + 1);         /* the key (pops its copy) */
        encode_value(L, level + 1);         /* the value */
    }
}

/* Appends the value on the top of the stack and pops it. */
static void encode_value(lua_State *L, int level)
{
    int t = lua_type(L, -1);
    if (t == LUA_TTABLE && level == MAX_NESTING)
        t = LUA_TNIL;
    switch (t) {
    case LUA_TSTRING:
        encode_string(L);
        break;
    case LUA_TBOOLEAN:
        put_byte(L, lua_toboolean(L, -1) ? 0xc3 : 0xc2);
        break;
    case LUA_TNUMBER:
        encode_number(L, lua_tonumber(L, -1));
        break;
    case LUA_TTABLE: {
        size_t n;
        luaL_checkstack(L, 2, "in function table_is_an_array");   /* for both calls */
        unwrap_proxy(L);
        if (table_is_array(L, &n))
            encode_array(L, n, level);
        else
            encode_map(L, level);
        break;
    }
    default:
        put_byte(L, 0xc0);
        break;
    }
    lua_pop(L, 1);
}

static int mp_pack(lua_State *L)
{
    int nargs = lua_gettop(L);
    if (nargs == 0)
        return luaL_argerror(L, 0, "MessagePack pack needs input.");
    if (!lua_checkstack(L, nargs))
        return luaL_argerror(L, 0, "Too many arguments for MessagePack pack.");
    for (int i = 1; i <= nargs; i++) {
        luaL_checkstack(L, 1, "in function mp_check");
        lua_pushvalue(L, i);
        out.len = 0;
        encode_value(L, 0);
        lua_pushlstring(L, (const char *)out.b, out.len);
    }
    if (out.cap > KEEP_BUFFER) {
        free(out.b);
        out.b = NULL;
        out.cap = 0;
    }
    lua_concat(L, nargs);
    return 1;
}

/* --- decoding ---------------------------------------------------------------------- */

enum { DEC_OK, DEC_EOF, DEC_BADFMT };

struct cursor {
    const unsigned char *p;
    size_t left;
};

static uint64_t read_be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Consumes a type byte and its nbytes-long big-endian field into *v. */
static int take_field(struct cursor *c, int nbytes, uint64_t *v)
{
    if (c->left < (size_t)nbytes + 1)
        return DEC_EOF;
    *v = read_be(c->p + 1, nbytes);
    c->p += nbytes + 1;
    c->left -= (size_t)nbytes + 1;
    return DEC_OK;
}

static int decode_value(lua_State *L, struct cursor *c);

static int decode_string(lua_State *L, struct cursor *c, size_t len)
{
    if (c->left < len)
        return DEC_EOF;
    lua_pushlstring(L, (const char *)c->p, len);
    c->p += len;
    c->left -= len;
    return DEC_OK;
}

static int decode_array(lua_State *L, struct cursor *c, size_t n)
{
    lua_newtable(L);
    luaL_checkstack(L, 1, "in function mp_decode_to_lua_array");
    for (size_t i = 1; i <= n; i++) {
        lua_pushnumber(L, (lua_Number)i);
        int err = decode_value(L, c);
        if (err)
            return err;
        lua_rawset(L, -3);
    }
    return DEC_OK;
}

/* A nil or NaN key raises Lua's own "table index is nil/NaN", as in Redis. */
static int decode_map(lua_State *L, struct cursor *c, size_t n)
{
    lua_newtable(L);
    while (n--) {
        int err = decode_value(L, c);
        if (!err)
            err = decode_value(L, c);
        if (err)
            return err;
        lua_rawset(L, -3);
    }
    return DEC_OK;
}

/* The value of a type byte whose length (or value) is in the byte itself. */
static int decode_fixed(lua_State *L, struct cursor *c, unsigned char t)
{
    c->p++;
    c->left--;
    if (t <= 0x7f || t >= 0xe0) {
        lua_pushinteger(L, t <= 0x7f ? t : (int)t - 256);     /* +fixint, -fixint */
        return DEC_OK;
    }
    if (t >= 0xa0)
        return decode_string(L, c, t & 0x1f);
    return t >= 0x90 ? decode_array(L, c, t & 0xf) : decode_map(L, c, t & 0xf);
}

static int decode_number(lua_State *L, struct cursor *c, unsigned char t)
{
    static const int width[] = { 4, 8, 1, 2, 4, 8, 1, 2, 4, 8 };  /* 0xca..0xd3 */
    uint64_t v;
    if (take_field(c, width[t - 0xca], &v))
        return DEC_EOF;
    if (t == 0xca) {
        uint32_t bits = (uint32_t)v;
        float f;
        memcpy(&f, &bits, 4);
        lua_pushnumber(L, f);
    } else if (t == 0xcb) {
        double d;
        memcpy(&d, &v, 8);
        lua_pushnumber(L, d);
    } else if (t == 0xd0) {
        lua_pushnumber(L, (int8_t)v);
    } else if (t == 0xd1) {
        lua_pushnumber(L, (int16_t)v);
    } else if (t == 0xd2) {
        lua_pushnumber(L, (int32_t)v);
    } else if (t == 0xd3 || t == 0xcf) {    /* uint 64 wraps above 2^63-1, as in Redis */
        lua_pushnumber(L, (lua_Number)(int64_t)v);
    } else {                                /* uint 8, 16, 32 */
        lua_pushnumber(L, (lua_Number)v);
    }
    return DEC_OK;
}

/* Pushes the value at the cursor (containers with everything in them). */
static int decode_value(lua_State *L, struct cursor *c)
{
    if (c->left < 1)
        return DEC_EOF;
    luaL_checkstack(L, 1, "too many return values at once; use unpack_one or unpack_limit instead.");
    unsigned char t = c->p[0];
    uint64_t n;
    if (t <= 0xbf || t >= 0xe0)
        return decode_fixed(L, c, t);
    switch (t) {
    case 0xc0: case 0xc2: case 0xc3:
        if (t == 0xc0)
            lua_pushnil(L);
        else
            lua_pushboolean(L, t == 0xc3);
        c->p++;
        c->left--;
        return DEC_OK;
    case 0xca: case 0xcb: case 0xcc: case 0xcd: case 0xce: case 0xcf:
    case 0xd0: case 0xd1: case 0xd2: case 0xd3:
        return decode_number(L, c, t);
    case 0xd9: case 0xda: case 0xdb:
        return take_field(c, 1 << (t - 0xd9), &n) ? DEC_EOF : decode_string(L, c, n);
    case 0xdc: case 0xdd:
        return take_field(c, t == 0xdc ? 2 : 4, &n) ? DEC_EOF : decode_array(L, c, n);
    case 0xde: case 0xdf:
        return take_field(c, t == 0xde ? 2 : 4, &n) ? DEC_EOF : decode_map(L, c, n);
    default:
        return DEC_BADFMT;
    }
}

/* Decodes from byte offset of the string at index 1 (unpack_one and unpack_limit drop
 * their other arguments first; unpack keeps them, so they count on the Lua stack). */
static int unpack_full(lua_State *L, lua_Integer limit, lua_Integer offset)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    int all = limit == 0 && offset == 0;
    if (offset < 0 || limit < 0)            /* Redis prints the length as the limit */
        return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.",
                          (int)offset, (int)len);
    if ((size_t)offset > len)
        return luaL_error(L, "Start offset %d greater than input length %d.", (int)offset, (int)len);
    struct cursor c = { (const unsigned char *)s + offset, len - (size_t)offset };
    lua_Integer count = 0;
    for (; c.left > 0 && (all || count < limit); count++) {
        int err = decode_value(L, &c);
        if (err == DEC_EOF)
            return luaL_error(L, "Missing bytes in input.");
        if (err)
            return luaL_error(L, "Bad data format in input.");
    }
    if (all)
        return (int)count;
    luaL_checkstack(L, 1, "in function mp_unpack_full");
    lua_pushinteger(L, c.left == 0 ? -1 : (lua_Integer)(len - c.left));
    lua_insert(L, 2);
    return (int)count + 1;
}

static int mp_unpack(lua_State *L) { return unpack_full(L, 0, 0); }

static int mp_unpack_one(lua_State *L)
{
    lua_Integer offset = luaL_optinteger(L, 2, 0);
    if (lua_gettop(L) > 1)
        lua_settop(L, 1);
    return unpack_full(L, 1, offset);
}

static int mp_unpack_limit(lua_State *L)
{
    lua_Integer limit = luaL_checkinteger(L, 2);
    lua_Integer offset = luaL_optinteger(L, 3, 0);
    lua_settop(L, 1);
    return unpack_full(L, limit, offset);
}

/* Fields set in Redis's order, so pairs(cmsgpack) walks them as Redis does. */
int lcmsgpack_open(lua_State *L)
{
    static const luaL_Reg fns[] = { { "pack", mp_pack }, { "unpack", mp_unpack },
                                    { "unpack_one", mp_unpack_one },
                                    { "unpack_limit", mp_unpack_limit }, { NULL, NULL } };
    static const char *const meta[][2] = {
        { "_NAME", "cmsgpack" }, { "_VERSION", "lua-cmsgpack 0.4.0" },
        { "_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo" },
        { "_DESCRIPTION", "MessagePack C implementation for Lua" },
    };
    lua_newtable(L);
    for (const luaL_Reg *f = fns; f->name; f++) {
        lua_pushcfunction(L, f->func);
        lua_setfield(L, -2, f->name);
    }
    for (size_t i = 0; i < sizeof(meta) / sizeof(meta[0]); i++) {
        lua_pushstring(L, meta[i][1]);
        lua_setfield(L, -2, meta[i][0]);
    }
    return 1;
}
