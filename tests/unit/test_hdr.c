/* tests/unit/test_hdr.c - util/hdr.c (latency histograms in Redis's HdrHistogram layout)
 * and util/repr.c (sdscatrepr quoting).  Expected numbers are what redis-server 7.0.15
 * printed for single-sample histograms (INFO latencystats with percentiles 0 12.5 100,
 * LATENCY HISTOGRAM) and in MONITOR lines. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/fixture.h"
#include "util/hdr.h"
#include "util/repr.h"

static uint64_t counts[HDR_COUNTS_LEN];

static void one_sample(int64_t ns)
{
    memset(counts, 0, sizeof(counts));
    counts[hdr_index(ns)]++;
}

START_TEST(percentiles_match_redis)
{
    /* sample (ns), then Redis's p0 and p50 (ns) */
    static const int64_t cases[][3] = {
        { 1000, 1000, 1003 }, { 6000, 5984, 6015 }, { 8000, 8000, 8031 }, { 11000, 10944, 11007 },
        { 21000, 20992, 21119 }, { 46000, 45824, 46079 }, { 76000, 75776, 76287 }, { 64000, 64000, 64255 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        one_sample(cases[i][0]);
        ck_assert_int_eq(hdr_value_at_percentile(counts, 1, 0.0), cases[i][1]);
        ck_assert_int_eq(hdr_value_at_percentile(counts, 1, 50.0), cases[i][2]);
        ck_assert_int_eq(hdr_value_at_percentile(counts, 1, 100.0), cases[i][2]);
    }
}
END_TEST

START_TEST(percentile_rank_rounds_as_hdrhistogram)
{
    memset(counts, 0, sizeof(counts));
    counts[hdr_index(64000)]++;
    counts[hdr_index(140000)]++;
    /* Redis showed p50=64.255,p99=140.287 for two INFO calls of about those durations */
    ck_assert_int_eq(hdr_value_at_percentile(counts, 2, 50.0), 64255);
    ck_assert_int_eq(hdr_value_at_percentile(counts, 2, 99.0), 140287);
    ck_assert_int_eq(hdr_value_at_percentile(counts, 2, 99.9), 140287);
    memset(counts, 0, sizeof(counts));
    ck_assert_int_eq(hdr_value_at_percentile(counts, 0, 50.0), 0);
}
END_TEST

START_TEST(values_are_clamped_and_buckets_cover_them)
{
    ck_assert_int_eq(hdr_index(0), hdr_index(1));
    ck_assert_int_eq(hdr_index(5000000000LL), hdr_index(HDR_MAX));
    ck_assert_int_lt(hdr_index(HDR_MAX), HDR_COUNTS_LEN);
    for (int64_t v = 1; v < HDR_MAX; v = v * 3 / 2 + 1) {
        int i = hdr_index(v);
        ck_assert(hdr_value_at_index(i) <= v);
        ck_assert(v <= hdr_highest_equivalent(v));
        ck_assert_int_eq(hdr_lowest_equivalent(v), hdr_value_at_index(i));
        ck_assert_int_eq(hdr_index(hdr_highest_equivalent(v)), i);
        ck_assert_int_eq(hdr_index(hdr_highest_equivalent(v) + 1), i + 1);
    }
}
END_TEST

struct levels { int64_t level[8]; uint64_t cum[8]; int n; };

static void collect(int64_t level, uint64_t cumulative, void *arg)
{
    struct levels *l = arg;
    l->level[l->n] = level / 1000;
    l->cum[l->n++] = cumulative;
}

START_TEST(cumulative_levels_match_latency_histogram)
{
    struct levels l = { .n = 0 };
    memset(counts, 0, sizeof(counts));
    counts[hdr_index(6000)]++;      /* Redis: get 6 us -> 8 => 1; set 11 us -> 16; 21 us -> 33 */
    counts[hdr_index(11000)]++;
    counts[hdr_index(21000)] += 2;
    hdr_cumulative_log2(counts, 4, collect, &l);
    ck_assert_int_eq(l.n, 3);
    ck_assert_int_eq(l.level[0], 8);
    ck_assert_int_eq(l.cum[0], 1);
    ck_assert_int_eq(l.level[1], 16);
    ck_assert_int_eq(l.cum[1], 2);
    ck_assert_int_eq(l.level[2], 33);
    ck_assert_int_eq(l.cum[2], 4);
    l.n = 0;
    one_sample(1);                  /* a 0 us command */
    hdr_cumulative_log2(counts, 1, collect, &l);
    ck_assert_int_eq(l.n, 1);
    ck_assert_int_eq(l.level[0], 1);
}
END_TEST

static void check_repr(const char *in, size_t len, const char *want)
{
    char out[256];
    ck_assert_uint_eq(repr_size(in, len), strlen(want));
    *repr_write(out, in, len) = '\0';
    ck_assert_str_eq(out, want);
}

START_TEST(repr_quotes_as_sdscatrepr)
{
    check_repr("keys", 4, "\"keys\"");
    check_repr("a b", 3, "\"a b\"");
    check_repr("", 0, "\"\"");
    /* MONITOR of SET "a b" "\x01\n\"\\x\t\xc3\xbf" on redis-server 7.0.15 */
    check_repr("\x01\n\"\\x\t\xc3\xbf", 8, "\"\\x01\\n\\\"\\\\x\\t\\xc3\\xbf\"");
    check_repr("\r\a\b\x7f~", 5, "\"\\r\\a\\b\\x7f~\"");
    check_repr("a\0b", 3, "\"a\\x00b\"");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hdr");
    TCase *tc = tcase_create("hdr");
    tcase_add_test(tc, percentiles_match_redis);
    tcase_add_test(tc, percentile_rank_rounds_as_hdrhistogram);
    tcase_add_test(tc, values_are_clamped_and_buckets_cover_them);
    tcase_add_test(tc, cumulative_levels_match_latency_histogram);
    tcase_add_test(tc, repr_quotes_as_sdscatrepr);
    suite_add_tcase(s, tc);
    return fixture_run_suite(s);
}
