/* worker/pause.c - CLIENT PAUSE across workers (see pause.h).
 *
 * Process-private: this worker's paused clients, in the order they were paused. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keyspace/db.h"
#include "shm/undo.h"
#include "worker/introspect.h"
#include "worker/registry.h"
#include "worker/worker.h"

static struct client **paused;
static size_t npaused, paused_cap;

enum pause_type pause_current(void)
{
    enum pause_type type = (enum pause_type)__atomic_load_n(&introspect->pause.type, __ATOMIC_RELAXED);
    return type != PAUSE_NONE && db_wall_ms() < __atomic_load_n(&introspect->pause.end_ms, __ATOMIC_RELAXED)
               ? type : PAUSE_NONE;
}

/* Whether a command changes data or may be propagated: what a WRITE pause holds. */
static int is_write(const struct command *cmd) { return (cmd->flags & (CMD_WRITE | CMD_MAY_REPLICATE)) != 0; }

static int remember(struct client *c)
{
    if (npaused == paused_cap) {
        size_t cap = paused_cap ? paused_cap * 2 : 16;
        struct client **grown = realloc(paused, cap * sizeof(*grown));
        if (!grown)
            return 0;
        paused = grown;
        paused_cap = cap;
    }
    paused[npaused++] = c;
    return 1;
}

int pause_postpone(struct client *c, const struct command *cmd)
{
    enum pause_type type = pause_current();
    if (type == PAUSE_NONE || (type == PAUSE_WRITE && !is_write(cmd)) || !remember(c))
        return 0;
    c->flags |= CLIENT_PAUSED;
    c->record->flags |= CLIENT_PAUSED;
    worker.shm->commands--;             /* counted again when it runs */
    return 1;
}

void pause_start(int64_t end_ms, enum pause_type type)
{
    struct pause_shared *p = &introspect->pause;
    if (pause_current() != PAUSE_NONE) {        /* merge: stricter type, later end */
        if ((int32_t)type < p->type)
            type = (enum pause_type)p->type;
        if (end_ms < p->end_ms)
            end_ms = p->end_ms;
    }
    UNDO_SET(p->end_ms, end_ms);
    UNDO_SET(p->type, (int32_t)type);
}

/* Clears the pause; with wake, pokes every worker so its paused clients resume now. */
static void clear(int wake)
{
    uint64_t one = 1;
    UNDO_SET(introspect->pause.type, PAUSE_NONE);
    UNDO_SET(introspect->pause.end_ms, 0);
    for (uint32_t w = 0; wake && w < shm_header()->nworkers; w++) {
        ssize_t n = write(shm_header()->workers[w].event_fd, &one, sizeof(one));
        (void)n;
    }
}

void pause_stop(void) { clear(1); }

void pause_expire(void)
{
    if (introspect->pause.type != PAUSE_NONE && pause_current() == PAUSE_NONE)
        clear(0);
}

void pause_resume_clients(void)
{
    if (!npaused || pause_current() != PAUSE_NONE)
        return;
    /* worker_schedule puts a client in front of the batch: the last paused goes first */
    while (npaused) {
        struct client *c = paused[--npaused];
        c->flags &= ~CLIENT_PAUSED;
        c->record->flags &= ~CLIENT_PAUSED;
        worker_schedule(c);
    }
}

void pause_forget(struct client *c)
{
    for (size_t i = 0; i < npaused; i++)
        if (paused[i] == c) {
            memmove(paused + i, paused + i + 1, (npaused - i - 1) * sizeof(*paused));
            npaused--;
            return;
        }
}
