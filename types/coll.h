/* types/coll.h - what the collection types (hashes, sets; sorted sets can use it too)
 * share (implementation: types/coll.c):
 *  - struct coll_elem: one element as the encodings hold it, bytes or an integer
 *    (listpacks and intsets store integers), with its text form and reply;
 *  - the HSCAN/SSCAN arguments (cursor, MATCH, COUNT), the bucket walk of a table-
 *    encoded collection, and the [cursor, [elements]] reply;
 *  - a table encoding's dict: creating, freeing, walking it;
 *  - distinct random picks (HRANDFIELD, SRANDMEMBER, SPOP with a positive count).
 * Only coll_dict_new and coll_dict_free change the arena (inside a write).  Element
 * bytes point into the arena and stay valid until the end of the command (frees are
 * deferred to commit).
 */
#ifndef TYPES_COLL_H
#define TYPES_COLL_H

#include <stddef.h>
#include <stdint.h>
#include "shm/dict.h"
#include "shm/listpack.h"
#include "types/command.h"

#define COLL_INTBUF 24                  /* room for a long long as text */

struct coll_elem {
    const char *s;                      /* NULL: the element is the integer v */
    size_t len;
    long long v;
};

static inline struct coll_elem coll_str(const char *s, size_t len) { return (struct coll_elem){ s, len, 0 }; }
static inline struct coll_elem coll_int(long long v) { return (struct coll_elem){ NULL, 0, v }; }

/* The element of a listpack entry. */
struct coll_elem coll_from_lp(const unsigned char *p);
/* The element's bytes; an integer is formatted into buf (COLL_INTBUF bytes). */
const char *coll_text(const struct coll_elem *e, char *buf, size_t *len);
/* Whether the element is a canonical integer (Redis's string2ll); its value in *v. */
int coll_as_ll(const struct coll_elem *e, long long *v);
/* Length of the element's text. */
size_t coll_len(const struct coll_elem *e);
void coll_reply(struct reply *r, const struct coll_elem *e);

/* ---- SCAN over a collection -------------------------------------------------- */

struct coll_scan {
    long long count;                    /* COUNT, default 10 */
    const char *pattern;                /* MATCH; NULL matches everything */
    size_t plen;
    int stride;                         /* elements per item: 1, or 2 for (field, value) */
    struct coll_elem *items;            /* collected, private memory */
    size_t n, cap;
};

/* Parses the cursor argv[argi] as Redis does (strtoul: optional sign, digits, no
 * leading space); replies "ERR invalid cursor" and returns 0 when it is not one. */
int coll_scan_cursor(struct cmd_ctx *c, int argi, uint64_t *cursor);
/* Parses MATCH and COUNT from argv[first..]; replies and returns 0 on error. */
int coll_scan_options(struct cmd_ctx *c, int first, int stride, struct coll_scan *s);
void coll_scan_add(struct coll_scan *s, struct coll_elem e);
/* Walks d from cursor as Redis's scan does: bucket by bucket until COUNT elements
 * were collected (a field and its value count as two, as in Redis) or COUNT*10
 * buckets visited; fn adds the entry's item(s) with
 * coll_scan_add (its arg is s).  Returns the next cursor. */
uint64_t coll_scan_dict(const struct dict *d, uint64_t cursor, struct coll_scan *s, dict_scan_fn *fn);
/* Replies [cursor, [items...]] keeping the items whose first element matches, and
 * frees the collected items. */
void coll_scan_reply(struct cmd_ctx *c, struct coll_scan *s, uint64_t cursor);
/* The reply for a missing key: [0, []]. */
void coll_scan_reply_empty(struct cmd_ctx *c);

/* ---- table encodings: a struct dict in an allocation of its own ------------------- */

shm_off_t coll_dict_new(uint32_t type);
/* Frees the entries (through the dict type's free_entry), the buckets and the dict. */
void coll_dict_free(shm_off_t d);
/* A new dict of the given type holding byte copies of d's entries; entry_size gives
 * the size of an entry (struct and bytes). */
shm_off_t coll_dict_copy(shm_off_t d, uint32_t type, size_t (*entry_size)(shm_off_t entry));
/* Calls fn for every entry until it returns nonzero; fn must not change the dict. */
typedef int coll_entry_fn(shm_off_t entry, void *arg);
void coll_dict_walk(const struct dict *d, coll_entry_fn *fn, void *arg);

/* ---- random picks -------------------------------------------------------------- */

/* Fills out[0..count) with distinct numbers from [0, n), each subset equally likely
 * (count <= n). */
void coll_sample_indices(uint64_t n, uint64_t count, uint64_t *out);
/* Fills out[0..count) with distinct entries of d (count <= dict_size(d)). */
void coll_sample_dict(const struct dict *d, uint64_t count, shm_off_t *out);

/* Parses a count argument as Redis's getRangeLongFromObjectOrReply with the range
 * [-LONG_MAX, LONG_MAX]; replies and returns 0 on error. */
int coll_count_arg(struct cmd_ctx *c, int argi, long long *count);
#endif
