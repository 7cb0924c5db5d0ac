/* worker/client_map.c - open addressing with linear probing over a power-of-two
 * table of client pointers; deletion shifts the following run back, so there are no
 * tombstones and a lookup stops at the first empty slot.  The table doubles when
 * more than half full; ids are never 0 (they start at 1). */
#include <stdlib.h>

#include "worker/client.h"
#include "worker/client_map.h"

#define MAP_MIN_SLOTS 64

static struct client **slots;
static size_t mask, used;

static size_t home(uint64_t id) { return (size_t)((id * 0x9E3779B97F4A7C15ULL) >> 20) & mask; }

static void insert(struct client *c)
{
    size_t i = home(c->id);
    while (slots[i])
        i = (i + 1) & mask;
    slots[i] = c;
}

static void grow(void)
{
    struct client **old = slots;
    size_t old_n = slots ? mask + 1 : 0;
    size_t n = old_n ? old_n * 2 : MAP_MIN_SLOTS;
    slots = calloc(n, sizeof(*slots));
    if (!slots)
        abort();
    mask = n - 1;
    for (size_t i = 0; i < old_n; i++)
        if (old[i])
            insert(old[i]);
    free(old);
}

void client_map_put(struct client *c)
{
    if (!slots || (used + 1) * 2 > mask + 1)
        grow();
    insert(c);
    used++;
}

struct client *client_map_get(uint64_t id)
{
    if (!slots)
        return NULL;
    for (size_t i = home(id); slots[i]; i = (i + 1) & mask)
        if (slots[i]->id == id)
            return slots[i];
    return NULL;
}

void client_map_del(uint64_t id)
{
    if (!slots)
        return;
    size_t i = home(id);
    while (slots[i] && slots[i]->id != id)
        i = (i + 1) & mask;
    if (!slots[i])
        return;
    used--;
    /* shift back every entry of the run after i that may live at i */
    for (size_t j = (i + 1) & mask; slots[j]; j = (j + 1) & mask) {
        size_t h = home(slots[j]->id);
        int movable = i <= j ? (h <= i || h > j) : (h <= i && h > j);
        if (movable) {
            slots[i] = slots[j];
            i = j;
        }
    }
    slots[i] = NULL;
}
