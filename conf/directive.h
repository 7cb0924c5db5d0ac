/* conf/directive.h - conf/'s private view: one struct conf_directive per directive
 * (the table in conf/table.c), the generic value types (conf/types.c) and the
 * special directives (conf/special.c).  Not for use outside conf/.
 *
 * Invariants: every directive's value lives at d->off inside struct conf_values;
 * a set function either fails leaving the value untouched or writes a valid value. */
#ifndef CONF_DIRECTIVE_H
#define CONF_DIRECTIVE_H
#include <stddef.h>

#include "conf/conf.h"

#define CONF_ERRBUF 256
#define CONF_VALBUF (CONF_BIND_MAX * CONF_BIND_ADDR_MAX + 64)

enum conf_type { CT_BOOL, CT_NUM, CT_ENUM, CT_STR, CT_SPECIAL };
enum conf_width { W_I32, W_U32, W_I64, W_U64 };
enum {                              /* numeric flags, as Redis's */
    NF_INT = 0, NF_MEM = 1, NF_PERCENT = 2, NF_OCTAL = 4
};
enum {                              /* directive flags */
    F_IMMUTABLE = 1, F_PROTECTED = 2, F_HIDDEN = 4, F_MULTI_ARG = 8, F_SENSITIVE = 16
};

struct conf_enum { const char *name; int value; };

struct conf_directive;
/* Sets from argv[0..argc) (the words after the name).  from_file: a config-file line
 * rather than CONFIG SET.  Returns 0, or -1 with a message in err. */
typedef int conf_set_fn(struct conf_values *v, const struct conf_directive *d, int argc,
                        char **argv, int from_file, char *err, size_t errlen);
/* Formats the value as CONFIG GET shows it into buf (CONF_VALBUF bytes). */
typedef void conf_get_fn(const struct conf_values *v, const struct conf_directive *d,
                         char *buf);
/* Extra check of a string or bool value. */
typedef int conf_check_fn(const char *val, char *err, size_t errlen);

struct conf_directive {
    const char *name, *alias;
    unsigned flags;
    enum conf_type type;
    size_t off;                     /* of the value in struct conf_values */
    enum conf_width width;          /* CT_NUM, CT_BOOL and CT_ENUM store int unless set */
    unsigned nflags;                /* CT_NUM */
    long long lo, hi, def;          /* CT_NUM bounds; default of CT_NUM/BOOL/ENUM */
    const struct conf_enum *enums;  /* CT_ENUM, NULL-name terminated */
    const char *sdef;               /* CT_STR default */
    conf_check_fn *check;           /* CT_STR / CT_BOOL extra validation */
    conf_set_fn *set;               /* CT_SPECIAL */
    conf_get_fn *get;               /* CT_SPECIAL */
};

extern const struct conf_directive conf_table[];
extern const size_t conf_table_len;

/* conf/types.c: the generic types' set/get, and defaults for them */
int conf_type_set(struct conf_values *v, const struct conf_directive *d, int argc,
                  char **argv, int from_file, char *err, size_t errlen);
void conf_type_get(const struct conf_values *v, const struct conf_directive *d, char *buf);
void conf_type_default(struct conf_values *v, const struct conf_directive *d);
void conf_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* conf/special.c: special directives and their defaults */
conf_set_fn conf_set_dir, conf_set_save, conf_set_bind, conf_set_obuf, conf_set_oom_values,
    conf_set_notify, conf_set_replicaof, conf_set_percentiles, conf_set_shutdown;
conf_get_fn conf_get_dir, conf_get_save, conf_get_bind, conf_get_obuf, conf_get_oom_values,
    conf_get_notify, conf_get_replicaof, conf_get_percentiles, conf_get_shutdown;
void conf_special_defaults(struct conf_values *v);

/* conf/check.c: extra validation of some string/bool directives */
conf_check_fn conf_check_basename, conf_check_aof_filename, conf_check_aof_dirname,
    conf_check_hostname, conf_check_proc_title, conf_check_activedefrag;

/* conf/conf.c */
const struct conf_directive *conf_lookup(const char *name, size_t len, int *is_alias);
#endif
