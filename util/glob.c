/* util/glob.c - glob-style matching with the semantics of Redis's stringmatchlen:
 * '*' any run, '?' one byte, [abc] [^abc] [a-z] classes (a class left open at the end
 * of the pattern closes there; '\' escapes inside a class), '\x' a literal x,
 * optional ASCII case folding.  Quirks kept on purpose so replies match Redis:
 * range bounds compare as signed chars, an escaped byte inside a class compares
 * case-sensitively, and an empty subject matches only an empty pattern.
 *
 * Owns: glob_match.  Invariant: no recursion and O(plen * slen) time, because
 * every element but '*' consumes exactly one byte, so backtracking to the most
 * recent '*' alone is complete (the classic two-pointer wildcard algorithm). */
#include "util/glob.h"

static int fold(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static int same(char a, char b, int nocase)
{
    return nocase ? fold((signed char)a) == fold((signed char)b) : a == b;
}

/* Matches the class starting after '[' at p against byte c; returns the index just
 * past the class. */
static size_t match_class(const char *pat, size_t plen, size_t p, char c, int nocase,
                          int *matched)
{
    int neg = 0, m = 0;
    if (p < plen && pat[p] == '^') { neg = 1; p++; }
    while (p < plen && pat[p] != ']') {
        if (pat[p] == '\\' && p + 1 < plen) {
            p++;
            if (pat[p] == c) m = 1;
        } else if (p + 2 < plen && pat[p + 1] == '-') {
            int lo = (signed char)pat[p], hi = (signed char)pat[p + 2], x = (signed char)c;
            if (lo > hi) { int t = lo; lo = hi; hi = t; }
            if (nocase) { lo = fold(lo); hi = fold(hi); x = fold(x); }
            if (x >= lo && x <= hi) m = 1;
            p += 2;
        } else if (same(pat[p], c, nocase)) {
            m = 1;
        }
        p++;
    }
    if (p < plen) p++;                 /* the closing ']' */
    *matched = neg ? !m : m;
    return p;
}

/* Matches one non-'*' element at pat[p] against c; returns the index past the
 * element, and *ok whether it matched. */
static size_t match_one(const char *pat, size_t plen, size_t p, char c, int nocase, int *ok)
{
    switch (pat[p]) {
    case '?':
        *ok = 1;
        return p + 1;
    case '[':
        return match_class(pat, plen, p + 1, c, nocase, ok);
    case '\\':
        if (p + 1 < plen) p++;
        /* fall through */
    default:
        *ok = same(pat[p], c, nocase);
        return p + 1;
    }
}

int glob_match(const char *pat, size_t plen, const char *str, size_t slen, int nocase)
{
    size_t p = 0, s = 0, star_p = 0, star_s = 0;
    int have_star = 0;

    if (slen == 0) return plen == 0;
    while (s < slen) {
        if (p < plen && pat[p] == '*') {
            while (p < plen && pat[p] == '*') p++;
            if (p == plen) return 1;
            have_star = 1;
            star_p = p;
            star_s = s;
            continue;
        }
        int ok = 0;
        size_t next = p < plen ? match_one(pat, plen, p, str[s], nocase, &ok) : p;
        if (ok) {
            p = next;
            s++;
        } else if (have_star) {
            p = star_p;
            s = ++star_s;
        } else {
            return 0;
        }
    }
    while (p < plen && pat[p] == '*') p++;
    return p == plen;
}
