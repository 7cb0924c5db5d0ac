/* types/zset_spec.c - score and lex range specifications of the sorted-set commands
 * (see zset_internal.h), parsed as Redis 7.0's zslParseRange / zslParseLexRange:
 *  - a score bound is "(" + number (exclusive) or a number, read with strtod up to
 *    the first NUL: leading spaces, "inf", hex and an empty string (0) are accepted,
 *    NaN is not;
 *  - a lex bound is "-" or "+" alone, or "[" / "(" followed by the member bytes.
 * Bounds tell an element below the range's start (before) or past its end (after). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "types/zset_internal.h"

static int parse_score_bound(const char *s, size_t len, double *v, int *ex)
{
    char small[128];
    char *buf = len < sizeof(small) ? small : malloc(len + 1);
    if (!buf)
        abort();
    memcpy(buf, s, len);
    buf[len] = '\0';
    *ex = buf[0] == '(';
    char *end;
    *v = strtod(buf + *ex, &end);
    int ok = *end == '\0' && !isnan(*v);
    if (buf != small)
        free(buf);
    return ok;
}

int zspec_parse_score(const char *min, size_t minlen, const char *max, size_t maxlen, struct zrange_score *r)
{
    return parse_score_bound(min, minlen, &r->min, &r->minex) &&
           parse_score_bound(max, maxlen, &r->max, &r->maxex);
}

static int parse_lex_bound(const char *s, size_t len, const char **p, size_t *plen, int *inf, int *ex)
{
    *p = s + 1;
    *plen = len ? len - 1 : 0;
    *inf = ZLEX_STR;
    *ex = 0;
    if (len == 1 && (s[0] == '-' || s[0] == '+')) {
        *inf = s[0] == '-' ? ZLEX_MIN : ZLEX_MAX;
        return 1;
    }
    if (len == 0 || (s[0] != '(' && s[0] != '['))
        return 0;
    *ex = s[0] == '(';
    return 1;
}

int zspec_parse_lex(const char *min, size_t minlen, const char *max, size_t maxlen, struct zrange_lex *r)
{
    return parse_lex_bound(min, minlen, &r->min, &r->minlen, &r->mininf, &r->minex) &&
           parse_lex_bound(max, maxlen, &r->max, &r->maxlen, &r->maxinf, &r->maxex);
}

int zspec_score_before(const struct zelem *e, const void *spec)
{
    const struct zrange_score *r = spec;
    return r->minex ? e->score <= r->min : e->score < r->min;
}

int zspec_score_after(const struct zelem *e, const void *spec)
{
    const struct zrange_score *r = spec;
    return r->maxex ? e->score >= r->max : e->score > r->max;
}

int zspec_lex_before(const struct zelem *e, const void *spec)
{
    const struct zrange_lex *r = spec;
    if (r->mininf != ZLEX_STR)
        return r->mininf == ZLEX_MAX;
    int cmp = zset_memcmp(e->m, e->len, r->min, r->minlen);
    return r->minex ? cmp <= 0 : cmp < 0;
}

int zspec_lex_after(const struct zelem *e, const void *spec)
{
    const struct zrange_lex *r = spec;
    if (r->maxinf != ZLEX_STR)
        return r->maxinf == ZLEX_MIN;
    int cmp = zset_memcmp(e->m, e->len, r->max, r->maxlen);
    return r->maxex ? cmp >= 0 : cmp > 0;
}
