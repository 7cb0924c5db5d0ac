/* tests/unit/test_quicklist.c - Check tests for types/quicklist.c on an arena laid
 * out on plain memory: random operations against a model array under several fill
 * settings, checking after each step the structure (links, counts, no empty node,
 * node counts equal to their listpacks' lengths) and the contents both ways; node
 * sizes within the fill limit for pushes; bounded node counts under repeated inserts
 * at one place; rollback restoring a list exactly; the undo log growing with nodes,
 * not elements; copies independent; and no allocation left behind by ql_free.
 */
#include <check.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm/alloc.h"
#include "shm/arena.h"
#include "shm/slab_internal.h"
#include "shm/undo.h"
#include "types/quicklist.h"
#include "tests/unit/fixture.h"

#define ARENA_SIZE (64ULL << 20)

static void setup(void)
{
    fixture_arena_open(ARENA_SIZE, 8ULL << 20, 1, 1);
}

static void teardown(void)
{
    fixture_arena_close();
}

static void assert_slabs_consistent(void)
{
    char err[256];
    ck_assert_msg(slab_check(err, sizeof(err)) == 0, "%s", err);
}

/* ---- the model: an array of strings in private memory --------------------------- */

struct model {
    char **v;
    size_t *len;
    size_t n, cap;
};

static void model_insert(struct model *m, size_t at, const char *s, size_t len)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->v = realloc(m->v, m->cap * sizeof(*m->v));
        m->len = realloc(m->len, m->cap * sizeof(*m->len));
    }
    memmove(m->v + at + 1, m->v + at, (m->n - at) * sizeof(*m->v));
    memmove(m->len + at + 1, m->len + at, (m->n - at) * sizeof(*m->len));
    m->v[at] = malloc(len + 1);
    memcpy(m->v[at], s, len);
    m->len[at] = len;
    m->n++;
}

static void model_delete(struct model *m, size_t at, size_t k)
{
    for (size_t i = at; i < at + k; i++)
        free(m->v[i]);
    memmove(m->v + at, m->v + at + k, (m->n - at - k) * sizeof(*m->v));
    memmove(m->len + at, m->len + at + k, (m->n - at - k) * sizeof(*m->len));
    m->n -= k;
}

static void model_copy(struct model *dst, const struct model *src)
{
    memset(dst, 0, sizeof(*dst));
    for (size_t i = 0; i < src->n; i++)
        model_insert(dst, i, src->v[i], src->len[i]);
}

static void model_free(struct model *m)
{
    model_delete(m, 0, m->n);
    free(m->v);
    free(m->len);
}

static int model_eq(const struct model *m, size_t i, const char *s, size_t len)
{
    return m->len[i] == len && memcmp(m->v[i], s, len) == 0;
}

/* ---- checks --------------------------------------------------------------------- */

/* Check's ck_assert records every passing check in a file: too slow for the
 * per-entry checks below, which only report failures. */
#define CHECK(cond, ...) do { if (!(cond)) ck_abort_msg(__VA_ARGS__); } while (0)

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void) { return fixture_xorshift(&rng_state); }

static int entry_is(const unsigned char *p, const char *s, size_t len)
{
    unsigned char buf[LP_INTBUF_SIZE];
    uint32_t elen;
    const unsigned char *e = lp_get_str(p, &elen, buf);
    return elen == len && memcmp(e, s, len) == 0;
}

static void check_structure(shm_off_t ql)
{
    struct quicklist *q = ql_at(ql);
    uint64_t count = 0;
    uint32_t nodes = 0;
    shm_off_t prev = 0;
    for (shm_off_t node = q->head; node; prev = node, node = ql_node_at(node)->next) {
        struct ql_node *n = ql_node_at(node);
        CHECK(n->prev == prev, "node %u: prev link broken", nodes);
        CHECK(n->count > 0, "node %u is empty", nodes);
        CHECK(n->count == lp_length(n->lp), "node %u: count %u, listpack %u", nodes, n->count, lp_length(n->lp));
        count += n->count;
        nodes++;
    }
    CHECK(q->tail == prev, "tail is not the last node");
    CHECK(q->count == count, "count %llu, nodes hold %llu", (unsigned long long)q->count, (unsigned long long)count);
    CHECK(q->len == nodes, "len %u, %u nodes linked", q->len, nodes);
}

/* Structure, then contents walking both ways, then a few random seeks. */
static void check_list(shm_off_t ql, const struct model *m)
{
    struct ql_iter it;
    size_t i = 0;
    check_structure(ql);
    CHECK(ql_count(ql) == m->n, "%llu entries, model %zu", (unsigned long long)ql_count(ql), m->n);
    for (ql_seek(ql, 0, 1, &it); it.p; ql_advance(&it), i++)
        CHECK(i < m->n && entry_is(it.p, m->v[i], m->len[i]), "entry %zu differs walking forward", i);
    CHECK(i == m->n, "walked %zu entries forward", i);
    for (ql_seek(ql, -1, 0, &it); it.p; ql_advance(&it), i--)
        CHECK(i > 0 && entry_is(it.p, m->v[i - 1], m->len[i - 1]), "entry %zu differs walking back", i - 1);
    CHECK(i == 0, "%zu entries not reached walking back", i);
    for (int k = 0; k < 4 && m->n; k++) {
        size_t at = rnd() % m->n;
        CHECK(ql_seek(ql, (long long)at, 1, &it) && entry_is(it.p, m->v[at], m->len[at]), "seek %zu", at);
        CHECK(ql_seek(ql, (long long)at - (long long)m->n, 0, &it) && entry_is(it.p, m->v[at], m->len[at]),
              "seek %zu from the end", at);
    }
    CHECK(!ql_seek(ql, (long long)m->n, 1, &it), "seek past the end");
    CHECK(!ql_seek(ql, -(long long)m->n - 1, 1, &it), "seek before the start");
}

/* ---- random values and operations ----------------------------------------------- */

static char value_buf[10000];

/* A random value: small integers and short strings mostly, sometimes a few hundred
 * bytes, rarely more than 8kb; a small alphabet so that LREM finds matches. */
static size_t random_value(const char **out)
{
    uint64_t r = rnd() % 100;
    size_t len;
    if (r < 35) {
        len = (size_t)snprintf(value_buf, sizeof(value_buf), "%lld", (long long)(rnd() % 2000) - 1000);
    } else if (r < 90) {
        len = rnd() % 6;
        for (size_t i = 0; i < len; i++)
            value_buf[i] = (char)('a' + rnd() % 3);
    } else {
        len = r < 99 ? 100 + rnd() % 900 : 8200 + rnd() % 1000;
        memset(value_buf, (int)('A' + rnd() % 26), len);
    }
    *out = value_buf;
    return len;
}

static void op_push(shm_off_t ql, struct model *m)
{
    enum ql_end end = rnd() % 2 ? QL_HEAD : QL_TAIL;
    size_t n = rnd() % 4 ? 1 : 1 + rnd() % 300;
    const char **vals = malloc(n * sizeof(*vals));
    size_t *lens = malloc(n * sizeof(*lens));
    for (size_t i = 0; i < n; i++) {
        const char *v;
        lens[i] = random_value(&v);
        vals[i] = malloc(lens[i] + 1);
        memcpy((char *)vals[i], v, lens[i]);
        model_insert(m, end == QL_HEAD ? 0 : m->n, vals[i], lens[i]);
    }
    ql_push(ql, end, vals, lens, n);
    for (size_t i = 0; i < n; i++)
        free((char *)vals[i]);
    free(vals);
    free(lens);
}

static void op_delete_range(shm_off_t ql, struct model *m)
{
    if (!m->n)
        return;
    size_t start = rnd() % m->n, k = rnd() % 3 ? 1 + rnd() % 20 : rnd() % (m->n + 5);
    ql_delete_range(ql, start, k);
    model_delete(m, start, k < m->n - start ? k : m->n - start);
}

static void op_insert(shm_off_t ql, struct model *m)
{
    if (!m->n)
        return;
    size_t at = rnd() % m->n;
    enum lp_where where = (enum lp_where)(rnd() % 3);
    const char *v;
    size_t len = random_value(&v);
    struct ql_iter it;
    CHECK(ql_seek(ql, (long long)at, (int)(rnd() % 2), &it), "seek %zu", at);
    ql_insert(ql, &it, v, len, where);
    if (where == LP_REPLACE)
        model_delete(m, at, 1);
    model_insert(m, where == LP_AFTER ? at + 1 : at, v, len);
}

static void op_remove_equal(shm_off_t ql, struct model *m)
{
    const char *v;
    size_t len = random_value(&v);
    long long count = (long long)(rnd() % 5) - 2, removed = 0;
    char copy[16];
    if (len > sizeof(copy))
        return;
    memcpy(copy, v, len);
    uint64_t got = ql_remove_equal(ql, copy, len, count);
    uint64_t limit = count == 0 ? UINT64_MAX : (uint64_t)llabs(count);
    if (count >= 0) {
        for (size_t i = 0; i < m->n && (uint64_t)removed < limit;)
            if (model_eq(m, i, copy, len)) {
                model_delete(m, i, 1);
                removed++;
            } else {
                i++;
            }
    } else {
        for (size_t i = m->n; i-- > 0 && (uint64_t)removed < limit;)
            if (model_eq(m, i, copy, len)) {
                model_delete(m, i, 1);
                removed++;
            }
    }
    CHECK(got == (uint64_t)removed, "removed %llu, model %lld", (unsigned long long)got, removed);
}

static void random_op(shm_off_t ql, struct model *m)
{
    uint64_t r = rnd() % 100;
    if (r < 45)
        op_push(ql, m);
    else if (r < 65)
        op_delete_range(ql, m);
    else if (r < 90)
        op_insert(ql, m);
    else
        op_remove_equal(ql, m);
}

static const int fills[] = { -2, -1, -5, 0, 1, 4, 128, 32767 };

START_TEST(random_operations_match_the_model)
{
    struct model m = { 0 };
    rng_state = 0x9e3779b97f4a7c15ULL + (uint64_t)_i;
    undo_begin();
    shm_off_t ql = ql_new(fills[_i], 0);
    fixture_write_commit();
    for (int step = 0; step < 1500; step++) {
        undo_begin();
        random_op(ql, &m);
        fixture_write_commit();
        check_list(ql, &m);
    }
    assert_slabs_consistent();
    undo_begin();
    ql_free(ql);
    fixture_write_commit();
    model_free(&m);
}
END_TEST

START_TEST(fill_is_clamped_as_redis)
{
    undo_begin();
    shm_off_t a = ql_new(-100, 70000), b = ql_new(100000, -1);
    ck_assert_int_eq(ql_at(a)->fill, -5);
    ck_assert_uint_eq(ql_at(a)->compress, 65535);
    ck_assert_int_eq(ql_at(b)->fill, 32767);
    ck_assert_uint_eq(ql_at(b)->compress, 0);
    fixture_write_commit();
}
END_TEST

static size_t fill_limit(int fill) { return fill < 0 ? (size_t)4096 << (-fill - 1) : 8192; }

/* Pushes one by one and in batches, at both ends: every node holds one entry or
 * stays within the limit (and within fill entries for a positive fill). */
START_TEST(pushed_nodes_respect_the_fill)
{
    static const int cases[] = { -1, -2, -3, 5, 100 };
    int fill = cases[_i];
    struct model m = { 0 };
    undo_begin();
    shm_off_t ql = ql_new(fill, 0);
    fixture_write_commit();
    for (int round = 0; round < 400; round++) {
        undo_begin();
        op_push(ql, &m);
        fixture_write_commit();
    }
    check_list(ql, &m);
    uint32_t full_nodes = 0;
    for (shm_off_t node = ql_at(ql)->head; node; node = ql_node_at(node)->next) {
        struct ql_node *n = ql_node_at(node);
        if (n->count == 1)
            continue;
        CHECK(lp_bytes(n->lp) <= fill_limit(fill), "node of %u bytes", lp_bytes(n->lp));
        if (fill > 0)
            CHECK(n->count <= (uint32_t)fill, "node of %u entries", n->count);
        full_nodes++;
    }
    ck_assert_uint_gt(full_nodes, 1);
    model_free(&m);
}
END_TEST

/* 20000 inserts at the same place of a list of short values: nodes split in halves,
 * so the list stays within about twice the nodes a packed list needs. */
START_TEST(repeated_inserts_keep_nodes_full_enough)
{
    const char *v = "0123456789";
    size_t len = 10;
    struct ql_iter it;
    undo_begin();
    shm_off_t ql = ql_new(-2, 0);
    ql_push(ql, QL_TAIL, &v, &len, 1);
    ql_push(ql, QL_TAIL, &v, &len, 1);
    fixture_write_commit();
    for (int i = 0; i < 20000; i++) {
        undo_begin();
        CHECK(ql_seek(ql, (long long)ql_count(ql) - 1, 1, &it), "seek");
        ql_insert(ql, &it, v, len, LP_BEFORE);
        fixture_write_commit();
    }
    check_structure(ql);
    uint64_t packed_nodes = 20002 * 12 / 8192 + 1;
    ck_assert_uint_le(ql_at(ql)->len, 2 * packed_nodes + 2);
}
END_TEST

/* A write of many changes rolled back leaves the list exactly as committed. */
START_TEST(rollback_restores_the_list)
{
    struct model m = { 0 }, saved;
    rng_state = 12345;
    undo_begin();
    shm_off_t ql = ql_new(-2, 0);
    fixture_write_commit();
    for (int i = 0; i < 300; i++) {
        undo_begin();
        random_op(ql, &m);
        fixture_write_commit();
    }
    model_copy(&saved, &m);
    undo_begin();
    for (int i = 0; i < 200; i++)
        random_op(ql, &m);
    undo_rollback();
    slab_after_rollback();
    check_list(ql, &saved);
    assert_slabs_consistent();
    model_free(&m);
    model_free(&saved);
}
END_TEST

/* 100000 small values pushed in one batch onto a list that has some: the undo log
 * grows with the nodes built (allocations), not with the elements. */
START_TEST(batch_push_logs_per_node)
{
    enum { N = 100000 };
    const char **vals = malloc(N * sizeof(*vals));
    size_t *lens = malloc(N * sizeof(*lens));
    for (int i = 0; i < N; i++) {
        vals[i] = "elem";
        lens[i] = 4;
    }
    undo_begin();
    shm_off_t ql = ql_new(-2, 0);
    ql_push(ql, QL_TAIL, vals, lens, 10);
    fixture_write_commit();
    undo_begin();
    ql_push(ql, QL_HEAD, vals, lens, N);
    uint64_t logged = undo_used();
    fixture_write_commit();
    uint32_t nodes = ql_at(ql)->len;
    ck_assert_uint_ge(nodes, N * 6 / 8192);
    ck_assert_msg(logged < (uint64_t)nodes * 1024, "%llu bytes logged for %u nodes",
                  (unsigned long long)logged, nodes);
    ck_assert_msg(logged < N, "%llu bytes logged for %d elements", (unsigned long long)logged, N);
    free(vals);
    free(lens);
}
END_TEST

START_TEST(dup_is_deep_and_free_releases_everything)
{
    struct model m = { 0 };
    struct slab_stats before, after;
    rng_state = 777;
    slab_get_stats(&before);
    undo_begin();
    shm_off_t ql = ql_new(4, 3);
    for (int i = 0; i < 200; i++)
        random_op(ql, &m);
    shm_off_t copy = ql_dup(ql);
    fixture_write_commit();
    ck_assert_int_eq(ql_at(copy)->fill, 4);
    ck_assert_uint_eq(ql_at(copy)->compress, 3);
    check_list(copy, &m);
    undo_begin();
    ql_delete_range(ql, 0, ql_count(ql));
    fixture_write_commit();
    check_list(copy, &m);
    undo_begin();
    ql_free(ql);
    ql_free(copy);
    fixture_write_commit();
    slab_get_stats(&after);
    ck_assert_uint_eq(after.allocations, before.allocations);
    assert_slabs_consistent();
    model_free(&m);
}
END_TEST

/* Deleting ranges that span whole nodes, and emptying the list. */
START_TEST(delete_range_spanning_nodes)
{
    struct model m = { 0 };
    const char *v;
    undo_begin();
    shm_off_t ql = ql_new(3, 0);
    for (int i = 0; i < 30; i++) {
        char buf[8];
        size_t len = (size_t)snprintf(buf, sizeof(buf), "v%d", i);
        v = buf;
        ql_push(ql, QL_TAIL, &v, &len, 1);
        model_insert(&m, m.n, buf, len);
    }
    fixture_write_commit();
    ck_assert_uint_eq(ql_at(ql)->len, 10);
    undo_begin();
    ql_delete_range(ql, 2, 20);                 /* part of node 0, nodes 1-6, part of 7 */
    model_delete(&m, 2, 20);
    fixture_write_commit();
    check_list(ql, &m);
    undo_begin();
    ql_delete_range(ql, 5, 100);                /* clipped to the end */
    model_delete(&m, 5, m.n - 5);
    fixture_write_commit();
    check_list(ql, &m);
    undo_begin();
    ql_delete_range(ql, 0, 5);
    fixture_write_commit();
    ck_assert_uint_eq(ql_count(ql), 0);
    ck_assert_uint_eq(ql_at(ql)->head, 0);
    ck_assert_uint_eq(ql_at(ql)->tail, 0);
    ck_assert_uint_eq(ql_at(ql)->len, 0);
    model_free(&m);
}
END_TEST

/* ---- in-place changes rolled back at every logged store ------------------------- */

/* A push or pop of n values at one end; pushed values are numbered from a counter. */
struct step {
    int pop;
    enum ql_end end;
    unsigned n;
};

/* A list built by the build steps (each its own write), then a write of the write
 * steps; in_place: the write must allocate nothing (every change in place). */
struct scenario {
    const char *name;
    int fill;
    struct step build[4];
    struct step write[6];
    int in_place;
};

static const struct scenario scenarios[] = {
    { "lpush into front room", -2, { { 0, QL_HEAD, 26 } }, { { 0, QL_HEAD, 1 } }, 1 },
    { "rpush into back room", -2, { { 0, QL_TAIL, 38 } }, { { 0, QL_TAIL, 1 } }, 1 },
    { "pops at both ends", -2, { { 0, QL_TAIL, 60 } }, { { 1, QL_HEAD, 2 }, { 1, QL_TAIL, 3 } }, 1 },
    { "pop then push into the popped bytes", -2, { { 0, QL_HEAD, 30 }, { 0, QL_TAIL, 30 } },
      { { 1, QL_HEAD, 3 }, { 0, QL_HEAD, 2 }, { 1, QL_TAIL, 2 }, { 0, QL_TAIL, 3 }, { 0, QL_HEAD, 1 } }, 1 },
    { "push that grows the node", -2, { { 0, QL_HEAD, 3 } }, { { 0, QL_HEAD, 40 } }, 0 },
    { "pops that shrink the node", -2, { { 0, QL_TAIL, 200 }, { 1, QL_HEAD, 150 } },
      { { 1, QL_HEAD, 20 }, { 1, QL_TAIL, 10 } }, 0 },
    { "batch push over node limits", 5, { { 0, QL_HEAD, 13 }, { 0, QL_TAIL, 13 } },
      { { 0, QL_HEAD, 17 }, { 1, QL_TAIL, 7 }, { 0, QL_TAIL, 9 } }, 0 },
};

static unsigned value_counter;

/* Value k: an integer, a short string or a 40-byte string in turn. */
static size_t step_value(unsigned k, char *buf)
{
    if (k % 3 == 0)
        return (size_t)sprintf(buf, "%u", k * 37);
    if (k % 3 == 1)
        return (size_t)sprintf(buf, "s%u", k);
    return (size_t)sprintf(buf, "%040u", k);
}

/* Runs the steps; each one is its own write when separate.  m (if not NULL) follows. */
static void apply_step(shm_off_t ql, const struct step *st, struct model *m)
{
    if (st->pop) {
        uint64_t count = ql_count(ql);
        ql_delete_range(ql, st->end == QL_HEAD ? 0 : count - st->n, st->n);
        if (m)
            model_delete(m, st->end == QL_HEAD ? 0 : m->n - st->n, st->n);
        return;
    }
    char (*bufs)[48] = malloc(st->n * sizeof(*bufs));
    const char **vals = malloc(st->n * sizeof(*vals));
    size_t *lens = malloc(st->n * sizeof(*lens));
    for (unsigned i = 0; i < st->n; i++) {
        lens[i] = step_value(value_counter++, bufs[i]);
        vals[i] = bufs[i];
        if (m)
            model_insert(m, st->end == QL_HEAD ? 0 : m->n, vals[i], lens[i]);
    }
    ql_push(ql, st->end, vals, lens, st->n);
    free(bufs);
    free(vals);
    free(lens);
}

static void apply_write(shm_off_t ql, const struct scenario *sc, struct model *m)
{
    for (size_t i = 0; i < sizeof(sc->write) / sizeof(sc->write[0]) && sc->write[i].n; i++)
        apply_step(ql, &sc->write[i], m);
}

/* The list's header, each node and each node's whole allocation, spare bytes included. */
struct snap {
    unsigned char *b;
    size_t len;
};

static void snap_add(struct snap *s, const void *p, size_t len)
{
    s->b = realloc(s->b, s->len + len);
    memcpy(s->b + s->len, p, len);
    s->len += len;
}

static struct snap snap_list(shm_off_t ql)
{
    struct snap s = { NULL, 0 };
    snap_add(&s, ql_at(ql), sizeof(struct quicklist));
    for (shm_off_t node = ql_at(ql)->head; node; node = ql_node_at(node)->next) {
        struct ql_node *n = ql_node_at(node);
        snap_add(&s, n, sizeof(*n));
        snap_add(&s, shm_ptr(n->lp - n->front), n->size);
    }
    return s;
}

static void assert_same_snap(const struct snap *a, shm_off_t ql, long stop)
{
    struct snap b = snap_list(ql);
    CHECK(a->len == b.len && memcmp(a->b, b.b, a->len) == 0, "stopped after %ld records: list not restored", stop);
    free(b.b);
}

static jmp_buf stop_env;
static void stop_jump(void) { longjmp(stop_env, 1); }

/* Stops the write before its 1st, 2nd, ... logged store and rolls it back: the list
 * (header, nodes, whole allocations) is byte for byte as before, every time; then
 * the write runs to its end and commits, matching the model. */
START_TEST(in_place_changes_roll_back_at_every_store)
{
    const struct scenario *sc = &scenarios[_i];
    struct model m = { 0 };
    struct slab_stats before, after;
    value_counter = 0;
    undo_begin();
    shm_off_t ql = ql_new(sc->fill, 0);
    fixture_write_commit();
    for (size_t i = 0; i < sizeof(sc->build) / sizeof(sc->build[0]) && sc->build[i].n; i++)
        for (unsigned k = 0; k < sc->build[i].n; k++) {
            struct step one = sc->build[i];
            one.n = 1;
            undo_begin();
            apply_step(ql, &one, &m);
            fixture_write_commit();
        }
    struct snap orig = snap_list(ql);
    unsigned counter = value_counter;
    volatile long stop;
    for (stop = 0;; stop++) {
        value_counter = counter;
        undo_test_crash_after(stop, stop_jump);
        if (setjmp(stop_env) == 0) {
            undo_begin();
            apply_write(ql, sc, NULL);
            undo_test_crash_after(-1, NULL);
            fixture_write_rollback();
            assert_same_snap(&orig, ql, stop);
            break;
        }
        fixture_write_rollback();
        assert_same_snap(&orig, ql, stop);
        check_structure(ql);
    }
    ck_assert_msg(stop >= 3, "%s: only %ld records", sc->name, (long)stop);
    value_counter = counter;
    slab_get_stats(&before);
    undo_begin();
    apply_write(ql, sc, &m);
    slab_get_stats(&after);
    fixture_write_commit();
    if (sc->in_place)
        ck_assert_msg(after.allocations == before.allocations, "%s: allocated", sc->name);
    check_list(ql, &m);
    assert_slabs_consistent();
    free(orig.b);
    model_free(&m);
}
END_TEST

static shm_off_t end_node(shm_off_t ql, enum ql_end end)
{
    return end == QL_HEAD ? ql_at(ql)->head : ql_at(ql)->tail;
}

static shm_off_t node_alloc(shm_off_t node)
{
    return node ? ql_node_at(node)->lp - ql_node_at(node)->front : 0;
}

/* Values pushed one at a time at both ends in turn, then popped one at a time: a
 * push or pop moves a node to a new allocation only when it outgrows (or shrinks well
 * below) the one it has, not every time, and the list takes about what its
 * listpacks need. */
START_TEST(pushes_and_pops_copy_nodes_rarely)
{
    enum { N = 20000 };
    struct slab_stats before, after;
    const char *v = "abc";
    size_t len = 3;
    unsigned copies = 0;
    undo_begin();
    shm_off_t ql = ql_new(-2, 0);
    fixture_write_commit();
    slab_get_stats(&before);
    for (int i = 0; i < 2 * N; i++) {
        enum ql_end end = i % 2 ? QL_HEAD : QL_TAIL;
        shm_off_t node = end_node(ql, end), base = node_alloc(node);
        undo_begin();
        if (i < N)
            ql_push(ql, end, &v, &len, 1);
        else
            ql_delete_range(ql, end == QL_HEAD ? 0 : ql_count(ql) - 1, 1);
        fixture_write_commit();
        copies += node && end_node(ql, end) == node && node_alloc(node) != base;
        if (i == N - 1) {
            uint64_t used = 0;
            slab_get_stats(&after);
            for (shm_off_t n = ql_at(ql)->head; n; n = ql_node_at(n)->next)
                used += lp_bytes(ql_node_at(n)->lp) + sizeof(struct ql_node);
            ck_assert_msg(after.bytes_allocated - before.bytes_allocated < used + used / 4 + 16384,
                          "%llu bytes allocated for %llu bytes of nodes",
                          (unsigned long long)(after.bytes_allocated - before.bytes_allocated),
                          (unsigned long long)used);
        }
    }
    ck_assert_msg(copies < N / 20, "%u copies for %d pushes and pops", copies, 2 * N);
    ck_assert_uint_eq(ql_count(ql), 0);
    slab_get_stats(&after);
    ck_assert_uint_eq(after.allocations, before.allocations);
    assert_slabs_consistent();
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("quicklist");
    TCase *tc = tcase_create("quicklist");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, random_operations_match_the_model, 0, (int)(sizeof(fills) / sizeof(fills[0])));
    tcase_add_test(tc, fill_is_clamped_as_redis);
    tcase_add_loop_test(tc, pushed_nodes_respect_the_fill, 0, 5);
    tcase_add_test(tc, repeated_inserts_keep_nodes_full_enough);
    tcase_add_test(tc, rollback_restores_the_list);
    tcase_add_test(tc, batch_push_logs_per_node);
    tcase_add_test(tc, dup_is_deep_and_free_releases_everything);
    tcase_add_test(tc, delete_range_spanning_nodes);
    tcase_add_loop_test(tc, in_place_changes_roll_back_at_every_store, 0,
                        (int)(sizeof(scenarios) / sizeof(scenarios[0])));
    tcase_add_test(tc, pushes_and_pops_copy_nodes_rarely);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return fixture_run_suite(suite());
}
