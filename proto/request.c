/* proto/request.c - incremental parser of client requests, behaving as Redis 7.0's
 * processMultibulkBuffer / processInlineBuffer: same limits, same error texts, same
 * leniencies (checked against redis-server 7.0.15 over raw sockets).
 *
 * Owns: the parser state in struct request.  Invariants while one command is parsed:
 *  - buf[0..pos) is parsed; argv[0..argc) point into it (multibulk) or into
 *    inline_args (inline).  pos is 0 at the start of every command.
 *  - type is 0 until the first byte is seen, then '*' (first byte '*') or 'i'.
 *  - multibulk: multibulk_left is 0 until the count line is read (a count <= 0 ends
 *    the command at once); bulk_len is -1 while a "$len" line is awaited, else the
 *    argument at pos is bulk_len bytes followed by two bytes that are skipped.
 *  - scan: the current line has no terminator in buf[pos..scan); SCAN_HIDDEN once a
 *    NUL byte was met first, since Redis looks for line ends with strchr, which stops
 *    at a NUL: such a line never ends and only the 64KB limit closes the connection.
 *  - argv/argvlen are argv_cap long, kept across commands (and shrunk by
 *    request_reset after an unusually wide one).
 * Leniencies kept on purpose, as Redis has them: the byte after a header's '\r' and
 * the two bytes after a bulk payload are skipped unchecked; an inline line longer
 * than 64KB is refused only while its '\n' has not arrived yet.
 */
#include "proto/request.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/numconv.h"

#define PROTO_INLINE_MAX   (64 * 1024)  /* a line must end within this (Redis's name) */
#define UNAUTH_MAX_ARGS    10
#define UNAUTH_MAX_BULK    16384
#define ARGV_FIRST_RESERVE 1024         /* Redis's argv preallocation bound for "*N" */
#define ARGV_KEEP          1024         /* larger argv arrays are freed between commands */
#define SCAN_HIDDEN        SIZE_MAX

void request_init(struct request *req)
{
    memset(req, 0, sizeof(*req));
    req->bulk_len = -1;
}

void request_free(struct request *req)
{
    splitargs_free(&req->inline_args);
    free(req->argv);
    free(req->argvlen);
    request_init(req);
}

void request_reset(struct request *req)
{
    if (req->type == 'i') splitargs_free(&req->inline_args);
    if (req->argv_cap > ARGV_KEEP) {
        free(req->argv);
        free(req->argvlen);
        req->argv = NULL;
        req->argvlen = NULL;
        req->argv_cap = 0;
    }
    req->argc = 0;
    req->type = 0;
    req->multibulk_left = 0;
    req->bulk_len = -1;
    req->pos = 0;
    req->scan = 0;
}

/* Makes room for need arguments, at least doubling. */
static void reserve(struct request *req, long long need)
{
    if (need <= req->argv_cap) return;
    long long cap = req->argv_cap ? 2LL * req->argv_cap : 8;
    if (cap < need) cap = need;
    if (cap > INT_MAX) cap = INT_MAX;
    const char **argv = realloc(req->argv, sizeof(*argv) * (size_t)cap);
    if (argv) req->argv = argv;
    size_t *argvlen = realloc(req->argvlen, sizeof(*argvlen) * (size_t)cap);
    if (!argv || !argvlen) {
        fprintf(stderr, "request: realloc of %lld arguments failed\n", cap);
        abort();
    }
    req->argvlen = argvlen;
    req->argv_cap = (int)cap;
}

static int fail(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "Protocol error: %s", what);
    return -1;
}

/* Looks for ch ending the line at pos, resuming where the last call stopped.
 * Returns 1 with *eol its offset, or 0 if it is not (or, past a NUL, never) there. */
static int find_eol(struct request *req, const char *buf, size_t len, char ch, size_t *eol)
{
    size_t from = req->scan > req->pos ? req->scan : req->pos;
    if (req->scan == SCAN_HIDDEN || from >= len) return 0;
    for (size_t i = from; i < len; i++) {
        if (buf[i] == ch) {
            req->scan = *eol = i;
            return 1;
        }
        if (buf[i] == '\0') {
            req->scan = SCAN_HIDDEN;
            return 0;
        }
    }
    req->scan = len;
    return 0;
}

/* Finds a whole "<type><digits>\r?" header line at pos (Redis wants one byte after
 * the '\r', whatever it is).  Returns 1 with *eol at the '\r', 0 for more bytes, -1
 * when 64KB arrived without a '\r' (toobig names the line in the error). */
static int header_line(struct request *req, const char *buf, size_t len, size_t *eol,
                       const char *toobig, char *err, size_t errlen)
{
    if (find_eol(req, buf, len, '\r', eol)) return *eol + 1 < len;
    return len - req->pos > PROTO_INLINE_MAX ? fail(err, errlen, toobig) : 0;
}

/* "*<count>\r\n": 1 with multibulk_left set (0 for an empty command), 0, or -1. */
static int read_count(struct request *req, const char *buf, size_t len,
                      const struct request_limits *lim, char *err, size_t errlen)
{
    size_t eol;
    long long n;
    int rc = header_line(req, buf, len, &eol, "too big mbulk count string", err, errlen);
    if (rc <= 0) return rc;
    if (!string2ll(buf + req->pos + 1, eol - req->pos - 1, &n) || n > INT_MAX)
        return fail(err, errlen, "invalid multibulk length");
    if (n > UNAUTH_MAX_ARGS && !lim->authenticated)
        return fail(err, errlen, "unauthenticated multibulk length");
    req->pos = eol + 2;
    if (n <= 0) return 1;
    req->multibulk_left = n;
    reserve(req, n < ARGV_FIRST_RESERVE ? n : ARGV_FIRST_RESERVE);
    return 1;
}

/* "$<len>\r\n": 1 with bulk_len set, 0, or -1. */
static int read_bulk_len(struct request *req, const char *buf, size_t len,
                         const struct request_limits *lim, char *err, size_t errlen)
{
    size_t eol;
    long long n;
    int rc = header_line(req, buf, len, &eol, "too big bulk count string", err, errlen);
    if (rc <= 0) return rc;
    char c = buf[req->pos];
    if (c != '$') {
        /* Redis maps \r and \n in error texts to spaces */
        snprintf(err, errlen, "Protocol error: expected '$', got '%c'",
                 c == '\r' || c == '\n' ? ' ' : c);
        return -1;
    }
    if (!string2ll(buf + req->pos + 1, eol - req->pos - 1, &n) || n < 0 ||
        n > lim->proto_max_bulk_len)
        return fail(err, errlen, "invalid bulk length");
    if (n > UNAUTH_MAX_BULK && !lim->authenticated)
        return fail(err, errlen, "unauthenticated bulk length");
    req->pos = eol + 2;
    req->bulk_len = n;
    return 1;
}

static int parse_multibulk(struct request *req, const char *buf, size_t len,
                           const struct request_limits *lim, char *err, size_t errlen)
{
    int rc;
    if (req->multibulk_left == 0) {
        rc = read_count(req, buf, len, lim, err, errlen);
        if (rc <= 0 || req->multibulk_left == 0) return rc;
    }
    while (req->multibulk_left > 0) {
        if (req->bulk_len < 0 && (rc = read_bulk_len(req, buf, len, lim, err, errlen)) <= 0)
            return rc;
        size_t avail = len - req->pos;
        if (avail < 2 || avail - 2 < (unsigned long long)req->bulk_len) return 0;
        if (req->argc == req->argv_cap) reserve(req, req->argc + 1LL);
        req->argv[req->argc] = buf + req->pos;
        req->argvlen[req->argc++] = (size_t)req->bulk_len;
        req->pos += (size_t)req->bulk_len + 2;
        req->bulk_len = -1;
        req->multibulk_left--;
    }
    return 1;
}

static int parse_inline(struct request *req, const char *buf, size_t len,
                        char *err, size_t errlen)
{
    size_t eol;
    if (!find_eol(req, buf, len, '\n', &eol))
        return len - req->pos > PROTO_INLINE_MAX ? fail(err, errlen, "too big inline request") : 0;
    size_t end = eol > 0 && buf[eol - 1] == '\r' ? eol - 1 : eol;
    if (splitargs(buf, end, &req->inline_args) != 0)
        return fail(err, errlen, "unbalanced quotes in request");
    struct splitargs *a = &req->inline_args;
    reserve(req, a->argc);
    for (int i = 0; i < a->argc; i++) {
        req->argv[i] = a->argv[i];
        req->argvlen[i] = a->argvlen[i];
    }
    req->argc = a->argc;
    req->pos = eol + 1;
    return 1;
}

int request_parse(struct request *req, const char *buf, size_t len, size_t *consumed,
                  const struct request_limits *lim, char *err, size_t errlen)
{
    if (req->type == 0) {
        if (len == 0) return 0;
        req->type = buf[0] == '*' ? '*' : 'i';
    }
    int rc = req->type == '*' ? parse_multibulk(req, buf, len, lim, err, errlen)
                              : parse_inline(req, buf, len, err, errlen);
    if (rc == 1) *consumed = req->pos;
    return rc;
}
