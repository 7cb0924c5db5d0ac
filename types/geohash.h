/* types/geohash.h - the geohash arithmetic behind the GEO commands (implementation:
 * types/geohash.c), as Redis 7.0 does it:
 *  - a point is a 52-bit integer: 26 bits of latitude and 26 of longitude, each the
 *    point's offset in its range cut into 2^26 cells, interleaved (latitude in the even
 *    bits, longitude in the odd ones); the latitude range is the Web Mercator one,
 *    [-85.05112878, 85.05112878], so a sorted set's score IS the point;
 *  - decoding gives the centre of the cell, clamped to the ranges;
 *  - distances are haversine on a sphere of radius 6372797.560856 m;
 *  - a search area is a cell at a precision estimated from the radius plus its eight
 *    neighbours, the useless ones zeroed (geo_areas_for_shape).
 * Pure arithmetic: no arena, no replies.
 */
#ifndef TYPES_GEOHASH_H
#define TYPES_GEOHASH_H

#include <stdint.h>

#define GEO_STEP_MAX 26
#define GEO_LAT_MIN (-85.05112878)
#define GEO_LAT_MAX 85.05112878
#define GEO_LONG_MIN (-180.0)
#define GEO_LONG_MAX 180.0

struct geo_range { double min, max; };
struct geo_bits { uint64_t bits; uint8_t step; };        /* step 0, bits 0: none */
struct geo_area { struct geo_bits hash; struct geo_range lon, lat; };

/* A search shape: a circle of radius, or a box width x height (in the unit whose
 * size in meters is conversion), centred on xy = {longitude, latitude}. */
enum geo_shape_type { GEO_CIRCLE, GEO_BOX };
struct geo_shape {
    enum geo_shape_type type;
    double xy[2];
    double conversion;
    double radius, width, height;
    double bounds[4];               /* min lon, min lat, max lon, max lat (set by geo_areas_for_shape) */
};

/* The cells to scan: [0] the centre cell, then north, south, east, west, north-east,
 * north-west, south-east, south-west; unused ones are {0, 0}. */
struct geo_areas { struct geo_bits cell[9]; };

/* Encodes a point with step bits per coordinate in the given ranges; 0 when it lies
 * outside them (or outside the WGS84/Mercator limits). */
int geo_encode(const struct geo_range *lon_r, const struct geo_range *lat_r, double lon, double lat,
               uint8_t step, struct geo_bits *out);
int geo_encode_wgs84(double lon, double lat, uint8_t step, struct geo_bits *out);
/* The cell of a hash in the given ranges; 0 for a zero hash. */
int geo_decode(const struct geo_range *lon_r, const struct geo_range *lat_r, struct geo_bits hash,
               struct geo_area *out);
/* A 52-bit score back to {longitude, latitude} (the cell's centre); 0 if it cannot. */
int geo_decode_score(double score, double xy[2]);
/* A hash aligned to 52 bits (a score). */
uint64_t geo_align52(struct geo_bits hash);

double geo_distance(double lon1, double lat1, double lon2, double lat2);
double geo_lat_distance(double lat1, double lat2);
/* Whether (lon, lat) lies in the shape; its distance from the centre in meters. */
int geo_in_shape(const struct geo_shape *s, double lon, double lat, double *dist);

/* Fills s->bounds and the cells covering the shape. */
void geo_areas_for_shape(struct geo_shape *s, struct geo_areas *a);
/* The 52-bit score interval [min, max) of a cell. */
void geo_cell_scores(struct geo_bits cell, uint64_t *min, uint64_t *max);
/* The standard 11-character geohash string of a score (buf >= 12 bytes); 0 if the
 * score does not decode. */
int geo_hash_string(double score, char buf[12]);
#endif
