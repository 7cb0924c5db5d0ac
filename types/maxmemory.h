/* types/maxmemory.h - the maxmemory limit as commands see it: Redis's out-of-memory
 * state, in which commands flagged deny-oom (and the other refusals Redis makes then:
 * any command queued in MULTI, scripts declaring flags without allow-oom, a script's
 * first write) are refused with -OOM.
 *
 * Memory in use counts as INFO's used_memory: bytes allocated in the arena plus every
 * worker's private heap as that worker last published it (its cron, once a second, and
 * each INFO).  Eviction policies other than noeviction do not evict yet: under any
 * policy the limit refuses writes. */
#ifndef TYPES_MAXMEMORY_H
#define TYPES_MAXMEMORY_H

#include <stdint.h>

#define MAXMEMORY_OOM_ERROR "OOM command not allowed when used memory > 'maxmemory'."

/* used_memory: the arena's allocated bytes plus the workers' published private heaps. */
uint64_t maxmemory_used(void);
/* 1 when maxmemory is set and used_memory is above it. */
int maxmemory_exceeded(void);

#endif
