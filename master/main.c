/* master/main.c - ferrous-server's entry point: read the config, detach if asked,
 * create the arena (keyspace, shared config, client registry), bind the sockets,
 * then hand over to the supervisor, which forks the workers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "keyspace/blocking.h"
#include "keyspace/db.h"
#include "keyspace/inbox.h"
#include "master/config_file.h"
#include "master/daemon.h"
#include "master/listen.h"
#include "master/supervisor.h"
#include "shm/alloc.h"
#include "shm/lock.h"
#include "shm/undo.h"
#include "util/log.h"
#include "worker/dispatch.h"
#include "worker/registry.h"
#include "worker/server_cmds.h"

#define REGISTRY_SPARE 64

static int worker_count(const struct conf_values *conf)
{
    long n = conf->workers > 0 ? conf->workers : sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    return n > SHM_MAX_WORKERS ? SHM_MAX_WORKERS : (int)n;
}

static uint64_t arena_size(const struct conf_values *conf)
{
    if (conf->arena_size)
        return (uint64_t)conf->arena_size;
    uint64_t ram = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
    if (conf->maxmemory && (uint64_t)conf->maxmemory * 2 < ram)
        return (uint64_t)conf->maxmemory * 2;
    return ram;
}

/* Lays out the shared state every worker needs, in one write. */
static int create_arena(const struct conf_values *conf, const char *configfile, int nworkers)
{
    char err[256];
    struct shm_arena_params p = {
        .arena_size = arena_size(conf), .ndbs = (uint32_t)conf->databases, .nworkers = (uint32_t)nworkers,
    };
    if (shm_arena_create(&p, err, sizeof(err)) < 0) {
        log_msg(LOG_WARNING, "Can't create the shared arena: %s", err);
        return -1;
    }
    shm_lock_acquire();
    undo_begin();
    db_create_all((uint32_t)conf->databases);
    block_create((uint32_t)conf->databases);
    inbox_create();
    shm_off_t conf_off = shm_alloc(sizeof(*conf));
    memcpy(shm_ptr(conf_off), conf, sizeof(*conf));
    UNDO_SET(shm_header()->config_off, conf_off);
    snprintf(shm_header()->config_file, sizeof(shm_header()->config_file), "%s", configfile);
    registry_create((uint32_t)conf->maxclients + REGISTRY_SPARE);
    undo_commit();
    shm_lock_release();
    return 0;
}

int main(int argc, char **argv)
{
    static struct conf_values conf;
    char configfile[1024] = "";
    char err[256];

    int rc = config_load(argc, argv, &conf, configfile, sizeof(configfile));
    if (rc != 0)
        return rc < 0 ? 1 : 0;
    if (conf.daemonize)
        daemon_detach();
    if (log_open(conf.logfile, (int)conf.loglevel) != 0) {
        fprintf(stderr, "Can't open the log file: %s\n", conf.logfile);
        return 1;
    }
    int nworkers = worker_count(&conf);
    log_msg(LOG_NOTICE, "Ferrous %s (Redis %s compatible) starting, pid=%d, %d workers",
            FERROUS_VERSION, FERROUS_REDIS_VERSION, (int)getpid(), nworkers);
    if (!configfile[0])
        log_msg(LOG_WARNING, "Warning: no config file specified, using the default config.");
    dispatch_register_all();
    if (create_arena(&conf, configfile, nworkers) != 0)
        return 1;
    struct listeners l;
    if (listen_open(&conf, nworkers, &l, err, sizeof(err)) != 0) {
        log_msg(LOG_WARNING, "%s", err);
        return 1;
    }
    daemon_write_pidfile(conf.pidfile);
    log_msg(LOG_NOTICE, "Server initialized");
    log_msg(LOG_NOTICE, "Ready to accept connections");
    rc = supervisor_run(nworkers, &l);
    listen_close(&l, &conf);
    daemon_remove_pidfile(conf.pidfile);
    log_msg(LOG_WARNING, "Ferrous is now ready to exit, bye bye...");
    return rc;
}
