/* worker/redact.c - arguments MONITOR and SLOWLOG hide (see redact.h); the positions
 * are those at which Redis 7.0's commands redact while parsing. */
#include <strings.h>

#include "conf/conf.h"
#include "worker/redact.h"

static int is(const char *arg, size_t len, const char *word)
{
    size_t n = 0;
    while (word[n])
        n++;
    return len == n && strncasecmp(arg, word, n) == 0;
}

/* HELLO [protover [AUTH username password] [SETNAME name]] */
static int hello_secret(int argc, const char **argv, const size_t *argvlen, int i)
{
    for (int j = 2; j < argc; j++) {
        if (is(argv[j], argvlen[j], "auth") && j + 2 < argc) {
            if (i == j + 1 || i == j + 2)
                return 1;
            j += 2;
        } else if (is(argv[j], argvlen[j], "setname") && j + 1 < argc) {
            j++;
        } else {
            return 0;
        }
    }
    return 0;
}

/* MIGRATE host port key db timeout [COPY] [REPLACE] [AUTH pw | AUTH2 user pw] [KEYS ...] */
static int migrate_secret(int argc, const char **argv, const size_t *argvlen, int i)
{
    for (int j = 6; j < argc; j++) {
        if (is(argv[j], argvlen[j], "auth") && j + 1 < argc) {
            if (i == ++j)
                return 1;
        } else if (is(argv[j], argvlen[j], "auth2") && j + 2 < argc) {
            if (i == j + 1 || i == j + 2)
                return 1;
            j += 2;
        } else if (is(argv[j], argvlen[j], "keys")) {
            return 0;
        }
    }
    return 0;
}

/* CONFIG SET name value [name value ...]: values of sensitive configs */
static int config_secret(int argc, const char **argv, const size_t *argvlen, int i)
{
    return argc >= 2 && is(argv[1], argvlen[1], "set") && i >= 3 && (i & 1) &&
           conf_is_sensitive(argv[i - 1], argvlen[i - 1]);
}

int redact_arg(int argc, const char **argv, const size_t *argvlen, int i)
{
    if (i == 0)
        return 0;
    if (is(argv[0], argvlen[0], "auth"))
        return 1;
    if (is(argv[0], argvlen[0], "hello"))
        return hello_secret(argc, argv, argvlen, i);
    if (is(argv[0], argvlen[0], "migrate"))
        return migrate_secret(argc, argv, argvlen, i);
    if (is(argv[0], argvlen[0], "config"))
        return config_secret(argc, argv, argvlen, i);
    return 0;
}
