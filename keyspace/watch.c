/* keyspace/watch.c - the arena registry of WATCHed keys (see watch.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyspace/watch.h"
#include "shm/alloc.h"
#include "shm/undo.h"

#define DICT_TYPE_WATCH 12          /* dict type id: kv.h 1..5, blocking 6, scripts 10 */
#define SWEEP_BATCH 256

struct watch_registry {
    uint64_t watchers;              /* in all tables */
    uint32_t ndbs, reserved;
    struct dict tables[];           /* per database index: key -> struct watch_key */
};

struct watch_key {                  /* one per watched key, in its database's table */
    struct dict_link link;
    shm_off_t head;                 /* list of struct watcher */
    int32_t dbid;
    uint32_t klen;
    char key[];
};

struct watcher {                    /* one client watching one key */
    shm_off_t next, prev;
    shm_off_t wkey;
    uint64_t client_id;
    int32_t slot;
    uint8_t touched;                /* the key changed since WATCH */
    uint8_t expired;                /* the key was logically expired at WATCH time */
};

static const void *watch_key_key(shm_off_t entry, size_t *len)
{
    struct watch_key *wk = shm_ptr(entry);
    *len = wk->klen;
    return wk->key;
}

static const struct dict_type watch_type = { "watch", watch_key_key, NULL };

void watch_register_types(void)
{
    if (dict_types[DICT_TYPE_WATCH] && dict_types[DICT_TYPE_WATCH] != &watch_type) {
        fprintf(stderr, "watch: dict type id %d is taken by '%s'\n", DICT_TYPE_WATCH,
                dict_types[DICT_TYPE_WATCH]->name);
        abort();
    }
    dict_register_type(DICT_TYPE_WATCH, &watch_type);
}

static struct watch_registry *registry(void) { return shm_ptr(shm_header()->watch_off); }

static struct watch_registry *registry_create(void)
{
    uint32_t n = (uint32_t)db_count();
    shm_off_t off = shm_calloc(sizeof(struct watch_registry) + sizeof(struct dict) * n);
    struct watch_registry *reg = shm_ptr(off);
    reg->ndbs = n;
    for (uint32_t i = 0; i < n; i++)
        dict_init(&reg->tables[i], DICT_TYPE_WATCH);
    UNDO_SET(shm_header()->watch_off, off);
    return reg;
}

/* Nobody watches anything: the fast path of every touch. */
static int nobody_watches(void)
{
    struct watch_registry *reg = registry();
    return !reg || reg->watchers == 0;
}

static struct watcher *watcher_at(shm_off_t off) { return shm_ptr(off); }
static struct watch_key *wkey_of(const struct watcher *w) { return shm_ptr(w->wkey); }

static int logically_expired(struct db *db, const void *key, size_t klen)
{
    struct kv *kv = db_peek(db, key, klen);
    return kv && db_key_expired(db, kv);
}

static shm_off_t find_or_add_key(struct dict *t, int dbid, const void *key, size_t klen)
{
    shm_off_t off = dict_find(t, key, klen);
    if (off)
        return off;
    off = shm_alloc(sizeof(struct watch_key) + klen);
    struct watch_key *wk = (struct watch_key *)(shm_base + off);
    wk->link.next = 0;
    wk->head = 0;
    wk->dbid = dbid;
    wk->klen = (uint32_t)klen;
    memcpy(wk->key, key, klen);
    dict_add(t, off);
    return off;
}

shm_off_t watch_add(int dbid, const void *key, size_t klen, uint64_t client_id, int slot)
{
    struct watch_registry *reg = registry();
    if (!reg)
        reg = registry_create();
    shm_off_t wk_off = find_or_add_key(&reg->tables[dbid], dbid, key, klen);
    struct watch_key *wk = shm_ptr(wk_off);
    for (shm_off_t w = wk->head; w; w = watcher_at(w)->next)
        if (watcher_at(w)->client_id == client_id)
            return 0;
    shm_off_t off = shm_alloc(sizeof(struct watcher));
    struct watcher *w = (struct watcher *)(shm_base + off);
    w->next = wk->head;
    w->prev = 0;
    w->wkey = wk_off;
    w->client_id = client_id;
    w->slot = slot;
    w->touched = 0;
    w->expired = (uint8_t)logically_expired(db_get(dbid), key, klen);
    if (wk->head)
        UNDO_SET(watcher_at(wk->head)->prev, off);
    UNDO_SET(wk->head, off);
    UNDO_SET(reg->watchers, reg->watchers + 1);
    return off;
}

void watch_remove(shm_off_t off)
{
    struct watch_registry *reg = registry();
    struct watcher *w = watcher_at(off);
    struct watch_key *wk = wkey_of(w);
    if (w->prev)
        UNDO_SET(watcher_at(w->prev)->next, w->next);
    else
        UNDO_SET(wk->head, w->next);
    if (w->next)
        UNDO_SET(watcher_at(w->next)->prev, w->prev);
    if (!wk->head) {
        dict_unlink(&reg->tables[wk->dbid], wk->key, wk->klen);
        shm_free(w->wkey);
    }
    shm_free(off);
    UNDO_SET(reg->watchers, reg->watchers - 1);
}

struct slot_sweep {
    int slot, n;
    shm_off_t found[SWEEP_BATCH];
};

static void collect_slot_watchers(shm_off_t entry, void *arg)
{
    struct slot_sweep *s = arg;
    struct watch_key *wk = shm_ptr(entry);
    for (shm_off_t w = wk->head; w && s->n < SWEEP_BATCH; w = watcher_at(w)->next)
        if (watcher_at(w)->slot == s->slot)
            s->found[s->n++] = w;
}

void watch_remove_slot(int slot)
{
    if (nobody_watches())
        return;
    struct watch_registry *reg = registry();
    for (uint32_t db = 0; db < reg->ndbs; db++) {
        struct slot_sweep s = { .slot = slot };
        do {                        /* removing changes the table: scan again from 0 */
            s.n = 0;
            uint64_t cursor = 0;
            do {
                cursor = dict_scan(&reg->tables[db], cursor, collect_slot_watchers, &s);
            } while (cursor && s.n < SWEEP_BATCH);
            for (int i = 0; i < s.n; i++)
                watch_remove(s.found[i]);
        } while (s.n > 0);
    }
}

int watch_changed(shm_off_t off)
{
    struct watcher *w = watcher_at(off);
    if (w->touched)
        return 1;
    if (w->expired)
        return 0;
    struct watch_key *wk = wkey_of(w);
    return logically_expired(db_get(wk->dbid), wk->key, wk->klen);
}

static void set_touched(struct watcher *w)
{
    if (!w->touched)
        UNDO_SET(w->touched, 1);
}

/* Deleting a key that was already expired at WATCH time is no change (Redis 7.0): the
 * watcher forgets it was expired, so a later re-creation does count. */
void watch_touch(struct db *db, const void *key, size_t klen)
{
    if (nobody_watches())
        return;
    int dbid = (int)(db - db_get(0));
    struct watch_key *wk = shm_ptr(dict_find(&registry()->tables[dbid], key, klen));
    if (!wk)
        return;
    int present = db_peek(db, key, klen) != NULL;
    for (shm_off_t off = wk->head; off; off = watcher_at(off)->next) {
        struct watcher *w = watcher_at(off);
        if (w->expired && !present)
            UNDO_SET(w->expired, 0);
        else
            set_touched(w);
    }
}

/* FLUSHDB, FLUSHALL and SWAPDB: the contents of database 'emptied' go away and those of
 * 'with' (NULL: nothing) take their place.  As Redis's touchAllWatchedKeysInDb. */
struct replace_walk {
    struct db *emptied, *with;
};

static void touch_replaced(shm_off_t entry, void *arg)
{
    struct replace_walk *r = arg;
    struct watch_key *wk = shm_ptr(entry);
    int in_emptied = db_peek(r->emptied, wk->key, wk->klen) != NULL;
    int in_with = r->with && db_peek(r->with, wk->key, wk->klen) != NULL;
    if (!in_emptied && !in_with)
        return;
    int expired_with = in_with && logically_expired(r->with, wk->key, wk->klen);
    for (shm_off_t off = wk->head; off; off = watcher_at(off)->next) {
        struct watcher *w = watcher_at(off);
        if (w->expired && !in_with)
            UNDO_SET(w->expired, 0);        /* an expired key deleted: no change */
        else if (w->expired && expired_with)
            continue;                       /* expired before, expired after */
        else if (!w->expired && !in_emptied && expired_with)
            UNDO_SET(w->expired, 1);        /* absent before, an expired key after */
        else
            set_touched(w);
    }
}

static void touch_replaced_db(int emptied, int with)
{
    struct replace_walk r = { db_get(emptied), with >= 0 ? db_get(with) : NULL };
    struct dict *t = &registry()->tables[emptied];
    uint64_t cursor = 0;
    do {
        cursor = dict_scan(t, cursor, touch_replaced, &r);
    } while (cursor);
}

void watch_touch_flush(int dbid)
{
    if (nobody_watches())
        return;
    for (int i = 0; i < db_count(); i++)
        if (dbid < 0 || i == dbid)
            touch_replaced_db(i, -1);
}

void watch_touch_swap(int a, int b)
{
    if (a == b || nobody_watches())         /* swapping a database with itself changes nothing */
        return;
    touch_replaced_db(a, b);
    touch_replaced_db(b, a);
}

uint64_t watch_count(void)
{
    struct watch_registry *reg = registry();
    return reg ? reg->watchers : 0;
}

struct check_walk {
    uint32_t dbid;
    uint64_t watchers;
    char *err;
    size_t errlen;
};

static void check_key(shm_off_t entry, void *arg)
{
    struct check_walk *w = arg;
    struct watch_key *wk = shm_ptr(entry);
    if (w->err[0])
        return;
    if (!wk->head || wk->dbid != (int32_t)w->dbid) {
        snprintf(w->err, w->errlen, "db%u: key entry with %s", w->dbid, wk->head ? "a wrong dbid" : "no watchers");
        return;
    }
    shm_off_t prev = 0;
    for (shm_off_t off = wk->head; off && !w->err[0]; prev = off, off = watcher_at(off)->next) {
        if (watcher_at(off)->prev != prev || watcher_at(off)->wkey != entry)
            snprintf(w->err, w->errlen, "db%u: watcher list links broken", w->dbid);
        w->watchers++;
    }
}

int watch_check(char *err, size_t errlen)
{
    struct watch_registry *reg = registry();
    err[0] = '\0';
    if (!reg)
        return 0;
    struct check_walk w = { .err = err, .errlen = errlen };
    for (w.dbid = 0; w.dbid < reg->ndbs && !err[0]; w.dbid++) {
        if (dict_check(&reg->tables[w.dbid], err, errlen) != 0)
            break;
        uint64_t cursor = 0;
        do {
            cursor = dict_scan(&reg->tables[w.dbid], cursor, check_key, &w);
        } while (cursor);
    }
    if (!err[0] && w.watchers != reg->watchers)
        snprintf(err, errlen, "%llu watchers linked, %llu counted", (unsigned long long)w.watchers,
                 (unsigned long long)reg->watchers);
    return err[0] ? -1 : 0;
}
