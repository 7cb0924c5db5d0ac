/* keyspace/notify.c - keyspace notifications (see notify.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyspace/notify.h"
#include "keyspace/pubsub.h"

static int (*enabled_source)(void);

void notify_set_source(int (*enabled_classes)(void)) { enabled_source = enabled_classes; }

/* Publishes "<prefix><db>__:<suffix>" with message msg.  The channel is built in a
 * buffer kept between calls (an aborted write leaks nothing). */
static void publish_on(const char *prefix, int dbid, const char *suffix, size_t slen, const char *msg, size_t mlen)
{
    static char *chan;
    static size_t cap;
    char head[40];
    int hlen = snprintf(head, sizeof(head), "%s%d__:", prefix, dbid);
    size_t clen = (size_t)hlen + slen;
    if (clen > cap) {
        cap = clen;
        chan = realloc(chan, cap);
    }
    memcpy(chan, head, (size_t)hlen);
    memcpy(chan + hlen, suffix, slen);
    pubsub_publish(0, chan, clen, msg, mlen);
}

void notify_keyspace_event(int type_class, const char *event, int dbid, const char *key, size_t klen)
{
    int enabled = enabled_source ? enabled_source() : 0;
    if (!(enabled & type_class))
        return;
    if (enabled & NOTIFY_KEYSPACE)
        publish_on("__keyspace@", dbid, key, klen, event, strlen(event));
    if (enabled & NOTIFY_KEYEVENT)
        publish_on("__keyevent@", dbid, event, strlen(event), key, klen);
}
