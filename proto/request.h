/* proto/request.h - incremental parser of client requests: RESP multibulk frames and
 * inline commands, with Redis 7.0's limits and "Protocol error: ..." texts.
 *
 * The parser reads from a query buffer owned by the caller and never copies argument
 * bytes: argv[i] points into that buffer, valid until the caller discards the
 * consumed prefix.  State carries over between calls, so a frame that arrives in many
 * reads is scanned once (no quadratic re-parse of large multibulk requests).
 */
#ifndef PROTO_REQUEST_H
#define PROTO_REQUEST_H
#include <stddef.h>
#include <stdint.h>
#include "util/splitargs.h"

struct request_limits {
    long long proto_max_bulk_len;   /* proto-max-bulk-len (default 512mb); Redis skips it
                                       for its master link: pass LLONG_MAX there */
    int authenticated;              /* 0: Redis's tighter limits for unauthenticated clients */
};

struct request {
    int argc;
    const char **argv;              /* into the query buffer (inline: into own storage) */
    size_t *argvlen;
    /* parser state, private */
    int argv_cap;
    int type;                       /* 0 unknown, '*' multibulk, 'i' inline */
    long long multibulk_left;       /* arguments still to read; 0 before the count line */
    long long bulk_len;             /* length of the argument at pos; -1: "$len" line next */
    size_t pos;                     /* bytes of the buffer already parsed */
    size_t scan;                    /* current line searched up to here (scanned once) */
    struct splitargs inline_args;   /* inline commands: the unescaped words argv points to
                                       (util/splitargs already allocates them, so the
                                       parser keeps them instead of copying again) */
};

void request_init(struct request *req);
void request_free(struct request *req);

/* Parses one command from buf[0..len) (the unconsumed part of the query buffer).
 * Returns 1 when a command is complete: req->argc/argv are set and *consumed is its
 * length in bytes (argc may be 0 for an empty inline line or "*0"/"*-1", which the
 * caller skips).  Returns 0 when more bytes are needed (state kept: call again with
 * the same buffer start and more bytes).  Returns -1 on a protocol error with Redis's
 * text in err ("Protocol error: invalid multibulk length", ...); the caller replies
 * with it and closes the connection (Redis sends it as "-ERR Protocol error: ...", so
 * reply with reply_errorf(r, "ERR %s", err); errlen >= 64 holds every text).  After a 1,
 * call request_reset before the next.  Multibulk argv[i] are not NUL-terminated. */
int request_parse(struct request *req, const char *buf, size_t len, size_t *consumed,
                  const struct request_limits *lim, char *err, size_t errlen);
void request_reset(struct request *req);
#endif
