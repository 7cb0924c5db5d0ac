/* types/t_set.h - the set commands' table (types/t_set.c, types/set_algebra.c): SADD
 * SREM SISMEMBER SMISMEMBER SCARD SMEMBERS SPOP SRANDMEMBER SMOVE SSCAN SINTER
 * SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE.  Call set_type_init at
 * startup (every process, before use), then register the table with command_register. */
#ifndef TYPES_T_SET_H
#define TYPES_T_SET_H

#include "types/command.h"

extern const struct command set_commands[];     /* NULL-name terminated */

/* Registers the set table's dict type and the kv value free/copy hooks. */
void set_type_init(void);
#endif
