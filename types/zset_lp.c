/* types/zset_lp.c - the listpack encoding of sorted sets (see zset_internal.h):
 * <member><score> pairs sorted by (score, member), a score stored as Redis's d2string
 * text (so integral scores become listpack integers), as zzlInsertAt writes it.
 * Listpacks are copy on write: each change returns a new one. */
#include <stdlib.h>
#include <string.h>

#include "shm/alloc.h"
#include "types/zset_internal.h"
#include "util/numconv.h"

#define ZLP_SAFETY_SIZE (1u << 30)      /* Redis's LISTPACK_MAX_SAFETY_SIZE */

double zlp_score(const unsigned char *sp)
{
    struct lp_value v;
    lp_get(sp, &v);
    if (!v.s)
        return (double)v.v;
    char buf[128];
    size_t n = v.len < sizeof(buf) - 1 ? v.len : sizeof(buf) - 1;
    memcpy(buf, v.s, n);
    buf[n] = '\0';
    return strtod(buf, NULL);
}

struct zelem zlp_elem(shm_off_t lp, unsigned char *ep, unsigned char *buf)
{
    uint32_t len;
    const unsigned char *s = lp_get_str(ep, &len, buf);
    return (struct zelem){ (const char *)s, len, zlp_score(lp_next(lp, ep)) };
}

unsigned char *zlp_find(shm_off_t lp, const char *m, size_t len, long *rank)
{
    long r = 0;
    for (unsigned char *ep = lp_first(lp); ep; ep = lp_next(lp, lp_next(lp, ep)), r++) {
        if (lp_eq(ep, (const unsigned char *)m, (uint32_t)len)) {
            *rank = r;
            return ep;
        }
    }
    return NULL;
}

int zset_score_text(char *buf, size_t len, double score)
{
    return d2string(buf, len, score == 0 ? 0.0 : score);
}

static void add_score(struct lp_builder *b, double score)
{
    char buf[64];
    int n = zset_score_text(buf, sizeof(buf), score);
    lp_builder_add(b, (const unsigned char *)buf, (uint32_t)n);
}

shm_off_t zlp_insert(shm_off_t lp, double score, const char *m, size_t len)
{
    struct lp_builder b;
    unsigned char buf[LP_INTBUF_SIZE];
    struct zelem k = { m, len, score };
    int placed = 0;
    lp_builder_init(&b);
    for (unsigned char *ep = lp_first(lp); ep; ep = lp_next(lp, lp_next(lp, ep))) {
        if (!placed) {
            struct zelem e = zlp_elem(lp, ep, buf);
            if (e.score > score || (e.score == score && zset_memcmp(e.m, e.len, m, len) > 0)) {
                lp_builder_add(&b, (const unsigned char *)k.m, (uint32_t)k.len);
                add_score(&b, k.score);
                placed = 1;
            }
        }
        lp_builder_add_entry(&b, ep);
        lp_builder_add_entry(&b, lp_next(lp, ep));
    }
    if (!placed) {
        lp_builder_add(&b, (const unsigned char *)m, (uint32_t)len);
        add_score(&b, score);
    }
    shm_free(lp);
    return lp_builder_finish(&b);
}

shm_off_t zlp_delete_ranks(shm_off_t lp, uint64_t start, uint64_t count)
{
    return lp_delete_range(lp, (long)(2 * start), (unsigned long)(2 * count));
}

unsigned char *zlp_first_not_before(shm_off_t lp, zelem_bound_fn *before, const void *spec, long *rank)
{
    unsigned char buf[LP_INTBUF_SIZE];
    long r = 0;
    for (unsigned char *ep = lp_first(lp); ep; ep = lp_next(lp, lp_next(lp, ep)), r++) {
        struct zelem e = zlp_elem(lp, ep, buf);
        if (!before(&e, spec)) {
            *rank = r;
            return ep;
        }
    }
    return NULL;
}

unsigned char *zlp_last_not_after(shm_off_t lp, zelem_bound_fn *after, const void *spec, long *rank)
{
    unsigned char buf[LP_INTBUF_SIZE];
    long r = (long)lp_length(lp) / 2 - 1;
    unsigned char *sp = lp_last(lp);
    for (; sp; sp = lp_prev(lp, lp_prev(lp, sp)), r--) {
        unsigned char *ep = lp_prev(lp, sp);
        struct zelem e = zlp_elem(lp, ep, buf);
        if (!after(&e, spec)) {
            *rank = r;
            return ep;
        }
    }
    return NULL;
}

int zlp_safe_to_add(size_t lp_bytes, size_t add) { return lp_bytes + add <= ZLP_SAFETY_SIZE; }
