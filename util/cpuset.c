/* util/cpuset.c - choosing CPUs by position in a set (see cpuset.h). */
#include "util/cpuset.h"

int cpuset_nth(const cpu_set_t *set, int n)
{
    int count = CPU_COUNT(set);
    if (count == 0 || n < 0)
        return -1;
    int want = n % count;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, set) && want-- == 0)
            return cpu;
    return -1;
}

int cpuset_nth_allowed(int n)
{
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
        return -1;
    return cpuset_nth(&allowed, n);
}
