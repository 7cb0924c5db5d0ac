/* worker/cmd_command.c - COMMAND: introspection of the command table (COMMAND, COUNT,
 * INFO, DOCS, LIST, GETKEYS, HELP) in Redis 7.0's reply shapes, and the HELP reply
 * every container (CONFIG, CLIENT, COMMAND) shares.
 *
 * What the table does not describe is answered empty, in the right shape: tips and
 * key specs are empty sets, DOCS has no "arguments" (redis-cli then shows no hints).
 * The registry is read-only after startup, so none of this needs the keyspace lock.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/glob.h"
#include "worker/getkeys.h"
#include "worker/server_cmds.h"

void server_reply_help(struct cmd_ctx *c, const char *const *lines)
{
    char head[128];
    size_t n = 0;
    while (lines[n])
        n++;
    const char *name = c->cmd->parent ? c->cmd->parent->name : c->cmd->name;
    int len = snprintf(head, sizeof(head), "%s", name);
    for (int i = 0; i < len; i++)
        head[i] = (char)toupper((unsigned char)head[i]);
    snprintf(head + len, sizeof(head) - (size_t)len, " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    reply_array(c->reply, (long)n + 3);
    reply_status(c->reply, head);
    for (size_t i = 0; i < n; i++)
        reply_status(c->reply, lines[i]);
    reply_status(c->reply, "HELP");
    reply_status(c->reply, "    Prints this help.");
}

/* ---- one command's description ---- */

/* Flag names in the order Redis prints them (may_replicate, sentinel: hidden, as in Redis). */
static const struct { uint32_t flag; const char *name; } flag_names[] = {
    { CMD_WRITE, "write" }, { CMD_READONLY, "readonly" }, { CMD_DENYOOM, "denyoom" },
    { CMD_ADMIN, "admin" }, { CMD_PUBSUB, "pubsub" }, { CMD_NOSCRIPT, "noscript" },
    { CMD_BLOCKING, "blocking" }, { CMD_LOADING, "loading" }, { CMD_STALE, "stale" },
    { CMD_SKIP_MONITOR, "skip_monitor" }, { CMD_SKIP_SLOWLOG, "skip_slowlog" },
    { CMD_FAST, "fast" }, { CMD_NO_AUTH, "no_auth" }, { CMD_NO_MULTI, "no_multi" },
    { CMD_ALLOW_BUSY, "allow_busy" },
};
#define NFLAGS (sizeof(flag_names) / sizeof(flag_names[0]))

static void reply_flags(struct reply *r, uint32_t flags)
{
    long n = 0;
    for (size_t i = 0; i < NFLAGS; i++)
        n += (flags & flag_names[i].flag) != 0;
    reply_set(r, n);
    for (size_t i = 0; i < NFLAGS; i++)
        if (flags & flag_names[i].flag)
            reply_status(r, flag_names[i].name);
}

/* Calls fn on each space-separated word of the command's ACL categories. */
static void foreach_category(const struct command *cmd, void (*fn)(const char *w, size_t len, void *arg),
                             void *arg)
{
    const char *p = cmd->acl_categories ? cmd->acl_categories : "";
    while (*p) {
        size_t skip = strspn(p, " "), len = strcspn(p + skip, " ");
        if (len)
            fn(p + skip, len, arg);
        p += skip + len;
    }
}

static void count_word(const char *w, size_t len, void *arg) { ++*(long *)arg; }

static void reply_word(const char *w, size_t len, void *arg)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%.*s", (int)len, w);
    reply_status(arg, buf);
}

static long subcommand_count(const struct command *cmd)
{
    long n = 0;
    for (const struct command *sub = cmd->subcommands; sub && sub->name; sub++)
        n++;
    return n;
}

/* COMMAND INFO's entry: name arity flags first last step categories tips keyspecs subs */
static void reply_command_info(struct reply *r, const struct command *cmd)
{
    char full[64];
    long ncat = 0, nsub = subcommand_count(cmd);
    command_fullname(cmd, full, sizeof(full));
    reply_array(r, 10);
    reply_bulk_cstr(r, full);
    reply_int(r, cmd->arity);
    reply_flags(r, cmd->flags);
    reply_int(r, cmd->first_key);
    reply_int(r, cmd->last_key);
    reply_int(r, cmd->key_step);
    foreach_category(cmd, count_word, &ncat);
    reply_set(r, ncat);
    foreach_category(cmd, reply_word, r);
    reply_set(r, 0);                /* tips */
    reply_set(r, 0);                /* key specs */
    if (nsub == 0) {
        reply_set(r, 0);
        return;
    }
    reply_array(r, nsub);
    for (const struct command *sub = cmd->subcommands; sub->name; sub++)
        reply_command_info(r, sub);
}

static void reply_field(struct reply *r, const char *name, const char *value)
{
    if (!value)
        return;
    reply_bulk_cstr(r, name);
    reply_bulk_cstr(r, value);
}

/* COMMAND DOCS's entry: a map of summary since group complexity [subcommands]. */
static void reply_command_docs(struct reply *r, const struct command *cmd)
{
    long nsub = subcommand_count(cmd);
    long n = (cmd->summary != NULL) + (cmd->since != NULL) + (cmd->group != NULL) +
             (cmd->complexity != NULL) + (nsub > 0);
    reply_map(r, n);
    reply_field(r, "summary", cmd->summary);
    reply_field(r, "since", cmd->since);
    reply_field(r, "group", cmd->group);
    reply_field(r, "complexity", cmd->complexity);
    if (nsub == 0)
        return;
    reply_bulk_cstr(r, "subcommands");
    reply_map(r, nsub);
    for (const struct command *sub = cmd->subcommands; sub->name; sub++) {
        char full[64];
        command_fullname(sub, full, sizeof(full));
        reply_bulk_cstr(r, full);
        reply_command_docs(r, sub);
    }
}

/* A command or "container|subcommand" by name; NULL if unknown. */
static const struct command *lookup_fullname(const char *name, size_t len)
{
    const char *bar = memchr(name, '|', len);
    if (!bar)
        return command_lookup(name, len);
    const struct command *parent = command_lookup(name, (size_t)(bar - name));
    size_t rest = len - (size_t)(bar - name) - 1;
    if (!parent || memchr(bar + 1, '|', rest))
        return NULL;
    return command_lookup_sub(parent, bar + 1, rest);
}

/* ---- iteration over every command, subcommands included ---- */

enum list_filter { LIST_ALL, LIST_MODULE, LIST_ACLCAT, LIST_PATTERN };

struct walk {
    struct cmd_ctx *c;
    long n;
    enum list_filter filter;        /* LIST */
    const char *arg;                /* LIST: the filter's argument */
    size_t arglen;
};

static void info_one(const struct command *cmd, void *arg)
{
    reply_command_info(((struct walk *)arg)->c->reply, cmd);
}

static void docs_one(const struct command *cmd, void *arg)
{
    struct reply *r = ((struct walk *)arg)->c->reply;
    reply_bulk_cstr(r, cmd->name);
    reply_command_docs(r, cmd);
}

/* COMMAND (no subcommand): every command's info. */
static void command_all(struct cmd_ctx *c)
{
    struct walk w = { .c = c };
    reply_array(c->reply, (long)command_count());
    command_foreach(info_one, &w);
}

/* COMMAND COUNT */
static void command_count_command(struct cmd_ctx *c) { reply_int(c->reply, (long long)command_count()); }

/* COMMAND INFO [command-name ...] */
static void command_info_command(struct cmd_ctx *c)
{
    if (c->argc == 2) {
        command_all(c);
        return;
    }
    reply_array(c->reply, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        const struct command *cmd = lookup_fullname(c->argv[i], c->argvlen[i]);
        if (cmd)
            reply_command_info(c->reply, cmd);
        else
            reply_null(c->reply);
    }
}

/* COMMAND DOCS [command-name ...]: unknown names are left out. */
static void command_docs_command(struct cmd_ctx *c)
{
    struct walk w = { .c = c };
    if (c->argc == 2) {
        reply_map(c->reply, (long)command_count());
        command_foreach(docs_one, &w);
        return;
    }
    size_t h = reply_defer_begin(c->reply);
    for (int i = 2; i < c->argc; i++) {
        const struct command *cmd = lookup_fullname(c->argv[i], c->argvlen[i]);
        if (!cmd)
            continue;
        char full[64];
        command_fullname(cmd, full, sizeof(full));
        reply_bulk_cstr(c->reply, full);
        reply_command_docs(c->reply, cmd);
        w.n++;
    }
    reply_defer_end(c->reply, h, '%', w.n);
}

struct category_probe { const char *name; size_t len; int found; };

static void match_category(const char *w, size_t len, void *arg)
{
    struct category_probe *p = arg;
    if (len == p->len + 1 && w[0] == '@' && strncasecmp(w + 1, p->name, p->len) == 0)
        p->found = 1;
}

static int list_matches(const struct walk *w, const struct command *cmd, const char *full)
{
    struct category_probe probe = { w->arg, w->arglen, 0 };
    switch (w->filter) {
    case LIST_MODULE:
        return 0;                   /* no modules */
    case LIST_ACLCAT:
        foreach_category(cmd, match_category, &probe);
        return probe.found;
    case LIST_PATTERN:
        return glob_match(w->arg, w->arglen, full, strlen(full), 1);
    default:
        return 1;
    }
}

static void list_one(const struct command *cmd, void *arg)
{
    struct walk *w = arg;
    char full[64];
    command_fullname(cmd, full, sizeof(full));
    if (list_matches(w, cmd, full)) {
        reply_bulk_cstr(w->c->reply, full);
        w->n++;
    }
    for (const struct command *sub = cmd->subcommands; sub && sub->name; sub++)
        list_one(sub, arg);
}

/* COMMAND LIST [FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern] */
static void command_list_command(struct cmd_ctx *c)
{
    struct walk w = { .c = c, .filter = LIST_ALL };
    if (c->argc == 5 && arg_is(c, 2, "filterby")) {
        w.filter = arg_is(c, 3, "module") ? LIST_MODULE : arg_is(c, 3, "aclcat") ? LIST_ACLCAT
                 : arg_is(c, 3, "pattern") ? LIST_PATTERN : LIST_ALL;
        w.arg = c->argv[4];
        w.arglen = c->argvlen[4];
    }
    if (c->argc != 2 && w.filter == LIST_ALL) {
        reply_error(c->reply, ERR_SYNTAX);
        return;
    }
    size_t h = reply_defer_begin(c->reply);
    command_foreach(list_one, &w);
    reply_defer_end(c->reply, h, '*', w.n);
}

/* The keys of a command with movable keys (getkeys.h), argv[0] being its name. */
static void reply_movable_keys(struct cmd_ctx *c, const struct command *cmd, int argc, const char **argv,
                               const size_t *argvlen)
{
    int *keys = malloc((size_t)argc * sizeof(*keys));
    int n = keys ? getkeys_find(cmd, argc, argv, argvlen, keys) : 0;
    if (!n && !getkeys_may_be_empty(cmd)) {
        reply_error(c->reply, "ERR Invalid arguments specified for command");
    } else {
        reply_array(c->reply, n);
        for (int i = 0; i < n; i++)
            reply_bulk(c->reply, argv[keys[i]], argvlen[keys[i]]);
    }
    free(keys);
}

/* COMMAND GETKEYS command [arg ...]: keys found by the command's first/last/step, or
 * by getkeys.c for commands whose keys move. */
static void command_getkeys_command(struct cmd_ctx *c)
{
    int argc = c->argc - 2;
    const char **argv = c->argv + 2;
    const struct command *cmd = command_lookup(argv[0], c->argvlen[2]);
    if (cmd && cmd->subcommands)
        cmd = argc >= 2 ? command_lookup_sub(cmd, argv[1], c->argvlen[3]) : NULL;
    if (!cmd) {
        reply_error(c->reply, "ERR Invalid command specified");
        return;
    }
    if (cmd->first_key <= 0 && !getkeys_is_movable(cmd)) {
        reply_error(c->reply, "ERR The command has no key arguments");
        return;
    }
    if (!command_arity_ok(cmd, argc)) {
        reply_error(c->reply, "ERR Invalid number of arguments specified for command");
        return;
    }
    if (getkeys_is_movable(cmd)) {
        reply_movable_keys(c, cmd, argc, argv, c->argvlen + 2);
        return;
    }
    int last = cmd->last_key < 0 ? argc + cmd->last_key : cmd->last_key;
    int step = cmd->key_step > 0 ? cmd->key_step : 1;
    if (last >= argc || last < cmd->first_key) {
        reply_error(c->reply, "ERR Invalid arguments specified for command");
        return;
    }
    reply_array(c->reply, (last - cmd->first_key) / step + 1);
    for (int i = cmd->first_key; i <= last; i += step)
        reply_bulk(c->reply, argv[i], c->argvlen[i + 2]);
}

static const char *const command_help_lines[] = {
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    NULL
};

/* COMMAND HELP */
static void command_help_command(struct cmd_ctx *c) { server_reply_help(c, command_help_lines); }

#define COMMAND_FLAGS (CMD_LOADING | CMD_STALE | CMD_NOLOCK)
#define COMMANDSUB(name, proc, arity, since, summary, complexity) \
    { name, proc, arity, COMMAND_FLAGS, 0, 0, 0, "server", since, summary, complexity, \
      "@slow @connection", NULL, NULL }

static struct command command_subcommands[] = {
    COMMANDSUB("docs", command_docs_command, -2, "7.0.0", "Get array of specific Redis command documentation",
               "O(N) where N is the number of commands to look up"),
    COMMANDSUB("count", command_count_command, 2, "2.8.13", "Get total number of Redis commands", "O(1)"),
    COMMANDSUB("info", command_info_command, -2, "2.8.13",
               "Get array of specific Redis command details, or all when no argument is given.",
               "O(N) where N is the number of commands to look up"),
    COMMANDSUB("list", command_list_command, -2, "7.0.0", "Get an array of Redis command names",
               "O(N) where N is the total number of Redis commands"),
    COMMANDSUB("getkeys", command_getkeys_command, -4, "2.8.13", "Extract keys given a full Redis command",
               "O(N) where N is the number of arguments to the command"),
    COMMANDSUB("help", command_help_command, 2, "5.0.0", "Show helpful text about the different subcommands",
               "O(1)"),
    { 0 }
};

const struct command command_commands[] = {
    { "command", command_all, -1, COMMAND_FLAGS, 0, 0, 0, "server", "2.8.13", "Get array of Redis command details",
      "O(N) where N is the total number of Redis commands", "@slow @connection", command_subcommands, NULL },
    { 0 }
};
