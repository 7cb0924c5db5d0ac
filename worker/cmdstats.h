/* worker/cmdstats.c - per-command and per-error statistics summed over the workers:
 * INFO commandstats, errorstats and latencystats, LATENCY HISTOGRAM's data.
 *
 * Each worker slot has its table in the arena (introspect->cmdstats[slot]): per
 * command index (types/command.h) its calls, microseconds, rejected and failed calls
 * and latency histogram (util/hdr.h), and the error codes seen with their counts.  Its
 * worker is the only writer of its counters (plain stores; readers summing the slots
 * see an old or a new 64-bit value, never a torn one), so counting needs no lock.
 * Two things are done under the lock inside a write: creating the table, and creating
 * a command's histogram (24 KB, on its first call on that worker).  CONFIG RESETSTAT
 * zeroes every slot's table from whichever worker runs it: a count racing the reset may
 * survive it, as with the counters of the worker slots.
 */
#ifndef WORKER_CMDSTATS_H
#define WORKER_CMDSTATS_H

#include <stdint.h>
#include <stdio.h>
#include "shm/arena.h"
#include "types/command.h"

#define ERRSTATS_MAX 128                /* distinct error codes, as Redis */
#define ERRSTATS_CODE 32

struct cmdstat {
    uint64_t calls, usec, rejected, failed;
    shm_off_t hist;                     /* HDR_COUNTS_LEN counters, 0 until first used */
};

struct errstat {
    char code[ERRSTATS_CODE];
    uint64_t count;
};

struct cmdstats_table {
    uint32_t ncommands;
    volatile uint32_t nerrors;          /* published after the entry is written */
    struct errstat errors[ERRSTATS_MAX];
    struct cmdstat cmds[];
};

/* Creates slot's table if it has none (inside a write) and makes it this process's. */
void cmdstats_attach(int slot);

/* A command refused before it ran (arity, authentication, ...). */
void cmdstats_rejected(const struct command *cmd);
/* A command that ran for usec microseconds; failed: failed calls to count with it
 * (types/call.h's call_result).  A missing histogram is created, which needs the lock:
 * only if this process holds it or it is free now (else this call is not in the
 * histogram). */
void cmdstats_call(const struct command *cmd, int64_t usec, uint64_t failed);
/* n error replies whose code (first word) is code. */
void cmdstats_error(const char *code, uint64_t n);
/* CONFIG RESETSTAT. */
void cmdstats_reset(void);

/* INFO sections' bodies. */
void cmdstats_info_commands(FILE *f);
void cmdstats_info_errors(FILE *f);
void cmdstats_info_latency(FILE *f);

/* Sums the histograms of command index idx over the workers into counts
 * (HDR_COUNTS_LEN); returns the number of values, 0 when it has none. */
uint64_t cmdstats_histogram(size_t idx, uint64_t *counts);
#endif
