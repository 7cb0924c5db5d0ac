/* util/splitargs.h - split a line into arguments with redis.conf / inline-command
 * quoting rules (Redis's sdssplitargs): spaces separate; "double quotes" take
 * \n \r \t \b \a \\ \" and \xHH escapes; 'single quotes' take only \'; a closing quote
 * must be followed by a space or the end of the line. */
#ifndef UTIL_SPLITARGS_H
#define UTIL_SPLITARGS_H
#include <stddef.h>

struct splitargs {
    int argc;
    char **argv;        /* argv[i] is NUL-terminated; may contain NUL bytes inside */
    size_t *argvlen;
};

/* Splits line[0..len). Returns 0 and fills out (free with splitargs_free), or -1 on
 * unbalanced quotes. */
int splitargs(const char *line, size_t len, struct splitargs *out);
void splitargs_free(struct splitargs *a);
#endif
