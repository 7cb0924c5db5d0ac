"""End-to-end tests of big sorted sets, what the differential scripts cannot show:
ZSCAN over a skiplist visits every member exactly once with its score, ranks and
score ranges stay O(log n) (a LIMIT offset deep into a 200,000-member zset costs about
what offset 0 costs), and set operations and deletes of big zsets work in one write."""

import time

WORKERS = ["--workers", "2"]
N = 200_000


def load(client, key, n, step=1000):
    pipe = client.pipeline(transaction=False)
    for start in range(0, n, step):
        args = []
        for i in range(start, min(start + step, n)):
            args += [i * 2, f"m{i:07d}"]
        pipe.execute_command("ZADD", key, *args)
    pipe.execute()


def test_zscan_visits_every_member_once(start_server):
    r = start_server(args=WORKERS).client()
    load(r, "z", 20_000)
    assert r.object("encoding", "z") == b"skiplist"
    seen = {}
    cursor = 0
    calls = 0
    while True:
        cursor, items = r.zscan("z", cursor, count=500)
        calls += 1
        for member, score in items:
            assert member not in seen, member
            seen[member] = score
        if cursor == 0:
            break
    assert calls > 10
    assert len(seen) == 20_000
    assert all(s == int(m[1:]) * 2 for m, s in seen.items())


def timed(client, args, repeat=200):
    t = time.perf_counter()
    for _ in range(repeat):
        client.execute_command(*args)
    return time.perf_counter() - t


def test_ranks_and_offsets_are_logarithmic(start_server):
    r = start_server(args=WORKERS).client()
    load(r, "z", N)
    assert r.zcard("z") == N
    assert r.zrank("z", "m0150000") == 150_000
    assert r.zrevrank("z", "m0150000") == N - 1 - 150_000
    assert r.zrange("z", 123_456, 123_457, withscores=True) == [(b"m0123456", 246912.0), (b"m0123457", 246914.0)]
    assert r.execute_command("ZRANGEBYSCORE", "z", "(1000", "+inf", "LIMIT", 150_000, 2) == [b"m0150501", b"m0150502"]
    assert r.execute_command("ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", 199_999, 5) == [b"m0000000"]
    assert r.zcount("z", 1000, "(3000") == 1000
    near = timed(r, ["ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", 0, 3])
    deep = timed(r, ["ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", 190_000, 3])
    rank = timed(r, ["ZRANK", "z", "m0199999"])
    # a linear walk to offset 190,000 would cost over 50 times the near call
    assert deep < near * 5 + 0.05, (near, deep)
    assert rank < near * 5 + 0.05, (near, rank)


def test_big_set_operations_and_deletes(start_server):
    r = start_server(args=WORKERS).client()
    load(r, "a", N)
    load(r, "b", N // 2)
    assert r.execute_command("ZUNIONSTORE", "u", 2, "a", "b") == N
    assert r.zscore("u", "m0000010") == 40.0
    assert r.zscore("u", "m0150000") == 300_000.0
    assert r.execute_command("ZINTERCARD", 2, "a", "b") == N // 2
    assert r.execute_command("ZREMRANGEBYRANK", "u", 10, -11) == N - 20
    assert r.zcard("u") == 20
    assert r.zpopmin("b", N)[0] == (b"m0000000", 0.0)
    assert r.exists("b") == 0
    assert r.delete("a", "u") == 2
    assert r.dbsize() == 0
    load(r, "a", 1000)
    assert r.zcard("a") == 1000
