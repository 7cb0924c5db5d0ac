/* util/repr.c - quoted literals as Redis's sdscatrepr writes them (see repr.h). */
#include "util/repr.h"

/* The letter of a two-character escape, or 0. */
static char short_escape(unsigned char ch)
{
    switch (ch) {
    case '\\': return '\\';
    case '"': return '"';
    case '\n': return 'n';
    case '\r': return 'r';
    case '\t': return 't';
    case '\a': return 'a';
    case '\b': return 'b';
    default: return 0;
    }
}

static int printable(unsigned char ch) { return ch >= 0x20 && ch < 0x7f; }

size_t repr_size(const char *s, size_t len)
{
    size_t n = 2;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        n += short_escape(ch) ? 2 : printable(ch) ? 1 : 4;
    }
    return n;
}

char *repr_write(char *dst, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    *dst++ = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        char e = short_escape(ch);
        if (e) {
            *dst++ = '\\';
            *dst++ = e;
        } else if (printable(ch)) {
            *dst++ = (char)ch;
        } else {
            *dst++ = '\\';
            *dst++ = 'x';
            *dst++ = hex[ch >> 4];
            *dst++ = hex[ch & 15];
        }
    }
    *dst++ = '"';
    return dst;
}
