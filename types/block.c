/* types/block.c - parking a client on keys (see block.h). */
#include <math.h>
#include <stdlib.h>

#include "types/block.h"
#include "util/numconv.h"

int block_parse_timeout(struct cmd_ctx *c, int argi, int64_t *deadline_ms)
{
    long double secs;
    if (!string2ld(c->argv[argi], c->argvlen[argi], &secs) || isinf(secs) || secs > 1e12L) {
        reply_error(c->reply, "ERR timeout is not a float or out of range");
        return 0;
    }
    if (secs < 0) {
        reply_error(c->reply, "ERR timeout is negative");
        return 0;
    }
    long long ms = (long long)ceill(secs * 1000.0L);
    *deadline_ms = ms > 0 ? db_now_ms() + ms : 0;
    return 1;
}

void block_reply_timeout(struct reply *r, int null_bulk)
{
    if (null_bulk)
        reply_null(r);
    else
        reply_null_array(r);
}

int block_client(struct cmd_ctx *c, int first_key, int nkeys, int key_step, int64_t deadline_ms,
                 const struct block_spec *spec, const void *dest, int null_bulk)
{
    if (c->no_block) {
        block_reply_timeout(c->reply, null_bulk);
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
    c->block_timeout_null_bulk = null_bulk;
    free(keys);
    free(lens);
    return 1;
}
