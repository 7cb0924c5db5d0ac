/* master/listen.h - the listening sockets, bound by the supervisor before the
 * workers fork and shared by all of them. */
#ifndef MASTER_LISTEN_H
#define MASTER_LISTEN_H
#include "conf/conf.h"

#define LISTEN_MAX_TCP 16

struct listeners {
    int ntcp;
    int tcp[LISTEN_MAX_TCP];
    int unix_fd;
};

/* Binds every `bind` address on `port` (a leading '-' marks an address whose
 * failure is tolerated, as Redis) and the `unixsocket`.  0 ok, -1 with a message in err. */
int listen_open(const struct conf_values *conf, struct listeners *l, char *err, size_t errlen);
void listen_close(struct listeners *l, const struct conf_values *conf);
#endif
