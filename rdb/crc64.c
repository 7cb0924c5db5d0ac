/* rdb/crc64.c - Redis's CRC-64 (see crc64.h), eight bytes per step ("slicing by 8").
 *
 * Owns the lookup tables: table[0][b] is the CRC of byte b alone; table[k][b] is that
 * of byte b followed by k zero bytes, so eight table lookups fold eight input bytes.
 * They are built once per process (pthread_once) and never change afterwards. */
#include <pthread.h>

#include "rdb/crc64.h"

#define CRC64_POLY_REFLECTED 0x95ac9329ac4bc9b5ULL

static uint64_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void build_tables(void)
{
    for (unsigned b = 0; b < 256; b++) {
        uint64_t c = b;
        for (int bit = 0; bit < 8; bit++)
            c = (c & 1) ? (c >> 1) ^ CRC64_POLY_REFLECTED : c >> 1;
        table[0][b] = c;
    }
    for (int k = 1; k < 8; k++)
        for (unsigned b = 0; b < 256; b++)
            table[k][b] = table[0][table[k - 1][b] & 0xff] ^ (table[k - 1][b] >> 8);
}

static inline uint64_t load_le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

uint64_t crc64_update(uint64_t crc, const void *p, size_t len)
{
    const unsigned char *s = p;
    pthread_once(&table_once, build_tables);
    for (; len >= 8; s += 8, len -= 8) {
        crc ^= load_le64(s);
        crc = table[7][crc & 0xff] ^ table[6][(crc >> 8) & 0xff] ^ table[5][(crc >> 16) & 0xff] ^
              table[4][(crc >> 24) & 0xff] ^ table[3][(crc >> 32) & 0xff] ^ table[2][(crc >> 40) & 0xff] ^
              table[1][(crc >> 48) & 0xff] ^ table[0][crc >> 56];
    }
    while (len--)
        crc = table[0][(crc ^ *s++) & 0xff] ^ (crc >> 8);
    return crc;
}
