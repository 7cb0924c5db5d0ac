/* tests/unit/test_call.c - Check tests for types/call.c on an arena laid out on plain
 * memory: which keys a call touches for WATCH (only those it changed: not the sources
 * of SINTERSTORE, not the absent keys LMPOP skipped, SMOVE's destination only when the
 * member was added, LTRIM's key even when it trimmed nothing, nothing after a no-op
 * SADD, nothing for DEL's absent keys), the error replies counted per call when calls
 * nest in one reply buffer (EXEC's shape) and when a script repeats a counted error,
 * the order of the hooks (a CMD_SKIP_MONITOR command is fed before it runs, its inner
 * calls reported before it), the refusal hook, and call_abort_to after a longjmp.
 */
#include <check.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "keyspace/db.h"
#include "keyspace/watch.h"
#include "shm/undo.h"
#include "types/call.h"
#include "types/t_keys.h"
#include "types/t_list.h"
#include "types/t_set.h"
#include "tests/unit/fixture.h"

#define ARENA_SIZE (64ULL << 20)

/* ---- hooks that record what they saw ---- */

static char trace[512];
static struct call_result last_res;
static uint64_t refused_n;
static const struct command *refused_cmd;

static void note(const char *what, const struct cmd_ctx *ctx)
{
    size_t n = strlen(trace);
    snprintf(trace + n, sizeof(trace) - n, "%s%s:%s", n ? " " : "", what, ctx->cmd->name);
}

static void feed_first(const struct cmd_ctx *ctx) { note("feed", ctx); }

static void done(const struct cmd_ctx *ctx, const struct call_result *res)
{
    note("done", ctx);
    last_res = *res;
}

static void refused(const struct command *cmd, const char *code, uint64_t n)
{
    refused_cmd = cmd;
    refused_n = n;
}

static void setup(void)
{
    static int registered;
    if (!registered++) {
        list_type_init();
        set_type_init();
        command_register(list_commands);
        command_register(set_commands);
        command_register(key_commands);
    }
    fixture_arena_open(ARENA_SIZE, 8ULL << 20, 1, 1);
    watch_register_types();
    undo_begin();
    db_create_all(1);
    fixture_config_install();
    fixture_write_commit();
    static const struct call_hooks hooks = { .feed_first = feed_first, .done = done, .refused = refused };
    call_set_hooks(&hooks);
    trace[0] = '\0';
}

static void teardown(void)
{
    static const struct call_hooks none;
    call_set_hooks(&none);
    ck_assert_int_eq(call_depth(), 0);
    fixture_arena_close();
}

/* ---- running calls ---- */

static struct reply out;

static struct cmd_ctx ctx_for(const char **argv, struct reply *r)
{
    static size_t lens[16];
    int argc = 0;
    for (; argv[argc]; argc++)
        lens[argc] = strlen(argv[argc]);
    const struct command *cmd = command_lookup(argv[0], lens[0]);
    ck_assert_ptr_nonnull(cmd);
    return (struct cmd_ctx){ .cmd = cmd, .argc = argc, .argv = argv, .argvlen = lens, .reply = r,
                             .db = db_get(0), .resp = 2, .no_block = 1 };
}

/* One call_command in its own write; the reply is in out. */
static void call_argv(const char **argv)
{
    reply_init(&out, 2);
    struct cmd_ctx ctx = ctx_for(argv, &out);
    undo_begin();
    call_command(&ctx);
    fixture_write_commit();
    reply_free(&out);
}
#define CALL(...) call_argv((const char *[]){ __VA_ARGS__, NULL })

/* The key's watcher (of client 1), in its own write. */
static shm_off_t watch(const char *key)
{
    undo_begin();
    shm_off_t w = watch_add(0, key, strlen(key), 1, 0);
    fixture_write_commit();
    return w;
}

/* ---- WATCH: the keys a call changed ---- */

START_TEST(store_touches_destination_not_sources)
{
    CALL("sadd", "s1", "a", "b");
    CALL("sadd", "s2", "b");
    shm_off_t src = watch("s1"), dst = watch("d");
    CALL("sinterstore", "d", "s1", "s2");
    ck_assert(!watch_changed(src));
    ck_assert(watch_changed(dst));
}
END_TEST

START_TEST(no_op_writes_touch_nothing)
{
    CALL("sadd", "s", "a");
    CALL("rpush", "l", "x");
    shm_off_t s = watch("s"), absent = watch("nokey");
    CALL("sadd", "s", "a");
    CALL("srem", "s", "zz");
    CALL("del", "s", "nokey");          /* s deleted (db.c), nokey was never there */
    ck_assert(watch_changed(s));
    ck_assert(!watch_changed(absent));
}
END_TEST

START_TEST(ltrim_touches_even_when_it_trims_nothing)
{
    CALL("rpush", "l", "a", "b");
    shm_off_t l = watch("l"), absent = watch("nol");
    CALL("ltrim", "nol", "0", "-1");
    ck_assert(!watch_changed(absent));
    CALL("ltrim", "l", "0", "-1");
    ck_assert(watch_changed(l));
}
END_TEST

START_TEST(moves_touch_what_they_changed)
{
    CALL("rpush", "l1", "a", "b");
    CALL("rpush", "l2", "x");
    shm_off_t l1 = watch("l1"), l2 = watch("l2");
    CALL("lmove", "l1", "l2", "left", "right");
    ck_assert(watch_changed(l1));
    ck_assert(watch_changed(l2));
    CALL("sadd", "from", "m", "n");
    CALL("sadd", "to", "m");
    shm_off_t from = watch("from"), to = watch("to");
    CALL("smove", "from", "to", "m");   /* already a member of "to": only "from" changes */
    ck_assert(watch_changed(from));
    ck_assert(!watch_changed(to));
}
END_TEST

START_TEST(mpop_touches_only_the_key_it_popped)
{
    CALL("rpush", "b", "1", "2");
    CALL("rpush", "c", "3");
    shm_off_t a = watch("a"), b = watch("b"), c = watch("c");
    CALL("lmpop", "3", "a", "b", "c", "left");
    ck_assert(!watch_changed(a));
    ck_assert(watch_changed(b));
    ck_assert(!watch_changed(c));
}
END_TEST

/* ---- errors and hooks ---- */

/* An outer command (EXEC's shape): two calls nested in its reply buffer, one failing. */
static void outer_proc(struct cmd_ctx *c)
{
    struct cmd_ctx inner = ctx_for((const char *[]){ "sadd", "s", "a", NULL }, c->reply);
    call_command(&inner);
    inner = ctx_for((const char *[]){ "rpush", "s", "x", NULL }, c->reply);
    call_command(&inner);
    ck_assert_uint_eq(last_res.errors, 1);          /* WRONGTYPE, counted by RPUSH */
    ck_assert_uint_eq(last_res.failed, 1);
}

/* A script's command repeating its redis.call's error. */
static void script_proc(struct cmd_ctx *c)
{
    struct reply own;
    reply_init(&own, 2);
    struct cmd_ctx inner = ctx_for((const char *[]){ "rpush", "s", "x", NULL }, &own);
    call_command(&inner);
    reply_free(&own);
    call_reply_repeated_error(c->reply, ERR_WRONGTYPE);
}

static const struct command test_cmds[] = {
    { .name = "outer", .proc = outer_proc, .arity = 1 },
    { .name = "script", .proc = script_proc, .arity = 1, .flags = CMD_SKIP_MONITOR },
    { .name = NULL },
};

static void register_test_cmds(void)
{
    if (!command_lookup("outer", 5))
        command_register(test_cmds);
}

START_TEST(nested_errors_are_counted_once)
{
    register_test_cmds();
    CALL("outer");
    ck_assert_str_eq(trace, "done:sadd done:rpush done:outer");
    ck_assert_uint_eq(last_res.errors, 0);          /* its reply holds RPUSH's error */
    ck_assert_uint_eq(last_res.failed, 0);
}
END_TEST

START_TEST(a_repeated_error_fails_the_call_without_counting)
{
    register_test_cmds();
    CALL("sadd", "s", "a");
    trace[0] = '\0';
    CALL("script");
    ck_assert_str_eq(trace, "feed:script done:rpush done:script");
    ck_assert_uint_eq(last_res.errors, 0);
    ck_assert_uint_eq(last_res.failed, 1);
}
END_TEST

START_TEST(refusals_reach_the_hook)
{
    const struct command *sadd = command_lookup("sadd", 4);
    call_refused(sadd, "ERR", 1);
    ck_assert_ptr_eq(refused_cmd, sadd);
    ck_assert_uint_eq(refused_n, 1);
}
END_TEST

/* An aborted write longjmps out of a running call; the guard unwinds the stack. */
static jmp_buf escape;
static void escaping_proc(struct cmd_ctx *c) { longjmp(escape, 1); }

START_TEST(abort_unwinds_interrupted_calls)
{
    static const struct command escaping = { .name = "escape", .proc = escaping_proc, .arity = 1 };
    struct cmd_ctx ctx = ctx_for((const char *[]){ "sadd", "s", "a", NULL }, &out);
    ctx.cmd = &escaping;
    reply_init(&out, 2);
    int level = call_depth();
    struct call_result res;
    if (setjmp(escape) == 0)
        call_run(&ctx, &res);
    ck_assert_int_eq(call_depth(), level + 1);
    call_abort_to(level);
    reply_free(&out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("call");
    TCase *tc = tcase_create("call");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, store_touches_destination_not_sources);
    tcase_add_test(tc, no_op_writes_touch_nothing);
    tcase_add_test(tc, ltrim_touches_even_when_it_trims_nothing);
    tcase_add_test(tc, moves_touch_what_they_changed);
    tcase_add_test(tc, mpop_touches_only_the_key_it_popped);
    tcase_add_test(tc, nested_errors_are_counted_once);
    tcase_add_test(tc, a_repeated_error_fails_the_call_without_counting);
    tcase_add_test(tc, refusals_reach_the_hook);
    tcase_add_test(tc, abort_unwinds_interrupted_calls);
    suite_add_tcase(s, tc);
    return fixture_run_suite(s);
}
