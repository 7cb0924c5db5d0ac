/* util/rand.h - a fast per-process pseudo random generator (xoshiro256**), seeded
 * from getrandom at first use and re-seeded after fork by whoever forks (rand_reseed).
 * For sampling (RANDOMKEY, SPOP, expiry), never for secrets. */
#ifndef UTIL_RAND_H
#define UTIL_RAND_H
#include <stdint.h>
uint64_t rand_u64(void);
/* Uniform in [0, n), n > 0. */
uint64_t rand_below(uint64_t n);
/* Uniform double in [0, 1). */
double rand_unit(void);
void rand_reseed(void);
#endif
