/* util/glob.h - Redis glob-style pattern matching (stringmatchlen): * ? [abc] [^a] [a-z]
 * and \ escapes, optionally case-insensitive.  Used by KEYS, SCAN MATCH, CONFIG GET,
 * PSUBSCRIBE.  Bounded recursion: pathological patterns cannot blow the stack. */
#ifndef UTIL_GLOB_H
#define UTIL_GLOB_H
#include <stddef.h>
int glob_match(const char *pattern, size_t plen, const char *str, size_t slen, int nocase);
#endif
