/* keyspace/inbox.c - per-worker message lists (see inbox.h). */
#include <string.h>
#include <unistd.h>

#include "keyspace/inbox.h"
#include "shm/alloc.h"
#include "shm/undo.h"

struct inbox {
    shm_off_t head, tail;
};

static uint64_t wake_mask;          /* slots to poke after the lock is released */

static struct inbox *inbox_of(int slot)
{
    return (struct inbox *)shm_ptr(shm_header()->inbox_off) + slot;
}

void inbox_create(void)
{
    UNDO_SET(shm_header()->inbox_off, shm_calloc(sizeof(struct inbox) * SHM_MAX_WORKERS));
}

void inbox_push(int slot, uint64_t client_id, enum inbox_kind kind, const void *data, size_t len)
{
    struct inbox *in = inbox_of(slot);
    shm_off_t off = shm_alloc(sizeof(struct inbox_msg) + len);
    struct inbox_msg *m = (struct inbox_msg *)(shm_base + off);
    m->next = 0;
    m->client_id = client_id;
    m->kind = kind;
    m->len = (uint32_t)len;
    memcpy(m->data, data, len);
    if (in->tail)
        UNDO_SET(((struct inbox_msg *)shm_ptr(in->tail))->next, off);
    else
        UNDO_SET(in->head, off);
    UNDO_SET(in->tail, off);
    wake_mask |= 1ULL << slot;
}

shm_off_t inbox_take(int slot)
{
    struct inbox *in = inbox_of(slot);
    shm_off_t first = in->head;
    if (first) {
        UNDO_SET(in->head, 0);
        UNDO_SET(in->tail, 0);
    }
    return first;
}

void inbox_msg_free(shm_off_t msg) { shm_free(msg); }

int inbox_pending(int slot) { return inbox_of(slot)->head != 0; }

void inbox_wake(void)
{
    uint64_t one = 1;
    while (wake_mask) {
        int slot = __builtin_ctzll(wake_mask);
        wake_mask &= wake_mask - 1;
        ssize_t w = write(shm_header()->workers[slot].event_fd, &one, sizeof(one));
        (void)w;
    }
}
