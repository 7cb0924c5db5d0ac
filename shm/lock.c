/* shm/lock.c - the keyspace lock (see shm/lock.h).
 *
 * A robust, process-shared mutex: when its owner dies, the next pthread_mutex_lock
 * returns EOWNERDEAD.  We then roll back the undo log (the dead owner's unfinished
 * write) before pthread_mutex_consistent, so the arena never shows a torn write.
 * held_here tracks ownership in this process for SHM_ASSERT_LOCKED.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shm/lock.h"
#include "shm/undo.h"

static int held_here;

int shm_lock_init(struct shm_lock *lock)
{
    pthread_mutexattr_t attr;
    int rc;

    memset(lock, 0, sizeof(*lock));
    if ((rc = pthread_mutexattr_init(&attr)) != 0 ||
        (rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED)) != 0 ||
        (rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST)) != 0 ||
        (rc = pthread_mutex_init(&lock->mutex, &attr)) != 0) {
        errno = rc;
        return -1;
    }
    pthread_mutexattr_destroy(&attr);
    return 0;
}

/* Called with the mutex just acquired; rc is pthread's result. */
/* This process's pid for owner_pid without a getpid() syscall per acquisition; a
 * forked child (a worker) forgets its parent's. */
static pid_t cached_pid;

static void forget_pid(void) { cached_pid = 0; }

static pid_t own_pid(void)
{
    static int atfork_registered;          /* inherited with the handler by children */
    if (!cached_pid) {
        if (!atfork_registered) {
            pthread_atfork(NULL, NULL, forget_pid);
            atfork_registered = 1;
        }
        cached_pid = getpid();
    }
    return cached_pid;
}

static int after_acquire(int rc)
{
    struct shm_lock *lock = &shm_header()->lock;
    int recovered = 0;

    if (rc == EOWNERDEAD) {
        undo_rollback();
        lock->recoveries++;
        if (pthread_mutex_consistent(&lock->mutex) != 0) {
            perror("pthread_mutex_consistent");
            abort();
        }
        recovered = 1;
    } else if (rc != 0) {
        fprintf(stderr, "shm_lock: pthread_mutex_lock failed: %s\n", strerror(rc));
        abort();
    }
    held_here = 1;
    lock->owner_pid = own_pid();
    return recovered;
}

int shm_lock_acquire(void)
{
    return after_acquire(pthread_mutex_lock(&shm_header()->lock.mutex));
}

int shm_lock_acquire_timed(long timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    int rc = pthread_mutex_timedlock(&shm_header()->lock.mutex, &ts);
    if (rc == ETIMEDOUT)
        return -1;
    return after_acquire(rc);
}

int shm_lock_try(void)
{
    int rc = pthread_mutex_trylock(&shm_header()->lock.mutex);
    if (rc == EBUSY)
        return -1;
    return after_acquire(rc);
}

void shm_lock_release(void)
{
    struct shm_lock *lock = &shm_header()->lock;
    if (undo_in_write()) {
        fprintf(stderr, "shm_lock_release: a write is still open\n");
        abort();
    }
    lock->owner_pid = 0;
    held_here = 0;
    pthread_mutex_unlock(&lock->mutex);
}

int shm_lock_held(void) { return held_here; }
