/* lua/lua_api.c - the redis table scripts see: call, pcall, error_reply, status_reply,
 * sha1hex, log, setresp, set_repl, replicate_commands, breakpoint, debug,
 * acl_check_cmd and the LOG_* / REPL_* / REDIS_VERSION constants, as Redis 7.0 offers
 * them.
 *
 * redis.call runs a command through the command registry, as a client would, with a
 * private reply buffer in the script's protocol, then turns the reply into Lua values
 * (lua_resp.c).  Commands run with no client (ctx.client == NULL): those flagged
 * CMD_NOSCRIPT are refused, and SELECT is run here, changing only the script's db.
 * If a command aborts the write (arena or undo log full), the whole write has been
 * rolled back by then: the script is stopped (uncatchably) and EVAL answers the error. */
#include <lauxlib.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua/lua_int.h"
#include "lua/script_run.h"
#include "lua/sha1.h"
#include "shm/undo.h"
#include "types/call.h"
#include "types/maxmemory.h"
#include "util/log.h"

#define KILLED_MSG "Script killed by user with SCRIPT KILL..."

void lapi_push_error(lua_State *L, const char *msg, size_t len)
{
    const char *code = "ERR", *text = msg;
    size_t clen = 3, tlen = len;
    if (len && msg[0] == '-') {
        const char *sp = memchr(msg, ' ', len);
        if (sp) {
            code = msg + 1;
            clen = (size_t)(sp - msg) - 1;
            text = sp + 1;
        } else {
            text = msg + 1;
        }
        tlen = len - (size_t)(text - msg);
    }
    while (tlen && (text[tlen - 1] == '\r' || text[tlen - 1] == '\n'))
        tlen--;
    lua_newtable(L);
    lua_pushlstring(L, code, clen);
    lua_pushliteral(L, " ");
    lua_pushlstring(L, text, tlen);
    lua_concat(L, 3);
    lua_setfield(L, -2, "err");
}

/* The error of a redis.call / redis.pcall: raised by call, returned by pcall. */
static int fail(lua_State *L, int raise, const char *msg)
{
    lapi_push_error(L, msg, strlen(msg));
    return raise ? lua_error(L) : 1;
}

/* Redis formats number arguments with "%.17g". */
static void number_to_string(lua_State *L, int i)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%.17g", (double)lua_tonumber(L, i));
    lua_pushstring(L, buf);
    lua_replace(L, i);
}

static const char **av;
static size_t *avlen;
static int avcap;

/* Collects the arguments as strings into av/avlen; 0 if one is neither. */
static int collect_args(lua_State *L, int argc)
{
    if (argc > avcap) {
        avcap = argc * 2;
        av = realloc(av, sizeof(*av) * (size_t)avcap);
        avlen = realloc(avlen, sizeof(*avlen) * (size_t)avcap);
        if (!av || !avlen)
            abort();
    }
    for (int i = 1; i <= argc; i++) {
        int t = lua_type(L, i);
        if (t == LUA_TNUMBER)
            number_to_string(L, i);
        else if (t != LUA_TSTRING)
            return 0;
        av[i - 1] = lua_tolstring(L, i, &avlen[i - 1]);
    }
    return 1;
}

/* Commands Redis refuses in scripts whose Ferrous table entry lacks CMD_NOSCRIPT
 * and whose code needs a client. */
static int needs_client(const struct command *cmd) { return strcmp(cmd->name, "quit") == 0; }

/* Why the command may not run from this script; NULL if it may. */
static const char *refusal(const struct command *cmd, int argc)
{
    if (!cmd)
        return "Unknown Redis command called from script";
    if (!command_arity_ok(cmd, argc))
        return "Wrong number of args calling Redis command from script";
    if ((cmd->flags & CMD_NOSCRIPT) || needs_client(cmd))
        return "This Redis command is not allowed from script";
    if ((cmd->flags & CMD_WRITE) && lrun->read_only)
        return "Write commands are not allowed from read-only scripts.";
    return NULL;
}

static int aborted;                         /* the write was rolled back: stop */

int lapi_aborted(void) { return aborted; }
void lapi_reset_aborted(void) { aborted = 0; }

/* Pushes the error table of an error already counted (the reply of a command, or its
 * refusal), marked so that the script returning or raising it does not count it
 * again: Redis 7.0's ignore_error_stats_update field, visible to scripts as there. */
static void push_counted_error(lua_State *L, const char *msg, size_t len)
{
    lapi_push_error(L, msg, len);
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "ignore_error_stats_update");
}

void lapi_reply_error(lua_State *L, int idx, struct reply *r, const char *msg)
{
    if (idx < 0)
        idx = lua_gettop(L) + idx + 1;
    lua_pushliteral(L, "ignore_error_stats_update");
    lua_rawget(L, idx);                     /* raw: no metamethod of a script's table runs */
    int counted = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (counted)
        call_reply_repeated_error(r, msg);
    else
        reply_error(r, msg);
}

/* A refused call: counted as Redis counts it (a rejected call, an error reply of
 * code), then raised (call) or returned (pcall).  why: "-CODE text", or a text that
 * gets code ERR. */
static int refuse(lua_State *L, int raise, const struct command *cmd, const char *code, const char *why)
{
    call_refused(cmd, code, 1);
    push_counted_error(L, why, strlen(why));
    return raise ? lua_error(L) : 1;
}

/* Runs the command through types/call.h with a guard: an aborted write lands here,
 * inside the C function, so the Lua stack unwinds normally through lua_error. */
static void run_command(struct cmd_ctx *ctx)
{
    jmp_buf guard, *saved = undo_guard;
    int level = call_depth();
    undo_guard = &guard;
    int why = setjmp(guard);
    if (why == 0) {
        call_command(ctx);
    } else {
        call_abort_to(level);
        aborted = why;
    }
    undo_guard = saved;
}

/* redis.call / redis.pcall: the command runs as a client's would (types/call.h), with
 * no client; SELECT changes the script's database. */
static int call_generic(lua_State *L, int raise)
{
    static struct reply rep;
    int argc = lua_gettop(L);
    if (aborted || srun_killed())
        return luaL_error(L, aborted ? "the script's write was rolled back" : KILLED_MSG);
    if (argc == 0)
        return fail(L, raise, "Please specify at least one argument for this redis lib call");
    if (!collect_args(L, argc))
        return fail(L, raise, "Lua redis lib command arguments must be strings or integers");
    const struct command *cmd = command_lookup(av[0], avlen[0]);
    if (cmd && cmd->subcommands && argc >= 2)
        cmd = command_lookup_sub(cmd, av[1], avlen[1]);
    const char *why = refusal(cmd, argc);
    if (why)
        return refuse(L, raise, cmd, "ERR", why);
    if (cmd->flags & CMD_WRITE) {
        if ((cmd->flags & CMD_DENYOOM) && lrun->oom_first_write)
            return refuse(L, raise, cmd, "OOM", "-" MAXMEMORY_OOM_ERROR);
        lrun->oom_first_write = 0;
    }
    if ((cmd->flags & CMD_WRITE) && !srun_note_write()) {
        lua_pushstring(L, KILLED_MSG);
        return lua_error(L);
    }
    if (!rep.buf)
        reply_init(&rep, lrun->resp);
    reply_reset(&rep);
    rep.resp = lrun->resp;
    struct cmd_ctx *caller = lrun->caller;
    struct cmd_ctx ctx = {
        .cmd = cmd, .argc = argc, .argv = av, .argvlen = avlen, .reply = &rep, .db = lrun->db,
        .dbid = lrun->dbid, .resp = lrun->resp, .client = NULL, .client_id = caller->client_id,
        .slot = caller->slot, .no_block = 1,
    };
    run_command(&ctx);
    if (aborted)
        return luaL_error(L, "the script's write was rolled back");
    caller->dirty += ctx.dirty;
    lrun->dbid = ctx.dbid;
    lrun->db = ctx.db;
    if (rep.len && rep.buf[0] == '-') {
        push_counted_error(L, rep.buf, rep.len);
        return raise ? lua_error(L) : 1;
    }
    lua_settop(L, 0);
    lresp_push(L, rep.buf);
    return 1;
}

static int api_call(lua_State *L) { return call_generic(L, 1); }
static int api_pcall(lua_State *L) { return call_generic(L, 0); }

/* Errors raised by the helpers below, as Redis's: an error table, no position. */
static int raise_error(lua_State *L, const char *msg)
{
    lapi_push_error(L, msg, strlen(msg));
    return lua_error(L);
}

/* The helpers' argument errors are returned as error tables, not raised. */
static int return_error(lua_State *L, const char *msg)
{
    lapi_push_error(L, msg, strlen(msg));
    return 1;
}

static int api_error_reply(lua_State *L)
{
    if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING)
        return return_error(L, "wrong number or type of arguments");
    size_t len;
    const char *msg = lua_tolstring(L, 1, &len);
    if (len && msg[0] == '-') {
        lapi_push_error(L, msg, len);
        return 1;
    }
    lua_pushliteral(L, "-");
    lua_pushvalue(L, 1);
    lua_concat(L, 2);
    msg = lua_tolstring(L, -1, &len);
    lapi_push_error(L, msg, len);
    return 1;
}

static int api_status_reply(lua_State *L)
{
    if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING)
        return return_error(L, "wrong number or type of arguments");
    lua_newtable(L);
    lua_pushvalue(L, 1);
    lua_setfield(L, -2, "ok");
    return 1;
}

static int api_sha1hex(lua_State *L)
{
    if (lua_gettop(L) != 1)
        return raise_error(L, "wrong number of arguments");
    size_t len;
    const char *s = lua_tolstring(L, 1, &len);
    char hex[41];
    sha1_hex(s ? s : "", s ? len : 0, hex);
    lua_pushstring(L, hex);
    return 1;
}

static int api_log(lua_State *L)
{
    int argc = lua_gettop(L);
    if (argc < 2)
        return raise_error(L, "redis.log() requires two arguments or more.");
    if (!lua_isnumber(L, 1))
        return raise_error(L, "First argument must be a number (log level).");
    int level = (int)lua_tonumber(L, 1);
    if (level < LOG_DEBUG || level > LOG_WARNING)
        return raise_error(L, "Invalid debug level.");
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 2; i <= argc; i++) {
        size_t len;
        const char *s = lua_tolstring(L, i, &len);
        if (i > 2)
            luaL_addchar(&b, ' ');
        if (s)
            luaL_addlstring(&b, s, len);
    }
    luaL_pushresult(&b);
    log_msg(level, "%s", lua_tostring(L, -1));
    return 0;
}

static int api_setresp(lua_State *L)
{
    if (lua_gettop(L) != 1)
        return raise_error(L, "redis.setresp() requires one argument.");
    int resp = (int)lua_tonumber(L, 1);
    if (resp != 2 && resp != 3)
        return raise_error(L, "RESP version must be 2 or 3.");
    lrun->resp = resp;
    return 0;
}

enum { REPL_NONE = 0, REPL_AOF = 1, REPL_REPLICA = 2, REPL_ALL = 3 };

static int api_set_repl(lua_State *L)
{
    if (lua_gettop(L) != 1)
        return raise_error(L, "redis.set_repl() requires two arguments.");
    int flags = (int)lua_tonumber(L, 1);
    if ((flags & ~REPL_ALL) != 0)
        return raise_error(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
    return 0;
}

static int api_true(lua_State *L)
{
    lua_pushboolean(L, 1);
    return 1;
}

static int api_false(lua_State *L)
{
    lua_pushboolean(L, 0);
    return 1;
}

static int api_nothing(lua_State *L) { return 0; }

static int api_acl_check_cmd(lua_State *L)
{
    int argc = lua_gettop(L);
    if (argc < 1 || !collect_args(L, argc))
        return raise_error(L, "Please specify at least one argument for this redis lib call");
    const struct command *cmd = command_lookup(av[0], avlen[0]);
    if (cmd && cmd->subcommands && argc >= 2)
        cmd = command_lookup_sub(cmd, av[1], avlen[1]);
    if (!cmd)
        return raise_error(L, "Invalid command passed to redis.acl_check_cmd()");
    lua_pushboolean(L, 1);
    return 1;
}

void lapi_fill(lua_State *L)
{
    static const luaL_Reg fns[] = {
        { "call", api_call }, { "pcall", api_pcall }, { "error_reply", api_error_reply },
        { "status_reply", api_status_reply }, { "sha1hex", api_sha1hex }, { "log", api_log },
        { "setresp", api_setresp }, { "set_repl", api_set_repl }, { "replicate_commands", api_true },
        { "breakpoint", api_false }, { "debug", api_nothing }, { "acl_check_cmd", api_acl_check_cmd },
        { NULL, NULL },
    };
    for (const luaL_Reg *f = fns; f->name; f++) {
        lua_pushcfunction(L, f->func);
        lua_setfield(L, -2, f->name);
    }
    static const struct { const char *name; int v; } consts[] = {
        { "LOG_DEBUG", LOG_DEBUG }, { "LOG_VERBOSE", LOG_VERBOSE }, { "LOG_NOTICE", LOG_NOTICE },
        { "LOG_WARNING", LOG_WARNING }, { "REPL_NONE", REPL_NONE }, { "REPL_AOF", REPL_AOF },
        { "REPL_SLAVE", REPL_REPLICA }, { "REPL_REPLICA", REPL_REPLICA }, { "REPL_ALL", REPL_ALL },
        { "REDIS_VERSION_NUM", 0x07000f }, { NULL, 0 },
    };
    for (int i = 0; consts[i].name; i++) {
        lua_pushnumber(L, consts[i].v);
        lua_setfield(L, -2, consts[i].name);
    }
    lua_pushliteral(L, "7.0.15");
    lua_setfield(L, -2, "REDIS_VERSION");
}
