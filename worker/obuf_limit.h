/* worker/obuf_limit.h - client-output-buffer-limit: a client whose pending replies
 * (and pub/sub messages) pass its class's hard limit, or stay over the soft limit for
 * longer than its seconds, is closed, as Redis's checkClientOutputBufferLimits.  The
 * class is pubsub for a client with subscriptions, normal otherwise. */
#ifndef WORKER_OBUF_LIMIT_H
#define WORKER_OBUF_LIMIT_H

#include "conf/conf.h"
#include "worker/client.h"

/* 1 when the client must be closed now (logged); tracks the soft limit's timer. */
int obuf_limit_reached(struct client *c);
/* The same for a client whose class the caller knows (a message's subscriber). */
int obuf_limit_reached_in(struct client *c, enum conf_obuf_class cls);
#endif
