/* keyspace/lazyfree.h - freeing big detached structures in bounded steps.
 *
 * FLUSHDB/FLUSHALL detach the databases' tables (one small undo record each) and
 * queue them here; housekeeping frees their entries a bounded batch per write, so
 * neither the lock hold time nor the undo log grows with the size of what is freed.
 * The queue is a list in the arena (header.lazyfree_off); every change is undo-logged,
 * so a crash mid-step loses nothing and frees nothing twice. */
#ifndef KEYSPACE_LAZYFREE_H
#define KEYSPACE_LAZYFREE_H

#include <stdint.h>
#include "shm/dict.h"

/* Moves d's contents to the queue and leaves d empty. Inside a write. */
void lazyfree_dict(struct dict *d);
/* Frees up to max_entries queued entries; returns 1 while work remains. Inside a write. */
int lazyfree_step(uint64_t max_entries);
/* Entries still waiting to be freed (INFO lazyfree_pending_objects). */
uint64_t lazyfree_pending(void);
#endif
