"""Keyspace notifications (notify-keyspace-events) compared with redis-server 7.0.

For each class, the same commands go to Ferrous (two workers) and to redis-server, with a
subscriber listening on "__key*__:*" on another connection; the notifications each
command produced (channel and message, in order) must be the same.  After every command
the command connection publishes a marker that the subscriber also listens to, so each
notification is attributed to the command that made it, without waiting on timers.
"""

import time

import pytest

from test_pubsub import Raw, plain

WORKERS = 2


@pytest.fixture
def server(start_server):
    return start_server(args=["--workers", str(WORKERS)])


def notifications(server, flags, commands, db=0):
    """{step: [(channel, message), ...]} for the commands run on server; a ("sleep", s)
    step waits (for expiry)."""
    sub, cmd = Raw(server.port), Raw(server.port)
    try:
        assert cmd.call("CONFIG", "SET", "notify-keyspace-events", flags) == ("+", "OK")
        assert cmd.call("FLUSHALL")[0] == "+"
        sub.call("PSUBSCRIBE", "__key*__:*")
        sub.call("SUBSCRIBE", "marker")
        if db:
            cmd.call("SELECT", db)
        replies = []
        for i, step in enumerate(commands):
            if step[0] == "sleep":
                time.sleep(step[1])
                replies.append(None)
            else:
                replies.append(plain(cmd.call(*step)))
            cmd.call("PUBLISH", "marker", str(i))
        out, step = {}, 0
        while step < len(commands):
            m = plain(sub.read())
            if m[0] == b"message":
                assert int(m[2]) == step
                step += 1
            else:
                out.setdefault(step, []).append((m[2].decode(), m[3].decode()))
        return out, replies
    finally:
        sub.close()
        cmd.close()


def compare(server, oracle, flags, commands, db=0):
    got, got_replies = notifications(server, flags, commands, db)
    want, want_replies = notifications(oracle, flags, commands, db)
    for i, step in enumerate(commands):
        assert got.get(i) == want.get(i), (f"{flags!r} step {i} {step}: ferrous {got.get(i)}\n"
                                           f"  redis-server {want.get(i)}")
    random = [i for i, step in enumerate(commands) if step[0] in RANDOM_REPLIES]
    for i in random:
        got_replies[i] = want_replies[i] = None
    assert got_replies == want_replies
    assert want, "the scenario produced no notification at all"


RANDOM_REPLIES = {"SPOP"}

GENERIC = [
    ["SET", "a", "1"], ["SET", "b", "2"], ["DEL", "a", "b", "missing"], ["UNLINK", "nothing"],
    ["SET", "k", "v"], ["EXPIRE", "k", "100"], ["PEXPIRE", "k", "100000", "XX"], ["EXPIRE", "k", "1", "NX"],
    ["PERSIST", "k"], ["PERSIST", "k"], ["EXPIREAT", "k", "4000000000"], ["EXPIRE", "k", "-1"],
    ["EXPIRE", "missing", "10"], ["SET", "k", "v"], ["PEXPIREAT", "k", "1"],
    ["SET", "r", "1"], ["RENAME", "r", "r2"], ["SET", "r3", "x"], ["RENAME", "r2", "r3"], ["RENAME", "r3", "r3"],
    ["RENAMENX", "r3", "r4"], ["SET", "r5", "1"], ["RENAMENX", "r4", "r5"],
    ["MOVE", "r4", "1"], ["MOVE", "r5", "1"], ["COPY", "r5", "c1"], ["COPY", "r5", "c1"],
    ["COPY", "r5", "c1", "REPLACE"], ["COPY", "r5", "c2", "DB", "2"],
    ["SET", "g", "v"], ["GETDEL", "g"], ["GETDEL", "g"], ["SET", "g", "v"], ["GETEX", "g", "EX", "100"],
    ["GETEX", "g", "PERSIST"], ["GETEX", "g", "PERSIST"], ["GETEX", "g", "PXAT", "1"], ["GETEX", "nothing", "EX", "1"],
    ["SET", "t", "v", "EX", "100"], ["SET", "t", "v", "KEEPTTL"], ["SET", "t", "v"],
]

STRINGS = [
    ["SET", "s", "v"], ["SET", "s", "w", "NX"], ["SET", "s", "w", "XX", "GET"], ["SET", "s2", "v", "PX", "100000"],
    ["SETNX", "s", "x"], ["SETNX", "s3", "x"], ["SETEX", "s4", "100", "v"], ["PSETEX", "s5", "100000", "v"],
    ["GETSET", "s", "new"], ["MSET", "m1", "1", "m2", "2"], ["MSETNX", "m1", "1", "m3", "3"], ["MSETNX", "m4", "4"],
    ["APPEND", "ap", "x"], ["APPEND", "ap", "yz"], ["SETRANGE", "sr", "2", "ab"], ["SETRANGE", "sr", "0", ""],
    ["SETRANGE", "nothing", "3", ""], ["INCR", "n"], ["DECR", "n"], ["INCRBY", "n", "5"], ["DECRBY", "n", "2"],
    ["INCRBYFLOAT", "f", "1.5"], ["INCR", "s"], ["SETBIT", "bits", "7", "1"], ["SETBIT", "bits", "7", "1"],
    ["BITOP", "OR", "dest", "bits", "nothing"], ["BITOP", "AND", "dest", "nothing"], ["BITOP", "AND", "dest", "nothing"],
    ["BITFIELD", "bf", "SET", "u8", "0", "255", "GET", "u8", "0"], ["BITFIELD", "bf", "GET", "u8", "0"],
    ["BITFIELD", "bf", "INCRBY", "u8", "0", "1"], ["PFADD", "hll", "a", "b"], ["PFADD", "hll", "a"],
    ["PFADD", "hll2"], ["PFMERGE", "hll3", "hll", "hll2"], ["GET", "s"], ["STRLEN", "s"],
]

HASHES = [
    ["HSET", "h", "f1", "v1", "f2", "v2"], ["HSET", "h", "f1", "x"], ["HMSET", "h", "f3", "v3"],
    ["HSETNX", "h", "f1", "y"], ["HSETNX", "h", "f4", "y"], ["HINCRBY", "h", "n", "3"],
    ["HINCRBYFLOAT", "h", "fl", "1.25"], ["HDEL", "h", "nope"], ["HDEL", "h", "f1", "f2"],
    ["HDEL", "h", "f3", "f4", "n", "fl"], ["HDEL", "h", "f1"], ["HINCRBY", "h2", "n", "1"], ["HGET", "h2", "n"],
]

SETS = [
    ["SADD", "s", "a", "b", "c"], ["SADD", "s", "a"], ["SREM", "s", "zz"], ["SREM", "s", "a"],
    ["SADD", "t", "b", "x"], ["SMOVE", "s", "t", "b"], ["SMOVE", "s", "t", "c"], ["SMOVE", "t", "u", "zz"],
    ["SADD", "p", "1", "2", "3"], ["SPOP", "p", "0"], ["SPOP", "p", "1"], ["SPOP", "p", "5"], ["SPOP", "p"],
    ["SADD", "q", "1"], ["SPOP", "q"], ["SADD", "v", "1", "2"], ["SADD", "w", "2", "3"],
    ["SINTERSTORE", "i", "v", "w"], ["SUNIONSTORE", "un", "v", "w"], ["SDIFFSTORE", "d", "v", "w"],
    ["SINTERSTORE", "i", "v", "nothing"], ["SINTERSTORE", "i", "v", "nothing"], ["SDIFFSTORE", "d", "v", "v"],
]

LISTS = [
    ["LPUSH", "l", "a", "b"], ["RPUSH", "l", "c"], ["LPUSHX", "nothing", "x"], ["RPUSHX", "l", "d"],
    ["LINSERT", "l", "BEFORE", "a", "z"], ["LINSERT", "l", "BEFORE", "nope", "z"], ["LSET", "l", "0", "y"],
    ["LPOP", "l"], ["RPOP", "l", "2"], ["LPOP", "l", "0"], ["LREM", "l", "0", "nope"], ["LREM", "l", "0", "z"],
    ["RPUSH", "m", "1", "2", "3", "4"], ["LTRIM", "m", "0", "-1"], ["LTRIM", "m", "1", "2"], ["LTRIM", "m", "5", "9"],
    ["RPUSH", "src", "1", "2"], ["RPOPLPUSH", "src", "dst"], ["LMOVE", "src", "dst", "LEFT", "RIGHT"],
    ["LMOVE", "dst", "dst", "LEFT", "LEFT"], ["LMPOP", "2", "nothing", "dst", "LEFT", "COUNT", "5"],
    ["RPUSH", "one", "x"], ["LPOP", "one"], ["BLPOP", "nothing", "one", "0.01"], ["RPUSH", "b", "x"],
    ["BRPOP", "b", "0"], ["RPUSH", "b2", "x"], ["BLMOVE", "b2", "b3", "RIGHT", "LEFT", "0"],
]

ZSETS = [
    ["ZADD", "z", "1", "a", "2", "b", "3", "c"], ["ZADD", "z", "1", "a"], ["ZADD", "z", "XX", "5", "a"],
    ["ZADD", "z", "NX", "5", "a"], ["ZADD", "z", "INCR", "1", "a"], ["ZINCRBY", "z", "2", "b"],
    ["ZADD", "nothing", "XX", "1", "a"], ["ZREM", "z", "nope"], ["ZREM", "z", "a"],
    ["ZADD", "r", "1", "a", "2", "b", "3", "c", "4", "d"], ["ZREMRANGEBYRANK", "r", "0", "0"],
    ["ZREMRANGEBYSCORE", "r", "100", "200"], ["ZREMRANGEBYSCORE", "r", "2", "2"],
    ["ZREMRANGEBYLEX", "r", "[c", "[d"], ["ZADD", "p", "1", "a", "2", "b", "3", "c"], ["ZPOPMIN", "p"],
    ["ZPOPMAX", "p", "5"], ["ZPOPMIN", "nothing"], ["ZADD", "u", "1", "x"], ["ZADD", "v", "2", "x", "3", "y"],
    ["ZUNIONSTORE", "out", "2", "u", "v"], ["ZINTERSTORE", "out2", "2", "u", "v"], ["ZDIFFSTORE", "out3", "1", "v"],
    ["ZINTERSTORE", "out2", "2", "u", "nothing"], ["ZRANGESTORE", "rs", "v", "0", "0"],
    ["ZRANGESTORE", "rs", "v", "5", "9"], ["ZMPOP", "1", "v", "MIN", "COUNT", "5"], ["ZREM", "z", "b", "c"],
    ["ZADD", "bz", "1", "x"], ["BZPOPMIN", "bz", "0"],
]

EXPIRY = [
    ["SET", "e1", "v", "PX", "50"], ["sleep", 0.5], ["HSET", "e2", "f", "v"], ["PEXPIRE", "e2", "50"],
    ["sleep", 0.5], ["GET", "e1"], ["SET", "e3", "v", "PX", "100000"], ["GET", "e3"],
]

KEYMISS = [
    ["GET", "nothing"], ["EXISTS", "nothing"], ["SET", "x", "1"], ["GET", "x"], ["TYPE", "nothing"],
    ["TTL", "nothing"], ["DEL", "nothing"], ["HGET", "nothing", "f"], ["SMEMBERS", "nothing"], ["INCR", "x"],
    ["STRLEN", "nothing"], ["GETBIT", "nothing", "1"], ["PFCOUNT", "nothing"], ["EXPIRE", "nothing", "5"],
]

NEW = [
    ["SET", "a", "1"], ["SET", "a", "2"], ["HSET", "h", "f", "v"], ["SADD", "s", "m"], ["RENAME", "a", "b"],
    ["COPY", "b", "c"], ["APPEND", "d", "x"], ["INCR", "n"], ["SETBIT", "bits", "1", "1"], ["PFADD", "hll", "a"],
    ["SINTERSTORE", "i", "s", "s"], ["MOVE", "c", "3"], ["DEL", "b"], ["SET", "b", "1"],
]


@pytest.mark.parametrize("flags", ["KEA", "Kg", "Eg", "AKE"])
def test_generic_class(server, oracle, flags):
    compare(server, oracle, flags, GENERIC)


@pytest.mark.parametrize("flags", ["KEA", "K$", "E$"])
def test_string_class(server, oracle, flags):
    compare(server, oracle, flags, STRINGS)


@pytest.mark.parametrize("flags", ["KEA", "Eh", "Kgh"])
def test_hash_class(server, oracle, flags):
    compare(server, oracle, flags, HASHES)


@pytest.mark.parametrize("flags", ["KEA", "Es", "Kgs"])
def test_set_class(server, oracle, flags):
    compare(server, oracle, flags, SETS)


@pytest.mark.parametrize("flags", ["KEA", "El", "Kgl"])
def test_list_class(server, oracle, flags):
    compare(server, oracle, flags, LISTS)


@pytest.mark.parametrize("flags", ["KEA", "Ez", "Kgz"])
def test_zset_class(server, oracle, flags):
    compare(server, oracle, flags, ZSETS)


@pytest.mark.parametrize("flags", ["KEx", "KEA"])
def test_expired_class(server, oracle, flags):
    compare(server, oracle, flags, EXPIRY)


def test_keymiss_class(server, oracle):
    compare(server, oracle, "KEm", KEYMISS)


def test_new_class(server, oracle):
    compare(server, oracle, "KEn", NEW)


def test_all_classes_in_another_db(server, oracle):
    compare(server, oracle, "KEAnm", GENERIC[:12] + STRINGS[:12] + NEW, db=5)


def test_no_notifications_without_k_or_e(server):
    sub, cmd = Raw(server.port), Raw(server.port)
    cmd.call("CONFIG", "SET", "notify-keyspace-events", "g$")
    sub.call("PSUBSCRIBE", "*")
    cmd.call("SET", "a", "1")
    cmd.call("DEL", "a")
    assert cmd.call("PUBLISH", "marker", "x") == (":", 1)
    assert plain(sub.read()) == [b"pmessage", b"*", b"marker", b"x"]


def served_waiter_events(server, block, push):
    """Notifications of a push that serves a client blocked (on another connection) with
    block; the waiter's reply too."""
    sub, cmd, waiter = Raw(server.port), Raw(server.port), Raw(server.port)
    try:
        cmd.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
        cmd.call("FLUSHALL")
        sub.call("PSUBSCRIBE", "__key*__:*")
        sub.call("SUBSCRIBE", "marker")
        waiter.send(*block)
        deadline = time.monotonic() + 5
        while cmd.call("INFO", "clients")[1].find(b"blocked_clients:1") < 0:
            assert time.monotonic() < deadline, "the waiter did not block"
            time.sleep(0.01)
        cmd.call(*push)
        cmd.call("PUBLISH", "marker", "end")
        events = []
        for m in iter(lambda: plain(sub.read()), None):
            if m[0] == b"message":
                break
            events.append((m[2].decode(), m[3].decode()))
        return events, plain(waiter.read())
    finally:
        for c in (sub, cmd, waiter):
            c.close()


@pytest.mark.parametrize("block, push", [
    (["BLPOP", "k", "0"], ["RPUSH", "k", "a", "b"]),
    (["BLMOVE", "k", "d", "LEFT", "RIGHT", "0"], ["LPUSH", "k", "a"]),
    (["BZPOPMAX", "z", "0"], ["ZADD", "z", "1", "a"]),
])
def test_blocked_client_served_by_a_push(server, oracle, block, push):
    want = served_waiter_events(oracle, block, push)
    assert served_waiter_events(server, block, push) == want
    assert want[0], "no notification at all"
