/* keyspace/inbox.h - messages from one worker to a client of another (or the same)
 * worker: the reply of a blocked client served by another worker's push, and later
 * pub/sub messages and keyspace notifications.
 *
 * Each worker slot has an inbox: a FIFO list of arena allocations.  Producers append
 * and the owner drains, both holding the keyspace lock and inside a write, so a
 * message is visible exactly when the write that produced it committed, and a
 * rolled-back write leaves no message.  After releasing the lock the producer pokes
 * the owner's eventfd (inbox_wake); the owner's cron also drains, in case a producer
 * died between its commit and the poke.
 *
 * Messages a worker sends to its own slot (inbox_set_local_slot) never touch the
 * arena: they wait in private memory, become deliverable when the write that made
 * them commits (a rolled-back write's are dropped) and need no wake-up.  The owner
 * delivers them before its shared inbox, which is commit order only if the shared
 * inbox held nothing when they were pushed: a message to the own slot while the
 * shared inbox is not empty goes there, behind what other workers pushed before. */
#ifndef KEYSPACE_INBOX_H
#define KEYSPACE_INBOX_H

#include <stddef.h>
#include <stdint.h>
#include "shm/arena.h"

enum inbox_kind {
    INBOX_REPLY = 1,                /* a blocked client's reply (keyspace/blocking.c) */
    INBOX_PUSH = 2,                 /* pub/sub messages: struct pubsub_delivery (keyspace/pubsub.h) */
    INBOX_MONITOR = 3,              /* a MONITOR line for every monitor of the worker (worker/monitor.h) */
};

struct inbox_msg {
    shm_off_t next;
    uint64_t client_id;
    uint32_t kind;
    uint32_t len;
    char data[];
};

/* Creates the inboxes (startup, inside a write). */
void inbox_create(void);
/* Appends a message for client_id of the worker in slot (0 for INBOX_PUSH, whose data
 * names its receivers), inside a write, and remembers to wake that worker after the
 * lock is released. */
void inbox_push(int slot, uint64_t client_id, enum inbox_kind kind, const void *data, size_t len);
/* Detaches slot's whole message list (inside a write); walk it with inbox_msg and
 * free each with inbox_msg_free once copied out.  Returns the first message or 0. */
shm_off_t inbox_take(int slot);
void inbox_msg_free(shm_off_t msg);
int inbox_pending(int slot);
/* Wakes the workers that got messages since the last call (after the lock is released). */
void inbox_wake(void);
/* This process's slot (a worker's, at start): its messages to itself stay private. */
void inbox_set_local_slot(int slot);
/* Whether committed messages of this process to itself wait. */
int inbox_local_pending(void);
/* Hands each committed message to itself to fn, oldest first, and forgets them
 * (their next field means nothing). */
void inbox_local_drain(void (*fn)(const struct inbox_msg *msg));
#endif
