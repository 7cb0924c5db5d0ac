/* master/supervisor.h - forking the workers, respawning any that dies, and shutting
 * everything down on SIGTERM/SIGINT or SHUTDOWN.  The supervisor never takes the
 * keyspace lock and never reads the keyspace. */
#ifndef MASTER_SUPERVISOR_H
#define MASTER_SUPERVISOR_H
#include "master/listen.h"

/* Exit status with which a worker says "fatal: do not respawn me". */
#define WORKER_EXIT_FATAL 3

/* Runs until shutdown; returns the process exit code. */
int supervisor_run(int nworkers, const struct listeners *l);
#endif
