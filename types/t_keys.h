/* types/t_keys.h - the generic key commands (DEL, EXPIRE, SCAN, OBJECT, FLUSHDB...),
 * which work on any key whatever its type. */
#ifndef TYPES_T_KEYS_H
#define TYPES_T_KEYS_H
#include "types/command.h"

extern const struct command key_commands[];     /* NULL-name terminated */
#endif
