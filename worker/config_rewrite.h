/* worker/config_rewrite.c - CONFIG REWRITE (see the .c file). */
#ifndef WORKER_CONFIG_REWRITE_H
#define WORKER_CONFIG_REWRITE_H
#include "types/command.h"

/* CONFIG REWRITE */
void config_rewrite_command(struct cmd_ctx *c);
#endif
