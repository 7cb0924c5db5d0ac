/* tests/unit/test_zskiplist.c - Check tests for types/zskiplist.c on an arena laid out
 * on plain memory: a random model test (inserts, deletes, score updates, rank-range
 * deletes against a sorted array, with zsl_check after every step), rank and bound
 * searches, rollback of a batch of changes restoring the list exactly, the builder
 * and copy, the O(levels) undo cost of cutting a large range, level-0 links holding
 * the backward links, and a large list keeping O(log n) height. */
#include <check.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyspace/db.h"
#include "shm/alloc.h"
#include "shm/arena.h"
#include "shm/slab_internal.h"
#include "shm/undo.h"
#include "types/zskiplist.h"
#include "tests/unit/fixture.h"

#define ARENA_SIZE (96ULL << 20)

static void setup(void)
{
    fixture_arena_open(ARENA_SIZE, 32ULL << 20, 1, 1);
    zsl_register_dict_type();
    undo_begin();
    db_create_all(1);
    fixture_write_commit();
}

static void teardown(void)
{
    fixture_arena_close();
}

static void check_ok(const struct zsl *zs)
{
    char err[256];
    ck_assert_msg(zsl_check(zs, err, sizeof(err)) == 0, "zsl_check: %s", err);
}

/* ---- the model: a sorted array of (score, member) ----------------------------- */

struct melem {
    double score;
    char m[16];
};

static struct melem *model;
static size_t model_n;

static int melem_cmp(const void *a, const void *b)
{
    const struct melem *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? -1 : 1;
    return zset_memcmp(x->m, strlen(x->m), y->m, strlen(y->m));
}

static long model_find(const char *m)
{
    for (size_t i = 0; i < model_n; i++)
        if (strcmp(model[i].m, m) == 0)
            return (long)i;
    return -1;
}

static void model_remove(size_t from, size_t count)
{
    memmove(model + from, model + from + count, (model_n - from - count) * sizeof(*model));
    model_n -= count;
}

static void expect_model(const struct zsl *zs)
{
    check_ok(zs);
    ck_assert_uint_eq(zs->length, model_n);
    size_t i = 0;
    for (struct zsl_node *n = zsl_first(zs); n; n = zsl_next(n), i++) {
        ck_assert(n->score == model[i].score);
        ck_assert_uint_eq(n->len, strlen(model[i].m));
        ck_assert(memcmp(zsl_member(n), model[i].m, n->len) == 0);
    }
    ck_assert_uint_eq(i, model_n);
}

/* A random step against both; scores collide often so member order is exercised. */
static void random_step(struct zsl *zs)
{
    char m[16];
    snprintf(m, sizeof(m), "m%ld", random() % 300);
    double score = (double)(random() % 40) / 4;
    long at = model_find(m);
    int op = (int)(random() % 10);
    if (at < 0 && op < 6) {
        zsl_insert(zs, score, m, strlen(m));
        model[model_n].score = score;
        strcpy(model[model_n++].m, m);
    } else if (at >= 0 && op < 3) {
        zsl_delete(zs, zsl_find(zs, m, strlen(m)));
        model_remove((size_t)at, 1);
    } else if (at >= 0 && op < 8) {
        zsl_update_score(zs, zsl_find(zs, m, strlen(m)), score);
        model[at].score = score;
    } else if (model_n > 0 && op == 9) {
        uint64_t start = 1 + (uint64_t)random() % model_n;
        uint64_t end = start + (uint64_t)random() % 4;
        if (end > model_n)
            end = model_n;
        zsl_delete_rank_range(zs, start, end);
        model_remove(start - 1, end - start + 1);
    }
    qsort(model, model_n, sizeof(*model), melem_cmp);
}

START_TEST(model_random_operations)
{
    model = calloc(400, sizeof(*model));
    model_n = 0;
    srandom(1234);
    undo_begin();
    shm_off_t off = zsl_new();
    fixture_write_commit();
    for (int step = 0; step < 6000; step++) {
        undo_begin();
        random_step(zsl_at(off));
        fixture_write_commit();
        expect_model(zsl_at(off));
    }
    free(model);
}
END_TEST

/* ---- ranks and bounds ---------------------------------------------------------- */

static int score_below(const struct zelem *e, const void *spec) { return e->score < *(const double *)spec; }
static int score_above(const struct zelem *e, const void *spec) { return e->score > *(const double *)spec; }

static shm_off_t build_even_scores(uint64_t n)
{
    struct zsl_builder b;
    undo_begin();
    zsl_builder_init(&b);
    for (uint64_t i = 1; i <= n; i++) {
        char m[24];
        int len = snprintf(m, sizeof(m), "e%08llu", (unsigned long long)i);
        zsl_builder_add(&b, (double)(2 * i), m, (size_t)len);
    }
    shm_off_t off = zsl_builder_finish(&b);
    fixture_write_commit();
    return off;
}

START_TEST(ranks_and_bounds)
{
    shm_off_t off = build_even_scores(1000);
    struct zsl *zs = zsl_at(off);
    check_ok(zs);
    for (uint64_t r = 1; r <= 1000; r += 37) {
        struct zsl_node *n = zsl_by_rank(zs, r);
        ck_assert(n->score == (double)(2 * r));
        ck_assert_uint_eq(zsl_rank(zs, n), r);
    }
    ck_assert_ptr_null(zsl_by_rank(zs, 0));
    ck_assert_ptr_null(zsl_by_rank(zs, 1001));

    uint64_t rank;
    double bound = 101;                         /* first >= 101 is 102, rank 51 */
    struct zsl_node *n = zsl_first_not_before(zs, score_below, &bound, &rank);
    ck_assert(n->score == 102);
    ck_assert_uint_eq(rank, 51);
    n = zsl_last_not_after(zs, score_above, &bound, &rank);   /* last <= 101 is 100 */
    ck_assert(n->score == 100);
    ck_assert_uint_eq(rank, 50);
    bound = 5000;
    ck_assert_ptr_null(zsl_first_not_before(zs, score_below, &bound, &rank));
    ck_assert_ptr_eq(zsl_last_not_after(zs, score_above, &bound, &rank), zsl_last(zs));
    ck_assert_uint_eq(rank, 1000);
    bound = 1;
    ck_assert_ptr_null(zsl_last_not_after(zs, score_above, &bound, &rank));
    ck_assert_uint_eq(rank, 0);
}
END_TEST

/* ---- rollback ------------------------------------------------------------------- */

START_TEST(rollback_restores_the_list)
{
    shm_off_t off = build_even_scores(500);
    struct zsl *zs = zsl_at(off);
    struct zsl before = *zs;
    model = calloc(2000, sizeof(*model));
    model_n = 0;
    for (struct zsl_node *n = zsl_first(zs); n; n = zsl_next(n)) {
        model[model_n].score = n->score;
        memcpy(model[model_n].m, zsl_member(n), n->len);
        model[model_n++].m[n->len] = '\0';
    }
    srandom(99);
    undo_begin();
    for (int i = 0; i < 300; i++) {
        char m[16];
        snprintf(m, sizeof(m), "x%d", i);
        zsl_insert(zs, (double)(random() % 1000), m, strlen(m));
        zsl_update_score(zs, zsl_by_rank(zs, 1 + (uint64_t)random() % zs->length), (double)(random() % 1000));
        zsl_delete(zs, zsl_by_rank(zs, 1 + (uint64_t)random() % zs->length));
    }
    zsl_delete_rank_range(zs, 10, 200);
    check_ok(zs);
    undo_rollback();
    slab_after_rollback();
    ck_assert(memcmp(&before, zs, sizeof(before)) == 0);
    expect_model(zs);
    free(model);
}
END_TEST

/* Every node's bytes (header, links, member) and the list's, in order. */
static size_t snap_list(const struct zsl *zs, unsigned char **out)
{
    size_t len = sizeof(*zs);
    for (struct zsl_node *n = zsl_first(zs); n; n = zsl_next(n))
        len += sizeof(*n) + n->level * sizeof(struct zsl_level) + n->len;
    unsigned char *b = malloc(len), *q = b;
    memcpy(q, zs, sizeof(*zs));
    q += sizeof(*zs);
    for (struct zsl_node *n = zsl_first(zs); n; n = zsl_next(n)) {
        size_t k = sizeof(*n) + n->level * sizeof(struct zsl_level) + n->len;
        memcpy(q, n, k);
        q += k;
    }
    *out = b;
    return len;
}

static jmp_buf stop_env;
static void stop_jump(void) { longjmp(stop_env, 1); }

/* Score updates that move a node (up, down, to either end, next to a tie, past
 * nodes of every level) on a list grown by inserts: stopped before each logged store
 * and rolled back, the list is byte for byte as before; run through, it is valid and
 * the node is at its new rank. */
START_TEST(moves_roll_back_at_every_store)
{
    static const double targets[] = { -1, 1e9, 500.5, 1000, 1, 2000, 999.5, 3 };
    undo_begin();
    shm_off_t off = zsl_new();
    struct zsl *zs = zsl_at(off);
    for (int i = 0; i < 3000; i++) {
        char m[16];
        snprintf(m, sizeof(m), "k%d", i);
        zsl_insert(zs, (double)(i % 1500), m, strlen(m));
    }
    fixture_write_commit();
    for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
        char m[16];
        snprintf(m, sizeof(m), "k%d", (int)((t * 397 + 700) % 3000));
        unsigned char *orig, *now;
        size_t olen = snap_list(zs, &orig), nlen;
        volatile long stop;
        for (stop = 0;; stop++) {
            undo_test_crash_after(stop, stop_jump);
            if (setjmp(stop_env) == 0) {
                undo_begin();
                zsl_update_score(zs, zsl_find(zs, m, strlen(m)), targets[t]);
                undo_test_crash_after(-1, NULL);
                break;
            }
            undo_rollback();
            slab_after_rollback();
            nlen = snap_list(zs, &now);
            ck_assert_msg(nlen == olen && memcmp(now, orig, olen) == 0, "move %zu stopped after %ld records", t,
                          (long)stop);
            free(now);
        }
        fixture_write_commit();
        ck_assert_msg(stop >= 3, "move %zu: %ld records", t, (long)stop);
        check_ok(zs);
        struct zsl_node *n = zsl_find(zs, m, strlen(m));
        ck_assert(n->score == targets[t]);
        uint64_t rank = zsl_rank(zs, n);
        ck_assert_ptr_eq(zsl_by_rank(zs, rank), n);
        ck_assert(rank == 1 || (zsl_prev(n)->score <= n->score));
        ck_assert(rank == zs->length || (zsl_next(n)->score >= n->score));
        free(orig);
    }
}
END_TEST

/* A new score that keeps a node between its neighbours changes the score alone: one
 * logged store, even on a list tall enough for the descents to start first. */
START_TEST(update_in_place_logs_the_score_only)
{
    undo_begin();
    shm_off_t off = zsl_new();
    struct zsl *zs = zsl_at(off);
    for (int i = 0; i < 3000; i++) {
        char m[16];
        snprintf(m, sizeof(m), "k%d", i);
        zsl_insert(zs, (double)(i % 1500), m, strlen(m));
    }
    fixture_write_commit();
    ck_assert_uint_gt(zs->level, 3);
    struct zsl_node *n = zsl_find(zs, "k700", 4);           /* after k2200 (700), before k2201 (701) */
    uint64_t rank = zsl_rank(zs, n);
    undo_begin();
    zsl_update_score(zs, n, 700.5);
    ck_assert_uint_le(undo_used(), 32);
    fixture_write_commit();
    ck_assert(n->score == 700.5);
    ck_assert_uint_eq(zsl_rank(zs, n), rank);
    check_ok(zs);
}
END_TEST

/* ---- builder, copy, big lists --------------------------------------------------- */

START_TEST(copy_is_deep_and_equal)
{
    shm_off_t off = build_even_scores(300);
    undo_begin();
    shm_off_t copy = zsl_copy(off);
    fixture_write_commit();
    check_ok(zsl_at(copy));
    struct zsl_node *a = zsl_first(zsl_at(off)), *b = zsl_first(zsl_at(copy));
    for (; a && b; a = zsl_next(a), b = zsl_next(b)) {
        ck_assert_ptr_ne(a, b);
        ck_assert(a->score == b->score && a->len == b->len);
        ck_assert(memcmp(zsl_member(a), zsl_member(b), a->len) == 0);
    }
    ck_assert(a == NULL && b == NULL);
    undo_begin();
    zsl_free(off);
    fixture_write_commit();
    check_ok(zsl_at(copy));
    undo_begin();
    zsl_free(copy);
    fixture_write_commit();
    char err[256];
    ck_assert_msg(slab_check(err, sizeof(err)) == 0, "%s", err);
}
END_TEST

START_TEST(range_cut_logs_little)
{
    shm_off_t off = build_even_scores(100000);
    struct zsl *zs = zsl_at(off);
    undo_begin();
    uint64_t used0 = undo_used();
    zsl_delete_rank_range(zs, 1, 10);
    uint64_t small = undo_used() - used0;
    used0 = undo_used();
    zsl_delete_rank_range(zs, 2, 50001);
    uint64_t big = undo_used() - used0;
    fixture_write_commit();
    check_ok(zs);
    ck_assert_uint_eq(zs->length, 49990);
    ck_assert(zsl_first(zs)->score == 22);
    ck_assert(zsl_next(zsl_first(zs))->score == 2 * 50012);
    /* the list's own links cost O(levels); the rest is the table's unlink records */
    ck_assert_uint_lt(big, small + 50000 * 80);
}
END_TEST

/* A level-0 link stores no span: its second word is the node's backward link, so a
 * level-1 node with a 24-byte member fills one 64-byte line, and the header's word
 * stays 0 (zsl_check) through inserts, moves, deletes and a range cut. */
START_TEST(level0_links_hold_the_backward_links)
{
    ck_assert_uint_eq(sizeof(struct zsl_node) + sizeof(struct zsl_level) + 24, 64);
    shm_off_t off = build_even_scores(50);
    struct zsl *zs = zsl_at(off);
    undo_begin();
    zsl_insert(zs, -1, "first", 5);
    zsl_update_score(zs, zsl_find(zs, "first", 5), 1000);
    zsl_update_score(zs, zsl_last(zs), -2);
    zsl_delete(zs, zsl_first(zs));
    zsl_delete_rank_range(zs, 1, 10);
    fixture_write_commit();
    check_ok(zs);
    ck_assert_uint_eq(zs->head[0].backward, 0);
    for (struct zsl_node *n = zsl_first(zs); n; n = zsl_next(n))
        ck_assert_ptr_eq(zsl_prev(n) ? zsl_next(zsl_prev(n)) : zsl_first(zs), n);
}
END_TEST

START_TEST(large_list_is_logarithmic)
{
    undo_begin();
    shm_off_t off = zsl_new();
    struct zsl *zs = zsl_at(off);
    for (int i = 0; i < 200000; i++) {
        char m[16];
        int len = snprintf(m, sizeof(m), "%d", (i * 7919) % 200000);
        zsl_insert(zs, (double)((i * 7919) % 1000), m, (size_t)len);
        if (i % 20000 == 19999) {
            fixture_write_commit();
            undo_begin();
        }
    }
    fixture_write_commit();
    check_ok(zs);
    ck_assert_uint_eq(zs->length, 200000);
    ck_assert_uint_ge(zs->level, 6);           /* log4(200000) is about 8.8 */
    ck_assert_uint_le(zs->level, 16);
    struct zsl_node *n = zsl_by_rank(zs, 123456);
    ck_assert_uint_eq(zsl_rank(zs, n), 123456);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("zskiplist");
    TCase *tc = tcase_create("zskiplist");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, model_random_operations);
    tcase_add_test(tc, ranks_and_bounds);
    tcase_add_test(tc, rollback_restores_the_list);
    tcase_add_test(tc, moves_roll_back_at_every_store);
    tcase_add_test(tc, update_in_place_logs_the_score_only);
    tcase_add_test(tc, copy_is_deep_and_equal);
    tcase_add_test(tc, range_cut_logs_little);
    tcase_add_test(tc, level0_links_hold_the_backward_links);
    tcase_add_test(tc, large_list_is_logarithmic);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return fixture_run_suite(suite());
}
