/* types/t_hash.c - the hash commands: HSET HMSET HSETNX HGET HMGET HDEL HLEN HSTRLEN
 * HEXISTS HKEYS HVALS HGETALL HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN, with Redis
 * 7.0.15's replies, errors and encodings.
 *
 * Values are struct hashv handles (types/hash_value.h): a command reads the kv's
 * handle, changes it, and writes it back with hash_put, which also deletes the key
 * once the hash is empty (Redis keeps no empty hashes) or adds a new key.  A new
 * value object is made only once the command can no longer fail, so an error never
 * leaves an orphan allocation.  c->dirty counts the fields changed.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "keyspace/notify.h"
#include "types/hash_value.h"
#include "types/object.h"
#include "types/t_hash.h"
#include "util/numconv.h"

#define LD_STR_MAX 5120                     /* Redis's MAX_LONG_DOUBLE_CHARS */
#define RANDOM_BATCH 256                    /* pairs drawn per batch by HRANDFIELD -count */

/* Reads argv[argi]'s hash; returns 0 after replying WRONGTYPE, else 1 with *kv the
 * key (NULL when missing). */
static int lookup_hash(struct cmd_ctx *c, int argi, int for_write, struct kv **kv)
{
    int wrong;
    *kv = for_write ? obj_lookup_write(c, argi, KV_HASH, &wrong) : obj_lookup_read(c, argi, KV_HASH, &wrong);
    return !wrong;
}

/* Saves h under argv[argi] whose kv is kv (NULL: a new key), deleting the key when
 * h is empty. */
static void hash_put(struct cmd_ctx *c, int argi, struct kv *kv, struct hashv h)
{
    if (!kv) {
        db_add(c->db, kv_new_object(c->argv[argi], c->argvlen[argi], KV_HASH, h.enc, h.obj));
        return;
    }
    hashv_store(kv, h);
    obj_delete_if_empty(c, argi, hashv_len(&h));
}

/* The value of argv[fi] in the hash of kv (which may be NULL); 0 if none. */
static int field_value(struct cmd_ctx *c, struct kv *kv, int fi, struct coll_elem *val)
{
    if (!kv)
        return 0;
    struct hashv h = hashv_of(kv);
    return hashv_get(&h, c->argv[fi], c->argvlen[fi], val);
}

/* ---- setting fields ---------------------------------------------------------------- */

/* HSET key field value [field value ...] (replies the new fields) and HMSET (OK). */
static void hset_generic(struct cmd_ctx *c, int reply_created)
{
    struct kv *kv;
    if (c->argc % 2 == 1) {
        reply_wrong_arity(c->reply, c->cmd->name);
        return;
    }
    if (!lookup_hash(c, 1, 1, &kv))
        return;
    struct hashv h = kv ? hashv_of(kv) : hashv_new();
    long long created = 0;
    hashv_fit(&h, &c->argvlen[2], c->argc - 2);
    for (int i = 2; i < c->argc; i += 2)
        created += hashv_set(&h, c->argv[i], c->argvlen[i], c->argv[i + 1], c->argvlen[i + 1]);
    hash_put(c, 1, kv, h);
    notify_keyspace_event(NOTIFY_HASH, "hset", c->dbid, c->argv[1], c->argvlen[1]);
    c->dirty += (uint64_t)(c->argc - 2) / 2;
    if (reply_created)
        reply_int(c->reply, created);
    else
        reply_ok(c->reply);
}

static void hset_command(struct cmd_ctx *c) { hset_generic(c, 1); }
static void hmset_command(struct cmd_ctx *c) { hset_generic(c, 0); }

/* HSETNX key field value */
static void hsetnx_command(struct cmd_ctx *c)
{
    struct kv *kv;
    struct coll_elem old;
    if (!lookup_hash(c, 1, 1, &kv))
        return;
    if (field_value(c, kv, 2, &old)) {
        reply_int(c->reply, 0);
        return;
    }
    struct hashv h = kv ? hashv_of(kv) : hashv_new();
    hashv_fit(&h, &c->argvlen[2], 2);
    hashv_set(&h, c->argv[2], c->argvlen[2], c->argv[3], c->argvlen[3]);
    hash_put(c, 1, kv, h);
    notify_keyspace_event(NOTIFY_HASH, "hset", c->dbid, c->argv[1], c->argvlen[1]);
    c->dirty++;
    reply_int(c->reply, 1);
}

/* Stores the bytes of a computed value under argv[2] (HINCRBY, HINCRBYFLOAT). */
static void set_computed(struct cmd_ctx *c, struct kv *kv, const char *v, size_t vlen)
{
    struct hashv h = kv ? hashv_of(kv) : hashv_new();
    hashv_set(&h, c->argv[2], c->argvlen[2], v, vlen);
    hash_put(c, 1, kv, h);
    c->dirty++;
}

/* HINCRBY key field increment */
static void hincrby_command(struct cmd_ctx *c)
{
    long long incr, v = 0;
    struct kv *kv;
    struct coll_elem old;
    if (!arg_ll(c, 3, &incr, NULL) || !lookup_hash(c, 1, 1, &kv))
        return;
    if (field_value(c, kv, 2, &old) && !coll_as_ll(&old, &v)) {
        reply_error(c->reply, "ERR hash value is not an integer");
        return;
    }
    if ((incr < 0 && v < 0 && incr < LLONG_MIN - v) || (incr > 0 && v > 0 && incr > LLONG_MAX - v)) {
        reply_error(c->reply, ERR_OVERFLOW);
        return;
    }
    v += incr;
    char buf[COLL_INTBUF];
    set_computed(c, kv, buf, (size_t)ll2string(buf, sizeof(buf), v));
    notify_keyspace_event(NOTIFY_HASH, "hincrby", c->dbid, c->argv[1], c->argvlen[1]);
    reply_int(c->reply, v);
}

/* HINCRBYFLOAT key field increment: long double arithmetic, the result stored and
 * replied in Redis's human friendly format. */
static void hincrbyfloat_command(struct cmd_ctx *c)
{
    long double incr, v = 0;
    struct kv *kv;
    struct coll_elem old;
    if (!string2ld(c->argv[3], c->argvlen[3], &incr)) {
        reply_error(c->reply, ERR_NOT_FLOAT);
        return;
    }
    if (isnan(incr) || isinf(incr)) {
        reply_error(c->reply, "ERR value is NaN or Infinity");
        return;
    }
    if (!lookup_hash(c, 1, 1, &kv))
        return;
    if (field_value(c, kv, 2, &old)) {
        char tmp[COLL_INTBUF];
        size_t len;
        const char *s = coll_text(&old, tmp, &len);
        if (!string2ld(s, len, &v)) {
            reply_error(c->reply, "ERR hash value is not a float");
            return;
        }
    }
    v += incr;
    if (isnan(v) || isinf(v)) {
        reply_error(c->reply, "ERR increment would produce NaN or Infinity");
        return;
    }
    char buf[LD_STR_MAX];
    size_t len = (size_t)ld2string(buf, sizeof(buf), v, 1);
    set_computed(c, kv, buf, len);
    notify_keyspace_event(NOTIFY_HASH, "hincrbyfloat", c->dbid, c->argv[1], c->argvlen[1]);
    reply_bulk(c->reply, buf, len);
}

/* ---- reading fields ------------------------------------------------------------------ */

/* HGET key field */
static void hget_command(struct cmd_ctx *c)
{
    struct kv *kv;
    struct coll_elem v;
    if (!lookup_hash(c, 1, 0, &kv))
        return;
    if (field_value(c, kv, 2, &v))
        coll_reply(c->reply, &v);
    else
        reply_null(c->reply);
}

/* HMGET key field [field ...]: null for missing fields. */
static void hmget_command(struct cmd_ctx *c)
{
    struct kv *kv;
    if (!lookup_hash(c, 1, 0, &kv))
        return;
    reply_array(c->reply, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        struct coll_elem v;
        if (field_value(c, kv, i, &v))
            coll_reply(c->reply, &v);
        else
            reply_null(c->reply);
    }
}

/* HSTRLEN key field */
static void hstrlen_command(struct cmd_ctx *c)
{
    struct kv *kv;
    struct coll_elem v;
    if (lookup_hash(c, 1, 0, &kv))
        reply_int(c->reply, field_value(c, kv, 2, &v) ? (long long)coll_len(&v) : 0);
}

/* HEXISTS key field */
static void hexists_command(struct cmd_ctx *c)
{
    struct kv *kv;
    struct coll_elem v;
    if (lookup_hash(c, 1, 0, &kv))
        reply_int(c->reply, field_value(c, kv, 2, &v));
}

/* HLEN key */
static void hlen_command(struct cmd_ctx *c)
{
    struct kv *kv;
    if (!lookup_hash(c, 1, 0, &kv))
        return;
    if (!kv) {
        reply_int(c->reply, 0);
        return;
    }
    struct hashv h = hashv_of(kv);
    reply_int(c->reply, (long long)hashv_len(&h));
}

/* HDEL key field [field ...] */
static void hdel_command(struct cmd_ctx *c)
{
    struct kv *kv;
    if (!lookup_hash(c, 1, 1, &kv))
        return;
    long long deleted = 0;
    if (kv) {
        struct hashv h = hashv_of(kv);
        for (int i = 2; i < c->argc && hashv_len(&h) > 0; i++)
            deleted += hashv_delete(&h, c->argv[i], c->argvlen[i]);
        if (deleted)
            notify_keyspace_event(NOTIFY_HASH, "hdel", c->dbid, c->argv[1], c->argvlen[1]);
        hash_put(c, 1, kv, h);
    }
    c->dirty += (uint64_t)deleted;
    reply_int(c->reply, deleted);
}

/* ---- whole hashes -------------------------------------------------------------------- */

enum { WANT_FIELDS = 1, WANT_VALUES = 2 };

struct pairs_out {
    struct reply *reply;
    int want;
    int nested;                         /* RESP3 HRANDFIELD WITHVALUES: [field, value] arrays */
};

static void reply_pair(const struct pairs_out *o, const struct coll_elem *f, const struct coll_elem *v)
{
    if (o->nested)
        reply_array(o->reply, 2);
    if (o->want & WANT_FIELDS)
        coll_reply(o->reply, f);
    if (o->want & WANT_VALUES)
        coll_reply(o->reply, v);
}

static int reply_pair_visit(const struct coll_elem *f, const struct coll_elem *v, void *arg)
{
    reply_pair(arg, f, v);
    return 0;
}

/* HKEYS HVALS HGETALL: a map for both halves, else an array. */
static void getall_generic(struct cmd_ctx *c, int want)
{
    struct kv *kv;
    if (!lookup_hash(c, 1, 0, &kv))
        return;
    long n = 0;
    struct hashv h;
    if (kv) {
        h = hashv_of(kv);
        n = (long)hashv_len(&h);
    }
    if (want == (WANT_FIELDS | WANT_VALUES))
        reply_map(c->reply, n);
    else
        reply_array(c->reply, n);
    struct pairs_out o = { c->reply, want, 0 };
    if (kv)
        hashv_foreach(&h, reply_pair_visit, &o);
}

/* HKEYS key */
static void hkeys_command(struct cmd_ctx *c) { getall_generic(c, WANT_FIELDS); }
/* HVALS key */
static void hvals_command(struct cmd_ctx *c) { getall_generic(c, WANT_VALUES); }
/* HGETALL key */
static void hgetall_command(struct cmd_ctx *c) { getall_generic(c, WANT_FIELDS | WANT_VALUES); }

/* ---- HRANDFIELD and HSCAN ------------------------------------------------------------- */

/* Replies count pairs: with repetitions (negative count: Redis's case 1), the whole
 * hash in order (count covers it), or count distinct random pairs. */
static void hrandfield_count(struct cmd_ctx *c, struct hashv *h, long long count, int withvalues)
{
    struct pairs_out o = { c->reply, WANT_FIELDS | (withvalues ? WANT_VALUES : 0), withvalues && c->resp > 2 };
    uint64_t n = count < 0 ? (uint64_t)-count : (uint64_t)count, size = hashv_len(h);
    if (count >= 0 && n > size)
        n = size;
    reply_array(c->reply, (long)(withvalues && c->resp == 2 ? 2 * n : n));
    if (count >= 0 && n == size) {
        hashv_foreach(h, reply_pair_visit, &o);
        return;
    }
    uint64_t batch = count < 0 ? (n < RANDOM_BATCH ? n : RANDOM_BATCH) : n;
    struct coll_elem *pairs = malloc(2 * (batch ? batch : 1) * sizeof(*pairs));
    if (!pairs)
        abort();
    for (uint64_t done = 0; done < n; done += batch) {
        uint64_t k = n - done < batch ? n - done : batch;
        if (count < 0)
            hashv_random_pairs(h, k, pairs);
        else
            hashv_sample(h, k, pairs);
        for (uint64_t i = 0; i < k; i++)
            reply_pair(&o, &pairs[2 * i], &pairs[2 * i + 1]);
    }
    free(pairs);
}

/* HRANDFIELD key [count [WITHVALUES]] */
static void hrandfield_command(struct cmd_ctx *c)
{
    long long count = 0;
    int withvalues = c->argc == 4;
    struct kv *kv;
    if (c->argc >= 3 && !coll_count_arg(c, 2, &count))
        return;
    if (c->argc > 4 || (withvalues && !arg_is(c, 3, "withvalues"))) {
        reply_error(c->reply, ERR_SYNTAX);
        return;
    }
    if (withvalues && (count < -LLONG_MAX / 2 || count > LLONG_MAX / 2)) {
        reply_error(c->reply, "ERR value is out of range");
        return;
    }
    if (!lookup_hash(c, 1, 0, &kv))
        return;
    struct hashv h;
    if (kv)
        h = hashv_of(kv);
    if (c->argc == 2) {
        struct coll_elem pair[2];
        if (!kv) {
            reply_null(c->reply);
            return;
        }
        hashv_random_pairs(&h, 1, pair);
        coll_reply(c->reply, &pair[0]);
    } else if (!kv || count == 0) {
        reply_array(c->reply, 0);
    } else {
        hrandfield_count(c, &h, count, withvalues);
    }
}

/* HSCAN key cursor [MATCH pattern] [COUNT count] */
static void hscan_command(struct cmd_ctx *c)
{
    uint64_t cursor;
    struct kv *kv;
    struct coll_scan scan;
    if (!coll_scan_cursor(c, 2, &cursor) || !lookup_hash(c, 1, 0, &kv))
        return;
    if (!kv) {
        coll_scan_reply_empty(c);
        return;
    }
    if (!coll_scan_options(c, 3, 2, &scan))
        return;
    struct hashv h = hashv_of(kv);
    coll_scan_reply(c, &scan, hashv_scan(&h, cursor, &scan));
}

void hash_type_init(void) { hashv_register(); }

/* ---- the table ------------------------------------------------------------------------ */

#define HASHCMD(name, proc, arity, flags, since, summary, complexity, acl) \
    { name, proc, arity, flags, 1, 1, 1, "hash", since, summary, complexity, acl, NULL, NULL }
#define RO_FAST (CMD_READONLY | CMD_FAST)
#define W_OOM_FAST (CMD_WRITE | CMD_DENYOOM | CMD_FAST)
#define ACL_R_FAST "@read @hash @fast"
#define ACL_R_SLOW "@read @hash @slow"
#define ACL_W_FAST "@write @hash @fast"
#define SIZE_COMPLEXITY "O(N) where N is the size of the hash."

const struct command hash_commands[] = {
    HASHCMD("hset", hset_command, -4, W_OOM_FAST, "2.0.0", "Set the string value of a hash field",
            "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is "
            "called with multiple field/value pairs.", ACL_W_FAST),
    HASHCMD("hsetnx", hsetnx_command, 4, W_OOM_FAST, "2.0.0",
            "Set the value of a hash field, only if the field does not exist", "O(1)", ACL_W_FAST),
    HASHCMD("hget", hget_command, 3, RO_FAST, "2.0.0", "Get the value of a hash field", "O(1)", ACL_R_FAST),
    HASHCMD("hmget", hmget_command, -3, RO_FAST, "2.0.0", "Get the values of all the given hash fields",
            "O(N) where N is the number of fields being requested.", ACL_R_FAST),
    HASHCMD("hmset", hmset_command, -4, W_OOM_FAST, "2.0.0", "Set multiple hash fields to multiple values",
            "O(N) where N is the number of fields being set.", ACL_W_FAST),
    HASHCMD("hdel", hdel_command, -3, CMD_WRITE | CMD_FAST, "2.0.0", "Delete one or more hash fields",
            "O(N) where N is the number of fields to be removed.", ACL_W_FAST),
    HASHCMD("hlen", hlen_command, 2, RO_FAST, "2.0.0", "Get the number of fields in a hash", "O(1)", ACL_R_FAST),
    HASHCMD("hstrlen", hstrlen_command, 3, RO_FAST, "3.2.0", "Get the length of the value of a hash field", "O(1)",
            ACL_R_FAST),
    HASHCMD("hexists", hexists_command, 3, RO_FAST, "2.0.0", "Determine if a hash field exists", "O(1)",
            ACL_R_FAST),
    HASHCMD("hkeys", hkeys_command, 2, CMD_READONLY, "2.0.0", "Get all the fields in a hash", SIZE_COMPLEXITY,
            ACL_R_SLOW),
    HASHCMD("hvals", hvals_command, 2, CMD_READONLY, "2.0.0", "Get all the values in a hash", SIZE_COMPLEXITY,
            ACL_R_SLOW),
    HASHCMD("hgetall", hgetall_command, 2, CMD_READONLY, "2.0.0", "Get all the fields and values in a hash",
            SIZE_COMPLEXITY, ACL_R_SLOW),
    HASHCMD("hincrby", hincrby_command, 4, W_OOM_FAST, "2.0.0",
            "Increment the integer value of a hash field by the given number", "O(1)", ACL_W_FAST),
    HASHCMD("hincrbyfloat", hincrbyfloat_command, 4, W_OOM_FAST, "2.6.0",
            "Increment the float value of a hash field by the given amount", "O(1)", ACL_W_FAST),
    HASHCMD("hrandfield", hrandfield_command, -2, CMD_READONLY, "6.2.0",
            "Get one or multiple random fields from a hash", "O(N) where N is the number of fields returned",
            ACL_R_SLOW),
    HASHCMD("hscan", hscan_command, -3, CMD_READONLY, "2.8.0",
            "Incrementally iterate hash fields and associated values",
            "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor "
            "to return back to 0. N is the number of elements inside the collection..", ACL_R_SLOW),
    { NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};
