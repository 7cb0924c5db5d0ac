/* types/t_sort.h - SORT and SORT_RO (types/t_sort.c): sorting a list, set or sorted
 * set numerically or lexicographically, by the element itself or by keys (strings,
 * or hash fields with "->") named by a pattern, with LIMIT, GET patterns and, for
 * SORT, STORE into a list. */
#ifndef TYPES_T_SORT_H
#define TYPES_T_SORT_H
#include "types/command.h"
extern const struct command sort_commands[];       /* NULL-name terminated */
#endif
