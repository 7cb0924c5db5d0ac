/* tests/unit/test_intset.c - Check tests for shm/intset.c.
 *
 * On an arena laid out on plain memory, holding the keyspace lock, changes inside
 * undo_begin..undo_commit.  Byte vectors are what Redis 7.0.15 produced (DUMP of
 * SADD'ed sets, OBJECT ENCODING intset).  A random run compares add/remove/find
 * against a sorted model array with deep validation after every step; corrupted
 * inputs go to intset_validate from exact-size malloc'd copies (ASan: no read out of
 * bounds).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm/alloc.h"
#include "shm/arena.h"
#include "shm/intset.h"
#include "shm/undo.h"
#include "tests/unit/fixture.h"

#define ARENA_SIZE (64ULL << 20)

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;
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

static void next_write(void)
{
    undo_commit();
    undo_begin();
}

static void assert_hex(shm_off_t is, const char *hex)
{
    char got[512];
    size_t n = intset_bytes(is);
    ck_assert_uint_lt(n * 2, sizeof(got));
    for (size_t i = 0; i < n; i++)
        sprintf(got + 2 * i, "%02x", intset_ptr(is)[i]);
    ck_assert_str_eq(got, hex);
}

static shm_off_t from_values(const int64_t *v, size_t n)
{
    shm_off_t is = intset_new();
    for (size_t i = 0; i < n; i++) {
        int added;
        is = intset_add(is, v[i], &added);
        ck_assert_int_eq(added, 1);
    }
    return is;
}

START_TEST(redis_vectors)
{
    assert_hex(intset_new(), "0200000000000000");
    static const int64_t s1[] = { 1, -5, 3 }, s2[] = { 1, 40000, -5 }, s3[] = { 1, 5000000000LL, -5 };
    assert_hex(from_values(s1, 3), "0200000003000000fbff01000300");
    assert_hex(from_values(s2, 3), "0400000003000000fbffffff01000000409c0000");
    assert_hex(from_values(s3, 3), "0800000003000000fbffffffffffffff010000000000000000f2052a01000000");
}
END_TEST

START_TEST(upgrade_at_both_ends)
{
    static const int64_t small[] = { 10, -10, 0, 32767, -32768 };
    shm_off_t is = from_values(small, 5);
    ck_assert_uint_eq(intset_bytes(is), 8 + 5 * 2);
    int added;
    is = intset_add(is, -32769, &added);                 /* upgrade, goes first */
    ck_assert_int_eq(added, 1);
    ck_assert_uint_eq(intset_bytes(is), 8 + 6 * 4);
    ck_assert_int_eq(intset_get(is, 0), -32769);
    ck_assert_int_eq(intset_get(is, 1), -32768);
    ck_assert_int_eq(intset_get(is, 5), 32767);
    is = intset_add(is, INT64_MAX, &added);              /* upgrade, goes last */
    ck_assert_uint_eq(intset_bytes(is), 8 + 7 * 8);
    ck_assert_int_eq(intset_max(is), INT64_MAX);
    ck_assert_int_eq(intset_min(is), -32769);
    is = intset_add(is, INT64_MIN, &added);
    ck_assert_int_eq(intset_min(is), INT64_MIN);
    ck_assert_int_eq(intset_find(is, 0), 1);
    ck_assert_int_eq(intset_find(is, 1), 0);
    ck_assert_int_eq(intset_validate(intset_ptr(is), intset_bytes(is), 1), 1);
    shm_off_t same = intset_add(is, 10, &added);         /* already there: unchanged */
    ck_assert_int_eq(added, 0);
    ck_assert_uint_eq(same, is);
    int removed;
    is = intset_remove(is, INT64_MAX, &removed);         /* no downgrade, as Redis */
    ck_assert_int_eq(removed, 1);
    is = intset_remove(is, INT64_MIN, &removed);
    ck_assert_uint_eq(intset_bytes(is), 8 + 6 * 8);
    ck_assert_uint_eq(intset_remove(is, 12345, &removed), is);
    ck_assert_int_eq(removed, 0);
    ck_assert_uint_eq(intset_remove(is, INT64_MAX, &removed), is);
    ck_assert_int_eq(removed, 0);
}
END_TEST

START_TEST(find_outside_encoding)
{
    static const int64_t v[] = { 1, 2, 3 };
    shm_off_t is = from_values(v, 3);
    /* 65537 truncated to 16 bits is 1: must not be found */
    ck_assert_int_eq(intset_find(is, 65537), 0);
    ck_assert_int_eq(intset_find(is, 2), 1);
    ck_assert_int_eq(intset_find(is, (int64_t)1 << 32 | 3), 0);
    int removed;
    ck_assert_uint_eq(intset_remove(is, 65537, &removed), is);
    ck_assert_int_eq(removed, 0);
}
END_TEST

/* ---- random against a sorted model ---- */

static int64_t random_value(void)
{
    static const int shifts[] = { 3, 8, 15, 16, 31, 32, 63 };
    int64_t v = (int64_t)(rnd() >> (63 - shifts[rnd() % 7]));
    return rnd() % 2 ? -v - (int64_t)(rnd() % 2) : v;
}

static size_t lower_bound(const int64_t *m, size_t n, int64_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m[mid] < v) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* First index where the intset differs from the model, -1 if none. */
static long model_diff(shm_off_t is, const int64_t *m, size_t n)
{
    if (intset_length(is) != n) return (long)n;
    for (uint32_t i = 0; i < n; i++)
        if (intset_get(is, i) != m[i]) return (long)i;
    return -1;
}

START_TEST(random_against_model)
{
    int64_t *m = malloc(4096 * sizeof(*m));
    size_t n = 0;
    unsigned maxenc = 2;
    shm_off_t is = intset_new();
    for (int step = 0; step < 30000; step++) {
        int64_t v = rnd() % 3 == 0 && n ? m[rnd() % n] : random_value();
        size_t at = lower_bound(m, n, v);
        int present = at < n && m[at] == v, changed;
        ck_assert_int_eq(intset_find(is, v), present);
        int adding = rnd() % 5 < 3 && n < 4000;
        if (adding) {
            is = intset_add(is, v, &changed);
            if (!present) {
                memmove(m + at + 1, m + at, (n - at) * sizeof(*m));
                m[at] = v;
                n++;
            }
        } else {
            is = intset_remove(is, v, &changed);
            if (present) {
                memmove(m + at, m + at + 1, (n - at - 1) * sizeof(*m));
                n--;
            }
        }
        ck_assert_int_eq(changed, adding ? !present : present);
        unsigned need = v >= INT16_MIN && v <= INT16_MAX ? 2 : v >= INT32_MIN && v <= INT32_MAX ? 4 : 8;
        if (adding && changed && need > maxenc) maxenc = need;
        ck_assert_uint_eq(intset_bytes(is), 8 + n * maxenc);
        ck_assert_int_eq(model_diff(is, m, n), -1);
        if (n) {
            ck_assert_int_eq(intset_validate(intset_ptr(is), intset_bytes(is), 1), 1);
            ck_assert_int_eq(intset_min(is), m[0]);
            ck_assert_int_eq(intset_max(is), m[n - 1]);
            int64_t r = intset_random(is, rnd);
            size_t ri = lower_bound(m, n, r);
            ck_assert(ri < n && m[ri] == r);
        }
        if (step % 5 == 0) next_write();
        if (step % 10000 == 9999) {                     /* start over: encodings shrink */
            shm_free(is);
            is = intset_new();
            n = 0;
            maxenc = 2;
        }
    }
    free(m);
}
END_TEST

/* ---- validation ---- */

static int validate_copy(const unsigned char *src, size_t len, int deep)
{
    unsigned char *copy = malloc(len ? len : 1);
    memcpy(copy, src, len);
    int ok = intset_validate(copy, len, deep);
    free(copy);
    return ok;
}

START_TEST(validate_rejects_corruption)
{
    static const int64_t v[] = { -70000, -5, 0, 7, 100000 };
    shm_off_t is = from_values(v, 5);
    unsigned char b[64];
    size_t len = intset_bytes(is);
    memcpy(b, intset_ptr(is), len);
    ck_assert_int_eq(validate_copy(b, len, 1), 1);
    for (size_t cut = 0; cut < len; cut++)
        ck_assert_int_eq(validate_copy(b, cut, 1), 0);
    ck_assert_int_eq(validate_copy(b, len + 0, 0), 1);
    /* empty: never stored by Redis, rejected */
    ck_assert_int_eq(intset_validate(intset_ptr(intset_new()), 8, 1), 0);

    unsigned char c[64];
    memcpy(c, b, len);
    c[0] = 3;                                           /* bad encoding */
    ck_assert_int_eq(validate_copy(c, len, 0), 0);
    memcpy(c, b, len);
    c[4] = 6;                                           /* length does not match size */
    ck_assert_int_eq(validate_copy(c, len, 0), 0);
    memcpy(c, b, len);
    c[7] = 0x40;                                        /* length * 4 overflows 32 bits */
    ck_assert_int_eq(validate_copy(c, len, 0), 0);
    memcpy(c, b, len);
    memcpy(c + 8 + 4 * 3, c + 8 + 4 * 2, 4);            /* duplicate */
    ck_assert_int_eq(validate_copy(c, len, 0), 1);
    ck_assert_int_eq(validate_copy(c, len, 1), 0);
    memcpy(c, b, len);
    memcpy(c + 8, c + 8 + 4 * 4, 4);                    /* out of order */
    ck_assert_int_eq(validate_copy(c, len, 1), 0);

    int accepted = 0;
    for (int round = 0; round < 100000; round++) {
        memcpy(c, b, len);
        for (int f = 0; f < 2; f++)
            c[rnd() % len] ^= (unsigned char)(1u << (rnd() % 8));
        size_t clen = rnd() % 4 ? len : (size_t)(rnd() % (len + 1));
        accepted += validate_copy(c, clen, 1);
    }
    ck_assert_int_gt(accepted, 0);
}
END_TEST

static Suite *intset_suite(void)
{
    Suite *s = suite_create("intset");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, redis_vectors);
    tcase_add_test(tc, upgrade_at_both_ends);
    tcase_add_test(tc, find_outside_encoding);
    tcase_add_test(tc, random_against_model);
    tcase_add_test(tc, validate_rejects_corruption);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return fixture_run_suite(intset_suite());
}
