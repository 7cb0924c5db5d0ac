/* tests/unit/test_request.c - Check tests of proto/request.c: valid frames whole and
 * fed one byte at a time, pipelines, inline quoting, every protocol error text and
 * limit as redis-server 7.0.15 answers them (each expectation below was first sent to
 * the real server over a raw socket). */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/fixture.h"
#include "proto/request.h"

#define K64 (64 * 1024)

static const struct request_limits AUTHED = {512LL * 1024 * 1024, 1};
static const struct request_limits UNAUTHED = {512LL * 1024 * 1024, 0};

struct outcome {
    int rc;
    size_t consumed;
    int argc;
    char args[8][64];       /* first arguments, NUL-terminated copies */
    size_t lens[8];
    char err[128];
};

static void capture(struct request *req, int rc, size_t consumed, struct outcome *o)
{
    memset(o, 0, sizeof(*o));
    o->rc = rc;
    if (rc != 1) return;
    o->consumed = consumed;
    o->argc = req->argc;
    for (int i = 0; i < req->argc && i < 8; i++) {
        o->lens[i] = req->argvlen[i];
        memcpy(o->args[i], req->argv[i], req->argvlen[i] < 63 ? req->argvlen[i] : 63);
    }
}

/* Parses one command from the whole buffer. */
static struct outcome parse_whole(const char *buf, size_t len, const struct request_limits *lim)
{
    struct request req;
    struct outcome o;
    size_t consumed = 0;
    char err[128] = "";
    request_init(&req);
    int rc = request_parse(&req, buf, len, &consumed, lim, err, sizeof(err));
    capture(&req, rc, consumed, &o);
    strcpy(o.err, err);
    request_free(&req);
    return o;
}

/* Same, but the buffer grows one byte per call; every call before the last must ask
 * for more bytes. */
static struct outcome parse_bytewise(const char *buf, size_t len,
                                     const struct request_limits *lim)
{
    struct request req;
    struct outcome o;
    size_t consumed = 0;
    char err[128] = "";
    int rc = 0;
    request_init(&req);
    size_t n;
    for (n = 0; n <= len; n++) {
        rc = request_parse(&req, buf, n, &consumed, lim, err, sizeof(err));
        if (rc != 0) break;
    }
    capture(&req, rc, consumed, &o);
    strcpy(o.err, err);
    request_free(&req);
    return o;
}

static void expect_same(const struct outcome *a, const struct outcome *b)
{
    ck_assert_int_eq(a->rc, b->rc);
    ck_assert_uint_eq(a->consumed, b->consumed);
    ck_assert_int_eq(a->argc, b->argc);
    for (int i = 0; i < a->argc && i < 8; i++) {
        ck_assert_uint_eq(a->lens[i], b->lens[i]);
        ck_assert_mem_eq(a->args[i], b->args[i], sizeof(a->args[i]));
    }
    ck_assert_str_eq(a->err, b->err);
}

/* Parses buf both ways, checks they agree, returns the outcome. */
static struct outcome parse(const char *buf, size_t len, const struct request_limits *lim)
{
    struct outcome whole = parse_whole(buf, len, lim);
    struct outcome bytes = parse_bytewise(buf, len, lim);
    expect_same(&whole, &bytes);
    return whole;
}

#define PARSE(lit, lim) parse(lit, sizeof(lit) - 1, lim)

static void expect_error(const char *buf, size_t len, const struct request_limits *lim,
                         const char *text)
{
    struct outcome o = parse(buf, len, lim);
    ck_assert_int_eq(o.rc, -1);
    ck_assert_str_eq(o.err, text);
}

#define EXPECT_ERROR(lit, lim, text) expect_error(lit, sizeof(lit) - 1, lim, text)

static void expect_incomplete(const char *buf, size_t len, const struct request_limits *lim)
{
    struct outcome o = parse(buf, len, lim);
    ck_assert_int_eq(o.rc, 0);
}

#define EXPECT_INCOMPLETE(lit, lim) expect_incomplete(lit, sizeof(lit) - 1, lim)

START_TEST(multibulk_basic)
{
    struct outcome o = PARSE("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", &AUTHED);
    ck_assert_int_eq(o.rc, 1);
    ck_assert_uint_eq(o.consumed, 33);
    ck_assert_int_eq(o.argc, 3);
    ck_assert_str_eq(o.args[0], "SET");
    ck_assert_str_eq(o.args[1], "key");
    ck_assert_str_eq(o.args[2], "value");
}
END_TEST

START_TEST(multibulk_binary_payload)
{
    /* CR, LF, NUL and '*' inside a payload are data */
    struct outcome o = PARSE("*2\r\n$4\r\nECHO\r\n$6\r\na\r\n\0*b\r\n", &AUTHED);
    ck_assert_int_eq(o.rc, 1);
    ck_assert_int_eq(o.argc, 2);
    ck_assert_uint_eq(o.lens[1], 6);
    ck_assert_mem_eq(o.args[1], "a\r\n\0*b", 6);
}
END_TEST

START_TEST(multibulk_empty_arg)
{
    struct outcome o = PARSE("*1\r\n$0\r\n\r\n", &AUTHED);
    ck_assert_int_eq(o.rc, 1);
    ck_assert_int_eq(o.argc, 1);
    ck_assert_uint_eq(o.lens[0], 0);
    ck_assert_uint_eq(o.consumed, 10);
}
END_TEST

START_TEST(multibulk_zero_and_negative_count)
{
    /* Redis skips these silently and goes on with the next command */
    static const char *frames[] = {"*0\r\n", "*-1\r\n", "*-5\r\n"};
    for (size_t i = 0; i < 3; i++) {
        struct outcome o = parse(frames[i], strlen(frames[i]), &UNAUTHED);
        ck_assert_int_eq(o.rc, 1);
        ck_assert_int_eq(o.argc, 0);
        ck_assert_uint_eq(o.consumed, strlen(frames[i]));
    }
}
END_TEST

START_TEST(multibulk_lenient_terminators)
{
    /* the two bytes after a payload and the byte after a header's CR are not checked */
    struct outcome o = PARSE("*1\r\n$4\r\nPINGXX", &AUTHED);
    ck_assert_int_eq(o.rc, 1);
    ck_assert_str_eq(o.args[0], "PING");
    ck_assert_uint_eq(o.consumed, 14);
    o = PARSE("*1\rX$4\rYPING\r\n", &AUTHED);
    ck_assert_int_eq(o.rc, 1);
    ck_assert_str_eq(o.args[0], "PING");
    /* a header CR without any byte after it waits */
    EXPECT_INCOMPLETE("*1\r", &AUTHED);
    EXPECT_INCOMPLETE("*1\r\n$4\r", &AUTHED);
    /* the payload needs its two trailing bytes */
    EXPECT_INCOMPLETE("*1\r\n$4\r\nPING\r", &AUTHED);
}
END_TEST

START_TEST(multibulk_zero_copy)
{
    static const char buf[] = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
    struct request req;
    size_t consumed;
    char err[128];
    request_init(&req);
    ck_assert_int_eq(request_parse(&req, buf, sizeof(buf) - 1, &consumed, &AUTHED, err,
                                   sizeof(err)), 1);
    ck_assert_ptr_eq(req.argv[0], buf + 8);
    ck_assert_ptr_eq(req.argv[1], buf + 17);
    request_free(&req);
}
END_TEST

START_TEST(multibulk_wide_command)
{
    /* 5000 arguments: argv grows past the first reservation, and the array is
     * reused afterwards for small commands */
    size_t cap = 5000 * 16 + 16, len = 0;
    char *buf = malloc(cap);
    len += (size_t)sprintf(buf, "*5000\r\n");
    for (int i = 0; i < 5000; i++) {
        char num[16];
        int n = sprintf(num, "%d", i);
        len += (size_t)sprintf(buf + len, "$%d\r\n%s\r\n", n, num);
    }
    struct request req;
    size_t consumed;
    char err[128];
    request_init(&req);
    ck_assert_int_eq(request_parse(&req, buf, len, &consumed, &AUTHED, err, sizeof(err)), 1);
    ck_assert_int_eq(req.argc, 5000);
    ck_assert_uint_eq(consumed, len);
    ck_assert_mem_eq(req.argv[4321], "4321", 4);
    request_reset(&req);
    static const char small[] = "*1\r\n$4\r\nPING\r\n";
    ck_assert_int_eq(request_parse(&req, small, 14, &consumed, &AUTHED, err, sizeof(err)), 1);
    const char **argv = req.argv;
    request_reset(&req);
    ck_assert_int_eq(request_parse(&req, small, 14, &consumed, &AUTHED, err, sizeof(err)), 1);
    ck_assert_ptr_eq(req.argv, argv);
    ck_assert_int_eq(req.argc, 1);
    request_free(&req);
    free(buf);
}
END_TEST

START_TEST(pipeline)
{
    static const char buf[] =
        "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n*0\r\nPING\r\n\r\nECHO \"a b\"\n";
    static const int want_argc[] = {1, 2, 0, 1, 0, 2};
    static const char *want_last[] = {"PING", "hi", NULL, "PING", NULL, "a b"};
    struct request req;
    size_t consumed, off = 0, len = sizeof(buf) - 1;
    char err[128];
    request_init(&req);
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(request_parse(&req, buf + off, len - off, &consumed, &AUTHED, err,
                                       sizeof(err)), 1);
        ck_assert_int_eq(req.argc, want_argc[i]);
        if (want_last[i]) {
            ck_assert_uint_eq(req.argvlen[req.argc - 1], strlen(want_last[i]));
            ck_assert_mem_eq(req.argv[req.argc - 1], want_last[i], strlen(want_last[i]));
        }
        off += consumed;
        request_reset(&req);
    }
    ck_assert_uint_eq(off, len);
    ck_assert_int_eq(request_parse(&req, buf + off, 0, &consumed, &AUTHED, err, sizeof(err)), 0);
    request_free(&req);
}
END_TEST

START_TEST(resume_after_partial)
{
    /* a frame arriving in two reads: the second call continues where the first stopped */
    static const char buf[] = "*2\r\n$4\r\nECHO\r\n$11\r\nhello world\r\n";
    struct request req;
    size_t consumed;
    char err[128];
    request_init(&req);
    ck_assert_int_eq(request_parse(&req, buf, 20, &consumed, &AUTHED, err, sizeof(err)), 0);
    ck_assert_int_eq(request_parse(&req, buf, 20, &consumed, &AUTHED, err, sizeof(err)), 0);
    ck_assert_int_eq(request_parse(&req, buf, sizeof(buf) - 1, &consumed, &AUTHED, err,
                                   sizeof(err)), 1);
    ck_assert_int_eq(req.argc, 2);
    ck_assert_mem_eq(req.argv[1], "hello world", 11);
    request_free(&req);
}
END_TEST

START_TEST(inline_basic)
{
    struct outcome o = PARSE("SET key value\r\n", &AUTHED);
    ck_assert_int_eq(o.rc, 1);
    ck_assert_int_eq(o.argc, 3);
    ck_assert_str_eq(o.args[2], "value");
    ck_assert_uint_eq(o.consumed, 15);
    /* LF alone ends a line too; extra spaces and tabs separate */
    o = PARSE("  GET \t k  \n", &AUTHED);
    ck_assert_int_eq(o.rc, 1);
    ck_assert_int_eq(o.argc, 2);
    ck_assert_str_eq(o.args[1], "k");
    ck_assert_uint_eq(o.consumed, 12);
    /* only one CR before the LF is part of the line end; the other is a separator */
    o = PARSE("ECHO a\r\r\n", &AUTHED);
    ck_assert_int_eq(o.argc, 2);
    ck_assert_str_eq(o.args[1], "a");
    /* a line does not end at a CR alone */
    EXPECT_INCOMPLETE("PING\r", &AUTHED);
}
END_TEST

START_TEST(inline_empty_lines)
{
    static const char *lines[] = {"\r\n", "\n", "   \r\n", "\t\n"};
    for (size_t i = 0; i < 4; i++) {
        struct outcome o = parse(lines[i], strlen(lines[i]), &UNAUTHED);
        ck_assert_int_eq(o.rc, 1);
        ck_assert_int_eq(o.argc, 0);
        ck_assert_uint_eq(o.consumed, strlen(lines[i]));
    }
}
END_TEST

START_TEST(inline_quoting)
{
    struct outcome o = PARSE("ECHO \"a\\x41\\nb\"\r\n", &AUTHED);
    ck_assert_int_eq(o.argc, 2);
    ck_assert_uint_eq(o.lens[1], 4);
    ck_assert_str_eq(o.args[1], "aA\nb");
    o = PARSE("ECHO 'it\\'s'\r\n", &AUTHED);
    ck_assert_str_eq(o.args[1], "it's");
    o = PARSE("SET \"\" 'x y'\n", &AUTHED);
    ck_assert_int_eq(o.argc, 3);
    ck_assert_uint_eq(o.lens[1], 0);
    ck_assert_str_eq(o.args[2], "x y");
    /* \x00 escapes put a NUL inside an argument */
    o = PARSE("ECHO \"a\\x00b\"\n", &AUTHED);
    ck_assert_uint_eq(o.lens[1], 3);
    ck_assert_mem_eq(o.args[1], "a\0b", 3);
}
END_TEST

START_TEST(inline_unbalanced_quotes)
{
    EXPECT_ERROR("SET \"a b\r\n", &AUTHED, "Protocol error: unbalanced quotes in request");
    EXPECT_ERROR("SET \"a\"b c\r\n", &AUTHED, "Protocol error: unbalanced quotes in request");
    EXPECT_ERROR("SET 'a\n", &AUTHED, "Protocol error: unbalanced quotes in request");
}
END_TEST

START_TEST(inline_too_big)
{
    char *buf = malloc(K64 + 200);
    memset(buf, 'A', K64 + 200);
    expect_incomplete(buf, K64, &AUTHED);
    expect_error(buf, K64 + 1, &AUTHED, "Protocol error: too big inline request");
    /* once the LF is there, the length no longer matters (as in Redis's parser) */
    buf[K64 + 100] = '\n';
    struct outcome o = parse_whole(buf, K64 + 101, &AUTHED);
    ck_assert_int_eq(o.rc, 1);
    ck_assert_int_eq(o.argc, 1);
    ck_assert_uint_eq(o.lens[0], K64 + 100);
    free(buf);
}
END_TEST

START_TEST(nul_hides_line_end)
{
    /* Redis finds line ends with strchr: a NUL before the terminator hides it for good,
     * and the connection ends only when 64KB have piled up (Redis's "Protocol desync
     * regression test" relies on this) */
    EXPECT_INCOMPLETE("PI\0NG\r\nPING\r\n", &AUTHED);
    EXPECT_INCOMPLETE("*1\r\n$4\0\r\nPING\r\n", &AUTHED);
    EXPECT_INCOMPLETE("*\0\r\n", &AUTHED);
    static const char *starts[] = {"\0", "*\0", "$\0", "*1\r\n$\0"};
    static const char *texts[] = {"Protocol error: too big inline request",
                                  "Protocol error: too big mbulk count string",
                                  "Protocol error: too big inline request",
                                  "Protocol error: too big bulk count string"};
    char *buf = malloc(2 * K64);
    for (int i = 0; i < 4; i++) {
        size_t n = strlen(starts[i]) + 1;
        memcpy(buf, starts[i], n);
        for (size_t j = n; j < 2 * K64; j++) buf[j] = j % 100 == 0 ? '\n' : (j % 50 ? 'A' : '\r');
        size_t pos = i == 3 ? 4 : 0;
        expect_incomplete(buf, pos + K64, &AUTHED);
        expect_error(buf, pos + K64 + 1, &AUTHED, texts[i]);
    }
    free(buf);
}
END_TEST

START_TEST(multibulk_count_errors)
{
    static const char *bad[] = {"*\r\n", "*x\r\n", "*01\r\n", "*+1\r\n", "*-0\r\n",
                                "* 1\r\n", "*1 \r\n", "*2147483648\r\n", "*3000000000\r\n",
                                "*99999999999999999999\r\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_error(bad[i], strlen(bad[i]), &AUTHED, "Protocol error: invalid multibulk length");
    /* INT_MAX and more than 1024*1024 are fine for an authenticated client (7.0 has no
     * 1M bound any more); the arguments are then awaited */
    EXPECT_INCOMPLETE("*2147483647\r\n", &AUTHED);
    EXPECT_INCOMPLETE("*2000000\r\n", &AUTHED);
}
END_TEST

START_TEST(multibulk_count_too_big)
{
    char *buf = malloc(K64 + 2);
    buf[0] = '*';
    memset(buf + 1, '1', K64 + 1);
    expect_incomplete(buf, K64, &AUTHED);
    expect_error(buf, K64 + 1, &AUTHED, "Protocol error: too big mbulk count string");
    free(buf);
}
END_TEST

START_TEST(bulk_header_errors)
{
    EXPECT_ERROR("*1\r\n:4\r\n", &AUTHED, "Protocol error: expected '$', got ':'");
    EXPECT_ERROR("*1\r\nfoo\r\n", &AUTHED, "Protocol error: expected '$', got 'f'");
    EXPECT_ERROR("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", &AUTHED,
                 "Protocol error: expected '$', got 'f'");
    /* CR and LF in the text become spaces */
    EXPECT_ERROR("*1\r\n\r\n", &AUTHED, "Protocol error: expected '$', got ' '");
    EXPECT_ERROR("*1\r\n\nx\r\n", &AUTHED, "Protocol error: expected '$', got ' '");
    static const char *bad[] = {"*1\r\n$-1\r\n", "*1\r\n$-10\r\n", "*1\r\n$\r\n",
                                "*1\r\n$blabla\r\n", "*1\r\n$04\r\n", "*1\r\n$ 4\r\n",
                                "*1\r\n$4 \r\n", "*1\r\n$2000000000\r\n",
                                "*1\r\n$536870913\r\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_error(bad[i], strlen(bad[i]), &AUTHED, "Protocol error: invalid bulk length");
    EXPECT_INCOMPLETE("*1\r\n$536870912\r\n", &AUTHED);
    /* proto-max-bulk-len is the caller's */
    struct request_limits small = {100, 1}, master = {LLONG_MAX, 1};
    EXPECT_ERROR("*1\r\n$101\r\n", &small, "Protocol error: invalid bulk length");
    EXPECT_INCOMPLETE("*1\r\n$100\r\n", &small);
    EXPECT_INCOMPLETE("*1\r\n$9223372036854775807\r\n", &master);
}
END_TEST

START_TEST(bulk_count_too_big)
{
    char *buf = malloc(K64 + 8);
    memcpy(buf, "*1\r\n$", 5);
    memset(buf + 5, '1', K64 + 1);
    expect_incomplete(buf, 4 + K64, &AUTHED);
    expect_error(buf, 4 + K64 + 1, &AUTHED, "Protocol error: too big bulk count string");
    free(buf);
}
END_TEST

START_TEST(unauthenticated_limits)
{
    EXPECT_ERROR("*11\r\n", &UNAUTHED, "Protocol error: unauthenticated multibulk length");
    EXPECT_INCOMPLETE("*11\r\n", &AUTHED);
    EXPECT_INCOMPLETE("*10\r\n", &UNAUTHED);
    /* a malformed count is reported as such first */
    EXPECT_ERROR("*11x\r\n", &UNAUTHED, "Protocol error: invalid multibulk length");
    EXPECT_ERROR("*1\r\n$16385\r\n", &UNAUTHED, "Protocol error: unauthenticated bulk length");
    EXPECT_INCOMPLETE("*1\r\n$16385\r\n", &AUTHED);
    EXPECT_INCOMPLETE("*1\r\n$16384\r\n", &UNAUTHED);
    EXPECT_ERROR("*1\r\n$600000000\r\n", &UNAUTHED, "Protocol error: invalid bulk length");
    /* inline commands have no such limits */
    struct outcome o = PARSE("ECHO a b c d e f g h i j k l\r\n", &UNAUTHED);
    ck_assert_int_eq(o.rc, 1);
    ck_assert_int_eq(o.argc, 13);
}
END_TEST

START_TEST(large_bulk_bytewise)
{
    /* a 200KB argument fed one byte per call parses to the same result */
    size_t n = 200 * 1024, len = 0;
    char *buf = malloc(n + 64);
    len += (size_t)sprintf(buf, "*2\r\n$3\r\nSET\r\n$%zu\r\n", n);
    for (size_t i = 0; i < n; i++) buf[len + i] = (char)('a' + i % 26);
    len += n;
    memcpy(buf + len, "\r\n", 2);
    len += 2;
    struct outcome o = parse(buf, len, &AUTHED);
    ck_assert_int_eq(o.rc, 1);
    ck_assert_uint_eq(o.lens[1], n);
    ck_assert_uint_eq(o.consumed, len);
    free(buf);
}
END_TEST

static Suite *request_suite(void)
{
    Suite *s = suite_create("request");
    TCase *t = tcase_create("parse");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, multibulk_basic);
    tcase_add_test(t, multibulk_binary_payload);
    tcase_add_test(t, multibulk_empty_arg);
    tcase_add_test(t, multibulk_zero_and_negative_count);
    tcase_add_test(t, multibulk_lenient_terminators);
    tcase_add_test(t, multibulk_zero_copy);
    tcase_add_test(t, multibulk_wide_command);
    tcase_add_test(t, pipeline);
    tcase_add_test(t, resume_after_partial);
    tcase_add_test(t, inline_basic);
    tcase_add_test(t, inline_empty_lines);
    tcase_add_test(t, inline_quoting);
    tcase_add_test(t, inline_unbalanced_quotes);
    tcase_add_test(t, inline_too_big);
    tcase_add_test(t, nul_hides_line_end);
    tcase_add_test(t, multibulk_count_errors);
    tcase_add_test(t, multibulk_count_too_big);
    tcase_add_test(t, bulk_header_errors);
    tcase_add_test(t, bulk_count_too_big);
    tcase_add_test(t, unauthenticated_limits);
    tcase_add_test(t, large_bulk_bytewise);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return fixture_run_suite(request_suite());
}
