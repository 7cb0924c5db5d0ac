/* worker/client_name.c - client names (CLIENT SETNAME, HELLO SETNAME): validation as
 * Redis 7.0 does it, storage in the client's arena registry record. */
#include "worker/registry.h"
#include "worker/server_cmds.h"
#include "worker/worker.h"

int client_name_valid(struct cmd_ctx *c, const char *name, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (name[i] < '!' || name[i] > '~') {
            reply_error(c->reply, "ERR Client names cannot contain spaces, newlines or special characters.");
            return 0;
        }
    return 1;
}

void client_set_name(struct cmd_ctx *c, const char *name, size_t len)
{
    registry_set_name(c->client->record, name, len);
}
