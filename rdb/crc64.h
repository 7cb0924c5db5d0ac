/* rdb/crc64.h - the CRC-64 that RDB files and DUMP payloads end with: Jones's
 * polynomial (0xad93d23594c935a9), reflected input and output, initial value 0, no
 * final xor (so crc64_update(0, "123456789", 9) == 0xe9c6d914c4b8d9ca). */
#ifndef RDB_CRC64_H
#define RDB_CRC64_H

#include <stddef.h>
#include <stdint.h>

/* Continues the checksum crc (0 to start) over p[0..len). */
uint64_t crc64_update(uint64_t crc, const void *p, size_t len);

#endif
