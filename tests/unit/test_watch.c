/* tests/unit/test_watch.c - Check tests for keyspace/watch.c: the registry of WATCHed
 * keys and its touches from db.c (add, replace, delete, expiry, flush, swap), the
 * expired-at-WATCH rules of Redis 7.0, duplicate watches, removal by slot, and
 * rollback.  (Which keys a command touches is types/call.c's: tests/unit/test_call.c.)
 *
 * Every test runs on an arena laid out on plain memory with four databases, holding
 * the keyspace lock, each change between undo_begin and undo_commit; the clock is
 * frozen (db_set_now) so expiry is decided by the test.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "keyspace/db.h"
#include "keyspace/watch.h"
#include "shm/alloc.h"
#include "shm/arena.h"
#include "shm/slab_internal.h"
#include "shm/undo.h"
#include "tests/unit/fixture.h"

#define ARENA_SIZE (64ULL << 20)
#define NDBS 4
#define T0 1700000000000LL

static void begin(void) { undo_begin(); }
static void commit(void) { undo_commit(); }

static void assert_consistent(void)
{
    char err[256];
    ck_assert_msg(watch_check(err, sizeof(err)) == 0, "watch_check: %s", err);
}

static void setup(void)
{
    fixture_arena_open(ARENA_SIZE, 8ULL << 20, 0, 1);
    watch_register_types();
    begin();
    db_create_all(NDBS);
    commit();
    db_set_now(T0);
}

static void teardown(void)
{
    char err[256];
    assert_consistent();
    ck_assert_msg(slab_check(err, sizeof(err)) == 0, "slab_check: %s", err);
    ck_assert_uint_eq(undo_used(), 0);
    db_set_now(0);
    fixture_arena_close();
}

static void put(int id, const char *key, const char *val)
{
    begin();
    db_set(db_get(id), kv_new_string(key, strlen(key), val, strlen(val), KV_STR_AUTO), 0);
    commit();
}

static void put_expiring(int id, const char *key, int64_t when)
{
    put(id, key, "v");
    begin();
    db_set_expire(db_get(id), db_peek(db_get(id), key, strlen(key)), when);
    commit();
}

static void del(int id, const char *key)
{
    begin();
    db_delete(db_get(id), key, strlen(key));
    commit();
}

static shm_off_t watch(int id, const char *key, uint64_t client, int slot)
{
    begin();
    shm_off_t w = watch_add(id, key, strlen(key), client, slot);
    commit();
    return w;
}

static void unwatch(shm_off_t w)
{
    begin();
    watch_remove(w);
    commit();
}

START_TEST(untouched_until_the_key_changes)
{
    put(0, "k", "1");
    shm_off_t w = watch(0, "k", 1, 0);
    ck_assert_uint_ne(w, 0);
    ck_assert_uint_eq(watch_count(), 1);
    begin();
    ck_assert_ptr_nonnull(db_lookup_read(db_get(0), "k", 1));      /* reads change nothing */
    commit();
    put(0, "other", "x");
    put(1, "k", "x");                                               /* same key, other db */
    ck_assert_int_eq(watch_changed(w), 0);
    put(0, "k", "2");                                               /* replace */
    ck_assert_int_eq(watch_changed(w), 1);
    unwatch(w);
    ck_assert_uint_eq(watch_count(), 0);
}
END_TEST

START_TEST(add_and_delete_touch)
{
    shm_off_t w = watch(0, "k", 1, 0);
    put(0, "k", "1");                                               /* created */
    ck_assert_int_eq(watch_changed(w), 1);
    unwatch(w);
    w = watch(0, "k", 1, 0);
    del(0, "nokey");
    ck_assert_int_eq(watch_changed(w), 0);
    del(0, "k");
    ck_assert_int_eq(watch_changed(w), 1);
    unwatch(w);
}
END_TEST

START_TEST(every_watcher_of_the_key_is_touched)
{
    put(2, "k", "1");
    shm_off_t a = watch(2, "k", 1, 0), b = watch(2, "k", 2, 1), c = watch(2, "j", 3, 1);
    ck_assert_uint_eq(watch_count(), 3);
    ck_assert_uint_eq(watch(2, "k", 2, 1), 0);                      /* already watched */
    ck_assert_uint_eq(watch_count(), 3);
    begin();
    watch_touch(db_get(2), "k", 1);                                 /* an in-place change */
    commit();
    ck_assert_int_eq(watch_changed(a), 1);
    ck_assert_int_eq(watch_changed(b), 1);
    ck_assert_int_eq(watch_changed(c), 0);
    unwatch(b);
    unwatch(a);
    unwatch(c);
    ck_assert_uint_eq(watch_count(), 0);
}
END_TEST

START_TEST(expiry_after_watch_is_a_change)
{
    put_expiring(0, "k", T0 + 100);
    shm_off_t w = watch(0, "k", 1, 0);
    ck_assert_int_eq(watch_changed(w), 0);
    db_set_now(T0 + 100);                                           /* expired, not yet deleted */
    ck_assert_int_eq(watch_changed(w), 1);
    db_set_now(T0);
    ck_assert_int_eq(watch_changed(w), 0);
    db_set_now(T0 + 200);
    begin();
    ck_assert_ptr_null(db_lookup_read(db_get(0), "k", 1));          /* lazy expiry deletes it */
    commit();
    db_set_now(T0);
    ck_assert_int_eq(watch_changed(w), 1);
    unwatch(w);
}
END_TEST

START_TEST(expired_at_watch_time_then_deleted_is_no_change)
{
    put_expiring(0, "k", T0 - 1);
    shm_off_t w = watch(0, "k", 1, 0);
    ck_assert_int_eq(watch_changed(w), 0);                          /* expired already: ignored */
    begin();
    ck_assert_ptr_null(db_lookup_read(db_get(0), "k", 1));
    commit();
    ck_assert_int_eq(watch_changed(w), 0);
    put(0, "k", "again");                                           /* but created again counts */
    ck_assert_int_eq(watch_changed(w), 1);
    unwatch(w);
}
END_TEST

START_TEST(active_expiry_touches)
{
    put_expiring(0, "k", T0 + 10);
    shm_off_t w = watch(0, "k", 1, 0);
    db_set_now(T0 + 20);
    begin();
    ck_assert_uint_eq(db_active_expire_step(1000000), 1);
    commit();
    db_set_now(T0);
    ck_assert_ptr_null(db_peek(db_get(0), "k", 1));
    ck_assert_int_eq(watch_changed(w), 1);
    unwatch(w);
}
END_TEST

START_TEST(flush_touches_existing_keys_only)
{
    put(0, "here", "1");
    put(1, "there", "1");
    shm_off_t here = watch(0, "here", 1, 0), absent = watch(0, "absent", 1, 0),
              there = watch(1, "there", 1, 0);
    begin();
    db_flush(0);
    commit();
    ck_assert_int_eq(watch_changed(here), 1);
    ck_assert_int_eq(watch_changed(absent), 0);
    ck_assert_int_eq(watch_changed(there), 0);
    begin();
    db_flush(-1);
    commit();
    ck_assert_int_eq(watch_changed(there), 1);
    unwatch(here);
    unwatch(absent);
    unwatch(there);
}
END_TEST

START_TEST(swap_touches_keys_on_either_side)
{
    put(0, "a", "1");
    put(1, "b", "1");
    put(0, "same", "1");
    put(1, "same", "1");
    shm_off_t wa = watch(0, "a", 1, 0), wb = watch(0, "b", 1, 0), wn = watch(0, "none", 1, 0),
              ws = watch(1, "same", 1, 0);
    begin();
    db_swap(0, 0);                                                  /* itself: nothing changes */
    commit();
    ck_assert_int_eq(watch_changed(wa), 0);
    begin();
    db_swap(0, 1);
    commit();
    ck_assert_int_eq(watch_changed(wa), 1);                         /* went away */
    ck_assert_int_eq(watch_changed(wb), 1);                         /* came in */
    ck_assert_int_eq(watch_changed(wn), 0);
    ck_assert_int_eq(watch_changed(ws), 1);                         /* another value */
    unwatch(wa);
    unwatch(wb);
    unwatch(wn);
    unwatch(ws);
}
END_TEST

START_TEST(swap_in_an_expired_key)
{
    put_expiring(1, "k", T0 - 1);
    shm_off_t w = watch(0, "k", 1, 0);
    begin();
    db_swap(0, 1);                                                  /* absent -> expired: no change */
    commit();
    ck_assert_int_eq(watch_changed(w), 0);
    begin();
    db_swap(0, 1);                                                  /* the expired key goes away */
    commit();
    ck_assert_int_eq(watch_changed(w), 0);
    unwatch(w);
}
END_TEST

START_TEST(remove_slot_keeps_other_slots)
{
    char key[16];
    shm_off_t keep[50];
    for (int i = 0; i < 600; i++) {
        snprintf(key, sizeof(key), "k%d", i % 300);
        shm_off_t w = watch(i % NDBS, key, (uint64_t)i, i % 12 == 0 ? 1 : 3);
        if (i % 12 == 0)
            keep[i / 12] = w;
    }
    ck_assert_uint_eq(watch_count(), 600);
    begin();
    watch_remove_slot(3);
    commit();
    ck_assert_uint_eq(watch_count(), 50);
    assert_consistent();
    for (int i = 0; i < 50; i++) {
        ck_assert_int_eq(watch_changed(keep[i]), 0);
        unwatch(keep[i]);
    }
    ck_assert_uint_eq(watch_count(), 0);
}
END_TEST

START_TEST(rollback_forgets_watchers_and_touches)
{
    put(0, "k", "1");
    shm_off_t w = watch(0, "k", 1, 0);
    begin();
    watch_add(0, "k", 1, 2, 0);
    watch_add(3, "new", 3, 2, 0);
    watch_touch(db_get(0), "k", 1);
    ck_assert_uint_eq(watch_count(), 3);
    undo_rollback();
    ck_assert_uint_eq(watch_count(), 1);
    assert_consistent();
    ck_assert_int_eq(watch_changed(w), 0);
    unwatch(w);
}
END_TEST

static uint64_t allocations(void)
{
    struct slab_stats st;
    slab_get_stats(&st);
    return st.allocations;
}

START_TEST(nobody_watching_is_free)
{
    uint64_t before = allocations();
    begin();
    watch_touch(db_get(0), "k", 1);
    watch_touch_flush(-1);
    watch_touch_swap(0, 1);
    ck_assert_uint_eq(undo_used(), 0);                              /* nothing logged */
    commit();
    ck_assert_uint_eq(allocations(), before);
    ck_assert_uint_eq(shm_header()->watch_off, 0);                  /* no registry made */
}
END_TEST

static Suite *watch_suite(void)
{
    Suite *s = suite_create("watch");
    TCase *tc = tcase_create("watch");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, untouched_until_the_key_changes);
    tcase_add_test(tc, add_and_delete_touch);
    tcase_add_test(tc, every_watcher_of_the_key_is_touched);
    tcase_add_test(tc, expiry_after_watch_is_a_change);
    tcase_add_test(tc, expired_at_watch_time_then_deleted_is_no_change);
    tcase_add_test(tc, active_expiry_touches);
    tcase_add_test(tc, flush_touches_existing_keys_only);
    tcase_add_test(tc, swap_touches_keys_on_either_side);
    tcase_add_test(tc, swap_in_an_expired_key);
    tcase_add_test(tc, remove_slot_keeps_other_slots);
    tcase_add_test(tc, rollback_forgets_watchers_and_touches);
    tcase_add_test(tc, nobody_watching_is_free);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return fixture_run_suite(watch_suite());
}
