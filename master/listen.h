/* master/listen.h - the listening sockets, bound by the supervisor before the
 * workers fork and kept open by it for their whole life.
 *
 * Each TCP address gets one SO_REUSEPORT socket per worker slot (a shared socket with
 * EPOLLEXCLUSIVE wakes the same idle worker again and again, so one worker got every
 * connection).  Slot s's sockets carry SO_INCOMING_CPU = the s-th CPU the server may run
 * on: the kernel (6.2 and later) hands a new connection to the socket of the CPU its SYN
 * arrived on, and spreads by hash over all of them otherwise.  A NIC spreads remote
 * clients' connections over CPUs and so over workers, each worker serving the
 * connections whose packets its CPU handles; a local client's connections go to the
 * worker of the CPU it connects from, the way a busy client and its server share
 * work on few cores (BENCHMARKS.md, "Pipeline 1").  Because
 * the supervisor holds every socket, connections that arrive for a slot whose worker
 * is dead wait in that socket's queue until the respawned worker accepts them; none
 * is reset.  The unix socket is one socket shared with EPOLLEXCLUSIVE. */
#ifndef MASTER_LISTEN_H
#define MASTER_LISTEN_H
#include "conf/conf.h"

#include "shm/arena.h"

#define LISTEN_MAX_TCP 16

struct listeners {
    int ntcp;                               /* addresses bound */
    int nslots;
    int tcp[LISTEN_MAX_TCP][SHM_MAX_WORKERS];   /* [address][slot] */
    int unix_fd;
};

/* Binds every `bind` address on `port` (a leading '-' marks an address whose
 * failure is tolerated, as Redis) and the `unixsocket`.  0 ok, -1 with a message in err. */
int listen_open(const struct conf_values *conf, int nslots, struct listeners *l, char *err, size_t errlen);
void listen_close(struct listeners *l, const struct conf_values *conf);
#endif
