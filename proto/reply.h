/* proto/reply.h - building RESP2/RESP3 replies into a private byte buffer.
 * Commands in types/ and worker/ write replies only through this interface; it knows
 * nothing of sockets.  A reply buffer is private memory (jemalloc), never arena.
 *
 * RESP3 types fall back to their RESP2 forms when resp == 2 (maps become flat arrays,
 * nulls become $-1 or *-1, doubles become bulk strings, booleans become integers). */
#ifndef PROTO_REPLY_H
#define PROTO_REPLY_H
#include <stddef.h>
#include <stdint.h>

struct reply {
    char *buf;
    size_t len, cap;
    int resp;               /* 2 or 3 */
    uint64_t errors;        /* error replies written (INFO errorstats) */
    char last_error[32];    /* first word of the last error (ERR, WRONGTYPE, ...) */
};

void reply_init(struct reply *r, int resp);
void reply_free(struct reply *r);
void reply_reset(struct reply *r);     /* len = 0, keeps buffer (unless it grew past 1MB) */

void reply_raw(struct reply *r, const void *p, size_t len); /* bytes as they are */
void reply_status(struct reply *r, const char *s);          /* +s\r\n */
void reply_ok(struct reply *r);                             /* +OK */
/* msg without the leading '-': "ERR syntax error", "WRONGTYPE Operation ...".  As Redis's
 * addReplyErrorFormat: CR/LF at the ends dropped, inside turned into spaces; counted in
 * errors, last_error = the first word (or "ERR" if it does not end within 31 chars).
 * reply_status likewise turns CR/LF into spaces. */
void reply_error(struct reply *r, const char *msg);
void reply_errorf(struct reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void reply_int(struct reply *r, long long v);
void reply_bulk(struct reply *r, const void *p, size_t len);
void reply_bulk_cstr(struct reply *r, const char *s);
void reply_bulk_ll(struct reply *r, long long v);           /* integer as a bulk string */
void reply_null(struct reply *r);                           /* $-1 / _ */
void reply_null_array(struct reply *r);                     /* *-1 / _ */
void reply_array(struct reply *r, long n);
void reply_map(struct reply *r, long n);                    /* n pairs: %n / *2n */
void reply_set(struct reply *r, long n);                    /* ~n / *n */
void reply_push(struct reply *r, long n);                   /* >n / *n */
void reply_double(struct reply *r, double v);               /* ,v / bulk */
void reply_bool(struct reply *r, int v);                    /* #t #f / :1 :0 */
void reply_verbatim(struct reply *r, const char *p, size_t len, const char *ext3); /* =... / bulk */

/* Aggregates whose length is known only at the end: begin returns a handle, end
 * writes the header in place. kind is '*' (array), '%' (map, n pairs) or '~' (set).
 * The end moves the bytes written since begin: close nested ones innermost first. */
size_t reply_defer_begin(struct reply *r);
void reply_defer_end(struct reply *r, size_t handle, char kind, long n);

/* Standard error texts, as Redis 7.0 words them. */
#define ERR_SYNTAX       "ERR syntax error"
#define ERR_WRONGTYPE    "WRONGTYPE Operation against a key holding the wrong kind of value"
#define ERR_NOT_INT      "ERR value is not an integer or out of range"
#define ERR_NOT_FLOAT    "ERR value is not a valid float"
#define ERR_OVERFLOW     "ERR increment or decrement would overflow"
#define ERR_NO_KEY       "ERR no such key"
#define ERR_DB_INDEX     "ERR DB index is out of range"
#endif
