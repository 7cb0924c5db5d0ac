/* util/log.h - the server log, in Redis's format:
 *   pid:R dd Mon yyyy hh:mm:ss.mmm * message
 * R is the role: X supervisor ("master" process in the nginx sense), W worker,
 * C child (save).  Lines under the configured level are dropped.  The log file
 * (or stderr) is opened by the supervisor and inherited by every process; each line
 * is one write(2) so lines from several processes never interleave. */
#ifndef UTIL_LOG_H
#define UTIL_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3, LOG_NOTHING = 4 };

/* path "" logs to stderr.  Returns 0, or -1 with errno if the file can't be opened. */
int log_open(const char *path, int level);
void log_set_level(int level);
void log_set_role(char role);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Async-signal-safe variant for crash handlers: writes msg as it is. */
void log_raw(const char *msg);
#endif
