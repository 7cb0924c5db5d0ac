/* types/command.c - the command registry and argument helpers (see command.h).
 * The registry is process-private, filled at startup before the workers fork, and
 * read-only afterwards: an open-addressing table keyed by lower-case name, and one keyed
 * by address for the dense command numbers (command_index). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "types/command.h"
#include "util/numconv.h"

#define REGISTRY_SLOTS 1024          /* power of two, > 2x the number of commands */

static const struct command *slots[REGISTRY_SLOTS];
static const struct command *ordered[REGISTRY_SLOTS];
static size_t ncommands;

/* command_index: numbers by registration, and a table from command address to number */
#define INDEX_SLOTS 2048             /* power of two, > 2x commands + subcommands */
static const struct command *by_index[INDEX_SLOTS / 2];
static const struct command *index_keys[INDEX_SLOTS];
static uint16_t index_vals[INDEX_SLOTS];
static size_t nindexed;

static uint32_t name_hash(const char *name, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)tolower((unsigned char)name[i])) * 16777619u;
    return h;
}

static uint32_t address_slot(const struct command *cmd)
{
    return (uint32_t)(((uintptr_t)cmd >> 3) * 0x9e3779b97f4a7c15ULL >> 53) & (INDEX_SLOTS - 1);
}

static void index_add(const struct command *cmd)
{
    if (nindexed == INDEX_SLOTS / 2) {
        fprintf(stderr, "command_register: too many commands and subcommands\n");
        abort();
    }
    uint32_t i = address_slot(cmd);
    while (index_keys[i])
        i = (i + 1) & (INDEX_SLOTS - 1);
    index_keys[i] = cmd;
    index_vals[i] = (uint16_t)nindexed;
    by_index[nindexed++] = cmd;
}

size_t command_index(const struct command *cmd)
{
    uint32_t i = address_slot(cmd);
    while (index_keys[i] && index_keys[i] != cmd)
        i = (i + 1) & (INDEX_SLOTS - 1);
    return index_keys[i] ? index_vals[i] : SIZE_MAX;
}

const struct command *command_by_index(size_t i) { return by_index[i]; }
size_t command_index_count(void) { return nindexed; }

void command_register(const struct command *table)
{
    for (const struct command *cmd = table; cmd->name; cmd++) {
        size_t len = strlen(cmd->name);
        uint32_t i = name_hash(cmd->name, len) & (REGISTRY_SLOTS - 1);
        while (slots[i]) {
            if (strcasecmp(slots[i]->name, cmd->name) == 0) {
                fprintf(stderr, "command_register: '%s' registered twice\n", cmd->name);
                abort();
            }
            i = (i + 1) & (REGISTRY_SLOTS - 1);
        }
        if (ncommands * 2 >= REGISTRY_SLOTS) {
            fprintf(stderr, "command_register: registry full\n");
            abort();
        }
        slots[i] = cmd;
        ordered[ncommands++] = cmd;
        index_add(cmd);
        for (struct command *sub = cmd->subcommands; sub && sub->name; sub++) {
            sub->parent = cmd;
            index_add(sub);
        }
    }
}

const struct command *command_lookup(const char *name, size_t len)
{
    uint32_t i = name_hash(name, len) & (REGISTRY_SLOTS - 1);
    while (slots[i]) {
        const struct command *cmd = slots[i];
        if (strncasecmp(cmd->name, name, len) == 0 && cmd->name[len] == '\0')
            return cmd;
        i = (i + 1) & (REGISTRY_SLOTS - 1);
    }
    return NULL;
}

const struct command *command_lookup_sub(const struct command *parent, const char *name, size_t len)
{
    if (!parent->subcommands)
        return NULL;
    for (const struct command *sub = parent->subcommands; sub->name; sub++)
        if (strncasecmp(sub->name, name, len) == 0 && sub->name[len] == '\0')
            return sub;
    return NULL;
}

void command_foreach(void (*fn)(const struct command *cmd, void *arg), void *arg)
{
    for (size_t i = 0; i < ncommands; i++)
        fn(ordered[i], arg);
}

size_t command_count(void) { return ncommands; }

void command_fullname(const struct command *cmd, char *buf, size_t len)
{
    if (cmd->parent)
        snprintf(buf, len, "%s|%s", cmd->parent->name, cmd->name);
    else
        snprintf(buf, len, "%s", cmd->name);
}

int command_arity_ok(const struct command *cmd, int argc)
{
    return cmd->arity >= 0 ? argc == cmd->arity : argc >= -cmd->arity;
}

int arg_is(const struct cmd_ctx *c, int i, const char *word)
{
    size_t n = strlen(word);
    return c->argvlen[i] == n && strncasecmp(c->argv[i], word, n) == 0;
}

int arg_ll(struct cmd_ctx *c, int i, long long *out, const char *msg)
{
    if (string2ll(c->argv[i], c->argvlen[i], out))
        return 1;
    reply_error(c->reply, msg ? msg : ERR_NOT_INT);
    return 0;
}

int arg_double(struct cmd_ctx *c, int i, double *out, const char *msg)
{
    if (string2d(c->argv[i], c->argvlen[i], out))
        return 1;
    reply_error(c->reply, msg ? msg : ERR_NOT_FLOAT);
    return 0;
}

void reply_wrong_arity(struct reply *r, const char *fullname)
{
    reply_errorf(r, "ERR wrong number of arguments for '%s' command", fullname);
}
