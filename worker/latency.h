/* worker/latency.c - the latency monitor (LATENCY LATEST / HISTORY / RESET / HISTOGRAM
 * / HELP) for all workers.
 *
 * Events ("command", "fast-command", "expire-cycle", ...) whose duration reached
 * latency-monitor-threshold milliseconds are recorded as Redis does: per event a ring
 * of the last 160 samples (unix second, milliseconds; samples of the same second merge
 * into their maximum) and the all-time maximum.  The table is struct latency_shared in
 * struct introspect, changed under the keyspace lock inside a write.  LATENCY
 * HISTOGRAM reads the per-command histograms of worker/cmdstats.c.
 */
#ifndef WORKER_LATENCY_H
#define WORKER_LATENCY_H

#include <stdint.h>
#include "types/command.h"

#define LATENCY_SAMPLES 160
#define LATENCY_EVENTS 32
#define LATENCY_EVENT_NAME 48

struct latency_sample {
    int32_t time;                       /* unix seconds; 0: unused */
    uint32_t ms;
};

struct latency_series {
    char event[LATENCY_EVENT_NAME];     /* "" : free */
    uint32_t next;                      /* where the next sample goes */
    uint32_t max;
    struct latency_sample samples[LATENCY_SAMPLES];
};

struct latency_shared {
    struct latency_series series[LATENCY_EVENTS];
};

/* Records ms for event if latency-monitor-threshold is on and ms reaches it (lock
 * held, inside a write). */
void latency_add_sample_if_needed(const char *event, int64_t ms);
/* Records unconditionally, at unix time now (lock held, inside a write). */
void latency_add_sample(const char *event, int64_t ms, int64_t now);

extern struct command latency_subcommands[];
#endif
