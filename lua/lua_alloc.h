/* lua/lua_alloc.h - the allocator of the worker's Lua state (lua_Alloc), with free
 * lists of small blocks in front of malloc.  Process-private, one Lua state per
 * process: no locking. */
#ifndef LUA_LUA_ALLOC_H
#define LUA_LUA_ALLOC_H

#include <stddef.h>

/* lua_Alloc: ptr NULL allocates nsize bytes; nsize 0 frees ptr (of osize bytes);
 * otherwise resizes ptr from osize to nsize bytes.  osize must be the size the block
 * was last given, as Lua always passes it. */
void *lalloc(void *ud, void *ptr, size_t osize, size_t nsize);
#endif
