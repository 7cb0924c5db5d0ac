/* types/t_zset_block.h - the blocking sorted set commands (types/t_zset_block.c). */
#ifndef TYPES_T_ZSET_BLOCK_H
#define TYPES_T_ZSET_BLOCK_H
#include "types/command.h"
extern const struct command zset_block_commands[];
/* Registers the serve functions of parked zset clients (startup). */
void zset_block_init(void);
#endif
