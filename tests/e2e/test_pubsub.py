"""Pub/Sub across worker processes: subscribers and publishers on connections spread over
both workers must see one Redis 7.0.

Covered: receiver counts and delivery to every worker, the order of many messages from one
publisher, pattern matching (glob rules and escapes, compared with redis-server), RESP3
push messages byte for byte, subscribe/unsubscribe confirmations and subscribed-mode errors
(compared with redis-server), PUBSUB introspection, a slow subscriber cut off by
client-output-buffer-limit while its publisher goes on, the normal class's limit, a
worker killed while its clients are subscribed, and one of three workers killed while
subscribers and MULTI/EXEC publishers run on all of them.  Keyspace notifications are in
test_notifications.py.
"""

import os
import signal
import socket
import threading
import time

import pytest

from ferrous_harness import children as worker_pids
from ferrous_harness import group_by_worker, worker_serving

WORKERS = 2


# --- a raw RESP connection ---------------------------------------------------------------

class Raw:
    """One connection speaking RESP by hand: replies and pushes as (type, value) pairs, type
    being the RESP type byte, so a push ('>') and an array ('*') are told apart."""

    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def send(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))

    def call(self, *args):
        self.send(*args)
        return self.read()

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _fill(self):
        data = self.sock.recv(1 << 20)
        if not data:
            raise ConnectionError("server closed the connection")
        self.buf += data

    def read(self):
        line = self._line()
        kind, rest = chr(line[0]), line[1:]
        if kind in "+-(,":
            return kind, rest.decode()
        if kind == ":":
            return kind, int(rest)
        if kind == "_":
            return kind, None
        if kind in "$=":
            n = int(rest)
            if n < 0:
                return kind, None
            while len(self.buf) < n + 2:
                self._fill()
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return kind, data
        if kind in "*>~%":
            n = int(rest)
            if kind == "%":
                n *= 2
            return kind, None if n < 0 else [self.read() for _ in range(n)]
        raise AssertionError(f"unexpected RESP line {line!r}")

    def pending(self, wait=0.2):
        """True if the server sent something within wait seconds."""
        if self.buf:
            return True
        self.sock.settimeout(wait)
        try:
            data = self.sock.recv(1 << 20)
        except socket.timeout:
            return False
        finally:
            self.sock.settimeout(10.0)
        if not data:
            raise ConnectionError("server closed the connection")
        self.buf += data
        return True

    def worker(self):
        kind, text = self.call("CLIENT", "INFO")
        fields = dict(f.split("=", 1) for f in text.decode().split() if "=" in f)
        return int(fields["worker"])


def plain(reply):
    """A reply without its types: bytes, ints, None, lists."""
    kind, value = reply
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def message(reply):
    """A pushed message as a list of bytes, whatever the protocol's framing."""
    kind, value = reply
    assert kind in "*>", f"not a message: {reply!r}"
    return plain(reply)


def spread(server, per_worker, workers=WORKERS):
    """Raw connections grouped by the worker that accepted them: {worker: [Raw, ...]}."""
    return group_by_worker(lambda: Raw(server.port), Raw.worker, workers, per_worker)


def eventually(check, what, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


@pytest.fixture
def server(start_server):
    return start_server(args=["--workers", str(WORKERS)])


def session(port, steps):
    """Runs (connection index, command) steps over fresh connections; returns the replies,
    with the pushes each step left on its connections collected right after it."""
    conns, out = {}, []
    try:
        for who, cmd in steps:
            c = conns.setdefault(who, Raw(port))
            reply = c.call(*cmd)
            if cmd[0] == "HELLO" and reply[0] == "%":     # client ids differ: mask them
                reply = ("%", [("id", None) if i == 7 else r for i, r in enumerate(reply[1])])
            out.append((who, cmd, reply))
            time.sleep(0.03)            # pushes crossing workers arrive well within this
            for other, oc in sorted(list(conns.items())):
                try:
                    while oc.pending(0.001):
                        out.append((other, "push", oc.read()))
                except ConnectionError:
                    out.append((other, "closed", None))
                    del conns[other]
    finally:
        for c in conns.values():
            c.close()
    return out


def assert_same_session(server, oracle, steps):
    got, want = session(server.port, steps), session(oracle.port, steps)
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"step {i}: ferrous {g!r}\n  redis-server {w!r}"
    assert len(got) == len(want), f"ferrous {got[len(want):]!r}\n  redis-server {want[len(got):]!r}"


# --- delivery ---------------------------------------------------------------------------

def test_publish_reaches_subscribers_on_every_worker(server):
    groups = spread(server, 3)
    subs = [c for w in sorted(groups) for c in groups[w][:2]]
    pubs = [groups[w][2] for w in sorted(groups)]
    for i, s in enumerate(subs):
        assert plain(s.call("SUBSCRIBE", "news", f"own{i}")) == [b"subscribe", b"news", 1]
        assert plain(s.read()) == [b"subscribe", f"own{i}".encode(), 2]
    for p in pubs:
        assert p.call("PUBSUB", "NUMSUB", "news", "own0", "none")[1] == \
            [("$", b"news"), (":", 4), ("$", b"own0"), (":", 1), ("$", b"none"), (":", 0)]
    for n, p in enumerate(pubs):
        assert p.call("PUBLISH", "news", f"from{n}") == (":", len(subs))
        for s in subs:
            assert message(s.read()) == [b"message", b"news", f"from{n}".encode()]
    assert pubs[1].call("PUBLISH", "own0", "x") == (":", 1)
    assert message(subs[0].read()) == [b"message", b"own0", b"x"]
    assert pubs[0].call("PUBLISH", "nobody", "x") == (":", 0)
    for s in subs:
        assert not s.pending(0.1), "a message went to a client that is not subscribed"


def test_many_messages_of_one_publisher_arrive_in_order(server):
    groups = spread(server, 2)
    subs = [groups[w][0] for w in sorted(groups)] + [groups[0][1]]
    for s in subs:
        s.call("SUBSCRIBE", "seq")
        s.call("PSUBSCRIBE", "se?")
    pub = groups[1][1]
    n = 3000
    pub.sock.sendall(b"".join(b"*3\r\n$7\r\nPUBLISH\r\n$3\r\nseq\r\n$%d\r\n%d\r\n" % (len(str(i)), i)
                              for i in range(n)))
    assert [pub.read() for _ in range(n)] == [(":", 2 * len(subs))] * n
    for s in subs:
        got = [message(s.read()) for _ in range(2 * n)]
        assert got[0::2] == [[b"message", b"seq", str(i).encode()] for i in range(n)]
        assert got[1::2] == [[b"pmessage", b"se?", b"seq", str(i).encode()] for i in range(n)]


def test_two_publishers_each_keep_their_order(server):
    groups = spread(server, 2)
    sub = groups[0][0]
    sub.call("SUBSCRIBE", "mix")
    pubs = [groups[0][1], groups[1][0]]
    n = 1000
    for who, p in enumerate(pubs):
        p.sock.sendall(b"".join(b"*3\r\n$7\r\nPUBLISH\r\n$3\r\nmix\r\n$%d\r\n%d-%d\r\n" % (len(f"{who}-{i}"), who, i)
                                for i in range(n)))
    for p in pubs:
        assert [p.read() for _ in range(n)] == [(":", 1)] * n
    got = [message(sub.read())[2].decode() for _ in range(2 * n)]
    for who in range(2):
        assert [m for m in got if m.startswith(f"{who}-")] == [f"{who}-{i}" for i in range(n)]


def test_message_published_before_unsubscribe_comes_first(server):
    groups = spread(server, 1)
    sub, pub = groups[0][0], groups[1][0]
    sub.call("SUBSCRIBE", "c")
    for i in range(200):
        assert pub.call("PUBLISH", "c", str(i)) == (":", 1)
        if i % 2 == 0:
            sub.send("UNSUBSCRIBE", "c")
            assert message(sub.read()) == [b"message", b"c", str(i).encode()]
            assert plain(sub.read()) == [b"unsubscribe", b"c", 0]
            sub.call("SUBSCRIBE", "c")
        else:
            assert message(sub.read()) == [b"message", b"c", str(i).encode()]


def test_pattern_matching_as_redis(server, oracle):
    patterns = ["h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "h\\*llo", "h\\?llo", "*", "",
                "news.*", "[", "a[", "\\", "x[\\]]y", "NEWS.*"]
    channels = ["hello", "hallo", "hllo", "heeeello", "hxllo", "h*llo", "h?llo", "", "news.a", "news.",
                "[", "a[", "a[b", "\\", "x]y", "x\\y", "NEWS.sport"]
    steps = [(0, ["PSUBSCRIBE", *patterns]), (1, ["PUBSUB", "NUMPAT"])]
    steps += [(1, ["PUBLISH", ch, "m"]) for ch in channels]
    got, want = session(server.port, steps), session(oracle.port, steps)

    def received(out):
        return sorted(tuple(plain(r)) for who, cmd, r in out if cmd == "push")

    def counts(out):
        return [plain(r) for who, cmd, r in out if who == 1]

    assert counts(got) == counts(want)
    assert received(got) == received(want)


# --- replies ----------------------------------------------------------------------------

def test_confirmations_and_subscribed_mode_as_redis(server, oracle):
    steps = [(0, c) for c in (
        ["SUBSCRIBE", "a", "a"], ["PSUBSCRIBE", "x*", "x*", "?"], ["SSUBSCRIBE", "s1", "s2"],
        ["GET", "k"], ["CLIENT", "LIST"], ["HELLO", "3"], ["PING"], ["PING", "hi"], ["PING", "a", "b"],
        ["SUBSCRIBE"], ["NOSUCH"], ["GET"], ["UNSUBSCRIBE", "zz"], ["UNSUBSCRIBE"], ["UNSUBSCRIBE"],
        ["PUNSUBSCRIBE", "x*"], ["PUNSUBSCRIBE"], ["PING"], ["SUNSUBSCRIBE", "s1"], ["SUNSUBSCRIBE", "q"],
        ["SUNSUBSCRIBE"], ["PING"], ["SUNSUBSCRIBE"], ["PUNSUBSCRIBE"], ["GET", "k"],
        ["SUBSCRIBE", ""], ["QUIT"])]
    assert_same_session(server, oracle, steps)


def test_reset_drops_every_subscription(server, oracle):
    steps = [(0, ["SUBSCRIBE", "a"]), (0, ["PSUBSCRIBE", "a*"]), (0, ["SSUBSCRIBE", "a"]), (0, ["RESET"]),
             (0, ["PING"]), (0, ["GET", "k"]), (1, ["PUBLISH", "a", "m"]), (1, ["SPUBLISH", "a", "m"]),
             (1, ["PUBSUB", "NUMPAT"]), (0, ["HELLO", "3"]), (0, ["SUBSCRIBE", "b"]), (0, ["RESET"]),
             (0, ["SUBSCRIBE", "c"]), (0, ["GET", "k"]), (1, ["PUBLISH", "b", "m"])]
    assert_same_session(server, oracle, steps)


def test_resp3_pushes_byte_for_byte(server, oracle):
    steps = [(0, ["HELLO", "3"]), (1, ["HELLO", "3"])]
    steps += [(0, c) for c in (["SUBSCRIBE", "a", "b"], ["PSUBSCRIBE", "a*"], ["SSUBSCRIBE", "a"],
                                ["GET", "k"], ["PING"], ["SET", "k", "v"], ["GET", "k"])]
    steps += [(1, ["PUBLISH", "a", "hello"]), (1, ["SPUBLISH", "a", "sh"]), (1, ["PUBLISH", "b", ""])]
    steps += [(0, c) for c in (["UNSUBSCRIBE", "b"], ["PUNSUBSCRIBE"], ["SUNSUBSCRIBE"], ["UNSUBSCRIBE"],
                                ["UNSUBSCRIBE"], ["PUNSUBSCRIBE"], ["SUNSUBSCRIBE"])]
    got, want = session(server.port, steps), session(oracle.port, steps)
    assert got == want
    pushes = [r for who, cmd, r in got if cmd == "push"]
    assert pushes and all(kind == ">" for kind, _ in pushes)


def test_pubsub_introspection_as_redis(server, oracle):
    steps = [(0, ["SUBSCRIBE", "news.a", "news.b", "", "sport"]), (1, ["SUBSCRIBE", "news.a"]),
             (1, ["PSUBSCRIBE", "p*", "q*"]), (2, ["PSUBSCRIBE", "p*"]), (2, ["SSUBSCRIBE", "s1", "s2"])]
    steps += [(3, c) for c in (
        ["PUBSUB", "NUMSUB"], ["PUBSUB", "NUMSUB", "news.a", "news.b", "zz", "news.a", "", "p*"],
        ["PUBSUB", "NUMPAT"], ["PUBSUB", "SHARDNUMSUB", "s1", "news.a"], ["PUBSUB", "SHARDNUMSUB"],
        ["PUBSUB", "CHANNELS", "zz*"], ["PUBSUB", "CHANNELS", "a", "b"], ["PUBSUB", "SHARDCHANNELS", "a", "b"],
        ["PUBSUB", "NUMPAT", "x"], ["PUBSUB"], ["PUBSUB", "FOO"], ["PUBSUB", "HELP"], ["PUBSUB", "help", "x"],
        ["PUBLISH", "a"], ["SPUBLISH", "a"], ["PUBLISH", "news.a", "m"], ["SPUBLISH", "s1", "m"],
        ["SPUBLISH", "news.a", "m"], ["PUBLISH", "s1", "m"], ["HELLO", "3"], ["PUBSUB", "NUMSUB", "news.a"],
        ["PUBSUB", "CHANNELS", "zz"])]
    assert_same_session(server, oracle, steps)
    listing = [(3, ["PUBSUB", "CHANNELS"]), (3, ["PUBSUB", "CHANNELS", "news.*"]),
               (3, ["PUBSUB", "SHARDCHANNELS"]), (3, ["PUBSUB", "SHARDCHANNELS", "*2"])]

    def lists(port):
        return [sorted(plain(r)) for who, cmd, r in session(port, steps[:5] + listing) if who == 3]

    assert lists(server.port) == lists(oracle.port)


def test_command_info_as_redis(server, oracle):
    from ferrous_diff import exact_client
    names = ["subscribe", "unsubscribe", "psubscribe", "punsubscribe", "publish", "ssubscribe",
             "sunsubscribe", "spublish", "pubsub"]
    for name in names:
        ours = exact_client(server).execute_command("COMMAND", "INFO", name)
        theirs = exact_client(oracle).execute_command("COMMAND", "INFO", name)
        # element 9 (subcommands) of pubsub: same set, in any order
        assert ours.value[0].value[:8] == theirs.value[0].value[:8], name


# --- output buffer limits ---------------------------------------------------------------

def client_ids(c):
    kind, text = c.call("CLIENT", "LIST")
    return {int(line.split()[0][3:]) for line in text.decode().splitlines()}


def test_slow_subscriber_is_cut_off_and_publisher_goes_on(server):
    groups = spread(server, 2)
    slow, fast, pub = groups[0][0], groups[1][0], groups[1][1]
    assert pub.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0") == ("+", "OK")
    slow.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow_id = slow.call("CLIENT", "ID")[1]
    slow.call("SUBSCRIBE", "big")
    fast.call("SUBSCRIBE", "big")
    payload = b"x" * 100_000
    start = time.monotonic()
    counts = []
    for i in range(200):                # 20 MB: far past the limit and the socket buffers
        counts.append(pub.call("PUBLISH", "big", payload)[1])
        assert message(fast.read()) == [b"message", b"big", payload]
    assert time.monotonic() - start < 20, "the publisher was slowed down by the slow subscriber"
    assert counts[0] == 2 and counts[-1] == 1, "the slow subscriber was not dropped"
    eventually(lambda: slow_id not in client_ids(pub), "the slow subscriber is still listed")
    assert pub.call("PUBSUB", "NUMSUB", "big")[1][1] == (":", 1)


def test_soft_limit_closes_after_its_seconds(server):
    groups = spread(server, 1)
    slow, pub = groups[0][0], groups[1][0]
    pub.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 256kb 1")
    slow.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow_id = slow.call("CLIENT", "ID")[1]
    slow.call("SUBSCRIBE", "soft")
    payload = b"y" * 50_000
    for _ in range(100):                # 5 MB pending: over the soft limit, not closed yet
        pub.call("PUBLISH", "soft", payload)
    assert slow_id in client_ids(pub), "closed before the soft limit's seconds passed"
    time.sleep(1.5)
    pub.call("PUBLISH", "soft", payload)    # checked when the next message comes
    eventually(lambda: slow_id not in client_ids(pub), "over the soft limit for 1.5 s and not closed")


def test_normal_class_limit(server):
    c = Raw(server.port)
    c.call("CONFIG", "SET", "client-output-buffer-limit", "normal 256kb 0 0")
    c.call("SET", "big", "z" * 1_000_000)
    reader = Raw(server.port)
    reader_id = reader.call("CLIENT", "ID")[1]
    reader.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    reader.sock.sendall(b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * 40)
    eventually(lambda: reader_id not in client_ids(c), "a normal client over its hard limit was not closed")
    assert c.call("GET", "big")[1] == b"z" * 1_000_000


def test_slow_subscriber_under_its_limit_gets_every_message_intact(server):
    groups = spread(server, 1)
    slow, pub = groups[0][0], groups[1][0]
    slow.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    slow.call("SUBSCRIBE", "bulk")
    payloads = [(b"%06d" % i) * 3000 for i in range(400)]     # 7 MB, under the 32 MB limit
    for p in payloads:
        pub.call("PUBLISH", "bulk", p)
    time.sleep(0.5)                     # the backlog waits in the server's buffer
    for p in payloads:
        assert message(slow.read()) == [b"message", b"bulk", p]


def test_slow_reader_gets_every_reply_intact(server):
    c = Raw(server.port)
    values = [(b"%05d" % i) * 40_000 for i in range(30)]           # 6 MB of replies
    for i, v in enumerate(values):
        c.call("SET", f"v{i}", v)
    reader = Raw(server.port)
    reader.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    reader.sock.sendall(b"".join(b"*2\r\n$3\r\nGET\r\n$%d\r\nv%d\r\n" % (len(str(i)) + 1, i)
                                 for i in range(len(values))))
    time.sleep(0.5)
    assert [reader.read() for _ in values] == [("$", v) for v in values]


# --- a worker dies ----------------------------------------------------------------------

def pid_serving(conn, server):
    """The worker process holding the server side of conn."""
    return worker_serving(server, conn.sock.getsockname()[1])


def test_killed_worker_leaves_no_subscription(server):
    groups = spread(server, 4)
    for w in groups:
        for c in groups[w][:3]:
            c.call("SUBSCRIBE", "life")
            c.call("PSUBSCRIBE", "li*")
            c.call("SSUBSCRIBE", "slife")
    pub = groups[0][3]
    assert pub.call("PUBSUB", "NUMSUB", "life")[1][1] == (":", 6)
    victim = pid_serving(groups[1][0], server)
    assert victim == pid_serving(groups[1][3], server) != pid_serving(pub, server)
    os.kill(victim, signal.SIGKILL)
    eventually(lambda: len(worker_pids(server.pid)) == WORKERS and victim not in worker_pids(server.pid),
               "the worker was not respawned")
    with pytest.raises((ConnectionError, OSError)):
        groups[1][3].call("PING")
    eventually(lambda: pub.call("PUBSUB", "NUMSUB", "life")[1][1] == (":", 3),
               "PUBSUB NUMSUB still counts the dead worker's subscribers")
    assert pub.call("PUBSUB", "SHARDNUMSUB", "slife")[1][1] == (":", 3)
    assert pub.call("PUBSUB", "NUMPAT") == (":", 1)
    assert pub.call("PUBLISH", "life", "after") == (":", 6)
    for c in groups[0][:3]:
        assert message(c.read()) == [b"message", b"life", b"after"]
        assert message(c.read()) == [b"pmessage", b"li*", b"life", b"after"]
    fresh = spread(server, 1)[1][0]
    assert plain(fresh.call("SUBSCRIBE", "life")) == [b"subscribe", b"life", 1]
    assert pub.call("PUBLISH", "life", "again") == (":", 3 + 3 + 1)
    assert message(fresh.read()) == [b"message", b"life", b"again"]


def run_transactions(conn, name, acked, stop, errors):
    """MULTI / INCR total / PUBLISH ev "<name>:<n>" / EXEC until stop() or the connection
    dies; acked[name] counts the EXECs answered, a wrong reply goes to errors."""
    while not stop():
        try:
            for args in (("MULTI",), ("INCR", "total"), ("PUBLISH", "ev", f"{name}:{acked[name]}"), ("EXEC",)):
                conn.send(*args)
            replies = [conn.read() for _ in range(4)]
        except (ConnectionError, OSError):
            return
        kinds = [r[0] for r in replies]
        if kinds != ["+", "+", "+", "*"] or replies[3][1][0][0] != ":" or \
                replies[3][1][1] not in ((":", 2), (":", 3)):
            errors.append((name, replies))
            return
        acked[name] += 1


def messages_per_publisher(sub, total):
    """The n of each "<name>:<n>" message, per name, until total messages were read."""
    seen = {}
    for _ in range(total):
        kind, channel, payload = message(sub.read())
        name, n = payload.decode().split(":")
        seen.setdefault(name, []).append(int(n))
    assert not sub.pending(0.2), "more messages than transactions"
    return seen


def test_worker_killed_while_subscribers_and_transactions_run_on_the_others(start_server):
    """Three workers, each with a subscriber and a MULTI/EXEC writer; one worker is SIGKILLed
    mid-run.  The others' writers go on without an error, every subscriber left gets each
    committed transaction's message once and in order, and the counter the transactions
    INCR matches the messages: a transaction is all there or not at all."""
    server = start_server(args=["--workers", "3"])
    groups = spread(server, 2, workers=3)
    subscribers = {w: groups[w][0] for w in groups}
    for sub in subscribers.values():
        assert plain(sub.call("SUBSCRIBE", "ev")) == [b"subscribe", b"ev", 1]
    victim_slot = 2
    victim = pid_serving(groups[victim_slot][1], server)
    acked = {f"w{w}": 0 for w in groups}
    killed = threading.Event()
    after_kill = {}

    def stop(name):
        if not killed.is_set():
            return False
        after_kill.setdefault(name, acked[name])
        return acked[name] - after_kill[name] >= 100

    errors = []
    threads = [threading.Thread(target=run_transactions, args=(groups[w][1], f"w{w}", acked,
                                                              lambda name=f"w{w}": stop(name), errors))
               for w in groups]
    for t in threads:
        t.start()
    eventually(lambda: min(acked.values()) >= 50, "the writers did not get going")
    os.kill(victim, signal.SIGKILL)
    killed.set()
    for t in threads:
        t.join(30)
        assert not t.is_alive(), "a writer hung"
    assert errors == []
    eventually(lambda: len(worker_pids(server.pid)) == 3 and victim not in worker_pids(server.pid),
               "the worker was not respawned")
    checker = spread(server, 1, workers=3)[0][0]
    total = plain(checker.call("GET", "total"))
    lost = f"w{victim_slot}"
    for w, sub in subscribers.items():
        if w == victim_slot:
            continue
        seen = messages_per_publisher(sub, int(total))
        for name, ns in seen.items():
            assert ns == list(range(len(ns))), f"{name}'s messages out of order or repeated"
            if name != lost:
                assert len(ns) == acked[name], f"{name}: acknowledged transactions missing"
        assert len(seen[lost]) in (acked[lost], acked[lost] + 1)   # + its EXEC cut off unanswered
    eventually(lambda: plain(checker.call("PUBSUB", "NUMSUB", "ev")) == [b"ev", 2],
               "PUBSUB NUMSUB still counts the dead worker's subscriber")
    assert plain(checker.call("DEBUG", "ARENA-CHECK")) == "OK"
