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

/* Loads library code: on success pushes {fname -> {fn=, flags=, desc=}}, writes the
 * library name into name and returns 0; else -1 with Redis's error text in err. */
int flib_load(lua_State *L, const char *code, size_t len, char *name, size_t namecap, char *err, size_t errlen);

/* function.c: the worker's function table (name -> {fn=, flags=, desc=, lib=}).
 * function_sync brings it up to date with the arena's libraries; function_find pushes
 * the entry of a function and returns 1, or returns 0 (nothing pushed); a write that
 * changes the libraries calls function_bump_generation so every worker reloads them. */
void function_sync(void);
int function_find(const char *name, size_t len);
void function_bump_generation(void);

/* function_dump.c: FUNCTION DUMP and FUNCTION RESTORE. */
void function_dump_command(struct cmd_ctx *c);
void function_restore_command(struct cmd_ctx *c);

extern const struct command function_commands[];    /* FUNCTION, FCALL, FCALL_RO */
#endif
