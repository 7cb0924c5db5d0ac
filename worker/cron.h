/* worker/cron.h - periodic work of a worker, driven by its timerfd at `hz`.
 * Housekeeping of the shared keyspace (active expiry, table rehash/shrink) has one
 * owner: the worker in slot 0; active expiry stops while DEBUG SET-ACTIVE-EXPIRE 0 or a
 * CLIENT PAUSE is in force.  Every worker handles its own clients (idle timeout, query
 * buffer shrinking, resuming paused clients once the pause ends), steps its Lua
 * state's garbage collector, and publishes its counters to its arena slot. */
#ifndef WORKER_CRON_H
#define WORKER_CRON_H
void cron_tick(void);
/* Copies this process's keyspace counters and private heap size into its slot (INFO
 * calls it too). */
void cron_publish_stats(void);
#endif
