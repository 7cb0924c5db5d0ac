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
 * PING, QUIT and RESET: replies the refusal and returns 1 for any other command. */
int pubsub_context_reject(struct client *c, const struct command *cmd);

/* PING of a RESP2 client with subscriptions answers ["pong", message or ""]: replies
 * that and returns 1 then, else 0 (PING answers as usual). */
int pubsub_ping_reply(struct cmd_ctx *c);

/* RESET: drops every subscription of the client, without confirmations.  In a write. */
void pubsub_reset_client(struct cmd_ctx *c);

/* 1 when the client has any subscription (it is in the pubsub output buffer class,
 * and its subscriptions must be dropped when it goes). */
int pubsub_client_subscribed(const struct client *c);
#endif
