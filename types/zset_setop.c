/* types/zset_setop.c - ZUNION ZINTER ZDIFF, their STORE forms and ZINTERCARD, as
 * Redis 7.0's zunionInterDiffGenericCommand: inputs are sorted sets or sets (whose
 * members score 1), missing keys are empty; WEIGHTS multiply each input's scores
 * (a NaN product counts as 0), AGGREGATE SUM (inf + -inf gives 0) / MIN / MAX
 * combines them.  Union and intersection visit the inputs smallest first (a stable
 * order, as Redis's qsort), so scores are summed in Redis's order.
 *
 * Results are collected in private memory (types/zset_vec.c), then replied in
 * (score, member) order or stored in the encoding Redis would pick. */
#include <math.h>
#include <stdlib.h>

#include "types/coll.h"
#include "types/set_value.h"
#include "types/zset_internal.h"

enum zop { ZOP_UNION, ZOP_INTER, ZOP_DIFF };
enum zagg { ZAGG_SUM, ZAGG_MIN, ZAGG_MAX };

struct zsrc {
    struct kv *kv;                      /* a zset or a set; NULL when missing */
    double weight;
    int order;                          /* position among the inputs (stable sort) */
};

struct zsetop {
    struct cmd_ctx *c;
    enum zop op;
    int store;                          /* argv[1] is the destination */
    int card_only;                      /* ZINTERCARD */
    int nsrc;
    struct zsrc *src;
    enum zagg agg;
    int withscores;
    long long limit;                    /* ZINTERCARD LIMIT, 0 = none */
    uint64_t card;                      /* ZINTERCARD's count */
    int cur;                            /* union: the input being walked */
    struct zvec out;
    uint64_t *slots;                    /* union: member -> out index + 1 */
    uint64_t mask;
};

/* ---- inputs ------------------------------------------------------------------- */

/* Visits return nonzero to stop the walk. */
typedef int zsrc_visit_fn(const struct zelem *e, void *arg);

struct set_walk {
    zsrc_visit_fn *fn;
    void *arg;
};

static int set_member(const struct coll_elem *m, void *arg)
{
    struct set_walk *w = arg;
    char buf[COLL_INTBUF];
    size_t len;
    const char *t = coll_text(m, buf, &len);
    struct zelem e = { t, len, 1.0 };
    return w->fn(&e, w->arg);
}

static void src_foreach(const struct zsrc *s, zsrc_visit_fn *fn, void *arg)
{
    if (s->kv && s->kv->type == KV_SET) {
        struct setv v = setv_of(s->kv);
        struct set_walk w = { fn, arg };
        setv_foreach(&v, set_member, &w);
        return;
    }
    struct zset_it it;
    for (int ok = s->kv && zit_seek_rank(s->kv, 0, &it); ok; ok = zit_next(&it)) {
        struct zelem e = zit_elem(&it);
        if (fn(&e, arg))
            return;
    }
}

static int src_find(const struct zsrc *s, const struct zelem *e, double *score)
{
    if (!s->kv)
        return 0;
    if (s->kv->type == KV_SET) {
        struct setv v = setv_of(s->kv);
        struct coll_elem m = coll_str(e->m, e->len);
        *score = 1.0;
        return setv_contains(&v, &m);
    }
    return zset_score(s->kv, e->m, e->len, score);
}

static uint64_t src_len(const struct zsrc *s)
{
    if (!s->kv)
        return 0;
    if (s->kv->type == KV_SET) {
        struct setv v = setv_of(s->kv);
        return setv_size(&v);
    }
    return zset_length(s->kv);
}

static int by_length(const void *a, const void *b)
{
    const struct zsrc *x = a, *y = b;
    uint64_t lx = src_len(x), ly = src_len(y);
    if (lx != ly)
        return lx < ly ? -1 : 1;
    return x->order - y->order;
}

/* ---- combining ---------------------------------------------------------------- */

static void aggregate(double *target, double v, enum zagg agg)
{
    if (agg == ZAGG_SUM) {
        *target += v;
        if (isnan(*target))
            *target = 0.0;
    } else if (agg == ZAGG_MIN) {
        *target = v < *target ? v : *target;
    } else {
        *target = v > *target ? v : *target;
    }
}

static double weighted(const struct zsrc *s, double score)
{
    double v = s->weight * score;
    return isnan(v) ? 0.0 : v;
}

static void slots_grow(struct zsetop *op)
{
    uint64_t size = op->mask ? (op->mask + 1) * 2 : 64;
    free(op->slots);
    op->slots = calloc(size, sizeof(uint64_t));
    if (!op->slots)
        abort();
    op->mask = size - 1;
    for (size_t i = 0; i < op->out.n; i++) {
        uint64_t h = dict_hash(zvec_member(&op->out, i), op->out.items[i].len);
        while (op->slots[h & op->mask])
            h++;
        op->slots[h & op->mask] = i + 1;
    }
}

/* Adds e to the union, or aggregates its score into the member's entry. */
static int union_visit(const struct zelem *e, void *arg)
{
    struct zsetop *op = arg;
    double score = weighted(&op->src[op->cur], e->score);
    if ((op->out.n + 1) * 2 > op->mask)
        slots_grow(op);
    uint64_t h = dict_hash(e->m, e->len);
    for (;; h++) {
        uint64_t i = op->slots[h & op->mask];
        if (i == 0) {
            op->slots[h & op->mask] = op->out.n + 1;
            zvec_push(&op->out, e->m, e->len, score);
            return 0;
        }
        struct zvec_item *it = &op->out.items[i - 1];
        if (it->len == e->len && memcmp(zvec_member(&op->out, i - 1), e->m, e->len) == 0) {
            aggregate(&it->score, score, op->agg);
            return 0;
        }
    }
}

static int inter_visit(const struct zelem *e, void *arg)
{
    struct zsetop *op = arg;
    double score = weighted(&op->src[0], e->score), v;
    for (int j = 1; j < op->nsrc; j++) {
        if (!src_find(&op->src[j], e, &v))
            return 0;
        aggregate(&score, v * op->src[j].weight, op->agg);
    }
    if (op->card_only)
        return ++op->card >= (uint64_t)op->limit && op->limit > 0;
    zvec_push(&op->out, e->m, e->len, score);
    return 0;
}

static int diff_visit(const struct zelem *e, void *arg)
{
    struct zsetop *op = arg;
    double v;
    for (int j = 1; j < op->nsrc; j++)
        if (op->src[j].kv == op->src[0].kv || src_find(&op->src[j], e, &v))
            return 0;
    zvec_push(&op->out, e->m, e->len, e->score);
    return 0;
}

static void compute(struct zsetop *op)
{
    if (op->op != ZOP_DIFF)
        qsort(op->src, (size_t)op->nsrc, sizeof(*op->src), by_length);
    if (op->op == ZOP_INTER && src_len(&op->src[0]) > 0)
        src_foreach(&op->src[0], inter_visit, op);
    else if (op->op == ZOP_DIFF)
        src_foreach(&op->src[0], diff_visit, op);
    for (op->cur = 0; op->op == ZOP_UNION && op->cur < op->nsrc; op->cur++)
        src_foreach(&op->src[op->cur], union_visit, op);
}

/* ---- parsing ------------------------------------------------------------------ */

/* numkeys and the keys (each a zset, a set or missing); replies on error. */
static int parse_keys(struct zsetop *op, int numkeys_argi)
{
    struct cmd_ctx *c = op->c;
    long long n;
    if (!arg_ll(c, numkeys_argi, &n, NULL))
        return 0;
    if (n < 1) {
        char name[64];
        command_fullname(c->cmd, name, sizeof(name));
        reply_errorf(c->reply, "ERR at least 1 input key is needed for '%s' command", name);
        return 0;
    }
    if (n > c->argc - numkeys_argi - 1) {
        reply_error(c->reply, ERR_SYNTAX);
        return 0;
    }
    op->nsrc = (int)n;
    op->src = calloc((size_t)n, sizeof(*op->src));
    for (int i = 0; i < op->nsrc; i++) {
        int argi = numkeys_argi + 1 + i;
        struct kv *kv = op->store ? db_lookup_write(c->db, c->argv[argi], c->argvlen[argi])
                                  : db_lookup_read(c->db, c->argv[argi], c->argvlen[argi]);
        if (kv && kv->type != KV_ZSET && kv->type != KV_SET) {
            reply_error(c->reply, ERR_WRONGTYPE);
            return 0;
        }
        op->src[i] = (struct zsrc){ kv, 1.0, i };
    }
    return 1;
}

static int parse_aggregate(struct zsetop *op, int j)
{
    if (arg_is(op->c, j, "sum"))
        op->agg = ZAGG_SUM;
    else if (arg_is(op->c, j, "min"))
        op->agg = ZAGG_MIN;
    else if (arg_is(op->c, j, "max"))
        op->agg = ZAGG_MAX;
    else
        return 0;
    return 1;
}

/* The options after the keys, in Redis's order of tests. */
static int parse_options(struct zsetop *op, int j)
{
    struct cmd_ctx *c = op->c;
    int combine = op->op != ZOP_DIFF && !op->card_only;
    while (j < c->argc) {
        int left = c->argc - j;
        if (combine && left > op->nsrc && arg_is(c, j, "weights")) {
            for (int i = 0; i < op->nsrc; i++)
                if (!arg_double(c, ++j, &op->src[i].weight, "ERR weight value is not a float"))
                    return 0;
            j++;
        } else if (combine && left >= 2 && arg_is(c, j, "aggregate")) {
            if (!parse_aggregate(op, j + 1)) {
                reply_error(c->reply, ERR_SYNTAX);
                return 0;
            }
            j += 2;
        } else if (!op->store && !op->card_only && arg_is(c, j, "withscores")) {
            op->withscores = 1;
            j++;
        } else if (op->card_only && left >= 2 && arg_is(c, j, "limit")) {
            if (!arg_ll(c, j + 1, &op->limit, "ERR LIMIT can't be negative"))
                return 0;
            if (op->limit < 0) {
                reply_error(c->reply, "ERR LIMIT can't be negative");
                return 0;
            }
            j += 2;
        } else {
            reply_error(c->reply, ERR_SYNTAX);
            return 0;
        }
    }
    return 1;
}

/* ---- the commands --------------------------------------------------------------- */

static void reply_result(struct zsetop *op)
{
    struct cmd_ctx *c = op->c;
    if (op->card_only) {
        reply_int(c->reply, (long long)op->card);
        return;
    }
    if (op->store) {
        zset_store(c, 1, &op->out);
        reply_int(c->reply, (long long)op->out.n);
        return;
    }
    zvec_sort(&op->out);
    zset_reply_len(c->reply, (long)op->out.n, op->withscores);
    for (size_t i = 0; i < op->out.n; i++) {
        struct zelem e = { zvec_member(&op->out, i), op->out.items[i].len, op->out.items[i].score };
        zset_reply_elem(c->reply, &e, op->withscores);
    }
}

static void setop_generic(struct cmd_ctx *c, enum zop kind, int store, int card_only)
{
    struct zsetop op = { .c = c, .op = kind, .store = store, .card_only = card_only };
    int numkeys_argi = store ? 2 : 1;
    if (parse_keys(&op, numkeys_argi) && parse_options(&op, numkeys_argi + 1 + op.nsrc)) {
        compute(&op);
        reply_result(&op);
    }
    free(op.src);
    free(op.slots);
    zvec_free(&op.out);
}

/* ZUNION numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES] */
void zunion_command(struct cmd_ctx *c) { setop_generic(c, ZOP_UNION, 0, 0); }
/* ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] */
void zunionstore_command(struct cmd_ctx *c) { setop_generic(c, ZOP_UNION, 1, 0); }
/* ZINTER numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES] */
void zinter_command(struct cmd_ctx *c) { setop_generic(c, ZOP_INTER, 0, 0); }
/* ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight ...] [AGGREGATE SUM|MIN|MAX] */
void zinterstore_command(struct cmd_ctx *c) { setop_generic(c, ZOP_INTER, 1, 0); }
/* ZINTERCARD numkeys key [key ...] [LIMIT limit] */
void zintercard_command(struct cmd_ctx *c) { setop_generic(c, ZOP_INTER, 0, 1); }
/* ZDIFF numkeys key [key ...] [WITHSCORES] */
void zdiff_command(struct cmd_ctx *c) { setop_generic(c, ZOP_DIFF, 0, 0); }
/* ZDIFFSTORE destination numkeys key [key ...] */
void zdiffstore_command(struct cmd_ctx *c) { setop_generic(c, ZOP_DIFF, 1, 0); }
