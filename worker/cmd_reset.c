/* worker/cmd_reset.c - CLIENT REPLY and RESET (see cmd_reset.h).
 *
 * The reply switch is two flags of the client: CLIENT_REPLY_OFF until CLIENT REPLY
 * ON, and CLIENT_REPLY_SKIP for one command, armed by CLIENT REPLY SKIP through
 * CLIENT_REPLY_SKIP_NEXT (as Redis's resetClient moves it), so SKIP's own reply and the
 * next command's are both dropped.  Replies are written as usual and cut afterwards:
 * inside EXEC the switch takes effect for the whole EXEC reply, not mid-array.
 */
#include "conf/conf.h"
#include "worker/cmd_pubsub.h"
#include "worker/cmd_reset.h"
#include "worker/monitor.h"
#include "worker/multi.h"
#include "worker/registry.h"
#include "worker/server_cmds.h"
#include "worker/worker.h"

#define REPLY_FLAGS (CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP | CLIENT_REPLY_SKIP_NEXT)

void client_reply_filter(struct client *c, size_t mark)
{
    if (c->flags & CLIENT_BLOCKED)
        return;
    if (c->flags & (CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP))
        c->out.len = mark;
    c->flags &= ~CLIENT_REPLY_SKIP;
    if (c->flags & CLIENT_REPLY_SKIP_NEXT)
        c->flags = (c->flags & ~CLIENT_REPLY_SKIP_NEXT) | CLIENT_REPLY_SKIP;
}

/* CLIENT REPLY ON|OFF|SKIP */
void client_reply_command(struct cmd_ctx *c)
{
    struct client *cl = c->client;
    if (arg_is(c, 2, "on")) {
        cl->flags &= ~(CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP_NEXT);
        reply_ok(c->reply);
    } else if (arg_is(c, 2, "off")) {
        cl->flags |= CLIENT_REPLY_OFF;
    } else if (arg_is(c, 2, "skip")) {
        if (!(cl->flags & CLIENT_REPLY_OFF))
            cl->flags |= CLIENT_REPLY_SKIP_NEXT;
    } else {
        reply_error(c->reply, ERR_SYNTAX);
    }
}

/* RESET: out of MULTI and WATCH, replies on, RESP2, database 0, unnamed, and
 * unauthenticated when a password is required (Redis's clearClientConnectionState). */
static void reset_command(struct cmd_ctx *c)
{
    struct client *cl = c->client;
    multi_reset(cl);
    pubsub_reset_client(c);
    monitor_stop(cl);
    cl->flags &= ~REPLY_FLAGS;
    cl->dbid = 0;
    cl->record->dbid = 0;
    cl->resp = 2;
    cl->out.resp = 2;
    cl->record->resp = 2;
    cl->authenticated = worker_conf()->requirepass[0] == '\0';
    if (cl->record->name)
        client_set_name(c, NULL, 0);
    reply_status(c->reply, "RESET");
}

const struct command reset_commands[] = {
    { "reset", reset_command, 1, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_ALLOW_BUSY,
      0, 0, 0, "connection", "6.2.0", "Reset the connection", "O(1)", "@fast @connection", NULL, NULL },
    { 0 }
};
