/* tests/unit/test_introspect.c - the shared introspection state on an arena laid out on
 * plain memory with two worker slots: the slow log (trimming of long argument lists
 * and arguments, redaction, the max-len trim, ids, RESET), the latency monitor (samples
 * of one second merge, the ring, LATEST/HISTORY/RESET replies), MONITOR lines and
 * their delivery to the inboxes of the slots that have monitors, the merge of two
 * CLIENT PAUSEs, and per-command / per-error statistics summed over two slots.
 * Reply texts are checked byte for byte against what redis-server 7.0.15 sends. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/shared.h"
#include "keyspace/db.h"
#include "keyspace/inbox.h"
#include "shm/alloc.h"
#include "shm/undo.h"
#include "worker/cmdstats.h"
#include "worker/introspect.h"
#include "worker/registry.h"
#include "worker/worker.h"
#include "tests/unit/fixture.h"

#define ARENA_SIZE (64ULL << 20)

static struct reply out;
static struct client client;

static void setup(void)
{
    fixture_arena_open(ARENA_SIZE, 8ULL << 20, 0, 2);
    undo_begin();
    db_create_all(1);
    inbox_create();
    shm_off_t conf = shm_alloc(sizeof(struct conf_values));
    conf_defaults(shm_ptr(conf));
    UNDO_SET(shm_header()->config_off, conf);
    registry_create(8);
    introspect_create();
    memset(&client, 0, sizeof(client));
    client.record = registry_claim(7, 0);
    snprintf(client.addr, sizeof(client.addr), "127.0.0.1:60866");
    registry_set_name(client.record, "me", 2);
    undo_commit();
    worker.slot = 0;
    worker.shm = &shm_header()->workers[0];
    reply_init(&out, 2);
}

static void teardown(void)
{
    reply_free(&out);
    fixture_arena_close();
}

/* A context for argv (NULL-terminated), replying into out. */
static struct cmd_ctx ctx_of(const char **argv)
{
    static size_t lens[64];
    int argc = 0;
    for (; argv[argc]; argc++)
        lens[argc] = strlen(argv[argc]);
    return (struct cmd_ctx){ .argc = argc, .argv = argv, .argvlen = lens, .reply = &out, .client = &client,
                             .resp = 2, .db = db_get(0) };
}

/* Runs a subcommand of table by name, inside a write; returns the reply text. */
static const char *run(struct command *table, const char **argv)
{
    struct cmd_ctx c = ctx_of(argv);
    reply_reset(&out);
    for (c.cmd = table; c.cmd->name && strcasecmp(c.cmd->name, argv[1]); c.cmd++)
        ;
    ck_assert_ptr_nonnull(c.cmd->name);
    undo_begin();
    c.cmd->proc(&c);
    undo_commit();
    reply_raw(&out, "", 1);
    return out.buf;
}

static void log_command(const char **argv, int64_t usec)
{
    struct cmd_ctx c = ctx_of(argv);
    undo_begin();
    slowlog_push(&c, usec);
    undo_commit();
}

/* ---- slowlog ---- */

START_TEST(slowlog_keeps_newest_up_to_max_len)
{
    conf_shared()->slowlog_max_len = 2;
    log_command((const char *[]){ "set", "a", "1", NULL }, 11);
    log_command((const char *[]){ "get", "a", NULL }, 12);
    log_command((const char *[]){ "del", "a", NULL }, 13);
    ck_assert_str_eq(run(slowlog_subcommands, (const char *[]){ "slowlog", "len", NULL }), ":2\r\n");
    const char *r = run(slowlog_subcommands, (const char *[]){ "slowlog", "get", NULL });
    char want[512];
    long long now = (long long)time(NULL);
    snprintf(want, sizeof(want), "*2\r\n*6\r\n:2\r\n:%lld\r\n:13\r\n*2\r\n$3\r\ndel\r\n$1\r\na\r\n$15\r\n127.0.0.1:60866"
             "\r\n$2\r\nme\r\n*6\r\n:1\r\n:%lld\r\n:12\r\n*2\r\n$3\r\nget\r\n$1\r\na\r\n$15\r\n127.0.0.1:60866\r\n"
             "$2\r\nme\r\n", now, now);
    ck_assert_str_eq(r, want);
    ck_assert(strncmp(run(slowlog_subcommands, (const char *[]){ "slowlog", "get", "1", NULL }), "*1\r\n*6\r\n:2\r\n", 12) == 0);
    ck_assert_str_eq(run(slowlog_subcommands, (const char *[]){ "slowlog", "get", "0", NULL }), "*0\r\n");
    conf_shared()->slowlog_max_len = 0;     /* trimmed at the next push, ids go on */
    log_command((const char *[]){ "ping", NULL }, 1);
    ck_assert_str_eq(run(slowlog_subcommands, (const char *[]){ "slowlog", "len", NULL }), ":0\r\n");
    conf_shared()->slowlog_max_len = 10;
    log_command((const char *[]){ "ping", NULL }, 1);
    ck_assert(strncmp(run(slowlog_subcommands, (const char *[]){ "slowlog", "get", "-1", NULL }), "*1\r\n*6\r\n:4\r\n", 12) == 0);
    ck_assert_str_eq(run(slowlog_subcommands, (const char *[]){ "slowlog", "reset", NULL }), "+OK\r\n");
    ck_assert_str_eq(run(slowlog_subcommands, (const char *[]){ "slowlog", "len", NULL }), ":0\r\n");
    char err[256];
    ck_assert_msg(slab_check(err, sizeof(err)) == 0, "%s", err);
}
END_TEST

START_TEST(slowlog_trims_and_redacts_arguments)
{
    const char *argv[42];
    char big[201];
    memset(big, 'x', 200);
    big[200] = '\0';
    argv[0] = "rpush";
    argv[1] = big;
    for (int i = 2; i < 41; i++)
        argv[i] = "v";
    argv[41] = NULL;
    log_command(argv, 5);
    log_command((const char *[]){ "auth", "user", "secret", NULL }, 5);
    log_command((const char *[]){ "config", "set", "requirepass", "pw", "maxmemory", "1", NULL }, 5);
    const char *r = run(slowlog_subcommands, (const char *[]){ "slowlog", "get", NULL });
    ck_assert_ptr_nonnull(strstr(r, "*6\r\n$6\r\nconfig\r\n$3\r\nset\r\n$11\r\nrequirepass\r\n$10\r\n(redacted)\r\n"
                                    "$9\r\nmaxmemory\r\n$1\r\n1\r\n"));
    ck_assert_ptr_nonnull(strstr(r, "*3\r\n$4\r\nauth\r\n$10\r\n(redacted)\r\n$10\r\n(redacted)\r\n"));
    /* 41 arguments: 31 kept, then "... (10 more arguments)"; 200 bytes: 128 + "... (72 more bytes)" */
    char head[256];
    snprintf(head, sizeof(head), "*32\r\n$5\r\nrpush\r\n$147\r\n%.128s... (72 more bytes)\r\n", big);
    ck_assert_ptr_nonnull(strstr(r, head));
    ck_assert_ptr_nonnull(strstr(r, "$1\r\nv\r\n$23\r\n... (10 more arguments)\r\n$15\r\n127.0.0.1:60866"));
}
END_TEST

START_TEST(slowlog_get_errors_as_redis)
{
    ck_assert_str_eq(run(slowlog_subcommands, (const char *[]){ "slowlog", "get", "-2", NULL }),
                     "-ERR count should be greater than or equal to -1\r\n");
    ck_assert_str_eq(run(slowlog_subcommands, (const char *[]){ "slowlog", "get", "abc", NULL }),
                     "-ERR count should be greater than or equal to -1\r\n");
    ck_assert_str_eq(run(slowlog_subcommands, (const char *[]){ "slowlog", "GET", "1", "2", NULL }),
                     "-ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.\r\n");
}
END_TEST

/* ---- latency monitor ---- */

static void sample(const char *event, int64_t ms, int64_t now)
{
    undo_begin();
    latency_add_sample(event, ms, now);
    undo_commit();
}

START_TEST(latency_samples_merge_per_second)
{
    sample("command", 200, 1000);
    sample("command", 301, 1000);           /* same second: the worst stays */
    sample("command", 150, 1001);
    sample("fast-command", 20, 1002);
    ck_assert_str_eq(run(latency_subcommands, (const char *[]){ "latency", "latest", NULL }),
                     "*2\r\n*4\r\n$7\r\ncommand\r\n:1001\r\n:150\r\n:301\r\n"
                     "*4\r\n$12\r\nfast-command\r\n:1002\r\n:20\r\n:20\r\n");
    ck_assert_str_eq(run(latency_subcommands, (const char *[]){ "latency", "history", "command", NULL }),
                     "*2\r\n*2\r\n:1000\r\n:301\r\n*2\r\n:1001\r\n:150\r\n");
    ck_assert_str_eq(run(latency_subcommands, (const char *[]){ "latency", "history", "nosuch", NULL }), "*0\r\n");
    ck_assert_str_eq(run(latency_subcommands, (const char *[]){ "latency", "reset", "command", "foo", "command",
                                                                NULL }), ":1\r\n");
    ck_assert_str_eq(run(latency_subcommands, (const char *[]){ "latency", "reset", NULL }), ":1\r\n");
    ck_assert_str_eq(run(latency_subcommands, (const char *[]){ "latency", "latest", NULL }), "*0\r\n");
}
END_TEST

START_TEST(latency_ring_keeps_last_160)
{
    for (int64_t t = 1; t <= LATENCY_SAMPLES + 5; t++)
        sample("expire-cycle", t, t);
    const char *r = run(latency_subcommands, (const char *[]){ "latency", "history", "expire-cycle", NULL });
    ck_assert(strncmp(r, "*160\r\n*2\r\n:6\r\n:6\r\n", 18) == 0);
    conf_shared()->latency_monitor_threshold = 100;
    undo_begin();
    latency_add_sample_if_needed("fork", 99);
    undo_commit();
    ck_assert_str_eq(run(latency_subcommands, (const char *[]){ "latency", "history", "fork", NULL }), "*0\r\n");
}
END_TEST

/* ---- MONITOR ---- */

static void check_line(const char **argv, const char *origin, const char *want)
{
    size_t lens[16], len;
    int argc = 0;
    for (; argv[argc]; argc++)
        lens[argc] = strlen(argv[argc]);
    char *line = monitor_format_line(1339518083, 107412, 0, origin, argc, argv, lens, &len);
    ck_assert_uint_eq(len, strlen(want));
    ck_assert(memcmp(line, want, len) == 0);
    free(line);
}

START_TEST(monitor_lines_as_redis)
{
    check_line((const char *[]){ "keys", "*", NULL }, "127.0.0.1:60866",
               "+1339518083.107412 [0 127.0.0.1:60866] \"keys\" \"*\"\r\n");
    check_line((const char *[]){ "AUTH", "a", "b", NULL }, "127.0.0.1:1",
               "+1339518083.107412 [0 127.0.0.1:1] \"AUTH\" \"(redacted)\" \"(redacted)\"\r\n");
    check_line((const char *[]){ "hello", "3", "auth", "u", "p", "setname", "n", NULL }, "lua",
               "+1339518083.107412 [0 lua] \"hello\" \"3\" \"auth\" \"(redacted)\" \"(redacted)\" \"setname\" \"n\"\r\n");
    check_line((const char *[]){ "set", "a b", "\x01\n", NULL }, "unix:/tmp/s.sock",
               "+1339518083.107412 [0 unix:/tmp/s.sock] \"set\" \"a b\" \"\\x01\\n\"\r\n");
}
END_TEST

START_TEST(monitor_feed_reaches_slots_with_monitors)
{
    introspect->monitor.per_slot[1] = 2;
    introspect->monitor.total = 2;
    const char *argv[] = { "get", "k" };
    size_t lens[] = { 3, 1 };
    client.dbid = 3;
    undo_begin();
    monitor_feed(&client, 2, argv, lens);
    undo_commit();
    ck_assert(!inbox_pending(0));
    undo_begin();
    struct inbox_msg *m = shm_ptr(inbox_take(1));
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->kind, INBOX_MONITOR);
    ck_assert_int_eq(m->next, 0);
    const char *tail = " [3 127.0.0.1:60866] \"get\" \"k\"\r\n";
    ck_assert(m->len > strlen(tail) && memcmp(m->data + m->len - strlen(tail), tail, strlen(tail)) == 0);
    inbox_msg_free(shm_off(m));
    monitor_clear_slot(1);
    undo_commit();
    ck_assert_int_eq(introspect->monitor.total, 0);
}
END_TEST

/* ---- CLIENT PAUSE ---- */

START_TEST(pauses_merge_to_stricter_and_later)
{
    int64_t now = db_wall_ms();
    ck_assert_int_eq(pause_current(), PAUSE_NONE);
    undo_begin();
    pause_start(now + 10000, PAUSE_WRITE);
    pause_start(now + 100, PAUSE_ALL);
    undo_commit();
    ck_assert_int_eq(pause_current(), PAUSE_ALL);
    ck_assert_int_eq(introspect->pause.end_ms, now + 10000);
    undo_begin();
    pause_start(0, PAUSE_WRITE);
    undo_commit();
    ck_assert_int_eq(pause_current(), PAUSE_ALL);
    undo_begin();
    introspect->pause.end_ms = now - 1;     /* expired: not in force, then cleared */
    undo_commit();
    ck_assert_int_eq(pause_current(), PAUSE_NONE);
    ck_assert_int_ne(introspect->pause.type, PAUSE_NONE);
    undo_begin();
    pause_expire();
    undo_commit();
    ck_assert_int_eq(introspect->pause.type, PAUSE_NONE);
}
END_TEST

START_TEST(write_pause_holds_writes_only)
{
    static const struct command write_cmd = { .name = "set", .arity = -3, .flags = CMD_WRITE },
                                read_cmd = { .name = "get", .arity = 2, .flags = CMD_READONLY },
                                publish_cmd = { .name = "publish", .arity = 3, .flags = CMD_MAY_REPLICATE };
    undo_begin();
    pause_start(db_wall_ms() + 10000, PAUSE_WRITE);
    undo_commit();
    ck_assert_int_eq(pause_postpone(&client, &read_cmd), 0);
    ck_assert_int_eq(pause_postpone(&client, &publish_cmd), 1);
    ck_assert(client.flags & CLIENT_PAUSED);
    ck_assert(client.record->flags & CLIENT_PAUSED);
    pause_forget(&client);
    client.flags = client.record->flags = 0;
    ck_assert_int_eq(pause_postpone(&client, &write_cmd), 1);
    pause_forget(&client);
}
END_TEST

/* ---- statistics ---- */

static struct command stat_sub[] = { { .name = "sub", .arity = 2 }, { .name = NULL } };
static const struct command stat_cmds[] = {
    { .name = "statcmd", .arity = 1 }, { .name = "statparent", .arity = -2, .subcommands = stat_sub },
    { .name = NULL }
};

static char *info(void (*section)(FILE *))
{
    char *text = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    section(f);
    fclose(f);
    return text;
}

START_TEST(statistics_sum_over_slots)
{
    if (!command_lookup("statcmd", 7))
        command_register(stat_cmds);
    conf_shared()->latency_tracking = 1;
    undo_begin();
    cmdstats_attach(1);
    cmdstats_call(&stat_sub[0], 5, 1);
    cmdstats_error("ERR", 2);
    cmdstats_attach(0);
    undo_commit();
    cmdstats_call(&stat_cmds[0], 6, 0);
    cmdstats_call(&stat_cmds[0], 10, 2);
    cmdstats_rejected(&stat_cmds[0]);
    cmdstats_error("WRONGTYPE", 1);
    cmdstats_error("ERR", 1);
    char *text = info(cmdstats_info_commands);
    ck_assert_str_eq(text, "cmdstat_statcmd:calls=2,usec=16,usec_per_call=8.00,rejected_calls=1,failed_calls=2\r\n"
                           "cmdstat_statparent|sub:calls=1,usec=5,usec_per_call=5.00,rejected_calls=0,"
                           "failed_calls=1\r\n");
    free(text);
    text = info(cmdstats_info_errors);
    ck_assert_str_eq(text, "errorstat_ERR:count=3\r\nerrorstat_WRONGTYPE:count=1\r\n");
    free(text);
    text = info(cmdstats_info_latency);
    ck_assert_str_eq(text, "latency_percentiles_usec_statcmd:p50=6.015,p99=10.047,p99.9=10.047\r\n"
                           "latency_percentiles_usec_statparent|sub:p50=5.023,p99=5.023,p99.9=5.023\r\n");
    free(text);
    cmdstats_reset();
    text = info(cmdstats_info_commands);
    ck_assert_str_eq(text, "");
    free(text);
    text = info(cmdstats_info_latency);
    ck_assert_str_eq(text, "");
    free(text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("introspect");
    TCase *tc = tcase_create("introspect");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, slowlog_keeps_newest_up_to_max_len);
    tcase_add_test(tc, slowlog_trims_and_redacts_arguments);
    tcase_add_test(tc, slowlog_get_errors_as_redis);
    tcase_add_test(tc, latency_samples_merge_per_second);
    tcase_add_test(tc, latency_ring_keeps_last_160);
    tcase_add_test(tc, monitor_lines_as_redis);
    tcase_add_test(tc, monitor_feed_reaches_slots_with_monitors);
    tcase_add_test(tc, pauses_merge_to_stricter_and_later);
    tcase_add_test(tc, write_pause_holds_writes_only);
    tcase_add_test(tc, statistics_sum_over_slots);
    suite_add_tcase(s, tc);
    return fixture_run_suite(s);
}
