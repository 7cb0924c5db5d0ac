/* types/t_bitmap.h - the bitmap commands' table (types/t_bitmap.c): SETBIT GETBIT
 * BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO, with Redis 7.0's replies and errors.
 * Register it with command_register.
 *
 * Also the in-place write access to a string value that the bitmap and HyperLogLog
 * commands share (Redis's lookupStringForBitCommand / dbUnshareStringValue). */
#ifndef TYPES_T_BITMAP_H
#define TYPES_T_BITMAP_H

#include "types/command.h"

extern const struct command bitmap_commands[];      /* NULL-name terminated */

/* Makes the string value of argv[argi] (kv: its entry, NULL when the key is missing)
 * a raw blob of at least need bytes, zero-filled past its old end, and returns it:
 * a missing key is created with exactly need zero bytes; an int or embstr value, or a
 * blob too small, is copied into a new blob (grown geometrically when it grows) swapped
 * in under a new kv that keeps the TTL.  *kept receives the number of leading bytes
 * that existed before this call (0 for a new blob): those must be undo-logged before
 * they change, the others need no log.  The kv pointer may be stale afterwards. */
struct kv_blob *bitmap_unshare(struct cmd_ctx *c, int argi, struct kv *kv, size_t need, size_t *kept);

/* Puts blob (allocated in this write) under argv[argi] as its raw string value: added
 * when the key is missing, else replacing its value and keeping its TTL. */
void bitmap_put_blob(struct cmd_ctx *c, int argi, shm_off_t blob);

#endif
