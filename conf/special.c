/* conf/special.c - directives that are not a single scalar: dir, save, bind,
 * client-output-buffer-limit, oom-score-adj-values, notify-keyspace-events,
 * replicaof, latency-tracking-info-percentiles, shutdown-on-sigint/-sigterm.
 * Rules and error texts as Redis 7.0.15's; each setter validates every argument
 * before writing anything. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/directive.h"
#include "util/numconv.h"

#define FIELD(v, d, type) ((type *)((char *)(v) + (d)->off))
#define CFIELD(v, d, type) ((const type *)((const char *)(v) + (d)->off))

static int wrong_args(char *err, size_t errlen)
{
    conf_errf(err, errlen, "wrong number of arguments");
    return -1;
}

/* Appends printf output to buf (CONF_VALBUF bytes), separated by a space. */
static void cat(char *buf, const char *fmt, const char *s1, long long a, long long b)
{
    size_t n = strlen(buf);
    if (n && n < CONF_VALBUF - 1) buf[n++] = ' ';
    snprintf(buf + n, CONF_VALBUF - n, fmt, s1, a, b);
}

/* dir: must name an existing directory; stored as its absolute path, as CONFIG GET
 * (getcwd) shows it.  conf/ does not chdir; the caller does. */
int conf_set_dir(struct conf_values *v, const struct conf_directive *d, int argc, char **argv,
                 int from_file, char *err, size_t errlen)
{
    struct stat st;
    char path[PATH_MAX];
    if (argc != 1) return wrong_args(err, errlen);
    errno = 0;
    if (stat(argv[0], &st) == -1 || !S_ISDIR(st.st_mode) || !realpath(argv[0], path)) {
        conf_errf(err, errlen, "%s", strerror(errno ? errno : ENOTDIR));
        return -1;
    }
    if (strlen(path) >= CONF_PATH_MAX) {
        conf_errf(err, errlen, "%s", strerror(ENAMETOOLONG));
        return -1;
    }
    strcpy(v->dir, path);
    return 0;
}

void conf_get_dir(const struct conf_values *v, const struct conf_directive *d, char *buf)
{
    snprintf(buf, CONF_VALBUF, "%s", v->dir);
}

/* save <seconds> <changes> [...] | save "": seconds >= 1, changes >= 0.  CONFIG SET
 * replaces the points; in a config file the first save line replaces the defaults and
 * later lines add (Redis resets once per load); save "" always clears them. */
int conf_set_save(struct conf_values *v, const struct conf_directive *d, int argc,
                  char **argv, int from_file, char *err, size_t errlen)
{
    if (argc == 1 && argv[0][0] == '\0') {            /* save "": no points, always */
        v->nsave = 0;
        v->save_is_default = 0;
        return 0;
    }
    for (int j = 0; j < argc; j++) {
        char *end;
        long long x = strtoll(argv[j], &end, 10);
        if ((argc & 1) || *end != '\0' || x < ((j & 1) ? 0 : 1)) {
            conf_errf(err, errlen, "Invalid save parameters");
            return -1;
        }
    }
    int base = (!from_file || v->save_is_default) ? 0 : v->nsave;
    if (base + argc / 2 > CONF_SAVE_MAX) {
        conf_errf(err, errlen, "Too many save points (at most %d)", CONF_SAVE_MAX);
        return -1;
    }
    for (int j = 0; j < argc; j += 2) {
        v->save[base + j / 2].seconds = strtoll(argv[j], NULL, 10);
        v->save[base + j / 2].changes = (int)strtoll(argv[j + 1], NULL, 10);
    }
    v->nsave = base + argc / 2;
    v->save_is_default = 0;
    return 0;
}

void conf_get_save(const struct conf_values *v, const struct conf_directive *d, char *buf)
{
    buf[0] = '\0';
    for (int i = 0; i < v->nsave; i++)
        cat(buf, "%s%lld %lld", "", v->save[i].seconds, v->save[i].changes);
}

/* bind addr [addr ...] (at most 16); a single "" means none. */
int conf_set_bind(struct conf_values *v, const struct conf_directive *d, int argc,
                  char **argv, int from_file, char *err, size_t errlen)
{
    if (argc > CONF_BIND_MAX) {
        conf_errf(err, errlen, "Too many bind addresses specified.");
        return -1;
    }
    if (argc == 1 && argv[0][0] == '\0') argc = 0;
    for (int j = 0; j < argc; j++) {
        if (strlen(argv[j]) >= CONF_BIND_ADDR_MAX) {
            conf_errf(err, errlen, "bind address too long");
            return -1;
        }
    }
    for (int j = 0; j < argc; j++) strcpy(v->bind[j], argv[j]);
    v->nbind = argc;
    return 0;
}

void conf_get_bind(const struct conf_values *v, const struct conf_directive *d, char *buf)
{
    buf[0] = '\0';
    for (int i = 0; i < v->nbind; i++) cat(buf, "%s", v->bind[i], 0, 0);
}

static int obuf_class(const char *name)
{
    if (!strcasecmp(name, "normal")) return CONF_OBUF_NORMAL;
    if (!strcasecmp(name, "slave") || !strcasecmp(name, "replica")) return CONF_OBUF_REPLICA;
    if (!strcasecmp(name, "pubsub")) return CONF_OBUF_PUBSUB;
    return -1;
}

/* client-output-buffer-limit <class> <hard> <soft> <soft-seconds> [...] */
int conf_set_obuf(struct conf_values *v, const struct conf_directive *d, int argc,
                  char **argv, int from_file, char *err, size_t errlen)
{
    struct conf_obuf_limit lim[CONF_OBUF_COUNT];
    int seen[CONF_OBUF_COUNT] = {0};
    if (argc % 4) {
        conf_errf(err, errlen, "Wrong number of arguments in buffer limit configuration.");
        return -1;
    }
    for (int j = 0; j < argc; j += 4) {
        int c = obuf_class(argv[j]), herr, serr;
        if (c < 0) {
            conf_errf(err, errlen, "Invalid client class specified in buffer limit "
                                   "configuration.");
            return -1;
        }
        char *end;
        unsigned long long hard = memtoull(argv[j + 1], &herr);
        unsigned long long soft = memtoull(argv[j + 2], &serr);
        long long secs = strtoll(argv[j + 3], &end, 10);
        if (herr || serr || secs < 0 || *end != '\0') {
            conf_errf(err, errlen, "Error in hard, soft or soft_seconds setting in buffer "
                                   "limit configuration.");
            return -1;
        }
        lim[c] = (struct conf_obuf_limit){hard, soft, (int)secs};
        seen[c] = 1;
    }
    for (int c = 0; c < CONF_OBUF_COUNT; c++)
        if (seen[c]) v->obuf_limits[c] = lim[c];
    return 0;
}

void conf_get_obuf(const struct conf_values *v, const struct conf_directive *d, char *buf)
{
    static const char *names[CONF_OBUF_COUNT] = {"normal", "slave", "pubsub"};
    size_t n = 0;
    for (int c = 0; c < CONF_OBUF_COUNT; c++) {
        const struct conf_obuf_limit *l = &v->obuf_limits[c];
        n += (size_t)snprintf(buf + n, CONF_VALBUF - n, "%s%s %llu %llu %d", c ? " " : "",
                              names[c], l->hard, l->soft, l->soft_seconds);
    }
}

/* oom-score-adj-values <primary> <replica> <bgchild>, each in -2000..2000 */
int conf_set_oom_values(struct conf_values *v, const struct conf_directive *d, int argc,
                        char **argv, int from_file, char *err, size_t errlen)
{
    int vals[3];
    if (argc != 3) return wrong_args(err, errlen);
    for (int i = 0; i < 3; i++) {
        char *end;
        long long x = strtoll(argv[i], &end, 10);
        if (*end != '\0' || x < -2000 || x > 2000) {
            conf_errf(err, errlen, "Invalid oom-score-adj-values, elements must be between "
                                   "-2000 and 2000.");
            return -1;
        }
        vals[i] = (int)x;
    }
    memcpy(v->oom_score_adj_values, vals, sizeof(vals));
    return 0;
}

void conf_get_oom_values(const struct conf_values *v, const struct conf_directive *d,
                         char *buf)
{
    const int *o = v->oom_score_adj_values;
    snprintf(buf, CONF_VALBUF, "%d %d %d", o[0], o[1], o[2]);
}

static const struct { char c; int flag; } notify_chars[] = {
    {'g', CONF_NOTIFY_GENERIC}, {'$', CONF_NOTIFY_STRING}, {'l', CONF_NOTIFY_LIST},
    {'s', CONF_NOTIFY_SET}, {'h', CONF_NOTIFY_HASH}, {'z', CONF_NOTIFY_ZSET},
    {'x', CONF_NOTIFY_EXPIRED}, {'e', CONF_NOTIFY_EVICTED}, {'t', CONF_NOTIFY_STREAM},
    {'d', CONF_NOTIFY_MODULE}, {'n', CONF_NOTIFY_NEW}, {'K', CONF_NOTIFY_KEYSPACE},
    {'E', CONF_NOTIFY_KEYEVENT}, {'m', CONF_NOTIFY_KEY_MISS},
};
#define NOTIFY_NCHARS (sizeof(notify_chars) / sizeof(notify_chars[0]))

/* notify-keyspace-events <classes>: "A" is g$lshzxetd; "" disables. */
int conf_set_notify(struct conf_values *v, const struct conf_directive *d, int argc,
                    char **argv, int from_file, char *err, size_t errlen)
{
    int flags = 0;
    if (argc != 1) return wrong_args(err, errlen);
    for (const char *p = argv[0]; *p; p++) {
        size_t i = 0;
        if (*p == 'A') {
            flags |= CONF_NOTIFY_ALL;
            continue;
        }
        while (i < NOTIFY_NCHARS && notify_chars[i].c != *p) i++;
        if (i == NOTIFY_NCHARS) {
            conf_errf(err, errlen, "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
            return -1;
        }
        flags |= notify_chars[i].flag;
    }
    v->notify_keyspace_events = flags;
    return 0;
}

/* Redis's keyspaceEventsFlagsToString: "A" replaces the classes it covers (and 'n'),
 * then K, E, m. */
void conf_get_notify(const struct conf_values *v, const struct conf_directive *d, char *buf)
{
    int flags = v->notify_keyspace_events, all = (flags & CONF_NOTIFY_ALL) == CONF_NOTIFY_ALL;
    size_t n = 0;
    if (all) buf[n++] = 'A';
    for (size_t i = 0; i < NOTIFY_NCHARS; i++) {
        int is_class = i < NOTIFY_NCHARS - 3;
        if ((flags & notify_chars[i].flag) && !(all && is_class)) buf[n++] = notify_chars[i].c;
    }
    buf[n] = '\0';
}

/* replicaof <host> <port> | replicaof no one */
int conf_set_replicaof(struct conf_values *v, const struct conf_directive *d, int argc,
                       char **argv, int from_file, char *err, size_t errlen)
{
    char *end;
    if (argc != 2) return wrong_args(err, errlen);
    if (!strcasecmp(argv[0], "no") && !strcasecmp(argv[1], "one")) {
        v->replicaof_host[0] = '\0';
        return 0;
    }
    long port = strtol(argv[1], &end, 10);
    if (port < 0 || port > 65535 || *end != '\0') {
        conf_errf(err, errlen, "Invalid master port");
        return -1;
    }
    if (strlen(argv[0]) >= CONF_PATH_MAX) {
        conf_errf(err, errlen, "argument is too long (more than %d bytes)", CONF_PATH_MAX - 1);
        return -1;
    }
    strcpy(v->replicaof_host, argv[0]);
    v->replicaof_port = (int)port;
    return 0;
}

void conf_get_replicaof(const struct conf_values *v, const struct conf_directive *d,
                        char *buf)
{
    if (v->replicaof_host[0])
        snprintf(buf, CONF_VALBUF, "%s %d", v->replicaof_host, v->replicaof_port);
    else
        buf[0] = '\0';
}

/* latency-tracking-info-percentiles <p> [...] (each 0..100); "" means none */
int conf_set_percentiles(struct conf_values *v, const struct conf_directive *d, int argc,
                         char **argv, int from_file, char *err, size_t errlen)
{
    double p[CONF_PERCENTILES_MAX];
    if (argc == 1 && argv[0][0] == '\0') argc = 0;
    if (argc > CONF_PERCENTILES_MAX) {
        conf_errf(err, errlen, "Too many latency-tracking-info-percentiles (at most %d)",
                  CONF_PERCENTILES_MAX);
        return -1;
    }
    for (int j = 0; j < argc; j++) {
        if (!string2d(argv[j], strlen(argv[j]), &p[j])) {
            conf_errf(err, errlen, "Invalid latency-tracking-info-percentiles parameters");
            return -1;
        }
        if (p[j] > 100.0 || p[j] < 0.0) {
            conf_errf(err, errlen, "latency-tracking-info-percentiles parameters should sit "
                                   "between [0.0,100.0]");
            return -1;
        }
    }
    memcpy(v->latency_tracking_info_percentiles, p, sizeof(double) * (size_t)argc);
    v->npercentiles = argc;
    return 0;
}

/* "%f" with trailing zeros and a bare point removed (Redis's trimDoubleString) */
void conf_get_percentiles(const struct conf_values *v, const struct conf_directive *d,
                          char *buf)
{
    size_t n = 0;
    for (int i = 0; i < v->npercentiles; i++) {
        if (i) buf[n++] = ' ';
        size_t start = n;
        n += (size_t)snprintf(buf + n, CONF_VALBUF - n, "%f",
                              v->latency_tracking_info_percentiles[i]);
        if (memchr(buf + start, '.', n - start)) {
            while (buf[n - 1] == '0') n--;
            if (buf[n - 1] == '.') n--;
        }
    }
    buf[n] = '\0';
}

static const struct conf_enum shutdown_flags[] = {
    {"default", 0}, {"save", CONF_SHUTDOWN_SAVE}, {"nosave", CONF_SHUTDOWN_NOSAVE},
    {"now", CONF_SHUTDOWN_NOW}, {"force", CONF_SHUTDOWN_FORCE}, {NULL, 0}};

/* shutdown-on-sigint / shutdown-on-sigterm: a set of default|save|nosave|now|force */
int conf_set_shutdown(struct conf_values *v, const struct conf_directive *d, int argc,
                      char **argv, int from_file, char *err, size_t errlen)
{
    int flags = 0;
    for (int j = 0; j < argc || argc == 0; j++) {
        const struct conf_enum *e = shutdown_flags;
        while (argc && e->name && strcasecmp(e->name, argv[j])) e++;
        if (argc == 0 || !e->name) {
            conf_errf(err, errlen, "argument(s) must be one of the following: default, save, "
                                   "nosave, now, force");
            return -1;
        }
        flags |= e->value;
    }
    if ((flags & CONF_SHUTDOWN_SAVE) && (flags & CONF_SHUTDOWN_NOSAVE)) {
        conf_errf(err, errlen, "shutdown options SAVE and NOSAVE can't be used simultaneously");
        return -1;
    }
    *FIELD(v, d, int) = flags;
    return 0;
}

void conf_get_shutdown(const struct conf_values *v, const struct conf_directive *d, char *buf)
{
    int flags = *CFIELD(v, d, int);
    buf[0] = '\0';
    if (flags == 0) {
        strcpy(buf, "default");
        return;
    }
    for (const struct conf_enum *e = shutdown_flags + 1; e->name; e++)
        if (flags & e->value) cat(buf, "%s", e->name, 0, 0);
}

void conf_special_defaults(struct conf_values *v)
{
    static const long long save[][2] = {{3600, 1}, {300, 100}, {60, 10000}};
    if (!getcwd(v->dir, sizeof(v->dir))) v->dir[0] = '\0';
    v->nsave = 3;
    for (int i = 0; i < 3; i++) v->save[i] = (struct conf_save_point){save[i][0], (int)save[i][1]};
    v->save_is_default = 1;
    v->nbind = 2;
    strcpy(v->bind[0], "*");
    strcpy(v->bind[1], "-::*");
    v->obuf_limits[CONF_OBUF_NORMAL] = (struct conf_obuf_limit){0, 0, 0};
    v->obuf_limits[CONF_OBUF_REPLICA] = (struct conf_obuf_limit){256ULL << 20, 64ULL << 20, 60};
    v->obuf_limits[CONF_OBUF_PUBSUB] = (struct conf_obuf_limit){32ULL << 20, 8ULL << 20, 60};
    v->oom_score_adj_values[0] = 0;
    v->oom_score_adj_values[1] = 200;
    v->oom_score_adj_values[2] = 800;
    v->npercentiles = 3;
    v->latency_tracking_info_percentiles[0] = 50;
    v->latency_tracking_info_percentiles[1] = 99;
    v->latency_tracking_info_percentiles[2] = 99.9;
}
