/* rdb/codec.h - the RDB format's building blocks (Redis 7.0, RDB version 10): opcodes,
 * lengths and strings, written to a growable private buffer and read back from a byte
 * buffer.  DUMP payloads (rdb/payload.h), RDB files and replication build on these.
 *
 * Lengths: the first byte's top two bits say the form: 00 a 6-bit length, 01 a 14-bit
 * length (with the next byte, big-endian), 0x80 a 32-bit and 0x81 a 64-bit big-endian
 * length in the following bytes; 11 means a special string encoding in the low six
 * bits: 0/1/2 an 8/16/32-bit little-endian integer, 3 an LZF blob (compressed length,
 * uncompressed length, compressed bytes).
 *
 * Strings are written as Redis writes them: an integer in int32 range in its canonical
 * decimal form (at most 11 bytes) as an integer; else, when compression is asked and
 * the string is longer than 20 bytes, LZF-compressed if that saves at least 4 bytes;
 * else the length and the bytes.
 *
 * The reader never reads past its buffer and never allocates more than the input can
 * describe; it tells a short read (RDB_ESHORT) from corrupt data (RDB_ECORRUPT). */
#ifndef RDB_CODEC_H
#define RDB_CODEC_H

#include <stddef.h>
#include <stdint.h>

#define RDB_VERSION 10

/* Opcodes: bytes that appear where a value type would. */
#define RDB_OPCODE_FUNCTION2 245        /* a function library: its code as a string */
#define RDB_OPCODE_FUNCTION_PRE_GA 246  /* 7.0-rc: name, engine, [description], code */
#define RDB_OPCODE_MODULE_AUX 247
#define RDB_OPCODE_IDLE 248
#define RDB_OPCODE_FREQ 249
#define RDB_OPCODE_AUX 250
#define RDB_OPCODE_RESIZEDB 251
#define RDB_OPCODE_EXPIRETIME_MS 252
#define RDB_OPCODE_EXPIRETIME 253
#define RDB_OPCODE_SELECTDB 254
#define RDB_OPCODE_EOF 255

enum rdb_status { RDB_OK = 0, RDB_ESHORT = -1, RDB_ECORRUPT = -2, RDB_ENOMEM = -3 };

/* An output buffer (malloc'd; allocation failure aborts, as for reply buffers). */
struct rdb_writer {
    unsigned char *buf;
    size_t len, cap;
};

void rdb_writer_init(struct rdb_writer *w);
void rdb_writer_free(struct rdb_writer *w);
void rdb_write_raw(struct rdb_writer *w, const void *p, size_t n);
void rdb_write_byte(struct rdb_writer *w, uint8_t b);          /* a type or opcode */
void rdb_write_len(struct rdb_writer *w, uint64_t len);
void rdb_write_string(struct rdb_writer *w, const void *s, size_t len, int compress);

/* An input buffer.  After an error, error names what was wrong and error_at is the
 * offset of the item being read; pos is then unspecified. */
struct rdb_reader {
    const unsigned char *buf;
    size_t len, pos;
    const char *error;
    size_t error_at;
};

void rdb_reader_init(struct rdb_reader *r, const void *buf, size_t len);
/* Copies the next n bytes; RDB_OK or RDB_ESHORT. */
int rdb_read_raw(struct rdb_reader *r, void *out, size_t n);
/* The next byte (0..255), or RDB_ESHORT. */
int rdb_read_byte(struct rdb_reader *r);
/* A length.  With encoded non-NULL, a special encoding sets *encoded = 1 and *len to
 * its number; with encoded NULL it reads as a 6-bit length, as Redis's loader does. */
int rdb_read_len(struct rdb_reader *r, uint64_t *len, int *encoded);
/* A string in any encoding: *s is malloc'd, NUL-terminated after its *len bytes, and
 * the caller frees it.  An LZF blob must decompress to exactly its stated length
 * (one stated as 0 reads as empty whatever its bytes, as in Redis). */
int rdb_read_string(struct rdb_reader *r, char **s, size_t *len);

#endif
