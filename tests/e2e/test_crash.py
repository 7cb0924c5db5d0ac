"""Crash-proof writes: workers are SIGKILLed at random moments while several clients write;
afterwards every acknowledged write must be there, nothing half-done may be visible, and the
arena's allocator and hash tables must be consistent (DEBUG ARENA-CHECK, SCAN == DBSIZE).

Each writer thread owns its keys, so it knows exactly what it was told:
  - SET w:<id>:<n> with a value of a random size (1 B .. 64 KiB) made from (id, n): acknowledged
    keys must hold exactly their value; a key whose reply was lost may exist (whole) or not.
  - INCR ctr:<id>: the final value lies between the acknowledged count and that count plus
    the number of INCRs whose reply was lost.
"""

import os
import random
import signal
import threading
import time

import redis

from ferrous_harness import children as worker_pids

KILLS = 12
WRITERS = 4


def value_for(wid, n):
    rnd = random.Random(wid * 1_000_003 + n)
    size = rnd.choice([1, 7, 40, 45, 200, 1000, 5000, 20000, 65536])
    seed = f"{wid}:{n}:".encode()
    return (seed * (size // len(seed) + 1))[:size]


class Writer(threading.Thread):
    def __init__(self, port, wid, stop):
        super().__init__(daemon=True)
        self.port, self.wid, self.stop = port, wid, stop
        self.acked_sets, self.lost_sets = [], []
        self.acked_incr, self.lost_incr = 0, 0
        self.errors = []

    def connect(self):
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=10,
                           single_connection_client=True)

    def reconnect(self, r):
        """A new connection after the worker of r died (respawn under way)."""
        time.sleep(0.01)
        try:
            r.close()
        except Exception:
            pass
        return self.connect()

    def run(self):
        r, n = self.connect(), 0
        while not self.stop.is_set():
            op_is_set = n % 2 == 0
            try:
                if op_is_set:
                    ok = r.set(f"w:{self.wid}:{n}", value_for(self.wid, n))
                    if ok is not True:
                        self.errors.append(f"SET answered {ok!r}")
                    self.acked_sets.append(n)
                else:
                    v = r.incr(f"ctr:{self.wid}")
                    if v != self.acked_incr + self.lost_incr + 1 and v <= self.acked_incr:
                        self.errors.append(f"INCR went backwards: {v} after {self.acked_incr} acked")
                    self.acked_incr += 1
            except (redis.ConnectionError, redis.TimeoutError):
                if op_is_set:
                    self.lost_sets.append(n)
                else:
                    self.lost_incr += 1
                r = self.reconnect(r)
            except redis.ResponseError as e:
                self.errors.append(f"error reply: {e}")
            n += 1


def test_sigkill_workers_during_writes(start_server):
    server = start_server(args=["--workers", "3"])
    stop = threading.Event()
    writers = [Writer(server.port, i, stop) for i in range(WRITERS)]
    for w in writers:
        w.start()
    rnd = random.Random(42)
    killed = 0
    try:
        for _ in range(KILLS):
            time.sleep(rnd.uniform(0.05, 0.3))
            pids = worker_pids(server.pid)
            if pids:
                os.kill(rnd.choice(pids), signal.SIGKILL)
                killed += 1
    finally:
        time.sleep(0.3)
        stop.set()
        for w in writers:
            w.join(30)
    assert killed >= KILLS - 2
    assert server.alive(), server.describe()

    deadline = time.monotonic() + 10
    while len(worker_pids(server.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(worker_pids(server.pid)) == 3, "workers were not respawned\n" + server.describe()

    r = server.client()
    for w in writers:
        assert not w.errors, w.errors[:5]
        assert w.acked_sets, "a writer got nothing acknowledged"
        for n in w.acked_sets:
            assert r.get(f"w:{w.wid}:{n}") == value_for(w.wid, n), f"acknowledged SET w:{w.wid}:{n} lost"
        for n in w.lost_sets:
            got = r.get(f"w:{w.wid}:{n}")
            assert got in (None, value_for(w.wid, n)), f"half-done SET w:{w.wid}:{n}"
        ctr = int(r.get(f"ctr:{w.wid}") or 0)
        assert w.acked_incr <= ctr <= w.acked_incr + w.lost_incr

    assert r.execute_command("DEBUG", "ARENA-CHECK") == b"OK"
    scanned = set()
    for key in r.scan_iter(count=1000):
        scanned.add(key)
    assert len(scanned) == r.dbsize()
    expected = sum(len(w.acked_sets) for w in writers) + WRITERS
    assert expected <= r.dbsize() <= expected + sum(len(w.lost_sets) for w in writers)
    log = server.log_text()
    assert log.count("killed by signal 9") == killed, server.describe()


class AggregateWriter(Writer):
    """Adds element n to this writer's list, hash, set and sorted set in turn, so every
    aggregate type grows through its encodings (listpack -> quicklist nodes, hashtable,
    intset -> hashtable, listpack -> skiplist) while workers die."""

    OPS = ("RPUSH", "HSET", "SADD", "ZADD")

    def run(self):
        r, n = self.connect(), 0
        while not self.stop.is_set():
            op = self.OPS[n % 4]
            key = f"{op.lower()}:{self.wid}"
            args = {"RPUSH": [key, n], "HSET": [key, f"f{n}", n], "SADD": [key, n],
                    "ZADD": [key, n, f"m{n}"]}[op]
            try:
                r.execute_command(op, *args)
                self.acked_sets.append(n)
            except (redis.ConnectionError, redis.TimeoutError):
                self.lost_sets.append(n)
                r = self.reconnect(r)
            except redis.ResponseError as e:
                self.errors.append(f"error reply: {e}")
            n += 1


def snapshot(r, wid):
    """The writer's four aggregates, read once: element n -> its stored form."""
    return {"RPUSH": set(r.lrange(f"rpush:{wid}", 0, -1)),
            "HSET": r.hgetall(f"hset:{wid}"),
            "SADD": r.smembers(f"sadd:{wid}"),
            "ZADD": dict(r.zrange(f"zadd:{wid}", 0, -1, withscores=True))}


def present(snap, n):
    op, v = AggregateWriter.OPS[n % 4], str(n).encode()
    if op == "RPUSH":
        return v in snap["RPUSH"]
    if op == "HSET":
        return snap["HSET"].get(f"f{n}".encode()) == v
    if op == "SADD":
        return v in snap["SADD"]
    return snap["ZADD"].get(f"m{n}".encode()) == float(n)


def test_sigkill_workers_during_aggregate_writes(start_server):
    server = start_server(args=["--workers", "3", "--hash-max-listpack-entries", "64",
                                "--set-max-intset-entries", "64", "--zset-max-listpack-entries", "64",
                                "--list-max-listpack-size", "8"])
    stop = threading.Event()
    writers = [AggregateWriter(server.port, i, stop) for i in range(WRITERS)]
    for w in writers:
        w.start()
    rnd = random.Random(7)
    try:
        for _ in range(KILLS):
            time.sleep(rnd.uniform(0.05, 0.3))
            pids = worker_pids(server.pid)
            if pids:
                os.kill(rnd.choice(pids), signal.SIGKILL)
    finally:
        time.sleep(0.3)
        stop.set()
        for w in writers:
            w.join(30)
    r = server.client()
    for w in writers:
        assert not w.errors, w.errors[:5]
        assert len(w.acked_sets) > 100, "too few writes acknowledged to mean anything"
        snap = snapshot(r, w.wid)
        missing = [n for n in w.acked_sets if not present(snap, n)]
        assert not missing, f"writer {w.wid}: acknowledged elements lost: {missing[:10]}"
        assert r.llen(f"rpush:{w.wid}") == len(r.lrange(f"rpush:{w.wid}", 0, -1))
    encodings = {r.object("encoding", f"{t}:0") for t in ("rpush", "hset", "sadd", "zadd")}
    assert encodings == {b"quicklist", b"hashtable", b"skiplist"}, encodings
    assert r.execute_command("DEBUG", "ARENA-CHECK") == b"OK"
