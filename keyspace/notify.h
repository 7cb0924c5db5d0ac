/* keyspace/notify.h - keyspace notifications (notify-keyspace-events): a command that
 * changes a key calls notify_keyspace_event(), which publishes, inside the command's
 * write, "__keyspace@<db>__:<key>" <event> and/or "__keyevent@<db>__:<event>" <key>
 * through the pub/sub registry (keyspace/pubsub.h), as Redis's notifyKeyspaceEvent.
 *
 * The class bits are Redis's NOTIFY_* values, the same as conf/conf.h's
 * CONF_NOTIFY_* that parse the directive (conf/ is a peer layer, so they are restated
 * here; worker/cmd_pubsub.c checks at compile time that they agree).  The enabled
 * classes are read through the function the worker installs with notify_set_source;
 * none is enabled before that (unit tests of the data types). */
#ifndef KEYSPACE_NOTIFY_H
#define KEYSPACE_NOTIFY_H

#include <stddef.h>

enum {
    NOTIFY_KEYSPACE = 1 << 0,   /* K */
    NOTIFY_KEYEVENT = 1 << 1,   /* E */
    NOTIFY_GENERIC = 1 << 2,    /* g */
    NOTIFY_STRING = 1 << 3,     /* $ */
    NOTIFY_LIST = 1 << 4,       /* l */
    NOTIFY_SET = 1 << 5,        /* s */
    NOTIFY_HASH = 1 << 6,       /* h */
    NOTIFY_ZSET = 1 << 7,       /* z */
    NOTIFY_EXPIRED = 1 << 8,    /* x */
    NOTIFY_EVICTED = 1 << 9,    /* e */
    NOTIFY_STREAM = 1 << 10,    /* t */
    NOTIFY_KEY_MISS = 1 << 11,  /* m */
    NOTIFY_MODULE = 1 << 13,    /* d */
    NOTIFY_NEW = 1 << 14,       /* n */
};

/* Installs the function returning the enabled classes (startup, before fork). */
void notify_set_source(int (*enabled_classes)(void));

/* Publishes the event for key of database dbid if type_class is enabled.  In a write. */
void notify_keyspace_event(int type_class, const char *event, int dbid, const char *key, size_t klen);
#endif
