/* tests/unit/test_config_file.c - master/config_file: redis.conf syntax (comments,
 * quotes, CRLF, units), command-line overrides and their quirks, include (relative
 * to the working directory, wildcards), save/bind repetition, every error report
 * with its line number and file, and Debian's /etc/redis/redis.conf.  Each test runs
 * in a fresh temporary directory. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/fixture.h"
#include "master/config_file.h"

static char oldcwd[PATH_MAX], tmpdir[PATH_MAX];
static struct conf_values V;
static char out[8192], cfgfile[PATH_MAX];

static void setup(void)
{
    ck_assert_ptr_nonnull(getcwd(oldcwd, sizeof(oldcwd)));
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/ferrous-cfgtest-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    ck_assert_int_eq(chdir(tmpdir), 0);
}

static void teardown(void)
{
    char cmd[PATH_MAX + 16];
    ck_assert_int_eq(chdir(oldcwd), 0);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(name, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* Runs config_load_f on a NULL-terminated argument list (argv[0] added); the
 * error/version output is left in out. */
static int load_v(const char **args)
{
    char *argv[64] = {"ferrous-server"};
    int argc = 1;
    while (args[argc - 1]) { argv[argc] = (char *)args[argc - 1]; argc++; }
    FILE *f = tmpfile();
    int rc = config_load_f(argc, argv, &V, cfgfile, sizeof(cfgfile), f, f);
    rewind(f);
    size_t n = fread(out, 1, sizeof(out) - 1, f);
    out[n] = '\0';
    fclose(f);
    return rc;
}
#define LOAD(...) load_v((const char *[]){__VA_ARGS__, NULL})

static void keep_value(const char *name, const char *value, size_t len, void *buf)
{
    snprintf(buf, 8192, "%s", value);
}

static const char *get(const char *name)
{
    static char buf[8192];
    buf[0] = '\0';
    conf_get(&V, name, strlen(name), keep_value, buf);
    return buf;
}

/* The error report for line `line` (text) of `where` with message msg. */
static void expect_report(int line, const char *where, const char *text, const char *msg)
{
    char want[4096];
    snprintf(want, sizeof(want),
             "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
             "Reading the configuration file, at line %d%s\n>>> '%s'\n%s\n",
             line, where, text, msg);
    ck_assert_str_eq(out, want);
}

START_TEST(syntax)
{
    write_file("a.conf", "# comment\n\n   port 7000   \r\n"
                         "requirepass \"a b\\x41\\n\"\n"
                         "MAXMEMORY 1gb\n"
                         "  # indented comment\n"
                         "dbfilename \"\"\n"
                         "appendonly yes");                 /* no final newline */
    ck_assert_int_eq(LOAD("a.conf"), CONFIG_LOAD_OK);
    ck_assert_int_eq(V.port, 7000);
    ck_assert_str_eq(V.requirepass, "a bA\n");
    ck_assert_uint_eq(V.maxmemory, 1ULL << 30);
    ck_assert_str_eq(V.dbfilename, "");
    ck_assert_int_eq(V.appendonly, 1);
    char want[PATH_MAX + 16];
    snprintf(want, sizeof(want), "%s/a.conf", tmpdir);
    ck_assert_str_eq(cfgfile, want);                  /* absolute, as Redis keeps it */
}
END_TEST

START_TEST(masterauth_quote_error)
{
    /* 'it''s' is a closing quote glued to a word: Redis refuses the line */
    write_file("a.conf", "port 1\nmasterauth 'it''s'\n");
    ck_assert_int_eq(LOAD("a.conf"), CONFIG_LOAD_ERROR);
    char where[PATH_MAX + 16];
    snprintf(where, sizeof(where), " of '%s/a.conf'", tmpdir);
    expect_report(2, where, "masterauth 'it''s'", "Unbalanced quotes in configuration line");
}
END_TEST

START_TEST(overrides)
{
    write_file("a.conf", "port 7000\nsave 100 1\nsave 200 2\nbind 1.1.1.1\nbind 2.2.2.2\n");
    ck_assert_int_eq(LOAD("a.conf", "--port", "7001", "--save", "5", "5", "--maxmemory",
                          "2mb", "--requirepass", "x y"), CONFIG_LOAD_OK);
    ck_assert_int_eq(V.port, 7001);
    ck_assert_str_eq(get("save"), "100 1 200 2 5 5");   /* the first save resets once */
    ck_assert_str_eq(get("bind"), "2.2.2.2");            /* bind replaces */
    ck_assert_uint_eq(V.maxmemory, 2ULL << 20);
    ck_assert_str_eq(V.requirepass, "x y");              /* quoted as one word */

    ck_assert_int_eq(LOAD("--save", "--port", "5"), CONFIG_LOAD_OK);   /* bare --save */
    ck_assert_int_eq(V.nsave, 0);
    ck_assert_int_eq(V.port, 5);
    ck_assert_int_eq(LOAD("--port", "6", "--save"), CONFIG_LOAD_OK);
    ck_assert_int_eq(V.nsave, 0);
    ck_assert_int_eq(LOAD("--save", "60 10"), CONFIG_LOAD_OK);   /* one word re-split */
    ck_assert_str_eq(get("save"), "60 10");
    ck_assert_int_eq(LOAD("--port 7002"), CONFIG_LOAD_OK);       /* name and value in one */
    ck_assert_int_eq(V.port, 7002);
    ck_assert_str_eq(cfgfile, "");
}
END_TEST

START_TEST(includes)
{
    ck_assert_int_eq(mkdir("conf.d", 0700), 0);
    write_file("conf.d/b.conf", "maxclients 20\n");
    write_file("conf.d/a.conf", "maxclients 10\ntimeout 5\n");
    write_file("inc.conf", "port 7100\nhz 20\n");
    write_file("main.conf", "include inc.conf\nport 7200\ninclude conf.d/*.conf\n"
                            "include empty.d/*.conf\n");
    ck_assert_int_eq(LOAD("main.conf"), CONFIG_LOAD_OK);
    ck_assert_int_eq(V.port, 7200);                  /* later line wins */
    ck_assert_int_eq(V.hz, 20);
    ck_assert_uint_eq(V.maxclients, 20);             /* wildcard: sorted, both read */
    ck_assert_int_eq(V.timeout, 5);

    write_file("main.conf", "include missing.conf\n");
    ck_assert_int_eq(LOAD("main.conf"), CONFIG_LOAD_ERROR);
    ck_assert_ptr_nonnull(strstr(out, "# Fatal error, can't open config file 'missing.conf': "
                                      "No such file or directory\n"));
    ck_assert_int_eq(LOAD("nonexistent.conf"), CONFIG_LOAD_ERROR);
    ck_assert_ptr_nonnull(strstr(out, "can't open config file"));

    /* an error inside an included file names that file and its own line */
    write_file("inc.conf", "port 1\n\nport 99999\n");
    write_file("main.conf", "# x\ninclude inc.conf\n");
    ck_assert_int_eq(LOAD("main.conf"), CONFIG_LOAD_ERROR);
    expect_report(3, " of 'inc.conf'", "port 99999",
                  "argument must be between 0 and 65535 inclusive");

    write_file("loop.conf", "include loop.conf\n");
    ck_assert_int_eq(LOAD("loop.conf"), CONFIG_LOAD_ERROR);
    ck_assert_ptr_nonnull(strstr(out, "include nesting deeper than 16"));
}
END_TEST

START_TEST(dir_moves_includes)
{
    ck_assert_int_eq(mkdir("sub", 0700), 0);
    write_file("sub/x.conf", "port 7300\n");
    write_file("main.conf", "dir sub\ninclude x.conf\n");
    ck_assert_int_eq(LOAD("main.conf"), CONFIG_LOAD_OK);   /* as Redis: dir chdir()s */
    ck_assert_int_eq(V.port, 7300);
    char want[PATH_MAX + 8];
    snprintf(want, sizeof(want), "%s/sub", tmpdir);
    ck_assert_str_eq(get("dir"), want);
}
END_TEST

START_TEST(errors)
{
    write_file("a.conf", "port 7000\n# c\n\nfoo bar\n");
    char where[PATH_MAX + 16];
    snprintf(where, sizeof(where), " of '%s/a.conf'", tmpdir);
    ck_assert_int_eq(LOAD("a.conf"), CONFIG_LOAD_ERROR);
    expect_report(4, where, "foo bar", "Bad directive or wrong number of arguments");

    write_file("a.conf", "port 7000\n");      /* options follow the file after a "\n" */
    ck_assert_int_eq(LOAD("a.conf", "--port", "1", "2"), CONFIG_LOAD_ERROR);
    expect_report(3, " (command line)", "port \"1\" \"2\"", "wrong number of arguments");
    ck_assert_int_eq(LOAD("--daemonize", "maybe"), CONFIG_LOAD_ERROR);
    expect_report(2, " (command line)", "daemonize \"maybe\"", "argument must be 'yes' or 'no'");
    ck_assert_int_eq(LOAD("--port"), CONFIG_LOAD_ERROR);
    expect_report(2, " (command line)", "port", "wrong number of arguments");
    ck_assert_int_eq(LOAD("--port", "--bind", "1"), CONFIG_LOAD_ERROR);  /* value "--bind" */
    expect_report(2, " (command line)", "port \"--bind\" \"1\"", "wrong number of arguments");
    ck_assert_int_eq(LOAD("--save", "--foo"), CONFIG_LOAD_ERROR);
    expect_report(3, " (command line)", "foo", "Bad directive or wrong number of arguments");
    ck_assert_int_eq(LOAD("--maxmemory", "1", "--foo", "a b", "c'd"), CONFIG_LOAD_ERROR);
    expect_report(3, " (command line)", "foo \"a b\" \"c'd\"",
                  "Bad directive or wrong number of arguments");
    ck_assert_int_eq(LOAD("--logfile", "/nonexistent-dir/x.log"), CONFIG_LOAD_ERROR);
    ck_assert_str_eq(out, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
                          "Can't open the log file: No such file or directory\n");
    ck_assert_int_eq(LOAD("--cluster-enabled", "yes", "--replicaof", "h", "1"),
                     CONFIG_LOAD_ERROR);
    ck_assert_str_eq(out, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
                          "replicaof directive not allowed in cluster mode\n");
}
END_TEST

START_TEST(version_and_help)
{
    ck_assert_int_eq(LOAD("-v"), CONFIG_LOAD_VERSION);
    ck_assert_ptr_nonnull(strstr(out, "v="));
    ck_assert_int_eq(LOAD("--version"), CONFIG_LOAD_VERSION);
    ck_assert_int_eq(LOAD("--help"), CONFIG_LOAD_HELP);
    ck_assert_ptr_nonnull(strstr(out, "Usage:"));
    ck_assert_int_eq(LOAD("-h"), CONFIG_LOAD_HELP);
}
END_TEST

START_TEST(debian_redis_conf)
{
    if (access("/etc/redis/redis.conf", R_OK) != 0) return;   /* not installed/readable */
    ck_assert_int_eq(LOAD("/etc/redis/redis.conf", "--logfile", "", "--dir", tmpdir),
                     CONFIG_LOAD_OK);
    ck_assert_int_eq(V.port, 6379);
    ck_assert_int_eq(V.daemonize, 1);
    ck_assert_str_eq(get("bind"), "127.0.0.1 -::1");
    ck_assert_str_eq(V.pidfile, "/run/redis/redis-server.pid");
    ck_assert_str_eq(get("client-output-buffer-limit"),
                     "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("config_file");
    TCase *tc = tcase_create("config_file");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, syntax);
    tcase_add_test(tc, masterauth_quote_error);
    tcase_add_test(tc, overrides);
    tcase_add_test(tc, includes);
    tcase_add_test(tc, dir_moves_includes);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, version_and_help);
    tcase_add_test(tc, debian_redis_conf);
    suite_add_tcase(s, tc);
    return fixture_run_suite(s);
}
