/* conf/types.c - the generic directive types: yes/no, numbers (plain, memory units,
 * percent, octal), enums and strings.  Parsing, bounds and error texts follow Redis
 * 7.0.15's config.c (numericParseString, numericBoundaryCheck, enumConfigSet), and
 * values print as its CONFIG GET prints them.
 *
 * Invariant: a failed set leaves the stored value untouched. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/directive.h"
#include "util/numconv.h"

#define FIELD(v, d, type) ((type *)((char *)(v) + (d)->off))
#define CFIELD(v, d, type) ((const type *)((const char *)(v) + (d)->off))

void conf_errf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static void num_store(struct conf_values *v, const struct conf_directive *d, long long x)
{
    switch (d->width) {
    case W_I32: *FIELD(v, d, int) = (int)x; break;
    case W_U32: *FIELD(v, d, unsigned int) = (unsigned int)x; break;
    case W_I64: *FIELD(v, d, long long) = x; break;
    case W_U64: *FIELD(v, d, unsigned long long) = (unsigned long long)x; break;
    }
}

static long long num_load(const struct conf_values *v, const struct conf_directive *d)
{
    switch (d->width) {
    case W_I32: return *CFIELD(v, d, int);
    case W_U32: return *CFIELD(v, d, unsigned int);
    case W_I64: return *CFIELD(v, d, long long);
    case W_U64: return (long long)*CFIELD(v, d, unsigned long long);
    }
    return 0;
}

static int parse_octal(const char *s, long long *out)
{
    char *end;
    errno = 0;
    *out = strtoll(s, &end, 8);
    return errno == 0 && *end == '\0';
}

/* Redis's numericParseString: memory units, then percent, then octal, then a plain
 * integer for directives with no special flag. */
static int num_parse(const struct conf_directive *d, const char *s, long long *out,
                     char *err, size_t errlen)
{
    size_t len = strlen(s);
    int memerr;
    if (d->nflags & NF_MEM) {
        *out = (long long)memtoull(s, &memerr);
        if (!memerr) return 0;
    }
    if ((d->nflags & NF_PERCENT) && len > 1 && s[len - 1] == '%' &&
        string2ll(s, len - 1, out) && *out >= 0) {
        *out = -*out;
        return 0;
    }
    if ((d->nflags & NF_OCTAL) && parse_octal(s, out)) return 0;
    if (!d->nflags && string2ll(s, len, out)) return 0;
    if ((d->nflags & NF_MEM) && (d->nflags & NF_PERCENT))
        conf_errf(err, errlen, "argument must be a memory or percent value");
    else if (d->nflags & NF_MEM)
        conf_errf(err, errlen, "argument must be a memory value");
    else if (d->nflags & NF_OCTAL)
        conf_errf(err, errlen, "argument couldn't be parsed as an octal number");
    else
        conf_errf(err, errlen, "argument couldn't be parsed into an integer");
    return -1;
}

/* Redis's numericBoundaryCheck: unsigned fields compare unsigned. */
static int num_bounds(const struct conf_directive *d, long long x, char *err, size_t errlen)
{
    if (d->width == W_U32 || d->width == W_U64) {
        unsigned long long u = (unsigned long long)x, lo = (unsigned long long)d->lo,
                           hi = (unsigned long long)d->hi;
        if (u >= lo && u <= hi) return 0;
        conf_errf(err, errlen,
                  (d->nflags & NF_OCTAL) ? "argument must be between %llo and %llo inclusive"
                                         : "argument must be between %llu and %llu inclusive",
                  lo, hi);
        return -1;
    }
    if ((d->nflags & NF_PERCENT) && x < 0) {
        if (x >= d->lo) return 0;
        conf_errf(err, errlen, "percentage argument must be less or equal to %lld", -d->lo);
        return -1;
    }
    if (x >= d->lo && x <= d->hi) return 0;
    conf_errf(err, errlen, "argument must be between %lld and %lld inclusive", d->lo, d->hi);
    return -1;
}

/* Values Redis accepts but then raises or lowers when applying them, so that
 * CONFIG GET shows the applied value: hz to 1..500, repl-backlog-size to >= 16kb. */
static void clamp_applied(struct conf_values *v, const struct conf_directive *d)
{
    if (d->off == offsetof(struct conf_values, hz)) {
        if (v->hz < 1) v->hz = 1;
        if (v->hz > 500) v->hz = 500;
    } else if (d->off == offsetof(struct conf_values, repl_backlog_size)) {
        if (v->repl_backlog_size < 16 * 1024) v->repl_backlog_size = 16 * 1024;
    }
}

static int num_set(struct conf_values *v, const struct conf_directive *d, const char *s,
                   char *err, size_t errlen)
{
    long long x;
    if (num_parse(d, s, &x, err, errlen) || num_bounds(d, x, err, errlen)) return -1;
    num_store(v, d, x);
    clamp_applied(v, d);
    return 0;
}

static void num_get(const struct conf_values *v, const struct conf_directive *d, char *buf)
{
    long long x = num_load(v, d);
    if ((d->nflags & NF_PERCENT) && x < 0)
        snprintf(buf, CONF_VALBUF, "%lld%%", -x);
    else if (d->nflags & NF_MEM)
        ull2string(buf, CONF_VALBUF, (unsigned long long)x);
    else if (d->nflags & NF_OCTAL)
        snprintf(buf, CONF_VALBUF, "%llo", (unsigned long long)x);
    else
        ll2string(buf, CONF_VALBUF, x);
}

static int bool_set(struct conf_values *v, const struct conf_directive *d, const char *s,
                    char *err, size_t errlen)
{
    int yes = !strcasecmp(s, "yes");
    if (!yes && strcasecmp(s, "no")) {
        conf_errf(err, errlen, "argument must be 'yes' or 'no'");
        return -1;
    }
    if (d->check && d->check(yes ? "yes" : "no", err, errlen)) return -1;
    *FIELD(v, d, int) = yes;
    return 0;
}

static int enum_set(struct conf_values *v, const struct conf_directive *d, const char *s,
                    char *err, size_t errlen)
{
    const struct conf_enum *e;
    size_t n;
    for (e = d->enums; e->name; e++) {
        if (!strcasecmp(e->name, s)) {
            *FIELD(v, d, int) = e->value;
            return 0;
        }
    }
    n = (size_t)snprintf(err, errlen, "argument(s) must be one of the following: ");
    for (e = d->enums; e->name && n < errlen; e++)
        n += (size_t)snprintf(err + n, errlen - n, "%s%s", e->name, e[1].name ? ", " : "");
    return -1;
}

static void enum_get(const struct conf_values *v, const struct conf_directive *d, char *buf)
{
    int x = *CFIELD(v, d, int);
    for (const struct conf_enum *e = d->enums; e->name; e++) {
        if (e->value == x) {
            snprintf(buf, CONF_VALBUF, "%s", e->name);
            return;
        }
    }
    snprintf(buf, CONF_VALBUF, "unknown");
}

static int str_set(struct conf_values *v, const struct conf_directive *d, const char *s,
                   char *err, size_t errlen)
{
    size_t len = strlen(s);
    if (d->check && d->check(s, err, errlen)) return -1;
    if (len >= CONF_PATH_MAX) {
        conf_errf(err, errlen, "argument is too long (more than %d bytes)", CONF_PATH_MAX - 1);
        return -1;
    }
    memcpy(FIELD(v, d, char), s, len + 1);
    return 0;
}

int conf_type_set(struct conf_values *v, const struct conf_directive *d, int argc,
                  char **argv, int from_file, char *err, size_t errlen)
{
    if (d->type == CT_SPECIAL) return d->set(v, d, argc, argv, from_file, err, errlen);
    if (argc != 1) {
        conf_errf(err, errlen, "wrong number of arguments");
        return -1;
    }
    switch (d->type) {
    case CT_BOOL: return bool_set(v, d, argv[0], err, errlen);
    case CT_NUM: return num_set(v, d, argv[0], err, errlen);
    case CT_ENUM: return enum_set(v, d, argv[0], err, errlen);
    default: return str_set(v, d, argv[0], err, errlen);
    }
}

void conf_type_get(const struct conf_values *v, const struct conf_directive *d, char *buf)
{
    switch (d->type) {
    case CT_BOOL: snprintf(buf, CONF_VALBUF, "%s", *CFIELD(v, d, int) ? "yes" : "no"); break;
    case CT_NUM: num_get(v, d, buf); break;
    case CT_ENUM: enum_get(v, d, buf); break;
    case CT_STR: snprintf(buf, CONF_VALBUF, "%s", CFIELD(v, d, char)); break;
    case CT_SPECIAL: d->get(v, d, buf); break;
    }
}

void conf_type_default(struct conf_values *v, const struct conf_directive *d)
{
    switch (d->type) {
    case CT_BOOL:
    case CT_ENUM: *FIELD(v, d, int) = (int)d->def; break;
    case CT_NUM: num_store(v, d, d->def); break;
    case CT_STR: snprintf(FIELD(v, d, char), CONF_PATH_MAX, "%s", d->sdef); break;
    case CT_SPECIAL: break;
    }
}
