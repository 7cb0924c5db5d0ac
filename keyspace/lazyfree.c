/* keyspace/lazyfree.c - the queue of detached tables (see lazyfree.h). */
#include "keyspace/lazyfree.h"
#include "shm/alloc.h"
#include "shm/undo.h"

struct lazyfree_item {
    shm_off_t next;
    struct dict d;
};

void lazyfree_dict(struct dict *d)
{
    if (dict_size(d) == 0 && d->size[0] == 0)
        return;
    shm_off_t off = shm_alloc(sizeof(struct lazyfree_item));
    struct lazyfree_item *item = shm_ptr(off);
    dict_detach(d, &item->d);
    item->next = shm_header()->lazyfree_off;
    UNDO_SET(shm_header()->lazyfree_off, off);
}

int lazyfree_step(uint64_t max_entries)
{
    shm_off_t off = shm_header()->lazyfree_off;
    if (!off)
        return 0;
    struct lazyfree_item *item = shm_ptr(off);
    if (dict_release_steps(&item->d, max_entries))
        return 1;
    UNDO_SET(shm_header()->lazyfree_off, item->next);
    shm_free(off);
    return shm_header()->lazyfree_off != 0;
}

uint64_t lazyfree_pending(void)
{
    uint64_t n = 0;
    for (shm_off_t off = shm_header()->lazyfree_off; off; off = ((struct lazyfree_item *)shm_ptr(off))->next)
        n += dict_size(&((struct lazyfree_item *)shm_ptr(off))->d);
    return n;
}
