/* worker/client.h - one client connection of this worker: its socket, query buffer,
 * parser state, pending replies and session state (db, RESP version, auth, name).
 *
 * A client belongs to exactly one worker for its whole life; its record in the
 * arena's client registry (worker/registry.h) makes it visible to the others
 * (CLIENT LIST, CLIENT KILL).  Everything here is process-private memory.
 */
#ifndef WORKER_CLIENT_H
#define WORKER_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include "proto/reply.h"
#include "proto/request.h"
#include "shm/arena.h"

struct client_record;
struct command;
struct multi_state;

enum client_flags {
    CLIENT_CLOSE_AFTER_REPLY = 1 << 0,  /* QUIT, protocol error: close once written */
    CLIENT_CLOSE_ASAP = 1 << 1,         /* killed: close without writing */
    CLIENT_PENDING_WRITE = 1 << 2,      /* on the worker's write list */
    CLIENT_WANT_WRITE = 1 << 3,         /* EPOLLOUT registered */
    CLIENT_UNIX = 1 << 4,
    CLIENT_IN_BATCH = 1 << 5,           /* has parsed commands waiting for the lock */
    CLIENT_BLOCKED = 1 << 6,            /* parked on keys (BLPOP...): input not processed */
    CLIENT_MULTI = 1 << 7,              /* inside MULTI: commands are queued (worker/multi.c) */
    CLIENT_REPLY_OFF = 1 << 8,          /* CLIENT REPLY OFF (worker/cmd_reset.c) */
    CLIENT_REPLY_SKIP_NEXT = 1 << 9,    /* CLIENT REPLY SKIP: drop the next command's reply */
    CLIENT_REPLY_SKIP = 1 << 10,        /* drop this command's reply */
    CLIENT_MONITOR = 1 << 16,           /* MONITOR: gets every command's line (worker/monitor.h) */
    CLIENT_NO_EVICT = 1 << 17,          /* CLIENT NO-EVICT ON (shown as 'e') */
    CLIENT_PAUSED = 1 << 18,            /* its command waits for CLIENT PAUSE to end (pause.h) */
};

struct client {
    uint64_t id;
    int fd;
    uint32_t flags;
    int resp;
    int dbid;
    int authenticated;
    int64_t created_ms, last_interaction_ms;

    char *qbuf;                         /* query buffer: [qpos, qlen) not yet parsed */
    size_t qlen, qcap, qpos;
    struct request req;
    struct reply out;                   /* replies not yet written: [out_sent, out.len) */
    size_t out_sent;

    struct client_record *record;       /* in the arena registry */
    char addr[64], laddr[64];
    const struct command *last_cmd;     /* the last command run (its name is in the record) */

    shm_off_t block_waiter;             /* CLIENT_BLOCKED: its waiter in the arena */
    int64_t block_deadline_ms;          /* 0: blocked without timeout */

    struct multi_state *tx;             /* MULTI queue, WATCHed keys (worker/multi.c); NULL: none */

    struct client *prev, *next;         /* the worker's list of clients */
    struct client *batch_next;          /* clients with work in the current batch */
};

struct client *client_create(int fd, int is_unix);
void client_free(struct client *c);

/* Reads what the socket has into the query buffer: >0 bytes read, 0 nothing (EAGAIN),
 * -1 connection closed or failed. */
long client_read(struct client *c);

/* Writes pending replies: 1 all written, 0 socket full (wait for EPOLLOUT), -1 error. */
int client_write(struct client *c);

/* Drops the consumed prefix of the query buffer. */
void client_compact_query(struct client *c);
#endif
