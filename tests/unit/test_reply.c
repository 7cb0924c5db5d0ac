/* tests/unit/test_reply.c - Check tests of proto/reply.c: every encoding byte for byte
 * in RESP2 and RESP3 (as redis-server 7.0.15 writes them), deferred lengths, error
 * sanitizing and counting, buffer growth. */
#include <check.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/fixture.h"
#include "proto/reply.h"

#define EXPECT(r, lit) expect_bytes(r, lit, sizeof(lit) - 1)

static void expect_bytes(const struct reply *r, const char *want, size_t len)
{
    ck_assert_uint_eq(r->len, len);
    ck_assert_mem_eq(r->buf, want, len);
}

/* Runs one writer in RESP2 and RESP3 and compares both outputs. */
#define BOTH(call, want2, want3)                                                      \
    do {                                                                              \
        struct reply r_;                                                              \
        reply_init(&r_, 2);                                                           \
        { struct reply *r = &r_; call; }                                              \
        EXPECT(&r_, want2);                                                           \
        reply_free(&r_);                                                              \
        reply_init(&r_, 3);                                                           \
        { struct reply *r = &r_; call; }                                              \
        EXPECT(&r_, want3);                                                           \
        reply_free(&r_);                                                              \
    } while (0)

START_TEST(simple_types)
{
    BOTH(reply_ok(r), "+OK\r\n", "+OK\r\n");
    BOTH(reply_status(r, "PONG"), "+PONG\r\n", "+PONG\r\n");
    BOTH(reply_status(r, ""), "+\r\n", "+\r\n");
    BOTH(reply_raw(r, "*1\r\n:1\r\n", 8), "*1\r\n:1\r\n", "*1\r\n:1\r\n");
}
END_TEST

START_TEST(status_kept_on_one_line)
{
    BOTH(reply_status(r, "A\r\nB\n"), "+A  B \r\n", "+A  B \r\n");
}
END_TEST

START_TEST(integers)
{
    BOTH(reply_int(r, 0), ":0\r\n", ":0\r\n");
    BOTH(reply_int(r, 7), ":7\r\n", ":7\r\n");
    BOTH(reply_int(r, 10), ":10\r\n", ":10\r\n");
    BOTH(reply_int(r, -1), ":-1\r\n", ":-1\r\n");
    BOTH(reply_int(r, 12345), ":12345\r\n", ":12345\r\n");
    BOTH(reply_int(r, LLONG_MAX), ":9223372036854775807\r\n", ":9223372036854775807\r\n");
    BOTH(reply_int(r, LLONG_MIN), ":-9223372036854775808\r\n", ":-9223372036854775808\r\n");
}
END_TEST

START_TEST(bulks)
{
    BOTH(reply_bulk(r, "hello", 5), "$5\r\nhello\r\n", "$5\r\nhello\r\n");
    BOTH(reply_bulk(r, "", 0), "$0\r\n\r\n", "$0\r\n\r\n");
    BOTH(reply_bulk(r, "a\r\n\0b", 5), "$5\r\na\r\n\0b\r\n", "$5\r\na\r\n\0b\r\n");
    BOTH(reply_bulk_cstr(r, "value"), "$5\r\nvalue\r\n", "$5\r\nvalue\r\n");
    BOTH(reply_bulk_cstr(r, NULL), "$-1\r\n", "_\r\n");
    BOTH(reply_bulk_ll(r, 0), "$1\r\n0\r\n", "$1\r\n0\r\n");
    BOTH(reply_bulk_ll(r, -42), "$3\r\n-42\r\n", "$3\r\n-42\r\n");
    BOTH(reply_bulk_ll(r, LLONG_MIN), "$20\r\n-9223372036854775808\r\n",
         "$20\r\n-9223372036854775808\r\n");
}
END_TEST

START_TEST(large_bulk)
{
    size_t n = 3 * 1024 * 1024;
    char *big = malloc(n);
    for (size_t i = 0; i < n; i++) big[i] = (char)i;
    struct reply r;
    reply_init(&r, 2);
    reply_ok(&r);
    reply_bulk(&r, big, n);
    ck_assert_uint_eq(r.len, 5 + 10 + n + 2);
    ck_assert_mem_eq(r.buf, "+OK\r\n$3145728\r\n", 15);
    ck_assert_mem_eq(r.buf + 15, big, n);
    ck_assert_mem_eq(r.buf + 15 + n, "\r\n", 2);
    /* a reset after a huge reply gives the memory back; the next reply starts fresh */
    reply_reset(&r);
    ck_assert_uint_eq(r.len, 0);
    ck_assert_uint_le(r.cap, 1024 * 1024);
    reply_int(&r, 5);
    EXPECT(&r, ":5\r\n");
    reply_free(&r);
    free(big);
}
END_TEST

START_TEST(reset_keeps_small_buffer)
{
    struct reply r;
    reply_init(&r, 2);
    reply_ok(&r);
    char *buf = r.buf;
    reply_reset(&r);
    ck_assert_uint_eq(r.len, 0);
    reply_int(&r, 1);
    ck_assert_ptr_eq(r.buf, buf);
    EXPECT(&r, ":1\r\n");
    reply_free(&r);
}
END_TEST

START_TEST(nulls)
{
    BOTH(reply_null(r), "$-1\r\n", "_\r\n");
    BOTH(reply_null_array(r), "*-1\r\n", "_\r\n");
}
END_TEST

START_TEST(aggregates)
{
    BOTH(reply_array(r, 0), "*0\r\n", "*0\r\n");
    BOTH(reply_array(r, 3), "*3\r\n", "*3\r\n");
    BOTH(reply_map(r, 2), "*4\r\n", "%2\r\n");
    BOTH(reply_map(r, 0), "*0\r\n", "%0\r\n");
    BOTH(reply_set(r, 5), "*5\r\n", "~5\r\n");
    BOTH(reply_push(r, 3), "*3\r\n", ">3\r\n");
    BOTH(reply_array(r, 123456789), "*123456789\r\n", "*123456789\r\n");
}
END_TEST

START_TEST(doubles)
{
    /* %.17g as Redis 7.0's addReplyDouble; inf spelled out */
    BOTH(reply_double(r, 3.14), "$18\r\n3.1400000000000001\r\n", ",3.1400000000000001\r\n");
    BOTH(reply_double(r, 100), "$3\r\n100\r\n", ",100\r\n");
    BOTH(reply_double(r, 0), "$1\r\n0\r\n", ",0\r\n");
    BOTH(reply_double(r, 1.5), "$3\r\n1.5\r\n", ",1.5\r\n");
    BOTH(reply_double(r, 1e300), "$23\r\n1.0000000000000001e+300\r\n",
         ",1.0000000000000001e+300\r\n");
    BOTH(reply_double(r, INFINITY), "$3\r\ninf\r\n", ",inf\r\n");
    BOTH(reply_double(r, -INFINITY), "$4\r\n-inf\r\n", ",-inf\r\n");
}
END_TEST

START_TEST(booleans)
{
    BOTH(reply_bool(r, 1), ":1\r\n", "#t\r\n");
    BOTH(reply_bool(r, 0), ":0\r\n", "#f\r\n");
    BOTH(reply_bool(r, 42), ":1\r\n", "#t\r\n");
}
END_TEST

START_TEST(verbatim)
{
    BOTH(reply_verbatim(r, "# Server\r\n", 10, "txt"), "$10\r\n# Server\r\n\r\n",
         "=14\r\ntxt:# Server\r\n\r\n");
    BOTH(reply_verbatim(r, "**x**", 5, "mkd"), "$5\r\n**x**\r\n", "=9\r\nmkd:**x**\r\n");
    /* a short extension is padded with spaces, as Redis does */
    BOTH(reply_verbatim(r, "", 0, "t"), "$0\r\n\r\n", "=4\r\nt  :\r\n");
}
END_TEST

START_TEST(errors_encoding)
{
    BOTH(reply_error(r, ERR_SYNTAX), "-ERR syntax error\r\n", "-ERR syntax error\r\n");
    BOTH(reply_error(r, ERR_WRONGTYPE),
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
         "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    BOTH(reply_errorf(r, "ERR unknown command '%s'", "foo"), "-ERR unknown command 'foo'\r\n",
         "-ERR unknown command 'foo'\r\n");
}
END_TEST

START_TEST(errors_sanitized)
{
    /* as redis.error_reply('MY\r\nERR x\n') comes out of redis-server 7.0 */
    BOTH(reply_error(r, "MY\r\nERR x\n"), "-MY  ERR x\r\n", "-MY  ERR x\r\n");
    BOTH(reply_errorf(r, "\r\nERR %s\r\n", "a\rb"), "-ERR a b\r\n", "-ERR a b\r\n");
    BOTH(reply_error(r, "\r\n"), "-\r\n", "-\r\n");
}
END_TEST

START_TEST(errorf_long)
{
    char arg[1000];
    memset(arg, 'x', sizeof(arg) - 1);
    arg[sizeof(arg) - 1] = '\0';
    struct reply r;
    reply_init(&r, 2);
    reply_errorf(&r, "ERR %s!", arg);
    ck_assert_uint_eq(r.len, 1 + 4 + 999 + 1 + 2);
    ck_assert_mem_eq(r.buf, "-ERR xxx", 8);
    ck_assert_mem_eq(r.buf + r.len - 4, "x!\r\n", 4);
    ck_assert_str_eq(r.last_error, "ERR");
    reply_free(&r);
}
END_TEST

START_TEST(error_counting)
{
    struct reply r;
    reply_init(&r, 2);
    ck_assert_uint_eq(r.errors, 0);
    reply_ok(&r);
    reply_int(&r, 1);
    ck_assert_uint_eq(r.errors, 0);
    reply_error(&r, ERR_WRONGTYPE);
    ck_assert_uint_eq(r.errors, 1);
    ck_assert_str_eq(r.last_error, "WRONGTYPE");
    reply_errorf(&r, "NOSCRIPT No matching script. Please use %s.", "EVAL");
    ck_assert_uint_eq(r.errors, 2);
    ck_assert_str_eq(r.last_error, "NOSCRIPT");
    reply_error(&r, "MY\r\nERR x");
    ck_assert_str_eq(r.last_error, "MY");
    /* no space: Redis counts it as ERR */
    reply_error(&r, "OOPS");
    ck_assert_str_eq(r.last_error, "ERR");
    /* the code must end within Redis's 32-byte window ("-" + 30 chars + ' ') */
    reply_error(&r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ1234 tail");
    ck_assert_str_eq(r.last_error, "ABCDEFGHIJKLMNOPQRSTUVWXYZ1234");
    reply_error(&r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ12345 tail");
    ck_assert_str_eq(r.last_error, "ERR");
    ck_assert_uint_eq(r.errors, 6);
    /* a reset of the buffer does not reset the counters */
    reply_reset(&r);
    ck_assert_uint_eq(r.errors, 6);
    reply_free(&r);
}
END_TEST

START_TEST(deferred_lengths)
{
    BOTH({
        size_t h = reply_defer_begin(r);
        reply_bulk(r, "a", 1);
        reply_int(r, 2);
        reply_defer_end(r, h, '*', 2);
    }, "*2\r\n$1\r\na\r\n:2\r\n", "*2\r\n$1\r\na\r\n:2\r\n");
    BOTH({
        size_t h = reply_defer_begin(r);
        reply_bulk(r, "k", 1);
        reply_double(r, 1.5);
        reply_defer_end(r, h, '%', 1);
    }, "*2\r\n$1\r\nk\r\n$3\r\n1.5\r\n", "%1\r\n$1\r\nk\r\n,1.5\r\n");
    BOTH({
        size_t h = reply_defer_begin(r);
        reply_defer_end(r, h, '~', 0);
    }, "*0\r\n", "~0\r\n");
}
END_TEST

START_TEST(deferred_nested_after_prefix)
{
    /* a deferred array after other replies, holding a deferred map, then more replies */
    BOTH({
        reply_ok(r);
        size_t outer = reply_defer_begin(r);
        for (int i = 0; i < 12; i++) reply_int(r, i);
        size_t inner = reply_defer_begin(r);
        reply_bulk(r, "f", 1);
        reply_bool(r, 1);
        reply_defer_end(r, inner, '%', 1);
        reply_defer_end(r, outer, '*', 13);
        reply_null(r);
    },
    "+OK\r\n*13\r\n:0\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n:7\r\n:8\r\n:9\r\n:10\r\n:11\r\n"
    "*2\r\n$1\r\nf\r\n:1\r\n$-1\r\n",
    "+OK\r\n*13\r\n:0\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n:7\r\n:8\r\n:9\r\n:10\r\n:11\r\n"
    "%1\r\n$1\r\nf\r\n#t\r\n_\r\n");
}
END_TEST

START_TEST(deferred_large)
{
    /* a deferred array of 100000 bulks: header inserted in front of ~1MB */
    struct reply r;
    reply_init(&r, 3);
    size_t h = reply_defer_begin(&r);
    for (int i = 0; i < 100000; i++) reply_bulk_ll(&r, i);
    size_t body = r.len;
    reply_defer_end(&r, h, '~', 100000);
    ck_assert_uint_eq(r.len, body + 9);
    ck_assert_mem_eq(r.buf, "~100000\r\n$1\r\n0\r\n$1\r\n1\r\n", 23);
    ck_assert_mem_eq(r.buf + r.len - 11, "$5\r\n99999\r\n", 11);
    reply_free(&r);
}
END_TEST

START_TEST(many_small_replies_grow)
{
    /* growth keeps earlier bytes intact */
    struct reply r;
    reply_init(&r, 2);
    for (int i = 0; i < 10000; i++) reply_int(&r, i % 10);
    ck_assert_uint_eq(r.len, 40000);
    for (int i = 0; i < 10000; i++) {
        char want[5] = {':', (char)('0' + i % 10), '\r', '\n', 0};
        ck_assert_mem_eq(r.buf + 4 * i, want, 4);
    }
    reply_free(&r);
}
END_TEST

static Suite *reply_suite(void)
{
    Suite *s = suite_create("reply");
    TCase *t = tcase_create("encode");
    tcase_add_test(t, simple_types);
    tcase_add_test(t, status_kept_on_one_line);
    tcase_add_test(t, integers);
    tcase_add_test(t, bulks);
    tcase_add_test(t, large_bulk);
    tcase_add_test(t, reset_keeps_small_buffer);
    tcase_add_test(t, nulls);
    tcase_add_test(t, aggregates);
    tcase_add_test(t, doubles);
    tcase_add_test(t, booleans);
    tcase_add_test(t, verbatim);
    tcase_add_test(t, errors_encoding);
    tcase_add_test(t, errors_sanitized);
    tcase_add_test(t, errorf_long);
    tcase_add_test(t, error_counting);
    tcase_add_test(t, deferred_lengths);
    tcase_add_test(t, deferred_nested_after_prefix);
    tcase_add_test(t, deferred_large);
    tcase_add_test(t, many_small_replies_grow);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return fixture_run_suite(reply_suite());
}
