/* shm/listpack.h - listpacks in the arena: Redis 7.0's compact serialized list of
 * strings and integers, byte for byte the format Redis writes (so RDB can store and
 * load them as they are, and redis-check-rdb accepts them):
 *   <total-bytes u32 LE><num-elements u16 LE><entry>...<0xFF>
 *   entry = <encoding+data><backlen>, integers in the smallest of 7-bit uint, 13, 16,
 *   24, 32, 64-bit signed; strings with 6-bit, 12-bit or 32-bit lengths.
 *   num-elements is 65535 when the count does not fit (then counted by walking).
 *
 * A listpack is one arena allocation, identified by its offset.  Every function that
 * changes one returns the offset of the result, which is a NEW allocation (copy on
 * write): the old one is freed at commit (shm_free).  So a listpack never changes in
 * place and its contents need no undo logging; the caller stores the new offset with
 * UNDO_SET.  Entry positions (unsigned char *) are valid until the next change.
 * Listpacks are small by design (bounded by the *-max-listpack-* settings), so the
 * O(n) copy is the same order as Redis's realloc + memmove.
 *
 * The exception is the "in place" section at the end, for an owner that keeps a
 * listpack inside a larger allocation with spare bytes before and after it (quicklist
 * nodes): those functions change it where it lies, undo-logging every byte they
 * overwrite (spare bytes included), and never allocate or free; such a listpack must
 * not be passed to the copy-on-write functions, which free the listpack they replace.
 */
#ifndef SHM_LISTPACK_H
#define SHM_LISTPACK_H

#include <stddef.h>
#include <stdint.h>
#include "shm/arena.h"

#define LP_INTBUF_SIZE 21               /* enough for a long long as text */
#define LP_HEADER_BYTES 6               /* total-bytes and num-elements */
#define LP_EMPTY_BYTES 7                /* header and end byte: an empty listpack */

enum lp_where { LP_BEFORE = 0, LP_AFTER = 1, LP_REPLACE = 2 };

/* An entry's value: either a string (s, len) or an integer (s == NULL, v). */
struct lp_value {
    const unsigned char *s;
    uint32_t len;
    long long v;
};

shm_off_t lp_new(void);                                     /* empty listpack */
/* A listpack built from already-serialized bytes (RDB load, validated first). */
shm_off_t lp_from_bytes(const unsigned char *bytes, size_t len);
int lp_validate(const unsigned char *bytes, size_t len, int deep);  /* 1 ok */

unsigned char *lp_ptr(shm_off_t lp);                         /* the bytes */
uint32_t lp_bytes(shm_off_t lp);                             /* total size */
uint32_t lp_length(shm_off_t lp);                            /* number of entries */

/* Iteration: NULL past either end. */
unsigned char *lp_first(shm_off_t lp);
unsigned char *lp_last(shm_off_t lp);
unsigned char *lp_next(shm_off_t lp, unsigned char *p);
unsigned char *lp_prev(shm_off_t lp, unsigned char *p);
/* Entry at index (negative from the end), NULL if out of range. */
unsigned char *lp_seek(shm_off_t lp, long index);

void lp_get(const unsigned char *p, struct lp_value *out);
/* The entry as bytes: integers are formatted into buf (LP_INTBUF_SIZE). */
const unsigned char *lp_get_str(const unsigned char *p, uint32_t *len, unsigned char *buf);
/* Compares the entry with a string (integers compared as their decimal text). */
int lp_eq(const unsigned char *p, const unsigned char *s, uint32_t len);

/* Finds the first entry from p equal to s, looking at every (skip+1)th entry
 * (skip = 1 walks the keys of a key/value listpack); NULL if none. */
unsigned char *lp_find(shm_off_t lp, unsigned char *p, const unsigned char *s, uint32_t len, unsigned skip);

/* Changes: each returns the new listpack's offset; the old one is freed at commit.
 * A string that is a canonical integer is stored as an integer, as Redis does. */
shm_off_t lp_append(shm_off_t lp, const unsigned char *s, uint32_t len);
shm_off_t lp_prepend(shm_off_t lp, const unsigned char *s, uint32_t len);
shm_off_t lp_append_int(shm_off_t lp, long long v);
/* Inserts before/after p, or replaces p; *newp (if not NULL) gets the position of the
 * inserted/replaced entry in the new listpack.  p NULL (or the end byte) with LP_BEFORE
 * or LP_AFTER appends. */
shm_off_t lp_insert(shm_off_t lp, unsigned char *p, const unsigned char *s, uint32_t len,
                    enum lp_where where, unsigned char **newp);
/* Inserts two entries (a field and its value, a member and its score) before p, or
 * at the end if p is NULL, with one copy; *newp gets the position of the first. */
shm_off_t lp_insert_pair(shm_off_t lp, unsigned char *p, const unsigned char *s1, uint32_t l1,
                         const unsigned char *s2, uint32_t l2, unsigned char **newp);
/* Deletes count entries starting at index (negative from the end).  Returns lp itself
 * (nothing freed) when index is out of range or count is 0. */
shm_off_t lp_delete_range(shm_off_t lp, long index, unsigned long count);
/* Deletes the entry at p; *nextp gets the position of the entry after it (or NULL). */
shm_off_t lp_delete(shm_off_t lp, unsigned char *p, unsigned char **nextp);
/* Deletes up to count entries from p on (a field and its value: 2) with one copy;
 * *nextp as lp_delete.  Returns lp itself when count is 0. */
shm_off_t lp_delete_n(shm_off_t lp, unsigned char *p, unsigned long count, unsigned char **nextp);
/* Several changes at once without a copy per change: build a new listpack from
 * scratch with lp_builder_*, then free the old one (shm_free). */
struct lp_builder {
    unsigned char *buf;                 /* private memory */
    size_t len, cap;
    uint32_t count;
    int on_heap;                        /* buf is malloc'd (else the caller's) */
};
void lp_builder_init(struct lp_builder *b);
/* The same, starting in the caller's buffer (cap bytes, e.g. on the stack): the
 * builder moves to the heap only if it outgrows it. */
void lp_builder_init_in(struct lp_builder *b, unsigned char *buf, size_t cap);
void lp_builder_add(struct lp_builder *b, const unsigned char *s, uint32_t len);
void lp_builder_add_int(struct lp_builder *b, long long v);
void lp_builder_add_entry(struct lp_builder *b, const unsigned char *p);  /* copy an entry */
shm_off_t lp_builder_finish(struct lp_builder *b);         /* allocates; frees private buf */
void lp_builder_discard(struct lp_builder *b);

/* Random entries (HRANDFIELD, SRANDMEMBER, ZRANDMEMBER); rnd returns uniform 64-bit. */
unsigned char *lp_random(shm_off_t lp, uint64_t (*rnd)(void));

/* ---- in place: listpacks whose owner keeps spare bytes around them ----
 * "raw" below is n whole encoded entries, rawlen bytes, in list order (from an
 * lp_builder's buf + LP_HEADER_BYTES, or copied out of a listpack); it must not lie
 * inside the listpack being changed.  Each function undo-logs the bytes it writes
 * before writing them, so it must run inside a write. */

/* Writes at dst (new memory of this write: not logged) the listpack src with its bytes
 * [cut, cut + cutlen) (counted from its start, on entry boundaries) replaced by raw;
 * delta is the change in entry count.  src NULL stands for an empty listpack.  dst
 * needs lp's bytes - cutlen + rawlen bytes; returns that size. */
size_t lp_splice_into(unsigned char *dst, const unsigned char *src, size_t cut, size_t cutlen,
                      const unsigned char *raw, size_t rawlen, long delta);
/* Adds raw at the end; needs rawlen spare bytes after the listpack. */
void lp_append_in_place(shm_off_t lp, const unsigned char *raw, size_t rawlen, uint32_t n);
/* Adds raw at the front; needs rawlen spare bytes before the listpack, which now
 * starts there: returns its new offset, lp - rawlen. */
shm_off_t lp_prepend_in_place(shm_off_t lp, const unsigned char *raw, size_t rawlen, uint32_t n);
/* Removes the first n entries (n <= length): the listpack now starts further on, the
 * bytes before it are spare; returns its new offset. */
shm_off_t lp_pop_front_in_place(shm_off_t lp, uint32_t n);
/* Removes the last n entries (n <= length); the bytes freed at the end are spare. */
void lp_pop_back_in_place(shm_off_t lp, uint32_t n);
#endif
