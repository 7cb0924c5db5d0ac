/* types/zset_pop.c - popping the lowest or highest members: ZPOPMIN, ZPOPMAX, ZMPOP,
 * and zset_pop (t_zset.h), which the blocking BZPOPMIN/BZPOPMAX/BZMPOP reuse to serve
 * a waiter.  Replies and errors as Redis 7.0's genericZpopCommand: the reply is
 * written from the zset before the popped range is cut off in one step. */

#include "keyspace/notify.h"
#include "types/zset_internal.h"
#include "util/numconv.h"

static void reply_header(struct reply *r, const char *key, size_t klen, long n, enum zset_pop_form form)
{
    switch (form) {
    case ZPOP_FLAT:
        reply_array(r, 2 * n);
        break;
    case ZPOP_NESTED:
        reply_array(r, n);
        break;
    case ZPOP_KEY_FLAT:
        reply_array(r, 2 * n + 1);
        reply_bulk(r, key, klen);
        break;
    case ZPOP_KEY_NESTED:
        reply_array(r, 2);
        reply_bulk(r, key, klen);
        reply_array(r, n);
        break;
    }
}

long zset_pop(struct db *db, struct reply *r, const char *key, size_t klen, struct kv *kv, int max,
              long count, enum zset_pop_form form)
{
    uint64_t len = zset_length(kv);
    long n = (uint64_t)count > len ? (long)len : count;
    int nested = form == ZPOP_NESTED || form == ZPOP_KEY_NESTED;
    struct zset_it it;
    reply_header(r, key, klen, n, form);
    int ok = zit_seek_rank(kv, max ? len - 1 : 0, &it);
    for (long i = 0; ok && i < n; i++, ok = max ? zit_prev(&it) : zit_next(&it)) {
        struct zelem e = zit_elem(&it);
        if (nested)
            reply_array(r, 2);
        reply_bulk(r, e.m, e.len);
        reply_double(r, e.score);
    }
    notify_keyspace_event(NOTIFY_ZSET, max ? "zpopmax" : "zpopmin", (int)(db - db_get(0)), key, klen);
    if ((uint64_t)n == len && db_delete(db, key, klen))
        notify_keyspace_event(NOTIFY_GENERIC, "del", (int)(db - db_get(0)), key, klen);
    else
        zset_delete_ranks(kv, max ? len - (uint64_t)n : 0, (uint64_t)n);
    return n;
}

/* ZPOPMIN key [count] / ZPOPMAX key [count] */
static void zpop_generic(struct cmd_ctx *c, int max)
{
    long long count = -1;                       /* -1: no count given */
    if (c->argc > 3) {
        reply_error(c->reply, ERR_SYNTAX);
        return;
    }
    if (c->argc == 3 && (!string2ll(c->argv[2], c->argvlen[2], &count) || count < 0)) {
        reply_error(c->reply, "ERR value is out of range, must be positive");
        return;
    }
    int wrong;
    struct kv *kv = obj_lookup_write(c, 1, KV_ZSET, &wrong);
    if (wrong)
        return;
    if (!kv || count == 0) {
        reply_array(c->reply, 0);
        return;
    }
    enum zset_pop_form form = c->resp > 2 && count != -1 ? ZPOP_NESTED : ZPOP_FLAT;
    long n = zset_pop(c->db, c->reply, c->argv[1], c->argvlen[1], kv, max, count == -1 ? 1 : (long)count, form);
    c->dirty += (uint64_t)n;
}

void zpopmin_command(struct cmd_ctx *c) { zpop_generic(c, 0); }
void zpopmax_command(struct cmd_ctx *c) { zpop_generic(c, 1); }

int zset_parse_mpop(struct cmd_ctx *c, int argi, long long *numkeys, int *max, long long *count)
{
    if (!arg_ll(c, argi, numkeys, "ERR numkeys should be greater than 0"))
        return 0;
    if (*numkeys < 1) {
        reply_error(c->reply, "ERR numkeys should be greater than 0");
        return 0;
    }
    if (*numkeys >= c->argc - argi - 1) {
        reply_error(c->reply, ERR_SYNTAX);
        return 0;
    }
    int where = argi + 1 + (int)*numkeys;
    *max = arg_is(c, where, "max");
    if (!*max && !arg_is(c, where, "min")) {
        reply_error(c->reply, ERR_SYNTAX);
        return 0;
    }
    *count = -1;
    for (int j = where + 1; j < c->argc; j++) {
        if (*count != -1 || !arg_is(c, j, "count") || j + 1 >= c->argc) {
            reply_error(c->reply, ERR_SYNTAX);
            return 0;
        }
        if (!arg_ll(c, ++j, count, "ERR count should be greater than 0"))
            return 0;
        if (*count < 1) {
            reply_error(c->reply, "ERR count should be greater than 0");
            return 0;
        }
    }
    if (*count == -1)
        *count = 1;
    return 1;
}

/* ZMPOP numkeys key [key ...] MIN | MAX [COUNT count]: pops from the first non-empty
 * key; a null array when every key is missing. */
void zmpop_command(struct cmd_ctx *c)
{
    long long numkeys, count;
    int max, wrong;
    if (!zset_parse_mpop(c, 1, &numkeys, &max, &count))
        return;
    for (int i = 2; i < 2 + numkeys; i++) {
        struct kv *kv = obj_lookup_write(c, i, KV_ZSET, &wrong);
        if (wrong)
            return;
        if (kv) {
            long n = zset_pop(c->db, c->reply, c->argv[i], c->argvlen[i], kv, max, (long)count, ZPOP_KEY_NESTED);
            c->dirty += (uint64_t)n;
            return;
        }
    }
    reply_null_array(c->reply);
}
