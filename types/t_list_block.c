/* types/t_list_block.c - the blocking list commands: BLPOP BRPOP BRPOPLPUSH BLMOVE
 * BLMPOP.  Each first tries what its non-blocking twin does (types/t_list.c); when
 * every key is empty it parks the client (types/block.h), and the write that later
 * creates one of its keys serves it through the serve functions registered here. */
#include "keyspace/blocking.h"
#include "types/block.h"
#include "types/object.h"
#include "types/t_list.h"
#include "types/t_list_block.h"

/* Looks key argi up as a list; replies WRONGTYPE and returns 0 on another type. */
static int lookup_list_or_fail(struct cmd_ctx *c, int argi, struct kv **kv)
{
    int wrong;
    *kv = obj_lookup_write(c, argi, KV_LIST, &wrong);
    return !wrong;
}

/* BLPOP key [key ...] timeout / BRPOP: [key, element] of the first non-empty list. */
static void bpop_generic(struct cmd_ctx *c, enum ql_end end)
{
    int64_t deadline;
    struct kv *kv;
    if (!block_parse_timeout(c, c->argc - 1, &deadline))
        return;
    for (int i = 1; i < c->argc - 1; i++) {
        if (!lookup_list_or_fail(c, i, &kv))
            return;
        if (kv) {
            c->dirty += (uint64_t)list_pop_keyed_reply(c->db, kv, c->argv[i], c->argvlen[i], end, 1, 0, c->reply);
            return;
        }
    }
    struct block_spec spec = { .op = BLOCK_OP_LIST_POP, .where = (uint8_t)end, .count = -1 };
    block_client(c, 1, c->argc - 2, 1, deadline, &spec, "", 0);
}

static void blpop_command(struct cmd_ctx *c) { bpop_generic(c, QL_HEAD); }
static void brpop_command(struct cmd_ctx *c) { bpop_generic(c, QL_TAIL); }

/* BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout / BRPOPLPUSH source
 * destination timeout: the moved element, or a null array on timeout. */
static void bmove_generic(struct cmd_ctx *c, enum ql_end from, enum ql_end to, int timeout_arg)
{
    int64_t deadline;
    struct kv *src;
    if (!block_parse_timeout(c, timeout_arg, &deadline) || !lookup_list_or_fail(c, 1, &src))
        return;
    if (src) {
        c->dirty += (uint64_t)list_move_reply(c->db, src, c->argv[1], c->argvlen[1], c->argv[2], c->argvlen[2],
                                              from, to, c->reply);
        return;
    }
    struct block_spec spec = { .op = BLOCK_OP_LIST_MOVE, .where = (uint8_t)from, .whereto = (uint8_t)to,
                               .destlen = (uint32_t)c->argvlen[2], .count = -1 };
    block_client(c, 1, 1, 1, deadline, &spec, c->argv[2], 1);
}

static void brpoplpush_command(struct cmd_ctx *c) { bmove_generic(c, QL_TAIL, QL_HEAD, 3); }

static void blmove_command(struct cmd_ctx *c)
{
    enum ql_end from, to;
    if (list_parse_end(c, 3, &from) && list_parse_end(c, 4, &to))
        bmove_generic(c, from, to, 5);
}

/* BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] */
static void blmpop_command(struct cmd_ctx *c)
{
    struct list_mpop_args a;
    int64_t deadline;
    struct kv *kv;
    if (!block_parse_timeout(c, 1, &deadline) || !list_parse_mpop(c, 2, &a))
        return;
    for (int i = a.first_key; i < a.first_key + a.nkeys; i++) {
        if (!lookup_list_or_fail(c, i, &kv))
            return;
        if (kv) {
            c->dirty += (uint64_t)list_pop_keyed_reply(c->db, kv, c->argv[i], c->argvlen[i], a.end, a.count, 1,
                                                       c->reply);
            return;
        }
    }
    struct block_spec spec = { .op = BLOCK_OP_LIST_MPOP, .where = (uint8_t)a.end, .count = a.count };
    block_client(c, a.first_key, a.nkeys, 1, deadline, &spec, "", 0);
}

/* ---- serving parked clients (called inside the write that created the key) ---- */

static struct kv *ready_list(struct db *db, const void *key, size_t klen)
{
    struct kv *kv = db_lookup_write(db, key, klen);
    return kv && kv->type == KV_LIST ? kv : NULL;
}

static int serve_pop(struct db *db, const void *key, size_t klen, const struct block_spec *spec,
                     const void *dest, struct reply *r)
{
    struct kv *kv = ready_list(db, key, klen);
    if (!kv)
        return 0;
    int mpop = spec->op == BLOCK_OP_LIST_MPOP;
    list_pop_keyed_reply(db, kv, key, klen, (enum ql_end)spec->where, mpop ? spec->count : 1, mpop, r);
    return 1;
}

/* A destination of another type gets the waiter a WRONGTYPE error, as Redis. */
static int serve_move(struct db *db, const void *key, size_t klen, const struct block_spec *spec,
                      const void *dest, struct reply *r)
{
    struct kv *kv = ready_list(db, key, klen);
    if (!kv)
        return 0;
    list_move_reply(db, kv, key, klen, dest, spec->destlen, (enum ql_end)spec->where,
                    (enum ql_end)spec->whereto, r);
    return 1;
}

void list_block_init(void)
{
    block_register_op(BLOCK_OP_LIST_POP, serve_pop);
    block_register_op(BLOCK_OP_LIST_MPOP, serve_pop);
    block_register_op(BLOCK_OP_LIST_MOVE, serve_move);
}

#define BLISTCMD(name, proc, arity, flags, first, last, step, since, summary) \
    { name, proc, arity, flags | CMD_BLOCKING, first, last, step, "list", since, summary, \
      "O(N) where N is the number of provided keys.", "@write @list @slow @blocking", NULL, NULL }

const struct command list_block_commands[] = {
    BLISTCMD("blpop", blpop_command, -3, CMD_WRITE, 1, -2, 1, "2.0.0",
             "Remove and get the first element in a list, or block until one is available"),
    BLISTCMD("brpop", brpop_command, -3, CMD_WRITE, 1, -2, 1, "2.0.0",
             "Remove and get the last element in a list, or block until one is available"),
    BLISTCMD("brpoplpush", brpoplpush_command, 4, CMD_WRITE | CMD_DENYOOM, 1, 2, 1, "2.2.0",
             "Pop an element from a list, push it to another list and return it; or block until one is available"),
    BLISTCMD("blmove", blmove_command, 6, CMD_WRITE | CMD_DENYOOM, 1, 2, 1, "6.2.0",
             "Pop an element from a list, push it to another list and return it; or block until one is available"),
    BLISTCMD("blmpop", blmpop_command, -5, CMD_WRITE, 0, 0, 0, "7.0.0",
             "Pop elements from a list, or block until one is available"),
    { 0 }
};
