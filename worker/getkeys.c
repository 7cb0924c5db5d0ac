/* worker/getkeys.c - keys of commands with movable keys (see getkeys.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "worker/getkeys.h"

struct args {
    int argc;
    const char **argv;
    const size_t *argvlen;
};

static int is(const struct args *a, int i, const char *word)
{
    return a->argvlen[i] == strlen(word) && strncasecmp(a->argv[i], word, a->argvlen[i]) == 0;
}

/* atoi of an argument, as Redis's getkeys procedures read numkeys. */
static int arg_atoi(const struct args *a, int i)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%.*s", (int)(a->argvlen[i] < 31 ? a->argvlen[i] : 31), a->argv[i]);
    return atoi(buf);
}

/* [store] numkeys key [key ...]: Redis's genericGetKeys. */
static int counted(const struct args *a, int store, int numkeys_at, int first, int *keys)
{
    if (numkeys_at >= a->argc)
        return 0;
    int num = arg_atoi(a, numkeys_at), n = 0;
    if (num < 1 || num > a->argc - first)
        return 0;
    if (store)
        keys[n++] = store;
    for (int i = 0; i < num; i++)
        keys[n++] = first + i;
    return n;
}

static int numkeys_at_1(const struct args *a, int *keys) { return counted(a, 0, 1, 2, keys); }
static int numkeys_at_2(const struct args *a, int *keys) { return counted(a, 0, 2, 3, keys); }
static int store_then_numkeys(const struct args *a, int *keys) { return counted(a, 1, 2, 3, keys); }

/* SORT key [BY p] [LIMIT o c] [GET p ...] [ASC|DESC] [ALPHA] [STORE dest]: the last STORE */
static int sort_keys(const struct args *a, int *keys)
{
    int n = 1;
    keys[0] = 1;
    for (int i = 2; i < a->argc; i++) {
        if (is(a, i, "limit"))
            i += 2;
        else if (is(a, i, "get") || is(a, i, "by"))
            i += 1;
        else if (is(a, i, "store") && i + 1 < a->argc) {
            keys[1] = ++i;
            n = 2;
        }
    }
    return n;
}

/* XREAD/XREADGROUP ... STREAMS key [key ...] id [id ...] */
static int xread_keys(const struct args *a, int *keys)
{
    int streams = 0;
    for (int i = 1; i < a->argc && !streams; i++) {
        if (is(a, i, "block") || is(a, i, "count"))
            i++;
        else if (is(a, i, "group"))
            i += 2;
        else if (is(a, i, "streams"))
            streams = i;
        else if (!is(a, i, "noack"))
            break;
    }
    int num = streams ? (a->argc - streams - 1) / 2 : 0;
    for (int i = 0; i < num; i++)
        keys[i] = streams + 1 + i;
    return num;
}

/* GEORADIUS key lon lat radius unit ... / GEORADIUSBYMEMBER key member radius unit ...:
 * the key, then the last STORE or STOREDIST destination */
static int georadius_keys(const struct args *a, int *keys)
{
    int n = 1;
    keys[0] = 1;
    for (int i = 5; i < a->argc; i++)
        if ((is(a, i, "store") || is(a, i, "storedist")) && i + 1 < a->argc) {
            keys[1] = ++i;
            n = 2;
        }
    return n;
}

/* MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw] [AUTH2 u pw] [KEYS k ...] */
static int migrate_keys(const struct args *a, int *keys)
{
    int first = 3, num = 1;
    for (int i = 6; i < a->argc; i++) {
        if (is(a, i, "auth"))
            i++;
        else if (is(a, i, "auth2"))
            i += 2;
        else if (is(a, i, "keys")) {
            if (a->argvlen[3] > 0)
                return 0;
            first = i + 1;
            num = a->argc - first;
            break;
        }
    }
    for (int i = 0; i < num; i++)
        keys[i] = first + i;
    return num;
}

static const struct {
    const char *name;
    int (*find)(const struct args *a, int *keys);
    int may_be_empty;
} movable[] = {
    { "zunion", numkeys_at_1, 0 }, { "zinter", numkeys_at_1, 0 }, { "zdiff", numkeys_at_1, 0 },
    { "sintercard", numkeys_at_1, 0 }, { "zintercard", numkeys_at_1, 0 },
    { "lmpop", numkeys_at_1, 0 }, { "zmpop", numkeys_at_1, 0 },
    { "blmpop", numkeys_at_2, 0 }, { "bzmpop", numkeys_at_2, 0 },
    { "eval", numkeys_at_2, 1 }, { "evalsha", numkeys_at_2, 1 }, { "eval_ro", numkeys_at_2, 1 },
    { "evalsha_ro", numkeys_at_2, 1 }, { "fcall", numkeys_at_2, 1 }, { "fcall_ro", numkeys_at_2, 1 },
    { "zunionstore", store_then_numkeys, 0 }, { "zinterstore", store_then_numkeys, 0 },
    { "zdiffstore", store_then_numkeys, 0 },
    { "sort", sort_keys, 0 }, { "xread", xread_keys, 0 }, { "xreadgroup", xread_keys, 0 },
    { "georadius", georadius_keys, 0 }, { "georadiusbymember", georadius_keys, 0 },
    { "migrate", migrate_keys, 0 },
};
#define NMOVABLE (sizeof(movable) / sizeof(movable[0]))

static int find_rule(const struct command *cmd)
{
    for (size_t i = 0; !cmd->parent && i < NMOVABLE; i++)
        if (strcmp(movable[i].name, cmd->name) == 0)
            return (int)i;
    return -1;
}

int getkeys_is_movable(const struct command *cmd) { return find_rule(cmd) >= 0; }

int getkeys_may_be_empty(const struct command *cmd)
{
    int r = find_rule(cmd);
    return r >= 0 && movable[r].may_be_empty;
}

int getkeys_find(const struct command *cmd, int argc, const char **argv, const size_t *argvlen, int *keys)
{
    int r = find_rule(cmd);
    struct args a = { argc, argv, argvlen };
    return r >= 0 ? movable[r].find(&a, keys) : 0;
}
