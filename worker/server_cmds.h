/* worker/server_cmds.h - the command tables the worker itself implements (they need
 * the client or the worker: connection, server, introspection commands). */
#ifndef WORKER_SERVER_CMDS_H
#define WORKER_SERVER_CMDS_H
#include "types/command.h"

extern const struct command connection_commands[];  /* cmd_connection.c */
extern const struct command server_commands[];      /* cmd_server.c */
extern const struct command info_commands[];        /* cmd_info.c: INFO */
extern const struct command config_commands[];      /* cmd_config.c: CONFIG */
extern const struct command command_commands[];     /* cmd_command.c: COMMAND */
extern const struct command client_commands[];      /* cmd_client.c: CLIENT */

/* Version we answer as (HELLO, INFO): the Redis release whose behaviour we follow. */
#define FERROUS_REDIS_VERSION "7.0.15"
#define FERROUS_VERSION "0.1.0"

/* Validates a client name (CLIENT SETNAME, HELLO SETNAME); replies and returns 0
 * when it has spaces or special characters. */
int client_name_valid(struct cmd_ctx *c, const char *name, size_t len);
void client_set_name(struct cmd_ctx *c, const char *name, size_t len);

/* Replies a container's HELP text as Redis does: "<NAME> <subcommand> [<arg> [value]
 * [opt] ...]. Subcommands are:", the NULL-terminated lines, then HELP's own entry
 * (cmd_command.c).  c->cmd is the HELP subcommand. */
void server_reply_help(struct cmd_ctx *c, const char *const *lines);
#endif
