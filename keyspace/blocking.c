/* keyspace/blocking.c - the arena registry of blocked clients (see blocking.h). */
#include <stdlib.h>
#include <string.h>

#include "keyspace/blocking.h"
#include "keyspace/inbox.h"
#include "keyspace/watch.h"
#include "shm/alloc.h"
#include "shm/undo.h"

#define DICT_TYPE_BLOCKING 6

struct block_key {                  /* one per key with waiters, in the db's table */
    struct dict_link link;
    shm_off_t head, tail;           /* FIFO of struct block_link */
    uint32_t klen;
    char key[];
};

struct block_link {                 /* a waiter's place in one key's FIFO */
    shm_off_t next, prev;
    shm_off_t waiter;
    shm_off_t bkey;
};

struct block_waiter {
    uint64_t client_id;
    int32_t slot, dbid;
    struct block_spec spec;
    uint32_t nkeys;
    shm_off_t links[];              /* nkeys of them, then the destination key bytes */
};

struct ready_key {
    int dbid;
    size_t klen;
    char *key;
};

static block_serve_fn *serve_fns[BLOCK_OP_MAX];
static struct ready_key *ready;
static size_t nready, ready_cap;

static const void *block_key_key(shm_off_t entry, size_t *len)
{
    struct block_key *bk = shm_ptr(entry);
    *len = bk->klen;
    return bk->key;
}

static const struct dict_type blocking_type = { "blocking", block_key_key, NULL };

void block_register_types(void) { dict_register_type(DICT_TYPE_BLOCKING, &blocking_type); }
void block_register_op(enum block_op op, block_serve_fn *fn) { serve_fns[op] = fn; }

static struct dict *blocking_table(int dbid)
{
    return (struct dict *)shm_ptr(shm_header()->blocking_off) + dbid;
}

void block_create(uint32_t ndbs)
{
    block_register_types();
    shm_off_t off = shm_calloc(sizeof(struct dict) * ndbs);
    for (uint32_t i = 0; i < ndbs; i++)
        dict_init((struct dict *)shm_ptr(off) + i, DICT_TYPE_BLOCKING);
    UNDO_SET(shm_header()->blocking_off, off);
}

static const char *waiter_dest(struct block_waiter *w) { return (const char *)&w->links[w->nkeys]; }

/* Appends a new link for waiter to key's FIFO, creating the key entry if needed. */
static shm_off_t link_key(struct dict *t, shm_off_t waiter, const char *key, size_t klen)
{
    shm_off_t bk_off = dict_find(t, key, klen);
    if (!bk_off) {
        bk_off = shm_alloc(sizeof(struct block_key) + klen);
        struct block_key *bk = (struct block_key *)(shm_base + bk_off);
        bk->link.next = 0;
        bk->head = bk->tail = 0;
        bk->klen = (uint32_t)klen;
        memcpy(bk->key, key, klen);
        dict_add(t, bk_off);
    }
    struct block_key *bk = shm_ptr(bk_off);
    shm_off_t l_off = shm_alloc(sizeof(struct block_link));
    struct block_link *l = (struct block_link *)(shm_base + l_off);
    l->next = 0;
    l->prev = bk->tail;
    l->waiter = waiter;
    l->bkey = bk_off;
    if (bk->tail)
        UNDO_SET(((struct block_link *)shm_ptr(bk->tail))->next, l_off);
    else
        UNDO_SET(bk->head, l_off);
    UNDO_SET(bk->tail, l_off);
    return l_off;
}

shm_off_t block_add(uint64_t client_id, int slot, int dbid, int nkeys, const char *const *keys,
                    const size_t *klens, const struct block_spec *spec, const void *dest)
{
    size_t size = sizeof(struct block_waiter) + sizeof(shm_off_t) * (size_t)nkeys + spec->destlen;
    shm_off_t w_off = shm_alloc(size);
    struct block_waiter *w = (struct block_waiter *)(shm_base + w_off);
    w->client_id = client_id;
    w->slot = slot;
    w->dbid = dbid;
    w->spec = *spec;
    w->nkeys = 0;
    memcpy((char *)&w->links[nkeys], dest, spec->destlen);
    struct dict *t = blocking_table(dbid);
    for (int i = 0; i < nkeys; i++) {
        int dup = 0;
        for (int j = 0; j < i; j++)
            dup |= klens[j] == klens[i] && memcmp(keys[j], keys[i], klens[i]) == 0;
        if (!dup)
            w->links[w->nkeys++] = link_key(t, w_off, keys[i], klens[i]);
    }
    if (w->nkeys < (uint32_t)nkeys)         /* duplicates: move the dest bytes down */
        memmove((char *)&w->links[w->nkeys], (char *)&w->links[nkeys], spec->destlen);
    UNDO_SET(shm_header()->blocked_clients, shm_header()->blocked_clients + 1);
    return w_off;
}

static void unlink_one(struct dict *t, shm_off_t l_off)
{
    struct block_link *l = shm_ptr(l_off);
    struct block_key *bk = shm_ptr(l->bkey);
    if (l->prev)
        UNDO_SET(((struct block_link *)shm_ptr(l->prev))->next, l->next);
    else
        UNDO_SET(bk->head, l->next);
    if (l->next)
        UNDO_SET(((struct block_link *)shm_ptr(l->next))->prev, l->prev);
    else
        UNDO_SET(bk->tail, l->prev);
    if (!bk->head) {
        dict_unlink(t, bk->key, bk->klen);
        shm_free(l->bkey);
    }
    shm_free(l_off);
}

void block_cancel(shm_off_t w_off)
{
    struct block_waiter *w = shm_ptr(w_off);
    struct dict *t = blocking_table(w->dbid);
    for (uint32_t i = 0; i < w->nkeys; i++)
        unlink_one(t, w->links[i]);
    shm_free(w_off);
    UNDO_SET(shm_header()->blocked_clients, shm_header()->blocked_clients - 1);
}

struct slot_sweep {
    int slot;
    shm_off_t found[256];
    int n;
};

static void collect_slot_waiters(shm_off_t entry, void *arg)
{
    struct slot_sweep *s = arg;
    struct block_key *bk = shm_ptr(entry);
    for (shm_off_t l = bk->head; l && s->n < 256; l = ((struct block_link *)shm_ptr(l))->next) {
        shm_off_t w = ((struct block_link *)shm_ptr(l))->waiter;
        if (((struct block_waiter *)shm_ptr(w))->slot != s->slot)
            continue;
        int seen = 0;
        for (int i = 0; i < s->n; i++)
            seen |= s->found[i] == w;
        if (!seen)
            s->found[s->n++] = w;
    }
}

void block_cancel_slot(int slot)
{
    if (shm_header()->blocked_clients == 0)
        return;
    for (int db = 0; db < db_count(); db++) {
        struct slot_sweep s;
        do {                        /* sweep again until a pass finds nothing */
            s.slot = slot;
            s.n = 0;
            uint64_t cursor = 0;
            do {
                cursor = dict_scan(blocking_table(db), cursor, collect_slot_waiters, &s);
            } while (cursor && s.n < 256);
            for (int i = 0; i < s.n; i++)
                block_cancel(s.found[i]);
        } while (s.n > 0);
    }
}

void block_signal(struct db *db, const void *key, size_t klen)
{
    if (shm_header()->blocked_clients == 0)
        return;
    int dbid = (int)(db - db_get(0));
    if (!dict_find(blocking_table(dbid), key, klen))
        return;
    for (size_t i = 0; i < nready; i++)
        if (ready[i].dbid == dbid && ready[i].klen == klen && memcmp(ready[i].key, key, klen) == 0)
            return;
    if (nready == ready_cap) {
        ready_cap = ready_cap ? ready_cap * 2 : 8;
        ready = realloc(ready, ready_cap * sizeof(*ready));
    }
    ready[nready].dbid = dbid;
    ready[nready].klen = klen;
    ready[nready].key = malloc(klen ? klen : 1);
    memcpy(ready[nready].key, key, klen);
    nready++;
}

int block_have_ready(void) { return nready > 0; }

/* Serves waiters of one key in FIFO order while the key can serve them. */
static block_served_fn *served_hook;

void block_set_served_hook(block_served_fn *fn) { served_hook = fn; }

static void serve_key(int dbid, const char *key, size_t klen)
{
    struct dict *t = blocking_table(dbid);
    struct db *db = db_get(dbid);
    for (;;) {
        struct block_key *bk = shm_ptr(dict_find(t, key, klen));
        if (!bk || !db_peek(db, key, klen))
            return;
        shm_off_t w_off = ((struct block_link *)shm_ptr(bk->head))->waiter;
        struct block_waiter *w = shm_ptr(w_off);
        struct reply r;
        reply_init(&r, w->spec.resp);
        int served = serve_fns[w->spec.op] &&
                     serve_fns[w->spec.op](db, key, klen, &w->spec, waiter_dest(w), &r);
        if (served) {
            if (served_hook)
                served_hook(dbid, key, klen, &w->spec, waiter_dest(w), r.buf, r.len);
            inbox_push(w->slot, w->client_id, INBOX_REPLY, r.buf, r.len);
            watch_touch(db, key, klen);             /* popped in place */
            if (w->spec.destlen)
                watch_touch(db, waiter_dest(w), w->spec.destlen);
        }
        reply_free(&r);
        if (!served)
            return;
        block_cancel(w_off);
    }
}

void block_serve_ready(void)
{
    for (size_t i = 0; i < nready; i++)      /* serving may signal more keys (LMOVE) */
        serve_key(ready[i].dbid, ready[i].key, ready[i].klen);
    block_reset_ready();
}

void block_reset_ready(void)
{
    for (size_t i = 0; i < nready; i++)
        free(ready[i].key);
    nready = 0;
}
