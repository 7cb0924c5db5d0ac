/* types/t_keys.c - the generic key commands: DEL UNLINK EXISTS TOUCH TYPE, RENAME
 * RENAMENX MOVE COPY, the EXPIRE and TTL families, PERSIST, RANDOMKEY KEYS SCAN,
 * OBJECT, and the database-wide DBSIZE FLUSHDB FLUSHALL SWAPDB.
 *
 * They work on any key whatever its type, through keyspace/db.h.  Replies and errors
 * are Redis 7.0.15's, checked against the real server.  Every command runs inside a
 * write (command.h), so lookups may delete expired keys.  RENAME, MOVE and COPY
 * never re-link an existing kv: they build a fresh one (kv_move, kv_copy), so the
 * only logged changes are the tables' own. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keyspace/lfu.h"
#include "keyspace/notify.h"
#include "types/t_keys.h"
#include "util/glob.h"
#include "util/numconv.h"

#define ERR_SAME_OBJECT "ERR source and destination objects are the same"

/* Values 0..SHARED_INTEGERS-1 are shared objects in Redis: OBJECT REFCOUNT shows
 * OBJ_SHARED_REFCOUNT for them. */
#define SHARED_INTEGERS 10000
#define SHARED_REFCOUNT INT_MAX

static const char *const type_names[] = {
    [KV_STRING] = "string", [KV_LIST] = "list", [KV_SET] = "set", [KV_ZSET] = "zset",
    [KV_HASH] = "hash", [KV_STREAM] = "stream",
};

/* Redis's strEncoding names, by encoding number. */
static const char *const encoding_names[] = {
    "raw", "int", "hashtable", "zipmap", "linkedlist", "ziplist", "intset", "skiplist",
    "embstr", "quicklist", "stream", "listpack",
};

static const char *type_name(const struct kv *kv)
{
    const char *name = kv->type < sizeof(type_names) / sizeof(type_names[0]) ? type_names[kv->type] : NULL;
    return name ? name : "none";
}

static int same_arg(const struct cmd_ctx *c, int i, int j)
{
    return c->argvlen[i] == c->argvlen[j] && memcmp(c->argv[i], c->argv[j], c->argvlen[i]) == 0;
}

/* Parses argv[i] as an int (Redis's getIntFromObjectOrReply); replies msg, or the
 * standard errors without one, and returns 0 on failure. */
static int arg_int(struct cmd_ctx *c, int i, int *out, const char *msg)
{
    long long v;
    if (!arg_ll(c, i, &v, msg))
        return 0;
    if (v < INT_MIN || v > INT_MAX) {
        reply_error(c->reply, msg ? msg : "ERR value is out of range, value must between -2147483648 and 2147483647");
        return 0;
    }
    *out = (int)v;
    return 1;
}

/* The database named by argv[i]; replies and returns NULL when it is not one. */
static struct db *arg_db(struct cmd_ctx *c, int i)
{
    int id;
    if (!arg_int(c, i, &id, NULL))
        return NULL;
    struct db *db = db_get(id);
    if (!db)
        reply_error(c->reply, ERR_DB_INDEX);
    return db;
}

/* ------------------------------------------------------ existence and type ---- */

/* DEL key [key ...] / UNLINK key [key ...] (both free synchronously) */
static void del_command(struct cmd_ctx *c)
{
    long long deleted = 0;
    for (int i = 1; i < c->argc; i++) {
        if (db_lookup(c->db, c->argv[i], c->argvlen[i], DB_LOOKUP_NOTOUCH | DB_LOOKUP_NOSTATS) &&
            db_delete(c->db, c->argv[i], c->argvlen[i])) {
            notify_keyspace_event(NOTIFY_GENERIC, "del", c->dbid, c->argv[i], c->argvlen[i]);
            deleted++;
        }
    }
    c->dirty += (uint64_t)deleted;
    reply_int(c->reply, deleted);
}

/* Counts the arguments naming live keys, looking them up with the given flags. */
static void count_keys(struct cmd_ctx *c, int flags)
{
    long long n = 0;
    for (int i = 1; i < c->argc; i++)
        if (db_lookup(c->db, c->argv[i], c->argvlen[i], flags))
            n++;
    reply_int(c->reply, n);
}

/* EXISTS key [key ...] */
static void exists_command(struct cmd_ctx *c) { count_keys(c, DB_LOOKUP_NOTOUCH); }

/* TOUCH key [key ...] */
static void touch_command(struct cmd_ctx *c) { count_keys(c, 0); }

/* TYPE key */
static void type_command(struct cmd_ctx *c)
{
    struct kv *kv = db_lookup(c->db, c->argv[1], c->argvlen[1], DB_LOOKUP_NOTOUCH);
    reply_status(c->reply, kv ? type_name(kv) : "none");
}

/* ---------------------------------------------------- renaming and copying ---- */

/* Adds a kv built for this command to db, with the expire time it carried. */
static void add_with_expire(struct db *db, shm_off_t kv, int64_t when_ms)
{
    db_add(db, kv);
    if (when_ms != -1)
        db_set_expire(db, kv_at(kv), when_ms);
}

/* Moves the key argv[1] of c->db to key argv[dst_arg] of dst, which is free. */
static void move_key(struct cmd_ctx *c, struct db *dst, int dst_arg)
{
    int64_t when_ms;
    shm_off_t old = db_unlink(c->db, c->argv[1], c->argvlen[1], &when_ms);
    add_with_expire(dst, kv_move(old, c->argv[dst_arg], c->argvlen[dst_arg]), when_ms);
    c->dirty++;
}

/* RENAME key newkey / RENAMENX key newkey */
static void rename_generic(struct cmd_ctx *c, int nx)
{
    if (!db_lookup_write(c->db, c->argv[1], c->argvlen[1])) {
        reply_error(c->reply, ERR_NO_KEY);
        return;
    }
    int same = same_arg(c, 1, 2);   /* renaming a key to itself changes nothing */
    if (!same) {
        if (db_lookup_write(c->db, c->argv[2], c->argvlen[2])) {
            if (nx) {
                reply_int(c->reply, 0);
                return;
            }
            db_delete(c->db, c->argv[2], c->argvlen[2]);
        }
        move_key(c, c->db, 2);
        notify_keyspace_event(NOTIFY_GENERIC, "rename_from", c->dbid, c->argv[1], c->argvlen[1]);
        notify_keyspace_event(NOTIFY_GENERIC, "rename_to", c->dbid, c->argv[2], c->argvlen[2]);
    }
    if (nx)
        reply_int(c->reply, !same);
    else
        reply_ok(c->reply);
}

static void rename_command(struct cmd_ctx *c) { rename_generic(c, 0); }
static void renamenx_command(struct cmd_ctx *c) { rename_generic(c, 1); }

/* MOVE key db */
static void move_command(struct cmd_ctx *c)
{
    struct db *dst = arg_db(c, 2);
    if (!dst)
        return;
    if (dst == c->db) {
        reply_error(c->reply, ERR_SAME_OBJECT);
        return;
    }
    if (!db_lookup_write(c->db, c->argv[1], c->argvlen[1]) ||
        db_lookup_write(dst, c->argv[1], c->argvlen[1])) {
        reply_int(c->reply, 0);
        return;
    }
    move_key(c, dst, 1);
    notify_keyspace_event(NOTIFY_GENERIC, "move_from", c->dbid, c->argv[1], c->argvlen[1]);
    notify_keyspace_event(NOTIFY_GENERIC, "move_to", (int)(dst - db_get(0)), c->argv[1], c->argvlen[1]);
    reply_int(c->reply, 1);
}

/* COPY source destination [DB destination-db] [REPLACE] */
static void copy_command(struct cmd_ctx *c)
{
    struct db *dst = c->db;
    int replace = 0;
    for (int i = 3; i < c->argc; i++) {
        if (arg_is(c, i, "replace")) {
            replace = 1;
        } else if (arg_is(c, i, "db") && i + 1 < c->argc) {
            if (!(dst = arg_db(c, ++i)))
                return;
        } else {
            reply_error(c->reply, ERR_SYNTAX);
            return;
        }
    }
    if (dst == c->db && same_arg(c, 1, 2)) {
        reply_error(c->reply, ERR_SAME_OBJECT);
        return;
    }
    struct kv *kv = db_lookup_read(c->db, c->argv[1], c->argvlen[1]);
    if (!kv) {
        reply_int(c->reply, 0);
        return;
    }
    int64_t when_ms = db_get_expire(c->db, kv);
    if (db_lookup_write(dst, c->argv[2], c->argvlen[2])) {
        if (!replace) {
            reply_int(c->reply, 0);
            return;
        }
        db_delete(dst, c->argv[2], c->argvlen[2]);
    }
    add_with_expire(dst, kv_copy(shm_off(kv), c->argv[2], c->argvlen[2]), when_ms);
    notify_keyspace_event(NOTIFY_GENERIC, "copy_to", (int)(dst - db_get(0)), c->argv[2], c->argvlen[2]);
    c->dirty++;
    reply_int(c->reply, 1);
}

/* ----------------------------------------------------------------- expiry ---- */

enum { EXPIRE_NX = 1, EXPIRE_XX = 2, EXPIRE_GT = 4, EXPIRE_LT = 8 };

/* Parses EXPIRE's NX XX GT LT options from argv[3..]; replies and returns 0 on error. */
static int parse_expire_flags(struct cmd_ctx *c, int *flags)
{
    static const struct { const char *word; int flag; } opts[] = {
        { "nx", EXPIRE_NX }, { "xx", EXPIRE_XX }, { "gt", EXPIRE_GT }, { "lt", EXPIRE_LT },
    };
    for (int i = 3; i < c->argc; i++) {
        int f = 0;
        for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]) && !f; k++)
            if (arg_is(c, i, opts[k].word))
                f = opts[k].flag;
        if (!f) {
            reply_errorf(c->reply, "ERR Unsupported option %.*s", (int)c->argvlen[i], c->argv[i]);
            return 0;
        }
        *flags |= f;
    }
    if ((*flags & EXPIRE_NX) && (*flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT))) {
        reply_error(c->reply, "ERR NX and XX, GT or LT options at the same time are not compatible");
        return 0;
    }
    if ((*flags & EXPIRE_GT) && (*flags & EXPIRE_LT)) {
        reply_error(c->reply, "ERR GT and LT options at the same time are not compatible");
        return 0;
    }
    return 1;
}

/* Whether the options let the key's expire time go from current (-1: none, which
 * counts as infinite) to when. */
static int expire_allowed(int flags, int64_t current, int64_t when)
{
    if ((flags & EXPIRE_NX) && current != -1)
        return 0;
    if ((flags & EXPIRE_XX) && current == -1)
        return 0;
    if ((flags & EXPIRE_GT) && (current == -1 || when <= current))
        return 0;
    if ((flags & EXPIRE_LT) && current != -1 && when >= current)
        return 0;
    return 1;
}

/* The time argument converted to absolute ms (base: now for relative forms, 0 for
 * the -AT forms); replies and returns 0 on overflow. */
static int expire_time_arg(struct cmd_ctx *c, int64_t base, int in_seconds, int64_t *when)
{
    long long t;
    if (!arg_ll(c, 2, &t, NULL))
        return 0;
    if ((in_seconds && (t > LLONG_MAX / 1000 || t < LLONG_MIN / 1000)) ||
        (in_seconds ? t * 1000 : t) > LLONG_MAX - base) {
        reply_errorf(c->reply, "ERR invalid expire time in '%s' command", c->cmd->name);
        return 0;
    }
    *when = (in_seconds ? t * 1000 : t) + base;
    return 1;
}

/* EXPIRE key seconds [NX|XX|GT|LT] and PEXPIRE, EXPIREAT, PEXPIREAT.  A time in the
 * past deletes the key. */
static void expire_generic(struct cmd_ctx *c, int64_t base, int in_seconds)
{
    int flags = 0;
    int64_t when;
    if (!parse_expire_flags(c, &flags) || !expire_time_arg(c, base, in_seconds, &when))
        return;
    struct kv *kv = db_lookup_write(c->db, c->argv[1], c->argvlen[1]);
    if (!kv || !expire_allowed(flags, db_get_expire(c->db, kv), when)) {
        reply_int(c->reply, 0);
        return;
    }
    if (when <= db_now_ms())
        db_delete(c->db, c->argv[1], c->argvlen[1]);
    else
        db_set_expire(c->db, kv, when);
    notify_keyspace_event(NOTIFY_GENERIC, when <= db_now_ms() ? "del" : "expire", c->dbid, c->argv[1],
                          c->argvlen[1]);
    c->dirty++;
    reply_int(c->reply, 1);
}

static void expire_command(struct cmd_ctx *c) { expire_generic(c, db_now_ms(), 1); }
static void pexpire_command(struct cmd_ctx *c) { expire_generic(c, db_now_ms(), 0); }
static void expireat_command(struct cmd_ctx *c) { expire_generic(c, 0, 1); }
static void pexpireat_command(struct cmd_ctx *c) { expire_generic(c, 0, 0); }

/* TTL key / PTTL key / EXPIRETIME key / PEXPIRETIME key: -2 for a missing key, -1
 * for one without expire time; seconds are rounded to the nearest. */
static void ttl_generic(struct cmd_ctx *c, int in_ms, int absolute)
{
    struct kv *kv = db_lookup(c->db, c->argv[1], c->argvlen[1], DB_LOOKUP_NOTOUCH);
    int64_t when = kv ? db_get_expire(c->db, kv) : -2;
    if (when < 0) {
        reply_int(c->reply, when);
        return;
    }
    int64_t t = absolute ? when : when - db_now_ms();
    if (t < 0)
        t = 0;
    reply_int(c->reply, in_ms ? t : t / 1000 + (t % 1000 >= 500));
}

static void ttl_command(struct cmd_ctx *c) { ttl_generic(c, 0, 0); }
static void pttl_command(struct cmd_ctx *c) { ttl_generic(c, 1, 0); }
static void expiretime_command(struct cmd_ctx *c) { ttl_generic(c, 0, 1); }
static void pexpiretime_command(struct cmd_ctx *c) { ttl_generic(c, 1, 1); }

/* PERSIST key */
static void persist_command(struct cmd_ctx *c)
{
    struct kv *kv = db_lookup_write(c->db, c->argv[1], c->argvlen[1]);
    int removed = kv && db_remove_expire(c->db, kv);
    if (removed)
        notify_keyspace_event(NOTIFY_GENERIC, "persist", c->dbid, c->argv[1], c->argvlen[1]);
    c->dirty += (uint64_t)removed;
    reply_int(c->reply, removed);
}

/* ------------------------------------------------------ iterating the keys ---- */

static uint64_t random64(void)
{
    return ((uint64_t)random() << 42) ^ ((uint64_t)random() << 21) ^ (uint64_t)random();
}

/* RANDOMKEY: as Redis on a primary, an expired key that comes up is deleted and
 * another is drawn; every draw either answers or removes a key, so this ends. */
static void randomkey_command(struct cmd_ctx *c)
{
    for (;;) {
        struct kv *kv = kv_at(dict_random(&c->db->keys, random64));
        if (!kv) {
            reply_null(c->reply);
            return;
        }
        /* a deleted kv stays readable until commit */
        if (db_lookup(c->db, kv->data, kv->keylen, DB_LOOKUP_NOTOUCH | DB_LOOKUP_NOSTATS)) {
            reply_bulk(c->reply, kv->data, kv->keylen);
            return;
        }
    }
}

struct keys_walk {
    struct cmd_ctx *c;
    struct db *db;
    const char *pattern;
    size_t plen;
    int all;
    long n;
};

static void keys_visit(shm_off_t entry, void *arg)
{
    struct keys_walk *w = arg;
    struct kv *kv = kv_at(entry);
    if ((w->all || glob_match(w->pattern, w->plen, kv->data, kv->keylen, 0)) && !db_key_expired(w->db, kv)) {
        reply_bulk(w->c->reply, kv->data, kv->keylen);
        w->n++;
    }
}

/* KEYS pattern: a full walk of the table (nothing changes it meanwhile, so every key
 * is seen once); expired keys are skipped, not deleted. */
static void keys_command(struct cmd_ctx *c)
{
    struct keys_walk w = {
        .c = c, .db = c->db, .pattern = c->argv[1], .plen = c->argvlen[1],
        .all = c->argvlen[1] == 1 && c->argv[1][0] == '*',
    };
    size_t handle = reply_defer_begin(c->reply);
    uint64_t cursor = 0;
    do {
        cursor = dict_scan(&c->db->keys, cursor, keys_visit, &w);
    } while (cursor != 0);
    reply_defer_end(c->reply, handle, '*', w.n);
}

/* Parses a SCAN cursor as Redis does with strtoul: an optional sign ('-' negates
 * modulo 2^64), digits, nothing else; no leading space; "" is 0; overflow fails. */
static int parse_cursor(const char *s, size_t len, uint64_t *out)
{
    size_t i = 0;
    int neg = 0;
    uint64_t v = 0;
    if (len > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    size_t digits_at = i;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    if (i == digits_at)
        i = 0;                      /* no digits: strtoul stops at the start */
    if (i < len && s[i] != '\0')
        return 0;
    *out = neg ? -v : v;
    return 1;
}

struct scan_opts {
    long long count;
    const char *pattern, *type;
    size_t plen, tlen;
};

/* Parses SCAN's MATCH COUNT TYPE from argv[2..]; replies and returns 0 on error. */
static int parse_scan_opts(struct cmd_ctx *c, struct scan_opts *o)
{
    for (int i = 2; i < c->argc; i += 2) {
        if (i + 1 >= c->argc) {
            reply_error(c->reply, ERR_SYNTAX);
            return 0;
        }
        if (arg_is(c, i, "count")) {
            if (!arg_ll(c, i + 1, &o->count, NULL))
                return 0;
            if (o->count < 1) {
                reply_error(c->reply, ERR_SYNTAX);
                return 0;
            }
        } else if (arg_is(c, i, "match")) {
            o->pattern = c->argv[i + 1];
            o->plen = c->argvlen[i + 1];
        } else if (arg_is(c, i, "type")) {
            o->type = c->argv[i + 1];
            o->tlen = c->argvlen[i + 1];
        } else {
            reply_error(c->reply, ERR_SYNTAX);
            return 0;
        }
    }
    if (o->pattern && o->plen == 1 && o->pattern[0] == '*')
        o->pattern = NULL;
    return 1;
}

struct scan_batch {
    shm_off_t *kvs;
    size_t n, cap;
};

static void scan_collect(shm_off_t entry, void *arg)
{
    struct scan_batch *b = arg;
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->kvs = realloc(b->kvs, b->cap * sizeof(*b->kvs));
        if (!b->kvs)
            abort();
    }
    b->kvs[b->n++] = entry;
}

/* Whether a key scanned keeps its place in the reply: it matches, has the type asked
 * for, and is not expired (an expired one is deleted, as Redis does). */
static int scan_keep(struct cmd_ctx *c, const struct scan_opts *o, struct kv *kv)
{
    if (o->pattern && !glob_match(o->pattern, o->plen, kv->data, kv->keylen, 0))
        return 0;
    if (o->type) {
        const char *name = type_name(kv);
        if (strlen(name) != o->tlen || strncasecmp(name, o->type, o->tlen) != 0)
            return 0;
    }
    return db_lookup(c->db, kv->data, kv->keylen, DB_LOOKUP_NOTOUCH | DB_LOOKUP_NOSTATS) != NULL;
}

/* SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]: visits buckets until count
 * keys are collected or count*10 buckets were seen, then filters them. */
static void scan_command(struct cmd_ctx *c)
{
    uint64_t cursor;
    struct scan_opts o = { .count = 10 };
    if (!parse_cursor(c->argv[1], c->argvlen[1], &cursor)) {
        reply_error(c->reply, "ERR invalid cursor");
        return;
    }
    if (!parse_scan_opts(c, &o))
        return;
    struct scan_batch b = { 0 };
    long long budget = o.count > LLONG_MAX / 10 ? LLONG_MAX : o.count * 10;
    do {
        cursor = dict_scan(&c->db->keys, cursor, scan_collect, &b);
    } while (cursor != 0 && budget-- > 0 && b.n < (unsigned long long)o.count);
    size_t kept = 0;
    for (size_t i = 0; i < b.n; i++)
        if (scan_keep(c, &o, kv_at(b.kvs[i])))
            b.kvs[kept++] = b.kvs[i];
    char buf[24];
    reply_array(c->reply, 2);
    reply_bulk(c->reply, buf, (size_t)ull2string(buf, sizeof(buf), cursor));
    reply_array(c->reply, (long)kept);
    for (size_t i = 0; i < kept; i++)
        reply_bulk(c->reply, kv_at(b.kvs[i])->data, kv_at(b.kvs[i])->keylen);
    free(b.kvs);
}

/* ----------------------------------------------------------------- OBJECT ---- */

/* The key argv[2] of an OBJECT subcommand; replies null and returns NULL if absent. */
static struct kv *object_lookup(struct cmd_ctx *c)
{
    struct kv *kv = db_lookup(c->db, c->argv[2], c->argvlen[2], DB_LOOKUP_NOTOUCH);
    if (!kv)
        reply_null(c->reply);
    return kv;
}

const char *keys_encoding_name(const struct kv *kv)
{
    return kv->enc < sizeof(encoding_names) / sizeof(encoding_names[0]) ? encoding_names[kv->enc] : "unknown";
}

/* Small integers are shared objects in Redis. */
long long keys_refcount(const struct kv *kv)
{
    int shared = kv->enc == KV_ENC_INT && !(kv->flags & KV_FLAG_UNSHARED) &&
                 kv_int((struct kv *)kv) >= 0 && kv_int((struct kv *)kv) < SHARED_INTEGERS;
    return shared ? SHARED_REFCOUNT : 1;
}

/* OBJECT ENCODING key */
static void object_encoding_command(struct cmd_ctx *c)
{
    struct kv *kv = object_lookup(c);
    if (kv)
        reply_bulk_cstr(c->reply, keys_encoding_name(kv));
}

/* OBJECT REFCOUNT key */
static void object_refcount_command(struct cmd_ctx *c)
{
    struct kv *kv = object_lookup(c);
    if (kv)
        reply_int(c->reply, keys_refcount(kv));
}

#define LRU_LFU_SWITCH_NOTE "Please note that when switching between policies at runtime LRU and LFU data " \
    "will take some time to adjust."

/* OBJECT IDLETIME key: seconds since the last access (not tracked under LFU). */
static void object_idletime_command(struct cmd_ctx *c)
{
    struct kv *kv = object_lookup(c);
    if (!kv)
        return;
    if (lfu_enabled()) {
        reply_error(c->reply, "ERR An LFU maxmemory policy is selected, idle time not tracked. " LRU_LFU_SWITCH_NOTE);
        return;
    }
    uint32_t now = db_lru_clock();
    reply_int(c->reply, now > kv->lru ? now - kv->lru : 0);
}

/* OBJECT FREQ key: the LFU counter, tracked only under an LFU maxmemory-policy. */
static void object_freq_command(struct cmd_ctx *c)
{
    struct kv *kv = object_lookup(c);
    if (!kv)
        return;
    if (!lfu_enabled())
        reply_error(c->reply, "ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
                    LRU_LFU_SWITCH_NOTE);
    else
        reply_int(c->reply, lfu_frequency(kv->lru));
}

static const char *const object_help[] = {
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
};

/* OBJECT HELP */
static void object_help_command(struct cmd_ctx *c)
{
    long n = (long)(sizeof(object_help) / sizeof(object_help[0]));
    reply_array(c->reply, n);
    for (long i = 0; i < n; i++)
        reply_status(c->reply, object_help[i]);
}

/* -------------------------------------------------------------- databases ---- */

/* DBSIZE */
static void dbsize_command(struct cmd_ctx *c) { reply_int(c->reply, (long long)db_size(c->db)); }

/* FLUSHDB [ASYNC|SYNC] / FLUSHALL [ASYNC|SYNC]: both modes flush synchronously. */
static int flush_mode_ok(struct cmd_ctx *c)
{
    if (c->argc == 1 || (c->argc == 2 && (arg_is(c, 1, "sync") || arg_is(c, 1, "async"))))
        return 1;
    reply_error(c->reply, ERR_SYNTAX);
    return 0;
}

static void flushdb_command(struct cmd_ctx *c)
{
    if (!flush_mode_ok(c))
        return;
    c->dirty += db_flush(c->dbid);
    reply_ok(c->reply);
}

static void flushall_command(struct cmd_ctx *c)
{
    if (!flush_mode_ok(c))
        return;
    c->dirty += db_flush(-1) + 1;   /* Redis counts FLUSHALL itself as a change */
    reply_ok(c->reply);
}

/* SWAPDB index1 index2 */
static void swapdb_command(struct cmd_ctx *c)
{
    int a, b;
    if (!arg_int(c, 1, &a, "ERR invalid first DB index") || !arg_int(c, 2, &b, "ERR invalid second DB index"))
        return;
    if (!db_get(a) || !db_get(b)) {
        reply_error(c->reply, ERR_DB_INDEX);
        return;
    }
    db_swap(a, b);
    c->dirty++;
    reply_ok(c->reply);
}

/* ------------------------------------------------------------------ table ---- */

#define KEYCMD(name, proc, arity, flags, first, last, step, since, summary, complexity, acl) \
    { name, proc, arity, flags, first, last, step, "generic", since, summary, complexity, acl, NULL, NULL }
#define SERVERCMD(name, proc, arity, flags, since, summary, complexity, acl) \
    { name, proc, arity, flags, 0, 0, 0, "server", since, summary, complexity, acl, NULL, NULL }
#define OBJECTSUB(name, proc, since, summary) \
    KEYCMD(name, proc, 3, CMD_READONLY, 2, 2, 1, since, summary, "O(1)", "@keyspace @read @slow")

#define ACL_WRITE_FAST "@keyspace @write @fast"
#define ACL_READ_FAST "@keyspace @read @fast"

static struct command object_subcommands[] = {      /* parents set by command_register */
    KEYCMD("help", object_help_command, 2, CMD_LOADING | CMD_STALE, 0, 0, 0, "6.2.0",
           "Show helpful text about the different subcommands", "O(1)", "@keyspace @slow"),
    OBJECTSUB("freq", object_freq_command, "4.0.0", "Get the logarithmic access frequency counter of a Redis object"),
    OBJECTSUB("encoding", object_encoding_command, "2.2.3", "Inspect the internal encoding of a Redis object"),
    OBJECTSUB("idletime", object_idletime_command, "2.2.3", "Get the time since a Redis object was last accessed"),
    OBJECTSUB("refcount", object_refcount_command, "2.2.3", "Get the number of references to the value of the key"),
    { 0 }
};

const struct command key_commands[] = {
    KEYCMD("del", del_command, -2, CMD_WRITE, 1, -1, 1, "1.0.0", "Delete a key",
           "O(N) where N is the number of keys that will be removed. When a key to remove holds a value "
           "other than a string, the individual complexity for this key is O(M) where M is the number of "
           "elements in the list, set, sorted set or hash. Removing a single key that holds a string value "
           "is O(1).", "@keyspace @write @slow"),
    KEYCMD("unlink", del_command, -2, CMD_WRITE | CMD_FAST, 1, -1, 1, "4.0.0",
           "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
           "O(1) for each key removed regardless of its size. Then the command does O(N) work in a "
           "different thread in order to reclaim memory, where N is the number of allocations the deleted "
           "objects where composed of.", ACL_WRITE_FAST),
    KEYCMD("exists", exists_command, -2, CMD_READONLY | CMD_FAST, 1, -1, 1, "1.0.0", "Determine if a key exists",
           "O(N) where N is the number of keys to check.", ACL_READ_FAST),
    KEYCMD("type", type_command, 2, CMD_READONLY | CMD_FAST, 1, 1, 1, "1.0.0", "Determine the type stored at key",
           "O(1)", ACL_READ_FAST),
    KEYCMD("rename", rename_command, 3, CMD_WRITE, 1, 2, 1, "1.0.0", "Rename a key", "O(1)",
           "@keyspace @write @slow"),
    KEYCMD("renamenx", renamenx_command, 3, CMD_WRITE | CMD_FAST, 1, 2, 1, "1.0.0",
           "Rename a key, only if the new key does not exist", "O(1)", ACL_WRITE_FAST),
    KEYCMD("move", move_command, 3, CMD_WRITE | CMD_FAST, 1, 1, 1, "1.0.0", "Move a key to another database",
           "O(1)", ACL_WRITE_FAST),
    KEYCMD("copy", copy_command, -3, CMD_WRITE | CMD_DENYOOM, 1, 2, 1, "6.2.0", "Copy a key",
           "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
           "@keyspace @write @slow"),
    KEYCMD("touch", touch_command, -2, CMD_READONLY | CMD_FAST, 1, -1, 1, "3.2.1",
           "Alters the last access time of a key(s). Returns the number of existing keys specified.",
           "O(N) where N is the number of keys that will be touched.", ACL_READ_FAST),
    KEYCMD("randomkey", randomkey_command, 1, CMD_READONLY, 0, 0, 0, "1.0.0",
           "Return a random key from the keyspace", "O(1)", "@keyspace @read @slow"),
    KEYCMD("keys", keys_command, 2, CMD_READONLY, 0, 0, 0, "1.0.0", "Find all keys matching the given pattern",
           "O(N) with N being the number of keys in the database, under the assumption that the key names "
           "in the database and the given pattern have limited length.", "@keyspace @read @slow @dangerous"),
    KEYCMD("scan", scan_command, -2, CMD_READONLY, 0, 0, 0, "2.8.0", "Incrementally iterate the keys space",
           "O(1) for every call. O(N) for a complete iteration, including enough command calls for the "
           "cursor to return back to 0. N is the number of elements inside the collection.",
           "@keyspace @read @slow"),
    KEYCMD("expire", expire_command, -3, CMD_WRITE | CMD_FAST, 1, 1, 1, "1.0.0",
           "Set a key's time to live in seconds", "O(1)", ACL_WRITE_FAST),
    KEYCMD("pexpire", pexpire_command, -3, CMD_WRITE | CMD_FAST, 1, 1, 1, "2.6.0",
           "Set a key's time to live in milliseconds", "O(1)", ACL_WRITE_FAST),
    KEYCMD("expireat", expireat_command, -3, CMD_WRITE | CMD_FAST, 1, 1, 1, "1.2.0",
           "Set the expiration for a key as a UNIX timestamp", "O(1)", ACL_WRITE_FAST),
    KEYCMD("pexpireat", pexpireat_command, -3, CMD_WRITE | CMD_FAST, 1, 1, 1, "2.6.0",
           "Set the expiration for a key as a UNIX timestamp specified in milliseconds", "O(1)", ACL_WRITE_FAST),
    KEYCMD("expiretime", expiretime_command, 2, CMD_READONLY | CMD_FAST, 1, 1, 1, "7.0.0",
           "Get the expiration Unix timestamp for a key", "O(1)", ACL_READ_FAST),
    KEYCMD("pexpiretime", pexpiretime_command, 2, CMD_READONLY | CMD_FAST, 1, 1, 1, "7.0.0",
           "Get the expiration Unix timestamp for a key in milliseconds", "O(1)", ACL_READ_FAST),
    KEYCMD("persist", persist_command, 2, CMD_WRITE | CMD_FAST, 1, 1, 1, "2.2.0",
           "Remove the expiration from a key", "O(1)", ACL_WRITE_FAST),
    KEYCMD("ttl", ttl_command, 2, CMD_READONLY | CMD_FAST, 1, 1, 1, "1.0.0",
           "Get the time to live for a key in seconds", "O(1)", ACL_READ_FAST),
    KEYCMD("pttl", pttl_command, 2, CMD_READONLY | CMD_FAST, 1, 1, 1, "2.6.0",
           "Get the time to live for a key in milliseconds", "O(1)", ACL_READ_FAST),
    { "object", NULL, -2, 0, 0, 0, 0, "generic", "2.2.3", "A container for object introspection commands",
      "Depends on subcommand.", "@slow", object_subcommands, NULL },
    SERVERCMD("dbsize", dbsize_command, 1, CMD_READONLY | CMD_FAST, "1.0.0",
              "Return the number of keys in the selected database", "O(1)", ACL_READ_FAST),
    SERVERCMD("flushdb", flushdb_command, -1, CMD_WRITE, "1.0.0", "Remove all keys from the current database",
              "O(N) where N is the number of keys in the selected database", "@keyspace @write @slow @dangerous"),
    SERVERCMD("flushall", flushall_command, -1, CMD_WRITE, "1.0.0", "Remove all keys from all databases",
              "O(N) where N is the total number of keys in all databases", "@keyspace @write @slow @dangerous"),
    SERVERCMD("swapdb", swapdb_command, 3, CMD_WRITE | CMD_FAST, "4.0.0", "Swaps two Redis databases",
              "O(N) where N is the count of clients watching or blocking on keys from both databases.",
              "@keyspace @write @fast @dangerous"),
    { 0 }
};
