/* replication/stream.h - the write stream: a ring of repl-backlog-size bytes in the
 * arena (anchored at header.stream_off) holding the RESP-encoded effects of committed
 * writes, in the order they committed - what a replica is sent and what the AOF is fed
 * - and a 64-bit offset counting every byte ever appended (Redis's master_repl_offset).
 * What is appended (which commands, how rewritten) is replication/propagate.h's
 * business; this file only keeps the bytes.
 *
 * Invariants (all under the keyspace lock; appends inside a write):
 *  1. head is the offset of the next byte: bytes appended by committed writes plus
 *     those of the open write.  seldb is the database of the stream's last SELECT (-1:
 *     none yet: the next command is preceded by one).  Both are undo-logged, together,
 *     at every append: a rolled-back write leaves them as they were.
 *  2. The ring's bytes are not undo-logged.  Offsets x and x + size share a ring byte;
 *     before an append overwrites the bytes of old offsets, valid_from rises past them.
 *     valid_from is never undo-logged and never goes back (but to meet head, when
 *     nothing below head is intact any more), so the bytes overwritten by an append
 *     that was then rolled back are never served: readable offsets are
 *     [repl_stream_first(), head), and head - size <= repl_stream_first().
 *  3. A worker killed in the middle of an append leaves valid_from raised (harmless),
 *     head and seldb restored by the rollback (shm/lock.c, EOWNERDEAD).
 * Readers (the replication and AOF of later issues) copy bytes out with the lock held
 * and no write open, so they see committed bytes only.
 *
 * Size: repl-backlog-size, at least 16kb as Redis's backlog, and at most a quarter of
 * the arena's heap.  After CONFIG SET repl-backlog-size the next append resizes the
 * ring (a new ring keeps the newest bytes; the old one is freed at commit), unless the
 * arena has not the pages for it (the old ring stays, a warning is logged).
 *
 * Consumers: the stream is fed only while a reader is attached (a replica, the AOF
 * writer: repl_stream_attach), as Redis feeds its backlog only once a replica came and
 * its AOF buffer only with appendonly on: a server with neither pays nothing per
 * write.  Appends made while fed are kept however readers come and go.
 *
 * INFO replication: Redis 7.0 creates its backlog only when the first replica attaches,
 * so a master that never had one reports master_repl_offset:0, repl_backlog_active:0
 * and a histlen of 0.  INFO mimics Redis (worker/cmd_info.c prints those zeros): tools
 * that compare offsets (redis-cli, sentinel) only do so once replicas exist.  The replication issue
 * will report offsets counted from the stream offset at which the first replica
 * attached (Redis's repl_backlog_first_byte_offset = master_repl_offset + 1 then), and
 * reset seldb to -1 for it, as Redis resets slaveseldb.
 */
#ifndef REPLICATION_STREAM_H
#define REPLICATION_STREAM_H

#include <stddef.h>
#include <stdint.h>

/* Creates the stream with a ring for repl-backlog-size 'size' if the arena has none
 * (worker startup, inside a write). */
void repl_stream_create(long long size);

/* Whether writes feed the stream now: some reader is attached. */
int repl_stream_fed(void);
/* A reader (replica, AOF writer) comes / goes.  Inside a write. */
void repl_stream_attach(void);
void repl_stream_detach(void);

/* The offset of the next byte to append (bytes ever appended). */
uint64_t repl_stream_offset(void);
/* The lowest offset still readable (<= repl_stream_offset()). */
uint64_t repl_stream_first(void);
/* Bytes the ring holds. */
uint64_t repl_stream_size(void);
/* The database of the stream's last SELECT, -1 if none. */
int repl_stream_db(void);

/* Copies the bytes of offsets [from, to) to out: 0, or -1 (nothing copied) when they
 * are not all readable (evicted from the ring, or not appended yet). */
int repl_stream_read(uint64_t from, uint64_t to, void *out);

/* Appends bytes (a command already encoded), preceded by SELECT dbid when dbid >= 0
 * and differs from the stream's database.  Inside a write. */
void repl_stream_append(int dbid, const void *bytes, size_t len);
/* Appends the RESP array of argv[0 .. argc), preceded by SELECT as above, encoding it
 * straight into the ring.  Inside a write. */
void repl_stream_append_command(int dbid, int argc, const char *const *argv, const size_t *lens);

/* The RESP array of argv: its length, and when dst is not NULL the bytes at dst. */
size_t repl_encode_command(char *dst, int argc, const char *const *argv, const size_t *lens);
#endif
