/* types/geohash.c - geohash encoding, decoding, neighbours, distances and the
 * covering cells of a search shape (see types/geohash.h).  The floating-point
 * operations are done in the order Redis 7.0 does them, so decoded coordinates and
 * distances agree with it to the last bit.
 */
#include <math.h>
#include "types/geohash.h"

#define EARTH_RADIUS_M 6372797.560856
#define MERCATOR_MAX 20037726.37
#define EVEN_BITS 0x5555555555555555ULL
#define ODD_BITS 0xaaaaaaaaaaaaaaaaULL

static const struct geo_range lon_wgs = { GEO_LONG_MIN, GEO_LONG_MAX };
static const struct geo_range lat_wgs = { GEO_LAT_MIN, GEO_LAT_MAX };

static double deg_rad(double d) { return d * (M_PI / 180.0); }
static double rad_deg(double r) { return r / (M_PI / 180.0); }

/* x's bits in the even positions, y's in the odd ones. */
static uint64_t interleave(uint32_t x, uint32_t y)
{
    uint64_t out = 0;
    for (int i = 0; i < 32; i++)
        out |= ((uint64_t)((x >> i) & 1) << (2 * i)) | ((uint64_t)((y >> i) & 1) << (2 * i + 1));
    return out;
}

/* The inverse: even bits in the low 32 bits of the result, odd bits in the high 32. */
static uint64_t deinterleave(uint64_t v)
{
    uint64_t x = 0, y = 0;
    for (int i = 0; i < 32; i++) {
        x |= ((v >> (2 * i)) & 1) << i;
        y |= ((v >> (2 * i + 1)) & 1) << i;
    }
    return x | (y << 32);
}

int geo_encode(const struct geo_range *lon_r, const struct geo_range *lat_r, double lon, double lat,
               uint8_t step, struct geo_bits *out)
{
    if (lon > GEO_LONG_MAX || lon < GEO_LONG_MIN || lat > GEO_LAT_MAX || lat < GEO_LAT_MIN)
        return 0;
    out->bits = 0;
    out->step = step;
    if (lat < lat_r->min || lat > lat_r->max || lon < lon_r->min || lon > lon_r->max)
        return 0;
    double lat_off = (lat - lat_r->min) / (lat_r->max - lat_r->min);
    double lon_off = (lon - lon_r->min) / (lon_r->max - lon_r->min);
    lat_off *= (double)(1ULL << step);
    lon_off *= (double)(1ULL << step);
    out->bits = interleave((uint32_t)lat_off, (uint32_t)lon_off);
    return 1;
}

int geo_encode_wgs84(double lon, double lat, uint8_t step, struct geo_bits *out)
{
    return geo_encode(&lon_wgs, &lat_wgs, lon, lat, step, out);
}

int geo_decode(const struct geo_range *lon_r, const struct geo_range *lat_r, struct geo_bits hash,
               struct geo_area *out)
{
    if (hash.bits == 0 && hash.step == 0)
        return 0;
    out->hash = hash;
    uint64_t sep = deinterleave(hash.bits);
    double lat_scale = lat_r->max - lat_r->min, lon_scale = lon_r->max - lon_r->min;
    uint32_t ilat = (uint32_t)sep, ilon = (uint32_t)(sep >> 32);
    double cells = (double)(1ULL << hash.step);
    out->lat.min = lat_r->min + (ilat * 1.0 / cells) * lat_scale;
    out->lat.max = lat_r->min + ((ilat + 1) * 1.0 / cells) * lat_scale;
    out->lon.min = lon_r->min + (ilon * 1.0 / cells) * lon_scale;
    out->lon.max = lon_r->min + ((ilon + 1) * 1.0 / cells) * lon_scale;
    return 1;
}

static double clamp(double v, double lo, double hi) { return v > hi ? hi : v < lo ? lo : v; }

int geo_decode_score(double score, double xy[2])
{
    /* Redis converts with (uint64_t)score: on x86-64 a negative score wraps */
    uint64_t bits = score < 0 ? (uint64_t)(int64_t)score : (uint64_t)score;
    struct geo_area a;
    if (!geo_decode(&lon_wgs, &lat_wgs, (struct geo_bits){ bits, GEO_STEP_MAX }, &a))
        return 0;
    xy[0] = clamp((a.lon.min + a.lon.max) / 2, GEO_LONG_MIN, GEO_LONG_MAX);
    xy[1] = clamp((a.lat.min + a.lat.max) / 2, GEO_LAT_MIN, GEO_LAT_MAX);
    return 1;
}

uint64_t geo_align52(struct geo_bits hash) { return hash.bits << (52 - hash.step * 2); }

double geo_lat_distance(double lat1, double lat2)
{
    return EARTH_RADIUS_M * fabs(deg_rad(lat2) - deg_rad(lat1));
}

double geo_distance(double lon1, double lat1, double lon2, double lat2)
{
    double lon1r = deg_rad(lon1), lon2r = deg_rad(lon2);
    double v = sin((lon2r - lon1r) / 2);
    if (v == 0.0)
        return geo_lat_distance(lat1, lat2);
    double lat1r = deg_rad(lat1), lat2r = deg_rad(lat2);
    double u = sin((lat2r - lat1r) / 2);
    double a = u * u + cos(lat1r) * cos(lat2r) * v * v;
    return 2.0 * EARTH_RADIUS_M * asin(sqrt(a));
}

int geo_in_shape(const struct geo_shape *s, double lon, double lat, double *dist)
{
    double cx = s->xy[0], cy = s->xy[1];
    if (s->type == GEO_CIRCLE) {
        *dist = geo_distance(cx, cy, lon, lat);
        return *dist <= s->radius * s->conversion;
    }
    if (geo_lat_distance(lat, cy) > s->height * s->conversion / 2)
        return 0;
    if (geo_distance(lon, lat, cx, lat) > s->width * s->conversion / 2)
        return 0;
    *dist = geo_distance(cx, cy, lon, lat);
    return 1;
}

/* ---- neighbours ---------------------------------------------------------------- */

/* Moves a hash one cell along the coordinate held in the bits of mask (ODD_BITS:
 * longitude, EVEN_BITS: latitude), wrapping around. */
static void move(struct geo_bits *h, uint64_t mask, int d)
{
    uint64_t keep = h->bits & ~mask, v = h->bits & mask;
    uint64_t zz = (~mask) >> (64 - h->step * 2);       /* the other coordinate's bits */
    if (d > 0)
        v = v + (zz + 1);
    else
        v = (v | zz) - (zz + 1);
    v &= mask >> (64 - h->step * 2);
    h->bits = v | keep;
}

static struct geo_bits moved(struct geo_bits h, int dx, int dy)
{
    if (dx)
        move(&h, ODD_BITS, dx);
    if (dy)
        move(&h, EVEN_BITS, dy);
    return h;
}

/* ---- search areas -------------------------------------------------------------- */

static uint8_t estimate_step(double range_m, double lat)
{
    if (range_m == 0)
        return 26;
    int step = 1;
    while (range_m < MERCATOR_MAX) {
        range_m *= 2;
        step++;
    }
    step -= 2;
    if (lat > 66 || lat < -66) {
        step--;
        if (lat > 80 || lat < -80)
            step--;
    }
    return (uint8_t)(step < 1 ? 1 : step > 26 ? 26 : step);
}

static void bounding_box(struct geo_shape *s)
{
    double lon = s->xy[0], lat = s->xy[1];
    double height = s->conversion * (s->type == GEO_CIRCLE ? s->radius : s->height / 2);
    double width = s->conversion * (s->type == GEO_CIRCLE ? s->radius : s->width / 2);
    double lat_delta = rad_deg(height / EARTH_RADIUS_M);
    double lon_top = rad_deg(width / EARTH_RADIUS_M / cos(deg_rad(lat + lat_delta)));
    double lon_bottom = rad_deg(width / EARTH_RADIUS_M / cos(deg_rad(lat - lat_delta)));
    int south = lat < 0;
    s->bounds[0] = south ? lon - lon_bottom : lon - lon_top;
    s->bounds[2] = south ? lon + lon_bottom : lon + lon_top;
    s->bounds[1] = lat - lat_delta;
    s->bounds[3] = lat + lat_delta;
}

static void cells_at(const struct geo_shape *s, uint8_t step, struct geo_areas *a, struct geo_area *centre)
{
    struct geo_bits h;
    geo_encode(&lon_wgs, &lat_wgs, s->xy[0], s->xy[1], step, &h);
    a->cell[0] = h;
    a->cell[1] = moved(h, 0, 1);        /* north */
    a->cell[2] = moved(h, 0, -1);       /* south */
    a->cell[3] = moved(h, 1, 0);        /* east */
    a->cell[4] = moved(h, -1, 0);       /* west */
    a->cell[5] = moved(h, 1, 1);        /* north-east */
    a->cell[6] = moved(h, -1, 1);       /* north-west */
    a->cell[7] = moved(h, 1, -1);       /* south-east */
    a->cell[8] = moved(h, -1, -1);      /* south-west */
    geo_decode(&lon_wgs, &lat_wgs, h, centre);
}

/* Whether the neighbouring cells fall short of the bounding box. */
static int cells_too_small(const struct geo_shape *s, const struct geo_areas *a)
{
    struct geo_area n, so, e, w;
    geo_decode(&lon_wgs, &lat_wgs, a->cell[1], &n);
    geo_decode(&lon_wgs, &lat_wgs, a->cell[2], &so);
    geo_decode(&lon_wgs, &lat_wgs, a->cell[3], &e);
    geo_decode(&lon_wgs, &lat_wgs, a->cell[4], &w);
    return n.lat.max < s->bounds[3] || so.lat.min > s->bounds[1] || e.lon.max < s->bounds[2] ||
           w.lon.min > s->bounds[0];
}

static void zero(struct geo_areas *a, int i, int j, int k)
{
    a->cell[i] = a->cell[j] = a->cell[k] = (struct geo_bits){ 0, 0 };
}

void geo_areas_for_shape(struct geo_shape *s, struct geo_areas *a)
{
    bounding_box(s);
    double r = s->type == GEO_CIRCLE ? s->radius
                                     : sqrt((s->width / 2) * (s->width / 2) + (s->height / 2) * (s->height / 2));
    uint8_t step = estimate_step(r * s->conversion, s->xy[1]);
    struct geo_area c;
    cells_at(s, step, a, &c);
    if (step > 1 && cells_too_small(s, a))
        cells_at(s, --step, a, &c);
    if (step < 2)
        return;
    if (c.lat.min < s->bounds[1])
        zero(a, 2, 8, 7);
    if (c.lat.max > s->bounds[3])
        zero(a, 1, 5, 6);
    if (c.lon.min < s->bounds[0])
        zero(a, 4, 8, 6);
    if (c.lon.max > s->bounds[2])
        zero(a, 3, 7, 5);
}

void geo_cell_scores(struct geo_bits cell, uint64_t *min, uint64_t *max)
{
    *min = geo_align52(cell);
    cell.bits++;
    *max = geo_align52(cell);
}

int geo_hash_string(double score, char buf[12])
{
    static const char alphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
    static const struct geo_range lon_std = { -180, 180 }, lat_std = { -90, 90 };
    double xy[2];
    struct geo_bits h;
    if (!geo_decode_score(score, xy))
        return 0;
    geo_encode(&lon_std, &lat_std, xy[0], xy[1], 26, &h);
    for (int i = 0; i < 11; i++)
        buf[i] = alphabet[i == 10 ? 0 : (h.bits >> (52 - (i + 1) * 5)) & 0x1f];
    buf[11] = '\0';
    return 1;
}
