/* util/hdr.h - latency histograms with the bucket layout of the HdrHistogram that
 * Redis 7.0 keeps per command (INFO latencystats, LATENCY HISTOGRAM): values in
 * nanoseconds from 1 to 1e9, two significant digits.  A histogram is just an array of
 * HDR_COUNTS_LEN counters (so it can live anywhere, e.g. in the shared arena); these
 * functions map values to counters and answer percentiles as HdrHistogram_c does, so
 * the numbers print as Redis prints them (1000 ns is reported as 1.003 us: the highest
 * value equivalent to 1000 at this precision).
 *
 * Layout: 256 sub-buckets of unit width for 0..255, then for each power of two a half
 * bucket of 128 counters whose width doubles each time; value v lands in counter
 * hdr_index(v), which holds every value from hdr_lowest_equivalent(v) to
 * hdr_highest_equivalent(v). */
#ifndef UTIL_HDR_H
#define UTIL_HDR_H
#include <stdint.h>

#define HDR_MIN 1LL                     /* smaller values are recorded as this */
#define HDR_MAX 1000000000LL            /* larger values are recorded as this */
#define HDR_COUNTS_LEN 3072

/* The counter a value (clamped to [HDR_MIN, HDR_MAX]) is counted in. */
int hdr_index(int64_t v);
/* The smallest value counted in counter idx. */
int64_t hdr_value_at_index(int idx);
int64_t hdr_lowest_equivalent(int64_t v);
int64_t hdr_highest_equivalent(int64_t v);

/* The value at percentile p (0..100) of counts holding total values; 0 if empty.
 * As HdrHistogram_c: the highest equivalent value of the counter where the running
 * count reaches p% of total (rounded), the lowest equivalent one for p == 0. */
int64_t hdr_value_at_percentile(const uint64_t *counts, uint64_t total, double p);

/* Cumulative distribution at powers of two from 1024 ns up, as LATENCY HISTOGRAM
 * reports it: calls emit(level, cumulative) for each level where the running count
 * grew, level being the highest value equivalent to the power of two, until every
 * value was counted. */
void hdr_cumulative_log2(const uint64_t *counts, uint64_t total,
                         void (*emit)(int64_t level, uint64_t cumulative, void *arg), void *arg);
#endif
