/* lua/function.h - FUNCTION and FCALL: libraries of named Lua functions.  Library
 * code lives in the arena (script_shared.libraries, keyed by library name); each
 * worker loads every library into its Lua state when the arena's fgeneration moved
 * (function_lib.c loads one library, function.c keeps the worker's function table
 * and implements the commands). */
#ifndef LUA_FUNCTION_H
#define LUA_FUNCTION_H

#include <lua.h>
#include <stddef.h>
#include "types/command.h"

/* Builds the load-time globals (called once by lenv_create). */
void flib_init(lua_State *L);

/* FUNCTION LOAD's time limit for running a library's code. */
#define FLIB_LOAD_TIMEOUT_MS 500

/* Checks the library code's metadata line ("#!lua name=<lib>") as Redis does; returns
 * the library name (malloc'd, letters, digits and '_' only), or NULL with Redis's error
 * text in err. */
char *flib_metadata(const char *code, size_t len, char *err, size_t errlen);

/* Compiles and runs library code whose metadata flib_metadata accepted (limited: within
 * FLIB_LOAD_TIMEOUT_MS); on success pushes {fname -> {name=, fn=, flags=, desc=}} and
 * returns 0; else -1 with Redis's error text in err. */
int flib_load(lua_State *L, const char *code, size_t len, int limited, char *err, size_t errlen);

/* function.c: the worker's function table.  Function names are case-insensitive
 * across libraries (FCALL F finds f) and keep their case for FUNCTION LIST and error
 * messages; library names are case-sensitive.  function_sync brings the table up to
 * date with the arena's libraries; function_find pushes the entry {name=, fn=, flags=,
 * desc=, lib=} of a function and returns 1, or returns 0 (nothing pushed); a write that
 * changes the libraries calls function_bump_generation so every worker reloads them;
 * function_syntax_error replies Redis's error for bad FUNCTION subcommand arguments. */
void function_sync(void);
int function_find(const char *name, size_t len);
void function_bump_generation(void);
void function_syntax_error(struct cmd_ctx *c);
/* Pushes a function name folded to lower case: the key function names compare by. */
void function_push_folded(lua_State *L, const char *s, size_t n);

/* function_dump.c: FUNCTION DUMP and FUNCTION RESTORE. */
void function_dump_command(struct cmd_ctx *c);
void function_restore_command(struct cmd_ctx *c);

extern const struct command function_commands[];    /* FUNCTION, FCALL, FCALL_RO */
#endif
