/* worker/cmd_server.c - server commands that need no introspection tables:
 * TIME, SHUTDOWN, DEBUG (SLEEP, OBJECT, SET-ACTIVE-EXPIRE, ARENA-CHECK).
 *
 * DEBUG OBJECT's serializedlength is the size of the RDB encoding of strings (without
 * the LZF compression Redis tries on strings over 20 bytes), of listpacks and intsets;
 * for other encodings it is the size of the value's arena allocation.  The quicklist
 * fields (ql_nodes ...) are not shown. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "shm/alloc.h"
#include "shm/intset.h"
#include "shm/listpack.h"
#include "shm/undo.h"
#include "types/t_keys.h"
#include "util/log.h"
#include "util/numconv.h"
#include "worker/introspect.h"
#include "worker/server_cmds.h"
#include "worker/worker.h"

/* TIME */
static void time_command(struct cmd_ctx *c)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    reply_array(c->reply, 2);
    reply_bulk_ll(c->reply, (long long)tv.tv_sec);
    reply_bulk_ll(c->reply, (long long)tv.tv_usec);
}

/* SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]
 * The worker asks the supervisor, which stops every worker (each finishes writing
 * its replies) and exits.  RDB persistence does not exist yet: SAVE is refused. */
static void shutdown_command(struct cmd_ctx *c)
{
    int save = 0, nosave = 0;
    for (int i = 1; i < c->argc; i++) {
        if (arg_is(c, i, "nosave")) nosave = 1;
        else if (arg_is(c, i, "save")) save = 1;
        else if (arg_is(c, i, "now") || arg_is(c, i, "force")) continue;
        else if (arg_is(c, i, "abort")) {
            reply_error(c->reply, "ERR No shutdown in progress.");
            return;
        } else {
            reply_error(c->reply, ERR_SYNTAX);
            return;
        }
    }
    if (save && nosave) {
        reply_error(c->reply, ERR_SYNTAX);
        return;
    }
    if (save) {
        log_msg(LOG_WARNING, "SHUTDOWN SAVE refused: RDB persistence is not available yet");
        reply_error(c->reply, "ERR Errors trying to SHUTDOWN. Check logs.");
        return;
    }
    log_msg(LOG_WARNING, "User requested shutdown...");
    shm_header()->shutdown_requested = 1;
    kill(shm_header()->supervisor_pid, SIGUSR1);
    c->client->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

/* DEBUG SLEEP seconds (holds the lock, as Redis blocks its only thread) */
static void debug_sleep(struct cmd_ctx *c)
{
    double secs;
    if (!arg_double(c, 2, &secs, NULL))
        return;
    struct timespec ts = { (time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9) };
    nanosleep(&ts, NULL);
    reply_ok(c->reply);
}

/* Counts the keys of a db that carry KV_FLAG_TTL (must equal its expires size). */
static void count_ttl_flag(shm_off_t entry, void *arg)
{
    if (kv_at(entry)->flags & KV_FLAG_TTL)
        (*(uint64_t *)arg)++;
}

/* DEBUG ARENA-CHECK (Ferrous): full consistency check of the allocator, every hash
 * table and the undo log; +OK or an error naming the first inconsistency. */
static void debug_arena_check(struct cmd_ctx *c)
{
    char err[256] = "";
    if (undo_used() != 0)
        snprintf(err, sizeof(err), "undo log not empty at the start of a write");
    else if (slab_check(err, sizeof(err)) == 0) {
        for (int i = 0; i < db_count() && !err[0]; i++) {
            struct db *db = db_get(i);
            uint64_t flagged = 0, cursor = 0;
            if (dict_check(&db->keys, err, sizeof(err)) != 0 || dict_check(&db->expires, err, sizeof(err)) != 0)
                break;
            do {
                cursor = dict_scan(&db->keys, cursor, count_ttl_flag, &flagged);
            } while (cursor);
            if (flagged != dict_size(&db->expires))
                snprintf(err, sizeof(err), "db%d: %llu keys flagged with a TTL, %llu expires", i,
                         (unsigned long long)flagged, (unsigned long long)dict_size(&db->expires));
        }
    }
    if (err[0])
        reply_errorf(c->reply, "ERR arena inconsistent: %s", err);
    else
        reply_ok(c->reply);
}

/* Bytes of an RDB length prefix. */
static size_t rdb_len_size(uint64_t len)
{
    return len < 64 ? 1 : len < 16384 ? 2 : len <= UINT32_MAX ? 5 : 9;
}

/* Bytes of a string in an RDB file: small integers take 1, 2 or 4 bytes after a type
 * byte (Redis tries that for strings of up to 11 characters), others are length-prefixed. */
static size_t rdb_string_size(const char *s, size_t len)
{
    long long v;
    if (len <= 11 && string2ll(s, len, &v) && v >= INT32_MIN && v <= INT32_MAX)
        return v >= -128 && v <= 127 ? 2 : v >= -32768 && v <= 32767 ? 3 : 5;
    return rdb_len_size(len) + len;
}

static size_t serialized_length(struct kv *kv)
{
    char buf[32];
    size_t len;
    if (kv->type == KV_STRING) {
        const char *s = kv_string(kv, buf, &len);
        return rdb_string_size(s, len);
    }
    if (kv->enc == KV_ENC_LISTPACK)
        return rdb_len_size(lp_bytes(kv_value_off(kv))) + lp_bytes(kv_value_off(kv));
    if (kv->enc == KV_ENC_INTSET)
        return rdb_len_size(intset_bytes(kv_value_off(kv))) + intset_bytes(kv_value_off(kv));
    return shm_alloc_usable(kv_value_off(kv));
}

/* Redis's reply when a DEBUG subcommand has the wrong number of arguments. */
static int debug_argc_ok(struct cmd_ctx *c, int argc)
{
    if (c->argc == argc)
        return 1;
    reply_errorf(c->reply, "ERR unknown subcommand or wrong number of arguments for '%.*s'. Try DEBUG HELP.",
                 (int)(c->argvlen[1] > 128 ? 128 : c->argvlen[1]), c->argv[1]);
    return 0;
}

/* DEBUG OBJECT key */
static void debug_object(struct cmd_ctx *c)
{
    if (!debug_argc_ok(c, 3))
        return;
    struct kv *kv = db_peek(c->db, c->argv[2], c->argvlen[2]);
    if (!kv) {
        reply_error(c->reply, ERR_NO_KEY);
        return;
    }
    uint32_t now = db_lru_clock();
    char line[256];
    snprintf(line, sizeof(line), "Value at:%p refcount:%lld encoding:%s serializedlength:%zu lru:%u "
             "lru_seconds_idle:%u", (void *)kv, keys_refcount(kv), keys_encoding_name(kv), serialized_length(kv),
             kv->lru, now > kv->lru ? now - kv->lru : 0);
    reply_status(c->reply, line);
}

/* DEBUG SET-ACTIVE-EXPIRE 0|1: the value read as Redis reads it (atoi), so 0 and
 * anything that does not start with a non-zero number turn active expiry off. */
static void debug_set_active_expire(struct cmd_ctx *c)
{
    if (!debug_argc_ok(c, 3))
        return;
    char arg[32];
    snprintf(arg, sizeof(arg), "%.*s", (int)(c->argvlen[2] < 31 ? c->argvlen[2] : 31), c->argv[2]);
    UNDO_SET(introspect->active_expire_off, atoi(arg) == 0);
    reply_ok(c->reply);
}

static struct command debug_subcommands[] = {
    { "arena-check", debug_arena_check, 2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0, 0,
      "server", "ferrous", "Check the consistency of the shared arena", "O(N)", "@admin @slow @dangerous",
      NULL, NULL },
    { "sleep", debug_sleep, 3, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0, 0, "server", "1.0.0",
      "Stop the server for the given seconds", "O(1)", "@admin @slow @dangerous", NULL, NULL },
    { "object", debug_object, -2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0, 0, "server", "1.0.0",
      "Show low level info about the key and its value", "O(1)", "@admin @slow @dangerous", NULL, NULL },
    { "set-active-expire", debug_set_active_expire, -2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE,
      0, 0, 0, "server", "1.0.0", "Turn the expiry of keys in the background off or on", "O(1)",
      "@admin @slow @dangerous", NULL, NULL },
    { 0 }
};

const struct command server_commands[] = {
    { "time", time_command, 1, CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NOLOCK, 0, 0, 0, "server", "2.6.0",
      "Return the current server time", "O(1)", "@fast", NULL, NULL },
    { "shutdown", shutdown_command, -1, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_NO_MULTI |
      CMD_SENTINEL | CMD_ALLOW_BUSY | CMD_NOLOCK, 0, 0, 0, "server", "1.0.0",
      "Synchronously save the dataset to disk and then shut down the server", "O(N) when saving",
      "@admin @slow @dangerous", NULL, NULL },
    { "debug", NULL, -2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, 0, 0, 0, "server", "1.0.0",
      "A container for debugging commands", "Depends on subcommand.", "@admin @slow @dangerous",
      debug_subcommands, NULL },
    { 0 }
};
