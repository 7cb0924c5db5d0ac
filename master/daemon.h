/* master/daemon.h - detaching from the terminal and the pidfile. */
#ifndef MASTER_DAEMON_H
#define MASTER_DAEMON_H
/* fork + setsid, stdio to /dev/null; the parent exits 0. */
void daemon_detach(void);
/* Writes our pid to path (no-op for ""). 0 ok, -1 error (logged). */
int daemon_write_pidfile(const char *path);
void daemon_remove_pidfile(const char *path);
#endif
