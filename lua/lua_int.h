/* lua/lua_int.h - what the files of lua/ share about the worker's Lua state and the
 * script now running in it.  Not for use outside lua/.
 *
 * One Lua state per worker process (lstate), created at worker start.  A script runs
 * inside the calling command (EVAL, FCALL...) with the keyspace lock held; lrun points
 * at its run context while it runs and is NULL otherwise, so redis.call knows which
 * database, protocol and permissions apply. */
#ifndef LUA_LUA_INT_H
#define LUA_LUA_INT_H

#include <lua.h>
#include <stdint.h>
#include "proto/reply.h"
#include "types/command.h"

/* Script flags: the shebang's (#!lua flags=...); SF_EVAL_COMPAT for a script without
 * shebang (Redis's legacy EVAL rules: writes allowed, no flag checks). */
enum {
    SF_NO_WRITES = 1 << 0, SF_ALLOW_OOM = 1 << 1, SF_ALLOW_STALE = 1 << 2, SF_NO_CLUSTER = 1 << 3,
    SF_ALLOW_CROSS_SLOT = 1 << 4, SF_EVAL_COMPAT = 1 << 5,
};

struct lrun {
    struct cmd_ctx *caller;         /* EVAL's (or FCALL's) context: reply, dirty, client */
    struct db *db;                  /* the script's database (SELECT inside changes it) */
    int dbid;
    int resp;                       /* protocol of redis.call replies (redis.setresp) */
    int read_only;                  /* EVAL_RO, FCALL_RO, or the no-writes flag */
    int oom_first_write;            /* over maxmemory at the start of a script without flags:
                                     * its first write may not be a deny-oom one (Redis) */
    int is_eval;                    /* EVAL* (vs FCALL*) */
    const char *name;               /* sha1 or function name, for error messages */
};

extern lua_State *lstate;
extern struct lrun *lrun;
extern uint64_t lrun_count;                 /* runs so far (script_gc_tick's clock) */

/* lua_env.c: a new sandboxed state (libraries, redis.*, read-only globals). */
lua_State *lenv_create(void);
/* Makes the table at idx read-only for scripts: replaces it by a proxy, which is
 * left on the top of the stack. */
void lenv_readonly_proxy(lua_State *L, int idx);

/* __newindex of read-only tables: raises "Attempt to modify a readonly table". */
int lenv_ro_newindex(lua_State *L);

/* lua_api.c: fills the table on the top of the stack with redis.* functions. */
void lapi_fill(lua_State *L);
/* Nonzero (an undo_abort_reason) when a command of the running script aborted the
 * write, which is then already rolled back; reset before each run. */
int lapi_aborted(void);
void lapi_reset_aborted(void);
/* Pushes an error table {err="CODE msg"} as Redis builds one from "msg" or "-CODE msg". */
void lapi_push_error(lua_State *L, const char *msg, size_t len);
/* Writes msg as the error reply made from the error table at idx: an error of a
 * redis.call, already counted, is not counted again (types/call.h). */
void lapi_reply_error(lua_State *L, int idx, struct reply *r, const char *msg);

/* lua_resp.c: pushes the Lua value of the RESP reply at p; returns the byte after it. */
const char *lresp_push(lua_State *L, const char *p);

/* lua_reply.c: writes the value at the top of L's stack as a reply (Redis's rules);
 * lua_resp is the script's redis.setresp protocol (it decides how booleans go). */
void lreply_write(lua_State *L, struct reply *r, int lua_resp);

/* lua_run.c: runs the function on the top of the stack (popped) for the caller's
 * command and writes its result or error into c->reply.  args: argv[first..argc), of
 * which the first nkeys are keys; as_globals: KEYS/ARGV globals (EVAL) rather than
 * two table arguments (FCALL). */
void lrun_exec(lua_State *L, struct lrun *run, int first, int nkeys, int as_globals);

/* lua_run.c: checks EVAL's / FCALL's numkeys (argv[2]); replies and returns -1 when
 * invalid (not_int: the error for a non-integer, NULL for the standard one). */
int lrun_numkeys(struct cmd_ctx *c, int *nkeys, const char *not_int);

/* eval.c: parses a shebang; 0 ok with *flags, -1 with an error message in err. */
int lscript_shebang(const char *body, size_t len, int *flags, char *err, size_t errlen);
/* Compiles body as chunk name (e.g. "@user_script"), shebang line kept as a comment;
 * pushes the function, or returns -1 with Lua's message pushed. */
int lscript_compile(lua_State *L, const char *body, size_t len, const char *chunk);

/* eval.c: the EVAL* and SCRIPT commands. */
extern const struct command eval_commands[];

/* Registry keys of the worker's private tables. */
#define LREG_SCRIPTS "ferrous.scripts"      /* sha -> compiled function */
#define LREG_SFLAGS "ferrous.sflags"        /* sha -> script flags */
#define LREG_RO "ferrous.ro"                /* read-only proxy -> real table */
#define LREG_G "ferrous.G"                  /* the real globals table */
#endif
