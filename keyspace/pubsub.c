/* keyspace/pubsub.c - the pub/sub registry in the arena (see pubsub.h).
 *
 * Layout: per kind a table name -> struct ps_chan (its subscribers in a list); one
 * index table holding both the clients (key: the 8-byte id) and the subscriptions
 * (key: id, kind byte, name), so "is it subscribed" and "which entry" are one lookup;
 * lists of arena nodes threaded through struct ps_links fields.  All entries begin
 * with struct ps_entry, which says where their key is, so one dict type serves all
 * four tables. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyspace/inbox.h"
#include "keyspace/pubsub.h"
#include "proto/reply.h"
#include "shm/alloc.h"
#include "shm/dict.h"
#include "shm/undo.h"
#include "util/glob.h"

#define DICT_TYPE_PUBSUB 11

struct ps_entry {
    struct dict_link link;
    uint32_t klen;
    uint32_t koff;                  /* key bytes at (char *)entry + koff */
};

struct ps_links { shm_off_t next, prev; };
struct ps_list { shm_off_t head, tail; };

struct ps_chan {                    /* a channel, pattern or shard channel */
    struct ps_entry e;
    struct ps_list subs;            /* struct ps_sub, through in_chan */
    uint64_t nsubs;
    struct ps_links in_patterns;    /* patterns only: root.patterns */
    char name[];
};

struct ps_client {
    struct ps_entry e;
    uint64_t id;                    /* the key */
    int32_t slot;
    uint32_t count[PUBSUB_KINDS];
    struct ps_list subs[PUBSUB_KINDS];  /* struct ps_sub, through in_client */
    struct ps_links in_slot;        /* root.slots[slot] */
};

struct ps_sub {
    struct ps_entry e;
    struct ps_links in_chan, in_client;
    shm_off_t chan, client;
    char key[];                     /* client id (8 bytes), kind (1 byte), name */
};

#define SUB_KEY_HEAD 9

struct ps_root {
    struct dict names[PUBSUB_KINDS];    /* name -> struct ps_chan */
    struct dict index;                  /* clients and subscriptions */
    struct ps_list patterns;            /* struct ps_chan of kind PATTERN */
    struct ps_list slots[SHM_MAX_WORKERS];  /* struct ps_client per worker slot */
};

static const void *entry_key(shm_off_t off, size_t *len)
{
    struct ps_entry *e = shm_ptr(off);
    *len = e->klen;
    return (const char *)e + e->koff;
}

static const struct dict_type pubsub_type = { "pubsub", entry_key, NULL };

void pubsub_register_types(void) { dict_register_type(DICT_TYPE_PUBSUB, &pubsub_type); }

static struct ps_root *root(void) { return shm_ptr(shm_header()->pubsub_off); }

static struct ps_root *root_get(void)
{
    if (!shm_header()->pubsub_off) {
        shm_off_t off = shm_calloc(sizeof(struct ps_root));
        struct ps_root *r = shm_ptr(off);
        for (int k = 0; k < PUBSUB_KINDS; k++)
            dict_init(&r->names[k], DICT_TYPE_PUBSUB);
        dict_init(&r->index, DICT_TYPE_PUBSUB);
        UNDO_SET(shm_header()->pubsub_off, off);
    }
    return root();
}

/* ---- lists threaded through the struct ps_links at byte offset 'at' of each node ---- */

static struct ps_links *links(shm_off_t node, size_t at) { return (struct ps_links *)(shm_base + node + at); }

/* node was allocated in this write: its own links need no undo record */
static void list_append(struct ps_list *l, shm_off_t node, size_t at)
{
    links(node, at)->next = 0;
    links(node, at)->prev = l->tail;
    if (l->tail)
        UNDO_SET(links(l->tail, at)->next, node);
    else
        UNDO_SET(l->head, node);
    UNDO_SET(l->tail, node);
}

static void list_remove(struct ps_list *l, shm_off_t node, size_t at)
{
    struct ps_links *n = links(node, at);
    if (n->prev)
        UNDO_SET(links(n->prev, at)->next, n->next);
    else
        UNDO_SET(l->head, n->next);
    if (n->next)
        UNDO_SET(links(n->next, at)->prev, n->prev);
    else
        UNDO_SET(l->tail, n->prev);
}

#define IN_CHAN offsetof(struct ps_sub, in_chan)
#define IN_CLIENT offsetof(struct ps_sub, in_client)
#define IN_PATTERNS offsetof(struct ps_chan, in_patterns)
#define IN_SLOT offsetof(struct ps_client, in_slot)

/* ---- entries ---- */

static shm_off_t entry_new(size_t size, size_t koff, const void *key, size_t klen)
{
    shm_off_t off = shm_calloc(size);
    struct ps_entry *e = shm_ptr(off);
    e->klen = (uint32_t)klen;
    e->koff = (uint32_t)koff;
    memcpy((char *)e + koff, key, klen);
    return off;
}

static void table_remove(struct dict *d, shm_off_t off)
{
    size_t klen;
    const void *key = entry_key(off, &klen);
    dict_unlink(d, key, klen);
    dict_shrink_if_needed(d);
    shm_free(off);
}

static struct ps_client *client_find(struct ps_root *r, uint64_t id)
{
    return r ? shm_ptr(dict_find(&r->index, &id, sizeof(id))) : NULL;
}

static struct ps_client *client_get(struct ps_root *r, uint64_t id, int slot)
{
    struct ps_client *cl = client_find(r, id);
    if (cl)
        return cl;
    shm_off_t off = entry_new(sizeof(*cl), offsetof(struct ps_client, id), &id, sizeof(id));
    ((struct ps_client *)shm_ptr(off))->slot = slot;
    dict_add(&r->index, off);
    list_append(&r->slots[slot], off, IN_SLOT);
    return shm_ptr(off);
}

static int client_empty(const struct ps_client *cl)
{
    return cl->count[PUBSUB_CHANNEL] + cl->count[PUBSUB_PATTERN] + cl->count[PUBSUB_SHARD] == 0;
}

static struct ps_chan *chan_get(struct ps_root *r, enum pubsub_kind kind, const char *name, size_t len)
{
    shm_off_t off = dict_find(&r->names[kind], name, len);
    if (off)
        return shm_ptr(off);
    off = entry_new(sizeof(struct ps_chan) + len, offsetof(struct ps_chan, name), name, len);
    dict_add(&r->names[kind], off);
    if (kind == PUBSUB_PATTERN)
        list_append(&r->patterns, off, IN_PATTERNS);
    return shm_ptr(off);
}

/* A subscription's index key, in a buffer reused by every call (an aborted write
 * leaks nothing). */
static char *sub_key(uint64_t id, enum pubsub_kind kind, const char *name, size_t len)
{
    static char *key;
    static size_t cap;
    if (SUB_KEY_HEAD + len > cap) {
        cap = SUB_KEY_HEAD + len;
        key = realloc(key, cap);
    }
    memcpy(key, &id, sizeof(id));
    key[8] = (char)kind;
    memcpy(key + SUB_KEY_HEAD, name, len);
    return key;
}

static void add_sub(struct ps_root *r, struct ps_client *cl, enum pubsub_kind kind, const char *key, size_t klen)
{
    struct ps_chan *ch = chan_get(r, kind, key + SUB_KEY_HEAD, klen - SUB_KEY_HEAD);
    shm_off_t off = entry_new(sizeof(struct ps_sub) + klen, offsetof(struct ps_sub, key), key, klen);
    struct ps_sub *s = shm_ptr(off);
    s->chan = shm_off(ch);
    s->client = shm_off(cl);
    dict_add(&r->index, off);
    list_append(&ch->subs, off, IN_CHAN);
    UNDO_SET(ch->nsubs, ch->nsubs + 1);
    list_append(&cl->subs[kind], off, IN_CLIENT);
    UNDO_SET(cl->count[kind], cl->count[kind] + 1);
}

/* Removes a subscription, and its channel and client entries once empty. */
static void remove_sub(struct ps_root *r, shm_off_t off)
{
    struct ps_sub *s = shm_ptr(off);
    enum pubsub_kind kind = (enum pubsub_kind)s->key[8];
    struct ps_chan *ch = shm_ptr(s->chan);
    struct ps_client *cl = shm_ptr(s->client);
    list_remove(&ch->subs, off, IN_CHAN);
    UNDO_SET(ch->nsubs, ch->nsubs - 1);
    if (!ch->nsubs) {
        if (kind == PUBSUB_PATTERN)
            list_remove(&r->patterns, s->chan, IN_PATTERNS);
        table_remove(&r->names[kind], s->chan);
    }
    list_remove(&cl->subs[kind], off, IN_CLIENT);
    UNDO_SET(cl->count[kind], cl->count[kind] - 1);
    table_remove(&r->index, off);
    if (client_empty(cl)) {
        list_remove(&r->slots[cl->slot], s->client, IN_SLOT);
        table_remove(&r->index, s->client);
    }
}

int pubsub_subscribe(uint64_t client_id, int slot, enum pubsub_kind kind, const char *name, size_t len)
{
    struct ps_root *r = root_get();
    char *key = sub_key(client_id, kind, name, len);
    int added = !dict_find(&r->index, key, SUB_KEY_HEAD + len);
    if (added)
        add_sub(r, client_get(r, client_id, slot), kind, key, SUB_KEY_HEAD + len);
    return added;
}

int pubsub_unsubscribe(uint64_t client_id, enum pubsub_kind kind, const char *name, size_t len)
{
    struct ps_root *r = root();
    if (!r)
        return 0;
    char *key = sub_key(client_id, kind, name, len);
    shm_off_t off = dict_find(&r->index, key, SUB_KEY_HEAD + len);
    if (off)
        remove_sub(r, off);
    return off != 0;
}

uint64_t pubsub_unsubscribe_all(uint64_t client_id, enum pubsub_kind kind, pubsub_name_fn *fn, void *arg)
{
    struct ps_root *r = root();
    struct ps_client *cl = client_find(r, client_id);
    if (!cl)
        return 0;
    uint64_t n = cl->count[kind];
    for (uint64_t i = 0; i < n; i++) {     /* cl stays readable: frees wait for commit */
        shm_off_t off = cl->subs[kind].head;
        struct ps_sub *s = shm_ptr(off);
        remove_sub(r, off);
        if (fn)
            fn(s->key + SUB_KEY_HEAD, s->e.klen - SUB_KEY_HEAD, arg);
    }
    return n;
}

uint32_t pubsub_client_count(uint64_t client_id, enum pubsub_kind kind)
{
    struct ps_client *cl = client_find(root(), client_id);
    return cl ? cl->count[kind] : 0;
}

void pubsub_client_gone(uint64_t client_id)
{
    for (int k = 0; k < PUBSUB_KINDS; k++)
        pubsub_unsubscribe_all(client_id, (enum pubsub_kind)k, NULL, NULL);
}

void pubsub_release_slot(int slot)
{
    struct ps_root *r = root();
    while (r && r->slots[slot].head)
        pubsub_client_gone(((struct ps_client *)shm_ptr(r->slots[slot].head))->id);
}

/* ---- publishing ---- */

struct delivery {
    int slot;
    uint64_t client_id;
};

/* One PUBLISH: payloads in delivery order, each with its receivers.  The buffers are
 * kept from one PUBLISH to the next (an aborted write leaks nothing). */
struct publish_run {
    struct delivery *d;
    size_t n, cap;
    char *buf;                      /* the inbox message being assembled */
    size_t bufcap;
};

static void collect(struct publish_run *run, const struct ps_chan *ch)
{
    if (run->n + ch->nsubs > run->cap) {
        run->cap = (run->n + ch->nsubs) * 2;
        run->d = realloc(run->d, run->cap * sizeof(*run->d));
    }
    for (shm_off_t off = ch->subs.head; off; off = links(off, IN_CHAN)->next) {
        struct ps_client *cl = shm_ptr(((struct ps_sub *)shm_ptr(off))->client);
        run->d[run->n++] = (struct delivery){ cl->slot, cl->id };
    }
}

/* Sends payload p to the receivers d[from, to), one inbox message per worker slot. */
static void send_payload(struct publish_run *run, size_t from, size_t to, const struct reply *p)
{
    size_t need = sizeof(struct pubsub_delivery) + (to - from) * sizeof(uint64_t) + p->len;
    if (need > run->bufcap) {
        run->bufcap = need;
        run->buf = realloc(run->buf, need);
    }
    uint64_t slots = 0;
    for (size_t i = from; i < to; i++)
        slots |= 1ULL << run->d[i].slot;
    while (slots) {
        int slot = __builtin_ctzll(slots);
        slots &= slots - 1;
        struct pubsub_delivery *h = (struct pubsub_delivery *)run->buf;
        h->nids = 0;
        for (size_t i = from; i < to; i++)
            if (run->d[i].slot == slot)
                h->ids[h->nids++] = run->d[i].client_id;
        h->payload_len = (uint32_t)p->len;
        memcpy(&h->ids[h->nids], p->buf, p->len);
        inbox_push(slot, 0, INBOX_PUSH, h, sizeof(*h) + h->nids * sizeof(uint64_t) + p->len);
    }
}

/* Delivers ["message", channel, msg] (or the pmessage form with the pattern) to
 * the subscribers of ch. */
static void deliver(struct publish_run *run, const struct ps_chan *ch, const char *type, int with_pattern,
                    const char *channel, size_t clen, const char *msg, size_t mlen)
{
    size_t from = run->n;
    collect(run, ch);
    static struct reply p = { .resp = 3 };
    reply_reset(&p);
    reply_push(&p, with_pattern ? 4 : 3);
    reply_bulk_cstr(&p, type);
    if (with_pattern)
        reply_bulk(&p, ch->name, ch->e.klen);
    reply_bulk(&p, channel, clen);
    reply_bulk(&p, msg, mlen);
    send_payload(run, from, run->n, &p);
}

long long pubsub_publish(int shard, const char *channel, size_t clen, const char *msg, size_t mlen)
{
    struct ps_root *r = root();
    if (!r)
        return 0;
    static struct publish_run run;
    run.n = 0;
    struct ps_chan *ch = shm_ptr(dict_find(&r->names[shard ? PUBSUB_SHARD : PUBSUB_CHANNEL], channel, clen));
    if (ch)
        deliver(&run, ch, shard ? "smessage" : "message", 0, channel, clen, msg, mlen);
    for (shm_off_t off = shard ? 0 : r->patterns.head; off; off = links(off, IN_PATTERNS)->next) {
        struct ps_chan *pat = shm_ptr(off);
        if (glob_match(pat->name, pat->e.klen, channel, clen, 0))
            deliver(&run, pat, "pmessage", 1, channel, clen, msg, mlen);
    }
    return (long long)run.n;
}

/* ---- introspection ---- */

struct chan_walk {
    const char *pattern;
    size_t plen;
    pubsub_name_fn *fn;
    void *arg;
};

static void walk_one(shm_off_t off, void *arg)
{
    struct chan_walk *w = arg;
    struct ps_chan *ch = shm_ptr(off);
    if (!w->pattern || glob_match(w->pattern, w->plen, ch->name, ch->e.klen, 0))
        w->fn(ch->name, ch->e.klen, w->arg);
}

void pubsub_channels(int shard, const char *pattern, size_t plen, pubsub_name_fn *fn, void *arg)
{
    struct ps_root *r = root();
    if (!r)
        return;
    struct chan_walk w = { pattern, plen, fn, arg };
    const struct dict *d = &r->names[shard ? PUBSUB_SHARD : PUBSUB_CHANNEL];
    uint64_t cursor = 0;
    do {
        cursor = dict_scan(d, cursor, walk_one, &w);
    } while (cursor);
}

uint64_t pubsub_numsub(int shard, const char *channel, size_t len)
{
    struct ps_root *r = root();
    struct ps_chan *ch = r ? shm_ptr(dict_find(&r->names[shard ? PUBSUB_SHARD : PUBSUB_CHANNEL], channel, len)) : NULL;
    return ch ? ch->nsubs : 0;
}

uint64_t pubsub_numpat(void)
{
    struct ps_root *r = root();
    return r ? dict_size(&r->names[PUBSUB_PATTERN]) : 0;
}

uint64_t pubsub_numchannels(int shard)
{
    struct ps_root *r = root();
    return r ? dict_size(&r->names[shard ? PUBSUB_SHARD : PUBSUB_CHANNEL]) : 0;
}

/* ---- consistency check ---- */

#define CHECK(cond, ...) do { if (!(cond)) { snprintf(err, errlen, __VA_ARGS__); return -1; } } while (0)

/* One client: its lists agree with its counts, its subscriptions with their channels. */
static int check_client(struct ps_root *r, shm_off_t cl_off, uint64_t *nsubs, char *err, size_t errlen)
{
    struct ps_client *cl = shm_ptr(cl_off);
    CHECK(!client_empty(cl), "client %llu has no subscription", (unsigned long long)cl->id);
    CHECK(client_find(r, cl->id) == cl, "client %llu not in the index", (unsigned long long)cl->id);
    for (int k = 0; k < PUBSUB_KINDS; k++) {
        uint32_t n = 0;
        for (shm_off_t off = cl->subs[k].head; off; off = links(off, IN_CLIENT)->next, n++) {
            struct ps_sub *s = shm_ptr(off);
            struct ps_chan *ch = shm_ptr(s->chan);
            CHECK(s->client == cl_off && s->key[8] == k, "subscription in the wrong client list");
            CHECK(dict_find(&r->index, s->key, s->e.klen) == off, "subscription not in the index");
            CHECK(dict_find(&r->names[k], ch->name, ch->e.klen) == s->chan, "subscription's channel not in its table");
        }
        CHECK(n == cl->count[k], "client %llu: count %u, list %u", (unsigned long long)cl->id, cl->count[k], n);
        *nsubs += n;
    }
    return 0;
}

struct chan_check { uint64_t subs; int bad; };

static void count_chan(shm_off_t off, void *arg)
{
    struct chan_check *cc = arg;
    struct ps_chan *ch = shm_ptr(off);
    uint64_t n = 0;
    for (shm_off_t s = ch->subs.head; s; s = links(s, IN_CHAN)->next)
        n++;
    cc->bad |= n != ch->nsubs || n == 0;
    cc->subs += n;
}

int pubsub_check(char *err, size_t errlen)
{
    struct ps_root *r = root();
    if (!r)
        return 0;
    uint64_t clients = 0, subs = 0, chan_subs = 0;
    for (int slot = 0; slot < SHM_MAX_WORKERS; slot++)
        for (shm_off_t off = r->slots[slot].head; off; off = links(off, IN_SLOT)->next, clients++) {
            CHECK(((struct ps_client *)shm_ptr(off))->slot == slot, "client in another slot's list");
            if (check_client(r, off, &subs, err, errlen) != 0)
                return -1;
        }
    CHECK(dict_size(&r->index) == clients + subs, "index holds %llu entries, lists %llu",
          (unsigned long long)dict_size(&r->index), (unsigned long long)(clients + subs));
    for (int k = 0; k < PUBSUB_KINDS; k++) {
        struct chan_check cc = { 0, 0 };
        uint64_t cursor = 0;
        do {
            cursor = dict_scan(&r->names[k], cursor, count_chan, &cc);
        } while (cursor);
        CHECK(!cc.bad, "a channel's count disagrees with its list, or it is empty");
        chan_subs += cc.subs;
        if (dict_check(&r->names[k], err, errlen) != 0)
            return -1;
    }
    CHECK(chan_subs == subs, "channels list %llu subscriptions, clients %llu",
          (unsigned long long)chan_subs, (unsigned long long)subs);
    uint64_t npat = 0;
    for (shm_off_t off = r->patterns.head; off; off = links(off, IN_PATTERNS)->next)
        npat++;
    CHECK(npat == dict_size(&r->names[PUBSUB_PATTERN]), "pattern list %llu, table %llu",
          (unsigned long long)npat, (unsigned long long)dict_size(&r->names[PUBSUB_PATTERN]));
    return dict_check(&r->index, err, errlen);
}
