"""Transactions across workers: WATCH sees writes made by clients of the other worker (in
place, by expiry, FLUSHALL, SWAPDB), EXEC is one write that no client of any worker sees half
done, and a worker SIGKILLed in the middle of an EXEC leaves none of it.  Also the parts of
single-connection behaviour a differential script cannot show (CLIENT REPLY OFF/SKIP, QUIT
inside MULTI), compared byte for byte with redis-server."""

import os
import signal
import socket
import threading
import time

import pytest
import redis

from ferrous_harness import children as worker_pids
from ferrous_harness import clients_per_worker
from ferrous_harness import worker_serving

WORKERS = 2


def one_client_per_worker(server):
    """[client on worker 0, client on worker 1]."""
    return [group[0] for _, group in sorted(clients_per_worker(server, WORKERS).items())]


def pid_serving(server, client):
    """Pid of the worker holding client's connection."""
    return worker_serving(server, client.connection._sock.getsockname()[1])


def pipelined(client, commands):
    """Sends commands in one write on client's own connection; returns the raw replies."""
    conn = client.connection
    conn.send_packed_command(conn.pack_commands(commands))
    return [conn.read_response() for _ in commands]


def transaction(client, *commands):
    """MULTI commands EXEC on client's connection: EXEC's replies, or None when it failed."""
    replies = pipelined(client, [("MULTI",), *commands, ("EXEC",)])
    assert replies[0] == b"OK" and all(r == b"QUEUED" for r in replies[1:-1]), replies
    return replies[-1]


@pytest.fixture
def server(start_server):
    return start_server(args=["--workers", str(WORKERS)])


# ---- WATCH across workers ------------------------------------------------------------------

CHANGES = [  # (setup, change made by the other worker) - every one must fail the EXEC
    (("SET", "k", "1"), ("SET", "k", "2")),
    (("SET", "k", "1"), ("INCR", "k")),
    (("SET", "k", "1"), ("APPEND", "k", "x")),
    (("SET", "k", "1"), ("SETRANGE", "k", "0", "y")),
    (("SET", "k", "1"), ("SETBIT", "k", "1", "1")),
    (("SET", "k", "1"), ("EXPIRE", "k", "100")),
    (("SET", "k", "1"), ("DEL", "k")),
    (("SET", "k", "1"), ("RENAME", "k", "k2")),
    (("SET", "other", "1"), ("RENAME", "other", "k")),
    (("SET", "k", "1"), ("MOVE", "k", "1")),
    (("RPUSH", "k", "a"), ("LPUSH", "k", "b")),
    (("RPUSH", "k", "a", "b"), ("LPOP", "k")),
    (("HSET", "k", "f", "v"), ("HSET", "k", "g", "w")),
    (("HSET", "k", "f", "1"), ("HINCRBY", "k", "f", "1")),
    (("SADD", "k", "a"), ("SADD", "k", "b")),
    (("ZADD", "k", "1", "a"), ("ZINCRBY", "k", "1", "a")),
    (("PFADD", "k", "a"), ("PFADD", "k", "b")),
    (("PING",), ("SET", "k", "new")),
]


@pytest.mark.parametrize("setup,change", CHANGES, ids=[" ".join(c[1]) for c in CHANGES])
def test_watch_fails_on_change_from_other_worker(server, setup, change):
    a, b = one_client_per_worker(server)
    a.flushall()
    a.execute_command(*setup)
    a.execute_command("WATCH", "k")
    b.execute_command(*change)
    assert transaction(a, ("SET", "result", "1")) is None
    assert a.exists("result") == 0
    a.execute_command("UNWATCH")


def test_watch_ignores_reads_and_other_keys_from_other_worker(server):
    a, b = one_client_per_worker(server)
    a.set("k", "1")
    a.rpush("l", "x")
    a.execute_command("WATCH", "k", "l")
    b.get("k")
    b.lrange("l", 0, -1)
    b.set("k2", "x")
    b.rpush("l2", "y")
    b.execute_command("SELECT", "1")
    b.set("k", "other db")
    b.lpop("nolist")
    assert transaction(a, ("INCR", "k")) == [2]


def test_watch_both_directions_and_unwatch(server):
    a, b = one_client_per_worker(server)
    for watcher, writer in ((a, b), (b, a)):
        watcher.set("k", "1")
        watcher.execute_command("WATCH", "k")
        writer.incr("k")
        assert transaction(watcher, ("INCR", "k")) is None
        watcher.execute_command("WATCH", "k")
        watcher.execute_command("UNWATCH")
        writer.incr("k")
        assert transaction(watcher, ("INCR", "k")) == [4]


def test_optimistic_counter_never_loses_an_increment(server):
    """Two clients per worker increment one counter with WATCH/GET/MULTI/SET/EXEC retries:
    a change from the other worker that WATCH missed would lose an increment."""
    clients = one_client_per_worker(server) + one_client_per_worker(server)
    clients[0].set("counter", "0")
    per_client, errors, retries = 150, [], [0]

    def incrementer(c):
        try:
            done = 0
            while done < per_client:
                c.execute_command("WATCH", "counter")
                value = int(c.get("counter"))
                if transaction(c, ("SET", "counter", value + 1)) is None:
                    retries[0] += 1
                else:
                    done += 1
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=incrementer, args=(c,), daemon=True) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)
    assert int(clients[0].get("counter")) == per_client * len(clients)
    assert retries[0] > 0, "no conflict happened: the test proved nothing"


def test_watched_key_expiring_fails_exec(server):
    a, b = one_client_per_worker(server)
    a.set("e", "v", px=200)
    a.execute_command("WATCH", "e")
    time.sleep(0.4)                                 # expired (maybe deleted by housekeeping)
    assert transaction(a, ("PING",)) is None
    a.set("e2", "v", px=200)
    a.execute_command("WATCH", "e2")
    deadline = time.monotonic() + 5
    while b.dbsize() and time.monotonic() < deadline:   # the expiry cycle deletes it
        time.sleep(0.05)
    assert b.dbsize() == 0
    assert transaction(a, ("PING",)) is None


def test_flushall_flushdb_swapdb_from_other_worker(server):
    a, b = one_client_per_worker(server)
    a.set("k", "1")
    a.execute_command("WATCH", "k")
    b.flushall()
    assert transaction(a, ("PING",)) is None
    a.set("k", "1")
    a.execute_command("WATCH", "k", "absent")
    b.execute_command("SELECT", "2")
    b.flushdb()                                     # another database: no change
    assert transaction(a, ("PING",)) == [b"PONG"]
    a.execute_command("WATCH", "k")
    b.execute_command("SELECT", "0")
    b.flushdb()
    assert transaction(a, ("PING",)) is None
    a.set("k", "1")
    a.execute_command("WATCH", "k")
    b.swapdb(0, 3)
    assert transaction(a, ("PING",)) is None
    a.execute_command("WATCH", "k")                                    # db 0 is empty now; db 3 has k
    b.swapdb(0, 3)                                  # k comes back
    assert transaction(a, ("PING",)) is None


# ---- WATCH: what Redis 7.0 counts as a change --------------------------------------------

# Keys the other client's commands start from.
WATCH_SETUP = [("SADD", "s1", "a", "b"), ("SADD", "s2", "b", "c"), ("SADD", "sm", "m"),
               ("ZADD", "z1", "1", "a"), ("ZADD", "z2", "2", "b"), ("RPUSH", "l1", "a", "b"),
               ("RPUSH", "l2", "x"), ("SET", "str1", "abc"), ("SET", "str2", "xyz"),
               ("PFADD", "h1", "a", "b"), ("PFADD", "h2", "c"), ("HSET", "hh", "f", "v"),
               ("GEOADD", "g", "13.36", "38.11", "p1", "15.08", "37.50", "p2")]

# (watched keys, commands of the other client): the EXEC fails exactly when redis-server's
# does - keys only read (sources), skipped (absent keys of LMPOP/BLPOP) or left unchanged
# (no-op writes) are not changes; every key really written is.
WATCH_CASES = [
    (["s1", "s2"], [("SINTERSTORE", "d", "s1", "s2")]), (["d"], [("SINTERSTORE", "d", "s1", "s2")]),
    (["s1"], [("SUNIONSTORE", "d", "s1", "s2")]), (["s2"], [("SDIFFSTORE", "d", "s1", "s2")]),
    (["nod"], [("SINTERSTORE", "nod", "s1", "nokey")]), (["s1"], [("SINTERSTORE", "s1", "s2", "nokey")]),
    (["z1"], [("ZUNIONSTORE", "zd", "2", "z1", "z2")]), (["zd"], [("ZUNIONSTORE", "zd", "2", "z1", "z2")]),
    (["z2"], [("ZINTERSTORE", "zd", "2", "z1", "z2")]), (["z1"], [("ZDIFFSTORE", "zd", "2", "z1", "z2")]),
    (["z1"], [("ZRANGESTORE", "zd", "z1", "0", "-1")]), (["zd"], [("ZRANGESTORE", "zd", "z1", "0", "-1")]),
    (["l1"], [("SORT", "l1", "ALPHA", "STORE", "sd")]), (["sd"], [("SORT", "l1", "ALPHA", "STORE", "sd")]),
    (["sd"], [("SORT", "nol", "STORE", "sd")]),
    (["str1"], [("COPY", "str1", "cp")]), (["cp"], [("COPY", "str1", "cp")]),
    (["str2"], [("COPY", "str1", "str2")]), (["str2"], [("COPY", "str1", "str2", "REPLACE")]),
    (["str1"], [("BITOP", "AND", "bd", "str1", "str2")]), (["bd"], [("BITOP", "AND", "bd", "str1", "str2")]),
    (["AND"], [("BITOP", "AND", "bd", "str1", "str2")]), (["bd"], [("BITOP", "AND", "bd", "nokey")]),
    (["g"], [("GEOSEARCHSTORE", "gd", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km")]),
    (["gd"], [("GEOSEARCHSTORE", "gd", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km")]),
    (["g"], [("GEORADIUS", "g", "15", "37", "200", "km", "STORE", "gd2")]),
    (["gd2"], [("GEORADIUS", "g", "15", "37", "200", "km", "STORE", "gd2")]),
    (["h1"], [("PFMERGE", "h2", "h1")]), (["h2"], [("PFMERGE", "h2", "h1")]),
    (["h1"], [("PFCOUNT", "h1")]), (["h1"], [("PFCOUNT", "h1", "h2")]), (["h1"], [("PFADD", "h1", "a")]),
    (["l1"], [("LMOVE", "l1", "l2", "LEFT", "RIGHT")]), (["l2"], [("LMOVE", "l1", "l2", "LEFT", "RIGHT")]),
    (["l2"], [("LMOVE", "nol", "l2", "LEFT", "RIGHT")]), (["l1"], [("RPOPLPUSH", "l1", "l1")]),
    (["sm"], [("SMOVE", "sm", "s1", "m")]), (["s1"], [("SMOVE", "sm", "s1", "m")]),
    (["s1"], [("SMOVE", "sm", "s1", "a")]), (["s1"], [("SMOVE", "s1", "s1", "a")]),
    (["l1"], [("LMPOP", "2", "l1", "l2", "LEFT")]), (["l2"], [("LMPOP", "2", "l1", "l2", "LEFT")]),
    (["l2"], [("LMPOP", "2", "nol", "l2", "LEFT")]), (["l2"], [("BLMPOP", "1", "2", "nol", "l2", "LEFT")]),
    (["l1"], [("BLPOP", "l1", "l2", "1")]), (["l2"], [("BLPOP", "l1", "l2", "1")]),
    (["z1"], [("ZMPOP", "2", "z1", "z2", "MIN")]), (["z2"], [("ZMPOP", "2", "z1", "z2", "MIN")]),
    (["z1"], [("BZPOPMIN", "z1", "z2", "1")]), (["z2"], [("BZPOPMIN", "z1", "z2", "1")]),
    (["s1"], [("SADD", "s1", "a")]), (["s1"], [("SREM", "s1", "zz")]), (["s1"], [("SPOP", "s1", "0")]),
    (["hh"], [("HSET", "hh", "f", "v")]), (["hh"], [("HDEL", "hh", "nof")]), (["hh"], [("HSETNX", "hh", "f", "q")]),
    (["hh"], [("HINCRBY", "hh", "n", "0")]),
    (["z1"], [("ZADD", "z1", "1", "a")]), (["z1"], [("ZADD", "z1", "NX", "5", "a")]),
    (["z1"], [("ZINCRBY", "z1", "0", "a")]), (["z1"], [("ZREMRANGEBYSCORE", "z1", "5", "6")]),
    (["str1"], [("SET", "str1", "abc")]), (["str1"], [("SET", "str1", "q", "NX")]),
    (["str1"], [("SETRANGE", "str1", "0", "")]), (["str1"], [("APPEND", "str1", "")]),
    (["str1"], [("SETNX", "str1", "q")]), (["str1"], [("EXPIRE", "str1", "100", "GT")]),
    (["str1"], [("PERSIST", "str1")]), (["str1"], [("GETEX", "str1", "PERSIST")]), (["nokey"], [("GETDEL", "nokey")]),
    (["str1"], [("BITFIELD", "str1", "GET", "u8", "0")]), (["str1"], [("SETBIT", "str1", "1", "0")]),
    (["l1"], [("LREM", "l1", "0", "nothere")]), (["l1"], [("LINSERT", "l1", "BEFORE", "nothere", "x")]),
    (["l1"], [("LTRIM", "l1", "0", "-1")]), (["nol"], [("LTRIM", "nol", "0", "1")]), (["l1"], [("LPOP", "l1", "0")]),
    (["lx"], [("LPUSHX", "lx", "a")]), (["l1"], [("LSET", "l1", "0", "a")]),
    (["s1"], [("DEL", "s1", "nokey")]), (["nokey"], [("DEL", "s1", "nokey")]), (["nokey"], [("UNLINK", "s1", "nokey")]),
    (["nokey"], [("MSETNX", "str1", "1", "nokey", "2")]), (["str2"], [("RENAMENX", "str1", "str2")]),
    (["str1"], [("MOVE", "str1", "1")]), (["nokey"], [("FLUSHDB",)]), (["nokey"], [("SWAPDB", "0", "1")]),
    (["str1"], [("EVAL", "return redis.call('get',KEYS[1])", "1", "str1")]),
    (["str1"], [("EVAL", "return redis.call('set',KEYS[1],'q')", "1", "str1")]),
    (["s1"], [("EVAL", "return redis.call('sunionstore','dd','s1','s2')", "0")]),
    (["ghost"], [("EVAL", "redis.call('select','1') return redis.call('set','ghost','1')", "0")]),
    (["s2"], [("MULTI",), ("SINTERSTORE", "dd", "s1", "s2"), ("EXEC",)]),
    (["str1"], [("MULTI",), ("SET", "str1", "z"), ("EXEC",)]),
]


def watch_outcome(watcher, writer, watched, commands):
    """Sets up WATCH_SETUP, WATCHes on watcher, runs commands on writer: True if the
    watcher's EXEC then ran."""
    watcher.flushall()
    for args in WATCH_SETUP:
        watcher.execute_command(*args)
    watcher.execute_command("WATCH", *watched)
    for args in commands:
        try:
            writer.execute_command(*args)
        except redis.ResponseError:
            pass
    return transaction(watcher, ("PING",)) is not None


def watch_mismatches(server, oracle, cases):
    ours = one_client_per_worker(server)
    theirs = [oracle.client(), oracle.client()]
    for client in ours + theirs:
        client.response_callbacks.clear()       # replies are not looked at
    return [f"WATCH {' '.join(keys)}; {' | '.join(' '.join(c) for c in cmds)}: "
            f"ferrous {'runs' if got else 'fails'}, redis {'runs' if want else 'fails'}"
            for keys, cmds in cases
            for got, want in [(watch_outcome(*ours, keys, cmds), watch_outcome(*theirs, keys, cmds))]
            if got != want]


def test_watch_fails_exactly_when_redis_sees_a_change(server, oracle):
    assert watch_mismatches(server, oracle, WATCH_CASES) == []


def test_watch_bit_writes_that_change_nothing(server, oracle):
    assert watch_mismatches(server, oracle, [(["str1"], [("SETBIT", "str1", "1", "1")]),
                                             (["str1"], [("BITFIELD", "str1", "SET", "u8", "0", "97")]),
                                             (["str1"], [("BITFIELD", "str1", "OVERFLOW", "FAIL",
                                                          "INCRBY", "u8", "800", "300")]),
                                             (["str1"], [("BITFIELD", "str1", "SET", "u8", "800", "0")]),
                                             (["str1"], [("SETBIT", "str1", "900", "0")])]) == []


# ---- EXEC atomicity ------------------------------------------------------------------------

def test_exec_is_atomic_for_the_other_worker(server):
    a, b = one_client_per_worker(server)
    a.mset({"x": 0, "y": 0})
    rounds, reads, mismatches = 1500, [0], []
    done = threading.Event()

    def writer():
        try:
            for _ in range(rounds):
                transaction(a, ("INCR", "x"), ("RPUSH", "log", "entry"), ("INCR", "y"))
        finally:
            done.set()

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    while not done.is_set():
        x, y, n = pipelined(b, [("GET", "x"), ("GET", "y"), ("LLEN", "log")])
        reads[0] += 1
        if not (int(x) == int(y) == n):
            mismatches.append((x, y, n))
    t.join(30)
    assert not mismatches, mismatches[:5]
    assert reads[0] > 50, "the reader hardly ran: the test proved nothing"
    assert a.mget("x", "y") == [str(rounds).encode()] * 2


def _queue_sets(client, n, *extra):
    commands = [("MULTI",)] + [("SET", f"tx:{i}", i) for i in range(n)] + list(extra)
    replies = pipelined(client, commands)
    assert replies[0] == b"OK" and all(r == b"QUEUED" for r in replies[1:])


def _wait_respawned(server, old_pid, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        pids = worker_pids(server.pid)
        if len(pids) == WORKERS and old_pid not in pids:
            return
        assert time.monotonic() < deadline, "the killed worker was not respawned"
        time.sleep(0.05)


def test_worker_killed_mid_exec_leaves_nothing(start_server):
    """20,000 SETs, then a script that spins, then one more SET: the other worker sees BUSY
    while EXEC runs (20,000 keys written, uncommitted); the EXEC's worker is SIGKILLed then.
    The other worker takes the lock, rolls the write back: no key of it exists."""
    server = start_server(args=["--workers", str(WORKERS), "--busy-reply-threshold", "100"])
    a, b = one_client_per_worker(server)
    pid = pid_serving(server, a)
    n = 20000
    _queue_sets(a, n, ("EVAL", "while true do end", "0"), ("SET", "tx:last", "1"))
    result = {}

    def run_exec():
        try:
            result["reply"] = a.execute_command("EXEC")
        except Exception as e:  # noqa: BLE001 - expected: the connection dies
            result["error"] = e

    t = threading.Thread(target=run_exec, daemon=True)
    t.start()
    deadline = time.monotonic() + 20
    while True:
        try:
            b.get("tx:0")
        except redis.ResponseError as e:
            assert str(e).startswith("BUSY")
            break
        assert time.monotonic() < deadline, "EXEC never got to the script"
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    t.join(10)
    assert isinstance(result.get("error"), redis.ConnectionError), result
    assert b.dbsize() == 0                          # rolled back by b's worker
    assert b.exists("tx:0", f"tx:{n - 1}", "tx:last") == 0
    assert b.execute_command("DEBUG", "ARENA-CHECK") == b"OK"
    _wait_respawned(server, pid)
    c = server.client()
    assert c.set("after", "1") is True and c.dbsize() == 1


@pytest.mark.parametrize("delay", [0.0, 0.003, 0.01, 0.03])
def test_worker_killed_around_exec_all_or_nothing(start_server, delay):
    """A plain 20,000-SET EXEC; its worker is SIGKILLed some moment after EXEC was sent:
    afterwards either every key exists or none."""
    server = start_server(args=["--workers", str(WORKERS)])
    a, b = one_client_per_worker(server)
    pid = pid_serving(server, a)
    n = 20000
    _queue_sets(a, n)
    a.connection.send_command("EXEC")
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    count = b.dbsize()
    assert count in (0, n), f"{count} of {n} keys: a partial transaction"
    assert b.execute_command("DEBUG", "ARENA-CHECK") == b"OK"
    _wait_respawned(server, pid)


def test_exec_out_of_arena_memory_leaves_nothing(start_server):
    """A transaction whose write runs out of arena memory is rolled back whole: EXEC answers
    the error, no key of it exists - also when a script inside it hit the limit (the script
    swallows the rollback and goes on; EXEC must not run the rest on its own)."""
    server = start_server(args=["--workers", "1", "--arena-size", "32mb"])
    c = server.client()
    big = "x" * (40 << 20)
    script = "redis.call('set', 'b', '1'); return redis.call('set', 'big', string.rep('x', 40 * 1024 * 1024))"
    pcall = "return redis.pcall('set', 'big', string.rep('x', 40 * 1024 * 1024))"
    for commands in ([("SET", "a", "1"), ("SET", "big", big), ("SET", "c", "1")],
                     [("SET", "a", "1"), ("EVAL", script, "0"), ("SET", "c", "1")],
                     [("SET", "a", "1"), ("EVAL", pcall, "0"), ("SET", "c", "1")]):
        with pytest.raises(redis.ResponseError, match="^OOM "):
            transaction(c, *commands)
        assert c.exists("a", "b", "c", "big") == 0
        assert c.execute_command("DEBUG", "ARENA-CHECK") == b"OK"
    assert transaction(c, ("SET", "a", "1")) == [b"OK"]


# ---- single connection: what a differential script cannot show -----------------------------

def raw_exchange(port, payload, end=b"$3\r\nend\r\n", timeout=5.0):
    """Sends payload on a new connection; returns every byte received up to the end marker
    (or the connection's close)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(payload)
        data = b""
        deadline = time.monotonic() + timeout
        while end not in data and time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return data


REPLY_SWITCH = (
    b"SET x 1\r\n"
    b"CLIENT REPLY OFF\r\nGET x\r\nSET y 2\r\nFOO\r\nCLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\n"
    b"GET x\r\nCLIENT REPLY SKIP\r\nGET x\r\nGET y\r\n"
    b"CLIENT REPLY SKIP\r\nCLIENT REPLY SKIP\r\nGET x\r\nGET y\r\n"
    b"CLIENT REPLY SKIP\r\nBLPOP nolist 0.1\r\nGET x\r\n"
    b"CLIENT REPLY OFF\r\nRESET\r\nGET y\r\n"
    b"CLIENT REPLY SKIP\r\nMULTI\r\nGET x\r\nEXEC\r\nGET y\r\n"
    b"ECHO end\r\n"
)


def test_client_reply_like_redis(server, oracle):
    got = raw_exchange(server.port, REPLY_SWITCH)
    want = raw_exchange(oracle.port, REPLY_SWITCH)
    assert got == want


def test_quit_inside_multi_discards(server, oracle):
    payload = b"MULTI\r\nSET q 1\r\nQUIT\r\n"
    for port in (server.port, oracle.port):
        assert raw_exchange(port, payload, end=b"never") == b"+OK\r\n+QUEUED\r\n+OK\r\n"
    assert server.client().exists("q") == 0


def test_disconnect_and_respawn_forget_watchers(server):
    """Clients that go away (closing, or their worker killed) while watching leave the server
    working: their watchers are removed, and a key they watched can be watched again."""
    a, b = one_client_per_worker(server)
    for i in range(50):
        c = server.client()
        c.execute_command("WATCH", "shared", f"own:{i}")
        c.execute_command("MULTI")
        c.execute_command("SET", "shared", i)
        c.close()
    pid = pid_serving(server, a)
    a.execute_command("WATCH", "shared")
    os.kill(pid, signal.SIGKILL)
    _wait_respawned(server, pid)
    b.set("shared", "1")
    b.execute_command("WATCH", "shared")
    assert transaction(b, ("INCR", "shared")) == [2]
    assert b.execute_command("DEBUG", "ARENA-CHECK") == b"OK"
