/* worker/busy.c - a worker whose own client runs a long script.
 *
 * The script holds the keyspace lock and runs inside this process, so the worker's
 * event loop is not running.  Past busy-reply-threshold the script's instruction
 * hook calls worker_busy_poll(), which serves this worker's other clients as Redis
 * serves clients during a busy script: new connections are accepted, commands that
 * need no lock run (SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE, PING...) and every
 * other command is answered -BUSY.  Nothing here touches the keyspace, the undo log
 * or the batch in progress; the timer, the eventfd and closed connections are left
 * for the normal loop (epoll is level-triggered, so they fire again).  A shutdown
 * requested meanwhile ends the process at once: the script's write, never committed,
 * is rolled back like any write of a dead worker. */
#include <sys/epoll.h>
#include <unistd.h>

#include "conf/conf.h"
#include "worker/dispatch.h"
#include "worker/worker.h"

#define BUSY_EVENTS 64
#define EV_FIXED_LIMIT 64

static void serve_busy_client(struct client *c)
{
    if (c == worker.running || (c->flags & (CLIENT_BLOCKED | CLIENT_CLOSE_ASAP | CLIENT_CLOSE_AFTER_REPLY)))
        return;
    if (client_read(c) <= 0)
        return;
    struct request_limits lim = { .proto_max_bulk_len = worker_conf()->proto_max_bulk_len,
                                  .authenticated = c->authenticated };
    char err[128];
    while (c->qpos < c->qlen && !(c->flags & CLIENT_CLOSE_AFTER_REPLY)) {
        size_t consumed = 0;
        int rc = request_parse(&c->req, c->qbuf + c->qpos, c->qlen - c->qpos, &consumed, &lim, err, sizeof(err));
        if (rc <= 0)
            break;
        if (c->req.argc > 0)
            dispatch_command_busy(c);
        c->qpos += consumed;
        request_reset(&c->req);
    }
    client_compact_query(c);
    if (client_write(c) == 0)
        worker_want_write(c, 1);
}

void worker_busy_poll(void)
{
    if (worker_stop_requested())    /* SHUTDOWN NOSAVE during the script: its write is dropped */
        _exit(0);
    struct epoll_event events[BUSY_EVENTS];
    int n = epoll_wait(worker.epfd, events, BUSY_EVENTS, 0);
    for (int i = 0; i < n; i++) {
        uint64_t u = events[i].data.u64;
        if (u < EV_FIXED_LIMIT)
            worker_accept_event(u);
        else if (events[i].events & EPOLLIN)
            serve_busy_client(events[i].data.ptr);
    }
}
