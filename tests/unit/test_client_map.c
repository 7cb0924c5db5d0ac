/* tests/unit/test_client_map.c - the worker's id -> client map (worker/client_map.h)
 * against a plain array model: random puts and deletes (ids from a small range, so
 * probe runs collide, wrap around the table and shift back on delete), every id
 * looked up after each step. */
#include <check.h>
#include <stdlib.h>

#include "tests/unit/fixture.h"
#include "worker/client.h"
#include "worker/client_map.h"

#define IDS 3000

static struct client clients[IDS + 1];
static int present[IDS + 1];

static void check_all(void)
{
    for (uint64_t id = 1; id <= IDS; id++)
        ck_assert_ptr_eq(client_map_get(id), present[id] ? &clients[id] : NULL);
}

START_TEST(random_against_model)
{
    uint64_t rng = 0x5eed;
    for (uint64_t id = 1; id <= IDS; id++)
        clients[id].id = id;
    for (int step = 0; step < 40000; step++) {
        uint64_t id = 1 + fixture_xorshift(&rng) % IDS;
        if (present[id]) {
            client_map_del(id);
            present[id] = 0;
        } else {
            client_map_put(&clients[id]);
            present[id] = 1;
        }
        if (step % 997 == 0)
            check_all();
        ck_assert_ptr_eq(client_map_get(id), present[id] ? &clients[id] : NULL);
    }
    check_all();
    for (uint64_t id = 1; id <= IDS; id++)
        if (present[id]) {
            client_map_del(id);
            present[id] = 0;
        }
    check_all();
    client_map_del(IDS + 5);                /* deleting an absent id changes nothing */
    check_all();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("client_map");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, random_against_model);
    suite_add_tcase(s, tc);
    return fixture_run_suite(s);
}
