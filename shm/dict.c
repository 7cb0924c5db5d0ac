/* shm/dict.c - chained hash tables in the arena with incremental rehashing
 * (see shm/dict.h for the contract).
 *
 * Owns: the bucket arrays (shm_off_t[size], zero-filled by shm_calloc) and the chain
 * links of the entries while they are in a table.  Entries belong to the caller.
 *
 * Invariants (beyond dict.h's, all checked by dict_check):
 *  1. rehash_idx == -1  <=>  table[1] == 0, size[1] == 0, used[1] == 0.
 *  2. rehash_idx >= 0: table[1] is the table being filled; new entries go there, and
 *     every entry of table[0] sits in a bucket >= rehash_idx.
 *  3. Every entry is in bucket dict_hash(key) & (size[t] - 1) of its table t.
 *  4. Only writes (under the keyspace lock, inside undo_begin..undo_commit) change a
 *     dict, and they undo-log every byte they change that existed before: bucket
 *     heads, next links, counters and the struct's fields.  New bucket arrays are
 *     fresh allocations (no logging); old ones are shm_free'd (deferred to commit).
 *  5. A detached dict being drained by dict_release_steps uses rehash_idx as its drain
 *     cursor over table[0] (the buckets below it are empty, as in 2, but table[1] may
 *     be absent, so 1 and dict_check do not apply); it is only drained, never
 *     searched or added to.
 *
 * Resizing follows Redis: expand when used >= size (to the next power of two
 * >= used + 1, at least DICT_MIN_SIZE), shrink below 10% fill; each add/unlink moves
 * one bucket (passing at most REHASH_EMPTY_VISITS empty ones).  No resize starts while
 * pause_resize > 0, except giving an empty table its first bucket array.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm/dict.h"
#include "shm/alloc.h"
#include "shm/lock.h"
#include "shm/undo.h"

#define DICT_MIN_SIZE        4
#define REHASH_EMPTY_VISITS  10
#define SHRINK_FILL_PERCENT  10
#define RANDOM_SAMPLE        20     /* entries sampled by dict_random */
#define RANDOM_MAX_TRIES     1000   /* random bucket picks before walking the table */

const struct dict_type *dict_types[DICT_TYPES_MAX];

void dict_register_type(uint32_t id, const struct dict_type *type)
{
    if (id >= DICT_TYPES_MAX) {
        fprintf(stderr, "dict_register_type: id %u out of range\n", id);
        abort();
    }
    dict_types[id] = type;
}

/* ---------------------------------------------------------------- hashing ---- */

/* A wyhash-style keyed hash: 64x64->128 multiplications folded with xor, both
 * operands blinded with the arena's secret seed.  Keys up to 16 bytes take two
 * (possibly overlapping) loads and two multiplications. */
#define HK0 0x9e3779b97f4a7c15ULL   /* 2^64 / golden ratio */
#define HK1 0xbf58476d1ce4e5b9ULL   /* splitmix64 multipliers */
#define HK2 0x94d049bb133111ebULL

static inline uint64_t fold_mul(uint64_t a, uint64_t b)
{
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline uint64_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* Absorbs all but the last 16 bytes of a key longer than 16 into the state s. */
static uint64_t hash_long(const uint8_t *p, size_t len, uint64_t s, uint64_t k)
{
    if (len > 32) {
        uint64_t t = s ^ HK2;
        for (; len > 32; p += 32, len -= 32) {
            s = fold_mul(rd64(p) ^ k, rd64(p + 8) ^ s);
            t = fold_mul(rd64(p + 16) ^ HK1, rd64(p + 24) ^ t);
        }
        s ^= t;
    }
    if (len > 16)
        s = fold_mul(rd64(p) ^ k, rd64(p + 8) ^ s);
    return s;
}

uint64_t dict_hash(const void *key, size_t len)
{
    const uint8_t *p = key;
    const uint64_t *seed = shm_header()->hash_seed;
    uint64_t s = seed[0], a, b;

    if (len <= 16) {
        if (len >= 8) {
            a = rd64(p);
            b = rd64(p + len - 8);
        } else if (len >= 4) {
            a = rd32(p);
            b = rd32(p + len - 4);
        } else {
            a = len ? ((uint64_t)p[0] << 16) | ((uint64_t)p[len >> 1] << 8) | p[len - 1] : 0;
            b = 0;
        }
    } else {
        s = hash_long(p, len, s, seed[1]);
        a = rd64(p + len - 16);
        b = rd64(p + len - 8);
    }
    __uint128_t r = (__uint128_t)(a ^ seed[1]) * (b ^ s);
    return fold_mul((uint64_t)r ^ HK0 ^ len, (uint64_t)(r >> 64) ^ HK1);
}

/* ---------------------------------------------------------------- helpers ---- */

static inline struct dict_link *link_of(shm_off_t e) { return (struct dict_link *)(shm_base + e); }
static inline shm_off_t *buckets(const struct dict *d, int t) { return (shm_off_t *)(shm_base + d->table[t]); }
static inline int rehashing(const struct dict *d) { return d->rehash_idx >= 0; }

static inline uint64_t entry_hash(const struct dict *d, shm_off_t e)
{
    size_t len;
    const void *key = dict_types[d->type]->key(e, &len);
    return dict_hash(key, len);
}

static uint64_t next_pow2(uint64_t n)
{
    if (n <= DICT_MIN_SIZE)
        return DICT_MIN_SIZE;
    return 1ULL << (64 - __builtin_clzll(n - 1));
}

/* used[0], used[1] and rehash_idx are adjacent: one undo record covers them. */
static void log_counters(struct dict *d)
{
    undo_save(d->used, offsetof(struct dict, type) - offsetof(struct dict, used));
}

static void reset_empty(struct dict *d)
{
    d->table[0] = d->table[1] = 0;
    d->size[0] = d->size[1] = 0;
    d->used[0] = d->used[1] = 0;
    d->rehash_idx = -1;
}

void dict_init(struct dict *d, uint32_t type)
{
    reset_empty(d);
    d->type = type;
    d->pause_resize = 0;
}

/* ---------------------------------------------------------------- lookups ---- */

/* The link slot pointing at the entry with this key (a bucket head or the previous
 * entry's next field), its table in *tp; NULL when absent. */
static inline shm_off_t *slot_of(const struct dict *d, const void *key, size_t len, int *tp)
{
    if (d->used[0] + d->used[1] == 0)
        return NULL;
    uint64_t h = dict_hash(key, len);
    const void *(*keyf)(shm_off_t, size_t *) = dict_types[d->type]->key;
    int last = rehashing(d);

    for (int t = 0; t <= last; t++) {
        shm_off_t *slot = buckets(d, t) + (h & (d->size[t] - 1));
        for (; *slot; slot = &link_of(*slot)->next) {
            size_t elen;
            const void *ekey = keyf(*slot, &elen);
            if (elen == len && memcmp(ekey, key, len) == 0) {
                *tp = t;
                return slot;
            }
        }
    }
    return NULL;
}

shm_off_t dict_find(const struct dict *d, const void *key, size_t len)
{
    int t;
    shm_off_t *slot = slot_of(d, key, len, &t);
    return slot ? *slot : 0;
}

void dict_prefetch(const struct dict *d, const void *key, size_t len, int entry)
{
    if (d->used[0] + d->used[1] == 0)
        return;
    uint64_t h = dict_hash(key, len);
    for (int t = 0; t <= rehashing(d); t++) {
        shm_off_t *bucket = buckets(d, t) + (h & (d->size[t] - 1));
        if (!entry)
            __builtin_prefetch(bucket);
        else if (*bucket)
            __builtin_prefetch(shm_base + *bucket);
    }
}

shm_off_t *dict_find_slot(const struct dict *d, const void *key, size_t len)
{
    int t;
    return slot_of(d, key, len, &t);
}

/* -------------------------------------------------------------- rehashing ---- */

/* Allocates a bucket array of n buckets: table[0] when the dict has none, else
 * table[1], starting a rehash. */
static void start_resize(struct dict *d, uint64_t n)
{
    shm_off_t tab = shm_calloc(n * sizeof(shm_off_t));
    undo_save(d, sizeof(*d));
    if (d->size[0] == 0) {
        d->table[0] = tab;
        d->size[0] = n;
        return;
    }
    d->table[1] = tab;
    d->size[1] = n;
    d->rehash_idx = 0;
}

/* table[0] is empty: free it, table[1] becomes table[0]. */
static void finish_rehash(struct dict *d)
{
    undo_save(d, sizeof(*d));
    shm_free(d->table[0]);
    d->table[0] = d->table[1];
    d->size[0] = d->size[1];
    d->used[0] = d->used[1];
    d->table[1] = 0;
    d->size[1] = d->used[1] = 0;
    d->rehash_idx = -1;
}

/* Moves the chain starting at e into table[1]; returns the number of entries. */
static uint64_t move_chain(struct dict *d, shm_off_t e)
{
    shm_off_t *b1 = buckets(d, 1);
    uint64_t mask = d->size[1] - 1, n = 0;

    while (e) {
        shm_off_t next = link_of(e)->next;
        shm_off_t *head = b1 + (entry_hash(d, e) & mask);
        UNDO_SET(link_of(e)->next, *head);
        UNDO_SET(*head, e);
        e = next;
        n++;
    }
    return n;
}

/* One step: moves the first non-empty bucket at or after rehash_idx, passing at most
 * REHASH_EMPTY_VISITS empty ones; completes the rehash once table[0] is empty.
 * Returns 1 while the rehash goes on. */
static int rehash_step(struct dict *d)
{
    if (d->used[0] > 0) {
        shm_off_t *b0 = buckets(d, 0);
        int64_t i = d->rehash_idx;
        for (int empty = 0; b0[i] == 0; i++) {
            if (++empty > REHASH_EMPTY_VISITS) {
                UNDO_SET(d->rehash_idx, i);
                return 1;
            }
        }
        uint64_t moved = move_chain(d, b0[i]);
        UNDO_SET(b0[i], 0);
        log_counters(d);
        d->used[0] -= moved;
        d->used[1] += moved;
        d->rehash_idx = i + 1;
    }
    if (d->used[0] > 0)
        return 1;
    finish_rehash(d);
    return 0;
}

int dict_rehash_steps(struct dict *d, int n)
{
    while (n-- > 0 && rehashing(d))
        rehash_step(d);
    return rehashing(d);
}

static void expand_if_needed(struct dict *d)
{
    if (rehashing(d))
        return;
    if (d->size[0] == 0)
        start_resize(d, DICT_MIN_SIZE);
    else if (d->used[0] >= d->size[0] && d->pause_resize == 0)
        start_resize(d, next_pow2(d->used[0] + 1));
}

void dict_shrink_if_needed(struct dict *d)
{
    if (rehashing(d) || d->pause_resize > 0 || d->size[0] <= DICT_MIN_SIZE)
        return;
    if (d->used[0] * 100 / d->size[0] >= SHRINK_FILL_PERCENT)
        return;
    uint64_t n = next_pow2(d->used[0]);
    if (n < d->size[0])
        start_resize(d, n);
}

/* ----------------------------------------------------------------- writes ---- */

void dict_add(struct dict *d, shm_off_t entry)
{
    SHM_ASSERT_LOCKED();
    if (rehashing(d))
        rehash_step(d);
    expand_if_needed(d);
    int t = rehashing(d);
    shm_off_t *head = buckets(d, t) + (entry_hash(d, entry) & (d->size[t] - 1));
    UNDO_SET(link_of(entry)->next, *head);
    UNDO_SET(*head, entry);
    UNDO_SET(d->used[t], d->used[t] + 1);
}

shm_off_t dict_unlink(struct dict *d, const void *key, size_t len)
{
    SHM_ASSERT_LOCKED();
    if (rehashing(d))
        rehash_step(d);
    int t;
    shm_off_t *slot = slot_of(d, key, len, &t);
    if (!slot)
        return 0;
    shm_off_t e = *slot;
    UNDO_SET(*slot, link_of(e)->next);
    UNDO_SET(d->used[t], d->used[t] - 1);
    return e;
}

void dict_replace_at(shm_off_t *slot, shm_off_t new_entry)
{
    SHM_ASSERT_LOCKED();
    UNDO_SET(link_of(new_entry)->next, link_of(*slot)->next);
    UNDO_SET(*slot, new_entry);
}

/* ----------------------------------------------------------------- random ---- */

/* Random picks range over the buckets of table[0] from rehash_idx on (those below
 * are empty), then all of table[1]: bucket_span positions, pos-th one's head. */
static shm_off_t bucket_at(const struct dict *d, uint64_t pos)
{
    uint64_t start = rehashing(d) ? (uint64_t)d->rehash_idx : 0;
    pos += start;
    return pos < d->size[0] ? buckets(d, 0)[pos] : buckets(d, 1)[pos - d->size[0]];
}

static uint64_t bucket_span(const struct dict *d)
{
    uint64_t start = rehashing(d) ? (uint64_t)d->rehash_idx : 0;
    return d->size[0] - start + d->size[1];
}

/* Collects up to max entries from consecutive buckets starting at a random one,
 * jumping elsewhere after a run of empty buckets (dictGetSomeKeys's idea). */
static unsigned sample_entries(const struct dict *d, uint64_t (*rnd)(void), shm_off_t *out, unsigned max)
{
    uint64_t span = bucket_span(d), pos = rnd() % span;
    unsigned n = 0, empty_run = 0;

    for (unsigned steps = 0; n < max && steps < max * 10; steps++) {
        shm_off_t e = bucket_at(d, pos);
        if (e == 0 && ++empty_run >= 5 && empty_run > max) {
            pos = rnd() % span;
            empty_run = 0;
            continue;
        }
        if (e)
            empty_run = 0;
        for (; e && n < max; e = link_of(e)->next)
            out[n++] = e;
        pos = pos + 1 == span ? 0 : pos + 1;
    }
    return n;
}

static uint64_t chain_length(shm_off_t e)
{
    uint64_t n = 0;
    for (; e; e = link_of(e)->next)
        n++;
    return n;
}

/* The k-th entry in bucket order (k < dict_size): uniform, but O(buckets). */
static shm_off_t nth_entry(const struct dict *d, uint64_t k)
{
    uint64_t span = bucket_span(d);
    for (uint64_t pos = 0; pos < span; pos++) {
        for (shm_off_t e = bucket_at(d, pos); e; e = link_of(e)->next)
            if (k-- == 0)
                return e;
    }
    return 0;
}

/* A random non-empty bucket (uniform over buckets), then a random entry of its
 * chain; a table so sparse that RANDOM_MAX_TRIES picks miss is walked instead. */
static shm_off_t random_entry(const struct dict *d, uint64_t (*rnd)(void))
{
    uint64_t span = bucket_span(d);
    shm_off_t head = 0;

    for (int tries = 0; !head && tries < RANDOM_MAX_TRIES; tries++)
        head = bucket_at(d, rnd() % span);
    if (!head)
        return nth_entry(d, rnd() % dict_size(d));
    for (uint64_t k = rnd() % chain_length(head); k > 0; k--)
        head = link_of(head)->next;
    return head;
}

shm_off_t dict_random(const struct dict *d, uint64_t (*rnd)(void))
{
    if (dict_size(d) == 0)
        return 0;
    shm_off_t sample[RANDOM_SAMPLE];
    unsigned n = sample_entries(d, rnd, sample, RANDOM_SAMPLE);
    return n ? sample[rnd() % n] : random_entry(d, rnd);
}

/* ------------------------------------------------------------------- scan ---- */

static inline uint64_t rev64(uint64_t v)
{
    v = __builtin_bswap64(v);
    v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    return v;
}

/* Adds one to the cursor's bits under mask, counting from the most significant. */
static inline uint64_t cursor_next(uint64_t v, uint64_t mask)
{
    return rev64(rev64(v | ~mask) + 1);
}

static void scan_bucket(const struct dict *d, int t, uint64_t idx, dict_scan_fn *fn, void *arg)
{
    shm_off_t e = buckets(d, t)[idx];
    while (e) {
        shm_off_t next = link_of(e)->next;
        fn(e, arg);
        e = next;
    }
}

/* Reverse-binary cursor: the high bits of the index are incremented first, so when
 * the table doubles or halves the buckets already visited map to cursor values below
 * the current one.  While rehashing, a cursor names one bucket of the smaller table
 * and all of its expansions in the larger one. */
uint64_t dict_scan(const struct dict *d, uint64_t v, dict_scan_fn *fn, void *arg)
{
    if (dict_size(d) == 0)
        return 0;
    if (!rehashing(d)) {
        uint64_t m = d->size[0] - 1;
        scan_bucket(d, 0, v & m, fn, arg);
        return cursor_next(v, m);
    }
    int small = d->size[0] <= d->size[1] ? 0 : 1, large = !small;
    uint64_t m0 = d->size[small] - 1, m1 = d->size[large] - 1;

    scan_bucket(d, small, v & m0, fn, arg);
    do {
        scan_bucket(d, large, v & m1, fn, arg);
        v = cursor_next(v, m1);
    } while (v & (m0 ^ m1));
    return v;
}

/* ---------------------------------------------------------------- release ---- */

static void free_chains(const struct dict *d, int t, void (*free_entry)(shm_off_t))
{
    shm_off_t *b = buckets(d, t);
    uint64_t left = d->used[t];

    for (uint64_t i = 0; left > 0 && i < d->size[t]; i++) {
        for (shm_off_t e = b[i], next; e; e = next, left--) {
            next = link_of(e)->next;
            free_entry(e);
        }
    }
}

void dict_release(struct dict *d)
{
    void (*free_entry)(shm_off_t) = dict_types[d->type]->free_entry;

    SHM_ASSERT_LOCKED();
    for (int t = 0; t < 2; t++) {
        if (free_entry && d->size[t])
            free_chains(d, t, free_entry);
        shm_free(d->table[t]);
    }
    undo_save(d, sizeof(*d));
    reset_empty(d);
}

static int in_arena(const void *p)
{
    return (const char *)p >= shm_base && (const char *)p < shm_base + shm_header()->arena_size;
}

void dict_detach(struct dict *d, struct dict *out)
{
    SHM_ASSERT_LOCKED();
    if (in_arena(out))
        undo_save(out, sizeof(*out));
    *out = *d;
    undo_save(d, sizeof(*d));
    reset_empty(d);
}

/* Frees entries from the first non-empty bucket at or after the drain cursor
 * (rehash_idx) within the budgets, and moves the cursor past emptied buckets. */
static void drain_bucket(struct dict *d, uint64_t *entries, uint64_t *visits)
{
    void (*free_entry)(shm_off_t) = dict_types[d->type]->free_entry;
    shm_off_t *b0 = buckets(d, 0);
    uint64_t i = rehashing(d) ? (uint64_t)d->rehash_idx : 0, freed = 0;

    for (; b0[i] == 0 && *visits > 0; i++)
        (*visits)--;
    shm_off_t e = b0[i];
    if (e) {
        for (; e && freed < *entries; freed++) {
            shm_off_t next = link_of(e)->next;
            if (free_entry)
                free_entry(e);
            e = next;
        }
        UNDO_SET(b0[i], e);
        *entries -= freed;
        i += e == 0;
    }
    log_counters(d);
    d->used[0] -= freed;
    d->rehash_idx = (int64_t)i;
}

int dict_release_steps(struct dict *d, uint64_t max_entries)
{
    uint64_t visits = max_entries > UINT64_MAX / REHASH_EMPTY_VISITS ? UINT64_MAX
                                                                     : max_entries * REHASH_EMPTY_VISITS;
    SHM_ASSERT_LOCKED();
    while (dict_size(d) > 0 && max_entries > 0 && visits > 0) {
        if (d->used[0] == 0)
            finish_rehash(d);
        else
            drain_bucket(d, &max_entries, &visits);
    }
    if (dict_size(d) > 0)
        return 1;
    shm_free(d->table[0]);
    shm_free(d->table[1]);
    undo_save(d, sizeof(*d));
    reset_empty(d);
    return 0;
}

/* ------------------------------------------------------------------ check ---- */

static int valid_entry_off(shm_off_t e)
{
    const struct shm_header *h = shm_header();
    return e >= h->heap_off && e + sizeof(struct dict_link) <= h->arena_size && (e & 7) == 0;
}

static int check_table(const struct dict *d, int t, char *err, size_t errlen)
{
    uint64_t size = d->size[t], count = 0;
    uint64_t below = t == 0 && rehashing(d) ? (uint64_t)d->rehash_idx : 0;

    if ((size & (size - 1)) != 0 || (size == 0) != (d->table[t] == 0))
        return snprintf(err, errlen, "table[%d]: size %llu, array %llu", t,
                        (unsigned long long)size, (unsigned long long)d->table[t]), -1;
    for (uint64_t i = 0; i < size; i++) {
        for (shm_off_t e = buckets(d, t)[i]; e; e = link_of(e)->next) {
            const char *why = !valid_entry_off(e) ? "bad entry offset"
                              : ++count > d->used[t] ? "more entries than used (or a cycle)"
                              : i < below ? "entry below rehash_idx"
                              : (entry_hash(d, e) & (size - 1)) != i ? "entry in the wrong bucket" : NULL;
            if (why)
                return snprintf(err, errlen, "table[%d] bucket %llu entry %llu: %s", t,
                                (unsigned long long)i, (unsigned long long)e, why), -1;
        }
    }
    if (count != d->used[t])
        return snprintf(err, errlen, "table[%d]: %llu entries, used says %llu", t,
                        (unsigned long long)count, (unsigned long long)d->used[t]), -1;
    return 0;
}

int dict_check(const struct dict *d, char *err, size_t errlen)
{
    if (d->type >= DICT_TYPES_MAX || !dict_types[d->type])
        return snprintf(err, errlen, "unregistered type %u", d->type), -1;
    if (!rehashing(d) && (d->rehash_idx != -1 || d->table[1] || d->size[1] || d->used[1]))
        return snprintf(err, errlen, "not rehashing (rehash_idx %lld) but table[1] in use",
                        (long long)d->rehash_idx), -1;
    if (rehashing(d) && (d->size[1] == 0 || (uint64_t)d->rehash_idx > d->size[0]))
        return snprintf(err, errlen, "rehash_idx %lld with sizes %llu/%llu", (long long)d->rehash_idx,
                        (unsigned long long)d->size[0], (unsigned long long)d->size[1]), -1;
    return check_table(d, 0, err, errlen) || check_table(d, 1, err, errlen) ? -1 : 0;
}
