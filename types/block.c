/* types/block.c - parking a client on keys (see block.h). */
#include <limits.h>
#include <stdlib.h>

#include "types/block.h"
#include "util/numconv.h"

/* As Redis 7.0: the seconds are truncated to whole ms (so a timeout under 1 ms blocks
 * forever), and a value too large for a long long in ms counts as negative. */
int block_parse_timeout(struct cmd_ctx *c, int argi, int64_t *deadline_ms)
{
    long double secs;
    if (!string2ld(c->argv[argi], c->argvlen[argi], &secs)) {
        reply_error(c->reply, "ERR timeout is not a float or out of range");
        return 0;
    }
    long double ms = secs * 1000.0L;
    if (!(ms > -9.2e18L && ms < 9.2e18L) || (long long)ms < 0) {
        reply_error(c->reply, "ERR timeout is negative");
        return 0;
    }
    long long tval = (long long)ms;
    if (tval > 0 && tval > LLONG_MAX - db_now_ms()) {
        reply_error(c->reply, "ERR timeout is out of range");
        return 0;
    }
    *deadline_ms = tval > 0 ? db_now_ms() + tval : 0;
    return 1;
}

void block_reply_timeout(struct reply *r) { reply_null_array(r); }

int block_client(struct cmd_ctx *c, int first_key, int nkeys, int key_step, int64_t deadline_ms,
                 const struct block_spec *spec, const void *dest, int null_bulk)
{
    if (c->no_block) {
        if (null_bulk)
            reply_null(c->reply);
        else
            block_reply_timeout(c->reply);
        return 0;
    }
    const char **keys = malloc(sizeof(*keys) * (size_t)nkeys);
    size_t *lens = malloc(sizeof(*lens) * (size_t)nkeys);
    for (int i = 0; i < nkeys; i++) {
        keys[i] = c->argv[first_key + i * key_step];
        lens[i] = c->argvlen[first_key + i * key_step];
    }
    struct block_spec s = *spec;
    s.resp = (uint8_t)c->resp;
    c->blocked_waiter = block_add(c->client_id, c->slot, c->dbid, nkeys, keys, lens, &s, dest);
    c->block_deadline_ms = deadline_ms;
    free(keys);
    free(lens);
    return 1;
}
