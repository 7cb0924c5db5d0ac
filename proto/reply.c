/* proto/reply.c - RESP2/RESP3 reply building into a growable private buffer, with the
 * byte-exact encodings of Redis 7.0's addReply* family (networking.c).
 *
 * Owns: struct reply's buffer and error statistics.  Invariants: buf[0..len) is the
 * encoded output, cap >= len (buf is NULL while cap == 0, until the first write);
 * every write reserves its whole size once and then copies, so a reply costs one
 * capacity check.  reply_reset drops a buffer that grew past REPLY_KEEP, so one huge
 * reply does not pin its memory for the life of a connection.
 *
 * Errors: the text is sanitized as addReplyErrorFormat does (CR and LF at either end
 * dropped, inside turned into spaces) so no error can break the protocol, and counted
 * as afterErrorReply does: last_error is the first word when it ends within Redis's
 * 32-byte window (counting the '-'), else "ERR".  Status lines get their CR/LF turned
 * into spaces as Redis does for the status replies it cannot trust (Lua's).
 *
 * Deferred aggregates: reply_defer_begin only remembers the offset; reply_defer_end
 * moves what was written since by the header's length and writes the header.  They
 * must be closed innermost first (an outer end moves the inner handles' bytes).
 */
#include "proto/reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/numconv.h"

#define REPLY_FIRST_CAP  256
#define REPLY_KEEP       (1024 * 1024)
#define LINE_MAX_CHARS   32                 /* prefix, a long long, CRLF (and a NUL) */
#define ERR_CODE_WINDOW  32                 /* Redis looks for the code's end in "-..."[0..32) */

void reply_init(struct reply *r, int resp)
{
    memset(r, 0, sizeof(*r));
    r->resp = resp;
}

void reply_free(struct reply *r)
{
    free(r->buf);
    reply_init(r, r->resp);
}

void reply_reset(struct reply *r)
{
    if (r->cap > REPLY_KEEP) {
        free(r->buf);
        r->buf = NULL;
        r->cap = 0;
    }
    r->len = 0;
}

static void grow(struct reply *r, size_t need)
{
    size_t cap = r->cap ? r->cap * 2 : REPLY_FIRST_CAP;
    if (cap - r->len < need) cap = r->len + need;
    char *buf = realloc(r->buf, cap);
    if (!buf) {
        fprintf(stderr, "reply: realloc of %zu bytes failed\n", cap);
        abort();
    }
    r->buf = buf;
    r->cap = cap;
}

/* Returns where n more bytes can be written; the caller then adds to len. */
static inline char *room(struct reply *r, size_t n)
{
    if (r->cap - r->len < n) grow(r, n);
    return r->buf + r->len;
}

/* Writes "<prefix><v>\r\n" at dst (LINE_MAX_CHARS of room); returns its length. */
static size_t fmt_line(char *dst, char prefix, long long v)
{
    size_t n;
    dst[0] = prefix;
    if (v >= 0 && v < 10) {
        dst[1] = (char)('0' + v);
        n = 2;
    } else {
        n = 1 + (size_t)ll2string(dst + 1, LINE_MAX_CHARS - 3, v);
    }
    dst[n] = '\r';
    dst[n + 1] = '\n';
    return n + 2;
}

static void put_line(struct reply *r, char prefix, long long v)
{
    r->len += fmt_line(room(r, LINE_MAX_CHARS), prefix, v);
}

/* An aggregate header: kind is '*', '%' (n pairs), '~' or '>'; RESP2 has only '*'. */
static size_t fmt_aggregate(char *dst, int resp, char kind, long n)
{
    if (resp == 2) return fmt_line(dst, '*', kind == '%' ? 2LL * n : n);
    return fmt_line(dst, kind, n);
}

static void put_aggregate(struct reply *r, char kind, long n)
{
    r->len += fmt_aggregate(room(r, LINE_MAX_CHARS), r->resp, kind, n);
}

void reply_raw(struct reply *r, const void *p, size_t len)
{
    memcpy(room(r, len), p, len);
    r->len += len;
}

/* Copies s[0..len) to dst with CR and LF turned into spaces. */
static void copy_one_line(char *dst, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) dst[i] = s[i] == '\r' || s[i] == '\n' ? ' ' : s[i];
}

/* "<prefix><s>\r\n" with s kept on one line. */
static void put_text_line(struct reply *r, char prefix, const char *s, size_t len)
{
    char *p = room(r, len + 3);
    p[0] = prefix;
    copy_one_line(p + 1, s, len);
    p[len + 1] = '\r';
    p[len + 2] = '\n';
    r->len += len + 3;
}

void reply_status(struct reply *r, const char *s)
{
    put_text_line(r, '+', s, strlen(s));
}

void reply_ok(struct reply *r)
{
    reply_raw(r, "+OK\r\n", 5);
}

static int is_crlf(char c)
{
    return c == '\r' || c == '\n';
}

/* Records an error reply whose text (without '-') is msg[0..len). */
static void count_error(struct reply *r, const char *msg, size_t len)
{
    size_t window = len < ERR_CODE_WINDOW - 1 ? len : ERR_CODE_WINDOW - 1;
    const char *space = memchr(msg, ' ', window);
    size_t n = space ? (size_t)(space - msg) : 3;
    memcpy(r->last_error, space ? msg : "ERR", n);
    r->last_error[n] = '\0';
    r->errors++;
}

static void put_error(struct reply *r, const char *msg, size_t len)
{
    while (len > 0 && is_crlf(msg[0])) msg++, len--;
    while (len > 0 && is_crlf(msg[len - 1])) len--;
    put_text_line(r, '-', msg, len);
    count_error(r, r->buf + r->len - len - 2, len);
}

void reply_error(struct reply *r, const char *msg)
{
    put_error(r, msg, strlen(msg));
}

void reply_errorf(struct reply *r, const char *fmt, ...)
{
    char small[256], *msg = small;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof(small)) {
        msg = malloc((size_t)n + 1);
        if (!msg) {
            fprintf(stderr, "reply: malloc of %d bytes failed\n", n + 1);
            abort();
        }
        va_start(ap, fmt);
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    put_error(r, msg, (size_t)n);
    if (msg != small) free(msg);
}

void reply_int(struct reply *r, long long v)
{
    put_line(r, ':', v);
}

void reply_bulk(struct reply *r, const void *p, size_t len)
{
    char *dst = room(r, LINE_MAX_CHARS + len + 2);
    size_t n = fmt_line(dst, '$', (long long)len);
    memcpy(dst + n, p, len);
    dst[n + len] = '\r';
    dst[n + len + 1] = '\n';
    r->len += n + len + 2;
}

void reply_bulk_cstr(struct reply *r, const char *s)
{
    if (!s) reply_null(r);
    else reply_bulk(r, s, strlen(s));
}

void reply_bulk_ll(struct reply *r, long long v)
{
    char num[LINE_MAX_CHARS];
    reply_bulk(r, num, (size_t)ll2string(num, sizeof(num), v));
}

void reply_null(struct reply *r)
{
    if (r->resp == 2) reply_raw(r, "$-1\r\n", 5);
    else reply_raw(r, "_\r\n", 3);
}

void reply_null_array(struct reply *r)
{
    if (r->resp == 2) reply_raw(r, "*-1\r\n", 5);
    else reply_raw(r, "_\r\n", 3);
}

void reply_array(struct reply *r, long n)
{
    put_aggregate(r, '*', n);
}

void reply_map(struct reply *r, long n)
{
    put_aggregate(r, '%', n);
}

void reply_set(struct reply *r, long n)
{
    put_aggregate(r, '~', n);
}

void reply_push(struct reply *r, long n)
{
    put_aggregate(r, '>', n);
}

void reply_double(struct reply *r, double v)
{
    char num[64];
    int n = d2string(num, sizeof(num), v);
    if (r->resp == 2) {
        reply_bulk(r, num, (size_t)n);
        return;
    }
    char *p = room(r, (size_t)n + 3);
    p[0] = ',';
    memcpy(p + 1, num, (size_t)n);
    memcpy(p + 1 + n, "\r\n", 2);
    r->len += (size_t)n + 3;
}

void reply_bool(struct reply *r, int v)
{
    if (r->resp == 2) reply_raw(r, v ? ":1\r\n" : ":0\r\n", 4);
    else reply_raw(r, v ? "#t\r\n" : "#f\r\n", 4);
}

/* RESP3: "=<len+4>\r\n<ext padded to 3>:<text>\r\n"; RESP2: the text as a bulk. */
void reply_verbatim(struct reply *r, const char *p, size_t len, const char *ext3)
{
    if (r->resp == 2) {
        reply_bulk(r, p, len);
        return;
    }
    char *dst = room(r, LINE_MAX_CHARS + 4 + len + 2);
    size_t n = fmt_line(dst, '=', (long long)len + 4);
    for (int i = 0; i < 3; i++) dst[n + i] = *ext3 ? *ext3++ : ' ';
    dst[n + 3] = ':';
    memcpy(dst + n + 4, p, len);
    memcpy(dst + n + 4 + len, "\r\n", 2);
    r->len += n + 4 + len + 2;
}

size_t reply_defer_begin(struct reply *r)
{
    return r->len;
}

void reply_defer_end(struct reply *r, size_t handle, char kind, long n)
{
    char head[LINE_MAX_CHARS];
    size_t hlen = fmt_aggregate(head, r->resp, kind, n);
    room(r, hlen);
    memmove(r->buf + handle + hlen, r->buf + handle, r->len - handle);
    memcpy(r->buf + handle, head, hlen);
    r->len += hlen;
}
