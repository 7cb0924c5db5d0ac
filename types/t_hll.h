/* types/t_hll.h - the HyperLogLog commands' table (types/t_hll.c): PFADD PFCOUNT
 * PFMERGE on string values in Redis 7.0's exact HLL representation.  Register it with
 * command_register. */
#ifndef TYPES_T_HLL_H
#define TYPES_T_HLL_H

#include <stddef.h>
#include <stdint.h>
#include "types/command.h"

extern const struct command hll_commands[];         /* NULL-name terminated */

/* The element hash of Redis's HLL: MurmurHash64A with seed 0xadc83b19. */
uint64_t hll_hash(const void *ele, size_t len);

#endif
