/* conf/check.c - extra validation of some string and yes/no directives, with Redis
 * 7.0.15's error texts: file names that must not be paths, announced hostnames,
 * proc-title-template syntax, and activedefrag (Ferrous, like Debian's redis-server,
 * has no active defragmentation). */
#include <string.h>

#include "conf/directive.h"

static int is_basename(const char *s)
{
    return !strchr(s, '/') && !strchr(s, '\\');
}

int conf_check_basename(const char *val, char *err, size_t errlen)
{
    if (is_basename(val)) return 0;
    conf_errf(err, errlen, "dbfilename can't be a path, just a filename");
    return -1;
}

int conf_check_aof_filename(const char *val, char *err, size_t errlen)
{
    if (!val[0]) conf_errf(err, errlen, "appendfilename can't be empty");
    else if (!is_basename(val)) conf_errf(err, errlen, "appendfilename can't be a path, just a filename");
    else return 0;
    return -1;
}

int conf_check_aof_dirname(const char *val, char *err, size_t errlen)
{
    if (!val[0]) conf_errf(err, errlen, "appenddirname can't be empty");
    else if (!is_basename(val)) conf_errf(err, errlen, "appenddirname can't be a path, just a dirname");
    else return 0;
    return -1;
}

int conf_check_hostname(const char *val, char *err, size_t errlen)
{
    if (strlen(val) >= 256) {
        conf_errf(err, errlen, "Hostnames must be less than 256 characters");
        return -1;
    }
    for (const char *p = val; *p; p++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.')) {
            conf_errf(err, errlen, "Hostnames may only contain alphanumeric characters, "
                                   "hyphens or dots");
            return -1;
        }
    }
    return 0;
}

/* Whether a proc-title variable may expand to a non-empty text.  Unknown: -1. */
static int title_var(const char *name, size_t len)
{
    static const struct { const char *name; int nonempty; } vars[] = {
        {"title", 0}, {"listen-addr", 1}, {"server-mode", 0}, {"port", 1},
        {"tls-port", 1}, {"unixsocket", 0}, {"config-file", 1},
    };
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        if (strlen(vars[i].name) == len && !memcmp(vars[i].name, name, len))
            return vars[i].nonempty;
    return -1;
}

/* Redis's sdstemplate syntax: {var} for a known variable, {{ for '{'; the expansion
 * must not be empty (after trimming spaces). */
int conf_check_proc_title(const char *val, char *err, size_t errlen)
{
    int nonempty = 0;
    for (const char *p = val; *p;) {
        if (*p != '{') {
            nonempty |= *p++ != ' ';
            continue;
        }
        if (p[1] == '{') {
            nonempty = 1;
            p += 2;
            continue;
        }
        const char *end = p[1] ? strchr(p + 1, '}') : NULL;
        int kind = end ? title_var(p + 1, (size_t)(end - p - 1)) : -1;
        if (kind < 0) {
            nonempty = 0;
            break;
        }
        nonempty |= kind;
        p = end + 1;
    }
    if (nonempty) return 0;
    conf_errf(err, errlen, "template format is invalid or contains unknown variables");
    return -1;
}

int conf_check_activedefrag(const char *val, char *err, size_t errlen)
{
    if (strcmp(val, "yes")) return 0;
    conf_errf(err, errlen, "Active defragmentation cannot be enabled: it requires a Redis "
                           "server compiled with a modified Jemalloc like the one shipped by "
                           "default with the Redis source distribution");
    return -1;
}
