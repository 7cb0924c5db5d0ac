/* types/zset_internal.h - what the sorted-set files share and nothing else needs:
 *  - the listpack encoding's primitives (types/zset_lp.c),
 *  - range specifications and their bounds (types/zset_spec.c),
 *  - an iterator, rank deletion, counting and stores over either encoding
 *    (types/zset_obj.c), private element vectors and reply helpers (types/zset_vec.c),
 *  - the command procedures of the zset_*.c files, listed in t_zset.c's table.
 */
#ifndef TYPES_ZSET_INTERNAL_H
#define TYPES_ZSET_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "keyspace/kv.h"
#include "shm/listpack.h"
#include "types/object.h"
#include "types/t_zset.h"

/* ---- listpack encoding: pairs <member><score>, sorted by (score, member) ------- */

/* The score stored at entry sp. */
double zlp_score(const unsigned char *sp);
/* The element whose member entry is ep (integers formatted into buf, LP_INTBUF_SIZE). */
struct zelem zlp_elem(shm_off_t lp, unsigned char *ep, unsigned char *buf);
/* The member entry of m and its 0-based rank; NULL if absent. */
unsigned char *zlp_find(shm_off_t lp, const char *m, size_t len, long *rank);
/* Inserts a member that is not present at its place; returns the new listpack (the
 * old one is freed at commit). */
shm_off_t zlp_insert(shm_off_t lp, double score, const char *m, size_t len);
/* Deletes count pairs from 0-based rank start; returns the new listpack. */
shm_off_t zlp_delete_ranks(shm_off_t lp, uint64_t start, uint64_t count);
/* Linear searches as Redis's zzlFirstInRange / zzlLastInRange: the first pair not
 * before(), the last pair not after(), with its 0-based rank; NULL if none. */
unsigned char *zlp_first_not_before(shm_off_t lp, zelem_bound_fn *before, const void *spec, long *rank);
unsigned char *zlp_last_not_after(shm_off_t lp, zelem_bound_fn *after, const void *spec, long *rank);
/* A score as Redis 7.0's d2string writes it into listpacks: as util's d2string,
 * except that -0 is "0" (Redis formats integral values as integers). */
int zset_score_text(char *buf, size_t len, double score);
/* Whether a listpack of lp_bytes may grow by add more bytes (Redis's lpSafeToAdd). */
int zlp_safe_to_add(size_t lp_bytes, size_t add);

/* ---- range specifications ------------------------------------------------------- */

/* A lex interval: "[a" inclusive, "(a" exclusive, "-" and "+" the ends. */
enum { ZLEX_STR = 0, ZLEX_MIN = -1, ZLEX_MAX = 1 };
struct zrange_lex {
    const char *min, *max;
    size_t minlen, maxlen;
    int mininf, maxinf;                 /* ZLEX_STR, or "-" (ZLEX_MIN) / "+" (ZLEX_MAX) */
    int minex, maxex;
};
#define ERR_ZRANGE_FLOAT "ERR min or max is not a float"
#define ERR_ZRANGE_LEX "ERR min or max not valid string range item"

/* Parse Redis's range syntaxes; 0 on a malformed bound (nothing replied). */
int zspec_parse_score(const char *min, size_t minlen, const char *max, size_t maxlen, struct zrange_score *r);
int zspec_parse_lex(const char *min, size_t minlen, const char *max, size_t maxlen, struct zrange_lex *r);
/* Bounds (spec is a struct zrange_score or struct zrange_lex). */
int zspec_score_before(const struct zelem *e, const void *spec);
int zspec_score_after(const struct zelem *e, const void *spec);
int zspec_lex_before(const struct zelem *e, const void *spec);
int zspec_lex_after(const struct zelem *e, const void *spec);

/* ---- either encoding ------------------------------------------------------------ */

static inline int zset_is_lp(const struct kv *kv) { return kv->enc == KV_ENC_LISTPACK; }

/* A position in a zset: a listpack member entry or a skiplist node, with its 0-based
 * rank.  Valid until the zset changes. */
struct zset_it {
    shm_off_t lp;
    unsigned char *ep;
    struct zsl_node *node;
    uint64_t rank;
    unsigned char buf[LP_INTBUF_SIZE];
};
/* Each returns 1 when the iterator stands on an element, 0 when there is none. */
int zit_seek_rank(struct kv *kv, uint64_t rank, struct zset_it *it);
int zit_seek_first(struct kv *kv, zelem_bound_fn *before, const void *spec, struct zset_it *it);
int zit_seek_last(struct kv *kv, zelem_bound_fn *after, const void *spec, struct zset_it *it);
int zit_next(struct zset_it *it);
int zit_prev(struct zset_it *it);
struct zelem zit_elem(struct zset_it *it);

/* Redis's zslIsInRange / zzlIsInRange: a range may hold elements only when the last
 * element is not before it and the first is not after it.  Redis makes this check
 * before every range search but a skiplist's ZREMRANGEBY*; it matters only for lex
 * ranges over members of different scores, where the order is not the members'. */
int zset_range_possible(struct kv *kv, zelem_bound_fn *before, zelem_bound_fn *after, const void *spec);
/* Deletes count members from 0-based rank start (the key stays even if emptied). */
void zset_delete_ranks(struct kv *kv, uint64_t start, uint64_t count);
/* Members between the bounds, as ZCOUNT and ZLEXCOUNT count them. */
uint64_t zset_count_range(struct kv *kv, zelem_bound_fn *before, zelem_bound_fn *after, const void *spec);

/* ---- private element vectors (results of ranges and set operations) ----------- */

struct zvec_item {
    size_t off;                         /* member bytes in the pool */
    size_t len;
    double score;
};
struct zvec {
    struct zvec_item *items;
    size_t n, cap;
    char *pool;
    size_t used, size;
    size_t maxlen;                      /* longest member */
};
void zvec_push(struct zvec *v, const char *m, size_t len, double score);
static inline const char *zvec_member(const struct zvec *v, size_t i) { return v->pool + v->items[i].off; }
/* Sorts by (score, member). */
void zvec_sort(struct zvec *v);
void zvec_free(struct zvec *v);

/* Stores the elements (distinct members, any order) under argv[argi] as a new zset
 * in the encoding Redis would pick, dropping any old value and TTL; an empty vector
 * deletes the key instead.  Counts the change in c->dirty. */
void zset_store(struct cmd_ctx *c, int argi, struct zvec *v);

/* Replies: the array header for n elements, one element, and a deferred header's
 * end; with scores RESP2 flattens pairs, RESP3 nests [member, score]. */
void zset_reply_len(struct reply *r, long n, int withscores);
void zset_reply_elem(struct reply *r, const struct zelem *e, int withscores);
void zset_reply_defer_end(struct reply *r, size_t handle, long n, int withscores);

/* ---- command procedures (see each file) ---------------------------------------- */

cmd_proc zrange_command, zrangestore_command, zrevrange_command, zrangebyscore_command,
    zrevrangebyscore_command, zrangebylex_command, zrevrangebylex_command,
    zremrangebyrank_command, zremrangebyscore_command, zremrangebylex_command;
cmd_proc zunion_command, zunionstore_command, zinter_command, zinterstore_command,
    zintercard_command, zdiff_command, zdiffstore_command;
cmd_proc zpopmin_command, zpopmax_command, zmpop_command;
cmd_proc zrandmember_command, zscan_command;
#endif
