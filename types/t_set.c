/* types/t_set.c - the single-key set commands: SADD SREM SISMEMBER SMISMEMBER SCARD
 * SPOP SRANDMEMBER SMOVE SSCAN, and the set command table (the multi-key ones are in
 * types/set_algebra.c), with Redis 7.0.15's replies, errors and encodings.
 *
 * Values are struct setv handles (types/set_value.h): a command reads the kv's
 * handle, changes it, and writes it back with set_put, which also deletes the key
 * once the set is empty (Redis keeps no empty sets) or adds a new key.  Random picks
 * come from util/rand.h.  c->dirty counts the members changed.
 */
#include <stdlib.h>

#include "keyspace/notify.h"
#include "types/object.h"
#include "types/set_cmds.h"
#include "types/t_set.h"

#define ERR_NOT_POSITIVE "ERR value is out of range, must be positive"

static struct coll_elem arg_elem(const struct cmd_ctx *c, int i) { return coll_str(c->argv[i], c->argvlen[i]); }

void set_put(struct cmd_ctx *c, int argi, struct kv *kv, struct setv s)
{
    if (!kv) {
        if (setv_size(&s) > 0)
            db_add(c->db, kv_new_object(c->argv[argi], c->argvlen[argi], KV_SET, s.enc, s.obj));
        else
            setv_discard(s);
        return;
    }
    setv_store(kv, s);
    obj_delete_if_empty(c, argi, setv_size(&s));
}

/* Reads argv[argi]'s set; returns 0 after replying WRONGTYPE, else 1 with *kv the
 * key (NULL when missing). */
static int lookup_set(struct cmd_ctx *c, int argi, int for_write, struct kv **kv)
{
    int wrong;
    *kv = for_write ? obj_lookup_write(c, argi, KV_SET, &wrong) : obj_lookup_read(c, argi, KV_SET, &wrong);
    return !wrong;
}

/* SADD key member [member ...] */
static void sadd_command(struct cmd_ctx *c)
{
    struct kv *kv;
    if (!lookup_set(c, 1, 1, &kv))
        return;
    struct coll_elem first = arg_elem(c, 2);
    struct setv s = kv ? setv_of(kv) : setv_new_for(&first);
    long long added = 0;
    for (int i = 2; i < c->argc; i++) {
        struct coll_elem m = arg_elem(c, i);
        added += setv_add(&s, &m);
    }
    set_put(c, 1, kv, s);
    if (added)
        notify_keyspace_event(NOTIFY_SET, "sadd", c->dbid, c->argv[1], c->argvlen[1]);
    c->dirty += (uint64_t)added;
    reply_int(c->reply, added);
}

/* SREM key member [member ...] */
static void srem_command(struct cmd_ctx *c)
{
    struct kv *kv;
    if (!lookup_set(c, 1, 1, &kv))
        return;
    long long removed = 0;
    if (kv) {
        struct setv s = setv_of(kv);
        for (int i = 2; i < c->argc && setv_size(&s) > 0; i++) {
            struct coll_elem m = arg_elem(c, i);
            removed += setv_remove(&s, &m);
        }
        if (removed)
            notify_keyspace_event(NOTIFY_SET, "srem", c->dbid, c->argv[1], c->argvlen[1]);
        set_put(c, 1, kv, s);
    }
    c->dirty += (uint64_t)removed;
    reply_int(c->reply, removed);
}

static int kv_has(struct kv *kv, const struct coll_elem *m)
{
    if (!kv)
        return 0;
    struct setv s = setv_of(kv);
    return setv_contains(&s, m);
}

/* SISMEMBER key member */
static void sismember_command(struct cmd_ctx *c)
{
    struct kv *kv;
    struct coll_elem m = arg_elem(c, 2);
    if (lookup_set(c, 1, 0, &kv))
        reply_int(c->reply, kv_has(kv, &m));
}

/* SMISMEMBER key member [member ...]: 1 or 0 per member. */
static void smismember_command(struct cmd_ctx *c)
{
    struct kv *kv;
    if (!lookup_set(c, 1, 0, &kv))
        return;
    reply_array(c->reply, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        struct coll_elem m = arg_elem(c, i);
        reply_int(c->reply, kv_has(kv, &m));
    }
}

/* SCARD key */
static void scard_command(struct cmd_ctx *c)
{
    struct kv *kv;
    if (!lookup_set(c, 1, 0, &kv))
        return;
    if (!kv) {
        reply_int(c->reply, 0);
        return;
    }
    struct setv s = setv_of(kv);
    reply_int(c->reply, (long long)setv_size(&s));
}

/* ---- random members ----------------------------------------------------------------- */

static int reply_member(const struct coll_elem *m, void *arg)
{
    coll_reply(arg, m);
    return 0;
}

/* Replies every member, as an aggregate of the given kind ('*' or '~'). */
static void reply_all(struct cmd_ctx *c, const struct setv *s, char kind)
{
    long n = (long)setv_size(s);
    if (kind == '~')
        reply_set(c->reply, n);
    else
        reply_array(c->reply, n);
    setv_foreach(s, reply_member, c->reply);
}

/* count distinct random members (count < size), private array to free. */
static struct coll_elem *sample(const struct setv *s, uint64_t count)
{
    struct coll_elem *picks = malloc((count ? count : 1) * sizeof(*picks));
    if (!picks)
        abort();
    setv_sample(s, count, picks);
    return picks;
}

/* SPOP key count: the whole set when count covers it (the key goes), else count
 * distinct random members, removed together. */
static void spop_count(struct cmd_ctx *c)
{
    long long count;
    struct kv *kv;
    if (!arg_ll(c, 2, &count, ERR_NOT_POSITIVE))
        return;
    if (count < 0) {
        reply_error(c->reply, ERR_NOT_POSITIVE);
        return;
    }
    if (!lookup_set(c, 1, 1, &kv))
        return;
    if (!kv || count == 0) {
        reply_set(c->reply, 0);
        return;
    }
    struct setv s = setv_of(kv);
    uint64_t size = setv_size(&s);
    notify_keyspace_event(NOTIFY_SET, "spop", c->dbid, c->argv[1], c->argvlen[1]);
    if ((uint64_t)count >= size) {
        reply_all(c, &s, '~');
        db_delete(c->db, c->argv[1], c->argvlen[1]);
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->dbid, c->argv[1], c->argvlen[1]);
        c->dirty += size;
        return;
    }
    struct coll_elem *picks = sample(&s, (uint64_t)count);
    reply_set(c->reply, (long)count);
    for (long long i = 0; i < count; i++)
        coll_reply(c->reply, &picks[i]);
    setv_remove_members(&s, picks, (uint64_t)count);
    free(picks);
    set_put(c, 1, kv, s);
    c->dirty += (uint64_t)count;
}

/* SPOP/SRANDMEMBER key [count]: the count form goes to count_fn; without a count,
 * replies one random member (or null) and returns 1 with it and its set, so SPOP can
 * remove it. */
static int one_random_member(struct cmd_ctx *c, int write, void (*count_fn)(struct cmd_ctx *c),
                             struct kv **kv, struct setv *s, struct coll_elem *m)
{
    if (c->argc > 3) {
        reply_error(c->reply, ERR_SYNTAX);
        return 0;
    }
    if (c->argc == 3) {
        count_fn(c);
        return 0;
    }
    if (!lookup_set(c, 1, write, kv))
        return 0;
    if (!*kv) {
        reply_null(c->reply);
        return 0;
    }
    *s = setv_of(*kv);
    *m = setv_random(s);
    coll_reply(c->reply, m);
    return 1;
}

/* SPOP key [count] */
static void spop_command(struct cmd_ctx *c)
{
    struct kv *kv;
    struct setv s;
    struct coll_elem m;
    if (!one_random_member(c, 1, spop_count, &kv, &s, &m))
        return;
    setv_remove(&s, &m);
    notify_keyspace_event(NOTIFY_SET, "spop", c->dbid, c->argv[1], c->argvlen[1]);
    set_put(c, 1, kv, s);
    c->dirty++;
}

/* SRANDMEMBER key count: a negative count allows repetitions and always gives |count|
 * members; a positive one gives distinct members, at most the whole set. */
static void srandmember_count(struct cmd_ctx *c)
{
    long long count;
    struct kv *kv;
    if (!coll_count_arg(c, 2, &count) || !lookup_set(c, 1, 0, &kv))
        return;
    if (!kv || count == 0) {
        reply_array(c->reply, 0);
        return;
    }
    struct setv s = setv_of(kv);
    if (count < 0) {
        reply_array(c->reply, (long)-count);
        for (long long i = 0; i < -count; i++) {
            struct coll_elem m = setv_random(&s);
            coll_reply(c->reply, &m);
        }
        return;
    }
    if ((uint64_t)count >= setv_size(&s)) {
        reply_all(c, &s, '*');
        return;
    }
    struct coll_elem *picks = sample(&s, (uint64_t)count);
    reply_array(c->reply, (long)count);
    for (long long i = 0; i < count; i++)
        coll_reply(c->reply, &picks[i]);
    free(picks);
}

/* SRANDMEMBER key [count] */
static void srandmember_command(struct cmd_ctx *c)
{
    struct kv *kv;
    struct setv s;
    struct coll_elem m;
    one_random_member(c, 0, srandmember_count, &kv, &s, &m);
}

/* ---- SMOVE and SSCAN ---------------------------------------------------------------- */

/* SMOVE source destination member: 0 when the source is missing (whatever the
 * destination holds) or lacks the member; moving within one key changes nothing. */
static void smove_command(struct cmd_ctx *c)
{
    struct kv *src = db_lookup_write(c->db, c->argv[1], c->argvlen[1]);
    struct kv *dst = db_lookup_write(c->db, c->argv[2], c->argvlen[2]);
    struct coll_elem m = arg_elem(c, 3);
    if (!src) {
        reply_int(c->reply, 0);
        return;
    }
    if (src->type != KV_SET || (dst && dst->type != KV_SET)) {
        reply_error(c->reply, ERR_WRONGTYPE);
        return;
    }
    struct setv s = setv_of(src);
    if (src == dst) {
        reply_int(c->reply, setv_contains(&s, &m));
        return;
    }
    if (!setv_remove(&s, &m)) {
        reply_int(c->reply, 0);
        return;
    }
    notify_keyspace_event(NOTIFY_SET, "srem", c->dbid, c->argv[1], c->argvlen[1]);
    set_put(c, 1, src, s);
    struct setv d = dst ? setv_of(dst) : setv_new_for(&m);
    int added = setv_add(&d, &m);
    c->dirty += 1 + (uint64_t)added;                /* as Redis: one more if added */
    set_put(c, 2, dst, d);
    if (added)
        notify_keyspace_event(NOTIFY_SET, "sadd", c->dbid, c->argv[2], c->argvlen[2]);
    reply_int(c->reply, 1);
}

/* SSCAN key cursor [MATCH pattern] [COUNT count] */
static void sscan_command(struct cmd_ctx *c)
{
    uint64_t cursor;
    struct kv *kv;
    struct coll_scan scan;
    if (!coll_scan_cursor(c, 2, &cursor) || !lookup_set(c, 1, 0, &kv))
        return;
    if (!kv) {
        coll_scan_reply_empty(c);
        return;
    }
    if (!coll_scan_options(c, 3, 1, &scan))
        return;
    struct setv s = setv_of(kv);
    coll_scan_reply(c, &scan, setv_scan(&s, cursor, &scan));
}

void set_type_init(void) { setv_register(); }

/* ---- the table ---------------------------------------------------------------------- */

#define SETCMD(name, proc, arity, flags, first, last, since, summary, complexity, acl) \
    { name, proc, arity, flags, first, last, (first) ? 1 : 0, "set", since, summary, complexity, acl, NULL, NULL }
#define RO_FAST (CMD_READONLY | CMD_FAST)
#define W_OOM (CMD_WRITE | CMD_DENYOOM)
#define ACL_R_FAST "@read @set @fast"
#define ACL_R_SLOW "@read @set @slow"
#define ACL_W_FAST "@write @set @fast"
#define ACL_W_SLOW "@write @set @slow"
#define INTER_COMPLEXITY "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."
#define TOTAL_COMPLEXITY "O(N) where N is the total number of elements in all given sets."
#define SCAN_COMPLEXITY "O(1) for every call. O(N) for a complete iteration, including enough command calls for " \
    "the cursor to return back to 0. N is the number of elements inside the collection.."

const struct command set_commands[] = {
    SETCMD("sadd", sadd_command, -3, W_OOM | CMD_FAST, 1, 1, "1.0.0", "Add one or more members to a set",
           "O(1) for each element added, so O(N) to add N elements when the command is called with multiple "
           "arguments.", ACL_W_FAST),
    SETCMD("srem", srem_command, -3, CMD_WRITE | CMD_FAST, 1, 1, "1.0.0", "Remove one or more members from a set",
           "O(N) where N is the number of members to be removed.", ACL_W_FAST),
    SETCMD("sismember", sismember_command, 3, RO_FAST, 1, 1, "1.0.0",
           "Determine if a given value is a member of a set", "O(1)", ACL_R_FAST),
    SETCMD("smismember", smismember_command, -3, RO_FAST, 1, 1, "6.2.0",
           "Returns the membership associated with the given elements for a set",
           "O(N) where N is the number of elements being checked for membership", ACL_R_FAST),
    SETCMD("scard", scard_command, 2, RO_FAST, 1, 1, "1.0.0", "Get the number of members in a set", "O(1)",
           ACL_R_FAST),
    SETCMD("smembers", set_sinter_command, 2, CMD_READONLY, 1, 1, "1.0.0", "Get all the members in a set",
           "O(N) where N is the set cardinality.", ACL_R_SLOW),
    SETCMD("spop", spop_command, -2, CMD_WRITE | CMD_FAST, 1, 1, "1.0.0",
           "Remove and return one or multiple random members from a set",
           "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.", ACL_W_FAST),
    SETCMD("srandmember", srandmember_command, -2, CMD_READONLY, 1, 1, "1.0.0",
           "Get one or multiple random members from a set",
           "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
           ACL_R_SLOW),
    SETCMD("smove", smove_command, 4, CMD_WRITE | CMD_FAST, 1, 2, "1.0.0", "Move a member from one set to another",
           "O(1)", ACL_W_FAST),
    SETCMD("sinter", set_sinter_command, -2, CMD_READONLY, 1, -1, "1.0.0", "Intersect multiple sets",
           INTER_COMPLEXITY, ACL_R_SLOW),
    SETCMD("sintercard", set_sintercard_command, -3, CMD_READONLY, 0, 0, "7.0.0",
           "Intersect multiple sets and return the cardinality of the result", INTER_COMPLEXITY, ACL_R_SLOW),
    SETCMD("sinterstore", set_sinterstore_command, -3, W_OOM, 1, -1, "1.0.0",
           "Intersect multiple sets and store the resulting set in a key", INTER_COMPLEXITY, ACL_W_SLOW),
    SETCMD("sunion", set_sunion_command, -2, CMD_READONLY, 1, -1, "1.0.0", "Add multiple sets", TOTAL_COMPLEXITY,
           ACL_R_SLOW),
    SETCMD("sunionstore", set_sunionstore_command, -3, W_OOM, 1, -1, "1.0.0",
           "Add multiple sets and store the resulting set in a key", TOTAL_COMPLEXITY, ACL_W_SLOW),
    SETCMD("sdiff", set_sdiff_command, -2, CMD_READONLY, 1, -1, "1.0.0", "Subtract multiple sets", TOTAL_COMPLEXITY,
           ACL_R_SLOW),
    SETCMD("sdiffstore", set_sdiffstore_command, -3, W_OOM, 1, -1, "1.0.0",
           "Subtract multiple sets and store the resulting set in a key", TOTAL_COMPLEXITY, ACL_W_SLOW),
    SETCMD("sscan", sscan_command, -3, CMD_READONLY, 1, 1, "2.8.0", "Incrementally iterate Set elements",
           SCAN_COMPLEXITY, ACL_R_SLOW),
    { NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};
