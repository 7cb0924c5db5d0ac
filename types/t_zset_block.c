/* types/t_zset_block.c - the blocking sorted set commands: BZPOPMIN BZPOPMAX BZMPOP.
 * Each first does what ZPOPMIN/ZPOPMAX/ZMPOP do (types/zset_pop.c); when every key is
 * missing it parks the client (types/block.h), and the write that later creates one
 * of its keys serves it through the serve function registered here. */
#include "keyspace/blocking.h"
#include "types/block.h"
#include "types/object.h"
#include "types/t_zset.h"
#include "types/t_zset_block.h"

/* Pops from the first existing zset of nkeys keys from argv[first]; 1 when it
 * replied (popped, or WRONGTYPE), 0 when every key is missing. */
static int pop_first(struct cmd_ctx *c, int first, int nkeys, int max, long count, enum zset_pop_form form)
{
    int wrong;
    for (int i = first; i < first + nkeys; i++) {
        struct kv *kv = obj_lookup_write(c, i, KV_ZSET, &wrong);
        if (wrong)
            return 1;
        if (kv) {
            c->dirty += (uint64_t)zset_pop(c->db, c->reply, c->argv[i], c->argvlen[i], kv, max, count, form);
            return 1;
        }
    }
    return 0;
}

/* BZPOPMIN key [key ...] timeout / BZPOPMAX: [key, member, score]. */
static void bzpop_generic(struct cmd_ctx *c, int max)
{
    int64_t deadline;
    if (!block_parse_timeout(c, c->argc - 1, &deadline) || pop_first(c, 1, c->argc - 2, max, 1, ZPOP_KEY_FLAT))
        return;
    struct block_spec spec = { .op = BLOCK_OP_ZSET_POP, .where = (uint8_t)max, .count = -1 };
    block_client(c, 1, c->argc - 2, 1, deadline, &spec, "", 0);
}

static void bzpopmin_command(struct cmd_ctx *c) { bzpop_generic(c, 0); }
static void bzpopmax_command(struct cmd_ctx *c) { bzpop_generic(c, 1); }

/* BZMPOP timeout numkeys key [key ...] MIN | MAX [COUNT count]: [key, [[m, s], ...]]. */
static void bzmpop_command(struct cmd_ctx *c)
{
    int64_t deadline;
    long long numkeys, count;
    int max;
    if (!block_parse_timeout(c, 1, &deadline) || !zset_parse_mpop(c, 2, &numkeys, &max, &count) ||
        pop_first(c, 3, (int)numkeys, max, (long)count, ZPOP_KEY_NESTED))
        return;
    struct block_spec spec = { .op = BLOCK_OP_ZSET_MPOP, .where = (uint8_t)max, .count = count };
    block_client(c, 3, (int)numkeys, 1, deadline, &spec, "", 0);
}

static int serve_zpop(struct db *db, const void *key, size_t klen, const struct block_spec *spec,
                      const void *dest, struct reply *r)
{
    struct kv *kv = db_lookup_write(db, key, klen);
    if (!kv || kv->type != KV_ZSET)
        return 0;
    int mpop = spec->op == BLOCK_OP_ZSET_MPOP;
    zset_pop(db, r, key, klen, kv, spec->where, mpop ? (long)spec->count : 1, mpop ? ZPOP_KEY_NESTED : ZPOP_KEY_FLAT);
    return 1;
}

void zset_block_init(void)
{
    block_register_op(BLOCK_OP_ZSET_POP, serve_zpop);
    block_register_op(BLOCK_OP_ZSET_MPOP, serve_zpop);
}

#define BZSETCMD(name, proc, arity, first, last, since, summary, complexity) \
    { name, proc, arity, CMD_WRITE | CMD_FAST | CMD_BLOCKING, first, last, 1, "sorted-set", since, summary, \
      complexity, "@write @sortedset @fast @blocking", NULL, NULL }

const struct command zset_block_commands[] = {
    BZSETCMD("bzpopmin", bzpopmin_command, -3, 1, -2, "5.0.0",
             "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available",
             "O(log(N)) with N being the number of elements in the sorted set."),
    BZSETCMD("bzpopmax", bzpopmax_command, -3, 1, -2, "5.0.0",
             "Remove and return the member with the highest score from one or more sorted sets, or block until one is available",
             "O(log(N)) with N being the number of elements in the sorted set."),
    BZSETCMD("bzmpop", bzmpop_command, -5, 0, 0, "7.0.0",
             "Remove and return members with scores in a sorted set or block until one is available",
             "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped."),
    { 0 }
};
