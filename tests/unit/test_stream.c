/* tests/unit/test_stream.c - the write-stream ring (replication/stream.c) on an arena
 * laid out on plain memory.  A private mirror keeps every byte ever committed to the
 * stream; after each step, what the ring says is readable must equal the mirror:
 *  - appends (raw and encoded commands, SELECT only when the database changes), reads
 *    of [from, to) inside and outside the readable range;
 *  - wrapping many times, appends larger than the ring (only its last bytes kept);
 *  - resizing after repl-backlog-size changed, bigger and smaller;
 *  - a write of several appends (wrapping, a SELECT, an append larger than the ring, a
 *    resize) stopped after its Nth undo record for every N and rolled back: offset and
 *    database as before, and every byte still called readable equal to the mirror,
 *    though the rolled-back appends overwrote ring bytes; then the stream goes on.
 */
#include <check.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "conf/shared.h"
#include "replication/stream.h"
#include "shm/undo.h"
#include "tests/unit/fixture.h"

#define ARENA_SIZE (64ULL << 20)
#define RING (16 * 1024)

static char *mirror;                    /* every byte committed, at its offset */
static size_t mirror_len, mirror_cap;

static void mirror_add(const void *p, size_t n)
{
    if (mirror_len + n > mirror_cap) {
        mirror_cap = (mirror_len + n) * 2;
        mirror = realloc(mirror, mirror_cap);
        ck_assert_ptr_nonnull(mirror);
    }
    memcpy(mirror + mirror_len, p, n);
    mirror_len += n;
}

static void setup(void)
{
    fixture_arena_open(ARENA_SIZE, 8ULL << 20, 1, 1);
    undo_begin();
    fixture_config_install();
    conf_shared()->repl_backlog_size = RING;
    repl_stream_create(RING);
    fixture_write_commit();
    mirror_len = 0;
}

static void teardown(void) { fixture_arena_close(); }

/* The readable range equals the mirror; reads outside it fail. */
static void check_readable(void)
{
    uint64_t head = repl_stream_offset(), first = repl_stream_first();
    ck_assert_uint_eq(head, mirror_len);
    ck_assert_uint_le(first, head);
    ck_assert_uint_ge(first + repl_stream_size(), head);
    char *buf = malloc(head - first + 1);
    ck_assert_int_eq(repl_stream_read(first, head, buf), 0);
    ck_assert_int_eq(memcmp(buf, mirror + first, head - first), 0);
    free(buf);
    char c;
    ck_assert_int_eq(repl_stream_read(head, head + 1, &c), -1);
    ck_assert_int_eq(repl_stream_read(head, head, &c), 0);
    if (first > 0)
        ck_assert_int_eq(repl_stream_read(first - 1, first, &c), -1);
}

static void append_raw(int dbid, const char *s, size_t n)
{
    undo_begin();
    repl_stream_append(dbid, s, n);
    fixture_write_commit();
}

static void append_cmd(int dbid, int argc, const char **argv)
{
    size_t lens[8];
    for (int i = 0; i < argc; i++)
        lens[i] = strlen(argv[i]);
    undo_begin();
    repl_stream_append_command(dbid, argc, argv, lens);
    fixture_write_commit();
}

START_TEST(test_append_and_read)
{
    ck_assert_uint_eq(repl_stream_offset(), 0);
    ck_assert_int_eq(repl_stream_db(), -1);
    ck_assert_uint_eq(repl_stream_size(), RING);
    const char *set[] = { "SET", "k", "v" };
    append_cmd(0, 3, set);
    const char *want = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n";
    mirror_add(want, strlen(want));
    check_readable();
    ck_assert_int_eq(repl_stream_db(), 0);
    append_cmd(0, 3, set);                       /* same database: no SELECT */
    mirror_add(want + 23, strlen(want) - 23);
    const char *empty[] = { "APPEND", "k", "" };
    append_cmd(12, 3, empty);
    const char *want12 = "*2\r\n$6\r\nSELECT\r\n$2\r\n12\r\n*3\r\n$6\r\nAPPEND\r\n$1\r\nk\r\n$0\r\n\r\n";
    mirror_add(want12, strlen(want12));
    append_raw(-1, "*1\r\n$4\r\nEXEC\r\n", 14);  /* no database: never a SELECT */
    mirror_add("*1\r\n$4\r\nEXEC\r\n", 14);
    append_raw(3, "*1\r\n$4\r\nPING\r\n", 14);
    mirror_add("*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*1\r\n$4\r\nPING\r\n", 37);
    check_readable();
    ck_assert_int_eq(repl_stream_db(), 3);
    char enc[64];
    ck_assert_uint_eq(repl_encode_command(NULL, 3, set, (size_t[]){ 3, 1, 1 }), 27);
    ck_assert_uint_eq(repl_encode_command(enc, 3, set, (size_t[]){ 3, 1, 1 }), 27);
    ck_assert_int_eq(memcmp(enc, want + 23, 27), 0);
}
END_TEST

/* A command of random size (1 .. max bytes of payload) for database db. */
static void append_random(uint64_t *seed, size_t max, int db)
{
    static char payload[3 * RING];
    size_t n = 1 + fixture_xorshift(seed) % max;
    for (size_t i = 0; i < n; i++)
        payload[i] = (char)('a' + fixture_xorshift(seed) % 26);
    const char *argv[3] = { "RPUSH", "key", payload };
    size_t lens[3] = { 5, 3, n };
    size_t enc_len = repl_encode_command(NULL, 3, argv, lens);
    char *enc = malloc(enc_len);
    repl_encode_command(enc, 3, argv, lens);
    if (db != repl_stream_db()) {
        char sel[40];
        const char *sv[2] = { "SELECT", db ? "1" : "0" };
        size_t sn = repl_encode_command(sel, 2, sv, (size_t[]){ 6, 1 });
        mirror_add(sel, sn);
    }
    mirror_add(enc, enc_len);
    free(enc);
    repl_stream_append_command(db, 3, argv, lens);
}

START_TEST(test_wrap_many_times)
{
    uint64_t seed = 42;
    for (int i = 0; i < 2000; i++) {
        undo_begin();
        append_random(&seed, 700, (int)(fixture_xorshift(&seed) % 2));
        fixture_write_commit();
        check_readable();
    }
    ck_assert_uint_gt(repl_stream_offset(), 30 * RING);
    ck_assert_uint_eq(repl_stream_first(), repl_stream_offset() - RING);
}
END_TEST

START_TEST(test_append_larger_than_ring)
{
    uint64_t seed = 7;
    undo_begin();
    append_random(&seed, 100, 0);
    fixture_write_commit();
    char *big = malloc(RING * 2 + 123);
    for (size_t i = 0; i < RING * 2 + 123; i++)
        big[i] = (char)('A' + i % 23);
    append_raw(-1, big, RING * 2 + 123);
    mirror_add(big, RING * 2 + 123);
    free(big);
    ck_assert_uint_eq(repl_stream_first(), repl_stream_offset() - RING);
    check_readable();
    append_raw(-1, "xyz", 3);
    mirror_add("xyz", 3);
    check_readable();
}
END_TEST

START_TEST(test_resize)
{
    uint64_t seed = 3;
    for (int i = 0; i < 100; i++) {
        undo_begin();
        append_random(&seed, 500, 0);
        fixture_write_commit();
    }
    uint64_t before = repl_stream_first();
    conf_shared()->repl_backlog_size = 4 * RING;  /* grows: keeps what it had */
    undo_begin();
    append_random(&seed, 10, 0);
    fixture_write_commit();
    ck_assert_uint_eq(repl_stream_size(), 4 * RING);
    ck_assert_uint_eq(repl_stream_first(), before);
    check_readable();
    for (int i = 0; i < 200; i++) {
        undo_begin();
        append_random(&seed, 500, 0);
        fixture_write_commit();
    }
    ck_assert_uint_eq(repl_stream_first(), repl_stream_offset() - 4 * RING);
    conf_shared()->repl_backlog_size = 1000;      /* below the minimum: 16kb */
    undo_begin();
    append_random(&seed, 10, 0);
    fixture_write_commit();
    ck_assert_uint_eq(repl_stream_size(), RING);
    ck_assert_uint_eq(repl_stream_first(), repl_stream_offset() - RING);
    check_readable();
}
END_TEST

/* ---- rolled back after every undo record ---- */

static jmp_buf crash_env;
static void crash_jump(void) { longjmp(crash_env, 1); }

/* One write of several appends; its bytes go to a scratch mirror, kept on commit. */
static void the_write(uint64_t seed, int resize)
{
    if (resize)
        conf_shared()->repl_backlog_size = 2 * RING;
    for (int i = 0; i < 6; i++)
        append_random(&seed, i == 3 ? 2 * RING : 3000, i % 3 == 1);
    append_random(&seed, 20, 0);
}

static void stop_at_every_record(int resize)
{
    uint64_t seed = 11;
    for (int i = 0; i < 40; i++) {              /* a wrapped ring to start from */
        undo_begin();
        append_random(&seed, 900, i % 2);
        fixture_write_commit();
    }
    check_readable();
    volatile long n;
    for (n = 0;; n++) {
        uint64_t head = repl_stream_offset(), size = repl_stream_size();
        size_t len = mirror_len;
        int db = repl_stream_db();
        undo_test_crash_after(n, crash_jump);
        if (setjmp(crash_env) == 0) {
            undo_begin();
            the_write(99, resize);
            fixture_write_commit();
            undo_test_crash_after(-1, NULL);
            break;
        }
        fixture_write_rollback();
        conf_shared()->repl_backlog_size = (long long)size;
        mirror_len = len;
        ck_assert_uint_eq(repl_stream_offset(), head);
        ck_assert_uint_eq(repl_stream_size(), size);
        ck_assert_int_eq(repl_stream_db(), db);
        check_readable();
        undo_begin();                           /* the stream goes on after it */
        append_random(&seed, 50, 1);
        fixture_write_commit();
        check_readable();
    }
    ck_assert_int_ge(n, 7);
    check_readable();
}

START_TEST(test_rollback_at_every_step) { stop_at_every_record(0); }
END_TEST

START_TEST(test_rollback_of_a_resize_at_every_step) { stop_at_every_record(1); }
END_TEST

/* An append larger than the ring, rolled back, left nothing readable: the stream
 * starts again at its offset. */
START_TEST(test_rollback_of_oversized_append)
{
    uint64_t seed = 5;
    for (int i = 0; i < 30; i++) {
        undo_begin();
        append_random(&seed, 900, 0);
        fixture_write_commit();
    }
    uint64_t head = repl_stream_offset();
    size_t len = mirror_len;
    undo_begin();
    append_random(&seed, 1, 0);
    append_random(&seed, 1, 0);
    static char big[RING + 500];
    memset(big, 'z', sizeof(big));
    repl_stream_append(-1, big, sizeof(big));
    fixture_write_rollback();
    mirror_len = len;
    ck_assert_uint_eq(repl_stream_offset(), head);
    ck_assert_uint_eq(repl_stream_first(), head);
    check_readable();
    append_raw(-1, "abc", 3);
    mirror_add("abc", 3);
    ck_assert_uint_eq(repl_stream_first(), head);
    check_readable();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stream");
    TCase *tc = tcase_create("ring");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_append_and_read);
    tcase_add_test(tc, test_wrap_many_times);
    tcase_add_test(tc, test_append_larger_than_ring);
    tcase_add_test(tc, test_resize);
    tcase_add_test(tc, test_rollback_at_every_step);
    tcase_add_test(tc, test_rollback_of_a_resize_at_every_step);
    tcase_add_test(tc, test_rollback_of_oversized_append);
    suite_add_tcase(s, tc);
    return fixture_run_suite(s);
}
