/* tests/unit/test_undo.c - the undo log (shm/undo.c) with the allocator it protects.
 *
 * One deterministic write (allocations, frees deferred to commit, UNDO_SET stores,
 * a larger undo_save) is stopped after its Nth logged store, for every N until it
 * completes, and the arena must come back byte for byte:
 *  (a) in process: the crash hook longjmps out, undo_rollback restores;
 *  (b) for real: a forked child is SIGKILLed inside the write on a MAP_SHARED arena,
 *      and the parent's shm_lock_acquire recovers it (returns 1).
 * "Byte for byte" is the whole arena but the lock, the undo bookkeeping, the log
 * region, and the bytes the write stored into memory it had allocated (free again).
 * Also: commit and rollback of plain stores, a full log aborting the write to its
 * guard, and aborting without a guard.
 */
#include <check.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm/alloc.h"
#include "shm/arena.h"
#include "shm/lock.h"
#include "shm/undo.h"
#include "shm/slab_internal.h"
#include "tests/unit/fixture.h"

#define ARENA_SIZE (16u << 20)
#define NOBJ 120

struct root {
    uint64_t counter;
    shm_off_t obj[NOBJ];
    shm_off_t big;
    char text[200];
};

struct range {
    uint64_t off, len;
};

static void *mem;               /* plain memory arena (NULL when memfd) */
static shm_off_t root_off;

static void check_consistent(void)
{
    char err[256];
    ck_assert_msg(slab_check(err, sizeof(err)) == 0, "slab_check: %s", err);
}

static struct root *root(void) { return shm_ptr(root_off); }

/* Committed starting state: objects of many classes, a large run, a root. */
static void populate(void)
{
    undo_begin();
    root_off = shm_calloc(sizeof(struct root));
    for (int i = 0; i < NOBJ; i++) {
        size_t size = i < 100 ? 8 + (size_t)(i * 37) % 600 : 3000;
        root()->obj[i] = shm_alloc(size);
        memset(shm_ptr(root()->obj[i]), i, size);
    }
    root()->big = shm_alloc(5 * SHM_PAGE_SIZE);
    memset(shm_ptr(root()->big), 0xbb, 5 * SHM_PAGE_SIZE);
    strcpy(root()->text, "before the write");
    fixture_write_commit();
    check_consistent();
}

/* The write under test; report(range) is called for memory it allocated, before it
 * stores into it. */
static void the_write(void (*report)(struct range))
{
    struct root *r = root();
    UNDO_SET(r->counter, r->counter + 1);
    for (int i = 0; i < 16; i++) {
        size_t size = 16 + (size_t)i * 50;
        shm_off_t off = shm_alloc(size);
        report((struct range){ off, shm_alloc_usable(off) });  /* freed at once: junk may fill it all */
        memset(shm_ptr(off), 0xc0 + i, size);
        if (i % 4 == 0)
            shm_free(off);              /* allocated and freed in one write */
    }
    shm_off_t big = shm_calloc(20000);
    report((struct range){ big, 20000 });
    for (int i = 0; i < NOBJ; i += 3) {
        shm_free(r->obj[i]);
        UNDO_SET(r->obj[i], i % 2 ? 0 : big);
    }
    for (int i = 100; i < NOBJ; i++)    /* empties the 3000-byte slabs at commit */
        if (i % 3) {
            shm_free(r->obj[i]);
            UNDO_SET(r->obj[i], 0);
        }
    undo_save(r->text, sizeof(r->text));
    memset(r->text, 'x', sizeof(r->text));
    shm_free(r->big);                   /* large run, coalesced at commit */
    UNDO_SET(r->big, 0);
}

/* ---- comparing with a snapshot ---- */

static char *snapshot(void)
{
    char *copy = malloc(ARENA_SIZE);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, shm_base, ARENA_SIZE);
    return copy;
}

static const char *region_name(uint64_t off)
{
    const struct shm_header *h = shm_header();
    return off < h->undo_off ? "header" : off < h->alloc_off ? "undo log" :
           off < h->heap_off ? "allocator metadata" : "heap";
}

static void compare_span(const char *snap, uint64_t from, uint64_t to)
{
    if (memcmp(shm_base + from, snap + from, to - from) == 0)
        return;
    uint64_t i = from;
    while (shm_base[i] == snap[i])
        i++;
    ck_abort_msg("arena differs from the snapshot at %llu (%s): %02x, was %02x",
                 (unsigned long long)i, region_name(i), (uint8_t)shm_base[i], (uint8_t)snap[i]);
}

/* Holes: the lock and undo bookkeeping in the header, and the log itself. */
static void assert_restored(const char *snap, const struct range *fresh, size_t nfresh)
{
    const struct shm_header *h = shm_header();
    uint64_t hole1 = offsetof(struct shm_header, lock);
    uint64_t hole1_end = offsetof(struct shm_header, undo) + sizeof(struct shm_undo_state);
    for (size_t i = 0; i < nfresh; i++)     /* free again: contents do not matter */
        memcpy(shm_base + fresh[i].off, snap + fresh[i].off, fresh[i].len);
    compare_span(snap, 0, hole1);
    compare_span(snap, hole1_end, h->undo_off);
    compare_span(snap, h->undo_off + h->undo.capacity, ARENA_SIZE);
    check_consistent();
}

/* Back to the snapshot exactly (free memory included), keeping the live lock. */
static void restore(const char *snap)
{
    uint64_t lock = offsetof(struct shm_header, lock);
    memcpy(shm_base, snap, lock);
    memcpy(shm_base + lock + sizeof(struct shm_lock), snap + lock + sizeof(struct shm_lock),
           ARENA_SIZE - lock - sizeof(struct shm_lock));
}

/* ---- (a) stopped after N records, in process ---- */

static struct range fresh[64];
static size_t nfresh;
static jmp_buf crash_env;

static void report_local(struct range r) { fresh[nfresh++] = r; }
static void crash_jump(void) { longjmp(crash_env, 1); }

static void plain_setup(void)
{
    char err[256];
    struct shm_arena_params p = { .arena_size = ARENA_SIZE, .ndbs = 16, .nworkers = 1 };
    mem = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(mem, MAP_FAILED);
    ck_assert_msg(shm_arena_init_memory(mem, &p, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(shm_lock_acquire(), 0);
}

static void plain_teardown(void)
{
    shm_lock_release();
    munmap(mem, ARENA_SIZE);
    shm_base = NULL;
}

START_TEST(test_stop_after_every_record)
{
    populate();
    char *snap = snapshot();
    struct slab_stats before;
    slab_get_stats(&before);
    volatile long n;
    for (n = 0;; n++) {
        nfresh = 0;
        undo_test_crash_after(n, crash_jump);
        if (setjmp(crash_env) == 0) {
            undo_begin();
            the_write(report_local);
            fixture_write_commit();
            undo_test_crash_after(-1, NULL);
            break;
        }
        ck_assert(undo_in_write());
        undo_rollback();
        slab_after_rollback();
        ck_assert(!undo_in_write());
        ck_assert_uint_eq(undo_used(), 0);
        assert_restored(snap, fresh, nfresh);
        restore(snap);
    }
    ck_assert_int_gt(n, 150);           /* the write, commit included, was covered */
    ck_assert_uint_eq(root()->counter, 1);
    ck_assert_uint_eq(root()->big, 0);
    check_consistent();
    struct slab_stats after;
    slab_get_stats(&after);
    ck_assert_uint_lt(after.allocations, before.allocations);
    free(snap);
}
END_TEST

/* ---- (b) a child SIGKILLed after N records, on a shared arena ---- */

static int report_fd;
static void report_pipe(struct range r)
{
    if (write(report_fd, &r, sizeof(r)) != sizeof(r))
        _exit(3);
}

/* Runs the write in a child killed at its nth record; returns its wait status and
 * the ranges it allocated. */
static int run_child(long n, struct range *out, size_t *nout)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        report_fd = fds[1];
        if (shm_lock_acquire() != 0)
            _exit(2);
        if (shm_header()->lock.owner_pid != getpid())   /* not the parent's, cached */
            _exit(3);
        undo_test_crash_after(n, NULL);
        undo_begin();
        the_write(report_pipe);
        fixture_write_commit();
        shm_lock_release();
        _exit(0);
    }
    close(fds[1]);
    struct range r;
    *nout = 0;
    while (read(fds[0], &r, sizeof(r)) == sizeof(r))
        out[(*nout)++] = r;
    close(fds[0]);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return status;
}

static void shared_setup(void)
{
    char err[256];
    struct shm_arena_params p = { .arena_size = ARENA_SIZE, .ndbs = 16, .nworkers = 1 };
    mem = NULL;
    ck_assert_msg(shm_arena_create(&p, err, sizeof(err)) >= 0, "%s", err);
    ck_assert_int_eq(shm_lock_acquire(), 0);
}

static void shared_teardown(void)
{
    if (shm_lock_held())
        shm_lock_release();
    shm_arena_destroy();
}

START_TEST(test_killed_writer_recovered)
{
    populate();
    char *snap = snapshot();
    long n;
    for (n = 0;; n++) {
        struct range got[64];
        size_t ngot;
        shm_lock_release();
        int status = run_child(n, got, &ngot);
        if (WIFEXITED(status)) {
            ck_assert_int_eq(WEXITSTATUS(status), 0);
            ck_assert_int_eq(shm_lock_acquire(), 0);
            break;
        }
        ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %d", status);
        uint32_t recoveries = shm_header()->lock.recoveries;
        ck_assert_int_eq(shm_lock_acquire(), 1);
        ck_assert_int_eq(shm_header()->lock.owner_pid, getpid());
        ck_assert_uint_eq(shm_header()->lock.recoveries, recoveries + 1);
        ck_assert_uint_eq(undo_used(), 0);
        assert_restored(snap, got, ngot);
        restore(snap);
    }
    ck_assert_int_gt(n, 150);
    ck_assert_uint_eq(root()->counter, 1);   /* the child that finished committed */
    check_consistent();
    free(snap);
}
END_TEST

/* ---- the log's own contract ---- */

START_TEST(test_commit_and_rollback)
{
    populate();
    struct root *r = root();
    undo_begin();
    UNDO_SET(r->counter, 7);
    ck_assert_uint_gt(undo_used(), 0);
    fixture_write_commit();
    ck_assert_uint_eq(undo_used(), 0);
    ck_assert_uint_eq(r->counter, 7);

    undo_begin();
    UNDO_SET(r->counter, 8);
    UNDO_SET(r->counter, 9);            /* saved twice: the oldest value wins */
    undo_save(r->text, 5);
    memcpy(r->text, "AFTER", 5);
    shm_off_t off = shm_alloc(100);
    UNDO_SET(r->obj[0], off);
    undo_rollback();
    ck_assert(!undo_in_write());
    ck_assert_uint_eq(r->counter, 7);
    ck_assert_str_eq(r->text, "before the write");
    ck_assert_uint_ne(r->obj[0], off);
    check_consistent();
}
END_TEST

START_TEST(test_full_log_aborts_to_guard)
{
    populate();
    struct root *r = root();
    char *snap = snapshot();
    jmp_buf guard;
    undo_guard = &guard;
    int why = setjmp(guard);
    if (why == 0) {
        undo_begin();
        for (;;) {                      /* each record: 16 + 200 bytes of 2 MB */
            undo_save(r->text, sizeof(r->text));
            r->text[0]++;
            UNDO_SET(r->counter, r->counter + 1);
        }
    }
    undo_guard = NULL;
    ck_assert_int_eq(why, UNDO_ABORT_LOG_FULL);
    ck_assert(!undo_in_write());
    ck_assert_uint_eq(undo_used(), 0);
    ck_assert_uint_ge(shm_header()->undo.high_water, shm_header()->undo.capacity - 256);
    assert_restored(snap, NULL, 0);
    free(snap);
}
END_TEST

static void abort_without_guard(void)
{
    undo_begin();
    undo_abort(UNDO_ABORT_OOM);
}

static void begin_twice(void)
{
    undo_begin();
    UNDO_SET(root()->counter, 1);
    undo_begin();
}

static void expect_abort(void (*fn)(void), const char *message)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        fn();
        _exit(0);
    }
    close(fds[1]);
    char out[1024];
    ssize_t n, len = 0;
    while ((n = read(fds[0], out + len, sizeof(out) - 1 - (size_t)len)) > 0)
        len += n;
    out[len] = 0;
    close(fds[0]);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
                  "child did not abort (status %d), stderr: %s", status, out);
    ck_assert_msg(strstr(out, message) != NULL, "expected \"%s\" in: %s", message, out);
}

START_TEST(test_misuse_aborts)
{
    populate();
    expect_abort(abort_without_guard, "arena out of memory");
    expect_abort(begin_twice, "a write is already open");
}
END_TEST

static Suite *undo_suite(void)
{
    Suite *s = suite_create("undo");
    TCase *plain = tcase_create("plain memory");
    tcase_add_checked_fixture(plain, plain_setup, plain_teardown);
    tcase_set_timeout(plain, 120);
    tcase_add_test(plain, test_commit_and_rollback);
    tcase_add_test(plain, test_full_log_aborts_to_guard);
    tcase_add_test(plain, test_misuse_aborts);
    tcase_add_test(plain, test_stop_after_every_record);
    suite_add_tcase(s, plain);

    TCase *shared = tcase_create("shared memfd");
    tcase_add_checked_fixture(shared, shared_setup, shared_teardown);
    tcase_set_timeout(shared, 120);
    tcase_add_test(shared, test_killed_writer_recovered);
    suite_add_tcase(s, shared);
    return s;
}

int main(void)
{
    return fixture_run_suite(undo_suite());
}
