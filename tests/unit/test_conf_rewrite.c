/* tests/unit/test_conf_rewrite.c - conf/rewrite.c, CONFIG REWRITE's merge of an old
 * config file with the current values.  The expected files are what redis-server
 * 7.0.15 wrote for the same file and the same CONFIG SETs, except two things Redis
 * does differently: it appends new lines in its hash table's order (here: the table's;
 * the tests compare appended lines as a set) and it always appends a "user default ..."
 * line (Ferrous has no ACL users). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/fixture.h"
#include "conf/conf.h"
#include "conf/rewrite.h"
#include "util/splitargs.h"

static struct conf_values conf;

/* Applies config-file lines ("name args...", one per string). */
static void apply(const char *const *lines)
{
    for (; *lines; lines++) {
        struct splitargs a;
        char err[256];
        ck_assert_int_eq(splitargs(*lines, strlen(*lines), &a), 0);
        ck_assert_msg(conf_apply(&conf, a.argc, a.argv, a.argvlen, err, sizeof(err)) == 0, "%s: %s", *lines, err);
        splitargs_free(&a);
    }
}

static char *rewrite(const char *old)
{
    size_t len;
    char *text = conf_rewrite(&conf, old, strlen(old), &len);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(strlen(text), len);
    return text;
}

/* The text is head followed by exactly the lines of tail, in any order. */
static void check_result(const char *text, const char *head, const char *const *tail)
{
    size_t hlen = strlen(head), n = 0;
    ck_assert_msg(strncmp(text, head, hlen) == 0, "got:\n%s\nwanted head:\n%s", text, head);
    const char *p = text + hlen;
    for (; tail[n]; n++) {
        char want[256];
        snprintf(want, sizeof(want), "%s\n", tail[n]);
        ck_assert_msg(strstr(p, want) != NULL, "missing appended line '%s' in:\n%s", tail[n], p);
    }
    size_t lines = 0;
    for (; *p; p++)
        lines += *p == '\n';
    ck_assert_msg(lines == n, "%zu appended lines, wanted %zu:\n%s", lines, n, text + hlen);
}

static void setup(void) { conf_defaults(&conf); }

START_TEST(replaces_in_place_blanks_leftovers_appends_changes)
{
    static const char *const file[] = {
        "port 17002", "maxmemory 100mb", "save 900 1", "save 300 10", "slaveof 127.0.0.1 9999", "hz 15",
        "HZ 20", "client-output-buffer-limit pubsub 32mb 8mb 60", "loglevel notice", "appendonly no",
        "dir /tmp", NULL };
    static const char *const changes[] = {
        "save \"\"", "maxmemory 200mb", "slowlog-max-len 200", "notify-keyspace-events KEA",
        "requirepass \"a\\\"b c\"", NULL };
    apply(file);
    apply(changes);
    char *text = rewrite("# My config\nport 17002\n# memory\nmaxmemory 100mb   \nsave 900 1\nsave 300 10\n"
                         "slaveof 127.0.0.1 9999\nhz 15\n   # indented comment\nHZ 20\n"
                         "client-output-buffer-limit pubsub 32mb 8mb 60\nloglevel notice\nappendonly no\n"
                         "dir /tmp\n");
    static const char *const appended[] = {
        "latency-tracking-info-percentiles 50 99 99.9", "slowlog-max-len 200", "requirepass \"a\\\"b c\"",
        "notify-keyspace-events \"AKE\"", NULL };
    check_result(text, "# My config\nport 17002\n# memory\nmaxmemory 200mb\nsave \"\"\n\n"
                       "replicaof 127.0.0.1 9999\nhz 20\n# indented comment\n\n"
                       "client-output-buffer-limit normal 0 0 0\nloglevel notice\nappendonly no\ndir \"/tmp\"\n\n"
                       CONF_REWRITE_SIGNATURE "\n", appended);
    free(text);
}
END_TEST

START_TEST(aliases_units_and_multi_line_directives)
{
    static const char *const file[] = {
        "port 17002", "hash-max-ziplist-entries 100", "slave-read-only yes", "lua-time-limit 6000",
        "maxmemory 1000", "save 60 1", "bind 127.0.0.1", "client-output-buffer-limit replica 1gb 100mb 30",
        "dir /tmp", NULL };
    static const char *const changes[] = {
        "hash-max-listpack-entries 200", "replica-read-only no", "maxmemory 3072", "save \"\"",
        "save 100 10", "save 200 20", "oom-score-adj-values 0 200 900",
        "client-output-buffer-limit normal 10mb 5mb 10", "appendfsync always", "maxmemory-clients 10%", NULL };
    apply(file);
    apply(changes);
    char *text = rewrite("port 17002\nhash-max-ziplist-entries 100\nslave-read-only yes\nlua-time-limit 6000\n"
                         "maxmemory 1000\nsave 60 1\nbind 127.0.0.1\n"
                         "client-output-buffer-limit replica 1gb 100mb 30\n");
    static const char *const appended[] = {
        "oom-score-adj-values 0 200 900", "client-output-buffer-limit replica 1gb 100mb 30",
        "latency-tracking-info-percentiles 50 99 99.9", "save 200 20", "maxmemory-clients 10%", "dir \"/tmp\"",
        "appendfsync always", NULL };
    check_result(text, "port 17002\nhash-max-listpack-entries 200\nreplica-read-only no\nbusy-reply-threshold 6000\n"
                       "maxmemory 3kb\nsave 100 10\nbind 127.0.0.1\nclient-output-buffer-limit normal 10mb 5mb 10\n\n"
                       CONF_REWRITE_SIGNATURE "\n", appended);
    free(text);
}
END_TEST

START_TEST(kept_lines_signature_and_blank_runs)
{
    static const char *const file[] = { "port 17002", "save 60 1", "loglevel warning", "dir /tmp", NULL };
    apply(file);
    /* no trailing newline: the signature follows the last line directly */
    char *text = rewrite("port 17002\ninclude /dev/null\nrename-command GET GETX\n  \nsave 60 1\n\n\n\n"
                         "loglevel warning");
    static const char *const appended[] = { "latency-tracking-info-percentiles 50 99 99.9", "dir \"/tmp\"", NULL };
    check_result(text, "port 17002\ninclude /dev/null\nrename-command GET GETX\n\nsave 60 1\n\nloglevel warning\n"
                       CONF_REWRITE_SIGNATURE "\n", appended);
    /* rewriting the result again changes nothing but the trailing blank line */
    char *again = rewrite(text);
    ck_assert_uint_eq(strlen(again), strlen(text) + 1);
    ck_assert(strncmp(again, text, strlen(text)) == 0 && strcmp(again + strlen(text), "\n") == 0);
    free(again);
    free(text);
}
END_TEST

START_TEST(unparsable_lines_become_comments)
{
    char *text = rewrite("unbalanced \"quote\nport 6379\n");
    ck_assert_msg(strncmp(text, "# ??? unbalanced \"quote\nport 6379\n\n" CONF_REWRITE_SIGNATURE "\n",
                          strlen("# ??? unbalanced \"quote\nport 6379\n\n" CONF_REWRITE_SIGNATURE "\n")) == 0,
                  "%s", text);
    free(text);
}
END_TEST

START_TEST(missing_file_gets_every_forced_line)
{
    static const char *const changes[] = { "maxmemory 10mb", "port 17002", "dir /tmp", NULL };
    apply(changes);
    char *text = rewrite("");
    static const char *const appended[] = {
        "maxmemory 10mb", "latency-tracking-info-percentiles 50 99 99.9", "port 17002", "dir \"/tmp\"",
        "save 3600 1", "save 300 100", "save 60 10000", NULL };
    check_result(text, CONF_REWRITE_SIGNATURE "\n", appended);
    free(text);
}
END_TEST

START_TEST(defaults_in_the_file_stay_and_unset_values_go)
{
    /* a default value already in the file is rewritten in place; bind at its default
     * and replicaof on a primary lose their lines */
    static const char *const file[] = { "timeout 0", "dir /tmp", NULL };
    apply(file);
    char *text = rewrite("timeout 0\nbind * -::*\nreplicaof 10.0.0.1 6379\ndir /tmp\nsave 3600 1\n");
    ck_assert_msg(strncmp(text, "timeout 0\n\ndir \"/tmp\"\nsave 3600 1\n\n" CONF_REWRITE_SIGNATURE "\n",
                          strlen("timeout 0\n\ndir \"/tmp\"\nsave 3600 1\n\n" CONF_REWRITE_SIGNATURE "\n")) == 0,
                  "%s", text);
    free(text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("conf_rewrite");
    TCase *tc = tcase_create("rewrite");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, replaces_in_place_blanks_leftovers_appends_changes);
    tcase_add_test(tc, aliases_units_and_multi_line_directives);
    tcase_add_test(tc, kept_lines_signature_and_blank_runs);
    tcase_add_test(tc, unparsable_lines_become_comments);
    tcase_add_test(tc, missing_file_gets_every_forced_line);
    tcase_add_test(tc, defaults_in_the_file_stay_and_unset_values_go);
    suite_add_tcase(s, tc);
    return fixture_run_suite(s);
}
