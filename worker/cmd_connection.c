/* worker/cmd_connection.c - connection commands: PING ECHO QUIT SELECT AUTH HELLO.
 * They change only the calling client's state, so most run without the keyspace
 * lock (CMD_NOLOCK); HELLO SETNAME writes the name into the arena registry. */
#include <string.h>

#include "conf/conf.h"
#include "util/numconv.h"
#include "worker/cmd_pubsub.h"
#include "worker/registry.h"
#include "worker/server_cmds.h"
#include "worker/worker.h"

/* PING [message] */
static void ping_command(struct cmd_ctx *c)
{
    if (c->argc > 2) {
        reply_wrong_arity(c->reply, "ping");
        return;
    }
    if (pubsub_ping_reply(c))
        return;
    if (c->argc == 2)
        reply_bulk(c->reply, c->argv[1], c->argvlen[1]);
    else
        reply_status(c->reply, "PONG");
}

/* ECHO message */
static void echo_command(struct cmd_ctx *c) { reply_bulk(c->reply, c->argv[1], c->argvlen[1]); }

/* QUIT */
static void quit_command(struct cmd_ctx *c)
{
    reply_ok(c->reply);
    c->client->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

/* SELECT index */
static void select_command(struct cmd_ctx *c)
{
    long long id;
    if (!arg_ll(c, 1, &id, NULL))
        return;
    if (id < 0 || id >= db_count()) {
        reply_error(c->reply, ERR_DB_INDEX);
        return;
    }
    c->dbid = (int)id;                      /* a script's call: the script's database */
    c->db = db_get((int)id);
    if (c->client) {
        c->client->dbid = (int)id;
        c->client->record->dbid = (int32_t)id;
    }
    reply_ok(c->reply);
}

/* Checks user/password against requirepass (the default user is the only user). */
static int password_ok(const char *user, size_t ulen, const char *pass, size_t plen)
{
    const char *want = worker_conf()->requirepass;
    if (user && !(ulen == 7 && memcmp(user, "default", 7) == 0))
        return 0;
    return strlen(want) == plen && memcmp(want, pass, plen) == 0;
}

/* AUTH [username] password */
static void auth_command(struct cmd_ctx *c)
{
    if (c->argc > 3) {
        reply_error(c->reply, ERR_SYNTAX);
        return;
    }
    if (c->argc == 2 && !worker_conf()->requirepass[0]) {
        reply_error(c->reply, "ERR AUTH <password> called without any password configured for the "
                              "default user. Are you sure your configuration is correct?");
        return;
    }
    int user = c->argc == 3;
    if (!password_ok(user ? c->argv[1] : NULL, user ? c->argvlen[1] : 0,
                     c->argv[c->argc - 1], c->argvlen[c->argc - 1])) {
        reply_error(c->reply, "WRONGPASS invalid username-password pair or user is disabled.");
        return;
    }
    c->client->authenticated = 1;
    reply_ok(c->reply);
}

static void hello_reply(struct cmd_ctx *c)
{
    struct reply *r = c->reply;
    reply_map(r, 7);
    reply_bulk_cstr(r, "server");
    reply_bulk_cstr(r, "redis");
    reply_bulk_cstr(r, "version");
    reply_bulk_cstr(r, FERROUS_REDIS_VERSION);
    reply_bulk_cstr(r, "proto");
    reply_int(r, c->client->resp);
    reply_bulk_cstr(r, "id");
    reply_int(r, (long long)c->client->id);
    reply_bulk_cstr(r, "mode");
    reply_bulk_cstr(r, "standalone");
    reply_bulk_cstr(r, "role");
    reply_bulk_cstr(r, "master");
    reply_bulk_cstr(r, "modules");
    reply_array(r, 0);
}

/* HELLO [protover [AUTH username password] [SETNAME clientname]] */
static void hello_command(struct cmd_ctx *c)
{
    long long ver = 0;
    int auth_at = 0, name_at = 0;

    if (c->argc >= 2) {
        if (!string2ll(c->argv[1], c->argvlen[1], &ver)) {
            reply_error(c->reply, "ERR Protocol version is not an integer or out of range");
            return;
        }
        if (ver < 2 || ver > 3) {
            reply_error(c->reply, "NOPROTO unsupported protocol version");
            return;
        }
    }
    for (int i = 2; i < c->argc; i++) {
        int more = c->argc - i - 1;
        if (arg_is(c, i, "auth") && more >= 2) {
            auth_at = i;
            i += 2;
        } else if (arg_is(c, i, "setname") && more >= 1) {
            name_at = i;
            i += 1;
        } else {
            reply_errorf(c->reply, "ERR Syntax error in HELLO option '%.*s'", (int)c->argvlen[i], c->argv[i]);
            return;
        }
    }
    if (auth_at) {
        if (!password_ok(c->argv[auth_at + 1], c->argvlen[auth_at + 1], c->argv[auth_at + 2],
                         c->argvlen[auth_at + 2])) {
            reply_error(c->reply, "WRONGPASS invalid username-password pair or user is disabled.");
            return;
        }
        c->client->authenticated = 1;
    }
    if (!c->client->authenticated) {
        reply_error(c->reply, "NOAUTH HELLO must be called with the client already authenticated, "
                              "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to "
                              "authenticate the client and select the RESP protocol version at the same time");
        return;
    }
    if (name_at && !client_name_valid(c, c->argv[name_at + 1], c->argvlen[name_at + 1]))
        return;
    if (name_at)
        client_set_name(c, c->argv[name_at + 1], c->argvlen[name_at + 1]);
    if (ver) {
        c->client->resp = (int)ver;
        c->client->out.resp = (int)ver;
        c->client->record->resp = (int32_t)ver;
    }
    hello_reply(c);
}

#define CONN(name, proc, arity, flags, summary) \
    { name, proc, arity, flags, 0, 0, 0, "connection", "1.0.0", summary, "O(1)", "@connection", NULL, NULL }

const struct command connection_commands[] = {
    CONN("ping", ping_command, -1, CMD_FAST | CMD_SENTINEL | CMD_NOLOCK, "Ping the server"),
    CONN("echo", echo_command, 2, CMD_FAST | CMD_NOLOCK, "Echo the given string"),
    CONN("quit", quit_command, -1, CMD_ALLOW_BUSY | CMD_NO_AUTH | CMD_FAST | CMD_NOLOCK,
         "Close the connection"),
    CONN("select", select_command, 2, CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NOLOCK,
         "Change the selected database for the current connection"),
    CONN("auth", auth_command, -2, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH |
         CMD_SENTINEL | CMD_ALLOW_BUSY | CMD_NOLOCK, "Authenticate to the server"),
    CONN("hello", hello_command, -1, CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH |
         CMD_SENTINEL | CMD_ALLOW_BUSY, "Handshake with Redis"),
    { 0 }
};
