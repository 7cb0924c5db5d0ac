/* tests/unit/test_t_string.c - Check tests for types/t_string.c on an arena laid out
 * on plain memory: what the end-to-end differential tests cannot see (encodings of
 * the kv entries, in-place changes and their rollback, the undo log staying small
 * for in-place APPEND/SETRANGE, amortized blob growth, dirty counts) plus the exact
 * RESP2/RESP3 bytes of LCS IDX, taken from redis-server 7.0.15.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyspace/db.h"
#include "shm/alloc.h"
#include "shm/arena.h"
#include "shm/undo.h"
#include "types/t_string.h"
#include "tests/unit/fixture.h"

#define ARENA_SIZE (64ULL << 20)

static void setup(void)
{
    static int registered;
    if (!registered++)
        command_register(string_commands);
    fixture_arena_open(ARENA_SIZE, 8ULL << 20, 2, 1);
    undo_begin();
    db_create_all(2);
    fixture_write_commit();
}

static void teardown(void) { fixture_arena_close(); }

static struct kv *peek(const char *key) { return db_peek(db_get(0), key, strlen(key)); }

static int enc_of(const char *key)
{
    struct kv *kv = peek(key);
    ck_assert_ptr_nonnull(kv);
    return kv->enc;
}

static shm_off_t blob_of(const char *key)
{
    struct kv *kv = peek(key);
    ck_assert_int_eq(kv->enc, KV_ENC_RAW);
    return kv_value_off(kv);
}

static void free_fake_list(shm_off_t obj, enum kv_enc enc) { shm_free(obj); }

/* Stands in for a list until types/ has one: a kv of type list owning a dummy object. */
static void add_fake_list(const char *key)
{
    kv_register_value_free(KV_LIST, free_fake_list);
    undo_begin();
    db_add(db_get(0), kv_new_object(key, strlen(key), KV_LIST, KV_ENC_QUICKLIST, shm_alloc(16)));
    fixture_write_commit();
}

static void fill(char *buf, size_t n, char ch)
{
    memset(buf, ch, n);
    buf[n] = '\0';
}

START_TEST(encodings_follow_redis)
{
    char big[60];
    fill(big, 45, 'b');
    RUN("set", "i", "123");
    ck_assert_int_eq(enc_of("i"), KV_ENC_INT);
    RUN("set", "e", "0123");
    ck_assert_int_eq(enc_of("e"), KV_ENC_EMBSTR);
    RUN("set", "r", big);
    ck_assert_int_eq(enc_of("r"), KV_ENC_RAW);
    RUN("append", "a", "42");                  /* a new key: as SET */
    ck_assert_int_eq(enc_of("a"), KV_ENC_INT);
    RUN("append", "a", "");                    /* an existing key: raw, even for "" */
    ck_assert_int_eq(enc_of("a"), KV_ENC_RAW);
    ck_assert_str_eq(RUN("incr", "a"), ":43\r\n");
    ck_assert_int_eq(enc_of("a"), KV_ENC_INT);
    ck_assert_str_eq(RUN("incrbyfloat", "f", "2"), "$1\r\n2\r\n");
    ck_assert_int_eq(enc_of("f"), KV_ENC_EMBSTR);   /* INCRBYFLOAT never makes int */
    ck_assert_str_eq(RUN("get", "f"), "$1\r\n2\r\n");
    RUN("setrange", "s", "1", "x");
    ck_assert_int_eq(enc_of("s"), KV_ENC_RAW);
    ck_assert_mem_eq(RUN("get", "s"), "$2\r\n\0x\r\n", 8);
}
END_TEST

START_TEST(append_in_place_logs_little_and_rolls_back)
{
    char big[2100], chunk[1001];
    fill(big, 2000, 'a');
    fill(chunk, 1000, 'c');
    RUN("set", "k", "x");
    RUN("append", "k", big);                   /* raw now, with spare capacity */
    shm_off_t blob = blob_of("k");
    ck_assert_uint_ge(kv_blob_cap(blob), 2001 + 1000);

    RUN_OPEN("append", "k", chunk);
    ck_assert_uint_eq(blob_of("k"), blob);     /* grew in place */
    ck_assert_uint_lt(undo_used(), 200);       /* no byte-for-byte log of the new bytes */
    fixture_write_rollback();
    ck_assert_str_eq(RUN("strlen", "k"), ":2001\r\n");

    ck_assert_str_eq(RUN("append", "k", chunk), ":3001\r\n");
    ck_assert_str_eq(RUN("getrange", "k", "1999", "2001"), "$3\r\naac\r\n");
}
END_TEST

START_TEST(append_is_amortized)
{
    RUN("set", "k", "");
    shm_off_t prev = 0;
    int moves = 0;
    for (int i = 0; i < 20000; i++) {
        RUN("append", "k", "0123456789");
        if (blob_of("k") != prev)
            moves++;
        prev = blob_of("k");
    }
    ck_assert_str_eq(RUN("strlen", "k"), ":200000\r\n");
    ck_assert_int_lt(moves, 40);
}
END_TEST

START_TEST(setrange_in_place_and_rollback)
{
    char big[100];
    fill(big, 50, 'a');
    RUN("set", "k", big);
    RUN("append", "k", "bb");                  /* 52 bytes, room to spare */
    shm_off_t blob = blob_of("k");
    RUN_UNDONE("setrange", "k", "48", "XYZW");   /* overwrites old bytes and grows */
    ck_assert_str_eq(RUN("getrange", "k", "46", "-1"), "$6\r\naaaabb\r\n");
    ck_assert_str_eq(RUN("setrange", "k", "48", "XYZW"), ":52\r\n");
    ck_assert_uint_eq(blob_of("k"), blob);
    ck_assert_str_eq(RUN("getrange", "k", "46", "-1"), "$6\r\naaXYZW\r\n");
    ck_assert_str_eq(RUN("setrange", "k", "54", "!"), ":55\r\n");
    ck_assert_mem_eq(RUN("getrange", "k", "50", "-1"), "$5\r\nZW\0\0!\r\n", 11);
    ck_assert_str_eq(RUN("setrange", "k", "0", ""), ":55\r\n");
    ck_assert_uint_eq(fixture_last_dirty, 0);
}
END_TEST

START_TEST(incr_in_place_keeps_ttl_and_rolls_back)
{
    RUN("set", "k", "10", "ex", "100");
    struct kv *kv = peek("k");
    RUN_UNDONE("incrby", "k", "5");
    ck_assert_str_eq(RUN("get", "k"), "$2\r\n10\r\n");
    ck_assert_str_eq(RUN("incrby", "k", "5"), ":15\r\n");
    ck_assert_ptr_eq(peek("k"), kv);            /* same kv, int updated in place */
    ck_assert_int_eq(enc_of("k"), KV_ENC_INT);
    ck_assert_int_gt(db_get_expire(db_get(0), peek("k")), db_now_ms());
    RUN("append", "k", "0");                   /* raw "150" */
    ck_assert_str_eq(RUN("decr", "k"), ":149\r\n");
    ck_assert_int_eq(enc_of("k"), KV_ENC_INT);
    ck_assert_int_gt(db_get_expire(db_get(0), peek("k")), db_now_ms());
    ck_assert_str_eq(RUN("incrbyfloat", "k", "0.5"), "$5\r\n149.5\r\n");
    ck_assert_int_gt(db_get_expire(db_get(0), peek("k")), db_now_ms());

    RUN("set", "s", "5");                      /* a COPY of it is an unshared int */
    undo_begin();
    db_add(db_get(0), kv_copy(shm_off(peek("s")), "u", 1));
    undo_commit();
    ck_assert_int_eq(peek("u")->flags & KV_FLAG_UNSHARED, KV_FLAG_UNSHARED);
    ck_assert_str_eq(RUN("incr", "u"), ":6\r\n");   /* Redis: a new, shared object */
    ck_assert_int_eq(peek("u")->flags & KV_FLAG_UNSHARED, 0);
}
END_TEST

START_TEST(set_in_place_when_the_value_fits)
{
    RUN("set", "k", "abc", "ex", "100");
    struct kv *kv = peek("k");
    RUN_UNDONE("set", "k", "xyz");
    ck_assert_str_eq(RUN("get", "k"), "$3\r\nabc\r\n");
    ck_assert_int_gt(db_get_expire(db_get(0), peek("k")), 0);     /* the rollback kept the TTL */
    ck_assert_str_eq(RUN("set", "k", "xyz", "keepttl"), "+OK\r\n");
    ck_assert_ptr_eq(peek("k"), kv);            /* same length embstr: rewritten in place */
    ck_assert_uint_eq(fixture_last_dirty, 1);
    ck_assert_int_gt(db_get_expire(db_get(0), peek("k")), 0);
    ck_assert_str_eq(RUN("set", "k", "uvw"), "+OK\r\n");
    ck_assert_ptr_eq(peek("k"), kv);
    ck_assert_int_eq(db_get_expire(db_get(0), peek("k")), -1);      /* SET drops the TTL */
    ck_assert_str_eq(RUN("get", "k"), "$3\r\nuvw\r\n");
    ck_assert_str_eq(RUN("set", "k", "123"), "+OK\r\n");          /* int: a new kv */
    ck_assert_int_eq(enc_of("k"), KV_ENC_INT);
    kv = peek("k");
    ck_assert_str_eq(RUN("getset", "k", "-98765"), "$3\r\n123\r\n");
    ck_assert_ptr_eq(peek("k"), kv);            /* int over int: in place */
    ck_assert_str_eq(RUN("get", "k"), "$6\r\n-98765\r\n");
    ck_assert_str_eq(RUN("set", "k", "0123"), "+OK\r\n");         /* not canonical: embstr */
    ck_assert_int_eq(enc_of("k"), KV_ENC_EMBSTR);
    ck_assert_str_eq(RUN("set", "k", "01234"), "+OK\r\n");        /* longer: a new kv */
    ck_assert_str_eq(RUN("get", "k"), "$5\r\n01234\r\n");
}
END_TEST

START_TEST(set_options_and_ttl)
{
    ck_assert_str_eq(RUN("set", "k", "v", "ex", "abc", "nx", "xx"), "-ERR syntax error\r\n");
    ck_assert_str_eq(RUN("set", "k", "v", "ex", "abc", "ex", "10"), "+OK\r\n");
    ck_assert_str_eq(RUN("set", "k", "v", "px", "0"), "-ERR invalid expire time in 'set' command\r\n");
    ck_assert_str_eq(RUN("setex", "k", "-1", "v"), "-ERR invalid expire time in 'setex' command\r\n");
    ck_assert_str_eq(RUN("set", "k", "w", "keepttl", "get"), "$1\r\nv\r\n");
    ck_assert_int_gt(db_get_expire(db_get(0), peek("k")), 0);
    ck_assert_str_eq(RUN("set", "k", "x"), "+OK\r\n");
    ck_assert_int_eq(db_get_expire(db_get(0), peek("k")), -1);
    ck_assert_str_eq(RUN("set", "k", "y", "nx", "get"), "$1\r\nx\r\n");
    ck_assert_uint_eq(fixture_last_dirty, 0);
    ck_assert_str_eq(RUN("set", "n", "y", "xx"), "$-1\r\n");
    ck_assert_str_eq(RUN("getex", "k", "pxat", "1"), "$1\r\nx\r\n");   /* past: deleted */
    ck_assert_ptr_null(peek("k"));
    ck_assert_uint_eq(fixture_last_dirty, 1);
}
END_TEST

#define WRONGTYPE "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"

START_TEST(wrong_type_and_error_order)
{
    add_fake_list("l");
    const char *wt[][6] = {
        { "get", "l" }, { "set", "l", "v", "get" }, { "set", "l", "v", "nx", "get" },
        { "getex", "l", "ex", "abc" }, { "getdel", "l" }, { "getset", "l", "v" },
        { "getrange", "l", "0", "1" }, { "substr", "l", "0", "1" }, { "strlen", "l" },
        { "append", "l", "x" }, { "setrange", "l", "0", "" }, { "incr", "l" }, { "decr", "l" },
        { "incrby", "l", "1" }, { "decrby", "l", "1" }, { "incrbyfloat", "l", "abc" },
    };
    for (size_t i = 0; i < sizeof(wt) / sizeof(wt[0]); i++) {
        ck_assert_msg(strcmp(fixture_exec_argv(2, FIXTURE_COMMIT, wt[i]), WRONGTYPE) == 0, "%s: %s", wt[i][0], fixture_out);
        ck_assert_uint_eq(fixture_last_dirty, 0);
    }
    ck_assert_str_eq(RUN("mget", "l", "nokey"), "*2\r\n$-1\r\n$-1\r\n");
    ck_assert_str_eq(RUN("setnx", "l", "v"), ":0\r\n");
    ck_assert_str_eq(RUN("setrange", "l", "-1", "x"), "-ERR offset is out of range\r\n");
    ck_assert_str_eq(RUN("incrby", "l", "abc"), "-ERR value is not an integer or out of range\r\n");
    ck_assert_str_eq(RUN("getrange", "l", "a", "1"), "-ERR value is not an integer or out of range\r\n");
    ck_assert_str_eq(RUN("getex", "l", "foo"), "-ERR syntax error\r\n");
    ck_assert_str_eq(RUN("set", "l", "v", "ex", "0", "get"), "-ERR invalid expire time in 'set' command\r\n");
    ck_assert_str_eq(RUN("lcs", "l", "nokey", "idx", "len"), "-ERR The specified keys must contain string values\r\n");
    ck_assert_int_eq(peek("l")->type, KV_LIST);
    ck_assert_str_eq(RUN("set", "l", "v"), "+OK\r\n");     /* plain SET overwrites */
    ck_assert_str_eq(RUN("get", "l"), "$1\r\nv\r\n");
}
END_TEST

START_TEST(dirty_counts_keys_changed)
{
    RUN("mset", "a", "1", "b", "2", "a", "3");
    ck_assert_uint_eq(fixture_last_dirty, 3);
    ck_assert_str_eq(RUN("msetnx", "a", "1", "z", "2"), ":0\r\n");
    ck_assert_uint_eq(fixture_last_dirty, 0);
    ck_assert_str_eq(RUN("mset", "a", "1", "b"), "-ERR wrong number of arguments for 'mset' command\r\n");
    RUN("getex", "a", "persist");
    ck_assert_uint_eq(fixture_last_dirty, 0);
    RUN("getdel", "a");
    ck_assert_uint_eq(fixture_last_dirty, 1);
    RUN("setnx", "b", "9");
    ck_assert_uint_eq(fixture_last_dirty, 0);
}
END_TEST

START_TEST(lcs_reply_shapes)
{
    RUN("mset", "key1", "ohmytext", "key2", "mynewtext");
    ck_assert_str_eq(RUN("lcs", "key1", "key2"), "$6\r\nmytext\r\n");
    ck_assert_str_eq(RUN("lcs", "key1", "key2", "len"), ":6\r\n");
    ck_assert_str_eq(RUN("lcs", "key1", "key2", "idx", "minmatchlen", "4", "withmatchlen"),
                     "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
                     "$3\r\nlen\r\n:6\r\n");
    ck_assert_str_eq(RUN3("lcs", "key1", "key2", "idx"),
                     "%2\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
                     "*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n");
    ck_assert_str_eq(RUN3("lcs", "key1", "nokey", "idx"), "%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("t_string");
    TCase *tc = tcase_create("commands");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, encodings_follow_redis);
    tcase_add_test(tc, append_in_place_logs_little_and_rolls_back);
    tcase_add_test(tc, append_is_amortized);
    tcase_add_test(tc, setrange_in_place_and_rollback);
    tcase_add_test(tc, incr_in_place_keeps_ttl_and_rolls_back);
    tcase_add_test(tc, set_in_place_when_the_value_fits);
    tcase_add_test(tc, set_options_and_ttl);
    tcase_add_test(tc, wrong_type_and_error_order);
    tcase_add_test(tc, dirty_counts_keys_changed);
    tcase_add_test(tc, lcs_reply_shapes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return fixture_run_suite(suite());
}
