/* replication/stream.c - the write-stream ring (see stream.h for the invariants).
 *
 * An append is: (1) the ring follows repl-backlog-size if CONFIG SET changed it;
 * (2) valid_from rises to cover the offsets whose bytes the append will overwrite;
 * (3) the bytes are written into the ring, wrapping (a usual command is encoded in a
 * stack buffer and copied in one piece; one with long arguments piece by piece);
 * (4) head and seldb are undo-logged and advanced.  No allocation, no format string.
 */
#include <stddef.h>
#include <string.h>

#include "conf/shared.h"
#include "replication/stream.h"
#include "shm/alloc.h"
#include "shm/undo.h"
#include "util/log.h"
#include "util/numconv.h"

#define MIN_SIZE (16 * 1024)            /* Redis's CONFIG_REPL_BACKLOG_MIN_SIZE */

struct repl_stream {
    uint64_t head;                      /* next offset; undo-logged with seldb */
    int64_t seldb;                      /* database of the last SELECT, -1 none */
    volatile uint64_t valid_from;       /* never undo-logged (stream.h, invariant 2) */
    uint64_t size;                      /* ring bytes */
    shm_off_t ring;
    long long conf_size;                /* the repl-backlog-size it was sized for */
    uint32_t consumers;                 /* readers attached (stream.h: fed only then) */
};

_Static_assert(offsetof(struct repl_stream, seldb) == sizeof(uint64_t),
               "head and seldb are logged as one range");

static struct repl_stream *stream(void) { return shm_ptr(shm_header()->stream_off); }

/* The ring bytes for repl-backlog-size want: at least 16kb, at most a quarter of the
 * arena's heap. */
static uint64_t ring_size(long long want)
{
    uint64_t cap = shm_header()->heap_pages * SHM_PAGE_SIZE / 4;
    uint64_t size = want < MIN_SIZE ? MIN_SIZE : (uint64_t)want;
    return size > cap ? cap : size;
}

void repl_stream_create(long long size)
{
    if (shm_header()->stream_off)
        return;
    shm_off_t off = shm_calloc(sizeof(struct repl_stream));
    struct repl_stream *s = shm_ptr(off);
    s->seldb = -1;
    s->size = ring_size(size);
    s->ring = shm_alloc(s->size);
    s->conf_size = size;
    UNDO_SET(shm_header()->stream_off, off);
}

int repl_stream_fed(void) { return shm_header()->stream_off && stream()->consumers > 0; }

void repl_stream_attach(void) { UNDO_SET(stream()->consumers, stream()->consumers + 1); }

void repl_stream_detach(void)
{
    if (stream()->consumers)
        UNDO_SET(stream()->consumers, stream()->consumers - 1);
}

uint64_t repl_stream_offset(void) { return stream()->head; }
uint64_t repl_stream_size(void) { return stream()->size; }
int repl_stream_db(void) { return (int)stream()->seldb; }

uint64_t repl_stream_first(void)
{
    const struct repl_stream *s = stream();
    return s->valid_from < s->head ? s->valid_from : s->head;
}

/* ---- writing into a ring, encoding commands ---- */

struct out {                            /* a writer into a ring */
    char *base;
    uint64_t size;
    uint64_t pos;
    uint64_t skip;                      /* bytes to drop first (an append larger than the ring) */
};

static void put(struct out *o, const void *p, size_t n)
{
    if (o->skip) {
        size_t drop = o->skip < n ? (size_t)o->skip : n;
        o->skip -= drop;
        p = (const char *)p + drop;
        n -= drop;
    }
    size_t first = o->size - o->pos < n ? (size_t)(o->size - o->pos) : n;
    memcpy(o->base + o->pos, p, first);
    memcpy(o->base, (const char *)p + first, n - first);
    o->pos += n;
    if (o->pos >= o->size)
        o->pos -= o->size;
}

static size_t digits(uint64_t v)
{
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

/* Writes n in decimal at w; returns the end. */
static inline char *put_num(char *w, uint64_t n)
{
    char tmp[20];
    int i = 0;
    do {
        tmp[i++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    while (i)
        *w++ = tmp[--i];
    return w;
}

/* Copies n bytes with fixed-size moves the compiler inlines (a command's arguments are
 * mostly short: a call to memcpy per piece would cost more than the copy). */
static inline char *put_bytes(char *w, const char *p, size_t n)
{
    if (n >= 16) {
        memcpy(w, p, n);
    } else if (n >= 8) {
        memcpy(w, p, 8);
        memcpy(w + n - 8, p + n - 8, 8);
    } else if (n >= 4) {
        memcpy(w, p, 4);
        memcpy(w + n - 4, p + n - 4, 4);
    } else {
        for (size_t i = 0; i < n; i++)
            w[i] = p[i];
    }
    return w + n;
}

/* "*<n>\r\n" or "$<n>\r\n" at w; returns the end. */
static inline char *put_header(char *w, char type, uint64_t n)
{
    *w++ = type;
    w = put_num(w, n);
    *w++ = '\r';
    *w++ = '\n';
    return w;
}

static size_t encoded_len(int argc, const char *const *argv, const size_t *lens)
{
    size_t n = 3 + digits((uint64_t)argc);
    for (int i = 0; i < argc; i++)
        n += 5 + digits(lens[i]) + lens[i];
    return n;
}

/* The RESP array of argv at dst, which has room for it; returns the end. */
static char *encode_flat(char *dst, int argc, const char *const *argv, const size_t *lens)
{
    dst = put_header(dst, '*', (uint64_t)argc);
    for (int i = 0; i < argc; i++) {
        dst = put_header(dst, '$', lens[i]);
        dst = put_bytes(dst, argv[i], lens[i]);
        *dst++ = '\r';
        *dst++ = '\n';
    }
    return dst;
}

/* The RESP array of argv (len bytes) into o: staged in one buffer when it fits, so
 * that a usual command is one copy into the ring; else piece by piece. */
#define STAGE 512

static void encode(struct out *o, int argc, const char *const *argv, const size_t *lens, size_t len)
{
    char buf[STAGE];
    if (len <= STAGE) {
        put(o, buf, (size_t)(encode_flat(buf, argc, argv, lens) - buf));
        return;
    }
    put(o, buf, (size_t)(put_header(buf, '*', (uint64_t)argc) - buf));
    for (int i = 0; i < argc; i++) {
        put(o, buf, (size_t)(put_header(buf, '$', lens[i]) - buf));
        put(o, argv[i], lens[i]);
        put(o, "\r\n", 2);
    }
}

size_t repl_encode_command(char *dst, int argc, const char *const *argv, const size_t *lens)
{
    if (dst)
        return (size_t)(encode_flat(dst, argc, argv, lens) - dst);
    return encoded_len(argc, argv, lens);
}

/* ---- appending ---- */

/* Raises valid_from past the offsets the next n bytes will overwrite (invariant 2). */
static void protect(struct repl_stream *s, uint64_t n)
{
    uint64_t vf = s->valid_from < s->head ? s->valid_from : s->head;
    uint64_t end = s->head + n;
    if (end > s->size && end - s->size > vf)
        vf = end - s->size;
    if (vf != s->valid_from) {
        __atomic_store_n(&s->valid_from, vf, __ATOMIC_RELEASE);
        __atomic_thread_fence(__ATOMIC_RELEASE);    /* before the bytes it protects */
    }
}

/* Copies the readable bytes of [first, head) into a new ring of the size 'want' asks
 * for, keeping the newest; the old ring is freed at commit. */
static void resize(struct repl_stream *s, long long want)
{
    uint64_t size = ring_size(want);
    struct slab_stats st;
    UNDO_SET(s->conf_size, want);
    if (size == s->size)
        return;
    slab_get_stats(&st);
    if ((st.pages_total - st.pages_used) * SHM_PAGE_SIZE < size + size / 8) {
        log_msg(LOG_WARNING, "repl-backlog-size %lld: not enough arena memory, the backlog keeps %llu bytes",
                want, (unsigned long long)s->size);
        return;
    }
    uint64_t first = repl_stream_first(), keep = s->head - first;
    if (keep > size)
        keep = size;
    shm_off_t ring = shm_alloc(size);
    struct out o = { shm_ptr(ring), size, (s->head - keep) % size, 0 };
    char *old = shm_ptr(s->ring);
    uint64_t from = (s->head - keep) % s->size, tail = s->size - from;
    put(&o, old + from, keep < tail ? keep : tail);
    if (keep > tail)
        put(&o, old, keep - tail);
    __atomic_store_n(&s->valid_from, s->head - keep, __ATOMIC_RELEASE);
    shm_free(s->ring);
    UNDO_SET(s->ring, ring);
    UNDO_SET(s->size, size);
}

/* Steps (1) and (2) of an append of n bytes: the writer at head. */
static struct out begin_append(struct repl_stream *s, uint64_t n)
{
    const struct conf_values *conf = conf_shared();
    if (conf && conf->repl_backlog_size != s->conf_size)
        resize(s, conf->repl_backlog_size);
    protect(s, n);
    uint64_t skip = n > s->size ? n - s->size : 0;
    struct out o = { shm_ptr(s->ring), s->size, (s->head + skip) % s->size, skip };
    return o;
}

static void end_append(struct repl_stream *s, uint64_t n, int64_t seldb)
{
    undo_save(&s->head, sizeof(s->head) + sizeof(s->seldb));
    s->head += n;
    s->seldb = seldb;
}

/* The SELECT preceding an append to dbid: its argv in sel/db_text, or 0 if none. */
static int select_for(const struct repl_stream *s, int dbid, const char *sel[2], size_t lens[2], char db_text[24])
{
    if (dbid < 0 || dbid == s->seldb)
        return 0;
    sel[0] = "SELECT";
    lens[0] = 6;
    lens[1] = (size_t)ll2string(db_text, 24, dbid);
    sel[1] = db_text;
    return 2;
}

void repl_stream_append(int dbid, const void *bytes, size_t len)
{
    struct repl_stream *s = stream();
    const char *sel[2];
    size_t lens[2];
    char db_text[24];
    int selc = select_for(s, dbid, sel, lens, db_text);
    size_t sel_len = selc ? encoded_len(selc, sel, lens) : 0;
    uint64_t n = sel_len + len;
    struct out o = begin_append(s, n);
    if (selc)
        encode(&o, selc, sel, lens, sel_len);
    put(&o, bytes, len);
    end_append(s, n, selc ? dbid : s->seldb);
}

void repl_stream_append_command(int dbid, int argc, const char *const *argv, const size_t *lens)
{
    struct repl_stream *s = stream();
    const char *sel[2];
    size_t sel_lens[2];
    char db_text[24];
    int selc = select_for(s, dbid, sel, sel_lens, db_text);
    size_t sel_len = selc ? encoded_len(selc, sel, sel_lens) : 0, len = encoded_len(argc, argv, lens);
    struct out o = begin_append(s, sel_len + len);
    if (selc)
        encode(&o, selc, sel, sel_lens, sel_len);
    encode(&o, argc, argv, lens, len);
    end_append(s, sel_len + len, selc ? dbid : s->seldb);
}

int repl_stream_read(uint64_t from, uint64_t to, void *out)
{
    const struct repl_stream *s = stream();
    if (from > to || from < repl_stream_first() || to > s->head)
        return -1;
    uint64_t pos = from % s->size, n = to - from, tail = s->size - pos;
    const char *ring = shm_ptr(s->ring);
    memcpy(out, ring + pos, n < tail ? n : tail);
    if (n > tail)
        memcpy((char *)out + tail, ring, n - tail);
    return 0;
}
