/* types/command.h - what a command is, how it is called, and the registry of all
 * commands.  Data-type files (types/t_*.c) and the worker's server commands
 * register tables of struct command; the worker's dispatcher and lua/ look commands
 * up here and call them through the same path (types/call.h).
 *
 * A command procedure runs with the keyspace lock held and a write open
 * (undo_begin .. undo_commit around it), reads its arguments from the context, and
 * answers only through c->reply.  It never touches sockets.
 */
#ifndef TYPES_COMMAND_H
#define TYPES_COMMAND_H

#include <stddef.h>
#include <stdint.h>
#include "keyspace/db.h"
#include "proto/reply.h"

struct client;                      /* the worker's; opaque here */

struct command;

struct cmd_ctx {
    const struct command *cmd;      /* the command (or subcommand) running */
    int argc;
    const char **argv;
    const size_t *argvlen;
    struct reply *reply;
    struct db *db;
    int dbid;
    int resp;                       /* 2 or 3 */
    struct client *client;          /* NULL inside scripts' fake client if any */
    uint64_t dirty;                 /* keys changed by this command (save points) */
    /* blocking (types/block.h): who the client is, whether it may block, and the
     * waiter a blocking command registered (the worker then parks the client) */
    uint64_t client_id;
    int slot;
    int no_block;                   /* MULTI/EXEC, scripts: never block */
    shm_off_t blocked_waiter;
    int64_t block_deadline_ms;      /* 0: no timeout */
    int64_t start_us;               /* the caller's clock reading (db_wall_us) just before
                                       the call, 0: call_run reads the clock itself */
};

typedef void cmd_proc(struct cmd_ctx *c);

/* Command flags (Redis 7.0's names in COMMAND INFO). */
enum {
    CMD_WRITE = 1 << 0, CMD_READONLY = 1 << 1, CMD_DENYOOM = 1 << 2, CMD_ADMIN = 1 << 3,
    CMD_PUBSUB = 1 << 4, CMD_NOSCRIPT = 1 << 5, CMD_BLOCKING = 1 << 6, CMD_LOADING = 1 << 7,
    CMD_STALE = 1 << 8, CMD_SKIP_MONITOR = 1 << 9, CMD_SKIP_SLOWLOG = 1 << 10, CMD_FAST = 1 << 11,
    CMD_NO_AUTH = 1 << 12, CMD_MAY_REPLICATE = 1 << 13, CMD_NO_MULTI = 1 << 14,
    CMD_ALLOW_BUSY = 1 << 15, CMD_SENTINEL = 1 << 16,
    /* Ferrous: runs without the keyspace lock (touches no keyspace: PING, ECHO...) */
    CMD_NOLOCK = 1 << 24,
};

struct command {
    const char *name;               /* lower case */
    cmd_proc *proc;                 /* NULL for a container (CONFIG, CLIENT...) */
    int arity;                      /* Redis convention: -N means >= N */
    uint32_t flags;
    int first_key, last_key, key_step;
    const char *group;              /* "string", "generic", "server", "connection", ... */
    const char *since;
    const char *summary;
    const char *complexity;
    const char *acl_categories;     /* e.g. "@write @string @slow" */
    struct command *subcommands;    /* NULL-name terminated, for containers; not const:
                                       command_register sets their parent */
    const struct command *parent;   /* set by the registry for subcommands */
};

/* Registers a NULL-name terminated table (startup, before forking). */
void command_register(const struct command *table);
/* Looks up by name, case-insensitively; NULL if unknown. */
const struct command *command_lookup(const char *name, size_t len);
/* Subcommand of a container, case-insensitively; NULL if unknown. */
const struct command *command_lookup_sub(const struct command *parent, const char *name, size_t len);
/* Iterates all top-level commands: fn returns nothing; order is registration order. */
void command_foreach(void (*fn)(const struct command *cmd, void *arg), void *arg);
size_t command_count(void);
/* A dense number for every registered command and subcommand, 0 .. command_index_count()
 * - 1, in registration order (a command, then its subcommands): per-command statistics
 * are arrays indexed by it.  The same in every process forked after registration;
 * SIZE_MAX for a command that was never registered. */
size_t command_index(const struct command *cmd);
const struct command *command_by_index(size_t i);
size_t command_index_count(void);
/* Full name for errors and stats: "get", "config|get". */
void command_fullname(const struct command *cmd, char *buf, size_t len);
int command_arity_ok(const struct command *cmd, int argc);

/* Helpers every command uses. */
int arg_is(const struct cmd_ctx *c, int i, const char *word);   /* case-insensitive */
/* Parses argv[i] as an integer; on failure replies the error (msg or ERR_NOT_INT)
 * and returns 0. */
int arg_ll(struct cmd_ctx *c, int i, long long *out, const char *msg);
int arg_double(struct cmd_ctx *c, int i, double *out, const char *msg);
void reply_wrong_arity(struct reply *r, const char *fullname);
#endif
