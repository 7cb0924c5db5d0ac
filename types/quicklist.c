/* types/quicklist.c - lists of listpack nodes in the arena (see quicklist.h).
 *
 * Node fill follows Redis 7.0's _quicklistNodeAllowInsert: a node takes one more
 * value of sz bytes when its exact listpack size plus sz plus the largest entry
 * overhead that sz could need stays within the limit (an empty node takes anything).
 * Pushes of several values encode them once into a private batch (in list order, so
 * the values one node takes are one run of bytes), fill the end node in place or in
 * one copy, and make the rest into new nodes linked with one logged splice.
 * An insert or replace that would overflow a node splits it into two half-full nodes,
 * so repeated inserts at one place do not leave a trail of tiny nodes.
 *
 * A node's allocation (see quicklist.h) is sized here: exactly for a listpack built by
 * an insert, a split or a removal; a quarter more than needed, capped at the fill
 * limit, when pushes made it, with the spare bytes on the pushing side.  Changing the
 * node's lp, count, front and size is one undo record (they are adjacent).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "shm/alloc.h"
#include "shm/undo.h"
#include "types/quicklist.h"

#define QL_FILL_MAX 32767
#define QL_FILL_MIN (-5)
#define QL_COMPRESS_MAX 65535
#define QL_SAFETY_LIMIT 8192        /* bytes: the bound of a node whatever a positive fill says */
#define QL_SHRINK_MIN 128           /* allocations below this are not shrunk after pops */

static const size_t size_limits[] = { 4096, 8192, 16384, 32768, 65536 };   /* fill -1 .. -5 */

/* ---- fill rules --------------------------------------------------------------- */

static int node_fits(const struct quicklist *q, size_t bytes, uint64_t count)
{
    if (q->fill < 0)
        return bytes <= size_limits[-q->fill - 1];
    return bytes <= QL_SAFETY_LIMIT && count <= (uint64_t)q->fill;
}

/* Whether a node of bytes/count may take one more value of sz bytes. */
static int node_may_grow(const struct quicklist *q, size_t bytes, uint64_t count, size_t sz)
{
    size_t overhead = (sz < 254 ? 1 : 5) + (sz < 64 ? 1 : sz < 16384 ? 2 : 5);
    return count == 0 || node_fits(q, bytes + sz + overhead, count + 1);
}

/* ---- node allocations ----------------------------------------------------------- */

/* Where a node's listpack lies: its offset, and its allocation's spare front and size. */
struct ql_place {
    shm_off_t lp;
    uint32_t front, size;
};

/* Where a new allocation's spare bytes go: none, before the listpack (head pushes),
 * after it (tail pushes), or half each (the only node, which both ends push to). */
enum ql_room { ROOM_NONE, ROOM_FRONT, ROOM_BACK, ROOM_BOTH };

static size_t node_max_bytes(const struct quicklist *q)
{
    return q->fill < 0 ? size_limits[-q->fill - 1] : QL_SAFETY_LIMIT;
}

/* Bytes to allocate for a listpack of need bytes and count entries that pushes may
 * grow: a quarter more, as far as the fill lets the node grow. */
static size_t grown_size(const struct quicklist *q, size_t need, uint64_t count)
{
    size_t max = node_max_bytes(q), want = need + need / 4;
    if (need >= max || (q->fill >= 0 && count >= (uint64_t)q->fill))
        return need;
    return want < max ? want : max;
}

/* A new allocation for a listpack of need bytes (count entries), spare bytes as asked. */
static struct ql_place place_new(const struct quicklist *q, size_t need, uint64_t count, enum ql_room room)
{
    shm_off_t base = shm_alloc(room == ROOM_NONE ? need : grown_size(q, need, count));
    uint32_t size = (uint32_t)shm_alloc_usable(base);
    uint32_t spare = size - (uint32_t)need;
    uint32_t front = room == ROOM_FRONT ? spare : room == ROOM_BOTH ? spare / 2 : 0;
    return (struct ql_place){ base + front, front, size };
}

/* The place of a listpack built in its own exact allocation (lp_builder, lp_from_bytes). */
static struct ql_place place_exact(shm_off_t lp)
{
    return (struct ql_place){ lp, 0, (uint32_t)shm_alloc_usable(lp) };
}

static shm_off_t node_base(const struct ql_node *n) { return n->lp - n->front; }
static size_t node_spare_back(const struct ql_node *n) { return n->size - n->front - lp_bytes(n->lp); }

/* Puts a linked node's listpack at pl (its lp, count, front and size: one record). */
static void node_place(struct ql_node *n, struct ql_place pl, uint32_t count)
{
    undo_save(&n->lp, offsetof(struct ql_node, reserved) - offsetof(struct ql_node, lp));
    n->lp = pl.lp;
    n->count = count;
    n->front = pl.front;
    n->size = pl.size;
}

/* Moves a linked node into a new allocation built from its listpack with the bytes
 * [cut, cut+cutlen) replaced by raw (delta entries more), and frees the old one. */
static void node_rebuild(const struct quicklist *q, struct ql_node *n, size_t cut, size_t cutlen,
                         const unsigned char *raw, size_t rawlen, long delta, enum ql_room room)
{
    uint32_t count = (uint32_t)((long)n->count + delta);
    size_t need = lp_bytes(n->lp) - cutlen + rawlen;
    struct ql_place pl = place_new(q, need, count, room);
    shm_off_t old = node_base(n);
    lp_splice_into(lp_ptr(pl.lp), lp_ptr(n->lp), cut, cutlen, raw, rawlen, delta);
    node_place(n, pl, count);
    shm_free(old);
}

/* ---- nodes and links ---------------------------------------------------------- */

static shm_off_t node_new(struct ql_place pl, uint32_t count)
{
    shm_off_t off = shm_alloc(sizeof(struct ql_node));
    struct ql_node *n = ql_node_at(off);
    n->prev = n->next = 0;
    n->lp = pl.lp;
    n->count = count;
    n->front = pl.front;
    n->size = pl.size;
    n->reserved = 0;
    return off;
}

/* A new node holding the raw entries (count of them), spare bytes as asked. */
static shm_off_t node_new_raw(const struct quicklist *q, const unsigned char *raw, size_t rawlen, uint32_t count,
                              enum ql_room room)
{
    struct ql_place pl = place_new(q, LP_EMPTY_BYTES + rawlen, count, room);
    lp_splice_into(lp_ptr(pl.lp), NULL, LP_HEADER_BYTES, 0, raw, rawlen, count);
    return node_new(pl, count);
}

static void node_free(shm_off_t node)
{
    shm_free(node_base(ql_node_at(node)));
    shm_free(node);
}

/* Gives the node the listpack built in b, freeing the old one. */
static void node_take_built(struct ql_node *n, struct lp_builder *b)
{
    shm_off_t old = node_base(n);
    uint32_t count = b->count;
    node_place(n, place_exact(lp_builder_finish(b)), count);
    shm_free(old);
}

/* Links the chain first..last (nodes built in this write, linked to each other) after
 * node `at`, or at the head when at is 0. */
static void link_chain(struct quicklist *q, shm_off_t at, shm_off_t first, shm_off_t last, uint32_t nodes)
{
    shm_off_t next = at ? ql_node_at(at)->next : q->head;
    ql_node_at(first)->prev = at;
    ql_node_at(last)->next = next;
    if (at)
        UNDO_SET(ql_node_at(at)->next, first);
    else
        UNDO_SET(q->head, first);
    if (next)
        UNDO_SET(ql_node_at(next)->prev, last);
    else
        UNDO_SET(q->tail, last);
    UNDO_SET(q->len, q->len + nodes);
}

/* Unlinks the run of nodes first..last and frees them (their entries are the
 * caller's to subtract from q->count). */
static void unlink_chain(struct quicklist *q, shm_off_t first, shm_off_t last, uint32_t nodes)
{
    shm_off_t prev = ql_node_at(first)->prev, next = ql_node_at(last)->next;
    if (prev)
        UNDO_SET(ql_node_at(prev)->next, next);
    else
        UNDO_SET(q->head, next);
    if (next)
        UNDO_SET(ql_node_at(next)->prev, prev);
    else
        UNDO_SET(q->tail, prev);
    UNDO_SET(q->len, q->len - nodes);
    for (shm_off_t node = first, stop = next; node != stop;) {
        shm_off_t following = ql_node_at(node)->next;
        node_free(node);
        node = following;
    }
}

/* ---- whole lists -------------------------------------------------------------- */

shm_off_t ql_new(int fill, int compress)
{
    shm_off_t off = shm_alloc(sizeof(struct quicklist));
    struct quicklist *q = ql_at(off);
    q->head = q->tail = 0;
    q->count = 0;
    q->len = 0;
    q->fill = (int16_t)(fill > QL_FILL_MAX ? QL_FILL_MAX : fill < QL_FILL_MIN ? QL_FILL_MIN : fill);
    q->compress = (uint16_t)(compress > QL_COMPRESS_MAX ? QL_COMPRESS_MAX : compress < 0 ? 0 : compress);
    return off;
}

void ql_free(shm_off_t ql)
{
    for (shm_off_t node = ql_at(ql)->head; node;) {
        shm_off_t next = ql_node_at(node)->next;
        node_free(node);
        node = next;
    }
    shm_free(ql);
}

shm_off_t ql_dup(shm_off_t ql)
{
    struct quicklist *q = ql_at(ql);
    shm_off_t copy = ql_new(q->fill, q->compress);
    struct quicklist *c = ql_at(copy);
    shm_off_t prev = 0;
    for (shm_off_t node = q->head; node; node = ql_node_at(node)->next) {
        struct ql_node *n = ql_node_at(node);
        shm_off_t nn = node_new(place_exact(lp_from_bytes(lp_ptr(n->lp), lp_bytes(n->lp))), n->count);
        ql_node_at(nn)->prev = prev;
        if (prev)
            ql_node_at(prev)->next = nn;
        else
            c->head = nn;
        prev = nn;
    }
    c->tail = prev;
    c->count = q->count;
    c->len = q->len;
    return copy;
}

/* ---- pushing ------------------------------------------------------------------ */

/* The values of one push, each encoded once as a listpack entry (private memory), in
 * list order: reversed for a head push (the last value pushed ends up first).  Entry j
 * of enc is at enc.buf + at[j] and takes at[j+1] - at[j] bytes.  A small push (the
 * usual one) stays in the struct, on the stack: no malloc. */
#define BATCH_INLINE_VALUES 8
#define BATCH_INLINE_BYTES 256

struct push_batch {
    struct lp_builder enc;
    size_t *at;
    const size_t *lens;
    size_t n;
    enum ql_end end;
    size_t at_inline[BATCH_INLINE_VALUES + 1];
    unsigned char enc_inline[BATCH_INLINE_BYTES];
};

static void batch_init(struct push_batch *bt, const char *const *vals, const size_t *lens, size_t n,
                       enum ql_end end)
{
    lp_builder_init_in(&bt->enc, bt->enc_inline, sizeof(bt->enc_inline));
    bt->at = n <= BATCH_INLINE_VALUES ? bt->at_inline : malloc((n + 1) * sizeof(*bt->at));
    if (!bt->at)
        abort();
    for (size_t j = 0; j < n; j++) {
        size_t v = end == QL_HEAD ? n - 1 - j : j;
        bt->at[j] = bt->enc.len;
        lp_builder_add(&bt->enc, (const unsigned char *)vals[v], (uint32_t)lens[v]);
    }
    bt->at[n] = bt->enc.len;
    bt->lens = lens;
    bt->n = n;
    bt->end = end;
}

static void batch_release(struct push_batch *bt)
{
    lp_builder_discard(&bt->enc);
    if (bt->at != bt->at_inline)
        free(bt->at);
}

/* The entries of values i..i+k-1 (in push order): one run of bytes in list order. */
static const unsigned char *batch_run(const struct push_batch *bt, size_t i, size_t k, size_t *bytes)
{
    size_t from = bt->end == QL_HEAD ? bt->n - i - k : i;
    *bytes = bt->at[from + k] - bt->at[from];
    return bt->enc.buf + bt->at[from];
}

/* How many values from i on a node of bytes/count takes, pushed one by one. */
static size_t batch_fit(const struct quicklist *q, const struct push_batch *bt, size_t i, size_t bytes, uint64_t count)
{
    size_t k = 0, sz;
    for (; i + k < bt->n && node_may_grow(q, bytes, count + k, bt->lens[i + k]); k++) {
        batch_run(bt, i + k, 1, &sz);
        bytes += sz;
    }
    return k;
}

/* Pushes the raw entries of k values into the existing end node: in place when its
 * spare bytes on that side allow, else by moving it into a larger allocation. */
static void node_push(const struct quicklist *q, struct ql_node *n, const unsigned char *raw, size_t rawlen,
                      uint32_t k, enum ql_end end)
{
    if (end == QL_HEAD && n->front >= rawlen) {
        struct ql_place pl = { lp_prepend_in_place(n->lp, raw, rawlen, k), n->front - (uint32_t)rawlen, n->size };
        node_place(n, pl, n->count + k);
    } else if (end == QL_TAIL && node_spare_back(n) >= rawlen) {
        lp_append_in_place(n->lp, raw, rawlen, k);
        UNDO_SET(n->count, n->count + k);
    } else {
        enum ql_room room = q->head == q->tail ? ROOM_BOTH : end == QL_HEAD ? ROOM_FRONT : ROOM_BACK;
        size_t at = end == QL_HEAD ? LP_HEADER_BYTES : lp_bytes(n->lp) - 1;
        node_rebuild(q, n, at, 0, raw, rawlen, (long)k, room);
    }
}

void ql_push(shm_off_t ql, enum ql_end end, const char *const *vals, const size_t *lens, size_t n)
{
    struct quicklist *q = ql_at(ql);
    struct push_batch bt;
    shm_off_t edge = end == QL_HEAD ? q->head : q->tail;
    size_t i = 0, bytes;
    const unsigned char *raw;
    batch_init(&bt, vals, lens, n, end);
    if (edge) {
        struct ql_node *e = ql_node_at(edge);
        i = batch_fit(q, &bt, 0, lp_bytes(e->lp), e->count);
        if (i) {
            raw = batch_run(&bt, 0, i, &bytes);
            node_push(q, e, raw, bytes, (uint32_t)i, end);
        }
    }
    shm_off_t first = 0, last = 0;
    uint32_t nodes = 0;
    for (size_t k; i < n; i += k, nodes++) {
        k = batch_fit(q, &bt, i, LP_EMPTY_BYTES, 0);
        raw = batch_run(&bt, i, k, &bytes);
        int only = !edge && i == 0 && k == n;           /* the list's one node */
        enum ql_room room = only ? ROOM_BOTH : end == QL_HEAD ? ROOM_FRONT : ROOM_BACK;
        shm_off_t node = node_new_raw(q, raw, bytes, (uint32_t)k, room);
        if (!first) {
            first = last = node;
        } else if (end == QL_HEAD) {            /* later values end up further left */
            ql_node_at(node)->next = first;
            ql_node_at(first)->prev = node;
            first = node;
        } else {
            ql_node_at(node)->prev = last;
            ql_node_at(last)->next = node;
            last = node;
        }
    }
    if (nodes)
        link_chain(q, end == QL_HEAD ? 0 : q->tail, first, last, nodes);
    UNDO_SET(q->count, q->count + n);
    batch_release(&bt);
}

/* ---- positions ---------------------------------------------------------------- */

/* The node holding entry index (< count) and the entry's offset in it, walking from
 * the nearer end. */
static shm_off_t locate(const struct quicklist *q, uint64_t index, uint32_t *offset)
{
    shm_off_t node;
    if (index < q->count / 2) {
        for (node = q->head; index >= ql_node_at(node)->count; node = ql_node_at(node)->next)
            index -= ql_node_at(node)->count;
        *offset = (uint32_t)index;
        return node;
    }
    uint64_t back = q->count - 1 - index;
    for (node = q->tail; back >= ql_node_at(node)->count; node = ql_node_at(node)->prev)
        back -= ql_node_at(node)->count;
    *offset = (uint32_t)(ql_node_at(node)->count - 1 - back);
    return node;
}

int ql_seek(shm_off_t ql, long long index, int forward, struct ql_iter *it)
{
    struct quicklist *q = ql_at(ql);
    uint32_t offset;
    it->forward = forward;
    it->node = 0;
    it->p = NULL;
    if (index < 0)
        index += (long long)q->count;
    if (index < 0 || (uint64_t)index >= q->count)
        return 0;
    it->node = locate(q, (uint64_t)index, &offset);
    it->p = lp_seek(ql_node_at(it->node)->lp, (long)offset);
    return 1;
}

void ql_advance(struct ql_iter *it)
{
    struct ql_node *n = ql_node_at(it->node);
    it->p = it->forward ? lp_next(n->lp, it->p) : lp_prev(n->lp, it->p);
    if (it->p)
        return;
    it->node = it->forward ? n->next : n->prev;
    if (it->node)
        it->p = it->forward ? lp_first(ql_node_at(it->node)->lp) : lp_last(ql_node_at(it->node)->lp);
}

/* ---- insert and replace ------------------------------------------------------- */

static size_t entry_bytes(shm_off_t lp, unsigned char *p)
{
    unsigned char *next = lp_next(lp, p);
    return (size_t)((next ? next : lp_ptr(lp) + lp_bytes(lp) - 1) - p);
}

/* Entries streamed into two builders: the first `half` into the left one. */
struct split {
    struct lp_builder side[2];
    uint32_t half, emitted;
};

static struct lp_builder *split_next(struct split *sp) { return &sp->side[sp->emitted++ >= sp->half]; }

/* Rebuilds node (which cannot take the change in place) as two nodes of about half
 * the entries each, with value s inserted at `at` or replacing it. */
static void node_split(struct quicklist *q, shm_off_t node, const unsigned char *at, const char *s, size_t len,
                       enum lp_where where)
{
    struct ql_node *n = ql_node_at(node);
    uint32_t total = n->count + (where != LP_REPLACE);
    struct split sp = { .half = total / 2, .emitted = 0 };
    lp_builder_init(&sp.side[0]);
    lp_builder_init(&sp.side[1]);
    for (unsigned char *p = lp_first(n->lp); p; p = lp_next(n->lp, p)) {
        if (p == at && where != LP_AFTER)
            lp_builder_add(split_next(&sp), (const unsigned char *)s, (uint32_t)len);
        if (p != at || where != LP_REPLACE)
            lp_builder_add_entry(split_next(&sp), p);
        if (p == at && where == LP_AFTER)
            lp_builder_add(split_next(&sp), (const unsigned char *)s, (uint32_t)len);
    }
    shm_off_t right = node_new(place_exact(lp_builder_finish(&sp.side[1])), total - sp.half);
    node_take_built(n, &sp.side[0]);
    link_chain(q, node, right, right, 1);
}

void ql_insert(shm_off_t ql, const struct ql_iter *it, const char *s, size_t len, enum lp_where where)
{
    struct quicklist *q = ql_at(ql);
    struct ql_node *n = ql_node_at(it->node);
    size_t bytes = lp_bytes(n->lp);
    uint32_t count = n->count;
    if (where == LP_REPLACE) {
        bytes -= entry_bytes(n->lp, it->p);
        count--;
    }
    if (node_may_grow(q, bytes, count, len)) {
        struct lp_builder b;
        size_t at = (size_t)(it->p - lp_ptr(n->lp)), cutlen = 0;
        if (where == LP_AFTER)
            at += entry_bytes(n->lp, it->p);
        else if (where == LP_REPLACE)
            cutlen = entry_bytes(n->lp, it->p);
        lp_builder_init(&b);
        lp_builder_add(&b, (const unsigned char *)s, (uint32_t)len);
        node_rebuild(q, n, at, cutlen, b.buf + LP_HEADER_BYTES, b.len - LP_HEADER_BYTES, where != LP_REPLACE,
                     ROOM_NONE);
        lp_builder_discard(&b);
    } else {
        node_split(q, it->node, it->p, s, len, where);
    }
    if (where != LP_REPLACE)
        UNDO_SET(q->count, q->count + 1);
}

/* ---- deleting ----------------------------------------------------------------- */

/* Deletes k entries from offset on (not all of the node's): in place at either end,
 * then moved into a fitting allocation if it is now under half full; by a copy in
 * the middle. */
static void node_delete_entries(const struct quicklist *q, struct ql_node *n, uint32_t offset, uint32_t k)
{
    if (offset > 0 && offset + k < n->count) {
        unsigned char *p = lp_seek(n->lp, (long)offset), *end = p;
        for (uint32_t i = 0; i < k; i++)
            end = lp_next(n->lp, end);
        node_rebuild(q, n, (size_t)(p - lp_ptr(n->lp)), (size_t)(end - p), NULL, 0, -(long)k, ROOM_NONE);
        return;
    }
    if (offset == 0) {
        shm_off_t lp = lp_pop_front_in_place(n->lp, k);
        struct ql_place pl = { lp, n->front + (uint32_t)(lp - n->lp), n->size };
        node_place(n, pl, n->count - k);
    } else {
        lp_pop_back_in_place(n->lp, k);
        UNDO_SET(n->count, n->count - k);
    }
    if (n->size >= QL_SHRINK_MIN && (size_t)lp_bytes(n->lp) * 2 < n->size)
        node_rebuild(q, n, LP_HEADER_BYTES, 0, NULL, 0, 0, ROOM_NONE);
}

void ql_delete_range(shm_off_t ql, uint64_t start, uint64_t n)
{
    struct quicklist *q = ql_at(ql);
    if (start >= q->count || n == 0)
        return;
    if (n > q->count - start)
        n = q->count - start;
    uint32_t offset;
    shm_off_t node = locate(q, start, &offset);
    UNDO_SET(q->count, q->count - n);
    struct ql_node *first = ql_node_at(node);
    if (offset > 0 || n < first->count) {             /* a part of the first node */
        uint32_t k = (uint32_t)(n < first->count - offset ? n : first->count - offset);
        node_delete_entries(q, first, offset, k);
        n -= k;
        node = first->next;
    }
    shm_off_t run = node, last = 0;
    uint32_t nodes = 0;
    for (; node && n >= ql_node_at(node)->count; node = ql_node_at(node)->next, nodes++) {
        n -= ql_node_at(node)->count;
        last = node;
    }
    if (nodes)
        unlink_chain(q, run, last, nodes);
    if (n)                                            /* the head of the next node */
        node_delete_entries(q, ql_node_at(node), 0, (uint32_t)n);
}

/* Removes up to max entries equal to s from one node, the first ones met walking
 * forward or backward; returns how many. */
static uint64_t node_remove_equal(struct quicklist *q, shm_off_t node, const char *s, size_t len, uint64_t max,
                                  int forward)
{
    struct ql_node *n = ql_node_at(node);
    const unsigned char *us = (const unsigned char *)s;
    uint32_t matches = 0;
    for (unsigned char *p = lp_first(n->lp); p; p = lp_next(n->lp, p))
        matches += lp_eq(p, us, (uint32_t)len) != 0;
    uint32_t r = matches < max ? matches : (uint32_t)max;
    if (r == 0)
        return 0;
    if (r == n->count) {
        unlink_chain(q, node, node, 1);
        return r;
    }
    struct lp_builder b;
    uint32_t j = 0;
    lp_builder_init(&b);
    for (unsigned char *p = lp_first(n->lp); p; p = lp_next(n->lp, p)) {
        if (lp_eq(p, us, (uint32_t)len)) {
            int drop = forward ? j < r : j >= matches - r;
            j++;
            if (drop)
                continue;
        }
        lp_builder_add_entry(&b, p);
    }
    node_take_built(n, &b);
    return r;
}

uint64_t ql_remove_equal(shm_off_t ql, const char *s, size_t len, long long count)
{
    struct quicklist *q = ql_at(ql);
    int forward = count >= 0;
    uint64_t limit = count == 0 ? UINT64_MAX : count > 0 ? (uint64_t)count : 0 - (uint64_t)count;
    uint64_t removed = 0;
    for (shm_off_t node = forward ? q->head : q->tail; node && removed < limit;) {
        shm_off_t next = forward ? ql_node_at(node)->next : ql_node_at(node)->prev;
        removed += node_remove_equal(q, node, s, len, limit - removed, forward);
        node = next;
    }
    if (removed)
        UNDO_SET(q->count, q->count - removed);
    return removed;
}
