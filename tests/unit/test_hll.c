/* tests/unit/test_hll.c - Check tests for types/t_hll.c (and the in-place string
 * writes it shares with types/t_bitmap.c) on an arena laid out on plain memory.
 *
 * The byte vectors, checksums and counts below were taken from redis-server 7.0.15
 * (hll-sparse-max-bytes 3000): the same PFADDs must give the same bytes here, and
 * values made by Redis (SET of their bytes) must count the same.  Also what the
 * end-to-end differential tests cannot see: writes rolled back leave the value byte
 * for byte as it was, in-place changes keep the undo log small, encodings.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyspace/db.h"
#include "shm/alloc.h"
#include "shm/arena.h"
#include "shm/undo.h"
#include "types/t_bitmap.h"
#include "types/t_hll.h"
#include "types/t_string.h"
#include "tests/unit/fixture.h"

#define ARENA_SIZE (64ULL << 20)

static void setup(void)
{
    static int registered;
    if (!registered++) {
        command_register(string_commands);
        command_register(bitmap_commands);
        command_register(hll_commands);
    }
    fixture_arena_open(ARENA_SIZE, 8ULL << 20, 1, 1);
    undo_begin();
    db_create_all(1);
    fixture_write_commit();
}

static void teardown(void) { fixture_arena_close(); }

static void set_bytes(const char *key, const void *val, size_t n)
{
    const char *argv[] = { "set", key, val };
    size_t lens[] = { 3, strlen(key), n };
    ck_assert_str_eq(fixture_exec(2, FIXTURE_COMMIT, 3, argv, lens), "+OK\r\n");
}

/* The value of key (a bulk reply), its length in *n; valid until the next command. */
static const uint8_t *get_bytes(const char *key, size_t *n)
{
    RUN("get", key);
    ck_assert_int_eq(fixture_out[0], '$');
    const char *body = strstr(fixture_out, "\r\n") + 2;
    *n = strtoul(fixture_out + 1, NULL, 10);
    return (const uint8_t *)body;
}

static void assert_value(const char *key, const void *want, size_t n)
{
    size_t len;
    const uint8_t *got = get_bytes(key, &len);
    ck_assert_uint_eq(len, n);
    ck_assert_mem_eq(got, want, n);
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    while (n--)
        h = (h ^ *p++) * 0x100000001b3ULL;
    return h;
}

static uint64_t value_fnv(const char *key, size_t want_len)
{
    size_t len;
    const uint8_t *p = get_bytes(key, &len);
    ck_assert_uint_eq(len, want_len);
    return fnv1a(p, len);
}

/* PFADD key prefix<from> .. prefix<to-1>, 1000 elements per command. */
static void pfadd_range(const char *key, const char *prefix, int from, int to)
{
    static char names[1000][16];
    const char *argv[1002];
    size_t lens[1002];
    for (int i = from; i < to;) {
        int n = 0;
        argv[n] = "pfadd", lens[n++] = 5;
        argv[n] = key, lens[n++] = strlen(key);
        for (; i < to && n < 1002; i++, n++) {
            lens[n] = (size_t)snprintf(names[n - 2], sizeof(names[0]), "%s%d", prefix, i);
            argv[n] = names[n - 2];
        }
        fixture_exec(2, FIXTURE_COMMIT, n, argv, lens);
    }
}

static int enc_of(const char *key)
{
    struct kv *kv = db_peek(db_get(0), key, strlen(key));
    ck_assert_ptr_nonnull(kv);
    return kv->enc;
}

#define HDR_SPARSE "HYLL\x01\0\0\0"
#define CARD_NONE "\0\0\0\0\0\0\0\x80"
#define CARD_3 "\x03\0\0\0\0\0\0\0"
#define ABC_OPS "\x60\xf3\x80\x50\xb1\x84\x4b\xfb\x80\x42\x5a"     /* PFADD h a b c */

START_TEST(sparse_bytes_match_redis)
{
    static const char empty[] = HDR_SPARSE CARD_NONE "\x7f\xff";
    static const char abc[] = HDR_SPARSE CARD_NONE ABC_OPS;
    static const char abc_counted[] = HDR_SPARSE CARD_3 ABC_OPS;
    ck_assert_str_eq(RUN("pfadd", "h", "a", "b", "c"), ":1\r\n");
    assert_value("h", abc, sizeof(abc) - 1);
    ck_assert_int_eq(enc_of("h"), KV_ENC_RAW);
    ck_assert_str_eq(RUN("pfcount", "h"), ":3\r\n");
    assert_value("h", abc_counted, sizeof(abc_counted) - 1);      /* count cached */
    ck_assert_str_eq(RUN("pfadd", "h", "a", "c"), ":0\r\n");
    assert_value("h", abc_counted, sizeof(abc_counted) - 1);      /* nothing changed */
    ck_assert_str_eq(RUN("pfadd", "e"), ":1\r\n");                 /* created: cache invalid */
    assert_value("e", empty, sizeof(empty) - 1);
    ck_assert_str_eq(RUN("pfcount", "e"), ":0\r\n");
    ck_assert_str_eq(RUN("pfadd", "e", "x"), ":1\r\n");
    assert_value("e", HDR_SPARSE "\0\0\0\0\0\0\0\x80\x7f\xf5\x84\x08", 20);   /* count marked invalid */
}
END_TEST

START_TEST(sparse_forty_match_redis)
{
    static const char want[] = HDR_SPARSE CARD_NONE
        "\x43\x67\x80\x41\x2f\x80\x43\xda\x80\x40\x62\x80\x30\x8c\x21\x80\x42\xab\x80\x41\x5e\x84"
        "\x41\x88\x80\x41\x05\x80\x45\xc3\x80\x40\x73\x84\x40\x55\x84\x40\xf8\x84\x40\xb9\x84\x41"
        "\x70\x80\x3a\x84\x16\x80\x41\xc6\x84\x45\x13\x84\x42\x4e\x84\x40\x93\x88\x40\x47\x80\x42"
        "\x16\x80\x40\x74\x84\x41\xae\x84\x41\xf2\x80\x40\x9c\x80\x40\x98\x94\x42\xb9\x84\x41\x31"
        "\x88\x40\xe0\x80\x40\xba\x80\x42\xda\x8c\x26\x88\x41\xed\x80\x42\xaa\x80\x15\x94\x44\xe7"
        "\x84\x41\xa7\x88\x40\xdd";
    pfadd_range("s", "s", 0, 40);
    assert_value("s", want, sizeof(want) - 1);
    ck_assert_str_eq(RUN("pfcount", "s"), ":40\r\n");
}
END_TEST

START_TEST(dense_and_union_match_redis)
{
    pfadd_range("s", "s", 0, 40);
    pfadd_range("d", "e", 0, 100000);
    ck_assert_uint_eq(value_fnv("d", 12304), 0xafbf1713dc5ba3c8ULL);
    ck_assert_str_eq(RUN("pfcount", "d"), ":100853\r\n");
    pfadd_range("d2", "f", 0, 5000);
    ck_assert_str_eq(RUN("pfcount", "d", "d2"), ":105504\r\n");
    ck_assert_str_eq(RUN("pfcount", "d2"), ":5031\r\n");
    ck_assert_str_eq(RUN("pfmerge", "m", "d2", "s"), "+OK\r\n");
    ck_assert_uint_eq(value_fnv("m", 12304), 0x6a5461de534b5846ULL);
    ck_assert_str_eq(RUN("pfcount", "m"), ":5074\r\n");
}
END_TEST

START_TEST(values_made_by_redis_count_the_same)
{
    static const char counted[] = HDR_SPARSE CARD_3 ABC_OPS;
    static const char stale[] = HDR_SPARSE CARD_NONE ABC_OPS;
    static const char corrupt[] = HDR_SPARSE CARD_NONE "\x60\xf3\x80\x50\xb1\x84\x4b\xfb\x80\x42\x5b";
    set_bytes("v", counted, sizeof(counted) - 1);
    ck_assert_int_eq(enc_of("v"), KV_ENC_EMBSTR);
    ck_assert_str_eq(RUN("pfcount", "v"), ":3\r\n");
    ck_assert_int_eq(enc_of("v"), KV_ENC_RAW);                    /* unshared as Redis */
    set_bytes("w", stale, sizeof(stale) - 1);
    ck_assert_str_eq(RUN("pfcount", "w"), ":3\r\n");
    ck_assert_str_eq(RUN("pfcount", "v", "w", "nokey"), ":3\r\n");
    set_bytes("c", corrupt, sizeof(corrupt) - 1);
    ck_assert_str_eq(RUN("pfcount", "c"), "-INVALIDOBJ Corrupted HLL object detected\r\n");
    ck_assert_str_eq(RUN("pfcount", "v", "c"), "-INVALIDOBJ Corrupted HLL object detected\r\n");
    ck_assert_str_eq(RUN("pfadd", "c", "zz"), ":1\r\n");           /* its register comes first */
    RUN("set", "x", "123");
    ck_assert_str_eq(RUN("pfadd", "x", "a"), "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n");
    set_bytes("x", "HYLL\x00\0\0\0", 8);
    ck_assert_str_eq(RUN("pfcount", "x"), "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n");
    set_bytes("x", "HYLL\x00\0\0\0\0\0\0\0\0\0\0\0", 16);                 /* dense, too short */
    ck_assert_str_eq(RUN("pfmerge", "y", "x"), "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n");
    ck_assert_str_eq(RUN("get", "y"), "$-1\r\n");
}
END_TEST

/* Runs cmd rolled back and checks key's bytes did not change. */
static void assert_rolled_back(const char *key, const char **cmd)
{
    size_t len, len2;
    const uint8_t *p = get_bytes(key, &len);
    uint8_t *before = malloc(len);
    memcpy(before, p, len);
    fixture_exec_argv(2, FIXTURE_ROLLBACK, cmd);
    p = get_bytes(key, &len2);
    ck_assert_uint_eq(len2, len);
    ck_assert_mem_eq(p, before, len);
    free(before);
}

START_TEST(hll_writes_roll_back)
{
    pfadd_range("s", "s", 0, 40);                                  /* sparse */
    pfadd_range("d", "e", 0, 20000);                               /* dense */
    RUN("pfcount", "s");
    RUN("pfcount", "d");
    assert_rolled_back("s", (const char *[]){ "pfadd", "s", "new1", "new2", "new3", NULL });
    assert_rolled_back("d", (const char *[]){ "pfadd", "d", "new1", "new2", "new3", NULL });
    assert_rolled_back("s", (const char *[]){ "pfmerge", "s", "d", NULL });     /* turns dense */
    assert_rolled_back("d", (const char *[]){ "pfmerge", "d", "s", NULL });
    RUN("pfadd", "s", "x");
    RUN("pfadd", "d", "x");
    assert_rolled_back("s", (const char *[]){ "pfcount", "s", NULL });          /* cache write */
    assert_rolled_back("d", (const char *[]){ "pfcount", "d", NULL });
    ck_assert_str_eq(RUN("pfcount", "s"), ":41\r\n");
    ck_assert_str_eq(RUN("pfcount", "d"), ":19905\r\n");
}
END_TEST

START_TEST(bitmap_writes_roll_back)
{
    RUN("setbit", "b", "800", "1");
    RUN("append", "b", "tail");
    assert_rolled_back("b", (const char *[]){ "setbit", "b", "3", "1", NULL });
    assert_rolled_back("b", (const char *[]){ "setbit", "b", "900", "1", NULL });      /* grows */
    assert_rolled_back("b", (const char *[]){ "bitfield", "b", "set", "i13", "795", "-77",
                                               "incrby", "u9", "#100", "1000", NULL });
    assert_rolled_back("b", (const char *[]){ "bitop", "not", "b", "b", NULL });
    ck_assert_str_eq(RUN("bitcount", "b"), ":16\r\n");
}
END_TEST

START_TEST(in_place_writes_log_little)
{
    RUN("setbit", "b", "80000", "1");
    ck_assert_int_eq(enc_of("b"), KV_ENC_RAW);
    struct kv *kv = db_peek(db_get(0), "b", 1);
    shm_off_t blob = kv_value_off(kv);
    RUN_OPEN("setbit", "b", "5", "1");
    ck_assert_uint_eq(kv_value_off(db_peek(db_get(0), "b", 1)), blob);
    ck_assert_uint_lt(undo_used(), 64);                            /* one byte and a header */
    fixture_write_rollback();
    ck_assert_str_eq(RUN("getbit", "b", "5"), ":0\r\n");

    pfadd_range("d", "e", 0, 20000);
    RUN_OPEN("pfadd", "d", "new1", "new2");
    ck_assert_uint_lt(undo_used(), 200);                           /* registers, not the value */
    fixture_write_rollback();
}
END_TEST

START_TEST(promotion_past_sparse_max_bytes)
{
    size_t len;
    pfadd_range("h", "p", 0, 1000);
    ck_assert_int_eq(get_bytes("h", &len)[4], 1);               /* sparse, as Redis */
    ck_assert_uint_eq(len, 1905);
    pfadd_range("h", "p", 1000, 2000);                         /* past 3000 bytes: dense */
    ck_assert_int_eq(get_bytes("h", &len)[4], 0);
    ck_assert_uint_eq(len, 12304);
    pfadd_range("h", "p", 2000, 3000);
    ck_assert_str_eq(RUN("pfcount", "h"), ":3011\r\n");
}
END_TEST

START_TEST(hash_register_and_count)
{
    /* PFADD e x made Redis's "\x7f\xf5\x84\x08": register 16374 got count 2 */
    uint64_t h = hll_hash("x", 1);
    ck_assert_uint_eq(h & 16383, 16374);
    ck_assert_uint_eq((h >> 14) & 3, 2);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("t_hll");
    TCase *tc = tcase_create("commands");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, sparse_bytes_match_redis);
    tcase_add_test(tc, sparse_forty_match_redis);
    tcase_add_test(tc, dense_and_union_match_redis);
    tcase_add_test(tc, values_made_by_redis_count_the_same);
    tcase_add_test(tc, hll_writes_roll_back);
    tcase_add_test(tc, bitmap_writes_roll_back);
    tcase_add_test(tc, in_place_writes_log_little);
    tcase_add_test(tc, promotion_past_sparse_max_bytes);
    tcase_add_test(tc, hash_register_and_count);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return fixture_run_suite(suite());
}
