/* worker/cmd_pubsub.c - SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE SSUBSCRIBE
 * SUNSUBSCRIBE PUBLISH SPUBLISH PUBSUB, with Redis 7.0's replies.
 *
 * The registry lives in the arena (keyspace/pubsub.h), so every command here runs
 * under the keyspace lock inside a write.  The calling client's record in the client
 * registry mirrors its counts (sub, psub, ssub: CLIENT LIST, subscribed mode), set
 * inside the same write.  Confirmations count channels and patterns together, shard
 * channels apart, as Redis does. */
#include <string.h>

#include "conf/conf.h"
#include "conf/shared.h"
#include "keyspace/notify.h"
#include "keyspace/pubsub.h"
#include "shm/undo.h"
#include "worker/cmd_pubsub.h"
#include "worker/registry.h"
#include "worker/server_cmds.h"

#define SAME_CLASS(x) ((int)NOTIFY_##x == (int)CONF_NOTIFY_##x)
_Static_assert(SAME_CLASS(KEYSPACE) && SAME_CLASS(KEYEVENT) && SAME_CLASS(GENERIC) && SAME_CLASS(STRING) &&
               SAME_CLASS(LIST) && SAME_CLASS(SET) && SAME_CLASS(HASH) && SAME_CLASS(ZSET) &&
               SAME_CLASS(EXPIRED) && SAME_CLASS(EVICTED) && SAME_CLASS(STREAM) && SAME_CLASS(KEY_MISS) &&
               SAME_CLASS(MODULE) && SAME_CLASS(NEW), "keyspace/notify.h's classes must be conf/conf.h's");

int pubsub_client_subscribed(const struct client *c)
{
    const struct client_record *r = c->record;
    return r->sub + r->psub + r->ssub > 0;
}

/* The count a confirmation shows: channels and patterns, or shard channels. */
static long long mode_count(uint64_t id, enum pubsub_kind kind)
{
    if (kind == PUBSUB_SHARD)
        return pubsub_client_count(id, PUBSUB_SHARD);
    return (long long)pubsub_client_count(id, PUBSUB_CHANNEL) + pubsub_client_count(id, PUBSUB_PATTERN);
}

static void sync_record(struct cmd_ctx *c)
{
    struct client_record *r = c->client->record;
    UNDO_SET(r->sub, (int32_t)pubsub_client_count(c->client_id, PUBSUB_CHANNEL));
    UNDO_SET(r->psub, (int32_t)pubsub_client_count(c->client_id, PUBSUB_PATTERN));
    UNDO_SET(r->ssub, (int32_t)pubsub_client_count(c->client_id, PUBSUB_SHARD));
}

/* [type, name or null, count]: a push in RESP3, an array in RESP2. */
static void confirm(struct cmd_ctx *c, const char *type, const char *name, size_t len, long long count)
{
    reply_push(c->reply, 3);
    reply_bulk_cstr(c->reply, type);
    if (name)
        reply_bulk(c->reply, name, len);
    else
        reply_null(c->reply);
    reply_int(c->reply, count);
}

static void subscribe_generic(struct cmd_ctx *c, enum pubsub_kind kind, const char *type)
{
    for (int i = 1; i < c->argc; i++) {
        pubsub_subscribe(c->client_id, c->slot, kind, c->argv[i], c->argvlen[i]);
        confirm(c, type, c->argv[i], c->argvlen[i], mode_count(c->client_id, kind));
    }
    sync_record(c);
}

struct unsub_all {
    struct cmd_ctx *c;
    enum pubsub_kind kind;
    const char *type;
};

static void confirm_one(const char *name, size_t len, void *arg)
{
    struct unsub_all *u = arg;
    confirm(u->c, u->type, name, len, mode_count(u->c->client_id, u->kind));
}

/* Without arguments: from every name of the kind, or one confirmation with a null
 * name when there was none. */
static void unsubscribe_generic(struct cmd_ctx *c, enum pubsub_kind kind, const char *type)
{
    if (c->argc == 1) {
        struct unsub_all u = { c, kind, type };
        if (pubsub_unsubscribe_all(c->client_id, kind, confirm_one, &u) == 0)
            confirm(c, type, NULL, 0, mode_count(c->client_id, kind));
    }
    for (int i = 1; i < c->argc; i++) {
        pubsub_unsubscribe(c->client_id, kind, c->argv[i], c->argvlen[i]);
        confirm(c, type, c->argv[i], c->argvlen[i], mode_count(c->client_id, kind));
    }
    sync_record(c);
}

/* SUBSCRIBE channel [channel ...] */
static void subscribe_command(struct cmd_ctx *c) { subscribe_generic(c, PUBSUB_CHANNEL, "subscribe"); }
/* PSUBSCRIBE pattern [pattern ...] */
static void psubscribe_command(struct cmd_ctx *c) { subscribe_generic(c, PUBSUB_PATTERN, "psubscribe"); }
/* SSUBSCRIBE shardchannel [shardchannel ...] */
static void ssubscribe_command(struct cmd_ctx *c) { subscribe_generic(c, PUBSUB_SHARD, "ssubscribe"); }
/* UNSUBSCRIBE [channel [channel ...]] */
static void unsubscribe_command(struct cmd_ctx *c) { unsubscribe_generic(c, PUBSUB_CHANNEL, "unsubscribe"); }
/* PUNSUBSCRIBE [pattern [pattern ...]] */
static void punsubscribe_command(struct cmd_ctx *c) { unsubscribe_generic(c, PUBSUB_PATTERN, "punsubscribe"); }
/* SUNSUBSCRIBE [shardchannel [shardchannel ...]] */
static void sunsubscribe_command(struct cmd_ctx *c) { unsubscribe_generic(c, PUBSUB_SHARD, "sunsubscribe"); }

/* PUBLISH channel message */
static void publish_command(struct cmd_ctx *c)
{
    reply_int(c->reply, pubsub_publish(0, c->argv[1], c->argvlen[1], c->argv[2], c->argvlen[2]));
}

/* SPUBLISH shardchannel message */
static void spublish_command(struct cmd_ctx *c)
{
    reply_int(c->reply, pubsub_publish(1, c->argv[1], c->argvlen[1], c->argv[2], c->argvlen[2]));
}

/* ---- PUBSUB ---- */

struct name_list {
    struct reply *r;
    long n;
};

static void list_name(const char *name, size_t len, void *arg)
{
    struct name_list *l = arg;
    reply_bulk(l->r, name, len);
    l->n++;
}

static void channels_generic(struct cmd_ctx *c, int shard)
{
    if (c->argc > 3) {
        reply_errorf(c->reply, "ERR unknown subcommand or wrong number of arguments for '%.*s'. Try PUBSUB HELP.",
                     (int)(c->argvlen[1] > 128 ? 128 : c->argvlen[1]), c->argv[1]);
        return;
    }
    struct name_list l = { c->reply, 0 };
    size_t handle = reply_defer_begin(c->reply);
    pubsub_channels(shard, c->argc == 3 ? c->argv[2] : NULL, c->argc == 3 ? c->argvlen[2] : 0, list_name, &l);
    reply_defer_end(c->reply, handle, '*', l.n);
}

static void numsub_generic(struct cmd_ctx *c, int shard)
{
    reply_array(c->reply, (long)(c->argc - 2) * 2);
    for (int i = 2; i < c->argc; i++) {
        reply_bulk(c->reply, c->argv[i], c->argvlen[i]);
        reply_int(c->reply, (long long)pubsub_numsub(shard, c->argv[i], c->argvlen[i]));
    }
}

/* PUBSUB CHANNELS [pattern] */
static void pubsub_channels_command(struct cmd_ctx *c) { channels_generic(c, 0); }
/* PUBSUB SHARDCHANNELS [pattern] */
static void pubsub_shardchannels_command(struct cmd_ctx *c) { channels_generic(c, 1); }
/* PUBSUB NUMSUB [channel ...] */
static void pubsub_numsub_command(struct cmd_ctx *c) { numsub_generic(c, 0); }
/* PUBSUB SHARDNUMSUB [shardchannel ...] */
static void pubsub_shardnumsub_command(struct cmd_ctx *c) { numsub_generic(c, 1); }
/* PUBSUB NUMPAT */
static void pubsub_numpat_command(struct cmd_ctx *c) { reply_int(c->reply, (long long)pubsub_numpat()); }

static const char *const pubsub_help_lines[] = {
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
    NULL
};

/* PUBSUB HELP */
static void pubsub_help_command(struct cmd_ctx *c) { server_reply_help(c, pubsub_help_lines); }

/* ---- subscribed mode ---- */

static const char *const allowed_in_context[] = {
    "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe", "punsubscribe",
    "ping", "quit", "reset", NULL
};

static int allowed(const struct command *cmd)
{
    for (int i = 0; !cmd->parent && allowed_in_context[i]; i++)
        if (strcmp(cmd->name, allowed_in_context[i]) == 0)
            return 1;
    return 0;
}

int pubsub_context_reject(struct client *c, const struct command *cmd)
{
    if (c->resp != 2 || !pubsub_client_subscribed(c) || allowed(cmd))
        return 0;
    char full[64];
    command_fullname(cmd, full, sizeof(full));
    reply_errorf(&c->out, "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / "
                          "QUIT / RESET are allowed in this context", full);
    return 1;
}

int pubsub_ping_reply(struct cmd_ctx *c)
{
    if (!c->client || c->client->resp != 2 || !pubsub_client_subscribed(c->client))
        return 0;
    reply_array(c->reply, 2);
    reply_bulk_cstr(c->reply, "pong");
    reply_bulk(c->reply, c->argc == 2 ? c->argv[1] : "", c->argc == 2 ? c->argvlen[1] : 0);
    return 1;
}

void pubsub_reset_client(struct cmd_ctx *c)
{
    if (!pubsub_client_subscribed(c->client))
        return;
    pubsub_client_gone(c->client_id);
    sync_record(c);
}

/* ---- the table ---- */

static int notify_classes(void) { return conf_shared()->notify_keyspace_events; }

#define PS_FLAGS (CMD_PUBSUB | CMD_LOADING | CMD_STALE)
#define PS_CMD(name, proc, arity, flags, key, since, summary, complexity, acl) \
    { name, proc, arity, flags, key, key ? -1 : 0, key, "pubsub", since, summary, complexity, acl, NULL, NULL }
#define PS_SUB(name, proc, arity, flags, since, summary, complexity) \
    { name, proc, arity, flags, 0, 0, 0, "pubsub", since, summary, complexity, "@pubsub @slow", NULL, NULL }

static struct command pubsub_subcommands[] = {
    PS_SUB("channels", pubsub_channels_command, -2, PS_FLAGS, "2.8.0", "List active channels",
           "O(N) where N is the number of active channels, and assuming constant time pattern matching "
           "(relatively short channels and patterns)"),
    PS_SUB("numsub", pubsub_numsub_command, -2, PS_FLAGS, "2.8.0", "Get the count of subscribers for channels",
           "O(N) for the NUMSUB subcommand, where N is the number of requested channels"),
    PS_SUB("numpat", pubsub_numpat_command, 2, PS_FLAGS, "2.8.0",
           "Get the count of unique patterns pattern subscriptions", "O(1)"),
    PS_SUB("shardnumsub", pubsub_shardnumsub_command, -2, PS_FLAGS, "7.0.0",
           "Get the count of subscribers for shard channels",
           "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels"),
    { "help", pubsub_help_command, 2, CMD_LOADING | CMD_STALE, 0, 0, 0, "pubsub", "6.2.0",
      "Show helpful text about the different subcommands", "O(1)", "@slow", NULL, NULL },
    PS_SUB("shardchannels", pubsub_shardchannels_command, -2, PS_FLAGS, "7.0.0", "List active shard channels",
           "O(N) where N is the number of active shard channels, and assuming constant time pattern matching "
           "(relatively short shard channels)."),
    { 0 }
};

static const struct command pubsub_commands[] = {
    PS_CMD("subscribe", subscribe_command, -2, PS_FLAGS | CMD_NOSCRIPT, 0, "2.0.0",
           "Listen for messages published to the given channels",
           "O(N) where N is the number of channels to subscribe to.", "@pubsub @slow"),
    PS_CMD("unsubscribe", unsubscribe_command, -1, PS_FLAGS | CMD_NOSCRIPT, 0, "2.0.0",
           "Stop listening for messages posted to the given channels",
           "O(N) where N is the number of clients already subscribed to a channel.", "@pubsub @slow"),
    PS_CMD("psubscribe", psubscribe_command, -2, PS_FLAGS | CMD_NOSCRIPT, 0, "2.0.0",
           "Listen for messages published to channels matching the given patterns",
           "O(N) where N is the number of patterns the client is already subscribed to.", "@pubsub @slow"),
    PS_CMD("punsubscribe", punsubscribe_command, -1, PS_FLAGS | CMD_NOSCRIPT, 0, "2.0.0",
           "Stop listening for messages posted to channels matching the given patterns",
           "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of "
           "total patterns subscribed in the system (by any client).", "@pubsub @slow"),
    PS_CMD("publish", publish_command, 3, PS_FLAGS | CMD_FAST | CMD_MAY_REPLICATE, 0, "2.0.0",
           "Post a message to a channel",
           "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total "
           "number of subscribed patterns (by any client).", "@pubsub @fast"),
    { "pubsub", NULL, -2, 0, 0, 0, 0, "pubsub", "2.8.0", "A container for Pub/Sub commands",
      "Depends on subcommand.", "@slow", pubsub_subcommands, NULL },
    PS_CMD("ssubscribe", ssubscribe_command, -2, PS_FLAGS | CMD_NOSCRIPT, 1, "7.0.0",
           "Listen for messages published to the given shard channels",
           "O(N) where N is the number of shard channels to subscribe to.", "@pubsub @slow"),
    PS_CMD("sunsubscribe", sunsubscribe_command, -1, PS_FLAGS | CMD_NOSCRIPT, 1, "7.0.0",
           "Stop listening for messages posted to the given shard channels",
           "O(N) where N is the number of clients already subscribed to a shard channel.", "@pubsub @slow"),
    { "spublish", spublish_command, 3, PS_FLAGS | CMD_FAST | CMD_MAY_REPLICATE, 1, 1, 1, "pubsub", "7.0.0",
      "Post a message to a shard channel",
      "O(N) where N is the number of clients subscribed to the receiving shard channel.", "@pubsub @fast",
      NULL, NULL },
    { 0 }
};

void pubsub_register_commands(void)
{
    pubsub_register_types();
    notify_set_source(notify_classes);
    command_register(pubsub_commands);
}
