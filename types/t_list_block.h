/* types/t_list_block.h - the blocking list commands (types/t_list_block.c). */
#ifndef TYPES_T_LIST_BLOCK_H
#define TYPES_T_LIST_BLOCK_H
#include "types/command.h"
extern const struct command list_block_commands[];
/* Registers the serve functions of parked list clients (startup). */
void list_block_init(void);
#endif
