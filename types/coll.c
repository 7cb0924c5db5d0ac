/* types/coll.c - helpers the collection types share: elements, SCAN over a
 * collection, table encodings, distinct random picks (see coll.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm/alloc.h"
#include "types/coll.h"
#include "util/glob.h"
#include "util/numconv.h"
#include "util/rand.h"

static void out_of_memory(void)
{
    fprintf(stderr, "types/coll: out of private memory\n");
    abort();
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

/* ---- elements ------------------------------------------------------------------ */

struct coll_elem coll_from_lp(const unsigned char *p)
{
    struct lp_value v;
    lp_get(p, &v);
    return v.s ? coll_str((const char *)v.s, v.len) : coll_int(v.v);
}

const char *coll_text(const struct coll_elem *e, char *buf, size_t *len)
{
    if (e->s) {
        *len = e->len;
        return e->s;
    }
    *len = (size_t)ll2string(buf, COLL_INTBUF, e->v);
    return buf;
}

int coll_as_ll(const struct coll_elem *e, long long *v)
{
    if (!e->s) {
        *v = e->v;
        return 1;
    }
    return string2ll(e->s, e->len, v);
}

size_t coll_len(const struct coll_elem *e)
{
    char buf[COLL_INTBUF];
    size_t len;
    coll_text(e, buf, &len);
    return len;
}

void coll_reply(struct reply *r, const struct coll_elem *e)
{
    if (e->s)
        reply_bulk(r, e->s, e->len);
    else
        reply_bulk_ll(r, e->v);
}

/* ---- SCAN ---------------------------------------------------------------------- */

int coll_scan_cursor(struct cmd_ctx *c, int argi, uint64_t *cursor)
{
    char buf[64];
    const char *s = c->argv[argi];
    size_t len = c->argvlen[argi];
    char *end;
    if (len >= sizeof(buf) || (len > 0 && memchr(" \t\n\v\f\r", s[0], 6))) {
        reply_error(c->reply, "ERR invalid cursor");
        return 0;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    *cursor = strtoull(buf, &end, 10);
    if (*end != '\0' || errno == ERANGE) {
        reply_error(c->reply, "ERR invalid cursor");
        return 0;
    }
    return 1;
}

int coll_scan_options(struct cmd_ctx *c, int first, int stride, struct coll_scan *s)
{
    memset(s, 0, sizeof(*s));
    s->count = 10;
    s->stride = stride;
    for (int i = first; i < c->argc; i += 2) {
        if (i + 1 < c->argc && arg_is(c, i, "count")) {
            if (!arg_ll(c, i + 1, &s->count, NULL))
                return 0;
            if (s->count < 1) {
                reply_error(c->reply, ERR_SYNTAX);
                return 0;
            }
        } else if (i + 1 < c->argc && arg_is(c, i, "match")) {
            s->pattern = c->argv[i + 1];
            s->plen = c->argvlen[i + 1];
        } else {
            reply_error(c->reply, ERR_SYNTAX);
            return 0;
        }
    }
    if (s->pattern && s->plen == 1 && s->pattern[0] == '*')
        s->pattern = NULL;
    return 1;
}

void coll_scan_add(struct coll_scan *s, struct coll_elem e)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 32;
        s->items = xrealloc(s->items, s->cap * sizeof(*s->items));
    }
    s->items[s->n++] = e;
}

uint64_t coll_scan_dict(const struct dict *d, uint64_t cursor, struct coll_scan *s, dict_scan_fn *fn)
{
    long long budget = s->count > LLONG_MAX / 10 ? LLONG_MAX : s->count * 10;
    do {
        cursor = dict_scan(d, cursor, fn, s);
    } while (cursor != 0 && budget-- > 0 && s->n < (unsigned long long)s->count);
    return cursor;
}

static int scan_match(const struct coll_scan *s, const struct coll_elem *e)
{
    if (!s->pattern)
        return 1;
    char buf[COLL_INTBUF];
    size_t len;
    const char *t = coll_text(e, buf, &len);
    return glob_match(s->pattern, s->plen, t, len, 0);
}

static void reply_cursor(struct cmd_ctx *c, uint64_t cursor)
{
    char buf[COLL_INTBUF];
    reply_array(c->reply, 2);
    reply_bulk(c->reply, buf, (size_t)ull2string(buf, sizeof(buf), cursor));
}

void coll_scan_reply(struct cmd_ctx *c, struct coll_scan *s, uint64_t cursor)
{
    size_t kept = 0, stride = (size_t)s->stride;
    for (size_t i = 0; i + stride <= s->n; i += stride) {
        if (scan_match(s, &s->items[i])) {
            memmove(&s->items[kept], &s->items[i], stride * sizeof(*s->items));
            kept += stride;
        }
    }
    reply_cursor(c, cursor);
    reply_array(c->reply, (long)kept);
    for (size_t i = 0; i < kept; i++)
        coll_reply(c->reply, &s->items[i]);
    free(s->items);
    s->items = NULL;
    s->n = s->cap = 0;
}

void coll_scan_reply_empty(struct cmd_ctx *c)
{
    reply_cursor(c, 0);
    reply_array(c->reply, 0);
}

/* ---- table encodings ------------------------------------------------------------ */

shm_off_t coll_dict_new(uint32_t type)
{
    shm_off_t off = shm_alloc(sizeof(struct dict));
    dict_init(shm_ptr(off), type);
    return off;
}

void coll_dict_free(shm_off_t d)
{
    dict_release(shm_ptr(d));
    shm_free(d);
}

struct walk {
    coll_entry_fn *fn;
    void *arg;
    int stop;
};

static void walk_entry(shm_off_t entry, void *arg)
{
    struct walk *w = arg;
    if (!w->stop)
        w->stop = w->fn(entry, w->arg);
}

void coll_dict_walk(const struct dict *d, coll_entry_fn *fn, void *arg)
{
    struct walk w = { fn, arg, 0 };
    uint64_t cursor = 0;
    do {
        cursor = dict_scan(d, cursor, walk_entry, &w);
    } while (cursor != 0 && !w.stop);
}

struct copy {
    struct dict *dst;
    size_t (*entry_size)(shm_off_t entry);
};

static int copy_entry(shm_off_t entry, void *arg)
{
    struct copy *cp = arg;
    size_t size = cp->entry_size(entry);
    shm_off_t e = shm_alloc(size);
    memcpy(shm_ptr(e), shm_ptr(entry), size);
    ((struct dict_link *)shm_ptr(e))->next = 0;
    dict_add(cp->dst, e);
    return 0;
}

shm_off_t coll_dict_copy(shm_off_t d, uint32_t type, size_t (*entry_size)(shm_off_t entry))
{
    shm_off_t off = coll_dict_new(type);
    struct copy cp = { shm_ptr(off), entry_size };
    coll_dict_walk(shm_ptr(d), copy_entry, &cp);
    return off;
}

struct entries {
    shm_off_t *a;
    uint64_t n;
};

static int collect_entry(shm_off_t entry, void *arg)
{
    struct entries *e = arg;
    e->a[e->n++] = entry;
    return 0;
}

/* Every entry of d, in bucket order; *n gets their number.  Free the array. */
static shm_off_t *dict_entries(const struct dict *d, uint64_t *n)
{
    struct entries e = { xrealloc(NULL, dict_size(d) * sizeof(shm_off_t)), 0 };
    coll_dict_walk(d, collect_entry, &e);
    *n = e.n;
    return e.a;
}

/* ---- random picks -------------------------------------------------------------- */

/* A private open-addressing set of 64-bit values (stored + 1, so 0 means empty). */
struct u64set {
    uint64_t *slots;
    uint64_t mask;
};

static void u64set_init(struct u64set *set, uint64_t expected)
{
    uint64_t size = 16;
    while (size < expected * 2)
        size <<= 1;
    set->slots = calloc(size, sizeof(uint64_t));
    if (!set->slots)
        out_of_memory();
    set->mask = size - 1;
}

/* Adds v; returns 1 if it was not there. */
static int u64set_add(struct u64set *set, uint64_t v)
{
    uint64_t i = (v * 0x9E3779B97F4A7C15ULL) >> 17;
    for (;; i++) {
        uint64_t *slot = &set->slots[i & set->mask];
        if (*slot == v + 1)
            return 0;
        if (*slot == 0) {
            *slot = v + 1;
            return 1;
        }
    }
}

/* Moves a uniformly chosen subset of count elements to the front of a[0..n). */
static void partial_shuffle(uint64_t *a, uint64_t n, uint64_t count)
{
    for (uint64_t i = 0; i < count; i++) {
        uint64_t j = i + rand_below(n - i);
        uint64_t t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

void coll_sample_indices(uint64_t n, uint64_t count, uint64_t *out)
{
    if (count * 3 > n) {
        uint64_t *all = xrealloc(NULL, n * sizeof(*all));
        for (uint64_t i = 0; i < n; i++)
            all[i] = i;
        partial_shuffle(all, n, count);
        memcpy(out, all, count * sizeof(*out));
        free(all);
        return;
    }
    /* Floyd's algorithm: count draws, no rejections. */
    struct u64set seen;
    u64set_init(&seen, count);
    uint64_t k = 0;
    for (uint64_t j = n - count; j < n; j++) {
        uint64_t t = rand_below(j + 1);
        if (!u64set_add(&seen, t)) {
            t = j;
            u64set_add(&seen, j);
        }
        out[k++] = t;
    }
    free(seen.slots);
}

void coll_sample_dict(const struct dict *d, uint64_t count, shm_off_t *out)
{
    uint64_t size = dict_size(d);
    if (count * 3 > size) {
        uint64_t n;
        shm_off_t *all = dict_entries(d, &n);
        partial_shuffle(all, n, count);
        memcpy(out, all, count * sizeof(*out));
        free(all);
        return;
    }
    /* Few picks from a large table: draw until count distinct ones came up. */
    struct u64set seen;
    u64set_init(&seen, count);
    for (uint64_t k = 0; k < count;) {
        shm_off_t e = dict_random(d, rand_u64);
        if (u64set_add(&seen, e))
            out[k++] = e;
    }
    free(seen.slots);
}

int coll_count_arg(struct cmd_ctx *c, int argi, long long *count)
{
    if (!arg_ll(c, argi, count, NULL))
        return 0;
    if (*count < -LLONG_MAX) {
        reply_errorf(c->reply, "ERR value is out of range, value must between %lld and %lld", -LLONG_MAX, LLONG_MAX);
        return 0;
    }
    return 1;
}
