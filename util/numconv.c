/* util/numconv.c - number <-> string conversions with Redis's exact acceptance rules
 * and output formats (see util/numconv.h).
 *
 * Owns: the strict integer parsers, the double/long double validators (strtod based:
 * no leading space, whole string consumed, no nan, no overflow to +-inf or total
 * underflow; short integers skip strtod), the reply formats, and redis.conf memory units.  Every parser takes a
 * length and never reads past it. */
#include "util/numconv.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NUMCONV_LD_MAX_CHARS (5 * 1024)   /* Redis's MAX_LONG_DOUBLE_CHARS */

/* Parses a run of decimal digits s[0..len): no sign, no leading zero unless the
 * whole run is "0", nothing else, no unsigned overflow. */
static int parse_digits(const char *s, size_t len, unsigned long long *out)
{
    unsigned long long v = 0;
    if (len == 0 || (s[0] == '0' && len > 1)) return 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (unsigned)(s[i] - '0'), &v))
            return 0;
    }
    *out = v;
    return 1;
}

int string2ll(const char *s, size_t len, long long *out)
{
    unsigned long long v;
    int neg = len > 0 && s[0] == '-';
    if (!parse_digits(s + neg, len - (size_t)neg, &v)) return 0;
    if (neg) {
        if (v == 0 || v > (unsigned long long)LLONG_MAX + 1) return 0;   /* "-0" too */
        *out = (long long)(0 - v);
    } else {
        if (v > (unsigned long long)LLONG_MAX) return 0;
        *out = (long long)v;
    }
    return 1;
}

int string2ull(const char *s, size_t len, unsigned long long *out)
{
    return parse_digits(s, len, out);
}

/* Copies s[0..len) into buf as a C string; 0 if it does not fit or holds a NUL. */
static int to_cstring(char *buf, size_t bufsize, const char *s, size_t len)
{
    if (len == 0 || len >= bufsize || memchr(s, '\0', len)) return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return 1;
}

/* The common case of string2d without strtod: an optional sign and 1 to 15 digits
 * (leading zeros allowed), a value below 2^53 and so exact, as strtod reads it ("-0"
 * is -0.0).  0 for anything else. */
static int short_int2d(const char *s, size_t len, double *out)
{
    size_t i = len > 0 && (s[0] == '-' || s[0] == '+');
    if (len == i || len - i > 15) return 0;
    uint64_t v = 0;
    for (; i < len; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9) return 0;
        v = v * 10 + d;
    }
    *out = s[0] == '-' ? -(double)v : (double)v;
    return 1;
}

int string2d(const char *s, size_t len, double *out)
{
    char buf[NUMCONV_LD_MAX_CHARS], *end;
    if (short_int2d(s, len, out)) return 1;
    if (!to_cstring(buf, sizeof(buf), s, len) || isspace((unsigned char)buf[0])) return 0;
    errno = 0;
    double v = strtod(buf, &end);
    if ((size_t)(end - buf) != len || isnan(v)) return 0;
    if (errno == ERANGE && (isinf(v) || v == 0)) return 0;
    *out = v;
    return 1;
}

int string2ld(const char *s, size_t len, long double *out)
{
    char buf[NUMCONV_LD_MAX_CHARS], *end;
    if (!to_cstring(buf, sizeof(buf), s, len) || isspace((unsigned char)buf[0])) return 0;
    errno = 0;
    long double v = strtold(buf, &end);
    if ((size_t)(end - buf) != len || isnan(v) || errno == EINVAL) return 0;
    if (errno == ERANGE && (isinf(v) || v == 0)) return 0;
    *out = v;
    return 1;
}

int ull2string(char *dst, size_t dstlen, unsigned long long v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (n + 1 > dstlen) {
        if (dstlen) dst[0] = '\0';
        return 0;
    }
    for (size_t i = 0; i < n; i++) dst[i] = tmp[n - 1 - i];
    dst[n] = '\0';
    return (int)n;
}

int ll2string(char *dst, size_t dstlen, long long v)
{
    if (v >= 0) return ull2string(dst, dstlen, (unsigned long long)v);
    if (dstlen < 2) {
        if (dstlen) dst[0] = '\0';
        return 0;
    }
    int n = ull2string(dst + 1, dstlen - 1, 0 - (unsigned long long)v);
    if (n == 0) {
        dst[0] = '\0';
        return 0;
    }
    dst[0] = '-';
    return n + 1;
}

/* snprintf that reports 0 (and leaves "") when the text does not fit. */
static int fits(char *dst, size_t dstlen, int n)
{
    if (n < 0 || (size_t)n >= dstlen) {
        if (dstlen) dst[0] = '\0';
        return 0;
    }
    return n;
}

int d2string(char *dst, size_t dstlen, double v)
{
    if (isnan(v)) return fits(dst, dstlen, snprintf(dst, dstlen, "nan"));
    if (isinf(v)) return fits(dst, dstlen, snprintf(dst, dstlen, v > 0 ? "inf" : "-inf"));
    return fits(dst, dstlen, snprintf(dst, dstlen, "%.17g", v));
}

/* "%.17Lf" with the zeros after the point (and a bare point) removed, "-0" -> "0". */
static int ld_human(char *dst, size_t dstlen, long double v)
{
    int n = fits(dst, dstlen, snprintf(dst, dstlen, "%.17Lf", v));
    if (n == 0) return 0;
    if (memchr(dst, '.', (size_t)n)) {
        while (dst[n - 1] == '0') n--;
        if (dst[n - 1] == '.') n--;
    }
    if (n == 2 && dst[0] == '-' && dst[1] == '0') n = 1, dst[0] = '0';
    dst[n] = '\0';
    return n;
}

int ld2string(char *dst, size_t dstlen, long double v, int humanfriendly)
{
    if (isinf(v)) return fits(dst, dstlen, snprintf(dst, dstlen, v > 0 ? "inf" : "-inf"));
    if (humanfriendly) return ld_human(dst, dstlen, v);
    return fits(dst, dstlen, snprintf(dst, dstlen, "%.17Lg", v));
}

/* Unit multiplier for a memtoll suffix, 0 if unknown. */
static long long unit_mul(const char *u)
{
    static const struct { const char *name; long long mul; } units[] = {
        {"", 1}, {"b", 1}, {"k", 1000}, {"kb", 1024}, {"m", 1000 * 1000},
        {"mb", 1024 * 1024}, {"g", 1000LL * 1000 * 1000}, {"gb", 1024LL * 1024 * 1024},
    };
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (!strcasecmp(u, units[i].name)) return units[i].mul;
    return 0;
}

/* Splits s into its digits and unit: copies the digits (with a leading '-' if
 * allow_minus) into buf and returns the unit multiplier, 0 if s is malformed. */
static long long mem_split(const char *s, int allow_minus, char *buf, size_t bufsize)
{
    const char *u = s;
    if (*u == '-') {
        if (!allow_minus) return 0;
        u++;
    }
    while (*u && isdigit((unsigned char)*u)) u++;
    long long mul = unit_mul(u);
    if (mul == 0 || (size_t)(u - s) >= bufsize) return 0;
    memcpy(buf, s, (size_t)(u - s));
    buf[u - s] = '\0';
    return mul;
}

long long memtoll(const char *s, int *err)
{
    char buf[128], *end;
    long long val, mul = mem_split(s, 1, buf, sizeof(buf));
    if (err) *err = 0;
    if (mul == 0) goto bad;
    errno = 0;
    val = strtoll(buf, &end, 10);
    if (*end != '\0' || errno == ERANGE || __builtin_mul_overflow(val, mul, &val)) goto bad;
    return val;
bad:
    if (err) *err = 1;
    return 0;
}

unsigned long long memtoull(const char *s, int *err)
{
    char buf[128], *end;
    long long mul = mem_split(s, 0, buf, sizeof(buf));
    if (err) *err = 0;
    if (mul == 0) goto bad;
    unsigned long long val = strtoull(buf, &end, 10);    /* saturates, as Redis */
    if (*end != '\0') goto bad;
    return val * (unsigned long long)mul;                /* wraps, as Redis */
bad:
    if (err) *err = 1;
    return 0;
}
