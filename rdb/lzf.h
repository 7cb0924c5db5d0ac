/* rdb/lzf.h - LZF, the compression RDB files and DUMP payloads use for strings.
 *
 * The format is a sequence of items, each starting with a control byte c:
 *  - c < 32: a literal run; the next c + 1 bytes are copied to the output.
 *  - c >= 32: a back-reference; n = c >> 5 (if n == 7 a further byte is added to
 *    it), then one byte d; n + 2 bytes are copied, byte by byte (they may overlap the
 *    output being written), from ((c & 31) << 8 | d) + 1 bytes behind the output end.
 * So a literal run is at most 32 bytes, a match at most 264 bytes and 8192 bytes back,
 * and an input of n compressed bytes expands to at most LZF_MAX_EXPANSION * n bytes. */
#ifndef RDB_LZF_H
#define RDB_LZF_H

#include <stddef.h>
#include <sys/types.h>

#define LZF_MAX_EXPANSION 88        /* a 3-byte back-reference yields up to 264 bytes */

/* Compresses in[0..inlen) into out[0..outcap); returns the compressed length, or 0
 * when the result does not fit in outcap (or inlen is 0).  Never writes past outcap. */
size_t lzf_compress(const void *in, size_t inlen, void *out, size_t outcap);

/* Decompresses in[0..inlen) into out[0..outcap); returns the decompressed length, or
 * -1 when the input is malformed (a truncated item, a reference before the start of
 * the output) or expands past outcap.  Never reads past inlen nor writes past outcap. */
ssize_t lzf_decompress(const void *in, size_t inlen, void *out, size_t outcap);

#endif
