/* tests/unit/fixture.h - what the unit tests share: an arena laid out on plain
 * (private, anonymous) memory with the lock held, the write begin/commit/rollback the
 * way the server ends writes (slab junk-filling included), the default config put in
 * place, and running one command in its own write to get its reply bytes.
 *
 * One arena at a time: fixture_arena_open() maps and initialises it and takes the
 * lock; fixture_arena_close() releases the lock and unmaps it.  Not a test itself
 * (the Makefile links it into every tests/unit/test_*.c binary).
 */
#ifndef FERROUS_TESTS_UNIT_FIXTURE_H
#define FERROUS_TESTS_UNIT_FIXTURE_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

/* How fixture_exec() ends the command's write. */
enum fixture_end { FIXTURE_COMMIT, FIXTURE_ROLLBACK, FIXTURE_KEEP_OPEN };

/* Last reply of fixture_exec(): its bytes NUL-terminated, their count, and the
 * command's dirty count. */
extern const char *fixture_out;
extern size_t fixture_outlen;
extern uint64_t fixture_last_dirty;

/* Maps arena_size bytes (MAP_NORESERVE), lays the arena out with the given undo log
 * size, ndbs and nworkers parameters, and takes the lock.  No write is open. */
void fixture_arena_open(size_t arena_size, size_t undo_size, int ndbs, int nworkers);
void fixture_arena_close(void);

void fixture_write_commit(void);    /* undo_commit + slab_after_commit */
void fixture_write_rollback(void);  /* undo_rollback + slab_after_rollback */

/* Inside an open write: allocates conf_values with the defaults and makes it the
 * arena's config. */
void fixture_config_install(void);

/* In its own write, ended as asked (KEEP_OPEN leaves it open for the caller), runs the
 * command argv[0..argc) (lens NULL: the words are NUL-terminated) on db 0 speaking
 * RESP resp, after checking it exists and its arity.  Returns fixture_out. */
const char *fixture_exec(int resp, enum fixture_end end, int argc, const char **argv, const size_t *lens);
/* The same for a NULL-terminated argv. */
const char *fixture_exec_argv(int resp, enum fixture_end end, const char **argv);

/* Runs every test of the suite (freed after); the process's exit status: 0 when all
 * passed. */
int fixture_run_suite(Suite *s);

/* xorshift64: the tests' fixed-seed random sequence, advanced in *state. */
uint64_t fixture_xorshift(uint64_t *state);

#define RUN(...) fixture_exec_argv(2, FIXTURE_COMMIT, (const char *[]){ __VA_ARGS__, NULL })
#define RUN3(...) fixture_exec_argv(3, FIXTURE_COMMIT, (const char *[]){ __VA_ARGS__, NULL })
#define RUN_UNDONE(...) fixture_exec_argv(2, FIXTURE_ROLLBACK, (const char *[]){ __VA_ARGS__, NULL })
#define RUN_OPEN(...) fixture_exec_argv(2, FIXTURE_KEEP_OPEN, (const char *[]){ __VA_ARGS__, NULL })

#endif
