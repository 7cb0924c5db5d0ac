/* worker/dispatch.h - running one parsed command for a client: lookup, arity and
 * auth checks, the keyspace lock (taken once per batch, see worker.c), the undo-log
 * write around the command, and statistics. */
#ifndef WORKER_DISPATCH_H
#define WORKER_DISPATCH_H

#include "worker/client.h"

/* Runs the command in c->req.  *locked tells whether this process holds the keyspace
 * lock; dispatch takes it when the command needs it and leaves it held (the caller
 * releases it at the end of the batch). */
void dispatch_command(struct client *c, int *locked);

/* Runs the command in c->req while a script of this worker holds the lock: only
 * commands that need no lock run; the others get -BUSY. */
void dispatch_command_busy(struct client *c);

/* Registers every command table (startup, before forking). */
void dispatch_register_all(void);
#endif
