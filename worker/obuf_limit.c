/* worker/obuf_limit.c - client-output-buffer-limit (see obuf_limit.h).  The soft
 * limit's start time is kept in the client's registry record (single writer: the
 * client's worker). */
#include "conf/shared.h"
#include "keyspace/db.h"
#include "util/log.h"
#include "worker/cmd_pubsub.h"
#include "worker/obuf_limit.h"
#include "worker/registry.h"

/* Over the soft limit: 1 once that lasted longer than its seconds. */
static int soft_expired(struct client *c, const struct conf_obuf_limit *l)
{
    int64_t now = db_wall_ms();
    if (!c->record->obuf_soft_since_ms) {
        c->record->obuf_soft_since_ms = now;
        return 0;
    }
    return now - c->record->obuf_soft_since_ms > (int64_t)l->soft_seconds * 1000;
}

int obuf_limit_reached_in(struct client *c, enum conf_obuf_class cls)
{
    const struct conf_obuf_limit *l = &conf_shared()->obuf_limits[cls];
    unsigned long long used = c->out.len - c->out_sent;
    int over = l->hard && used >= l->hard;
    if (l->soft && used >= l->soft)
        over |= soft_expired(c, l);
    else if (c->record->obuf_soft_since_ms)
        c->record->obuf_soft_since_ms = 0;
    if (over)
        log_msg(LOG_WARNING, "Client id=%llu addr=%s scheduled to be closed ASAP for overcoming of output "
                "buffer limits.", (unsigned long long)c->id, c->addr);
    return over;
}

int obuf_limit_reached(struct client *c)
{
    return obuf_limit_reached_in(c, pubsub_client_subscribed(c) ? CONF_OBUF_PUBSUB : CONF_OBUF_NORMAL);
}
