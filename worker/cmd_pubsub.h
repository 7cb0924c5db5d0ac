/* worker/cmd_pubsub.h - the pub/sub commands (SUBSCRIBE ... PUBSUB) and what the
 * worker's loop needs of pub/sub: the subscribed-mode rules and whether a client has
 * subscriptions.  The registry itself is keyspace/pubsub.h; delivery of published
 * messages is the inbox drain in worker.c. */
#ifndef WORKER_CMD_PUBSUB_H
#define WORKER_CMD_PUBSUB_H

#include "types/command.h"
#include "worker/client.h"

/* Registers the commands, the registry's dict type and the source of
 * notify-keyspace-events (startup, before forking). */
void pubsub_register_commands(void);

/* A RESP2 client with subscriptions may only run (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE,
 * PING, QUIT and RESET; PING answers ["pong", msg] there.  Returns 1 when it replied
 * (the refusal, or that PING), 0 when the command runs as usual. */
int pubsub_context_reply(struct client *c, const struct command *cmd);

/* 1 when the client has any subscription (it is in the pubsub output buffer class,
 * and its subscriptions must be dropped when it goes). */
int pubsub_client_subscribed(const struct client *c);
#endif
