/* tests/unit/test_conf.c - conf/: defaults, each value type's validation and error
 * text, config-file line rules, CONFIG SET (atomicity, aliases, immutables, error
 * precedence) and CONFIG GET (patterns, formats).  Expected texts were taken from
 * redis-server 7.0.15. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/fixture.h"
#include "conf/conf.h"

static struct conf_values V;
static char err[512];

static void setup(void)
{
    conf_defaults(&V);
    err[0] = '\0';
}

struct got { char name[64][64]; char val[64][4096]; int n; };

static void collect(const char *name, const char *value, size_t vlen, void *arg)
{
    struct got *g = arg;
    ck_assert_int_lt(g->n, 64);
    snprintf(g->name[g->n], 64, "%s", name);
    ck_assert_uint_eq(strlen(value), vlen);
    snprintf(g->val[g->n], 4096, "%s", value);
    g->n++;
}

/* CONFIG GET of one exact name */
static const char *get(const char *name)
{
    static struct got g;
    g.n = 0;
    ck_assert_int_eq(conf_get(&V, name, strlen(name), collect, &g), 1);
    return g.val[0];
}

/* a config-file line, space separated */
static int apply(const char *line)
{
    char *copy = strdup(line), *argv[32], *tok;
    size_t lens[32];
    int argc = 0;
    for (tok = strtok(copy, " "); tok; tok = strtok(NULL, " ")) {
        argv[argc] = strcmp(tok, "\"\"") ? tok : tok + 2;       /* "" -> empty word */
        lens[argc] = strlen(argv[argc]);
        argc++;
    }
    int rc = conf_apply(&V, argc, argv, lens, err, sizeof(err));
    free(copy);
    return rc;
}

static int set(int argc, const char **argv)
{
    size_t lens[32];
    for (int i = 0; i < argc; i++) lens[i] = strlen(argv[i]);
    return conf_set_pairs(&V, argc, argv, lens, err, sizeof(err));
}

#define SET(...) set(sizeof((const char *[]){__VA_ARGS__}) / sizeof(char *), \
                     (const char *[]){__VA_ARGS__})

static void apply_fails(const char *line, const char *msg)
{
    ck_assert_msg(apply(line) == -1, "%s accepted", line);
    ck_assert_str_eq(err, msg);
}

START_TEST(defaults)
{
    ck_assert_int_eq(V.port, 6379);
    ck_assert_int_eq(V.databases, 16);
    ck_assert_int_eq(V.workers, 0);
    ck_assert_int_eq(V.nbind, 2);
    ck_assert_str_eq(get("bind"), "* -::*");
    ck_assert_str_eq(get("save"), "3600 1 300 100 60 10000");
    ck_assert_str_eq(get("client-output-buffer-limit"),
                     "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
    ck_assert_str_eq(get("proto-max-bulk-len"), "536870912");
    ck_assert_str_eq(get("maxmemory-policy"), "noeviction");
    ck_assert_str_eq(get("latency-tracking-info-percentiles"), "50 99 99.9");
    ck_assert_str_eq(get("oom-score-adj-values"), "0 200 800");
    ck_assert_str_eq(get("unixsocketperm"), "0");
    ck_assert_str_eq(get("shutdown-on-sigint"), "default");
    ck_assert_str_eq(get("notify-keyspace-events"), "");
    ck_assert_str_eq(get("list-max-listpack-size"), "-2");
    ck_assert_uint_eq(V.client_query_buffer_limit, 1024ULL * 1024 * 1024);
    ck_assert_int_eq(V.busy_reply_threshold, 5000);
    ck_assert_int_eq(V.dir[0], '/');
}
END_TEST

START_TEST(types_in_file)
{
    ck_assert_int_eq(apply("daemonize YES"), 0);
    ck_assert_int_eq(V.daemonize, 1);
    apply_fails("daemonize maybe", "argument must be 'yes' or 'no'");
    apply_fails("port 65536", "argument must be between 0 and 65535 inclusive");
    apply_fails("port 1x", "argument couldn't be parsed into an integer");
    apply_fails("port 01", "argument couldn't be parsed into an integer");
    apply_fails("port", "wrong number of arguments");
    apply_fails("port 1 2", "wrong number of arguments");
    apply_fails("maxclients 0", "argument must be between 1 and 4294967295 inclusive");
    apply_fails("maxclients -1", "argument must be between 1 and 4294967295 inclusive");
    apply_fails("maxmemory 1.5mb", "argument must be a memory value");
    apply_fails("maxmemory -1", "argument must be a memory value");
    ck_assert_int_eq(apply("maxmemory 2GB"), 0);
    ck_assert_uint_eq(V.maxmemory, 2ULL << 30);
    ck_assert_int_eq(apply("maxmemory 1k"), 0);
    ck_assert_str_eq(get("maxmemory"), "1000");
    apply_fails("proto-max-bulk-len 1kb",
                "argument must be between 1048576 and 9223372036854775807 inclusive");
    apply_fails("slowlog-log-slower-than -2",
                "argument must be between -1 and 9223372036854775807 inclusive");
    apply_fails("unixsocketperm 800", "argument couldn't be parsed as an octal number");
    apply_fails("unixsocketperm 1777", "argument must be between 0 and 777 inclusive");
    ck_assert_int_eq(apply("unixsocketperm 0770"), 0);
    ck_assert_uint_eq(V.unixsocketperm, 0770);
    ck_assert_str_eq(get("unixsocketperm"), "770");
    apply_fails("maxmemory-clients 101%", "percentage argument must be less or equal to 100");
    apply_fails("maxmemory-clients x", "argument must be a memory or percent value");
    ck_assert_int_eq(apply("maxmemory-clients 5%"), 0);
    ck_assert_str_eq(get("maxmemory-clients"), "5%");
    apply_fails("loglevel loud",
                "argument(s) must be one of the following: debug, verbose, notice, warning");
    ck_assert_int_eq(apply("loglevel WARNING"), 0);
    ck_assert_int_eq(V.loglevel, CONF_LL_WARNING);
    ck_assert_int_eq(apply("oom-score-adj relative"), 0);
    ck_assert_str_eq(get("oom-score-adj"), "yes");
    apply_fails("dbfilename a/b", "dbfilename can't be a path, just a filename");
    apply_fails("appendfilename \"\"", "appendfilename can't be empty");
    apply_fails("cluster-announce-hostname a_b",
                "Hostnames may only contain alphanumeric characters, hyphens or dots");
    apply_fails("proc-title-template {title}",
                "template format is invalid or contains unknown variables");
    apply_fails("activedefrag yes", "Active defragmentation cannot be enabled: it requires a "
                "Redis server compiled with a modified Jemalloc like the one shipped by "
                "default with the Redis source distribution");
    apply_fails("dir /nonexistent-dir", "No such file or directory");
    apply_fails("foo bar", "Bad directive or wrong number of arguments");
    apply_fails("sentinel monitor x", "sentinel directive while not in sentinel mode");
    ck_assert_int_eq(apply("hz 100000"), 0);
    ck_assert_int_eq(V.hz, 500);                               /* clamped as Redis */
    ck_assert_int_eq(apply("list-max-ziplist-entries 5"), 0);  /* deprecated no-op */
    ck_assert_int_eq(apply("lua-time-limit 7"), 0);            /* alias */
    ck_assert_int_eq(V.busy_reply_threshold, 7);
    ck_assert_int_eq(apply("rename-command FLUSHALL \"\""), 0);
    ck_assert_int_eq(V.nrenames, 1);
    ck_assert_str_eq(V.renames[0].from, "FLUSHALL");
    ck_assert_str_eq(V.renames[0].to, "");
}
END_TEST

START_TEST(specials_in_file)
{
    ck_assert_int_eq(apply("save 100 1"), 0);             /* first save drops defaults */
    ck_assert_int_eq(apply("save 200 2"), 0);             /* later ones add */
    ck_assert_str_eq(get("save"), "100 1 200 2");
    ck_assert_int_eq(apply("save \"\""), 0);
    ck_assert_int_eq(V.nsave, 0);                         /* save "" clears, as 7.0.15 */
    ck_assert_int_eq(apply("save 300 3"), 0);
    ck_assert_str_eq(get("save"), "300 3");
    apply_fails("save 0 1", "Invalid save parameters");
    apply_fails("save 10", "Invalid save parameters");
    apply_fails("save 10 x", "Invalid save parameters");
    ck_assert_int_eq(apply("bind 1.2.3.4"), 0);
    ck_assert_int_eq(apply("bind 127.0.0.1 -::1"), 0);    /* bind replaces */
    ck_assert_str_eq(get("bind"), "127.0.0.1 -::1");
    apply_fails("bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17",
                "Too many bind addresses specified.");
    ck_assert_int_eq(apply("client-output-buffer-limit replica 1mb 2kb 3"), 0);
    ck_assert_str_eq(get("client-output-buffer-limit"),
                     "normal 0 0 0 slave 1048576 2048 3 pubsub 33554432 8388608 60");
    apply_fails("client-output-buffer-limit master 1 1 1",
                "Invalid client class specified in buffer limit configuration.");
    apply_fails("client-output-buffer-limit normal 1 1",
                "Wrong number of arguments in buffer limit configuration.");
    apply_fails("client-output-buffer-limit normal 1 1 -1",
                "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
    apply_fails("oom-score-adj-values 0 200 9999",
                "Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
    ck_assert_int_eq(apply("notify-keyspace-events KEA"), 0);
    ck_assert_str_eq(get("notify-keyspace-events"), "AKE");
    ck_assert_int_eq(apply("notify-keyspace-events nEK"), 0);
    ck_assert_str_eq(get("notify-keyspace-events"), "nKE");
    apply_fails("notify-keyspace-events Q",
                "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    ck_assert_int_eq(apply("shutdown-on-sigint now nosave"), 0);
    ck_assert_str_eq(get("shutdown-on-sigint"), "nosave now");
    apply_fails("shutdown-on-sigint save nosave",
                "shutdown options SAVE and NOSAVE can't be used simultaneously");
    ck_assert_int_eq(apply("latency-tracking-info-percentiles 0.123456789 1e1"), 0);
    ck_assert_str_eq(get("latency-tracking-info-percentiles"), "0.123457 10");
    apply_fails("latency-tracking-info-percentiles 101",
                "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
    apply_fails("replicaof host 70000", "Invalid master port");
    ck_assert_int_eq(apply("slaveof host 6380"), 0);
    ck_assert_str_eq(get("replicaof"), "host 6380");
}
END_TEST

START_TEST(multi_value_resplit)
{
    /* one quoted argument to a multi-value directive is split again */
    char *argv[] = {"save", "10 20 30 40"};
    size_t lens[] = {4, 11};
    ck_assert_int_eq(conf_apply(&V, 2, argv, lens, err, sizeof(err)), 0);
    ck_assert_str_eq(get("save"), "10 20 30 40");
    char *bad[] = {"bind", "\"a"};
    size_t blens[] = {4, 2};
    ck_assert_int_eq(conf_apply(&V, 2, bad, blens, err, sizeof(err)), -1);
    ck_assert_str_eq(err, "Unbalanced quotes in configuration line");
}
END_TEST

START_TEST(config_set)
{
    ck_assert_int_eq(SET("maxmemory", "10mb", "hz", "20", "save", ""), 0);
    ck_assert_uint_eq(V.maxmemory, 10ULL << 20);
    ck_assert_int_eq(V.hz, 20);
    ck_assert_int_eq(V.nsave, 0);

    /* atomic: the bad hz leaves maxmemory untouched */
    ck_assert_int_eq(SET("maxmemory", "5", "hz", "abc"), -1);
    ck_assert_str_eq(err, "ERR CONFIG SET failed (possibly related to argument 'hz') - "
                          "argument couldn't be parsed into an integer");
    ck_assert_uint_eq(V.maxmemory, 10ULL << 20);

    ck_assert_int_eq(SET("maxmemory", "5", "foo", "1", "daemonize", "yes"), -1);
    ck_assert_str_eq(err, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
    ck_assert_int_eq(SET("daemonize", "yes", "foo", "1"), -1);     /* first error wins */
    ck_assert_str_eq(err, "ERR CONFIG SET failed (possibly related to argument 'daemonize') "
                          "- can't set immutable config");
    const char *imm[] = {"port", "bind", "unixsocket", "unixsocketperm", "databases",
                         "workers", "arena-size", "pidfile", "logfile", "replicaof"};
    for (size_t i = 0; i < sizeof(imm) / sizeof(imm[0]); i++) {
        ck_assert_int_eq(SET(imm[i], "1"), -1);
        ck_assert_ptr_nonnull(strstr(err, "can't set immutable config"));
    }
    ck_assert_int_eq(SET("dir", "/tmp"), -1);
    ck_assert_str_eq(err, "ERR CONFIG SET failed (possibly related to argument 'dir') - "
                          "can't set protected config");
    ck_assert_int_eq(SET("lua-time-limit", "5", "LUA-TIME-LIMIT", "6"), -1);
    ck_assert_str_eq(err, "ERR CONFIG SET failed (possibly related to argument "
                          "'LUA-TIME-LIMIT') - duplicate parameter");
    /* an alias and its name are different parameters in Redis 7.0; last wins */
    ck_assert_int_eq(SET("lua-time-limit", "5", "busy-reply-threshold", "6"), 0);
    ck_assert_int_eq(V.busy_reply_threshold, 6);
    ck_assert_int_eq(SET("LUA-TIME-LIMIT", "x"), -1);        /* errors name the alias */
    ck_assert_str_eq(err, "ERR CONFIG SET failed (possibly related to argument "
                          "'lua-time-limit') - argument couldn't be parsed into an integer");
    ck_assert_int_eq(SET("maxmemory", "1", "hz"), -1);
    ck_assert_str_eq(err, "ERR syntax error");
    ck_assert_int_eq(SET("maxmemory"), -1);
    ck_assert_str_eq(err, "ERR wrong number of arguments for 'config|set' command");

    /* CONFIG SET splits multi-value directives on single spaces */
    ck_assert_int_eq(SET("save", "1 2 3 4"), 0);
    ck_assert_str_eq(get("save"), "1 2 3 4");
    ck_assert_int_eq(SET("save", " 1  2 "), -1);
    ck_assert_int_eq(SET("save", "5 6"), 0);                   /* replaces, not appends */
    ck_assert_str_eq(get("save"), "5 6");

    /* protected configs follow enable-protected-configs */
    ck_assert_int_eq(apply("enable-protected-configs local"), 0);
    size_t lens[] = {10, 5};
    const char *argv[] = {"dbfilename", "x.rdb"};
    ck_assert_int_eq(conf_set_pairs(&V, 2, argv, lens, err, sizeof(err)), -1);
    ck_assert_int_eq(conf_set_pairs_from(&V, 2, argv, lens, 1, err, sizeof(err)), 0);
    ck_assert_str_eq(V.dbfilename, "x.rdb");

    ck_assert(conf_is_sensitive("REQUIREPASS", 11));
    ck_assert(!conf_is_sensitive("port", 4));
}
END_TEST

START_TEST(config_get)
{
    struct got g = {.n = 0};
    ck_assert_int_eq(conf_get(&V, "*max-*-entries", 14, collect, &g), 5);
    g.n = 0;
    ck_assert_int_eq(conf_get(&V, "PORT", 4, collect, &g), 1);        /* echoes the name */
    ck_assert_str_eq(g.name[0], "PORT");
    ck_assert_str_eq(g.val[0], "6379");
    g.n = 0;
    const char *pats[] = {"port", "PORT", "po*"};
    size_t plens[] = {4, 4, 3};
    ck_assert_int_eq(conf_get_many(&V, 3, pats, plens, collect, &g), 1);  /* once */
    ck_assert_int_eq(conf_get(&V, "*delay*", 7, NULL, NULL), 2);   /* hidden ones: no */
    ck_assert_int_eq(conf_get(&V, "key-load-delay", 14, NULL, NULL), 1); /* exact: yes */
    ck_assert_int_eq(conf_get(&V, "slaveof", 7, NULL, NULL), 1);
    ck_assert_int_eq(conf_get(&V, "*slave*", 7, NULL, NULL), 13);
    ck_assert_int_eq(conf_get(&V, "nosuch", 6, NULL, NULL), 0);
    ck_assert_int_eq(conf_get(&V, "*", 1, NULL, NULL), 194);   /* Redis's 192 + 2 ours */
    ck_assert_int_eq(conf_get(&V, "", 0, NULL, NULL), 0);
}
END_TEST

START_TEST(shared_copy)
{
    /* the values are position independent: a byte copy reads back the same */
    struct conf_values *copy = malloc(sizeof(*copy));
    ck_assert_int_eq(apply("save 9 9"), 0);
    ck_assert_int_eq(apply("requirepass secret"), 0);
    memcpy(copy, &V, sizeof(V));
    memset(&V, 0xAB, sizeof(V));
    memcpy(&V, copy, sizeof(V));
    free(copy);
    ck_assert_str_eq(get("save"), "9 9");
    ck_assert_str_eq(get("requirepass"), "secret");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("conf");
    TCase *tc = tcase_create("conf");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, types_in_file);
    tcase_add_test(tc, specials_in_file);
    tcase_add_test(tc, multi_value_resplit);
    tcase_add_test(tc, config_set);
    tcase_add_test(tc, config_get);
    tcase_add_test(tc, shared_copy);
    suite_add_tcase(s, tc);
    return fixture_run_suite(s);
}
