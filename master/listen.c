/* master/listen.c - binding TCP and unix listening sockets (see listen.h). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "master/listen.h"
#include "util/cpuset.h"
#include "util/log.h"

static int bind_one(const char *addr, int port, int backlog, int reuseport, char *err, size_t errlen)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
    struct addrinfo *res;
    char portstr[16];
    const char *host = addr;

    if (strcmp(addr, "*") == 0) { host = NULL; hints.ai_family = AF_INET; }
    else if (strcmp(addr, "::*") == 0) { host = NULL; hints.ai_family = AF_INET6; }
    snprintf(portstr, sizeof(portstr), "%d", port);
    int rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "Could not resolve %s: %s", addr, gai_strerror(rc));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (reuseport)
            setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
        if (res->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    }
    if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, backlog) != 0) {
        snprintf(err, errlen, "Could not create server TCP listening socket %s:%d: %s",
                 addr, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

static int bind_unix(const struct conf_values *conf, char *err, size_t errlen)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(conf->unixsocket) >= sizeof(sa.sun_path)) {
        snprintf(err, errlen, "unixsocket path too long: %s", conf->unixsocket);
        return -1;
    }
    strcpy(sa.sun_path, conf->unixsocket);
    unlink(conf->unixsocket);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        listen(fd, (int)conf->tcp_backlog) != 0) {
        snprintf(err, errlen, "Failed opening Unix socket: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (conf->unixsocketperm)
        chmod(conf->unixsocket, (mode_t)conf->unixsocketperm);
    return fd;
}

/* Binds one address once per slot; 0, or -1 with the first failure in err (the
 * sockets bound so far closed).  SO_REUSEPORT would let a second server of the same
 * user bind the same port and silently take half the connections, so a plain socket
 * probes the address first: "Address already in use", as Redis says. */
static int bind_slots(const char *addr, int port, int backlog, int nslots, int *fds, char *err, size_t errlen)
{
    int probe = bind_one(addr, port, backlog, 0, err, errlen);
    if (probe < 0)
        return -1;
    close(probe);
    for (int s = 0; s < nslots; s++) {
        fds[s] = bind_one(addr, port, backlog, nslots > 1, err, errlen);
        if (fds[s] < 0) {
            while (s-- > 0)
                close(fds[s]);
            return -1;
        }
        int cpu;                               /* `taskset` and cpusets choose the CPUs */
        if (nslots > 1 && (cpu = cpuset_nth_allowed(s)) >= 0)
            setsockopt(fds[s], SOL_SOCKET, SO_INCOMING_CPU, &cpu, sizeof(cpu));
    }
    return 0;
}

int listen_open(const struct conf_values *conf, int nslots, struct listeners *l, char *err, size_t errlen)
{
    l->ntcp = 0;
    l->nslots = nslots;
    l->unix_fd = -1;
    for (int i = 0; conf->port && i < conf->nbind && l->ntcp < LISTEN_MAX_TCP; i++) {
        const char *addr = conf->bind[i];
        int optional = addr[0] == '-';
        if (bind_slots(addr + optional, (int)conf->port, (int)conf->tcp_backlog, nslots, l->tcp[l->ntcp],
                       err, errlen) == 0) {
            l->ntcp++;
        } else if (optional) {
            log_msg(LOG_WARNING, "%s (optional address, ignored)", err);
        } else {
            return -1;
        }
    }
    if (conf->port && l->ntcp == 0) {
        snprintf(err, errlen, "Failed listening on port %lld (tcp), aborting.", (long long)conf->port);
        return -1;
    }
    if (conf->unixsocket[0] && (l->unix_fd = bind_unix(conf, err, errlen)) < 0)
        return -1;
    return 0;
}

void listen_close(struct listeners *l, const struct conf_values *conf)
{
    for (int i = 0; i < l->ntcp; i++)
        for (int s = 0; s < l->nslots; s++)
            close(l->tcp[i][s]);
    if (l->unix_fd >= 0) {
        close(l->unix_fd);
        unlink(conf->unixsocket);
    }
    l->ntcp = 0;
    l->unix_fd = -1;
}
