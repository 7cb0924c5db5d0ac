/* types/t_geo.c - the GEO commands over sorted sets, with Redis 7.0.15's replies,
 * errors and argument checking order (checked against the real server).
 *
 * A point is stored as a zset member whose score is its 52-bit geohash
 * (types/geohash.h).  GEOADD goes through zset_add; the searches walk the score
 * ranges of the nine covering cells with zset_range_by_score, keep the members
 * inside the shape (copied into private memory), sort them by distance when asked,
 * and reply or store them (GEOSEARCHSTORE, GEORADIUS ... STORE) as a new zset.
 * Coordinates are replied as Redis's human long doubles (%.17Lf, trailing zeros
 * dropped), distances with four decimals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "types/geohash.h"
#include "types/object.h"
#include "types/t_geo.h"
#include "types/t_zset.h"
#include "util/numconv.h"

/* ---- arguments ------------------------------------------------------------------ */

/* Meters per unit of argv[i]; -1 after replying the error. */
static double unit_arg(struct cmd_ctx *c, int i)
{
    static const struct { const char *name; double m; } units[] = {
        { "m", 1 }, { "km", 1000 }, { "ft", 0.3048 }, { "mi", 1609.34 },
    };
    for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++)
        if (arg_is(c, i, units[u].name))
            return units[u].m;
    reply_error(c->reply, "ERR unsupported unit provided. please use M, KM, FT, MI");
    return -1;
}

/* argv[i], argv[i+1] as longitude, latitude; 0 after replying the error. */
static int lonlat_arg(struct cmd_ctx *c, int i, double xy[2])
{
    if (!arg_double(c, i, &xy[0], NULL) || !arg_double(c, i + 1, &xy[1], NULL))
        return 0;
    if (xy[0] < GEO_LONG_MIN || xy[0] > GEO_LONG_MAX || xy[1] < GEO_LAT_MIN || xy[1] > GEO_LAT_MAX) {
        reply_errorf(c->reply, "ERR invalid longitude,latitude pair %f,%f", xy[0], xy[1]);
        return 0;
    }
    return 1;
}

/* argv[i] radius, argv[i+1] unit into s; 0 after replying the error. */
static int radius_arg(struct cmd_ctx *c, int i, struct geo_shape *s)
{
    if (!arg_double(c, i, &s->radius, "ERR need numeric radius"))
        return 0;
    if (s->radius < 0) {
        reply_error(c->reply, "ERR radius cannot be negative");
        return 0;
    }
    return (s->conversion = unit_arg(c, i + 1)) >= 0;
}

/* argv[i] width, argv[i+1] height, argv[i+2] unit into s; 0 after replying. */
static int box_arg(struct cmd_ctx *c, int i, struct geo_shape *s)
{
    if (!arg_double(c, i, &s->width, "ERR need numeric width") ||
        !arg_double(c, i + 1, &s->height, "ERR need numeric height"))
        return 0;
    if (s->height < 0 || s->width < 0) {
        reply_error(c->reply, "ERR height or width cannot be negative");
        return 0;
    }
    return (s->conversion = unit_arg(c, i + 2)) >= 0;
}

/* The position of member argv[i] of zset kv; 0 when it is absent (nothing replied). */
static int member_xy(struct cmd_ctx *c, struct kv *kv, int i, double xy[2])
{
    double score;
    return kv && zset_score(kv, c->argv[i], c->argvlen[i], &score) && geo_decode_score(score, xy);
}

/* ---- replies ---------------------------------------------------------------------- */

/* Redis's addReplyHumanLongDouble: a bulk string in RESP2, a double in RESP3. */
static void reply_coord(struct reply *r, double v)
{
    char buf[128];
    int n = ld2string(buf + 1, sizeof(buf) - 3, (long double)v, 1);
    if (r->resp == 2) {
        reply_bulk(r, buf + 1, (size_t)n);
        return;
    }
    buf[0] = ',';
    memcpy(buf + 1 + n, "\r\n", 2);
    reply_raw(r, buf, (size_t)n + 3);
}

static void reply_xy(struct reply *r, const double xy[2])
{
    reply_array(r, 2);
    reply_coord(r, xy[0]);
    reply_coord(r, xy[1]);
}

static void reply_distance(struct reply *r, double d)
{
    char buf[128];
    int n = snprintf(buf, sizeof(buf), "%.4f", d);
    reply_bulk(r, buf, (size_t)n);
}

/* ---- GEOADD GEOPOS GEODIST GEOHASH --------------------------------------------- */

/* Adds the parsed points (scores[j] for the member at argv[first + 3j + 2]) as ZADD
 * with the in flags would, and replies as ZADD. */
static void geoadd_apply(struct cmd_ctx *c, int first, int n, const double *scores, int in, int ch)
{
    int wrong;
    struct kv *kv = obj_lookup_write(c, 1, KV_ZSET, &wrong);
    if (wrong)
        return;
    long long added = 0, updated = 0;
    if (!kv && !(in & ZADD_IN_XX))
        kv = zset_create(c->db, c->argv[1], c->argvlen[1], c->argvlen[first + 2]);
    for (int j = 0; kv && j < n; j++) {
        int mi = first + 3 * j + 2, out;
        double newscore;
        zset_add(kv, scores[j], c->argv[mi], c->argvlen[mi], in, &out, &newscore);
        added += (out & ZADD_OUT_ADDED) != 0;
        updated += (out & ZADD_OUT_UPDATED) != 0;
    }
    c->dirty += (uint64_t)(added + updated);
    reply_int(c->reply, ch ? added + updated : added);
}

/* GEOADD key [NX | XX] [CH] longitude latitude member [longitude latitude member ...] */
static void geoadd_command(struct cmd_ctx *c)
{
    int in = 0, ch = 0, i = 2;
    for (;; i++) {
        if (i < c->argc && arg_is(c, i, "nx"))
            in |= ZADD_IN_NX;
        else if (i < c->argc && arg_is(c, i, "xx"))
            in |= ZADD_IN_XX;
        else if (i < c->argc && arg_is(c, i, "ch"))
            ch = 1;
        else
            break;
    }
    int n = (c->argc - i) / 3;
    if ((c->argc - i) % 3 || n == 0 || ((in & ZADD_IN_NX) && (in & ZADD_IN_XX))) {
        reply_error(c->reply, ERR_SYNTAX);
        return;
    }
    double *scores = malloc(sizeof(double) * (size_t)n);
    int ok = 1;
    for (int j = 0; ok && j < n; j++) {
        double xy[2];
        struct geo_bits h;
        ok = lonlat_arg(c, i + 3 * j, xy);
        if (ok && geo_encode_wgs84(xy[0], xy[1], GEO_STEP_MAX, &h))
            scores[j] = (double)geo_align52(h);
    }
    if (ok)
        geoadd_apply(c, i, n, scores, in, ch);
    free(scores);
}

/* Looks the zset argv[1] up for reading; 0 after replying WRONGTYPE. */
static int lookup_geo(struct cmd_ctx *c, struct kv **kv)
{
    int wrong;
    *kv = obj_lookup_read(c, 1, KV_ZSET, &wrong);
    return !wrong;
}

/* GEOPOS key [member [member ...]] */
static void geopos_command(struct cmd_ctx *c)
{
    struct kv *kv;
    if (!lookup_geo(c, &kv))
        return;
    reply_array(c->reply, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        double xy[2];
        if (member_xy(c, kv, j, xy))
            reply_xy(c->reply, xy);
        else
            reply_null_array(c->reply);
    }
}

/* GEODIST key member1 member2 [M | KM | FT | MI] */
static void geodist_command(struct cmd_ctx *c)
{
    double to_m = 1;
    if (c->argc > 5) {
        reply_error(c->reply, ERR_SYNTAX);
        return;
    }
    if (c->argc == 5 && (to_m = unit_arg(c, 4)) < 0)
        return;
    struct kv *kv;
    if (!lookup_geo(c, &kv))
        return;
    double a[2], b[2];
    if (!member_xy(c, kv, 2, a) || !member_xy(c, kv, 3, b))
        reply_null(c->reply);
    else
        reply_distance(c->reply, geo_distance(a[0], a[1], b[0], b[1]) / to_m);
}

/* GEOHASH key [member [member ...]] */
static void geohash_command(struct cmd_ctx *c)
{
    struct kv *kv;
    if (!lookup_geo(c, &kv))
        return;
    reply_array(c->reply, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        double score;
        char buf[12];
        if (kv && zset_score(kv, c->argv[j], c->argvlen[j], &score) && geo_hash_string(score, buf))
            reply_bulk(c->reply, buf, 11);
        else
            reply_null(c->reply);
    }
}

/* ---- searches ------------------------------------------------------------------- */

/* Which command: where the center comes from, whether STORE is accepted. */
enum {
    GEO_BY_COORDS = 1 << 0,         /* GEORADIUS: key lon lat radius unit */
    GEO_BY_MEMBER = 1 << 1,         /* GEORADIUSBYMEMBER: key member radius unit */
    GEO_NOSTORE = 1 << 2,           /* the _RO variants */
    GEO_SEARCH = 1 << 3,            /* GEOSEARCH's syntax */
    GEO_SEARCHSTORE = 1 << 4,       /* GEOSEARCHSTORE: dest first */
};
enum geo_sort { GEO_UNSORTED, GEO_ASC, GEO_DESC };

struct geo_req {
    int flags;
    struct kv *src;
    struct geo_shape shape;
    int withdist, withhash, withcoord, any, storedist;
    int frommember, fromloc, byradius, bybox;
    int store;                      /* argv index of the destination, 0 when none */
    enum geo_sort sort;
    long long count;
};

struct geo_point {
    double lon, lat, dist, score;
    size_t off, len;                /* member bytes in the pool */
};

struct geo_found {
    const struct geo_shape *shape;
    struct geo_point *pts;
    size_t n, cap;
    char *pool;
    size_t used, size;
    size_t limit;                   /* stop at this many (COUNT ANY); 0: no limit */
};

/* The center and shape given before the options (GEORADIUS, GEORADIUSBYMEMBER);
 * *base is where the options start.  0 after replying. */
static int parse_radius_head(struct cmd_ctx *c, struct geo_req *q, int *base)
{
    q->shape.type = GEO_CIRCLE;
    if (q->flags & GEO_BY_COORDS) {
        *base = 6;
        return lonlat_arg(c, 2, q->shape.xy) && radius_arg(c, 4, &q->shape);
    }
    *base = 5;
    if (!q->src)
        return 1;
    if (!member_xy(c, q->src, 2, q->shape.xy)) {
        reply_error(c->reply, "ERR could not decode requested zset member");
        return 0;
    }
    return radius_arg(c, 3, &q->shape);
}

/* One option at argv[i] (left = arguments from i on); returns how many arguments
 * it took, 0 after replying an error. */
static int parse_option(struct cmd_ctx *c, struct geo_req *q, int i, int left)
{
    int search = q->flags & GEO_SEARCH, storable = !(q->flags & (GEO_NOSTORE | GEO_SEARCH));
    if (arg_is(c, i, "withdist"))
        return q->withdist = 1;
    if (arg_is(c, i, "withhash"))
        return q->withhash = 1;
    if (arg_is(c, i, "withcoord"))
        return q->withcoord = 1;
    if (arg_is(c, i, "any"))
        return q->any = 1;
    if (arg_is(c, i, "asc") || arg_is(c, i, "desc")) {
        q->sort = arg_is(c, i, "asc") ? GEO_ASC : GEO_DESC;
        return 1;
    }
    if (arg_is(c, i, "count") && left > 1) {
        if (!arg_ll(c, i + 1, &q->count, NULL))
            return 0;
        if (q->count <= 0) {
            reply_error(c->reply, "ERR COUNT must be > 0");
            return 0;
        }
        return 2;
    }
    if ((arg_is(c, i, "store") || arg_is(c, i, "storedist")) && left > 1 && storable) {
        q->store = i + 1;
        q->storedist = arg_is(c, i, "storedist");
        return 2;
    }
    if (arg_is(c, i, "storedist") && (q->flags & GEO_SEARCHSTORE))
        return q->storedist = 1;
    if (arg_is(c, i, "frommember") && left > 1 && search && !q->fromloc) {
        if (q->src && !member_xy(c, q->src, i + 1, q->shape.xy)) {
            reply_error(c->reply, "ERR could not decode requested zset member");
            return 0;
        }
        q->frommember = 1;
        return 2;
    }
    if (arg_is(c, i, "fromlonlat") && left > 2 && search && !q->frommember) {
        if (!lonlat_arg(c, i + 1, q->shape.xy))
            return 0;
        q->fromloc = 1;
        return 3;
    }
    if (arg_is(c, i, "byradius") && left > 2 && search && !q->bybox) {
        if (!radius_arg(c, i + 1, &q->shape))
            return 0;
        q->shape.type = GEO_CIRCLE;
        q->byradius = 1;
        return 3;
    }
    if (arg_is(c, i, "bybox") && left > 3 && search && !q->byradius) {
        if (!box_arg(c, i + 1, &q->shape))
            return 0;
        q->shape.type = GEO_BOX;
        q->bybox = 1;
        return 4;
    }
    reply_error(c->reply, ERR_SYNTAX);
    return 0;
}

/* The checks Redis makes once all options are read; 0 after replying. */
static int check_options(struct cmd_ctx *c, const struct geo_req *q)
{
    const char *name = c->argv[0];
    if (q->store && (q->withdist || q->withhash || q->withcoord)) {
        reply_errorf(c->reply, "ERR %s is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
                     (q->flags & GEO_SEARCHSTORE) ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS");
        return 0;
    }
    if ((q->flags & GEO_SEARCH) && !(q->frommember || q->fromloc)) {
        reply_errorf(c->reply, "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for %.*s",
                     (int)c->argvlen[0], name);
        return 0;
    }
    if ((q->flags & GEO_SEARCH) && !(q->byradius || q->bybox)) {
        reply_errorf(c->reply, "ERR exactly one of BYRADIUS and BYBOX can be specified for %.*s",
                     (int)c->argvlen[0], name);
        return 0;
    }
    if (q->any && !q->count) {
        reply_error(c->reply, "ERR the ANY argument requires COUNT argument");
        return 0;
    }
    return 1;
}

/* Parses the whole command into q; 0 after replying an error. */
static int parse_search(struct cmd_ctx *c, struct geo_req *q, int srci)
{
    int wrong, base = 2;
    q->src = obj_lookup_read(c, srci, KV_ZSET, &wrong);
    if (wrong)
        return 0;
    if (q->flags & (GEO_BY_COORDS | GEO_BY_MEMBER)) {
        if (!parse_radius_head(c, q, &base))
            return 0;
    } else if (q->flags & GEO_SEARCHSTORE) {
        base = 3;
        q->store = 1;
    }
    for (int i = base; i < c->argc;) {
        int took = parse_option(c, q, i, c->argc - i);
        if (!took)
            return 0;
        i += took;
    }
    return check_options(c, q);
}

static int collect_point(const struct zelem *e, void *arg)
{
    struct geo_found *f = arg;
    double xy[2], dist;
    if (!geo_decode_score(e->score, xy) || !geo_in_shape(f->shape, xy[0], xy[1], &dist))
        return 1;
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->pts = realloc(f->pts, f->cap * sizeof(*f->pts));
    }
    if (f->used + e->len > f->size) {
        f->size = (f->used + e->len) * 2 + 64;
        f->pool = realloc(f->pool, f->size);
    }
    memcpy(f->pool + f->used, e->m, e->len);
    f->pts[f->n++] = (struct geo_point){ xy[0], xy[1], dist, e->score, f->used, e->len };
    f->used += e->len;
    return !(f->limit && f->n >= f->limit);
}

/* Collects the members in the shape, cell after cell as Redis walks them (skipping
 * a cell equal to the previous one, stopping once the limit is reached). */
static void search_cells(struct kv *kv, struct geo_shape *shape, struct geo_found *f)
{
    struct geo_areas a;
    geo_areas_for_shape(shape, &a);
    int last = 0;
    for (int i = 0; i < 9; i++) {
        struct geo_bits cell = a.cell[i];
        if (cell.bits == 0 && cell.step == 0)
            continue;
        if (last && cell.bits == a.cell[last].bits && cell.step == a.cell[last].step)
            continue;
        if (f->n && f->limit && f->n >= f->limit)
            break;
        uint64_t min, max;
        geo_cell_scores(cell, &min, &max);
        struct zrange_score r = { (double)min, (double)max, 0, 1 };
        zset_range_by_score(kv, &r, 0, collect_point, f);
        last = i;
    }
}

static int by_dist_asc(const void *a, const void *b)
{
    double x = ((const struct geo_point *)a)->dist, y = ((const struct geo_point *)b)->dist;
    return x == y ? 0 : x > y ? 1 : -1;
}
static int by_dist_desc(const void *a, const void *b) { return by_dist_asc(b, a); }

static void reply_points(struct cmd_ctx *c, const struct geo_req *q, struct geo_found *f, long n)
{
    int opts = q->withdist + q->withhash + q->withcoord;
    reply_array(c->reply, n);
    for (long i = 0; i < n; i++) {
        const struct geo_point *p = &f->pts[i];
        if (opts)
            reply_array(c->reply, opts + 1);
        reply_bulk(c->reply, f->pool + p->off, p->len);
        if (q->withdist)
            reply_distance(c->reply, p->dist / q->shape.conversion);
        if (q->withhash)
            reply_int(c->reply, (long long)p->score);
        if (q->withcoord)
            reply_xy(c->reply, (const double[2]){ p->lon, p->lat });
    }
}

/* Replaces the destination with the first n points (deletes it when n is 0). */
static void store_points(struct cmd_ctx *c, const struct geo_req *q, struct geo_found *f, long n)
{
    const char *key = c->argv[q->store];
    size_t klen = c->argvlen[q->store];
    int existed = db_delete(c->db, key, klen);
    if (n == 0) {
        c->dirty += (uint64_t)existed;
        reply_int(c->reply, 0);
        return;
    }
    struct kv *kv = zset_create(c->db, key, klen, f->pts[0].len);
    for (long i = 0; i < n; i++) {
        const struct geo_point *p = &f->pts[i];
        int out;
        double score = q->storedist ? p->dist / q->shape.conversion : p->score, ns;
        zset_add(kv, score, f->pool + p->off, p->len, 0, &out, &ns);
    }
    c->dirty += (uint64_t)n;
    reply_int(c->reply, n);
}

/* The answer when the source key does not exist. */
static void reply_no_source(struct cmd_ctx *c, const struct geo_req *q)
{
    if (!q->store) {
        reply_array(c->reply, 0);
        return;
    }
    c->dirty += (uint64_t)db_delete(c->db, c->argv[q->store], c->argvlen[q->store]);
    reply_int(c->reply, 0);
}

static void search_generic(struct cmd_ctx *c, int srci, int flags)
{
    struct geo_req q = { .flags = flags };
    if (!parse_search(c, &q, srci))
        return;
    if (!q.src) {
        reply_no_source(c, &q);
        return;
    }
    if (q.count && q.sort == GEO_UNSORTED && !q.any)
        q.sort = GEO_ASC;
    struct geo_found f = { .shape = &q.shape, .limit = q.any ? (size_t)q.count : 0 };
    search_cells(q.src, &q.shape, &f);
    long n = (q.count == 0 || (long long)f.n < q.count) ? (long)f.n : (long)q.count;
    if (q.sort != GEO_UNSORTED)
        qsort(f.pts, f.n, sizeof(*f.pts), q.sort == GEO_ASC ? by_dist_asc : by_dist_desc);
    if (q.store)
        store_points(c, &q, &f, n);
    else
        reply_points(c, &q, &f, n);
    free(f.pts);
    free(f.pool);
}

/* GEORADIUS key longitude latitude radius M | KM | FT | MI [WITHCOORD] [WITHDIST]
 *   [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key] [STOREDIST key] */
static void georadius_command(struct cmd_ctx *c) { search_generic(c, 1, GEO_BY_COORDS); }
static void georadius_ro_command(struct cmd_ctx *c) { search_generic(c, 1, GEO_BY_COORDS | GEO_NOSTORE); }
/* GEORADIUSBYMEMBER key member radius M | KM | FT | MI [options as GEORADIUS] */
static void georadiusbymember_command(struct cmd_ctx *c) { search_generic(c, 1, GEO_BY_MEMBER); }
static void georadiusbymember_ro_command(struct cmd_ctx *c)
{
    search_generic(c, 1, GEO_BY_MEMBER | GEO_NOSTORE);
}
/* GEOSEARCH key FROMMEMBER member | FROMLONLAT longitude latitude
 *   BYRADIUS radius M | KM | FT | MI | BYBOX width height M | KM | FT | MI
 *   [ASC | DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH] */
static void geosearch_command(struct cmd_ctx *c) { search_generic(c, 1, GEO_SEARCH); }
/* GEOSEARCHSTORE destination source FROMMEMBER ... | FROMLONLAT ... BYRADIUS ... |
 *   BYBOX ... [ASC | DESC] [COUNT count [ANY]] [STOREDIST] */
static void geosearchstore_command(struct cmd_ctx *c) { search_generic(c, 2, GEO_SEARCH | GEO_SEARCHSTORE); }

/* ---- the table ---------------------------------------------------------------------- */

#define W_OOM (CMD_WRITE | CMD_DENYOOM)
#define ACL_R "@read @geo @slow"
#define ACL_W "@write @geo @slow"
#define GCMD(name, proc, arity, flags, first, last, since, summary, complexity, acl) \
    { name, proc, arity, flags, first, last, 1, "geo", since, summary, complexity, acl, NULL, NULL }
#define C_MEMBERS "O(log(N)) for each member requested, where N is the number of elements in the sorted set."
#define C_RADIUS "O(N+log(M)) where N is the number of elements inside the bounding box of the circular " \
    "area delimited by center and radius and M is the number of items inside the index."
#define C_SEARCH "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area " \
    "around the shape provided as the filter and M is the number of items inside the shape"

const struct command geo_commands[] = {
    GCMD("geoadd", geoadd_command, -5, W_OOM, 1, 1, "3.2.0",
         "Add one or more geospatial items in the geospatial index represented using a sorted set",
         "O(log(N)) for each item added, where N is the number of elements in the sorted set.", ACL_W),
    GCMD("geodist", geodist_command, -4, CMD_READONLY, 1, 1, "3.2.0",
         "Returns the distance between two members of a geospatial index", "O(log(N))", ACL_R),
    GCMD("geohash", geohash_command, -2, CMD_READONLY, 1, 1, "3.2.0",
         "Returns members of a geospatial index as standard geohash strings", C_MEMBERS, ACL_R),
    GCMD("geopos", geopos_command, -2, CMD_READONLY, 1, 1, "3.2.0",
         "Returns longitude and latitude of members of a geospatial index", C_MEMBERS, ACL_R),
    GCMD("georadius", georadius_command, -6, W_OOM, 1, 1, "3.2.0",
         "Query a sorted set representing a geospatial index to fetch members matching a given maximum "
         "distance from a point", C_RADIUS, ACL_W),
    GCMD("georadius_ro", georadius_ro_command, -6, CMD_READONLY, 1, 1, "3.2.10",
         "A read-only variant for GEORADIUS", C_RADIUS, ACL_R),
    GCMD("georadiusbymember", georadiusbymember_command, -5, W_OOM, 1, 1, "3.2.0",
         "Query a sorted set representing a geospatial index to fetch members matching a given maximum "
         "distance from a member", C_RADIUS, ACL_W),
    GCMD("georadiusbymember_ro", georadiusbymember_ro_command, -5, CMD_READONLY, 1, 1, "3.2.10",
         "A read-only variant for GEORADIUSBYMEMBER", C_RADIUS, ACL_R),
    GCMD("geosearch", geosearch_command, -7, CMD_READONLY, 1, 1, "6.2.0",
         "Query a sorted set representing a geospatial index to fetch members inside an area of a box "
         "or a circle.", C_SEARCH, ACL_R),
    GCMD("geosearchstore", geosearchstore_command, -8, W_OOM, 1, 2, "6.2.0",
         "Query a sorted set representing a geospatial index to fetch members inside an area of a box "
         "or a circle, and store the result in another key.", C_SEARCH, ACL_W),
    { NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};
