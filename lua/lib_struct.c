/* lua/lib_struct.c - the struct library of Redis 7.0 scripts: pack(fmt, ...),
 * unpack(fmt, s [, pos]) and size(fmt), as the struct.c (Roberto Ierusalimschy,
 * v1.4) that Redis bundles behaves, with Redis's later fixes (size overflow, offset
 * and length checks).
 *
 * Format: '>' big endian, '<' little endian (the default: native, little on the
 *   machines we run on), '![n]' alignment n (a power of 2, default 8), ' ' ignored;
 *   b/B char, h/H short (2), l/L long (8), T size_t (8), i/I[n] int of n bytes
 *   (default 4, at most 32), lower case signed; f float, d double; x a zero byte;
 *   c[n] n chars (pack: n == 0 takes the whole string; unpack: n == 0 takes the
 *   previous result as the length); s a zero-terminated string.  Digits after any
 *   other option form an option of their own (unknown, so an error; size() skips
 *   unknown letters and digits).
 * Alignment: an item of size k other than c is padded to min(k, align) with
 *   (k - (pos & (k-1))) & (k-1), even for sizes that are not powers of 2.
 * Integers wider than 8 bytes carry only their low 8 bytes (zero above them on pack,
 *   ignored on unpack) and unpack's sign test shifts by (8*size - 1) mod 64, as the
 *   x86-64 builds of Redis do.  Numbers become integers as x86-64 converts them:
 *   NaN and out of range give 0x8000000000000000, except 2^64 and above: 0.
 * Errors: Redis's texts and argument numbers, quirks included: pack's "string too
 *   short" names the argument after the string, and pack pushes a nil above its
 *   arguments before its buffer, so a missing argument reads "got nil". */
#include <ctype.h>
#include <lauxlib.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "lua/lua_libs.h"

#define MAX_INT_SIZE 32
#define MAX_ALIGN 8                 /* alignment of double in a struct, x86-64 */

enum { BIG, LITTLE };
#define NATIVE (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? LITTLE : BIG)

struct options {
    int endian;
    int align;
};

/* The number at *fmt (consumed), or dflt when none is there. */
static int get_num(lua_State *L, const char **fmt, int dflt)
{
    if (!isdigit((unsigned char)**fmt))
        return dflt;
    int a = 0;
    do {
        int d = **fmt - '0';
        if (a > INT_MAX / 10 || a * 10 > INT_MAX - d)
            luaL_error(L, "integral size overflow");
        a = a * 10 + d;
        (*fmt)++;
    } while (isdigit((unsigned char)**fmt));
    return a;
}

/* Bytes an option takes (0 for control options and unknown ones). */
static size_t opt_size(lua_State *L, int opt, const char **fmt)
{
    switch (opt) {
    case 'b': case 'B': case 'x': return 1;
    case 'h': case 'H': return sizeof(short);
    case 'l': case 'L': return sizeof(long);
    case 'T': return sizeof(size_t);
    case 'f': return sizeof(float);
    case 'd': return sizeof(double);
    case 'c': return (size_t)get_num(L, fmt, 1);
    case 'i': case 'I': {
        int n = get_num(L, fmt, sizeof(int));
        if (n > MAX_INT_SIZE)
            luaL_error(L, "integral size %d is larger than limit of %d", n, MAX_INT_SIZE);
        return (size_t)n;
    }
    default: return 0;
    }
}

static size_t align_pad(size_t pos, const struct options *o, int opt, size_t size)
{
    if (size == 0 || opt == 'c')
        return 0;
    if (size > (size_t)o->align)
        size = (size_t)o->align;
    return (size - (pos & (size - 1))) & (size - 1);
}

/* Endianness, alignment, blanks; anything else is an invalid option. */
static void control(lua_State *L, int opt, const char **fmt, struct options *o)
{
    switch (opt) {
    case ' ':
        return;
    case '>':
        o->endian = BIG;
        return;
    case '<':
        o->endian = LITTLE;
        return;
    case '!': {
        int a = get_num(L, fmt, MAX_ALIGN);
        if (a <= 0 || (a & (a - 1)) != 0)
            luaL_error(L, "alignment %d is not a power of 2", a);
        o->align = a;
        return;
    }
    default:
        luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", opt));
    }
}

/* (unsigned long)n as x86-64 code computes it: cvttsd2si, after subtracting 2^63
 * from numbers at or above 2^63. */
static uint64_t x86_to_u64(double n)
{
    if (n >= 0x1p63)
        return n < 0x1p64 ? (uint64_t)(int64_t)(n - 0x1p63) ^ (1ULL << 63) : 0;
    return n >= -0x1p63 ? (uint64_t)(int64_t)n : 1ULL << 63;
}

/* --- pack -------------------------------------------------------------------------- */

static void add_int(lua_State *L, luaL_Buffer *b, int arg, int endian, size_t size)
{
    uint64_t v = x86_to_u64(luaL_checknumber(L, arg));
    char bytes[MAX_INT_SIZE];
    for (size_t i = 0; i < size; i++, v >>= 8)
        bytes[endian == LITTLE ? i : size - 1 - i] = (char)(v & 0xff);
    luaL_addlstring(b, bytes, size);
}

static void add_raw(luaL_Buffer *b, const void *p, size_t n, int endian)
{
    const char *c = p;
    for (size_t i = 0; i < n; i++)
        luaL_addchar(b, c[endian == NATIVE ? i : n - 1 - i]);
}

/* c[n] and s: returns the bytes added. */
static size_t add_string(lua_State *L, luaL_Buffer *b, int arg, int opt, size_t size)
{
    size_t len;
    const char *s = luaL_checklstring(L, arg, &len);
    if (size == 0)
        size = len;
    luaL_argcheck(L, len >= size, arg + 1, "string too short");
    luaL_addlstring(b, s, size);
    if (opt != 's')
        return size;
    luaL_addchar(b, '\0');
    return size + 1;
}

static int st_pack(lua_State *L)
{
    const char *fmt = luaL_checkstring(L, 1);
    struct options o = { NATIVE, 1 };
    int arg = 2;
    size_t total = 0;
    luaL_Buffer b;
    lua_pushnil(L);
    luaL_buffinit(L, &b);
    while (*fmt) {
        int opt = *fmt++;
        size_t size = opt_size(L, opt, &fmt);
        size_t pad = align_pad(total, &o, opt, size);
        total += pad;
        while (pad--)
            luaL_addchar(&b, '\0');
        switch (opt) {
        case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
            add_int(L, &b, arg++, o.endian, size);
            break;
        case 'x':
            luaL_addchar(&b, '\0');
            break;
        case 'f': {
            float f = (float)luaL_checknumber(L, arg++);
            add_raw(&b, &f, sizeof(f), o.endian);
            break;
        }
        case 'd': {
            double d = luaL_checknumber(L, arg++);
            add_raw(&b, &d, sizeof(d), o.endian);
            break;
        }
        case 'c': case 's':
            size = add_string(L, &b, arg++, opt, size);
            break;
        default:
            control(L, opt, &fmt, &o);
        }
        total += size;
    }
    luaL_pushresult(&b);
    return 1;
}

/* --- unpack ------------------------------------------------------------------------ */

static lua_Number get_int(const char *p, int endian, int is_signed, size_t size)
{
    uint64_t v = 0;
    for (size_t i = 0; i < size; i++)
        v = v << 8 | (unsigned char)p[endian == BIG ? i : size - 1 - i];
    if (!is_signed)
        return (lua_Number)v;
    uint64_t mask = ~0ULL << ((size * 8 - 1) & 63);
    if (v & mask)
        v |= mask;
    return (lua_Number)(int64_t)v;
}

static void push_raw(lua_State *L, const char *p, size_t n, int endian)
{
    char bytes[8];
    for (size_t i = 0; i < n; i++)
        bytes[i] = p[endian == NATIVE ? i : n - 1 - i];
    if (n == sizeof(float)) {
        float f;
        memcpy(&f, bytes, n);
        lua_pushnumber(L, f);
    } else {
        double d;
        memcpy(&d, bytes, n);
        lua_pushnumber(L, d);
    }
}

static void check_room(lua_State *L, size_t pos, size_t size, size_t len)
{
    luaL_argcheck(L, size <= len && pos <= len - size, 2, "data string too short");
}

/* c[n]: with n == 0 the previous result (popped) is the length.  Returns it. */
static size_t push_chars(lua_State *L, const char *data, size_t len, size_t pos, size_t size)
{
    if (size == 0) {
        if (lua_gettop(L) <= 2 || !lua_isnumber(L, -1))
            luaL_error(L, "format 'c0' needs a previous size");
        size = (size_t)x86_to_u64(lua_tonumber(L, -1));
        lua_pop(L, 1);
        check_room(L, pos, size, len);
    }
    lua_pushlstring(L, data + pos, size);
    return size;
}

/* s: returns the bytes taken, the terminating zero included. */
static size_t push_zstring(lua_State *L, const char *data, size_t len, size_t pos)
{
    const char *end = memchr(data + pos, '\0', len - pos);
    if (!end)
        luaL_error(L, "unfinished string in data");
    lua_pushlstring(L, data + pos, (size_t)(end - (data + pos)));
    return (size_t)(end - (data + pos)) + 1;
}

static int st_unpack(lua_State *L)
{
    const char *fmt = luaL_checkstring(L, 1);
    size_t len;
    const char *data = luaL_checklstring(L, 2, &len);
    size_t pos = (size_t)luaL_optinteger(L, 3, 1);
    luaL_argcheck(L, pos > 0, 3, "offset must be 1 or greater");
    pos--;
    struct options o = { NATIVE, 1 };
    lua_settop(L, 2);
    while (*fmt) {
        int opt = *fmt++;
        size_t size = opt_size(L, opt, &fmt);
        pos += align_pad(pos, &o, opt, size);
        check_room(L, pos, size, len);
        luaL_checkstack(L, 1, "too many results");
        switch (opt) {
        case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I':
            lua_pushnumber(L, get_int(data + pos, o.endian, islower(opt), size));
            break;
        case 'x':
            break;
        case 'f': case 'd':
            push_raw(L, data + pos, size, o.endian);
            break;
        case 'c':
            size = push_chars(L, data, len, pos, size);
            break;
        case 's':
            size = push_zstring(L, data, len, pos);
            break;
        default:
            control(L, opt, &fmt, &o);
        }
        pos += size;
    }
    lua_pushinteger(L, (lua_Integer)(pos + 1));
    return lua_gettop(L) - 2;
}

/* --- size -------------------------------------------------------------------------- */

static int st_size(lua_State *L)
{
    const char *fmt = luaL_checkstring(L, 1);
    struct options o = { NATIVE, 1 };
    size_t pos = 0;
    while (*fmt) {
        int opt = *fmt++;
        size_t size = opt_size(L, opt, &fmt);
        pos += align_pad(pos, &o, opt, size);
        if (opt == 's')
            luaL_argerror(L, 1, "option 's' has no fixed size");
        else if (opt == 'c' && size == 0)
            luaL_argerror(L, 1, "option 'c0' has no fixed size");
        if (!isalnum((unsigned char)opt))
            control(L, opt, &fmt, &o);
        pos += size;
    }
    lua_pushinteger(L, (lua_Integer)pos);
    return 1;
}

/* Built as luaL_register builds Redis's (sized for 3, fields in this order), so
 * pairs(struct) walks it as in Redis. */
int lstruct_open(lua_State *L)
{
    static const luaL_Reg fns[] = { { "pack", st_pack }, { "unpack", st_unpack },
                                    { "size", st_size }, { NULL, NULL } };
    lua_createtable(L, 0, 3);
    for (const luaL_Reg *f = fns; f->name; f++) {
        lua_pushcfunction(L, f->func);
        lua_setfield(L, -2, f->name);
    }
    return 1;
}
