/* rdb/payload.h - the framing of DUMP and FUNCTION DUMP payloads: the body (RDB
 * encoded), then the RDB version as 2 bytes little-endian, then the CRC-64
 * (rdb/crc64.h) of body and version as 8 bytes little-endian. */
#ifndef RDB_PAYLOAD_H
#define RDB_PAYLOAD_H

#include <stddef.h>
#include "rdb/codec.h"

#define RDB_PAYLOAD_FOOTER 10           /* version + CRC-64 */

/* Appends the footer to the body written so far: w then holds a whole payload. */
void rdb_payload_seal(struct rdb_writer *w);

/* Checks a payload's footer as Redis 7.0 does: 0 when it is at least 10 bytes long,
 * its version is at most RDB_VERSION and its checksum matches; else -1.  *version
 * (if non-NULL) gets the stated version whenever the payload is long enough. */
int rdb_payload_verify(const void *p, size_t len, unsigned *version);

#endif
