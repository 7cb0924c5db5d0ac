/* util/numconv.h - number <-> string conversions with Redis's exact rules.
 * string2ll: strict base-10 signed 64-bit (no spaces, no '+', no leading zeros except
 * "0", overflow rejected).  Doubles format as Redis does for replies (%.17g, "inf",
 * "-inf"), long doubles as INCRBYFLOAT does (%.17Lf with trailing zeros removed). */
#ifndef UTIL_NUMCONV_H
#define UTIL_NUMCONV_H
#include <stddef.h>
#include <stdint.h>

int string2ll(const char *s, size_t len, long long *out);      /* 1 ok, 0 not a number */
int string2ull(const char *s, size_t len, unsigned long long *out);
int string2d(const char *s, size_t len, double *out);          /* rejects nan, spaces */
int string2ld(const char *s, size_t len, long double *out);
int ll2string(char *dst, size_t dstlen, long long v);          /* returns length */
int ull2string(char *dst, size_t dstlen, unsigned long long v);
int d2string(char *dst, size_t dstlen, double v);              /* reply format, %.17g */
int ld2string(char *dst, size_t dstlen, long double v, int humanfriendly);
/* "1gb" "100k" etc. as redis.conf memory units (b k kb m mb g gb, any case; k=1000,
 * kb=1024); *err set to 1 on bad input.  memtoll: signed, overflow is an error.
 * memtoull: what Redis 7.0's numeric memory configs use: no '-' accepted, digits past
 * ULLONG_MAX saturate and the unit multiplication wraps, exactly as Redis does. */
long long memtoll(const char *s, int *err);
unsigned long long memtoull(const char *s, int *err);
#endif
