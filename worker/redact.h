/* worker/redact.c - which arguments of a command MONITOR and SLOWLOG must not show
 * (Redis 7.0 writes "(redacted)" instead): passwords of AUTH, HELLO ... AUTH, MIGRATE
 * ... AUTH/AUTH2, and values of sensitive configs in CONFIG SET. */
#ifndef WORKER_REDACT_H
#define WORKER_REDACT_H

#include <stddef.h>

#define REDACTED "(redacted)"

/* 1 if argument i (0 is the command name) of argv must be shown as REDACTED. */
int redact_arg(int argc, const char **argv, const size_t *argvlen, int i);
#endif
