/* worker/multi.h - transactions: MULTI EXEC DISCARD WATCH UNWATCH (Redis 7.0), and the
 * dispatcher's hooks for them.
 *
 * A client's transaction state (queued commands, the watcher offsets of the keys it
 * watches) is private to its worker (struct multi_state, client->tx); the watchers
 * themselves are in the arena (keyspace/watch.h), so a write on any worker invalidates
 * them.  EXEC runs every queued command inside its own write: one undo_begin/commit
 * and one hold of the keyspace lock for the whole transaction, so no client of any
 * worker sees part of it and a worker killed mid-EXEC leaves nothing of it.
 *
 * Watchers are added inside the WATCH write; they are removed by multi_after_write
 * (EXEC, DISCARD, UNWATCH, RESET only ask for it), in writes of their own, so that a
 * rolled-back write never leaves the private list and the arena disagreeing.
 */
#ifndef WORKER_MULTI_H
#define WORKER_MULTI_H

#include "types/command.h"
#include "worker/client.h"

extern const struct command multi_commands[];

/* Registers the commands and the watch registry's dict type (startup). */
void multi_register(void);

/* A command was refused before it ran (unknown, wrong arity, NOAUTH), its error
 * written at c->out from reply_mark: flags an open transaction so EXEC aborts; a
 * refused EXEC itself discards the transaction and says EXECABORT ... because of:
 * <error>.  May take the keyspace lock (*locked) to drop watched keys. */
void multi_rejected(struct client *c, size_t reply_mark, int *locked);

/* Inside MULTI, queues cmd (the request in c->req) and replies +QUEUED, or refuses a
 * CMD_NO_MULTI command; returns 1 when it did either, 0 when cmd must run now (not in
 * MULTI, or EXEC DISCARD MULTI WATCH QUIT RESET). */
int multi_queue(struct client *c, const struct command *cmd);

/* Whether Redis refuses cmd over maxmemory (processCommand's reject_cmd_on_oom): a
 * deny-oom command, EXEC of a transaction that queued one, and inside MULTI every
 * command but EXEC DISCARD QUIT RESET. */
int multi_denied_when_oom(const struct client *c, const struct command *cmd);
/* After the write of a command ended (committed: 1, rolled back: 0), lock held, no
 * write open: settles the client's private state with the arena (frees an executed or
 * discarded queue, removes the watchers EXEC/DISCARD/UNWATCH/RESET let go, forgets
 * those a rolled-back WATCH added). */
void multi_after_write(struct client *c, int committed);

/* Ends the client's transaction for RESET: MULTI state and watched keys go (the keys
 * at multi_after_write).  Inside RESET's write. */
void multi_reset(struct client *c);

/* True if the client watches keys (disconnecting it needs the lock). */
int multi_watching(const struct client *c);
/* Removes the client's watchers, lock held, no write open (disconnect). */
void multi_unwatch_locked(struct client *c);
/* Frees the client's private transaction state (disconnect, after unwatching). */
void multi_free(struct client *c);
#endif
