/* types/t_keys.h - the generic key commands (DEL, EXPIRE, SCAN, OBJECT, FLUSHDB...),
 * which work on any key whatever its type. */
#ifndef TYPES_T_KEYS_H
#define TYPES_T_KEYS_H
#include "types/command.h"

extern const struct command key_commands[];     /* NULL-name terminated */

struct kv;
/* What OBJECT ENCODING and OBJECT REFCOUNT answer for a key (DEBUG OBJECT too). */
const char *keys_encoding_name(const struct kv *kv);
long long keys_refcount(const struct kv *kv);
#endif
