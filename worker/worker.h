/* worker/worker.h - a worker process: its event loop, its clients and its slot in
 * the arena.  One worker per process; the globals here are that process's. */
#ifndef WORKER_WORKER_H
#define WORKER_WORKER_H

#include <stdint.h>
#include "shm/arena.h"
#include "worker/client.h"

struct worker_params {
    int slot;                           /* index in the arena's worker slots */
    int ntcp;
    int tcp_fds[16];                    /* this slot's listening socket per address */
    int unix_fd;                        /* -1 if none */
};

struct worker {
    int slot;
    struct shm_worker_slot *shm;        /* this worker's slot in the arena */
    int epfd;
    int timer_fd;
    struct client *clients;             /* all clients of this worker */
    uint64_t nclients;
    struct client *batch;               /* clients with parsed commands this round */
    uint64_t nblocked;                  /* clients parked on keys */
    struct client *running;             /* the client whose command runs now */
    int64_t cron_runs;
    int shutting_down;
};

extern struct worker worker;

/* Runs the worker; never returns (exits the process). */
__attribute__((noreturn)) void worker_main(const struct worker_params *p);

/* Shared config values (conf/conf.h struct conf_values in the arena). */
struct conf_values *worker_conf(void);

void worker_unlink_client(struct client *c);
void worker_close_client(struct client *c);
void worker_want_write(struct client *c, int on);
/* Puts c in the current batch: its input is processed and its replies written at the
 * end of this loop round (monitor lines, resumed paused clients). */
void worker_schedule(struct client *c);
/* Moves messages from this worker's inbox to its clients (takes the lock unless
 * *locked says it is held; leaves it held and sets *locked). */
void worker_drain_inbox(int *locked);
/* Accepts on the listening socket of a fixed epoll event (no lock needed). */
void worker_accept_event(uint64_t ev_data);
/* True once the supervisor asked this worker to stop (SIGTERM). */
int worker_stop_requested(void);
/* Keeps the worker responsive while one of its scripts runs long (worker/busy.c). */
void worker_busy_poll(void);

/* Times out blocked clients whose deadline passed. */
void worker_block_timeouts(void);
#endif
