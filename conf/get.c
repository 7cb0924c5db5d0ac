/* conf/get.c - CONFIG GET: which names a pattern selects, and their values as Redis
 * 7.0.15 prints them.  Every name and every alias is a name of its own (Redis 7.0
 * lists both); hidden directives answer only an exact name. */
#include <stdlib.h>
#include <string.h>

#include "conf/directive.h"
#include "util/glob.h"

/* Tracks which (directive, alias?) names were already emitted. */
struct seen { unsigned char *bits; };

static int seen_test_set(struct seen *s, const struct conf_directive *d, int alias)
{
    size_t i = (size_t)(d - conf_table) * 2 + (size_t)alias;
    int was = s->bits[i];
    s->bits[i] = 1;
    return was;
}

static void emit_one(const struct conf_values *v, const struct conf_directive *d,
                     const char *name, conf_emit_fn *emit, void *arg)
{
    if (!emit) return;
    char *buf = malloc(CONF_VALBUF);
    if (!buf) return;
    buf[0] = '\0';
    conf_type_get(v, d, buf);
    emit(name, buf, strlen(buf), arg);
    free(buf);
}

static int get_exact(const struct conf_values *v, const char *name, size_t len,
                     struct seen *s, conf_emit_fn *emit, void *arg)
{
    int alias;
    const struct conf_directive *d = conf_lookup(name, len, &alias);
    if (!d || seen_test_set(s, d, alias)) return 0;
    char *copy = strndup(name, len);
    if (!copy) return 0;
    emit_one(v, d, copy, emit, arg);
    free(copy);
    return 1;
}

static int get_glob(const struct conf_values *v, const char *pat, size_t plen,
                    struct seen *s, conf_emit_fn *emit, void *arg)
{
    int n = 0;
    for (size_t i = 0; i < conf_table_len; i++) {
        const struct conf_directive *d = &conf_table[i];
        const char *names[2] = {d->name, d->alias};
        if (d->flags & F_HIDDEN) continue;
        for (int a = 0; a < 2; a++) {
            if (!names[a] || !glob_match(pat, plen, names[a], strlen(names[a]), 1)) continue;
            if (seen_test_set(s, d, a)) continue;
            emit_one(v, d, names[a], emit, arg);
            n++;
        }
    }
    return n;
}

int conf_get_many(const struct conf_values *v, int npat, const char **pats,
                  const size_t *plens, conf_emit_fn *emit, void *arg)
{
    struct seen s = {calloc(conf_table_len * 2, 1)};
    int n = 0;
    if (!s.bits) return 0;
    for (int i = 0; i < npat; i++) {
        int is_glob = memchr(pats[i], '*', plens[i]) || memchr(pats[i], '?', plens[i]) ||
                      memchr(pats[i], '[', plens[i]);
        n += is_glob ? get_glob(v, pats[i], plens[i], &s, emit, arg)
                     : get_exact(v, pats[i], plens[i], &s, emit, arg);
    }
    free(s.bits);
    return n;
}

int conf_get(const struct conf_values *v, const char *pattern, size_t plen,
             conf_emit_fn *emit, void *arg)
{
    return conf_get_many(v, 1, &pattern, &plen, emit, arg);
}
