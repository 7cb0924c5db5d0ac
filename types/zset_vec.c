/* types/zset_vec.c - private vectors of sorted-set elements (copies of the members in
 * one growing pool, so a million elements cost two allocations) and the reply shapes
 * of member/score lists (see zset_internal.h). */
#include <stdio.h>
#include <stdlib.h>

#include "types/zset_internal.h"

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    p = realloc(p, n * elem);
    if (!p) {
        fprintf(stderr, "zvec: out of private memory\n");
        abort();
    }
    *cap = n;
    return p;
}

void zvec_push(struct zvec *v, const char *m, size_t len, double score)
{
    v->items = grow(v->items, &v->cap, v->n + 1, sizeof(*v->items));
    v->pool = grow(v->pool, &v->size, v->used + len + 1, 1);
    memcpy(v->pool + v->used, m, len);
    v->items[v->n++] = (struct zvec_item){ v->used, len, score };
    v->used += len;
    if (len > v->maxlen)
        v->maxlen = len;
}

static int item_cmp(const void *a, const void *b, void *pool)
{
    const struct zvec_item *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? -1 : 1;
    return zset_memcmp((char *)pool + x->off, x->len, (char *)pool + y->off, y->len);
}

void zvec_sort(struct zvec *v)
{
    if (v->n > 1)
        qsort_r(v->items, v->n, sizeof(*v->items), item_cmp, v->pool);
}

void zvec_free(struct zvec *v)
{
    free(v->items);
    free(v->pool);
    memset(v, 0, sizeof(*v));
}

void zset_reply_len(struct reply *r, long n, int withscores)
{
    reply_array(r, withscores && r->resp == 2 ? 2 * n : n);
}

void zset_reply_elem(struct reply *r, const struct zelem *e, int withscores)
{
    if (withscores && r->resp > 2)
        reply_array(r, 2);
    reply_bulk(r, e->m, e->len);
    if (withscores)
        reply_double(r, e->score);
}

void zset_reply_defer_end(struct reply *r, size_t handle, long n, int withscores)
{
    reply_defer_end(r, handle, '*', withscores && r->resp == 2 ? 2 * n : n);
}
