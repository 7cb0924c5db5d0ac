/* keyspace/kv.c - building and freeing key entries (see keyspace/kv.h). */
#include <stdio.h>
#include <stdlib.h>

#include "keyspace/kv.h"
#include "shm/alloc.h"
#include "shm/undo.h"
#include "util/numconv.h"

static kv_value_free_fn *value_freers[8];
static kv_value_copy_fn *value_copiers[8];

void kv_register_value_free(enum kv_type type, kv_value_free_fn *fn) { value_freers[type] = fn; }
void kv_register_value_copy(enum kv_type type, kv_value_copy_fn *fn) { value_copiers[type] = fn; }

/* True when the payload is an offset to a value object the kv owns. */
static int kv_owns_object(const struct kv *kv) { return kv->enc != KV_ENC_INT && kv->enc != KV_ENC_EMBSTR; }

static struct kv *kv_alloc(const void *key, size_t klen, size_t payload, shm_off_t *off)
{
    *off = shm_alloc(sizeof(struct kv) + klen + payload);
    struct kv *kv = kv_at(*off);
    kv->link.next = 0;
    kv->lru = 0;
    kv->flags = 0;
    kv->reserved = 0;
    kv->keylen = (uint32_t)klen;
    kv->vlen = (uint32_t)payload;
    memcpy(kv->data, key, klen);
    return kv;
}

shm_off_t kv_new_int(const void *key, size_t klen, long long v)
{
    shm_off_t off;
    struct kv *kv = kv_alloc(key, klen, sizeof(v), &off);
    kv->type = KV_STRING;
    kv->enc = KV_ENC_INT;
    memcpy(kv_payload(kv), &v, sizeof(v));
    return off;
}

shm_off_t kv_new_object(const void *key, size_t klen, enum kv_type type, enum kv_enc enc, shm_off_t obj)
{
    shm_off_t off;
    struct kv *kv = kv_alloc(key, klen, sizeof(obj), &off);
    kv->type = type;
    kv->enc = enc;
    memcpy(kv_payload(kv), &obj, sizeof(obj));
    return off;
}

shm_off_t kv_blob_new(size_t cap)
{
    shm_off_t off = shm_alloc(sizeof(struct kv_blob) + (cap ? cap : 1));
    ((struct kv_blob *)shm_ptr(off))->len = 0;
    return off;
}

size_t kv_blob_cap(shm_off_t blob) { return shm_alloc_usable(blob) - sizeof(struct kv_blob); }

/* The encoding a string value gets in mode (Redis's choice); *v holds an int's value. */
static enum kv_enc string_enc(const void *val, size_t vlen, enum kv_str_mode mode, long long *v)
{
    if (mode == KV_STR_AUTO && vlen <= 20 && string2ll(val, vlen, v))
        return KV_ENC_INT;
    return mode != KV_STR_RAW && vlen <= KV_EMBSTR_MAX ? KV_ENC_EMBSTR : KV_ENC_RAW;
}

shm_off_t kv_new_string(const void *key, size_t klen, const void *val, size_t vlen, enum kv_str_mode mode)
{
    long long v;
    enum kv_enc enc = string_enc(val, vlen, mode, &v);
    if (enc == KV_ENC_INT)
        return kv_new_int(key, klen, v);
    if (enc == KV_ENC_EMBSTR) {
        shm_off_t off;
        struct kv *kv = kv_alloc(key, klen, vlen, &off);
        kv->type = KV_STRING;
        kv->enc = KV_ENC_EMBSTR;
        memcpy(kv_payload(kv), val, vlen);
        return off;
    }
    shm_off_t blob = kv_blob_new(vlen);
    struct kv_blob *b = shm_ptr(blob);
    memcpy(b->data, val, vlen);
    b->len = vlen;
    return kv_new_object(key, klen, KV_STRING, KV_ENC_RAW, blob);
}

int kv_overwrite_string(struct kv *kv, const void *val, size_t vlen, enum kv_str_mode mode)
{
    long long v;
    enum kv_enc enc = string_enc(val, vlen, mode, &v);
    size_t payload = enc == KV_ENC_INT ? sizeof(v) : vlen;
    if (kv->type != KV_STRING || enc == KV_ENC_RAW || enc != kv->enc || payload != kv->vlen)
        return 0;
    undo_save(kv_payload(kv), payload);
    memcpy(kv_payload(kv), enc == KV_ENC_INT ? (const void *)&v : val, payload);
    return 1;
}

const char *kv_string(struct kv *kv, char *buf, size_t *len)
{
    switch (kv->enc) {
    case KV_ENC_INT:
        *len = (size_t)ll2string(buf, 21, kv_int(kv));
        return buf;
    case KV_ENC_EMBSTR:
        *len = kv->vlen;
        return kv_payload(kv);
    default: {
        struct kv_blob *b = shm_ptr(kv_value_off(kv));
        *len = b->len;
        return b->data;
    }
    }
}

/* A new kv for key with src's type, encoding, payload bytes and flags but the TTL. */
static struct kv *kv_clone_shell(struct kv *src, const void *key, size_t klen, shm_off_t *off)
{
    struct kv *kv = kv_alloc(key, klen, src->vlen, off);
    kv->type = src->type;
    kv->enc = src->enc;
    kv->lru = src->lru;
    kv->flags = src->flags & ~KV_FLAG_TTL;
    memcpy(kv_payload(kv), kv_payload(src), src->vlen);
    return kv;
}

static shm_off_t copy_value(struct kv *kv)
{
    shm_off_t obj = kv_value_off(kv);
    if (kv->type == KV_STRING) {
        struct kv_blob *b = shm_ptr(obj);
        shm_off_t copy = kv_blob_new(b->len);
        struct kv_blob *nb = shm_ptr(copy);
        memcpy(nb->data, b->data, b->len);
        nb->len = b->len;
        return copy;
    }
    if (!value_copiers[kv->type]) {
        fprintf(stderr, "kv_copy: no copier for type %d\n", kv->type);
        abort();
    }
    return value_copiers[kv->type](obj, (enum kv_enc)kv->enc);
}

shm_off_t kv_copy(shm_off_t src, const void *key, size_t klen)
{
    shm_off_t off;
    struct kv *kv = kv_clone_shell(kv_at(src), key, klen, &off);
    if (kv->enc == KV_ENC_INT)
        kv->flags |= KV_FLAG_UNSHARED;      /* Redis duplicates the object */
    if (kv_owns_object(kv)) {
        shm_off_t obj = copy_value(kv_at(src));
        memcpy(kv_payload(kv), &obj, sizeof(obj));
    }
    return off;
}

shm_off_t kv_move(shm_off_t src, const void *key, size_t klen)
{
    shm_off_t off;
    kv_clone_shell(kv_at(src), key, klen, &off);
    shm_free(src);
    return off;
}

void kv_free(shm_off_t off)
{
    struct kv *kv = kv_at(off);
    if (kv_owns_object(kv)) {
        if (kv->type == KV_STRING)
            shm_free(kv_value_off(kv));
        else if (value_freers[kv->type])
            value_freers[kv->type](kv_value_off(kv), (enum kv_enc)kv->enc);
        else {
            fprintf(stderr, "kv_free: no freer for type %d\n", kv->type);
            abort();
        }
    }
    shm_free(off);
}
