/* types/maxmemory.c - used memory against the maxmemory directive (see maxmemory.h). */
#include "conf/shared.h"
#include "shm/arena.h"
#include "shm/alloc.h"
#include "types/maxmemory.h"

uint64_t maxmemory_used(void)
{
    struct slab_stats st;
    slab_get_stats(&st);
    uint64_t used = st.bytes_allocated;
    for (uint32_t i = 0; i < shm_header()->nworkers; i++)
        used += shm_header()->workers[i].used_memory_private;
    return used;
}

int maxmemory_exceeded(void)
{
    uint64_t limit = conf_shared()->maxmemory;
    return limit && maxmemory_used() > limit;
}
