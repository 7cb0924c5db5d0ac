/* keyspace/inbox.c - per-worker message lists, and a worker's private list of
 * messages to itself (see inbox.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keyspace/inbox.h"
#include "shm/alloc.h"
#include "shm/undo.h"

struct inbox {
    shm_off_t head, tail;
};

static uint64_t wake_mask;          /* slots to poke after the lock is released */

/* Messages to this process's own slot: struct inbox_msg records padded to 8 bytes;
 * the first 'committed' bytes are from committed writes. */
static struct {
    int slot;
    char *buf;
    size_t len, cap, committed;
} local = { .slot = -1 };

static struct inbox *inbox_of(int slot)
{
    return (struct inbox *)shm_ptr(shm_header()->inbox_off) + slot;
}

void inbox_create(void)
{
    UNDO_SET(shm_header()->inbox_off, shm_calloc(sizeof(struct inbox) * SHM_MAX_WORKERS));
}

static size_t record_size(size_t len) { return (sizeof(struct inbox_msg) + len + 7) & ~(size_t)7; }

static void fill(struct inbox_msg *m, uint64_t client_id, enum inbox_kind kind, const void *data, size_t len)
{
    m->next = 0;
    m->client_id = client_id;
    m->kind = kind;
    m->len = (uint32_t)len;
    memcpy(m->data, data, len);
}

static void local_push(uint64_t client_id, enum inbox_kind kind, const void *data, size_t len)
{
    size_t need = record_size(len);
    if (local.len + need > local.cap) {
        local.cap = (local.len + need) * 2;
        local.buf = realloc(local.buf, local.cap);
        if (!local.buf) {
            fprintf(stderr, "inbox: out of private memory\n");
            abort();
        }
    }
    fill((struct inbox_msg *)(local.buf + local.len), client_id, kind, data, len);
    local.len += need;
}

static void local_write_ended(int committed)
{
    if (committed)
        local.committed = local.len;
    else
        local.len = local.committed;
}

void inbox_set_local_slot(int slot)
{
    local.slot = slot;
    undo_set_end_hook(local_write_ended);
}

int inbox_local_pending(void) { return local.committed != 0; }

void inbox_local_drain(void (*fn)(const struct inbox_msg *msg))
{
    size_t end = local.committed;
    for (size_t pos = 0; pos < end; pos += record_size(((struct inbox_msg *)(local.buf + pos))->len))
        fn((const struct inbox_msg *)(local.buf + pos));
    memmove(local.buf, local.buf + end, local.len - end);
    local.len -= end;
    local.committed = 0;
}

void inbox_push(int slot, uint64_t client_id, enum inbox_kind kind, const void *data, size_t len)
{
    struct inbox *in = inbox_of(slot);
    if (slot == local.slot && !in->head) {      /* nothing committed ahead of it waits */
        local_push(client_id, kind, data, len);
        return;
    }
    shm_off_t off = shm_alloc(sizeof(struct inbox_msg) + len);
    struct inbox_msg *m = (struct inbox_msg *)(shm_base + off);
    fill(m, client_id, kind, data, len);
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
