/* shm/intset.h - intsets in the arena: Redis 7.0's sorted array of integers, byte
 * for byte its format (RDB stores it as it is):
 *   <encoding u32 LE: 2, 4 or 8><length u32 LE><sorted little-endian integers>
 * The encoding is the smallest width holding every member; adding a wider one
 * upgrades the whole set.  As listpacks (shm/listpack.h), every change returns a NEW
 * allocation (copy on write) and the old one is freed at commit, so contents are
 * never undo-logged; the caller UNDO_SETs the new offset. */
#ifndef SHM_INTSET_H
#define SHM_INTSET_H

#include <stddef.h>
#include <stdint.h>
#include "shm/arena.h"

shm_off_t intset_new(void);
shm_off_t intset_from_bytes(const unsigned char *bytes, size_t len);
/* 1 if bytes are a valid intset: encoding 2/4/8, size == 8 + length * encoding, not
 * empty (Redis never stores an empty set and rejects one); deep: strictly increasing. */
int intset_validate(const unsigned char *bytes, size_t len, int deep);
uint32_t intset_length(shm_off_t is);
size_t intset_bytes(shm_off_t is);
const unsigned char *intset_ptr(shm_off_t is);
int intset_find(shm_off_t is, int64_t v);                      /* 1 if member */
int64_t intset_get(shm_off_t is, uint32_t pos);                 /* pos < length */
/* Adds v; *added = 1 if it was not there (then a new intset is returned, else is). */
shm_off_t intset_add(shm_off_t is, int64_t v, int *added);
/* Removes v; *removed = 1 if it was there (new intset returned, else is). */
shm_off_t intset_remove(shm_off_t is, int64_t v, int *removed);
int64_t intset_random(shm_off_t is, uint64_t (*rnd)(void));
int64_t intset_max(shm_off_t is);
int64_t intset_min(shm_off_t is);
#endif
