/* types/zskiplist.h - the skiplist encoding of sorted sets, in the arena
 * (implementation: types/zskiplist.c).
 *
 * A struct zsl is Redis's zset: a skiplist ordered by (score, member) with spans for
 * O(log n) ranks and a backward link per node, plus a member -> node hash table.  The
 * nodes ARE the table's entries (a node starts with its struct dict_link and the dict
 * type DICT_TYPE_ZSET reads the member from it), so an element costs one allocation:
 *   [link][score][len][level][lv[level] = {forward, span}][member bytes]
 * and one bucket slot.  Everything refers to everything by offset.  A level-0 link
 * always spans one node (its forward's, or none at the end), so that word of a node's
 * lv[0] holds its backward link instead (the header's stays 0): 8 bytes less per
 * node, which puts a level-1 node with a member of up to 24 bytes in one 64-byte
 * cache line.
 *
 * Invariants (zsl_check verifies them):
 *  - level-0 links visit every node once, in strictly increasing (score, member) order
 *    (members compared as binary strings, shorter first on a common prefix); each
 *    node's lv[0].backward is its level-0 predecessor (0 for the first; the header's
 *    is 0); tail is the last.
 *  - for 0 < i < level, a link at level i with a forward node spans the rank
 *    difference; a link without one spans up to the end (length - rank of its owner).
 *  - the dict holds exactly the nodes, keyed by member; length == dict size.
 *  - Changes to bytes that existed before the write are undo-logged (call inside a
 *    write); a builder fills a zsl it created itself, so it logs nothing but the dict.
 */
#ifndef TYPES_ZSKIPLIST_H
#define TYPES_ZSKIPLIST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "shm/dict.h"

#define ZSL_MAXLEVEL 32                 /* enough for 2^64 elements with p = 1/4 */

struct zsl_level {
    shm_off_t forward;                  /* next node at this level, 0 at the end */
    union {
        uint64_t span;                  /* levels above 0: ranks skipped by forward */
        shm_off_t backward;             /* level 0 of a node: its predecessor, 0 for the first */
    };
};

struct zsl_node {
    struct dict_link link;              /* chain in the member table */
    double score;
    uint32_t len;                       /* member bytes, stored after lv[level] */
    uint8_t level;                      /* 1..ZSL_MAXLEVEL */
    uint8_t reserved[3];
    struct zsl_level lv[];
};

struct zsl {
    struct dict dict;                   /* member -> node; the nodes are its entries */
    uint64_t length;
    shm_off_t tail;                     /* last node, 0 when empty */
    uint32_t level;                     /* levels in use, >= 1 */
    uint32_t reserved;
    struct zsl_level head[ZSL_MAXLEVEL];/* the header's links */
};

/* A sorted-set element seen through either encoding. */
struct zelem {
    const char *m;
    size_t len;
    double score;
};

/* A range bound: before(e, spec) is true for elements below a range's start, after(e,
 * spec) for those past its end.  Both must be monotonic along the order searched. */
typedef int zelem_bound_fn(const struct zelem *e, const void *spec);

/* Binary-safe member comparison (memcmp, then the shorter first): <0, 0, >0. */
static inline int zset_memcmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen < blen ? -1 : alen > blen);
}

static inline struct zsl *zsl_at(shm_off_t off) { return (struct zsl *)shm_ptr(off); }
static inline struct zsl_node *zsl_node_at(shm_off_t off) { return (struct zsl_node *)shm_ptr(off); }
static inline const char *zsl_member(const struct zsl_node *n) { return (const char *)&n->lv[n->level]; }
static inline struct zelem zsl_elem(const struct zsl_node *n)
{
    return (struct zelem){ zsl_member(n), n->len, n->score };
}
static inline struct zsl_node *zsl_first(const struct zsl *zs) { return zsl_node_at(zs->head[0].forward); }
static inline struct zsl_node *zsl_last(const struct zsl *zs) { return zsl_node_at(zs->tail); }
static inline struct zsl_node *zsl_next(const struct zsl_node *n) { return zsl_node_at(n->lv[0].forward); }
static inline struct zsl_node *zsl_prev(const struct zsl_node *n) { return zsl_node_at(n->lv[0].backward); }

/* Registers DICT_TYPE_ZSET (startup, every process). */
void zsl_register_dict_type(void);

/* A new empty zsl (inside a write). */
shm_off_t zsl_new(void);
/* Frees a zsl and its nodes at commit; big ones are handed to keyspace/lazyfree so
 * the lock is not held for the whole walk. */
void zsl_free(shm_off_t zs);
/* A deep copy (COPY). */
shm_off_t zsl_copy(shm_off_t zs);

struct zsl_node *zsl_find(const struct zsl *zs, const char *m, size_t len);
/* Adds a member that is not present; returns its node. */
struct zsl_node *zsl_insert(struct zsl *zs, double score, const char *m, size_t len);
/* Unlinks the node from the list and the table and frees it. */
void zsl_delete(struct zsl *zs, struct zsl_node *n);
/* Gives a node a new score, moving it only when the order requires. */
void zsl_update_score(struct zsl *zs, struct zsl_node *n, double score);

/* 1-based rank of a node; the node at a 1-based rank (NULL when out of range). */
uint64_t zsl_rank(const struct zsl *zs, const struct zsl_node *n);
struct zsl_node *zsl_by_rank(const struct zsl *zs, uint64_t rank);
/* The first node that is not before(), with its rank; NULL when every node is. */
struct zsl_node *zsl_first_not_before(const struct zsl *zs, zelem_bound_fn *before, const void *spec,
                                      uint64_t *rank);
/* The last node that is not after(), with its rank; NULL when every node is. */
struct zsl_node *zsl_last_not_after(const struct zsl *zs, zelem_bound_fn *after, const void *spec,
                                    uint64_t *rank);
/* Deletes the nodes of 1-based ranks start..end (start <= end <= length). */
void zsl_delete_rank_range(struct zsl *zs, uint64_t start, uint64_t end);

/* Filling a zsl created by the builder, in strictly increasing (score, member) order,
 * each member once: O(1) per element and no undo records but the dict's. */
struct zsl_builder {
    shm_off_t zs;
    shm_off_t last[ZSL_MAXLEVEL];       /* last node linked at each level, 0 = header */
    uint64_t last_rank[ZSL_MAXLEVEL];
};
void zsl_builder_init(struct zsl_builder *b);
void zsl_builder_add(struct zsl_builder *b, double score, const char *m, size_t len);
shm_off_t zsl_builder_finish(struct zsl_builder *b);

/* Debug consistency check of every invariant above: 0, or -1 with a description. */
int zsl_check(const struct zsl *zs, char *err, size_t errlen);
#endif
