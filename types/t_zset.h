/* types/t_zset.h - sorted sets: the command table (types/t_zset.c and types/zset_*.c),
 * the type's startup hook, and the API other types use on a zset kv (GEO stores its
 * points in sorted sets; the blocking BZPOPMIN/BZMPOP reuse the pop).
 *
 * A zset kv holds (Redis 7.0's encodings, OBJECT ENCODING names them):
 *  - KV_ENC_LISTPACK: a listpack of member, score pairs sorted by (score, member),
 *    scores written as Redis writes them; while it has at most
 *    zset-max-listpack-entries members of at most zset-max-listpack-value bytes;
 *  - KV_ENC_SKIPLIST: a struct zsl (types/zskiplist.h), once either limit is passed.
 *    A zset never goes back to listpack (store commands pick the encoding anew).
 * An empty zset is never kept: the functions below leave that to the caller, which
 * deletes the key when zset_length() reaches 0.  Every change runs inside a write.
 */
#ifndef TYPES_T_ZSET_H
#define TYPES_T_ZSET_H

#include <stdint.h>
#include "types/command.h"
#include "types/zskiplist.h"

extern const struct command zset_commands[];        /* NULL-name terminated */

/* Registers DICT_TYPE_ZSET and the kv value free/copy hooks (startup, every process). */
void zset_type_init(void);

/* A new empty zset kv under key, added to db, in the encoding Redis 7.0 picks for a
 * key whose first member is first_len bytes long. */
struct kv *zset_create(struct db *db, const char *key, size_t klen, size_t first_len);

uint64_t zset_length(struct kv *kv);

/* zset_add flags, as Redis's zsetAdd: in_flags say how, *out_flags what happened. */
enum {
    ZADD_IN_INCR = 1 << 0, ZADD_IN_NX = 1 << 1, ZADD_IN_XX = 1 << 2,
    ZADD_IN_GT = 1 << 3, ZADD_IN_LT = 1 << 4,
};
enum { ZADD_OUT_NOP = 1 << 0, ZADD_OUT_NAN = 1 << 1, ZADD_OUT_ADDED = 1 << 2, ZADD_OUT_UPDATED = 1 << 3 };
/* Adds or updates member m with score (an increment with ZADD_IN_INCR).  Returns 0
 * when the score would be NaN (nothing changed, ZADD_OUT_NAN), else 1 with the
 * outcome in *out_flags and, unless NOP, the member's score in *newscore. */
int zset_add(struct kv *kv, double score, const char *m, size_t len, int in_flags, int *out_flags,
             double *newscore);
/* Removes member m; 1 if it was there. */
int zset_remove(struct kv *kv, const char *m, size_t len);
/* 1 with *score when m is a member, else 0. */
int zset_score(struct kv *kv, const char *m, size_t len, double *score);
/* 0-based rank of m from the lowest (or, reverse, the highest) score; -1 if absent. */
long long zset_rank(struct kv *kv, const char *m, size_t len, int reverse);

/* A score interval ("(1" is exclusive, "-inf"/"+inf" the ends). */
struct zrange_score {
    double min, max;
    int minex, maxex;
};
/* Calls fn on the members with scores in r, in ascending order (descending with
 * reverse), until fn returns 0; returns the number of calls. */
typedef int zset_visit_fn(const struct zelem *e, void *arg);
uint64_t zset_range_by_score(struct kv *kv, const struct zrange_score *r, int reverse, zset_visit_fn *fn,
                             void *arg);

/* How zset_pop shapes its reply:
 *  ZPOP_FLAT        [m, s, m, s...]       ZPOPMIN/ZPOPMAX (RESP2, or no count)
 *  ZPOP_NESTED      [[m, s], ...]         ZPOPMIN/ZPOPMAX with a count in RESP3
 *  ZPOP_KEY_FLAT    [key, m, s]           BZPOPMIN/BZPOPMAX
 *  ZPOP_KEY_NESTED  [key, [[m, s], ...]]  ZMPOP/BZMPOP */
enum zset_pop_form { ZPOP_FLAT, ZPOP_NESTED, ZPOP_KEY_FLAT, ZPOP_KEY_NESTED };
/* Parses ZMPOP's numkeys key [key ...] MIN | MAX [COUNT count] starting at argv[argi]
 * (keys follow numkeys); replies Redis's error and returns 0 when malformed. */
int zset_parse_mpop(struct cmd_ctx *c, int argi, long long *numkeys, int *max, long long *count);
/* Pops up to count (>= 1) members from the lowest (max == 0) or highest end of the
 * non-empty zset kv stored under key in db, writes the reply into r and deletes the
 * key when it becomes empty.  Returns the number of members popped. */
long zset_pop(struct db *db, struct reply *r, const char *key, size_t klen, struct kv *kv, int max,
              long count, enum zset_pop_form form);
#endif
