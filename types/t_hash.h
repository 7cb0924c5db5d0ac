/* types/t_hash.h - the hash commands' table (types/t_hash.c): HSET HSETNX HGET HMGET
 * HMSET HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL HINCRBY HINCRBYFLOAT HRANDFIELD
 * HSCAN.  Call hash_type_init at startup (every process, before use), then register
 * the table with command_register. */
#ifndef TYPES_T_HASH_H
#define TYPES_T_HASH_H

#include "types/command.h"

extern const struct command hash_commands[];    /* NULL-name terminated */

/* Registers the hash table's dict type and the kv value free/copy hooks. */
void hash_type_init(void);
#endif
