/* shm/arena.h - the shared memory arena: one MAP_SHARED mapping that holds the
 * whole keyspace and every piece of state that all worker processes share.
 *
 * Invariants:
 *  - The arena is mapped once, before the first fork, so every process sees it at
 *    the same address; still, nothing inside it stores a pointer.  Everything
 *    refers to everything else by shm_off_t, an offset from the arena base, with 0
 *    meaning "none" (offset 0 is the header, never an object).
 *  - The header starts with a magic number and a layout version, checked on attach.
 *  - Every byte of the arena outside the lock word and the per-worker slots (which
 *    have a single writer each) changes only under the keyspace lock (shm/lock.h)
 *    and, when it existed before the current write began, only after its old bytes
 *    were saved in the undo log (shm/undo.h).
 *
 * Region layout (all page aligned, sizes fixed at creation):
 *   [header][undo log][allocator page map][heap pages ...................]
 * The memfd is sparse: pages cost memory only once touched.
 */
#ifndef SHM_ARENA_H
#define SHM_ARENA_H

#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

typedef uint64_t shm_off_t;

#define SHM_MAGIC        0x53554f5252454646ULL /* "FERROUS" + 'S' */
#define SHM_VERSION      1
#define SHM_PAGE_SIZE    4096
#define SHM_MAX_WORKERS  64
#define SHM_MAX_DBS      256

/* Base address of the mapped arena in this process (NULL before attach). */
extern char *shm_base;

static inline void *shm_ptr(shm_off_t off) { return off ? shm_base + off : NULL; }
static inline shm_off_t shm_off(const void *p) { return p ? (shm_off_t)((const char *)p - shm_base) : 0; }

/* The keyspace lock: a process-shared robust mutex plus its owner's pid. */
struct shm_lock {
    pthread_mutex_t mutex;
    volatile int32_t owner_pid;     /* pid holding it, 0 when free (diagnostics) */
    uint32_t recoveries;            /* times a dead owner's write was rolled back */
};

/* Undo log bookkeeping; the log bytes follow at header.undo_off. */
struct shm_undo_state {
    volatile uint64_t used;         /* bytes of valid records; 0 = no write in progress */
    uint64_t capacity;
    uint64_t high_water;            /* largest 'used' ever seen (INFO) */
};

/* Per-worker slot: one writer (the worker in that slot), padded to cache lines (the
 * fields fill 232 of its 256 bytes: one more field makes every slot 320 bytes, which
 * moves the arena's layout). */
struct shm_worker_slot {
    volatile int32_t pid;           /* 0 when the slot is empty */
    int32_t event_fd;               /* eventfd created by the supervisor before fork */
    volatile uint64_t generation;   /* bumped at each (re)spawn into this slot */
    /* statistics, summed by INFO */
    volatile uint64_t commands;
    volatile uint64_t connections_received;
    volatile uint64_t connected_clients;
    volatile uint64_t rejected_connections;
    volatile uint64_t net_input_bytes;
    volatile uint64_t net_output_bytes;
    volatile uint64_t keyspace_hits;
    volatile uint64_t keyspace_misses;
    volatile uint64_t expired_keys;
    volatile uint64_t evicted_keys;
    volatile uint64_t total_error_replies;
    volatile uint64_t used_memory_private;  /* jemalloc bytes allocated by this process */
    volatile uint64_t kill_flags;           /* requests from other workers (CLIENT KILL...) */
    volatile uint64_t instantaneous_ops;    /* commands/s over the last ~1.6 s (cron) */
    volatile uint64_t dirty;                /* keys changed by this slot's writes (summed:
                                               rdb_changes_since_last_save, save points) */
    volatile uint64_t reads_processed;      /* read() calls that brought bytes in */
    volatile uint64_t writes_processed;     /* write() calls that sent bytes out */
    volatile uint64_t instantaneous_input;  /* bytes/s read over the last ~1.6 s (cron) */
    volatile uint64_t instantaneous_output; /* bytes/s written, likewise */
    volatile uint64_t used_memory_peak;     /* highest used_memory this worker has seen */
    volatile uint64_t allocator_active;     /* jemalloc stats.active of this process */
    volatile uint64_t allocator_resident;   /* jemalloc stats.resident of this process */
    volatile uint64_t lua_memory;           /* bytes held by this process's Lua state */
    volatile uint64_t startup_private;      /* used_memory_private when this process started */
    volatile uint64_t startup_arena;        /* arena bytes allocated when it started */
    volatile uint64_t expire_cycle_us;      /* time spent in active expiry cycles */
    volatile uint64_t expire_time_cap_reached; /* active expiry cycles stopped by their budget */
} __attribute__((aligned(64)));

struct shm_header {
    uint64_t magic;
    uint32_t version;
    uint32_t page_size;
    uint64_t arena_size;            /* bytes mapped */
    uint64_t hash_seed[2];          /* random per arena: hash tables' seed */
    uint64_t created_ms;

    struct shm_lock lock;
    struct shm_undo_state undo;
    shm_off_t undo_off;             /* start of the undo log region */

    shm_off_t alloc_off;            /* allocator state (struct slab_pool) */
    shm_off_t heap_off;             /* first heap page */
    uint64_t heap_pages;

    shm_off_t config_off;           /* conf/: shared config values (struct conf_values) */
    shm_off_t dbs_off;              /* array of struct db[ndbs] */
    uint32_t ndbs;
    uint32_t nworkers;              /* slots in use (workers directive) */

    volatile uint64_t next_client_id;   /* atomic counter: CLIENT ID */
    volatile int32_t supervisor_pid;
    volatile int32_t shutdown_requested; /* set by SHUTDOWN; supervisor acts */

    /* registries owned by later layers; 0 until they are created */
    shm_off_t clients_off;          /* client registry (CLIENT LIST across workers) */
    shm_off_t scripts_off;          /* lua/: global script cache */
    shm_off_t pubsub_off;           /* pub/sub registry */
    shm_off_t stream_off;           /* replication/: write-stream ring */
    shm_off_t stats_off;            /* extra global counters */
    shm_off_t lazyfree_off;         /* keyspace/lazyfree.c: detached tables being freed */
    shm_off_t inbox_off;            /* keyspace/inbox.c: per-worker message lists */
    shm_off_t blocking_off;         /* keyspace/blocking.c: per-db tables of blocked keys */
    uint64_t blocked_clients;       /* clients blocked on keys, all workers (under the lock) */
    char config_file[1024];         /* absolute path of the config file, "" if none (INFO) */
    shm_off_t watch_off;            /* keyspace/watch.c: WATCHed keys (0 until the first WATCH) */
    uint64_t reserved[27];

    struct shm_worker_slot workers[SHM_MAX_WORKERS];
};

static inline struct shm_header *shm_header(void) { return (struct shm_header *)shm_base; }

/* Sizes chosen by the creator; 0 fields take defaults. */
struct shm_arena_params {
    uint64_t arena_size;            /* total mapping size */
    uint64_t undo_size;             /* bytes reserved for the undo log */
    uint32_t ndbs;
    uint32_t nworkers;
};

/* Creates a sparse memfd of params->arena_size, maps it and lays out an empty arena
 * (header, undo log, allocator, databases).  Returns the memfd, or -1 with errno set
 * and a message in err. */
int shm_arena_create(const struct shm_arena_params *params, char *err, size_t errlen);

/* Lays out an empty arena on memory the caller provides (unit tests run the arena on
 * plain memory).  mem must be page aligned and at least size bytes. */
int shm_arena_init_memory(void *mem, const struct shm_arena_params *params, char *err, size_t errlen);

/* Checks magic, version and size of the mapping at shm_base. 0 ok, -1 mismatch. */
int shm_arena_check(char *err, size_t errlen);

/* Unmaps the arena (tests, shutdown). */
void shm_arena_destroy(void);

/* Bytes of arena pages currently in use (allocated heap pages + metadata touched). */
uint64_t shm_arena_used_bytes(void);

#endif
