"""A random command generator for differential testing against redis-server.

Owns the grammar: per data type, commands with random but plausible arguments over a small
pool of keys (so types collide and WRONGTYPE paths run), values that cross the encoding
thresholds (small ints, short words, 70-byte strings), and the comparison rule of each
command (exact, or sorted for replies whose order Redis leaves unspecified).  Commands
with random replies (SPOP, RANDOMKEY, ...) and time-dependent ones are left out.
"""

import random

KEYS = [f"k{i}" for i in range(8)]
WORDS = ["a", "b", "c", "foo", "bar", "zap", "0", "1", "-1", "10", "3.5", "", "x" * 70, "y" * 45]
SORT = [("sort", None)]


def val(r):
    return str(r.randint(-5, 40)) if r.random() < 0.4 else r.choice(WORDS)


def key(r):
    return r.choice(KEYS)


def num(r, lo=-10, hi=10):
    return str(r.randint(lo, hi))


def some(r, f, lo=1, hi=4):
    return [f(r) for _ in range(r.randint(lo, hi))]


STRINGS = [
    lambda r: (["SET", key(r), val(r)], []),
    lambda r: (["SET", key(r), val(r), r.choice(["NX", "XX", "GET", "KEEPTTL"])], []),
    lambda r: (["GET", key(r)], []),
    lambda r: (["APPEND", key(r), val(r)], []),
    lambda r: (["INCR", key(r)], []),
    lambda r: (["INCRBY", key(r), num(r, -100, 100)], []),
    lambda r: (["DECR", key(r)], []),
    lambda r: (["STRLEN", key(r)], []),
    lambda r: (["GETRANGE", key(r), num(r), num(r)], []),
    lambda r: (["SETRANGE", key(r), str(r.randint(0, 20)), val(r)], []),
    lambda r: (["MGET"] + some(r, key), []),
    lambda r: (["MSET"] + [x for _ in range(r.randint(1, 3)) for x in (key(r), val(r))], []),
    lambda r: (["GETDEL", key(r)], []),
    lambda r: (["GETSET", key(r), val(r)], []),
    lambda r: (["SETNX", key(r), val(r)], []),
    lambda r: (["INCRBYFLOAT", key(r), r.choice(["1.5", "-2", "0.1", "abc"])], []),
]

KEYSPACE = [
    lambda r: (["DEL"] + some(r, key, 1, 2), []),
    lambda r: (["EXISTS"] + some(r, key), []),
    lambda r: (["TYPE", key(r)], []),
    lambda r: (["RENAME", key(r), key(r)], []),
    lambda r: (["RENAMENX", key(r), key(r)], []),
    lambda r: (["COPY", key(r), key(r)] + r.choice([[], ["REPLACE"]]), []),
    lambda r: (["EXPIRE", key(r), str(r.randint(100, 1000))], []),
    lambda r: (["PERSIST", key(r)], []),
    lambda r: (["OBJECT", "ENCODING", key(r)], []),
    lambda r: (["KEYS", "*"], SORT),
    lambda r: (["DBSIZE"], []),
]

LISTS = [
    lambda r: ([r.choice(["LPUSH", "RPUSH"]), key(r)] + some(r, val), []),
    lambda r: ([r.choice(["LPUSHX", "RPUSHX"]), key(r), val(r)], []),
    lambda r: ([r.choice(["LPOP", "RPOP"]), key(r)] + r.choice([[], [str(r.randint(0, 3))]]), []),
    lambda r: (["LRANGE", key(r), num(r), num(r)], []),
    lambda r: (["LINDEX", key(r), num(r)], []),
    lambda r: (["LSET", key(r), num(r, -3, 3), val(r)], []),
    lambda r: (["LINSERT", key(r), r.choice(["BEFORE", "AFTER"]), val(r), val(r)], []),
    lambda r: (["LREM", key(r), num(r, -2, 2), val(r)], []),
    lambda r: (["LTRIM", key(r), num(r, -5, 5), num(r, -5, 5)], []),
    lambda r: (["LLEN", key(r)], []),
    lambda r: (["LPOS", key(r), val(r)] + r.choice([[], ["RANK", "-1"], ["COUNT", "0"]]), []),
    lambda r: (["LMOVE", key(r), key(r), r.choice(["LEFT", "RIGHT"]), r.choice(["LEFT", "RIGHT"])], []),
]

HASHES = [
    lambda r: (["HSET", key(r)] + [x for _ in range(r.randint(1, 3)) for x in (val(r), val(r))], []),
    lambda r: (["HGET", key(r), val(r)], []),
    lambda r: (["HDEL", key(r)] + some(r, val), []),
    lambda r: (["HLEN", key(r)], []),
    lambda r: (["HGETALL", key(r)], SORT),
    lambda r: (["HKEYS", key(r)], SORT),
    lambda r: (["HVALS", key(r)], SORT),
    lambda r: (["HINCRBY", key(r), val(r), num(r)], []),
    lambda r: (["HEXISTS", key(r), val(r)], []),
    lambda r: (["HSTRLEN", key(r), val(r)], []),
    lambda r: (["HMGET", key(r)] + some(r, val), []),
    lambda r: (["HSETNX", key(r), val(r), val(r)], []),
]

SETS = [
    lambda r: (["SADD", key(r)] + some(r, val), []),
    lambda r: (["SREM", key(r)] + some(r, val), []),
    lambda r: (["SCARD", key(r)], []),
    lambda r: (["SISMEMBER", key(r), val(r)], []),
    lambda r: (["SMISMEMBER", key(r)] + some(r, val), []),
    lambda r: (["SMEMBERS", key(r)], SORT),
    lambda r: ([r.choice(["SINTER", "SUNION", "SDIFF"])] + some(r, key), SORT),
    lambda r: ([r.choice(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), key(r)] + some(r, key), []),
    lambda r: (["SMOVE", key(r), key(r), val(r)], []),
    lambda r: (["SINTERCARD", "2", key(r), key(r)], []),
]

ZSETS = [
    lambda r: (["ZADD", key(r)] + r.choice([[], ["NX"], ["XX"], ["GT"], ["CH"]]) +
               [x for _ in range(r.randint(1, 3)) for x in (num(r, -5, 5), val(r))], []),
    lambda r: (["ZREM", key(r)] + some(r, val), []),
    lambda r: (["ZSCORE", key(r), val(r)], []),
    lambda r: (["ZINCRBY", key(r), num(r), val(r)], []),
    lambda r: (["ZRANGE", key(r), num(r, -3, 3), num(r, -3, 3)] + r.choice([[], ["WITHSCORES"]]), []),
    lambda r: (["ZRANGEBYSCORE", key(r), r.choice(["-inf", "0", "(1"]), r.choice(["+inf", "3", "(5"])], []),
    lambda r: (["ZRANK", key(r), val(r)], []),
    lambda r: (["ZCARD", key(r)], []),
    lambda r: (["ZCOUNT", key(r), num(r, -5, 0), num(r, 0, 5)], []),
    lambda r: ([r.choice(["ZPOPMIN", "ZPOPMAX"]), key(r)] + r.choice([[], ["2"]]), []),
    lambda r: (["ZREMRANGEBYRANK", key(r), num(r, -3, 3), num(r, -3, 3)], []),
    lambda r: ([r.choice(["ZUNIONSTORE", "ZINTERSTORE"]), key(r), "2", key(r), key(r)], []),
]

GROUPS = {"strings": STRINGS, "keyspace": KEYSPACE, "lists": LISTS, "hashes": HASHES,
          "sets": SETS, "zsets": ZSETS}


def commands(seed, count, groups):
    """Yields (args, checks) for count random commands drawn from the named groups."""
    r = random.Random(seed)
    pool = [gen for g in groups for gen in GROUPS[g]]
    for _ in range(count):
        yield r.choice(pool)(r)
