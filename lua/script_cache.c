/* lua/script_cache.c - the arena's script cache and library table (see script_cache.h). */
#include <string.h>

#include "lua/script_cache.h"
#include "shm/alloc.h"
#include "shm/undo.h"

static const void *body_key(shm_off_t entry, size_t *len)
{
    const struct script_body *b = shm_ptr(entry);
    *len = b->klen;
    return b->data;
}

static void body_free(shm_off_t entry) { shm_free(entry); }

static const struct dict_type body_type = { "scripts", body_key, body_free };

void scache_register_types(void) { dict_register_type(SCRIPT_DICT_TYPE_BODIES, &body_type); }

struct script_shared *scache_shared(void) { return shm_ptr(shm_header()->scripts_off); }

void scache_create(void)
{
    if (shm_header()->scripts_off)
        return;
    shm_off_t off = shm_calloc(sizeof(struct script_shared));
    struct script_shared *s = shm_ptr(off);
    dict_init(&s->scripts, SCRIPT_DICT_TYPE_BODIES);
    dict_init(&s->libraries, SCRIPT_DICT_TYPE_BODIES);
    s->generation = s->fgeneration = 1;
    UNDO_SET(shm_header()->scripts_off, off);
}

struct script_body *scache_find(struct dict *d, const char *key, size_t klen)
{
    return shm_ptr(dict_find(d, key, klen));
}

static shm_off_t body_new(const char *key, size_t klen, const char *code, size_t len)
{
    shm_off_t off = shm_alloc(sizeof(struct script_body) + klen + len);
    struct script_body *b = shm_ptr(off);
    b->link.next = 0;
    b->klen = (uint32_t)klen;
    b->len = len;
    memcpy(b->data, key, klen);
    memcpy(b->data + klen, code, len);
    return off;
}

void scache_put(struct dict *d, const char *key, size_t klen, const char *code, size_t len)
{
    shm_off_t *slot = dict_find_slot(d, key, klen);
    shm_off_t off = body_new(key, klen, code, len);
    if (!slot) {
        dict_add(d, off);
        return;
    }
    shm_off_t old = *slot;
    dict_replace_at(slot, off);
    shm_free(old);
}

int scache_del(struct dict *d, const char *key, size_t klen)
{
    shm_off_t off = dict_unlink(d, key, klen);
    shm_free(off);
    return off != 0;
}

void scache_clear(struct dict *d) { dict_release(d); }
