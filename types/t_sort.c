/* types/t_sort.c - SORT and SORT_RO with Redis 7.0.15's semantics (checked against
 * the real server):
 *  - options are parsed first (syntax errors win over WRONGTYPE); a missing key sorts
 *    as an empty list;
 *  - BY with a pattern without '*' means "don't sort": lists and sorted sets keep
 *    their order (reversed by DESC, LIMIT applied directly), sets too, except with
 *    STORE or inside a script, where Redis forces an ALPHA sort so the result is
 *    deterministic;
 *  - numeric sorting parses each value with strtod (a value that is not a whole
 *    number, NaN or out of range fails the command after the sort, as Redis does);
 *    equal scores are ordered by the elements' bytes; a BY key that is missing
 *    scores 0 (sorts first with ALPHA);
 *  - a sorted set is converted to the skiplist encoding first (Redis does it
 *    destructively, and OBJECT ENCODING shows it);
 *  - STORE writes a list (GET values that are missing become empty strings) or
 *    deletes the destination when the result is empty.
 * The elements and sort keys are copied into private memory; the sort itself uses
 * qsort_r.  Collation is byte order (Redis's strcoll under the C/C.UTF-8 locale).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "conf/shared.h"
#include "shm/alloc.h"
#include "types/hash_value.h"
#include "types/object.h"
#include "types/quicklist.h"
#include "types/set_value.h"
#include "types/t_sort.h"
#include "types/t_zset.h"

struct sort_req {
    int desc, alpha, dontsort;
    long long lstart, lcount;
    int by;                         /* argv index of the BY pattern, 0 when none */
    int store;                      /* argv index of the destination, 0 when none */
    int *gets;                      /* argv indexes of the GET patterns */
    int ngets;
};

struct sort_item {
    size_t off, len;                /* the element's bytes in the pool */
    size_t coff, clen;              /* the BY value's bytes (ALPHA with BY) */
    int has_cmp;
    double score;
};

struct sort_vec {
    struct sort_item *items;
    size_t n, cap;
    char *pool;
    size_t used, size;
};

/* ---- the vector ----------------------------------------------------------------- */

static size_t pool_add(struct sort_vec *v, const char *s, size_t len)
{
    if (v->used + len > v->size) {
        v->size = (v->used + len) * 2 + 64;
        v->pool = realloc(v->pool, v->size);
    }
    if (len)
        memcpy(v->pool + v->used, s, len);
    v->used += len;
    return v->used - len;
}

static void vec_push(struct sort_vec *v, const char *s, size_t len)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 16;
        v->items = realloc(v->items, v->cap * sizeof(*v->items));
    }
    v->items[v->n++] = (struct sort_item){ .off = pool_add(v, s, len), .len = len };
}

static const char *item_bytes(const struct sort_vec *v, const struct sort_item *it) { return v->pool + it->off; }

/* ---- patterns ----------------------------------------------------------------------- */

/* The value a pattern names for element sub (Redis's lookupKeyByPattern): "#" is the
 * element itself; the first '*' is replaced by it; "key->field" reads a hash field.
 * Returns 0 when there is no such value; bytes may be written into buf. */
static int pattern_value(struct cmd_ctx *c, int pi, const char *sub, size_t slen, char *buf, size_t bufsize,
                         const char **out, size_t *outlen)
{
    const char *pat = c->argv[pi];
    size_t plen = c->argvlen[pi], clen = strnlen(pat, plen);
    if (clen == 1 && pat[0] == '#') {
        *out = sub, *outlen = slen;
        return 1;
    }
    const char *star = memchr(pat, '*', clen), *arrow = NULL;
    if (!star)
        return 0;
    for (const char *f = star + 1; f + 1 < pat + clen; f++)
        if (f[0] == '-' && f[1] == '>') {
            arrow = f + 2 < pat + clen ? f : NULL;
            break;
        }
    size_t prefix = (size_t)(star - pat), flen = arrow ? plen - (size_t)(arrow - pat) - 2 : 0;
    size_t postfix = plen - prefix - 1 - (arrow ? flen + 2 : 0), klen = prefix + slen + postfix;
    char *key = malloc(klen + 1);
    memcpy(key, pat, prefix);
    memcpy(key + prefix, sub, slen);
    memcpy(key + prefix + slen, star + 1, postfix);
    struct kv *kv = db_lookup_read(c->db, key, klen);
    free(key);
    if (!kv || kv->type != (arrow ? KV_HASH : KV_STRING))
        return 0;
    if (!arrow) {
        *out = kv_string(kv, buf, outlen);
        return 1;
    }
    struct hashv h = hashv_of(kv);
    struct coll_elem e;
    if (bufsize < COLL_INTBUF || !hashv_get(&h, arrow + 2, flen, &e))
        return 0;
    *out = coll_text(&e, buf, outlen);
    return 1;
}

/* ---- parsing -------------------------------------------------------------------- */

/* Parses the options from argv[2] on; 0 after replying an error. */
static int parse_sort(struct cmd_ctx *c, struct sort_req *q, int readonly)
{
    for (int j = 2; j < c->argc; j++) {
        int left = c->argc - j - 1;
        if (arg_is(c, j, "asc"))
            q->desc = 0;
        else if (arg_is(c, j, "desc"))
            q->desc = 1;
        else if (arg_is(c, j, "alpha"))
            q->alpha = 1;
        else if (arg_is(c, j, "limit") && left >= 2) {
            if (!arg_ll(c, j + 1, &q->lstart, NULL) || !arg_ll(c, j + 2, &q->lcount, NULL))
                return 0;
            j += 2;
        } else if (!readonly && arg_is(c, j, "store") && left >= 1)
            q->store = ++j;
        else if (arg_is(c, j, "by") && left >= 1) {
            q->by = ++j;
            q->dontsort = memchr(c->argv[j], '*', strnlen(c->argv[j], c->argvlen[j])) == NULL;
        } else if (arg_is(c, j, "get") && left >= 1)
            q->gets[q->ngets++] = ++j;
        else {
            reply_error(c->reply, ERR_SYNTAX);
            return 0;
        }
    }
    return 1;
}

/* ---- loading the elements ----------------------------------------------------------- */

static void load_list(struct kv *kv, struct sort_vec *v, long long from, int forward, long long max)
{
    struct ql_iter it;
    unsigned char buf[LP_INTBUF_SIZE];
    if (!ql_seek(kv_value_off(kv), from, forward, &it))
        return;
    for (; it.p && (max < 0 || (long long)v->n < max); ql_advance(&it)) {
        uint32_t len;
        const unsigned char *s = lp_get_str(it.p, &len, buf);
        vec_push(v, (const char *)s, len);
    }
}

static int load_set_member(const struct coll_elem *m, void *arg)
{
    char buf[COLL_INTBUF];
    size_t len;
    const char *s = coll_text(m, buf, &len);
    vec_push(arg, s, len);
    return 0;
}

struct zload {
    struct sort_vec *v;
    long long skip, max;            /* max < 0: all */
};

static int load_zset_member(const struct zelem *e, void *arg)
{
    struct zload *z = arg;
    if (z->skip > 0) {
        z->skip--;
        return 1;
    }
    vec_push(z->v, e->m, e->len);
    return z->max < 0 || (long long)z->v->n < z->max;
}

static int build_member(const struct zelem *e, void *arg)
{
    zsl_builder_add(arg, e->score, e->m, e->len);
    return 1;
}

/* Redis sorts a sorted set through its skiplist and leaves it converted. */
static void zset_to_skiplist(struct kv *kv)
{
    if (kv->enc != KV_ENC_LISTPACK)
        return;
    struct zsl_builder b;
    struct zrange_score all = { -INFINITY, INFINITY, 0, 0 };
    zsl_builder_init(&b);
    zset_range_by_score(kv, &all, 0, build_member, &b);
    shm_off_t old = kv_value_off(kv);
    obj_set_value(kv, zsl_builder_finish(&b), KV_ENC_SKIPLIST);
    shm_free(old);
}

/* The LIMIT window over len elements, as Redis computes it: [*start, *end]. */
static void limit_window(const struct sort_req *q, long long len, long long *start, long long *end)
{
    *start = q->lstart < 0 ? 0 : q->lstart;
    if (q->lcount < 0 || __builtin_add_overflow(*start, q->lcount - 1, end))
        *end = len - 1;
    if (*start >= len) {
        *start = len - 1;
        *end = len - 2;
    }
    if (*end >= len)
        *end = len - 1;
}

/* Loads the elements of kv (NULL: an empty list) into v; with dontsort on a list or
 * sorted set, only the LIMIT window, in order, and the window becomes [0, n-1]. */
static void load_elements(struct kv *kv, const struct sort_req *q, struct sort_vec *v, long long *start,
                          long long *end)
{
    if (!kv) {
        limit_window(q, 0, start, end);
        return;
    }
    int type = kv->type;
    long long len = type == KV_LIST ? (long long)ql_count(kv_value_off(kv))
                  : type == KV_SET ? (long long)setv_size(&(struct setv){ kv_value_off(kv), (enum kv_enc)kv->enc })
                                   : (long long)zset_length(kv);
    limit_window(q, len, start, end);
    int direct = q->dontsort && type != KV_SET;
    long long want = direct ? *end - *start + 1 : -1;
    if (direct && want <= 0) {
        *start = 0, *end = -1;
        return;
    }
    if (type == KV_LIST)
        load_list(kv, v, direct ? (q->desc ? len - *start - 1 : *start) : 0, !(direct && q->desc), want);
    else if (type == KV_SET) {
        struct setv s = setv_of(kv);
        setv_foreach(&s, load_set_member, v);
    } else {
        struct zrange_score all = { -INFINITY, INFINITY, 0, 0 };
        struct zload z = { v, direct ? *start : 0, want };
        zset_range_by_score(kv, &all, direct && q->desc, load_zset_member, &z);
    }
    if (direct)
        *end -= *start, *start = 0;
}

/* ---- scoring and sorting ---------------------------------------------------------- */

/* strtod over the whole value, as Redis's SORT: 0 when it is not a number. */
static int parse_score(const char *s, size_t len, double *out)
{
    char *copy = malloc(len + 1), *end;
    memcpy(copy, s, len);
    copy[len] = '\0';
    errno = 0;
    *out = strtod(copy, &end);
    int ok = *end == '\0' && errno != ERANGE && !isnan(*out);
    free(copy);
    return ok;
}

/* Computes the sort keys; 0 when a value is not a number. */
static int score_items(struct cmd_ctx *c, const struct sort_req *q, struct sort_vec *v)
{
    int ok = 1;
    char buf[64];
    for (size_t j = 0; j < v->n; j++) {
        struct sort_item *it = &v->items[j];
        const char *val = item_bytes(v, it);
        size_t vlen = it->len;
        if (q->by && !pattern_value(c, q->by, item_bytes(v, it), it->len, buf, sizeof(buf), &val, &vlen))
            continue;
        if (q->alpha) {
            if (q->by) {
                it->coff = pool_add(v, val, vlen);
                it->clen = vlen;
                it->has_cmp = 1;
            }
        } else if (!parse_score(val, vlen, &it->score))
            ok = 0;
    }
    return ok;
}

static int bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int r = memcmp(a, b, alen < blen ? alen : blen);
    return r ? r : alen < blen ? -1 : alen > blen;
}

struct sort_cmp_ctx {
    const struct sort_req *q;
    const struct sort_vec *v;
};

static int compare_items(const void *pa, const void *pb, void *arg)
{
    const struct sort_cmp_ctx *x = arg;
    const struct sort_item *a = pa, *b = pb;
    const char *pool = x->v->pool;
    int cmp;
    if (!x->q->alpha)
        cmp = a->score > b->score ? 1 : a->score < b->score ? -1
                                       : bytes_cmp(pool + a->off, a->len, pool + b->off, b->len);
    else if (!x->q->by)
        cmp = bytes_cmp(pool + a->off, a->len, pool + b->off, b->len);
    else if (!a->has_cmp || !b->has_cmp)
        cmp = a->has_cmp == b->has_cmp ? 0 : !a->has_cmp ? -1 : 1;
    else
        cmp = bytes_cmp(pool + a->coff, a->clen, pool + b->coff, b->clen);
    return x->q->desc ? -cmp : cmp;
}

/* ---- output ------------------------------------------------------------------------- */

static void reply_result(struct cmd_ctx *c, const struct sort_req *q, struct sort_vec *v, long long start,
                         long long end)
{
    long long n = end - start + 1;
    reply_array(c->reply, q->ngets ? q->ngets * n : n);
    char buf[64];
    for (long long j = start; j <= end; j++) {
        const struct sort_item *it = &v->items[j];
        if (!q->ngets)
            reply_bulk(c->reply, item_bytes(v, it), it->len);
        for (int g = 0; g < q->ngets; g++) {
            const char *val;
            size_t vlen;
            if (pattern_value(c, q->gets[g], item_bytes(v, it), it->len, buf, sizeof(buf), &val, &vlen))
                reply_bulk(c->reply, val, vlen);
            else
                reply_null(c->reply);
        }
    }
}

/* Replaces the destination with a list of the results (GET values missing: empty
 * strings), or deletes it when there are none. */
static void store_result(struct cmd_ctx *c, const struct sort_req *q, struct sort_vec *v, long long start,
                         long long end)
{
    struct sort_vec out = { 0 };
    char buf[64];
    for (long long j = start; j <= end; j++) {
        const struct sort_item *it = &v->items[j];
        if (!q->ngets)
            vec_push(&out, item_bytes(v, it), it->len);
        for (int g = 0; g < q->ngets; g++) {
            const char *val;
            size_t vlen;
            if (!pattern_value(c, q->gets[g], item_bytes(v, it), it->len, buf, sizeof(buf), &val, &vlen))
                val = "", vlen = 0;
            vec_push(&out, val, vlen);
        }
    }
    const char *key = c->argv[q->store];
    size_t klen = c->argvlen[q->store];
    int existed = db_delete(c->db, key, klen);
    if (out.n) {
        const char **vals = malloc(out.n * sizeof(*vals));
        size_t *lens = malloc(out.n * sizeof(*lens));
        for (size_t i = 0; i < out.n; i++)
            vals[i] = item_bytes(&out, &out.items[i]), lens[i] = out.items[i].len;
        const struct conf_values *conf = conf_shared();
        shm_off_t ql = ql_new(conf->list_max_listpack_size, conf->list_compress_depth);
        ql_push(ql, QL_TAIL, vals, lens, out.n);
        db_add(c->db, kv_new_object(key, klen, KV_LIST, KV_ENC_QUICKLIST, ql));
        c->dirty += out.n;
        free(vals);
        free(lens);
    } else
        c->dirty += (uint64_t)existed;
    reply_int(c->reply, (long long)out.n);
    free(out.items);
    free(out.pool);
}

static void sort_generic(struct cmd_ctx *c, int readonly)
{
    struct sort_req q = { .lstart = 0, .lcount = -1, .gets = malloc(sizeof(int) * (size_t)c->argc) };
    struct sort_vec v = { 0 };
    if (!parse_sort(c, &q, readonly))
        goto done;
    struct kv *kv = db_lookup_read(c->db, c->argv[1], c->argvlen[1]);
    if (kv && kv->type != KV_LIST && kv->type != KV_SET && kv->type != KV_ZSET) {
        reply_error(c->reply, ERR_WRONGTYPE);
        goto done;
    }
    if (q.dontsort && kv && kv->type == KV_SET && (q.store || !c->client))
        q.dontsort = 0, q.alpha = 1, q.by = 0;     /* deterministic for replicas and scripts */
    if (kv && kv->type == KV_ZSET)
        zset_to_skiplist(kv);
    long long start, end;
    load_elements(kv, &q, &v, &start, &end);
    int numbers_ok = 1;
    if (!q.dontsort) {
        numbers_ok = score_items(c, &q, &v);
        struct sort_cmp_ctx x = { &q, &v };
        if (v.n > 1)
            qsort_r(v.items, v.n, sizeof(*v.items), compare_items, &x);
    }
    if (!numbers_ok)
        reply_error(c->reply, "ERR One or more scores can't be converted into double");
    else if (q.store)
        store_result(c, &q, &v, start, end);
    else
        reply_result(c, &q, &v, start, end);
done:
    free(q.gets);
    free(v.items);
    free(v.pool);
}

/* SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]]
 *   [ASC | DESC] [ALPHA] [STORE destination] */
static void sort_command(struct cmd_ctx *c) { sort_generic(c, 0); }
/* SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]]
 *   [ASC | DESC] [ALPHA] */
static void sort_ro_command(struct cmd_ctx *c) { sort_generic(c, 1); }

#define C_SORT "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the " \
    "number of returned elements. When the elements are not sorted, complexity is O(N)."

const struct command sort_commands[] = {
    { "sort", sort_command, -2, CMD_WRITE | CMD_DENYOOM, 1, 1, 1, "generic", "1.0.0",
      "Sort the elements in a list, set or sorted set", C_SORT, "@write @set @sortedset @list @slow @dangerous",
      NULL, NULL },
    { "sort_ro", sort_ro_command, -2, CMD_READONLY, 1, 1, 1, "generic", "7.0.0",
      "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", C_SORT,
      "@read @set @sortedset @list @slow @dangerous", NULL, NULL },
    { NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};
