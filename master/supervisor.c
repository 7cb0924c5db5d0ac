/* master/supervisor.c - the supervisor loop (see supervisor.h), in the manner of
 * nginx's ngx_process_cycle.c: signals stay blocked and are taken synchronously
 * with sigtimedwait, so no handler races with the loop; dead workers are reaped with
 * waitpid(-1, WNOHANG) and respawned into the same slot.  A worker that dies within
 * a second of its start is respawned after a delay that doubles each time (up to
 * 5 s), so a crash loop cannot spin the machine.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "master/supervisor.h"
#include "shm/arena.h"
#include "util/log.h"
#include "worker/worker.h"

#define BACKOFF_MAX_MS 5000
#define SHUTDOWN_GRACE_MS 10000

struct slot_state {
    pid_t pid;
    int64_t started_ms;
    int64_t respawn_at_ms;      /* >0: respawn due at this time */
    int64_t backoff_ms;
};

static struct slot_state slots[SHM_MAX_WORKERS];
static int nslots;
static const struct listeners *listeners;

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void spawn(int i)
{
    struct worker_params p = { .slot = i, .ntcp = listeners->ntcp, .unix_fd = listeners->unix_fd };
    for (int a = 0; a < listeners->ntcp; a++)
        p.tcp_fds[a] = listeners->tcp[a][i];
    pid_t pid = fork();
    if (pid < 0) {
        log_msg(LOG_WARNING, "fork() of worker %d failed: %s", i, strerror(errno));
        slots[i].respawn_at_ms = mono_ms() + 1000;
        return;
    }
    if (pid == 0)
        worker_main(&p);
    slots[i].pid = pid;
    slots[i].started_ms = mono_ms();
    slots[i].respawn_at_ms = 0;
    log_msg(LOG_VERBOSE, "Worker %d started, pid %d", i, (int)pid);
}

static int slot_of(pid_t pid)
{
    for (int i = 0; i < nslots; i++)
        if (slots[i].pid == pid)
            return i;
    return -1;
}

static void describe_exit(int status, char *buf, size_t len)
{
    if (WIFSIGNALED(status))
        snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
}

/* Reaps dead workers; schedules their respawn.  Returns 1 if one asked to stop all. */
static int reap(int shutting_down)
{
    int status, fatal = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        int i = slot_of(pid);
        if (i < 0)
            continue;
        char why[96];
        describe_exit(status, why, sizeof(why));
        slots[i].pid = 0;
        shm_header()->workers[i].pid = 0;
        if (shutting_down)
            continue;
        log_msg(LOG_WARNING, "Worker %d (pid %d) %s; respawning", i, (int)pid, why);
        if (WIFEXITED(status) && WEXITSTATUS(status) == WORKER_EXIT_FATAL) {
            fatal = 1;
            continue;
        }
        int64_t now = mono_ms();
        int quick = now - slots[i].started_ms < 1000;
        slots[i].backoff_ms = quick ? (slots[i].backoff_ms ? slots[i].backoff_ms * 2 : 100) : 0;
        if (slots[i].backoff_ms > BACKOFF_MAX_MS)
            slots[i].backoff_ms = BACKOFF_MAX_MS;
        if (slots[i].backoff_ms)
            log_msg(LOG_WARNING, "Worker %d is dying in a loop: respawn in %lld ms", i,
                    (long long)slots[i].backoff_ms);
        slots[i].respawn_at_ms = now + slots[i].backoff_ms;
    }
    return fatal;
}

static int64_t respawn_due(void)
{
    int64_t now = mono_ms(), next = now + 1000;
    for (int i = 0; i < nslots; i++) {
        if (slots[i].pid || !slots[i].respawn_at_ms)
            continue;
        if (slots[i].respawn_at_ms <= now)
            spawn(i);
        else if (slots[i].respawn_at_ms < next)
            next = slots[i].respawn_at_ms;
    }
    return next - now;
}

static int any_alive(void)
{
    for (int i = 0; i < nslots; i++)
        if (slots[i].pid)
            return 1;
    return 0;
}

static void stop_workers(sigset_t *set)
{
    for (int i = 0; i < nslots; i++)
        if (slots[i].pid)
            kill(slots[i].pid, SIGTERM);
    int64_t deadline = mono_ms() + SHUTDOWN_GRACE_MS;
    while (any_alive() && mono_ms() < deadline) {
        struct timespec ts = { 0, 50 * 1000000L };
        siginfo_t info;
        sigtimedwait(set, &info, &ts);
        reap(1);
    }
    for (int i = 0; i < nslots; i++)
        if (slots[i].pid) {
            log_msg(LOG_WARNING, "Worker %d (pid %d) did not stop in time: SIGKILL", i, (int)slots[i].pid);
            kill(slots[i].pid, SIGKILL);
            waitpid(slots[i].pid, NULL, 0);
            slots[i].pid = 0;
        }
}

int supervisor_run(int nworkers, const struct listeners *l)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    listeners = l;
    nslots = nworkers;
    shm_header()->supervisor_pid = getpid();
    /* every worker needs every other worker's eventfd: create them all first */
    for (int i = 0; i < nworkers; i++)
        shm_header()->workers[i].event_fd = eventfd(0, EFD_NONBLOCK);
    for (int i = 0; i < nworkers; i++)
        spawn(i);
    for (;;) {
        int64_t wait_ms = respawn_due();
        struct timespec ts = { wait_ms / 1000, (wait_ms % 1000) * 1000000L };
        siginfo_t info;
        int sig = sigtimedwait(&set, &info, &ts);
        if (sig == SIGCHLD && reap(0)) {
            log_msg(LOG_WARNING, "A worker failed fatally; shutting down");
            stop_workers(&set);
            return 1;
        }
        if (sig == SIGTERM || sig == SIGINT || shm_header()->shutdown_requested) {
            log_msg(LOG_WARNING, "%s: shutting down", sig == SIGINT ? "Received SIGINT"
                    : sig == SIGTERM ? "Received SIGTERM" : "SHUTDOWN requested");
            stop_workers(&set);
            return 0;
        }
    }
}
