/* util/hdr.c - HdrHistogram bucket arithmetic for 1 ns .. 1 s at two significant
 * digits (see hdr.h).  With two digits HdrHistogram needs 200 distinguishable steps,
 * rounded up to 256 sub-buckets (so 128 per half bucket), and 23 doublings to reach
 * 1e9: (23 + 1) * 128 counters. */
#include "util/hdr.h"

#define SUB_BUCKETS 256
#define HALF_MAGNITUDE 7                /* log2(SUB_BUCKETS / 2) */
#define HALF (1 << HALF_MAGNITUDE)

static int64_t clamp(int64_t v) { return v < HDR_MIN ? HDR_MIN : v > HDR_MAX ? HDR_MAX : v; }

/* Which doubling v is in: 0 for v < 256, then one more per power of two. */
static int bucket_of(int64_t v)
{
    return 64 - __builtin_clzll((uint64_t)v | (SUB_BUCKETS - 1)) - (HALF_MAGNITUDE + 1);
}

int hdr_index(int64_t v)
{
    v = clamp(v);
    int b = bucket_of(v);
    return ((b + 1) << HALF_MAGNITUDE) + (int)(v >> b) - HALF;
}

int64_t hdr_value_at_index(int idx)
{
    int b = (idx >> HALF_MAGNITUDE) - 1;
    int64_t sub = (idx & (HALF - 1)) + HALF;
    if (b < 0) {
        sub -= HALF;
        b = 0;
    }
    return sub << b;
}

int64_t hdr_lowest_equivalent(int64_t v)
{
    int b = bucket_of(v);
    return (v >> b) << b;
}

int64_t hdr_highest_equivalent(int64_t v)
{
    return hdr_lowest_equivalent(v) + ((int64_t)1 << bucket_of(v)) - 1;
}

int64_t hdr_value_at_percentile(const uint64_t *counts, uint64_t total, double p)
{
    if (p > 100.0)
        p = 100.0;
    uint64_t want = (uint64_t)(p / 100.0 * (double)total + 0.5), running = 0;
    if (want < 1)
        want = 1;
    for (int i = 0; i < HDR_COUNTS_LEN; i++) {
        running += counts[i];
        if (running >= want) {
            int64_t v = hdr_value_at_index(i);
            return p == 0.0 ? hdr_lowest_equivalent(v) : hdr_highest_equivalent(v);
        }
    }
    return 0;
}

void hdr_cumulative_log2(const uint64_t *counts, uint64_t total,
                         void (*emit)(int64_t level, uint64_t cumulative, void *arg), void *arg)
{
    uint64_t running = 0, reported = 0;
    int i = 0;
    for (int64_t level = 1024; running < total && level <= 2 * HDR_MAX; level *= 2) {
        int last = hdr_index(level);
        for (; i <= last; i++)
            running += counts[i];
        if (running > reported)
            emit(hdr_highest_equivalent(level), running, arg);
        reported = running;
    }
}
