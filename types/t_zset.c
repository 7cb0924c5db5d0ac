/* types/t_zset.c - the sorted-set commands on single members (ZADD ZINCRBY ZREM
 * ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT ZLEXCOUNT) and the table of every zset
 * command; ranges, set operations, pops, ZRANDMEMBER and ZSCAN live in the
 * types/zset_*.c files (zset_internal.h lists them), values in types/zset_obj.c.
 *
 * Replies and errors are Redis 7.0's; a key whose zset becomes empty is deleted;
 * c->dirty counts the members changed. */
#include <stdlib.h>

#include "keyspace/notify.h"
#include "types/zset_internal.h"

#define ERR_ZADD_NAN "ERR resulting score is not a number (NaN)"

/* ---- ZADD / ZINCRBY ----------------------------------------------------------- */

#define ZADD_SCORES_INLINE 8

struct zadd_req {
    int in;                             /* ZADD_IN_* */
    int ch;
    int first;                          /* argv index of the first score */
    int pairs;
    double *scores;                     /* inline, or malloc'd past ZADD_SCORES_INLINE pairs */
    double inline_scores[ZADD_SCORES_INLINE];
};

#define ZADD_OPT_CH (1 << 8)             /* not a zset_add flag: the reply counts changes */

static int zadd_option(const struct cmd_ctx *c, int i)
{
    static const struct { const char *word; int flag; } words[] = {
        { "nx", ZADD_IN_NX }, { "xx", ZADD_IN_XX }, { "ch", ZADD_OPT_CH }, { "incr", ZADD_IN_INCR },
        { "gt", ZADD_IN_GT }, { "lt", ZADD_IN_LT },
    };
    for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
        if (arg_is(c, i, words[k].word))
            return words[k].flag;
    return 0;
}

/* Parses the options and scores in Redis's order: syntax, option conflicts, INCR
 * with several pairs, then the scores.  Replies and returns 0 on error. */
static int zadd_parse(struct cmd_ctx *c, struct zadd_req *z)
{
    int i = 2, f;
    while (i < c->argc && (f = zadd_option(c, i))) {
        z->in |= f;
        i++;
    }
    z->ch = (z->in & ZADD_OPT_CH) != 0;
    z->in &= ~ZADD_OPT_CH;
    z->first = i;
    int rest = c->argc - i;
    if (rest == 0 || rest % 2) {
        reply_error(c->reply, ERR_SYNTAX);
        return 0;
    }
    z->pairs = rest / 2;
    int in = z->in;
    if ((in & ZADD_IN_NX) && (in & ZADD_IN_XX)) {
        reply_error(c->reply, "ERR XX and NX options at the same time are not compatible");
        return 0;
    }
    if (((in & ZADD_IN_GT) && (in & (ZADD_IN_NX | ZADD_IN_LT))) || ((in & ZADD_IN_LT) && (in & ZADD_IN_NX))) {
        reply_error(c->reply, "ERR GT, LT, and/or NX options at the same time are not compatible");
        return 0;
    }
    if ((in & ZADD_IN_INCR) && z->pairs > 1) {
        reply_error(c->reply, "ERR INCR option supports a single increment-element pair");
        return 0;
    }
    z->scores = z->pairs <= ZADD_SCORES_INLINE ? z->inline_scores : malloc(sizeof(double) * (size_t)z->pairs);
    if (!z->scores)
        abort();
    for (int j = 0; j < z->pairs; j++)
        if (!arg_double(c, z->first + 2 * j, &z->scores[j], NULL))
            return 0;
    return 1;
}

/* Applies the pairs to the key; replies as ZADD (count) or with INCR (the score). */
static void zadd_apply(struct cmd_ctx *c, struct zadd_req *z)
{
    long long added = 0, updated = 0, processed = 0;
    double score = 0;
    int wrong;
    struct kv *kv = obj_lookup_write(c, 1, KV_ZSET, &wrong);
    if (wrong)
        return;
    if (!kv && !(z->in & ZADD_IN_XX))
        kv = zset_create(c->db, c->argv[1], c->argvlen[1], c->argvlen[z->first + 1]);
    for (int j = 0; kv && j < z->pairs; j++) {
        int mi = z->first + 2 * j + 1, out;
        if (!zset_add(kv, z->scores[j], c->argv[mi], c->argvlen[mi], z->in, &out, &score)) {
            reply_error(c->reply, ERR_ZADD_NAN);
            return;
        }
        added += (out & ZADD_OUT_ADDED) != 0;
        updated += (out & ZADD_OUT_UPDATED) != 0;
        processed += (out & ZADD_OUT_NOP) == 0;
    }
    c->dirty += (uint64_t)(added + updated);
    if (added || updated)
        notify_keyspace_event(NOTIFY_ZSET, z->in & ZADD_IN_INCR ? "zincr" : "zadd", c->dbid, c->argv[1],
                              c->argvlen[1]);
    if (!(z->in & ZADD_IN_INCR))
        reply_int(c->reply, z->ch ? added + updated : added);
    else if (processed)
        reply_double(c->reply, score);
    else
        reply_null(c->reply);
}

static void zadd_generic(struct cmd_ctx *c, int in)
{
    struct zadd_req z = { .in = in };
    if (zadd_parse(c, &z))
        zadd_apply(c, &z);
    if (z.scores != z.inline_scores)
        free(z.scores);
}

/* ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...] */
static void zadd_command(struct cmd_ctx *c) { zadd_generic(c, 0); }

/* ZINCRBY key increment member */
static void zincrby_command(struct cmd_ctx *c) { zadd_generic(c, ZADD_IN_INCR); }

/* ---- ZREM ZCARD ZSCORE ZMSCORE ZRANK ------------------------------------------- */

/* ZREM key member [member ...] */
static void zrem_command(struct cmd_ctx *c)
{
    int wrong;
    long long deleted = 0;
    struct kv *kv = obj_lookup_write(c, 1, KV_ZSET, &wrong);
    if (wrong)
        return;
    for (int i = 2; kv && i < c->argc && zset_length(kv) > 0; i++)
        deleted += zset_remove(kv, c->argv[i], c->argvlen[i]);
    if (deleted)
        notify_keyspace_event(NOTIFY_ZSET, "zrem", c->dbid, c->argv[1], c->argvlen[1]);
    if (kv)
        obj_delete_if_empty(c, 1, zset_length(kv));
    c->dirty += (uint64_t)deleted;
    reply_int(c->reply, deleted);
}

/* ZCARD key */
static void zcard_command(struct cmd_ctx *c)
{
    int wrong;
    struct kv *kv = obj_lookup_read(c, 1, KV_ZSET, &wrong);
    if (!wrong)
        reply_int(c->reply, kv ? (long long)zset_length(kv) : 0);
}

static void reply_score_of(struct cmd_ctx *c, struct kv *kv, int argi)
{
    double score;
    if (kv && zset_score(kv, c->argv[argi], c->argvlen[argi], &score))
        reply_double(c->reply, score);
    else
        reply_null(c->reply);
}

/* ZSCORE key member */
static void zscore_command(struct cmd_ctx *c)
{
    int wrong;
    struct kv *kv = obj_lookup_read(c, 1, KV_ZSET, &wrong);
    if (!wrong)
        reply_score_of(c, kv, 2);
}

/* ZMSCORE key member [member ...] */
static void zmscore_command(struct cmd_ctx *c)
{
    int wrong;
    struct kv *kv = obj_lookup_read(c, 1, KV_ZSET, &wrong);
    if (wrong)
        return;
    reply_array(c->reply, c->argc - 2);
    for (int i = 2; i < c->argc; i++)
        reply_score_of(c, kv, i);
}

static void zrank_generic(struct cmd_ctx *c, int reverse)
{
    int wrong;
    struct kv *kv = obj_lookup_read(c, 1, KV_ZSET, &wrong);
    if (wrong)
        return;
    long long rank = kv ? zset_rank(kv, c->argv[2], c->argvlen[2], reverse) : -1;
    if (rank >= 0)
        reply_int(c->reply, rank);
    else
        reply_null(c->reply);
}

/* ZRANK key member */
static void zrank_command(struct cmd_ctx *c) { zrank_generic(c, 0); }

/* ZREVRANK key member */
static void zrevrank_command(struct cmd_ctx *c) { zrank_generic(c, 1); }

/* ---- ZCOUNT ZLEXCOUNT ------------------------------------------------------------- */

static void count_generic(struct cmd_ctx *c, zelem_bound_fn *before, zelem_bound_fn *after, const void *spec)
{
    int wrong;
    struct kv *kv = obj_lookup_read(c, 1, KV_ZSET, &wrong);
    if (!wrong)
        reply_int(c->reply, kv ? (long long)zset_count_range(kv, before, after, spec) : 0);
}

/* ZCOUNT key min max */
static void zcount_command(struct cmd_ctx *c)
{
    struct zrange_score r;
    if (!zspec_parse_score(c->argv[2], c->argvlen[2], c->argv[3], c->argvlen[3], &r))
        reply_error(c->reply, ERR_ZRANGE_FLOAT);
    else
        count_generic(c, zspec_score_before, zspec_score_after, &r);
}

/* ZLEXCOUNT key min max */
static void zlexcount_command(struct cmd_ctx *c)
{
    struct zrange_lex r;
    if (!zspec_parse_lex(c->argv[2], c->argvlen[2], c->argv[3], c->argvlen[3], &r))
        reply_error(c->reply, ERR_ZRANGE_LEX);
    else
        count_generic(c, zspec_lex_before, zspec_lex_after, &r);
}

/* ---- the table ---------------------------------------------------------------------- */

#define RO_FAST (CMD_READONLY | CMD_FAST)
#define W_OOM (CMD_WRITE | CMD_DENYOOM)
#define ACL_R_FAST "@read @sortedset @fast"
#define ACL_R_SLOW "@read @sortedset @slow"
#define ACL_W_FAST "@write @sortedset @fast"
#define ACL_W_SLOW "@write @sortedset @slow"
#define ZCMD(name, proc, arity, flags, first, last, since, summary, complexity, acl) \
    { name, proc, arity, flags, first, last, first ? 1 : 0, "sorted-set", since, summary, complexity, acl, \
      NULL, NULL }
#define C_LOGN "O(log(N))"
#define C_RANGE "O(log(N)+M) with N being the number of elements in the sorted set and M the number " \
    "of elements returned."
#define C_RANGE_LIMIT "O(log(N)+M) with N being the number of elements in the sorted set and M the " \
    "number of elements being returned. If M is constant (e.g. always asking for the first 10 " \
    "elements with LIMIT), you can consider it O(log(N))."
#define C_REMRANGE "O(log(N)+M) with N being the number of elements in the sorted set and M the " \
    "number of elements removed by the operation."
#define C_POP "O(log(N)*M) with N being the number of elements in the sorted set, and M being the " \
    "number of elements popped."
#define C_UNION "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M " \
    "being the number of elements in the resulting sorted set."
#define C_INTER "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being " \
    "the number of input sorted sets and M being the number of elements in the resulting sorted set."
#define C_DIFF "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the " \
    "sets, N is the size of the first set, and K is the size of the result set."

const struct command zset_commands[] = {
    ZCMD("zadd", zadd_command, -4, W_OOM | CMD_FAST, 1, 1, "1.2.0",
         "Add one or more members to a sorted set, or update its score if it already exists",
         "O(log(N)) for each item added, where N is the number of elements in the sorted set.", ACL_W_FAST),
    ZCMD("zincrby", zincrby_command, 4, W_OOM | CMD_FAST, 1, 1, "1.2.0",
         "Increment the score of a member in a sorted set",
         "O(log(N)) where N is the number of elements in the sorted set.", ACL_W_FAST),
    ZCMD("zrem", zrem_command, -3, CMD_WRITE | CMD_FAST, 1, 1, "1.2.0",
         "Remove one or more members from a sorted set",
         "O(M*log(N)) with N being the number of elements in the sorted set and M the number of "
         "elements to be removed.", ACL_W_FAST),
    ZCMD("zcard", zcard_command, 2, RO_FAST, 1, 1, "1.2.0", "Get the number of members in a sorted set",
         "O(1)", ACL_R_FAST),
    ZCMD("zcount", zcount_command, 4, RO_FAST, 1, 1, "2.0.0",
         "Count the members in a sorted set with scores within the given values",
         "O(log(N)) with N being the number of elements in the sorted set.", ACL_R_FAST),
    ZCMD("zlexcount", zlexcount_command, 4, RO_FAST, 1, 1, "2.8.9",
         "Count the number of members in a sorted set between a given lexicographical range",
         "O(log(N)) with N being the number of elements in the sorted set.", ACL_R_FAST),
    ZCMD("zscore", zscore_command, 3, RO_FAST, 1, 1, "1.2.0",
         "Get the score associated with the given member in a sorted set", "O(1)", ACL_R_FAST),
    ZCMD("zmscore", zmscore_command, -3, RO_FAST, 1, 1, "6.2.0",
         "Get the score associated with the given members in a sorted set",
         "O(N) where N is the number of members being requested.", ACL_R_FAST),
    ZCMD("zrank", zrank_command, 3, RO_FAST, 1, 1, "2.0.0", "Determine the index of a member in a sorted set",
         C_LOGN, ACL_R_FAST),
    ZCMD("zrevrank", zrevrank_command, 3, RO_FAST, 1, 1, "2.0.0",
         "Determine the index of a member in a sorted set, with scores ordered from high to low", C_LOGN,
         ACL_R_FAST),
    ZCMD("zrange", zrange_command, -4, CMD_READONLY, 1, 1, "1.2.0", "Return a range of members in a sorted set",
         C_RANGE, ACL_R_SLOW),
    ZCMD("zrangestore", zrangestore_command, -5, W_OOM, 1, 2, "6.2.0",
         "Store a range of members from sorted set into another key",
         "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
         "elements stored into the destination key.", ACL_W_SLOW),
    ZCMD("zrevrange", zrevrange_command, -4, CMD_READONLY, 1, 1, "1.2.0",
         "Return a range of members in a sorted set, by index, with scores ordered from high to low",
         C_RANGE, ACL_R_SLOW),
    ZCMD("zrangebyscore", zrangebyscore_command, -4, CMD_READONLY, 1, 1, "1.0.5",
         "Return a range of members in a sorted set, by score", C_RANGE_LIMIT, ACL_R_SLOW),
    ZCMD("zrevrangebyscore", zrevrangebyscore_command, -4, CMD_READONLY, 1, 1, "2.2.0",
         "Return a range of members in a sorted set, by score, with scores ordered from high to low",
         C_RANGE_LIMIT, ACL_R_SLOW),
    ZCMD("zrangebylex", zrangebylex_command, -4, CMD_READONLY, 1, 1, "2.8.9",
         "Return a range of members in a sorted set, by lexicographical range", C_RANGE_LIMIT, ACL_R_SLOW),
    ZCMD("zrevrangebylex", zrevrangebylex_command, -4, CMD_READONLY, 1, 1, "2.8.9",
         "Return a range of members in a sorted set, by lexicographical range, ordered from higher to "
         "lower strings.", C_RANGE_LIMIT, ACL_R_SLOW),
    ZCMD("zremrangebyrank", zremrangebyrank_command, 4, CMD_WRITE, 1, 1, "2.0.0",
         "Remove all members in a sorted set within the given indexes", C_REMRANGE, ACL_W_SLOW),
    ZCMD("zremrangebyscore", zremrangebyscore_command, 4, CMD_WRITE, 1, 1, "1.2.0",
         "Remove all members in a sorted set within the given scores", C_REMRANGE, ACL_W_SLOW),
    ZCMD("zremrangebylex", zremrangebylex_command, 4, CMD_WRITE, 1, 1, "2.8.9",
         "Remove all members in a sorted set between the given lexicographical range", C_REMRANGE, ACL_W_SLOW),
    ZCMD("zpopmin", zpopmin_command, -2, CMD_WRITE | CMD_FAST, 1, 1, "5.0.0",
         "Remove and return members with the lowest scores in a sorted set", C_POP, ACL_W_FAST),
    ZCMD("zpopmax", zpopmax_command, -2, CMD_WRITE | CMD_FAST, 1, 1, "5.0.0",
         "Remove and return members with the highest scores in a sorted set", C_POP, ACL_W_FAST),
    ZCMD("zmpop", zmpop_command, -4, CMD_WRITE, 0, 0, "7.0.0",
         "Remove and return members with scores in a sorted set",
         "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in "
         "the sorted set, and M being the number of elements popped.", ACL_W_SLOW),
    ZCMD("zrandmember", zrandmember_command, -2, CMD_READONLY, 1, 1, "6.2.0",
         "Get one or multiple random elements from a sorted set",
         "O(N) where N is the number of elements returned", ACL_R_SLOW),
    ZCMD("zunion", zunion_command, -3, CMD_READONLY, 0, 0, "6.2.0", "Add multiple sorted sets", C_UNION,
         ACL_R_SLOW),
    ZCMD("zunionstore", zunionstore_command, -4, W_OOM, 1, 1, "2.0.0",
         "Add multiple sorted sets and store the resulting sorted set in a new key", C_UNION, ACL_W_SLOW),
    ZCMD("zinter", zinter_command, -3, CMD_READONLY, 0, 0, "6.2.0", "Intersect multiple sorted sets", C_INTER,
         ACL_R_SLOW),
    ZCMD("zinterstore", zinterstore_command, -4, W_OOM, 1, 1, "2.0.0",
         "Intersect multiple sorted sets and store the resulting sorted set in a new key", C_INTER,
         ACL_W_SLOW),
    ZCMD("zintercard", zintercard_command, -3, CMD_READONLY, 0, 0, "7.0.0",
         "Intersect multiple sorted sets and return the cardinality of the result",
         "O(N*K) worst case with N being the smallest input sorted set, K being the number of input "
         "sorted sets.", ACL_R_SLOW),
    ZCMD("zdiff", zdiff_command, -3, CMD_READONLY, 0, 0, "6.2.0", "Subtract multiple sorted sets", C_DIFF,
         ACL_R_SLOW),
    ZCMD("zdiffstore", zdiffstore_command, -4, W_OOM, 1, 1, "6.2.0",
         "Subtract multiple sorted sets and store the resulting sorted set in a new key", C_DIFF, ACL_W_SLOW),
    ZCMD("zscan", zscan_command, -3, CMD_READONLY, 1, 1, "2.8.0",
         "Incrementally iterate sorted sets elements and associated scores",
         "O(1) for every call. O(N) for a complete iteration, including enough command calls for the "
         "cursor to return back to 0. N is the number of elements inside the collection..", ACL_R_SLOW),
    { NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};
