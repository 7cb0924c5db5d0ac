/* shm/arena.c - creating, laying out and checking the shared arena (see shm/arena.h).
 *
 * The creator (the supervisor, or a unit test) calls shm_arena_create before any
 * fork; children inherit the mapping at the same address.  Layout is computed once
 * here and recorded in the header; nothing else decides where regions start.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "shm/arena.h"
#include "shm/alloc.h"
#include "shm/lock.h"

char *shm_base;
static int arena_fd = -1;
static uint64_t mapped_size;

#define DEFAULT_ARENA_SIZE (1ULL << 30)
#define MIN_ARENA_SIZE     (16ULL << 20)

static uint64_t page_round(uint64_t n) { return (n + SHM_PAGE_SIZE - 1) & ~(uint64_t)(SHM_PAGE_SIZE - 1); }

static uint64_t default_undo_size(uint64_t arena_size)
{
    uint64_t u = arena_size / 8;
    if (u > (1ULL << 30))
        u = 1ULL << 30;
    if (u < (1ULL << 20))
        u = 1ULL << 20;
    return page_round(u);
}

static uint64_t now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (uint64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Lays the regions out on the mapping at shm_base. */
static int arena_layout(const struct shm_arena_params *p, char *err, size_t errlen)
{
    struct shm_header *h = shm_header();
    uint64_t size = p->arena_size;
    uint64_t header_bytes = page_round(sizeof(struct shm_header));
    uint64_t undo_bytes = page_round(p->undo_size ? p->undo_size : default_undo_size(size));

    if (header_bytes + undo_bytes + 4 * SHM_PAGE_SIZE > size) {
        snprintf(err, errlen, "arena of %llu bytes is too small", (unsigned long long)size);
        return -1;
    }
    uint64_t rest_pages = (size - header_bytes - undo_bytes) / SHM_PAGE_SIZE;
    uint64_t meta_bytes = page_round(slab_meta_bytes(rest_pages));
    uint64_t heap_pages = rest_pages - meta_bytes / SHM_PAGE_SIZE;

    memset(h, 0, sizeof(*h));
    h->magic = SHM_MAGIC;
    h->version = SHM_VERSION;
    h->page_size = SHM_PAGE_SIZE;
    h->arena_size = size;
    if (getrandom(h->hash_seed, sizeof(h->hash_seed), 0) != sizeof(h->hash_seed))
        h->hash_seed[0] = now_ms() ^ ((uint64_t)getpid() << 32), h->hash_seed[1] = ~h->hash_seed[0];
    h->created_ms = now_ms();
    if (shm_lock_init(&h->lock) != 0) {
        snprintf(err, errlen, "pthread_mutex_init failed: %s", strerror(errno));
        return -1;
    }
    h->undo_off = header_bytes;
    h->undo.capacity = undo_bytes;
    h->alloc_off = header_bytes + undo_bytes;
    h->heap_off = h->alloc_off + meta_bytes;
    h->heap_pages = heap_pages;
    h->ndbs = p->ndbs;
    h->nworkers = p->nworkers;
    h->next_client_id = 1;
    slab_pool_init(h->alloc_off, h->heap_off, heap_pages);
    return 0;
}

int shm_arena_create(const struct shm_arena_params *params, char *err, size_t errlen)
{
    struct shm_arena_params p = *params;
    if (p.arena_size == 0)
        p.arena_size = DEFAULT_ARENA_SIZE;
    if (p.arena_size < MIN_ARENA_SIZE)
        p.arena_size = MIN_ARENA_SIZE;
    p.arena_size = page_round(p.arena_size);

    int fd = memfd_create("ferrous-arena", 0);
    if (fd < 0) {
        snprintf(err, errlen, "memfd_create failed: %s", strerror(errno));
        return -1;
    }
    if (ftruncate(fd, (off_t)p.arena_size) != 0) {
        snprintf(err, errlen, "ftruncate(arena, %llu) failed: %s",
                 (unsigned long long)p.arena_size, strerror(errno));
        close(fd);
        return -1;
    }
    void *mem = mmap(NULL, p.arena_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
    if (mem == MAP_FAILED) {
        snprintf(err, errlen, "mmap(arena, %llu) failed: %s",
                 (unsigned long long)p.arena_size, strerror(errno));
        close(fd);
        return -1;
    }
    shm_base = mem;
    mapped_size = p.arena_size;
    arena_fd = fd;
    if (arena_layout(&p, err, errlen) != 0) {
        shm_arena_destroy();
        return -1;
    }
    return fd;
}

int shm_arena_init_memory(void *mem, const struct shm_arena_params *params, char *err, size_t errlen)
{
    memset(mem, 0, params->arena_size);         /* the allocator wants zeroed metadata */
    shm_base = mem;
    mapped_size = params->arena_size;
    arena_fd = -1;
    return arena_layout(params, err, errlen);
}

int shm_arena_check(char *err, size_t errlen)
{
    const struct shm_header *h = shm_header();
    if (h->magic != SHM_MAGIC) {
        snprintf(err, errlen, "arena magic mismatch (%llx)", (unsigned long long)h->magic);
        return -1;
    }
    if (h->version != SHM_VERSION || h->page_size != SHM_PAGE_SIZE) {
        snprintf(err, errlen, "arena layout version %u (page %u), expected %u (page %u)",
                 h->version, h->page_size, SHM_VERSION, SHM_PAGE_SIZE);
        return -1;
    }
    if (h->arena_size != mapped_size) {
        snprintf(err, errlen, "arena size %llu, mapped %llu",
                 (unsigned long long)h->arena_size, (unsigned long long)mapped_size);
        return -1;
    }
    return 0;
}

void shm_arena_destroy(void)
{
    if (arena_fd >= 0) {
        munmap(shm_base, mapped_size);
        close(arena_fd);
    }
    arena_fd = -1;
    shm_base = NULL;
    mapped_size = 0;
}

/* Pages really backed by memory: the memfd's allocated blocks when we have one
 * (tmpfs allocates on first touch), else the allocator's own count. */
uint64_t shm_arena_used_bytes(void)
{
    struct stat st;
    if (arena_fd >= 0 && fstat(arena_fd, &st) == 0)
        return (uint64_t)st.st_blocks * 512;
    struct slab_stats s;
    slab_get_stats(&s);
    return shm_header()->heap_off + s.pages_used * SHM_PAGE_SIZE;
}
