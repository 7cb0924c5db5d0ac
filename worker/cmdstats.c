/* worker/cmdstats.c - per-command and per-error statistics (see cmdstats.h). */
#include <stdlib.h>
#include <string.h>

#include "conf/shared.h"
#include "lua/script.h"
#include "shm/alloc.h"
#include "shm/undo.h"
#include "util/hdr.h"
#include "worker/cmdstats.h"
#include "worker/introspect.h"

#define HIST_BYTES (HDR_COUNTS_LEN * sizeof(uint64_t))

static struct cmdstats_table *mine;     /* this worker's table */

static struct cmdstats_table *table_of(uint32_t slot)
{
    return shm_ptr(introspect->cmdstats[slot]);
}

void cmdstats_attach(int slot)
{
    if (!introspect->cmdstats[slot]) {
        size_t n = command_index_count();
        shm_off_t off = shm_calloc(sizeof(struct cmdstats_table) + n * sizeof(struct cmdstat));
        ((struct cmdstats_table *)shm_ptr(off))->ncommands = (uint32_t)n;
        UNDO_SET(introspect->cmdstats[slot], off);
    }
    mine = table_of((uint32_t)slot);
}

static struct cmdstat *stat_of(const struct command *cmd)
{
    size_t idx = command_index(cmd);
    return mine && idx < mine->ncommands ? &mine->cmds[idx] : NULL;
}

void cmdstats_rejected(const struct command *cmd)
{
    struct cmdstat *s = stat_of(cmd);
    if (s)
        s->rejected++;
}

static void hist_create(void *arg)
{
    struct cmdstat *s = arg;
    UNDO_SET(s->hist, shm_calloc(HIST_BYTES));
}

void cmdstats_call(const struct command *cmd, int64_t usec, uint64_t failed)
{
    struct cmdstat *s = stat_of(cmd);
    if (!s)
        return;
    s->calls++;
    s->usec += (uint64_t)usec;
    s->failed += failed;
    if (!conf_shared()->latency_tracking)
        return;
    if (!s->hist) {
        /* the first call of a lock-free command (PING) waits for the lock, unless a
         * script holds it: then this sample is lost rather than the reply delayed */
        if (script_busy_ms() < 0)
            introspect_locked_write(hist_create, s);
        else
            introspect_try_locked_write(hist_create, s);
    }
    if (s->hist)
        ((uint64_t *)shm_ptr(s->hist))[hdr_index(usec * 1000)]++;
}

void cmdstats_error(const char *code, uint64_t n)
{
    if (!mine)
        return;
    uint32_t count = mine->nerrors;
    for (uint32_t i = 0; i < count; i++)
        if (strcmp(mine->errors[i].code, code) == 0) {
            mine->errors[i].count += n;
            return;
        }
    if (count == ERRSTATS_MAX)
        return;
    snprintf(mine->errors[count].code, ERRSTATS_CODE, "%s", code);
    mine->errors[count].count = n;
    __atomic_store_n(&mine->nerrors, count + 1, __ATOMIC_RELEASE);
}

void cmdstats_reset(void)
{
    for (uint32_t w = 0; w < shm_header()->nworkers; w++) {
        struct cmdstats_table *t = table_of(w);
        if (!t)
            continue;
        __atomic_store_n(&t->nerrors, 0, __ATOMIC_RELEASE);
        for (uint32_t i = 0; i < t->ncommands; i++) {
            struct cmdstat *s = &t->cmds[i];
            s->calls = s->usec = s->rejected = s->failed = 0;
            if (s->hist)
                memset(shm_ptr(s->hist), 0, HIST_BYTES);
        }
    }
}

/* ---- reading: sums over the workers ---- */

static void sum_command(size_t idx, struct cmdstat *sum)
{
    memset(sum, 0, sizeof(*sum));
    for (uint32_t w = 0; w < shm_header()->nworkers; w++) {
        const struct cmdstats_table *t = table_of(w);
        if (!t || idx >= t->ncommands)
            continue;
        sum->calls += t->cmds[idx].calls;
        sum->usec += t->cmds[idx].usec;
        sum->rejected += t->cmds[idx].rejected;
        sum->failed += t->cmds[idx].failed;
    }
}

void cmdstats_info_commands(FILE *f)
{
    for (size_t i = 0; i < command_index_count(); i++) {
        struct cmdstat s;
        char name[64];
        sum_command(i, &s);
        if (!s.calls && !s.rejected && !s.failed)
            continue;
        command_fullname(command_by_index(i), name, sizeof(name));
        fprintf(f, "cmdstat_%s:calls=%llu,usec=%llu,usec_per_call=%.2f,rejected_calls=%llu,"
                   "failed_calls=%llu\r\n",
                name, (unsigned long long)s.calls, (unsigned long long)s.usec,
                s.calls ? (double)s.usec / (double)s.calls : 0.0, (unsigned long long)s.rejected,
                (unsigned long long)s.failed);
    }
}

static int by_code(const void *a, const void *b)
{
    return strcmp(((const struct errstat *)a)->code, ((const struct errstat *)b)->code);
}

/* Adds one worker's error counts to the merged list (sum has room for all of them). */
static size_t merge_errors(const struct cmdstats_table *t, struct errstat *sum, size_t n)
{
    uint32_t count = __atomic_load_n(&t->nerrors, __ATOMIC_ACQUIRE);
    for (uint32_t i = 0; i < count; i++) {
        size_t j = 0;
        while (j < n && strncmp(sum[j].code, t->errors[i].code, ERRSTATS_CODE) != 0)
            j++;
        if (j == n) {
            memcpy(sum[n].code, t->errors[i].code, ERRSTATS_CODE);
            sum[n].code[ERRSTATS_CODE - 1] = '\0';
            sum[n++].count = 0;
        }
        sum[j].count += t->errors[i].count;
    }
    return n;
}

void cmdstats_info_errors(FILE *f)
{
    struct errstat *sum = malloc(sizeof(*sum) * ERRSTATS_MAX * SHM_MAX_WORKERS);
    size_t n = 0;
    if (!sum)
        return;
    for (uint32_t w = 0; w < shm_header()->nworkers; w++)
        if (table_of(w))
            n = merge_errors(table_of(w), sum, n);
    qsort(sum, n, sizeof(*sum), by_code);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "errorstat_%s:count=%llu\r\n", sum[i].code, (unsigned long long)sum[i].count);
    free(sum);
}

uint64_t cmdstats_histogram(size_t idx, uint64_t *counts)
{
    uint64_t total = 0;
    memset(counts, 0, HIST_BYTES);
    for (uint32_t w = 0; w < shm_header()->nworkers; w++) {
        const struct cmdstats_table *t = table_of(w);
        if (!t || idx >= t->ncommands || !t->cmds[idx].hist)
            continue;
        const uint64_t *h = shm_ptr(t->cmds[idx].hist);
        for (int i = 0; i < HDR_COUNTS_LEN; i++) {
            counts[i] += h[i];
            total += h[i];
        }
    }
    return total;
}

/* "p99.9=..." as Redis: the percentile printed %f without trailing zeros. */
static void print_percentile(FILE *f, double p, const uint64_t *counts, uint64_t total)
{
    char label[64];
    int len = snprintf(label, sizeof(label), "%f", p);
    while (len > 0 && label[len - 1] == '0')
        len--;
    if (len > 0 && label[len - 1] == '.')
        len--;
    fprintf(f, "p%.*s=%.3f", len, label, (double)hdr_value_at_percentile(counts, total, p) / 1000.0);
}

void cmdstats_info_latency(FILE *f)
{
    const struct conf_values *conf = conf_shared();
    uint64_t *counts = malloc(HIST_BYTES);
    if (!counts)
        return;
    for (size_t i = 0; i < command_index_count(); i++) {
        uint64_t total = cmdstats_histogram(i, counts);
        char name[64];
        if (!total)
            continue;
        command_fullname(command_by_index(i), name, sizeof(name));
        fprintf(f, "latency_percentiles_usec_%s:", name);
        for (int p = 0; p < conf->npercentiles; p++) {
            if (p)
                fputc(',', f);
            print_percentile(f, conf->latency_tracking_info_percentiles[p], counts, total);
        }
        fputs("\r\n", f);
    }
    free(counts);
}
