/* util/rand.c - xoshiro256** (see rand.h). */
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "util/rand.h"

static uint64_t s[4];
static int seeded;

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void rand_reseed(void)
{
    if (getrandom(s, sizeof(s), 0) != (ssize_t)sizeof(s)) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        s[0] = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
        s[1] = (uint64_t)ts.tv_sec * 0x9e3779b97f4a7c15ULL;
        s[2] = ~s[0];
        s[3] = s[1] ^ 0xdeadbeefcafef00dULL;
    }
    seeded = 1;
}

uint64_t rand_u64(void)
{
    if (!seeded)
        rand_reseed();
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t rand_below(uint64_t n)
{
    /* Lemire's nearly divisionless method */
    __uint128_t m = (__uint128_t)rand_u64() * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = -n % n;
        while (low < threshold) {
            m = (__uint128_t)rand_u64() * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

double rand_unit(void) { return (double)(rand_u64() >> 11) * (1.0 / 9007199254740992.0); }
