/* tests/unit/test_util.c - util/: splitargs, glob_match, numconv, cpuset.  Expected values
 * were checked against redis-server 7.0.15 (KEYS for glob, CONFIG SET maxmemory for
 * memtoull, redis-cli quoting for splitargs). */
#include <check.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/fixture.h"
#include "util/cpuset.h"
#include "util/glob.h"
#include "util/numconv.h"
#include "util/splitargs.h"

START_TEST(cpuset_positions_wrap)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    ck_assert_int_eq(cpuset_nth(&set, 0), -1);
    CPU_SET(1, &set);
    CPU_SET(3, &set);
    CPU_SET(5, &set);
    ck_assert_int_eq(cpuset_nth(&set, 0), 1);
    ck_assert_int_eq(cpuset_nth(&set, 1), 3);
    ck_assert_int_eq(cpuset_nth(&set, 2), 5);
    ck_assert_int_eq(cpuset_nth(&set, 3), 1);
    ck_assert_int_eq(cpuset_nth(&set, 7), 3);
    ck_assert_int_eq(cpuset_nth(&set, -1), -1);

    cpu_set_t allowed;
    ck_assert_int_eq(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
    ck_assert_int_eq(cpuset_nth_allowed(CPU_COUNT(&allowed)), cpuset_nth(&allowed, 0));
    ck_assert(CPU_ISSET(cpuset_nth_allowed(1), &allowed));
}
END_TEST

static struct splitargs split(const char *s, int expect_rc)
{
    struct splitargs a;
    ck_assert_int_eq(splitargs(s, strlen(s), &a), expect_rc);
    return a;
}

START_TEST(splitargs_plain_and_quotes)
{
    struct splitargs a = split("  set  \"a b\" 'c d'  x\t\n", 0);
    ck_assert_int_eq(a.argc, 4);
    ck_assert_str_eq(a.argv[0], "set");
    ck_assert_str_eq(a.argv[1], "a b");
    ck_assert_str_eq(a.argv[2], "c d");
    ck_assert_str_eq(a.argv[3], "x");
    splitargs_free(&a);

    a = split("foo\"bar baz\"qux'", -1);        /* closing quote glued to a word */
    a = split("a\"b c\" d", 0);                  /* quote opens mid-word */
    ck_assert_int_eq(a.argc, 2);
    ck_assert_str_eq(a.argv[0], "ab c");
    splitargs_free(&a);

    a = split("\"\" ''", 0);
    ck_assert_int_eq(a.argc, 2);
    ck_assert_uint_eq(a.argvlen[0], 0);
    ck_assert_ptr_nonnull(a.argv[1]);
    ck_assert_str_eq(a.argv[1], "");
    splitargs_free(&a);

    a = split("   ", 0);
    ck_assert_int_eq(a.argc, 0);
    splitargs_free(&a);

    a = split("\v a\vb\fc \"q\"\f'r'\v", 0);   /* \v \f: inside a word, yet blanks */
    ck_assert_int_eq(a.argc, 3);
    ck_assert_str_eq(a.argv[0], "a\vb\fc");
    ck_assert_str_eq(a.argv[1], "q");
    ck_assert_str_eq(a.argv[2], "r");
    splitargs_free(&a);
}
END_TEST

START_TEST(splitargs_escapes)
{
    struct splitargs a = split("\"\\x41\\x4a\\n\\r\\t\\b\\a\\\\\\\"\\q\\x4\" '\\'it\\n'", 0);
    ck_assert_int_eq(a.argc, 2);
    ck_assert_uint_eq(a.argvlen[0], 12);
    ck_assert_mem_eq(a.argv[0], "AJ\n\r\t\b\a\\\"qx4", 12);
    ck_assert_str_eq(a.argv[1], "'it\\n");
    splitargs_free(&a);

    a = split("\"a\\x00b\"", 0);                 /* embedded NUL survives */
    ck_assert_uint_eq(a.argvlen[0], 3);
    ck_assert_mem_eq(a.argv[0], "a\0b", 3);
    splitargs_free(&a);
}
END_TEST

START_TEST(splitargs_unbalanced)
{
    const char *bad[] = {"\"abc", "'abc", "\"abc\"x", "'abc'x", "a \"b\\\"", "\"x\\"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct splitargs a;
        ck_assert_msg(splitargs(bad[i], strlen(bad[i]), &a) == -1, "%s", bad[i]);
        ck_assert_int_eq(a.argc, 0);
        ck_assert_ptr_null(a.argv);
    }
    struct splitargs a;
    ck_assert_int_eq(splitargs("a b", 1, &a), 0);  /* length bounds the input */
    ck_assert_int_eq(a.argc, 1);
    splitargs_free(&a);
}
END_TEST

static int gm(const char *p, const char *s, int nocase)
{
    return glob_match(p, strlen(p), s, strlen(s), nocase);
}

START_TEST(glob_cases)
{
    ck_assert(gm("h?llo", "hello", 0));
    ck_assert(gm("h*llo", "heeeello", 0));
    ck_assert(gm("h[ae]llo", "hallo", 0));
    ck_assert(!gm("h[^e]llo", "hello", 0));
    ck_assert(gm("h[^e]llo", "hallo", 0));
    ck_assert(gm("h[a-b]llo", "hbllo", 0));
    ck_assert(gm("h[b-a]llo", "hallo", 0));      /* reversed range */
    ck_assert(gm("h\\*llo", "h*llo", 0));
    ck_assert(!gm("h\\*llo", "hello", 0));
    ck_assert(gm("[\\]]", "]", 0));
    ck_assert(gm("a[bc", "ab", 0));               /* open class closes at the end */
    ck_assert(gm("a\\", "a\\", 0));               /* trailing backslash is literal */
    ck_assert(!gm("abc", "ABC", 0));
    ck_assert(gm("abc", "ABC", 1));
    ck_assert(gm("[A-C]x", "bX", 1));
    ck_assert(!gm("[\\A]", "a", 1));              /* escaped class byte: exact */
    ck_assert(gm("a*", "a", 0));
    ck_assert(gm("a**b*", "ab", 0));
    ck_assert(!gm("a*b", "a", 0));
    ck_assert(!gm("*", "", 0));                   /* Redis: empty key needs empty pattern */
    ck_assert(gm("", "", 0));
    ck_assert(!gm("", "a", 0));
    ck_assert(!gm("[a-\xff]", "b", 0));           /* signed-char range, as Redis */
    ck_assert(glob_match("a?c", 3, "a\0c", 3, 0));
}
END_TEST

START_TEST(glob_pathological)
{
    size_t n = 200000;
    char *p = malloc(2 * n + 2), *s = malloc(n + 1);
    for (size_t i = 0; i < n; i++) { p[2 * i] = '*'; p[2 * i + 1] = 'a'; s[i] = 'a'; }
    p[2 * n] = 'b';
    /* deep and exponential for a naive matcher; linear-ish passes here */
    ck_assert(!glob_match(p, 2 * n + 1, s, 200, 0));
    ck_assert(glob_match(p, 2 * n, s, n, 0));
    ck_assert(!glob_match("*a*a*a*a*a*a*a*a*b", 18, s, n, 0));
    free(p);
    free(s);
}
END_TEST

static int s2ll(const char *s, long long *v) { return string2ll(s, strlen(s), v); }

START_TEST(numconv_string2ll)
{
    long long v;
    ck_assert(s2ll("9223372036854775807", &v) && v == LLONG_MAX);
    ck_assert(s2ll("-9223372036854775808", &v) && v == LLONG_MIN);
    ck_assert(s2ll("0", &v) && v == 0);
    ck_assert(s2ll("-1", &v) && v == -1);
    const char *bad[] = {"9223372036854775808", "-9223372036854775809", "-0", "01", " 1",
                         "1 ", "+1", "", "-", "1a", "18446744073709551616",
                         "99999999999999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(!s2ll(bad[i], &v), "%s", bad[i]);
    ck_assert(!string2ll("12", 0, &v));
    ck_assert(string2ll("123", 2, &v) && v == 12);

    unsigned long long u;
    ck_assert(string2ull("18446744073709551615", 20, &u) && u == ULLONG_MAX);
    ck_assert(!string2ull("18446744073709551616", 20, &u));
    ck_assert(!string2ull("-1", 2, &u));
    ck_assert(!string2ull("01", 2, &u));
}
END_TEST

START_TEST(numconv_doubles)
{
    double d;
    long double ld;
    ck_assert(string2d("1.5", 3, &d) && d == 1.5);
    ck_assert(string2d("-inf", 4, &d) && isinf(d) && d < 0);
    ck_assert(string2d("1e-310", 6, &d) && d > 0);          /* denormal is fine */
    const char *bad[] = {"nan", " 1", "1 ", "", "1e400", "-1e400", "1e-400", "abc", "1.5x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(!string2d(bad[i], strlen(bad[i]), &d), "%s", bad[i]);
    ck_assert(!string2d("1\0002", 3, &d));
    /* short integers (parsed without strtod) read exactly as strtod reads them */
    const char *ints[] = {"0", "-0", "+7", "000000012345", "-999999999999999", "1234567890123456",
                          "9007199254740993", "-", "+", "1-", "12a", "--1"};
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        char *end;
        double want = strtod(ints[i], &end);
        int ok = *end == '\0' && end != ints[i];
        d = 42;
        ck_assert_msg(string2d(ints[i], strlen(ints[i]), &d) == ok, "%s", ints[i]);
        ck_assert_msg(!ok || memcmp(&d, &want, sizeof(d)) == 0, "%s: %.17g", ints[i], d);
    }
    ck_assert(string2ld("10.5", 4, &ld) && ld == 10.5L);
    ck_assert(!string2ld("nan", 3, &ld));
    ck_assert(!string2ld(" 1", 2, &ld));
    ck_assert(string2ld("1e400", 5, &ld));                    /* fits a long double */
}
END_TEST

START_TEST(numconv_format)
{
    char b[6000];
    ck_assert_int_eq(ll2string(b, sizeof(b), LLONG_MIN), 20);
    ck_assert_str_eq(b, "-9223372036854775808");
    ll2string(b, sizeof(b), 0);
    ck_assert_str_eq(b, "0");
    ck_assert_int_eq(ll2string(b, 3, 123), 0);                /* no room */
    ck_assert_int_eq(ull2string(b, sizeof(b), ULLONG_MAX), 20);
    ck_assert_str_eq(b, "18446744073709551615");

    d2string(b, sizeof(b), 1.1);
    ck_assert_str_eq(b, "1.1000000000000001");               /* ZSCORE in 7.0 */
    d2string(b, sizeof(b), 3.0);
    ck_assert_str_eq(b, "3");
    d2string(b, sizeof(b), INFINITY);
    ck_assert_str_eq(b, "inf");
    d2string(b, sizeof(b), -INFINITY);
    ck_assert_str_eq(b, "-inf");
    d2string(b, sizeof(b), 1e20);
    ck_assert_str_eq(b, "1e+20");

    ld2string(b, sizeof(b), 10.5L, 1);
    ck_assert_str_eq(b, "10.5");
    ld2string(b, sizeof(b), 3.0L, 1);
    ck_assert_str_eq(b, "3");
    ld2string(b, sizeof(b), -0.0L, 1);
    ck_assert_str_eq(b, "0");
    ld2string(b, sizeof(b), 5.0e3L, 1);
    ck_assert_str_eq(b, "5000");
    ld2string(b, sizeof(b), 0.1L + 0.2L, 1);
    ck_assert_str_eq(b, "0.3");                               /* INCRBYFLOAT 0.1 0.2 */
    ld2string(b, sizeof(b), -INFINITY, 1);
    ck_assert_str_eq(b, "-inf");
    ld2string(b, sizeof(b), 1.5L, 0);
    ck_assert_str_eq(b, "1.5");
    ck_assert_int_eq(ld2string(b, 4, 12345.0L, 1), 0);
}
END_TEST

START_TEST(numconv_memtoll)
{
    int err;
    ck_assert_int_eq(memtoll("1k", &err), 1000); ck_assert_int_eq(err, 0);
    ck_assert_int_eq(memtoll("1KB", &err), 1024);
    ck_assert_int_eq(memtoll("2m", &err), 2000000);
    ck_assert_int_eq(memtoll("2Mb", &err), 2097152);
    ck_assert_int_eq(memtoll("3g", &err), 3000000000LL);
    ck_assert_int_eq(memtoll("3gB", &err), 3221225472LL);
    ck_assert_int_eq(memtoll("7b", &err), 7);
    ck_assert_int_eq(memtoll("-5", &err), -5); ck_assert_int_eq(err, 0);
    ck_assert_int_eq(memtoll("", &err), 0); ck_assert_int_eq(err, 0);   /* as Redis */
    const char *bad[] = {"1.5mb", "1 mb", "+5", " 5", "5x", "1kbb", "-", "0x10",
                         "99999999999999999999", "9999999999999gb"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memtoll(bad[i], &err);
        ck_assert_msg(err == 1, "%s", bad[i]);
    }

    ck_assert_uint_eq(memtoull("18446744073709551615", &err), ULLONG_MAX);
    ck_assert_uint_eq(memtoull("99999999999999999999999", &err), ULLONG_MAX);
    ck_assert_uint_eq(memtoull("99999999999gb", &err), 15140462030378500096ULL);
    ck_assert_int_eq(err, 0);
    memtoull("-1", &err);
    ck_assert_int_eq(err, 1);
    memtoull("-0", &err);
    ck_assert_int_eq(err, 1);
    ck_assert_uint_eq(memtoull("kb", &err), 0);
    ck_assert_int_eq(err, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("util");
    tcase_add_test(tc, splitargs_plain_and_quotes);
    tcase_add_test(tc, splitargs_escapes);
    tcase_add_test(tc, splitargs_unbalanced);
    tcase_add_test(tc, glob_cases);
    tcase_add_test(tc, glob_pathological);
    tcase_add_test(tc, numconv_string2ll);
    tcase_add_test(tc, numconv_doubles);
    tcase_add_test(tc, numconv_format);
    tcase_add_test(tc, numconv_memtoll);
    tcase_add_test(tc, cpuset_positions_wrap);
    suite_add_tcase(s, tc);
    return fixture_run_suite(s);
}
