/* util/cpuset.h - choosing CPUs by position in a set: the supervisor gives worker slot s
 * the s-th CPU the server may run on (master/listen.c), and bench tools open connection
 * i from the i-th CPU they may run on.  Positions wrap around the set's size. */
#ifndef UTIL_CPUSET_H
#define UTIL_CPUSET_H
#include <sched.h>

/* The CPU at position n (counted from 0, modulo the set's size) of set; -1 if empty. */
int cpuset_nth(const cpu_set_t *set, int n);

/* cpuset_nth of the calling thread's affinity; -1 if it cannot be read. */
int cpuset_nth_allowed(int n);
#endif
