/* worker/registry.c - the client registry in the arena (see registry.h). */
#include <string.h>

#include "keyspace/kv.h"
#include "shm/alloc.h"
#include "shm/undo.h"
#include "types/command.h"
#include "worker/registry.h"

static struct client_registry *registry(void)
{
    return shm_ptr(shm_header()->clients_off);
}

void registry_create(uint32_t capacity)
{
    size_t bytes = sizeof(struct client_registry) + (size_t)capacity * sizeof(struct client_record);
    shm_off_t off = shm_calloc(bytes);
    ((struct client_registry *)shm_ptr(off))->capacity = capacity;
    UNDO_SET(shm_header()->clients_off, off);
}

uint32_t registry_capacity(void) { return registry()->capacity; }
struct client_record *registry_at(uint32_t i) { return &registry()->records[i]; }

struct client_record *registry_claim(uint64_t id, int slot)
{
    struct client_registry *reg = registry();
    static uint32_t hint;
    for (uint32_t n = 0; n < reg->capacity; n++) {
        uint32_t i = (hint + n) % reg->capacity;
        struct client_record *r = &reg->records[i];
        uint64_t expected = 0;
        if (r->id == 0 && __atomic_compare_exchange_n(&r->id, &expected, id, 0,
                                                      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
            hint = i + 1;
            r->slot = slot;
            r->kill = 0;
            r->name = 0;
            r->cmd[0] = '\0';
            return r;
        }
    }
    return NULL;
}

void registry_set_name(struct client_record *r, const char *name, size_t len)
{
    shm_off_t blob = 0;
    if (len) {
        blob = kv_blob_new(len);
        struct kv_blob *b = (struct kv_blob *)(shm_base + blob);
        memcpy(b->data, name, len);
        b->len = len;
    }
    if (r->name)
        shm_free(r->name);
    UNDO_SET(r->name, blob);
}

const char *registry_name(const struct client_record *r, size_t *len)
{
    if (!r->name) {
        *len = 0;
        return "";
    }
    struct kv_blob *b = shm_ptr(r->name);
    *len = b->len;
    return b->data;
}

void registry_note_command(struct client_record *r, const struct command *cmd)
{
    command_fullname(cmd, r->cmd, sizeof(r->cmd));
}

void registry_release(struct client_record *r)
{
    if (r->name)
        registry_set_name(r, NULL, 0);
    __atomic_store_n(&r->id, 0, __ATOMIC_RELEASE);
}

void registry_release_slot(int slot)
{
    struct client_registry *reg = registry();
    for (uint32_t i = 0; i < reg->capacity; i++)
        if (reg->records[i].id && reg->records[i].slot == slot)
            registry_release(&reg->records[i]);
}

struct client_record *registry_find(uint64_t id)
{
    struct client_registry *reg = registry();
    for (uint32_t i = 0; i < reg->capacity; i++)
        if (reg->records[i].id == id)
            return &reg->records[i];
    return NULL;
}
