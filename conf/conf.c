/* conf/conf.c - the entry points of conf/: defaults, name lookup, one config-file
 * line (conf_apply) and CONFIG SET (conf_set_pairs).  CONFIG GET is conf/get.c.
 *
 * CONFIG SET is all or nothing: it works on a private copy of the values and copies
 * it back only when every pair was accepted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/directive.h"
#include "util/splitargs.h"

void conf_defaults(struct conf_values *v)
{
    memset(v, 0, sizeof(*v));
    for (size_t i = 0; i < conf_table_len; i++) conf_type_default(v, &conf_table[i]);
    conf_special_defaults(v);
}

static int name_is(const char *want, const char *name, size_t len)
{
    return want && strlen(want) == len && !strncasecmp(want, name, len);
}

const struct conf_directive *conf_lookup(const char *name, size_t len, int *is_alias)
{
    for (size_t i = 0; i < conf_table_len; i++) {
        const struct conf_directive *d = &conf_table[i];
        int alias = name_is(d->alias, name, len);
        if (alias || name_is(d->name, name, len)) {
            if (is_alias) *is_alias = alias;
            return d;
        }
    }
    return NULL;
}

int conf_is_sensitive(const char *name, size_t len)
{
    const struct conf_directive *d = conf_lookup(name, len, NULL);
    return d && (d->flags & F_SENSITIVE);
}

/* Config-file lines conf/ knows that are not value directives. */
static int apply_other(struct conf_values *v, int argc, char **argv, char *err, size_t errlen)
{
    const char *n = argv[0];
    if ((!strcasecmp(n, "list-max-ziplist-entries") || !strcasecmp(n, "list-max-ziplist-value") ||
         !strcasecmp(n, "lua-replicate-commands")) && argc == 2)
        return 0;                                   /* deprecated, ignored as by Redis */
    if (!strcasecmp(n, "rename-command") && argc == 3) {
        if (v->nrenames == CONF_RENAME_MAX || strlen(argv[1]) >= CONF_CMDNAME_MAX ||
            strlen(argv[2]) >= CONF_CMDNAME_MAX) {
            conf_errf(err, errlen, "Too many or too long rename-command directives");
            return -1;
        }
        strcpy(v->renames[v->nrenames].from, argv[1]);
        strcpy(v->renames[v->nrenames].to, argv[2]);
        v->nrenames++;
        return 0;
    }
    if (!strcasecmp(n, "sentinel")) {
        if (argc == 1) return 0;
        conf_errf(err, errlen, "sentinel directive while not in sentinel mode");
    } else if (!strcasecmp(n, "loadmodule") && argc >= 2) {
        conf_errf(err, errlen, "Ferrous cannot load Redis modules");
    } else if (!strcasecmp(n, "user") && argc >= 2) {
        conf_errf(err, errlen, "Ferrous does not support ACL users yet");
    } else if (strchr(n, '.')) {
        conf_errf(err, errlen, argc != 2 ? "Module config specified without value"
                                         : "Module Configuration detected without loadmodule "
                                           "directive or no ApplyConfig call: aborting");
    } else {
        conf_errf(err, errlen, "Bad directive or wrong number of arguments");
    }
    return -1;
}

int conf_apply(struct conf_values *v, int argc, char **argv, size_t *argvlen, char *err,
               size_t errlen)
{
    if (argc < 1) {
        conf_errf(err, errlen, "Bad directive or wrong number of arguments");
        return -1;
    }
    const struct conf_directive *d = conf_lookup(argv[0], strlen(argv[0]), NULL);
    if (!d) return apply_other(v, argc, argv, err, errlen);
    if (!(d->flags & F_MULTI_ARG) && argc != 2) {
        conf_errf(err, errlen, "wrong number of arguments");
        return -1;
    }
    if (!(d->flags & F_MULTI_ARG) || argc != 2 || argv[1][0] == '\0')
        return conf_type_set(v, d, argc - 1, argv + 1, 1, err, errlen);

    /* one non-empty argument to a multi-value directive: split it again */
    struct splitargs words;
    if (splitargs(argv[1], argvlen ? argvlen[1] : strlen(argv[1]), &words)) {
        conf_errf(err, errlen, "Unbalanced quotes in configuration line");
        return -1;
    }
    int rc = conf_type_set(v, d, words.argc, words.argv, 1, err, errlen);
    splitargs_free(&words);
    return rc;
}

/* CONFIG SET's value for a multi-value directive: split on single spaces, as Redis's
 * sdssplitlen(value, " ") (so "" is no words and "a  b" has an empty middle one). */
static int split_spaces(const char *val, size_t len, char ***out)
{
    int n = len ? 1 : 0;
    for (size_t i = 0; i < len; i++) n += val[i] == ' ';
    char **w = calloc((size_t)n + 1, sizeof(*w));
    char *copy = malloc(len + 1);
    if (!w || !copy) {
        free(w);
        free(copy);
        return -1;
    }
    memcpy(copy, val, len);
    copy[len] = '\0';
    for (int i = 0; i < n; i++) {
        w[i] = copy;
        copy = strchr(copy, ' ');
        if (copy) *copy++ = '\0';
    }
    if (n == 0) free(copy);
    *out = w;
    return n;
}

static int set_one(struct conf_values *v, const struct conf_directive *d, const char *val,
                   size_t len, char *err, size_t errlen)
{
    char *single = (char *)val, **words = &single;
    int n = 1, rc;
    if (d->flags & F_MULTI_ARG) {
        n = split_spaces(val, len, &words);
        if (n < 0) {
            conf_errf(err, errlen, "out of memory");
            return -1;
        }
    }
    rc = conf_type_set(v, d, n, words, 0, err, errlen);
    if (d->flags & F_MULTI_ARG) {
        if (n) free(words[0]);
        free(words);
    }
    return rc;
}

/* Checks one "param value" pair before any is set: unknown, immutable, protected,
 * duplicate (the same spelling kind: an alias and its name do not collide, as in
 * Redis 7.0).  Fills *out; returns 0 or -1 with the reply in err. */
static int check_pair(const char **argv, const size_t *argvlen, int i, int is_local,
                      const struct conf_values *v, const struct conf_directive **found,
                      int *aliases, char *err, size_t errlen)
{
    const char *name = argv[2 * i];
    int alias;
    const struct conf_directive *d = conf_lookup(name, argvlen[2 * i], &alias);
    if (!d) {
        conf_errf(err, errlen, "ERR Unknown option or number of arguments for CONFIG SET - "
                               "'%s'", name);
        return -1;
    }
    int prot_ok = v->enable_protected_configs == CONF_PROT_YES ||
                  (v->enable_protected_configs == CONF_PROT_LOCAL && is_local);
    const char *why = (d->flags & F_IMMUTABLE) ? "can't set immutable config"
                      : ((d->flags & F_PROTECTED) && !prot_ok) ? "can't set protected config"
                                                                : NULL;
    for (int j = 0; j < i && !why; j++)
        if (found[j] == d && aliases[j] == alias) why = "duplicate parameter";
    if (why) {
        conf_errf(err, errlen, "ERR CONFIG SET failed (possibly related to argument '%s') - %s",
                  name, why);
        return -1;
    }
    found[i] = d;
    aliases[i] = alias;
    return 0;
}

static int set_pairs(struct conf_values *v, struct conf_values *tmp, int argc,
                     const char **argv, const size_t *argvlen, int is_local, char *err,
                     size_t errlen)
{
    int n = argc / 2;
    const struct conf_directive **found = calloc((size_t)n, sizeof(*found));
    int *aliases = calloc((size_t)n, sizeof(*aliases));
    int rc = -1;
    char why[CONF_ERRBUF];
    if (!found || !aliases) goto out;
    for (int i = 0; i < n; i++)
        if (check_pair(argv, argvlen, i, is_local, v, found, aliases, err, errlen)) goto out;
    memcpy(tmp, v, sizeof(*tmp));
    for (int i = 0; i < n; i++) {
        if (set_one(tmp, found[i], argv[2 * i + 1], argvlen[2 * i + 1], why, sizeof(why))) {
            conf_errf(err, errlen, "ERR CONFIG SET failed (possibly related to argument '%s') "
                                   "- %s", aliases[i] ? found[i]->alias : found[i]->name, why);
            goto out;
        }
    }
    memcpy(v, tmp, sizeof(*v));
    rc = 0;
out:
    free(found);
    free(aliases);
    return rc;
}

int conf_set_pairs_from(struct conf_values *v, int argc, const char **argv,
                        const size_t *argvlen, int client_is_local, char *err, size_t errlen)
{
    if (argc < 2) {
        conf_errf(err, errlen, "ERR wrong number of arguments for 'config|set' command");
        return -1;
    }
    if (argc & 1) {
        conf_errf(err, errlen, "ERR syntax error");
        return -1;
    }
    struct conf_values *tmp = malloc(sizeof(*tmp));
    if (!tmp) {
        conf_errf(err, errlen, "ERR out of memory");
        return -1;
    }
    int rc = set_pairs(v, tmp, argc, argv, argvlen, client_is_local, err, errlen);
    free(tmp);
    return rc;
}

int conf_set_pairs(struct conf_values *v, int argc, const char **argv, const size_t *argvlen,
                   char *err, size_t errlen)
{
    return conf_set_pairs_from(v, argc, argv, argvlen, 0, err, errlen);
}
