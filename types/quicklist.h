/* types/quicklist.h - the list value: a doubly linked list of listpack nodes in the
 * arena, as Redis 7.0's quicklist (OBJECT ENCODING "quicklist").
 *
 * Layout: struct quicklist (the kv's value object) -> struct ql_node <-> ... each
 * node owning one listpack (shm/listpack.h) of up to `fill` worth of entries:
 *   fill < 0: the listpack's bytes stay within 4kb (-1), 8kb (-2), 16kb, 32kb, 64kb (-5);
 *   fill >= 0: at most fill entries and 8kb (Redis's safety limit).
 * A single element larger than the limit gets a node of its own.
 *
 * Invariants (under the keyspace lock; changes inside a write):
 *  - count is the sum of the nodes' counts, len the number of nodes;
 *  - no linked node is empty; head->prev == 0, tail->next == 0, head == 0 iff count == 0;
 *  - a node's count equals its listpack's length.
 *  - a node's listpack lies inside the node's own allocation of `size` bytes, which
 *    starts `front` bytes before it; the bytes around the listpack are spare.
 * Pushes and pops at either end change the end node's listpack in place when its spare
 * bytes allow (shm/listpack.h, "in place": every byte written is undo-logged first),
 * so a push costs O(1) instead of a copy of the node.  A node that runs out of room is
 * copied into an allocation a quarter larger (within the fill limit), with the spare
 * bytes on the side being pushed; one that pops below half its allocation is copied
 * into a fitting one.  Other changes build a new listpack and free the old allocation
 * at commit.  Entry pointers are therefore invalid after any change to the list:
 * copy an element out before changing the list it came from.
 * Node links, node fields and the header fields that existed before the write are
 * undo-logged before they change; nodes built inside the write are filled in unlogged
 * and linked with O(1) logged stores per batch.
 * Compression (list-compress-depth) is kept as a value, not applied.
 */
#ifndef TYPES_QUICKLIST_H
#define TYPES_QUICKLIST_H

#include <stddef.h>
#include <stdint.h>
#include "shm/listpack.h"

struct quicklist {
    shm_off_t head, tail;
    uint64_t count;                 /* entries in all nodes */
    uint32_t len;                   /* nodes */
    int16_t fill;                   /* list-max-listpack-size, clamped to [-5, 32767] */
    uint16_t compress;              /* list-compress-depth, clamped to 65535 */
};

struct ql_node {
    shm_off_t prev, next;
    shm_off_t lp;                   /* the entries: a listpack inside the allocation below */
    uint32_t count;                 /* == lp_length(lp), never 0 while linked */
    uint32_t front;                 /* spare bytes before lp: the allocation starts at lp - front */
    uint32_t size;                  /* the allocation's usable bytes */
    uint32_t reserved;
};

enum ql_end { QL_HEAD = 0, QL_TAIL = 1 };

static inline struct quicklist *ql_at(shm_off_t ql) { return (struct quicklist *)shm_ptr(ql); }
static inline struct ql_node *ql_node_at(shm_off_t node) { return (struct ql_node *)shm_ptr(node); }
static inline uint64_t ql_count(shm_off_t ql) { return ql_at(ql)->count; }

/* An empty list with these settings (clamped as Redis clamps them). */
shm_off_t ql_new(int fill, int compress);
/* Frees the list, its nodes and listpacks (at commit). */
void ql_free(shm_off_t ql);
/* A deep copy. */
shm_off_t ql_dup(shm_off_t ql);

/* Pushes n values at one end, one after the other: at the head the last value ends
 * up first (LPUSH a b c gives c b a), at the tail in order. */
void ql_push(shm_off_t ql, enum ql_end end, const char *const *vals, const size_t *lens, size_t n);

/* A position: the entry p of node, walking forward (head to tail) or backward. */
struct ql_iter {
    shm_off_t node;
    unsigned char *p;               /* NULL past the end */
    int forward;
};
/* Positions it at index (negative counts from the tail), walking from the nearer
 * end of the list; returns 0 (it->p NULL) when index is out of range. */
int ql_seek(shm_off_t ql, long long index, int forward, struct ql_iter *it);
/* Moves to the next entry in its direction (it->p NULL at the end). */
void ql_advance(struct ql_iter *it);

/* Inserts a value before or after the entry at it (LINSERT), or replaces that entry
 * (LSET); a node that would outgrow the fill limit is split in two.  it is invalid
 * afterwards. */
void ql_insert(shm_off_t ql, const struct ql_iter *it, const char *s, size_t len, enum lp_where where);

/* Deletes n entries from index start (0 <= start < count; n clipped to the end). */
void ql_delete_range(shm_off_t ql, uint64_t start, uint64_t n);

/* Removes entries equal to s: all of them when count == 0, else the first count
 * from the head (count > 0) or from the tail (count < 0).  Returns how many. */
uint64_t ql_remove_equal(shm_off_t ql, const char *s, size_t len, long long count);
#endif
