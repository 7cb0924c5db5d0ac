/* types/zset_obj.c - sorted-set values over either encoding (see t_zset.h and
 * zset_internal.h): creation with Redis 7.0's encoding choice, member add / remove /
 * score / rank, the listpack -> skiplist conversion, an iterator, rank deletion,
 * range counting, stores, and the kv free / copy hooks.
 *
 * A kv's payload is the offset of its listpack or struct zsl; a listpack change
 * builds a new listpack, which obj_set_value swaps in (logged); skiplist changes are
 * logged by types/zskiplist.c. */
#include <limits.h>
#include <math.h>

#include "conf/shared.h"
#include "keyspace/notify.h"
#include "shm/alloc.h"
#include "types/zset_internal.h"

static shm_off_t zobj(struct kv *kv) { return kv_value_off(kv); }
static struct zsl *zsl_of(struct kv *kv) { return zsl_at(zobj(kv)); }

static void set_lp(struct kv *kv, shm_off_t lp) { obj_set_value(kv, lp, KV_ENC_LISTPACK); }

uint64_t zset_length(struct kv *kv)
{
    return zset_is_lp(kv) ? lp_length(zobj(kv)) / 2 : zsl_of(kv)->length;
}

struct kv *zset_create(struct db *db, const char *key, size_t klen, size_t first_len)
{
    struct conf_values *conf = conf_shared();
    shm_off_t off;
    if (conf->zset_max_listpack_entries == 0 || first_len > conf->zset_max_listpack_value)
        off = kv_new_object(key, klen, KV_ZSET, KV_ENC_SKIPLIST, zsl_new());
    else
        off = kv_new_object(key, klen, KV_ZSET, KV_ENC_LISTPACK, lp_new());
    db_add(db, off);
    return kv_at(off);
}

static void convert_to_skiplist(struct kv *kv)
{
    shm_off_t lp = zobj(kv);
    unsigned char buf[LP_INTBUF_SIZE];
    struct zsl_builder b;
    zsl_builder_init(&b);
    for (unsigned char *ep = lp_first(lp); ep; ep = lp_next(lp, lp_next(lp, ep))) {
        struct zelem e = zlp_elem(lp, ep, buf);
        zsl_builder_add(&b, e.score, e.m, e.len);
    }
    obj_set_value(kv, zsl_builder_finish(&b), KV_ENC_SKIPLIST);
    shm_free(lp);
}

/* Whether adding member m keeps a listpack within the limits (zsetAdd's check). */
static int lp_fits_one_more(struct kv *kv, size_t len)
{
    struct conf_values *conf = conf_shared();
    return zset_length(kv) + 1 <= conf->zset_max_listpack_entries && len <= conf->zset_max_listpack_value &&
           zlp_safe_to_add(lp_bytes(zobj(kv)), len);
}

static void insert_new(struct kv *kv, double score, const char *m, size_t len)
{
    if (zset_is_lp(kv) && !lp_fits_one_more(kv, len))
        convert_to_skiplist(kv);
    if (zset_is_lp(kv))
        set_lp(kv, zlp_insert(zobj(kv), score, m, len));
    else
        zsl_insert(zsl_of(kv), score, m, len);
}

/* Where a member was found: its score, and its rank (listpack) or node (skiplist). */
struct zfound {
    double score;
    long rank;
    struct zsl_node *node;
};

static void update_score(struct kv *kv, double score, const char *m, size_t len, const struct zfound *f)
{
    if (zset_is_lp(kv)) {
        shm_off_t lp = zlp_delete_ranks(zobj(kv), (uint64_t)f->rank, 1);
        set_lp(kv, zlp_insert(lp, score, m, len));
    } else {
        zsl_update_score(zsl_of(kv), f->node, score);
    }
}

/* Finds m: 1 with where it is. */
static int find_member(struct kv *kv, const char *m, size_t len, struct zfound *f)
{
    if (zset_is_lp(kv)) {
        unsigned char *ep = zlp_find(zobj(kv), m, len, &f->rank);
        if (ep)
            f->score = zlp_score(lp_next(zobj(kv), ep));
        return ep != NULL;
    }
    f->node = zsl_find(zsl_of(kv), m, len);
    if (f->node)
        f->score = f->node->score;
    return f->node != NULL;
}

/* An existing member: applies NX / INCR / GT / LT as Redis's zsetAdd. */
static int update_existing(struct kv *kv, double score, const char *m, size_t len, int in, int *out,
                           double *newscore, const struct zfound *f)
{
    double cur = f->score;
    if (in & ZADD_IN_NX) {
        *out |= ZADD_OUT_NOP;
        return 1;
    }
    if (in & ZADD_IN_INCR) {
        score += cur;
        if (isnan(score)) {
            *out |= ZADD_OUT_NAN;
            return 0;
        }
    }
    if (((in & ZADD_IN_LT) && score >= cur) || ((in & ZADD_IN_GT) && score <= cur)) {
        *out |= ZADD_OUT_NOP;
        return 1;
    }
    *newscore = score;
    if (score != cur) {
        update_score(kv, score, m, len, f);
        *out |= ZADD_OUT_UPDATED;
    }
    return 1;
}

int zset_add(struct kv *kv, double score, const char *m, size_t len, int in, int *out, double *newscore)
{
    struct zfound f;
    *out = 0;
    if (isnan(score)) {
        *out = ZADD_OUT_NAN;
        return 0;
    }
    if (find_member(kv, m, len, &f))
        return update_existing(kv, score, m, len, in, out, newscore, &f);
    if (in & ZADD_IN_XX) {
        *out |= ZADD_OUT_NOP;
        return 1;
    }
    insert_new(kv, score, m, len);
    *newscore = score;
    *out |= ZADD_OUT_ADDED;
    return 1;
}

int zset_remove(struct kv *kv, const char *m, size_t len)
{
    if (zset_is_lp(kv)) {
        long rank;
        if (!zlp_find(zobj(kv), m, len, &rank))
            return 0;
        set_lp(kv, zlp_delete_ranks(zobj(kv), (uint64_t)rank, 1));
        return 1;
    }
    struct zsl_node *n = zsl_find(zsl_of(kv), m, len);
    if (n)
        zsl_delete(zsl_of(kv), n);
    return n != NULL;
}

int zset_score(struct kv *kv, const char *m, size_t len, double *score)
{
    struct zfound f;
    if (!find_member(kv, m, len, &f))
        return 0;
    *score = f.score;
    return 1;
}

long long zset_rank(struct kv *kv, const char *m, size_t len, int reverse)
{
    long long rank;
    if (zset_is_lp(kv)) {
        long r;
        if (!zlp_find(zobj(kv), m, len, &r))
            return -1;
        rank = r;
    } else {
        struct zsl_node *n = zsl_find(zsl_of(kv), m, len);
        if (!n)
            return -1;
        rank = (long long)zsl_rank(zsl_of(kv), n) - 1;
    }
    return reverse ? (long long)zset_length(kv) - 1 - rank : rank;
}

/* ---- iteration ---------------------------------------------------------------- */

static void it_init(struct kv *kv, struct zset_it *it)
{
    it->lp = zset_is_lp(kv) ? zobj(kv) : 0;
    it->ep = NULL;
    it->node = NULL;
}

static int it_valid(const struct zset_it *it) { return it->ep != NULL || it->node != NULL; }

int zit_seek_rank(struct kv *kv, uint64_t rank, struct zset_it *it)
{
    it_init(kv, it);
    it->rank = rank;
    if (it->lp)
        it->ep = rank < (uint64_t)LONG_MAX / 2 ? lp_seek(it->lp, (long)(2 * rank)) : NULL;
    else
        it->node = zsl_by_rank(zsl_of(kv), rank + 1);
    return it_valid(it);
}

int zit_seek_first(struct kv *kv, zelem_bound_fn *before, const void *spec, struct zset_it *it)
{
    it_init(kv, it);
    if (it->lp) {
        long r = 0;
        it->ep = zlp_first_not_before(it->lp, before, spec, &r);
        it->rank = (uint64_t)r;
    } else {
        uint64_t r;
        it->node = zsl_first_not_before(zsl_of(kv), before, spec, &r);
        it->rank = r - 1;
    }
    return it_valid(it);
}

int zit_seek_last(struct kv *kv, zelem_bound_fn *after, const void *spec, struct zset_it *it)
{
    it_init(kv, it);
    if (it->lp) {
        long r = 0;
        it->ep = zlp_last_not_after(it->lp, after, spec, &r);
        it->rank = (uint64_t)r;
    } else {
        uint64_t r;
        it->node = zsl_last_not_after(zsl_of(kv), after, spec, &r);
        it->rank = r - 1;
    }
    return it_valid(it);
}

int zit_next(struct zset_it *it)
{
    if (it->lp)
        it->ep = lp_next(it->lp, lp_next(it->lp, it->ep));
    else
        it->node = zsl_next(it->node);
    it->rank++;
    return it_valid(it);
}

int zit_prev(struct zset_it *it)
{
    if (it->lp)
        it->ep = it->ep == lp_first(it->lp) ? NULL : lp_prev(it->lp, lp_prev(it->lp, it->ep));
    else
        it->node = zsl_prev(it->node);
    it->rank--;
    return it_valid(it);
}

struct zelem zit_elem(struct zset_it *it)
{
    return it->lp ? zlp_elem(it->lp, it->ep, it->buf) : zsl_elem(it->node);
}

/* ---- ranges ------------------------------------------------------------------- */

int zset_range_possible(struct kv *kv, zelem_bound_fn *before, zelem_bound_fn *after, const void *spec)
{
    struct zset_it it;
    uint64_t n = zset_length(kv);
    if (n == 0 || !zit_seek_rank(kv, n - 1, &it))
        return 0;
    struct zelem e = zit_elem(&it);
    if (before(&e, spec) || !zit_seek_rank(kv, 0, &it))
        return 0;
    e = zit_elem(&it);
    return !after(&e, spec);
}

void zset_delete_ranks(struct kv *kv, uint64_t start, uint64_t count)
{
    if (count == 0)
        return;
    if (zset_is_lp(kv))
        set_lp(kv, zlp_delete_ranks(zobj(kv), start, count));
    else
        zsl_delete_rank_range(zsl_of(kv), start + 1, start + count);
}

/* A listpack counts forward from the first element in range while elements stay
 * before the end (zzl); a skiplist subtracts the ranks of the range's ends (zsl).
 * Both first make Redis's quick emptiness check (zset_range_possible). */
uint64_t zset_count_range(struct kv *kv, zelem_bound_fn *before, zelem_bound_fn *after, const void *spec)
{
    struct zset_it first, last;
    if (!zset_range_possible(kv, before, after, spec) || !zit_seek_first(kv, before, spec, &first))
        return 0;
    struct zelem e = zit_elem(&first);
    if (after(&e, spec))
        return 0;
    if (zset_is_lp(kv)) {
        uint64_t n = 1;
        while (zit_next(&first) && (e = zit_elem(&first), !after(&e, spec)))
            n++;
        return n;
    }
    if (!zit_seek_last(kv, after, spec, &last) || last.rank < first.rank)
        return 0;
    return last.rank - first.rank + 1;
}

uint64_t zset_range_by_score(struct kv *kv, const struct zrange_score *r, int reverse, zset_visit_fn *fn,
                             void *arg)
{
    struct zset_it it;
    uint64_t n = 0;
    int ok = !zset_range_possible(kv, zspec_score_before, zspec_score_after, r) ? 0
             : reverse ? zit_seek_last(kv, zspec_score_after, r, &it)
                       : zit_seek_first(kv, zspec_score_before, r, &it);
    for (; ok; ok = reverse ? zit_prev(&it) : zit_next(&it)) {
        struct zelem e = zit_elem(&it);
        if (reverse ? zspec_score_before(&e, r) : zspec_score_after(&e, r))
            break;
        n++;
        if (!fn(&e, arg))
            break;
    }
    return n;
}

/* ---- stores ------------------------------------------------------------------- */

/* A new value object holding v's elements (sorted), in the encoding Redis's
 * zsetConvertToListpackIfNeeded would leave. */
static shm_off_t build_value(const struct zvec *v, enum kv_enc *enc)
{
    struct conf_values *conf = conf_shared();
    size_t total = 0;
    for (size_t i = 0; i < v->n; i++)
        total += v->items[i].len;
    if (v->n <= conf->zset_max_listpack_entries && v->maxlen <= conf->zset_max_listpack_value &&
        zlp_safe_to_add(0, total)) {
        struct lp_builder b;
        lp_builder_init(&b);
        for (size_t i = 0; i < v->n; i++) {
            char buf[64];
            int n = zset_score_text(buf, sizeof(buf), v->items[i].score);
            lp_builder_add(&b, (const unsigned char *)zvec_member(v, i), (uint32_t)v->items[i].len);
            lp_builder_add(&b, (const unsigned char *)buf, (uint32_t)n);
        }
        *enc = KV_ENC_LISTPACK;
        return lp_builder_finish(&b);
    }
    struct zsl_builder b;
    zsl_builder_init(&b);
    for (size_t i = 0; i < v->n; i++)
        zsl_builder_add(&b, v->items[i].score, zvec_member(v, i), v->items[i].len);
    *enc = KV_ENC_SKIPLIST;
    return zsl_builder_finish(&b);
}

void zset_store(struct cmd_ctx *c, int argi, struct zvec *v)
{
    const char *key = c->argv[argi];
    size_t klen = c->argvlen[argi];
    if (v->n == 0) {
        if (db_delete(c->db, key, klen)) {
            notify_keyspace_event(NOTIFY_GENERIC, "del", c->dbid, key, klen);
            c->dirty++;
        }
        return;
    }
    enum kv_enc enc;
    zvec_sort(v);
    shm_off_t obj = build_value(v, &enc);
    db_set(c->db, kv_new_object(key, klen, KV_ZSET, enc, obj), 0);
    notify_keyspace_event(NOTIFY_ZSET, c->cmd->name, c->dbid, key, klen);     /* "zunionstore"... */
    c->dirty++;
}

/* ---- the type's hooks --------------------------------------------------------- */

static void value_free(shm_off_t obj, enum kv_enc enc)
{
    if (enc == KV_ENC_LISTPACK)
        shm_free(obj);
    else
        zsl_free(obj);
}

static shm_off_t value_copy(shm_off_t obj, enum kv_enc enc)
{
    if (enc == KV_ENC_LISTPACK)
        return lp_from_bytes(lp_ptr(obj), lp_bytes(obj));
    return zsl_copy(obj);
}

void zset_type_init(void)
{
    zsl_register_dict_type();
    kv_register_value_free(KV_ZSET, value_free);
    kv_register_value_copy(KV_ZSET, value_copy);
}
