/* worker/cmd_info.c - INFO [section ...]: the server's state in Redis 7.0's text
 * format ("# Server\r\nredis_version:7.0.15\r\n...", sections separated by a blank
 * line), field names as Redis's wherever the data exists, plus Ferrous's own
 * (ferrous_version, workers, the arena's sizes).
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
 *  - used_cpu_*: the same processes' times from /proc/PID/stat;
 *  - commandstats, errorstats, latencystats: every worker's tables (worker/cmdstats.h).
 * INFO runs under the keyspace lock (the keyspace section reads the tables).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "conf/conf.h"
#include "keyspace/db.h"
#include "keyspace/pubsub.h"
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
};

static void sum_slots(struct info_totals *t)
{
    memset(t, 0, sizeof(*t));
    for (uint32_t i = 0; i < shm_header()->nworkers; i++) {
        const struct shm_worker_slot *s = &shm_header()->workers[i];
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
        t->private_memory += s->used_memory_private;
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
               "redis_mode:standalone\r\nos:%s %s %s\r\narch_bits:%d\r\n"
               "monotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\n"
               "atomicvar_api:c11-builtin\r\ngcc_version:%d.%d.%d\r\n",
            FERROUS_REDIS_VERSION, un.sysname, un.release, un.machine, (int)sizeof(long) * 8,
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

static void gen_clients(FILE *f, const struct info_totals *t)
{
    uint64_t max_in = 0, max_out = 0;
    for (uint32_t i = 0; i < registry_capacity(); i++) {
        const struct client_record *r = registry_at(i);
        if (!r->id)
            continue;
        if (r->qbuf + r->qbuf_free > max_in)
            max_in = r->qbuf + r->qbuf_free;
        if (r->omem > max_out)
            max_out = r->omem;
    }
    fprintf(f, "connected_clients:%llu\r\ncluster_connections:0\r\nmaxclients:%u\r\n"
               "client_recent_max_input_buffer:%llu\r\nclient_recent_max_output_buffer:%llu\r\n"
               "blocked_clients:%llu\r\ntracking_clients:0\r\nclients_in_timeout_table:0\r\n",
            (unsigned long long)t->connected_clients, worker_conf()->maxclients,
            (unsigned long long)max_in, (unsigned long long)max_out,
            (unsigned long long)shm_header()->blocked_clients);
}

static void gen_memory(FILE *f, const struct info_totals *t)
{
    static uint64_t peak;           /* the highest this worker has seen */
    struct slab_stats st;
    char h1[32], h2[32], h3[32], h4[32], h5[32], policy[128], alloc[64];
    slab_get_stats(&st);
    uint64_t used = maxmemory_used();
    uint64_t rss = server_rss();
    uint64_t sysmem = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t maxmem = worker_conf()->maxmemory;
    if (used > peak)
        peak = used;
    allocator_name(alloc, sizeof(alloc));
    fprintf(f, "used_memory:%llu\r\nused_memory_human:%s\r\nused_memory_rss:%llu\r\n"
               "used_memory_rss_human:%s\r\nused_memory_peak:%llu\r\nused_memory_peak_human:%s\r\n"
               "used_memory_peak_perc:%.2f%%\r\nused_memory_arena:%llu\r\nused_memory_private:%llu\r\n"
               "arena_size:%llu\r\narena_resident:%llu\r\narena_pages_used:%llu\r\n"
               "total_system_memory:%llu\r\ntotal_system_memory_human:%s\r\n",
            (unsigned long long)used, human(used, h1), (unsigned long long)rss, human(rss, h2),
            (unsigned long long)peak, human(peak, h3), peak ? 100.0 * (double)used / (double)peak : 0.0,
            (unsigned long long)st.bytes_allocated, (unsigned long long)t->private_memory,
            (unsigned long long)shm_header()->arena_size, (unsigned long long)shm_arena_used_bytes(),
            (unsigned long long)st.pages_used, (unsigned long long)sysmem, human(sysmem, h4));
    fprintf(f, "maxmemory:%llu\r\nmaxmemory_human:%s\r\nmaxmemory_policy:%s\r\n"
               "mem_fragmentation_ratio:%.2f\r\nmem_fragmentation_bytes:%lld\r\n"
               "mem_allocator:%s\r\nactive_defrag_running:0\r\nlazyfree_pending_objects:0\r\n"
               "lazyfreed_objects:0\r\n",
            (unsigned long long)maxmem, human(maxmem, h5), conf_text("maxmemory-policy", policy),
            used ? (double)rss / (double)used : 0.0, (long long)(rss - used), alloc);
}

static void gen_persistence(FILE *f, const struct info_totals *t)
{
    fprintf(f, "loading:0\r\nasync_loading:0\r\nrdb_changes_since_last_save:%llu\r\n"
               "rdb_bgsave_in_progress:0\r\nrdb_last_save_time:%lld\r\nrdb_last_bgsave_status:ok\r\n"
               "rdb_last_bgsave_time_sec:-1\r\nrdb_current_bgsave_time_sec:-1\r\nrdb_saves:0\r\n"
               "aof_enabled:%d\r\naof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\n"
               "aof_last_rewrite_time_sec:-1\r\naof_current_rewrite_time_sec:-1\r\n"
               "aof_last_bgrewrite_status:ok\r\naof_rewrites:0\r\naof_last_write_status:ok\r\n",
            (unsigned long long)t->dirty, (long long)(shm_header()->created_ms / 1000),
            worker_conf()->appendonly);
}

static void gen_stats(FILE *f, const struct info_totals *t)
{
    fprintf(f, "total_connections_received:%llu\r\ntotal_commands_processed:%llu\r\n"
               "instantaneous_ops_per_sec:%llu\r\ntotal_net_input_bytes:%llu\r\n"
               "total_net_output_bytes:%llu\r\ntotal_net_repl_input_bytes:0\r\n"
               "total_net_repl_output_bytes:0\r\ninstantaneous_input_kbps:0.00\r\n"
               "instantaneous_output_kbps:0.00\r\nrejected_connections:%llu\r\nsync_full:0\r\n"
               "sync_partial_ok:0\r\nsync_partial_err:0\r\nexpired_keys:%llu\r\n"
               "evicted_keys:%llu\r\nevicted_clients:0\r\nkeyspace_hits:%llu\r\n"
               "keyspace_misses:%llu\r\npubsub_channels:%llu\r\npubsub_patterns:%llu\r\n"
               "pubsubshard_channels:%llu\r\n"
               "latest_fork_usec:0\r\ntotal_forks:0\r\nunexpected_error_replies:0\r\n"
               "total_error_replies:%llu\r\n",
            (unsigned long long)t->connections_received, (unsigned long long)t->commands,
            (unsigned long long)t->ops_per_sec, (unsigned long long)t->net_in, (unsigned long long)t->net_out,
            (unsigned long long)t->rejected, (unsigned long long)t->expired,
            (unsigned long long)t->evicted, (unsigned long long)t->hits,
            (unsigned long long)t->misses, (unsigned long long)pubsub_numchannels(0),
            (unsigned long long)pubsub_numpat(), (unsigned long long)pubsub_numchannels(1),
            (unsigned long long)t->errors);
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
