/* types/zskiplist.c - the skiplist encoding of sorted sets (see zskiplist.h).
 *
 * Searches descend from the top level keeping, per level, the last link passed (a
 * "path") and the rank of its owner; inserts and deletes rewrite exactly the links on
 * the path, each logged before it changes.  A node is created at a random level
 * (p = 1/4, at most ZSL_MAXLEVEL), as Redis's zslRandomLevel.
 * A descent is a chain of cache misses (one per node examined), so the descents to a
 * key go one step at a time: a score update runs the one to the node's old place and
 * the one to its new place in turn, and their misses overlap. */
#include <stdio.h>

#include "keyspace/kv.h"
#include "keyspace/lazyfree.h"
#include "shm/alloc.h"
#include "shm/undo.h"
#include "types/zskiplist.h"
#include "util/rand.h"

/* Larger zsls are freed through keyspace/lazyfree in bounded steps. */
#define ZSL_LAZYFREE_MIN 1024
/* A score update descends to levels below this before checking whether the node
 * can stay where it is. */
#define ZSL_CHECK_LEVEL 3

/* The links crossed by a descent: at each level the link to rewrite, the node that
 * owns it (0 for the header) and that owner's rank (0 for the header). */
struct zsl_path {
    struct zsl_level *lv[ZSL_MAXLEVEL];
    shm_off_t node[ZSL_MAXLEVEL];
    uint64_t rank[ZSL_MAXLEVEL];
};

static const void *node_key(shm_off_t entry, size_t *len)
{
    struct zsl_node *n = zsl_node_at(entry);
    *len = n->len;
    return zsl_member(n);
}

static const struct dict_type zset_dict_type = { "zset", node_key, shm_free };

void zsl_register_dict_type(void) { dict_register_type(DICT_TYPE_ZSET, &zset_dict_type); }

/* Ranks skipped by link l, which has a forward node, at level i: one at level 0. */
static inline uint64_t span_of(const struct zsl_level *l, int i) { return i ? l->span : 1; }

/* The links of a node, or the header's for 0. */
static struct zsl_level *links_of(const struct zsl *zs, shm_off_t node)
{
    return node ? zsl_node_at(node)->lv : (struct zsl_level *)zs->head;
}

static uint8_t random_level(void)
{
    uint64_t r = rand_u64();
    uint8_t level = 1;
    while ((r & 3) == 0 && level < ZSL_MAXLEVEL) {
        level++;
        r >>= 2;
    }
    return level;
}

static shm_off_t node_new(uint8_t level, double score, const char *m, size_t len)
{
    shm_off_t off = shm_alloc(sizeof(struct zsl_node) + level * sizeof(struct zsl_level) + len);
    struct zsl_node *n = zsl_node_at(off);
    memset(n, 0, sizeof(*n) + level * sizeof(struct zsl_level));
    n->score = score;
    n->len = (uint32_t)len;
    n->level = level;
    memcpy((char *)zsl_member(n), m, len);
    return off;
}

shm_off_t zsl_new(void)
{
    shm_off_t off = shm_calloc(sizeof(struct zsl));
    struct zsl *zs = zsl_at(off);
    dict_init(&zs->dict, DICT_TYPE_ZSET);
    zs->level = 1;
    return off;
}

void zsl_free(shm_off_t off)
{
    struct zsl *zs = zsl_at(off);
    if (zs->length >= ZSL_LAZYFREE_MIN)
        lazyfree_dict(&zs->dict);
    else
        dict_release(&zs->dict);
    shm_free(off);
}

struct zsl_node *zsl_find(const struct zsl *zs, const char *m, size_t len)
{
    return zsl_node_at(dict_find(&zs->dict, m, len));
}

/* ---- descents --------------------------------------------------------------- */

/* Descends advancing while fn(next) == want; the path ends, at level 0, on the last
 * node passed (0 = header). */
static void path_while(const struct zsl *zs, zelem_bound_fn *fn, const void *spec, int want,
                       struct zsl_path *p)
{
    shm_off_t x = 0;
    uint64_t rank = 0;
    for (int i = (int)zs->level - 1; i >= 0; i--) {
        struct zsl_level *l = links_of(zs, x);
        while (l[i].forward) {
            struct zelem e = zsl_elem(zsl_node_at(l[i].forward));
            if (!fn(&e, spec) != !want)
                break;
            rank += span_of(&l[i], i);
            x = l[i].forward;
            l = zsl_node_at(x)->lv;
        }
        p->lv[i] = &l[i];
        p->node[i] = x;
        p->rank[i] = rank;
    }
}

/* Descends to the last node of rank <= r. */
static void path_to_rank(const struct zsl *zs, uint64_t r, struct zsl_path *p)
{
    shm_off_t x = 0;
    uint64_t rank = 0;
    for (int i = (int)zs->level - 1; i >= 0; i--) {
        struct zsl_level *l = links_of(zs, x);
        while (l[i].forward && rank + span_of(&l[i], i) <= r) {
            rank += span_of(&l[i], i);
            x = l[i].forward;
            l = zsl_node_at(x)->lv;
        }
        p->lv[i] = &l[i];
        p->node[i] = x;
        p->rank[i] = rank;
    }
}

/* The (score, member) order as a bound: e is before the key. */
static int before_key(const struct zelem *e, const void *spec)
{
    const struct zelem *k = spec;
    return e->score < k->score ||
           (e->score == k->score && zset_memcmp(e->m, e->len, k->m, k->len) < 0);
}

/* ---- descents to a key ------------------------------------------------------ */

/* A descent toward a key, one step at a time, so that two can run interleaved: their
 * loads do not depend on each other and their cache misses overlap. */
struct descent {
    double score;
    const char *m;
    size_t len;
    struct zsl_path *p;
    shm_off_t x;                        /* current node, 0 = header */
    struct zsl_level *l;                /* its links */
    uint64_t rank;
    int i;                              /* current level, -1 when done */
};

static void descent_init(struct descent *d, const struct zsl *zs, double score, const char *m, size_t len,
                         struct zsl_path *p)
{
    *d = (struct descent){ score, m, len, p, 0, (struct zsl_level *)zs->head, 0, (int)zs->level - 1 };
}

/* Examines the next node at the current level: moves to it if it comes before the
 * key, else records the path at this level and goes down one.  0 once done. */
static inline int descent_step(struct descent *d)
{
    if (d->i < 0)
        return 0;
    shm_off_t f = d->l[d->i].forward;
    const struct zsl_node *y = f ? zsl_node_at(f) : NULL;
    if (y && (y->score < d->score ||
              (y->score == d->score && zset_memcmp(zsl_member(y), y->len, d->m, d->len) < 0))) {
        d->rank += span_of(&d->l[d->i], d->i);
        d->x = f;
        d->l = zsl_node_at(f)->lv;
        if (d->i > 0 && d->l[d->i - 1].forward)      /* where the level below starts */
            __builtin_prefetch(zsl_node_at(d->l[d->i - 1].forward));
        return 1;
    }
    d->p->lv[d->i] = &d->l[d->i];
    d->p->node[d->i] = d->x;
    d->p->rank[d->i] = d->rank;
    return --d->i >= 0;
}

/* The path to the last element before (score, m). */
static void path_to_key(const struct zsl *zs, double score, const char *m, size_t len, struct zsl_path *p)
{
    struct descent d;
    descent_init(&d, zs, score, m, len, p);
    while (descent_step(&d))
        ;
}

static void path_to_node(const struct zsl *zs, const struct zsl_node *n, struct zsl_path *p)
{
    path_to_key(zs, n->score, zsl_member(n), n->len, p);
}

/* ---- linking ---------------------------------------------------------------- */

/* Links node off into its own levels after the path's owners there, and sets the
 * backward links around it.  The node's own bytes are new in this write or logged
 * by the caller. */
static void link_levels(struct zsl *zs, struct zsl_path *p, shm_off_t off)
{
    struct zsl_node *x = zsl_node_at(off);
    for (uint32_t i = 0; i < x->level; i++) {
        struct zsl_level *l = p->lv[i];
        uint64_t before = p->rank[0] - p->rank[i];
        x->lv[i].forward = l->forward;
        undo_save(l, sizeof(*l));
        l->forward = off;
        if (i > 0) {                            /* level 0 stores no span */
            x->lv[i].span = l->span - before;
            l->span = before + 1;
        }
    }
    x->lv[0].backward = p->node[0];
    if (x->lv[0].forward)
        UNDO_SET(zsl_node_at(x->lv[0].forward)->lv[0].backward, off);
    else
        UNDO_SET(zs->tail, off);
}

/* Links a node made in this write after the path's level-0 owner: raises the list's
 * level to the node's if needed; the links above the node's levels span one more. */
static void link_new_node(struct zsl *zs, struct zsl_path *p, shm_off_t off)
{
    struct zsl_node *x = zsl_node_at(off);
    uint32_t i;
    if (x->level > zs->level) {
        for (i = zs->level; i < x->level; i++) {
            p->lv[i] = &zs->head[i];
            p->node[i] = 0;
            p->rank[i] = 0;
            UNDO_SET(zs->head[i].span, zs->length);
        }
        UNDO_SET(zs->level, x->level);
    }
    link_levels(zs, p, off);
    for (i = x->level; i < zs->level; i++)
        UNDO_SET(p->lv[i]->span, p->lv[i]->span + 1);
}

static void shrink_level(struct zsl *zs)
{
    uint32_t level = zs->level;
    while (level > 1 && zs->head[level - 1].forward == 0)
        level--;
    if (level != zs->level)
        UNDO_SET(zs->level, level);
}

/* Takes node off, which follows the path, out of its own levels (the path's owners
 * there point past it) and out of the backward links; it stays allocated. */
static void unlink_levels(struct zsl *zs, struct zsl_path *p, shm_off_t off)
{
    struct zsl_node *x = zsl_node_at(off);
    for (uint32_t i = 0; i < x->level; i++) {
        struct zsl_level *l = p->lv[i];
        undo_save(l, sizeof(*l));
        if (i > 0)
            l->span += x->lv[i].span - 1;
        l->forward = x->lv[i].forward;
    }
    if (x->lv[0].forward)
        UNDO_SET(zsl_node_at(x->lv[0].forward)->lv[0].backward, x->lv[0].backward);
    else
        UNDO_SET(zs->tail, x->lv[0].backward);
}

/* Unlinks the node that follows the path at level 0: the links above its levels span
 * one less, and levels left empty go. */
static void unlink_node(struct zsl *zs, struct zsl_path *p, shm_off_t off)
{
    unlink_levels(zs, p, off);
    for (uint32_t i = zsl_node_at(off)->level; i < zs->level; i++)
        UNDO_SET(p->lv[i]->span, p->lv[i]->span - 1);
    shrink_level(zs);
}

/* The path p, found while node off (of 1-based rank) was still linked, made valid
 * for the list without it: where off itself owned a link, its predecessor (from
 * path `at`, which ends before off) owns it now; owners past it move one rank down. */
static void path_without(struct zsl_path *p, const struct zsl_path *at, shm_off_t off, uint64_t rank,
                         uint32_t levels)
{
    for (uint32_t i = 0; i < levels; i++) {
        if (p->node[i] == off) {
            p->lv[i] = at->lv[i];
            p->node[i] = at->node[i];
            p->rank[i] = at->rank[i];
        } else if (p->rank[i] > rank) {
            p->rank[i]--;
        }
    }
}

struct zsl_node *zsl_insert(struct zsl *zs, double score, const char *m, size_t len)
{
    struct zsl_path p;
    path_to_key(zs, score, m, len, &p);
    shm_off_t off = node_new(random_level(), score, m, len);
    link_new_node(zs, &p, off);
    UNDO_SET(zs->length, zs->length + 1);
    dict_add(&zs->dict, off);
    return zsl_node_at(off);
}

void zsl_delete(struct zsl *zs, struct zsl_node *n)
{
    struct zsl_path p;
    path_to_node(zs, n, &p);
    unlink_node(zs, &p, shm_off(n));
    UNDO_SET(zs->length, zs->length - 1);
    dict_unlink(&zs->dict, zsl_member(n), n->len);
    shm_free(shm_off(n));
}

/* A node whose neighbours stay on either side of it only changes its score.  One
 * that changes place is taken out of its levels and put back in at the new place,
 * the paths to both found by one interleaved pair of descents; above its levels only
 * the links covering the old and the new place change (not at all when they are the
 * same link), and the list's level stays.  The neighbours are checked once the
 * descents have passed the top levels (cheap, and mostly cached), so that their
 * loads overlap with those steps instead of delaying them. */
void zsl_update_score(struct zsl *zs, struct zsl_node *n, double score)
{
    struct zsl_node *prev = zsl_prev(n), *next = zsl_next(n);
    struct zsl_path at, to;
    struct descent a, b;
    shm_off_t off = shm_off(n);
    if (prev)
        __builtin_prefetch(prev);
    if (next)
        __builtin_prefetch(next);
    descent_init(&a, zs, n->score, zsl_member(n), n->len, &at);
    descent_init(&b, zs, score, zsl_member(n), n->len, &to);
    while ((a.i >= ZSL_CHECK_LEVEL || b.i >= ZSL_CHECK_LEVEL) && (descent_step(&a) | descent_step(&b)))
        ;
    if ((!prev || prev->score < score) && (!next || next->score > score)) {
        UNDO_SET(n->score, score);              /* its place stays: the descents were for nothing */
        return;
    }
    while (descent_step(&a) | descent_step(&b))
        ;
    unlink_levels(zs, &at, off);
    path_without(&to, &at, off, at.rank[0] + 1, n->level);
    for (uint32_t i = n->level; i < zs->level; i++)
        if (at.lv[i] != to.lv[i]) {                 /* the same link: one less, one more */
            UNDO_SET(at.lv[i]->span, at.lv[i]->span - 1);
            UNDO_SET(to.lv[i]->span, to.lv[i]->span + 1);
        }
    undo_save(&n->score, (size_t)((char *)&n->lv[n->level] - (char *)&n->score));
    n->score = score;                           /* one record for its score and links */
    link_levels(zs, &to, off);
}

/* ---- ranks and ranges ------------------------------------------------------- */

uint64_t zsl_rank(const struct zsl *zs, const struct zsl_node *n)
{
    struct zsl_path p;
    path_to_node(zs, n, &p);
    return p.rank[0] + 1;
}

struct zsl_node *zsl_by_rank(const struct zsl *zs, uint64_t rank)
{
    if (rank == 0 || rank > zs->length)
        return NULL;
    struct zsl_path p;
    path_to_rank(zs, rank, &p);
    return zsl_node_at(p.node[0]);
}

struct zsl_node *zsl_first_not_before(const struct zsl *zs, zelem_bound_fn *before, const void *spec,
                                      uint64_t *rank)
{
    struct zsl_path p;
    path_while(zs, before, spec, 1, &p);
    *rank = p.rank[0] + 1;
    return zsl_node_at(p.lv[0]->forward);
}

struct zsl_node *zsl_last_not_after(const struct zsl *zs, zelem_bound_fn *after, const void *spec,
                                    uint64_t *rank)
{
    struct zsl_path p;
    path_while(zs, after, spec, 0, &p);
    *rank = p.rank[0];
    return zsl_node_at(p.node[0]);
}

/* Removes the deleted nodes (ranks start..end, first one at off) from the table and
 * frees them. */
static void drop_nodes(struct zsl *zs, shm_off_t off, uint64_t count)
{
    for (; count > 0; count--) {
        struct zsl_node *n = zsl_node_at(off);
        shm_off_t next = n->lv[0].forward;
        dict_unlink(&zs->dict, zsl_member(n), n->len);
        shm_free(off);
        off = next;
    }
    dict_shrink_if_needed(&zs->dict);
}

/* The whole range is cut at once: at each level the link before it is pointed past
 * the last node of that level inside it, so the list itself costs O(levels) undo
 * records however many nodes go. */
void zsl_delete_rank_range(struct zsl *zs, uint64_t start, uint64_t end)
{
    struct zsl_path before, last;
    uint64_t k = end - start + 1;
    path_to_rank(zs, start - 1, &before);
    path_to_rank(zs, end, &last);
    shm_off_t first = before.lv[0]->forward;
    for (uint32_t i = 0; i < zs->level; i++) {
        if (i == 0) {
            UNDO_SET(before.lv[0]->forward, last.lv[0]->forward);
        } else if (last.rank[i] >= start) {
            uint64_t next_rank = last.rank[i] + last.lv[i]->span;
            UNDO_SET(before.lv[i]->forward, last.lv[i]->forward);
            UNDO_SET(before.lv[i]->span, next_rank - k - before.rank[i]);
        } else {
            UNDO_SET(before.lv[i]->span, before.lv[i]->span - k);
        }
    }
    shm_off_t after = last.lv[0]->forward;
    if (after)
        UNDO_SET(zsl_node_at(after)->lv[0].backward, before.node[0]);
    else
        UNDO_SET(zs->tail, before.node[0]);
    shrink_level(zs);
    UNDO_SET(zs->length, zs->length - k);
    drop_nodes(zs, first, k);
}

/* ---- building --------------------------------------------------------------- */

void zsl_builder_init(struct zsl_builder *b)
{
    memset(b, 0, sizeof(*b));
    b->zs = zsl_new();
}

void zsl_builder_add(struct zsl_builder *b, double score, const char *m, size_t len)
{
    struct zsl *zs = zsl_at(b->zs);
    shm_off_t off = node_new(random_level(), score, m, len);
    struct zsl_node *x = zsl_node_at(off);
    uint64_t r = zs->length + 1;
    for (uint32_t i = 0; i < x->level; i++) {
        struct zsl_level *l = &links_of(zs, b->last[i])[i];
        l->forward = off;
        if (i > 0)
            l->span = r - b->last_rank[i];
        b->last[i] = off;
        b->last_rank[i] = r;
    }
    x->lv[0].backward = zs->tail;
    zs->tail = off;
    zs->length = r;
    if (x->level > zs->level)
        zs->level = x->level;
    dict_add(&zs->dict, off);
}

shm_off_t zsl_builder_finish(struct zsl_builder *b)
{
    struct zsl *zs = zsl_at(b->zs);
    for (uint32_t i = 1; i < zs->level; i++)
        links_of(zs, b->last[i])[i].span = zs->length - b->last_rank[i];
    return b->zs;
}

shm_off_t zsl_copy(shm_off_t src)
{
    struct zsl_builder b;
    zsl_builder_init(&b);
    for (struct zsl_node *n = zsl_first(zsl_at(src)); n; n = zsl_next(n))
        zsl_builder_add(&b, n->score, zsl_member(n), n->len);
    return zsl_builder_finish(&b);
}

/* ---- checking --------------------------------------------------------------- */

#define CHECK(cond, ...) do { if (!(cond)) { snprintf(err, errlen, __VA_ARGS__); return -1; } } while (0)

/* Level-0 order, backward links, tail, length and the table's view of each node. */
static int check_order(const struct zsl *zs, char *err, size_t errlen)
{
    uint64_t n = 0;
    shm_off_t prev = 0;
    for (struct zsl_node *x = zsl_first(zs); x; x = zsl_next(x), n++) {
        CHECK(x->level >= 1 && x->level <= zs->level, "node %llu: level %u (list %u)",
              (unsigned long long)n, x->level, zs->level);
        CHECK(x->lv[0].backward == prev, "node %llu: backward link wrong", (unsigned long long)n);
        if (prev) {
            struct zelem k = zsl_elem(x), e = zsl_elem(zsl_node_at(prev));
            CHECK(before_key(&e, &k), "node %llu: out of order", (unsigned long long)n);
        }
        CHECK(zsl_find(zs, zsl_member(x), x->len) == x, "node %llu: not in the table", (unsigned long long)n);
        prev = shm_off(x);
    }
    CHECK(prev == zs->tail, "tail is not the last node");
    CHECK(n == zs->length, "length %llu, %llu nodes", (unsigned long long)zs->length, (unsigned long long)n);
    CHECK(dict_size(&zs->dict) == n, "table has %llu entries, list %llu",
          (unsigned long long)dict_size(&zs->dict), (unsigned long long)n);
    return 0;
}

/* Every link of level i: forward target and span (above level 0), walking level 0 once. */
static int check_level(const struct zsl *zs, uint32_t i, char *err, size_t errlen)
{
    const struct zsl_level *owner = &zs->head[i];
    uint64_t owner_rank = 0, rank = 0;
    for (struct zsl_node *x = zsl_first(zs); x; x = zsl_next(x)) {
        rank++;
        if (x->level <= i)
            continue;
        CHECK(owner->forward == shm_off(x), "level %u: link skips rank %llu", i, (unsigned long long)rank);
        CHECK(i == 0 || owner->span == rank - owner_rank, "level %u: span %llu to rank %llu from %llu", i,
              (unsigned long long)owner->span, (unsigned long long)rank, (unsigned long long)owner_rank);
        owner = &x->lv[i];
        owner_rank = rank;
    }
    CHECK(owner->forward == 0, "level %u: last link not at the end", i);
    CHECK(i == 0 || owner->span == zs->length - owner_rank, "level %u: end span %llu", i,
          (unsigned long long)owner->span);
    return 0;
}

int zsl_check(const struct zsl *zs, char *err, size_t errlen)
{
    CHECK(zs->level >= 1 && zs->level <= ZSL_MAXLEVEL, "level %u", zs->level);
    CHECK(zs->level == 1 || zs->head[zs->level - 1].forward, "top level %u is empty", zs->level);
    CHECK(zs->head[0].backward == 0, "the header's level-0 link has a backward link");
    if (check_order(zs, err, errlen) < 0)
        return -1;
    for (uint32_t i = 0; i < zs->level; i++)
        if (check_level(zs, i, err, errlen) < 0)
            return -1;
    return dict_check(&zs->dict, err, errlen);
}
