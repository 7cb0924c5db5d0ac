/* tests/unit/test_t_hash_set.c - Check tests for the hash and set types
 * (types/t_hash.c, types/t_set.c and their value layers) on an arena laid out on
 * plain memory: what the differential tests cannot see.  The kv's encoding across
 * every conversion and CONFIG-driven limit, rollback of writes that convert, delete
 * the key or change a table in place, no arena allocation left behind by DEL, COPY,
 * *STORE or conversions, full HSCAN/SSCAN iterations of tables (also across a resize),
 * distinct random picks and the set left by SPOP, dirty counts, and the tables'
 * consistency (dict_check).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/shared.h"
#include "keyspace/db.h"
#include "shm/alloc.h"
#include "shm/arena.h"
#include "shm/undo.h"
#include "types/t_hash.h"
#include "types/t_keys.h"
#include "types/t_set.h"
#include "tests/unit/fixture.h"

#define ARENA_SIZE (64ULL << 20)
#define MAX_ITEMS 1024

static void setup(void)
{
    static int registered;
    if (!registered++) {
        hash_type_init();
        set_type_init();
        command_register(hash_commands);
        command_register(set_commands);
        command_register(key_commands);
    }
    fixture_arena_open(ARENA_SIZE, 8ULL << 20, 2, 1);
    undo_begin();
    db_create_all(2);
    fixture_config_install();
    fixture_write_commit();
}

static void teardown(void) { fixture_arena_close(); }

/* A command with generated arguments: prefix words, then n items "fmt" % i. */
static const char *run_items(const char *cmd, const char *key, const char *fmt, int from, int n, int pairs)
{
    static char bufs[MAX_ITEMS][32];
    const char *argv[MAX_ITEMS + 4];
    int argc = 0;
    argv[argc++] = cmd;
    argv[argc++] = key;
    for (int i = 0; i < n; i++) {
        snprintf(bufs[i], sizeof(bufs[i]), fmt, from + i);
        argv[argc++] = bufs[i];
        if (pairs)
            argv[argc++] = bufs[i];
    }
    argv[argc] = NULL;
    return fixture_exec_argv(2, FIXTURE_COMMIT, argv);
}

static struct kv *peek(const char *key) { return db_peek(db_get(0), key, strlen(key)); }

static int enc_of(const char *key)
{
    struct kv *kv = peek(key);
    ck_assert_msg(kv != NULL, "key %s missing", key);
    return kv->enc;
}

static void check_table(const char *key)
{
    char err[256];
    struct kv *kv = peek(key);
    ck_assert_int_eq(kv->enc, KV_ENC_HT);
    ck_assert_msg(dict_check(shm_ptr(kv_value_off(kv)), err, sizeof(err)) == 0, "%s: %s", key, err);
}

/* The elements of a flat RESP2 array (or a scan reply's inner array) of bulks. */
static int parse_bulks(const char *r, char items[][64])
{
    int n = 0, count;
    if (r[0] == '*' && strncmp(r, "*2\r\n$", 5) == 0 && strstr(r, "\r\n*")) {
        r = strstr(r + 4, "\r\n*") + 2;         /* scan reply: skip the cursor */
    }
    ck_assert_int_eq(sscanf(r, "*%d", &count), 1);
    ck_assert_int_le(count, MAX_ITEMS);
    r = strchr(r, '\n') + 1;
    for (; n < count; n++) {
        int len;
        ck_assert_int_eq(sscanf(r, "$%d", &len), 1);
        ck_assert_int_lt(len, 64);
        r = strchr(r, '\n') + 1;
        memcpy(items[n], r, (size_t)len);
        items[n][len] = '\0';
        r += len + 2;
    }
    return n;
}

/* The cursor of a scan reply. */
static unsigned long long scan_cursor(const char *r)
{
    unsigned long long cursor;
    ck_assert_int_eq(sscanf(r, "*2\r\n$%*d\r\n%llu", &cursor), 1);
    return cursor;
}

static uint64_t live_allocations(void)
{
    struct slab_stats st;
    undo_begin();
    dict_rehash_steps(&db_get(0)->keys, 1 << 20);
    dict_rehash_steps(&db_get(0)->expires, 1 << 20);
    undo_commit();
    slab_get_stats(&st);
    return st.allocations;
}

static const char *bulk(const char *s)
{
    static char buf[256];
    snprintf(buf, sizeof(buf), "$%zu\r\n%s\r\n", strlen(s), s);
    return buf;
}

/* ---- encodings ---------------------------------------------------------------------- */

START_TEST(hash_converts_at_the_configured_limits)
{
    conf_shared()->hash_max_listpack_entries = 4;
    conf_shared()->hash_max_listpack_value = 8;
    RUN("hset", "h", "a", "1", "b", "2", "c", "3", "d", "12345678");
    ck_assert_int_eq(enc_of("h"), KV_ENC_LISTPACK);
    ck_assert_str_eq(RUN("hset", "h", "d", "-1234567"), ":0\r\n");      /* replace: still 4 */
    ck_assert_int_eq(enc_of("h"), KV_ENC_LISTPACK);
    ck_assert_str_eq(RUN("hset", "h", "e", "5"), ":1\r\n");
    ck_assert_int_eq(enc_of("h"), KV_ENC_HT);
    check_table("h");
    ck_assert_str_eq(RUN("hget", "h", "d"), bulk("-1234567"));
    ck_assert_str_eq(RUN("hget", "h", "a"), bulk("1"));
    ck_assert_str_eq(RUN("hlen", "h"), ":5\r\n");
    RUN("hdel", "h", "a", "b", "c", "d");
    ck_assert_int_eq(enc_of("h"), KV_ENC_HT);                            /* never back */

    RUN("hset", "v", "f", "123456789");                                  /* value too long */
    ck_assert_int_eq(enc_of("v"), KV_ENC_HT);
    RUN("hset", "w", "123456789", "x");                                  /* field too long */
    ck_assert_int_eq(enc_of("w"), KV_ENC_HT);
    RUN("hset", "i", "n", "99999999");
    ck_assert_int_eq(enc_of("i"), KV_ENC_LISTPACK);
    ck_assert_str_eq(RUN("hincrby", "i", "n", "1"), ":100000000\r\n");  /* 9 chars now */
    ck_assert_int_eq(enc_of("i"), KV_ENC_HT);
    ck_assert_str_eq(RUN("hget", "i", "n"), bulk("100000000"));

    conf_shared()->hash_max_listpack_entries = 0;
    RUN("hsetnx", "z", "a", "1");
    ck_assert_int_eq(enc_of("z"), KV_ENC_HT);
    check_table("z");
}
END_TEST

START_TEST(set_converts_on_strings_and_size)
{
    conf_shared()->set_max_intset_entries = 3;
    RUN("sadd", "s", "3", "-1", "2");
    ck_assert_int_eq(enc_of("s"), KV_ENC_INTSET);
    ck_assert_str_eq(RUN("smembers", "s"), "*3\r\n$2\r\n-1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    ck_assert_str_eq(RUN("sadd", "s", "4"), ":1\r\n");
    ck_assert_int_eq(enc_of("s"), KV_ENC_HT);
    check_table("s");
    ck_assert_str_eq(RUN("smismember", "s", "-1", "2", "3", "4", "5"), "*5\r\n:1\r\n:1\r\n:1\r\n:1\r\n:0\r\n");
    RUN("srem", "s", "-1", "2", "3");
    ck_assert_int_eq(enc_of("s"), KV_ENC_HT);                            /* never back */

    RUN("sadd", "t", "1", "x");                                           /* a string converts */
    ck_assert_int_eq(enc_of("t"), KV_ENC_HT);
    ck_assert_str_eq(RUN("sismember", "t", "1"), ":1\r\n");
    RUN("sadd", "u", "x");                                                /* starts as a table */
    ck_assert_int_eq(enc_of("u"), KV_ENC_HT);
    RUN("sadd", "l", "007");                                              /* not canonical */
    ck_assert_int_eq(enc_of("l"), KV_ENC_HT);

    /* a stored result starts as an intset and converts as SADD would */
    RUN("sadd", "a", "1", "2");
    RUN("sadd", "b", "3", "4");
    ck_assert_str_eq(RUN("sunionstore", "d", "a", "b"), ":4\r\n");
    ck_assert_int_eq(enc_of("d"), KV_ENC_HT);
    ck_assert_str_eq(RUN("sinterstore", "d", "a", "a"), ":2\r\n");
    ck_assert_int_eq(enc_of("d"), KV_ENC_INTSET);
}
END_TEST

/* ---- rollback ----------------------------------------------------------------------- */

START_TEST(rollback_undoes_conversions_and_deletions)
{
    char hgetall[256], members[256];
    RUN("hset", "h", "a", "1", "b", "two");
    strcpy(hgetall, RUN("hgetall", "h"));
    RUN_UNDONE("hset", "h", "c", "a-value-longer-than-sixty-four-bytes-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    ck_assert_int_eq(enc_of("h"), KV_ENC_LISTPACK);
    ck_assert_str_eq(RUN("hgetall", "h"), hgetall);
    RUN_UNDONE("hdel", "h", "a", "b");
    ck_assert_str_eq(RUN("hgetall", "h"), hgetall);
    RUN_UNDONE("del", "h");
    ck_assert_str_eq(RUN("hgetall", "h"), hgetall);

    RUN("sadd", "s", "1", "2", "3");
    strcpy(members, RUN("smembers", "s"));
    RUN_UNDONE("sadd", "s", "x");
    ck_assert_int_eq(enc_of("s"), KV_ENC_INTSET);
    ck_assert_str_eq(RUN("smembers", "s"), members);
    RUN_UNDONE("spop", "s", "2");
    ck_assert_str_eq(RUN("smembers", "s"), members);
    RUN_UNDONE("spop", "s", "3");
    ck_assert_str_eq(RUN("smembers", "s"), members);
    RUN_UNDONE("smove", "s", "t", "1");
    ck_assert_str_eq(RUN("smembers", "s"), members);
    ck_assert_ptr_null(peek("t"));
    RUN_UNDONE("sinterstore", "s", "s", "nokey");
    ck_assert_str_eq(RUN("smembers", "s"), members);
}
END_TEST

START_TEST(table_changes_roll_back)
{
    conf_shared()->hash_max_listpack_entries = 0;
    RUN("hset", "h", "a", "10", "b", "x");
    ck_assert_int_eq(enc_of("h"), KV_ENC_HT);
    RUN_OPEN("hincrby", "h", "a", "5");                 /* same length: in place */
    ck_assert_uint_lt(undo_used(), 200);
    undo_rollback();
    ck_assert_str_eq(RUN("hget", "h", "a"), bulk("10"));
    RUN_UNDONE("hset", "h", "a", "longer value");
    ck_assert_str_eq(RUN("hget", "h", "a"), bulk("10"));
    RUN_UNDONE("hset", "h", "c", "new");
    ck_assert_str_eq(RUN("hlen", "h"), ":2\r\n");
    ck_assert_str_eq(RUN("hexists", "h", "c"), ":0\r\n");
    RUN_UNDONE("hdel", "h", "a");
    ck_assert_str_eq(RUN("hget", "h", "a"), bulk("10"));
    check_table("h");

    RUN("sadd", "s", "x", "y", "z");
    RUN_UNDONE("srem", "s", "x", "y");
    ck_assert_str_eq(RUN("scard", "s"), ":3\r\n");
    RUN_UNDONE("spop", "s");
    ck_assert_str_eq(RUN("scard", "s"), ":3\r\n");
    check_table("s");
}
END_TEST

/* ---- memory -------------------------------------------------------------------------- */

START_TEST(deleting_and_copying_leaves_nothing_behind)
{
    RUN("sadd", "warm", "1");                           /* the key table exists */
    RUN("del", "warm");
    uint64_t base = live_allocations();

    conf_shared()->hash_max_listpack_entries = 16;
    conf_shared()->set_max_intset_entries = 16;
    run_items("hset", "hl", "f%d", 0, 10, 1);
    run_items("hset", "ht", "f%d", 0, 40, 1);            /* converts mid-command */
    run_items("sadd", "si", "%d", 0, 10, 0);
    run_items("sadd", "st", "%d", 0, 40, 0);             /* converts mid-command */
    run_items("sadd", "ss", "m%d", 0, 40, 0);
    RUN("copy", "hl", "hl2");
    RUN("copy", "ht", "ht2");
    RUN("copy", "si", "si2");
    RUN("copy", "st", "st2");
    check_table("ht2");
    check_table("st2");
    RUN("sunionstore", "u", "si", "st", "ss");
    RUN("sinterstore", "i", "si", "st");
    RUN("sdiffstore", "d", "st", "si");
    RUN("sinterstore", "e", "si", "ss");                 /* empty result: nothing stored */
    ck_assert_ptr_null(peek("e"));
    RUN("hincrbyfloat", "hl", "f1", "1.5");
    RUN("spop", "st", "5");
    RUN("spop", "si", "3");
    RUN("hset", "hl", "long", "a-value-longer-than-sixty-four-bytes-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    RUN("del", "hl", "ht", "si", "st", "ss", "hl2", "ht2", "si2", "st2", "u", "i", "d");
    ck_assert_uint_eq(live_allocations(), base);

    run_items("sadd", "x", "%d", 0, 20, 0);
    run_items("srem", "x", "%d", 0, 20, 0);              /* the last member deletes the key */
    run_items("hset", "y", "f%d", 0, 20, 1);
    run_items("hdel", "y", "f%d", 0, 20, 0);
    ck_assert_ptr_null(peek("x"));
    ck_assert_ptr_null(peek("y"));
    ck_assert_uint_eq(live_allocations(), base);
}
END_TEST

/* ---- scans ------------------------------------------------------------------------------ */

/* Scans key with COUNT 5 to the end; marks seen[i] for every element "prefix<i>"
 * (fields only for hashes).  add_after: after the second call, adds that many more
 * elements (a resize mid-scan). */
static void full_scan(const char *cmd, const char *key, const char *prefix, int stride, int *seen,
                      int add_after)
{
    char items[MAX_ITEMS][64], cursor[32] = "0";
    int calls = 0;
    do {
        const char *r = RUN(cmd, key, cursor, "COUNT", "5");
        int n = parse_bulks(r, items);
        snprintf(cursor, sizeof(cursor), "%llu", scan_cursor(r));
        for (int i = 0; i < n; i += stride) {
            ck_assert_int_eq(strncmp(items[i], prefix, strlen(prefix)), 0);
            seen[atoi(items[i] + strlen(prefix))]++;
        }
        if (++calls == 2 && add_after)
            run_items(stride == 2 ? "hset" : "sadd", key, stride == 2 ? "f%d" : "m%d", 1000, add_after, stride == 2);
        ck_assert_int_lt(calls, 2000);
    } while (strcmp(cursor, "0") != 0);
}

START_TEST(scans_of_tables_see_every_element)
{
    static int seen[2000];
    conf_shared()->hash_max_listpack_entries = 128;
    run_items("hset", "h", "f%d", 0, 300, 1);
    ck_assert_int_eq(enc_of("h"), KV_ENC_HT);
    full_scan("hscan", "h", "f", 2, seen, 0);
    for (int i = 0; i < 300; i++)
        ck_assert_msg(seen[i] == 1, "field %d seen %d times", i, seen[i]);

    memset(seen, 0, sizeof(seen));
    run_items("sadd", "s", "m%d", 0, 200, 0);
    full_scan("sscan", "s", "m", 1, seen, 600);        /* grows 200 -> 800 mid-scan */
    for (int i = 0; i < 200; i++)
        ck_assert_msg(seen[i] >= 1, "member %d not seen", i);
    check_table("s");
}
END_TEST

/* ---- random picks ------------------------------------------------------------------------ */

/* Asserts the reply holds n distinct elements, each a member (SISMEMBER/HEXISTS). */
static void assert_distinct_members(const char *r, int n, const char *key, const char *is_member)
{
    static char items[MAX_ITEMS][64];
    int got = parse_bulks(r, items);
    ck_assert_int_eq(got, n);
    for (int i = 0; i < got; i++) {
        for (int j = 0; j < i; j++)
            ck_assert_str_ne(items[i], items[j]);
        ck_assert_str_eq(RUN(is_member, key, items[i]), ":1\r\n");
    }
}

START_TEST(positive_counts_pick_distinct_members)
{
    conf_shared()->hash_max_listpack_entries = 128;
    run_items("sadd", "si", "%d", 0, 100, 0);
    run_items("sadd", "st", "m%d", 0, 100, 0);
    run_items("hset", "hl", "f%d", 0, 60, 1);
    run_items("hset", "ht", "f%d", 0, 300, 1);
    ck_assert_int_eq(enc_of("si"), KV_ENC_INTSET);
    ck_assert_int_eq(enc_of("hl"), KV_ENC_LISTPACK);
    ck_assert_int_eq(enc_of("ht"), KV_ENC_HT);
    const char *counts[] = { "10", "50", "99" };        /* both sampling strategies */
    for (int k = 0; k < 3; k++) {
        int n = atoi(counts[k]);
        assert_distinct_members(RUN("srandmember", "si", counts[k]), n, "si", "sismember");
        assert_distinct_members(RUN("srandmember", "st", counts[k]), n, "st", "sismember");
        assert_distinct_members(RUN("hrandfield", "hl", n > 60 ? "60" : counts[k]), n > 60 ? 60 : n, "hl", "hexists");
        assert_distinct_members(RUN("hrandfield", "ht", counts[k]), n, "ht", "hexists");
    }
    static char items[MAX_ITEMS][64];
    ck_assert_int_eq(parse_bulks(RUN("srandmember", "si", "-300"), items), 300);
    ck_assert_int_eq(parse_bulks(RUN("hrandfield", "ht", "-500", "withvalues"), items), 1000);
    for (int i = 0; i < 1000; i += 2)
        ck_assert_str_eq(items[i], items[i + 1]);       /* fields were set to themselves */
}
END_TEST

/* SPOP count on a set of the members fmt % i, i in [from, from + size): the popped
 * ones are distinct and gone, the others stay, dirty counts them. */
static void check_spop(const char *key, const char *fmt, int from, int size, const char *count)
{
    static char popped[MAX_ITEMS][64];
    char member[32];
    int n = parse_bulks(RUN("spop", key, count), popped);
    ck_assert_int_eq(n, atoi(count));
    ck_assert_uint_eq(fixture_last_dirty, (uint64_t)n);
    int gone = 0;
    for (int i = from; i < from + size; i++) {
        snprintf(member, sizeof(member), fmt, i);
        int was_popped = 0;
        for (int j = 0; j < n; j++)
            was_popped += strcmp(popped[j], member) == 0;
        ck_assert_int_le(was_popped, 1);
        ck_assert_str_eq(RUN("sismember", key, member), was_popped ? ":0\r\n" : ":1\r\n");
        gone += was_popped;
    }
    ck_assert_int_eq(gone, n);
}

START_TEST(spop_count_removes_exactly_the_popped)
{
    run_items("sadd", "si", "%d", -50, 100, 0);
    check_spop("si", "%d", -50, 100, "7");
    ck_assert_int_eq(enc_of("si"), KV_ENC_INTSET);
    run_items("sadd", "big", "%d", 100000, 300, 0);       /* 32-bit intset */
    check_spop("big", "%d", 100000, 300, "250");          /* most of it */
    ck_assert_str_eq(RUN("scard", "big"), ":50\r\n");
    ck_assert_int_eq(enc_of("big"), KV_ENC_INTSET);
    run_items("sadd", "st", "m%d", 0, 100, 0);
    check_spop("st", "m%d", 0, 100, "60");
    check_table("st");
    ck_assert_str_eq(RUN("scard", "st"), ":40\r\n");
}
END_TEST

/* ---- dirty counts -------------------------------------------------------------------------- */

START_TEST(dirty_counts_follow_redis)
{
    RUN("hset", "h", "a", "1", "b", "2");
    ck_assert_uint_eq(fixture_last_dirty, 2);
    RUN("hset", "h", "a", "1");
    ck_assert_uint_eq(fixture_last_dirty, 1);                    /* Redis counts every pair set */
    RUN("hdel", "h", "a", "nofield");
    ck_assert_uint_eq(fixture_last_dirty, 1);
    RUN("hsetnx", "h", "b", "x");
    ck_assert_uint_eq(fixture_last_dirty, 0);
    RUN("hget", "h", "b");
    ck_assert_uint_eq(fixture_last_dirty, 0);
    RUN("sadd", "s", "1", "2", "2");
    ck_assert_uint_eq(fixture_last_dirty, 2);
    RUN("srem", "s", "1", "9");
    ck_assert_uint_eq(fixture_last_dirty, 1);
    RUN("smove", "s", "t", "2");
    ck_assert_uint_eq(fixture_last_dirty, 2);                    /* removed and added */
    ck_assert_ptr_null(peek("s"));
    RUN("sinterstore", "d", "t", "t");
    ck_assert_uint_eq(fixture_last_dirty, 1);
    RUN("sinterstore", "d", "t", "nokey");               /* deletes d */
    ck_assert_uint_eq(fixture_last_dirty, 1);
    RUN("sinterstore", "d", "t", "nokey");
    ck_assert_uint_eq(fixture_last_dirty, 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("t_hash_set");
    TCase *tc = tcase_create("commands");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, hash_converts_at_the_configured_limits);
    tcase_add_test(tc, set_converts_on_strings_and_size);
    tcase_add_test(tc, rollback_undoes_conversions_and_deletions);
    tcase_add_test(tc, table_changes_roll_back);
    tcase_add_test(tc, deleting_and_copying_leaves_nothing_behind);
    tcase_add_test(tc, scans_of_tables_see_every_element);
    tcase_add_test(tc, positive_counts_pick_distinct_members);
    tcase_add_test(tc, spop_count_removes_exactly_the_popped);
    tcase_add_test(tc, dirty_counts_follow_redis);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return fixture_run_suite(suite());
}
