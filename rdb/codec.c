/* rdb/codec.c - RDB lengths and strings, writer and reader (see codec.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdb/codec.h"
#include "rdb/lzf.h"
#include "util/numconv.h"

#define LEN_6BIT 0
#define LEN_14BIT 1
#define LEN_32BIT 0x80
#define LEN_64BIT 0x81
#define LEN_ENCVAL 3

#define ENC_INT8 0
#define ENC_INT16 1
#define ENC_INT32 2
#define ENC_LZF 3

#define INT_ENCODABLE_MAX 11            /* "-2147483648" */
#define COMPRESS_MIN 21                 /* shorter strings are never compressed */
#define COMPRESS_SAVING 4               /* compress only if it saves at least this */

/* --- writer ------------------------------------------------------------------------ */

void rdb_writer_init(struct rdb_writer *w) { *w = (struct rdb_writer){ 0 }; }

void rdb_writer_free(struct rdb_writer *w)
{
    free(w->buf);
    rdb_writer_init(w);
}

static void reserve(struct rdb_writer *w, size_t n)
{
    if (w->cap - w->len >= n)
        return;
    size_t cap = w->cap ? w->cap * 2 : 256;
    if (cap - w->len < n)
        cap = w->len + n;
    unsigned char *buf = realloc(w->buf, cap);
    if (!buf) {
        fprintf(stderr, "rdb_writer: realloc of %zu bytes failed\n", cap);
        abort();
    }
    w->buf = buf;
    w->cap = cap;
}

void rdb_write_raw(struct rdb_writer *w, const void *p, size_t n)
{
    if (!n)
        return;
    reserve(w, n);
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

void rdb_write_byte(struct rdb_writer *w, uint8_t b) { rdb_write_raw(w, &b, 1); }

static void put_be(unsigned char *p, uint64_t v, int nbytes)
{
    for (int i = nbytes - 1; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)(v & 0xff);
}

void rdb_write_len(struct rdb_writer *w, uint64_t len)
{
    unsigned char b[9];
    size_t n;
    if (len < (1u << 6)) {
        b[0] = (unsigned char)(LEN_6BIT << 6 | len);
        n = 1;
    } else if (len < (1u << 14)) {
        b[0] = (unsigned char)(LEN_14BIT << 6 | len >> 8);
        b[1] = (unsigned char)(len & 0xff);
        n = 2;
    } else if (len <= UINT32_MAX) {
        b[0] = LEN_32BIT;
        put_be(b + 1, len, 4);
        n = 5;
    } else {
        b[0] = LEN_64BIT;
        put_be(b + 1, len, 8);
        n = 9;
    }
    rdb_write_raw(w, b, n);
}

/* Writes s as an encoded integer if Redis would; 0 if it is not one. */
static int write_int_encoded(struct rdb_writer *w, const char *s, size_t len)
{
    long long v;
    if (len > INT_ENCODABLE_MAX || !string2ll(s, len, &v) || v < INT32_MIN || v > INT32_MAX)
        return 0;
    unsigned char b[5];
    int nbytes = v >= INT8_MIN && v <= INT8_MAX ? 1 : v >= INT16_MIN && v <= INT16_MAX ? 2 : 4;
    b[0] = (unsigned char)(LEN_ENCVAL << 6 | (nbytes == 1 ? ENC_INT8 : nbytes == 2 ? ENC_INT16 : ENC_INT32));
    uint32_t u = (uint32_t)(int32_t)v;
    for (int i = 0; i < nbytes; i++)
        b[1 + i] = (unsigned char)(u >> (8 * i));
    rdb_write_raw(w, b, (size_t)nbytes + 1);
    return 1;
}

/* Writes s LZF-compressed if that saves COMPRESS_SAVING bytes; 0 if it does not. */
static int write_compressed(struct rdb_writer *w, const void *s, size_t len)
{
    unsigned char *out = malloc(len - COMPRESS_SAVING);
    if (!out)
        return 0;
    size_t clen = lzf_compress(s, len, out, len - COMPRESS_SAVING);
    if (clen) {
        rdb_write_byte(w, LEN_ENCVAL << 6 | ENC_LZF);
        rdb_write_len(w, clen);
        rdb_write_len(w, len);
        rdb_write_raw(w, out, clen);
    }
    free(out);
    return clen != 0;
}

void rdb_write_string(struct rdb_writer *w, const void *s, size_t len, int compress)
{
    if (write_int_encoded(w, s, len))
        return;
    if (compress && len >= COMPRESS_MIN && write_compressed(w, s, len))
        return;
    rdb_write_len(w, len);
    rdb_write_raw(w, s, len);
}

/* --- reader ------------------------------------------------------------------------ */

void rdb_reader_init(struct rdb_reader *r, const void *buf, size_t len)
{
    *r = (struct rdb_reader){ .buf = buf, .len = len };
}

static int fail(struct rdb_reader *r, int status, const char *what, size_t at)
{
    r->error = what;
    r->error_at = at;
    return status;
}

int rdb_read_raw(struct rdb_reader *r, void *out, size_t n)
{
    if (r->len - r->pos < n)
        return fail(r, RDB_ESHORT, "short read", r->pos);
    if (n)
        memcpy(out, r->buf + r->pos, n);
    r->pos += n;
    return RDB_OK;
}

int rdb_read_byte(struct rdb_reader *r)
{
    unsigned char b;
    int rc = rdb_read_raw(r, &b, 1);
    return rc < 0 ? rc : b;
}

static int read_be(struct rdb_reader *r, uint64_t *v, int nbytes)
{
    unsigned char b[8];
    int rc = rdb_read_raw(r, b, (size_t)nbytes);
    *v = 0;
    for (int i = 0; rc == RDB_OK && i < nbytes; i++)
        *v = *v << 8 | b[i];
    return rc;
}

int rdb_read_len(struct rdb_reader *r, uint64_t *len, int *encoded)
{
    size_t at = r->pos;
    int b = rdb_read_byte(r);
    if (b < 0)
        return b;
    if (encoded)
        *encoded = (b >> 6) == LEN_ENCVAL;
    switch (b >> 6) {
    case LEN_6BIT:
    case LEN_ENCVAL:
        *len = (uint64_t)(b & 0x3f);
        return RDB_OK;
    case LEN_14BIT: {
        int lo = rdb_read_byte(r);
        if (lo < 0)
            return lo;
        *len = (uint64_t)(b & 0x3f) << 8 | (uint64_t)lo;
        return RDB_OK;
    }
    }
    if (b == LEN_32BIT || b == LEN_64BIT)
        return read_be(r, len, b == LEN_32BIT ? 4 : 8);
    return fail(r, RDB_ECORRUPT, "unknown length encoding", at);
}

/* A malloc'd copy of n bytes plus a NUL, or NULL. */
static char *alloc_string(struct rdb_reader *r, size_t n, size_t at)
{
    char *s = n < SIZE_MAX ? malloc(n + 1) : NULL;
    if (!s)
        fail(r, RDB_ENOMEM, "out of memory", at);
    else
        s[n] = '\0';
    return s;
}

static int read_int_string(struct rdb_reader *r, int enc, char **s, size_t *len)
{
    int nbytes = enc == ENC_INT8 ? 1 : enc == ENC_INT16 ? 2 : 4;
    unsigned char b[4];
    int rc = rdb_read_raw(r, b, (size_t)nbytes);
    if (rc < 0)
        return rc;
    uint32_t u = 0;
    for (int i = nbytes - 1; i >= 0; i--)
        u = u << 8 | b[i];
    long long v = nbytes == 1 ? (int8_t)u : nbytes == 2 ? (int16_t)u : (int32_t)u;
    char text[24];
    *len = (size_t)ll2string(text, sizeof(text), v);
    if (!(*s = alloc_string(r, *len, r->pos)))
        return RDB_ENOMEM;
    memcpy(*s, text, *len);
    return RDB_OK;
}

static int read_lzf_string(struct rdb_reader *r, size_t at, char **s, size_t *len)
{
    uint64_t clen, ulen;
    int rc;
    if ((rc = rdb_read_len(r, &clen, NULL)) < 0 || (rc = rdb_read_len(r, &ulen, NULL)) < 0)
        return rc;
    if (r->len - r->pos < clen)
        return fail(r, RDB_ESHORT, "short read", r->pos);
    if (ulen / LZF_MAX_EXPANSION > clen)
        return fail(r, RDB_ECORRUPT, "invalid LZF compressed string", at);
    if (!(*s = alloc_string(r, ulen, at)))
        return RDB_ENOMEM;
    if (ulen && lzf_decompress(r->buf + r->pos, clen, *s, ulen) != (ssize_t)ulen) {
        free(*s);
        *s = NULL;
        return fail(r, RDB_ECORRUPT, "invalid LZF compressed string", at);
    }
    r->pos += clen;
    *len = ulen;
    return RDB_OK;
}

int rdb_read_string(struct rdb_reader *r, char **s, size_t *len)
{
    size_t at = r->pos;
    uint64_t n;
    int encoded, rc = rdb_read_len(r, &n, &encoded);
    *s = NULL;
    if (rc < 0)
        return rc;
    if (encoded && n <= ENC_INT32)
        return read_int_string(r, (int)n, s, len);
    if (encoded && n == ENC_LZF)
        return read_lzf_string(r, at, s, len);
    if (encoded)
        return fail(r, RDB_ECORRUPT, "unknown string encoding", at);
    if (r->len - r->pos < n)
        return fail(r, RDB_ESHORT, "short read", r->pos);
    if (!(*s = alloc_string(r, n, at)))
        return RDB_ENOMEM;
    rdb_read_raw(r, *s, n);
    *len = n;
    return RDB_OK;
}
