/* lua/eval.c - EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (LOAD EXISTS FLUSH KILL
 * HELP).
 *
 * Bodies are kept in the arena's script cache (lua/script_cache.h), so a script loaded
 * on one worker runs on all; each worker compiles a body the first time it runs it and
 * keeps the function (and the shebang's flags) in its private registry tables, which
 * it empties when the arena's generation number (bumped by SCRIPT FLUSH) moved, then
 * collecting the garbage at once: Lua's collector, left to itself, would wait for the
 * heap to double again before it frees the flushed scripts. */
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "lua/lua_int.h"
#include "lua/script_cache.h"
#include "lua/script_run.h"
#include "lua/sha1.h"
#include "shm/undo.h"
#include "types/maxmemory.h"
#include "util/numconv.h"

static uint64_t seen_generation;

/* ---- shebang and compilation ---- */

static const struct { const char *name; int flag; } shebang_flags[] = {
    { "no-writes", SF_NO_WRITES }, { "allow-oom", SF_ALLOW_OOM }, { "allow-stale", SF_ALLOW_STALE },
    { "no-cluster", SF_NO_CLUSTER }, { "allow-cross-slot-keys", SF_ALLOW_CROSS_SLOT }, { NULL, 0 },
};

/* One comma-separated flag of flags=...; 0 ok. */
static int parse_flag(const char *p, size_t n, int *flags, char *err, size_t errlen)
{
    for (int i = 0; shebang_flags[i].name; i++)
        if (strlen(shebang_flags[i].name) == n && memcmp(shebang_flags[i].name, p, n) == 0) {
            *flags |= shebang_flags[i].flag;
            return 0;
        }
    snprintf(err, errlen, "ERR Unexpected flag in script shebang: %.*s", (int)n, p);
    return -1;
}

static int parse_option(const char *p, size_t n, int *flags, char *err, size_t errlen)
{
    if (n < 6 || memcmp(p, "flags=", 6) != 0) {
        snprintf(err, errlen, "ERR Unknown lua shebang option: %.*s", (int)n, p);
        return -1;
    }
    for (size_t i = 6; i < n;) {
        size_t j = i;
        while (j < n && p[j] != ',')
            j++;
        if (j > i && parse_flag(p + i, j - i, flags, err, errlen) < 0)
            return -1;
        i = j + 1;
    }
    return 0;
}

int lscript_shebang(const char *body, size_t len, int *flags, char *err, size_t errlen)
{
    *flags = 0;
    if (len < 2 || body[0] != '#' || body[1] != '!') {
        *flags = SF_EVAL_COMPAT;
        return 0;
    }
    const char *nl = memchr(body, '\n', len);
    size_t end = nl ? (size_t)(nl - body) : len;
    size_t i = 0;
    for (int word = 0; i < end; word++) {
        while (i < end && body[i] == ' ')
            i++;
        size_t j = i;
        while (j < end && body[j] != ' ')
            j++;
        if (word == 0 && !(j - i == 5 && memcmp(body + i, "#!lua", 5) == 0)) {
            snprintf(err, errlen, "ERR Unexpected engine in script shebang: %.*s", (int)(j - i), body + i);
            return -1;
        }
        if (word > 0 && j > i && parse_option(body + i, j - i, flags, err, errlen) < 0)
            return -1;
        i = j;
    }
    return 0;
}

int lscript_compile(lua_State *L, const char *body, size_t len, const char *chunk)
{
    int rc;
    if (len >= 2 && body[0] == '#' && body[1] == '!') {
        char *copy = malloc(len);
        memcpy(copy, body, len);
        copy[0] = copy[1] = '-';            /* the shebang becomes a comment */
        rc = luaL_loadbuffer(L, copy, len, chunk);
        free(copy);
    } else {
        rc = luaL_loadbuffer(L, body, len, chunk);
    }
    return rc ? -1 : 0;
}

/* ---- the private compiled cache ---- */

/* In front of the registry tables: compiled functions by sha in a direct-mapped table
 * of registry references, so an EVALSHA that hits costs a compare instead of
 * interning its sha as a Lua string twice.  Emptied with the tables. */
#define FAST_SLOTS 64
static struct fast_entry {
    char sha[40];
    int ref;                                /* 0: empty */
    int flags;
} fast[FAST_SLOTS];

static struct fast_entry *fast_slot(const char *sha)
{
    unsigned h = 0;
    for (int i = 0; i < 4; i++)
        h = h * 31 + (unsigned char)sha[i];
    return &fast[h % FAST_SLOTS];
}

static void fast_clear(lua_State *L)
{
    for (int i = 0; i < FAST_SLOTS; i++)
        if (fast[i].ref) {
            luaL_unref(L, LUA_REGISTRYINDEX, fast[i].ref);
            fast[i].ref = 0;
        }
}

/* Pushes the function of sha if the table has it. */
static int fast_find(lua_State *L, const char *sha, int *flags)
{
    struct fast_entry *e = fast_slot(sha);
    if (!e->ref || memcmp(e->sha, sha, 40) != 0)
        return 0;
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->ref);
    *flags = e->flags;
    return 1;
}

/* Remembers the function on the top of the stack (left there) for sha. */
static void fast_put(lua_State *L, const char *sha, int flags)
{
    struct fast_entry *e = fast_slot(sha);
    if (e->ref)
        luaL_unref(L, LUA_REGISTRYINDEX, e->ref);
    lua_pushvalue(L, -1);
    e->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    memcpy(e->sha, sha, 40);
    e->flags = flags;
}

static void sync_generation(lua_State *L)
{
    uint64_t gen = scache_shared()->generation;
    if (gen == seen_generation)
        return;
    fast_clear(L);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LREG_SCRIPTS);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LREG_SFLAGS);
    seen_generation = gen;
    lua_gc(L, LUA_GCCOLLECT, 0);            /* the flushed functions: Redis frees its state */
}

/* Pushes the compiled function of sha and sets *flags; 0 if not compiled here. */
static int find_compiled(lua_State *L, const char *sha, int *flags)
{
    lua_getfield(L, LUA_REGISTRYINDEX, LREG_SFLAGS);
    lua_getfield(L, -1, sha);
    *flags = (int)lua_tonumber(L, -1);
    lua_pop(L, 2);
    lua_getfield(L, LUA_REGISTRYINDEX, LREG_SCRIPTS);
    lua_getfield(L, -1, sha);
    lua_replace(L, -2);
    if (lua_isfunction(L, -1))
        return 1;
    lua_pop(L, 1);
    return 0;
}

static void remember(lua_State *L, const char *sha, int flags)
{
    lua_getfield(L, LUA_REGISTRYINDEX, LREG_SCRIPTS);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, sha);
    lua_pop(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, LREG_SFLAGS);
    lua_pushnumber(L, flags);
    lua_setfield(L, -2, sha);
    lua_pop(L, 1);
}

/* Compiles body for sha and pushes the function; on error replies and returns -1. */
static int compile_body(struct cmd_ctx *c, const char *sha, const char *body, size_t len, int *flags)
{
    char err[256];
    if (lscript_shebang(body, len, flags, err, sizeof(err)) < 0) {
        reply_error(c->reply, err);
        return -1;
    }
    if (lscript_compile(lstate, body, len, "@user_script") < 0) {
        reply_errorf(c->reply, "ERR Error compiling script (new function): %s", lua_tostring(lstate, -1));
        lua_pop(lstate, 1);
        return -1;
    }
    remember(lstate, sha, *flags);
    return 0;
}

/* Adds body to the arena's cache unless it is there. */
static void cache_body(const char *sha, const char *body, size_t len)
{
    struct script_shared *s = scache_shared();
    if (!scache_find(&s->scripts, sha, 40))
        scache_put(&s->scripts, sha, 40, body, len);
}

/* ---- EVAL family ---- */

#define BYTES(b) (0x0101010101010101ULL * (b))

/* The 8 bytes of w with ASCII 'A'..'Z' lowered, the others kept: a byte's high bit
 * says whether its low 7 bits are >= 'A', > 'Z', and whether it is ASCII at all. */
static uint64_t lower8(uint64_t w)
{
    uint64_t low7 = w & BYTES(0x7f);
    uint64_t ge_a = low7 + BYTES(0x80 - 'A');
    uint64_t gt_z = low7 + BYTES(0x80 - 'Z' - 1);
    uint64_t upper = ge_a & ~gt_z & ~w & BYTES(0x80);
    return w | upper >> 2;                  /* 0x80 >> 2 = 0x20 */
}

/* argv[i] as a cache key: a sha of 40 characters in lowercase, or "" for any other
 * length. */
static void sha_arg(const struct cmd_ctx *c, int i, char sha[41])
{
    sha[0] = '\0';
    if (c->argvlen[i] != 40)
        return;
    for (int j = 0; j < 40; j += 8) {
        uint64_t w;
        memcpy(&w, c->argv[i] + j, 8);
        w = lower8(w);
        memcpy(sha + j, &w, 8);
    }
    sha[40] = '\0';
}

/* Pushes the function for EVAL (body in argv[1]) or EVALSHA (sha in argv[1]). */
static int load_function(struct cmd_ctx *c, int by_sha, char sha[41], int *flags)
{
    if (by_sha) {
        sha_arg(c, 1, sha);
    } else {
        sha1_hex(c->argv[1], c->argvlen[1], sha);
    }
    if (sha[0] && fast_find(lstate, sha, flags))
        return 0;
    if (sha[0] && find_compiled(lstate, sha, flags)) {
        fast_put(lstate, sha, *flags);
        return 0;
    }
    if (!by_sha) {
        if (compile_body(c, sha, c->argv[1], c->argvlen[1], flags) < 0)
            return -1;
        cache_body(sha, c->argv[1], c->argvlen[1]);
        fast_put(lstate, sha, *flags);
        return 0;
    }
    struct script_body *b = sha[0] ? scache_find(&scache_shared()->scripts, sha, 40) : NULL;
    if (!b) {
        reply_error(c->reply, "NOSCRIPT No matching script. Please use EVAL.");
        return -1;
    }
    if (compile_body(c, sha, script_body_code(b), b->len, flags) < 0)
        return -1;
    fast_put(lstate, sha, *flags);
    return 0;
}

static void eval_generic(struct cmd_ctx *c, int by_sha, int ro)
{
    int nkeys, flags;
    char sha[41];
    if (lrun_numkeys(c, &nkeys, NULL) < 0)
        return;
    sync_generation(lstate);
    if (load_function(c, by_sha, sha, &flags) < 0)
        return;
    int oom = maxmemory_exceeded();
    if (oom && !(flags & (SF_EVAL_COMPAT | SF_NO_WRITES | SF_ALLOW_OOM))) {
        lua_pop(lstate, 1);
        reply_error(c->reply, MAXMEMORY_OOM_ERROR);
        return;
    }
    if (ro && !(flags & (SF_EVAL_COMPAT | SF_NO_WRITES))) {
        lua_pop(lstate, 1);
        reply_error(c->reply, "ERR Can not execute a script with write flag using *_ro command.");
        return;
    }
    struct lrun run = {
        .caller = c, .db = c->db, .dbid = c->dbid, .resp = 2, .read_only = ro || (flags & SF_NO_WRITES),
        .oom_first_write = oom && (flags & SF_EVAL_COMPAT), .is_eval = 1, .name = sha,
    };
    lrun_exec(lstate, &run, 3, nkeys, 1);
}

/* EVAL script numkeys [key ...] [arg ...] */
static void eval_command(struct cmd_ctx *c) { eval_generic(c, 0, 0); }
/* EVALSHA sha1 numkeys [key ...] [arg ...] */
static void evalsha_command(struct cmd_ctx *c) { eval_generic(c, 1, 0); }
/* EVAL_RO script numkeys [key ...] [arg ...] */
static void eval_ro_command(struct cmd_ctx *c) { eval_generic(c, 0, 1); }
/* EVALSHA_RO sha1 numkeys [key ...] [arg ...] */
static void evalsha_ro_command(struct cmd_ctx *c) { eval_generic(c, 1, 1); }

/* ---- SCRIPT ---- */

/* SCRIPT LOAD script */
static void script_load_command(struct cmd_ctx *c)
{
    char sha[41];
    int flags;
    sha1_hex(c->argv[2], c->argvlen[2], sha);
    sync_generation(lstate);
    if (!find_compiled(lstate, sha, &flags)) {
        if (compile_body(c, sha, c->argv[2], c->argvlen[2], &flags) < 0)
            return;
    }
    lua_pop(lstate, 1);
    cache_body(sha, c->argv[2], c->argvlen[2]);
    reply_bulk(c->reply, sha, 40);
}

/* SCRIPT EXISTS sha1 [sha1 ...] */
static void script_exists_command(struct cmd_ctx *c)
{
    reply_array(c->reply, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        char sha[41];
        sha_arg(c, i, sha);
        reply_int(c->reply, sha[0] && scache_find(&scache_shared()->scripts, sha, 40) ? 1 : 0);
    }
}

/* SCRIPT FLUSH [ASYNC|SYNC] */
static void script_flush_command(struct cmd_ctx *c)
{
    if (c->argc > 3 || (c->argc == 3 && !arg_is(c, 2, "sync") && !arg_is(c, 2, "async"))) {
        reply_error(c->reply, "ERR SCRIPT FLUSH only support SYNC|ASYNC option");
        return;
    }
    struct script_shared *s = scache_shared();
    scache_clear(&s->scripts);
    UNDO_SET(s->generation, s->generation + 1);
    reply_ok(c->reply);
}

/* SCRIPT KILL (without the lock: the script to kill holds it) */
static void script_kill_command(struct cmd_ctx *c) { srun_kill_reply(c->reply, 1); }

static const char *const script_help_lines[] = {
    "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DEBUG (YES|SYNC|NO)",
    "    Set the debug mode for subsequent scripts executed.",
    "EXISTS <sha1> [<sha1> ...]",
    "    Return information about the existence of the scripts in the script cache.",
    "FLUSH [ASYNC|SYNC]",
    "    Flush the Lua scripts cache. Very dangerous on replicas.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the scripts cache.",
    "    * SYNC: Synchronously flush the scripts cache.",
    "KILL",
    "    Kill the currently executing Lua script.",
    "LOAD <script>",
    "    Load a script into the scripts cache without executing it.",
    "HELP",
    "    Prints this help.",
    NULL,
};

/* SCRIPT HELP */
static void script_help_command(struct cmd_ctx *c)
{
    long n = 0;
    while (script_help_lines[n])
        n++;
    reply_array(c->reply, n);
    for (long i = 0; i < n; i++)
        reply_status(c->reply, script_help_lines[i]);
}

#define EVAL_FLAGS (CMD_NOSCRIPT | CMD_SKIP_MONITOR | CMD_MAY_REPLICATE | CMD_STALE)
#define EVAL_RO_FLAGS (CMD_NOSCRIPT | CMD_SKIP_MONITOR | CMD_STALE | CMD_READONLY)
#define EVALCMD(name, proc, flags, since, summary) \
    { name, proc, -3, flags, 0, 0, 0, "scripting", since, summary, "Depends on the script that is executed.", \
      "@slow @scripting", NULL, NULL }
#define SCRIPTSUB(name, proc, arity, flags, since, summary, complexity) \
    { name, proc, arity, flags, 0, 0, 0, "scripting", since, summary, complexity, "@slow @scripting", NULL, NULL }

static struct command script_subcommands[] = {
    SCRIPTSUB("load", script_load_command, 3, CMD_NOSCRIPT | CMD_STALE, "2.6.0",
              "Load the specified Lua script into the script cache.", "O(N) with N being the length in bytes of the script body."),
    SCRIPTSUB("exists", script_exists_command, -3, CMD_NOSCRIPT, "2.6.0",
              "Check existence of scripts in the script cache.", "O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation)."),
    SCRIPTSUB("flush", script_flush_command, -2, CMD_NOSCRIPT, "2.6.0", "Remove all the scripts from the script cache.",
              "O(N) with N being the number of scripts in cache"),
    SCRIPTSUB("kill", script_kill_command, 2, CMD_NOSCRIPT | CMD_ALLOW_BUSY | CMD_NOLOCK, "2.6.0",
              "Kill the script currently in execution.", "O(1)"),
    SCRIPTSUB("help", script_help_command, 2, CMD_LOADING | CMD_STALE | CMD_NOLOCK, "5.0.0",
              "Show helpful text about the different subcommands", "O(1)"),
    { 0 }
};

const struct command eval_commands[] = {
    EVALCMD("eval", eval_command, EVAL_FLAGS, "2.6.0", "Execute a Lua script server side"),
    EVALCMD("evalsha", evalsha_command, EVAL_FLAGS, "2.6.0", "Execute a Lua script server side"),
    EVALCMD("eval_ro", eval_ro_command, EVAL_RO_FLAGS, "7.0.0", "Execute a read-only Lua script server side"),
    EVALCMD("evalsha_ro", evalsha_ro_command, EVAL_RO_FLAGS, "7.0.0", "Execute a read-only Lua script server side"),
    { "script", NULL, -2, 0, 0, 0, 0, "scripting", "2.6.0", "A container for Lua scripts management commands",
      "Depends on subcommand.", "@slow", script_subcommands, NULL },
    { 0 }
};
