/* types/set_cmds.h - what the set command files share, internal to types/t_set.c and
 * types/set_algebra.c: the multi-key commands' procedures and the store helper. */
#ifndef TYPES_SET_CMDS_H
#define TYPES_SET_CMDS_H

#include "types/command.h"
#include "types/set_value.h"

/* Saves s under the key argv[argi] whose kv is kv (NULL: the key is missing and s
 * becomes a new key), deleting the key when s is empty. */
void set_put(struct cmd_ctx *c, int argi, struct kv *kv, struct setv s);

/* SINTER SMEMBERS SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE
 * (types/set_algebra.c) */
void set_sinter_command(struct cmd_ctx *c);
void set_sintercard_command(struct cmd_ctx *c);
void set_sinterstore_command(struct cmd_ctx *c);
void set_sunion_command(struct cmd_ctx *c);
void set_sunionstore_command(struct cmd_ctx *c);
void set_sdiff_command(struct cmd_ctx *c);
void set_sdiffstore_command(struct cmd_ctx *c);
#endif
