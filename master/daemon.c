/* master/daemon.c - daemonize and pidfile (see daemon.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "master/daemon.h"
#include "util/log.h"

void daemon_detach(void)
{
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(1);
    }
    if (pid > 0)
        exit(0);
    setsid();
    int fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO)
            close(fd);
    }
}

int daemon_write_pidfile(const char *path)
{
    if (!path || !*path)
        return 0;
    FILE *f = fopen(path, "w");
    if (!f) {
        log_msg(LOG_WARNING, "Failed to write PID file %s: %s", path, strerror(errno));
        return -1;
    }
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
    return 0;
}

void daemon_remove_pidfile(const char *path)
{
    if (path && *path)
        unlink(path);
}
