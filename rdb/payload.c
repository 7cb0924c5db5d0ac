/* rdb/payload.c - DUMP payload footer: writing and checking it (see payload.h). */
#include "rdb/crc64.h"
#include "rdb/payload.h"

void rdb_payload_seal(struct rdb_writer *w)
{
    unsigned char footer[RDB_PAYLOAD_FOOTER] = { RDB_VERSION & 0xff, RDB_VERSION >> 8 };
    rdb_write_raw(w, footer, 2);
    uint64_t crc = crc64_update(0, w->buf, w->len);
    for (int i = 0; i < 8; i++)
        footer[2 + i] = (unsigned char)(crc >> (8 * i));
    rdb_write_raw(w, footer + 2, 8);
}

int rdb_payload_verify(const void *p, size_t len, unsigned *version)
{
    const unsigned char *b = p;
    if (len < RDB_PAYLOAD_FOOTER)
        return -1;
    const unsigned char *footer = b + len - RDB_PAYLOAD_FOOTER;
    unsigned v = footer[0] | (unsigned)footer[1] << 8;
    if (version)
        *version = v;
    if (v > RDB_VERSION)
        return -1;
    uint64_t crc = crc64_update(0, b, len - 8), stored = 0;
    for (int i = 7; i >= 0; i--)
        stored = stored << 8 | footer[2 + i];
    return crc == stored ? 0 : -1;
}
