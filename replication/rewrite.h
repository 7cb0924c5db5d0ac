/* replication/rewrite.h - Redis 7.0's rules for what a write puts in the write
 * stream: which calls are propagated and how their arguments are rewritten so that a
 * replica (or an AOF reload) applying them reaches the same state at any later time.
 * The rules are all here, in one table (rewrite.c), not in the data-type files.
 *
 * A call is propagated as its arguments when it changed something (ctx->dirty), except:
 *  - never: EXEC, EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, FCALL, FCALL_RO (only the calls
 *    nested in them are);
 *  - even unchanged, when it replied no error: PUBLISH, SPUBLISH (for replicas),
 *    FLUSHALL, FLUSHDB, SWAPDB, FUNCTION LOAD/DELETE/FLUSH/RESTORE;
 *  - rewritten (what redis-server 7.0.15 sends a replica):
 *      SET ... EX|PX|EXAT|PXAT t    SET key value PXAT <the key's expire time>
 *                                   (NX, XX, GET dropped); other SETs as given
 *      SETEX, PSETEX                SET key value PXAT <expire time>
 *      EXPIRE, PEXPIRE, EXPIREAT,   PEXPIREAT key <expire time>; DEL key (UNLINK under
 *      PEXPIREAT, GETEX EX|PX|...   lazyfree-lazy-expire) when a time in the past deleted it
 *      GETEX PERSIST                PERSIST key
 *      GETDEL                       DEL key
 *      INCRBYFLOAT                  SET key <new value> KEEPTTL
 *      HINCRBYFLOAT                 HSET key field <new value>
 *      SPOP key                     SREM key member
 *      SPOP key count               DEL key when it took every member, else one
 *                                   SREM key member per member (several: MULTI/EXEC)
 *      BLPOP, BRPOP                 LPOP|RPOP <the key it popped from>
 *      BZPOPMIN, BZPOPMAX           ZPOPMIN|ZPOPMAX <key>
 *      LMPOP, BLMPOP                LPOP|RPOP <key> <elements popped>
 *      ZMPOP, BZMPOP                ZPOPMIN|ZPOPMAX <key> <elements popped>
 *      BLMOVE, BRPOPLPUSH           LMOVE src dst from to | RPOPLPUSH src dst
 *  - a key expired and deleted: DEL key (UNLINK under lazyfree-lazy-expire);
 *  - a client served after its key became ready: BLPOP/BRPOP as LPOP|RPOP key,
 *    BLMPOP as LPOP|RPOP key <popped>, BZPOPMIN/MAX as ZPOPMIN|ZPOPMAX key, BZMPOP as
 *    ZPOPMIN|ZPOPMAX key <popped>, BLMOVE as LMOVE src dst left|right left|right (the
 *    served BRPOPLPUSH too: its waiter does not record which of the two it was; Redis
 *    sends RPOPLPUSH src dst, the same effect).
 * Values the rewrite needs are read from what the command left: the key's expire time
 * in the keyspace, the new value, popped members and the popped key in its reply (in
 * RESP2 and RESP3 alike) - no command records anything for it.
 */
#ifndef REPLICATION_REWRITE_H
#define REPLICATION_REWRITE_H

#include <stddef.h>
#include "keyspace/blocking.h"
#include "types/call.h"

/* Receives each effect: a command for database dbid. */
typedef void repl_effect_fn(int dbid, int argc, const char *const *argv, const size_t *lens);

/* Hands the effects of a finished call to fn (none, one, or for SPOP with a count
 * several).  Right after the call, inside its write. */
void repl_rewrite_call(const struct cmd_ctx *ctx, const struct call_result *res, repl_effect_fn *fn);
/* 1 when the call may have more than one effect of its own. */
int repl_rewrite_many(const struct cmd_ctx *ctx);

/* The effect of a key that expired (see above). */
void repl_rewrite_expired(int dbid, const void *key, size_t klen, repl_effect_fn *fn);
/* The effect of a blocked client served (see propagate.h: repl_propagate_served). */
void repl_rewrite_served(int dbid, const void *key, size_t klen, const struct block_spec *spec, const void *dest,
                         const char *reply, size_t reply_len, repl_effect_fn *fn);
#endif
