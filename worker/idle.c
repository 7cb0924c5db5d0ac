/* worker/idle.c - a worker's wait for events: nap or block (worker/idle.h). */
#include <sys/prctl.h>
#include <time.h>

#include "worker/idle.h"

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void idle_init(void)
{
    prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
}

void idle_served(struct idle_policy *p, int n)
{
    p->clients += n;
}

/* Naps while at least half the recent waits (weighted toward the latest) were short. */
int idle_should_nap(const struct idle_policy *p, int timeout_ms)
{
    return timeout_ms != 0 && p->short_gaps >= 128 && p->clients >= 2;
}

void idle_observe(struct idle_policy *p, int napped, int short_gap, int64_t waited_ns)
{
    p->short_gaps += ((short_gap ? 256 : 0) - p->short_gaps) / 8;
    if (napped || waited_ns >= IDLE_SLEPT_US * 1000)
        p->clients = 0;
}

int idle_wait(struct idle_policy *p, int epfd, struct epoll_event *events, int max, int timeout_ms)
{
    int napped = idle_should_nap(p, timeout_ms);
    int64_t start = monotonic_ns();
    int n = 0;
    if (napped) {
        struct timespec nap = { 0, IDLE_NAP_US * 1000 };
        nanosleep(&nap, NULL);
        n = epoll_wait(epfd, events, max, 0);
    }
    int caught = n > 0;
    if (!caught)
        n = epoll_wait(epfd, events, max, timeout_ms);
    int64_t waited = monotonic_ns() - start;
    idle_observe(p, napped, napped ? caught : waited <= IDLE_SHORT_GAP_US * 1000, waited);
    return n;
}
