/* keyspace/lfu.h - Redis's LFU access counter, kept in a kv's 32-bit lru field while
 * the maxmemory-policy is an LFU one (allkeys-lfu, volatile-lfu): bits 8..23 hold the
 * minute (mod 2^16) of the last decrement, bits 0..7 a logarithmic access counter
 * that starts at LFU_INIT_VAL, grows with probability 1/((counter-5)*lfu-log-factor+1)
 * per access and loses one per lfu-decay-time minutes idle, as Redis's LFULogIncr and
 * LFUDecrAndReturn.  Under any other policy the field is the LRU clock (seconds).
 *
 * The policy and the two parameters are read through the function the worker
 * installs with lfu_set_source (conf/ is a peer layer); before that LFU is off. */
#ifndef KEYSPACE_LFU_H
#define KEYSPACE_LFU_H

#include <stdint.h>

#define LFU_INIT_VAL 5

struct lfu_config {
    int enabled;                    /* the maxmemory-policy is an LFU one */
    int log_factor, decay_time;     /* lfu-log-factor, lfu-decay-time (minutes) */
};

void lfu_set_source(void (*read_config)(struct lfu_config *out));
/* 1 while the policy is an LFU one. */
int lfu_enabled(void);
/* The field of a value created now. */
uint32_t lfu_new(void);
/* The field after one more access: decayed, maybe incremented, stamped now. */
uint32_t lfu_accessed(uint32_t field);
/* The counter as OBJECT FREQ reports it: decayed to now, the field unchanged. */
unsigned lfu_frequency(uint32_t field);

#endif
