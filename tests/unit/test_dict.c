/* tests/unit/test_dict.c - Check tests for shm/dict.c: the arena hash tables.
 *
 * Every test runs on an arena laid out on plain memory, holding the keyspace lock,
 * with each write between undo_begin and undo_commit (which, in debug builds,
 * junk-fills what the write freed: a table still using a freed bucket array fails
 * dict_check).  Entries are a test type: struct dict_link first, then the key length
 * and bytes.  The random test compares the table against a model and runs dict_check
 * after every step.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm/alloc.h"
#include "shm/arena.h"
#include "shm/dict.h"
#include "shm/undo.h"
#include "tests/unit/fixture.h"

#define ARENA_SIZE (64ULL << 20)
#define TTYPE 1

struct tentry {
    struct dict_link link;
    uint32_t len;
    char key[];
};

static uint64_t freed_entries;

static const void *tentry_key(shm_off_t e, size_t *len)
{
    const struct tentry *t = shm_ptr(e);
    *len = t->len;
    return t->key;
}

static void tentry_free(shm_off_t e)
{
    freed_entries++;
    shm_free(e);
}

static const struct dict_type test_type = { "test", tentry_key, tentry_free };

static uint64_t rng_state = 0x243f6a8885a308d3ULL;
static uint64_t rnd(void) { return fixture_xorshift(&rng_state); }

static void setup(void)
{
    fixture_arena_open(ARENA_SIZE, 8ULL << 20, 1, 1);
    dict_register_type(TTYPE, &test_type);
    freed_entries = 0;
}

static void teardown(void)
{
    fixture_arena_close();
}

/* Key i: "k<i>:" padded with a pattern to 5..30 bytes. */
static size_t key_of(unsigned i, char *buf)
{
    int n = snprintf(buf, 40, "k%u:", i);
    size_t len = 5 + i % 26;
    for (size_t j = (size_t)n; j < len; j++)
        buf[j] = (char)('a' + (i * 7 + j) % 26);
    return len > (size_t)n ? len : (size_t)n;
}

static shm_off_t new_entry(unsigned i)
{
    char key[40];
    size_t len = key_of(i, key);
    shm_off_t off = shm_alloc(sizeof(struct tentry) + len);
    struct tentry *t = shm_ptr(off);
    t->len = (uint32_t)len;
    memcpy(t->key, key, len);
    return off;
}

static unsigned entry_id(shm_off_t e)
{
    const struct tentry *t = shm_ptr(e);
    return (unsigned)strtoul(t->key + 1, NULL, 10);
}

static shm_off_t find_id(const struct dict *d, unsigned i)
{
    char key[40];
    size_t len = key_of(i, key);
    return dict_find(d, key, len);
}

static shm_off_t unlink_id(struct dict *d, unsigned i)
{
    char key[40];
    size_t len = key_of(i, key);
    return dict_unlink(d, key, len);
}

static void check_dict(const struct dict *d)
{
    char err[256];
    ck_assert_msg(dict_check(d, err, sizeof(err)) == 0, "dict_check: %s", err);
}

static struct dict *new_dict(void)
{
    undo_begin();
    struct dict *d = shm_ptr(shm_calloc(sizeof(*d)));
    dict_init(d, TTYPE);
    undo_commit();
    return d;
}

/* Adds ids [from, to) in writes of up to 1000 adds each. */
static void add_range(struct dict *d, unsigned from, unsigned to)
{
    for (unsigned i = from; i < to;) {
        undo_begin();
        for (unsigned end = i + 1000; i < to && i < end; i++)
            dict_add(d, new_entry(i));
        undo_commit();
    }
}

/* Adds ids from 'from' on until a rehash is in progress; returns the next id. */
static unsigned add_until_rehashing(struct dict *d, unsigned from)
{
    undo_begin();
    while (d->rehash_idx < 0)
        dict_add(d, new_entry(from++));
    undo_commit();
    return from;
}

/* ------------------------------------------------------------------ hash ---- */

START_TEST(hash_is_keyed_and_covers_every_byte)
{
    uint8_t buf[80];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(rnd() >> 7);
    for (size_t len = 0; len <= 70; len++) {
        /* the key alone in its own allocation: ASan catches reads past it */
        uint8_t *key = malloc(len ? len : 1);
        memcpy(key, buf, len);
        uint64_t h = dict_hash(key, len);
        ck_assert_uint_eq(h, dict_hash(key, len));
        for (size_t bit = 0; bit < len * 8; bit++) {
            key[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            ck_assert_msg(dict_hash(key, len) != h, "len %zu bit %zu ignored", len, bit);
            key[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        if (len > 0)
            ck_assert_uint_ne(dict_hash(key, len - 1), h);
        shm_header()->hash_seed[0] ^= 1;
        ck_assert_msg(dict_hash(key, len) != h, "len %zu: seed[0] ignored", len);
        shm_header()->hash_seed[0] ^= 1;
        shm_header()->hash_seed[1] ^= 1ULL << 40;
        ck_assert_msg(dict_hash(key, len) != h, "len %zu: seed[1] ignored", len);
        shm_header()->hash_seed[1] ^= 1ULL << 40;
        free(key);
    }
}
END_TEST

/* Flipping one input bit flips about half the output bits, for every key length. */
START_TEST(hash_avalanche)
{
    for (size_t len = 1; len <= 40; len++) {
        uint64_t flips = 0, trials = 0;
        for (int k = 0; k < 200; k++) {
            uint8_t key[40];
            for (size_t i = 0; i < len; i++)
                key[i] = (uint8_t)rnd();
            uint64_t h = dict_hash(key, len);
            size_t bit = rnd() % (len * 8);
            key[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            flips += (uint64_t)__builtin_popcountll(h ^ dict_hash(key, len));
            trials++;
        }
        double mean = (double)flips / (double)trials;
        ck_assert_msg(mean > 29.0 && mean < 35.0, "len %zu: %.2f bits flip on average", len, mean);
    }
}
END_TEST

/* Sequential keys spread evenly over the low bits (the bucket index). */
START_TEST(hash_bucket_distribution)
{
    enum { BUCKETS = 4096, KEYS = BUCKETS * 16 };
    static uint32_t count[BUCKETS];
    char key[40];
    memset(count, 0, sizeof(count));
    for (unsigned i = 0; i < KEYS; i++) {
        int len = snprintf(key, sizeof(key), "user:%u", i);
        count[dict_hash(key, (size_t)len) & (BUCKETS - 1)]++;
    }
    double chi2 = 0, expect = (double)KEYS / BUCKETS;
    for (unsigned b = 0; b < BUCKETS; b++)
        chi2 += (count[b] - expect) * (count[b] - expect) / expect;
    /* chi-square with 4095 degrees of freedom: mean 4095, sd ~90.5 */
    ck_assert_msg(chi2 < 4095 + 6 * 90.5 && chi2 > 4095 - 6 * 90.5, "chi2 %.1f", chi2);
}
END_TEST

/* ------------------------------------------------------------ model test ---- */

enum { MODEL_KEYS = 1024, MODEL_STEPS = 40000 };

struct model_stats {
    unsigned rehash_steps_seen, expansions, shrinks;
};

/* The first id at or after a random one that is present (or absent) in the model,
 * or a random id when there is none. */
static unsigned pick_id(const shm_off_t *model, int present)
{
    unsigned start = (unsigned)(rnd() % MODEL_KEYS);
    for (unsigned k = 0; k < MODEL_KEYS; k++) {
        unsigned i = (start + k) % MODEL_KEYS;
        if ((model[i] != 0) == present)
            return i;
    }
    return start;
}

/* Keeps the table near target entries: mostly adds below it and unlinks above it. */
static void model_step(struct dict *d, shm_off_t *model, uint64_t *present, unsigned target)
{
    int want_add = rnd() % 8 ? *present < target : (int)(rnd() % 2);
    unsigned i = pick_id(model, !want_add);
    uint64_t r = rnd() % 16;

    undo_begin();
    if (!model[i] && want_add) {
        model[i] = new_entry(i);
        dict_add(d, model[i]);
        (*present)++;
    } else if (model[i] && r == 0) {
        char key[40];
        size_t len = key_of(i, key);
        shm_off_t *slot = dict_find_slot(d, key, len);
        ck_assert_ptr_nonnull(slot);
        ck_assert_uint_eq(*slot, model[i]);
        shm_off_t repl = new_entry(i);
        dict_replace_at(slot, repl);
        shm_free(model[i]);
        model[i] = repl;
    } else if (model[i] && !want_add) {
        ck_assert_uint_eq(unlink_id(d, i), model[i]);
        shm_free(model[i]);
        model[i] = 0;
        (*present)--;
    } else if (r == 1) {
        dict_rehash_steps(d, 1);
    }
    if (r == 2)
        dict_shrink_if_needed(d);
    undo_commit();
}

START_TEST(random_ops_match_model)
{
    static shm_off_t model[MODEL_KEYS];
    struct dict *d = new_dict();
    uint64_t present = 0, last_size = 0;
    struct model_stats st = { 0, 0, 0 };

    memset(model, 0, sizeof(model));
    for (unsigned step = 0; step < MODEL_STEPS; step++) {
        /* target sweeps 0 -> MODEL_KEYS -> 0 four times */
        unsigned phase = step % (MODEL_STEPS / 4);
        unsigned half = MODEL_STEPS / 8;
        unsigned target = phase < half ? phase * MODEL_KEYS / half : (2 * half - phase) * MODEL_KEYS / half;
        model_step(d, model, &present, target);
        check_dict(d);
        ck_assert_uint_eq(dict_size(d), present);
        unsigned j = (unsigned)(rnd() % MODEL_KEYS);
        ck_assert_uint_eq(find_id(d, j), model[j]);
        st.rehash_steps_seen += d->rehash_idx >= 0;
        if (d->size[0] > last_size && last_size)
            st.expansions++;
        if (d->size[0] < last_size)
            st.shrinks++;
        last_size = d->size[0];
    }
    for (unsigned j = 0; j < MODEL_KEYS; j++)
        ck_assert_uint_eq(find_id(d, j), model[j]);
    ck_assert_msg(st.expansions >= 20 && st.shrinks >= 10 && st.rehash_steps_seen >= 1000,
                  "too little coverage: %u expansions, %u shrinks, %u steps while rehashing",
                  st.expansions, st.shrinks, st.rehash_steps_seen);
    ck_assert_uint_eq(undo_used(), 0);
}
END_TEST

START_TEST(resize_policy)
{
    struct dict *d = new_dict();
    add_range(d, 0, 4);
    ck_assert_uint_eq(d->size[0], 4);
    ck_assert_int_eq(d->rehash_idx, -1);
    add_range(d, 4, 5);                          /* used 4 >= size 4: expand to 8 */
    ck_assert_int_ge(d->rehash_idx, 0);
    ck_assert_uint_eq(d->size[1], 8);
    undo_begin();
    ck_assert_int_eq(dict_rehash_steps(d, 100), 0);
    undo_commit();
    ck_assert_uint_eq(d->size[0], 8);
    check_dict(d);

    /* paused: no expansion however full the table gets */
    undo_begin();
    UNDO_SET(d->pause_resize, 1);
    undo_commit();
    add_range(d, 5, 100);
    ck_assert_uint_eq(d->size[0], 8);
    ck_assert_int_eq(d->rehash_idx, -1);
    check_dict(d);
    undo_begin();
    UNDO_SET(d->pause_resize, 0);
    dict_add(d, new_entry(100));
    ck_assert_uint_eq(d->size[1], 128);           /* next power of two >= 101 + 1 */
    dict_rehash_steps(d, 1000);
    for (unsigned i = 0; i < 95; i++)
        shm_free(unlink_id(d, i));
    dict_shrink_if_needed(d);                     /* 6 of 128: under 10% */
    ck_assert_uint_eq(d->size[1], 8);
    dict_rehash_steps(d, 1000);
    ck_assert_uint_eq(d->size[0], 8);
    undo_commit();
    check_dict(d);
    for (unsigned i = 95; i <= 100; i++)
        ck_assert_uint_ne(find_id(d, i), 0);
}
END_TEST

/* Each rehash step visits at most 10 empty buckets. */
START_TEST(rehash_step_is_bounded)
{
    struct dict *d = new_dict();
    add_range(d, 0, 2000);
    undo_begin();
    for (unsigned i = 0; i < 1990; i++)
        shm_free(unlink_id(d, i));
    dict_rehash_steps(d, 10000);
    dict_shrink_if_needed(d);
    ck_assert_int_eq(d->rehash_idx, 0);
    int64_t before = d->rehash_idx;
    dict_rehash_steps(d, 1);
    ck_assert_int_le(d->rehash_idx - before, 11);
    undo_commit();
    check_dict(d);
}
END_TEST

/* ------------------------------------------------------------------ scan ---- */

struct scan_seen {
    uint8_t *seen;
    unsigned nkeys;
    const shm_off_t *live;
};

static void scan_collect(shm_off_t e, void *arg)
{
    struct scan_seen *s = arg;
    unsigned id = entry_id(e);
    ck_assert_uint_lt(id, s->nkeys);
    ck_assert_uint_eq(s->live[id], e);          /* only entries in the table */
    s->seen[id] = 1;
}

/* One scan while the table grows 16-fold and shrinks back: every stable entry
 * (ids below STABLE, present throughout) must be returned. */
START_TEST(scan_complete_across_resizes)
{
    enum { STABLE = 300, VOLATILE = 6000, PER_CALL = 12 };
    static shm_off_t live[STABLE + VOLATILE];
    static uint8_t seen[STABLE + VOLATILE];
    struct scan_seen s = { seen, STABLE + VOLATILE, live };
    struct dict *d = new_dict();
    unsigned next_vol = STABLE, oldest_vol = STABLE, calls = 0, max_size = 0;
    int growing = 1;

    memset(live, 0, sizeof(live));
    memset(seen, 0, sizeof(seen));
    undo_begin();
    for (unsigned i = 0; i < STABLE; i++)
        dict_add(d, live[i] = new_entry(i));
    undo_commit();

    uint64_t cursor = 0;
    do {
        cursor = dict_scan(d, cursor, scan_collect, &s);
        calls++;
        undo_begin();
        for (unsigned k = 0; k < PER_CALL; k++) {
            if (growing && next_vol < STABLE + VOLATILE) {
                dict_add(d, live[next_vol] = new_entry(next_vol));
                next_vol++;
            } else if (oldest_vol < next_vol) {
                growing = 0;
                shm_free(unlink_id(d, oldest_vol));
                live[oldest_vol++] = 0;
            }
        }
        dict_shrink_if_needed(d);
        undo_commit();
        max_size = d->size[0] > max_size ? (unsigned)d->size[0] : max_size;
    } while (cursor != 0);

    for (unsigned i = 0; i < STABLE; i++)
        ck_assert_msg(seen[i], "stable entry %u not returned by the scan (%u calls)", i, calls);
    ck_assert_msg(max_size >= 4096 && !growing, "table did not grow and shrink during the scan (max %u)", max_size);
    check_dict(d);
}
END_TEST

/* A scan without concurrent changes returns every entry, also in mid-rehash. */
START_TEST(scan_during_rehash)
{
    static shm_off_t live[5000];
    static uint8_t seen[5000];
    struct scan_seen s = { seen, 5000, live };
    struct dict *d = new_dict();

    memset(live, 0, sizeof(live));
    memset(seen, 0, sizeof(seen));
    undo_begin();
    for (unsigned i = 0; i < 1024; i++)
        dict_add(d, live[i] = new_entry(i));
    dict_add(d, live[1024] = new_entry(1024));   /* expansion starts */
    dict_add(d, live[1025] = new_entry(1025));
    undo_commit();
    ck_assert_int_gt(d->rehash_idx, 0);
    uint64_t cursor = 0;
    do
        cursor = dict_scan(d, cursor, scan_collect, &s);
    while (cursor);
    for (unsigned i = 0; i < 1026; i++)
        ck_assert_msg(seen[i], "entry %u missed", i);
}
END_TEST

/* ---------------------------------------------------------------- random ---- */

static void check_random_fairness(const struct dict *d, unsigned n, unsigned draws)
{
    static uint32_t hits[4096];
    memset(hits, 0, sizeof(hits));
    for (unsigned k = 0; k < draws; k++) {
        shm_off_t e = dict_random(d, rnd);
        ck_assert_uint_ne(e, 0);
        unsigned id = entry_id(e);
        ck_assert_uint_lt(id, n);
        hits[id]++;
    }
    double expect = (double)draws / n;
    for (unsigned i = 0; i < n; i++)
        ck_assert_msg(hits[i] > expect / 3 && hits[i] < expect * 3,
                      "entry %u drawn %u times, expected ~%.0f", i, hits[i], expect);
}

START_TEST(random_is_fair_enough)
{
    struct dict *d = new_dict();
    ck_assert_uint_eq(dict_random(d, rnd), 0);
    add_range(d, 0, 100);
    check_random_fairness(d, 100, 100000);

    /* mid-rehash: entries of both tables are drawn */
    unsigned n = add_until_rehashing(d, 100);
    ck_assert_int_ge(d->rehash_idx, 0);
    check_random_fairness(d, n, n * 1000);
}
END_TEST

/* A sparse table (entries removed, no shrink) still yields every entry. */
START_TEST(random_in_sparse_table)
{
    struct dict *d = new_dict();
    add_range(d, 0, 20000);
    undo_begin();
    UNDO_SET(d->pause_resize, 1);
    for (unsigned i = 3; i < 20000; i++)
        shm_free(unlink_id(d, i));
    dict_rehash_steps(d, 100000);
    undo_commit();
    ck_assert_uint_ge(d->size[0], 16384);
    check_random_fairness(d, 3, 3000);
}
END_TEST

/* ---------------------------------------------------------- read-only use ---- */

static void count_entry(shm_off_t e, void *arg) { (*(uint64_t *)arg)++; }

START_TEST(lookups_change_nothing)
{
    struct dict *d = new_dict();
    add_range(d, 0, 3000);
    unsigned n = add_until_rehashing(d, 3000);
    char *copy = malloc(ARENA_SIZE);
    memcpy(copy, shm_base, ARENA_SIZE);

    uint64_t visited = 0, cursor = 0;
    for (unsigned i = 0; i < n + 100; i++) {
        char key[40];
        size_t len = key_of(i, key);
        ck_assert_int_eq(dict_find(d, key, len) != 0, i < n);
        ck_assert_int_eq(dict_find_slot(d, key, len) != NULL, i < n);
        dict_random(d, rnd);
    }
    do
        cursor = dict_scan(d, cursor, count_entry, &visited);
    while (cursor);
    ck_assert_uint_eq(visited, n);
    check_dict(d);
    ck_assert_int_eq(memcmp(copy, shm_base, ARENA_SIZE), 0);
    free(copy);
}
END_TEST

/* --------------------------------------------------------------- release ---- */

START_TEST(release_100k)
{
    struct dict *d = new_dict();
    struct slab_stats before, after;
    slab_get_stats(&before);
    add_range(d, 0, 100000);
    ck_assert_uint_eq(dict_size(d), 100000);
    ck_assert_int_ge(d->rehash_idx, 0);           /* both tables hold entries */
    undo_begin();
    dict_release(d);
    undo_commit();
    ck_assert_uint_eq(freed_entries, 100000);
    ck_assert_uint_eq(dict_size(d), 0);
    check_dict(d);
    slab_get_stats(&after);
    ck_assert_uint_eq(after.allocations, before.allocations);
    add_range(d, 0, 10);                          /* usable again */
    ck_assert_uint_ne(find_id(d, 7), 0);
    check_dict(d);
}
END_TEST

/* Detach mid-rehash, keep using the live dict, free the old contents in bounded steps. */
START_TEST(detach_then_release_steps)
{
    struct dict *d = new_dict();
    struct slab_stats before, after;
    slab_get_stats(&before);
    add_range(d, 0, 20000);
    unsigned n = add_until_rehashing(d, 20000);

    undo_begin();
    struct dict *old = shm_ptr(shm_calloc(sizeof(*old)));
    dict_detach(d, old);
    ck_assert_uint_eq(dict_size(d), 0);
    dict_add(d, new_entry(0));
    undo_commit();
    ck_assert_uint_eq(dict_size(old), n);
    check_dict(old);
    check_dict(d);

    /* a rolled-back step leaves the old dict as it was */
    undo_begin();
    dict_release_steps(old, 500);
    undo_rollback();
    ck_assert_uint_eq(dict_size(old), n);
    check_dict(old);

    freed_entries = 0;
    unsigned steps = 0;
    int more;
    do {
        uint64_t f = freed_entries;
        undo_begin();
        more = dict_release_steps(old, 100);
        undo_commit();
        ck_assert_uint_le(freed_entries - f, 100);
        steps++;
    } while (more);
    ck_assert_uint_eq(freed_entries, n);
    ck_assert_uint_ge(steps, n / 100);
    ck_assert_uint_eq(dict_size(old), 0);
    ck_assert_uint_eq(old->table[0] | old->table[1], 0);

    undo_begin();
    dict_release(d);
    shm_free(shm_off(old));
    undo_commit();
    slab_get_stats(&after);
    ck_assert_uint_eq(after.allocations, before.allocations);
}
END_TEST

/* -------------------------------------------------------------- rollback ---- */

/* Compares the arena with a copy, skipping the undo log region and its bookkeeping. */
static void assert_arena_equal(const char *copy)
{
    const struct shm_header *h = shm_header();
    size_t undo_state_at = offsetof(struct shm_header, undo);
    ck_assert_int_eq(memcmp(copy, shm_base, undo_state_at), 0);
    ck_assert_int_eq(memcmp(copy + undo_state_at + sizeof(struct shm_undo_state),
                            shm_base + undo_state_at + sizeof(struct shm_undo_state),
                            h->undo_off - undo_state_at - sizeof(struct shm_undo_state)), 0);
    size_t after_log = h->undo_off + h->undo.capacity;
    for (size_t at = after_log; at < ARENA_SIZE; at += SHM_PAGE_SIZE)
        ck_assert_msg(memcmp(copy + at, shm_base + at, SHM_PAGE_SIZE) == 0,
                      "arena page at offset %zu differs after rollback", at);
}

START_TEST(rollback_restores_arena)
{
    enum { BASE = 1024, EXTRA = 1500 };
    static shm_off_t pre[BASE + EXTRA];
    struct dict *d = new_dict();

    /* all entries exist before the write; only BASE are in the table */
    undo_begin();
    for (unsigned i = 0; i < BASE + EXTRA; i++)
        pre[i] = new_entry(i);
    for (unsigned i = 0; i < BASE; i++)
        dict_add(d, pre[i]);
    undo_commit();
    ck_assert_int_eq(d->rehash_idx, -1);

    char *copy = malloc(ARENA_SIZE);
    memcpy(copy, shm_base, ARENA_SIZE);
    struct dict saved = *d;

    undo_begin();
    for (unsigned i = 1; i < BASE; i += 3)        /* unlinks before any resize */
        ck_assert_uint_eq(unlink_id(d, i), pre[i]);
    for (unsigned i = BASE; i < BASE + EXTRA; i++) {
        dict_add(d, pre[i]);
        if (i % 3 == 0)
            ck_assert_uint_eq(unlink_id(d, i - BASE), pre[i - BASE]);
    }
    ck_assert_int_eq(d->rehash_idx, -1);          /* a whole rehash happened inside */
    ck_assert_uint_gt(d->size[0], saved.size[0]);
    check_dict(d);
    undo_rollback();

    ck_assert_int_eq(memcmp(&saved, d, sizeof(saved)), 0);
    assert_arena_equal(copy);
    check_dict(d);
    for (unsigned i = 0; i < BASE + EXTRA; i++)
        ck_assert_uint_eq(find_id(d, i), i < BASE ? pre[i] : 0);
    free(copy);
}
END_TEST

static Suite *dict_suite(void)
{
    Suite *s = suite_create("dict");
    TCase *tc = tcase_create("dict");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, hash_is_keyed_and_covers_every_byte);
    tcase_add_test(tc, hash_avalanche);
    tcase_add_test(tc, hash_bucket_distribution);
    tcase_add_test(tc, random_ops_match_model);
    tcase_add_test(tc, resize_policy);
    tcase_add_test(tc, rehash_step_is_bounded);
    tcase_add_test(tc, scan_complete_across_resizes);
    tcase_add_test(tc, scan_during_rehash);
    tcase_add_test(tc, random_is_fair_enough);
    tcase_add_test(tc, random_in_sparse_table);
    tcase_add_test(tc, lookups_change_nothing);
    tcase_add_test(tc, release_100k);
    tcase_add_test(tc, detach_then_release_steps);
    tcase_add_test(tc, rollback_restores_arena);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return fixture_run_suite(dict_suite());
}
