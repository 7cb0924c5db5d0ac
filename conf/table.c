/* conf/table.c - the directive table: every directive Redis 7.0.15 knows (names,
 * aliases, types, ranges, defaults, flags as redis-server 7.0.15 reports them) plus
 * Ferrous's "workers" and "arena-size".  Data only; behaviour is in conf/types.c and
 * conf/special.c.
 *
 * Ferrous differences: port and bind are immutable (the supervisor owns the
 * listening sockets), as are workers and arena-size. */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/directive.h"

#define WSIZE(w) ((w) == W_I32 || (w) == W_U32 ? 4 : 8)
/* offset of field f, with a compile-time check that f has the width the table says */
#define OFFW(f, size) \
    (offsetof(struct conf_values, f) + \
     0 * sizeof(char[sizeof(((struct conf_values *)0)->f) == (size) ? 1 : -1]))

#define BOOLX(n, a, fl, f, dv, chk) \
    {.name = n, .alias = a, .flags = fl, .type = CT_BOOL, .off = OFFW(f, 4), .def = dv, \
     .check = chk}
#define BOOL(n, a, fl, f, dv) BOOLX(n, a, fl, f, dv, NULL)
#define NUM(n, a, fl, f, w, nf, l, h, dv) \
    {.name = n, .alias = a, .flags = fl, .type = CT_NUM, .off = OFFW(f, WSIZE(w)), \
     .width = w, .nflags = nf, .lo = l, .hi = h, .def = dv}
#define INT(n, a, fl, f, l, h, dv) NUM(n, a, fl, f, W_I32, NF_INT, l, h, dv)
#define ENUM(n, a, fl, f, e, dv) \
    {.name = n, .alias = a, .flags = fl, .type = CT_ENUM, .off = OFFW(f, 4), .enums = e, \
     .def = dv}
#define STRX(n, a, fl, f, dv, chk) \
    {.name = n, .alias = a, .flags = fl, .type = CT_STR, .off = OFFW(f, CONF_PATH_MAX), \
     .sdef = dv, .check = chk}
#define STR(n, a, fl, f, dv) STRX(n, a, fl, f, dv, NULL)
#define SPECIAL(n, a, fl, f, setfn, getfn) \
    {.name = n, .alias = a, .flags = fl, .type = CT_SPECIAL, \
     .off = offsetof(struct conf_values, f), .set = setfn, .get = getfn}

#define IMM F_IMMUTABLE
#define MB (1024LL * 1024)

static const struct conf_enum e_supervised[] = {
    {"upstart", CONF_SUP_UPSTART}, {"systemd", CONF_SUP_SYSTEMD}, {"auto", CONF_SUP_AUTO},
    {"no", CONF_SUP_NO}, {NULL, 0}};
static const struct conf_enum e_facility[] = {
    {"user", 0}, {"local0", 1}, {"local1", 2}, {"local2", 3}, {"local3", 4},
    {"local4", 5}, {"local5", 6}, {"local6", 7}, {"local7", 8}, {NULL, 0}};
static const struct conf_enum e_diskless_load[] = {
    {"disabled", 0}, {"on-empty-db", 1}, {"swapdb", 2}, {NULL, 0}};
static const struct conf_enum e_loglevel[] = {
    {"debug", CONF_LL_DEBUG}, {"verbose", CONF_LL_VERBOSE}, {"notice", CONF_LL_NOTICE},
    {"warning", CONF_LL_WARNING}, {NULL, 0}};
static const struct conf_enum e_policy[] = {
    {"volatile-lru", CONF_MM_VOLATILE_LRU}, {"volatile-lfu", CONF_MM_VOLATILE_LFU},
    {"volatile-random", CONF_MM_VOLATILE_RANDOM}, {"volatile-ttl", CONF_MM_VOLATILE_TTL},
    {"allkeys-lru", CONF_MM_ALLKEYS_LRU}, {"allkeys-lfu", CONF_MM_ALLKEYS_LFU},
    {"allkeys-random", CONF_MM_ALLKEYS_RANDOM}, {"noeviction", CONF_MM_NOEVICTION},
    {NULL, 0}};
static const struct conf_enum e_fsync[] = {
    {"everysec", CONF_FSYNC_EVERYSEC}, {"always", CONF_FSYNC_ALWAYS}, {"no", CONF_FSYNC_NO},
    {NULL, 0}};
static const struct conf_enum e_oom[] = {   /* 0 no, 1 relative, 2 absolute */
    {"no", 0}, {"yes", 1}, {"relative", 1}, {"absolute", 2}, {NULL, 0}};
static const struct conf_enum e_pubsub_default[] = {
    {"allchannels", 1}, {"resetchannels", 0}, {NULL, 0}};
static const struct conf_enum e_sanitize[] = {
    {"no", 0}, {"yes", 1}, {"clients", 2}, {NULL, 0}};
static const struct conf_enum e_protected[] = {
    {"no", CONF_PROT_NO}, {"yes", CONF_PROT_YES}, {"local", CONF_PROT_LOCAL}, {NULL, 0}};
static const struct conf_enum e_endpoint[] = {
    {"ip", 0}, {"hostname", 1}, {"unknown-endpoint", 2}, {NULL, 0}};
static const struct conf_enum e_propagation[] = {
    {"ignore", 0}, {"panic", 1}, {"panic-on-replicas", 2}, {NULL, 0}};
static const struct conf_enum e_tls_auth[] = {
    {"no", 0}, {"yes", 1}, {"optional", 2}, {NULL, 0}};

const struct conf_directive conf_table[] = {
    /* booleans */
    BOOL("rdbchecksum", NULL, IMM, rdbchecksum, 1),
    BOOL("daemonize", NULL, IMM, daemonize, 0),
    BOOL("io-threads-do-reads", NULL, IMM, io_threads_do_reads, 0),
    BOOL("always-show-logo", NULL, IMM, always_show_logo, 0),
    BOOL("protected-mode", NULL, 0, protected_mode, 1),
    BOOL("rdbcompression", NULL, 0, rdbcompression, 1),
    BOOL("rdb-del-sync-files", NULL, 0, rdb_del_sync_files, 0),
    BOOL("activerehashing", NULL, 0, activerehashing, 1),
    BOOL("stop-writes-on-bgsave-error", NULL, 0, stop_writes_on_bgsave_error, 1),
    BOOL("set-proc-title", NULL, IMM, set_proc_title, 1),
    BOOL("dynamic-hz", NULL, 0, dynamic_hz, 1),
    BOOL("lazyfree-lazy-eviction", NULL, 0, lazyfree_lazy_eviction, 0),
    BOOL("lazyfree-lazy-expire", NULL, 0, lazyfree_lazy_expire, 0),
    BOOL("lazyfree-lazy-server-del", NULL, 0, lazyfree_lazy_server_del, 0),
    BOOL("lazyfree-lazy-user-del", NULL, 0, lazyfree_lazy_user_del, 0),
    BOOL("lazyfree-lazy-user-flush", NULL, 0, lazyfree_lazy_user_flush, 0),
    BOOL("repl-disable-tcp-nodelay", NULL, 0, repl_disable_tcp_nodelay, 0),
    BOOL("repl-diskless-sync", NULL, 0, repl_diskless_sync, 1),
    BOOL("aof-rewrite-incremental-fsync", NULL, 0, aof_rewrite_incremental_fsync, 1),
    BOOL("no-appendfsync-on-rewrite", NULL, 0, no_appendfsync_on_rewrite, 0),
    BOOL("cluster-require-full-coverage", NULL, 0, cluster_require_full_coverage, 1),
    BOOL("rdb-save-incremental-fsync", NULL, 0, rdb_save_incremental_fsync, 1),
    BOOL("aof-load-truncated", NULL, 0, aof_load_truncated, 1),
    BOOL("aof-use-rdb-preamble", NULL, 0, aof_use_rdb_preamble, 1),
    BOOL("aof-timestamp-enabled", NULL, 0, aof_timestamp_enabled, 0),
    BOOL("cluster-replica-no-failover", "cluster-slave-no-failover", 0,
         cluster_replica_no_failover, 0),
    BOOL("replica-lazy-flush", "slave-lazy-flush", 0, replica_lazy_flush, 0),
    BOOL("replica-serve-stale-data", "slave-serve-stale-data", 0, replica_serve_stale_data, 1),
    BOOL("replica-read-only", "slave-read-only", 0, replica_read_only, 1),
    BOOL("replica-ignore-maxmemory", "slave-ignore-maxmemory", 0, replica_ignore_maxmemory, 1),
    BOOL("jemalloc-bg-thread", NULL, 0, jemalloc_bg_thread, 1),
    BOOLX("activedefrag", NULL, 0, activedefrag, 0, conf_check_activedefrag),
    BOOL("syslog-enabled", NULL, IMM, syslog_enabled, 0),
    BOOL("cluster-enabled", NULL, IMM, cluster_enabled, 0),
    BOOL("appendonly", NULL, 0, appendonly, 0),
    BOOL("cluster-allow-reads-when-down", NULL, 0, cluster_allow_reads_when_down, 0),
    BOOL("cluster-allow-pubsubshard-when-down", NULL, 0,
         cluster_allow_pubsubshard_when_down, 1),
    BOOL("crash-log-enabled", NULL, 0, crash_log_enabled, 1),
    BOOL("crash-memcheck-enabled", NULL, 0, crash_memcheck_enabled, 1),
    BOOL("use-exit-on-panic", NULL, F_HIDDEN, use_exit_on_panic, 0),
    BOOL("disable-thp", NULL, IMM, disable_thp, 1),
    BOOL("cluster-allow-replica-migration", NULL, 0, cluster_allow_replica_migration, 1),
    BOOL("replica-announced", NULL, 0, replica_announced, 1),
    BOOL("latency-tracking", NULL, 0, latency_tracking, 1),
    BOOL("aof-disable-auto-gc", NULL, 0, aof_disable_auto_gc, 0),
    BOOL("replica-ignore-disk-write-errors", NULL, 0, replica_ignore_disk_write_errors, 0),
    BOOL("tls-cluster", NULL, 0, tls_cluster, 0),
    BOOL("tls-replication", NULL, 0, tls_replication, 0),
    BOOL("tls-prefer-server-ciphers", NULL, 0, tls_prefer_server_ciphers, 0),
    BOOL("tls-session-caching", NULL, 0, tls_session_caching, 1),

    /* strings */
    STR("aclfile", NULL, IMM, aclfile, ""),
    STR("unixsocket", NULL, IMM, unixsocket, ""),
    STR("pidfile", NULL, IMM, pidfile, ""),
    STR("replica-announce-ip", "slave-announce-ip", 0, replica_announce_ip, ""),
    STR("masteruser", NULL, F_SENSITIVE, masteruser, ""),
    STR("cluster-announce-ip", NULL, 0, cluster_announce_ip, ""),
    STR("cluster-config-file", NULL, IMM, cluster_config_file, "nodes.conf"),
    STRX("cluster-announce-hostname", NULL, 0, cluster_announce_hostname, "",
         conf_check_hostname),
    STR("syslog-ident", NULL, IMM, syslog_ident, "redis"),
    STRX("dbfilename", NULL, F_PROTECTED, dbfilename, "dump.rdb", conf_check_basename),
    STRX("appendfilename", NULL, IMM, appendfilename, "appendonly.aof",
         conf_check_aof_filename),
    STRX("appenddirname", NULL, IMM, appenddirname, "appendonlydir", conf_check_aof_dirname),
    STR("server_cpulist", NULL, IMM, server_cpulist, ""),
    STR("bio_cpulist", NULL, IMM, bio_cpulist, ""),
    STR("aof_rewrite_cpulist", NULL, IMM, aof_rewrite_cpulist, ""),
    STR("bgsave_cpulist", NULL, IMM, bgsave_cpulist, ""),
    STR("ignore-warnings", NULL, 0, ignore_warnings, ""),
    STRX("proc-title-template", NULL, 0, proc_title_template,
         "{title} {listen-addr} {server-mode}", conf_check_proc_title),
    STR("bind-source-addr", NULL, 0, bind_source_addr, ""),
    STR("logfile", NULL, IMM, logfile, ""),
    STR("masterauth", NULL, F_SENSITIVE, masterauth, ""),
    STR("requirepass", NULL, F_SENSITIVE, requirepass, ""),
    STR("tls-cert-file", NULL, 0, tls_cert_file, ""),
    STR("tls-key-file", NULL, 0, tls_key_file, ""),
    STR("tls-key-file-pass", NULL, 0, tls_key_file_pass, ""),
    STR("tls-client-cert-file", NULL, 0, tls_client_cert_file, ""),
    STR("tls-client-key-file", NULL, 0, tls_client_key_file, ""),
    STR("tls-client-key-file-pass", NULL, 0, tls_client_key_file_pass, ""),
    STR("tls-dh-params-file", NULL, 0, tls_dh_params_file, ""),
    STR("tls-ca-cert-file", NULL, 0, tls_ca_cert_file, ""),
    STR("tls-ca-cert-dir", NULL, 0, tls_ca_cert_dir, ""),
    STR("tls-protocols", NULL, 0, tls_protocols, ""),
    STR("tls-ciphers", NULL, 0, tls_ciphers, ""),
    STR("tls-ciphersuites", NULL, 0, tls_ciphersuites, ""),

    /* enums */
    ENUM("supervised", NULL, IMM, supervised, e_supervised, CONF_SUP_NO),
    ENUM("syslog-facility", NULL, IMM, syslog_facility, e_facility, 1),
    ENUM("repl-diskless-load", NULL, 0, repl_diskless_load, e_diskless_load, 0),
    ENUM("loglevel", NULL, 0, loglevel, e_loglevel, CONF_LL_NOTICE),
    ENUM("maxmemory-policy", NULL, 0, maxmemory_policy, e_policy, CONF_MM_NOEVICTION),
    ENUM("appendfsync", NULL, 0, appendfsync, e_fsync, CONF_FSYNC_EVERYSEC),
    ENUM("oom-score-adj", NULL, 0, oom_score_adj, e_oom, 0),
    ENUM("acl-pubsub-default", NULL, 0, acl_pubsub_default, e_pubsub_default, 0),
    ENUM("sanitize-dump-payload", NULL, 0, sanitize_dump_payload, e_sanitize, 0),
    ENUM("enable-protected-configs", NULL, IMM, enable_protected_configs, e_protected, 0),
    ENUM("enable-debug-command", NULL, IMM, enable_debug_command, e_protected, 0),
    ENUM("enable-module-command", NULL, IMM, enable_module_command, e_protected, 0),
    ENUM("cluster-preferred-endpoint-type", NULL, 0, cluster_preferred_endpoint_type,
         e_endpoint, 0),
    ENUM("propagation-error-behavior", NULL, 0, propagation_error_behavior, e_propagation, 0),
    ENUM("tls-auth-clients", NULL, 0, tls_auth_clients, e_tls_auth, 1),

    /* int */
    INT("databases", NULL, IMM, databases, 1, INT_MAX, 16),
    INT("port", NULL, IMM, port, 0, 65535, 6379),
    INT("io-threads", NULL, IMM, io_threads, 1, 128, 1),
    INT("auto-aof-rewrite-percentage", NULL, 0, auto_aof_rewrite_percentage, 0, INT_MAX, 100),
    INT("cluster-replica-validity-factor", "cluster-slave-validity-factor", 0,
        cluster_replica_validity_factor, 0, INT_MAX, 10),
    INT("list-max-listpack-size", "list-max-ziplist-size", 0, list_max_listpack_size,
        INT_MIN, INT_MAX, -2),
    INT("tcp-keepalive", NULL, 0, tcp_keepalive, 0, INT_MAX, 300),
    INT("cluster-migration-barrier", NULL, 0, cluster_migration_barrier, 0, INT_MAX, 1),
    INT("active-defrag-cycle-min", NULL, 0, active_defrag_cycle_min, 1, 99, 1),
    INT("active-defrag-cycle-max", NULL, 0, active_defrag_cycle_max, 1, 99, 25),
    INT("active-defrag-threshold-lower", NULL, 0, active_defrag_threshold_lower, 0, 1000, 10),
    INT("active-defrag-threshold-upper", NULL, 0, active_defrag_threshold_upper, 0, 1000, 100),
    INT("lfu-log-factor", NULL, 0, lfu_log_factor, 0, INT_MAX, 10),
    INT("lfu-decay-time", NULL, 0, lfu_decay_time, 0, INT_MAX, 1),
    INT("replica-priority", "slave-priority", 0, replica_priority, 0, INT_MAX, 100),
    INT("repl-diskless-sync-delay", NULL, 0, repl_diskless_sync_delay, 0, INT_MAX, 5),
    INT("maxmemory-samples", NULL, 0, maxmemory_samples, 1, INT_MAX, 5),
    INT("maxmemory-eviction-tenacity", NULL, 0, maxmemory_eviction_tenacity, 0, 100, 10),
    INT("timeout", NULL, 0, timeout, 0, INT_MAX, 0),
    INT("replica-announce-port", "slave-announce-port", 0, replica_announce_port, 0, 65535, 0),
    INT("tcp-backlog", NULL, IMM, tcp_backlog, 0, INT_MAX, 511),
    INT("cluster-port", NULL, IMM, cluster_port, 0, 65535, 0),
    INT("cluster-announce-bus-port", NULL, 0, cluster_announce_bus_port, 0, 65535, 0),
    INT("cluster-announce-port", NULL, 0, cluster_announce_port, 0, 65535, 0),
    INT("cluster-announce-tls-port", NULL, 0, cluster_announce_tls_port, 0, 65535, 0),
    INT("repl-timeout", NULL, 0, repl_timeout, 1, INT_MAX, 60),
    INT("repl-ping-replica-period", "repl-ping-slave-period", 0, repl_ping_replica_period, 1,
        INT_MAX, 10),
    INT("list-compress-depth", NULL, 0, list_compress_depth, 0, INT_MAX, 0),
    INT("rdb-key-save-delay", NULL, F_HIDDEN, rdb_key_save_delay, INT_MIN, INT_MAX, 0),
    INT("key-load-delay", NULL, F_HIDDEN, key_load_delay, INT_MIN, INT_MAX, 0),
    INT("active-expire-effort", NULL, 0, active_expire_effort, 1, 10, 1),
    INT("hz", NULL, 0, hz, 0, INT_MAX, 10),
    INT("min-replicas-to-write", "min-slaves-to-write", 0, min_replicas_to_write, 0, INT_MAX,
        0),
    INT("min-replicas-max-lag", "min-slaves-max-lag", 0, min_replicas_max_lag, 0, INT_MAX, 10),
    INT("watchdog-period", NULL, F_HIDDEN, watchdog_period, 0, INT_MAX, 0),
    INT("shutdown-timeout", NULL, 0, shutdown_timeout, 0, INT_MAX, 10),
    INT("repl-diskless-sync-max-replicas", NULL, 0, repl_diskless_sync_max_replicas, 0,
        INT_MAX, 0),
    INT("tls-port", NULL, 0, tls_port, 0, 65535, 0),
    INT("tls-session-cache-size", NULL, 0, tls_session_cache_size, 0, INT_MAX, 20480),
    INT("tls-session-cache-timeout", NULL, 0, tls_session_cache_timeout, 0, INT_MAX, 300),
    INT("workers", NULL, IMM, workers, 0, 1024, 0),

    /* unsigned int */
    NUM("maxclients", NULL, 0, maxclients, W_U32, NF_INT, 1, UINT_MAX, 10000),
    NUM("unixsocketperm", NULL, IMM, unixsocketperm, W_U32, NF_OCTAL, 0, 0777, 0),
    NUM("socket-mark-id", NULL, IMM, socket_mark_id, W_U32, NF_INT, 0, UINT_MAX, 0),

    /* 64-bit */
    NUM("active-defrag-max-scan-fields", NULL, 0, active_defrag_max_scan_fields, W_U64,
        NF_INT, 1, LONG_MAX, 1000),
    NUM("slowlog-max-len", NULL, 0, slowlog_max_len, W_U64, NF_INT, 0, LONG_MAX, 128),
    NUM("acllog-max-len", NULL, 0, acllog_max_len, W_U64, NF_INT, 0, LONG_MAX, 128),
    NUM("busy-reply-threshold", "lua-time-limit", 0, busy_reply_threshold, W_I64, NF_INT, 0,
        LONG_MAX, 5000),
    NUM("cluster-node-timeout", NULL, 0, cluster_node_timeout, W_I64, NF_INT, 0, LLONG_MAX,
        15000),
    NUM("slowlog-log-slower-than", NULL, 0, slowlog_log_slower_than, W_I64, NF_INT, -1,
        LLONG_MAX, 10000),
    NUM("latency-monitor-threshold", NULL, 0, latency_monitor_threshold, W_I64, NF_INT, 0,
        LLONG_MAX, 0),
    NUM("proto-max-bulk-len", NULL, 0, proto_max_bulk_len, W_I64, NF_MEM, MB, LONG_MAX,
        512 * MB),
    NUM("stream-node-max-entries", NULL, 0, stream_node_max_entries, W_I64, NF_INT, 0,
        LLONG_MAX, 100),
    NUM("repl-backlog-size", NULL, 0, repl_backlog_size, W_I64, NF_MEM, 1, LLONG_MAX, MB),
    NUM("maxmemory", NULL, 0, maxmemory, W_U64, NF_MEM, 0, (long long)ULLONG_MAX, 0),
    NUM("cluster-link-sendbuf-limit", NULL, 0, cluster_link_sendbuf_limit, W_U64, NF_MEM, 0,
        (long long)ULLONG_MAX, 0),
    NUM("hash-max-listpack-entries", "hash-max-ziplist-entries", 0, hash_max_listpack_entries,
        W_U64, NF_INT, 0, LONG_MAX, 512),
    NUM("set-max-intset-entries", NULL, 0, set_max_intset_entries, W_U64, NF_INT, 0, LONG_MAX,
        512),
    NUM("zset-max-listpack-entries", "zset-max-ziplist-entries", 0, zset_max_listpack_entries,
        W_U64, NF_INT, 0, LONG_MAX, 128),
    NUM("active-defrag-ignore-bytes", NULL, 0, active_defrag_ignore_bytes, W_U64, NF_MEM, 1,
        LLONG_MAX, 100 * MB),
    NUM("hash-max-listpack-value", "hash-max-ziplist-value", 0, hash_max_listpack_value,
        W_U64, NF_MEM, 0, LONG_MAX, 64),
    NUM("stream-node-max-bytes", NULL, 0, stream_node_max_bytes, W_U64, NF_MEM, 0, LONG_MAX,
        4096),
    NUM("zset-max-listpack-value", "zset-max-ziplist-value", 0, zset_max_listpack_value,
        W_U64, NF_MEM, 0, LONG_MAX, 64),
    NUM("hll-sparse-max-bytes", NULL, 0, hll_sparse_max_bytes, W_U64, NF_MEM, 0, LONG_MAX,
        3000),
    NUM("tracking-table-max-keys", NULL, 0, tracking_table_max_keys, W_U64, NF_INT, 0,
        LONG_MAX, 1000000),
    NUM("client-query-buffer-limit", NULL, 0, client_query_buffer_limit, W_U64, NF_MEM, MB,
        LONG_MAX, 1024 * MB),
    NUM("maxmemory-clients", NULL, 0, maxmemory_clients, W_I64, NF_MEM | NF_PERCENT, -100,
        SSIZE_MAX, 0),
    NUM("repl-backlog-ttl", NULL, 0, repl_backlog_ttl, W_I64, NF_INT, 0, LONG_MAX, 3600),
    NUM("auto-aof-rewrite-min-size", NULL, 0, auto_aof_rewrite_min_size, W_I64, NF_MEM, 0,
        LLONG_MAX, 64 * MB),
    NUM("loading-process-events-interval-bytes", NULL, F_HIDDEN,
        loading_process_events_interval_bytes, W_I64, NF_INT, 1024, INT_MAX, 2 * MB),
    NUM("arena-size", NULL, IMM, arena_size, W_U64, NF_MEM, 0, (long long)ULLONG_MAX, 0),

    /* special */
    SPECIAL("dir", NULL, F_PROTECTED, dir, conf_set_dir, conf_get_dir),
    SPECIAL("save", NULL, F_MULTI_ARG, save, conf_set_save, conf_get_save),
    SPECIAL("client-output-buffer-limit", NULL, F_MULTI_ARG, obuf_limits, conf_set_obuf,
            conf_get_obuf),
    SPECIAL("oom-score-adj-values", NULL, F_MULTI_ARG, oom_score_adj_values,
            conf_set_oom_values, conf_get_oom_values),
    SPECIAL("notify-keyspace-events", NULL, 0, notify_keyspace_events, conf_set_notify,
            conf_get_notify),
    SPECIAL("bind", NULL, IMM | F_MULTI_ARG, bind, conf_set_bind, conf_get_bind),
    SPECIAL("replicaof", "slaveof", IMM | F_MULTI_ARG, replicaof_host, conf_set_replicaof,
            conf_get_replicaof),
    SPECIAL("latency-tracking-info-percentiles", NULL, F_MULTI_ARG,
            latency_tracking_info_percentiles, conf_set_percentiles, conf_get_percentiles),
    SPECIAL("shutdown-on-sigint", NULL, F_MULTI_ARG, shutdown_on_sigint, conf_set_shutdown,
            conf_get_shutdown),
    SPECIAL("shutdown-on-sigterm", NULL, F_MULTI_ARG, shutdown_on_sigterm, conf_set_shutdown,
            conf_get_shutdown),
};

const size_t conf_table_len = sizeof(conf_table) / sizeof(conf_table[0]);
