/* worker/cmd_config.c - CONFIG GET / SET / RESETSTAT / HELP (REWRITE: config_rewrite.c).
 *
 * The values are conf/'s struct conf_values in the arena, shared by every worker.
 * CONFIG SET changes them inside the command's write, holding the keyspace lock:
 * the whole struct is saved in the undo log first, then conf_set_pairs (all or
 * nothing) edits it in place, so a worker dying half-way leaves the old values.
 * Workers read the values when they need them, so a change is seen by all at once.
 *
 * CONFIG RESETSTAT zeroes the statistics of every worker's slot and its per-command
 * and per-error tables (cmdstats.h).  A slot's counters have a single writer (its
 * worker), so a count racing with the reset may survive it.
 */
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "shm/undo.h"
#include "worker/cmdstats.h"
#include "worker/config_rewrite.h"
#include "worker/server_cmds.h"
#include "worker/worker.h"

static void emit_pair(const char *name, const char *value, size_t vlen, void *arg)
{
    struct reply *r = arg;
    reply_bulk_cstr(r, name);
    reply_bulk(r, value, vlen);
}

/* CONFIG GET parameter [parameter ...] */
static void config_get_command(struct cmd_ctx *c)
{
    int npat = c->argc - 2;
    const char **pats = c->argv + 2;
    const size_t *plens = c->argvlen + 2;
    const struct conf_values *conf = worker_conf();
    reply_map(c->reply, conf_get_many(conf, npat, pats, plens, NULL, NULL));
    conf_get_many(conf, npat, pats, plens, emit_pair, c->reply);
}

/* A client on a loopback address or the unix socket ("local" for protected configs). */
static int client_is_local(const struct client *cl)
{
    return (cl->flags & CLIENT_UNIX) || strncmp(cl->addr, "127.", 4) == 0 ||
           strncmp(cl->addr, "::1:", 4) == 0;
}

static void free_args(char **v)
{
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

/* NUL-terminated private copies of argv[first..argc): conf/ reads the values as C
 * strings, and request arguments point into the query buffer unterminated. */
static char **copy_args(const struct cmd_ctx *c, int first)
{
    int n = c->argc - first;
    char **v = calloc((size_t)n + 1, sizeof(*v));
    for (int i = 0; v && i < n; i++)
        if (!(v[i] = strndup(c->argv[first + i], c->argvlen[first + i]))) {
            free_args(v);
            return NULL;
        }
    return v;
}

/* CONFIG SET parameter value [parameter value ...] */
static void config_set_command(struct cmd_ctx *c)
{
    char err[512];
    if (c->argc % 2) {
        reply_error(c->reply, ERR_SYNTAX);
        return;
    }
    char **args = copy_args(c, 2);
    if (!args) {
        reply_error(c->reply, "ERR out of memory");
        return;
    }
    struct conf_values *conf = worker_conf();
    int local = c->client ? client_is_local(c->client) : 1;
    undo_save(conf, sizeof(*conf));
    int rc = conf_set_pairs_from(conf, c->argc - 2, (const char **)args, c->argvlen + 2, local, err, sizeof(err));
    free_args(args);
    if (rc != 0)
        reply_error(c->reply, err);
    else
        reply_ok(c->reply);
}

/* CONFIG RESETSTAT */
static void config_resetstat_command(struct cmd_ctx *c)
{
    for (uint32_t i = 0; i < shm_header()->nworkers; i++) {
        struct shm_worker_slot *s = &shm_header()->workers[i];
        volatile uint64_t *counters[] = {
            &s->commands, &s->connections_received, &s->rejected_connections, &s->net_input_bytes,
            &s->net_output_bytes, &s->keyspace_hits, &s->keyspace_misses, &s->expired_keys,
            &s->evicted_keys, &s->total_error_replies, &s->reads_processed, &s->writes_processed,
            &s->expire_cycle_us, &s->expire_time_cap_reached,
        };
        for (size_t k = 0; k < sizeof(counters) / sizeof(counters[0]); k++)
            __atomic_store_n(counters[k], 0, __ATOMIC_RELAXED);
    }
    cmdstats_reset();
    reply_ok(c->reply);
}

static const char *const config_help_lines[] = {
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
    NULL
};

/* CONFIG HELP */
static void config_help_command(struct cmd_ctx *c) { server_reply_help(c, config_help_lines); }

#define CONFIG_ADMIN (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define CONFIGSUB(name, proc, arity, flags, summary, complexity, acl) \
    { name, proc, arity, flags, 0, 0, 0, "server", "2.0.0", summary, complexity, acl, NULL, NULL }

static struct command config_subcommands[] = {
    CONFIGSUB("get", config_get_command, -3, CONFIG_ADMIN, "Get the values of configuration parameters",
              "O(N) when N is the number of configuration parameters provided", "@admin @slow @dangerous"),
    CONFIGSUB("set", config_set_command, -4, CONFIG_ADMIN, "Set configuration parameters to the given values",
              "O(N) when N is the number of configuration parameters provided", "@admin @slow @dangerous"),
    CONFIGSUB("resetstat", config_resetstat_command, 2, CONFIG_ADMIN, "Reset the stats returned by INFO", "O(1)",
              "@admin @slow @dangerous"),
    { "rewrite", config_rewrite_command, 2, CONFIG_ADMIN, 0, 0, 0, "server", "2.8.0",
      "Rewrite the configuration file with the in memory configuration", "O(1)", "@admin @slow @dangerous",
      NULL, NULL },
    { "help", config_help_command, 2, CMD_LOADING | CMD_STALE | CMD_NOLOCK, 0, 0, 0, "server", "5.0.0",
      "Show helpful text about the different subcommands", "O(1)", "@slow", NULL, NULL },
    { 0 }
};

const struct command config_commands[] = {
    { "config", NULL, -2, 0, 0, 0, 0, "server", "2.0.0", "A container for server configuration commands",
      "Depends on subcommand.", "@slow", config_subcommands, NULL },
    { 0 }
};
