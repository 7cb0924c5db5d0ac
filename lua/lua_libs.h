/* lua/lua_libs.h - the Lua libraries that Ferrous writes itself for the script sandbox
 * (lua_env.c opens them): cmsgpack and struct, as Redis 7.0 offers them.  Each opener
 * is a lua_CFunction that leaves the library's new table on the stack and sets no
 * global; the caller names it and makes it read-only.  Not for use outside lua/. */
#ifndef LUA_LUA_LIBS_H
#define LUA_LUA_LIBS_H

#include <lua.h>

/* lib_cmsgpack.c: pack, unpack, unpack_one, unpack_limit and the _NAME, _VERSION,
 * _COPYRIGHT, _DESCRIPTION strings of lua-cmsgpack 0.4.0. */
int lcmsgpack_open(lua_State *L);

/* lib_struct.c: pack, unpack, size (Roberto Ierusalimschy's struct library). */
int lstruct_open(lua_State *L);

#endif
