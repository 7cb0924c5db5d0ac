/* worker/registry.h - the client registry: one record per connected client of any
 * worker, in the arena, so CLIENT LIST / CLIENT KILL / INFO clients see all of them.
 *
 * Invariants:
 *  - A record is free when id == 0.  A worker claims one with a compare-and-swap of
 *    id from 0 (no lock needed) and is then its only writer, except for 'kill', which
 *    any worker may set (then it pokes the owner's eventfd).
 *  - 'name' is an arena allocation changed only under the keyspace lock, inside a
 *    write (CLIENT SETNAME, HELLO SETNAME, record release).
 *  - A respawned worker releases every record left with its slot number.
 */
#ifndef WORKER_REGISTRY_H
#define WORKER_REGISTRY_H

#include <stdint.h>
#include "shm/arena.h"

struct client_record {
    volatile uint64_t id;
    int32_t slot;
    int32_t fd;
    volatile int32_t dbid;
    volatile int32_t resp;
    volatile int32_t kill;
    int32_t sub, psub, ssub;            /* pub/sub counts, inside the writes that change them */
    int64_t obuf_soft_since_ms;         /* output buffer over its soft limit since (0: not) */
    uint32_t flags;
    int64_t created_ms;
    volatile int64_t last_ms;
    volatile uint64_t qbuf, qbuf_free, omem, tot_mem;
    shm_off_t name;                     /* struct kv_blob, 0 when unnamed */
    char addr[64], laddr[64];
    char cmd[40];
} __attribute__((aligned(64)));

struct client_registry {
    uint32_t capacity;
    uint32_t reserved;
    struct client_record records[];
};

/* Creates the registry with room for capacity clients (inside a write, at startup). */
void registry_create(uint32_t capacity);
/* Claims a free record for a client of this worker; NULL when full. */
struct client_record *registry_claim(uint64_t id, int slot);
/* Releases a record (inside a write: frees the name). */
void registry_release(struct client_record *r);
/* Releases every record of slot (a respawned worker cleaning after the dead one). */
void registry_release_slot(int slot);
/* Sets the name (NULL/0 len clears), inside a write. */
void registry_set_name(struct client_record *r, const char *name, size_t len);
/* The name bytes ("" when unnamed). */
const char *registry_name(const struct client_record *r, size_t *len);
/* Records the full name of the command the client runs ("client|list"), for CLIENT
 * LIST's cmd= field; by the owning worker.  Readers bound it with strnlen: another
 * worker may read it while it changes. */
struct command;
void registry_note_command(struct client_record *r, const struct command *cmd);

uint32_t registry_capacity(void);
struct client_record *registry_at(uint32_t i);
struct client_record *registry_find(uint64_t id);
#endif
