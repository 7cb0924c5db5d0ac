/* types/t_list.c - the list commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE
 * LINDEX LSET LINSERT LREM LTRIM LPOS RPOPLPUSH LMOVE LMPOP, with Redis 7.0.15's
 * replies, errors and argument checking order (checked against the real server).
 *
 * A list value is a quicklist (types/quicklist.h) behind a kv of type KV_LIST and
 * encoding KV_ENC_QUICKLIST, as every Redis 7.0 list.  The quicklist owns its
 * undo logging; this file only looks keys up, creates a key on the first push
 * (db_add, which also wakes clients blocked on it) and deletes a key whose list
 * became empty.  c->dirty grows as Redis's server.dirty does: by the elements
 * pushed, popped, removed or trimmed, or by one for LSET LINSERT and the moves.
 */
#include <stdlib.h>
#include <string.h>

#include "conf/shared.h"
#include "keyspace/notify.h"
#include "types/object.h"
#include "types/t_list.h"
#include "util/numconv.h"

#define ERR_NOT_POSITIVE "ERR value is out of range, must be positive"

/* ---- values --------------------------------------------------------------------- */

static shm_off_t list_of(struct kv *kv) { return kv_value_off(kv); }

static void list_free_value(shm_off_t obj, enum kv_enc enc) { ql_free(obj); }
static shm_off_t list_copy_value(shm_off_t obj, enum kv_enc enc) { return ql_dup(obj); }

void list_type_init(void)
{
    kv_register_value_free(KV_LIST, list_free_value);
    kv_register_value_copy(KV_LIST, list_copy_value);
}

/* Adds key to db with an empty list. */
static struct kv *list_create(struct db *db, const char *key, size_t klen)
{
    const struct conf_values *conf = conf_shared();
    shm_off_t ql = ql_new(conf->list_max_listpack_size, conf->list_compress_depth);
    shm_off_t off = kv_new_object(key, klen, KV_LIST, KV_ENC_QUICKLIST, ql);
    db_add(db, off);
    return kv_at(off);
}

/* Looks the list argv[argi] up (*kv NULL if missing); 0 after replying WRONGTYPE. */
static int lookup_list(struct cmd_ctx *c, int argi, int for_write, struct kv **kv)
{
    int wrong;
    *kv = for_write ? obj_lookup_write(c, argi, KV_LIST, &wrong) : obj_lookup_read(c, argi, KV_LIST, &wrong);
    return !wrong;
}

static void reply_entry(struct reply *r, const unsigned char *p)
{
    unsigned char buf[LP_INTBUF_SIZE];
    uint32_t len;
    const unsigned char *s = lp_get_str(p, &len, buf);
    reply_bulk(r, s, len);
}

static int arg_eq(const struct cmd_ctx *c, int i, const unsigned char *p)
{
    return lp_eq(p, (const unsigned char *)c->argv[i], (uint32_t)c->argvlen[i]);
}

/* Parses an integer >= min at argv[i] (Redis's getRangeLongFromObjectOrReply):
 * replies msg for anything else and returns 0. */
static int arg_at_least(struct cmd_ctx *c, int i, long long min, long long *out, const char *msg)
{
    if (string2ll(c->argv[i], c->argvlen[i], out) && *out >= min)
        return 1;
    reply_error(c->reply, msg);
    return 0;
}

int list_parse_end(struct cmd_ctx *c, int argi, enum ql_end *end)
{
    if (arg_is(c, argi, "left"))
        *end = QL_HEAD;
    else if (arg_is(c, argi, "right"))
        *end = QL_TAIL;
    else {
        reply_error(c->reply, ERR_SYNTAX);
        return 0;
    }
    return 1;
}

/* ---- pushes --------------------------------------------------------------------- */

/* LPUSH/RPUSH key element [element ...]; the X forms push only onto an existing list. */
static void push_generic(struct cmd_ctx *c, enum ql_end end, int only_existing)
{
    struct kv *kv;
    if (!lookup_list(c, 1, 1, &kv))
        return;
    if (!kv && only_existing) {
        reply_int(c->reply, 0);
        return;
    }
    if (!kv)
        kv = list_create(c->db, c->argv[1], c->argvlen[1]);
    size_t n = (size_t)c->argc - 2;
    ql_push(list_of(kv), end, c->argv + 2, c->argvlen + 2, n);
    notify_keyspace_event(NOTIFY_LIST, end == QL_HEAD ? "lpush" : "rpush", c->dbid, c->argv[1], c->argvlen[1]);
    c->dirty += n;
    reply_int(c->reply, (long long)ql_count(list_of(kv)));
}

static void lpush_command(struct cmd_ctx *c) { push_generic(c, QL_HEAD, 0); }
static void rpush_command(struct cmd_ctx *c) { push_generic(c, QL_TAIL, 0); }
static void lpushx_command(struct cmd_ctx *c) { push_generic(c, QL_HEAD, 1); }
static void rpushx_command(struct cmd_ctx *c) { push_generic(c, QL_TAIL, 1); }

/* ---- pops and moves ------------------------------------------------------------- */

long long list_pop_reply(struct db *db, struct kv *list, const char *key, size_t klen, enum ql_end end,
                         long long count, int as_array, struct reply *r)
{
    shm_off_t ql = list_of(list);
    uint64_t len = ql_count(ql);
    uint64_t n = (uint64_t)count < len ? (uint64_t)count : len;
    struct ql_iter it;
    if (as_array)
        reply_array(r, (long)n);
    ql_seek(ql, end == QL_HEAD ? 0 : -1, end == QL_HEAD, &it);
    for (uint64_t i = 0; i < n; i++, ql_advance(&it))
        reply_entry(r, it.p);
    ql_delete_range(ql, end == QL_HEAD ? 0 : len - n, n);
    notify_keyspace_event(NOTIFY_LIST, end == QL_HEAD ? "lpop" : "rpop", (int)(db - db_get(0)), key, klen);
    if (n == len && db_delete(db, key, klen))
        notify_keyspace_event(NOTIFY_GENERIC, "del", (int)(db - db_get(0)), key, klen);
    return (long long)n;
}

long long list_pop_keyed_reply(struct db *db, struct kv *list, const char *key, size_t klen, enum ql_end end,
                               long long count, int as_array, struct reply *r)
{
    reply_array(r, 2);
    reply_bulk(r, key, klen);
    return list_pop_reply(db, list, key, klen, end, count, as_array, r);
}

/* LPOP/RPOP key [count]: without count one element or null; with count an array
 * (empty for 0) or a null array when the key is missing. */
static void pop_generic(struct cmd_ctx *c, enum ql_end end)
{
    long long count = 1;
    int has_count = c->argc == 3;
    struct kv *kv;
    if (c->argc > 3) {
        reply_wrong_arity(c->reply, c->cmd->name);
        return;
    }
    if ((has_count && !arg_at_least(c, 2, 0, &count, ERR_NOT_POSITIVE)) || !lookup_list(c, 1, 1, &kv))
        return;
    if (!kv) {
        if (has_count)
            reply_null_array(c->reply);
        else
            reply_null(c->reply);
    } else if (count == 0) {
        reply_array(c->reply, 0);
    } else {
        c->dirty += (uint64_t)list_pop_reply(c->db, kv, c->argv[1], c->argvlen[1], end, count, has_count, c->reply);
    }
}

static void lpop_command(struct cmd_ctx *c) { pop_generic(c, QL_HEAD); }
static void rpop_command(struct cmd_ctx *c) { pop_generic(c, QL_TAIL); }

int list_move_reply(struct db *db, struct kv *src, const char *skey, size_t sklen, const char *dkey, size_t dklen,
                    enum ql_end from, enum ql_end to, struct reply *r)
{
    struct kv *dst = db_lookup_write(db, dkey, dklen);
    if (dst && dst->type != KV_LIST) {
        reply_error(r, ERR_WRONGTYPE);
        return 0;
    }
    shm_off_t sql = list_of(src);
    struct ql_iter it;
    unsigned char buf[LP_INTBUF_SIZE];
    uint32_t len;
    char small[256];
    ql_seek(sql, from == QL_HEAD ? 0 : -1, 1, &it);
    const unsigned char *e = lp_get_str(it.p, &len, buf);
    char *s = len <= sizeof(small) ? small : malloc(len);  /* a pop changes the listpack in place */
    if (!s)
        abort();
    memcpy(s, e, len);
    size_t slen = len;
    ql_delete_range(sql, from == QL_HEAD ? 0 : ql_count(sql) - 1, 1);
    if (!dst)
        dst = list_create(db, dkey, dklen);
    ql_push(list_of(dst), to, (const char *const *)&s, &slen, 1);
    notify_keyspace_event(NOTIFY_LIST, to == QL_HEAD ? "lpush" : "rpush", (int)(db - db_get(0)), dkey, dklen);
    notify_keyspace_event(NOTIFY_LIST, from == QL_HEAD ? "lpop" : "rpop", (int)(db - db_get(0)), skey, sklen);
    reply_bulk(r, s, slen);
    if (s != small)
        free(s);
    if (ql_count(sql) == 0 && db_delete(db, skey, sklen))
        notify_keyspace_event(NOTIFY_GENERIC, "del", (int)(db - db_get(0)), skey, sklen);
    return 1;
}

/* Moves from argv[1] to argv[2]; null when the source is missing. */
static void move_generic(struct cmd_ctx *c, enum ql_end from, enum ql_end to)
{
    struct kv *src;
    if (!lookup_list(c, 1, 1, &src))
        return;
    if (!src)
        reply_null(c->reply);
    else if (list_move_reply(c->db, src, c->argv[1], c->argvlen[1], c->argv[2], c->argvlen[2], from, to, c->reply))
        c->dirty++;
}

/* RPOPLPUSH source destination */
static void rpoplpush_command(struct cmd_ctx *c) { move_generic(c, QL_TAIL, QL_HEAD); }

/* LMOVE source destination LEFT|RIGHT LEFT|RIGHT */
static void lmove_command(struct cmd_ctx *c)
{
    enum ql_end from, to;
    if (list_parse_end(c, 3, &from) && list_parse_end(c, 4, &to))
        move_generic(c, from, to);
}

int list_parse_mpop(struct cmd_ctx *c, int argi, struct list_mpop_args *a)
{
    long long numkeys;
    if (!arg_at_least(c, argi, 1, &numkeys, "ERR numkeys should be greater than 0"))
        return 0;
    if (numkeys >= c->argc - argi - 1) {
        reply_error(c->reply, ERR_SYNTAX);
        return 0;
    }
    a->first_key = argi + 1;
    a->nkeys = (int)numkeys;
    a->count = -1;
    int j = a->first_key + a->nkeys;
    if (!list_parse_end(c, j, &a->end))
        return 0;
    for (j++; j < c->argc; j++) {
        if (a->count != -1 || !arg_is(c, j, "count") || j + 1 == c->argc) {
            reply_error(c->reply, ERR_SYNTAX);
            return 0;
        }
        if (!arg_at_least(c, ++j, 1, &a->count, "ERR count should be greater than 0"))
            return 0;
    }
    if (a->count == -1)
        a->count = 1;
    return 1;
}

/* LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]: pops from the first
 * non-empty list, replying [key, [elements]], or a null array. */
static void lmpop_command(struct cmd_ctx *c)
{
    struct list_mpop_args a;
    struct kv *kv;
    if (!list_parse_mpop(c, 1, &a))
        return;
    for (int i = a.first_key; i < a.first_key + a.nkeys; i++) {
        if (!lookup_list(c, i, 1, &kv))
            return;
        if (kv) {
            c->dirty += (uint64_t)list_pop_keyed_reply(c->db, kv, c->argv[i], c->argvlen[i], a.end, a.count, 1,
                                                       c->reply);
            return;
        }
    }
    reply_null_array(c->reply);
}

/* ---- reading --------------------------------------------------------------------- */

/* LLEN key */
static void llen_command(struct cmd_ctx *c)
{
    struct kv *kv;
    if (lookup_list(c, 1, 0, &kv))
        reply_int(c->reply, kv ? (long long)ql_count(list_of(kv)) : 0);
}

/* LRANGE key start stop: inclusive, negative indexes from the end, clamped. */
static void lrange_command(struct cmd_ctx *c)
{
    long long start, end;
    struct kv *kv;
    struct ql_iter it;
    if (!arg_ll(c, 2, &start, NULL) || !arg_ll(c, 3, &end, NULL) || !lookup_list(c, 1, 0, &kv))
        return;
    long long len = kv ? (long long)ql_count(list_of(kv)) : 0;
    if (start < 0)
        start = len + start < 0 ? 0 : len + start;
    if (end < 0)
        end += len;
    if (end >= len)
        end = len - 1;
    if (start > end) {
        reply_array(c->reply, 0);
        return;
    }
    reply_array(c->reply, end - start + 1);
    ql_seek(list_of(kv), start, 1, &it);
    for (long long i = start; i <= end; i++, ql_advance(&it))
        reply_entry(c->reply, it.p);
}

/* LINDEX key index */
static void lindex_command(struct cmd_ctx *c)
{
    long long index;
    struct kv *kv;
    struct ql_iter it;
    if (!lookup_list(c, 1, 0, &kv))
        return;
    if (!kv) {
        reply_null(c->reply);
        return;
    }
    if (!arg_ll(c, 2, &index, NULL))
        return;
    if (ql_seek(list_of(kv), index, 1, &it))
        reply_entry(c->reply, it.p);
    else
        reply_null(c->reply);
}

struct lpos_opts {
    long long rank, count, maxlen;          /* count -1: not given */
};

static int lpos_parse(struct cmd_ctx *c, struct lpos_opts *o)
{
    o->rank = 1;
    o->count = -1;
    o->maxlen = 0;
    for (int j = 3; j < c->argc; j++) {
        int more = j + 1 < c->argc;
        if (more && arg_is(c, j, "rank")) {
            if (!arg_ll(c, ++j, &o->rank, NULL))
                return 0;
            if (o->rank == 0) {
                reply_error(c->reply, "ERR RANK can't be zero: use 1 to start from the first match, 2 from "
                                      "the second ... or use negative to start from the end of the list");
                return 0;
            }
        } else if (more && arg_is(c, j, "count")) {
            if (!arg_at_least(c, ++j, 0, &o->count, "ERR COUNT can't be negative"))
                return 0;
        } else if (more && arg_is(c, j, "maxlen")) {
            if (!arg_at_least(c, ++j, 0, &o->maxlen, "ERR MAXLEN can't be negative"))
                return 0;
        } else {
            reply_error(c->reply, ERR_SYNTAX);
            return 0;
        }
    }
    return 1;
}

/* Replies the positions of the matches of argv[2] from the rank-th on (counted from
 * the tail when rank < 0).  Redis 7.0's arithmetic is kept, wrapping included: RANK
 * -9223372036854775808 matches from the first match from the tail, and its COUNT
 * limit never stops the scan. */
static void lpos_scan(struct cmd_ctx *c, shm_off_t ql, const struct lpos_opts *o)
{
    int forward = o->rank > 0;
    long long rank = forward ? o->rank : (long long)(0 - (unsigned long long)o->rank);
    long long llen = (long long)ql_count(ql), index = 0, matches = 0, replied = 0;
    size_t handle = o->count != -1 ? reply_defer_begin(c->reply) : 0;
    struct ql_iter it;
    ql_seek(ql, forward ? 0 : -1, forward, &it);
    for (; it.p && (o->maxlen == 0 || index < o->maxlen); ql_advance(&it), index++) {
        if (!arg_eq(c, 2, it.p) || ++matches < rank)
            continue;
        reply_int(c->reply, forward ? index : llen - index - 1);
        if (o->count == -1)
            return;
        replied++;
        if (o->count && (long long)((unsigned long long)matches - (unsigned long long)rank + 1) >= o->count)
            break;
    }
    if (o->count == -1)
        reply_null(c->reply);
    else
        reply_defer_end(c->reply, handle, '*', replied);
}

/* LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
static void lpos_command(struct cmd_ctx *c)
{
    struct lpos_opts o;
    struct kv *kv;
    if (!lpos_parse(c, &o) || !lookup_list(c, 1, 0, &kv))
        return;
    if (kv)
        lpos_scan(c, list_of(kv), &o);
    else if (o.count != -1)
        reply_array(c->reply, 0);
    else
        reply_null(c->reply);
}

/* ---- changes in the middle ------------------------------------------------------ */

/* LSET key index element */
static void lset_command(struct cmd_ctx *c)
{
    long long index;
    struct kv *kv;
    struct ql_iter it;
    if (!lookup_list(c, 1, 1, &kv))
        return;
    if (!kv) {
        reply_error(c->reply, ERR_NO_KEY);
        return;
    }
    if (!arg_ll(c, 2, &index, NULL))
        return;
    if (!ql_seek(list_of(kv), index, 1, &it)) {
        reply_error(c->reply, "ERR index out of range");
        return;
    }
    ql_insert(list_of(kv), &it, c->argv[3], c->argvlen[3], LP_REPLACE);
    notify_keyspace_event(NOTIFY_LIST, "lset", c->dbid, c->argv[1], c->argvlen[1]);
    c->dirty++;
    reply_ok(c->reply);
}

/* LINSERT key BEFORE|AFTER pivot element: the new length, -1 without the pivot,
 * 0 without the key. */
static void linsert_command(struct cmd_ctx *c)
{
    enum lp_where where;
    struct kv *kv;
    struct ql_iter it;
    if (arg_is(c, 2, "before"))
        where = LP_BEFORE;
    else if (arg_is(c, 2, "after"))
        where = LP_AFTER;
    else {
        reply_error(c->reply, ERR_SYNTAX);
        return;
    }
    if (!lookup_list(c, 1, 1, &kv))
        return;
    if (!kv) {
        reply_int(c->reply, 0);
        return;
    }
    shm_off_t ql = list_of(kv);
    for (ql_seek(ql, 0, 1, &it); it.p && !arg_eq(c, 3, it.p); ql_advance(&it))
        ;
    if (!it.p) {
        reply_int(c->reply, -1);
        return;
    }
    ql_insert(ql, &it, c->argv[4], c->argvlen[4], where);
    notify_keyspace_event(NOTIFY_LIST, "linsert", c->dbid, c->argv[1], c->argvlen[1]);
    c->dirty++;
    reply_int(c->reply, (long long)ql_count(ql));
}

/* LREM key count element: count > 0 from the head, < 0 from the tail, 0 all. */
static void lrem_command(struct cmd_ctx *c)
{
    long long count;
    struct kv *kv;
    if (!arg_ll(c, 2, &count, NULL) || !lookup_list(c, 1, 1, &kv))
        return;
    if (!kv) {
        reply_int(c->reply, 0);
        return;
    }
    shm_off_t ql = list_of(kv);
    uint64_t removed = ql_remove_equal(ql, c->argv[3], c->argvlen[3], count);
    c->dirty += removed;
    if (removed)
        notify_keyspace_event(NOTIFY_LIST, "lrem", c->dbid, c->argv[1], c->argvlen[1]);
    obj_delete_if_empty(c, 1, ql_count(ql));
    reply_int(c->reply, (long long)removed);
}

/* LTRIM key start stop: keeps the inclusive range; an empty range deletes the key. */
static void ltrim_command(struct cmd_ctx *c)
{
    long long start, end;
    struct kv *kv;
    if (!arg_ll(c, 2, &start, NULL) || !arg_ll(c, 3, &end, NULL) || !lookup_list(c, 1, 1, &kv))
        return;
    if (kv) {
        shm_off_t ql = list_of(kv);
        long long len = (long long)ql_count(ql), left, right;
        if (start < 0)
            start = len + start < 0 ? 0 : len + start;
        if (end < 0)
            end += len;
        if (start > end || start >= len) {
            left = len;
            right = 0;
        } else {
            left = start;
            right = end >= len ? 0 : len - end - 1;
        }
        ql_delete_range(ql, (uint64_t)(len - right), (uint64_t)right);
        ql_delete_range(ql, 0, (uint64_t)left);
        c->dirty += (uint64_t)(left + right);
        notify_keyspace_event(NOTIFY_LIST, "ltrim", c->dbid, c->argv[1], c->argvlen[1]);
        obj_delete_if_empty(c, 1, ql_count(ql));
    }
    reply_ok(c->reply);
}

/* ---- the table ------------------------------------------------------------------ */

#define W_OOM_FAST (CMD_WRITE | CMD_DENYOOM | CMD_FAST)
#define W_OOM (CMD_WRITE | CMD_DENYOOM)
#define ACL_W_FAST "@write @list @fast"
#define ACL_W_SLOW "@write @list @slow"
#define ACL_R_SLOW "@read @list @slow"
#define PUSH_COMPLEXITY "O(1) for each element added, so O(N) to add N elements when the command is called " \
    "with multiple arguments."
#define POP_COMPLEXITY "O(N) where N is the number of elements returned"
#define LISTCMD(name, proc, arity, flags, first, last, step, since, summary, complexity, acl) \
    { name, proc, arity, flags, first, last, step, "list", since, summary, complexity, acl, NULL, NULL }

const struct command list_commands[] = {
    LISTCMD("lpush", lpush_command, -3, W_OOM_FAST, 1, 1, 1, "1.0.0",
            "Prepend one or multiple elements to a list", PUSH_COMPLEXITY, ACL_W_FAST),
    LISTCMD("rpush", rpush_command, -3, W_OOM_FAST, 1, 1, 1, "1.0.0",
            "Append one or multiple elements to a list", PUSH_COMPLEXITY, ACL_W_FAST),
    LISTCMD("lpushx", lpushx_command, -3, W_OOM_FAST, 1, 1, 1, "2.2.0",
            "Prepend an element to a list, only if the list exists", PUSH_COMPLEXITY, ACL_W_FAST),
    LISTCMD("rpushx", rpushx_command, -3, W_OOM_FAST, 1, 1, 1, "2.2.0",
            "Append an element to a list, only if the list exists", PUSH_COMPLEXITY, ACL_W_FAST),
    LISTCMD("lpop", lpop_command, -2, CMD_WRITE | CMD_FAST, 1, 1, 1, "1.0.0",
            "Remove and get the first elements in a list", POP_COMPLEXITY, ACL_W_FAST),
    LISTCMD("rpop", rpop_command, -2, CMD_WRITE | CMD_FAST, 1, 1, 1, "1.0.0",
            "Remove and get the last elements in a list", POP_COMPLEXITY, ACL_W_FAST),
    LISTCMD("llen", llen_command, 2, CMD_READONLY | CMD_FAST, 1, 1, 1, "1.0.0",
            "Get the length of a list", "O(1)", "@read @list @fast"),
    LISTCMD("lrange", lrange_command, 4, CMD_READONLY, 1, 1, 1, "1.0.0",
            "Get a range of elements from a list",
            "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end "
            "(HEAD or TAIL) for large lists; and N is the number of elements in the specified range.",
            ACL_R_SLOW),
    LISTCMD("lindex", lindex_command, 3, CMD_READONLY, 1, 1, 1, "1.0.0",
            "Get an element from a list by its index",
            "O(N) where N is the number of elements to traverse to get to the element at index. This makes "
            "asking for the first or the last element of the list O(1).", ACL_R_SLOW),
    LISTCMD("lset", lset_command, 4, W_OOM, 1, 1, 1, "1.0.0",
            "Set the value of an element in a list by its index",
            "O(N) where N is the length of the list. Setting either the first or the last element of the "
            "list is O(1).", ACL_W_SLOW),
    LISTCMD("linsert", linsert_command, 5, W_OOM, 1, 1, 1, "2.2.0",
            "Insert an element before or after another element in a list",
            "O(N) where N is the number of elements to traverse before seeing the value pivot. This means "
            "that inserting somewhere on the left end on the list (head) can be considered O(1) and "
            "inserting somewhere on the right end (tail) is O(N).", ACL_W_SLOW),
    LISTCMD("lrem", lrem_command, 4, CMD_WRITE, 1, 1, 1, "1.0.0", "Remove elements from a list",
            "O(N+M) where N is the length of the list and M is the number of elements removed.", ACL_W_SLOW),
    LISTCMD("ltrim", ltrim_command, 4, CMD_WRITE, 1, 1, 1, "1.0.0", "Trim a list to the specified range",
            "O(N) where N is the number of elements to be removed by the operation.", ACL_W_SLOW),
    LISTCMD("lpos", lpos_command, -3, CMD_READONLY, 1, 1, 1, "6.0.6",
            "Return the index of matching elements on a list",
            "O(N) where N is the number of elements in the list, for the average case. When searching for "
            "elements near the head or the tail of the list, or when the MAXLEN option is provided, the "
            "command may run in constant time.", ACL_R_SLOW),
    LISTCMD("rpoplpush", rpoplpush_command, 3, W_OOM, 1, 2, 1, "1.2.0",
            "Remove the last element in a list, prepend it to another list and return it", "O(1)", ACL_W_SLOW),
    LISTCMD("lmove", lmove_command, 5, W_OOM, 1, 2, 1, "6.2.0",
            "Pop an element from a list, push it to another list and return it", "O(1)", ACL_W_SLOW),
    LISTCMD("lmpop", lmpop_command, -4, CMD_WRITE, 0, 0, 0, "7.0.0", "Pop elements from a list",
            "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
            ACL_W_SLOW),
    { NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};
