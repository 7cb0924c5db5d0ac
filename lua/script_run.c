/* lua/script_run.c - the running script's shared state (see script_run.h).
 * state = run id << 8 | flags; 0 when no script runs.  A run is live while its id is
 * set, no recovery of the keyspace lock happened since it began and its owner's pid
 * exists (lua/script_cache.h). */
#include <errno.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include "keyspace/db.h"
#include "lua/script.h"
#include "lua/script_cache.h"
#include "lua/script_run.h"
#include "shm/arena.h"

#define STATE_ID(s) ((s) >> 8)
#define STATE_FLAGS(s) ((uint32_t)((s) & 0xff))

static struct script_run *run(void)
{
    struct script_shared *s = scache_shared();
    return s ? &s->run : NULL;
}

/* Times the keyspace lock was taken over from a dead owner (changes under the lock). */
static uint32_t lock_recoveries(void)
{
    return __atomic_load_n(&shm_header()->lock.recoveries, __ATOMIC_SEQ_CST);
}

void srun_begin(int is_eval, int slot, int64_t start_ms)
{
    struct script_run *r = run();
    uint64_t id = ++r->next_id;
    r->start_ms = start_ms;
    static int32_t my_pid;                  /* this worker's: no syscall per script */
    if (!my_pid)
        my_pid = (int32_t)getpid();
    r->pid = my_pid;
    r->slot = slot;
    r->recoveries = lock_recoveries();
    __atomic_store_n(&r->state, id << 8 | (is_eval ? SRUN_EVAL : 0), __ATOMIC_RELEASE);
}

void srun_end(void) { __atomic_store_n(&run()->state, 0, __ATOMIC_RELEASE); }

static uint64_t load_state(struct script_run *r) { return __atomic_load_n(&r->state, __ATOMIC_ACQUIRE); }

int srun_note_write(void)
{
    struct script_run *r = run();
    uint64_t s = load_state(r);
    while (!(s & SRUN_WROTE)) {
        if (s & SRUN_KILLED)
            return 0;
        if (__atomic_compare_exchange_n(&r->state, &s, s | SRUN_WROTE, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            break;
    }
    return 1;
}

int srun_killed(void) { return (load_state(run()) & SRUN_KILLED) != 0; }

/* Whether the run in state s is still going: its owner died if the lock was recovered
 * since it began (its dead process may not be reaped yet: kill() still finds a zombie)
 * or its pid is gone. */
static int run_live(const struct script_run *r, uint64_t s)
{
    if (STATE_ID(s) == 0 || r->recoveries != lock_recoveries())
        return 0;
    return r->pid > 0 && !(kill(r->pid, 0) < 0 && errno == ESRCH);
}

enum srun_kill_result srun_kill(int is_eval)
{
    struct script_run *r = run();
    if (!r)
        return SRUN_KILL_NOTBUSY;
    uint64_t s = load_state(r);
    for (;;) {
        if (!run_live(r, s))
            return SRUN_KILL_NOTBUSY;
        if (s & SRUN_WROTE)
            return SRUN_KILL_UNKILLABLE;
        if (!(s & SRUN_EVAL) != !is_eval)
            return SRUN_KILL_OTHER_KIND;
        if (s & SRUN_KILLED ||
            __atomic_compare_exchange_n(&r->state, &s, s | SRUN_KILLED, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return SRUN_KILL_OK;
    }
}

void srun_clear_slot(int slot)
{
    struct script_run *r = run();
    if (r && load_state(r) && r->slot == slot)
        srun_end();
}

int script_busy_ms(void)
{
    struct script_run *r = run();
    if (!r || !run_live(r, load_state(r)))
        return -1;
    int64_t ms = db_wall_ms() - r->start_ms;
    return ms < 0 ? 0 : ms > 0x7fffffff ? 0x7fffffff : (int)ms;
}

void srun_kill_reply(struct reply *r, int is_eval)
{
    switch (srun_kill(is_eval)) {
    case SRUN_KILL_OK:
        reply_ok(r);
        break;
    case SRUN_KILL_NOTBUSY:
        reply_error(r, "NOTBUSY No scripts in execution right now.");
        break;
    case SRUN_KILL_UNKILLABLE:
        reply_error(r, "UNKILLABLE Sorry the script already executed write commands against the dataset. "
                       "You can either wait the script termination or kill the server in a hard way "
                       "using the SHUTDOWN NOSAVE command.");
        break;
    case SRUN_KILL_OTHER_KIND:
        reply_errorf(r, "BUSY Redis is busy running a script. You can only call %s KILL or SHUTDOWN NOSAVE.",
                     is_eval ? "FUNCTION" : "SCRIPT");
        break;
    }
}
