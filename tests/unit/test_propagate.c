/* tests/unit/test_propagate.c - what the write stream receives (replication/propagate.c,
 * rewrite.c) for commands run through types/call.c with the propagation hooks
 * installed, on an arena laid out on plain memory, the clock frozen at T.
 *
 * Every expected byte string is what redis-server 7.0.15 sent to a replica attached
 * with PSYNC for the same command (recorded by hand with a replica-like reader; only
 * the absolute times differ: Redis's clock there, T here).  EXEC and EVAL are stood in
 * for by test commands named "exec" and "eval" that run their inner commands through
 * call_command as worker/multi.c and lua/lua_api.c do.  Expired keys reach the
 * stream through keyspace/db.c's expired hook, installed as the worker does; clients
 * served after a push are reported as keyspace/blocking.c's served hook does.
 * Also: a rolled-back script or transaction leaves no byte and no stale state.
 */
#include <check.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/shared.h"
#include "keyspace/db.h"
#include "keyspace/watch.h"
#include "replication/propagate.h"
#include "replication/stream.h"
#include "shm/undo.h"
#include "types/call.h"
#include "types/t_hash.h"
#include "types/t_hll.h"
#include "types/t_keys.h"
#include "types/t_list.h"
#include "types/t_list_block.h"
#include "types/t_set.h"
#include "types/t_string.h"
#include "types/t_zset.h"
#include "types/t_zset_block.h"
#include "tests/unit/fixture.h"

#define ARENA_SIZE (64ULL << 20)
#define T 1700000000000LL                       /* the frozen clock, ms */

/* ---- stand-ins for the commands of upper layers ---- */

#define MAXQ 8
struct queue {                                  /* inner commands of "exec" or "eval" */
    const char *argv[MAXQ][8];
    int db[MAXQ];
    int n;
};
static struct queue tx, script;

static void fill_ctx(struct cmd_ctx *ctx, const char **argv, size_t *lens, int db, struct reply *r)
{
    int argc = 0;
    while (argv[argc]) {
        lens[argc] = strlen(argv[argc]);
        argc++;
    }
    const struct command *cmd = command_lookup(argv[0], lens[0]);
    ck_assert_msg(cmd != NULL, "unknown command %s", argv[0]);
    if (cmd->subcommands)
        cmd = command_lookup_sub(cmd, argv[1], lens[1]);
    *ctx = (struct cmd_ctx){ .cmd = cmd, .argc = argc, .argv = argv, .argvlen = lens, .reply = r, .db = db_get(db),
                             .dbid = db, .resp = r->resp, .client_id = 1, .no_block = 1 };
}

/* EXEC: the queue in the caller's reply buffer, no guard (an abort ends the write). */
static void exec_command(struct cmd_ctx *c)
{
    reply_array(c->reply, tx.n);
    for (int i = 0; i < tx.n; i++) {
        struct cmd_ctx ctx;
        size_t lens[8];
        fill_ctx(&ctx, tx.argv[i], lens, tx.db[i], c->reply);
        call_command(&ctx);
        c->dirty += ctx.dirty;
    }
}

/* EVAL: each redis.call in its own reply buffer, under a guard as lua_api.c's; after
 * an aborted write the script stops and a new, empty write begins (lua_run.c). */
static void eval_command(struct cmd_ctx *c)
{
    static struct reply r;
    reply_init(&r, c->resp);
    for (int i = 0; i < script.n; i++) {
        struct cmd_ctx ctx;
        size_t lens[8];
        jmp_buf guard, *saved = undo_guard;
        int level = call_depth();
        fill_ctx(&ctx, script.argv[i], lens, script.db[i], &r);
        undo_guard = &guard;
        if (setjmp(guard) == 0) {
            call_command(&ctx);
            c->dirty += ctx.dirty;
            undo_guard = saved;
            continue;
        }
        undo_guard = saved;
        call_abort_to(level);
        undo_begin();
        reply_error(c->reply, "ERR the script's write was rolled back");
        reply_free(&r);
        return;
    }
    reply_free(&r);
    reply_int(c->reply, 1);
}

static void oom_command(struct cmd_ctx *c) { undo_abort(UNDO_ABORT_OOM); }
static void publish_command(struct cmd_ctx *c) { reply_int(c->reply, 0); }

static void function_load_command(struct cmd_ctx *c)
{
    if (arg_is(c, 2, "bad"))
        reply_error(c->reply, "ERR Library 'bad' already exists");
    else
        reply_bulk(c->reply, "lib", 3);
}

static struct command function_subs[] = {
    { "load", function_load_command, -3, CMD_WRITE, 0, 0, 0, "scripting", "7.0.0", "", "", "", NULL, NULL },
    { 0 }
};

static const struct command stand_ins[] = {
    { "exec", exec_command, 1, 0, 0, 0, 0, "transactions", "1.2.0", "", "", "", NULL, NULL },
    { "eval", eval_command, 1, CMD_MAY_REPLICATE | CMD_SKIP_MONITOR, 0, 0, 0, "scripting", "2.6.0", "", "", "",
      NULL, NULL },
    { "oom", oom_command, 1, CMD_WRITE, 0, 0, 0, "server", "", "", "", "", NULL, NULL },
    { "publish", publish_command, 3, CMD_MAY_REPLICATE, 0, 0, 0, "pubsub", "2.0.0", "", "", "", NULL, NULL },
    { "function", NULL, -2, 0, 0, 0, 0, "scripting", "7.0.0", "", "", "", function_subs, NULL },
    { 0 }
};

/* ---- running commands as the dispatcher does ---- */

static struct reply rep;
static char last_reply[4096];
static uint64_t mark;                           /* stream offset checked so far */

static const char *run_on(int db, int resp, const char **argv)
{
    struct cmd_ctx ctx;
    size_t lens[16];
    struct call_result res;
    jmp_buf guard;
    reply_reset(&rep);
    rep.resp = resp;
    fill_ctx(&ctx, argv, lens, db, &rep);
    ck_assert_msg(command_arity_ok(ctx.cmd, ctx.argc), "arity of %s", argv[0]);
    undo_guard = &guard;
    if (setjmp(guard) == 0) {
        undo_begin();
        call_run(&ctx, &res);
        fixture_write_commit();
    } else {
        call_abort_to(0);
        reply_error(&rep, "OOM rolled back");
    }
    undo_guard = NULL;
    size_t n = rep.len < sizeof(last_reply) - 1 ? rep.len : sizeof(last_reply) - 1;
    memcpy(last_reply, rep.buf, n);
    last_reply[n] = '\0';
    return last_reply;
}

#define CALL(...) run_on(0, 2, (const char *[]){ __VA_ARGS__, NULL })
#define CALL_DB(db, ...) run_on(db, 2, (const char *[]){ __VA_ARGS__, NULL })
#define CALL3(...) run_on(0, 3, (const char *[]){ __VA_ARGS__, NULL })

/* Queues an inner command of the next "exec" (tx) or "eval" (script) on database db. */
static void queue_on(struct queue *q, int db, const char **argv)
{
    int i = 0;
    for (; argv[i]; i++)
        q->argv[q->n][i] = argv[i];
    q->argv[q->n][i] = NULL;
    q->db[q->n++] = db;
}
#define Q(...) queue_on(&tx, 0, (const char *[]){ __VA_ARGS__, NULL })
#define Q_DB(db, ...) queue_on(&tx, db, (const char *[]){ __VA_ARGS__, NULL })
#define S(...) queue_on(&script, 0, (const char *[]){ __VA_ARGS__, NULL })
#define S_DB(db, ...) queue_on(&script, db, (const char *[]){ __VA_ARGS__, NULL })

/* The stream since the last check equals want (a C string of RESP). */
static void expect_stream(const char *want)
{
    uint64_t head = repl_stream_offset();
    size_t n = head - mark;
    char *got = malloc(n + 1);
    ck_assert_int_eq(repl_stream_read(mark, head, got), 0);
    got[n] = '\0';
    ck_assert_msg(n == strlen(want) && memcmp(got, want, n) == 0, "stream:\n got  %s\n want %s", got, want);
    free(got);
    mark = head;
    tx.n = script.n = 0;
}

#define SEL0 "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
#define MULTI "*1\r\n$5\r\nMULTI\r\n"
#define EXEC "*1\r\n$4\r\nEXEC\r\n"

static void setup(void)
{
    static int registered;
    if (!registered++) {
        list_type_init();
        list_block_init();
        hash_type_init();
        set_type_init();
        zset_type_init();
        zset_block_init();
        command_register(string_commands);
        command_register(key_commands);
        command_register(hash_commands);
        command_register(hll_commands);
        command_register(set_commands);
        command_register(list_commands);
        command_register(list_block_commands);
        command_register(zset_commands);
        command_register(zset_block_commands);
        command_register(stand_ins);
        reply_init(&rep, 2);
    }
    fixture_arena_open(ARENA_SIZE, 8ULL << 20, 16, 1);
    watch_register_types();
    undo_begin();
    db_create_all(16);
    fixture_config_install();
    repl_stream_create(1 << 20);
    repl_stream_attach();                       /* a reader: the stream is fed */
    fixture_write_commit();
    static const struct call_hooks hooks = { .propagate = repl_propagate_call, .unwound = repl_propagate_unwound };
    call_set_hooks(&hooks);
    db_set_expired_hook(repl_propagate_expired);
    db_set_now(T);
    mark = 0;
    tx.n = script.n = 0;
}

static void teardown(void)
{
    static const struct call_hooks none;
    call_set_hooks(&none);
    db_set_expired_hook(NULL);
    ck_assert_int_eq(call_depth(), 0);
    db_set_now(0);
    fixture_arena_close();
}

/* ---- plain commands ---- */

START_TEST(test_plain_writes_and_select)
{
    CALL("SET", "k", "v");
    expect_stream(SEL0 "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
    CALL("GET", "k");
    CALL("DEL", "nokey");
    CALL("set", "k", "v", "nx");                 /* changed nothing */
    CALL("SETRANGE", "k", "0", "");
    expect_stream("");
    CALL("set", "k", "v", "GET");                /* as given: lower case, GET kept */
    expect_stream("*4\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n$3\r\nGET\r\n");
    CALL("APPEND", "k", "");
    expect_stream("*3\r\n$6\r\nAPPEND\r\n$1\r\nk\r\n$0\r\n\r\n");
    CALL_DB(3, "SET", "a", "b");
    CALL_DB(3, "SET", "a", "c");
    expect_stream("*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\n"
                  "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nc\r\n");
    CALL("SADD", "s", "a", "b");
    expect_stream(SEL0 "*4\r\n$4\r\nSADD\r\n$1\r\ns\r\n$1\r\na\r\n$1\r\nb\r\n");
    CALL("ZADD", "z", "INCR", "5", "a");
    expect_stream("*5\r\n$4\r\nZADD\r\n$1\r\nz\r\n$4\r\nINCR\r\n$1\r\n5\r\n$1\r\na\r\n");
}
END_TEST

START_TEST(test_set_with_expire)
{
    CALL("SET", "k", "v", "EX", "100");
    expect_stream(SEL0 "*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n1700000100000\r\n");
    CALL("SET", "k", "v", "PX", "100000");
    CALL("SET", "k", "v", "NX", "EX", "100");    /* NX stopped it */
    expect_stream("*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n1700000100000\r\n");
    CALL("SET", "k", "v", "EXAT", "99999999999");
    expect_stream("*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$14\r\n99999999999000\r\n");
    CALL("SET", "k", "v", "XX", "GET", "EX", "100"); /* XX, GET dropped */
    expect_stream("*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n1700000100000\r\n");
    CALL("SET", "k", "v", "EX", "100", "XX");
    CALL("SET", "k", "v", "PXAT", "99999999999000");
    CALL("SET", "k", "v", "KEEPTTL");
    expect_stream("*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n1700000100000\r\n"
                  "*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$14\r\n99999999999000\r\n"
                  "*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$7\r\nKEEPTTL\r\n");
    CALL("SETEX", "k", "100", "v");
    CALL("PSETEX", "k", "100000", "v");
    CALL("SETEX", "k", "-1", "v");               /* an error: nothing */
    expect_stream("*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n1700000100000\r\n"
                  "*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n1700000100000\r\n");
    CALL("SET", "k", "v", "EXAT", "1");          /* in the past: stored, expires later */
    expect_stream("*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$4\r\n1000\r\n");
}
END_TEST

START_TEST(test_expire_family)
{
    CALL("SET", "k", "v");
    mark = repl_stream_offset();
    CALL("EXPIRE", "k", "100");
    CALL("PEXPIRE", "k", "100000");
    CALL("EXPIREAT", "k", "99999999999");
    expect_stream("*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$13\r\n1700000100000\r\n"
                  "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$13\r\n1700000100000\r\n"
                  "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$14\r\n99999999999000\r\n");
    CALL("EXPIRE", "k", "100", "GT");            /* not greater: nothing */
    CALL("EXPIRE", "nokey", "100");
    expect_stream("");
    CALL("EXPIRE", "k", "-1");                   /* in the past: deleted */
    expect_stream("*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n");
    CALL("SET", "k", "v");
    CALL("PEXPIREAT", "k", "1");
    expect_stream("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n");
    conf_shared()->lazyfree_lazy_expire = 1;
    CALL("SET", "k", "v");
    CALL("PEXPIRE", "k", "0");
    expect_stream("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$6\r\nUNLINK\r\n$1\r\nk\r\n");
}
END_TEST

START_TEST(test_getex)
{
    CALL("SET", "k", "v");
    mark = repl_stream_offset();
    CALL("GETEX", "k", "EX", "100");
    CALL("GETEX", "k", "EXAT", "99999999999");
    CALL("GETEX", "k", "PERSIST");
    CALL("GETEX", "k");
    CALL("GETEX", "nokey", "EX", "10");
    CALL("GETEX", "k", "PERSIST");               /* had no TTL: nothing */
    expect_stream("*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$13\r\n1700000100000\r\n"
                  "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$14\r\n99999999999000\r\n"
                  "*2\r\n$7\r\nPERSIST\r\n$1\r\nk\r\n");
    CALL("GETEX", "k", "PXAT", "1");
    expect_stream("*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n");
    conf_shared()->lazyfree_lazy_expire = 1;
    CALL("SET", "k", "v");
    CALL("GETEX", "k", "PXAT", "1");
    expect_stream("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$6\r\nUNLINK\r\n$1\r\nk\r\n");
}
END_TEST

START_TEST(test_float_increments)
{
    CALL("SET", "n", "10");
    CALL("INCRBYFLOAT", "n", "5.0e3");
    CALL("INCRBYFLOAT", "f", "1.5");
    CALL3("INCRBYFLOAT", "f", "0.1");
    expect_stream(SEL0 "*3\r\n$3\r\nSET\r\n$1\r\nn\r\n$2\r\n10\r\n"
                  "*4\r\n$3\r\nSET\r\n$1\r\nn\r\n$4\r\n5010\r\n$7\r\nKEEPTTL\r\n"
                  "*4\r\n$3\r\nSET\r\n$1\r\nf\r\n$3\r\n1.5\r\n$7\r\nKEEPTTL\r\n"
                  "*4\r\n$3\r\nSET\r\n$1\r\nf\r\n$3\r\n1.6\r\n$7\r\nKEEPTTL\r\n");
    CALL("HSET", "h", "f", "v");
    CALL("HINCRBYFLOAT", "h", "f2", "2.50");
    CALL3("HINCRBYFLOAT", "h", "f2", "1");
    CALL("HINCRBYFLOAT", "h", "f", "1");         /* not a float: nothing */
    expect_stream("*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n$1\r\nv\r\n"
                  "*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$2\r\nf2\r\n$3\r\n2.5\r\n"
                  "*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$2\r\nf2\r\n$3\r\n3.5\r\n");
}
END_TEST

/* The SREMs of a SPOP with a count: one per member replied, in reply order. */
static void expect_srems(const char *reply)
{
    char want[1024] = MULTI;
    const char *p = strchr(reply, '\n') + 1;
    while (*p == '$') {
        int n = atoi(p + 1);
        p = strchr(p, '\n') + 1;
        snprintf(want + strlen(want), sizeof(want) - strlen(want), "*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$%d\r\n%.*s\r\n",
                 n, n, p);
        p += n + 2;
    }
    strcat(want, EXEC);
    expect_stream(want);
}

START_TEST(test_spop)
{
    CALL("SADD", "s", "a");
    mark = repl_stream_offset();
    CALL("SPOP", "s");                           /* its last member: still SREM */
    expect_stream("*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\na\r\n");
    CALL("SADD", "s", "a", "b");
    mark = repl_stream_offset();
    CALL("SPOP", "s", "2");                      /* every member: DEL */
    expect_stream("*2\r\n$3\r\nDEL\r\n$1\r\ns\r\n");
    CALL("SPOP", "s");
    CALL("SPOP", "s", "3");
    expect_stream("");
    CALL("SADD", "s", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12");
    mark = repl_stream_offset();
    const char *r = CALL("SPOP", "s", "3");
    expect_srems(r);
    r = CALL3("SPOP", "s", "2");
    ck_assert_int_eq(r[0], '~');
    expect_srems(r);
    CALL("SPOP", "s", "100");
    expect_stream("*2\r\n$3\r\nDEL\r\n$1\r\ns\r\n");
}
END_TEST

START_TEST(test_getdel_and_blocking_forms)
{
    CALL("SET", "k", "v");
    CALL("GETDEL", "k");
    CALL("GETDEL", "k");
    expect_stream(SEL0 "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n");
    CALL("RPUSH", "l", "a", "b", "c", "d", "e");
    mark = repl_stream_offset();
    CALL("LMOVE", "l", "l2", "LEFT", "RIGHT");
    CALL("BLMOVE", "l", "l2", "LEFT", "RIGHT", "0");
    CALL("blmove", "l", "l2", "left", "right", "0");
    CALL("BRPOPLPUSH", "l2", "l", "0");
    expect_stream("*5\r\n$5\r\nLMOVE\r\n$1\r\nl\r\n$2\r\nl2\r\n$4\r\nLEFT\r\n$5\r\nRIGHT\r\n"
                  "*5\r\n$5\r\nLMOVE\r\n$1\r\nl\r\n$2\r\nl2\r\n$4\r\nLEFT\r\n$5\r\nRIGHT\r\n"
                  "*5\r\n$5\r\nLMOVE\r\n$1\r\nl\r\n$2\r\nl2\r\n$4\r\nleft\r\n$5\r\nright\r\n"
                  "*3\r\n$9\r\nRPOPLPUSH\r\n$2\r\nl2\r\n$1\r\nl\r\n");
    CALL("BLPOP", "x", "l", "0");
    CALL("BRPOP", "l", "0");
    CALL3("BLPOP", "x", "l2", "0");
    expect_stream("*2\r\n$4\r\nLPOP\r\n$1\r\nl\r\n*2\r\n$4\r\nRPOP\r\n$1\r\nl\r\n*2\r\n$4\r\nLPOP\r\n$2\r\nl2\r\n");
    CALL("RPUSH", "m", "a", "b", "c");
    mark = repl_stream_offset();
    CALL("LMPOP", "1", "m", "LEFT");
    CALL("LMPOP", "2", "x", "m", "RIGHT", "COUNT", "5");
    CALL("LMPOP", "1", "m", "LEFT");             /* empty now */
    expect_stream("*3\r\n$4\r\nLPOP\r\n$1\r\nm\r\n$1\r\n1\r\n*3\r\n$4\r\nRPOP\r\n$1\r\nm\r\n$1\r\n2\r\n");
    CALL("RPUSH", "m", "a", "b", "c");
    mark = repl_stream_offset();
    CALL3("BLMPOP", "0", "2", "x", "m", "LEFT", "COUNT", "2");
    CALL("LPOP", "m", "5");                      /* as given: the count asked */
    CALL("LPOP", "m", "5");
    expect_stream("*3\r\n$4\r\nLPOP\r\n$1\r\nm\r\n$1\r\n2\r\n*3\r\n$4\r\nLPOP\r\n$1\r\nm\r\n$1\r\n5\r\n");
    CALL("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e");
    mark = repl_stream_offset();
    CALL("BZPOPMIN", "z", "0");
    CALL3("BZPOPMAX", "z", "0");
    CALL("ZMPOP", "1", "z", "MIN");
    CALL3("ZMPOP", "1", "z", "MAX", "COUNT", "10");
    expect_stream("*2\r\n$7\r\nZPOPMIN\r\n$1\r\nz\r\n*2\r\n$7\r\nZPOPMAX\r\n$1\r\nz\r\n"
                  "*3\r\n$7\r\nZPOPMIN\r\n$1\r\nz\r\n$1\r\n1\r\n*3\r\n$7\r\nZPOPMAX\r\n$1\r\nz\r\n$1\r\n2\r\n");
    CALL("ZADD", "z", "1", "a");
    mark = repl_stream_offset();
    CALL("BZMPOP", "0", "1", "z", "MAX", "COUNT", "1");
    expect_stream("*3\r\n$7\r\nZPOPMAX\r\n$1\r\nz\r\n$1\r\n1\r\n");
}
END_TEST

START_TEST(test_propagated_unchanged)
{
    CALL("FLUSHDB");                             /* an empty database: still sent */
    CALL("FLUSHALL");
    CALL("FLUSHALL", "ASYNC");
    CALL("SWAPDB", "0", "1");
    expect_stream(SEL0 "*1\r\n$7\r\nFLUSHDB\r\n*1\r\n$8\r\nFLUSHALL\r\n*2\r\n$8\r\nFLUSHALL\r\n$5\r\nASYNC\r\n"
                  "*3\r\n$6\r\nSWAPDB\r\n$1\r\n0\r\n$1\r\n1\r\n");
    CALL("FLUSHALL", "NOW");                     /* an error: nothing */
    CALL("MOVE", "x", "3");
    expect_stream("");
    CALL_DB(3, "FLUSHALL");
    expect_stream("*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*1\r\n$8\r\nFLUSHALL\r\n");
    CALL_DB(2, "PUBLISH", "c", "m");
    CALL_DB(2, "PUBLISH", "c", "m");
    expect_stream("*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*3\r\n$7\r\nPUBLISH\r\n$1\r\nc\r\n$1\r\nm\r\n"
                  "*3\r\n$7\r\nPUBLISH\r\n$1\r\nc\r\n$1\r\nm\r\n");
    CALL_DB(2, "FUNCTION", "LOAD", "body");
    CALL_DB(2, "FUNCTION", "LOAD", "bad");
    expect_stream("*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$4\r\nbody\r\n");
    CALL_DB(2, "PFADD", "hll", "a", "b");
    CALL_DB(2, "PFCOUNT", "hll");                /* caches its count: sent */
    CALL_DB(2, "PFCOUNT", "hll");
    CALL_DB(2, "PFADD", "hll", "a");
    expect_stream("*4\r\n$5\r\nPFADD\r\n$3\r\nhll\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$7\r\nPFCOUNT\r\n$3\r\nhll\r\n");
}
END_TEST

/* ---- units: transactions and scripts ---- */

START_TEST(test_transactions)
{
    Q("SET", "a", "1");
    CALL("exec");                                /* one write: no MULTI */
    expect_stream(SEL0 "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n");
    Q("GET", "a");
    CALL("exec");
    expect_stream("");
    Q("SET", "a", "1");
    Q_DB(2, "SET", "b", "2");
    CALL("exec");
    expect_stream(MULTI "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n"
                  "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n" EXEC);
    CALL("SET", "x", "y");
    expect_stream(SEL0 "*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\ny\r\n");
    Q("SET", "a", "1");
    Q("INCR", "a");
    CALL("exec");
    expect_stream(MULTI "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\n" EXEC);
    Q("SET", "a", "1");
    Q("LPUSH", "a", "x");                       /* WRONGTYPE */
    CALL("exec");
    expect_stream("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n");
    Q_DB(4, "SET", "a", "1");                   /* SELECT before MULTI, not EXEC */
    Q_DB(4, "SET", "b", "1");
    CALL("exec");
    expect_stream("*2\r\n$6\r\nSELECT\r\n$1\r\n4\r\n" MULTI "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"
                  "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n1\r\n" EXEC);
}
END_TEST

START_TEST(test_scripts)
{
    CALL("eval");                                /* wrote nothing */
    expect_stream("");
    S("set", "a", "1");
    CALL("eval");
    expect_stream(SEL0 "*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n");
    S("set", "a", "1");
    S("incr", "a");
    CALL("eval");
    expect_stream(MULTI "*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$4\r\nincr\r\n$1\r\na\r\n" EXEC);
    S_DB(5, "set", "a", "1");                   /* redis.call("select", "5") first */
    CALL("eval");
    expect_stream("*2\r\n$6\r\nSELECT\r\n$1\r\n5\r\n*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n");
    CALL("SET", "x", "y");
    mark = repl_stream_offset();
    S_DB(5, "set", "a", "1");
    S_DB(6, "set", "a", "1");
    CALL("eval");
    expect_stream("*2\r\n$6\r\nSELECT\r\n$1\r\n5\r\n" MULTI "*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n"
                  "*2\r\n$6\r\nSELECT\r\n$1\r\n6\r\n*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n" EXEC);
    S("set", "a", "1");
    S("expire", "a", "100");
    S("spop", "nos");
    CALL("eval");
    expect_stream(SEL0 MULTI "*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n"
                  "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\na\r\n$13\r\n1700000100000\r\n" EXEC);
    S("publish", "c", "m");                     /* PUBLISH from a script too */
    S("set", "a", "b");
    CALL("eval");
    expect_stream(MULTI "*3\r\n$7\r\npublish\r\n$1\r\nc\r\n$1\r\nm\r\n*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\nb\r\n" EXEC);
}
END_TEST

/* EVAL inside EXEC: one unit.  Recorded: MULTI, SET q 1, set a 1, set b 1, EXEC; and
 * a script of one write in a transaction of nothing else: that write alone. */
START_TEST(test_script_in_transaction)
{
    Q("SET", "q", "1");
    Q("eval");
    S("set", "a", "1");
    S("set", "b", "1");
    CALL("exec");
    expect_stream(SEL0 MULTI "*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$1\r\n1\r\n*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n"
                  "*3\r\n$3\r\nset\r\n$1\r\nb\r\n$1\r\n1\r\n" EXEC);
    Q("eval");
    S("set", "a", "1");
    CALL("exec");
    expect_stream("*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n");
}
END_TEST

/* ---- no reader, nothing fed ---- */

START_TEST(test_nothing_fed_without_a_reader)
{
    CALL("SET", "k", "1", "PX", "1");
    undo_begin();
    repl_stream_detach();
    fixture_write_commit();
    mark = repl_stream_offset();
    CALL("SET", "a", "1");
    S("INCR", "a");
    S("INCR", "a");
    CALL("eval");
    db_set_now(T + 10);
    CALL("GET", "k");                            /* expired, deleted: no DEL either */
    ck_assert_uint_eq(repl_stream_offset(), mark);
    undo_begin();
    repl_stream_attach();
    fixture_write_commit();
    CALL("SET", "a", "2");
    expect_stream("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n2\r\n");
}
END_TEST

/* ---- expired keys, clients served later ---- */

START_TEST(test_expired_keys)
{
    CALL("SET", "k", "1", "PX", "1");
    mark = repl_stream_offset();
    db_set_now(T + 10);
    CALL("GET", "k");                            /* a read that expired its key: DEL alone */
    expect_stream("*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n");
    CALL("SET", "k", "1", "PX", "1");
    mark = repl_stream_offset();
    db_set_now(T + 20);
    CALL("INCR", "k");                           /* a write on it: MULTI DEL INCR EXEC */
    expect_stream(MULTI "*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n" EXEC);
    CALL("SET", "k", "1", "PX", "1");
    mark = repl_stream_offset();
    db_set_now(T + 30);
    Q("GET", "k");
    CALL("exec");
    expect_stream("*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n");
    conf_shared()->lazyfree_lazy_expire = 1;
    CALL("SET", "k", "1", "PX", "1");
    mark = repl_stream_offset();
    db_set_now(T + 40);
    S("INCR", "k");
    CALL("eval");
    expect_stream(MULTI "*2\r\n$6\r\nUNLINK\r\n$1\r\nk\r\n*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n" EXEC);
    conf_shared()->lazyfree_lazy_expire = 0;
    CALL("SET", "e1", "1", "PX", "1");
    mark = repl_stream_offset();
    db_set_now(T + 50);
    undo_begin();                               /* active expiry: outside any call */
    ck_assert_uint_eq(db_active_expire_step(1000000), 1);
    fixture_write_commit();
    expect_stream("*2\r\n$3\r\nDEL\r\n$2\r\ne1\r\n");
    undo_begin();                               /* and one after another, each alone */
    repl_propagate_expired(0, "e2", 2);
    repl_propagate_expired(1, "e3", 2);
    fixture_write_commit();
    expect_stream("*2\r\n$3\r\nDEL\r\n$2\r\ne2\r\n"
                  "*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n*2\r\n$3\r\nDEL\r\n$2\r\ne3\r\n");
}
END_TEST

static void served(int db, const char *key, int op, int where, int whereto, const char *dest, const char *reply)
{
    struct block_spec spec = { .op = (uint8_t)op, .resp = 2, .where = (uint8_t)where, .whereto = (uint8_t)whereto,
                               .destlen = dest ? (uint32_t)strlen(dest) : 0, .count = -1 };
    repl_propagate_served(db, key, strlen(key), &spec, dest, reply, strlen(reply));
}

START_TEST(test_served_later)
{
    /* RPUSH bl a b c d with BLPOP, BRPOP, BLMOVE bl dst LEFT RIGHT waiting */
    CALL("RPUSH", "bl", "a", "b", "c", "d");
    undo_begin();
    served(0, "bl", BLOCK_OP_LIST_POP, 0, 0, NULL, "*2\r\n$2\r\nbl\r\n$1\r\na\r\n");
    served(0, "bl", BLOCK_OP_LIST_POP, 1, 0, NULL, "*2\r\n$2\r\nbl\r\n$1\r\nd\r\n");
    served(0, "bl", BLOCK_OP_LIST_MOVE, 0, 1, "dst", "$1\r\nb\r\n");
    fixture_write_commit();
    expect_stream(SEL0 "*6\r\n$5\r\nRPUSH\r\n$2\r\nbl\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n"
                  "*2\r\n$4\r\nLPOP\r\n$2\r\nbl\r\n*2\r\n$4\r\nRPOP\r\n$2\r\nbl\r\n"
                  "*5\r\n$5\r\nLMOVE\r\n$2\r\nbl\r\n$3\r\ndst\r\n$4\r\nleft\r\n$5\r\nright\r\n");
    undo_begin();                               /* BZPOPMAX, BZMPOP MIN COUNT 2 */
    served(0, "bz", BLOCK_OP_ZSET_POP, 1, 0, NULL, "*3\r\n$2\r\nbz\r\n$1\r\nd\r\n$1\r\n4\r\n");
    served(0, "bz", BLOCK_OP_ZSET_MPOP, 0, 0, NULL,
           "*2\r\n$2\r\nbz\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n");
    served(0, "bl2", BLOCK_OP_LIST_MPOP, 1, 0, NULL,   /* COUNT 5, 3 there */
           "*2\r\n$3\r\nbl2\r\n*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n");
    served(0, "bl3", BLOCK_OP_LIST_MPOP, 0, 0, NULL, "*2\r\n$3\r\nbl3\r\n*1\r\n$1\r\na\r\n");
    fixture_write_commit();
    expect_stream("*2\r\n$7\r\nZPOPMAX\r\n$2\r\nbz\r\n*3\r\n$7\r\nZPOPMIN\r\n$2\r\nbz\r\n$1\r\n2\r\n"
                  "*3\r\n$4\r\nRPOP\r\n$3\r\nbl2\r\n$1\r\n3\r\n*3\r\n$4\r\nLPOP\r\n$3\r\nbl3\r\n$1\r\n1\r\n");
}
END_TEST

/* ---- rolled back ---- */

START_TEST(test_rolled_back_script)
{
    CALL("SET", "x", "y");
    uint64_t head = repl_stream_offset();
    S("set", "a", "1");
    S("oom");
    CALL("eval");                                /* its first write was waiting */
    ck_assert_uint_eq(repl_stream_offset(), head);
    script.n = 0;
    S("set", "a", "1");
    S("set", "b", "1");
    S("oom");
    CALL("eval");                                /* MULTI and two writes were in the ring */
    ck_assert_uint_eq(repl_stream_offset(), head);
    script.n = 0;
    Q("set", "a", "1");
    Q("set", "b", "1");
    Q("oom");
    CALL("exec");                                /* rolled back by the dispatcher's guard */
    ck_assert_uint_eq(repl_stream_offset(), head);
    tx.n = 0;
    ck_assert_ptr_null(db_peek(db_get(0), "a", 1));
    mark = head;
    CALL("SET", "c", "3");                       /* nothing stale: no MULTI, no EXEC */
    Q("SET", "d", "4");
    CALL("exec");
    expect_stream("*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n3\r\n*3\r\n$3\r\nSET\r\n$1\r\nd\r\n$1\r\n4\r\n");
}
END_TEST

static jmp_buf crash_env;
static void crash_jump(void) { longjmp(crash_env, 1); }

/* A unit stopped at every undo record (a worker killed at any instruction that logs):
 * after the rollback, the stream is as before and the next unit is whole. */
START_TEST(test_killed_at_every_step)
{
    CALL("SET", "x", "y");
    uint64_t head = repl_stream_offset();
    volatile long n;
    for (n = 0;; n++) {
        Q("SET", "a", "1");
        Q_DB(1, "INCRBYFLOAT", "f", "1.5");
        Q("SPOP", "nos");
        Q("DEL", "x");
        undo_test_crash_after(n, crash_jump);
        if (setjmp(crash_env) == 0) {
            CALL("exec");
            undo_test_crash_after(-1, NULL);
            break;
        }
        fixture_write_rollback();
        call_abort_to(0);
        undo_guard = NULL;
        tx.n = 0;
        ck_assert_uint_eq(repl_stream_offset(), head);
        ck_assert_int_eq(repl_stream_db(), 0);
    }
    ck_assert_int_ge(n, 5);
    mark = head;
    expect_stream(MULTI "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n"
                  "*4\r\n$3\r\nSET\r\n$1\r\nf\r\n$3\r\n1.5\r\n$7\r\nKEEPTTL\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
                  "*2\r\n$3\r\nDEL\r\n$1\r\nx\r\n" EXEC);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("propagate");
    TCase *tc = tcase_create("stream");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_plain_writes_and_select);
    tcase_add_test(tc, test_set_with_expire);
    tcase_add_test(tc, test_expire_family);
    tcase_add_test(tc, test_getex);
    tcase_add_test(tc, test_float_increments);
    tcase_add_test(tc, test_spop);
    tcase_add_test(tc, test_getdel_and_blocking_forms);
    tcase_add_test(tc, test_propagated_unchanged);
    tcase_add_test(tc, test_transactions);
    tcase_add_test(tc, test_scripts);
    tcase_add_test(tc, test_script_in_transaction);
    tcase_add_test(tc, test_nothing_fed_without_a_reader);
    tcase_add_test(tc, test_expired_keys);
    tcase_add_test(tc, test_served_later);
    tcase_add_test(tc, test_rolled_back_script);
    tcase_add_test(tc, test_killed_at_every_step);
    suite_add_tcase(s, tc);
    return fixture_run_suite(s);
}
