/* types/t_geo.h - the GEO commands' table (types/t_geo.c): GEOADD GEOPOS GEODIST
 * GEOHASH GEORADIUS GEORADIUS_RO GEORADIUSBYMEMBER GEORADIUSBYMEMBER_RO GEOSEARCH
 * GEOSEARCHSTORE.  A geo index is a sorted set whose scores are 52-bit geohashes
 * (types/geohash.h); it needs no type hooks of its own. */
#ifndef TYPES_T_GEO_H
#define TYPES_T_GEO_H
#include "types/command.h"
extern const struct command geo_commands[];        /* NULL-name terminated */
#endif
