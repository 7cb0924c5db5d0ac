/* worker/cmd_reset.h - a connection's reply switch (CLIENT REPLY ON|OFF|SKIP) and
 * RESET, which puts the connection back in the state it had when it connected. */
#ifndef WORKER_CMD_RESET_H
#define WORKER_CMD_RESET_H

#include <stddef.h>
#include "types/command.h"
#include "worker/client.h"

extern const struct command reset_commands[];     /* RESET */

/* CLIENT REPLY ON|OFF|SKIP: a CLIENT subcommand (cmd_client.c's table). */
void client_reply_command(struct cmd_ctx *c);

/* After a command (or a blocked client's late reply) wrote its reply into c->out from
 * mark: drops it under CLIENT REPLY OFF or SKIP, and turns a SKIP asked by this command
 * into the next one's.  Does nothing while the client is blocked (its reply is still
 * to come). */
void client_reply_filter(struct client *c, size_t mark);
#endif
