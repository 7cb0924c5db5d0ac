/* keyspace/lfu.c - the LFU counter's arithmetic (see lfu.h). */
#include "keyspace/db.h"
#include "keyspace/lfu.h"
#include "util/rand.h"

#define LFU_MINUTES_MASK 0xFFFF
#define LFU_COUNTER_MAX 255

static void (*config_source)(struct lfu_config *out);

void lfu_set_source(void (*read_config)(struct lfu_config *out)) { config_source = read_config; }

static struct lfu_config config(void)
{
    struct lfu_config c = { 0, 10, 1 };
    if (config_source)
        config_source(&c);
    return c;
}

int lfu_enabled(void) { return config_source && config().enabled; }

static uint32_t minutes_now(void) { return (uint32_t)(db_now_ms() / 60000) & LFU_MINUTES_MASK; }

uint32_t lfu_new(void) { return minutes_now() << 8 | LFU_INIT_VAL; }

/* Minutes since the field's stamp, the 16-bit clock having wrapped at most once. */
static uint32_t minutes_since(uint32_t field)
{
    uint32_t now = minutes_now(), then = field >> 8;
    return now >= then ? now - then : LFU_MINUTES_MASK - then + now;
}

static unsigned decayed(uint32_t field, int decay_time)
{
    unsigned counter = field & 0xFF;
    unsigned periods = decay_time ? minutes_since(field) / (unsigned)decay_time : 0;
    return periods > counter ? 0 : counter - periods;
}

unsigned lfu_frequency(uint32_t field) { return decayed(field, config().decay_time); }

uint32_t lfu_accessed(uint32_t field)
{
    struct lfu_config c = config();
    unsigned counter = decayed(field, c.decay_time);
    if (counter < LFU_COUNTER_MAX) {
        double base = counter > LFU_INIT_VAL ? counter - LFU_INIT_VAL : 0;
        if (rand_unit() < 1.0 / (base * c.log_factor + 1))
            counter++;
    }
    return minutes_now() << 8 | counter;
}
