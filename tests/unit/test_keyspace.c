/* tests/unit/test_keyspace.c - Check tests for keyspace/db.c and keyspace/kv.c: the
 * databases (add, replace, delete, unlink), expire times with lazy and active expiry
 * on a frozen clock, flush, swap, rollback of keyspace writes, and kv copy/move.
 *
 * Every test runs on an arena laid out on plain memory with four databases, holding
 * the keyspace lock, each write between undo_begin and undo_commit.  After each step
 * check_keyspace() verifies the tables (dict_check), the allocator (slab_check) and
 * db.h's invariant: a key is in expires exactly when its kv has KV_FLAG_TTL, and the
 * expire entry points at the kv in the keys table.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "keyspace/db.h"
#include "shm/alloc.h"
#include "shm/arena.h"
#include "shm/slab_internal.h"
#include "shm/undo.h"
#include "tests/unit/fixture.h"

#define ARENA_SIZE (64ULL << 20)
#define NDBS 4
#define T0 1700000000000LL          /* frozen clock, ms */

static void begin(void) { undo_begin(); }

static void setup(void)
{
    fixture_arena_open(ARENA_SIZE, 8ULL << 20, 0, 1);
    begin();
    db_create_all(NDBS);
    fixture_write_commit();
    db_set_now(T0);
    memset(&db_stats, 0, sizeof(db_stats));
}

static void teardown(void)
{
    db_set_now(0);
    fixture_arena_close();
}

struct ttl_count {
    struct db *db;
    uint64_t with_ttl;
};

static void count_ttl(shm_off_t entry, void *arg)
{
    struct ttl_count *t = arg;
    if (kv_at(entry)->flags & KV_FLAG_TTL)
        t->with_ttl++;
}

static void check_expire_entry(shm_off_t entry, void *arg)
{
    struct db *db = arg;
    struct expire_entry *e = shm_ptr(entry);
    struct kv *kv = kv_at(e->kv);
    ck_assert_msg(kv->flags & KV_FLAG_TTL, "expire entry for a kv without KV_FLAG_TTL");
    ck_assert_msg(dict_find(&db->keys, kv->data, kv->keylen) == e->kv, "expire entry points at a stale kv");
}

static void check_keyspace(void)
{
    char err[256];
    for (int i = 0; i < db_count(); i++) {
        struct db *db = db_get(i);
        ck_assert_msg(dict_check(&db->keys, err, sizeof(err)) == 0, "keys of db %d: %s", i, err);
        ck_assert_msg(dict_check(&db->expires, err, sizeof(err)) == 0, "expires of db %d: %s", i, err);
        struct ttl_count t = { db, 0 };
        uint64_t cursor = 0;
        do {
            cursor = dict_scan(&db->keys, cursor, count_ttl, &t);
        } while (cursor);
        ck_assert_uint_eq(t.with_ttl, db_expires_size(db));
        do {
            cursor = dict_scan(&db->expires, cursor, check_expire_entry, db);
        } while (cursor);
    }
    ck_assert_msg(slab_check(err, sizeof(err)) == 0, "slab_check: %s", err);
}

/* Sets key to a string value in database id (SET semantics, TTL dropped). */
static void put(int id, const char *key, const char *val)
{
    db_set(db_get(id), kv_new_string(key, strlen(key), val, strlen(val), KV_STR_AUTO), 0);
}

static struct kv *peek(int id, const char *key) { return db_peek(db_get(id), key, strlen(key)); }

/* The string value of key in database id, or NULL if absent (no expiry, no stats). */
static const char *value(int id, const char *key)
{
    static char out[256];
    char buf[24];
    size_t len;
    struct kv *kv = peek(id, key);
    if (!kv)
        return NULL;
    const char *s = kv_string(kv, buf, &len);
    snprintf(out, sizeof(out), "%.*s", (int)len, s);
    return out;
}

static void set_expire(int id, const char *key, int64_t when)
{
    db_set_expire(db_get(id), peek(id, key), when);
}

static const char *big_value(void)
{
    static char v[200];
    memset(v, 'x', sizeof(v) - 1);
    v[sizeof(v) - 1] = '\0';
    return v;
}

START_TEST(string_encodings)
{
    begin();
    put(0, "i", "-12345");
    put(0, "lead0", "0123");
    put(0, "e", "hello");
    put(0, "r", big_value());
    fixture_write_commit();
    ck_assert_int_eq(peek(0, "i")->enc, KV_ENC_INT);
    ck_assert_int_eq(kv_int(peek(0, "i")), -12345);
    ck_assert_int_eq(peek(0, "lead0")->enc, KV_ENC_EMBSTR);      /* not canonical */
    ck_assert_int_eq(peek(0, "e")->enc, KV_ENC_EMBSTR);
    ck_assert_int_eq(peek(0, "r")->enc, KV_ENC_RAW);
    ck_assert_str_eq(value(0, "i"), "-12345");
    ck_assert_str_eq(value(0, "lead0"), "0123");
    ck_assert_str_eq(value(0, "r"), big_value());
    check_keyspace();
}
END_TEST

START_TEST(add_replace_delete)
{
    begin();
    put(0, "a", "1");
    put(0, "b", "two");
    fixture_write_commit();
    ck_assert_uint_eq(db_size(db_get(0)), 2);
    ck_assert_str_eq(value(0, "a"), "1");

    begin();
    put(0, "a", big_value());                   /* replace, growing to raw */
    fixture_write_commit();
    ck_assert_uint_eq(db_size(db_get(0)), 2);
    ck_assert_str_eq(value(0, "a"), big_value());

    begin();
    ck_assert_int_eq(db_delete(db_get(0), "a", 1), 1);
    ck_assert_int_eq(db_delete(db_get(0), "a", 1), 0);
    ck_assert_int_eq(db_delete(db_get(1), "b", 1), 0);  /* other database */
    fixture_write_commit();
    ck_assert_ptr_null(peek(0, "a"));
    ck_assert_str_eq(value(0, "b"), "two");
    ck_assert_uint_eq(db_size(db_get(0)), 1);
    check_keyspace();
}
END_TEST

START_TEST(lookup_stats_and_lru)
{
    begin();
    put(0, "k", "v");
    fixture_write_commit();
    db_set_now(T0 + 5000);
    begin();
    ck_assert_ptr_nonnull(db_lookup(db_get(0), "k", 1, DB_LOOKUP_NOTOUCH));
    ck_assert_uint_eq(peek(0, "k")->lru, (uint32_t)(T0 / 1000));
    ck_assert_ptr_nonnull(db_lookup_write(db_get(0), "k", 1));
    ck_assert_uint_eq(peek(0, "k")->lru, (uint32_t)(T0 / 1000 + 5));
    ck_assert_uint_eq(db_stats.hits, 1);        /* NOTOUCH counts, _write does not */
    ck_assert_ptr_null(db_lookup_read(db_get(0), "nope", 4));
    ck_assert_ptr_null(db_lookup(db_get(0), "nope", 4, DB_LOOKUP_NOSTATS));
    ck_assert_uint_eq(db_stats.misses, 1);
    fixture_write_commit();
}
END_TEST

START_TEST(expire_set_remove_and_lazy_expiry)
{
    struct db *db = db_get(0);
    begin();
    put(0, "k", "v");
    put(0, "p", "forever");
    set_expire(0, "k", T0 + 1000);
    fixture_write_commit();
    check_keyspace();
    ck_assert_int_eq(db_get_expire(db, peek(0, "k")), T0 + 1000);
    ck_assert_int_eq(db_get_expire(db, peek(0, "p")), -1);
    ck_assert_uint_eq(db_expires_size(db), 1);

    begin();
    set_expire(0, "k", T0 + 2000);              /* update in place */
    fixture_write_commit();
    ck_assert_int_eq(db_get_expire(db, peek(0, "k")), T0 + 2000);
    ck_assert_uint_eq(db_expires_size(db), 1);

    db_set_now(T0 + 1999);
    begin();
    ck_assert_ptr_nonnull(db_lookup_read(db, "k", 1));
    fixture_write_commit();
    db_set_now(T0 + 2000);                      /* expired at exactly its time */
    begin();
    ck_assert_int_eq(db_key_expired(db, peek(0, "k")), 1);
    ck_assert_ptr_null(db_lookup_read(db, "k", 1));
    fixture_write_commit();
    ck_assert_ptr_null(peek(0, "k"));
    ck_assert_uint_eq(db_expires_size(db), 0);
    ck_assert_uint_eq(db_stats.expired, 1);
    check_keyspace();

    begin();
    set_expire(0, "p", T0 + 9000);
    ck_assert_int_eq(db_remove_expire(db, peek(0, "p")), 1);
    ck_assert_int_eq(db_remove_expire(db, peek(0, "p")), 0);
    fixture_write_commit();
    ck_assert_int_eq(peek(0, "p")->flags & KV_FLAG_TTL, 0);
    ck_assert_uint_eq(db_expires_size(db), 0);
    check_keyspace();
}
END_TEST

START_TEST(replace_keeps_or_drops_ttl)
{
    struct db *db = db_get(0);
    begin();
    put(0, "keep", "1");
    put(0, "drop", "1");
    set_expire(0, "keep", T0 + 5000);
    set_expire(0, "drop", T0 + 5000);
    db_set(db, kv_new_string("keep", 4, "new", 3, KV_STR_AUTO), 1);
    db_set(db, kv_new_string("drop", 4, "new", 3, KV_STR_AUTO), 0);
    fixture_write_commit();
    check_keyspace();                           /* the expire entry follows the new kv */
    ck_assert_str_eq(value(0, "keep"), "new");
    ck_assert_int_eq(db_get_expire(db, peek(0, "keep")), T0 + 5000);
    ck_assert_int_eq(db_get_expire(db, peek(0, "drop")), -1);

    db_set_now(T0 + 5000);
    begin();
    ck_assert_ptr_null(db_lookup_write(db, "keep", 4));
    fixture_write_commit();
    ck_assert_uint_eq(db_size(db), 1);
    check_keyspace();
}
END_TEST

START_TEST(unlink_returns_kv_and_expire)
{
    struct db *db = db_get(0);
    int64_t when;
    begin();
    put(0, "k", "v");
    set_expire(0, "k", T0 + 700);
    shm_off_t off = db_unlink(db, "k", 1, &when);
    ck_assert_uint_ne(off, 0);
    ck_assert_int_eq(when, T0 + 700);
    ck_assert_int_eq(kv_at(off)->flags & KV_FLAG_TTL, 0);
    ck_assert_uint_eq(db_unlink(db, "k", 1, &when), 0);
    kv_free(off);
    fixture_write_commit();
    ck_assert_uint_eq(db_size(db), 0);
    ck_assert_uint_eq(db_expires_size(db), 0);
    check_keyspace();
}
END_TEST

/* Keys a0..a99 expired, f0..f49 expiring later, p0..p49 without TTL. */
static void fill_mixed(int id)
{
    char k[16];
    for (int i = 0; i < 100; i++) {
        snprintf(k, sizeof(k), "a%d", i);
        put(id, k, "x");
        set_expire(id, k, T0 + 10 + i);
    }
    for (int i = 0; i < 50; i++) {
        snprintf(k, sizeof(k), "f%d", i);
        put(id, k, "x");
        set_expire(id, k, T0 + 100000);
        snprintf(k, sizeof(k), "p%d", i);
        put(id, k, "x");
    }
}

START_TEST(active_expiry_deletes_expired_keys)
{
    begin();
    fill_mixed(0);
    fill_mixed(2);
    fixture_write_commit();
    db_set_now(T0 + 5000);
    uint64_t deleted = 0, n;
    int rounds = 0;
    do {
        begin();
        n = db_active_expire_step(1000000);
        fixture_write_commit();
        deleted += n;
        check_keyspace();
    } while (n && ++rounds < 1000);
    ck_assert_uint_eq(deleted, 200);
    ck_assert_uint_eq(db_stats.expired, 200);
    for (int id = 0; id < 4; id += 2) {
        ck_assert_uint_eq(db_size(db_get(id)), 100);
        ck_assert_uint_eq(db_expires_size(db_get(id)), 50);
        ck_assert_ptr_null(peek(id, "a7"));
        ck_assert_ptr_nonnull(peek(id, "f7"));
        ck_assert_ptr_nonnull(peek(id, "p7"));
    }
}
END_TEST

START_TEST(flush_one_and_all)
{
    begin();
    fill_mixed(0);
    fill_mixed(1);
    put(3, "x", "y");
    fixture_write_commit();
    begin();
    ck_assert_uint_eq(db_flush(1), 200);
    fixture_write_commit();
    check_keyspace();
    ck_assert_uint_eq(db_size(db_get(1)), 0);
    ck_assert_uint_eq(db_expires_size(db_get(1)), 0);
    ck_assert_uint_eq(db_size(db_get(0)), 200);

    begin();
    put(1, "again", "1");                       /* a flushed database is usable */
    fixture_write_commit();
    begin();
    ck_assert_uint_eq(db_flush(-1), 202);
    fixture_write_commit();
    check_keyspace();
    for (int id = 0; id < NDBS; id++)
        ck_assert_uint_eq(db_size(db_get(id)), 0);
}
END_TEST

START_TEST(swap_databases)
{
    begin();
    put(0, "zero", "0");
    set_expire(0, "zero", T0 + 1000);
    put(2, "two", "2");
    put(2, "deux", "2");
    fixture_write_commit();
    begin();
    db_swap(0, 2);
    fixture_write_commit();
    check_keyspace();
    ck_assert_uint_eq(db_size(db_get(0)), 2);
    ck_assert_str_eq(value(0, "deux"), "2");
    ck_assert_ptr_null(peek(0, "zero"));
    ck_assert_int_eq(db_get_expire(db_get(2), peek(2, "zero")), T0 + 1000);

    begin();
    db_swap(1, 1);                              /* a no-op */
    fixture_write_commit();
    check_keyspace();
    ck_assert_uint_eq(db_size(db_get(1)), 0);
}
END_TEST

START_TEST(rollback_restores_keyspace)
{
    struct db *db = db_get(0);
    begin();
    fill_mixed(0);
    fixture_write_commit();
    begin();
    for (int i = 0; i < 50; i++) {
        char k[16];
        snprintf(k, sizeof(k), "f%d", i);
        db_delete(db, k, strlen(k));
    }
    put(0, "p3", big_value());
    put(0, "new", "1");
    db_swap(0, 1);
    db_flush(1);
    undo_rollback();
    slab_after_rollback();
    check_keyspace();
    ck_assert_uint_eq(db_size(db), 200);
    ck_assert_uint_eq(db_expires_size(db), 150);
    ck_assert_str_eq(value(0, "p3"), "x");
    ck_assert_ptr_null(peek(0, "new"));
    ck_assert_int_eq(db_get_expire(db, peek(0, "f9")), T0 + 100000);
}
END_TEST

START_TEST(kv_copy_and_move)
{
    struct db *db = db_get(0);
    begin();
    put(0, "raw", big_value());
    put(0, "int", "42");
    shm_off_t raw = shm_off(peek(0, "raw"));
    db_add(db_get(1), kv_copy(raw, "rawcopy", 7));
    db_add(db, kv_copy(shm_off(peek(0, "int")), "intcopy", 7));
    fixture_write_commit();
    ck_assert_str_eq(value(1, "rawcopy"), big_value());
    ck_assert_str_eq(value(0, "intcopy"), "42");
    ck_assert_int_eq(peek(0, "intcopy")->enc, KV_ENC_INT);
    ck_assert_int_eq(peek(0, "intcopy")->flags, KV_FLAG_UNSHARED);  /* Redis duplicated it */
    ck_assert_int_eq(peek(0, "int")->flags, 0);
    /* the copy owns its own blob: deleting the source leaves it intact */
    ck_assert_uint_ne(kv_value_off(peek(1, "rawcopy")), kv_value_off(kv_at(raw)));
    begin();
    db_delete(db, "raw", 3);
    fixture_write_commit();
    ck_assert_str_eq(value(1, "rawcopy"), big_value());

    begin();
    int64_t when;
    set_expire(1, "rawcopy", T0 + 300);
    shm_off_t old = db_unlink(db_get(1), "rawcopy", 7, &when);
    shm_off_t moved = kv_move(old, "renamed", 7);
    db_add(db_get(1), moved);
    db_set_expire(db_get(1), kv_at(moved), when);
    fixture_write_commit();
    check_keyspace();
    ck_assert_ptr_null(peek(1, "rawcopy"));
    ck_assert_str_eq(value(1, "renamed"), big_value());
    ck_assert_int_eq(db_get_expire(db_get(1), peek(1, "renamed")), T0 + 300);

    begin();                                    /* a move keeps the flags but the TTL */
    old = db_unlink(db, "intcopy", 7, &when);
    db_add(db, kv_move(old, "intmoved", 8));
    fixture_write_commit();
    ck_assert_int_eq(peek(0, "intmoved")->flags, KV_FLAG_UNSHARED);
    check_keyspace();
}
END_TEST

static Suite *keyspace_suite(void)
{
    Suite *s = suite_create("keyspace");
    TCase *tc = tcase_create("keyspace");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, string_encodings);
    tcase_add_test(tc, add_replace_delete);
    tcase_add_test(tc, lookup_stats_and_lru);
    tcase_add_test(tc, expire_set_remove_and_lazy_expiry);
    tcase_add_test(tc, replace_keeps_or_drops_ttl);
    tcase_add_test(tc, unlink_returns_kv_and_expire);
    tcase_add_test(tc, active_expiry_deletes_expired_keys);
    tcase_add_test(tc, flush_one_and_all);
    tcase_add_test(tc, swap_databases);
    tcase_add_test(tc, rollback_restores_keyspace);
    tcase_add_test(tc, kv_copy_and_move);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return fixture_run_suite(keyspace_suite());
}
