/* worker/latency.c - the latency monitor shared by all workers (see latency.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf/shared.h"
#include "shm/undo.h"
#include "util/hdr.h"
#include "worker/cmdstats.h"
#include "worker/introspect.h"
#include "worker/server_cmds.h"

static struct latency_series *series_at(int i) { return &introspect->latency.series[i]; }

static struct latency_series *find(const char *event, size_t len)
{
    for (int i = 0; i < LATENCY_EVENTS; i++) {
        struct latency_series *s = series_at(i);
        if (s->event[0] && strlen(s->event) == len && memcmp(s->event, event, len) == 0)
            return s;
    }
    return NULL;
}

/* A new, empty series for event in a free place (inside a write); NULL when full. */
static struct latency_series *create(const char *event)
{
    for (int i = 0; i < LATENCY_EVENTS; i++) {
        struct latency_series *s = series_at(i);
        if (s->event[0])
            continue;
        undo_save(s, sizeof(*s));
        memset(s, 0, sizeof(*s));
        snprintf(s->event, sizeof(s->event), "%s", event);
        return s;
    }
    return NULL;
}

void latency_add_sample(const char *event, int64_t ms, int64_t now)
{
    struct latency_series *s = find(event, strlen(event));
    if (!s && !(s = create(event)))
        return;
    if ((uint32_t)ms > s->max)
        UNDO_SET(s->max, (uint32_t)ms);
    struct latency_sample *prev = &s->samples[(s->next + LATENCY_SAMPLES - 1) % LATENCY_SAMPLES];
    if (prev->time == (int32_t)now) {       /* the same second: keep the worst */
        if ((uint32_t)ms > prev->ms)
            UNDO_SET(prev->ms, (uint32_t)ms);
        return;
    }
    struct latency_sample *slot = &s->samples[s->next];
    undo_save(slot, sizeof(*slot));
    slot->time = (int32_t)now;
    slot->ms = (uint32_t)ms;
    UNDO_SET(s->next, (s->next + 1) % LATENCY_SAMPLES);
}

void latency_add_sample_if_needed(const char *event, int64_t ms)
{
    long long threshold = conf_shared()->latency_monitor_threshold;
    if (threshold > 0 && ms >= threshold)
        latency_add_sample(event, ms, (int64_t)time(NULL));
}

/* ---- LATENCY ---- */

/* LATENCY LATEST */
static void latency_latest_command(struct cmd_ctx *c)
{
    long n = 0;
    for (int i = 0; i < LATENCY_EVENTS; i++)
        n += series_at(i)->event[0] != '\0';
    reply_array(c->reply, n);
    for (int i = 0; i < LATENCY_EVENTS; i++) {
        const struct latency_series *s = series_at(i);
        if (!s->event[0])
            continue;
        const struct latency_sample *last = &s->samples[(s->next + LATENCY_SAMPLES - 1) % LATENCY_SAMPLES];
        reply_array(c->reply, 4);
        reply_bulk_cstr(c->reply, s->event);
        reply_int(c->reply, last->time);
        reply_int(c->reply, last->ms);
        reply_int(c->reply, s->max);
    }
}

/* LATENCY HISTORY event: the samples, oldest first. */
static void latency_history_command(struct cmd_ctx *c)
{
    const struct latency_series *s = find(c->argv[2], c->argvlen[2]);
    size_t h = reply_defer_begin(c->reply);
    long n = 0;
    for (int j = 0; s && j < LATENCY_SAMPLES; j++) {
        const struct latency_sample *sample = &s->samples[(s->next + (uint32_t)j) % LATENCY_SAMPLES];
        if (!sample->time)
            continue;
        reply_array(c->reply, 2);
        reply_int(c->reply, sample->time);
        reply_int(c->reply, sample->ms);
        n++;
    }
    reply_defer_end(c->reply, h, '*', n);
}

static void forget(struct latency_series *s) { UNDO_SET(s->event[0], '\0'); }

/* LATENCY RESET [event ...]: how many events it reset. */
static void latency_reset_command(struct cmd_ctx *c)
{
    long long n = 0;
    for (int i = 0; c->argc == 2 && i < LATENCY_EVENTS; i++)
        if (series_at(i)->event[0]) {
            forget(series_at(i));
            n++;
        }
    for (int j = 2; j < c->argc; j++) {
        struct latency_series *s = find(c->argv[j], c->argvlen[j]);
        if (s) {
            forget(s);
            n++;
        }
    }
    reply_int(c->reply, n);
}

/* ---- LATENCY HISTOGRAM ---- */

struct cdf_reply {
    struct reply *r;
    long n;
};

static void emit_level(int64_t level, uint64_t cumulative, void *arg)
{
    struct cdf_reply *cdf = arg;
    reply_int(cdf->r, level / 1000);
    reply_int(cdf->r, (long long)cumulative);
    cdf->n++;
}

/* name => {calls, histogram_usec => {usec => cumulative count}} if idx has data. */
static int reply_command_cdf(struct reply *r, size_t idx, uint64_t *counts)
{
    uint64_t total = cmdstats_histogram(idx, counts);
    char name[64];
    if (!total)
        return 0;
    command_fullname(command_by_index(idx), name, sizeof(name));
    reply_bulk_cstr(r, name);
    reply_map(r, 2);
    reply_bulk_cstr(r, "calls");
    reply_int(r, (long long)total);
    reply_bulk_cstr(r, "histogram_usec");
    struct cdf_reply cdf = { r, 0 };
    size_t h = reply_defer_begin(r);
    hdr_cumulative_log2(counts, total, emit_level, &cdf);
    reply_defer_end(r, h, '%', cdf.n);
    return 1;
}

/* A command and its subcommands; returns how many had data. */
static long reply_family_cdf(struct reply *r, const struct command *cmd, uint64_t *counts)
{
    long n = reply_command_cdf(r, command_index(cmd), counts);
    for (const struct command *sub = cmd->subcommands; sub && sub->name; sub++)
        n += reply_command_cdf(r, command_index(sub), counts);
    return n;
}

/* "config|get" names a subcommand, "config" the container and its subcommands. */
static const struct command *lookup_fullname(const char *name, size_t len)
{
    const char *bar = memchr(name, '|', len);
    if (!bar)
        return command_lookup(name, len);
    const struct command *parent = command_lookup(name, (size_t)(bar - name));
    return parent ? command_lookup_sub(parent, bar + 1, len - (size_t)(bar - name) - 1) : NULL;
}

/* LATENCY HISTOGRAM [command ...] */
static void latency_histogram_command(struct cmd_ctx *c)
{
    uint64_t *counts = malloc(HDR_COUNTS_LEN * sizeof(uint64_t));
    if (!counts) {
        reply_error(c->reply, "ERR out of memory");
        return;
    }
    size_t h = reply_defer_begin(c->reply);
    long n = 0;
    for (size_t i = 0; c->argc == 2 && i < command_index_count(); i++)
        n += reply_command_cdf(c->reply, i, counts);
    for (int j = 2; j < c->argc; j++) {
        const struct command *cmd = lookup_fullname(c->argv[j], c->argvlen[j]);
        if (cmd)
            n += reply_family_cdf(c->reply, cmd, counts);
    }
    reply_defer_end(c->reply, h, '%', n);
    free(counts);
}

static const char *const latency_help_lines[] = {
    "DOCTOR",
    "    Return a human readable latency analysis report.",
    "GRAPH <event>",
    "    Return an ASCII latency graph for the <event> class.",
    "HISTORY <event>",
    "    Return time-latency samples for the <event> class.",
    "LATEST",
    "    Return the latest latency samples for all events.",
    "RESET [<event> ...]",
    "    Reset latency data of one or more <event> classes.",
    "    (default: reset all data for all event classes)",
    "HISTOGRAM [COMMAND ...]",
    "    Return a cumulative distribution of latencies in the format of a histogram for the specified "
    "command names.",
    "    If no commands are specified then all histograms are replied.",
    NULL
};

/* LATENCY HELP */
static void latency_help_command(struct cmd_ctx *c) { server_reply_help(c, latency_help_lines); }

#define LATENCY_ADMIN (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define LATSUB(name, proc, arity, flags, since, summary, complexity, acl) \
    { name, proc, arity, flags, 0, 0, 0, "server", since, summary, complexity, acl, NULL, NULL }
#define ACL_LATENCY "@admin @slow @dangerous"

struct command latency_subcommands[] = {
    LATSUB("latest", latency_latest_command, 2, LATENCY_ADMIN, "2.8.13",
           "Return the latest latency samples for all events.", "O(1)", ACL_LATENCY),
    LATSUB("history", latency_history_command, 3, LATENCY_ADMIN, "2.8.13",
           "Return timestamp-latency samples for the event.", "O(1)", ACL_LATENCY),
    LATSUB("reset", latency_reset_command, -2, LATENCY_ADMIN, "2.8.13",
           "Reset latency data for one or more events.", "O(1)", ACL_LATENCY),
    LATSUB("histogram", latency_histogram_command, -2, LATENCY_ADMIN, "7.0.0",
           "Return the cumulative distribution of latencies of a subset of commands or all.",
           "O(N) where N is the number of commands with latency information being retrieved.", ACL_LATENCY),
    LATSUB("help", latency_help_command, 2, CMD_LOADING | CMD_STALE | CMD_NOLOCK, "2.8.13",
           "Show helpful text about the different subcommands.", "O(1)", "@slow"),
    { 0 }
};
