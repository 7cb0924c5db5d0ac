/* types/hash_value.c - hash values: listpack or table encoding, conversion,
 * iteration, random pairs, the kv free/copy hooks (see hash_value.h). */
#include <stdlib.h>
#include <string.h>

#include "conf/shared.h"
#include "shm/alloc.h"
#include "shm/undo.h"
#include "types/hash_value.h"
#include "types/object.h"
#include "util/rand.h"

#define LISTPACK_SAFE_SIZE (1ULL << 30)     /* Redis's LISTPACK_MAX_SAFETY_SIZE */

/* ---- the table encoding ------------------------------------------------------------ */

static inline struct dict *table_of(const struct hashv *h) { return shm_ptr(h->obj); }
static inline struct hash_entry *entry_at(shm_off_t off) { return shm_ptr(off); }

static const void *entry_key(shm_off_t off, size_t *len)
{
    struct hash_entry *e = entry_at(off);
    *len = e->flen;
    return e->data;
}

static const struct dict_type hash_dict_type = { "hash", entry_key, shm_free };

static shm_off_t entry_new(const char *f, size_t flen, const char *v, size_t vlen)
{
    shm_off_t off = shm_alloc(sizeof(struct hash_entry) + flen + vlen);
    struct hash_entry *e = entry_at(off);
    e->link.next = 0;
    e->flen = (uint32_t)flen;
    e->vlen = (uint32_t)vlen;
    memcpy(e->data, f, flen);
    memcpy(e->data + flen, v, vlen);
    return off;
}

static void entry_pair(shm_off_t off, struct coll_elem *f, struct coll_elem *v)
{
    struct hash_entry *e = entry_at(off);
    *f = coll_str(e->data, e->flen);
    *v = coll_str(e->data + e->flen, e->vlen);
}

static int table_set(struct dict *d, const char *f, size_t flen, const char *v, size_t vlen)
{
    shm_off_t *slot = dict_find_slot(d, f, flen);
    if (!slot) {
        dict_add(d, entry_new(f, flen, v, vlen));
        return 1;
    }
    struct hash_entry *old = entry_at(*slot);
    if (old->vlen == vlen) {                /* same size: overwrite the value in place */
        undo_save(old->data + flen, vlen);
        memcpy(old->data + flen, v, vlen);
        return 0;
    }
    shm_off_t prev = *slot;
    dict_replace_at(slot, entry_new(f, flen, v, vlen));
    shm_free(prev);
    return 0;
}

/* ---- the listpack encoding ----------------------------------------------------------- */

static unsigned long long max_entries(void) { return conf_shared()->hash_max_listpack_entries; }
static unsigned long long max_value(void) { return conf_shared()->hash_max_listpack_value; }

/* The field's entry (its value follows); NULL if absent. */
static unsigned char *lp_field(shm_off_t lp, const char *f, size_t flen)
{
    return lp_find(lp, lp_first(lp), (const unsigned char *)f, (uint32_t)flen, 1);
}

/* Rebuilds the hash as a table (Redis's hashTypeConvert). */
static void to_table(struct hashv *h)
{
    shm_off_t t = coll_dict_new(DICT_TYPE_HASH);
    for (unsigned char *p = lp_first(h->obj); p; p = lp_next(h->obj, lp_next(h->obj, p))) {
        unsigned char fbuf[LP_INTBUF_SIZE], vbuf[LP_INTBUF_SIZE];
        uint32_t flen, vlen;
        const unsigned char *f = lp_get_str(p, &flen, fbuf);
        const unsigned char *v = lp_get_str(lp_next(h->obj, p), &vlen, vbuf);
        dict_add(shm_ptr(t), entry_new((const char *)f, flen, (const char *)v, vlen));
    }
    shm_free(h->obj);
    h->obj = t;
    h->enc = KV_ENC_HT;
}

static int lp_set(struct hashv *h, const char *f, size_t flen, const char *v, size_t vlen)
{
    unsigned char *p = lp_field(h->obj, f, flen);
    if (p) {
        h->obj = lp_insert(h->obj, lp_next(h->obj, p), (const unsigned char *)v, (uint32_t)vlen, LP_REPLACE, NULL);
        return 0;
    }
    h->obj = lp_insert_pair(h->obj, NULL, (const unsigned char *)f, (uint32_t)flen, (const unsigned char *)v,
                            (uint32_t)vlen, NULL);
    if (lp_length(h->obj) / 2 > max_entries())
        to_table(h);
    return 1;
}

/* ---- handles --------------------------------------------------------------------------- */

void hashv_store(struct kv *kv, struct hashv h)
{
    if (h.obj != kv_value_off(kv) || h.enc != kv->enc)
        obj_set_value(kv, h.obj, h.enc);
}

struct hashv hashv_new(void) { return (struct hashv){ lp_new(), KV_ENC_LISTPACK }; }

uint64_t hashv_len(const struct hashv *h)
{
    return h->enc == KV_ENC_LISTPACK ? lp_length(h->obj) / 2 : dict_size(table_of(h));
}

int hashv_get(const struct hashv *h, const char *f, size_t flen, struct coll_elem *val)
{
    if (h->enc == KV_ENC_LISTPACK) {
        unsigned char *p = lp_field(h->obj, f, flen);
        if (p)
            *val = coll_from_lp(lp_next(h->obj, p));
        return p != NULL;
    }
    shm_off_t e = dict_find(table_of(h), f, flen);
    if (e) {
        struct coll_elem field;
        entry_pair(e, &field, val);
    }
    return e != 0;
}

void hashv_fit(struct hashv *h, const size_t *lens, int n)
{
    if (h->enc != KV_ENC_LISTPACK)
        return;
    unsigned long long sum = 0;
    for (int i = 0; i < n; i++) {
        if (lens[i] > max_value()) {
            to_table(h);
            return;
        }
        sum += lens[i];
    }
    if (lp_bytes(h->obj) + sum > LISTPACK_SAFE_SIZE)
        to_table(h);
}

int hashv_set(struct hashv *h, const char *f, size_t flen, const char *v, size_t vlen)
{
    if (h->enc == KV_ENC_LISTPACK && (flen > max_value() || vlen > max_value()))
        to_table(h);
    if (h->enc == KV_ENC_LISTPACK)
        return lp_set(h, f, flen, v, vlen);
    return table_set(table_of(h), f, flen, v, vlen);
}

int hashv_delete(struct hashv *h, const char *f, size_t flen)
{
    if (h->enc == KV_ENC_LISTPACK) {
        unsigned char *p = lp_field(h->obj, f, flen);
        if (p)
            h->obj = lp_delete_n(h->obj, p, 2, NULL);
        return p != NULL;
    }
    shm_off_t e = dict_unlink(table_of(h), f, flen);
    if (!e)
        return 0;
    shm_free(e);
    dict_shrink_if_needed(table_of(h));
    return 1;
}

/* ---- reading ------------------------------------------------------------------------- */

struct visit {
    hashv_visit_fn *fn;
    void *arg;
};

static int visit_entry(shm_off_t entry, void *arg)
{
    struct visit *v = arg;
    struct coll_elem f, val;
    entry_pair(entry, &f, &val);
    return v->fn(&f, &val, v->arg);
}

void hashv_foreach(const struct hashv *h, hashv_visit_fn *fn, void *arg)
{
    if (h->enc == KV_ENC_LISTPACK) {
        for (unsigned char *p = lp_first(h->obj); p; p = lp_next(h->obj, lp_next(h->obj, p))) {
            struct coll_elem f = coll_from_lp(p), v = coll_from_lp(lp_next(h->obj, p));
            if (fn(&f, &v, arg))
                return;
        }
        return;
    }
    struct visit v = { fn, arg };
    coll_dict_walk(table_of(h), visit_entry, &v);
}

/* The positions of a listpack's fields (private array to free); *n gets their number. */
static unsigned char **lp_fields(shm_off_t lp, uint64_t *n)
{
    *n = lp_length(lp) / 2;
    unsigned char **pos = malloc((*n ? *n : 1) * sizeof(*pos));
    if (!pos)
        abort();
    uint64_t i = 0;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p)))
        pos[i++] = p;
    return pos;
}

static void lp_pair(shm_off_t lp, unsigned char *p, struct coll_elem *out)
{
    out[0] = coll_from_lp(p);
    out[1] = coll_from_lp(lp_next(lp, p));
}

void hashv_random_pairs(const struct hashv *h, uint64_t count, struct coll_elem *out)
{
    if (h->enc == KV_ENC_HT) {
        for (uint64_t i = 0; i < count; i++)
            entry_pair(dict_random(table_of(h), rand_u64), &out[2 * i], &out[2 * i + 1]);
        return;
    }
    uint64_t n;
    unsigned char **pos = lp_fields(h->obj, &n);
    for (uint64_t i = 0; i < count; i++)
        lp_pair(h->obj, pos[rand_below(n)], &out[2 * i]);
    free(pos);
}

void hashv_sample(const struct hashv *h, uint64_t count, struct coll_elem *out)
{
    uint64_t *picks = malloc((count ? count : 1) * sizeof(*picks));
    if (!picks)
        abort();
    if (h->enc == KV_ENC_HT) {
        coll_sample_dict(table_of(h), count, picks);
        for (uint64_t i = 0; i < count; i++)
            entry_pair(picks[i], &out[2 * i], &out[2 * i + 1]);
    } else {
        uint64_t n;
        unsigned char **pos = lp_fields(h->obj, &n);
        coll_sample_indices(n, count, picks);
        for (uint64_t i = 0; i < count; i++)
            lp_pair(h->obj, pos[picks[i]], &out[2 * i]);
        free(pos);
    }
    free(picks);
}

static void scan_entry(shm_off_t entry, void *arg)
{
    struct coll_elem f, v;
    entry_pair(entry, &f, &v);
    coll_scan_add(arg, f);
    coll_scan_add(arg, v);
}

uint64_t hashv_scan(const struct hashv *h, uint64_t cursor, struct coll_scan *scan)
{
    if (h->enc == KV_ENC_HT)
        return coll_scan_dict(table_of(h), cursor, scan, scan_entry);
    for (unsigned char *p = lp_first(h->obj); p; p = lp_next(h->obj, p))
        coll_scan_add(scan, coll_from_lp(p));
    return 0;
}

/* ---- kv hooks ------------------------------------------------------------------------ */

static void hashv_free(shm_off_t obj, enum kv_enc enc)
{
    if (enc == KV_ENC_HT)
        coll_dict_free(obj);
    else
        shm_free(obj);
}

static size_t entry_size(shm_off_t off)
{
    struct hash_entry *e = entry_at(off);
    return sizeof(*e) + e->flen + e->vlen;
}

static shm_off_t hashv_copy(shm_off_t obj, enum kv_enc enc)
{
    if (enc == KV_ENC_LISTPACK)
        return lp_from_bytes(lp_ptr(obj), lp_bytes(obj));
    return coll_dict_copy(obj, DICT_TYPE_HASH, entry_size);
}

void hashv_register(void)
{
    dict_register_type(DICT_TYPE_HASH, &hash_dict_type);
    kv_register_value_free(KV_HASH, hashv_free);
    kv_register_value_copy(KV_HASH, hashv_copy);
}
