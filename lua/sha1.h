/* lua/sha1.h - SHA-1 (FIPS 180-4) of a byte string, as lowercase hex: the script
 * cache's keys (EVALSHA) and redis.sha1hex. */
#ifndef LUA_SHA1_H
#define LUA_SHA1_H
#include <stddef.h>

/* Writes 40 lowercase hex digits and a NUL into out. */
void sha1_hex(const void *data, size_t len, char out[41]);
#endif
