/* types/zset_rand.c - ZRANDMEMBER key [count [WITHSCORES]], as Redis 7.0's
 * zrandmemberCommand: no count gives one member (or null); a negative count gives
 * that many picks with repetitions; a positive one distinct members: the whole zset
 * (highest first) when it asks for at least its size, else a uniform random subset
 * (in listpack order for a listpack).  Picks come from util/rand through types/coll. */
#include <limits.h>
#include <stdlib.h>

#include "types/coll.h"
#include "types/zset_internal.h"
#include "util/rand.h"

/* The member entries of a listpack zset, for repeated random picks. */
static unsigned char **lp_members(shm_off_t lp, uint64_t n)
{
    unsigned char **eps = malloc(n * sizeof(*eps));
    if (!eps)
        abort();
    unsigned char *ep = lp_first(lp);
    for (uint64_t i = 0; i < n; i++, ep = lp_next(lp, lp_next(lp, ep)))
        eps[i] = ep;
    return eps;
}

/* A uniform random member; eps (lp_members) saves a listpack walk per pick. */
static struct zelem random_elem(struct kv *kv, unsigned char **eps, unsigned char *buf)
{
    shm_off_t obj = kv_value_off(kv);
    if (!zset_is_lp(kv))
        return zsl_elem(zsl_node_at(dict_random(&zsl_at(obj)->dict, rand_u64)));
    uint64_t i = rand_below(zset_length(kv));
    return zlp_elem(obj, eps ? eps[i] : lp_seek(obj, (long)(2 * i)), buf);
}

/* count picks, repetitions allowed. */
static void reply_picks(struct reply *r, struct kv *kv, uint64_t count, int withscores)
{
    unsigned char buf[LP_INTBUF_SIZE];
    unsigned char **eps = zset_is_lp(kv) ? lp_members(kv_value_off(kv), zset_length(kv)) : NULL;
    zset_reply_len(r, (long)count, withscores);
    for (uint64_t i = 0; i < count; i++) {
        struct zelem e = random_elem(kv, eps, buf);
        zset_reply_elem(r, &e, withscores);
    }
    free(eps);
}

static int by_value(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* count distinct members, count < size. */
static void reply_sample(struct reply *r, struct kv *kv, uint64_t count, int withscores)
{
    shm_off_t obj = kv_value_off(kv);
    zset_reply_len(r, (long)count, withscores);
    if (zset_is_lp(kv)) {
        uint64_t *idx = malloc(count * sizeof(*idx));
        if (!idx)
            abort();
        coll_sample_indices(zset_length(kv), count, idx);
        qsort(idx, count, sizeof(*idx), by_value);
        struct zset_it it;
        uint64_t k = 0;
        for (int ok = zit_seek_rank(kv, 0, &it); ok && k < count; ok = zit_next(&it)) {
            if (it.rank != idx[k])
                continue;
            struct zelem e = zit_elem(&it);
            zset_reply_elem(r, &e, withscores);
            k++;
        }
        free(idx);
        return;
    }
    shm_off_t *nodes = malloc(count * sizeof(*nodes));
    if (!nodes)
        abort();
    coll_sample_dict(&zsl_at(obj)->dict, count, nodes);
    for (uint64_t i = 0; i < count; i++) {
        struct zelem e = zsl_elem(zsl_node_at(nodes[i]));
        zset_reply_elem(r, &e, withscores);
    }
    free(nodes);
}

/* The whole zset, highest first (Redis walks zsets from the tail here). */
static void reply_all(struct reply *r, struct kv *kv, int withscores)
{
    struct zset_it it;
    uint64_t n = zset_length(kv);
    zset_reply_len(r, (long)n, withscores);
    for (int ok = zit_seek_rank(kv, n - 1, &it); ok; ok = zit_prev(&it)) {
        struct zelem e = zit_elem(&it);
        zset_reply_elem(r, &e, withscores);
    }
}

static void with_count(struct cmd_ctx *c, long long l, int withscores)
{
    int wrong;
    struct kv *kv = obj_lookup_read(c, 1, KV_ZSET, &wrong);
    if (wrong)
        return;
    if (!kv || l == 0) {
        reply_array(c->reply, 0);
        return;
    }
    uint64_t count = l < 0 ? (uint64_t)-l : (uint64_t)l;
    if (l < 0 || count == 1)
        reply_picks(c->reply, kv, count, withscores);
    else if (count >= zset_length(kv))
        reply_all(c->reply, kv, withscores);
    else
        reply_sample(c->reply, kv, count, withscores);
}

/* ZRANDMEMBER key [count [WITHSCORES]] */
void zrandmember_command(struct cmd_ctx *c)
{
    long long l;
    if (c->argc >= 3) {
        if (!coll_count_arg(c, 2, &l))
            return;
        if (c->argc > 4 || (c->argc == 4 && !arg_is(c, 3, "withscores"))) {
            reply_error(c->reply, ERR_SYNTAX);
            return;
        }
        if (c->argc == 4 && (l < -LLONG_MAX / 2 || l > LLONG_MAX / 2)) {
            reply_error(c->reply, "ERR value is out of range");
            return;
        }
        with_count(c, l, c->argc == 4);
        return;
    }
    int wrong;
    struct kv *kv = obj_lookup_read(c, 1, KV_ZSET, &wrong);
    if (wrong)
        return;
    unsigned char buf[LP_INTBUF_SIZE];
    struct zelem e;
    if (kv) {
        e = random_elem(kv, NULL, buf);
        reply_bulk(c->reply, e.m, e.len);
    } else {
        reply_null(c->reply);
    }
}
