/* shm/listpack.c - listpacks in the arena (see shm/listpack.h): Redis 7.0's format,
 * byte for byte.
 *
 * Entry layout: <encoding byte(s)><data><backlen>.  "elen" below is the length of
 * encoding + data; backlen stores elen as a reversed 7-bit varint (1..5 bytes, the
 * first byte in memory holds the highest bits, every byte but that one has bit 7 set)
 * so an entry can be found from its end.  Redis's size thresholds for backlen are
 * <= 127, < 16383, < 2097151, < 268435455 (note: not powers of two minus one).
 *
 * Invariants:
 *  - A listpack is never modified after it is built: every change builds a new
 *    allocation (one shm_alloc, pieces memcpy'd in) and shm_frees the old one, which
 *    stays readable until commit, so positions into it may be read while building.
 *    The only exception is the in-place section at the end, for listpacks whose owner
 *    manages their allocation: it changes bytes where they lie after logging them
 *    with undo_save, so a rolled-back write restores the whole allocation.
 *  - Built listpacks store integers in the smallest encoding and canonical integer
 *    strings as integers; num-elements is exact below 65535, else 65535 ("unknown",
 *    which then stays unknown as in Redis).
 *  - Reading functions trust their input (lp_validate is what makes untrusted bytes
 *    trustworthy); lp_validate never reads outside [bytes, bytes+len).
 */
#include "shm/listpack.h"

#include <stdlib.h>
#include <string.h>

#include "shm/alloc.h"
#include "shm/undo.h"
#include "util/numconv.h"

#define LP_HDR LP_HEADER_BYTES
#define LP_EOF 0xFF
#define LP_COUNT_UNKNOWN 65535
#define LP_MAX_TOTAL 0xFFFFFFFFu

#define LP_ENC_STR32 0xF0
#define LP_ENC_INT16 0xF1
#define LP_ENC_INT24 0xF2
#define LP_ENC_INT32 0xF3
#define LP_ENC_INT64 0xF4

/* ---- little-endian helpers ---- */

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

static inline uint32_t hdr_total(const unsigned char *lp) { return (uint32_t)rd_le(lp, 4); }
static inline uint32_t hdr_count(const unsigned char *lp) { return (uint32_t)rd_le(lp + 4, 2); }

static void hdr_write(unsigned char *lp, size_t total, uint64_t count)
{
    wr_le(lp, total, 4);
    wr_le(lp + 4, count < LP_COUNT_UNKNOWN ? count : LP_COUNT_UNKNOWN, 2);
}

/* ---- backlen ---- */

static inline unsigned backlen_size(uint64_t elen)
{
    if (elen <= 127) return 1;
    if (elen < 16383) return 2;
    if (elen < 2097151) return 3;
    if (elen < 268435455) return 4;
    return 5;
}

static void backlen_write(unsigned char *dst, uint64_t elen)
{
    unsigned n = backlen_size(elen);
    for (unsigned i = n; i-- > 0; elen >>= 7)
        dst[i] = (unsigned char)((elen & 127) | (i == 0 ? 0 : 128));
}

/* Decodes the backlen whose last byte is at p (trusted input). */
static inline uint64_t backlen_read(const unsigned char *p)
{
    uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7, p--) {
        v |= (uint64_t)(*p & 127) << shift;
        if (!(*p & 128)) return v;
    }
}

/* ---- entry decoding (trusted input) ---- */

/* Bytes of the encoding + data of the entry at p. */
static inline uint64_t entry_elen(const unsigned char *p)
{
    unsigned char b = p[0];
    if (b < 0x80) return 1;
    if (b < 0xC0) return 1u + (b & 0x3F);
    if (b < 0xE0) return 2;
    if (b < 0xF0) return 2u + (((unsigned)(b & 0x0F) << 8) | p[1]);
    switch (b) {
    case LP_ENC_STR32: return 5 + rd_le(p + 1, 4);
    case LP_ENC_INT16: return 3;
    case LP_ENC_INT24: return 4;
    case LP_ENC_INT32: return 5;
    default: return 9;                  /* LP_ENC_INT64 */
    }
}

static inline uint64_t entry_size(const unsigned char *p)
{
    uint64_t elen = entry_elen(p);
    return elen + backlen_size(elen);
}

/* Sign-extends the low 'bits' bits of u. */
static inline long long sext(uint64_t u, unsigned bits)
{
    uint64_t m = 1ULL << (bits - 1);
    u &= (bits == 64) ? ~0ULL : (1ULL << bits) - 1;
    return (long long)((u ^ m) - m);
}

/* Decodes the entry at p: an integer (*s = NULL, *v) or a string (*s, *len).
 * Returns its elen. */
static inline uint64_t entry_decode(const unsigned char *p, long long *v, const unsigned char **s, uint32_t *len)
{
    unsigned char b = p[0];
    *s = NULL;
    if (b < 0x80) { *v = b; return 1; }
    if (b < 0xC0) { *s = p + 1; *len = b & 0x3F; return 1u + *len; }
    if (b < 0xE0) { *v = sext(((uint64_t)(b & 0x1F) << 8) | p[1], 13); return 2; }
    if (b < 0xF0) { *s = p + 2; *len = ((unsigned)(b & 0x0F) << 8) | p[1]; return 2u + *len; }
    switch (b) {
    case LP_ENC_STR32: *s = p + 5; *len = (uint32_t)rd_le(p + 1, 4); return 5u + (uint64_t)*len;
    case LP_ENC_INT16: *v = sext(rd_le(p + 1, 2), 16); return 3;
    case LP_ENC_INT24: *v = sext(rd_le(p + 1, 3), 24); return 4;
    case LP_ENC_INT32: *v = sext(rd_le(p + 1, 4), 32); return 5;
    default: *v = sext(rd_le(p + 1, 8), 64); return 9;
    }
}

/* ---- entry encoding ---- */

/* An entry ready to write: header (encoding, or all of an integer) + data + backlen. */
struct lp_enc {
    unsigned char hdr[9];
    unsigned hdrlen;
    const unsigned char *data;
    uint32_t datalen;
    uint64_t elen;                      /* hdrlen + datalen */
    uint64_t size;                      /* elen + backlen */
};

static void enc_finish(struct lp_enc *e)
{
    e->elen = (uint64_t)e->hdrlen + e->datalen;
    e->size = e->elen + backlen_size(e->elen);
}

static void enc_int(struct lp_enc *e, long long v)
{
    uint64_t u = (uint64_t)v;
    e->data = NULL;
    e->datalen = 0;
    if (v >= 0 && v <= 127) {
        e->hdr[0] = (unsigned char)v;
        e->hdrlen = 1;
    } else if (v >= -4096 && v <= 4095) {
        e->hdr[0] = (unsigned char)(0xC0 | ((u >> 8) & 0x1F));
        e->hdr[1] = (unsigned char)u;
        e->hdrlen = 2;
    } else {
        unsigned n = (v >= -32768 && v <= 32767) ? 2 : (v >= -8388608 && v <= 8388607) ? 3
                   : (v >= INT32_MIN && v <= INT32_MAX) ? 4 : 8;
        e->hdr[0] = n == 2 ? LP_ENC_INT16 : n == 3 ? LP_ENC_INT24 : n == 4 ? LP_ENC_INT32 : LP_ENC_INT64;
        wr_le(e->hdr + 1, u, n);
        e->hdrlen = 1 + n;
    }
    enc_finish(e);
}

/* Canonical integer text (string2ll's rules) becomes an integer entry, as in Redis. */
static void enc_str(struct lp_enc *e, const unsigned char *s, uint32_t len)
{
    long long v;
    if (len > 0 && len < LP_INTBUF_SIZE && string2ll((const char *)s, len, &v)) {
        enc_int(e, v);
        return;
    }
    e->data = s;
    e->datalen = len;
    if (len < 64) {
        e->hdr[0] = (unsigned char)(0x80 | len);
        e->hdrlen = 1;
    } else if (len < 4096) {
        e->hdr[0] = (unsigned char)(0xE0 | (len >> 8));
        e->hdr[1] = (unsigned char)len;
        e->hdrlen = 2;
    } else {
        e->hdr[0] = LP_ENC_STR32;
        wr_le(e->hdr + 1, len, 4);
        e->hdrlen = 5;
    }
    enc_finish(e);
}

static unsigned char *enc_write(unsigned char *dst, const struct lp_enc *e)
{
    memcpy(dst, e->hdr, e->hdrlen);
    if (e->datalen) memcpy(dst + e->hdrlen, e->data, e->datalen);
    backlen_write(dst + e->elen, e->elen);
    return dst + e->size;
}

/* ---- reading ---- */

unsigned char *lp_ptr(shm_off_t lp) { return shm_ptr(lp); }
uint32_t lp_bytes(shm_off_t lp) { return hdr_total(lp_ptr(lp)); }

static uint32_t count_walk(const unsigned char *p)
{
    uint32_t n = 0;
    for (p += LP_HDR; *p != LP_EOF; p += entry_size(p))
        n++;
    return n;
}

uint32_t lp_length(shm_off_t lp)
{
    const unsigned char *b = lp_ptr(lp);
    uint32_t n = hdr_count(b);
    return n != LP_COUNT_UNKNOWN ? n : count_walk(b);
}

unsigned char *lp_first(shm_off_t lp)
{
    unsigned char *p = lp_ptr(lp) + LP_HDR;
    return *p == LP_EOF ? NULL : p;
}

unsigned char *lp_next(shm_off_t lp, unsigned char *p)
{
    p += entry_size(p);
    return *p == LP_EOF ? NULL : p;
}

/* The entry before p; p may be the end byte (then the last entry). */
unsigned char *lp_prev(shm_off_t lp, unsigned char *p)
{
    if (p == lp_ptr(lp) + LP_HDR) return NULL;
    uint64_t elen = backlen_read(p - 1);
    return p - elen - backlen_size(elen);
}

unsigned char *lp_last(shm_off_t lp)
{
    unsigned char *b = lp_ptr(lp);
    return lp_prev(lp, b + hdr_total(b) - 1);
}

unsigned char *lp_seek(shm_off_t lp, long index)
{
    unsigned char *b = lp_ptr(lp);
    uint32_t n = hdr_count(b);
    if (n == LP_COUNT_UNKNOWN) {
        if (index >= 0) {               /* walk forward, stop at the end */
            unsigned char *p = lp_first(lp);
            for (; p && index > 0; index--)
                p = lp_next(lp, p);
            return p;
        }
        n = count_walk(b);
    }
    if (index < 0) index += (long)n;
    if (index < 0 || index >= (long)n) return NULL;
    unsigned char *p;
    if ((unsigned long)index < n / 2) {
        for (p = b + LP_HDR; index > 0; index--)
            p += entry_size(p);
    } else {
        p = b + hdr_total(b) - 1;
        for (long i = (long)n - index; i > 0; i--)
            p = lp_prev(lp, p);
    }
    return p;
}

void lp_get(const unsigned char *p, struct lp_value *out)
{
    entry_decode(p, &out->v, &out->s, &out->len);
    if (out->s) out->v = 0;
    else out->len = 0;
}

const unsigned char *lp_get_str(const unsigned char *p, uint32_t *len, unsigned char *buf)
{
    long long v;
    const unsigned char *s;
    entry_decode(p, &v, &s, len);
    if (s) return s;
    *len = (uint32_t)ll2string((char *)buf, LP_INTBUF_SIZE, v);
    return buf;
}

/* A needle for comparisons: the string, and its integer value when it has one. */
struct lp_needle {
    const unsigned char *s;
    uint32_t len;
    int is_int;
    long long v;
};

static inline void needle_init(struct lp_needle *n, const unsigned char *s, uint32_t len)
{
    n->s = s;
    n->len = len;
    n->is_int = len > 0 && len < LP_INTBUF_SIZE && string2ll((const char *)s, len, &n->v);
}

/* Compares the entry at p with the needle; *elen gets the entry's elen. */
static inline int needle_eq(const unsigned char *p, const struct lp_needle *n, uint64_t *elen)
{
    long long v;
    const unsigned char *s;
    uint32_t len;
    *elen = entry_decode(p, &v, &s, &len);
    if (!s) return n->is_int && v == n->v;
    return len == n->len && (len == 0 || memcmp(s, n->s, len) == 0);
}

int lp_eq(const unsigned char *p, const unsigned char *s, uint32_t len)
{
    struct lp_needle n;
    uint64_t elen;
    needle_init(&n, s, len);
    return needle_eq(p, &n, &elen);
}

unsigned char *lp_find(shm_off_t lp, unsigned char *p, const unsigned char *s, uint32_t len, unsigned skip)
{
    struct lp_needle n;
    needle_init(&n, s, len);
    while (p && *p != LP_EOF) {
        uint64_t elen;
        if (needle_eq(p, &n, &elen)) return p;
        p += elen + backlen_size(elen);
        for (unsigned k = 0; k < skip && *p != LP_EOF; k++)
            p += entry_size(p);
    }
    return NULL;
}

unsigned char *lp_random(shm_off_t lp, uint64_t (*rnd)(void))
{
    uint32_t n = lp_length(lp);
    return n ? lp_seek(lp, (long)(rnd() % n)) : NULL;
}

/* ---- validation (untrusted bytes) ---- */

/* Checks the entry at p, which lies before the end byte at 'end'; returns its size,
 * or 0 when it is malformed or runs past 'end'. */
static uint64_t validate_entry(const unsigned char *p, const unsigned char *end)
{
    size_t avail = (size_t)(end - p);
    unsigned char b = p[0];
    unsigned need = b < 0xC0 ? 1 : b < 0xF0 ? 2 : b == LP_ENC_STR32 ? 5 : 1;
    if (b > LP_ENC_INT64) return 0;     /* 0xF5..0xFE are no encoding; 0xFF is the end */
    if (avail < need) return 0;
    uint64_t elen = entry_elen(p);
    uint64_t size = elen + backlen_size(elen);
    if (size > avail) return 0;
    unsigned char want[5];
    backlen_write(want, elen);
    return memcmp(p + elen, want, backlen_size(elen)) == 0 ? size : 0;
}

int lp_validate(const unsigned char *bytes, size_t len, int deep)
{
    if (len < LP_HDR + 1 || len > LP_MAX_TOTAL) return 0;
    if (hdr_total(bytes) != len || bytes[len - 1] != LP_EOF) return 0;
    if (!deep) return 1;
    const unsigned char *p = bytes + LP_HDR, *end = bytes + len - 1;
    uint64_t count = 0;
    while (p < end) {
        uint64_t size = validate_entry(p, end);
        if (size == 0) return 0;
        p += size;
        count++;
    }
    uint32_t hc = hdr_count(bytes);
    return hc == LP_COUNT_UNKNOWN || hc == count;  /* unknown: any count, as Redis */
}

/* ---- changes (copy on write) ---- */

shm_off_t lp_new(void)
{
    shm_off_t off = shm_alloc(LP_HDR + 1);
    unsigned char *b = shm_ptr(off);
    hdr_write(b, LP_HDR + 1, 0);
    b[LP_HDR] = LP_EOF;
    return off;
}

shm_off_t lp_from_bytes(const unsigned char *bytes, size_t len)
{
    shm_off_t off = shm_alloc(len);
    memcpy(shm_ptr(off), bytes, len);
    return off;
}

/* New count after adding 'delta' entries (negative: removing) to a listpack whose
 * header count is 'old'; unknown stays unknown. */
static uint64_t count_after(uint32_t old, long delta)
{
    return old == LP_COUNT_UNKNOWN ? LP_COUNT_UNKNOWN : (uint64_t)((long)old + delta);
}

static const unsigned char empty_lp[LP_EMPTY_BYTES] = { LP_EMPTY_BYTES, 0, 0, 0, 0, 0, LP_EOF };

/* Writes at dst the listpack src (NULL: empty) with [cut, cut+cutlen) replaced by the
 * ne encoded entries e[], then rawlen bytes of raw entries; returns the new size. */
static size_t splice_write(unsigned char *dst, const unsigned char *src, size_t cut, size_t cutlen,
                           const struct lp_enc *e, unsigned ne, const unsigned char *raw, size_t rawlen,
                           long delta)
{
    if (!src) src = empty_lp;
    size_t oldtotal = hdr_total(src);
    memcpy(dst, src, cut);
    unsigned char *q = dst + cut;
    for (unsigned i = 0; i < ne; i++)
        q = enc_write(q, &e[i]);
    if (rawlen) memcpy(q, raw, rawlen);
    q += rawlen;
    memcpy(q, src + cut + cutlen, oldtotal - cut - cutlen);
    size_t total = (size_t)(q - dst) + oldtotal - cut - cutlen;
    hdr_write(dst, total, count_after(hdr_count(src), delta));
    return total;
}

/* Builds a new listpack: the old one's bytes with [cut, cut+cutlen) replaced by the
 * ne encoded entries e[]; frees the old one.  Returns the new offset and, in *at, the
 * position of the replacement in the new listpack. */
static shm_off_t rebuild(shm_off_t lp, size_t cut, size_t cutlen, const struct lp_enc *e, unsigned ne,
                         long delta, unsigned char **at)
{
    size_t total = hdr_total(lp_ptr(lp)) - cutlen;
    for (unsigned i = 0; i < ne; i++)
        total += e[i].size;
    if (total > LP_MAX_TOTAL) abort();  /* callers bound listpacks far below 4 GB */
    shm_off_t off = shm_alloc(total);
    unsigned char *b = shm_ptr(off);
    splice_write(b, lp_ptr(lp), cut, cutlen, e, ne, NULL, 0, delta);
    shm_free(lp);
    if (at) *at = b + cut;
    return off;
}

static shm_off_t insert_enc(shm_off_t lp, unsigned char *p, const struct lp_enc *e, unsigned ne,
                            enum lp_where where, unsigned char **newp)
{
    unsigned char *b = lp_ptr(lp);
    size_t cutlen = where == LP_REPLACE ? entry_size(p) : 0;
    if (!p) p = b + hdr_total(b) - 1;
    else if (where == LP_AFTER && *p != LP_EOF) p += entry_size(p);
    long delta = (long)ne - (where == LP_REPLACE);
    return rebuild(lp, (size_t)(p - b), cutlen, e, ne, delta, newp);
}

shm_off_t lp_insert(shm_off_t lp, unsigned char *p, const unsigned char *s, uint32_t len,
                    enum lp_where where, unsigned char **newp)
{
    struct lp_enc e;
    enc_str(&e, s, len);
    return insert_enc(lp, p, &e, 1, where, newp);
}

shm_off_t lp_insert_pair(shm_off_t lp, unsigned char *p, const unsigned char *s1, uint32_t l1,
                         const unsigned char *s2, uint32_t l2, unsigned char **newp)
{
    struct lp_enc e[2];
    enc_str(&e[0], s1, l1);
    enc_str(&e[1], s2, l2);
    return insert_enc(lp, p, e, 2, LP_BEFORE, newp);
}

shm_off_t lp_append(shm_off_t lp, const unsigned char *s, uint32_t len)
{
    return lp_insert(lp, NULL, s, len, LP_BEFORE, NULL);
}

shm_off_t lp_prepend(shm_off_t lp, const unsigned char *s, uint32_t len)
{
    return lp_insert(lp, lp_ptr(lp) + LP_HDR, s, len, LP_BEFORE, NULL);
}

shm_off_t lp_append_int(shm_off_t lp, long long v)
{
    struct lp_enc e;
    enc_int(&e, v);
    return insert_enc(lp, NULL, &e, 1, LP_BEFORE, NULL);
}

shm_off_t lp_delete_n(shm_off_t lp, unsigned char *p, unsigned long count, unsigned char **nextp)
{
    unsigned char *end = p, *at;
    unsigned long n = 0;
    for (; *end != LP_EOF && n < count; n++)
        end += entry_size(end);
    if (n == 0) {
        if (nextp) *nextp = *p == LP_EOF ? NULL : p;
        return lp;
    }
    shm_off_t off = rebuild(lp, (size_t)(p - lp_ptr(lp)), (size_t)(end - p), NULL, 0, -(long)n, &at);
    if (nextp) *nextp = *at == LP_EOF ? NULL : at;
    return off;
}

shm_off_t lp_delete(shm_off_t lp, unsigned char *p, unsigned char **nextp)
{
    return lp_delete_n(lp, p, 1, nextp);
}

shm_off_t lp_delete_range(shm_off_t lp, long index, unsigned long count)
{
    unsigned char *first = lp_seek(lp, index);
    return first ? lp_delete_n(lp, first, count, NULL) : lp;
}

/* ---- builder (private memory, one arena allocation at the end) ---- */

static void builder_reserve(struct lp_builder *b, size_t more)
{
    if (b->len + more <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + more)
        cap *= 2;
    unsigned char *nb = realloc(b->on_heap ? b->buf : NULL, cap);
    if (!nb) abort();
    if (!b->on_heap && b->len) memcpy(nb, b->buf, b->len);
    b->buf = nb;
    b->cap = cap;
    b->on_heap = 1;
}

void lp_builder_init(struct lp_builder *b)
{
    lp_builder_init_in(b, NULL, 0);
}

void lp_builder_init_in(struct lp_builder *b, unsigned char *buf, size_t cap)
{
    b->buf = buf;
    b->len = 0;
    b->cap = cap;
    b->count = 0;
    b->on_heap = 0;
    builder_reserve(b, buf ? LP_HDR : 256);
    b->len = LP_HDR;                    /* header written by finish */
}

static void builder_put(struct lp_builder *b, const struct lp_enc *e)
{
    builder_reserve(b, e->size);
    enc_write(b->buf + b->len, e);
    b->len += e->size;
    b->count++;
}

void lp_builder_add(struct lp_builder *b, const unsigned char *s, uint32_t len)
{
    struct lp_enc e;
    enc_str(&e, s, len);
    builder_put(b, &e);
}

void lp_builder_add_int(struct lp_builder *b, long long v)
{
    struct lp_enc e;
    enc_int(&e, v);
    builder_put(b, &e);
}

void lp_builder_add_entry(struct lp_builder *b, const unsigned char *p)
{
    size_t size = entry_size(p);
    builder_reserve(b, size);
    memcpy(b->buf + b->len, p, size);
    b->len += size;
    b->count++;
}

shm_off_t lp_builder_finish(struct lp_builder *b)
{
    size_t total = b->len + 1;
    if (total > LP_MAX_TOTAL) abort();
    shm_off_t off = shm_alloc(total);
    unsigned char *d = shm_ptr(off);
    hdr_write(d, total, b->count);
    memcpy(d + LP_HDR, b->buf + LP_HDR, b->len - LP_HDR);
    d[total - 1] = LP_EOF;
    lp_builder_discard(b);
    return off;
}

void lp_builder_discard(struct lp_builder *b)
{
    if (b->on_heap) free(b->buf);
    b->buf = NULL;
    b->len = b->cap = 0;
    b->count = 0;
    b->on_heap = 0;
}

/* ---- in place (see listpack.h): every byte written is logged first ---- */

size_t lp_splice_into(unsigned char *dst, const unsigned char *src, size_t cut, size_t cutlen,
                      const unsigned char *raw, size_t rawlen, long delta)
{
    return splice_write(dst, src, cut, cutlen, NULL, 0, raw, rawlen, delta);
}

void lp_append_in_place(shm_off_t lp, const unsigned char *raw, size_t rawlen, uint32_t n)
{
    unsigned char *b = lp_ptr(lp);
    size_t total = hdr_total(b);
    undo_save(b, LP_HDR);
    undo_save(b + total - 1, rawlen + 1);           /* the end byte and the spare bytes after it */
    memcpy(b + total - 1, raw, rawlen);
    b[total - 1 + rawlen] = LP_EOF;
    hdr_write(b, total + rawlen, count_after(hdr_count(b), (long)n));
}

shm_off_t lp_prepend_in_place(shm_off_t lp, const unsigned char *raw, size_t rawlen, uint32_t n)
{
    unsigned char *b = lp_ptr(lp), *nb = b - rawlen;
    size_t total = hdr_total(b);
    uint32_t count = hdr_count(b);
    undo_save(nb, rawlen + LP_HDR);                 /* spare bytes, then the old header */
    memcpy(nb + LP_HDR, raw, rawlen);
    hdr_write(nb, total + rawlen, count_after(count, (long)n));
    return lp - rawlen;
}

shm_off_t lp_pop_front_in_place(shm_off_t lp, uint32_t n)
{
    unsigned char *b = lp_ptr(lp), *p = b + LP_HDR;
    size_t total = hdr_total(b);
    uint32_t count = hdr_count(b);
    for (uint32_t i = 0; i < n; i++)
        p += entry_size(p);
    size_t cut = (size_t)(p - b) - LP_HDR;          /* the new header ends where the entries start */
    undo_save(b + cut, LP_HDR);
    hdr_write(b + cut, total - cut, count_after(count, -(long)n));
    return lp + cut;
}

void lp_pop_back_in_place(shm_off_t lp, uint32_t n)
{
    unsigned char *b = lp_ptr(lp), *p = b + hdr_total(b) - 1;
    for (uint32_t i = 0; i < n; i++)
        p = lp_prev(lp, p);
    undo_save(b, LP_HDR);
    undo_save(p, 1);
    *p = LP_EOF;
    hdr_write(b, (size_t)(p + 1 - b), count_after(hdr_count(b), -(long)n));
}
