/* types/zset_scan.c - ZSCAN key cursor [MATCH pattern] [COUNT count], as Redis 7.0's
 * scanGenericCommand on a zset: a listpack is returned whole with cursor 0 (COUNT
 * ignored), its scores as stored; a skiplist's member table is walked with the
 * keyspace SCAN's cursor (types/coll.h), COUNT counting members and scores both as
 * Redis's list of keys does.  MATCH filters on members. */
#include <stdlib.h>

#include "types/coll.h"
#include "types/zset_internal.h"
#include "util/numconv.h"

/* Scores of skiplist nodes as text, in chunks that never move until the reply. */
#define SCORE_TEXT 32
#define SCORES_PER_CHUNK 256

struct score_chunk {
    struct score_chunk *next;
    int used;
    char text[SCORES_PER_CHUNK][SCORE_TEXT];
};

struct zscan {
    struct coll_scan s;                 /* first: coll_scan_dict hands it to the visitor */
    struct score_chunk *chunks;
};

static void scan_node(shm_off_t entry, void *arg)
{
    struct zscan *z = arg;
    struct zsl_node *n = zsl_node_at(entry);
    if (!z->chunks || z->chunks->used == SCORES_PER_CHUNK) {
        struct score_chunk *ch = malloc(sizeof(*ch));
        if (!ch)
            abort();
        ch->next = z->chunks;
        ch->used = 0;
        z->chunks = ch;
    }
    char *t = z->chunks->text[z->chunks->used++];
    int len = d2string(t, SCORE_TEXT, n->score);
    coll_scan_add(&z->s, coll_str(zsl_member(n), n->len));
    coll_scan_add(&z->s, coll_str(t, (size_t)len));
}

static uint64_t scan_listpack(shm_off_t lp, struct coll_scan *s)
{
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p))
        coll_scan_add(s, coll_from_lp(p));
    return 0;
}

void zscan_command(struct cmd_ctx *c)
{
    uint64_t cursor;
    int wrong;
    if (!coll_scan_cursor(c, 2, &cursor))
        return;
    struct kv *kv = obj_lookup_read(c, 1, KV_ZSET, &wrong);
    if (wrong)
        return;
    if (!kv) {
        coll_scan_reply_empty(c);
        return;
    }
    struct zscan z = { .chunks = NULL };
    if (!coll_scan_options(c, 3, 2, &z.s))
        return;
    if (zset_is_lp(kv))
        cursor = scan_listpack(kv_value_off(kv), &z.s);
    else
        cursor = coll_scan_dict(&zsl_at(kv_value_off(kv))->dict, cursor, &z.s, scan_node);
    coll_scan_reply(c, &z.s, cursor);
    while (z.chunks) {
        struct score_chunk *next = z.chunks->next;
        free(z.chunks);
        z.chunks = next;
    }
}
