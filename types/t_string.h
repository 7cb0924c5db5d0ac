/* types/t_string.h - the string commands' table (types/t_string.c): GET SET SETNX
 * SETEX PSETEX MGET MSET MSETNX GETSET GETDEL GETEX APPEND STRLEN INCR DECR INCRBY
 * DECRBY INCRBYFLOAT GETRANGE SUBSTR SETRANGE LCS.  Register it with command_register. */
#ifndef TYPES_T_STRING_H
#define TYPES_T_STRING_H

#include "types/command.h"

extern const struct command string_commands[];      /* NULL-name terminated */

#endif
