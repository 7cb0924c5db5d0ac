/* rdb/lzf.c - LZF compression and decompression (format in lzf.h).
 *
 * The compressor is greedy: at each position it looks up the last position whose
 * next three bytes hashed alike, and if that one really matches (bytes compared, at
 * most 8192 bytes back) it emits the longest match from there, else the byte joins
 * the pending literal run.  The hash table keeps positions from earlier calls too: a
 * candidate is only a hint and is verified against the current input, so the table
 * never needs clearing (it is per thread, so concurrent callers do not share it). */
#include <stdint.h>
#include <string.h>

#include "rdb/lzf.h"

#define HASH_LOG 14
#define MAX_LITERAL 32
#define MAX_MATCH 264               /* (7 + 255) + 2 */
#define MAX_DISTANCE 8192

static __thread uint32_t last_seen[1 << HASH_LOG];     /* position + 1; 0: none */

struct lzf_out {
    unsigned char *p;
    size_t len, cap;
};

static int emit_literals(struct lzf_out *o, const unsigned char *s, size_t n)
{
    while (n) {
        size_t k = n < MAX_LITERAL ? n : MAX_LITERAL;
        if (o->cap - o->len < k + 1)
            return -1;
        o->p[o->len++] = (unsigned char)(k - 1);
        memcpy(o->p + o->len, s, k);
        o->len += k;
        s += k;
        n -= k;
    }
    return 0;
}

/* A back-reference of len bytes (3..MAX_MATCH) from dist bytes back (1..MAX_DISTANCE). */
static int emit_match(struct lzf_out *o, size_t dist, size_t len)
{
    size_t off = dist - 1, n = len - 2;
    if (o->cap - o->len < (n < 7 ? 2u : 3u))
        return -1;
    if (n < 7) {
        o->p[o->len++] = (unsigned char)(n << 5 | off >> 8);
    } else {
        o->p[o->len++] = (unsigned char)(7 << 5 | off >> 8);
        o->p[o->len++] = (unsigned char)(n - 7);
    }
    o->p[o->len++] = (unsigned char)(off & 0xff);
    return 0;
}

static inline uint32_t hash3(const unsigned char *p)
{
    uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    return (v * 2654435761u) >> (32 - HASH_LOG);
}

/* Records pos as the latest position of its three bytes; returns the previous one
 * (SIZE_MAX if none). */
static size_t remember(const unsigned char *in, size_t pos)
{
    uint32_t h = hash3(in + pos);
    size_t prev = (size_t)last_seen[h] - 1;
    last_seen[h] = (uint32_t)(pos + 1);
    return prev;
}

/* Length of the match for the bytes at pos found at ref, 0 if shorter than 3 or ref
 * is not a usable earlier position. */
static size_t match_length(const unsigned char *in, size_t inlen, size_t ref, size_t pos)
{
    if (ref >= pos || pos - ref > MAX_DISTANCE)
        return 0;
    size_t max = inlen - pos < MAX_MATCH ? inlen - pos : MAX_MATCH, n = 0;
    while (n < max && in[ref + n] == in[pos + n])
        n++;
    return n >= 3 ? n : 0;
}

size_t lzf_compress(const void *input, size_t inlen, void *out, size_t outcap)
{
    const unsigned char *in = input;
    struct lzf_out o = { out, 0, outcap };
    size_t pos = 0, literal_start = 0;
    while (pos + 3 <= inlen) {
        size_t ref = remember(in, pos);
        size_t n = match_length(in, inlen, ref, pos);
        if (!n) {
            pos++;
            continue;
        }
        if (emit_literals(&o, in + literal_start, pos - literal_start) < 0 || emit_match(&o, pos - ref, n) < 0)
            return 0;
        size_t end = pos + n;
        for (size_t p = pos + 1; p < end && p + 3 <= inlen; p++)
            remember(in, p);
        pos = literal_start = end;
    }
    if (emit_literals(&o, in + literal_start, inlen - literal_start) < 0)
        return 0;
    return o.len;
}

ssize_t lzf_decompress(const void *input, size_t inlen, void *output, size_t outcap)
{
    const unsigned char *in = input;
    unsigned char *out = output;
    size_t ip = 0, op = 0;
    while (ip < inlen) {
        size_t c = in[ip++];
        if (c < 32) {
            size_t n = c + 1;
            if (inlen - ip < n || outcap - op < n)
                return -1;
            memcpy(out + op, in + ip, n);
            ip += n;
            op += n;
            continue;
        }
        size_t n = c >> 5;
        if (n == 7 && ip < inlen)
            n += in[ip++];
        if (ip >= inlen)
            return -1;
        size_t dist = ((c & 31) << 8 | in[ip++]) + 1;
        n += 2;
        if (dist > op || outcap - op < n)
            return -1;
        for (size_t end = op + n; op < end; op++)
            out[op] = out[op - dist];
    }
    return (ssize_t)op;
}
