/* master/config_file.c - loads the configuration as redis-server 7.0 does: the
 * command line is turned into extra config lines appended after the file (and
 * stdin), and the whole text is read line by line: trimmed, '#' comments and blank
 * lines skipped, words split with util/splitargs, "include" read recursively (its
 * lines numbered on their own), everything else handed to conf_apply.
 *
 * Owns: the command-line grammar, file reading, include, and the fatal-error report.
 * Differences from Redis: the report names the file (or stdin / the command line)
 * next to the line number, and include nesting is bounded. */
#include "master/config_file.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "util/splitargs.h"
#include "worker/server_cmds.h"

#define INCLUDE_DEPTH_MAX 16

struct text { char *buf; size_t len, cap; };

struct loader {
    struct conf_values *conf;
    FILE *err;
    int depth;
};

/* Where the lines of one text come from: [0, file_end) a file, [file_end, stdin_end)
 * stdin, the rest the command line. */
struct origin { const char *file; size_t file_end, stdin_end; };

static int text_cat(struct text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->len + n + 1) * 2;
        char *nb = realloc(t->buf, cap);
        if (!nb) return -1;
        t->buf = nb;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
    return 0;
}

static int text_cats(struct text *t, const char *s)
{
    return text_cat(t, s, strlen(s));
}

/* Appends s quoted so that splitargs gives it back (Redis's sdscatrepr). */
static int text_repr(struct text *t, const char *s)
{
    int rc = text_cats(t, "\"");
    for (; *s && !rc; s++) {
        char esc[8];
        switch (*s) {
        case '\\': case '"': snprintf(esc, sizeof(esc), "\\%c", *s); break;
        case '\n': strcpy(esc, "\\n"); break;
        case '\r': strcpy(esc, "\\r"); break;
        case '\t': strcpy(esc, "\\t"); break;
        case '\a': strcpy(esc, "\\a"); break;
        case '\b': strcpy(esc, "\\b"); break;
        default:
            if (isprint((unsigned char)*s)) snprintf(esc, sizeof(esc), "%c", *s);
            else snprintf(esc, sizeof(esc), "\\x%02x", (unsigned char)*s);
        }
        rc = text_cats(t, esc);
    }
    return rc ? rc : text_cats(t, "\"");
}

/* A line as Redis's serverLog prints it before a log file is set. */
static void log_line(FILE *err, const char *fmt, ...)
{
    char when[64];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    size_t off = strftime(when, sizeof(when), "%d %b %Y %H:%M:%S.", &tm);
    snprintf(when + off, sizeof(when) - off, "%03d", (int)(tv.tv_usec / 1000));
    fprintf(err, "%d:C %s # ", (int)getpid(), when);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(err, fmt, ap);
    va_end(ap);
    fputc('\n', err);
}

static void report(FILE *err, int linenum, const char *line, const char *where,
                   const char *msg)
{
    fprintf(err, "\n*** FATAL CONFIG FILE ERROR (Redis %s) ***\n", FERROUS_REDIS_VERSION);
    if (line) {
        fprintf(err, "Reading the configuration file, at line %d%s\n", linenum, where);
        fprintf(err, ">>> '%s'\n", line);
    }
    fprintf(err, "%s\n", msg);
}

/* " of 'path'", " (stdin)" or " (command line)" for the line starting at off. */
static void where_of(const struct origin *o, size_t off, char *buf, size_t n)
{
    if (o->file && off < o->file_end) snprintf(buf, n, " of '%s'", o->file);
    else if (off < o->stdin_end) snprintf(buf, n, " (stdin)");
    else snprintf(buf, n, " (command line)");
}

static int load_file(struct loader *l, const char *path);

/* Handles one trimmed, non-comment line.  Returns 0 or -1 with msg set. */
static int load_line(struct loader *l, char *line, char *msg, size_t msglen)
{
    struct splitargs a;
    int rc = 0;
    if (splitargs(line, strlen(line), &a)) {
        snprintf(msg, msglen, "Unbalanced quotes in configuration line");
        return -1;
    }
    if (a.argc == 0) return 0;
    for (char *p = a.argv[0]; *p; p++) *p = (char)tolower((unsigned char)*p);
    if (!strcmp(a.argv[0], "include") && a.argc == 2) {
        if (l->depth >= INCLUDE_DEPTH_MAX) {
            snprintf(msg, msglen, "include nesting deeper than %d", INCLUDE_DEPTH_MAX);
            rc = -1;
        } else if (load_file(l, a.argv[1])) {
            rc = -2;                          /* already reported */
        }
    } else {
        rc = conf_apply(l->conf, a.argc, a.argv, a.argvlen, msg, msglen);
        if (rc == 0 && !strcmp(a.argv[0], "dir") && chdir(l->conf->dir) == -1) {
            snprintf(msg, msglen, "%s", strerror(errno));
            rc = -1;
        }
    }
    splitargs_free(&a);
    return rc;
}

static char *trim(char *s)
{
    static const char *ws = " \t\r\n";
    size_t n = strlen(s);
    while (n && strchr(ws, s[n - 1])) s[--n] = '\0';
    while (*s && strchr(ws, *s)) s++;
    return s;
}

/* Loads the text line by line (it is modified).  Returns 0 or -1 (reported). */
static int load_text(struct loader *l, char *text, const struct origin *o)
{
    char msg[512], where[1100];
    int linenum = 0;
    for (char *p = text; p; linenum++) {
        char *nl = strchr(p, '\n'), *line;
        size_t off = (size_t)(p - text);
        if (nl) *nl = '\0';
        line = trim(p);
        p = nl ? nl + 1 : NULL;
        if (line[0] == '#' || line[0] == '\0') continue;
        int rc = load_line(l, line, msg, sizeof(msg));
        if (rc == -2) return -1;
        if (rc) {
            where_of(o, off, where, sizeof(where));
            report(l->err, linenum + 1, line, where, msg);
            return -1;
        }
    }
    return 0;
}

static int read_stream(FILE *fp, struct text *t)
{
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
        if (text_cat(t, buf, n)) return -1;
    return ferror(fp) ? -1 : 0;
}

static int read_path(struct loader *l, const char *path, struct text *t)
{
    FILE *fp = fopen(path, "r");
    if (!fp || read_stream(fp, t)) {
        log_line(l->err, "Fatal error, can't open config file '%s': %s", path,
                 strerror(errno));
        if (fp) fclose(fp);
        return -1;
    }
    fclose(fp);
    return 0;
}

/* Loads one file, or every file a wildcard matches (none is fine, as in Redis). */
static int load_file(struct loader *l, const char *path)
{
    glob_t g;
    size_t count = 1;
    const int wild = strpbrk(path, "*?[") != NULL;
    if (wild) {
        if (glob(path, 0, NULL, &g) != 0) return 0;
        count = g.gl_pathc;
    }
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        const char *p = wild ? g.gl_pathv[i] : path;
        struct text t = {0};
        rc = read_path(l, p, &t) || text_cats(&t, "") ? -1 : 0;
        if (rc == 0) {
            struct origin o = {p, t.len, t.len};
            l->depth++;
            rc = load_text(l, t.buf, &o);
            l->depth--;
        }
        free(t.buf);
    }
    if (wild) globfree(&g);
    return rc;
}

/* Redis's getAbsolutePath: trimmed; relative paths joined to the cwd, with leading
 * "../" taken off the cwd. */
static void absolute_path(const char *in, char *out, size_t n)
{
    char cwd[4096], *copy = strdup(in), *p = copy ? trim(copy) : NULL;
    if (!p || p[0] == '/' || !getcwd(cwd, sizeof(cwd))) {
        snprintf(out, n, "%s", p ? p : in);
        free(copy);
        return;
    }
    while (!strncmp(p, "../", 3)) {
        char *slash = strrchr(cwd, '/');
        if (slash && slash != cwd) *slash = '\0';
        else if (slash) cwd[1] = '\0';
        p += 3;
    }
    int len = snprintf(out, n, "%s%s%s", cwd, cwd[strlen(cwd) - 1] == '/' ? "" : "/", p);
    if (len < 0 || (size_t)len >= n) snprintf(out, n, "%s", in);   /* too long: as given */
    free(copy);
}

/* Turns argv[j..] into config lines, as redis-server's main() does: "--name" starts
 * a line, other words are quoted arguments, a bare "--save" (last, or followed by
 * another "--name") means save "", and "-" first or last means read stdin. */
static int options_text(int argc, char **argv, int j, struct text *opts, int *from_stdin)
{
    int rc = text_cats(opts, ""), name_complete = 1;
    for (; j < argc && rc == 0; j++) {
        const char *a = argv[j];
        if (a[0] == '-' && a[1] == '\0' && (j == 1 || j == argc - 1)) {
            *from_stdin = 1;
        } else if (name_complete && a[0] == '-' && a[1] == '-') {
            struct splitargs words;
            int single = splitargs(a, strlen(a), &words) == 0 && words.argc == 1;
            splitargs_free(&words);
            if (opts->len) rc |= text_cats(opts, "\n");
            rc |= text_cats(opts, a + 2) | text_cats(opts, " ");
            name_complete = !single;
            int next_is_name = j + 1 < argc && argv[j + 1][0] == '-' && argv[j + 1][1] == '-';
            if (single && !strcasecmp(a, "--save") && (j == argc - 1 || next_is_name)) {
                rc |= text_cats(opts, "\"\"");
                name_complete = 1;
            } else if (single && !strcasecmp(a, "--sentinel") && next_is_name) {
                name_complete = 1;
            }
        } else {
            rc |= text_repr(opts, a) | text_cats(opts, " ");
            name_complete = 1;
        }
    }
    return rc;
}

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: ./ferrous-server [/path/to/redis.conf] [options] [-]\n"
            "       ./ferrous-server - (read config from stdin)\n"
            "       ./ferrous-server -v or --version\n"
            "       ./ferrous-server -h or --help\n\n"
            "Examples:\n"
            "       ./ferrous-server (run the server with default conf)\n"
            "       echo 'maxmemory 128mb' | ./ferrous-server -\n"
            "       ./ferrous-server /etc/redis/6379.conf\n"
            "       ./ferrous-server --port 7777\n"
            "       ./ferrous-server --port 7777 --replicaof 127.0.0.1 8888\n"
            "       ./ferrous-server /etc/myredis.conf --loglevel verbose -\n"
            "       ./ferrous-server /etc/myredis.conf --loglevel verbose\n");
}

/* Checks Redis makes once the whole configuration is read. */
static int final_checks(struct loader *l)
{
    char msg[512];
    if (l->conf->logfile[0]) {
        FILE *fp = fopen(l->conf->logfile, "a");
        if (!fp) {
            snprintf(msg, sizeof(msg), "Can't open the log file: %s", strerror(errno));
            report(l->err, 0, NULL, NULL, msg);
            return -1;
        }
        fclose(fp);
    }
    if (l->conf->cluster_enabled && l->conf->replicaof_host[0]) {
        report(l->err, 0, NULL, NULL, "replicaof directive not allowed in cluster mode");
        return -1;
    }
    return 0;
}

/* Reads the main file (if any), stdin (if asked) and the options into one text and
 * loads it. */
static int load_all(struct loader *l, const char *file, int from_stdin, struct text *opts)
{
    struct text t = {0};
    int rc = text_cats(&t, "");
    if (rc == 0 && file) rc = read_path(l, file, &t);
    size_t file_end = t.len;
    if (rc == 0 && from_stdin) {
        log_line(l->err, "Reading config from stdin");
        rc = read_stream(stdin, &t);
    }
    struct origin o = {file, file_end, t.len};
    if (rc == 0 && opts->len) rc = text_cats(&t, "\n") || text_cat(&t, opts->buf, opts->len);
    if (rc == 0) rc = load_text(l, t.buf, &o);
    free(t.buf);
    return rc ? -1 : final_checks(l);
}

int config_load_f(int argc, char **argv, struct conf_values *conf, char *configfile_out,
                  size_t n, FILE *out, FILE *err)
{
    struct loader l = {conf, err, 0};
    struct text opts = {0};
    const char *file = NULL;
    char abspath[4096];
    int j = 1, from_stdin = 0;

    conf_defaults(conf);
    if (n) configfile_out[0] = '\0';
    if (argc >= 2 && (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--version"))) {
        fprintf(out, "Ferrous server v=%s redis_version=%s bits=%d\n", FERROUS_VERSION,
                FERROUS_REDIS_VERSION, (int)(sizeof(long) * 8));
        return CONFIG_LOAD_VERSION;
    }
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(out);
        return CONFIG_LOAD_HELP;
    }
    if (argc >= 2 && argv[1][0] != '-') {
        absolute_path(argv[1], abspath, sizeof(abspath));
        file = abspath;
        if (n) snprintf(configfile_out, n, "%s", abspath);
        j = 2;
    }
    int rc = options_text(argc, argv, j, &opts, &from_stdin) ? -1
             : load_all(&l, file, from_stdin, &opts);
    free(opts.buf);
    return rc ? CONFIG_LOAD_ERROR : CONFIG_LOAD_OK;
}

int config_load(int argc, char **argv, struct conf_values *out, char *configfile_out, size_t n)
{
    return config_load_f(argc, argv, out, configfile_out, n, stdout, stderr);
}
