/* replication/propagate.c - units of effects into the write stream (see propagate.h).
 *
 * The running unit, process-private:
 *  - nops: its effects so far.  nops == 1: the first waits in 'first' (encoded, for
 *    database first_db), nothing of the unit is in the stream yet.  nops >= 2:
 *    MULTI, the first and every later effect are in the stream, EXEC comes at the end.
 *  - closing: the outermost call's own effects are being taken (its hook runs at
 *    call depth 0, where effects are otherwise appended alone).
 *  - alone: that call is the unit's only effect: appended straight, nothing buffered.
 * All three are reset at the unit's end and when a rollback unwound the calls.
 */
#include <stdlib.h>

#include "replication/propagate.h"
#include "replication/rewrite.h"
#include "replication/stream.h"
#include "shm/undo.h"
#include "util/log.h"

static const char multi_bytes[] = "*1\r\n$5\r\nMULTI\r\n";
static const char exec_bytes[] = "*1\r\n$4\r\nEXEC\r\n";

static struct {
    int nops;
    int closing, alone;
    int first_db;
    char *first;
    size_t first_len, first_cap;
} unit;

/* Keeps the unit's first effect until a second comes or the unit ends. */
static void keep_first(int dbid, int argc, const char *const *argv, const size_t *lens)
{
    size_t n = repl_encode_command(NULL, argc, argv, lens);
    if (n > unit.first_cap) {
        char *p = realloc(unit.first, n);
        if (!p) {
            log_msg(LOG_WARNING, "realloc(%zu) for the write stream failed", n);
            abort();
        }
        unit.first = p;
        unit.first_cap = n;
    }
    repl_encode_command(unit.first, argc, argv, lens);
    unit.first_len = n;
    unit.first_db = dbid;
    call_propagate_pending();
}

static void effect(int dbid, int argc, const char *const *argv, const size_t *lens)
{
    if (unit.alone || (!unit.closing && call_depth() == 0)) {
        repl_stream_append_command(dbid, argc, argv, lens);
        return;
    }
    if (unit.nops == 0) {
        keep_first(dbid, argc, argv, lens);
    } else {
        if (unit.nops == 1) {
            repl_stream_append(unit.first_db, multi_bytes, sizeof(multi_bytes) - 1);
            repl_stream_append(-1, unit.first, unit.first_len);
        }
        repl_stream_append_command(dbid, argc, argv, lens);
    }
    unit.nops++;
}

static void unit_reset(void)
{
    unit.nops = 0;
    unit.closing = 0;
    unit.alone = 0;
}

static void unit_end(void)
{
    if (unit.nops == 1)
        repl_stream_append(unit.first_db, unit.first, unit.first_len);
    else if (unit.nops > 1)
        repl_stream_append(-1, exec_bytes, sizeof(exec_bytes) - 1);
    unit_reset();
}

void repl_propagate_call(const struct cmd_ctx *ctx, const struct call_result *res, int level)
{
    if (!undo_in_write() || !repl_stream_fed())
        return;
    if (level > 0) {
        repl_rewrite_call(ctx, res, effect);
        return;
    }
    unit.closing = 1;
    unit.alone = unit.nops == 0 && !repl_rewrite_many(ctx);
    repl_rewrite_call(ctx, res, effect);
    unit_end();
}

void repl_propagate_unwound(int level) { unit_reset(); }

void repl_propagate_expired(int dbid, const void *key, size_t klen)
{
    if (repl_stream_fed())
        repl_rewrite_expired(dbid, key, klen, effect);
}

void repl_propagate_served(int dbid, const void *key, size_t klen, const struct block_spec *spec,
                           const void *dest, const char *reply, size_t reply_len)
{
    if (repl_stream_fed())
        repl_rewrite_served(dbid, key, klen, spec, dest, reply, reply_len, effect);
}
