/* types/block.h - what blocking commands (BLPOP, BZPOPMIN, ...) call when they
 * cannot be served at once: park the client on its keys (keyspace/blocking.h).
 * The command itself stays in its type's file; the worker sees ctx->blocked_waiter
 * and stops reading the client until its reply comes through its inbox or the
 * deadline passes. */
#ifndef TYPES_BLOCK_H
#define TYPES_BLOCK_H

#include "keyspace/blocking.h"
#include "types/command.h"

/* Parses a timeout in seconds (float) at argv[argi] into an absolute deadline in ms
 * (0 = forever); replies "ERR timeout is not a float or out of range" /
 * "ERR timeout is negative" and returns 0 on error. */
int block_parse_timeout(struct cmd_ctx *c, int argi, int64_t *deadline_ms);

/* Blocks the client on nkeys keys (argv[first_key], every key_step-th) until the
 * deadline.  When the context may not block (MULTI, scripts) it replies what Redis
 * replies there instead (a null array, or a null bulk when null_bulk: BLMOVE and
 * BRPOPLPUSH) and returns 0. */
int block_client(struct cmd_ctx *c, int first_key, int nkeys, int key_step, int64_t deadline_ms,
                 const struct block_spec *spec, const void *dest, int null_bulk);

/* Writes the reply a blocked client gets on timeout (a null array, for every
 * blocking command in Redis 7.0). */
void block_reply_timeout(struct reply *r);
#endif
