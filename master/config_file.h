/* master/config_file.h - reads ferrous-server's configuration the way redis-server
 * 7.0 does: `ferrous-server [configfile|-] [--name value ...] [-]`, a redis.conf-syntax
 * file, stdin ("-"), then the command-line options, last one wins. */
#ifndef MASTER_CONFIG_FILE_H
#define MASTER_CONFIG_FILE_H
#include <stddef.h>
#include <stdio.h>

#include "conf/conf.h"

enum {
    CONFIG_LOAD_ERROR = -1,     /* message printed; exit with status 1 */
    CONFIG_LOAD_OK = 0,
    CONFIG_LOAD_VERSION = 1,    /* -v/--version: version printed; exit 0 */
    CONFIG_LOAD_HELP = 2,       /* -h/--help: usage printed; exit 0 */
};

/* Fills out with the defaults, then the file, stdin and options.  configfile_out gets
 * the config file's absolute path ("" if none).  Like redis-server, a "dir" line
 * chdir()s at once (later relative includes and dirs follow it) and a non-empty
 * logfile must open for appending.  On an error prints Redis's
 * "*** FATAL CONFIG FILE ERROR ***" report (naming the file) to stderr. */
int config_load(int argc, char **argv, struct conf_values *out, char *configfile_out,
                size_t n);
/* config_load with version/usage going to `out` and errors to `err` (for tests). */
int config_load_f(int argc, char **argv, struct conf_values *conf, char *configfile_out,
                  size_t n, FILE *out, FILE *err);
#endif
