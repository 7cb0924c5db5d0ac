/* conf/rewrite.c - CONFIG REWRITE's merge of old file lines and current values (see
 * rewrite.h).  The state is the list of output lines and, per directive name found
 * in the old file, the numbers of its lines not yet reused. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/directive.h"
#include "conf/rewrite.h"
#include "util/repr.h"
#include "util/splitargs.h"

struct option {
    char *name;
    size_t *lines;                  /* old line numbers still to reuse, in file order */
    size_t nlines, next;
    int processed;                  /* its directive was rewritten */
};

struct state {
    char **lines;
    size_t nlines, cap;
    struct option *opts;
    size_t nopts, optcap;
    int has_signature;
    int oom;
};

/* ---- state ---- */

static void add_line(struct state *st, char *text)
{
    if (!text) {
        st->oom = 1;
        return;
    }
    if (st->nlines == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 64;
        char **grown = realloc(st->lines, cap * sizeof(*grown));
        if (!grown) {
            free(text);
            st->oom = 1;
            return;
        }
        st->lines = grown;
        st->cap = cap;
    }
    st->lines[st->nlines++] = text;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    char *s = NULL;
    va_list ap;
    va_start(ap, f);
    if (vasprintf(&s, f, ap) < 0)
        s = NULL;
    va_end(ap);
    return s;
}

static struct option *find_option(struct state *st, const char *name)
{
    for (size_t i = 0; i < st->nopts; i++)
        if (strcmp(st->opts[i].name, name) == 0)
            return &st->opts[i];
    return NULL;
}

static struct option *new_option(struct state *st, const char *name)
{
    if (st->nopts == st->optcap) {
        size_t cap = st->optcap ? st->optcap * 2 : 32;
        struct option *grown = realloc(st->opts, cap * sizeof(*grown));
        if (!grown)
            return NULL;
        st->opts = grown;
        st->optcap = cap;
    }
    struct option *o = &st->opts[st->nopts];
    memset(o, 0, sizeof(*o));
    if (!(o->name = strdup(name)))
        return NULL;
    st->nopts++;
    return o;
}

/* Files line number n (the last line added) under name. */
static void file_line(struct state *st, const char *name)
{
    struct option *o = find_option(st, name);
    if (!o && !(o = new_option(st, name))) {
        st->oom = 1;
        return;
    }
    size_t *grown = realloc(o->lines, (o->nlines + 1) * sizeof(*grown));
    if (!grown) {
        st->oom = 1;
        return;
    }
    o->lines = grown;
    o->lines[o->nlines++] = st->nlines - 1;
}

static void free_state(struct state *st)
{
    for (size_t i = 0; i < st->nlines; i++)
        free(st->lines[i]);
    for (size_t i = 0; i < st->nopts; i++) {
        free(st->opts[i].name);
        free(st->opts[i].lines);
    }
    free(st->lines);
    free(st->opts);
}

/* ---- the old file ---- */

static int blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; }

/* The directive name a line's first word files it under: a known directive's own name
 * (aliases resolved), else the word in lower case. */
static char *option_name(const char *word, size_t len)
{
    const struct conf_directive *d = conf_lookup(word, len, NULL);
    if (d)
        return strdup(d->name);
    char *name = strndup(word, len);
    for (char *p = name; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return name;
}

static void read_line(struct state *st, const char *p, size_t len)
{
    while (len && blank(*p)) {
        p++;
        len--;
    }
    while (len && blank(p[len - 1]))
        len--;
    if (len == 0 || *p == '#') {
        if (len == strlen(CONF_REWRITE_SIGNATURE) && memcmp(p, CONF_REWRITE_SIGNATURE, len) == 0)
            st->has_signature = 1;
        add_line(st, strndup(p, len));
        return;
    }
    struct splitargs a;
    if (splitargs(p, len, &a) != 0) {
        add_line(st, fmt("# ??? %.*s", (int)len, p));
        return;
    }
    char *name = option_name(a.argv[0], a.argvlen[0]);
    splitargs_free(&a);
    add_line(st, strndup(p, len));
    if (name && !st->oom)
        file_line(st, name);
    st->oom |= !name;
    free(name);
}

static void read_old(struct state *st, const char *old, size_t len)
{
    const char *end = old + len;
    while (len && old <= end) {
        const char *nl = memchr(old, '\n', (size_t)(end - old));
        size_t n = nl ? (size_t)(nl - old) : (size_t)(end - old);
        read_line(st, old, n);
        if (!nl)
            break;
        old = nl + 1;
    }
}

/* ---- rewriting ---- */

static void mark_processed(struct state *st, const char *name)
{
    struct option *o = find_option(st, name);
    if (!o && !(o = new_option(st, name))) {
        st->oom = 1;
        return;
    }
    o->processed = 1;
}

/* Puts line (owned) in place of name's next old line, or appends it when forced. */
static void rewrite_line(struct state *st, const char *name, char *line, int force)
{
    struct option *o;
    mark_processed(st, name);
    if (!line) {
        st->oom = 1;
        return;
    }
    if ((o = find_option(st, name)) && o->next < o->nlines) {
        size_t n = o->lines[o->next++];
        free(st->lines[n]);
        st->lines[n] = line;
    } else if (force) {
        if (!st->has_signature) {
            add_line(st, strdup(CONF_REWRITE_SIGNATURE));
            st->has_signature = 1;
        }
        add_line(st, line);
    } else {
        free(line);
    }
}

/* Redis's rewriteConfigFormatMemory: the largest unit that divides the value. */
static void format_memory(char *buf, size_t len, unsigned long long bytes)
{
    static const struct { unsigned long long unit; const char *suffix; } units[] = {
        { 1ULL << 30, "gb" }, { 1ULL << 20, "mb" }, { 1ULL << 10, "kb" },
    };
    for (size_t i = 0; i < 3; i++)
        if (bytes && bytes % units[i].unit == 0) {
            snprintf(buf, len, "%llu%s", bytes / units[i].unit, units[i].suffix);
            return;
        }
    snprintf(buf, len, "%llu", bytes);
}

/* "name "value"", the value quoted as Redis's sdscatrepr. */
static char *quoted_line(const char *name, const char *value)
{
    char *quoted = malloc(repr_size(value, strlen(value)) + 1);
    if (!quoted)
        return NULL;
    *repr_write(quoted, value, strlen(value)) = '\0';
    char *line = fmt("%s %s", name, quoted);
    free(quoted);
    return line;
}

/* A scalar directive: "name value", strings quoted, byte counts in units. */
static char *scalar_line(const struct conf_directive *d, const char *value)
{
    char mem[32];
    if (d->type == CT_STR)
        return quoted_line(d->name, value);
    if (d->type == CT_NUM && (d->nflags & NF_MEM) && !strchr(value, '%')) {
        format_memory(mem, sizeof(mem), strtoull(value, NULL, 10));
        value = mem;
    }
    return fmt("%s %s", d->name, value);
}

static void rewrite_save(struct state *st, const struct conf_values *v)
{
    if (v->nsave == 0)
        rewrite_line(st, "save", strdup("save \"\""), 1);
    for (int i = 0; i < v->nsave; i++)
        rewrite_line(st, "save", fmt("save %lld %d", v->save[i].seconds, v->save[i].changes), 1);
    mark_processed(st, "save");
}

static void rewrite_obuf(struct state *st, const struct conf_values *v, const struct conf_values *def)
{
    static const char *const classes[CONF_OBUF_COUNT] = { "normal", "replica", "pubsub" };
    for (int i = 0; i < CONF_OBUF_COUNT; i++) {
        const struct conf_obuf_limit *l = &v->obuf_limits[i], *dl = &def->obuf_limits[i];
        char hard[32], soft[32];
        format_memory(hard, sizeof(hard), l->hard);
        format_memory(soft, sizeof(soft), l->soft);
        int force = l->hard != dl->hard || l->soft != dl->soft || l->soft_seconds != dl->soft_seconds;
        rewrite_line(st, "client-output-buffer-limit",
                     fmt("client-output-buffer-limit %s %s %s %d", classes[i], hard, soft, l->soft_seconds),
                     force);
    }
}

/* One directive; value and defval are its CONFIG GET texts now and by default. */
static void rewrite_directive(struct state *st, const struct conf_values *v, const struct conf_values *def,
                              const struct conf_directive *d, const char *value, const char *defval)
{
    int differs = strcmp(value, defval) != 0;
    if (d->type != CT_SPECIAL)
        rewrite_line(st, d->name, scalar_line(d, value), differs);
    else if (d->set == conf_set_save)
        rewrite_save(st, v);
    else if (d->set == conf_set_obuf)
        rewrite_obuf(st, v, def);
    else if (d->set == conf_set_dir)
        rewrite_line(st, d->name, quoted_line(d->name, value), 1);
    else if (d->set == conf_set_notify)
        rewrite_line(st, d->name, quoted_line(d->name, value), v->notify_keyspace_events != 0);
    else if ((d->set == conf_set_bind && !differs) || (d->set == conf_set_replicaof && !value[0]))
        mark_processed(st, d->name);        /* their old lines go */
    else if (d->set == conf_set_bind || d->set == conf_set_percentiles)
        rewrite_line(st, d->name, fmt("%s %s", d->name, value[0] ? value : "\"\""), 1);
    else
        rewrite_line(st, d->name, fmt("%s %s", d->name, value), d->set == conf_set_replicaof || differs);
}

static void rewrite_all(struct state *st, const struct conf_values *v, const struct conf_values *def)
{
    char *value = malloc(CONF_VALBUF), *defval = malloc(CONF_VALBUF);
    for (size_t i = 0; value && defval && i < conf_table_len; i++) {
        value[0] = defval[0] = '\0';
        conf_type_get(v, &conf_table[i], value);
        conf_type_get(def, &conf_table[i], defval);
        rewrite_directive(st, v, def, &conf_table[i], value, defval);
    }
    st->oom |= !value || !defval;
    free(value);
    free(defval);
}

/* Blanks the old lines of rewritten directives that no new line reused. */
static void remove_orphans(struct state *st)
{
    for (size_t i = 0; i < st->nopts; i++) {
        struct option *o = &st->opts[i];
        for (; o->processed && o->next < o->nlines; o->next++)
            st->lines[o->lines[o->next]][0] = '\0';
    }
}

static char *join(const struct state *st, size_t *len)
{
    size_t size = 1;
    for (size_t i = 0; i < st->nlines; i++)
        size += strlen(st->lines[i]) + 1;
    char *text = malloc(size), *p = text;
    int was_blank = 0;
    for (size_t i = 0; text && i < st->nlines; i++) {
        size_t n = strlen(st->lines[i]);
        if (n == 0 && was_blank)
            continue;
        was_blank = n == 0;
        memcpy(p, st->lines[i], n);
        p += n;
        *p++ = '\n';
    }
    if (text) {
        *p = '\0';
        *len = (size_t)(p - text);
    }
    return text;
}

char *conf_rewrite(const struct conf_values *v, const char *old, size_t oldlen, size_t *len)
{
    struct state st = { 0 };
    struct conf_values *def = malloc(sizeof(*def));
    char *text = NULL;
    if (def) {
        conf_defaults(def);
        read_old(&st, old, oldlen);
        rewrite_all(&st, v, def);
        remove_orphans(&st);
        if (!st.oom)
            text = join(&st, len);
    }
    free(def);
    free_state(&st);
    return text;
}
