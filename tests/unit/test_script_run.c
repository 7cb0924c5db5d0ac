/* tests/unit/test_script_run.c - the running script's shared state (lua/script_run.c)
 * on a MAP_SHARED arena, with a forked child as the worker running the script:
 *  - SCRIPT KILL's answers for a live run: OK before its first write (and the run sees
 *    it killed), UNKILLABLE after, BUSY-other-kind for FUNCTION KILL, NOTBUSY after it ended;
 *  - a run whose worker was SIGKILLed is over once the keyspace lock was recovered,
 *    even while the dead worker is an unreaped zombie (kill(pid, 0) still finds it):
 *    SCRIPT KILL answers NOTBUSY and script_busy_ms() -1, as soon as the next owner
 *    rolled the dead one's write back, whatever the supervisor's reaping;
 *  - a run that began after a recovery is live.
 */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "keyspace/db.h"
#include "lua/script.h"
#include "lua/script_cache.h"
#include "lua/script_run.h"
#include "shm/arena.h"
#include "shm/lock.h"
#include "shm/undo.h"
#include "tests/unit/fixture.h"

#define ARENA_SIZE (16u << 20)

static void setup(void)
{
    char err[256];
    struct shm_arena_params p = { .arena_size = ARENA_SIZE, .undo_size = 1u << 20, .ndbs = 16, .nworkers = 2 };
    ck_assert_msg(shm_arena_create(&p, err, sizeof(err)) >= 0, "%s", err);
    scache_register_types();
    ck_assert_int_eq(shm_lock_acquire(), 0);
    undo_begin();
    scache_create();
    fixture_write_commit();
    shm_lock_release();
}

static void teardown(void)
{
    if (shm_lock_held())
        shm_lock_release();
    shm_arena_destroy();
}

/* Forks a child that takes the lock, begins an EVAL run in slot 1, writes if asked,
 * tells the parent and waits to be killed.  Returns its pid once the run is on. */
static pid_t start_script_child(int wrote)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        shm_lock_acquire();
        undo_begin();
        srun_begin(1, 1, db_wall_ms());
        if (wrote && !srun_note_write())
            _exit(3);
        if (write(fds[1], "x", 1) != 1)
            _exit(2);
        for (;;)
            pause();
    }
    close(fds[1]);
    char c;
    ck_assert_int_eq(read(fds[0], &c, 1), 1);
    close(fds[0]);
    return pid;
}

/* SIGKILLs the child and waits until it is a zombie, without reaping it. */
static void kill_leaving_zombie(pid_t pid)
{
    siginfo_t info;
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    ck_assert_int_eq(waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT), 0);
    ck_assert_int_eq(kill(pid, 0), 0);              /* still there for kill() */
}

static void reap(pid_t pid)
{
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

START_TEST(test_live_run_answers)
{
    pid_t pid = start_script_child(1);
    ck_assert_int_eq(srun_kill(1), SRUN_KILL_UNKILLABLE);
    ck_assert_int_eq(srun_kill(0), SRUN_KILL_UNKILLABLE);
    ck_assert_int_ge(script_busy_ms(), 0);
    kill_leaving_zombie(pid);
    reap(pid);
    ck_assert_int_eq(shm_lock_acquire(), 1);
    shm_lock_release();

    pid = start_script_child(0);
    ck_assert_int_eq(srun_kill(0), SRUN_KILL_OTHER_KIND);
    ck_assert_int_eq(srun_kill(1), SRUN_KILL_OK);
    ck_assert_int_eq(srun_kill(1), SRUN_KILL_OK);       /* asked twice: still OK */
    kill_leaving_zombie(pid);
    reap(pid);
    ck_assert_int_eq(shm_lock_acquire(), 1);
    srun_begin(0, 0, db_wall_ms());                     /* this process's own run */
    ck_assert_int_eq(srun_killed(), 0);
    ck_assert_int_eq(srun_kill(0), SRUN_KILL_OK);
    ck_assert_int_eq(srun_killed(), 1);
    ck_assert_int_eq(srun_note_write(), 0);             /* killed: its write is refused */
    srun_end();
    ck_assert_int_eq(srun_kill(0), SRUN_KILL_NOTBUSY);
    ck_assert_int_eq(script_busy_ms(), -1);
    shm_lock_release();
}
END_TEST

START_TEST(test_dead_owner_is_over_once_the_lock_recovered)
{
    pid_t pid = start_script_child(1);
    kill_leaving_zombie(pid);
    ck_assert_int_eq(shm_lock_acquire(), 1);            /* the next owner rolls back */
    shm_lock_release();
    ck_assert_int_eq(srun_kill(1), SRUN_KILL_NOTBUSY);  /* the zombie is not reaped yet */
    ck_assert_int_eq(srun_kill(0), SRUN_KILL_NOTBUSY);
    ck_assert_int_eq(script_busy_ms(), -1);
    reap(pid);

    pid = start_script_child(0);                        /* a run after the recovery */
    ck_assert_int_eq(srun_kill(1), SRUN_KILL_OK);
    kill_leaving_zombie(pid);
    ck_assert_int_eq(shm_lock_acquire(), 1);
    shm_lock_release();
    ck_assert_int_eq(srun_kill(1), SRUN_KILL_NOTBUSY);
    reap(pid);
}
END_TEST

static Suite *script_run_suite(void)
{
    Suite *s = suite_create("script_run");
    TCase *tc = tcase_create("shared memfd");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_live_run_answers);
    tcase_add_test(tc, test_dead_owner_is_over_once_the_lock_recovered);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return fixture_run_suite(script_run_suite());
}
