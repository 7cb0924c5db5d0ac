/* tests/unit/test_lua_alloc.c - the Lua state's allocator (lua/lua_alloc.c):
 *  - a block keeps its bytes through resizes within its size class, across classes,
 *    and between small (listed) and large (malloc) sizes, both ways;
 *  - a freed small block serves the next request of its class (not in sanitized
 *    builds, which keep no lists);
 *  - many blocks of random sizes, resized and freed at random, keep their contents
 *    (a block handed out twice would be overwritten by its other owner).
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "lua/lua_alloc.h"
#include "tests/unit/fixture.h"

static void fill(unsigned char *p, size_t n, unsigned char seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed + i * 7);
}

static int holds(const unsigned char *p, size_t n, unsigned char seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(seed + i * 7))
            return 0;
    return 1;
}

START_TEST(test_resize_keeps_bytes)
{
    static const size_t steps[] = { 1, 16, 17, 100, 256, 257, 4000, 300, 255, 40, 3 };
    size_t n = steps[0];
    unsigned char *p = lalloc(NULL, NULL, 0, n);
    fill(p, n, 5);
    for (size_t i = 1; i < sizeof(steps) / sizeof(steps[0]); i++) {
        size_t m = steps[i];
        p = lalloc(NULL, p, n, m);
        ck_assert_ptr_nonnull(p);
        ck_assert_msg(holds(p, n < m ? n : m, 5), "resize %zu -> %zu", n, m);
        fill(p, m, 5);
        n = m;
    }
    ck_assert_ptr_null(lalloc(NULL, p, n, 0));
    ck_assert_ptr_null(lalloc(NULL, NULL, 0, 0));
}
END_TEST

START_TEST(test_freed_block_serves_its_class)
{
#ifdef __SANITIZE_ADDRESS__
    return;                                 /* no lists: every free reaches ASan */
#endif
    void *a = lalloc(NULL, NULL, 0, 40);    /* class 33..48 */
    lalloc(NULL, a, 40, 0);
    ck_assert_ptr_eq(lalloc(NULL, NULL, 0, 48), a);
    void *b = lalloc(NULL, a, 48, 33);      /* same class: stays */
    ck_assert_ptr_eq(b, a);
    lalloc(NULL, b, 33, 0);
}
END_TEST

#define SLOTS 512

START_TEST(test_random_blocks_stay_apart)
{
    static unsigned char *blocks[SLOTS];
    static size_t sizes[SLOTS];
    uint64_t rng = 42;
    for (int round = 0; round < 200000; round++) {
        int i = (int)(fixture_xorshift(&rng) % SLOTS);
        size_t m = 1 + fixture_xorshift(&rng) % (fixture_xorshift(&rng) % 8 ? 300 : 3000);
        if (blocks[i])
            ck_assert_msg(holds(blocks[i], sizes[i], (unsigned char)i), "block %d of %zu bytes", i, sizes[i]);
        if (blocks[i] && fixture_xorshift(&rng) % 3 == 0) {
            lalloc(NULL, blocks[i], sizes[i], 0);
            blocks[i] = NULL;
            continue;
        }
        blocks[i] = lalloc(NULL, blocks[i], blocks[i] ? sizes[i] : 0, m);
        sizes[i] = m;
        fill(blocks[i], m, (unsigned char)i);
    }
    for (int i = 0; i < SLOTS; i++)
        if (blocks[i])
            lalloc(NULL, blocks[i], sizes[i], 0);
}
END_TEST

static Suite *lua_alloc_suite(void)
{
    Suite *s = suite_create("lua_alloc");
    TCase *tc = tcase_create("lists");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_resize_keeps_bytes);
    tcase_add_test(tc, test_freed_block_serves_its_class);
    tcase_add_test(tc, test_random_blocks_stay_apart);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return fixture_run_suite(lua_alloc_suite());
}
