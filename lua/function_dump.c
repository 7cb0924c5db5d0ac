/* lua/function_dump.c - FUNCTION DUMP and FUNCTION RESTORE: the function libraries as
 * a DUMP payload (rdb/payload.h) whose body is, per library, RDB_OPCODE_FUNCTION2 and
 * the library's code as an RDB string - the bytes Redis 7.0 writes and reads.
 *
 * RESTORE is all or nothing.  The dispatcher commits whatever a command changed, so
 * RESTORE writes nothing to the arena until the whole payload has been read, each of
 * its libraries loaded into this worker's Lua state (compiled, its functions
 * registered: what FUNCTION LOAD checks) and the lot checked against the existing
 * libraries under the policy; a failure anywhere before that leaves no trace.
 *
 * As in Redis, the reader's bounds are the whole payload, footer included: the loop
 * stops once fewer than 11 bytes remain, and a string may run into the footer. */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/shared.h"
#include "lua/function.h"
#include "lua/lua_int.h"
#include "lua/script_cache.h"
#include "rdb/codec.h"
#include "rdb/payload.h"

enum restore_policy { POLICY_APPEND, POLICY_REPLACE, POLICY_FLUSH };

struct restore_lib {
    char *code, *name;              /* malloc'd */
    size_t len;
};

/* A payload read and checked; funcs is the stack index of a table mapping each of its
 * function names, folded to lower case, to its entry (flib_load's, with lib= added). */
struct restore {
    struct restore_lib *libs;
    size_t n, cap;
    int funcs;
    char err[512];
};

static void dump_library(shm_off_t entry, void *arg)
{
    struct script_body *b = shm_ptr(entry);
    rdb_write_byte(arg, RDB_OPCODE_FUNCTION2);
    rdb_write_string(arg, script_body_code(b), b->len, conf_shared()->rdbcompression);
}

/* FUNCTION DUMP */
void function_dump_command(struct cmd_ctx *c)
{
    struct rdb_writer w;
    rdb_writer_init(&w);
    uint64_t cursor = 0;
    do
        cursor = dict_scan(&scache_shared()->libraries, cursor, dump_library, &w);
    while (cursor);
    rdb_payload_seal(&w);
    reply_bulk(c->reply, w.buf, w.len);
    rdb_writer_free(&w);
}

static int restore_error(struct restore *rs, const char *fmt, const char *arg)
{
    snprintf(rs->err, sizeof(rs->err), fmt, arg);
    return -1;
}

static const struct restore_lib *payload_library(const struct restore *rs, const char *name)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strcmp(rs->libs[i].name, name) == 0)
            return &rs->libs[i];
    return NULL;
}

/* A function of the library just loaded (flib_load's table on the top) whose name, in
 * any case, an earlier library of the payload registered; NULL if none. */
static const char *taken_function(const struct restore *rs)
{
    lua_pushnil(lstate);
    while (lua_next(lstate, -2)) {
        lua_pop(lstate, 1);
        size_t n;
        const char *fname = lua_tolstring(lstate, -1, &n);
        function_push_folded(lstate, fname, n);
        lua_rawget(lstate, rs->funcs);
        int taken = !lua_isnil(lstate, -1);
        lua_pop(lstate, 1);
        if (taken) {
            lua_pop(lstate, 1);
            return fname;
        }
    }
    return NULL;
}

/* Moves the functions of the library just loaded (flib_load's table on the top) into
 * rs->funcs, unless one of them is already there; pops the table. */
static int collect_functions(struct restore *rs, const char *lib)
{
    const char *taken = taken_function(rs);
    if (taken) {
        restore_error(rs, "ERR Function %s already exists", taken);
        lua_pop(lstate, 1);
        return -1;
    }
    lua_pushnil(lstate);
    while (lua_next(lstate, -2)) {
        lua_pushstring(lstate, lib);
        lua_setfield(lstate, -2, "lib");
        size_t n;
        const char *fname = lua_tolstring(lstate, -2, &n);
        function_push_folded(lstate, fname, n);
        lua_insert(lstate, -2);
        lua_rawset(lstate, rs->funcs);
    }
    lua_pop(lstate, 1);
    return 0;
}

/* Loads one library of the payload (taking code, malloc'd) as FUNCTION LOAD would into
 * an empty set holding only the payload's libraries read so far: the name is checked
 * before the code is compiled. */
static int add_library(struct restore *rs, char *code, size_t len)
{
    char *name = flib_metadata(code, len, rs->err, sizeof(rs->err));
    if (!name)
        goto fail;
    if (payload_library(rs, name)) {
        restore_error(rs, "ERR Library '%s' already exists", name);
        goto fail;
    }
    if (flib_load(lstate, code, len, 1, rs->err, sizeof(rs->err)) < 0)
        goto fail;
    if (collect_functions(rs, name) < 0)
        goto fail;
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 4;
        struct restore_lib *libs = realloc(rs->libs, rs->cap * sizeof(*libs));
        if (!libs) {
            restore_error(rs, "%s", "ERR out of memory");
            goto fail;
        }
        rs->libs = libs;
    }
    rs->libs[rs->n++] = (struct restore_lib){ code, name, len };
    return 0;
fail:
    free(name);
    free(code);
    return -1;
}

/* The code of a library in 7.0-rc's format: name, engine, [description], code. */
static int read_pre_ga(struct restore *rs, struct rdb_reader *r, char **code, size_t *len)
{
    char *name = NULL, *engine = NULL, *desc = NULL, *blob = NULL;
    size_t n;
    uint64_t has_desc;
    const char *failed = NULL;
    if (rdb_read_string(r, &name, &n) < 0)
        failed = "ERR Failed loading library name";
    else if (rdb_read_string(r, &engine, &n) < 0)
        failed = "ERR Failed loading engine name";
    else if (rdb_read_len(r, &has_desc, NULL) < 0)
        failed = "ERR Failed loading library description indicator";
    else if (has_desc && rdb_read_string(r, &desc, &n) < 0)
        failed = "ERR Failed loading library description";
    else if (rdb_read_string(r, &blob, &n) < 0)
        failed = "ERR Failed loading library blob";
    else if (!(*code = malloc((*len = strlen(engine) + strlen(name) + strlen(blob) + 9) + 1)))
        failed = "ERR out of memory";
    else
        snprintf(*code, *len + 1, "#!%s name=%s\n%s", engine, name, blob);
    free(name);
    free(engine);
    free(desc);
    free(blob);
    return failed ? restore_error(rs, "%s", failed) : 0;
}

/* Reads and loads every library of a verified payload. */
static int read_payload(struct restore *rs, const char *p, size_t len)
{
    struct rdb_reader r;
    rdb_reader_init(&r, p, len);
    while (len - r.pos > RDB_PAYLOAD_FOOTER) {
        int type = rdb_read_byte(&r);
        char *code;
        size_t clen;
        if (type == RDB_OPCODE_FUNCTION_PRE_GA) {
            if (read_pre_ga(rs, &r, &code, &clen) < 0)
                return -1;
        } else if (type != RDB_OPCODE_FUNCTION2) {
            return restore_error(rs, "%s", "ERR given type is not a function");
        } else if (rdb_read_string(&r, &code, &clen) < 0) {
            return restore_error(rs, "%s", "ERR Failed loading library payload");
        }
        if (add_library(rs, code, clen) < 0)
            return -1;
    }
    return 0;
}

/* Whether the owner of the function on the top (an entry of the worker's table) will
 * stay: it will not if the payload replaces it. */
static int owner_stays(const struct restore *rs)
{
    lua_getfield(lstate, -1, "lib");
    int stays = !payload_library(rs, lua_tostring(lstate, -1));
    lua_pop(lstate, 2);
    return stays;
}

/* APPEND: no library of the payload may exist; REPLACE: those that do go.  Either way
 * no function of the payload may belong to a library that stays. */
static int check_against_existing(struct restore *rs, enum restore_policy policy)
{
    struct dict *libs = &scache_shared()->libraries;
    for (size_t i = 0; policy == POLICY_APPEND && i < rs->n; i++)
        if (scache_find(libs, rs->libs[i].name, strlen(rs->libs[i].name)))
            return restore_error(rs, "ERR Library %s already exists", rs->libs[i].name);
    lua_pushnil(lstate);
    while (lua_next(lstate, rs->funcs)) {
        lua_getfield(lstate, -1, "name");
        size_t n;
        const char *fname = lua_tolstring(lstate, -1, &n);
        if (function_find(fname, n) && owner_stays(rs)) {
            restore_error(rs, "ERR Function %s already exists", fname);
            lua_pop(lstate, 3);
            return -1;
        }
        lua_pop(lstate, 2);
    }
    return 0;
}

static void install_libraries(const struct restore *rs, enum restore_policy policy)
{
    struct dict *libs = &scache_shared()->libraries;
    if (policy == POLICY_FLUSH)
        scache_clear(libs);
    for (size_t i = 0; i < rs->n; i++)
        scache_put(libs, rs->libs[i].name, strlen(rs->libs[i].name), rs->libs[i].code, rs->libs[i].len);
    function_bump_generation();
}

static int parse_policy(struct cmd_ctx *c, enum restore_policy *policy)
{
    *policy = POLICY_APPEND;
    if (c->argc == 3 || arg_is(c, 3, "append"))
        return 0;
    if (arg_is(c, 3, "replace") || arg_is(c, 3, "flush")) {
        *policy = arg_is(c, 3, "replace") ? POLICY_REPLACE : POLICY_FLUSH;
        return 0;
    }
    reply_error(c->reply, "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
    return -1;
}

/* FUNCTION RESTORE serialized-value [FLUSH|APPEND|REPLACE] */
void function_restore_command(struct cmd_ctx *c)
{
    enum restore_policy policy;
    if (c->argc > 4) {
        function_syntax_error(c);
        return;
    }
    if (parse_policy(c, &policy) < 0)
        return;
    if (rdb_payload_verify(c->argv[2], c->argvlen[2], NULL) < 0) {
        reply_error(c->reply, "ERR DUMP payload version or checksum are wrong");
        return;
    }
    function_sync();
    int top = lua_gettop(lstate);
    lua_newtable(lstate);
    struct restore rs = { .funcs = lua_gettop(lstate) };
    if (read_payload(&rs, c->argv[2], c->argvlen[2]) < 0 ||
        (policy != POLICY_FLUSH && check_against_existing(&rs, policy) < 0)) {
        reply_error(c->reply, rs.err);
    } else {
        install_libraries(&rs, policy);
        reply_ok(c->reply);
    }
    for (size_t i = 0; i < rs.n; i++) {
        free(rs.libs[i].code);
        free(rs.libs[i].name);
    }
    free(rs.libs);
    lua_settop(lstate, top);
}
