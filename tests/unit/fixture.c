/* tests/unit/fixture.c - the unit tests' shared arena and command fixture (see
 * fixture.h).  Owns the one mapping of the arena under test and the buffer holding
 * the last reply, which grows to fit it (no reply is cut short).
 */
#include "tests/unit/fixture.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "conf/conf.h"
#include "keyspace/db.h"
#include "proto/reply.h"
#include "shm/alloc.h"
#include "shm/arena.h"
#include "shm/lock.h"
#include "shm/slab_internal.h"
#include "shm/undo.h"
#include "types/command.h"

const char *fixture_out = "";
size_t fixture_outlen;
uint64_t fixture_last_dirty;

static void *arena_mem;
static size_t arena_len;
static char *outbuf;
static size_t outcap;

void fixture_arena_open(size_t arena_size, size_t undo_size, int ndbs, int nworkers)
{
    struct shm_arena_params p = { .arena_size = arena_size, .undo_size = undo_size,
                                  .ndbs = ndbs, .nworkers = nworkers };
    char err[256];
    arena_mem = mmap(NULL, arena_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    ck_assert_ptr_ne(arena_mem, MAP_FAILED);
    arena_len = arena_size;
    ck_assert_msg(shm_arena_init_memory(arena_mem, &p, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(shm_lock_acquire(), 0);
}

void fixture_arena_close(void)
{
    shm_lock_release();
    munmap(arena_mem, arena_len);
    arena_mem = NULL;
}

void fixture_write_commit(void)
{
    undo_commit();
    slab_after_commit();
}

void fixture_write_rollback(void)
{
    undo_rollback();
    slab_after_rollback();
}

void fixture_config_install(void)
{
    shm_off_t conf = shm_alloc(sizeof(struct conf_values));
    conf_defaults(shm_ptr(conf));
    UNDO_SET(shm_header()->config_off, conf);
}

static void keep_reply(const struct reply *rep)
{
    if (rep->len + 1 > outcap) {
        outcap = rep->len + 1;
        outbuf = realloc(outbuf, outcap);
        ck_assert_ptr_nonnull(outbuf);
    }
    memcpy(outbuf, rep->buf, rep->len);
    outbuf[rep->len] = '\0';
    fixture_outlen = rep->len;
    fixture_out = outbuf;
}

static const char *exec_lens(int resp, enum fixture_end end, int argc, const char **argv, const size_t *lens)
{
    struct reply rep;
    const struct command *cmd = command_lookup(argv[0], lens[0]);
    ck_assert_msg(cmd != NULL, "unknown command %s", argv[0]);
    ck_assert_msg(command_arity_ok(cmd, argc), "arity of %s", argv[0]);
    reply_init(&rep, resp);
    struct cmd_ctx c = { .cmd = cmd, .argc = argc, .argv = argv, .argvlen = lens, .reply = &rep,
                         .db = db_get(0), .dbid = 0, .resp = resp };
    undo_begin();
    cmd->proc(&c);
    if (end == FIXTURE_COMMIT)
        fixture_write_commit();
    else if (end == FIXTURE_ROLLBACK)
        fixture_write_rollback();
    fixture_last_dirty = c.dirty;
    keep_reply(&rep);
    reply_free(&rep);
    return fixture_out;
}

const char *fixture_exec(int resp, enum fixture_end end, int argc, const char **argv, const size_t *lens)
{
    if (lens)
        return exec_lens(resp, end, argc, argv, lens);
    size_t *own = malloc((size_t)argc * sizeof(*own));
    ck_assert_ptr_nonnull(own);
    for (int i = 0; i < argc; i++)
        own[i] = strlen(argv[i]);
    exec_lens(resp, end, argc, argv, own);
    free(own);
    return fixture_out;
}

const char *fixture_exec_argv(int resp, enum fixture_end end, const char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    return fixture_exec(resp, end, argc, argv, NULL);
}

int fixture_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0;
}

uint64_t fixture_xorshift(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}
