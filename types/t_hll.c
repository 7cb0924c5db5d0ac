/* types/t_hll.c - HyperLogLog commands: PFADD PFCOUNT PFMERGE, on string values
 * holding Redis 7.0's HLL representation byte for byte, so values move between Redis
 * and Ferrous (SET of the bytes, DUMP/RESTORE) and count the same.
 *
 * The representation (16384 registers of 6 bits, P = 14, Q = 50):
 *   header  "HYLL", encoding (0 dense, 1 sparse), 3 unused bytes, 8 bytes cached
 *           cardinality, little endian; bit 7 of its last byte set = cache invalid.
 *   dense   12288 bytes of registers packed LSB first: register i is the 6 bits at
 *           bit i*6 (the value 12304 bytes long exactly).
 *   sparse  run-length opcodes covering exactly 16384 registers:
 *           00xxxxxx          ZERO: x+1 zero registers (1..64)
 *           01xxxxxx yyyyyyyy XZERO: (x<<8|y)+1 zero registers (1..16384)
 *           1vvvvvxx          VAL: x+1 registers (1..4) of value v+1 (1..32)
 *   A new HLL is sparse: one XZERO of 16384.  A sparse value turns dense when a
 *   register needs more than 32 or the value would grow past hll-sparse-max-bytes.
 * An element's register is the low 14 bits of its hash (hll_hash), its count 1 + the
 * number of trailing zeros of the other 50 bits.  The estimate is Ertl's improved
 * estimator over the register histogram, as Redis 7.0 computes it.
 *
 * Writes (inside the command's write): header and dense register bytes that existed
 * before the command are undo-logged before they change; a sparse value is copied to
 * a blob of this write (with room) before its first change, so its shifts need no log;
 * promotion builds a new dense blob.  New blobs are swapped in with bitmap_put_blob.
 */
#include <math.h>
#include <string.h>

#include "conf/shared.h"
#include "keyspace/notify.h"
#include "shm/alloc.h"
#include "shm/undo.h"
#include "types/object.h"
#include "types/t_bitmap.h"
#include "types/t_hll.h"

#define HLL_P 14
#define HLL_Q (64 - HLL_P)
#define HLL_REGISTERS (1 << HLL_P)
#define HLL_HDR 16
#define HLL_DENSE_SIZE (HLL_HDR + HLL_REGISTERS * 6 / 8)
#define HLL_ENC_AT 4
#define HLL_CARD_AT 8
#define HLL_SEED 0xadc83b19ULL
#define HLL_ALPHA_INF 0.721347520444481703680      /* 1 / (2 ln 2) */
#define SPARSE_VAL_MAX 32
#define SPARSE_VAL_LEN_MAX 4
#define SPARSE_ZERO_LEN_MAX 64
#define SPARSE_ROOM 4               /* an update grows a sparse value by at most 3 */
#define SPARSE_MAX_DEFAULT 3000

enum { HLL_DENSE = 0, HLL_SPARSE = 1 };

#define ERR_NOT_HLL "WRONGTYPE Key is not a valid HyperLogLog string value."
#define ERR_BAD_HLL "INVALIDOBJ Corrupted HLL object detected"

/* ---- hashing and the estimator -------------------------------------------------- */

static uint64_t load_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

uint64_t hll_hash(const void *ele, size_t len)
{
    const uint64_t m = 0xc6a4a7935bd1e995ULL;
    const uint8_t *p = ele, *tail = p + (len & ~(size_t)7);
    uint64_t h = HLL_SEED ^ ((uint64_t)len * m);
    for (; p < tail; p += 8) {
        uint64_t k = load_le64(p) * m;
        k ^= k >> 47;
        h = (h ^ (k * m)) * m;
    }
    if (len & 7) {
        for (size_t i = len & 7; i-- > 0;)
            h ^= (uint64_t)tail[i] << (8 * i);
        h *= m;
    }
    h ^= h >> 47;
    h *= m;
    return h ^ (h >> 47);
}

/* The register an element lands in and the count it proposes for it. */
static int hll_pattern(const void *ele, size_t len, long *reg)
{
    uint64_t h = hll_hash(ele, len);
    *reg = (long)(h & (HLL_REGISTERS - 1));
    return __builtin_ctzll((h >> HLL_P) | (UINT64_C(1) << HLL_Q)) + 1;
}

/* Ertl's sigma and tau series. */
static double hll_sigma(double x)
{
    if (x == 1.)
        return INFINITY;
    double y = 1, z = x, prev;
    do {
        x *= x;
        prev = z;
        z += x * y;
        y += y;
    } while (prev != z);
    return z;
}

static double hll_tau(double x)
{
    if (x == 0. || x == 1.)
        return 0.;
    double y = 1.0, z = 1 - x, prev;
    do {
        x = sqrt(x);
        prev = z;
        y *= 0.5;
        z -= pow(1 - x, 2) * y;
    } while (prev != z);
    return z / 3;
}

/* The cardinality estimate of a register array (values up to 63). */
static uint64_t hll_estimate(const uint8_t *regs)
{
    int histo[64] = { 0 };
    double m = HLL_REGISTERS;
    for (int i = 0; i < HLL_REGISTERS; i++)
        histo[regs[i]]++;
    double z = m * hll_tau((m - histo[HLL_Q + 1]) / m);
    for (int j = HLL_Q; j >= 1; j--) {
        z += histo[j];
        z *= 0.5;
    }
    z += m * hll_sigma(histo[0] / m);
    return (uint64_t)llroundl(HLL_ALPHA_INF * m * m / z);
}

/* ---- dense registers ------------------------------------------------------------ */

static int dense_get(const uint8_t *regs, long i)
{
    size_t pos = (size_t)i * 6, byte = pos >> 3;
    unsigned fb = pos & 7, v = regs[byte] >> fb;
    if (fb > 2)
        v |= (unsigned)regs[byte + 1] << (8 - fb);
    return (int)(v & 63);
}

static void dense_set(uint8_t *regs, long i, int val)
{
    size_t pos = (size_t)i * 6, byte = pos >> 3;
    unsigned fb = pos & 7, v = (unsigned)val;
    regs[byte] = (uint8_t)((regs[byte] & ~(63u << fb)) | (v << fb));
    if (fb > 2)
        regs[byte + 1] = (uint8_t)((regs[byte + 1] & ~(63u >> (8 - fb))) | (v >> (8 - fb)));
}

/* ---- sparse opcodes --------------------------------------------------------------- */

struct sp_op {
    long len;                       /* registers covered */
    int val;                        /* 0 for ZERO and XZERO */
    int size;                       /* bytes: 2 for XZERO */
};

/* Decodes the opcode at p; an XZERO cut by the end reads its second byte as 0. */
static void sp_decode(const uint8_t *p, const uint8_t *end, struct sp_op *op)
{
    if (p[0] & 0x80) {
        *op = (struct sp_op){ (p[0] & 3) + 1, ((p[0] >> 2) & 31) + 1, 1 };
    } else if (p[0] & 0x40) {
        long lo = p + 1 < end ? p[1] : 0;
        *op = (struct sp_op){ (((long)(p[0] & 63) << 8) | lo) + 1, 0, 2 };
    } else {
        *op = (struct sp_op){ (p[0] & 63) + 1, 0, 1 };
    }
}

static uint8_t sp_val_op(int val, long len)
{
    return (uint8_t)(0x80 | ((val - 1) << 2) | (len - 1));
}

/* Writes a run of len registers of value val (len < 4 for a value); returns bytes. */
static int sp_put_run(uint8_t *p, int val, long len)
{
    if (val) {
        p[0] = sp_val_op(val, len);
        return 1;
    }
    if (len > SPARSE_ZERO_LEN_MAX) {
        p[0] = (uint8_t)(0x40 | ((len - 1) >> 8));
        p[1] = (uint8_t)((len - 1) & 0xff);
        return 2;
    }
    p[0] = (uint8_t)(len - 1);
    return 1;
}

/* Raises regs[] to the HLL's registers (s: the whole value, len bytes, checked by
 * hll_valid); returns 0 when a sparse form does not cover exactly 16384 registers. */
static int hll_registers(const uint8_t *s, size_t len, uint8_t *regs)
{
    if (s[HLL_ENC_AT] == HLL_DENSE) {
        for (long i = 0; i < HLL_REGISTERS; i++) {
            int v = dense_get(s + HLL_HDR, i);
            if (v > regs[i])
                regs[i] = (uint8_t)v;
        }
        return 1;
    }
    const uint8_t *end = s + len;
    long idx = 0;
    struct sp_op op;
    for (const uint8_t *p = s + HLL_HDR; p < end; p += op.size) {
        sp_decode(p, end, &op);
        if (idx + op.len > HLL_REGISTERS)
            return 0;
        for (long k = 0; op.val && k < op.len; k++)
            if (op.val > regs[idx + k])
                regs[idx + k] = (uint8_t)op.val;
        idx += op.len;
    }
    return idx == HLL_REGISTERS;
}

/* Where a register lives in a sparse value: the opcode at byte 'at', the one before it
 * at 'prev' (or none), and the index of the opcode's first register. */
struct sp_loc {
    size_t at, prev;
    int has_prev;
    long first;
    struct sp_op op;
};

static int sparse_locate(const uint8_t *s, size_t len, long index, struct sp_loc *loc)
{
    const uint8_t *p = s + HLL_HDR, *end = s + len;
    loc->first = 0;
    loc->has_prev = 0;
    while (p < end) {
        sp_decode(p, end, &loc->op);
        if (index < loc->first + loc->op.len) {
            loc->at = (size_t)(p - s);
            return 1;
        }
        loc->prev = (size_t)(p - s);
        loc->has_prev = 1;
        p += loc->op.size;
        loc->first += loc->op.len;
    }
    return 0;
}

/* Merges adjacent VAL opcodes of equal value, scanning at most 5 opcodes from p. */
static void sparse_merge_vals(uint8_t *p, uint8_t **end, size_t *len)
{
    for (int scan = 5; p < *end && scan-- > 0;) {
        struct sp_op a, b;
        sp_decode(p, *end, &a);
        if (!a.val) {
            p += a.size;
            continue;
        }
        if (p + 1 < *end && (p[1] & 0x80)) {
            sp_decode(p + 1, *end, &b);
            if (a.val == b.val && a.len + b.len <= SPARSE_VAL_LEN_MAX) {
                p[1] = sp_val_op(a.val, a.len + b.len);
                memmove(p, p + 1, (size_t)(*end - p - 1));
                (*end)--;
                (*len)--;
                continue;
            }
        }
        p++;
    }
}

/* Sets the register at loc (its value below count <= 32) in place: splits the opcode
 * into up to three, then merges neighbours.  s has room for SPARSE_ROOM more bytes.
 * Returns 0 (and changes nothing) when the value would outgrow max_bytes. */
static int sparse_update(uint8_t *s, size_t *len, const struct sp_loc *loc, long index, int count,
                         size_t max_bytes)
{
    uint8_t seq[5], *p = s + loc->at, *end = s + *len;
    long before = index - loc->first, after = loc->first + loc->op.len - 1 - index;
    int n = 0;
    if (before)
        n += sp_put_run(seq + n, loc->op.val, before);
    seq[n++] = sp_val_op(count, 1);
    if (after)
        n += sp_put_run(seq + n, loc->op.val, after);
    int delta = n - loc->op.size;
    if (delta > 0 && *len + (size_t)delta > max_bytes)
        return 0;
    uint8_t *next = p + loc->op.size;
    if (delta && next < end)
        memmove(next + delta, next, (size_t)(end - next));
    memcpy(p, seq, (size_t)n);
    *len += (size_t)(long)delta;
    end += delta;
    sparse_merge_vals(loc->has_prev ? s + loc->prev : s + HLL_HDR, &end, len);
    return 1;
}

/* ---- values ------------------------------------------------------------------- */

static size_t sparse_max_bytes(void)
{
    const struct conf_values *v = conf_shared();
    return v ? (size_t)v->hll_sparse_max_bytes : SPARSE_MAX_DEFAULT;
}

/* Whether a string value is an HLL Redis would accept. */
static int hll_valid(struct kv *kv)
{
    char buf[24];
    size_t len;
    const uint8_t *s = (const uint8_t *)kv_string(kv, buf, &len);
    if (kv->enc == KV_ENC_INT || len < HLL_HDR || memcmp(s, "HYLL", 4) != 0)
        return 0;
    return s[HLL_ENC_AT] == HLL_SPARSE || (s[HLL_ENC_AT] == HLL_DENSE && len == HLL_DENSE_SIZE);
}

/* Looks argv[i] up; 0 after replying WRONGTYPE (another type, or a string that is
 * not an HLL).  *kv is NULL when the key is missing. */
static int hll_lookup(struct cmd_ctx *c, int i, int for_write, struct kv **kv)
{
    int wrongtype;
    *kv = for_write ? obj_lookup_write(c, i, KV_STRING, &wrongtype)
                    : obj_lookup_read(c, i, KV_STRING, &wrongtype);
    if (wrongtype)
        return 0;
    if (*kv && !hll_valid(*kv)) {
        reply_error(c->reply, ERR_NOT_HLL);
        return 0;
    }
    return 1;
}

/* An HLL being written: its raw blob, and how many leading bytes existed before the
 * command (those are logged before they change; 0 for a blob of this command). */
struct hll_val {
    struct cmd_ctx *c;
    int argi;
    struct kv_blob *b;
    size_t kept;
};

static uint8_t *hv_bytes(struct hll_val *v) { return (uint8_t *)v->b->data; }

static void hv_log(struct hll_val *v, const uint8_t *p, size_t n)
{
    size_t at = (size_t)(p - hv_bytes(v));
    if (at < v->kept)
        undo_save(p, at + n <= v->kept ? n : v->kept - at);
}

/* Opens an existing HLL for writing: a raw blob (Redis unshares the value). */
static void hv_open(struct hll_val *v, struct cmd_ctx *c, int argi, struct kv *kv)
{
    *v = (struct hll_val){ c, argi, NULL, 0 };
    v->b = bitmap_unshare(c, argi, kv, 0, &v->kept);
}

/* Creates argv[argi] as an empty sparse HLL with a valid cached count of 0. */
static void hv_create(struct hll_val *v, struct cmd_ctx *c, int argi)
{
    static const uint8_t empty[HLL_HDR + 2] = { 'H', 'Y', 'L', 'L', HLL_SPARSE, [HLL_HDR] = 0x7f, 0xff };
    shm_off_t blob = kv_blob_new(sizeof(empty));
    struct kv_blob *b = shm_ptr(blob);
    memcpy(b->data, empty, sizeof(empty));
    b->len = sizeof(empty);
    bitmap_put_blob(c, argi, blob);
    *v = (struct hll_val){ c, argi, b, 0 };
}

/* Swaps in a new blob of this command holding len bytes of src, with room for cap. */
static void hv_replace(struct hll_val *v, const uint8_t *src, size_t len, size_t cap)
{
    shm_off_t blob = kv_blob_new(cap);
    struct kv_blob *b = shm_ptr(blob);
    memcpy(b->data, src, len);
    b->len = len;
    bitmap_put_blob(v->c, v->argi, blob);
    v->b = b;
    v->kept = 0;
}

/* Makes the value a blob of this command with room for extra more bytes. */
static void hv_reserve(struct hll_val *v, size_t extra)
{
    size_t len = v->b->len;
    if (!v->kept && kv_blob_cap(shm_off(v->b)) >= len + extra)
        return;
    hv_replace(v, hv_bytes(v), len, extra ? (len + extra) * 2 : len);
}

/* Converts a sparse value to dense (keeping the header's count); 0 if corrupt. */
static int hv_to_dense(struct hll_val *v)
{
    uint8_t regs[HLL_REGISTERS] = { 0 }, dense[HLL_DENSE_SIZE] = { 0 };
    const uint8_t *s = hv_bytes(v);
    if (s[HLL_ENC_AT] == HLL_DENSE)
        return 1;
    if (!hll_registers(s, v->b->len, regs))
        return 0;
    memcpy(dense, s, HLL_HDR);
    dense[HLL_ENC_AT] = HLL_DENSE;
    for (long i = 0; i < HLL_REGISTERS; i++)
        if (regs[i])
            dense_set(dense + HLL_HDR, i, regs[i]);
    hv_replace(v, dense, HLL_DENSE_SIZE, HLL_DENSE_SIZE);
    return 1;
}

static int hv_dense_set(struct hll_val *v, long index, int count)
{
    uint8_t *regs = hv_bytes(v) + HLL_HDR;
    size_t pos = (size_t)index * 6;
    if (dense_get(regs, index) >= count)
        return 0;
    hv_log(v, regs + (pos >> 3), (pos & 7) > 2 ? 2 : 1);
    dense_set(regs, index, count);
    return 1;
}

/* Raises register index to count: 1 if it changed, 0 if not, -1 if the value is
 * corrupt.  A sparse value turns dense as Redis decides. */
static int hv_set(struct hll_val *v, long index, int count)
{
    struct sp_loc loc;
    if (hv_bytes(v)[HLL_ENC_AT] == HLL_DENSE)
        return hv_dense_set(v, index, count);
    if (count <= SPARSE_VAL_MAX) {
        if (!sparse_locate(hv_bytes(v), v->b->len, index, &loc))
            return -1;
        if (loc.op.val >= count)
            return 0;
        hv_reserve(v, SPARSE_ROOM);
        size_t len = v->b->len;
        if (sparse_update(hv_bytes(v), &len, &loc, index, count, sparse_max_bytes())) {
            v->b->len = len;
            return 1;
        }
    }
    return hv_to_dense(v) ? hv_dense_set(v, index, count) : -1;
}

static void hv_invalidate(struct hll_val *v)
{
    uint8_t *last = hv_bytes(v) + HLL_CARD_AT + 7;
    hv_log(v, last, 1);
    *last |= 0x80;
}

/* ---- commands ------------------------------------------------------------------ */

/* PFADD key [element ...]: 1 when a register changed or the key was created. */
static void pfadd_command(struct cmd_ctx *c)
{
    struct kv *kv;
    struct hll_val v;
    int updated = 0;
    if (!hll_lookup(c, 1, 1, &kv))
        return;
    if (kv) {
        hv_open(&v, c, 1, kv);
    } else {
        hv_create(&v, c, 1);
        updated++;
    }
    for (int j = 2; j < c->argc; j++) {
        long reg;
        int count = hll_pattern(c->argv[j], c->argvlen[j], &reg);
        int rc = hv_set(&v, reg, count);
        if (rc < 0) {
            reply_error(c->reply, ERR_BAD_HLL);
            return;
        }
        updated += rc;
    }
    if (updated) {
        hv_invalidate(&v);
        notify_keyspace_event(NOTIFY_STRING, "pfadd", c->dbid, c->argv[1], c->argvlen[1]);
        c->dirty += (uint64_t)updated;
    }
    reply_int(c->reply, updated ? 1 : 0);
}

/* Merges the HLLs at argv[from..] into regs (missing keys are empty); 0 after an
 * error reply.  *dense is set when one of them is dense. */
static int merge_sources(struct cmd_ctx *c, int from, uint8_t *regs, int *dense)
{
    for (int j = from; j < c->argc; j++) {
        struct kv *kv;
        if (!hll_lookup(c, j, 0, &kv))
            return 0;
        if (!kv)
            continue;
        char buf[24];
        size_t len;
        const uint8_t *s = (const uint8_t *)kv_string(kv, buf, &len);
        *dense |= s[HLL_ENC_AT] == HLL_DENSE;
        if (!hll_registers(s, len, regs)) {
            reply_error(c->reply, ERR_BAD_HLL);
            return 0;
        }
    }
    return 1;
}

/* PFCOUNT key: the cached count, or the estimate, then cached in the header. */
static void pfcount_one(struct cmd_ctx *c)
{
    struct kv *kv;
    struct hll_val v;
    uint8_t regs[HLL_REGISTERS] = { 0 };
    if (!hll_lookup(c, 1, 0, &kv))         /* a read, as Redis: stats and keymiss */
        return;
    if (!kv) {
        reply_int(c->reply, 0);
        return;
    }
    hv_open(&v, c, 1, kv);
    uint8_t *card = hv_bytes(&v) + HLL_CARD_AT;
    if (!(card[7] & 0x80)) {
        reply_int(c->reply, (long long)load_le64(card));
        return;
    }
    if (!hll_registers(hv_bytes(&v), v.b->len, regs)) {
        reply_error(c->reply, ERR_BAD_HLL);
        return;
    }
    uint64_t n = hll_estimate(regs);
    hv_log(&v, card, 8);
    for (int i = 0; i < 8; i++)
        card[i] = (uint8_t)(n >> (8 * i));
    c->dirty++;
    reply_int(c->reply, (long long)n);
}

/* PFCOUNT key [key ...]: with several keys, the count of their union. */
static void pfcount_command(struct cmd_ctx *c)
{
    uint8_t regs[HLL_REGISTERS] = { 0 };
    int dense = 0;
    if (c->argc == 2)
        pfcount_one(c);
    else if (merge_sources(c, 1, regs, &dense))
        reply_int(c->reply, (long long)hll_estimate(regs));
}

/* PFMERGE destkey [sourcekey ...]: destkey (itself a source) gets the union; it
 * turns dense when a source is dense. */
static void pfmerge_command(struct cmd_ctx *c)
{
    uint8_t regs[HLL_REGISTERS] = { 0 };
    int dense = 0;
    struct hll_val v;
    if (!merge_sources(c, 1, regs, &dense))
        return;
    struct kv *kv = db_lookup_write(c->db, c->argv[1], c->argvlen[1]);
    if (kv)
        hv_open(&v, c, 1, kv);
    else
        hv_create(&v, c, 1);
    if (dense) {
        if (!hv_to_dense(&v)) {
            reply_error(c->reply, ERR_BAD_HLL);
            return;
        }
        hv_reserve(&v, 0);
    }
    for (long i = 0; i < HLL_REGISTERS; i++)
        if (regs[i])
            hv_set(&v, i, regs[i]);
    hv_invalidate(&v);
    notify_keyspace_event(NOTIFY_STRING, "pfadd", c->dbid, c->argv[1], c->argvlen[1]);
    c->dirty++;
    reply_ok(c->reply);
}

/* ---- the table ---------------------------------------------------------------- */

const struct command hll_commands[] = {
    { "pfadd", pfadd_command, -2, CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1, "hyperloglog", "2.8.9",
      "Adds the specified elements to the specified HyperLogLog.", "O(1) to add every element.",
      "@write @hyperloglog @fast", NULL, NULL },
    { "pfcount", pfcount_command, -2, CMD_READONLY, 1, -1, 1, "hyperloglog", "2.8.9",
      "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
      "O(1) with a very small average constant time when called with a single key. O(N) with N "
      "being the number of keys, and much bigger constant times, when called with multiple keys.",
      "@read @hyperloglog @slow", NULL, NULL },
    { "pfmerge", pfmerge_command, -2, CMD_WRITE | CMD_DENYOOM, 1, -1, 1, "hyperloglog", "2.8.9",
      "Merge N different HyperLogLogs into a single one.",
      "O(N) to merge N HyperLogLogs, but with high constant times.",
      "@write @hyperloglog @slow", NULL, NULL },
    { NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};
