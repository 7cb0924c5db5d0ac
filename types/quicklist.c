/* types/quicklist.c - lists of listpack nodes in the arena (see quicklist.h).
 *
 * Node fill follows Redis 7.0's _quicklistNodeAllowInsert: a node takes one more
 * value of sz bytes when its exact listpack size plus sz plus the largest entry
 * overhead that sz could need stays within the limit (an empty node takes anything).
 * Pushes of several values encode them once into a private batch, fill the end node
 * in one rebuild and make the rest into new nodes linked with one logged splice.
 * An insert or replace that would overflow a node splits it into two half-full nodes,
 * so repeated inserts at one place do not leave a trail of tiny nodes.
 */
#include <stdlib.h>
#include <string.h>

#include "shm/alloc.h"
#include "shm/undo.h"
#include "types/quicklist.h"

#define QL_FILL_MAX 32767
#define QL_FILL_MIN (-5)
#define QL_COMPRESS_MAX 65535
#define QL_SAFETY_LIMIT 8192        /* bytes: the bound of a node whatever a positive fill says */
#define LP_EMPTY_BYTES 7            /* header and end byte of an empty listpack */

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

/* ---- nodes and links ---------------------------------------------------------- */

static shm_off_t node_new(shm_off_t lp, uint32_t count)
{
    shm_off_t off = shm_alloc(sizeof(struct ql_node));
    struct ql_node *n = ql_node_at(off);
    n->prev = n->next = 0;
    n->lp = lp;
    n->count = count;
    n->reserved = 0;
    return off;
}

static void node_free(shm_off_t node)
{
    shm_free(ql_node_at(node)->lp);
    shm_free(node);
}

/* Points a linked node at a new listpack (the old one is freed by whoever replaced it). */
static void node_set_lp(struct ql_node *n, shm_off_t lp, uint32_t count)
{
    UNDO_SET(n->lp, lp);
    UNDO_SET(n->count, count);
}

/* Gives the node the listpack built in b, freeing the old one. */
static void node_take_built(struct ql_node *n, struct lp_builder *b)
{
    shm_off_t old = n->lp;
    uint32_t count = b->count;
    node_set_lp(n, lp_builder_finish(b), count);
    shm_free(old);
}

static void copy_entries(struct lp_builder *b, shm_off_t lp)
{
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p))
        lp_builder_add_entry(b, p);
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
        shm_off_t nn = node_new(lp_from_bytes(lp_ptr(n->lp), lp_bytes(n->lp)), n->count);
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

/* The values of one push, each encoded once as a listpack entry (private memory):
 * entry i is at enc.buf + at[i] and takes at[i+1] - at[i] bytes. */
struct push_batch {
    struct lp_builder enc;
    size_t *at;
    const size_t *lens;
    size_t n;
};

static void batch_init(struct push_batch *bt, const char *const *vals, const size_t *lens, size_t n)
{
    lp_builder_init(&bt->enc);
    bt->at = malloc((n + 1) * sizeof(*bt->at));
    if (!bt->at)
        abort();
    for (size_t i = 0; i < n; i++) {
        bt->at[i] = bt->enc.len;
        lp_builder_add(&bt->enc, (const unsigned char *)vals[i], (uint32_t)lens[i]);
    }
    bt->at[n] = bt->enc.len;
    bt->lens = lens;
    bt->n = n;
}

static void batch_release(struct push_batch *bt)
{
    lp_builder_discard(&bt->enc);
    free(bt->at);
}

/* How many values from i on a node of bytes/count takes, pushed one by one. */
static size_t batch_fit(const struct quicklist *q, const struct push_batch *bt, size_t i, size_t bytes, uint64_t count)
{
    size_t k = 0;
    for (; i + k < bt->n && node_may_grow(q, bytes, count + k, bt->lens[i + k]); k++)
        bytes += bt->at[i + k + 1] - bt->at[i + k];
    return k;
}

/* A listpack of old's entries (old may be 0) with values i..i+k-1 pushed at end. */
static shm_off_t batch_build(const struct push_batch *bt, size_t i, size_t k, shm_off_t old, enum ql_end end)
{
    struct lp_builder b;
    lp_builder_init(&b);
    if (old && end == QL_TAIL)
        copy_entries(&b, old);
    for (size_t j = 0; j < k; j++)
        lp_builder_add_entry(&b, bt->enc.buf + bt->at[end == QL_HEAD ? i + k - 1 - j : i + j]);
    if (old && end == QL_HEAD)
        copy_entries(&b, old);
    return lp_builder_finish(&b);
}

/* Pushes the first k values into the existing end node. */
static void push_into_node(struct ql_node *n, const char *const *vals, const struct push_batch *bt, size_t k,
                           enum ql_end end)
{
    if (k == 1) {
        const unsigned char *s = (const unsigned char *)vals[0];
        uint32_t len = (uint32_t)bt->lens[0];
        node_set_lp(n, end == QL_HEAD ? lp_prepend(n->lp, s, len) : lp_append(n->lp, s, len), n->count + 1);
        return;
    }
    shm_off_t old = n->lp;
    node_set_lp(n, batch_build(bt, 0, k, old, end), n->count + (uint32_t)k);
    shm_free(old);
}

void ql_push(shm_off_t ql, enum ql_end end, const char *const *vals, const size_t *lens, size_t n)
{
    struct quicklist *q = ql_at(ql);
    struct push_batch bt;
    shm_off_t edge = end == QL_HEAD ? q->head : q->tail;
    size_t i = 0;
    batch_init(&bt, vals, lens, n);
    if (edge) {
        struct ql_node *e = ql_node_at(edge);
        i = batch_fit(q, &bt, 0, lp_bytes(e->lp), e->count);
        if (i)
            push_into_node(e, vals, &bt, i, end);
    }
    shm_off_t first = 0, last = 0;
    uint32_t nodes = 0;
    for (size_t k; i < n; i += k, nodes++) {
        k = batch_fit(q, &bt, i, LP_EMPTY_BYTES, 0);
        shm_off_t node = node_new(batch_build(&bt, i, k, 0, end), (uint32_t)k);
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
    shm_off_t right = node_new(lp_builder_finish(&sp.side[1]), total - sp.half);
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
    if (node_may_grow(q, bytes, count, len))
        node_set_lp(n, lp_insert(n->lp, it->p, (const unsigned char *)s, (uint32_t)len, where, NULL), count + 1);
    else
        node_split(q, it->node, it->p, s, len, where);
    if (where != LP_REPLACE)
        UNDO_SET(q->count, q->count + 1);
}

/* ---- deleting ----------------------------------------------------------------- */

static void node_delete_entries(struct ql_node *n, uint32_t offset, uint32_t k)
{
    node_set_lp(n, lp_delete_range(n->lp, (long)offset, k), n->count - k);
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
        node_delete_entries(first, offset, k);
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
        node_delete_entries(ql_node_at(node), 0, (uint32_t)n);
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
