/* tests/unit/test_rdb_codec.c - Check tests for rdb/crc64.c, rdb/lzf.c, rdb/codec.c
 * and rdb/payload.c.
 *
 * External vectors are what redis-server 7.0.15 produced: FUNCTION DUMP of one short
 * library (stored verbatim) and of two libraries, one of them LZF-compressed.  The
 * rest compares against models (a bit-at-a-time CRC, the original bytes of a round
 * trip) and feeds truncated, corrupted and random inputs from exact-size malloc'd
 * copies, so a read or write out of bounds shows under ASan. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdb/codec.h"
#include "rdb/crc64.h"
#include "rdb/lzf.h"
#include "rdb/payload.h"
#include "tests/unit/fixture.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void) { return fixture_xorshift(&rng_state); }

/* FUNCTION DUMP of "#!lua name=a\nredis.register_function('f', function() return 1 end)" */
static const char REDIS_DUMP_A[] =
    "f5404223216c7561206e616d653d610a72656469732e72656769737465725f66756e6374696f6e2827"
    "66272c2066756e6374696f6e28292072657475726e203120656e64290a00e3d1b98319f4e384";
/* ... after also loading library b (143 bytes, stored LZF-compressed, first) */
static const char REDIS_DUMP_AB[] =
    "f5c34045408f1f23216c7561206e616d653d620a72656469732e72656769737465725f66756e630974"
    "696f6e282767272c20e0000d0a292072657475726e202761e04200052720656e6429f5404223216c75"
    "61206e616d653d610a72656469732e72656769737465725f66756e6374696f6e282766272c2066756e"
    "6374696f6e28292072657475726e203120656e64290a0036c2697d83f5a6f4";
/* ... of no library at all */
static const char REDIS_DUMP_EMPTY[] = "0a005d9b5c400f7fa2da";

static const char LIB_A[] = "#!lua name=a\nredis.register_function('f', function() return 1 end)";

static unsigned char *from_hex(const char *hex, size_t *len)
{
    *len = strlen(hex) / 2;
    unsigned char *b = malloc(*len ? *len : 1);
    for (size_t i = 0; i < *len; i++)
        sscanf(hex + 2 * i, "%2hhx", &b[i]);
    return b;
}

static char *lib_b(void)
{
    static char code[200];
    snprintf(code, sizeof(code), "#!lua name=b\nredis.register_function('g', function() return '%s' end)",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    return code;
}

static unsigned char *dup_bytes(const void *p, size_t n)
{
    unsigned char *b = malloc(n ? n : 1);
    memcpy(b, p, n);
    return b;
}

static void random_bytes(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)rnd();
}

/* --- crc64 ------------------------------------------------------------------------- */

static uint64_t crc64_bitwise(uint64_t crc, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc & 1) ? (crc >> 1) ^ 0x95ac9329ac4bc9b5ULL : crc >> 1;
    }
    return crc;
}

START_TEST(crc64_check_value)
{
    ck_assert_uint_eq(crc64_update(0, "123456789", 9), 0xe9c6d914c4b8d9caULL);
    ck_assert_uint_eq(crc64_update(0, "", 0), 0);
    ck_assert_uint_eq(crc64_update(0x1234, "", 0), 0x1234);
}
END_TEST

START_TEST(crc64_matches_bitwise_model_and_chains)
{
    unsigned char buf[300];
    random_bytes(buf, sizeof(buf));
    for (size_t start = 0; start < 9; start++) {
        for (size_t n = 0; start + n <= sizeof(buf); n += 1 + n / 7) {
            uint64_t want = crc64_bitwise(0, buf + start, n);
            ck_assert_uint_eq(crc64_update(0, buf + start, n), want);
            size_t cut = n ? (size_t)(rnd() % n) : 0;
            ck_assert_uint_eq(crc64_update(crc64_update(0, buf + start, cut), buf + start + cut, n - cut), want);
        }
    }
}
END_TEST

/* --- lzf --------------------------------------------------------------------------- */

/* Compresses in (to an exact-size buffer of outcap bytes) and checks that the result
 * decompresses back; returns the compressed length (0: did not fit). */
static size_t lzf_round_trip(const unsigned char *in, size_t n, size_t outcap)
{
    unsigned char *c = malloc(outcap ? outcap : 1);
    size_t clen = lzf_compress(in, n, c, outcap);
    ck_assert_uint_le(clen, outcap);
    if (clen) {
        unsigned char *d = malloc(n ? n : 1);
        ck_assert_int_eq(lzf_decompress(c, clen, d, n), (ssize_t)n);
        ck_assert_int_eq(memcmp(d, in, n), 0);
        free(d);
    }
    free(c);
    return clen;
}

START_TEST(lzf_decompresses_redis_blob)
{
    size_t len;
    unsigned char *dump = from_hex(REDIS_DUMP_AB, &len);
    ck_assert_uint_eq(dump[1], 0xc3);                  /* 0xf5, then an LZF string */
    size_t clen = 0x45, ulen = 0x8f;                   /* 14-bit lengths 40 45, 40 8f */
    unsigned char *blob = dup_bytes(dump + 6, clen);
    char *out = malloc(ulen);
    ck_assert_int_eq(lzf_decompress(blob, clen, out, ulen), (ssize_t)ulen);
    ck_assert_int_eq(memcmp(out, lib_b(), ulen), 0);
    ck_assert_int_eq(lzf_decompress(blob, clen, out, ulen - 1), -1);    /* one byte short */
    free(out);
    free(blob);
    free(dump);
}
END_TEST

START_TEST(lzf_round_trips_repetitive_data)
{
    static const size_t sizes[] = { 1, 2, 3, 4, 21, 100, 264, 265, 1000, 8193, 9000, 70000, 300000 };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t n = sizes[i];
        unsigned char *in = malloc(n);
        for (size_t j = 0; j < n; j++)                 /* runs, a period, and some noise */
            in[j] = j % 97 < 40 ? 'a' : (unsigned char)("redis-function"[j % 14] ^ (rnd() % 16 == 0));
        size_t clen = lzf_round_trip(in, n, n + n / 16 + 16);
        ck_assert_uint_gt(clen, 0);
        if (n >= 100)
            ck_assert_uint_lt(clen, n / 2);
        memset(in, 'x', n);                            /* one long run: overlapping copies */
        clen = lzf_round_trip(in, n, n + 16);
        if (n >= 1000)
            ck_assert_uint_lt(clen, n / 50);
        free(in);
    }
}
END_TEST

START_TEST(lzf_random_data_and_small_output)
{
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)(rnd() % 3000);
        unsigned char *in = malloc(n ? n : 1);
        random_bytes(in, n);
        if (round % 2)                                 /* half of them compressible */
            for (size_t j = 0; j + 16 <= n; j += 16)
                memcpy(in + j + 8, in + j, 8);
        /* A literal run costs 1 byte per 32: this much room always suffices. */
        ck_assert_uint_eq(lzf_round_trip(in, n, n + n / 32 + 1) == 0, n == 0);
        if (round % 2 == 0 && n > 4)
            ck_assert_uint_eq(lzf_round_trip(in, n, n - 4), 0);    /* random: never saves 4 */
        size_t cap = n ? (size_t)(rnd() % n) : 0;      /* too small or not: never overruns */
        lzf_round_trip(in, n, cap);
        free(in);
    }
}
END_TEST

START_TEST(lzf_rejects_malformed_input)
{
    unsigned char out[64];
    static const unsigned char ref_before_start[] = { 0x20, 0x00 };
    static const unsigned char ref_too_far[] = { 0x01, 'a', 'b', 0x20, 0x02 };    /* 3 back, 2 written */
    static const unsigned char literal_past_end[] = { 0x05, 'a', 'b' };
    static const unsigned char match_missing_offset[] = { 0x00, 'a', 0x20 };
    static const unsigned char long_match_missing_bytes[] = { 0x00, 'a', 0xe0, 0x01 };
    static const unsigned char ok[] = { 0x00, 'a', 0xe0, 0x01, 0x00 };      /* a + 10 a */
    ck_assert_int_eq(lzf_decompress(ref_before_start, sizeof(ref_before_start), out, sizeof(out)), -1);
    ck_assert_int_eq(lzf_decompress(ref_too_far, sizeof(ref_too_far), out, sizeof(out)), -1);
    ck_assert_int_eq(lzf_decompress(literal_past_end, sizeof(literal_past_end), out, sizeof(out)), -1);
    ck_assert_int_eq(lzf_decompress(match_missing_offset, sizeof(match_missing_offset), out, sizeof(out)), -1);
    ck_assert_int_eq(lzf_decompress(long_match_missing_bytes, sizeof(long_match_missing_bytes), out, sizeof(out)),
                     -1);
    ck_assert_int_eq(lzf_decompress(ok, sizeof(ok), out, sizeof(out)), 11);
    ck_assert_int_eq(memcmp(out, "aaaaaaaaaaa", 11), 0);
    ck_assert_int_eq(lzf_decompress(ok, sizeof(ok), out, 10), -1);
    ck_assert_int_eq(lzf_decompress(ok, 0, out, 0), 0);
}
END_TEST

START_TEST(lzf_corrupted_streams_never_overrun)
{
    unsigned char in[2000];
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (unsigned char)("abcabcabd"[i % 9] + (i % 300 == 0));
    unsigned char comp[2100];
    size_t clen = lzf_compress(in, sizeof(in), comp, sizeof(comp));
    ck_assert_uint_gt(clen, 0);
    for (int round = 0; round < 3000; round++) {
        size_t n = (size_t)(rnd() % (clen + 1));
        unsigned char *c = dup_bytes(comp, n);
        if (round % 3)
            c[rnd() % (n ? n : 1)] ^= (unsigned char)(n ? 1u << (rnd() % 8) : 0);
        if (round % 7 == 0)
            random_bytes(c, n);
        size_t cap = round % 2 ? sizeof(in) : (size_t)(rnd() % sizeof(in));
        unsigned char *out = malloc(cap ? cap : 1);
        ssize_t got = lzf_decompress(c, n, out, cap);
        ck_assert(got >= -1 && got <= (ssize_t)cap);
        free(out);
        free(c);
    }
}
END_TEST

/* --- lengths ----------------------------------------------------------------------- */

static void assert_bytes(const struct rdb_writer *w, const char *hex)
{
    size_t n;
    unsigned char *want = from_hex(hex, &n);
    ck_assert_uint_eq(w->len, n);
    ck_assert_int_eq(memcmp(w->buf, want, n), 0);
    free(want);
}

START_TEST(length_encodings)
{
    static const struct { uint64_t v; const char *hex; } cases[] = {
        { 0, "00" }, { 63, "3f" }, { 64, "4040" }, { 16383, "7fff" }, { 16384, "8000004000" },
        { UINT32_MAX, "80ffffffff" }, { (uint64_t)UINT32_MAX + 1, "810000000100000000" },
        { UINT64_MAX, "81ffffffffffffffff" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct rdb_writer w;
        rdb_writer_init(&w);
        rdb_write_len(&w, cases[i].v);
        assert_bytes(&w, cases[i].hex);
        unsigned char *copy = dup_bytes(w.buf, w.len);
        struct rdb_reader r;
        rdb_reader_init(&r, copy, w.len);
        uint64_t v;
        int encoded = -1;
        ck_assert_int_eq(rdb_read_len(&r, &v, &encoded), RDB_OK);
        ck_assert_uint_eq(v, cases[i].v);
        ck_assert_int_eq(encoded, 0);
        ck_assert_uint_eq(r.pos, w.len);
        for (size_t cut = 0; cut < w.len; cut++) {     /* every truncation is a short read */
            rdb_reader_init(&r, copy, cut);
            ck_assert_int_eq(rdb_read_len(&r, &v, NULL), RDB_ESHORT);
        }
        free(copy);
        rdb_writer_free(&w);
    }
}
END_TEST

START_TEST(length_special_forms)
{
    static const unsigned char enc[] = { 0xc3 }, bad[] = { 0x82, 0, 0, 0, 0, 0, 0, 0, 0 };
    struct rdb_reader r;
    uint64_t v;
    int encoded;
    rdb_reader_init(&r, enc, sizeof(enc));
    ck_assert_int_eq(rdb_read_len(&r, &v, &encoded), RDB_OK);
    ck_assert_int_eq(encoded, 1);
    ck_assert_uint_eq(v, 3);
    rdb_reader_init(&r, enc, sizeof(enc));
    ck_assert_int_eq(rdb_read_len(&r, &v, NULL), RDB_OK);     /* Redis's loader: 6 bits */
    ck_assert_uint_eq(v, 3);
    for (int b = 0x82; b <= 0xbf; b++) {
        unsigned char c[9] = { (unsigned char)b };
        rdb_reader_init(&r, c, sizeof(c));
        ck_assert_int_eq(rdb_read_len(&r, &v, &encoded), RDB_ECORRUPT);
        ck_assert_uint_eq(r.error_at, 0);
        ck_assert_ptr_nonnull(r.error);
    }
    rdb_reader_init(&r, bad, 0);
    ck_assert_int_eq(rdb_read_byte(&r), RDB_ESHORT);
}
END_TEST

/* --- strings ----------------------------------------------------------------------- */

static void write_string_hex(const char *s, size_t n, int compress, const char *hex)
{
    struct rdb_writer w;
    rdb_writer_init(&w);
    rdb_write_string(&w, s, n, compress);
    if (hex)
        assert_bytes(&w, hex);
    unsigned char *copy = dup_bytes(w.buf, w.len);
    struct rdb_reader r;
    rdb_reader_init(&r, copy, w.len);
    char *got;
    size_t len;
    ck_assert_int_eq(rdb_read_string(&r, &got, &len), RDB_OK);
    ck_assert_uint_eq(len, n);
    ck_assert_int_eq(memcmp(got, s, n), 0);
    ck_assert_int_eq(got[len], '\0');
    ck_assert_uint_eq(r.pos, w.len);
    free(got);
    free(copy);
    rdb_writer_free(&w);
}

#define STR_HEX(s, hex) write_string_hex(s, strlen(s), 1, hex)

START_TEST(string_integer_encoding)
{
    STR_HEX("0", "c000");
    STR_HEX("-1", "c0ff");
    STR_HEX("127", "c07f");
    STR_HEX("-128", "c080");
    STR_HEX("128", "c18000");
    STR_HEX("-32768", "c10080");
    STR_HEX("32768", "c200800000");
    STR_HEX("2147483647", "c2ffffff7f");
    STR_HEX("-2147483648", "c200000080");
    STR_HEX("2147483648", "0a32313437343833363438");      /* past int32: raw */
    STR_HEX("007", "03303037");                           /* not canonical: raw */
    STR_HEX("-0", "022d30");
    STR_HEX("+1", "022b31");
    STR_HEX("1 ", "023120");
    STR_HEX("", "00");
}
END_TEST

START_TEST(string_compression_rules)
{
    char s[64];
    memset(s, 'a', sizeof(s));
    write_string_hex(s, 20, 1, "146161616161616161616161616161616161616161");    /* 20: never */
    write_string_hex(s, 21, 0, NULL);
    struct rdb_writer w;
    rdb_writer_init(&w);
    rdb_write_string(&w, s, 21, 0);
    ck_assert_uint_eq(w.buf[0], 21);
    w.len = 0;
    rdb_write_string(&w, s, 21, 1);
    ck_assert_uint_eq(w.buf[0], 0xc3);
    ck_assert_uint_eq(w.buf[2], 21);                  /* uncompressed length */
    ck_assert_uint_le(w.buf[1], 21 - 4);
    w.len = 0;
    unsigned char noise[200];
    random_bytes(noise, sizeof(noise));
    rdb_write_string(&w, noise, sizeof(noise), 1);     /* incompressible: raw */
    ck_assert_uint_eq(w.buf[0], 0x40);
    ck_assert_uint_eq(w.buf[1], 200);
    rdb_writer_free(&w);
    write_string_hex(s, 21, 1, NULL);
    write_string_hex((const char *)noise, sizeof(noise), 1, NULL);
    for (size_t n = 0; n < 20000; n = n * 3 + 7) {     /* lengths of every form */
        char *big = malloc(n + 1);
        for (size_t i = 0; i < n; i++)
            big[i] = (char)('a' + (i * 7 + i / 50) % 26);
        write_string_hex(big, n, 1, NULL);
        write_string_hex(big, n, 0, NULL);
        free(big);
    }
}
END_TEST

/* Reads one string from exactly these bytes; returns the status. */
static int read_hex_string(const char *hex, char **s, size_t *len)
{
    size_t n;
    unsigned char *b = from_hex(hex, &n);
    struct rdb_reader r;
    rdb_reader_init(&r, b, n);
    int rc = rdb_read_string(&r, s, len);
    ck_assert(rc == RDB_OK || (*s == NULL && r.error != NULL));
    free(b);
    return rc;
}

START_TEST(string_reader_errors)
{
    char *s;
    size_t len;
    ck_assert_int_eq(read_hex_string("c4", &s, &len), RDB_ECORRUPT);          /* encoding 4 */
    ck_assert_int_eq(read_hex_string("c3", &s, &len), RDB_ESHORT);
    ck_assert_int_eq(read_hex_string("c30305", &s, &len), RDB_ESHORT);        /* 3 bytes missing */
    ck_assert_int_eq(read_hex_string("c302030061", &s, &len), RDB_ECORRUPT);  /* 'a' is not 3 bytes */
    ck_assert_int_eq(read_hex_string("c3028100000100000000000061", &s, &len), RDB_ECORRUPT);  /* 2^40 from 2 */
    ck_assert_int_eq(read_hex_string("c1ff", &s, &len), RDB_ESHORT);
    ck_assert_int_eq(read_hex_string("05616263", &s, &len), RDB_ESHORT);
    ck_assert_int_eq(read_hex_string("81ffffffffffffffff", &s, &len), RDB_ESHORT);   /* no huge malloc */
    ck_assert_int_eq(read_hex_string("c3050b0061", &s, &len), RDB_ESHORT);
    ck_assert_int_eq(read_hex_string("c303020061e0", &s, &len), RDB_ECORRUPT);
    ck_assert_int_eq(read_hex_string("c3040b00612000", &s, &len), RDB_ECORRUPT);     /* 4 of 11 */
    ck_assert_int_eq(read_hex_string("c3050b0061e00100", &s, &len), RDB_OK);
    ck_assert_str_eq(s, "aaaaaaaaaaa");
    free(s);
    ck_assert_int_eq(read_hex_string("c3030000ffffff", &s, &len), RDB_OK);   /* as Redis: empty */
    ck_assert_uint_eq(len, 0);
    free(s);
}
END_TEST

START_TEST(strings_truncated_anywhere)
{
    struct rdb_writer w;
    rdb_writer_init(&w);
    char s[300];
    memset(s, 'q', sizeof(s));
    rdb_write_string(&w, "12345", 5, 1);
    rdb_write_string(&w, s, sizeof(s), 1);             /* LZF */
    rdb_write_string(&w, "hello", 5, 1);
    rdb_write_string(&w, s, 100, 0);                   /* 14-bit length */
    for (size_t cut = 0; cut <= w.len; cut++) {
        unsigned char *copy = dup_bytes(w.buf, cut);
        struct rdb_reader r;
        rdb_reader_init(&r, copy, cut);
        int rc, n = 0;
        char *got;
        size_t len;
        while ((rc = rdb_read_string(&r, &got, &len)) == RDB_OK) {
            free(got);
            n++;
        }
        ck_assert_int_eq(rc, RDB_ESHORT);
        ck_assert_int_eq(n == 4, cut == w.len);
        free(copy);
    }
    rdb_writer_free(&w);
}
END_TEST

/* --- payloads ---------------------------------------------------------------------- */

START_TEST(payload_redis_vectors)
{
    size_t n;
    unsigned version = 0;
    unsigned char *p = from_hex(REDIS_DUMP_A, &n);
    ck_assert_int_eq(rdb_payload_verify(p, n, &version), 0);
    ck_assert_uint_eq(version, RDB_VERSION);
    struct rdb_reader r;
    rdb_reader_init(&r, p, n - RDB_PAYLOAD_FOOTER);
    ck_assert_int_eq(rdb_read_byte(&r), RDB_OPCODE_FUNCTION2);
    char *code;
    size_t len;
    ck_assert_int_eq(rdb_read_string(&r, &code, &len), RDB_OK);
    ck_assert_str_eq(code, LIB_A);
    ck_assert_uint_eq(r.pos, r.len);
    free(code);
    free(p);

    p = from_hex(REDIS_DUMP_AB, &n);
    ck_assert_int_eq(rdb_payload_verify(p, n, NULL), 0);
    rdb_reader_init(&r, p, n - RDB_PAYLOAD_FOOTER);
    const char *want[] = { lib_b(), LIB_A };
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(rdb_read_byte(&r), RDB_OPCODE_FUNCTION2);
        ck_assert_int_eq(rdb_read_string(&r, &code, &len), RDB_OK);
        ck_assert_str_eq(code, want[i]);
        free(code);
    }
    ck_assert_uint_eq(r.pos, r.len);
    free(p);
}
END_TEST

START_TEST(payload_seal_matches_redis)
{
    struct rdb_writer w;
    rdb_writer_init(&w);
    rdb_payload_seal(&w);
    assert_bytes(&w, REDIS_DUMP_EMPTY);
    w.len = 0;
    rdb_write_byte(&w, RDB_OPCODE_FUNCTION2);
    rdb_write_string(&w, LIB_A, strlen(LIB_A), 1);     /* 66 bytes that LZF cannot shrink by 4 */
    rdb_payload_seal(&w);
    assert_bytes(&w, REDIS_DUMP_A);
    rdb_writer_free(&w);
}
END_TEST

START_TEST(payload_corruption_detected)
{
    size_t n;
    unsigned char *p = from_hex(REDIS_DUMP_AB, &n);
    for (size_t i = 0; i < n; i++)
        for (int bit = 0; bit < 8; bit++) {
            p[i] ^= (unsigned char)(1u << bit);
            ck_assert_int_eq(rdb_payload_verify(p, n, NULL), -1);
            p[i] ^= (unsigned char)(1u << bit);
        }
    for (size_t cut = 0; cut < n; cut++) {
        unsigned char *copy = dup_bytes(p, cut);
        ck_assert_int_eq(rdb_payload_verify(copy, cut, NULL), -1);
        free(copy);
    }
    free(p);
}
END_TEST

/* A payload of an empty body stating version v, with a correct checksum. */
static int verify_version(unsigned v, unsigned *seen)
{
    unsigned char b[RDB_PAYLOAD_FOOTER] = { (unsigned char)(v & 0xff), (unsigned char)(v >> 8) };
    uint64_t crc = crc64_update(0, b, 2);
    for (int i = 0; i < 8; i++)
        b[2 + i] = (unsigned char)(crc >> (8 * i));
    return rdb_payload_verify(b, sizeof(b), seen);
}

START_TEST(payload_versions)
{
    unsigned seen;
    ck_assert_int_eq(verify_version(0, &seen), 0);
    ck_assert_int_eq(verify_version(9, &seen), 0);
    ck_assert_uint_eq(seen, 9);
    ck_assert_int_eq(verify_version(10, &seen), 0);
    ck_assert_int_eq(verify_version(11, &seen), -1);
    ck_assert_uint_eq(seen, 11);
    ck_assert_int_eq(verify_version(0x100, &seen), -1);
}
END_TEST

static Suite *rdb_codec_suite(void)
{
    Suite *s = suite_create("rdb_codec");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, crc64_check_value);
    tcase_add_test(tc, crc64_matches_bitwise_model_and_chains);
    tcase_add_test(tc, lzf_decompresses_redis_blob);
    tcase_add_test(tc, lzf_round_trips_repetitive_data);
    tcase_add_test(tc, lzf_random_data_and_small_output);
    tcase_add_test(tc, lzf_rejects_malformed_input);
    tcase_add_test(tc, lzf_corrupted_streams_never_overrun);
    tcase_add_test(tc, length_encodings);
    tcase_add_test(tc, length_special_forms);
    tcase_add_test(tc, string_integer_encoding);
    tcase_add_test(tc, string_compression_rules);
    tcase_add_test(tc, string_reader_errors);
    tcase_add_test(tc, strings_truncated_anywhere);
    tcase_add_test(tc, payload_redis_vectors);
    tcase_add_test(tc, payload_seal_matches_redis);
    tcase_add_test(tc, payload_corruption_detected);
    tcase_add_test(tc, payload_versions);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return fixture_run_suite(rdb_codec_suite());
}
