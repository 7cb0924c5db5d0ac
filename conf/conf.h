/* conf/conf.h - every configuration directive Redis 7.0 knows (plus Ferrous's own
 * "workers" and "arena-size"), their values, and the three ways to change or read
 * them: a config-file line (conf_apply), CONFIG SET (conf_set_pairs) and CONFIG GET
 * (conf_get).  Types, ranges, defaults, aliases and error texts are Redis 7.0.15's.
 *
 * Invariants of struct conf_values: fixed size, no pointers, valid after memcpy to any
 * address.  It lives in the shared arena so CONFIG SET on one worker is seen by all;
 * whoever writes it holds the keyspace lock (conf/ itself takes no lock).  Strings are
 * NUL-terminated inside their arrays; a longer value is refused with an error.
 * Redis's "NULL" strings (pidfile, unixsocket, ...) are "" here, as CONFIG GET shows.
 *
 * What conf/ does not do: act on a value (chdir, listen, open files, apply hz); the
 * config-file reader (master/config_file.c) handles "include" and the files. */
#ifndef CONF_CONF_H
#define CONF_CONF_H
#include <stddef.h>

#define CONF_PATH_MAX 1024      /* any string directive, including its NUL */
#define CONF_BIND_MAX 16        /* Redis's CONFIG_BINDADDR_MAX */
#define CONF_BIND_ADDR_MAX 256  /* one bind address, including its NUL */
#define CONF_SAVE_MAX 16        /* save points */
#define CONF_PERCENTILES_MAX 16 /* latency-tracking-info-percentiles */
#define CONF_RENAME_MAX 32      /* rename-command lines */
#define CONF_CMDNAME_MAX 64

/* Enum directives: values are indexes into conf/'s name lists, in Redis's order. */
enum conf_loglevel { CONF_LL_DEBUG, CONF_LL_VERBOSE, CONF_LL_NOTICE, CONF_LL_WARNING };
enum conf_maxmemory_policy {
    CONF_MM_VOLATILE_LRU, CONF_MM_VOLATILE_LFU, CONF_MM_VOLATILE_RANDOM, CONF_MM_VOLATILE_TTL,
    CONF_MM_ALLKEYS_LRU, CONF_MM_ALLKEYS_LFU, CONF_MM_ALLKEYS_RANDOM, CONF_MM_NOEVICTION
};
enum conf_appendfsync { CONF_FSYNC_EVERYSEC, CONF_FSYNC_ALWAYS, CONF_FSYNC_NO };
enum conf_supervised { CONF_SUP_UPSTART, CONF_SUP_SYSTEMD, CONF_SUP_AUTO, CONF_SUP_NO };
enum conf_protected_action { CONF_PROT_NO, CONF_PROT_YES, CONF_PROT_LOCAL };
/* shutdown-on-sigint/-sigterm hold a set of these bits (0 = "default") */
enum { CONF_SHUTDOWN_SAVE = 1, CONF_SHUTDOWN_NOSAVE = 2, CONF_SHUTDOWN_NOW = 4,
       CONF_SHUTDOWN_FORCE = 8 };

/* notify-keyspace-events bits (Redis's NOTIFY_*) */
enum {
    CONF_NOTIFY_KEYSPACE = 1 << 0, CONF_NOTIFY_KEYEVENT = 1 << 1, CONF_NOTIFY_GENERIC = 1 << 2,
    CONF_NOTIFY_STRING = 1 << 3, CONF_NOTIFY_LIST = 1 << 4, CONF_NOTIFY_SET = 1 << 5,
    CONF_NOTIFY_HASH = 1 << 6, CONF_NOTIFY_ZSET = 1 << 7, CONF_NOTIFY_EXPIRED = 1 << 8,
    CONF_NOTIFY_EVICTED = 1 << 9, CONF_NOTIFY_STREAM = 1 << 10, CONF_NOTIFY_KEY_MISS = 1 << 11,
    CONF_NOTIFY_MODULE = 1 << 13, CONF_NOTIFY_NEW = 1 << 14,
    CONF_NOTIFY_ALL = CONF_NOTIFY_GENERIC | CONF_NOTIFY_STRING | CONF_NOTIFY_LIST |
                      CONF_NOTIFY_SET | CONF_NOTIFY_HASH | CONF_NOTIFY_ZSET |
                      CONF_NOTIFY_EXPIRED | CONF_NOTIFY_EVICTED | CONF_NOTIFY_STREAM |
                      CONF_NOTIFY_MODULE
};

enum conf_obuf_class { CONF_OBUF_NORMAL, CONF_OBUF_REPLICA, CONF_OBUF_PUBSUB, CONF_OBUF_COUNT };

struct conf_save_point { long long seconds; int changes; };
struct conf_obuf_limit { unsigned long long hard, soft; int soft_seconds; };
struct conf_rename { char from[CONF_CMDNAME_MAX], to[CONF_CMDNAME_MAX]; };

struct conf_values {
    /* network */
    int port, tcp_backlog, timeout, tcp_keepalive, protected_mode;
    int nbind;
    char bind[CONF_BIND_MAX][CONF_BIND_ADDR_MAX];
    char unixsocket[CONF_PATH_MAX];
    unsigned int unixsocketperm;
    char bind_source_addr[CONF_PATH_MAX];
    unsigned int socket_mark_id;
    /* process */
    int daemonize, supervised, set_proc_title, always_show_logo, disable_thp;
    char pidfile[CONF_PATH_MAX], logfile[CONF_PATH_MAX], dir[CONF_PATH_MAX];
    char proc_title_template[CONF_PATH_MAX], ignore_warnings[CONF_PATH_MAX];
    int loglevel, syslog_enabled, syslog_facility, crash_log_enabled, crash_memcheck_enabled;
    char syslog_ident[CONF_PATH_MAX];
    int use_exit_on_panic, oom_score_adj, oom_score_adj_values[3], shutdown_timeout;
    int shutdown_on_sigint, shutdown_on_sigterm, watchdog_period;
    char server_cpulist[CONF_PATH_MAX], bio_cpulist[CONF_PATH_MAX];
    char aof_rewrite_cpulist[CONF_PATH_MAX], bgsave_cpulist[CONF_PATH_MAX];
    int io_threads, io_threads_do_reads, jemalloc_bg_thread;
    int enable_protected_configs, enable_debug_command, enable_module_command;
    int workers;                       /* Ferrous: worker processes, 0 = online cores */
    unsigned long long arena_size;     /* Ferrous: arena bytes, 0 = automatic */
    /* clients and limits */
    int databases, hz, dynamic_hz, active_expire_effort;
    unsigned int maxclients;
    unsigned long long maxmemory;
    int maxmemory_policy, maxmemory_samples, maxmemory_eviction_tenacity;
    long long maxmemory_clients;       /* bytes; a negative value -p means p percent */
    long long proto_max_bulk_len;
    unsigned long long client_query_buffer_limit;
    struct conf_obuf_limit obuf_limits[CONF_OBUF_COUNT];
    long long busy_reply_threshold;    /* ms; alias lua-time-limit */
    long long slowlog_log_slower_than;
    unsigned long long slowlog_max_len, acllog_max_len;
    long long latency_monitor_threshold;
    int latency_tracking, npercentiles;
    double latency_tracking_info_percentiles[CONF_PERCENTILES_MAX];
    int notify_keyspace_events;
    int lfu_log_factor, lfu_decay_time, activerehashing;
    unsigned long long tracking_table_max_keys;
    /* security */
    char requirepass[CONF_PATH_MAX], masterauth[CONF_PATH_MAX], masteruser[CONF_PATH_MAX];
    char aclfile[CONF_PATH_MAX];
    int acl_pubsub_default, sanitize_dump_payload;
    int nrenames;
    struct conf_rename renames[CONF_RENAME_MAX];
    /* encodings */
    unsigned long long hash_max_listpack_entries, hash_max_listpack_value;
    int list_max_listpack_size, list_compress_depth;
    unsigned long long set_max_intset_entries;
    unsigned long long zset_max_listpack_entries, zset_max_listpack_value;
    unsigned long long hll_sparse_max_bytes, stream_node_max_bytes;
    long long stream_node_max_entries;
    /* lazy free, defrag */
    int lazyfree_lazy_eviction, lazyfree_lazy_expire, lazyfree_lazy_server_del;
    int lazyfree_lazy_user_del, lazyfree_lazy_user_flush, replica_lazy_flush;
    int activedefrag, active_defrag_cycle_min, active_defrag_cycle_max;
    int active_defrag_threshold_lower, active_defrag_threshold_upper;
    unsigned long long active_defrag_ignore_bytes, active_defrag_max_scan_fields;
    /* persistence */
    int nsave;
    struct conf_save_point save[CONF_SAVE_MAX];
    int save_is_default;               /* the first config-file "save" replaces them */
    char dbfilename[CONF_PATH_MAX];
    int rdbcompression, rdbchecksum, rdb_del_sync_files, rdb_save_incremental_fsync;
    int stop_writes_on_bgsave_error, rdb_key_save_delay, key_load_delay;
    int appendonly, appendfsync, no_appendfsync_on_rewrite, aof_load_truncated;
    int aof_use_rdb_preamble, aof_rewrite_incremental_fsync, aof_timestamp_enabled;
    int aof_disable_auto_gc, auto_aof_rewrite_percentage;
    char appendfilename[CONF_PATH_MAX], appenddirname[CONF_PATH_MAX];
    long long auto_aof_rewrite_min_size, loading_process_events_interval_bytes;
    /* replication */
    char replicaof_host[CONF_PATH_MAX];  /* "" = this is a primary */
    int replicaof_port;
    int replica_serve_stale_data, replica_read_only, replica_ignore_maxmemory;
    int replica_announced, replica_ignore_disk_write_errors, replica_priority;
    char replica_announce_ip[CONF_PATH_MAX];
    int replica_announce_port;
    int repl_diskless_sync, repl_diskless_sync_delay, repl_diskless_sync_max_replicas;
    int repl_diskless_load, repl_disable_tcp_nodelay, repl_timeout, repl_ping_replica_period;
    long long repl_backlog_size, repl_backlog_ttl;
    int min_replicas_to_write, min_replicas_max_lag, propagation_error_behavior;
    /* cluster (validated and stored; Ferrous has no cluster mode) */
    int cluster_enabled, cluster_port, cluster_announce_port, cluster_announce_bus_port;
    int cluster_announce_tls_port, cluster_replica_validity_factor, cluster_migration_barrier;
    int cluster_require_full_coverage, cluster_replica_no_failover;
    int cluster_allow_reads_when_down, cluster_allow_pubsubshard_when_down;
    int cluster_allow_replica_migration, cluster_preferred_endpoint_type;
    long long cluster_node_timeout;
    unsigned long long cluster_link_sendbuf_limit;
    char cluster_config_file[CONF_PATH_MAX], cluster_announce_ip[CONF_PATH_MAX];
    char cluster_announce_hostname[CONF_PATH_MAX];
    /* tls (validated and stored; Ferrous has no TLS) */
    int tls_port, tls_cluster, tls_replication, tls_auth_clients, tls_prefer_server_ciphers;
    int tls_session_caching, tls_session_cache_size, tls_session_cache_timeout;
    char tls_cert_file[CONF_PATH_MAX], tls_key_file[CONF_PATH_MAX];
    char tls_key_file_pass[CONF_PATH_MAX], tls_client_cert_file[CONF_PATH_MAX];
    char tls_client_key_file[CONF_PATH_MAX], tls_client_key_file_pass[CONF_PATH_MAX];
    char tls_dh_params_file[CONF_PATH_MAX], tls_ca_cert_file[CONF_PATH_MAX];
    char tls_ca_cert_dir[CONF_PATH_MAX], tls_protocols[CONF_PATH_MAX];
    char tls_ciphers[CONF_PATH_MAX], tls_ciphersuites[CONF_PATH_MAX];
};

/* Fills v with Redis 7.0's defaults (dir = the current directory, bind "* -::*",
 * save "3600 1 300 100 60 10000", ...). */
void conf_defaults(struct conf_values *v);

/* Applies one config-file line already split into words; argv[0] is the directive
 * (any case).  Config-file rules: a single-value directive needs exactly one
 * argument; a multi-value one (save, bind, client-output-buffer-limit, ...) given one
 * non-empty argument has it re-split with splitargs; the first "save" line replaces
 * the default save points and later ones add to them.  Also accepts Redis's
 * deprecated no-op directives and stores rename-command.  Does not handle "include"
 * (the reader does).  Returns 0, or -1 with Redis's message (no "ERR ") in err. */
int conf_apply(struct conf_values *v, int argc, char **argv, size_t *argvlen,
               char *err, size_t errlen);

/* CONFIG SET's argument list after "SET": param value [param value ...].  All or
 * nothing: on any error v is unchanged.  err gets the full reply text, e.g.
 * "ERR Unknown option or number of arguments for CONFIG SET - 'foo'".  Protected
 * configs (dir, dbfilename) are allowed as enable-protected-configs says;
 * client_is_local tells whether "local" applies.  Returns 0 or -1. */
int conf_set_pairs_from(struct conf_values *v, int argc, const char **argv,
                        const size_t *argvlen, int client_is_local, char *err, size_t errlen);
/* conf_set_pairs_from for a non-local client. */
int conf_set_pairs(struct conf_values *v, int argc, const char **argv, const size_t *argvlen,
                   char *err, size_t errlen);

typedef void conf_emit_fn(const char *name, const char *value, size_t vlen, void *arg);

/* CONFIG GET <pattern>: calls emit(name, value) once per matching directive, values
 * formatted as Redis's CONFIG GET prints them.  A pattern with no * ? [ is an exact,
 * case-insensitive lookup echoing the name as given (hidden directives only match
 * so); otherwise a case-insensitive glob over names and aliases (an alias is a name
 * of its own, as in Redis 7.0).  Returns the number of pairs; emit may be NULL to
 * count them first (for the reply's map length). */
int conf_get(const struct conf_values *v, const char *pattern, size_t plen,
             conf_emit_fn *emit, void *arg);
/* CONFIG GET with several patterns: each name emitted at most once. */
int conf_get_many(const struct conf_values *v, int npat, const char **pats,
                   const size_t *plens, conf_emit_fn *emit, void *arg);

/* 1 if CONFIG SET name's value must be redacted from logs (requirepass, ...). */
int conf_is_sensitive(const char *name, size_t len);

#endif
