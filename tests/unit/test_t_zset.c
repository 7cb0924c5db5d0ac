/* tests/unit/test_t_zset.c - Check tests for the sorted-set commands on an arena laid
 * out on plain memory, for what the differential scripts cannot see:
 *  - every command rolled back leaves every zset as it was (contents, encoding) and
 *    the allocator and skiplists consistent, over random commands that cross the
 *    listpack -> skiplist switch: so every change to old bytes was logged;
 *  - encodings chosen by ZADD and by the stores, and the conversion undone whole;
 *  - a big skiplist emptied by ZREMRANGEBYRANK or ZPOPMIN frees it whole (little undo),
 *    dirty counts.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/shared.h"
#include "keyspace/db.h"
#include "shm/alloc.h"
#include "shm/arena.h"
#include "shm/slab_internal.h"
#include "shm/undo.h"
#include "types/t_zset.h"
#include "tests/unit/fixture.h"

#define ARENA_SIZE (128ULL << 20)

static void setup(void)
{
    static int registered;
    if (!registered++) {
        zset_type_init();
        command_register(zset_commands);
    }
    fixture_arena_open(ARENA_SIZE, 16ULL << 20, 1, 1);
    undo_begin();
    db_create_all(1);
    fixture_config_install();
    fixture_write_commit();
}

static void teardown(void) { fixture_arena_close(); }

static struct kv *peek(const char *key) { return db_peek(db_get(0), key, strlen(key)); }

static int enc_of(const char *key)
{
    struct kv *kv = peek(key);
    return kv ? kv->enc : -1;
}

/* Every invariant: the allocator, the undo log empty, each skiplist's structure. */
static void check_all(const char *const *keys, int nkeys)
{
    char err[256];
    ck_assert_msg(slab_check(err, sizeof(err)) == 0, "slab_check: %s", err);
    ck_assert_uint_eq(undo_used(), 0);
    for (int i = 0; i < nkeys; i++) {
        struct kv *kv = peek(keys[i]);
        if (kv && kv->enc == KV_ENC_SKIPLIST)
            ck_assert_msg(zsl_check(zsl_at(kv_value_off(kv)), err, sizeof(err)) == 0, "%s: %s", keys[i], err);
        if (kv)
            ck_assert_uint_gt(zset_length(kv), 0);
    }
}

/* The contents and encodings of the keys, as text. */
static char *dump(const char *const *keys, int nkeys)
{
    size_t cap = 1 << 20, len = 0;
    char *d = malloc(cap);
    for (int i = 0; i < nkeys; i++) {
        const char *r = RUN("zrange", keys[i], "0", "-1", "withscores");
        len += (size_t)snprintf(d + len, cap - len, "%s enc=%d %s\n", keys[i], enc_of(keys[i]), r);
        ck_assert_uint_lt(len, cap - 1);
    }
    return d;
}

/* ---- random commands rolled back ------------------------------------------------ */

static const char *const KEYS[] = { "a", "b", "c" };
#define NKEYS 3

/* Command templates: K a key, M a member ("[M" "(M" lex bounds), S a score, R a
 * rank, N<k> a number below k, PAIRS 1 to 40 score-member pairs; other words as is. */
static const char *const TEMPLATES[] = {
    "zadd K PAIRS", "zadd K PAIRS", "zadd K PAIRS", "zadd K nx PAIRS", "zadd K xx ch PAIRS",
    "zadd K gt PAIRS", "zadd K lt incr S M", "zincrby K S M", "zrem K M M M M M M M M",
    "zpopmin K N20", "zpopmax K N20", "zremrangebyrank K R R", "zremrangebyscore K S S",
    "zremrangebylex K [M (M", "zunionstore K 2 K K", "zinterstore K 2 K K", "zdiffstore K 2 K K",
    "zrangestore K K N150 -1", "zmpop 2 K K max count N30",
};

static char words[96][32];
static const char *argv_buf[96];

static int add_word(int n, const char *fmt, long v)
{
    snprintf(words[n], sizeof(words[0]), fmt, v);
    argv_buf[n] = words[n];
    return n + 1;
}

static int expand(int n, const char *tok)
{
    if (strcmp(tok, "K") == 0) {
        argv_buf[n] = KEYS[random() % NKEYS];
        return n + 1;
    }
    if (strcmp(tok, "M") == 0 || strcmp(tok, "[M") == 0 || strcmp(tok, "(M") == 0) {
        char fmt[8];
        snprintf(fmt, sizeof(fmt), "%.*sm%%ld", (int)strlen(tok) - 1, tok);
        return add_word(n, fmt, random() % 200);
    }
    if (strcmp(tok, "S") == 0)
        return add_word(n, "%ld", random() % 50 - 10);
    if (strcmp(tok, "R") == 0)
        return add_word(n, "%ld", random() % 100 - 50);
    if (tok[0] == 'N')
        return add_word(n, "%ld", random() % atol(tok + 1));
    if (strcmp(tok, "PAIRS") == 0) {
        for (long pairs = 1 + random() % 40; pairs > 0; pairs--)
            n = expand(expand(n, "S"), "M");
        return n;
    }
    argv_buf[n] = tok;
    return n + 1;
}

/* A random zset command into argv_buf; returns argc. */
static int random_command(void)
{
    static char tmpl[128];
    int n = 0;
    snprintf(tmpl, sizeof(tmpl), "%s", TEMPLATES[random() % (sizeof(TEMPLATES) / sizeof(TEMPLATES[0]))]);
    for (char *save, *tok = strtok_r(tmpl, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
        n = expand(n, tok);
    return n;
}

START_TEST(random_commands_roll_back_exactly)
{
    int seen[2] = { 0, 0 };                 /* steps with a listpack / a skiplist */
    conf_shared()->zset_max_listpack_entries = 24;
    srandom(4242);
    for (int step = 0; step < 3000; step++) {
        int argc = random_command();
        char *before = dump(KEYS, NKEYS);
        fixture_exec(2, FIXTURE_ROLLBACK, argc, argv_buf, NULL);
        char *after = dump(KEYS, NKEYS);
        ck_assert_msg(strcmp(before, after) == 0, "step %d: %s changed what it rolled back", step, argv_buf[0]);
        check_all(KEYS, NKEYS);
        fixture_exec(2, FIXTURE_COMMIT, argc, argv_buf, NULL);
        check_all(KEYS, NKEYS);
        for (int k = 0; k < NKEYS; k++) {
            seen[0] += enc_of(KEYS[k]) == KV_ENC_LISTPACK;
            seen[1] += enc_of(KEYS[k]) == KV_ENC_SKIPLIST;
        }
        free(before);
        free(after);
    }
    ck_assert_int_gt(seen[0], 500);
    ck_assert_int_gt(seen[1], 500);
}
END_TEST

/* ---- encodings ------------------------------------------------------------------ */

START_TEST(conversion_rolls_back_to_the_listpack)
{
    char s[16], m[16];
    for (int i = 0; i < 128; i++) {
        snprintf(s, sizeof(s), "%d", i);
        snprintf(m, sizeof(m), "m%03d", i);
        RUN("zadd", "z", s, m);
    }
    ck_assert_int_eq(enc_of("z"), KV_ENC_LISTPACK);
    shm_off_t lp = kv_value_off(peek("z"));
    RUN_UNDONE("zadd", "z", "5.5", "one-more");
    ck_assert_int_eq(enc_of("z"), KV_ENC_LISTPACK);
    ck_assert_uint_eq(kv_value_off(peek("z")), lp);
    ck_assert_str_eq(RUN("zscore", "z", "m005"), "$1\r\n5\r\n");
    ck_assert_str_eq(RUN("zadd", "z", "5.5", "one-more"), ":1\r\n");
    ck_assert_int_eq(enc_of("z"), KV_ENC_SKIPLIST);
    ck_assert_str_eq(RUN("zrank", "z", "one-more"), ":6\r\n");
    ck_assert_str_eq(RUN("zcard", "z"), ":129\r\n");
}
END_TEST

START_TEST(stores_pick_the_encoding)
{
    conf_shared()->zset_max_listpack_entries = 4;
    RUN("zadd", "src", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e");
    ck_assert_int_eq(enc_of("src"), KV_ENC_SKIPLIST);
    RUN("zrangestore", "small", "src", "0", "3");
    ck_assert_int_eq(enc_of("small"), KV_ENC_LISTPACK);
    RUN("zunionstore", "big", "1", "src");
    ck_assert_int_eq(enc_of("big"), KV_ENC_SKIPLIST);
    conf_shared()->zset_max_listpack_value = 2;
    RUN("zadd", "long", "1", "abc");
    ck_assert_int_eq(enc_of("long"), KV_ENC_SKIPLIST);
    RUN("zinterstore", "small", "2", "src", "small");
    ck_assert_int_eq(enc_of("small"), KV_ENC_LISTPACK);
    ck_assert_str_eq(RUN("zrange", "small", "0", "-1"), "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n");
}
END_TEST

/* ---- big ranges ----------------------------------------------------------------- */

static void fill_big(const char *key, int n)
{
    const char *a[2 + 2 * 500];
    char buf[2 * 500][16];
    for (int i = 0; i < n; i += 500) {
        int argc = 0;
        a[argc++] = "zadd";
        a[argc++] = key;
        for (int j = 0; j < 500; j++) {
            snprintf(buf[2 * j], 16, "%d", i + j);
            snprintf(buf[2 * j + 1], 16, "k%d", i + j);
            a[argc++] = buf[2 * j];
            a[argc++] = buf[2 * j + 1];
        }
        fixture_exec(2, FIXTURE_COMMIT, argc, a, NULL);
    }
}

START_TEST(emptying_a_big_zset_frees_it_whole)
{
    fill_big("big", 50000);
    fixture_exec_argv(2, FIXTURE_KEEP_OPEN, (const char *[]){ "zremrangebyrank", "big", "0", "-1", NULL });
    ck_assert_str_eq(fixture_out, ":50000\r\n");
    ck_assert_uint_lt(undo_used(), 4096);
    fixture_write_commit();
    ck_assert_ptr_null(peek("big"));
    ck_assert_uint_eq(fixture_last_dirty, 50000);

    fill_big("big", 20000);
    fixture_exec_argv(2, FIXTURE_KEEP_OPEN, (const char *[]){ "zpopmin", "big", "100000", NULL });
    ck_assert_uint_lt(undo_used(), 4096);
    fixture_write_commit();
    ck_assert_ptr_null(peek("big"));
    char err[256];
    ck_assert_msg(slab_check(err, sizeof(err)) == 0, "%s", err);
}
END_TEST

START_TEST(dirty_counts_members_changed)
{
    RUN("zadd", "k", "1", "a", "2", "b");
    ck_assert_uint_eq(fixture_last_dirty, 2);
    RUN("zadd", "k", "1", "a", "3", "b", "4", "c");
    ck_assert_uint_eq(fixture_last_dirty, 2);
    RUN("zrem", "k", "a", "nosuch");
    ck_assert_uint_eq(fixture_last_dirty, 1);
    RUN("zscore", "k", "b");
    ck_assert_uint_eq(fixture_last_dirty, 0);
    RUN("zunionstore", "u", "1", "k");
    ck_assert_uint_eq(fixture_last_dirty, 1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("t_zset");
    TCase *tc = tcase_create("commands");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, random_commands_roll_back_exactly);
    tcase_add_test(tc, conversion_rolls_back_to_the_listpack);
    tcase_add_test(tc, stores_pick_the_encoding);
    tcase_add_test(tc, emptying_a_big_zset_frees_it_whole);
    tcase_add_test(tc, dirty_counts_members_changed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return fixture_run_suite(suite());
}
