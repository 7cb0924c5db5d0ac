/* replication/propagate.h - what goes into the write stream (replication/stream.h),
 * as Redis 7.0's propagate()/alsoPropagate() decide it.
 *
 * Effects are grouped in units, as Redis's also_propagate array: a unit is the
 * outermost call (a client's command, EXEC, EVAL/FCALL) with every call nested in it
 * (EXEC's queued commands, a script's redis.call) and the keys that expired during
 * them.  At the unit's end its effects are appended; more than one is wrapped in
 * MULTI ... EXEC (the SELECT of the first one, if needed, comes before MULTI).  A
 * unit of one effect is appended as it is, straight into the ring; the first effect of
 * a unit that is still running waits in a private buffer until a second one comes or
 * the unit ends.  Effects outside any call (active expiry, clients served after a push
 * made their key ready) are each appended alone.
 *
 * Each effect is a command preceded by SELECT when its database differs from the
 * stream's.  Which commands, and how rewritten: replication/rewrite.h.
 *
 * Nothing is propagated while the stream has no reader (replication/stream.h): the
 * hooks return at once.
 *
 * Rollback: a unit lives inside one write; a write rolled back takes its appended
 * bytes with it (stream.h) and, through the 'unwound' hook, the private buffer.  So a
 * script or transaction that is rolled back (arena full, its worker killed, SHUTDOWN
 * NOSAVE) propagates nothing.
 *
 * State: process-private (the running unit), changed only by the worker holding the
 * keyspace lock inside a write.
 */
#ifndef REPLICATION_PROPAGATE_H
#define REPLICATION_PROPAGATE_H

#include <stddef.h>
#include "keyspace/blocking.h"
#include "types/call.h"

/* The hooks the worker installs in types/call.h's struct call_hooks. */
void repl_propagate_call(const struct cmd_ctx *ctx, const struct call_result *res, int level);
void repl_propagate_unwound(int level);

/* A key of database dbid expired (lazily, by a lookup, or by active expiry) and was
 * deleted: DEL key, or UNLINK key under lazyfree-lazy-expire.  Inside the write. */
void repl_propagate_expired(int dbid, const void *key, size_t klen);

/* A blocked client was served after a write made key ready: the pop it did, as its
 * non-blocking form (spec, dest: the waiter's; reply: the bytes it was sent).  Inside
 * the write. */
void repl_propagate_served(int dbid, const void *key, size_t klen, const struct block_spec *spec,
                           const void *dest, const char *reply, size_t reply_len);
#endif
