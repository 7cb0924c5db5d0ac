/* types/zskiplist.c - the skiplist encoding of sorted sets (see zskiplist.h).
 *
 * Searches descend from the top level keeping, per level, the last link passed (a
 * "path") and the rank of its owner; inserts and deletes rewrite exactly the links on
 * the path, each logged before it changes.  A node is created at a random level
 * (p = 1/4, at most ZSL_MAXLEVEL), as Redis's zslRandomLevel. */
#include <stdio.h>

#include "keyspace/kv.h"
#include "keyspace/lazyfree.h"
#include "shm/alloc.h"
#include "shm/undo.h"
#include "types/zskiplist.h"
#include "util/rand.h"

/* Larger zsls are freed through keyspace/lazyfree in bounded steps. */
#define ZSL_LAZYFREE_MIN 1024

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
            rank += l[i].span;
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
        while (l[i].forward && rank + l[i].span <= r) {
            rank += l[i].span;
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

static void path_to_node(const struct zsl *zs, const struct zsl_node *n, struct zsl_path *p)
{
    struct zelem k = zsl_elem(n);
    path_while(zs, before_key, &k, 1, p);
}

/* ---- linking ---------------------------------------------------------------- */

/* Links node off after the path's level-0 owner.  A node that existed before the
 * write (fresh == 0) has its own links logged first. */
static void link_node(struct zsl *zs, struct zsl_path *p, shm_off_t off, int fresh)
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
    if (!fresh) {
        undo_save(x->lv, x->level * sizeof(struct zsl_level));
        undo_save(&x->backward, sizeof(x->backward));
    }
    for (i = 0; i < x->level; i++) {
        uint64_t before = p->rank[0] - p->rank[i];
        x->lv[i].forward = p->lv[i]->forward;
        x->lv[i].span = p->lv[i]->span - before;
        UNDO_SET(p->lv[i]->forward, off);
        UNDO_SET(p->lv[i]->span, before + 1);
    }
    for (; i < zs->level; i++)
        UNDO_SET(p->lv[i]->span, p->lv[i]->span + 1);
    x->backward = p->node[0];
    if (x->lv[0].forward)
        UNDO_SET(zsl_node_at(x->lv[0].forward)->backward, off);
    else
        UNDO_SET(zs->tail, off);
    UNDO_SET(zs->length, zs->length + 1);
}

static void shrink_level(struct zsl *zs)
{
    uint32_t level = zs->level;
    while (level > 1 && zs->head[level - 1].forward == 0)
        level--;
    if (level != zs->level)
        UNDO_SET(zs->level, level);
}

/* Unlinks the node that follows the path at level 0 (it stays allocated). */
static void unlink_node(struct zsl *zs, struct zsl_path *p, shm_off_t off)
{
    struct zsl_node *x = zsl_node_at(off);
    for (uint32_t i = 0; i < zs->level; i++) {
        if (p->lv[i]->forward == off) {
            UNDO_SET(p->lv[i]->span, p->lv[i]->span + x->lv[i].span - 1);
            UNDO_SET(p->lv[i]->forward, x->lv[i].forward);
        } else {
            UNDO_SET(p->lv[i]->span, p->lv[i]->span - 1);
        }
    }
    if (x->lv[0].forward)
        UNDO_SET(zsl_node_at(x->lv[0].forward)->backward, x->backward);
    else
        UNDO_SET(zs->tail, x->backward);
    shrink_level(zs);
    UNDO_SET(zs->length, zs->length - 1);
}

struct zsl_node *zsl_insert(struct zsl *zs, double score, const char *m, size_t len)
{
    struct zelem k = { m, len, score };
    struct zsl_path p;
    path_while(zs, before_key, &k, 1, &p);
    shm_off_t off = node_new(random_level(), score, m, len);
    link_node(zs, &p, off, 1);
    dict_add(&zs->dict, off);
    return zsl_node_at(off);
}

void zsl_delete(struct zsl *zs, struct zsl_node *n)
{
    struct zsl_path p;
    path_to_node(zs, n, &p);
    unlink_node(zs, &p, shm_off(n));
    dict_unlink(&zs->dict, zsl_member(n), n->len);
    shm_free(shm_off(n));
}

void zsl_update_score(struct zsl *zs, struct zsl_node *n, double score)
{
    struct zsl_node *prev = zsl_prev(n), *next = zsl_next(n);
    if ((!prev || prev->score < score) && (!next || next->score > score)) {
        UNDO_SET(n->score, score);
        return;
    }
    struct zsl_path p;
    path_to_node(zs, n, &p);
    unlink_node(zs, &p, shm_off(n));
    UNDO_SET(n->score, score);
    path_to_node(zs, n, &p);
    link_node(zs, &p, shm_off(n), 0);
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
        if (last.rank[i] >= start) {
            uint64_t next_rank = last.rank[i] + last.lv[i]->span;
            UNDO_SET(before.lv[i]->forward, last.lv[i]->forward);
            UNDO_SET(before.lv[i]->span, next_rank - k - before.rank[i]);
        } else {
            UNDO_SET(before.lv[i]->span, before.lv[i]->span - k);
        }
    }
    shm_off_t after = last.lv[0]->forward;
    if (after)
        UNDO_SET(zsl_node_at(after)->backward, before.node[0]);
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
        l->span = r - b->last_rank[i];
        b->last[i] = off;
        b->last_rank[i] = r;
    }
    x->backward = zs->tail;
    zs->tail = off;
    zs->length = r;
    if (x->level > zs->level)
        zs->level = x->level;
    dict_add(&zs->dict, off);
}

shm_off_t zsl_builder_finish(struct zsl_builder *b)
{
    struct zsl *zs = zsl_at(b->zs);
    for (uint32_t i = 0; i < zs->level; i++)
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
        CHECK(x->backward == prev, "node %llu: backward link wrong", (unsigned long long)n);
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

/* Every link of level i: forward target and span, walking level 0 once. */
static int check_level(const struct zsl *zs, uint32_t i, char *err, size_t errlen)
{
    const struct zsl_level *owner = &zs->head[i];
    uint64_t owner_rank = 0, rank = 0;
    for (struct zsl_node *x = zsl_first(zs); x; x = zsl_next(x)) {
        rank++;
        if (x->level <= i)
            continue;
        CHECK(owner->forward == shm_off(x), "level %u: link skips rank %llu", i, (unsigned long long)rank);
        CHECK(owner->span == rank - owner_rank, "level %u: span %llu to rank %llu from %llu", i,
              (unsigned long long)owner->span, (unsigned long long)rank, (unsigned long long)owner_rank);
        owner = &x->lv[i];
        owner_rank = rank;
    }
    CHECK(owner->forward == 0, "level %u: last link not at the end", i);
    CHECK(owner->span == zs->length - owner_rank, "level %u: end span %llu", i, (unsigned long long)owner->span);
    return 0;
}

int zsl_check(const struct zsl *zs, char *err, size_t errlen)
{
    CHECK(zs->level >= 1 && zs->level <= ZSL_MAXLEVEL, "level %u", zs->level);
    CHECK(zs->level == 1 || zs->head[zs->level - 1].forward, "top level %u is empty", zs->level);
    if (check_order(zs, err, errlen) < 0)
        return -1;
    for (uint32_t i = 0; i < zs->level; i++)
        if (check_level(zs, i, err, errlen) < 0)
            return -1;
    return dict_check(&zs->dict, err, errlen);
}
