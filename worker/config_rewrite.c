/* worker/config_rewrite.c - CONFIG REWRITE: the config file the server started with
 * (shm_header()->config_file, an absolute path) rewritten to hold the current values,
 * keeping its comments and order (conf/rewrite.h).
 *
 * It runs under the keyspace lock, so the values are one consistent snapshot and two
 * rewrites from different workers never interleave.  The file is replaced safely: the
 * new text goes to "<file>.<pid>.tmp" next to it, is fsynced and renamed over the old
 * one, and the directory is fsynced.  Where the directory is not writable (a config
 * in /etc owned by root, the file itself writable) the file is overwritten in place,
 * as Debian's redis-server does. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/rewrite.h"
#include "conf/shared.h"
#include "util/log.h"
#include "worker/config_rewrite.h"

/* The whole file into a malloc'd buffer; a missing file reads as empty.  NULL and
 * errno set on failure. */
static char *read_all(const char *path, size_t *len)
{
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? calloc(1, 1) : NULL;
    size_t cap = 4096;
    char *buf = malloc(cap);
    while (buf) {
        if (*len == cap) {
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                errno = ENOMEM;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + *len, cap - *len);
        if (n > 0)
            *len += (size_t)n;
        else if (n == 0)
            break;
        else if (errno != EINTR) {
            free(buf);
            buf = NULL;
        }
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return buf;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void fsync_dir(const char *path)
{
    char *copy = strdup(path);
    int fd = copy ? open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

/* In place, when no file can be created next to it. */
static int overwrite(const char *path, const char *text, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    int rc = write_all(fd, text, len) == 0 && ftruncate(fd, (off_t)len) == 0 && fsync(fd) == 0 ? 0 : -1;
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

static int replace_file(const char *path, const char *text, size_t len)
{
    char tmp[1100];
    snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return errno == EACCES || errno == EROFS ? overwrite(path, text, len) : -1;
    if (write_all(fd, text, len) != 0 || fsync(fd) != 0) {
        int saved = errno;
        close(fd);
        unlink(tmp);
        errno = saved;
        return -1;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        int saved = errno;
        unlink(tmp);
        errno = saved;
        return -1;
    }
    fsync_dir(path);
    return 0;
}

static int rewrite_file(const char *path)
{
    size_t oldlen, len;
    char *old = read_all(path, &oldlen);
    if (!old)
        return -1;
    char *text = conf_rewrite(conf_shared(), old, oldlen, &len);
    free(old);
    if (!text) {
        errno = ENOMEM;
        return -1;
    }
    int rc = replace_file(path, text, len);
    free(text);
    return rc;
}

void config_rewrite_command(struct cmd_ctx *c)
{
    const char *path = shm_header()->config_file;
    if (!path[0]) {
        reply_error(c->reply, "ERR The server is running without a config file");
        return;
    }
    if (rewrite_file(path) != 0) {
        log_msg(LOG_WARNING, "CONFIG REWRITE failed: %s", strerror(errno));
        reply_errorf(c->reply, "ERR Rewriting config file: %s", strerror(errno));
        return;
    }
    log_msg(LOG_NOTICE, "CONFIG REWRITE executed with success.");
    reply_ok(c->reply);
}
