/* worker/idle.h - how a worker waits for events when it has no command to run.
 *
 * Under load at pipeline 1 the next request usually arrives some tens of microseconds
 * after the last reply.  If the worker blocks in epoll_wait then, the client's send
 * pays the wakeup (an inter-processor interrupt; on a virtual machine an exit to the
 * host), and the worker pays a context switch, often for a single request.  So while
 * the gaps between busy periods have been short and the last busy period served
 * several clients, the worker naps instead: IDLE_NAP_US on a timer of its own CPU,
 * with nobody waiting on its epoll set, so the sends that arrive meanwhile wake no
 * one.  It then takes what arrived with a non-blocking epoll_wait, and blocks as
 * before only if nothing did.
 *
 * Invariants:
 *   - a nap never replaces a due timeout (timeout_ms 0) and never follows a busy
 *     period that served one client: a lone client waits for its own reply, so
 *     napping would only delay its next request;
 *   - a nap that caught nothing counts as a long gap, so a worker whose load
 *     stopped naps at most a few times before it blocks on every wait again;
 *   - the cost is at most IDLE_NAP_US of added latency for a request that arrives
 *     during a nap; an idle worker blocks in epoll_wait as before.
 */
#ifndef WORKER_IDLE_H
#define WORKER_IDLE_H

#include <stdint.h>
#include <sys/epoll.h>

#define IDLE_NAP_US 20          /* the nap */
#define IDLE_SHORT_GAP_US 30    /* a wait this short would have been caught by a nap */
#define IDLE_SLEPT_US 3         /* a wait at least this long slept; shorter ones found events queued */

struct idle_policy {
    int short_gaps;             /* moving average of "the last waits were short", 0..256 */
    int clients;                /* clients served since the worker last slept */
};

/* Once per worker: timers as precise as the nap needs (the default slack is 50 us). */
void idle_init(void);

/* run_batch served n clients. */
void idle_served(struct idle_policy *p, int n);

int idle_should_nap(const struct idle_policy *p, int timeout_ms);

/* Records one wait: napped or not, whether it ended with events in hand within a short
 * gap (for a nap: whether the nap caught any), and how long it took. */
void idle_observe(struct idle_policy *p, int napped, int short_gap, int64_t waited_ns);

/* epoll_wait for a worker with nothing to run, napping first when the policy says so. */
int idle_wait(struct idle_policy *p, int epfd, struct epoll_event *events, int max, int timeout_ms);

#endif
