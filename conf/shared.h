/* conf/shared.h - the config values every process reads: the copy in the arena
 * (header.config_off), changed only by CONFIG SET under the keyspace lock. */
#ifndef CONF_SHARED_H
#define CONF_SHARED_H
#include "conf/conf.h"
#include "shm/arena.h"

static inline struct conf_values *conf_shared(void)
{
    return (struct conf_values *)shm_ptr(shm_header()->config_off);
}
#endif
