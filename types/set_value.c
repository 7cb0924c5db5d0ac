/* types/set_value.c - set values: intset or table encoding, conversion, iteration,
 * random members, the kv free/copy hooks (see set_value.h). */
#include <stdlib.h>
#include <string.h>

#include "conf/shared.h"
#include "shm/alloc.h"
#include "shm/intset.h"
#include "types/object.h"
#include "types/set_value.h"
#include "util/rand.h"

#define INTSET_HARD_MAX (1ULL << 30)    /* Redis's cap on set-max-intset-entries */
#define INTSET_HEADER 8                 /* encoding u32, length u32 */

/* ---- the table encoding ---------------------------------------------------------- */

static inline struct dict *table_of(const struct setv *s) { return shm_ptr(s->obj); }
static inline struct set_entry *entry_at(shm_off_t off) { return shm_ptr(off); }

static const void *entry_key(shm_off_t off, size_t *len)
{
    struct set_entry *e = entry_at(off);
    *len = e->len;
    return e->data;
}

static const struct dict_type set_dict_type = { "set", entry_key, shm_free };

static shm_off_t entry_new(const char *s, size_t len)
{
    shm_off_t off = shm_alloc(sizeof(struct set_entry) + len);
    struct set_entry *e = entry_at(off);
    e->link.next = 0;
    e->len = (uint32_t)len;
    memcpy(e->data, s, len);
    return off;
}

static struct coll_elem entry_elem(shm_off_t off)
{
    struct set_entry *e = entry_at(off);
    return coll_str(e->data, e->len);
}

static int table_add(struct dict *d, const struct coll_elem *m)
{
    char buf[COLL_INTBUF];
    size_t len;
    const char *s = coll_text(m, buf, &len);
    if (dict_find(d, s, len))
        return 0;
    dict_add(d, entry_new(s, len));
    return 1;
}

static int table_remove(struct dict *d, const struct coll_elem *m)
{
    char buf[COLL_INTBUF];
    size_t len;
    const char *s = coll_text(m, buf, &len);
    shm_off_t e = dict_unlink(d, s, len);
    shm_free(e);
    return e != 0;
}

/* ---- the intset encoding ---------------------------------------------------------- */

static uint64_t max_intset_entries(void)
{
    unsigned long long m = conf_shared()->set_max_intset_entries;
    return m > INTSET_HARD_MAX ? INTSET_HARD_MAX : m;
}

/* Rebuilds the set in the table encoding (Redis's setTypeConvert). */
static void to_table(struct setv *s)
{
    shm_off_t t = coll_dict_new(DICT_TYPE_SET);
    uint32_t n = intset_length(s->obj);
    for (uint32_t i = 0; i < n; i++) {
        struct coll_elem m = coll_int(intset_get(s->obj, i));
        table_add(shm_ptr(t), &m);
    }
    shm_free(s->obj);
    s->obj = t;
    s->enc = KV_ENC_HT;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* A new intset holding is's members but the n sorted values in drop (all members),
 * in is's width: <encoding><length><little-endian values> (shm/intset.h). */
static shm_off_t intset_without(shm_off_t is, const long long *drop, uint64_t n)
{
    const unsigned char *src = intset_ptr(is);
    uint32_t width = (uint32_t)src[0] | (uint32_t)src[1] << 8 | (uint32_t)src[2] << 16 | (uint32_t)src[3] << 24;
    uint32_t len = intset_length(is), kept = len - (uint32_t)n;
    unsigned char *buf = malloc(INTSET_HEADER + (size_t)kept * width);
    if (!buf)
        abort();
    memcpy(buf, src, 4);
    for (int b = 0; b < 4; b++)
        buf[4 + b] = (unsigned char)(kept >> (8 * b));
    unsigned char *out = buf + INTSET_HEADER;
    for (uint32_t i = 0, d = 0; i < len; i++) {
        int64_t v = intset_get(is, i);
        if (d < n && drop[d] == v) {
            d++;
            continue;
        }
        for (uint32_t b = 0; b < width; b++)
            *out++ = (unsigned char)((uint64_t)v >> (8 * b));
    }
    shm_off_t res = intset_from_bytes(buf, INTSET_HEADER + (size_t)kept * width);
    free(buf);
    return res;
}

/* ---- handles ------------------------------------------------------------------------ */

void setv_store(struct kv *kv, struct setv s)
{
    if (s.obj != kv_value_off(kv) || s.enc != kv->enc)
        obj_set_value(kv, s.obj, s.enc);
}

struct setv setv_new_intset(void) { return (struct setv){ intset_new(), KV_ENC_INTSET }; }

struct setv setv_new_for(const struct coll_elem *first)
{
    long long v;
    if (coll_as_ll(first, &v))
        return setv_new_intset();
    return (struct setv){ coll_dict_new(DICT_TYPE_SET), KV_ENC_HT };
}

uint64_t setv_size(const struct setv *s)
{
    return s->enc == KV_ENC_INTSET ? intset_length(s->obj) : dict_size(table_of(s));
}

int setv_contains(const struct setv *s, const struct coll_elem *m)
{
    long long v;
    if (s->enc == KV_ENC_INTSET)
        return coll_as_ll(m, &v) && intset_find(s->obj, v);
    char buf[COLL_INTBUF];
    size_t len;
    const char *t = coll_text(m, buf, &len);
    return dict_find(table_of(s), t, len) != 0;
}

int setv_add(struct setv *s, const struct coll_elem *m)
{
    long long v;
    if (s->enc == KV_ENC_INTSET) {
        if (coll_as_ll(m, &v)) {
            int added;
            s->obj = intset_add(s->obj, v, &added);
            if (added && intset_length(s->obj) > max_intset_entries())
                to_table(s);
            return added;
        }
        to_table(s);
    }
    return table_add(table_of(s), m);
}

int setv_remove(struct setv *s, const struct coll_elem *m)
{
    long long v;
    if (s->enc == KV_ENC_INTSET) {
        int removed = 0;
        if (coll_as_ll(m, &v))
            s->obj = intset_remove(s->obj, v, &removed);
        return removed;
    }
    int removed = table_remove(table_of(s), m);
    if (removed)
        dict_shrink_if_needed(table_of(s));
    return removed;
}

void setv_remove_members(struct setv *s, const struct coll_elem *m, uint64_t n)
{
    if (s->enc == KV_ENC_HT) {
        for (uint64_t i = 0; i < n; i++)
            table_remove(table_of(s), &m[i]);
        dict_shrink_if_needed(table_of(s));
        return;
    }
    long long *drop = malloc((n ? n : 1) * sizeof(*drop));
    if (!drop)
        abort();
    for (uint64_t i = 0; i < n; i++)
        drop[i] = m[i].v;
    qsort(drop, n, sizeof(*drop), cmp_ll);
    shm_off_t is = intset_without(s->obj, drop, n);
    free(drop);
    shm_free(s->obj);
    s->obj = is;
}

/* ---- reading ------------------------------------------------------------------------ */

struct visit {
    setv_visit_fn *fn;
    void *arg;
};

static int visit_entry(shm_off_t entry, void *arg)
{
    struct visit *v = arg;
    struct coll_elem m = entry_elem(entry);
    return v->fn(&m, v->arg);
}

void setv_foreach(const struct setv *s, setv_visit_fn *fn, void *arg)
{
    if (s->enc == KV_ENC_INTSET) {
        uint32_t n = intset_length(s->obj);
        for (uint32_t i = 0; i < n; i++) {
            struct coll_elem m = coll_int(intset_get(s->obj, i));
            if (fn(&m, arg))
                return;
        }
        return;
    }
    struct visit v = { fn, arg };
    coll_dict_walk(table_of(s), visit_entry, &v);
}

struct coll_elem setv_random(const struct setv *s)
{
    if (s->enc == KV_ENC_INTSET)
        return coll_int(intset_get(s->obj, (uint32_t)rand_below(intset_length(s->obj))));
    return entry_elem(dict_random(table_of(s), rand_u64));
}

void setv_sample(const struct setv *s, uint64_t count, struct coll_elem *out)
{
    uint64_t *picks = malloc((count ? count : 1) * sizeof(*picks));
    if (!picks)
        abort();
    if (s->enc == KV_ENC_INTSET) {
        coll_sample_indices(intset_length(s->obj), count, picks);
        for (uint64_t i = 0; i < count; i++)
            out[i] = coll_int(intset_get(s->obj, (uint32_t)picks[i]));
    } else {
        coll_sample_dict(table_of(s), count, picks);
        for (uint64_t i = 0; i < count; i++)
            out[i] = entry_elem(picks[i]);
    }
    free(picks);
}

static void scan_entry(shm_off_t entry, void *arg) { coll_scan_add(arg, entry_elem(entry)); }

uint64_t setv_scan(const struct setv *s, uint64_t cursor, struct coll_scan *scan)
{
    if (s->enc == KV_ENC_HT)
        return coll_scan_dict(table_of(s), cursor, scan, scan_entry);
    uint32_t n = intset_length(s->obj);
    for (uint32_t i = 0; i < n; i++)
        coll_scan_add(scan, coll_int(intset_get(s->obj, i)));
    return 0;
}

/* ---- kv hooks ----------------------------------------------------------------------- */

static void setv_free(shm_off_t obj, enum kv_enc enc)
{
    if (enc == KV_ENC_HT)
        coll_dict_free(obj);
    else
        shm_free(obj);
}

void setv_discard(struct setv s) { setv_free(s.obj, s.enc); }

static size_t entry_size(shm_off_t off) { return sizeof(struct set_entry) + entry_at(off)->len; }

static shm_off_t setv_copy(shm_off_t obj, enum kv_enc enc)
{
    if (enc == KV_ENC_INTSET)
        return intset_from_bytes(intset_ptr(obj), intset_bytes(obj));
    return coll_dict_copy(obj, DICT_TYPE_SET, entry_size);
}

void setv_register(void)
{
    dict_register_type(DICT_TYPE_SET, &set_dict_type);
    kv_register_value_free(KV_SET, setv_free);
    kv_register_value_copy(KV_SET, setv_copy);
}
