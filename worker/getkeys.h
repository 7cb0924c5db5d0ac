/* worker/getkeys.c - where the keys are in a command whose keys are not at fixed
 * positions (the registry's first/last/step cannot say), for COMMAND GETKEYS: lists
 * counted by a numkeys argument (ZUNION, ZUNIONSTORE, SINTERCARD, LMPOP, BLMPOP, EVAL,
 * FCALL, ...), SORT's STORE, XREAD's STREAMS, GEORADIUS's STORE, MIGRATE's KEYS, found
 * as Redis 7.0's getkeys procedures find them. */
#ifndef WORKER_GETKEYS_H
#define WORKER_GETKEYS_H
#include <stddef.h>
#include "types/command.h"

/* 1 if cmd's keys are found by getkeys_find rather than by first/last/step. */
int getkeys_is_movable(const struct command *cmd);
/* 1 if finding no key is not an error (EVAL, FCALL: no-mandatory-keys). */
int getkeys_may_be_empty(const struct command *cmd);
/* Puts the positions of the keys of argv (argv[0] the command) in keys (room for
 * argc) and returns how many; 0 when the arguments are malformed or name none. */
int getkeys_find(const struct command *cmd, int argc, const char **argv, const size_t *argvlen, int *keys);
#endif
