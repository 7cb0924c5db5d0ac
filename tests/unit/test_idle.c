/* tests/unit/test_idle.c - when a worker naps instead of blocking (worker/idle.h):
 * only after short gaps and busy periods that served several clients, never for a
 * lone client or over a due timeout, and not for long once naps stop catching
 * anything; idle_wait on a real epoll set returns what is ready, and honours the
 * timeout whether or not it napped first. */
#include <check.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/fixture.h"
#include "worker/idle.h"

#define SHORT_NS ((int64_t)IDLE_SHORT_GAP_US * 1000 / 2)
#define LONG_NS ((int64_t)IDLE_SHORT_GAP_US * 1000 * 10)

/* A busy period that served `clients` clients, then a blocking wait of waited_ns. */
static void busy_then_wait(struct idle_policy *p, int clients, int64_t waited_ns)
{
    idle_served(p, clients);
    idle_observe(p, 0, waited_ns <= IDLE_SHORT_GAP_US * 1000, waited_ns);
}

/* A policy after 20 busy periods of `clients` clients, each followed by a short wait. */
static struct idle_policy after_short_gaps(int clients)
{
    struct idle_policy p = { 0 };
    for (int i = 0; i < 20; i++)
        busy_then_wait(&p, clients, SHORT_NS);
    return p;
}

START_TEST(naps_only_under_concurrent_load)
{
    struct idle_policy fresh = { 0 };
    ck_assert(!idle_should_nap(&fresh, -1));         /* a fresh worker blocks */
    struct idle_policy p = after_short_gaps(1);
    idle_served(&p, 1);
    ck_assert(!idle_should_nap(&p, -1));             /* one client: it waits for its reply */
    idle_served(&p, 1);
    ck_assert(idle_should_nap(&p, -1));              /* two clients in this busy period */
    ck_assert(!idle_should_nap(&p, 0));              /* a timeout is due: no nap */
    ck_assert(idle_should_nap(&p, 100));
}
END_TEST

START_TEST(long_gaps_stop_the_naps)
{
    struct idle_policy p = after_short_gaps(3);
    idle_served(&p, 3);
    ck_assert(idle_should_nap(&p, -1));
    int naps = 0;
    while (idle_should_nap(&p, -1)) {                /* load stopped: every nap misses */
        idle_observe(&p, 1, 0, LONG_NS);
        idle_served(&p, 3);
        ck_assert_int_le(++naps, 8);
    }
    for (int i = 0; i < 20; i++)                     /* gaps long without napping too */
        busy_then_wait(&p, 3, LONG_NS);
    idle_served(&p, 3);
    ck_assert(!idle_should_nap(&p, -1));
}
END_TEST

START_TEST(only_a_real_sleep_ends_the_busy_period)
{
    struct idle_policy p = after_short_gaps(2);
    idle_served(&p, 1);
    idle_observe(&p, 0, 1, 0);                       /* events were queued: no sleep */
    idle_served(&p, 1);
    ck_assert(idle_should_nap(&p, -1));
    idle_observe(&p, 0, 1, IDLE_SLEPT_US * 1000);    /* slept: a new busy period */
    idle_served(&p, 1);
    ck_assert(!idle_should_nap(&p, -1));
}
END_TEST

/* idle_wait on an epoll set watching the read end of a pipe, with or without a nap. */
static void wait_on_pipe(int nap)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 7 }, got[4];
    ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev), 0);
    struct idle_policy p = nap ? after_short_gaps(2) : (struct idle_policy){ 0 };
    idle_served(&p, 2);
    ck_assert_int_eq(idle_should_nap(&p, 10), nap);
    ck_assert_int_eq(idle_wait(&p, ep, got, 4, 10), 0);      /* nothing: times out */
    ck_assert_int_eq(write(fds[1], "x", 1), 1);
    idle_served(&p, 2);
    ck_assert_int_eq(idle_wait(&p, ep, got, 4, -1), 1);      /* ready: returned, no hang */
    ck_assert_uint_eq(got[0].data.u64, 7);
    close(ep);
    close(fds[0]);
    close(fds[1]);
}

START_TEST(wait_returns_events_and_times_out)
{
    idle_init();
    wait_on_pipe(0);
    wait_on_pipe(1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("idle");
    TCase *tc = tcase_create("idle");
    tcase_add_test(tc, naps_only_under_concurrent_load);
    tcase_add_test(tc, long_gaps_stop_the_naps);
    tcase_add_test(tc, only_a_real_sleep_ends_the_busy_period);
    tcase_add_test(tc, wait_returns_events_and_times_out);
    suite_add_tcase(s, tc);
    return fixture_run_suite(s);
}
