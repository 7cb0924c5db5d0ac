/* worker/cmd_info.c - INFO [section ...]: the server's state in Redis 7.0's text
 * format ("# Server\r\nredis_version:7.0.15\r\n...", sections separated by a blank
 * line): every field redis-server 7.0.15 prints, in its order and format, then
 * Ferrous's own at the end of their section (server: ferrous_version, workers; memory:
 * used_memory_arena, used_memory_private, arena_size, arena_resident,
 * arena_pages_used).  Fields of features Ferrous does not have (fork, COW, defrag,
 * client tracking, modules, IO threads) show what an idle Redis shows.
 *
 * Where the numbers come from:
 *  - counters: each worker keeps its own in its arena slot (single writer); INFO sums
 *    every slot in use, after publishing this worker's pending ones;
 *  - used_memory: types/maxmemory.h's, the figure maxmemory is checked against: bytes
 *    allocated in the arena (slab statistics, counted once) plus each worker's private
 *    heap (its slot's used_memory_private: jemalloc's stats.allocated, published by
 *    that worker's cron and by INFO);
 *  - used_memory_rss: the supervisor's and the workers' resident private and file
 *    pages from /proc, plus the arena's resident pages counted once;
 *  - used_memory_peak: the highest used_memory a worker saw (its cron, INFO);
 *  - used_memory_startup: the arena's allocated bytes and each worker's private heap
 *    as they were at the worker's first cron tick (the arena's: the lowest figure of
 *    the workers'); used_memory_overhead: that plus the workers' private growth since
 *    (client buffers, Lua), the databases' bucket arrays and expire entries, and the
 *    script cache; used_memory_dataset: the rest;
 *  - allocator_*: the arena's allocator (bytes allocated, pages held, pages resident)
 *    plus the workers' jemalloc (stats.allocated, active, resident);
 *  - used_memory_lua / used_memory_vm_eval: the workers' Lua states (one per worker,
 *    running EVAL scripts and functions alike, so used_memory_vm_functions is 0);
 *  - scripts and libraries: the arena's script cache (lua/script_cache.h);
 *  - instantaneous_*_kbps, expire cycle figures: the workers' crons (worker/cron.c);
 *  - used_cpu_*: the same processes' times from /proc/PID/stat;
 *  - commandstats, errorstats, latencystats: every worker's tables (worker/cmdstats.h).
 * INFO runs under the keyspace lock (the keyspace section reads the tables).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "conf/conf.h"
#include "keyspace/db.h"
#include "keyspace/lazyfree.h"
#include "keyspace/pubsub.h"
#include "lua/script.h"
#include "lua/script_cache.h"
#include "shm/alloc.h"
#include "types/maxmemory.h"
#include "worker/cmdstats.h"
#include "worker/cron.h"
#include "worker/registry.h"
#include "worker/server_cmds.h"
#include "worker/worker.h"

/* jemalloc's control interface, looked up weakly: the sanitizer build links none. */
extern int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen)
    __attribute__((weak));

struct info_totals {
    uint64_t commands, connections_received, connected_clients, rejected, net_in, net_out;
    uint64_t hits, misses, expired, evicted, errors, private_memory, ops_per_sec, dirty;
    uint64_t reads, writes, input_per_sec, output_per_sec, expire_cycle_us, expire_cap_reached;
    uint64_t alloc_active, alloc_resident, lua_memory, startup_private;
    uint64_t peak, startup_arena;   /* the highest of the slots', the lowest started one's */
};

/* The memory figures a slot publishes (worker/cron.c). */
static void sum_slot_memory(struct info_totals *t, const struct shm_worker_slot *s)
{
    t->private_memory += s->used_memory_private;
    t->alloc_active += s->allocator_active;
    t->alloc_resident += s->allocator_resident;
    t->lua_memory += s->lua_memory;
    t->startup_private += s->startup_private;
    if (s->used_memory_peak > t->peak)
        t->peak = s->used_memory_peak;
    if (s->startup_arena && (!t->startup_arena || s->startup_arena < t->startup_arena))
        t->startup_arena = s->startup_arena;
}

static void sum_slots(struct info_totals *t)
{
    memset(t, 0, sizeof(*t));
    for (uint32_t i = 0; i < shm_header()->nworkers; i++) {
        const struct shm_worker_slot *s = &shm_header()->workers[i];
        sum_slot_memory(t, s);
        t->commands += s->commands;
        t->connections_received += s->connections_received;
        t->connected_clients += s->connected_clients;
        t->rejected += s->rejected_connections;
        t->net_in += s->net_input_bytes;
        t->net_out += s->net_output_bytes;
        t->hits += s->keyspace_hits;
        t->misses += s->keyspace_misses;
        t->expired += s->expired_keys;
        t->evicted += s->evicted_keys;
        t->errors += s->total_error_replies;
        t->ops_per_sec += s->instantaneous_ops;
        t->dirty += s->dirty;
        t->reads += s->reads_processed;
        t->writes += s->writes_processed;
        t->input_per_sec += s->instantaneous_input;
        t->output_per_sec += s->instantaneous_output;
        t->expire_cycle_us += s->expire_cycle_us;
        t->expire_cap_reached += s->expire_time_cap_reached;
    }
}

/* ---- process-level facts ---- */

static void allocator_name(char *buf, size_t len)
{
    const char *version = NULL;
    size_t sz = sizeof(version);
    if (mallctl && mallctl("version", &version, &sz, NULL, 0) == 0 && version)
        snprintf(buf, len, "jemalloc-%.*s", (int)strcspn(version, "-"), version);
    else
        snprintf(buf, len, "libc");
}

/* Resident bytes of a process that are not shared memory (anonymous + file pages). */
static uint64_t proc_rss_unshared(int pid)
{
    char path[64], line[256];
    unsigned long long kb, total = 0;
    snprintf(path, sizeof(path), "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "RssAnon: %llu", &kb) == 1 || sscanf(line, "RssFile: %llu", &kb) == 1)
            total += kb;
    fclose(f);
    return total * 1024;
}

struct cpu_times { double user, sys, child_user, child_sys; };

/* Adds a process's CPU times (/proc/PID/stat utime stime cutime cstime). */
static void proc_cpu_add(int pid, struct cpu_times *t)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    unsigned long long ut, st, cut, cst;
    /* after the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt */
    if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu",
                     &ut, &st, &cut, &cst) != 4)
        return;
    double hz = (double)sysconf(_SC_CLK_TCK);
    t->user += (double)ut / hz;
    t->sys += (double)st / hz;
    t->child_user += (double)cut / hz;
    t->child_sys += (double)cst / hz;
}

/* The supervisor's pid, then every live worker's; returns the count. */
static int server_pids(int *pids)
{
    int n = 0;
    pids[n++] = shm_header()->supervisor_pid;
    for (uint32_t i = 0; i < shm_header()->nworkers; i++)
        if (shm_header()->workers[i].pid)
            pids[n++] = shm_header()->workers[i].pid;
    return n;
}

static uint64_t server_rss(void)
{
    int pids[SHM_MAX_WORKERS + 1];
    int n = server_pids(pids);
    uint64_t rss = shm_arena_used_bytes();
    for (int i = 0; i < n; i++)
        rss += proc_rss_unshared(pids[i]);
    return rss;
}

/* A config value as CONFIG GET shows it. */
static void conf_copy(const char *name, const char *value, size_t vlen, void *arg)
{
    snprintf(arg, 128, "%.*s", (int)vlen, value);
}

static const char *conf_text(const char *name, char buf[128])
{
    buf[0] = '\0';
    conf_get(worker_conf(), name, strlen(name), conf_copy, buf);
    return buf;
}

/* Redis's bytesToHuman. */
static const char *human(uint64_t n, char buf[32])
{
    static const char units[] = "KMGTPE";
    if (n < 1024) {
        snprintf(buf, 32, "%lluB", (unsigned long long)n);
        return buf;
    }
    double d = (double)n / 1024;
    int u = 0;
    while (d >= 1024 && units[u + 1]) {
        d /= 1024;
        u++;
    }
    snprintf(buf, 32, "%.2f%c", d, units[u]);
    return buf;
}

/* A stable id of this server's life, 40 hex digits (run_id, replid): the arena's
 * creation time and the supervisor's pid, mixed; salt tells the ids apart. */
static void server_hex_id(uint64_t salt, char out[41])
{
    uint64_t x = shm_header()->created_ms ^ ((uint64_t)shm_header()->supervisor_pid << 40) ^ salt;
    for (int i = 0; i < 40; i += 16) {
        uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        char word[17];
        snprintf(word, sizeof(word), "%016llx", (unsigned long long)z);
        memcpy(out + i, word, i + 16 <= 40 ? 16 : 40 - (size_t)i);
    }
    out[40] = '\0';
}

/* redis_build_id: this build's identity (version, compiler, compile time) hashed
 * with FNV-1a, in hex as Redis prints its own. */
static unsigned long long build_id(void)
{
    const char *s = FERROUS_VERSION " " __VERSION__ " " __DATE__ " " __TIME__;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* ---- sections ---- */

static void gen_server(FILE *f, const struct info_totals *t)
{
    struct conf_values *conf = worker_conf();
    struct utsname un;
    struct timeval tv;
    char exe[1024] = "", run_id[41];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    exe[n > 0 ? n : 0] = '\0';
    uname(&un);
    gettimeofday(&tv, NULL);
    server_hex_id(0, run_id);
    int64_t uptime = (db_wall_ms() - (int64_t)shm_header()->created_ms) / 1000;
    fprintf(f, "redis_version:%s\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\n"
               "redis_build_id:%llx\r\nredis_mode:standalone\r\nos:%s %s %s\r\narch_bits:%d\r\n"
               "monotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\n"
               "atomicvar_api:c11-builtin\r\ngcc_version:%d.%d.%d\r\n",
            FERROUS_REDIS_VERSION, build_id(), un.sysname, un.release, un.machine, (int)sizeof(long) * 8,
            __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
    fprintf(f, "process_id:%d\r\nprocess_supervised:%s\r\nrun_id:%s\r\ntcp_port:%d\r\n"
               "server_time_usec:%lld\r\nuptime_in_seconds:%lld\r\nuptime_in_days:%lld\r\n"
               "hz:%d\r\nconfigured_hz:%d\r\nlru_clock:%u\r\nexecutable:%s\r\nconfig_file:%s\r\n"
               "io_threads_active:0\r\nferrous_version:%s\r\nworkers:%u\r\n",
            (int)shm_header()->supervisor_pid,
            conf->supervised == CONF_SUP_SYSTEMD ? "systemd"
                : conf->supervised == CONF_SUP_UPSTART ? "upstart" : "no",
            run_id, conf->port, (long long)tv.tv_sec * 1000000 + tv.tv_usec, (long long)uptime,
            (long long)uptime / 86400, conf->hz, conf->hz, db_lru_clock() & ((1u << 24) - 1), exe,
            shm_header()->config_file,
            FERROUS_VERSION, shm_header()->nworkers);
}

/* Client memory as CLIENT LIST shows it for a client of another worker: the largest
 * query buffer, the largest output, and the sum over every client of all workers. */
struct clients_mem { uint64_t max_in, max_out, total; };

static void clients_memory(struct clients_mem *m)
{
    memset(m, 0, sizeof(*m));
    for (uint32_t i = 0; i < registry_capacity(); i++) {
        const struct client_record *r = registry_at(i);
        if (!r->id)
            continue;
        uint64_t in = r->qbuf + r->qbuf_free;
        if (in > m->max_in)
            m->max_in = in;
        if (r->omem > m->max_out)
            m->max_out = r->omem;
        m->total += sizeof(struct client) + in + r->omem;
    }
}

static void gen_clients(FILE *f, const struct info_totals *t)
{
    struct clients_mem m;
    clients_memory(&m);
    fprintf(f, "connected_clients:%llu\r\ncluster_connections:0\r\nmaxclients:%u\r\n"
               "client_recent_max_input_buffer:%llu\r\nclient_recent_max_output_buffer:%llu\r\n"
               "blocked_clients:%llu\r\ntracking_clients:0\r\nclients_in_timeout_table:0\r\n",
            (unsigned long long)t->connected_clients, worker_conf()->maxclients,
            (unsigned long long)m.max_in, (unsigned long long)m.max_out,
            (unsigned long long)shm_header()->blocked_clients);
}

/* ---- memory ---- */

static uint64_t dict_buckets_bytes(const struct dict *d) { return (d->size[0] + d->size[1]) * sizeof(shm_off_t); }

static void add_usable(shm_off_t entry, void *arg) { *(uint64_t *)arg += shm_alloc_usable(entry); }

/* Arena bytes of a table of script bodies: its buckets and its bodies. */
static uint64_t bodies_bytes(const struct dict *d)
{
    uint64_t bytes = dict_buckets_bytes(d), cursor = 0;
    do
        cursor = dict_scan(d, cursor, add_usable, &bytes);
    while (cursor);
    return bytes;
}

/* The databases' own bookkeeping: their bucket arrays and expire entries. */
static uint64_t keyspace_overhead(void)
{
    uint64_t bytes = 0;
    for (int i = 0; i < db_count(); i++) {
        const struct db *db = db_get(i);
        bytes += dict_buckets_bytes(&db->keys) + dict_buckets_bytes(&db->expires) +
                 dict_size(&db->expires) * sizeof(struct expire_entry);
    }
    return bytes;
}

struct mem_figures {
    uint64_t used, rss, peak, startup, overhead, dataset;
    uint64_t active, resident;          /* allocator_*: the arena's pages and the heaps' */
    uint64_t arena_allocated, arena_pages;
    uint64_t scripts_eval, functions, ncached, nlibs;
    struct clients_mem clients;
};

static void memory_figures(const struct info_totals *t, struct mem_figures *m)
{
    struct slab_stats st;
    const struct script_shared *sc = scache_shared();
    memset(m, 0, sizeof(*m));
    slab_get_stats(&st);
    clients_memory(&m->clients);
    m->arena_allocated = st.bytes_allocated;
    m->arena_pages = st.pages_used;
    m->used = maxmemory_used();
    m->rss = server_rss();
    m->peak = t->peak > m->used ? t->peak : m->used;
    m->active = st.pages_used * SHM_PAGE_SIZE + t->alloc_active;
    m->resident = shm_arena_used_bytes() + t->alloc_resident;
    if (sc) {
        m->scripts_eval = bodies_bytes(&sc->scripts);
        m->functions = bodies_bytes(&sc->libraries);
        m->ncached = dict_size(&sc->scripts);
        m->nlibs = dict_size(&sc->libraries);
    }
    m->startup = t->startup_arena + t->startup_private;
    m->overhead = m->startup + keyspace_overhead() + m->scripts_eval + m->functions +
                  (t->private_memory > t->startup_private ? t->private_memory - t->startup_private : 0);
    m->dataset = m->used > m->overhead ? m->used - m->overhead : 0;
}

static double ratio(uint64_t a, uint64_t b) { return b ? (double)a / (double)b : 0.0; }

static void gen_memory_usage(FILE *f, const struct mem_figures *m)
{
    char h1[32], h2[32], h3[32], h4[32];
    uint64_t sysmem = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
    fprintf(f, "used_memory:%llu\r\nused_memory_human:%s\r\nused_memory_rss:%llu\r\n"
               "used_memory_rss_human:%s\r\nused_memory_peak:%llu\r\nused_memory_peak_human:%s\r\n"
               "used_memory_peak_perc:%.2f%%\r\nused_memory_overhead:%llu\r\nused_memory_startup:%llu\r\n"
               "used_memory_dataset:%llu\r\nused_memory_dataset_perc:%.2f%%\r\n"
               "allocator_allocated:%llu\r\nallocator_active:%llu\r\nallocator_resident:%llu\r\n"
               "total_system_memory:%llu\r\ntotal_system_memory_human:%s\r\n",
            (unsigned long long)m->used, human(m->used, h1), (unsigned long long)m->rss, human(m->rss, h2),
            (unsigned long long)m->peak, human(m->peak, h3), 100.0 * ratio(m->used, m->peak),
            (unsigned long long)m->overhead, (unsigned long long)m->startup, (unsigned long long)m->dataset,
            100.0 * ratio(m->dataset, m->used > m->startup ? m->used - m->startup : 1),
            (unsigned long long)m->used, (unsigned long long)m->active, (unsigned long long)m->resident,
            (unsigned long long)sysmem, human(sysmem, h4));
}

/* Lua and the script cache.  The workers' Lua states run EVAL scripts and functions
 * alike: all of it is used_memory_vm_eval. */
static void gen_memory_scripts(FILE *f, const struct info_totals *t, const struct mem_figures *m)
{
    char h1[32], h2[32], h3[32];
    uint64_t scripts = m->scripts_eval + m->functions;
    fprintf(f, "used_memory_lua:%llu\r\nused_memory_vm_eval:%llu\r\nused_memory_lua_human:%s\r\n"
               "used_memory_scripts_eval:%llu\r\nnumber_of_cached_scripts:%llu\r\n"
               "number_of_functions:%llu\r\nnumber_of_libraries:%llu\r\nused_memory_vm_functions:0\r\n"
               "used_memory_vm_total:%llu\r\nused_memory_vm_total_human:%s\r\n"
               "used_memory_functions:%llu\r\nused_memory_scripts:%llu\r\nused_memory_scripts_human:%s\r\n",
            (unsigned long long)t->lua_memory, (unsigned long long)t->lua_memory, human(t->lua_memory, h1),
            (unsigned long long)m->scripts_eval, (unsigned long long)m->ncached,
            (unsigned long long)function_count(),
            (unsigned long long)m->nlibs, (unsigned long long)t->lua_memory, human(t->lua_memory, h2),
            (unsigned long long)m->functions, (unsigned long long)scripts, human(scripts, h3));
}

static void gen_memory_limits(FILE *f, const struct mem_figures *m)
{
    char h1[32], policy[128], alloc[64];
    uint64_t maxmem = worker_conf()->maxmemory;
    allocator_name(alloc, sizeof(alloc));
    fprintf(f, "maxmemory:%llu\r\nmaxmemory_human:%s\r\nmaxmemory_policy:%s\r\n"
               "allocator_frag_ratio:%.2f\r\nallocator_frag_bytes:%lld\r\n"
               "allocator_rss_ratio:%.2f\r\nallocator_rss_bytes:%lld\r\n"
               "rss_overhead_ratio:%.2f\r\nrss_overhead_bytes:%lld\r\n"
               "mem_fragmentation_ratio:%.2f\r\nmem_fragmentation_bytes:%lld\r\n",
            (unsigned long long)maxmem, human(maxmem, h1), conf_text("maxmemory-policy", policy),
            ratio(m->active, m->used), (long long)(m->active - m->used),
            ratio(m->resident, m->active), (long long)(m->resident - m->active),
            ratio(m->rss, m->resident), (long long)(m->rss - m->resident),
            ratio(m->rss, m->used), (long long)(m->rss - m->used));
    fprintf(f, "mem_not_counted_for_evict:0\r\nmem_replication_backlog:0\r\n"
               "mem_total_replication_buffers:0\r\nmem_clients_slaves:0\r\nmem_clients_normal:%llu\r\n"
               "mem_cluster_links:0\r\nmem_aof_buffer:0\r\nmem_allocator:%s\r\n"
               "active_defrag_running:0\r\nlazyfree_pending_objects:%llu\r\nlazyfreed_objects:0\r\n",
            (unsigned long long)m->clients.total, alloc, (unsigned long long)lazyfree_pending());
}

static void gen_memory(FILE *f, const struct info_totals *t)
{
    struct mem_figures m;
    memory_figures(t, &m);
    gen_memory_usage(f, &m);
    gen_memory_scripts(f, t, &m);
    gen_memory_limits(f, &m);
    fprintf(f, "used_memory_arena:%llu\r\nused_memory_private:%llu\r\narena_size:%llu\r\n"
               "arena_resident:%llu\r\narena_pages_used:%llu\r\n",
            (unsigned long long)m.arena_allocated, (unsigned long long)t->private_memory,
            (unsigned long long)shm_header()->arena_size, (unsigned long long)shm_arena_used_bytes(),
            (unsigned long long)m.arena_pages);
}

/* Ferrous does not fork: the save and fork fields are an idle Redis's. */
static void gen_persistence(FILE *f, const struct info_totals *t)
{
    int aof = worker_conf()->appendonly;
    fprintf(f, "loading:0\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\ncurrent_cow_size:0\r\n"
               "current_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\ncurrent_save_keys_processed:0\r\n"
               "current_save_keys_total:0\r\nrdb_changes_since_last_save:%llu\r\n"
               "rdb_bgsave_in_progress:0\r\nrdb_last_save_time:%lld\r\nrdb_last_bgsave_status:ok\r\n"
               "rdb_last_bgsave_time_sec:-1\r\nrdb_current_bgsave_time_sec:-1\r\nrdb_saves:0\r\n"
               "rdb_last_cow_size:0\r\nrdb_last_load_keys_expired:0\r\nrdb_last_load_keys_loaded:0\r\n",
            (unsigned long long)t->dirty, (long long)(shm_header()->created_ms / 1000));
    fprintf(f, "aof_enabled:%d\r\naof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\n"
               "aof_last_rewrite_time_sec:-1\r\naof_current_rewrite_time_sec:-1\r\n"
               "aof_last_bgrewrite_status:ok\r\naof_rewrites:0\r\naof_rewrites_consecutive_failures:0\r\n"
               "aof_last_write_status:ok\r\naof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\n"
               "module_fork_last_cow_size:0\r\n",
            aof);
    if (aof)
        fputs("aof_current_size:0\r\naof_base_size:0\r\naof_pending_rewrite:0\r\naof_buffer_length:0\r\n"
              "aof_pending_bio_fsync:0\r\naof_delayed_fsync:0\r\n", f);
}

static void gen_stats_traffic(FILE *f, const struct info_totals *t)
{
    fprintf(f, "total_connections_received:%llu\r\ntotal_commands_processed:%llu\r\n"
               "instantaneous_ops_per_sec:%llu\r\ntotal_net_input_bytes:%llu\r\n"
               "total_net_output_bytes:%llu\r\ntotal_net_repl_input_bytes:0\r\n"
               "total_net_repl_output_bytes:0\r\ninstantaneous_input_kbps:%.2f\r\n"
               "instantaneous_output_kbps:%.2f\r\ninstantaneous_input_repl_kbps:0.00\r\n"
               "instantaneous_output_repl_kbps:0.00\r\nrejected_connections:%llu\r\nsync_full:0\r\n"
               "sync_partial_ok:0\r\nsync_partial_err:0\r\n",
            (unsigned long long)t->connections_received, (unsigned long long)t->commands,
            (unsigned long long)t->ops_per_sec, (unsigned long long)t->net_in, (unsigned long long)t->net_out,
            (double)t->input_per_sec / 1024, (double)t->output_per_sec / 1024, (unsigned long long)t->rejected);
}

static void gen_stats_keyspace(FILE *f, const struct info_totals *t)
{
    fprintf(f, "expired_keys:%llu\r\nexpired_stale_perc:0.00\r\nexpired_time_cap_reached_count:%llu\r\n"
               "expire_cycle_cpu_milliseconds:%llu\r\nevicted_keys:%llu\r\nevicted_clients:0\r\n"
               "total_eviction_exceeded_time:0\r\ncurrent_eviction_exceeded_time:0\r\n"
               "keyspace_hits:%llu\r\nkeyspace_misses:%llu\r\npubsub_channels:%llu\r\n"
               "pubsub_patterns:%llu\r\npubsubshard_channels:%llu\r\nlatest_fork_usec:0\r\n"
               "total_forks:0\r\nmigrate_cached_sockets:0\r\nslave_expires_tracked_keys:0\r\n",
            (unsigned long long)t->expired, (unsigned long long)t->expire_cap_reached,
            (unsigned long long)t->expire_cycle_us / 1000, (unsigned long long)t->evicted,
            (unsigned long long)t->hits, (unsigned long long)t->misses,
            (unsigned long long)pubsub_numchannels(0), (unsigned long long)pubsub_numpat(),
            (unsigned long long)pubsub_numchannels(1));
}

static void gen_stats(FILE *f, const struct info_totals *t)
{
    gen_stats_traffic(f, t);
    gen_stats_keyspace(f, t);
    fprintf(f, "active_defrag_hits:0\r\nactive_defrag_misses:0\r\nactive_defrag_key_hits:0\r\n"
               "active_defrag_key_misses:0\r\ntotal_active_defrag_time:0\r\ncurrent_active_defrag_time:0\r\n"
               "tracking_total_keys:0\r\ntracking_total_items:0\r\ntracking_total_prefixes:0\r\n"
               "unexpected_error_replies:0\r\ntotal_error_replies:%llu\r\ndump_payload_sanitizations:0\r\n"
               "total_reads_processed:%llu\r\ntotal_writes_processed:%llu\r\n"
               "io_threaded_reads_processed:0\r\nio_threaded_writes_processed:0\r\n"
               "reply_buffer_shrinks:0\r\nreply_buffer_expands:0\r\n",
            (unsigned long long)t->errors, (unsigned long long)t->reads, (unsigned long long)t->writes);
}

static void gen_replication(FILE *f, const struct info_totals *t)
{
    char replid[41];
    server_hex_id(0x5245504cULL, replid);
    fprintf(f, "role:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\n"
               "master_replid:%s\r\nmaster_replid2:0000000000000000000000000000000000000000\r\n"
               "master_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:0\r\n"
               "repl_backlog_size:%lld\r\nrepl_backlog_first_byte_offset:0\r\n"
               "repl_backlog_histlen:0\r\n",
            replid, worker_conf()->repl_backlog_size);
}

static void gen_cpu(FILE *f, const struct info_totals *t)
{
    int pids[SHM_MAX_WORKERS + 1];
    int n = server_pids(pids);
    struct cpu_times all = { 0 };
    for (int i = 0; i < n; i++)
        proc_cpu_add(pids[i], &all);
    struct rusage self;
    getrusage(RUSAGE_SELF, &self);
    fprintf(f, "used_cpu_sys:%.6f\r\nused_cpu_user:%.6f\r\nused_cpu_sys_children:%.6f\r\n"
               "used_cpu_user_children:%.6f\r\nused_cpu_sys_main_thread:%ld.%06ld\r\n"
               "used_cpu_user_main_thread:%ld.%06ld\r\n",
            all.sys, all.user, all.child_sys, all.child_user, (long)self.ru_stime.tv_sec,
            (long)self.ru_stime.tv_usec, (long)self.ru_utime.tv_sec, (long)self.ru_utime.tv_usec);
}

/* Modules: the header alone, as Redis prints an empty section. */
static void gen_empty(FILE *f, const struct info_totals *t) {}

/* Per-command, per-error statistics and latency percentiles, summed over the workers
 * (worker/cmdstats.h). */
static void gen_commandstats(FILE *f, const struct info_totals *t) { cmdstats_info_commands(f); }
static void gen_errorstats(FILE *f, const struct info_totals *t) { cmdstats_info_errors(f); }
static void gen_latencystats(FILE *f, const struct info_totals *t) { cmdstats_info_latency(f); }

static void gen_cluster(FILE *f, const struct info_totals *t) { fputs("cluster_enabled:0\r\n", f); }

static void gen_keyspace(FILE *f, const struct info_totals *t)
{
    for (int i = 0; i < db_count(); i++) {
        struct db *db = db_get(i);
        uint64_t keys = db_size(db), expires = db_expires_size(db);
        if (keys || expires)
            fprintf(f, "db%d:keys=%llu,expires=%llu,avg_ttl=%llu\r\n", i, (unsigned long long)keys,
                    (unsigned long long)expires, (unsigned long long)db->avg_ttl);
    }
}

struct info_section {
    const char *name, *alias;       /* as asked for (lower case) */
    const char *title;
    int in_default;
    void (*gen)(FILE *f, const struct info_totals *t);
};

/* In Redis's output order. */
static const struct info_section sections[] = {
    { "server", NULL, "Server", 1, gen_server },
    { "clients", NULL, "Clients", 1, gen_clients },
    { "memory", NULL, "Memory", 1, gen_memory },
    { "persistence", NULL, "Persistence", 1, gen_persistence },
    { "stats", NULL, "Stats", 1, gen_stats },
    { "replication", NULL, "Replication", 1, gen_replication },
    { "cpu", NULL, "CPU", 1, gen_cpu },
    { "module_list", "modules", "Modules", 1, gen_empty },
    { "commandstats", NULL, "Commandstats", 0, gen_commandstats },
    { "errorstats", NULL, "Errorstats", 1, gen_errorstats },
    { "latencystats", NULL, "Latencystats", 0, gen_latencystats },
    { "cluster", NULL, "Cluster", 1, gen_cluster },
    { "keyspace", NULL, "Keyspace", 1, gen_keyspace },
};
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

/* Which sections the arguments ask for: a bit per sections[] entry. */
static unsigned wanted_sections(const struct cmd_ctx *c)
{
    unsigned want = 0, defaults = 0;
    for (size_t s = 0; s < NSECTIONS; s++)
        defaults |= sections[s].in_default ? 1u << s : 0;
    if (c->argc == 1)
        return defaults;
    for (int i = 1; i < c->argc; i++) {
        if (arg_is(c, i, "default"))
            want |= defaults;
        else if (arg_is(c, i, "all") || arg_is(c, i, "everything"))
            want = ~0u;
        for (size_t s = 0; s < NSECTIONS; s++)
            if (arg_is(c, i, sections[s].name) || (sections[s].alias && arg_is(c, i, sections[s].alias)))
                want |= 1u << s;
    }
    return want;
}

/* INFO [section [section ...]] */
static void info_command(struct cmd_ctx *c)
{
    unsigned want = wanted_sections(c);
    struct info_totals totals;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        reply_error(c->reply, "ERR out of memory");
        return;
    }
    cron_publish_stats();
    sum_slots(&totals);
    int emitted = 0;
    for (size_t s = 0; s < NSECTIONS; s++) {
        if (!(want & (1u << s)))
            continue;
        fprintf(f, "%s# %s\r\n", emitted++ ? "\r\n" : "", sections[s].title);
        sections[s].gen(f, &totals);
    }
    fclose(f);
    reply_verbatim(c->reply, text, len, "txt");
    free(text);
}

const struct command info_commands[] = {
    { "info", info_command, -1, CMD_LOADING | CMD_STALE, 0, 0, 0, "server", "1.0.0",
      "Get information and statistics about the server", "O(1)", "@slow @dangerous", NULL, NULL },
    { 0 }
};
