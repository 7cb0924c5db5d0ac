/* types/t_string.c - the string commands: GET SET SETNX SETEX PSETEX MGET MSET MSETNX
 * GETSET GETDEL GETEX APPEND STRLEN INCR DECR INCRBY DECRBY INCRBYFLOAT GETRANGE SUBSTR
 * SETRANGE LCS, with Redis 7.0's replies, errors and encodings.
 *
 * Values are kv entries (keyspace/kv.h).  Encodings follow Redis: a value stored by
 * SET, MSET, GETSET, SETNX or APPEND on a missing key is int when it is a canonical
 * integer, embstr up to 44 bytes, raw above; APPEND and SETRANGE on an existing key
 * leave it raw; the INCR family leaves it int; INCRBYFLOAT never makes it int.
 *
 * Changes in place (inside the command's write, each logged before it happens):
 *  - the int of an int-encoded kv (INCR family): its 8 payload bytes, and its
 *    KV_FLAG_UNSHARED cleared (Redis would make a new, possibly shared, object);
 *  - a raw blob (APPEND, SETRANGE): its len field and the old bytes overwritten.
 *    Bytes past the old len need no log: rollback restores len, which hides them.
 * Every other value change builds a new kv (or blob) and swaps it in with
 * db_replace, keeping the TTL when Redis keeps it (INCR, APPEND, SETRANGE...).
 * Raw blobs grow geometrically, as sds does, so repeated APPEND is amortized O(1).
 * c->dirty counts the keys changed.  Size limits come from proto-max-bulk-len.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "conf/shared.h"
#include "keyspace/notify.h"
#include "shm/alloc.h"
#include "shm/undo.h"
#include "types/object.h"
#include "types/t_string.h"
#include "util/numconv.h"

#define PROTO_MAX_BULK_DEFAULT (512LL * 1024 * 1024)
#define BLOB_PREALLOC_MAX (1024 * 1024)      /* growth step past 1MB, as sds */
#define LD_STR_MAX 5120                      /* Redis's MAX_LONG_DOUBLE_CHARS */

#define ERR_TOO_BIG "ERR string exceeds maximum allowed size (proto-max-bulk-len)"

/* ---- lookups and values ------------------------------------------------------- */

/* Looks argv[argi] up (the read flavour counts hits/misses); returns 0 with
 * WRONGTYPE replied when it holds a non-string, else 1 with *out the kv or NULL. */
static int lookup_string(struct cmd_ctx *c, int argi, int for_write, struct kv **out)
{
    int wrongtype;
    *out = for_write ? obj_lookup_write(c, argi, KV_STRING, &wrongtype)
                     : obj_lookup_read(c, argi, KV_STRING, &wrongtype);
    return !wrongtype;
}

/* proto-max-bulk-len bounds APPEND, SETRANGE and LCS's table; an arena without
 * shared config (unit tests) gets Redis's default. */
static long long string_max_len(void)
{
    const struct conf_values *v = conf_shared();
    return v ? v->proto_max_bulk_len : PROTO_MAX_BULK_DEFAULT;
}

static void reply_kv_string(struct cmd_ctx *c, struct kv *kv)
{
    char buf[24];
    size_t len;
    const char *s = kv_string(kv, buf, &len);
    reply_bulk(c->reply, s, len);
}

static size_t kv_string_len(struct kv *kv)
{
    char buf[24];
    size_t len;
    kv_string(kv, buf, &len);
    return len;
}

static int kv_to_ll(struct kv *kv, long long *v)
{
    if (kv->enc == KV_ENC_INT) {
        *v = kv_int(kv);
        return 1;
    }
    char buf[24];
    size_t len;
    const char *s = kv_string(kv, buf, &len);
    return string2ll(s, len, v);
}

static int kv_to_ld(struct kv *kv, long double *v)
{
    if (kv->enc == KV_ENC_INT) {
        *v = (long double)kv_int(kv);
        return 1;
    }
    char buf[24];
    size_t len;
    const char *s = kv_string(kv, buf, &len);
    return string2ld(s, len, v);
}

/* Puts the new kv under its key: replaces the old one when exists (keeping its TTL
 * if keep_ttl), else adds it.  Counts one changed key. */
static struct kv *put_kv(struct cmd_ctx *c, shm_off_t off, int exists, int keep_ttl)
{
    if (exists)
        db_replace(c->db, off, keep_ttl);
    else
        db_add(c->db, off);
    c->dirty++;
    return kv_at(off);
}

/* Stores argv[vi] as the value of argv[ki], whose kv is old (NULL: absent), with
 * Redis's encoding choice: in old's place when the new value fits it exactly. */
static struct kv *put_string(struct cmd_ctx *c, int ki, int vi, struct kv *old, int keep_ttl)
{
    if (old && kv_overwrite_string(old, c->argv[vi], c->argvlen[vi], KV_STR_AUTO)) {
        db_overwritten(c->db, old, keep_ttl);
        c->dirty++;
        return old;
    }
    shm_off_t off = kv_new_string(c->argv[ki], c->argvlen[ki], c->argv[vi], c->argvlen[vi], KV_STR_AUTO);
    return put_kv(c, off, old != NULL, keep_ttl);
}

/* ---- GET and its read-only relatives ------------------------------------------ */

/* Replies the value of argv[1] or null; 0 after replying WRONGTYPE.  *out gets the kv. */
static int get_generic(struct cmd_ctx *c, struct kv **out)
{
    if (!lookup_string(c, 1, 0, out))
        return 0;
    if (*out)
        reply_kv_string(c, *out);
    else
        reply_null(c->reply);
    return 1;
}

/* GET key */
static void get_command(struct cmd_ctx *c)
{
    struct kv *kv;
    get_generic(c, &kv);
}

/* MGET key [key ...]: null for missing keys and non-strings. */
static void mget_command(struct cmd_ctx *c)
{
    reply_array(c->reply, c->argc - 1);
    for (int i = 1; i < c->argc; i++) {
        struct kv *kv = db_lookup_read(c->db, c->argv[i], c->argvlen[i]);
        if (kv && kv->type == KV_STRING)
            reply_kv_string(c, kv);
        else
            reply_null(c->reply);
    }
}

/* STRLEN key */
static void strlen_command(struct cmd_ctx *c)
{
    struct kv *kv;
    if (lookup_string(c, 1, 0, &kv))
        reply_int(c->reply, kv ? (long long)kv_string_len(kv) : 0);
}

/* GETRANGE key start end (SUBSTR is the same): inclusive, negative indexes count from
 * the end, clamped to the string.  Redis 7.0 quirk kept: an end before the start of
 * the string clamps to 0, so "GETRANGE k 0 -100" gives the first byte. */
static void getrange_command(struct cmd_ctx *c)
{
    long long start, end;
    struct kv *kv;
    if (!arg_ll(c, 2, &start, NULL) || !arg_ll(c, 3, &end, NULL) || !lookup_string(c, 1, 0, &kv))
        return;
    char buf[24];
    size_t slen = 0;
    const char *s = kv ? kv_string(kv, buf, &slen) : "";
    long long len = (long long)slen;
    if (start < 0 && end < 0 && start > end) {
        reply_bulk(c->reply, "", 0);
        return;
    }
    if (start < 0) start = len + start < 0 ? 0 : len + start;
    if (end < 0) end = len + end < 0 ? 0 : len + end;
    if (end >= len) end = len - 1;
    if (start > end || len == 0)
        reply_bulk(c->reply, "", 0);
    else
        reply_bulk(c->reply, s + start, (size_t)(end - start + 1));
}

/* ---- SET and the TTL options -------------------------------------------------- */

enum {
    OPT_NX = 1 << 0, OPT_XX = 1 << 1, OPT_GET = 1 << 2, OPT_KEEPTTL = 1 << 3, OPT_PERSIST = 1 << 4,
    OPT_EX = 1 << 5, OPT_PX = 1 << 6, OPT_EXAT = 1 << 7, OPT_PXAT = 1 << 8,
};
#define OPT_EXPIRE (OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT)
#define OPT_TTL_GROUP (OPT_EXPIRE | OPT_KEEPTTL | OPT_PERSIST)
#define OPT_COND_GROUP (OPT_NX | OPT_XX)

static const struct { const char *word; int flag; } option_words[] = {
    { "nx", OPT_NX }, { "xx", OPT_XX }, { "get", OPT_GET }, { "keepttl", OPT_KEEPTTL },
    { "persist", OPT_PERSIST }, { "ex", OPT_EX }, { "px", OPT_PX }, { "exat", OPT_EXAT },
    { "pxat", OPT_PXAT },
};

struct ttl_args {
    int flags;
    int expire_argi;                /* argv index of the expire value, 0 if none */
};

static int option_flag(const struct cmd_ctx *c, int i)
{
    for (size_t k = 0; k < sizeof(option_words) / sizeof(option_words[0]); k++)
        if (arg_is(c, i, option_words[k].word))
            return option_words[k].flag;
    return 0;
}

/* Parses argv[first..] against the allowed options, with Redis's rules: NX and XX
 * exclude each other; EX PX EXAT PXAT KEEPTTL PERSIST exclude each other, but one
 * may repeat (the last expire value wins); an expire option takes the next argument
 * whatever it is.  Values are not checked here (Redis reports syntax errors first).
 * Returns 0 with a syntax error replied. */
static int parse_ttl_options(struct cmd_ctx *c, int first, int allowed, struct ttl_args *a)
{
    a->flags = 0;
    a->expire_argi = 0;
    for (int i = first; i < c->argc; i++) {
        int f = option_flag(c, i) & allowed;
        int group = (f & OPT_COND_GROUP) ? OPT_COND_GROUP : (f & OPT_TTL_GROUP) ? OPT_TTL_GROUP : 0;
        if (!f || (a->flags & group & ~f) || ((f & OPT_EXPIRE) && i + 1 >= c->argc)) {
            reply_error(c->reply, ERR_SYNTAX);
            return 0;
        }
        a->flags |= f;
        if (f & OPT_EXPIRE)
            a->expire_argi = ++i;
    }
    return 1;
}

/* The absolute expire time in ms named by the options, as Redis's
 * getExpireMillisecondsOrReply: 0 with an error replied when it is not an integer,
 * not positive, or overflows. */
static int expire_when(struct cmd_ctx *c, const struct ttl_args *a, int64_t *when)
{
    long long v;
    if (!arg_ll(c, a->expire_argi, &v, NULL))
        return 0;
    int seconds = a->flags & (OPT_EX | OPT_EXAT);
    int relative = a->flags & (OPT_EX | OPT_PX);
    long long now = db_now_ms();
    if (v <= 0 || (seconds && v > LLONG_MAX / 1000) ||
        (relative && (seconds ? v * 1000 : v) > LLONG_MAX - now)) {
        reply_errorf(c->reply, "ERR invalid expire time in '%s' command", c->cmd->name);
        return 0;
    }
    *when = (seconds ? v * 1000 : v) + (relative ? now : 0);
    return 1;
}

/* What SET, SETNX, SETEX and PSETEX share: stores argv[vi] under argv[1] as the
 * options say.  With OPT_GET the old value (or null) is replied here.  Returns 1 when
 * stored, 0 when NX/XX stopped it, -1 after replying an error. */
static int set_generic(struct cmd_ctx *c, const struct ttl_args *a, int vi)
{
    int64_t when = 0;
    struct kv *old;
    if (a->expire_argi && !expire_when(c, a, &when))
        return -1;
    if (a->flags & OPT_GET) {
        if (!get_generic(c, &old))
            return -1;
    } else {
        old = db_lookup_write(c->db, c->argv[1], c->argvlen[1]);
    }
    if ((a->flags & OPT_NX && old) || (a->flags & OPT_XX && !old))
        return 0;
    struct kv *kv = put_string(c, 1, vi, old, a->flags & (OPT_KEEPTTL | OPT_EXPIRE));
    notify_keyspace_event(NOTIFY_STRING, "set", c->dbid, c->argv[1], c->argvlen[1]);
    if (a->expire_argi) {
        db_set_expire(c->db, kv, when);
        notify_keyspace_event(NOTIFY_GENERIC, "expire", c->dbid, c->argv[1], c->argvlen[1]);
    }
    return 1;
}

/* SET key value [NX | XX] [GET] [EX seconds | PX ms | EXAT unix-s | PXAT unix-ms | KEEPTTL] */
static void set_command(struct cmd_ctx *c)
{
    struct ttl_args a;
    if (!parse_ttl_options(c, 3, OPT_COND_GROUP | OPT_GET | OPT_KEEPTTL | OPT_EXPIRE, &a))
        return;
    int rc = set_generic(c, &a, 2);
    if (rc < 0 || (a.flags & OPT_GET))
        return;
    if (rc)
        reply_ok(c->reply);
    else
        reply_null(c->reply);
}

/* SETNX key value: 1 if set, 0 if the key existed. */
static void setnx_command(struct cmd_ctx *c)
{
    struct ttl_args a = { OPT_NX, 0 };
    reply_int(c->reply, set_generic(c, &a, 2));
}

static void setex_generic(struct cmd_ctx *c, int unit)
{
    struct ttl_args a = { unit, 2 };
    if (set_generic(c, &a, 3) > 0)
        reply_ok(c->reply);
}

/* SETEX key seconds value */
static void setex_command(struct cmd_ctx *c) { setex_generic(c, OPT_EX); }

/* PSETEX key milliseconds value */
static void psetex_command(struct cmd_ctx *c) { setex_generic(c, OPT_PX); }

/* GETSET key value: replies the old value, sets the new one, drops the TTL. */
static void getset_command(struct cmd_ctx *c)
{
    struct kv *old;
    if (get_generic(c, &old)) {
        put_string(c, 1, 2, old, 0);
        notify_keyspace_event(NOTIFY_STRING, "set", c->dbid, c->argv[1], c->argvlen[1]);
    }
}

/* GETDEL key */
static void getdel_command(struct cmd_ctx *c)
{
    struct kv *kv;
    if (get_generic(c, &kv) && kv && db_delete(c->db, c->argv[1], c->argvlen[1])) {
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->dbid, c->argv[1], c->argvlen[1]);
        c->dirty++;
    }
}

/* GETEX key [EX seconds | PX ms | EXAT unix-s | PXAT unix-ms | PERSIST]: an EXAT/PXAT
 * time already past deletes the key after replying its value. */
static void getex_command(struct cmd_ctx *c)
{
    struct ttl_args a;
    struct kv *kv;
    int64_t when = 0;
    if (!parse_ttl_options(c, 2, OPT_EXPIRE | OPT_PERSIST, &a) || !lookup_string(c, 1, 0, &kv))
        return;
    if (!kv) {
        reply_null(c->reply);
        return;
    }
    if (a.expire_argi && !expire_when(c, &a, &when))
        return;
    reply_kv_string(c, kv);
    if (a.expire_argi && (a.flags & (OPT_EXAT | OPT_PXAT)) && when <= db_now_ms()) {
        c->dirty += (uint64_t)db_delete(c->db, c->argv[1], c->argvlen[1]);
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->dbid, c->argv[1], c->argvlen[1]);
    } else if (a.expire_argi) {
        db_set_expire(c->db, kv, when);
        notify_keyspace_event(NOTIFY_GENERIC, "expire", c->dbid, c->argv[1], c->argvlen[1]);
        c->dirty++;
    } else if ((a.flags & OPT_PERSIST) && db_remove_expire(c->db, kv)) {
        notify_keyspace_event(NOTIFY_GENERIC, "persist", c->dbid, c->argv[1], c->argvlen[1]);
        c->dirty++;
    }
}

/* MSET key value [key value ...] / MSETNX: MSETNX sets nothing (replies 0) when any
 * key exists.  Keys lose their TTL. */
static void mset_generic(struct cmd_ctx *c, int nx)
{
    if (c->argc % 2 == 0) {
        reply_wrong_arity(c->reply, c->cmd->name);
        return;
    }
    for (int i = 1; nx && i < c->argc; i += 2) {
        if (db_lookup_write(c->db, c->argv[i], c->argvlen[i])) {
            reply_int(c->reply, 0);
            return;
        }
    }
    for (int depth = 0; depth < 2; depth++)
        for (int i = 1; i < c->argc; i += 2)
            dict_prefetch(&c->db->keys, c->argv[i], c->argvlen[i], depth);
    for (int i = 1; i < c->argc; i += 2) {
        shm_off_t *slot = db_lookup_overwrite(c->db, c->argv[i], c->argvlen[i]);
        shm_off_t off = kv_new_string(c->argv[i], c->argvlen[i], c->argv[i + 1], c->argvlen[i + 1], KV_STR_AUTO);
        if (slot)                   /* allocating did not touch the table: the slot holds */
            db_replace_at(c->db, slot, off, 0);
        else
            db_add(c->db, off);
        c->dirty++;
        notify_keyspace_event(NOTIFY_STRING, "set", c->dbid, c->argv[i], c->argvlen[i]);
    }
    if (nx)
        reply_int(c->reply, 1);
    else
        reply_ok(c->reply);
}

static void mset_command(struct cmd_ctx *c) { mset_generic(c, 0); }
static void msetnx_command(struct cmd_ctx *c) { mset_generic(c, 1); }

/* ---- APPEND and SETRANGE: raw blobs written in place ---------------------------- */

static size_t blob_grown_cap(size_t need)
{
    return need < BLOB_PREALLOC_MAX ? need * 2 : need + BLOB_PREALLOC_MAX;
}

/* Where the key's new value of newlen bytes is written: its raw blob when that has
 * room (*fresh = 0: old bytes must be logged before they change), else a new, larger
 * blob holding a copy of the value, swapped in under a new kv that keeps the TTL
 * (*fresh = 1).  The first old-length bytes hold the value; past them, garbage. */
static struct kv_blob *writable_blob(struct cmd_ctx *c, struct kv *kv, size_t newlen, int *fresh)
{
    if (kv->enc == KV_ENC_RAW && kv_blob_cap(kv_value_off(kv)) >= newlen) {
        *fresh = 0;
        return shm_ptr(kv_value_off(kv));
    }
    char buf[24];
    size_t len;
    const char *s = kv_string(kv, buf, &len);
    shm_off_t blob = kv_blob_new(blob_grown_cap(newlen));
    struct kv_blob *b = shm_ptr(blob);
    memcpy(b->data, s, len);
    b->len = len;
    db_replace(c->db, kv_new_object(kv_key(kv), kv->keylen, KV_STRING, KV_ENC_RAW, blob), 1);
    *fresh = 1;
    return b;
}

/* A missing key's new raw value: an exact-size blob (as Redis makes it). */
static struct kv_blob *new_blob_key(struct cmd_ctx *c, size_t cap)
{
    shm_off_t blob = kv_blob_new(cap);
    struct kv_blob *b = shm_ptr(blob);
    b->len = 0;
    db_add(c->db, kv_new_object(c->argv[1], c->argvlen[1], KV_STRING, KV_ENC_RAW, blob));
    return b;
}

static void blob_set_len(struct kv_blob *b, size_t len, int fresh)
{
    if (fresh)
        b->len = len;
    else if (b->len != len)
        UNDO_SET(b->len, len);
}

/* APPEND key value: creates the key as SET would, else the value becomes raw. */
static void append_command(struct cmd_ctx *c)
{
    struct kv *kv;
    if (!lookup_string(c, 1, 1, &kv))
        return;
    size_t alen = c->argvlen[2];
    if (!kv) {
        put_string(c, 1, 2, NULL, 0);
        notify_keyspace_event(NOTIFY_STRING, "append", c->dbid, c->argv[1], c->argvlen[1]);
        reply_int(c->reply, (long long)alen);
        return;
    }
    size_t len = kv_string_len(kv);
    if ((long long)(len + alen) > string_max_len()) {
        reply_error(c->reply, ERR_TOO_BIG);
        return;
    }
    int fresh;
    struct kv_blob *b = writable_blob(c, kv, len + alen, &fresh);
    memcpy(b->data + len, c->argv[2], alen);   /* past the old length: no log */
    blob_set_len(b, len + alen, fresh);
    notify_keyspace_event(NOTIFY_STRING, "append", c->dbid, c->argv[1], c->argvlen[1]);
    c->dirty++;
    reply_int(c->reply, (long long)(len + alen));
}

/* SETRANGE key offset value: overwrites from offset, zero-padding past the end; an
 * empty value changes nothing and replies the current length. */
static void setrange_command(struct cmd_ctx *c)
{
    long long off;
    struct kv *kv;
    if (!arg_ll(c, 2, &off, NULL))
        return;
    if (off < 0) {
        reply_error(c->reply, "ERR offset is out of range");
        return;
    }
    if (!lookup_string(c, 1, 1, &kv))
        return;
    size_t vlen = c->argvlen[3], len = kv ? kv_string_len(kv) : 0;
    if (vlen == 0) {
        reply_int(c->reply, (long long)len);
        return;
    }
    if (off > string_max_len() - (long long)vlen) {
        reply_error(c->reply, ERR_TOO_BIG);
        return;
    }
    size_t end = (size_t)off + vlen, newlen = end > len ? end : len;
    int fresh = 1;
    struct kv_blob *b = kv ? writable_blob(c, kv, newlen, &fresh) : new_blob_key(c, newlen);
    if ((size_t)off > len)
        memset(b->data + len, 0, (size_t)off - len);
    else if (!fresh)
        undo_save(b->data + off, (end < len ? end : len) - (size_t)off);
    memcpy(b->data + off, c->argv[3], vlen);
    blob_set_len(b, newlen, fresh);
    notify_keyspace_event(NOTIFY_STRING, "setrange", c->dbid, c->argv[1], c->argvlen[1]);
    c->dirty++;
    reply_int(c->reply, (long long)newlen);
}

/* ---- counters ----------------------------------------------------------------- */

/* Adds by to the integer value of argv[1] (missing = 0); the TTL stays. */
static void incr_generic(struct cmd_ctx *c, long long by)
{
    struct kv *kv;
    long long v = 0;
    if (!lookup_string(c, 1, 1, &kv))
        return;
    if (kv && !kv_to_ll(kv, &v)) {
        reply_error(c->reply, ERR_NOT_INT);
        return;
    }
    if ((by < 0 && v < 0 && by < LLONG_MIN - v) || (by > 0 && v > 0 && by > LLONG_MAX - v)) {
        reply_error(c->reply, ERR_OVERFLOW);
        return;
    }
    v += by;
    if (kv && kv->enc == KV_ENC_INT) {
        undo_save(kv_payload(kv), sizeof(v));
        memcpy(kv_payload(kv), &v, sizeof(v));
        if (kv->flags & KV_FLAG_UNSHARED)   /* Redis makes a new, maybe shared, object */
            UNDO_SET(kv->flags, kv->flags & ~KV_FLAG_UNSHARED);
        c->dirty++;
    } else {
        put_kv(c, kv_new_int(c->argv[1], c->argvlen[1], v), kv != NULL, 1);
    }
    notify_keyspace_event(NOTIFY_STRING, "incrby", c->dbid, c->argv[1], c->argvlen[1]);
    reply_int(c->reply, v);
}

/* INCR key */
static void incr_command(struct cmd_ctx *c) { incr_generic(c, 1); }
/* DECR key */
static void decr_command(struct cmd_ctx *c) { incr_generic(c, -1); }

/* INCRBY key increment */
static void incrby_command(struct cmd_ctx *c)
{
    long long by;
    if (arg_ll(c, 2, &by, NULL))
        incr_generic(c, by);
}

/* DECRBY key decrement */
static void decrby_command(struct cmd_ctx *c)
{
    long long by;
    if (!arg_ll(c, 2, &by, NULL))
        return;
    if (by == LLONG_MIN)
        reply_error(c->reply, "ERR decrement would overflow");
    else
        incr_generic(c, -by);
}

/* INCRBYFLOAT key increment: long double arithmetic, the result formatted as Redis
 * does (ld2string, human friendly) and stored as a string. */
static void incrbyfloat_command(struct cmd_ctx *c)
{
    struct kv *kv;
    long double v = 0, by;
    if (!lookup_string(c, 1, 1, &kv))
        return;
    if ((kv && !kv_to_ld(kv, &v)) || !string2ld(c->argv[2], c->argvlen[2], &by)) {
        reply_error(c->reply, ERR_NOT_FLOAT);
        return;
    }
    v += by;
    if (isnan(v) || isinf(v)) {
        reply_error(c->reply, "ERR increment would produce NaN or Infinity");
        return;
    }
    char buf[LD_STR_MAX];
    size_t len = (size_t)ld2string(buf, sizeof(buf), v, 1);
    put_kv(c, kv_new_string(c->argv[1], c->argvlen[1], buf, len, KV_STR_NOINT), kv != NULL, 1);
    notify_keyspace_event(NOTIFY_STRING, "incrbyfloat", c->dbid, c->argv[1], c->argvlen[1]);
    reply_bulk(c->reply, buf, len);
}

/* ---- LCS ---------------------------------------------------------------------- */

struct lcs_opts {
    int idx, len, withmatchlen;
    long long minmatchlen;
};

struct lcs_table {
    const char *a, *b;
    uint32_t alen, blen;
    uint32_t *t;                    /* (alen+1) x (blen+1): LCS length of the prefixes */
    char *out;                      /* room for the LCS itself */
};
#define LCS_AT(T, i, j) ((T)->t[(size_t)(i) * ((T)->blen + 1) + (j)])

/* A run of consecutive matches found by the walk: a[a0..a1] == b[b0..b1]. */
struct lcs_run {
    uint32_t a0, a1, b0, b1;
    int open;
};

static int lcs_parse(struct cmd_ctx *c, struct lcs_opts *o)
{
    memset(o, 0, sizeof(*o));
    for (int i = 3; i < c->argc; i++) {
        if (arg_is(c, i, "idx")) {
            o->idx = 1;
        } else if (arg_is(c, i, "len")) {
            o->len = 1;
        } else if (arg_is(c, i, "withmatchlen")) {
            o->withmatchlen = 1;
        } else if (arg_is(c, i, "minmatchlen") && i + 1 < c->argc) {
            if (!arg_ll(c, ++i, &o->minmatchlen, NULL))
                return 0;
            if (o->minmatchlen < 0)
                o->minmatchlen = 0;
        } else {
            reply_error(c->reply, ERR_SYNTAX);
            return 0;
        }
    }
    if (o->idx && o->len) {
        reply_error(c->reply, "ERR If you want both the length and indexes, please just use IDX.");
        return 0;
    }
    return 1;
}

/* Builds the dynamic-programming table (private memory, freed by the caller). */
static int lcs_fill(struct cmd_ctx *c, struct lcs_table *T)
{
    uint64_t cells = (uint64_t)(T->alen + 1) * (T->blen + 1);
    if (cells * sizeof(uint32_t) > (uint64_t)string_max_len()) {
        reply_error(c->reply, "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
        return 0;
    }
    T->t = malloc(cells * sizeof(uint32_t) + (T->alen < T->blen ? T->alen : T->blen) + 1);
    if (!T->t) {
        reply_error(c->reply, "ERR Insufficient memory, failed allocating transient memory for LCS");
        return 0;
    }
    T->out = (char *)(T->t + cells);
    for (uint32_t i = 0; i <= T->alen; i++) {
        for (uint32_t j = 0; j <= T->blen; j++) {
            uint32_t v = 0;
            if (i && j && T->a[i - 1] == T->b[j - 1])
                v = LCS_AT(T, i - 1, j - 1) + 1;
            else if (i && j)
                v = LCS_AT(T, i - 1, j) > LCS_AT(T, i, j - 1) ? LCS_AT(T, i - 1, j) : LCS_AT(T, i, j - 1);
            LCS_AT(T, i, j) = v;
        }
    }
    return 1;
}

/* Closes the run; with IDX replies it as [[a0,a1],[b0,b1](,len)] when it is long
 * enough.  Returns 1 if replied. */
static long lcs_close_run(struct cmd_ctx *c, const struct lcs_opts *o, struct lcs_run *run)
{
    uint32_t n = run->a1 - run->a0 + 1;
    run->open = 0;
    if (!o->idx || (o->minmatchlen && n < o->minmatchlen))
        return 0;
    reply_array(c->reply, 2 + o->withmatchlen);
    reply_array(c->reply, 2);
    reply_int(c->reply, run->a0);
    reply_int(c->reply, run->a1);
    reply_array(c->reply, 2);
    reply_int(c->reply, run->b0);
    reply_int(c->reply, run->b1);
    if (o->withmatchlen)
        reply_int(c->reply, n);
    return 1;
}

/* Walks the table back from the end as Redis does: a match steps diagonally (the byte
 * is part of the LCS), a mismatch steps towards the larger neighbour, dropping a byte
 * of b on a tie.  Fills T->out with the LCS and closes each run of consecutive
 * matches (newest first); returns the number of runs replied. */
static long lcs_walk(struct cmd_ctx *c, struct lcs_table *T, const struct lcs_opts *o)
{
    uint32_t i = T->alen, j = T->blen, k = LCS_AT(T, i, j);
    struct lcs_run run = { 0, 0, 0, 0, 0 };
    long replied = 0;
    while (i > 0 && j > 0) {
        if (T->a[i - 1] == T->b[j - 1]) {
            T->out[--k] = T->a[i - 1];
            if (!run.open)
                run = (struct lcs_run){ i - 1, i - 1, j - 1, j - 1, 1 };
            run.a0 = --i;
            run.b0 = --j;
        } else {
            if (LCS_AT(T, i - 1, j) > LCS_AT(T, i, j - 1))
                i--;
            else
                j--;
            if (run.open)
                replied += lcs_close_run(c, o, &run);
        }
    }
    if (run.open)
        replied += lcs_close_run(c, o, &run);
    return replied;
}

static void lcs_reply(struct cmd_ctx *c, struct lcs_table *T, const struct lcs_opts *o)
{
    uint32_t total = LCS_AT(T, T->alen, T->blen);
    if (o->len) {
        reply_int(c->reply, total);
    } else if (o->idx) {
        reply_map(c->reply, 2);
        reply_bulk_cstr(c->reply, "matches");
        size_t h = reply_defer_begin(c->reply);
        reply_defer_end(c->reply, h, '*', lcs_walk(c, T, o));
        reply_bulk_cstr(c->reply, "len");
        reply_int(c->reply, total);
    } else {
        lcs_walk(c, T, o);
        reply_bulk(c->reply, T->out, total);
    }
}

/* LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: longest common
 * subsequence of two strings (a missing key is empty), O(N*M) time and memory. */
static void lcs_command(struct cmd_ctx *c)
{
    struct kv *ka = db_lookup_read(c->db, c->argv[1], c->argvlen[1]);
    struct kv *kb = db_lookup_read(c->db, c->argv[2], c->argvlen[2]);
    struct lcs_opts o;
    if ((ka && ka->type != KV_STRING) || (kb && kb->type != KV_STRING)) {
        reply_error(c->reply, "ERR The specified keys must contain string values");
        return;
    }
    if (!lcs_parse(c, &o))
        return;
    char abuf[24], bbuf[24];
    size_t alen = 0, blen = 0;
    struct lcs_table T = { ka ? kv_string(ka, abuf, &alen) : "", kb ? kv_string(kb, bbuf, &blen) : "",
                           0, 0, NULL, NULL };
    T.alen = (uint32_t)alen;
    T.blen = (uint32_t)blen;
    if (lcs_fill(c, &T))
        lcs_reply(c, &T, &o);
    free(T.t);
}

/* ---- the table ---------------------------------------------------------------- */

#define RO_FAST (CMD_READONLY | CMD_FAST)
#define W_OOM (CMD_WRITE | CMD_DENYOOM)
#define W_OOM_FAST (CMD_WRITE | CMD_DENYOOM | CMD_FAST)
#define ACL_R_FAST "@read @string @fast"
#define ACL_R_SLOW "@read @string @slow"
#define ACL_W_FAST "@write @string @fast"
#define ACL_W_SLOW "@write @string @slow"
#define RANGE_COMPLEXITY "O(N) where N is the length of the returned string. The complexity is " \
    "ultimately determined by the returned length, but because creating a substring from an " \
    "existing string is very cheap, it can be considered O(1) for small strings."

const struct command string_commands[] = {
    { "get", get_command, 2, RO_FAST, 1, 1, 1, "string", "1.0.0",
      "Get the value of a key", "O(1)", ACL_R_FAST, NULL, NULL },
    { "set", set_command, -3, W_OOM, 1, 1, 1, "string", "1.0.0",
      "Set the string value of a key", "O(1)", ACL_W_SLOW, NULL, NULL },
    { "setnx", setnx_command, 3, W_OOM_FAST, 1, 1, 1, "string", "1.0.0",
      "Set the value of a key, only if the key does not exist", "O(1)", ACL_W_FAST, NULL, NULL },
    { "setex", setex_command, 4, W_OOM, 1, 1, 1, "string", "2.0.0",
      "Set the value and expiration of a key", "O(1)", ACL_W_SLOW, NULL, NULL },
    { "psetex", psetex_command, 4, W_OOM, 1, 1, 1, "string", "2.6.0",
      "Set the value and expiration in milliseconds of a key", "O(1)", ACL_W_SLOW, NULL, NULL },
    { "mget", mget_command, -2, RO_FAST, 1, -1, 1, "string", "1.0.0",
      "Get the values of all the given keys", "O(N) where N is the number of keys to retrieve.",
      ACL_R_FAST, NULL, NULL },
    { "mset", mset_command, -3, W_OOM, 1, -1, 2, "string", "1.0.1",
      "Set multiple keys to multiple values", "O(N) where N is the number of keys to set.",
      ACL_W_SLOW, NULL, NULL },
    { "msetnx", msetnx_command, -3, W_OOM, 1, -1, 2, "string", "1.0.1",
      "Set multiple keys to multiple values, only if none of the keys exist",
      "O(N) where N is the number of keys to set.", ACL_W_SLOW, NULL, NULL },
    { "getset", getset_command, 3, W_OOM_FAST, 1, 1, 1, "string", "1.0.0",
      "Set the string value of a key and return its old value", "O(1)", ACL_W_FAST, NULL, NULL },
    { "getdel", getdel_command, 2, CMD_WRITE | CMD_FAST, 1, 1, 1, "string", "6.2.0",
      "Get the value of a key and delete the key", "O(1)", ACL_W_FAST, NULL, NULL },
    { "getex", getex_command, -2, CMD_WRITE | CMD_FAST, 1, 1, 1, "string", "6.2.0",
      "Get the value of a key and optionally set its expiration", "O(1)", ACL_W_FAST, NULL, NULL },
    { "append", append_command, 3, W_OOM_FAST, 1, 1, 1, "string", "2.0.0",
      "Append a value to a key",
      "O(1). The amortized time complexity is O(1) assuming the appended value is small and the "
      "already present value is of any size, since the dynamic string library used by Redis will "
      "double the free space available on every reallocation.", ACL_W_FAST, NULL, NULL },
    { "strlen", strlen_command, 2, RO_FAST, 1, 1, 1, "string", "2.2.0",
      "Get the length of the value stored in a key", "O(1)", ACL_R_FAST, NULL, NULL },
    { "incr", incr_command, 2, W_OOM_FAST, 1, 1, 1, "string", "1.0.0",
      "Increment the integer value of a key by one", "O(1)", ACL_W_FAST, NULL, NULL },
    { "decr", decr_command, 2, W_OOM_FAST, 1, 1, 1, "string", "1.0.0",
      "Decrement the integer value of a key by one", "O(1)", ACL_W_FAST, NULL, NULL },
    { "incrby", incrby_command, 3, W_OOM_FAST, 1, 1, 1, "string", "1.0.0",
      "Increment the integer value of a key by the given amount", "O(1)", ACL_W_FAST, NULL, NULL },
    { "decrby", decrby_command, 3, W_OOM_FAST, 1, 1, 1, "string", "1.0.0",
      "Decrement the integer value of a key by the given number", "O(1)", ACL_W_FAST, NULL, NULL },
    { "incrbyfloat", incrbyfloat_command, 3, W_OOM_FAST, 1, 1, 1, "string", "2.6.0",
      "Increment the float value of a key by the given amount", "O(1)", ACL_W_FAST, NULL, NULL },
    { "getrange", getrange_command, 4, CMD_READONLY, 1, 1, 1, "string", "2.4.0",
      "Get a substring of the string stored at a key", RANGE_COMPLEXITY, ACL_R_SLOW, NULL, NULL },
    { "substr", getrange_command, 4, CMD_READONLY, 1, 1, 1, "string", "1.0.0",
      "Get a substring of the string stored at a key", RANGE_COMPLEXITY, ACL_R_SLOW, NULL, NULL },
    { "setrange", setrange_command, 4, W_OOM, 1, 1, 1, "string", "2.2.0",
      "Overwrite part of a string at key starting at the specified offset",
      "O(1), not counting the time taken to copy the new string in place. Usually, this string is "
      "very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being "
      "the length of the value argument.", ACL_W_SLOW, NULL, NULL },
    { "lcs", lcs_command, -3, CMD_READONLY, 1, 2, 1, "string", "7.0.0",
      "Find longest common substring",
      "O(N*M) where N and M are the lengths of s1 and s2, respectively", ACL_R_SLOW, NULL, NULL },
    { NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};
