/* util/repr.h - bytes as a double-quoted, escaped C-like literal, the way Redis's
 * sdscatrepr prints them (MONITOR lines, CONFIG REWRITE string values): '\\' and '"'
 * are backslash-escaped, \n \r \t \a \b written as such, other bytes outside the
 * printable ASCII range as \xhh (lower-case hex). */
#ifndef UTIL_REPR_H
#define UTIL_REPR_H
#include <stddef.h>

/* Bytes repr_write writes for s (quotes included, no NUL). */
size_t repr_size(const char *s, size_t len);
/* Writes the literal at dst (repr_size bytes, no NUL); returns the end. */
char *repr_write(char *dst, const char *s, size_t len);
#endif
