/* keyspace/db.c - databases, lookups with lazy expiry, active expiry (see db.h). */
#include <stdlib.h>
#include <sys/time.h>

#include "keyspace/db.h"
#include "keyspace/lfu.h"
#include "keyspace/blocking.h"
#include "keyspace/lazyfree.h"
#include "keyspace/notify.h"
#include "keyspace/watch.h"
#include "shm/alloc.h"
#include "shm/undo.h"

struct db_stats db_stats;
static int64_t frozen_now_ms;

static const void *keys_key(shm_off_t entry, size_t *len)
{
    struct kv *kv = kv_at(entry);
    *len = kv->keylen;
    return kv->data;
}

static const void *expires_key(shm_off_t entry, size_t *len)
{
    struct expire_entry *e = shm_ptr(entry);
    return keys_key(e->kv, len);
}

static void free_expire_entry(shm_off_t entry) { shm_free(entry); }

static const struct dict_type keys_type = { "keys", keys_key, kv_free };
static const struct dict_type expires_type = { "expires", expires_key, free_expire_entry };

void db_register_types(void)
{
    dict_register_type(DICT_TYPE_KEYS, &keys_type);
    dict_register_type(DICT_TYPE_EXPIRES, &expires_type);
}

void db_create_all(uint32_t ndbs)
{
    db_register_types();
    shm_off_t off = shm_calloc(sizeof(struct db) * ndbs);
    struct db *dbs = shm_ptr(off);
    for (uint32_t i = 0; i < ndbs; i++) {
        dict_init(&dbs[i].keys, DICT_TYPE_KEYS);
        dict_init(&dbs[i].expires, DICT_TYPE_EXPIRES);
    }
    UNDO_SET(shm_header()->dbs_off, off);
    UNDO_SET(shm_header()->ndbs, ndbs);
}

struct db *db_get(int id)
{
    if (id < 0 || (uint32_t)id >= shm_header()->ndbs)
        return NULL;
    return (struct db *)shm_ptr(shm_header()->dbs_off) + id;
}

int db_count(void) { return (int)shm_header()->ndbs; }

int64_t db_wall_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

int64_t db_wall_ms(void) { return db_wall_us() / 1000; }

void db_set_now(int64_t ms) { frozen_now_ms = ms; }
int64_t db_now_ms(void) { return frozen_now_ms ? frozen_now_ms : db_wall_ms(); }
uint32_t db_lru_clock(void) { return (uint32_t)(db_now_ms() / 1000); }

void db_touch_lru(struct kv *kv)
{
    uint32_t now = lfu_enabled() ? lfu_accessed(kv->lru) : db_lru_clock();
    if (kv->lru != now)
        UNDO_SET(kv->lru, now);
}

/* The lru field of a value created now: the LRU clock, or a fresh LFU counter. */
static uint32_t new_lru(void) { return lfu_enabled() ? lfu_new() : db_lru_clock(); }

static struct expire_entry *find_expire(struct db *db, struct kv *kv)
{
    return shm_ptr(dict_find(&db->expires, kv->data, kv->keylen));
}

int64_t db_get_expire(struct db *db, struct kv *kv)
{
    if (!(kv->flags & KV_FLAG_TTL))
        return -1;
    return find_expire(db, kv)->when_ms;
}

int db_key_expired(struct db *db, struct kv *kv)
{
    return (kv->flags & KV_FLAG_TTL) && find_expire(db, kv)->when_ms <= db_now_ms();
}

void db_set_expire(struct db *db, struct kv *kv, int64_t when_ms)
{
    if (kv->flags & KV_FLAG_TTL) {
        UNDO_SET(find_expire(db, kv)->when_ms, when_ms);
        return;
    }
    shm_off_t off = shm_alloc(sizeof(struct expire_entry));
    struct expire_entry *e = shm_ptr(off);
    e->link.next = 0;
    e->kv = shm_off(kv);
    e->when_ms = when_ms;
    UNDO_SET(kv->flags, kv->flags | KV_FLAG_TTL);
    dict_add(&db->expires, off);
}

int db_remove_expire(struct db *db, struct kv *kv)
{
    if (!(kv->flags & KV_FLAG_TTL))
        return 0;
    shm_free(dict_unlink(&db->expires, kv->data, kv->keylen));
    UNDO_SET(kv->flags, kv->flags & ~KV_FLAG_TTL);
    return 1;
}

struct kv *db_peek(struct db *db, const void *key, size_t klen)
{
    return kv_at(dict_find(&db->keys, key, klen));
}

static void (*expired_hook)(int dbid, const void *key, size_t klen);

void db_set_expired_hook(void (*fn)(int dbid, const void *key, size_t klen)) { expired_hook = fn; }

static struct kv *lookup_expiring(struct db *db, const void *key, size_t klen)
{
    struct kv *kv = db_peek(db, key, klen);
    if (kv && db_key_expired(db, kv)) {
        db_delete(db, key, klen);
        if (expired_hook)
            expired_hook((int)(db - db_get(0)), key, klen);
        db_stats.expired++;
        notify_keyspace_event(NOTIFY_EXPIRED, "expired", (int)(db - db_get(0)), key, klen);
        return NULL;
    }
    return kv;
}

struct kv *db_lookup(struct db *db, const void *key, size_t klen, int flags)
{
    struct kv *kv = lookup_expiring(db, key, klen);
    if (!(flags & DB_LOOKUP_NOSTATS)) {
        if (kv)
            db_stats.hits++;
        else
            db_stats.misses++;
    }
    if (!kv && !(flags & DB_LOOKUP_NOSTATS))
        notify_keyspace_event(NOTIFY_KEY_MISS, "keymiss", (int)(db - db_get(0)), key, klen);
    if (kv && !(flags & DB_LOOKUP_NOTOUCH))
        db_touch_lru(kv);
    return kv;
}

struct kv *db_lookup_read(struct db *db, const void *key, size_t klen) { return db_lookup(db, key, klen, 0); }

struct kv *db_lookup_write(struct db *db, const void *key, size_t klen)
{
    return db_lookup(db, key, klen, DB_LOOKUP_NOSTATS);
}

void db_add(struct db *db, shm_off_t off)
{
    struct kv *kv = kv_at(off);
    kv->lru = new_lru();
    dict_add(&db->keys, off);
    block_signal(db, kv->data, kv->keylen);
    notify_keyspace_event(NOTIFY_NEW, "new", (int)(db - db_get(0)), kv->data, kv->keylen);
    watch_touch(db, kv->data, kv->keylen);
}

shm_off_t *db_lookup_overwrite(struct db *db, const void *key, size_t klen)
{
    shm_off_t *slot = dict_find_slot(&db->keys, key, klen);
    if (slot && lookup_expiring(db, key, klen) == NULL)
        return NULL;                /* it was expired: deleted now */
    if (slot && lfu_enabled())      /* Redis's write lookup counts as an access */
        db_touch_lru(kv_at(*slot));
    return slot;
}

void db_replace(struct db *db, shm_off_t new_off, int keep_ttl)
{
    struct kv *nkv = kv_at(new_off);
    db_replace_at(db, dict_find_slot(&db->keys, nkv->data, nkv->keylen), new_off, keep_ttl);
}

static void replace_at(struct db *db, shm_off_t *slot, shm_off_t new_off, int keep_ttl, int touch);

void db_replace_at(struct db *db, shm_off_t *slot, shm_off_t new_off, int keep_ttl)
{
    replace_at(db, slot, new_off, keep_ttl, 1);
}

void db_reencode(struct db *db, shm_off_t new_off)
{
    struct kv *nkv = kv_at(new_off);
    replace_at(db, dict_find_slot(&db->keys, nkv->data, nkv->keylen), new_off, 1, 0);
}

static void replace_at(struct db *db, shm_off_t *slot, shm_off_t new_off, int keep_ttl, int touch)
{
    struct kv *nkv = kv_at(new_off);
    struct kv *old = kv_at(*slot);

    nkv->lru = lfu_enabled() ? old->lru : db_lru_clock();  /* the frequency stays with the key */
    if (old->flags & KV_FLAG_TTL) {
        if (keep_ttl) {
            UNDO_SET(find_expire(db, old)->kv, new_off);
            nkv->flags |= KV_FLAG_TTL;
        } else {
            db_remove_expire(db, old);
        }
    }
    shm_off_t old_off = *slot;
    dict_replace_at(slot, new_off);
    kv_free(old_off);
    if (touch)
        watch_touch(db, nkv->data, nkv->keylen);
}

void db_overwritten(struct db *db, struct kv *kv, int keep_ttl)
{
    if (!lfu_enabled())
        UNDO_SET(kv->lru, db_lru_clock());
    if (!keep_ttl)
        db_remove_expire(db, kv);
    watch_touch(db, kv->data, kv->keylen);
}

void db_set(struct db *db, shm_off_t off, int keep_ttl)
{
    struct kv *kv = kv_at(off);
    if (db_peek(db, kv->data, kv->keylen))
        db_replace(db, off, keep_ttl);
    else
        db_add(db, off);
}

shm_off_t db_unlink(struct db *db, const void *key, size_t klen, int64_t *when_ms)
{
    struct kv *kv = db_peek(db, key, klen);
    if (!kv)
        return 0;
    if (when_ms)
        *when_ms = db_get_expire(db, kv);
    db_remove_expire(db, kv);
    shm_off_t off = dict_unlink(&db->keys, key, klen);
    watch_touch(db, key, klen);
    return off;
}

int db_delete(struct db *db, const void *key, size_t klen)
{
    shm_off_t off = db_unlink(db, key, klen, NULL);
    if (!off)
        return 0;
    kv_free(off);
    return 1;
}

uint64_t db_size(struct db *db) { return dict_size(&db->keys); }
uint64_t db_expires_size(struct db *db) { return dict_size(&db->expires); }

/* The old tables are detached and freed later in bounded steps (lazyfree.h). */
static uint64_t flush_one(struct db *db)
{
    uint64_t n = dict_size(&db->keys);
    lazyfree_dict(&db->expires);
    lazyfree_dict(&db->keys);
    return n;
}

uint64_t db_flush(int id)
{
    uint64_t removed = 0;
    watch_touch_flush(id);
    for (int i = 0; i < db_count(); i++)
        if (id < 0 || i == id)
            removed += flush_one(db_get(i));
    return removed;
}

void db_swap(int a, int b)
{
    struct db *da = db_get(a), *dbb = db_get(b), tmp;
    watch_touch_swap(a, b);
    undo_save(da, sizeof(*da));
    undo_save(dbb, sizeof(*dbb));
    tmp = *da;
    *da = *dbb;
    *dbb = tmp;
}

/* Active expiry: visit keys with a TTL by scan cursor, delete the expired ones. */
#define EXPIRE_SAMPLE 20

struct expire_sample {
    shm_off_t found[EXPIRE_SAMPLE * 4];
    int n, seen;
    int64_t now;
};

static void collect_expired(shm_off_t entry, void *arg)
{
    struct expire_sample *s = arg;
    struct expire_entry *e = shm_ptr(entry);
    s->seen++;
    if (e->when_ms <= s->now && s->n < (int)(sizeof(s->found) / sizeof(s->found[0])))
        s->found[s->n++] = e->kv;
}

static uint64_t expire_db_round(struct db *db, int *more)
{
    struct expire_sample s = { .n = 0, .seen = 0, .now = db_now_ms() };
    uint64_t cursor = db->expire_cursor;
    do {
        cursor = dict_scan(&db->expires, cursor, collect_expired, &s);
    } while (cursor != 0 && s.seen < EXPIRE_SAMPLE);
    UNDO_SET(db->expire_cursor, cursor);
    uint64_t deleted = 0;
    for (int i = 0; i < s.n; i++) {
        struct kv *kv = kv_at(s.found[i]);     /* frees are deferred: still readable */
        if (!db_delete(db, kv->data, kv->keylen))
            continue;
        if (expired_hook)
            expired_hook((int)(db - db_get(0)), kv->data, kv->keylen);
        notify_keyspace_event(NOTIFY_EXPIRED, "expired", (int)(db - db_get(0)), kv->data, kv->keylen);
        deleted++;
    }
    db_stats.expired += deleted;
    *more = s.seen > 0 && s.n * 10 > s.seen && cursor != 0;
    return deleted;
}

uint64_t db_active_expire_step(int64_t budget_us)
{
    int64_t deadline = db_wall_ms() * 1000 + budget_us;
    uint64_t deleted = 0;
    struct timeval tv;
    for (int i = 0; i < db_count(); i++) {
        struct db *db = db_get(i);
        int more = dict_size(&db->expires) > 0;
        while (more) {
            deleted += expire_db_round(db, &more);
            gettimeofday(&tv, NULL);
            if ((int64_t)tv.tv_sec * 1000000 + tv.tv_usec >= deadline)
                return deleted;
        }
    }
    return deleted;
}

void db_housekeeping_step(void)
{
    for (int i = 0; i < db_count(); i++) {
        struct db *db = db_get(i);
        dict_shrink_if_needed(&db->keys);
        dict_shrink_if_needed(&db->expires);
        dict_rehash_steps(&db->keys, 100);
        dict_rehash_steps(&db->expires, 100);
    }
}
