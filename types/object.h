/* types/object.h - what every data-type command file shares: typed key lookups
 * that answer WRONGTYPE, replacing a key's value object, and deleting a key whose
 * aggregate became empty (Redis never keeps empty lists, sets, hashes, zsets). */
#ifndef TYPES_OBJECT_H
#define TYPES_OBJECT_H

#include "types/command.h"

/* Looks argv[argi] up for reading (counts hits/misses).  Returns NULL when the key
 * is missing, or when it holds another type: then WRONGTYPE was replied and
 * *wrongtype is set.  wrongtype may be NULL when the caller does not need it. */
struct kv *obj_lookup_read(struct cmd_ctx *c, int argi, enum kv_type type, int *wrongtype);
/* The same for a command about to modify the key. */
struct kv *obj_lookup_write(struct cmd_ctx *c, int argi, enum kv_type type, int *wrongtype);

/* Points kv at a new value object (and encoding), undo-logged; the old object is
 * the caller's to free (shm_free / the type's freer). */
void obj_set_value(struct kv *kv, shm_off_t obj, enum kv_enc enc);

/* Deletes argv[argi] from the db (the aggregate became empty). */
void obj_delete_if_empty(struct cmd_ctx *c, int argi, uint64_t length);
#endif
