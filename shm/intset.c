/* shm/intset.c - intsets in the arena (see shm/intset.h): Redis 7.0's format, byte
 * for byte: <encoding u32 LE><length u32 LE><length little-endian integers>.
 *
 * Invariants:
 *  - Members are strictly increasing; every member fits the encoding (2, 4 or 8
 *    bytes).  The encoding only grows (an add of a wider value upgrades the whole set;
 *    removals never downgrade, as in Redis).
 *  - An intset is never modified after it is built: add/remove build a new allocation
 *    and shm_free the old one (freed at commit); nothing here is undo-logged.
 *  - Reading functions trust their input; intset_validate makes untrusted bytes
 *    trustworthy and never reads outside them.
 */
#include "shm/intset.h"

#include <string.h>

#include "shm/alloc.h"

#define IS_HDR 8

static inline uint64_t rd_le(const unsigned char *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;)
        v = (v << 8) | p[i];
    return v;
}

static inline void wr_le(unsigned char *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++, v >>= 8)
        p[i] = (unsigned char)v;
}

static inline unsigned enc_of(const unsigned char *is) { return (unsigned)rd_le(is, 4); }
static inline uint32_t len_of(const unsigned char *is) { return (uint32_t)rd_le(is + 4, 4); }

/* The smallest encoding holding v. */
static inline unsigned value_enc(int64_t v)
{
    if (v >= INT16_MIN && v <= INT16_MAX) return 2;
    if (v >= INT32_MIN && v <= INT32_MAX) return 4;
    return 8;
}

static inline int64_t get_enc(const unsigned char *is, uint32_t pos, unsigned enc)
{
    const unsigned char *p = is + IS_HDR + (size_t)pos * enc;
    if (enc == 2) return (int16_t)rd_le(p, 2);      /* constant widths: one load each */
    if (enc == 4) return (int32_t)rd_le(p, 4);
    return (int64_t)rd_le(p, 8);
}

/* Binary search: 1 and *pos = its index if v is a member, else 0 and *pos = where it
 * would be inserted. */
static int search(const unsigned char *is, int64_t v, uint32_t *pos)
{
    unsigned enc = enc_of(is);
    uint32_t lo = 0, hi = len_of(is);
    if (hi > 0 && v > get_enc(is, hi - 1, enc)) {       /* common case: appending */
        *pos = hi;
        return 0;
    }
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int64_t cur = get_enc(is, mid, enc);
        if (cur == v) {
            *pos = mid;
            return 1;
        }
        if (cur < v) lo = mid + 1;
        else hi = mid;
    }
    *pos = lo;
    return 0;
}

static shm_off_t alloc_set(unsigned enc, uint32_t len, unsigned char **out)
{
    shm_off_t off = shm_alloc(IS_HDR + (size_t)len * enc);
    *out = shm_ptr(off);
    wr_le(*out, enc, 4);
    wr_le(*out + 4, len, 4);
    return off;
}

shm_off_t intset_new(void)
{
    unsigned char *b;
    return alloc_set(2, 0, &b);
}

shm_off_t intset_from_bytes(const unsigned char *bytes, size_t len)
{
    shm_off_t off = shm_alloc(len);
    memcpy(shm_ptr(off), bytes, len);
    return off;
}

/* Redis's rules: header readable, encoding 2/4/8, size exactly header + members, not
 * empty (no empty set is ever stored); deep: strictly increasing. */
int intset_validate(const unsigned char *bytes, size_t len, int deep)
{
    if (len < IS_HDR) return 0;
    unsigned enc = enc_of(bytes);
    uint32_t n = len_of(bytes);
    if (enc != 2 && enc != 4 && enc != 8) return 0;
    if ((uint64_t)IS_HDR + (uint64_t)n * enc != len || n == 0) return 0;
    if (!deep) return 1;
    for (uint32_t i = 1; i < n; i++)
        if (get_enc(bytes, i, enc) <= get_enc(bytes, i - 1, enc)) return 0;
    return 1;
}

const unsigned char *intset_ptr(shm_off_t is) { return shm_ptr(is); }
uint32_t intset_length(shm_off_t is) { return len_of(intset_ptr(is)); }
size_t intset_bytes(shm_off_t is) { return IS_HDR + (size_t)intset_length(is) * enc_of(intset_ptr(is)); }

int64_t intset_get(shm_off_t is, uint32_t pos)
{
    const unsigned char *b = intset_ptr(is);
    return get_enc(b, pos, enc_of(b));
}

int intset_find(shm_off_t is, int64_t v)
{
    const unsigned char *b = intset_ptr(is);
    uint32_t pos;
    return value_enc(v) <= enc_of(b) && search(b, v, &pos);
}

/* Copies members [from, to) of src (encoding senc) to dst (encoding denc) at index at. */
static void copy_members(unsigned char *dst, unsigned denc, uint32_t at,
                         const unsigned char *src, unsigned senc, uint32_t from, uint32_t to)
{
    if (senc == denc) {
        memcpy(dst + IS_HDR + (size_t)at * denc, src + IS_HDR + (size_t)from * senc, (size_t)(to - from) * senc);
        return;
    }
    for (uint32_t i = from; i < to; i++, at++)
        wr_le(dst + IS_HDR + (size_t)at * denc, (uint64_t)get_enc(src, i, senc), denc);
}

shm_off_t intset_add(shm_off_t is, int64_t v, int *added)
{
    const unsigned char *old = intset_ptr(is);
    unsigned oenc = enc_of(old), enc = oenc;
    uint32_t n = len_of(old), pos;
    if (value_enc(v) > oenc) {
        enc = value_enc(v);             /* wider than every member: goes at an end */
        pos = v < 0 ? 0 : n;
    } else if (search(old, v, &pos)) {
        if (added) *added = 0;
        return is;
    }
    unsigned char *b;
    shm_off_t off = alloc_set(enc, n + 1, &b);
    copy_members(b, enc, 0, old, oenc, 0, pos);
    wr_le(b + IS_HDR + (size_t)pos * enc, (uint64_t)v, enc);
    copy_members(b, enc, pos + 1, old, oenc, pos, n);
    shm_free(is);
    if (added) *added = 1;
    return off;
}

shm_off_t intset_remove(shm_off_t is, int64_t v, int *removed)
{
    const unsigned char *old = intset_ptr(is);
    unsigned enc = enc_of(old);
    uint32_t n = len_of(old), pos;
    if (value_enc(v) > enc || !search(old, v, &pos)) {
        if (removed) *removed = 0;
        return is;
    }
    unsigned char *b;
    shm_off_t off = alloc_set(enc, n - 1, &b);
    copy_members(b, enc, 0, old, enc, 0, pos);
    copy_members(b, enc, pos, old, enc, pos + 1, n);
    shm_free(is);
    if (removed) *removed = 1;
    return off;
}

int64_t intset_random(shm_off_t is, uint64_t (*rnd)(void))
{
    uint32_t n = intset_length(is);
    return n ? intset_get(is, (uint32_t)(rnd() % n)) : 0;
}

int64_t intset_min(shm_off_t is) { return intset_length(is) ? intset_get(is, 0) : 0; }
int64_t intset_max(shm_off_t is)
{
    uint32_t n = intset_length(is);
    return n ? intset_get(is, n - 1) : 0;
}
