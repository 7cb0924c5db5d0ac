/* tests/unit/test_listpack.c - Check tests for shm/listpack.c.
 *
 * Runs on an arena laid out on plain memory, holding the keyspace lock, each change
 * inside undo_begin..undo_commit (debug builds junk-fill what a write freed, so a
 * listpack still read after being replaced shows up).  Byte vectors are what Redis
 * 7.0.15 produced for the same contents (DUMP payloads of lists, hashes and zsets,
 * taken from redis-server with rdbcompression off).  The random test runs every
 * operation against a model (an array of strings) with deep validation after every
 * step; the corruption test feeds truncated and bit-flipped listpacks to lp_validate
 * from exact-size malloc'd copies (run under ASan to catch any read out of bounds).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm/alloc.h"
#include "shm/arena.h"
#include "shm/listpack.h"
#include "shm/undo.h"
#include "util/numconv.h"
#include "tests/unit/fixture.h"

#define ARENA_SIZE (256ULL << 20)

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void) { return fixture_xorshift(&rng_state); }

static void setup(void)
{
    fixture_arena_open(ARENA_SIZE, 8ULL << 20, 1, 1);
    undo_begin();
}

static void teardown(void)
{
    undo_commit();
    fixture_arena_close();
}

/* Ends the current write (freeing replaced listpacks) and starts the next. */
static void next_write(void)
{
    undo_commit();
    undo_begin();
}

static shm_off_t from_strings(const char *const *v, size_t n)
{
    shm_off_t lp = lp_new();
    for (size_t i = 0; i < n; i++)
        lp = lp_append(lp, (const unsigned char *)v[i], (uint32_t)strlen(v[i]));
    return lp;
}

static void hex_of(const unsigned char *b, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
}

static void assert_bytes(shm_off_t lp, const char *hex)
{
    char got[4096];
    ck_assert_uint_lt(lp_bytes(lp) * 2, sizeof(got));
    hex_of(lp_ptr(lp), lp_bytes(lp), got);
    ck_assert_str_eq(got, hex);
    ck_assert_int_eq(lp_validate(lp_ptr(lp), lp_bytes(lp), 1), 1);
}

/* Head (first 'nh' bytes) and tail (last 'nt' bytes) of the listpack. */
static void assert_ends(shm_off_t lp, uint32_t total, const char *head, const char *tail)
{
    char got[64];
    size_t nh = strlen(head) / 2, nt = strlen(tail) / 2;
    ck_assert_uint_eq(lp_bytes(lp), total);
    hex_of(lp_ptr(lp), nh, got);
    ck_assert_str_eq(got, head);
    hex_of(lp_ptr(lp) + total - nt, nt, got);
    ck_assert_str_eq(got, tail);
    ck_assert_int_eq(lp_validate(lp_ptr(lp), lp_bytes(lp), 1), 1);
}

static shm_off_t field_with_value(char c, uint32_t n)
{
    char *v = malloc(n);
    memset(v, c, n);
    shm_off_t lp = lp_append(lp_new(), (const unsigned char *)"f", 1);
    lp = lp_append(lp, (const unsigned char *)v, n);
    free(v);
    return lp;
}

/* ---- byte vectors from Redis 7.0.15 ---- */

START_TEST(redis_vectors_integers)
{
    static const char *const l1[] = { "a", "1", "-1", "127", "128", "-4096", "4095", "-4097", "4096" };
    assert_bytes(from_strings(l1, 9),
                 "2200000009008161020101dfff027f01c08002d00002cfff02f1ffef03f1001003ff");
    static const char *const l2[] = { "32767", "32768", "-32768", "-32769", "8388607", "8388608",
                                      "-8388608", "-8388609" };
    assert_bytes(from_strings(l2, 8),
                 "2f0000000800f1ff7f03f200800004f1008003f2ff7fff04f2ffff7f04f30000800005f200008004"
                 "f3ffff7fff05ff");
    static const char *const l3[] = { "2147483647", "2147483648", "-2147483648", "-2147483649",
                                      "9223372036854775807", "-9223372036854775808",
                                      "9223372036854775808", "01", "-0", "+1", "", " 1" };
    assert_bytes(from_strings(l3, 12),
                 "620000000c00f3ffffff7f05f4000000800000000009f30000008005f4ffffff7fffffffff09f4ff"
                 "ffffffffffff7f09f400000000000000800993393232333337323033363835343737353830381482"
                 "303103822d3003822b3103800182203103ff");
}
END_TEST

START_TEST(redis_vectors_strings)
{
    static const char *const z1[] = { "a", "1.5", "b", "2" };
    assert_bytes(from_strings(z1, 4), "14000000040081610283312e35048162020201ff");

    char x63[64], y64[65];
    memset(x63, 'x', 63), x63[63] = 0;
    memset(y64, 'y', 64), y64[64] = 0;
    const char *h1[] = { x63, y64 };
    char want[600] = "8b0000000200bf", *w = want + strlen(want);
    for (int i = 0; i < 63; i++, w += 2) memcpy(w, "78", 2);
    w += sprintf(w, "40e040");
    for (int i = 0; i < 64; i++, w += 2) memcpy(w, "79", 2);
    strcpy(w, "42ff");
    assert_bytes(from_strings(h1, 2), want);

    /* 12-bit and 32-bit strings, and backlen size boundaries (elen 127/128, 16382/16383) */
    assert_ends(field_with_value('z', 4095), 4109, "0d1000000200816602efff7a", "7a7a2081ff");
    assert_ends(field_with_value('w', 4096), 4113, "111000000200816602f0001000007777", "77777777772085ff");
    assert_ends(field_with_value('v', 16380), 16398, "0e4000000200816602f0fc3f00007676", "76767676018081ff");
    assert_ends(field_with_value('q', 125), 138, "8a0000000200816602e07d717171", "717171717fff");
    assert_ends(field_with_value('q', 126), 140, "8c0000000200816602e07e717171", "7171710180ff");
    assert_ends(field_with_value('q', 16377), 16394, "0a4000000200816602f0f93f0000", "7171717ffeff");
    assert_ends(field_with_value('q', 16378), 16396, "0c4000000200816602f0fa3f0000", "717100ffffff");
}
END_TEST

START_TEST(empty_listpack)
{
    shm_off_t lp = lp_new();
    assert_bytes(lp, "0700000000" "00ff");
    ck_assert_uint_eq(lp_length(lp), 0);
    ck_assert_ptr_null(lp_first(lp));
    ck_assert_ptr_null(lp_last(lp));
    ck_assert_ptr_null(lp_seek(lp, 0));
    ck_assert_ptr_null(lp_seek(lp, -1));
    ck_assert_ptr_null(lp_random(lp, rnd));
    ck_assert_ptr_null(lp_find(lp, lp_first(lp), (const unsigned char *)"a", 1, 0));
    ck_assert_uint_eq(lp_delete_range(lp, 0, 5), lp);
}
END_TEST

/* ---- encode/decode boundaries ---- */

static void assert_int_entry(const unsigned char *p, long long v)
{
    struct lp_value val;
    lp_get(p, &val);
    ck_assert_ptr_null(val.s);
    ck_assert_int_eq(val.v, v);
    unsigned char buf[LP_INTBUF_SIZE];
    char txt[LP_INTBUF_SIZE];
    uint32_t len;
    const unsigned char *s = lp_get_str(p, &len, buf);
    int n = ll2string(txt, sizeof(txt), v);
    ck_assert_uint_eq(len, (uint32_t)n);
    ck_assert(memcmp(s, txt, len) == 0);
}

START_TEST(integer_width_boundaries)
{
    static const struct { long long v; uint32_t size; } cases[] = {
        { 0, 2 }, { 127, 2 }, { 128, 3 }, { -1, 3 }, { 4095, 3 }, { -4096, 3 }, { 4096, 4 },
        { -4097, 4 }, { 32767, 4 }, { -32768, 4 }, { 32768, 5 }, { -32769, 5 },
        { 8388607, 5 }, { -8388608, 5 }, { 8388608, 6 }, { -8388609, 6 },
        { INT32_MAX, 6 }, { INT32_MIN, 6 }, { (long long)INT32_MAX + 1, 10 },
        { (long long)INT32_MIN - 1, 10 }, { INT64_MAX, 10 }, { INT64_MIN, 10 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char txt[LP_INTBUF_SIZE];
        int n = ll2string(txt, sizeof(txt), cases[i].v);
        shm_off_t a = lp_append(lp_new(), (const unsigned char *)txt, (uint32_t)n);
        shm_off_t b = lp_append_int(lp_new(), cases[i].v);
        ck_assert_uint_eq(lp_bytes(a), 7 + cases[i].size);
        ck_assert_uint_eq(lp_bytes(b), lp_bytes(a));
        ck_assert(memcmp(lp_ptr(a), lp_ptr(b), lp_bytes(a)) == 0);
        assert_int_entry(lp_first(a), cases[i].v);
        ck_assert_int_eq(lp_eq(lp_first(a), (const unsigned char *)txt, (uint32_t)n), 1);
        next_write();
    }
}
END_TEST

START_TEST(string_length_classes)
{
    static const uint32_t lens[] = { 0, 1, 63, 64, 4095, 4096, 70000, 300000 };
    static const uint32_t hdr[] = { 1, 1, 1, 2, 2, 5, 5, 5 };
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        unsigned char *s = malloc(lens[i] + 1);
        for (uint32_t j = 0; j < lens[i]; j++) s[j] = (unsigned char)('a' + j % 26);
        shm_off_t lp = lp_append(lp_new(), s, lens[i]);
        uint64_t elen = hdr[i] + lens[i];
        uint32_t bl = elen <= 127 ? 1 : elen < 16383 ? 2 : elen < 2097151 ? 3 : 4;
        ck_assert_uint_eq(lp_bytes(lp), 7 + elen + bl);
        struct lp_value v;
        lp_get(lp_first(lp), &v);
        ck_assert_ptr_nonnull(v.s);
        ck_assert_uint_eq(v.len, lens[i]);
        ck_assert(memcmp(v.s, s, lens[i]) == 0);
        ck_assert_ptr_eq(lp_last(lp), lp_first(lp));
        ck_assert_int_eq(lp_eq(lp_first(lp), s, lens[i]), 1);
        ck_assert_int_eq(lp_validate(lp_ptr(lp), lp_bytes(lp), 1), 1);
        free(s);
        next_write();
    }
}
END_TEST

/* ---- iteration, seek, find, eq ---- */

static shm_off_t numbered(int n)
{
    shm_off_t lp = lp_new();
    for (int i = 0; i < n; i++) {
        char b[16];
        int len = sprintf(b, i % 2 ? "s%d" : "%d", i);
        lp = lp_append(lp, (const unsigned char *)b, (uint32_t)len);
    }
    return lp;
}

static int entry_index(const unsigned char *p)     /* the number in "s<i>" or "<i>" */
{
    unsigned char buf[LP_INTBUF_SIZE];
    uint32_t len;
    const unsigned char *s = lp_get_str(p, &len, buf);
    char txt[16];
    snprintf(txt, sizeof(txt), "%.*s", (int)len, (const char *)s);
    return atoi(txt + (txt[0] == 's'));
}

START_TEST(iterate_both_ways_and_seek)
{
    shm_off_t lp = numbered(50);
    ck_assert_uint_eq(lp_length(lp), 50);
    int i = 0;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p), i++)
        ck_assert_int_eq(entry_index(p), i);
    ck_assert_int_eq(i, 50);
    for (unsigned char *p = lp_last(lp); p; p = lp_prev(lp, p))
        ck_assert_int_eq(entry_index(p), --i);
    ck_assert_int_eq(i, 0);
    for (long k = -60; k < 60; k++) {
        unsigned char *p = lp_seek(lp, k);
        if (k < -50 || k >= 50) {
            ck_assert_ptr_null(p);
        } else {
            ck_assert_ptr_nonnull(p);
            ck_assert_int_eq(entry_index(p), (int)(k < 0 ? k + 50 : k));
        }
    }
    unsigned char *p = lp_random(lp, rnd);
    ck_assert_ptr_nonnull(p);
}
END_TEST

START_TEST(find_with_skip)
{
    static const char *const kv[] = { "k1", "v", "k2", "k1", "k3", "10", "10", "x", "01", "1" };
    shm_off_t lp = from_strings(kv, 10);
    /* skip 1: only keys are compared; "k1" as a value (index 3) is not a key */
    unsigned char *p = lp_find(lp, lp_first(lp), (const unsigned char *)"k1", 2, 1);
    ck_assert_ptr_eq(p, lp_seek(lp, 0));
    ck_assert_ptr_null(lp_find(lp, lp_first(lp), (const unsigned char *)"v", 1, 1));
    ck_assert_ptr_eq(lp_find(lp, lp_first(lp), (const unsigned char *)"v", 1, 0), lp_seek(lp, 1));
    ck_assert_ptr_eq(lp_find(lp, lp_first(lp), (const unsigned char *)"10", 2, 1), lp_seek(lp, 6));
    ck_assert_ptr_eq(lp_find(lp, lp_first(lp), (const unsigned char *)"10", 2, 0), lp_seek(lp, 5));
    ck_assert_ptr_eq(lp_find(lp, lp_seek(lp, 1), (const unsigned char *)"k1", 2, 1), lp_seek(lp, 3));
    /* integers vs strings: "1" finds the integer 1, "01" the string "01" */
    ck_assert_ptr_eq(lp_find(lp, lp_first(lp), (const unsigned char *)"1", 1, 0), lp_seek(lp, 9));
    ck_assert_ptr_eq(lp_find(lp, lp_first(lp), (const unsigned char *)"01", 2, 0), lp_seek(lp, 8));
    ck_assert_ptr_null(lp_find(lp, lp_first(lp), (const unsigned char *)"+1", 2, 0));
    ck_assert_ptr_null(lp_find(lp, lp_first(lp), (const unsigned char *)"k", 1, 0));
    ck_assert_ptr_null(lp_find(lp, NULL, (const unsigned char *)"k1", 2, 0));
}
END_TEST

START_TEST(eq_integers_vs_strings)
{
    static const char *const v[] = { "1", "01", "-0", "1.0", "", "-5000", "x" };
    shm_off_t lp = from_strings(v, 7);
    unsigned char *one = lp_seek(lp, 0), *s01 = lp_seek(lp, 1), *m0 = lp_seek(lp, 2);
    unsigned char *f = lp_seek(lp, 3), *e = lp_seek(lp, 4), *neg = lp_seek(lp, 5);
#define EQ(p, lit) lp_eq(p, (const unsigned char *)lit, sizeof(lit) - 1)
    ck_assert(EQ(one, "1") && !EQ(one, "01") && !EQ(one, "1.0") && !EQ(one, "+1") && !EQ(one, ""));
    ck_assert(EQ(s01, "01") && !EQ(s01, "1"));
    ck_assert(EQ(m0, "-0") && !EQ(m0, "0"));
    ck_assert(EQ(f, "1.0") && !EQ(f, "1"));
    ck_assert(EQ(e, "") && !EQ(e, "0"));
    ck_assert(EQ(neg, "-5000") && !EQ(neg, "5000") && !EQ(neg, "-05000"));
#undef EQ
    struct lp_value val;
    lp_get(s01, &val);
    ck_assert_ptr_nonnull(val.s);
    lp_get(one, &val);
    ck_assert_ptr_null(val.s);
    ck_assert_int_eq(val.v, 1);
}
END_TEST

/* ---- changes ---- */

static void assert_strings(shm_off_t lp, const char *const *want, size_t n)
{
    ck_assert_uint_eq(lp_length(lp), n);
    ck_assert_int_eq(lp_validate(lp_ptr(lp), lp_bytes(lp), 1), 1);
    unsigned char *p = lp_first(lp);
    for (size_t i = 0; i < n; i++, p = lp_next(lp, p)) {
        ck_assert_ptr_nonnull(p);
        ck_assert_msg(lp_eq(p, (const unsigned char *)want[i], (uint32_t)strlen(want[i])),
                      "entry %zu is not %s", i, want[i]);
    }
    ck_assert_ptr_null(p);
}

#define S(lit) (const unsigned char *)lit, (uint32_t)(sizeof(lit) - 1)

START_TEST(insert_before_after_replace)
{
    static const char *const base[] = { "a", "b", "c" };
    shm_off_t lp = from_strings(base, 3);
    unsigned char *np;
    lp = lp_insert(lp, lp_first(lp), S("0"), LP_BEFORE, &np);      /* head */
    ck_assert_ptr_eq(np, lp_first(lp));
    lp = lp_insert(lp, lp_last(lp), S("zz"), LP_AFTER, &np);       /* tail */
    ck_assert_ptr_eq(np, lp_last(lp));
    lp = lp_insert(lp, lp_seek(lp, 2), S("mid"), LP_AFTER, &np);   /* middle */
    ck_assert_ptr_eq(np, lp_seek(lp, 3));
    lp = lp_insert(lp, lp_seek(lp, 2), S("-7"), LP_BEFORE, &np);
    ck_assert_ptr_eq(np, lp_seek(lp, 2));
    static const char *const w1[] = { "0", "a", "-7", "b", "mid", "c", "zz" };
    assert_strings(lp, w1, 7);
    next_write();
    lp = lp_insert(lp, lp_first(lp), S("first"), LP_REPLACE, &np);
    ck_assert_ptr_eq(np, lp_first(lp));
    lp = lp_insert(lp, lp_last(lp), S("123456789012"), LP_REPLACE, &np);
    ck_assert_ptr_eq(np, lp_last(lp));
    lp = lp_insert(lp, lp_seek(lp, 3), S(""), LP_REPLACE, &np);
    ck_assert_ptr_eq(np, lp_seek(lp, 3));
    static const char *const w2[] = { "first", "a", "-7", "", "mid", "c", "123456789012" };
    assert_strings(lp, w2, 7);
    lp = lp_prepend(lp, S("p"));
    lp = lp_append(lp, S("q"));
    lp = lp_insert(lp, lp_ptr(lp) + lp_bytes(lp) - 1, S("end"), LP_BEFORE, NULL);  /* at end byte */
    static const char *const w3[] = { "p", "first", "a", "-7", "", "mid", "c", "123456789012", "q", "end" };
    assert_strings(lp, w3, 10);
    next_write();
    lp = lp_insert_pair(lp, NULL, S("f"), S("17"), &np);           /* append a pair */
    ck_assert_ptr_eq(np, lp_seek(lp, -2));
    lp = lp_insert_pair(lp, lp_first(lp), S("h"), S("x"), &np);    /* at the head */
    ck_assert_ptr_eq(np, lp_first(lp));
    lp = lp_insert_pair(lp, lp_seek(lp, 3), S("-1"), S(""), &np);  /* middle */
    ck_assert_ptr_eq(np, lp_seek(lp, 3));
    static const char *const w4[] = { "h", "x", "p", "-1", "", "first", "a", "-7", "", "mid", "c",
                                      "123456789012", "q", "end", "f", "17" };
    assert_strings(lp, w4, 16);
    ck_assert_uint_eq(lp_ptr(lp)[4], 16);
}
END_TEST

START_TEST(delete_entries_and_ranges)
{
    static const char *const base[] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" };
    shm_off_t lp = from_strings(base, 10);
    unsigned char *next;
    lp = lp_delete(lp, lp_first(lp), &next);
    ck_assert_ptr_eq(next, lp_first(lp));
    lp = lp_delete(lp, lp_last(lp), &next);
    ck_assert_ptr_null(next);
    lp = lp_delete(lp, lp_seek(lp, 3), &next);
    ck_assert_ptr_eq(next, lp_seek(lp, 3));
    static const char *const w1[] = { "1", "2", "3", "5", "6", "7", "8" };
    assert_strings(lp, w1, 7);
    next_write();
    shm_off_t same = lp_delete_range(lp, 7, 3);                    /* out of range */
    ck_assert_uint_eq(same, lp);
    ck_assert_uint_eq(lp_delete_range(lp, -8, 1), lp);
    ck_assert_uint_eq(lp_delete_range(lp, 2, 0), lp);
    lp = lp_delete_range(lp, -2, 100);                              /* clipped at the end */
    static const char *const w2[] = { "1", "2", "3", "5", "6" };
    assert_strings(lp, w2, 5);
    lp = lp_delete_range(lp, 1, 1);
    static const char *const w3[] = { "1", "3", "5", "6" };
    assert_strings(lp, w3, 4);
    lp = lp_delete_n(lp, lp_seek(lp, 2), 2, &next);     /* pair at the end */
    ck_assert_ptr_null(next);
    static const char *const w4[] = { "1", "3" };
    assert_strings(lp, w4, 2);
    ck_assert_uint_eq(lp_delete_n(lp, lp_first(lp), 0, &next), lp);
    ck_assert_ptr_eq(next, lp_first(lp));
    lp = lp_prepend(lp, S("x"));
    lp = lp_delete_n(lp, lp_first(lp), 1, &next);
    ck_assert_ptr_eq(next, lp_first(lp));
    lp = lp_delete_n(lp, lp_first(lp), 9, &next);
    ck_assert_ptr_null(next);
    assert_strings(lp, NULL, 0);
    assert_bytes(lp, "07000000000" "0ff");
}
END_TEST

START_TEST(builder)
{
    static const char *const src[] = { "a", "-100", "hello world", "99999999999" };
    shm_off_t ref = from_strings(src, 4);
    struct lp_builder b;
    lp_builder_init(&b);
    lp_builder_add(&b, S("a"));
    lp_builder_add_int(&b, -100);
    lp_builder_add_entry(&b, lp_seek(ref, 2));
    lp_builder_add(&b, S("99999999999"));
    shm_off_t lp = lp_builder_finish(&b);
    ck_assert_ptr_null(b.buf);
    ck_assert_uint_eq(lp_bytes(lp), lp_bytes(ref));
    ck_assert(memcmp(lp_ptr(lp), lp_ptr(ref), lp_bytes(lp)) == 0);

    lp_builder_init(&b);
    shm_off_t empty = lp_builder_finish(&b);
    assert_bytes(empty, "07000000000" "0ff");
    lp_builder_init(&b);
    lp_builder_add(&b, S("x"));
    lp_builder_discard(&b);
    ck_assert_ptr_null(b.buf);
}
END_TEST

/* A builder started in a small caller buffer stays there while it fits, then moves
 * to the heap keeping what it had; the result is the same listpack either way. */
START_TEST(builder_in_caller_buffer)
{
    static const char *const src[] = { "a", "-100", "hello world", "99999999999" };
    shm_off_t ref = from_strings(src, 4);
    unsigned char small[16];
    struct lp_builder b;
    lp_builder_init_in(&b, small, sizeof(small));
    lp_builder_add(&b, S("a"));
    lp_builder_add_int(&b, -100);
    ck_assert_ptr_eq(b.buf, small);
    lp_builder_add_entry(&b, lp_seek(ref, 2));
    ck_assert_ptr_ne(b.buf, small);
    lp_builder_add(&b, S("99999999999"));
    shm_off_t lp = lp_builder_finish(&b);
    ck_assert_uint_eq(lp_bytes(lp), lp_bytes(ref));
    ck_assert(memcmp(lp_ptr(lp), lp_ptr(ref), lp_bytes(lp)) == 0);
    lp_builder_init_in(&b, small, sizeof(small));
    lp_builder_add(&b, S("x"));
    lp_builder_discard(&b);                     /* nothing to free: still the caller's buffer */
    ck_assert_ptr_null(b.buf);
}
END_TEST

START_TEST(count_unknown_past_65534)
{
    struct lp_builder b;
    lp_builder_init(&b);
    for (int i = 0; i < 65534; i++)
        lp_builder_add_int(&b, i);
    shm_off_t lp = lp_builder_finish(&b);
    ck_assert_uint_eq(lp_ptr(lp)[4] | lp_ptr(lp)[5] << 8, 65534);
    lp = lp_append_int(lp, 65534);
    ck_assert_uint_eq(lp_ptr(lp)[4] | lp_ptr(lp)[5] << 8, 65535);  /* unknown */
    ck_assert_uint_eq(lp_length(lp), 65535);
    lp = lp_append_int(lp, 65535);
    ck_assert_uint_eq(lp_length(lp), 65536);
    ck_assert_int_eq(lp_validate(lp_ptr(lp), lp_bytes(lp), 1), 1);
    struct lp_value v;
    lp_get(lp_seek(lp, -1), &v);
    ck_assert_int_eq(v.v, 65535);
    lp_get(lp_seek(lp, 40000), &v);
    ck_assert_int_eq(v.v, 40000);
    lp_get(lp_seek(lp, -65536), &v);
    ck_assert_int_eq(v.v, 0);
    ck_assert_ptr_null(lp_seek(lp, 65536));
    ck_assert_ptr_null(lp_seek(lp, -65537));
    next_write();
    lp = lp_delete_range(lp, 0, 10);                 /* stays unknown, as in Redis */
    ck_assert_uint_eq(lp_ptr(lp)[4] | lp_ptr(lp)[5] << 8, 65535);
    ck_assert_uint_eq(lp_length(lp), 65526);
    ck_assert_int_eq(lp_validate(lp_ptr(lp), lp_bytes(lp), 1), 1);
}
END_TEST

/* ---- random operations against a model ---- */

struct mstr { unsigned char *s; uint32_t len; };
struct model { struct mstr *v; size_t n, cap; };

static void random_value(unsigned char *buf, uint32_t *len)
{
    static const char *const odd[] = { "01", "-0", "+1", " 1", "1 ", "", "-", "0", "-1",
                                       "9223372036854775807", "-9223372036854775808",
                                       "9223372036854775808", "1e3", "0x10" };
    unsigned kind = (unsigned)(rnd() % 8);
    if (kind == 0) {
        const char *s = odd[rnd() % (sizeof(odd) / sizeof(odd[0]))];
        *len = (uint32_t)strlen(s);
        memcpy(buf, s, *len);
    } else if (kind <= 3) {
        static const int shifts[] = { 6, 12, 15, 23, 31, 62 };
        long long v = (long long)(rnd() >> (63 - shifts[rnd() % 6]));
        if (rnd() % 2) v = -v - (long long)(rnd() % 2);
        *len = (uint32_t)ll2string((char *)buf, LP_INTBUF_SIZE, v);
    } else {
        uint32_t n = kind == 7 && rnd() % 16 == 0 ? 4000 + (uint32_t)(rnd() % 200) : (uint32_t)(rnd() % 80);
        for (uint32_t i = 0; i < n; i++) buf[i] = (unsigned char)(rnd() % 256);
        *len = n;
    }
}

static void model_insert(struct model *m, size_t at, const unsigned char *s, uint32_t len)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->v = realloc(m->v, m->cap * sizeof(*m->v));
    }
    memmove(m->v + at + 1, m->v + at, (m->n - at) * sizeof(*m->v));
    m->v[at].s = malloc(len + 1);
    memcpy(m->v[at].s, s, len);
    m->v[at].len = len;
    m->n++;
}

static void model_delete(struct model *m, size_t at, size_t count)
{
    for (size_t i = at; i < at + count; i++) free(m->v[i].s);
    memmove(m->v + at, m->v + at + count, (m->n - at - count) * sizeof(*m->v));
    m->n -= count;
}

/* Index of the first entry that differs from the model walking forward, then
 * backward; -1 when all match (plain comparisons: each ck_assert costs a write). */
static long model_diff(shm_off_t lp, const struct model *m)
{
    unsigned char buf[LP_INTBUF_SIZE];
    size_t i = 0;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p), i++) {
        uint32_t len;
        const unsigned char *s = lp_get_str(p, &len, buf);
        if (i >= m->n || len != m->v[i].len || (len && memcmp(s, m->v[i].s, len))) return (long)i;
    }
    if (i != m->n) return (long)i;
    for (unsigned char *p = lp_last(lp); p; p = lp_prev(lp, p)) {
        if (i == 0) return 0;
        i--;
        if (!lp_eq(p, m->v[i].s, m->v[i].len)) return (long)i;
    }
    return i == 0 ? -1 : (long)i;
}

static void model_check(shm_off_t lp, const struct model *m)
{
    ck_assert_int_eq(lp_validate(lp_ptr(lp), lp_bytes(lp), 1), 1);
    ck_assert_uint_eq(lp_length(lp), m->n);
    ck_assert_int_eq(model_diff(lp, m), -1);
}

static void random_step(shm_off_t *lpp, struct model *m)
{
    unsigned char val[4300];
    uint32_t len;
    random_value(val, &len);
    shm_off_t lp = *lpp;
    size_t n = m->n, at = n ? (size_t)(rnd() % n) : 0;
    long neg = (long)at - (long)n;                      /* the same entry from the end */
    switch (rnd() % 10) {
    case 0: *lpp = lp_append(lp, val, len); model_insert(m, n, val, len); break;
    case 1: *lpp = lp_prepend(lp, val, len); model_insert(m, 0, val, len); break;
    case 2:
    case 3: {
        if (!n) break;
        enum lp_where w = (enum lp_where)(rnd() % 3);
        unsigned char *np;
        *lpp = lp_insert(lp, lp_seek(lp, rnd() % 2 ? (long)at : neg), val, len, w, &np);
        if (w == LP_REPLACE) model_delete(m, at, 1);
        size_t pos = at + (w == LP_AFTER);
        model_insert(m, pos, val, len);
        ck_assert_ptr_eq(np, lp_seek(*lpp, (long)pos));
        break;
    }
    case 4: {
        if (!n) break;
        unsigned char *next;
        *lpp = lp_delete(lp, lp_seek(lp, neg), &next);
        model_delete(m, at, 1);
        ck_assert_ptr_eq(next, at < m->n ? lp_seek(*lpp, (long)at) : NULL);
        break;
    }
    case 5: {
        if (!n) break;
        unsigned long count = (unsigned long)(rnd() % 6);
        *lpp = lp_delete_range(lp, rnd() % 2 ? (long)at : neg, count);
        if (count == 0) ck_assert_uint_eq(*lpp, lp);
        model_delete(m, at, count < n - at ? count : n - at);
        break;
    }
    case 6: {                                           /* find: first equal from a start */
        size_t skip = (size_t)(rnd() % 3), from = n ? (size_t)(rnd() % n) : 0;
        const struct mstr *needle = n && rnd() % 2 ? &m->v[at] : NULL;
        const unsigned char *ns = needle ? needle->s : val;
        uint32_t nl = needle ? needle->len : len;
        size_t want = n;
        for (size_t i = from; i < n; i += skip + 1)
            if (m->v[i].len == nl && (nl == 0 || memcmp(m->v[i].s, ns, nl) == 0)) { want = i; break; }
        unsigned char *p = lp_find(lp, lp_seek(lp, (long)from), ns, nl, (unsigned)skip);
        ck_assert_ptr_eq(p, want < n ? lp_seek(lp, (long)want) : NULL);
        break;
    }
    case 7: {                                           /* rebuild through the builder */
        struct lp_builder b;
        lp_builder_init(&b);
        for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p))
            lp_builder_add_entry(&b, p);
        *lpp = lp_builder_finish(&b);
        ck_assert_uint_eq(lp_bytes(*lpp), lp_bytes(lp));
        ck_assert(memcmp(lp_ptr(*lpp), lp_ptr(lp), lp_bytes(lp)) == 0);
        shm_free(lp);
        break;
    }
    case 8: {                                           /* a pair before an entry or at the end */
        size_t pos = rnd() % 3 ? at : n;
        unsigned char *np;
        *lpp = lp_insert_pair(lp, pos < n ? lp_seek(lp, (long)pos) : NULL, val, len, val, len / 2, &np);
        model_insert(m, pos, val, len);
        model_insert(m, pos + 1, val, len / 2);
        ck_assert_ptr_eq(np, lp_seek(*lpp, (long)pos));
        break;
    }
    default: {
        if (!n) break;
        unsigned long count = (unsigned long)(rnd() % 4);
        unsigned char *next;
        *lpp = lp_delete_n(lp, lp_seek(lp, (long)at), count, &next);
        if (count == 0) ck_assert_uint_eq(*lpp, lp);
        model_delete(m, at, count < n - at ? count : n - at);
        ck_assert_ptr_eq(next, at < m->n ? lp_seek(*lpp, (long)at) : NULL);
        break;
    }
    }
}

START_TEST(random_against_model)
{
    struct model m = { 0 };
    shm_off_t lp = lp_new();
    for (int step = 0; step < 20000; step++) {
        random_step(&lp, &m);
        model_check(lp, &m);
        if (m.n > 300) {                                /* keep it small: shrink */
            lp = lp_delete_range(lp, 0, m.n - 50);
            model_delete(&m, 0, m.n - 50);
        }
        if (step % 7 == 0) next_write();
    }
    model_delete(&m, 0, m.n);
    free(m.v);
}
END_TEST

/* ---- validation of untrusted bytes ---- */

/* Validates a malloc'd copy of exactly len bytes; if accepted, walks it both ways. */
static int validate_copy(const unsigned char *src, size_t len)
{
    unsigned char *copy = malloc(len ? len : 1);
    memcpy(copy, src, len);
    int ok = lp_validate(copy, len, 1);
    if (ok) {
        shm_off_t lp = lp_from_bytes(copy, len);
        uint32_t n = 0, back = 0;
        unsigned char buf[LP_INTBUF_SIZE];
        for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p), n++) {
            uint32_t l;
            lp_get_str(p, &l, buf);
        }
        for (unsigned char *p = lp_last(lp); p; p = lp_prev(lp, p)) back++;
        ck_assert_uint_eq(n, back);
        ck_assert_uint_eq(n, lp_length(lp));
        shm_free(lp);
    }
    free(copy);
    return ok;
}

static void set_total(unsigned char *b, size_t len)
{
    b[0] = (unsigned char)len, b[1] = (unsigned char)(len >> 8);
    b[2] = (unsigned char)(len >> 16), b[3] = (unsigned char)(len >> 24);
}

START_TEST(validate_rejects_corruption)
{
    ck_assert_int_eq(lp_validate((const unsigned char *)"", 0, 1), 0);
    static const char *const src[] = { "a", "1", "-4097", "hello", "9223372036854775807", "" };
    shm_off_t good = from_strings(src, 6);
    size_t len = lp_bytes(good);
    unsigned char ref[256];
    memcpy(ref, lp_ptr(good), len);
    ck_assert_int_eq(validate_copy(ref, len), 1);
    ck_assert_int_eq(lp_validate(ref, len, 0), 1);

    unsigned char b[256];
    for (size_t cut = 0; cut < len; cut++) {            /* truncations: header then fixed */
        ck_assert_int_eq(validate_copy(ref, cut), 0);
        memcpy(b, ref, cut);
        if (cut >= 7) {
            set_total(b, cut);
            b[cut - 1] = 0xFF;
            ck_assert_int_eq(validate_copy(b, cut), 0);  /* count or an entry is off */
        }
    }
    memcpy(b, ref, len);
    b[4] = 7;                                           /* wrong count */
    ck_assert_int_eq(lp_validate(b, len, 1), 0);
    ck_assert_int_eq(lp_validate(b, len, 0), 1);        /* shallow does not walk */
    b[4] = 0xFF, b[5] = 0xFF;                           /* unknown count is fine */
    ck_assert_int_eq(validate_copy(b, len), 1);
    memcpy(b, ref, len);
    b[len - 1] = 0;                                     /* no end byte */
    ck_assert_int_eq(lp_validate(b, len, 0), 0);
    memcpy(b, ref, len);
    b[6] = 0xF5;                                        /* no such encoding */
    ck_assert_int_eq(lp_validate(b, len, 1), 0);
    /* one 64-bit int entry (F4, 8 bytes, backlen 09): every other byte F5..FF in its
     * place is no encoding, though the sizes would fit */
    unsigned char one[17] = { 17, 0, 0, 0, 1, 0, 0xF4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xFF };
    ck_assert_int_eq(validate_copy(one, 17), 1);
    for (unsigned enc = 0xF5; enc <= 0xFF; enc++) {
        one[6] = (unsigned char)enc;
        ck_assert_int_eq(validate_copy(one, 17), 0);
    }
    memcpy(b, ref, len);
    b[8] = 0x03;                                        /* wrong backlen of entry 0 */
    ck_assert_int_eq(lp_validate(b, len, 1), 0);
    memcpy(b, ref, len);
    b[6] = 0xFF;                                        /* end byte in the middle */
    ck_assert_int_eq(lp_validate(b, len, 1), 0);

    /* random flips with a consistent header: must never crash (ASan checks reads) */
    int accepted = 0;
    for (int round = 0; round < 200000; round++) {
        memcpy(b, ref, len);
        size_t blen = len;
        if (rnd() % 4 == 0) blen = 7 + (size_t)(rnd() % (len - 6));
        int flips = 1 + (int)(rnd() % 3);
        for (int f = 0; f < flips; f++)
            b[6 + rnd() % (blen - 6)] ^= (unsigned char)(1u << (rnd() % 8));
        if (rnd() % 2) b[4] = 0xFF, b[5] = 0xFF;
        set_total(b, blen);
        b[blen - 1] = 0xFF;
        accepted += validate_copy(b, blen);
        if (round % 1000 == 0) next_write();
    }
    ck_assert_int_gt(accepted, 0);                      /* e.g. a flipped string byte */
}
END_TEST

/* Every string class and integer width, corrupted where it matters: random bytes of
 * the encodings, lengths and backlens (so 32-bit lengths claim gigabytes). */
START_TEST(validate_corrupted_encodings)
{
    static const uint32_t lens[] = { 0, 5, 63, 64, 100, 4095, 4096, 5000 };
    static const long long ints[] = { 7, -3000, 30000, -8000000, 2000000000, -5000000000LL };
    unsigned char *str = malloc(5000);
    memset(str, 'k', 5000);
    shm_off_t good = lp_new();
    for (size_t i = 0; i < 8; i++) {
        good = lp_append(good, str, lens[i]);
        good = lp_append_int(good, ints[i % 6]);
    }
    free(str);
    size_t len = lp_bytes(good), nmeta = 0, meta[64];
    for (unsigned char *p = lp_first(good); p; p = lp_next(good, p)) {
        unsigned char *next = lp_next(good, p);
        meta[nmeta++] = (size_t)(p - lp_ptr(good));                 /* encoding byte */
        meta[nmeta++] = (size_t)(p - lp_ptr(good)) + 1;             /* length / value */
        meta[nmeta++] = (next ? (size_t)(next - lp_ptr(good)) : len - 1) - 1;  /* backlen */
    }
    unsigned char *b = malloc(len);
    int accepted = 0;
    for (int round = 0; round < 20000; round++) {
        memcpy(b, lp_ptr(good), len);
        for (int f = 1 + (int)(rnd() % 2); f > 0; f--)
            b[meta[rnd() % nmeta]] ^= (unsigned char)(rnd() % 2 ? 1u << (rnd() % 8) : rnd() % 256);
        accepted += validate_copy(b, len);
        if (round % 1000 == 0) next_write();
    }
    free(b);
    ck_assert_int_lt(accepted, 20000);
}
END_TEST

static TCase *new_case(Suite *s, const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    return tc;
}

static Suite *listpack_suite(void)
{
    Suite *s = suite_create("listpack");
    TCase *tc = new_case(s, "redis_bytes");
    tcase_add_test(tc, redis_vectors_integers);
    tcase_add_test(tc, redis_vectors_strings);
    tcase_add_test(tc, empty_listpack);
    tc = new_case(s, "encoding");
    tcase_add_test(tc, integer_width_boundaries);
    tcase_add_test(tc, string_length_classes);
    tcase_add_test(tc, count_unknown_past_65534);
    tc = new_case(s, "reading");
    tcase_add_test(tc, iterate_both_ways_and_seek);
    tcase_add_test(tc, find_with_skip);
    tcase_add_test(tc, eq_integers_vs_strings);
    tc = new_case(s, "changes");
    tcase_add_test(tc, insert_before_after_replace);
    tcase_add_test(tc, delete_entries_and_ranges);
    tcase_add_test(tc, builder);
    tcase_add_test(tc, builder_in_caller_buffer);
    tcase_add_test(tc, random_against_model);
    tc = new_case(s, "validate");
    tcase_add_test(tc, validate_rejects_corruption);
    tcase_add_test(tc, validate_corrupted_encodings);
    return s;
}

int main(void)
{
    return fixture_run_suite(listpack_suite());
}
