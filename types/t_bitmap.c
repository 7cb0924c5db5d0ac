/* types/t_bitmap.c - the bitmap commands on string values: SETBIT GETBIT BITCOUNT
 * BITPOS BITOP BITFIELD BITFIELD_RO, with Redis 7.0's replies, errors and argument
 * checking order.
 *
 * Bits are numbered from the most significant bit of the first byte.  Reads see int
 * values through their decimal text, as Redis does; a missing key is an endless run
 * of zero bits.  Writes (SETBIT, BITFIELD with SET/INCRBY) go through bitmap_unshare:
 * the value becomes a raw blob long enough for the highest bit written, zero-filled,
 * created with exactly that length when the key is missing and grown geometrically
 * (as sds) otherwise.  Offsets are limited by proto-max-bulk-len as in Redis.
 *
 * Undo logging: bytes that existed before the command are logged before they change
 * (SETBIT: the one byte it flips; BITFIELD: the bytes a field covers); zero-filled
 * growth past the old length needs no record, since rollback restores the length.
 * BITOP builds a new value and swaps it in.  c->dirty counts the keys changed.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/shared.h"
#include "keyspace/notify.h"
#include "shm/alloc.h"
#include "shm/undo.h"
#include "types/object.h"
#include "types/t_bitmap.h"
#include "util/numconv.h"

#define PROTO_MAX_BULK_DEFAULT (512LL * 1024 * 1024)
#define BLOB_PREALLOC_MAX (1024 * 1024)      /* growth step past 1MB, as sds */

#define ERR_BIT_OFFSET "ERR bit offset is not an integer or out of range"
#define ERR_BIT_VALUE "ERR bit is not an integer or out of range"
#define ERR_BF_TYPE "ERR Invalid bitfield type. Use something like i16 u8. " \
    "Note that u64 is not supported but i64 is."

/* ---- values ------------------------------------------------------------------- */

static long long max_bulk_len(void)
{
    const struct conf_values *v = conf_shared();
    return v ? v->proto_max_bulk_len : PROTO_MAX_BULK_DEFAULT;
}

static size_t grown_cap(size_t need)
{
    return need < BLOB_PREALLOC_MAX ? need * 2 : need + BLOB_PREALLOC_MAX;
}

void bitmap_put_blob(struct cmd_ctx *c, int argi, shm_off_t blob)
{
    shm_off_t kv = kv_new_object(c->argv[argi], c->argvlen[argi], KV_STRING, KV_ENC_RAW, blob);
    if (db_peek(c->db, c->argv[argi], c->argvlen[argi]))
        db_reencode(c->db, kv);     /* a change of the bits, if any, is the command's to tell */
    else
        db_add(c->db, kv);
}

/* A new blob holding len bytes of s followed by zeros up to need, with room cap. */
static shm_off_t blob_copy(const char *s, size_t len, size_t need, size_t cap)
{
    shm_off_t blob = kv_blob_new(cap);
    struct kv_blob *b = shm_ptr(blob);
    b->len = need > len ? need : len;
    memcpy(b->data, s, len);
    memset(b->data + len, 0, b->len - len);
    return blob;
}

struct kv_blob *bitmap_unshare(struct cmd_ctx *c, int argi, struct kv *kv, size_t need, size_t *kept)
{
    *kept = 0;
    if (kv && kv->enc == KV_ENC_RAW && kv_blob_cap(kv_value_off(kv)) >= need) {
        struct kv_blob *b = shm_ptr(kv_value_off(kv));
        *kept = b->len;
        if (b->len < need) {
            memset(b->data + b->len, 0, need - b->len);     /* past the old end: no log */
            UNDO_SET(b->len, need);
        }
        return b;
    }
    char buf[24];
    size_t len = 0;
    const char *s = kv ? kv_string(kv, buf, &len) : "";
    size_t cap = !kv ? need : need > len ? grown_cap(need) : len;
    shm_off_t blob = blob_copy(s, len, need, cap);
    bitmap_put_blob(c, argi, blob);
    return shm_ptr(blob);
}

/* Looks argv[1] up for reading: 0 after replying WRONGTYPE, else 1 with *kv the entry
 * or NULL. */
static int lookup_read(struct cmd_ctx *c, struct kv **kv)
{
    int wrongtype;
    *kv = obj_lookup_read(c, 1, KV_STRING, &wrongtype);
    return !wrongtype;
}

static const uint8_t *kv_bytes(struct kv *kv, char *buf, size_t *len)
{
    return (const uint8_t *)kv_string(kv, buf, len);
}

/* ---- arguments ---------------------------------------------------------------- */

/* A bit offset: a non-negative integer whose byte is below proto-max-bulk-len; with
 * width > 0 the "#N" form means N * width (BITFIELD). */
static int parse_offset(struct cmd_ctx *c, int i, int width, uint64_t *out)
{
    const char *s = c->argv[i];
    size_t len = c->argvlen[i];
    int hash = width > 0 && len > 0 && s[0] == '#';
    long long v;
    if (!string2ll(s + hash, len - (size_t)hash, &v)) {
        reply_error(c->reply, ERR_BIT_OFFSET);
        return 0;
    }
    if (hash)
        v = (long long)((unsigned long long)v * (unsigned long long)width);
    if (v < 0 || (v >> 3) >= max_bulk_len()) {
        reply_error(c->reply, ERR_BIT_OFFSET);
        return 0;
    }
    *out = (uint64_t)v;
    return 1;
}

/* The optional BYTE | BIT unit of BITCOUNT and BITPOS. */
static int parse_unit(struct cmd_ctx *c, int i, int *isbit)
{
    if (arg_is(c, i, "bit"))
        *isbit = 1;
    else if (arg_is(c, i, "byte"))
        *isbit = 0;
    else {
        reply_error(c->reply, ERR_SYNTAX);
        return 0;
    }
    return 1;
}

/* Clamps an inclusive range (negative ends count from the end) to total units, as
 * Redis does; returns 0 when it is empty. */
static int clamp_range(long long *start, long long *end, long long total)
{
    if (*start < 0)
        *start += total;
    if (*end < 0)
        *end += total;
    if (*start < 0)
        *start = 0;
    if (*end < 0)
        *end = 0;
    if (*end >= total)
        *end = total - 1;
    return *start <= *end;
}

/* ---- bit scanning ------------------------------------------------------------- */

/* The bits of byte i that lie inside the bit range [s, e]. */
static uint8_t range_mask(uint64_t i, uint64_t s, uint64_t e)
{
    uint8_t m = 0xff;
    if (i == s >> 3)
        m &= (uint8_t)(0xff >> (s & 7));
    if (i == e >> 3)
        m &= (uint8_t)(0xff << (7 - (e & 7)));
    return m;
}

static uint64_t popcount_bytes(const uint8_t *p, size_t n)
{
    uint64_t count = 0, w;
    for (; n >= 8; p += 8, n -= 8) {
        memcpy(&w, p, 8);
        count += (uint64_t)__builtin_popcountll(w);
    }
    while (n--)
        count += (uint64_t)__builtin_popcount(*p++);
    return count;
}

/* Set bits in the bit range [s, e] of p. */
static uint64_t count_bits(const uint8_t *p, uint64_t s, uint64_t e)
{
    uint64_t first = s >> 3, last = e >> 3;
    uint64_t count = (uint64_t)__builtin_popcount(p[first] & range_mask(first, s, e));
    if (last == first)
        return count;
    count += (uint64_t)__builtin_popcount(p[last] & range_mask(last, s, e));
    return count + popcount_bytes(p + first + 1, last - first - 1);
}

/* Index of the first bit equal to bit in the bit range [s, e] of p, or -1. */
static long long find_bit(const uint8_t *p, uint64_t s, uint64_t e, int bit)
{
    uint8_t skip = bit ? 0x00 : 0xff;
    uint64_t skip64 = bit ? 0 : UINT64_MAX, w;
    for (uint64_t i = s >> 3; i <= e >> 3; i++) {
        if (i > s >> 3 && i + 8 <= e >> 3) {
            memcpy(&w, p + i, 8);
            if (w == skip64) {
                i += 7;
                continue;
            }
        }
        uint8_t v = (uint8_t)((p[i] ^ skip) & range_mask(i, s, e));
        if (v)
            return (long long)(i * 8) + __builtin_clz(v) - 24;
    }
    return -1;
}

/* ---- SETBIT GETBIT BITCOUNT BITPOS -------------------------------------------- */

/* SETBIT key offset value: replies the bit's old value; grows the string as needed. */
static void setbit_command(struct cmd_ctx *c)
{
    uint64_t off;
    long long on;
    int wrongtype;
    if (!parse_offset(c, 2, 0, &off) || !arg_ll(c, 3, &on, ERR_BIT_VALUE))
        return;
    if (on & ~1LL) {
        reply_error(c->reply, ERR_BIT_VALUE);
        return;
    }
    struct kv *kv = obj_lookup_write(c, 1, KV_STRING, &wrongtype);
    if (wrongtype)
        return;
    size_t byte = (size_t)(off >> 3), kept, oldlen = 0;
    if (kv) {
        char buf[24];
        kv_string(kv, buf, &oldlen);
    }
    struct kv_blob *b = bitmap_unshare(c, 1, kv, byte + 1, &kept);
    uint8_t *p = (uint8_t *)b->data + byte, mask = (uint8_t)(0x80 >> (off & 7));
    int old = (*p & mask) != 0;
    if (old != on) {
        if (byte < kept)
            undo_save(p, 1);
        *p ^= mask;
    }
    if (old != on || !kv || oldlen < byte + 1) {
        notify_keyspace_event(NOTIFY_STRING, "setbit", c->dbid, c->argv[1], c->argvlen[1]);
        c->dirty++;
    }
    reply_int(c->reply, old);
}

/* GETBIT key offset: 0 past the end of the string or for a missing key. */
static void getbit_command(struct cmd_ctx *c)
{
    uint64_t off;
    struct kv *kv;
    if (!parse_offset(c, 2, 0, &off) || !lookup_read(c, &kv))
        return;
    char buf[24];
    size_t len = 0;
    const uint8_t *p = kv ? kv_bytes(kv, buf, &len) : NULL;
    size_t byte = (size_t)(off >> 3);
    reply_int(c->reply, byte < len && (p[byte] & (0x80 >> (off & 7))));
}

/* BITCOUNT key [start end [BYTE | BIT]]: the key is looked up before the range is
 * parsed (a missing key counts 0 whatever follows), and a range with both ends
 * negative and start > end counts 0 before the unit is checked. */
static void bitcount_command(struct cmd_ctx *c)
{
    struct kv *kv;
    if (!lookup_read(c, &kv))
        return;
    if (!kv) {
        reply_int(c->reply, 0);
        return;
    }
    char buf[24];
    size_t len;
    const uint8_t *p = kv_bytes(kv, buf, &len);
    long long start = 0, end = -1;
    int isbit = 0;
    if (c->argc == 4 || c->argc == 5) {
        if (!arg_ll(c, 2, &start, NULL) || !arg_ll(c, 3, &end, NULL))
            return;
        if (start < 0 && end < 0 && start > end) {
            reply_int(c->reply, 0);
            return;
        }
        if (c->argc == 5 && !parse_unit(c, 4, &isbit))
            return;
    } else if (c->argc != 2) {
        reply_error(c->reply, ERR_SYNTAX);
        return;
    }
    if (!clamp_range(&start, &end, (long long)len * (isbit ? 8 : 1)))
        reply_int(c->reply, 0);
    else if (isbit)
        reply_int(c->reply, (long long)count_bits(p, (uint64_t)start, (uint64_t)end));
    else
        reply_int(c->reply, (long long)count_bits(p, (uint64_t)start * 8, (uint64_t)end * 8 + 7));
}

struct bitpos_args {
    long long start, end;
    int isbit, end_given;
};

/* The range arguments of BITPOS key bit [start [end [BYTE | BIT]]]. */
static int bitpos_parse(struct cmd_ctx *c, struct bitpos_args *a)
{
    *a = (struct bitpos_args){ 0, -1, 0, 0 };
    if (c->argc < 3 || c->argc > 6) {
        reply_error(c->reply, ERR_SYNTAX);
        return 0;
    }
    if (c->argc >= 4 && !arg_ll(c, 3, &a->start, NULL))
        return 0;
    if (c->argc == 6 && !parse_unit(c, 5, &a->isbit))
        return 0;
    if (c->argc >= 5) {
        if (!arg_ll(c, 4, &a->end, NULL))
            return 0;
        a->end_given = 1;
    }
    return 1;
}

/* BITPOS key bit [start [end [BYTE | BIT]]]: the first bit set (or clear) in the
 * range, or -1.  Looking for a clear bit without an explicit end, the string counts
 * as padded with zeros: all ones gives the first bit past the range. */
static void bitpos_command(struct cmd_ctx *c)
{
    long long bit;
    struct kv *kv;
    struct bitpos_args a;
    if (!arg_ll(c, 2, &bit, NULL))
        return;
    if (bit != 0 && bit != 1) {
        reply_error(c->reply, "ERR The bit argument must be 1 or 0.");
        return;
    }
    if (!lookup_read(c, &kv))
        return;
    if (!kv) {
        reply_int(c->reply, bit ? -1 : 0);
        return;
    }
    if (!bitpos_parse(c, &a))
        return;
    char buf[24];
    size_t len;
    const uint8_t *p = kv_bytes(kv, buf, &len);
    if (!clamp_range(&a.start, &a.end, (long long)len * (a.isbit ? 8 : 1))) {
        reply_int(c->reply, -1);
        return;
    }
    uint64_t s = (uint64_t)a.start, e = (uint64_t)a.end;
    if (!a.isbit) {
        s *= 8;
        e = e * 8 + 7;
    }
    long long pos = find_bit(p, s, e, (int)bit);
    if (pos < 0 && bit == 0 && !a.end_given)
        pos = (long long)e + 1;
    reply_int(c->reply, pos);
}

/* ---- BITOP -------------------------------------------------------------------- */

enum bitop { BITOP_AND, BITOP_OR, BITOP_XOR, BITOP_NOT };

/* Folds one source (zero-padded to n bytes) into res; the first source initializes it. */
static void bitop_fold(uint8_t *res, size_t n, enum bitop op, const uint8_t *s, size_t len, int first)
{
    size_t m = len < n ? len : n;
    if (first) {
        for (size_t j = 0; j < m; j++)
            res[j] = op == BITOP_NOT ? (uint8_t)~s[j] : s[j];
        memset(res + m, op == BITOP_NOT ? 0xff : 0, n - m);
        return;
    }
    switch (op) {
    case BITOP_AND:
        for (size_t j = 0; j < m; j++)
            res[j] &= s[j];
        memset(res + m, 0, n - m);
        break;
    case BITOP_OR:
        for (size_t j = 0; j < m; j++)
            res[j] |= s[j];
        break;
    default:
        for (size_t j = 0; j < m; j++)
            res[j] ^= s[j];
        break;
    }
}

static int bitop_parse(struct cmd_ctx *c, enum bitop *op)
{
    static const char *const names[] = { "and", "or", "xor", "not" };
    for (int i = 0; i < 4; i++) {
        if (arg_is(c, 1, names[i])) {
            *op = (enum bitop)i;
            return 1;
        }
    }
    reply_error(c->reply, ERR_SYNTAX);
    return 0;
}

/* Writes the result of op over the n source entries (NULL: missing) to argv[2];
 * returns its length.  An empty result deletes the destination. */
static size_t bitop_store(struct cmd_ctx *c, enum bitop op, struct kv **src, int n)
{
    char buf[24];
    size_t len, maxlen = 0;
    for (int i = 0; i < n; i++) {
        if (src[i] && (kv_bytes(src[i], buf, &len), len > maxlen))
            maxlen = len;
    }
    if (!maxlen) {
        if (db_delete(c->db, c->argv[2], c->argvlen[2])) {
            notify_keyspace_event(NOTIFY_GENERIC, "del", c->dbid, c->argv[2], c->argvlen[2]);
            c->dirty++;
        }
        return 0;
    }
    shm_off_t blob = kv_blob_new(maxlen);
    struct kv_blob *b = shm_ptr(blob);
    for (int i = 0; i < n; i++) {
        const uint8_t *s = src[i] ? kv_bytes(src[i], buf, &len) : NULL;
        bitop_fold((uint8_t *)b->data, maxlen, op, s, src[i] ? len : 0, i == 0);
    }
    b->len = maxlen;
    db_set(c->db, kv_new_object(c->argv[2], c->argvlen[2], KV_STRING, KV_ENC_RAW, blob), 0);
    notify_keyspace_event(NOTIFY_STRING, "set", c->dbid, c->argv[2], c->argvlen[2]);
    c->dirty++;
    return maxlen;
}

/* BITOP AND | OR | XOR | NOT destkey key [key ...]: missing sources are empty, shorter
 * ones zero-padded; the destination loses its TTL.  Replies the result's length. */
static void bitop_command(struct cmd_ctx *c)
{
    enum bitop op;
    int wrongtype;
    if (!bitop_parse(c, &op))
        return;
    if (op == BITOP_NOT && c->argc != 4) {
        reply_error(c->reply, "ERR BITOP NOT must be called with a single source key.");
        return;
    }
    int n = c->argc - 3;
    struct kv **src = malloc((size_t)n * sizeof(*src));
    for (int i = 0; i < n; i++) {
        src[i] = obj_lookup_read(c, 3 + i, KV_STRING, &wrongtype);
        if (wrongtype) {
            free(src);
            return;
        }
    }
    reply_int(c->reply, (long long)bitop_store(c, op, src, n));
    free(src);
}

/* ---- BITFIELD ----------------------------------------------------------------- */

enum { BF_GET, BF_SET, BF_INCRBY };
enum { BF_WRAP, BF_SAT, BF_FAIL };

struct bf_op {
    uint64_t offset;
    int64_t value;                  /* SET value or INCRBY increment */
    int opcode, overflow, bits, sign;
};

/* Reads bits bits at bit offset off, MSB first; bytes at or past len read as 0. */
static uint64_t bits_get(const uint8_t *p, size_t len, uint64_t off, int bits)
{
    uint64_t v = 0;
    for (int j = 0; j < bits; j++, off++) {
        uint64_t byte = off >> 3;
        int bit = byte < len ? (p[byte] >> (7 - (off & 7))) & 1 : 0;
        v = (v << 1) | (uint64_t)bit;
    }
    return v;
}

static void bits_set(uint8_t *p, uint64_t off, int bits, uint64_t v)
{
    for (int j = 0; j < bits; j++, off++) {
        uint8_t mask = (uint8_t)(0x80 >> (off & 7));
        if ((v >> (bits - 1 - j)) & 1)
            p[off >> 3] |= mask;
        else
            p[off >> 3] &= (uint8_t)~mask;
    }
}

/* The low bits bits of v as a signed number (the bits above them ignored). */
static int64_t sign_extend(uint64_t v, int bits)
{
    if (bits == 64)
        return (int64_t)v;
    uint64_t high = UINT64_MAX << bits;
    return (int64_t)(v & (UINT64_C(1) << (bits - 1)) ? v | high : v & ~high);
}

/* Whether value + incr leaves a signed field of bits bits: 1 above, -1 below, 0 not.
 * On overflow *limit gets the wrapped (WRAP) or saturated (SAT) value.  Redis's exact
 * test, quirks included (a SET of a value far below the minimum counts as above). */
static int bf_signed_overflow(int64_t value, int64_t incr, int bits, int ow, int64_t *limit)
{
    int64_t max = bits == 64 ? INT64_MAX : (int64_t)((UINT64_C(1) << (bits - 1)) - 1);
    int64_t min = -max - 1;
    int64_t maxincr = (int64_t)((uint64_t)max - (uint64_t)value);
    int64_t minincr = (int64_t)((uint64_t)min - (uint64_t)value);
    int dir = 0;
    if (value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr))
        dir = 1;
    else if (value < min || (bits != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr))
        dir = -1;
    if (dir && ow == BF_WRAP)
        *limit = sign_extend((uint64_t)value + (uint64_t)incr, bits);
    else if (dir && ow == BF_SAT)
        *limit = dir > 0 ? max : min;
    return dir;
}

/* The same for an unsigned field (bits <= 63). */
static int bf_unsigned_overflow(uint64_t value, int64_t incr, int bits, int ow, uint64_t *limit)
{
    uint64_t max = (UINT64_C(1) << bits) - 1;
    int64_t maxincr = (int64_t)(max - value), minincr = (int64_t)(0 - value);
    int dir = 0;
    if (value > max || (incr > 0 && incr > maxincr))
        dir = 1;
    else if (incr < 0 && incr < minincr)
        dir = -1;
    if (dir && ow == BF_WRAP)
        *limit = (value + (uint64_t)incr) & max;
    else if (dir && ow == BF_SAT)
        *limit = dir > 0 ? max : 0;
    return dir;
}

/* The value a SET or INCRBY stores (*store) and replies (*ret) for a field holding
 * raw; returns 0 when OVERFLOW FAIL stops it. */
static int bf_compute(const struct bf_op *op, uint64_t raw, uint64_t *store, int64_t *ret)
{
    int incr = op->opcode == BF_INCRBY, dir;
    if (op->sign) {
        int64_t old = sign_extend(raw, op->bits), v = incr ? old : op->value, lim = 0;
        dir = bf_signed_overflow(v, incr ? op->value : 0, op->bits, op->overflow, &lim);
        int64_t nv = dir ? lim : (int64_t)((uint64_t)v + (uint64_t)(incr ? op->value : 0));
        *store = (uint64_t)nv;
        *ret = incr ? nv : old;
    } else {
        uint64_t v = incr ? raw : (uint64_t)op->value, lim = 0;
        dir = bf_unsigned_overflow(v, incr ? op->value : 0, op->bits, op->overflow, &lim);
        *store = dir ? lim : v + (uint64_t)(incr ? op->value : 0);
        *ret = (int64_t)(incr ? *store : raw);
    }
    return !(dir && op->overflow == BF_FAIL);
}

/* Runs one SET or INCRBY on the blob (long enough for it); kept: bytes to log. */
/* Runs a SET or INCRBY; 1 if it stored a value different from the old one, 0 if it
 * stored the same one, -1 if it failed (OVERFLOW FAIL: a nil reply). */
static int bf_write(struct cmd_ctx *c, const struct bf_op *op, struct kv_blob *b, size_t kept)
{
    uint8_t *p = (uint8_t *)b->data;
    uint64_t store, old = bits_get(p, b->len, op->offset, op->bits);
    int64_t ret;
    if (!bf_compute(op, old, &store, &ret)) {
        reply_null(c->reply);
        return -1;
    }
    reply_int(c->reply, ret);
    if (store == old)
        return 0;
    size_t first = (size_t)(op->offset >> 3), last = (size_t)((op->offset + (uint64_t)op->bits - 1) >> 3);
    if (first < kept)
        undo_save(p + first, (last < kept ? last + 1 : kept) - first);
    bits_set(p, op->offset, op->bits, store);
    return 1;
}

/* The type argument: i1..i64 or u1..u63, lower case (Redis reads the width up to a
 * NUL byte). */
static int bf_parse_type(struct cmd_ctx *c, int i, struct bf_op *op)
{
    const char *s = c->argv[i];
    size_t len = c->argvlen[i];
    long long bits;
    const char *nul = len ? memchr(s + 1, '\0', len - 1) : NULL;
    size_t wlen = nul ? (size_t)(nul - (s + 1)) : len ? len - 1 : 0;
    op->sign = len && s[0] == 'i';
    if (!len || (!op->sign && s[0] != 'u') || !string2ll(s + 1, wlen, &bits) ||
        bits < 1 || bits > (op->sign ? 64 : 63)) {
        reply_error(c->reply, ERR_BF_TYPE);
        return 0;
    }
    op->bits = (int)bits;
    return 1;
}

static int bf_parse_overflow(struct cmd_ctx *c, int i, int *ow)
{
    static const char *const names[] = { "wrap", "sat", "fail" };
    for (int k = 0; k < 3; k++) {
        if (arg_is(c, i, names[k])) {
            *ow = k;
            return 1;
        }
    }
    reply_error(c->reply, "ERR Invalid OVERFLOW type specified");
    return 0;
}

struct bf_plan {
    struct bf_op *ops;
    int n;
    int readonly;
    uint64_t highest;               /* highest bit written */
};

/* Parses one GET/SET/INCRBY at argv[j] (the caller checked the argument count);
 * returns the arguments it used or 0 after replying an error. */
static int bf_parse_op(struct cmd_ctx *c, int j, int opcode, int ow, struct bf_plan *plan)
{
    struct bf_op *op = &plan->ops[plan->n];
    op->opcode = opcode;
    op->overflow = ow;
    op->value = 0;
    if (!bf_parse_type(c, j + 1, op) || !parse_offset(c, j + 2, op->bits, &op->offset))
        return 0;
    if (opcode != BF_GET) {
        plan->readonly = 0;
        if (plan->highest < op->offset + (uint64_t)op->bits - 1)
            plan->highest = op->offset + (uint64_t)op->bits - 1;
        long long v;
        if (!arg_ll(c, j + 3, &v, NULL))
            return 0;
        op->value = v;
    }
    plan->n++;
    return opcode == BF_GET ? 3 : 4;
}

/* Parses all the subcommands, as Redis does, before touching the key. */
static int bf_parse(struct cmd_ctx *c, struct bf_plan *plan)
{
    int ow = BF_WRAP;
    for (int j = 2; j < c->argc;) {
        int rem = c->argc - j - 1, used;
        if (arg_is(c, j, "get") && rem >= 2)
            used = bf_parse_op(c, j, BF_GET, ow, plan);
        else if (arg_is(c, j, "set") && rem >= 3)
            used = bf_parse_op(c, j, BF_SET, ow, plan);
        else if (arg_is(c, j, "incrby") && rem >= 3)
            used = bf_parse_op(c, j, BF_INCRBY, ow, plan);
        else if (arg_is(c, j, "overflow") && rem >= 1)
            used = bf_parse_overflow(c, j + 1, &ow) ? 2 : 0;
        else {
            reply_error(c->reply, ERR_SYNTAX);
            return 0;
        }
        if (!used)
            return 0;
        j += used;
    }
    return 1;
}

/* Replies one GET read from p (len bytes; zero past them). */
static void bf_get(struct cmd_ctx *c, const struct bf_op *op, const uint8_t *p, size_t len)
{
    uint64_t v = bits_get(p, len, op->offset, op->bits);
    reply_int(c->reply, op->sign ? sign_extend(v, op->bits) : (long long)v);
}

/* Runs a read-only plan: a missing key reads as zeros. */
static void bf_run_read(struct cmd_ctx *c, const struct bf_plan *plan)
{
    struct kv *kv;
    if (!lookup_read(c, &kv))
        return;
    char buf[24];
    size_t len = 0;
    const uint8_t *p = kv ? kv_bytes(kv, buf, &len) : NULL;
    reply_array(c->reply, plan->n);
    for (int i = 0; i < plan->n; i++)
        bf_get(c, &plan->ops[i], p, len);
}

/* Runs a plan with writes: the string first grows to the highest bit written. */
static void bf_run_write(struct cmd_ctx *c, const struct bf_plan *plan)
{
    int wrongtype, changes = 0;
    struct kv *kv = obj_lookup_write(c, 1, KV_STRING, &wrongtype);
    if (wrongtype)
        return;
    size_t kept, oldlen = 0, need = (size_t)(plan->highest >> 3) + 1;
    if (kv) {
        char buf[24];
        kv_string(kv, buf, &oldlen);
    }
    int grown = !kv || oldlen < need;      /* created or lengthened: a change in itself */
    struct kv_blob *b = bitmap_unshare(c, 1, kv, need, &kept);
    reply_array(c->reply, plan->n);
    for (int i = 0; i < plan->n; i++) {
        if (plan->ops[i].opcode == BF_GET) {
            bf_get(c, &plan->ops[i], (const uint8_t *)b->data, b->len);
            continue;
        }
        int stored = bf_write(c, &plan->ops[i], b, kept);
        changes += stored > 0 || (stored == 0 && grown);
    }
    if (changes)
        notify_keyspace_event(NOTIFY_STRING, "setbit", c->dbid, c->argv[1], c->argvlen[1]);
    c->dirty += (uint64_t)changes;
}

static void bitfield_generic(struct cmd_ctx *c, int ro_command)
{
    struct bf_plan plan = { malloc(sizeof(struct bf_op) * (size_t)(c->argc / 2 + 1)), 0, 1, 0 };
    if (bf_parse(c, &plan)) {
        if (plan.readonly)
            bf_run_read(c, &plan);
        else if (ro_command)
            reply_error(c->reply, "ERR BITFIELD_RO only supports the GET subcommand");
        else
            bf_run_write(c, &plan);
    }
    free(plan.ops);
}

/* BITFIELD key [GET type offset | [OVERFLOW WRAP | SAT | FAIL] SET type offset value |
 * [OVERFLOW ...] INCRBY type offset increment ...]: types i1..i64 and u1..u63, offsets
 * in bits or "#N" in units of the type's width. */
static void bitfield_command(struct cmd_ctx *c) { bitfield_generic(c, 0); }

/* BITFIELD_RO key [GET type offset ...] */
static void bitfield_ro_command(struct cmd_ctx *c) { bitfield_generic(c, 1); }

/* ---- the table ---------------------------------------------------------------- */

#define ACL_R_FAST "@read @bitmap @fast"
#define ACL_R_SLOW "@read @bitmap @slow"
#define ACL_W_SLOW "@write @bitmap @slow"

const struct command bitmap_commands[] = {
    { "setbit", setbit_command, 4, CMD_WRITE | CMD_DENYOOM, 1, 1, 1, "bitmap", "2.2.0",
      "Sets or clears the bit at offset in the string value stored at key", "O(1)",
      ACL_W_SLOW, NULL, NULL },
    { "getbit", getbit_command, 3, CMD_READONLY | CMD_FAST, 1, 1, 1, "bitmap", "2.2.0",
      "Returns the bit value at offset in the string value stored at key", "O(1)",
      ACL_R_FAST, NULL, NULL },
    { "bitcount", bitcount_command, -2, CMD_READONLY, 1, 1, 1, "bitmap", "2.6.0",
      "Count set bits in a string", "O(N)", ACL_R_SLOW, NULL, NULL },
    { "bitpos", bitpos_command, -3, CMD_READONLY, 1, 1, 1, "bitmap", "2.8.7",
      "Find first bit set or clear in a string", "O(N)", ACL_R_SLOW, NULL, NULL },
    { "bitop", bitop_command, -4, CMD_WRITE | CMD_DENYOOM, 2, -1, 1, "bitmap", "2.6.0",
      "Perform bitwise operations between strings", "O(N)", ACL_W_SLOW, NULL, NULL },
    { "bitfield", bitfield_command, -2, CMD_WRITE | CMD_DENYOOM, 1, 1, 1, "bitmap", "3.2.0",
      "Perform arbitrary bitfield integer operations on strings",
      "O(1) for each subcommand specified", ACL_W_SLOW, NULL, NULL },
    { "bitfield_ro", bitfield_ro_command, -2, CMD_READONLY | CMD_FAST, 1, 1, 1, "bitmap", "6.0.0",
      "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
      "O(1) for each subcommand specified", ACL_R_FAST, NULL, NULL },
    { NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};
