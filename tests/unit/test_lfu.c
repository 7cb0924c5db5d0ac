/* tests/unit/test_lfu.c - the LFU counter (keyspace/lfu.h) on a frozen clock: its
 * start value, certain growth with lfu-log-factor 0, its cap, decay by lfu-decay-time
 * across the 16-bit minute clock's wrap, and the logarithmic growth's rate. */
#include <check.h>

#include "tests/unit/fixture.h"
#include "keyspace/db.h"
#include "keyspace/lfu.h"

static struct lfu_config current;

static void read_config(struct lfu_config *out) { *out = current; }

static void setup(void)
{
    current = (struct lfu_config){ .enabled = 1, .log_factor = 0, .decay_time = 1 };
    lfu_set_source(read_config);
    db_set_now(1000LL * 60 * 1000);         /* minute 1000 */
}

static void at_minute(long long minute) { db_set_now(minute * 60 * 1000); }

START_TEST(off_until_a_policy_says_so)
{
    ck_assert(lfu_enabled());
    current.enabled = 0;
    ck_assert(!lfu_enabled());
}
END_TEST

START_TEST(new_values_start_at_five_and_count_every_access_with_factor_zero)
{
    uint32_t f = lfu_new();
    ck_assert_uint_eq(lfu_frequency(f), LFU_INIT_VAL);
    for (int i = 1; i <= 10; i++)
        f = lfu_accessed(f);
    ck_assert_uint_eq(lfu_frequency(f), LFU_INIT_VAL + 10);
    for (int i = 0; i < 1000; i++)
        f = lfu_accessed(f);
    ck_assert_uint_eq(lfu_frequency(f), 255);
}
END_TEST

START_TEST(decays_one_per_period_and_reading_changes_nothing)
{
    uint32_t f = lfu_new();
    for (int i = 0; i < 20; i++)
        f = lfu_accessed(f);                /* 25 */
    at_minute(1003);
    ck_assert_uint_eq(lfu_frequency(f), 22);
    ck_assert_uint_eq(lfu_frequency(f), 22);
    current.decay_time = 2;
    ck_assert_uint_eq(lfu_frequency(f), 24);
    current.decay_time = 0;                 /* no decay at all */
    at_minute(5000);
    ck_assert_uint_eq(lfu_frequency(f), 25);
    current.decay_time = 1;
    ck_assert_uint_eq(lfu_frequency(f), 0);
    f = lfu_accessed(f);                    /* decayed to 0, then one access, stamped now */
    ck_assert_uint_eq(lfu_frequency(f), 1);
    at_minute(5001);
    ck_assert_uint_eq(lfu_frequency(f), 0);
}
END_TEST

START_TEST(the_minute_clock_wraps)
{
    at_minute(65530);
    uint32_t f = lfu_new();
    for (int i = 0; i < 10; i++)
        f = lfu_accessed(f);                /* 15, stamped at minute 65530 */
    at_minute(65536 + 2);                   /* the 16-bit clock reads 2: 7 minutes later */
    ck_assert_uint_eq(lfu_frequency(f), 15 - 7);
}
END_TEST

START_TEST(growth_is_logarithmic_with_the_default_factor)
{
    current.log_factor = 10;
    current.decay_time = 0;
    uint32_t f = lfu_new();
    for (int i = 0; i < 1000; i++)
        f = lfu_accessed(f);
    /* reaching counter c takes about (c-5) + 5(c-5)(c-6) accesses: ~19 after 1000 */
    ck_assert_uint_ge(lfu_frequency(f), 12);
    ck_assert_uint_le(lfu_frequency(f), 30);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lfu");
    TCase *tc = tcase_create("counter");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, off_until_a_policy_says_so);
    tcase_add_test(tc, new_values_start_at_five_and_count_every_access_with_factor_zero);
    tcase_add_test(tc, decays_one_per_period_and_reading_changes_nothing);
    tcase_add_test(tc, the_minute_clock_wraps);
    tcase_add_test(tc, growth_is_logarithmic_with_the_default_factor);
    suite_add_tcase(s, tc);
    return fixture_run_suite(s);
}
