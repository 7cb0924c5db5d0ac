/* tests/unit/test_pubsub.c - Check tests for keyspace/pubsub.c and keyspace/notify.c:
 * subscriptions of every kind with their counts, PUBLISH's receivers and the exact
 * inbox messages it leaves per worker slot (one per slot and payload, receivers in
 * subscription order), pattern and shard rules, unsubscribing all, a client or a
 * whole slot going away, rollback of a write, introspection, and keyspace
 * notifications' channels and messages.
 *
 * Every test runs on an arena laid out on plain memory, holding the keyspace lock,
 * each write between undo_begin and undo_commit; pubsub_check() verifies the
 * registry's invariants after each step. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyspace/inbox.h"
#include "keyspace/notify.h"
#include "keyspace/pubsub.h"
#include "shm/alloc.h"
#include "shm/arena.h"
#include "shm/slab_internal.h"
#include "shm/undo.h"
#include "tests/unit/fixture.h"

#define ARENA_SIZE (64ULL << 20)

static void check_registry(void)
{
    char err[256];
    ck_assert_msg(pubsub_check(err, sizeof(err)) == 0, "%s", err);
    ck_assert_msg(slab_check(err, sizeof(err)) == 0, "%s", err);
}

static void commit(void)
{
    fixture_write_commit();
    check_registry();
}

static void setup(void)
{
    fixture_arena_open(ARENA_SIZE, 8ULL << 20, 0, 2);
    pubsub_register_types();
    undo_begin();
    inbox_create();
    commit();
    undo_begin();                   /* each test runs inside one write unless it commits */
}

static void teardown(void)
{
    if (undo_in_write())
        undo_commit();
    notify_set_source(NULL);
    fixture_arena_close();
}

static int sub(uint64_t id, int slot, enum pubsub_kind k, const char *name)
{
    return pubsub_subscribe(id, slot, k, name, strlen(name));
}

static long long pub(const char *ch, const char *msg) { return pubsub_publish(0, ch, strlen(ch), msg, strlen(msg)); }

/* Messages as text: one line per message, "ids...|payload", payload CR/LF as '.'. */
static char text[4096];
static size_t text_len;

static void append_text(const struct inbox_msg *msg)
{
    ck_assert_int_eq(msg->kind, INBOX_PUSH);
    const struct pubsub_delivery *d = (const void *)msg->data;
    ck_assert_uint_eq(msg->len, sizeof(*d) + d->nids * sizeof(uint64_t) + d->payload_len);
    size_t n = text_len;
    for (uint32_t i = 0; i < d->nids; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%llu", i ? "," : "", (unsigned long long)d->ids[i]);
    n += (size_t)snprintf(text + n, sizeof(text) - n, "|");
    const char *p = pubsub_delivery_payload(d);
    for (uint32_t i = 0; i < d->payload_len && n + 2 < sizeof(text); i++)
        text[n++] = p[i] == '\r' || p[i] == '\n' ? '.' : p[i];
    text[n++] = '\n';
    text[n] = '\0';
    text_len = n;
}

/* The slot's inbox as text; the messages are freed. */
static char *take_inbox(int slot)
{
    text_len = 0;
    text[0] = '\0';
    for (shm_off_t m = inbox_take(slot), next; m; m = next) {
        struct inbox_msg *msg = shm_ptr(m);
        append_text(msg);
        next = msg->next;
        inbox_msg_free(m);
    }
    return text;
}

/* The committed messages this process sent itself, as text. */
static char *take_local(void)
{
    text_len = 0;
    text[0] = '\0';
    inbox_local_drain(append_text);
    return text;
}

START_TEST(test_subscribe_counts)
{
    ck_assert_int_eq(sub(1, 0, PUBSUB_CHANNEL, "a"), 1);
    ck_assert_int_eq(sub(1, 0, PUBSUB_CHANNEL, "a"), 0);
    ck_assert_int_eq(sub(1, 0, PUBSUB_CHANNEL, "b"), 1);
    ck_assert_int_eq(sub(1, 0, PUBSUB_PATTERN, "a"), 1);     /* same name, other kind */
    ck_assert_int_eq(sub(1, 0, PUBSUB_SHARD, "a"), 1);
    ck_assert_int_eq(sub(2, 1, PUBSUB_CHANNEL, "a"), 1);
    commit();
    undo_begin();
    ck_assert_uint_eq(pubsub_client_count(1, PUBSUB_CHANNEL), 2);
    ck_assert_uint_eq(pubsub_client_count(1, PUBSUB_PATTERN), 1);
    ck_assert_uint_eq(pubsub_client_count(1, PUBSUB_SHARD), 1);
    ck_assert_uint_eq(pubsub_client_count(3, PUBSUB_CHANNEL), 0);
    ck_assert_uint_eq(pubsub_numsub(0, "a", 1), 2);
    ck_assert_uint_eq(pubsub_numsub(1, "a", 1), 1);
    ck_assert_uint_eq(pubsub_numsub(0, "zz", 2), 0);
    ck_assert_uint_eq(pubsub_numpat(), 1);
    ck_assert_uint_eq(pubsub_numchannels(0), 2);
    ck_assert_uint_eq(pubsub_numchannels(1), 1);
    ck_assert_int_eq(pubsub_unsubscribe(1, PUBSUB_CHANNEL, "a", 1), 1);
    ck_assert_int_eq(pubsub_unsubscribe(1, PUBSUB_CHANNEL, "a", 1), 0);
    ck_assert_int_eq(pubsub_unsubscribe(9, PUBSUB_CHANNEL, "a", 1), 0);
    commit();
    undo_begin();
    ck_assert_uint_eq(pubsub_numsub(0, "a", 1), 1);
    ck_assert_uint_eq(pubsub_client_count(1, PUBSUB_CHANNEL), 1);
}
END_TEST

START_TEST(test_publish_payloads_per_slot)
{
    sub(10, 0, PUBSUB_CHANNEL, "news");
    sub(11, 1, PUBSUB_CHANNEL, "news");
    sub(12, 0, PUBSUB_CHANNEL, "news");
    sub(13, 1, PUBSUB_PATTERN, "n*");
    sub(10, 0, PUBSUB_PATTERN, "n?ws");
    sub(14, 1, PUBSUB_SHARD, "news");
    commit();
    undo_begin();
    ck_assert_int_eq(pub("news", "hi"), 5);
    ck_assert_int_eq(pub("other", "x"), 0);
    commit();
    undo_begin();
    ck_assert_str_eq(take_inbox(0), "10,12|>3..$7..message..$4..news..$2..hi..\n"
                                    "10|>4..$8..pmessage..$4..n?ws..$4..news..$2..hi..\n");
    ck_assert_str_eq(take_inbox(1), "11|>3..$7..message..$4..news..$2..hi..\n"
                                    "13|>4..$8..pmessage..$2..n*..$4..news..$2..hi..\n");
    ck_assert_int_eq(pubsub_publish(1, "news", 4, "s", 1), 1);    /* shard: no patterns */
    ck_assert_str_eq(take_inbox(0), "");
    ck_assert_str_eq(take_inbox(1), "14|>3..$8..smessage..$4..news..$1..s..\n");
    ck_assert_int_eq(pubsub_publish(1, "n", 1, "s", 1), 0);
}
END_TEST

START_TEST(test_pattern_rules)
{
    sub(1, 0, PUBSUB_PATTERN, "h[ae]llo");
    sub(2, 0, PUBSUB_PATTERN, "h\\*llo");
    sub(3, 0, PUBSUB_PATTERN, "*");
    ck_assert_int_eq(pub("hello", "m"), 2);
    ck_assert_int_eq(pub("hillo", "m"), 1);
    ck_assert_int_eq(pub("h*llo", "m"), 2);
    ck_assert_int_eq(pub("", "m"), 0);                 /* Redis: "*" does not match "" */
    take_inbox(0);
}
END_TEST

struct names { char buf[256]; size_t n; };

static void add_name(const char *name, size_t len, void *arg)
{
    struct names *nm = arg;
    nm->n += (size_t)snprintf(nm->buf + nm->n, sizeof(nm->buf) - nm->n, "%.*s;", (int)len, name);
}

START_TEST(test_unsubscribe_all_in_order)
{
    sub(1, 0, PUBSUB_CHANNEL, "c");
    sub(1, 0, PUBSUB_CHANNEL, "a");
    sub(1, 0, PUBSUB_CHANNEL, "b");
    sub(1, 0, PUBSUB_PATTERN, "p*");
    sub(2, 0, PUBSUB_CHANNEL, "a");
    commit();
    undo_begin();
    struct names nm = { "", 0 };
    ck_assert_uint_eq(pubsub_unsubscribe_all(1, PUBSUB_CHANNEL, add_name, &nm), 3);
    ck_assert_str_eq(nm.buf, "c;a;b;");
    ck_assert_uint_eq(pubsub_client_count(1, PUBSUB_PATTERN), 1);
    ck_assert_uint_eq(pubsub_unsubscribe_all(1, PUBSUB_CHANNEL, add_name, &nm), 0);
    ck_assert_uint_eq(pubsub_numsub(0, "a", 1), 1);
    commit();
    undo_begin();
    ck_assert_uint_eq(pubsub_unsubscribe_all(1, PUBSUB_PATTERN, NULL, NULL), 1);
    ck_assert_uint_eq(pubsub_numpat(), 0);
    ck_assert_int_eq(pub("pa", "m"), 0);
}
END_TEST

START_TEST(test_client_and_slot_gone)
{
    for (uint64_t id = 1; id <= 40; id++) {
        char ch[16];
        snprintf(ch, sizeof(ch), "ch%llu", (unsigned long long)(id % 7));
        sub(id, (int)(id % 2), PUBSUB_CHANNEL, ch);
        sub(id, (int)(id % 2), PUBSUB_PATTERN, "ch*");
        sub(id, (int)(id % 2), PUBSUB_SHARD, ch);
    }
    commit();
    undo_begin();
    pubsub_client_gone(2);
    commit();
    undo_begin();
    ck_assert_uint_eq(pubsub_client_count(2, PUBSUB_PATTERN), 0);
    ck_assert_int_eq(pub("ch1", "m"), 6 + 39);
    take_inbox(0);
    take_inbox(1);
    pubsub_release_slot(1);
    commit();
    undo_begin();
    ck_assert_uint_eq(pubsub_numsub(0, "ch1", 3), 3);      /* 8, 22, 36 of 1, 8, 15, 22, 29, 36 */
    ck_assert_uint_eq(pubsub_numsub(0, "ch0", 3), 2);      /* 14, 28 of 7, 14, 21, 28, 35 */
    ck_assert_uint_eq(pubsub_client_count(1, PUBSUB_SHARD), 0);
    ck_assert_int_eq(pub("ch1", "m"), 3 + 19);             /* the even ids but 2 match "ch*" */
    ck_assert_int_eq(inbox_pending(1), 0);
}
END_TEST

START_TEST(test_rollback_leaves_nothing)
{
    sub(1, 0, PUBSUB_CHANNEL, "keep");
    commit();
    undo_begin();
    sub(1, 0, PUBSUB_CHANNEL, "new");
    sub(2, 1, PUBSUB_PATTERN, "*");
    pubsub_unsubscribe(1, PUBSUB_CHANNEL, "keep", 4);
    ck_assert_int_eq(pub("new", "m"), 2);
    undo_rollback();
    slab_after_commit();
    check_registry();
    undo_begin();
    ck_assert_uint_eq(pubsub_numsub(0, "keep", 4), 1);
    ck_assert_uint_eq(pubsub_numsub(0, "new", 3), 0);
    ck_assert_uint_eq(pubsub_numpat(), 0);
    ck_assert_int_eq(inbox_pending(0) || inbox_pending(1), 0);
}
END_TEST

START_TEST(test_own_slot_messages_stay_private_until_commit)
{
    inbox_set_local_slot(0);
    sub(10, 0, PUBSUB_CHANNEL, "c");
    sub(11, 1, PUBSUB_CHANNEL, "c");
    commit();
    undo_begin();
    ck_assert_int_eq(pub("c", "a"), 2);
    ck_assert(!inbox_pending(0));               /* not in the arena */
    ck_assert(inbox_pending(1));
    ck_assert(!inbox_local_pending());          /* not before its write commits */
    undo_rollback();
    slab_after_commit();
    ck_assert(!inbox_local_pending());
    ck_assert(!inbox_pending(1));
    undo_begin();
    pub("c", "b");
    commit();
    undo_begin();
    pub("c", "d");                              /* an open write's message waits */
    ck_assert(inbox_local_pending());
    ck_assert_str_eq(take_local(), "10|>3..$7..message..$1..c..$1..b..\n");
    ck_assert(!inbox_local_pending());
    commit();
    undo_begin();
    ck_assert_str_eq(take_local(), "10|>3..$7..message..$1..c..$1..d..\n");
    ck_assert_str_eq(take_inbox(1), "11|>3..$7..message..$1..c..$1..b..\n"
                                    "11|>3..$7..message..$1..c..$1..d..\n");
    inbox_set_local_slot(-1);
}
END_TEST

START_TEST(test_own_slot_message_queues_behind_other_workers)
{
    sub(10, 0, PUBSUB_CHANNEL, "c");
    commit();
    undo_begin();
    pub("c", "theirs");                         /* another worker's (no local slot) */
    commit();
    inbox_set_local_slot(0);
    undo_begin();
    pub("c", "mine");                           /* behind it, not ahead via the private list */
    commit();
    undo_begin();
    ck_assert(!inbox_local_pending());
    ck_assert_str_eq(take_inbox(0), "10|>3..$7..message..$1..c..$6..theirs..\n"
                                    "10|>3..$7..message..$1..c..$4..mine..\n");
    pub("c", "next");                           /* the shared inbox empty: private again */
    commit();
    ck_assert_str_eq(take_local(), "10|>3..$7..message..$1..c..$4..next..\n");
    inbox_set_local_slot(-1);
}
END_TEST

START_TEST(test_channels_listing)
{
    struct names nm = { "", 0 };
    pubsub_channels(0, NULL, 0, add_name, &nm);
    ck_assert_str_eq(nm.buf, "");
    sub(1, 0, PUBSUB_CHANNEL, "news.a");
    sub(2, 0, PUBSUB_CHANNEL, "sport");
    sub(3, 0, PUBSUB_SHARD, "news.s");
    pubsub_channels(0, "news*", 5, add_name, &nm);
    ck_assert_str_eq(nm.buf, "news.a;");
    nm.n = 0;
    pubsub_channels(1, NULL, 0, add_name, &nm);
    ck_assert_str_eq(nm.buf, "news.s;");
}
END_TEST

START_TEST(test_many_channels_shrink)
{
    char ch[32];
    for (int i = 0; i < 2000; i++) {
        snprintf(ch, sizeof(ch), "c%d", i);
        sub((uint64_t)(i % 50) + 1, i % 2, PUBSUB_CHANNEL, ch);
    }
    commit();
    undo_begin();
    for (uint64_t id = 1; id <= 50; id++)
        pubsub_client_gone(id);
    commit();
    undo_begin();
    struct names nm = { "", 0 };
    pubsub_channels(0, NULL, 0, add_name, &nm);
    ck_assert_str_eq(nm.buf, "");
}
END_TEST

static int classes;
static int enabled_classes(void) { return classes; }

START_TEST(test_notify_channels)
{
    notify_set_source(enabled_classes);
    sub(1, 0, PUBSUB_PATTERN, "__key*__:*");
    classes = NOTIFY_KEYSPACE | NOTIFY_KEYEVENT | NOTIFY_STRING;
    notify_keyspace_event(NOTIFY_STRING, "set", 3, "k1", 2);
    notify_keyspace_event(NOTIFY_LIST, "lpush", 3, "k1", 2);   /* class not enabled */
    ck_assert_str_eq(take_inbox(0), "1|>4..$8..pmessage..$10..__key*__:*..$17..__keyspace@3__:k1..$3..set..\n"
                                    "1|>4..$8..pmessage..$10..__key*__:*..$18..__keyevent@3__:set..$2..k1..\n");
    classes = NOTIFY_KEYEVENT | NOTIFY_GENERIC;
    char key[300];
    memset(key, 'x', sizeof(key));
    notify_keyspace_event(NOTIFY_GENERIC, "del", 0, key, sizeof(key));
    const char *got = take_inbox(0);
    ck_assert_msg(strstr(got, "$18..__keyevent@0__:del..$300..xxx") != NULL, "%s", got);
    ck_assert_ptr_eq(strstr(got, "__keyspace"), NULL);
    classes = NOTIFY_KEYSPACE | NOTIFY_GENERIC;
    notify_keyspace_event(NOTIFY_GENERIC, "del", 0, key, sizeof(key));
    got = take_inbox(0);
    ck_assert_msg(strstr(got, "$315..__keyspace@0__:xxx") != NULL, "%s", got);
    classes = NOTIFY_GENERIC;                  /* neither K nor E: nothing */
    notify_keyspace_event(NOTIFY_GENERIC, "del", 0, "k", 1);
    ck_assert_str_eq(take_inbox(0), "");
}
END_TEST

static Suite *pubsub_suite(void)
{
    Suite *s = suite_create("pubsub");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_subscribe_counts);
    tcase_add_test(tc, test_publish_payloads_per_slot);
    tcase_add_test(tc, test_pattern_rules);
    tcase_add_test(tc, test_unsubscribe_all_in_order);
    tcase_add_test(tc, test_client_and_slot_gone);
    tcase_add_test(tc, test_rollback_leaves_nothing);
    tcase_add_test(tc, test_own_slot_messages_stay_private_until_commit);
    tcase_add_test(tc, test_own_slot_message_queues_behind_other_workers);
    tcase_add_test(tc, test_channels_listing);
    tcase_add_test(tc, test_many_channels_shrink);
    tcase_add_test(tc, test_notify_channels);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return fixture_run_suite(pubsub_suite());
}
