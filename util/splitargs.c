/* util/splitargs.c - split one line into words with redis.conf / inline-command
 * quoting (the rules of Redis's sdssplitargs, written anew).
 *
 * Owns: the tokenizer and the struct splitargs it fills.  Invariants: every argv[i]
 * is heap-allocated, NUL-terminated and argvlen[i] long (escapes such as \x00 may
 * put NUL bytes inside); on failure nothing stays allocated.  A NUL byte in the
 * input ends the line, as it does for Redis's C-string tokenizer. */
#include "util/splitargs.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct word {
    char *buf;
    size_t len, cap;
};

static int word_push(struct word *w, char c)
{
    if (w->len + 1 >= w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        char *nb = realloc(w->buf, cap);
        if (!nb) return -1;
        w->buf = nb;
        w->cap = cap;
    }
    w->buf[w->len++] = c;
    w->buf[w->len] = '\0';
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static char escape_char(char c)
{
    switch (c) {
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'b': return '\b';
    case 'a': return '\a';
    default: return c;
    }
}

/* True when position i is the end of the line or a space: where a closing quote
 * must stand. */
static int at_boundary(const char *s, size_t len, size_t i)
{
    return i >= len || s[i] == '\0' || isspace((unsigned char)s[i]);
}

/* Reads a "double quoted" part starting after the opening quote at *i.  Returns 0
 * with *i after the closing quote, -1 on unbalanced quotes or memory. */
static int read_dquoted(const char *s, size_t len, size_t *i, struct word *w)
{
    size_t p = *i;
    for (;;) {
        if (p >= len || s[p] == '\0') return -1;
        if (s[p] == '\\' && p + 3 < len && s[p + 1] == 'x' &&
            hexval(s[p + 2]) >= 0 && hexval(s[p + 3]) >= 0) {
            if (word_push(w, (char)(hexval(s[p + 2]) * 16 + hexval(s[p + 3])))) return -1;
            p += 4;
        } else if (s[p] == '\\' && p + 1 < len && s[p + 1] != '\0') {
            if (word_push(w, escape_char(s[p + 1]))) return -1;
            p += 2;
        } else if (s[p] == '"') {
            if (!at_boundary(s, len, p + 1)) return -1;
            *i = p + 1;
            return 0;
        } else {
            if (word_push(w, s[p])) return -1;
            p++;
        }
    }
}

/* As read_dquoted for a 'single quoted' part: only \' is an escape. */
static int read_squoted(const char *s, size_t len, size_t *i, struct word *w)
{
    size_t p = *i;
    for (;;) {
        if (p >= len || s[p] == '\0') return -1;
        if (s[p] == '\\' && p + 1 < len && s[p + 1] == '\'') {
            if (word_push(w, '\'')) return -1;
            p += 2;
        } else if (s[p] == '\'') {
            if (!at_boundary(s, len, p + 1)) return -1;
            *i = p + 1;
            return 0;
        } else {
            if (word_push(w, s[p])) return -1;
            p++;
        }
    }
}

/* True when position i ends an unquoted word: the end of the line, a NUL, or one of
 * the four separators sdssplitargs stops at (\v and \f, spaces to isspace(), stay
 * inside a word there while still separating words and closing quotes). */
static int at_word_end(const char *s, size_t len, size_t i)
{
    if (i >= len)
        return 1;
    switch (s[i]) {
    case '\0': case ' ': case '\n': case '\r': case '\t':
        return 1;
    default:
        return 0;
    }
}

/* Reads one word starting at a non-space *i. */
static int read_word(const char *s, size_t len, size_t *i, struct word *w)
{
    if (word_push(w, 'x')) return -1;      /* make buf non-NULL even for "" */
    w->len = 0;
    w->buf[0] = '\0';
    while (!at_word_end(s, len, *i)) {
        char c = s[(*i)++];
        if (c == '"' || c == '\'')         /* a closed quote ends the word */
            return c == '"' ? read_dquoted(s, len, i, w) : read_squoted(s, len, i, w);
        if (word_push(w, c)) return -1;
    }
    return 0;
}

static int args_append(struct splitargs *a, struct word *w)
{
    char **nv = realloc(a->argv, sizeof(*nv) * (size_t)(a->argc + 1));
    if (!nv) return -1;
    a->argv = nv;
    size_t *nl = realloc(a->argvlen, sizeof(*nl) * (size_t)(a->argc + 1));
    if (!nl) return -1;
    a->argvlen = nl;
    a->argv[a->argc] = w->buf;
    a->argvlen[a->argc] = w->len;
    a->argc++;
    return 0;
}

int splitargs(const char *line, size_t len, struct splitargs *out)
{
    size_t i = 0;
    memset(out, 0, sizeof(*out));
    for (;;) {
        while (i < len && line[i] != '\0' && isspace((unsigned char)line[i])) i++;
        if (i >= len || line[i] == '\0') return 0;
        struct word w = {0};
        if (read_word(line, len, &i, &w) || args_append(out, &w)) {
            free(w.buf);
            splitargs_free(out);
            return -1;
        }
    }
}

void splitargs_free(struct splitargs *a)
{
    for (int i = 0; i < a->argc; i++) free(a->argv[i]);
    free(a->argv);
    free(a->argvlen);
    memset(a, 0, sizeof(*a));
}
