/* types/t_list.h - the list commands' table (types/t_list.c): LPUSH RPUSH LPUSHX
 * RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET LINSERT LREM LTRIM LPOS RPOPLPUSH LMOVE
 * LMPOP, and the pop/move logic the blocking list commands share with them.
 *
 * Lists are quicklists (types/quicklist.h), created with the shared config's
 * list-max-listpack-size and list-compress-depth.  A list never stays empty: the
 * functions below delete a key whose list they empty.  Keys they create go through
 * db_add, which signals clients blocked on them (keyspace/blocking.h).
 */
#ifndef TYPES_T_LIST_H
#define TYPES_T_LIST_H

#include "types/command.h"
#include "types/quicklist.h"

extern const struct command list_commands[];       /* NULL-name terminated */

/* Registers the list value's free and copy hooks (keyspace/kv.h); at startup. */
void list_type_init(void);

/* Pops from end of list (the kv of key in db; a non-empty list) and replies the
 * elements into r: count (>= 1, clipped to the length) of them as an array when
 * as_array, else the one element as a bulk (count must be 1).  Deletes the key when
 * it empties.  Returns the number popped (for dirty). */
long long list_pop_reply(struct db *db, struct kv *list, const char *key, size_t klen, enum ql_end end,
                         long long count, int as_array, struct reply *r);
/* The same, replied as [key, element] (BLPOP) or [key, [elements]] (LMPOP, BLMPOP). */
long long list_pop_keyed_reply(struct db *db, struct kv *list, const char *key, size_t klen, enum ql_end end,
                               long long count, int as_array, struct reply *r);

/* LMOVE's work: pops one element from end `from` of src (the non-empty list of skey)
 * and pushes it at end `to` of dkey's list (created if missing; may be src itself),
 * replying the element as a bulk; deletes skey if it empties.  When dkey holds
 * another type, replies WRONGTYPE, changes nothing and returns 0; else returns 1. */
int list_move_reply(struct db *db, struct kv *src, const char *skey, size_t sklen, const char *dkey, size_t dklen,
                    enum ql_end from, enum ql_end to, struct reply *r);

/* Parses LEFT|RIGHT at argv[argi]; replies a syntax error and returns 0 otherwise. */
int list_parse_end(struct cmd_ctx *c, int argi, enum ql_end *end);

/* LMPOP's arguments from numkeys (at argv[argi]) on: numkeys key [key ...]
 * LEFT|RIGHT [COUNT count].  Replies Redis's error and returns 0 when malformed. */
struct list_mpop_args {
    int first_key, nkeys;           /* keys are argv[first_key .. first_key+nkeys-1] */
    enum ql_end end;
    long long count;                /* 1 when COUNT is not given */
};
int list_parse_mpop(struct cmd_ctx *c, int argi, struct list_mpop_args *a);
#endif
