"""End-to-end tests of the monitoring commands across workers: MONITOR, SLOWLOG, LATENCY,
INFO commandstats/errorstats/latencystats, CONFIG REWRITE, CLIENT PAUSE/UNPAUSE/NO-EVICT,
DEBUG OBJECT / SET-ACTIVE-EXPIRE, COMMAND GETKEYS of commands with movable keys.

Ferrous runs with two workers; a client's worker is the worker= field of CLIENT INFO, and
tests open connections until they hold clients on both.  What one worker answers must
cover what the other did.  Replies, errors and MONITOR lines are compared with
redis-server 7.0.15 (the `oracle` fixture) wherever they do not depend on time."""

import re
import socket
import threading
import time

import pytest

import ferrous_diff as fd
from ferrous_diff import exact_client as exact, reply_text as text, run_command as run
import ferrous_harness as fh

WORKERS = ["--workers", "2"]
MONITOR_LINE = re.compile(r"^\+(\d+)\.(\d{6}) \[(\d+) ([^\]]+)\] (.*)$")


# --- helpers -----------------------------------------------------------------------------

def client_fields(line):
    return dict(field.split("=", 1) for field in line.strip().split(" "))


def my_fields(client):
    return client_fields(text(run(client, "CLIENT", "INFO")))


def on_each_worker(server):
    """Two exact clients owned by different workers."""
    groups = fh.group_by_worker(lambda: exact(server), lambda c: my_fields(c)["worker"], 2)
    return tuple(group[0] for group in groups.values())


def info_fields(client, section):
    body = text(run(client, "INFO", section))
    return dict(line.split(":", 1) for line in body.split("\r\n") if line and not line.startswith("#"))


class Monitor:
    """A raw connection in MONITOR mode, reading its lines."""

    def __init__(self, server):
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=fh.REPLY_TIMEOUT)
        self.buf = b""

    def send(self, *args):
        self.sock.sendall(b"*%d\r\n" % len(args) + b"".join(
            b"$%d\r\n%s\r\n" % (len(a), a) for a in (x.encode() if isinstance(x, str) else x for x in args)))

    def line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            assert data, "monitor connection closed"
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("latin-1")

    def close(self):
        self.sock.close()


def start_monitor(server):
    m = Monitor(server)
    m.send("CLIENT", "INFO")
    fields = client_fields(m.sock.recv(65536).decode().split("\r\n")[1])
    m.send("MONITOR")
    assert m.line() == "+OK"
    return m, fields


@pytest.fixture
def two_workers(start_server):
    return start_server(args=WORKERS)


@pytest.fixture
def debug_oracle(start_server, oracle):
    """redis-server with DEBUG allowed (the `oracle` fixture checks it is installed)."""
    return start_server(fh.ORACLE_BIN, args=["--enable-debug-command", "yes"], name="redis-debug")


# --- MONITOR -----------------------------------------------------------------------------

# (client index, command): run alternately on the two workers
MONITORED = [(0, ("SET", "k", "v")), (1, ("GET", "k")), (0, ("CONFIG", "GET", "maxmemory")),
             (1, ("SELECT", "3")), (1, ("SET", "a b", "\x01\n\"\\x\t")), (0, ("AUTH", "secret")),
             (0, ("HELLO", "2", "AUTH", "user", "pw")), (1, ("INCR", "n")), (0, ("CLIENT", "LIST")),
             (1, ("PING",)), (0, ("LPUSH", "k", "x")), (1, ("DEBUG", "SLEEP", "0")), (0, ("ECHO", "e"))]


def monitored_lines(server, clients, steps):
    """Runs steps ((sender index, args), ...), returns the monitor's lines as (db, sender
    index or 'lua', args text)."""
    monitor, _ = start_monitor(server)
    ports = [int(my_fields(c)["addr"].rsplit(":", 1)[1]) for c in clients]
    for who, args in steps:
        run(clients[who], *args)
    run(clients[0], "ECHO", "last")
    lines = []
    while True:
        m = MONITOR_LINE.match(monitor.line())
        assert m, lines
        if m.group(5) == '"ECHO" "last"':
            break
        origin = m.group(4)
        lines.append((m.group(3), origin if origin == "lua" else ports.index(int(origin.rsplit(":", 1)[1])),
                      m.group(5)))
    monitor.close()
    return lines


def test_monitor_sees_every_worker_in_order_as_redis_shows_it(two_workers, debug_oracle):
    ours = monitored_lines(two_workers, on_each_worker(two_workers), MONITORED)
    theirs = monitored_lines(debug_oracle, [exact(debug_oracle), exact(debug_oracle)], MONITORED)
    assert ours == theirs
    assert any(who == 1 for _, who, _ in ours) and any(who == 0 for _, who, _ in ours)


# Commands that run other commands: EXEC's queue, scripts, functions; refusals.
LIBRARY = "#!lua name=mon\nredis.register_function('bump', function(k, a) return redis.call('incr', k[1]) end)"
NESTED = [(0, ("MULTI",)), (0, ("SET", "k", "v")), (1, ("GET", "k")), (0, ("INCR", "n")), (0, ("EXEC",)),
          (1, ("EVAL", "redis.call('set', 'k', 'w'); return redis.call('get', 'k')", "0")),
          (0, ("EVAL", "redis.call('select', 3); return redis.call('set', KEYS[1], 'v')", "1", "key1")),
          (1, ("FCALL", "bump", "1", "counter")), (1, ("EVAL", "return redis.call('lpush', 'k', 'x')", "0")),
          (0, ("EVAL", "return redis.pcall('nosuch')", "0")), (0, ("EVALSHA", "0" * 40, "0")),
          (1, ("MULTI",)), (1, ("EVAL", "return redis.call('ping')", "0")), (1, ("CONFIG", "GET", "port")),
          (1, ("LPUSH", "k", "x")), (1, ("EXEC",)),
          (0, ("MULTI",)), (0, ("SET", "only-one-arg")), (0, ("EXEC",)),
          (0, ("MULTI",)), (0, ("SELECT", "2")), (0, ("SET", "in2", "1")), (0, ("EXEC",)), (0, ("SELECT", "0")),
          (1, ("WATCH", "w")), (0, ("SET", "w", "1")), (1, ("MULTI",)), (1, ("SET", "x", "1")), (1, ("EXEC",))]


def nested_lines(server, clients):
    """Runs NESTED after loading LIBRARY: the monitor's lines."""
    run(clients[0], "FUNCTION", "LOAD", "REPLACE", LIBRARY)
    return monitored_lines(server, clients, NESTED)


def test_monitor_shows_transactions_and_scripts_as_redis(two_workers, oracle):
    """MULTI, then each queued command as EXEC runs it, then EXEC; EVAL/FCALL, then each
    command of the script as "[db lua]" - from clients of both workers, as redis-server."""
    ours = nested_lines(two_workers, on_each_worker(two_workers))
    theirs = nested_lines(oracle, [exact(oracle), exact(oracle)])
    assert ours == theirs
    assert ("3", "lua", '"set" "key1" "v"') in ours and ("0", 0, '"EXEC"') in ours


def test_monitor_shows_a_blocking_command_when_it_blocks(two_workers, oracle):
    def transcript(server, clients):
        monitor, _ = start_monitor(server)
        blocked = threading.Thread(target=run, args=(clients[0], "BLPOP", "q", "5"))
        blocked.start()
        monitor_line = MONITOR_LINE.match(monitor.line()).group(5)
        run(clients[1], "RPUSH", "q", "x")
        blocked.join()
        lines = [monitor_line, MONITOR_LINE.match(monitor.line()).group(5)]
        monitor.close()
        stats = info_fields(clients[1], "commandstats")["cmdstat_blpop"]
        return lines, re.sub(r"usec=\d+,usec_per_call=[\d.]+", "", stats)
    ours = transcript(two_workers, on_each_worker(two_workers))
    theirs = transcript(oracle, [exact(oracle), exact(oracle)])
    assert ours == theirs == (['"BLPOP" "q" "5"', '"RPUSH" "q" "x"'],
                              "calls=1,,rejected_calls=0,failed_calls=0")


def test_monitor_line_carries_time_db_and_address(two_workers):
    here, there = on_each_worker(two_workers)
    monitor = Monitor(two_workers)
    monitor.send("MONITOR")
    assert monitor.line() == "+OK"
    before = time.time()
    run(there, "SET", "x", "1")
    m = MONITOR_LINE.match(monitor.line())
    assert m, m
    assert abs(float(f"{m.group(1)}.{m.group(2)}") - before) < 5
    assert m.group(3) == "0" and m.group(4) == my_fields(there)["addr"] and m.group(5) == '"SET" "x" "1"'
    monitor.close()


def test_monitor_client_state_and_errors_as_redis(two_workers, oracle):
    results = []
    for server in (two_workers, oracle):
        monitor, _ = start_monitor(server)
        monitor.send("GET", "k")
        err = monitor.line()
        monitor.send("CLIENT", "INFO")
        monitor.line()
        info = client_fields(monitor.line())
        assert MONITOR_LINE.match(monitor.line()).group(5) == '"CLIENT" "INFO"'     # its own, fed after
        monitor.send("MONITOR")                 # already monitoring: no reply at all
        monitor.send("PING")
        rest = [monitor.line() for _ in range(2)]
        results.append((err, info["flags"], rest[0], MONITOR_LINE.match(rest[1]).group(5)))
        monitor.close()
    assert results[0] == results[1]
    assert results[0][:3] == ("-ERR Replica can't interact with the keyspace", "O", "+PONG")


def test_monitor_count_drops_when_monitors_leave(two_workers):
    monitor, fields = start_monitor(two_workers)
    monitor.close()
    client = exact(two_workers)
    deadline = time.monotonic() + 3
    while any(client_fields(line)["flags"] == "O" for line in text(run(client, "CLIENT", "LIST")).splitlines()):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    m2, _ = start_monitor(two_workers)
    run(client, "SET", "after", "1")
    assert MONITOR_LINE.match(m2.line()).group(5) == '"SET" "after" "1"'
    m2.close()


# --- SLOWLOG -----------------------------------------------------------------------------

def entry_fields(entry):
    eid, when, usec, args, addr, name = (r.value for r in entry.value)
    return eid, when, usec, [a.value.decode() for a in args], addr.decode(), name.decode()


def test_slowlog_records_commands_of_all_workers(two_workers):
    a, b = on_each_worker(two_workers)
    addr_a, addr_b = my_fields(a)["addr"], my_fields(b)["addr"]
    run(a, "CONFIG", "SET", "slowlog-log-slower-than", "0")
    run(b, "CLIENT", "SETNAME", "bee")
    run(a, "SLOWLOG", "RESET")
    run(a, "SET", "k1", "v")
    run(b, "SET", "k2", "v")
    run(a, "GET", "k1")
    run(b, "RPUSH", "l", *[str(i) for i in range(40)])
    run(b, "SET", "big", "x" * 200)
    entries = [entry_fields(e) for e in run(b, "SLOWLOG", "GET", "-1").value]
    got = [(args, addr, name) for _, _, _, args, addr, name in entries]
    assert got == [
        (["SET", "big", "x" * 128 + "... (72 more bytes)"], addr_b, "bee"),
        (["RPUSH", "l"] + [str(i) for i in range(29)] + ["... (11 more arguments)"], addr_b, "bee"),
        (["GET", "k1"], addr_a, ""),
        (["SET", "k2", "v"], addr_b, "bee"),
        (["SET", "k1", "v"], addr_a, ""),
        (["SLOWLOG", "RESET"], addr_a, ""),
    ]
    ids = [e[0] for e in entries]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    assert all(abs(e[1] - time.time()) < 5 and e[2] >= 0 for e in entries)
    assert run(a, "SLOWLOG", "LEN").value == len(entries) + 1
    run(b, "CONFIG", "SET", "slowlog-max-len", "3")
    assert run(a, "SLOWLOG", "LEN").value == 3


def test_slowlog_records_commands_inside_exec_and_scripts_as_redis(two_workers, oracle):
    """EXEC's queued commands are logged with the client's address (EXEC itself is not);
    a script's commands with Redis's "?:0"."""
    def logged(server, a, b):
        run(a, "CONFIG", "SET", "slowlog-log-slower-than", "0")
        run(b, "SLOWLOG", "RESET")
        for client, args in ((a, ("MULTI",)), (a, ("SET", "k", "v")), (a, ("INCR", "n")), (a, ("EXEC",)),
                             (b, ("EVAL", "redis.call('set', 'k', 'w'); return redis.pcall('incr', 'k')", "0"))):
            run(client, *args)
        entries = [entry_fields(e) for e in run(b, "SLOWLOG", "GET", "-1").value]
        run(a, "CONFIG", "SET", "slowlog-log-slower-than", "10000")
        addrs = {my_fields(a)["addr"]: "a", my_fields(b)["addr"]: "b"}
        return [(args, addrs.get(addr, addr)) for _, _, _, args, addr, _ in entries]
    ours = logged(two_workers, *on_each_worker(two_workers))
    assert ours == logged(oracle, exact(oracle), exact(oracle))
    assert (["set", "k", "w"], "?:0") in ours and (["INCR", "n"], "a") in ours


def test_slowlog_and_latency_replies_as_redis(two_workers, oracle):
    commands = [("SLOWLOG", "GET", "-2"), ("SLOWLOG", "GET", "abc"), ("SLOWLOG", "GET", "1", "2"),
                ("SLOWLOG", "LEN", "x"), ("SLOWLOG", "RESET", "x"), ("SLOWLOG", "HELP"), ("SLOWLOG", "FOO"),
                ("SLOWLOG",), ("LATENCY", "HELP"), ("LATENCY", "LATEST", "x"), ("LATENCY", "HISTORY"),
                ("LATENCY", "HISTORY", "command"), ("LATENCY", "RESET"), ("LATENCY", "RESET", "a", "b"),
                ("LATENCY", "LATEST"), ("LATENCY", "FOO"), ("LATENCY", "HISTOGRAM", "nosuch"),
                ("CLIENT", "PAUSE"), ("CLIENT", "PAUSE", "abc"), ("CLIENT", "PAUSE", "-1"),
                ("CLIENT", "PAUSE", "100", "foo"), ("CLIENT", "PAUSE", "abc", "foo"),
                ("CLIENT", "PAUSE", "100", "write", "x"), ("CLIENT", "PAUSE", "0"), ("CLIENT", "UNPAUSE", "x"),
                ("CLIENT", "UNPAUSE"), ("CLIENT", "NO-EVICT", "x"), ("CLIENT", "NO-EVICT"),
                ("CLIENT", "NO-EVICT", "ON"), ("CLIENT", "NO-EVICT", "off"),
                ("CONFIG", "REWRITE"), ("CONFIG", "REWRITE", "x"), ("MONITOR", "x")]
    assert fd.reply_differences(exact(two_workers), exact(oracle), commands) == []


# --- LATENCY -----------------------------------------------------------------------------

def test_latency_after_debug_sleep_on_another_worker(two_workers):
    a, b = on_each_worker(two_workers)
    run(a, "CONFIG", "SET", "latency-monitor-threshold", "100")
    run(b, "DEBUG", "SLEEP", "0.25")
    latest = run(a, "LATENCY", "LATEST").value
    assert len(latest) == 1
    event, when, last, worst = (r.value for r in latest[0].value)
    assert event == b"command" and abs(when - time.time()) < 5 and 250 <= last <= 1000 and worst == last
    history = run(a, "LATENCY", "HISTORY", "command").value
    assert [[r.value for r in h.value] for h in history] == [[when, last]]
    assert run(b, "LATENCY", "RESET").value == 1
    assert run(a, "LATENCY", "LATEST").value == []


def test_latency_histogram_sums_workers(two_workers):
    a, b = on_each_worker(two_workers)
    for client in (a, b, b):
        run(client, "SET", "k", "v")
    reply = run(a, "LATENCY", "HISTOGRAM", "set", "nosuch")
    assert reply.kind == "*" and len(reply.value) == 2
    assert reply.value[0].value == b"set"
    fields = reply.value[1].value
    assert fields[0].value == b"calls" and fields[1].value == 3
    buckets = [r.value for r in fields[3].value]
    assert buckets[-1] == 3 and all(level >= 1 for level in buckets[0::2])


# --- INFO --------------------------------------------------------------------------------

def test_info_statistics_count_over_workers(two_workers):
    a, b = on_each_worker(two_workers)
    run(a, "CONFIG", "RESETSTAT")
    for client in (a, a, a, b, b):
        run(client, "SET", "s", "1")
    run(b, "GET", "s")
    run(a, "GET")                               # rejected: arity
    run(b, "LPUSH", "s", "x")                   # failed: WRONGTYPE
    run(b, "NOSUCHCOMMAND")
    stats = info_fields(a, "commandstats")
    assert stats["cmdstat_set"].startswith("calls=5,usec=")
    assert stats["cmdstat_set"].endswith(",rejected_calls=0,failed_calls=0")
    assert re.match(r"calls=1,usec=\d+,usec_per_call=[\d.]+,rejected_calls=1,failed_calls=0$", stats["cmdstat_get"])
    assert re.match(r"calls=1,usec=\d+,usec_per_call=[\d.]+,rejected_calls=0,failed_calls=1$", stats["cmdstat_lpush"])
    assert "cmdstat_config|resetstat" in stats
    assert info_fields(b, "errorstats") == {"errorstat_ERR": "count=2", "errorstat_WRONGTYPE": "count=1"}
    latency = info_fields(b, "latencystats")
    assert re.match(r"p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$", latency["latency_percentiles_usec_set"])
    run(a, "CONFIG", "SET", "latency-tracking-info-percentiles", "0 12.5 100")
    assert re.match(r"p0=[\d.]+,p12\.5=[\d.]+,p100=[\d.]+$", info_fields(b, "latencystats")
                    ["latency_percentiles_usec_set"])
    run(b, "CONFIG", "RESETSTAT")
    assert list(info_fields(a, "commandstats")) == ["cmdstat_config|resetstat"]
    assert info_fields(a, "errorstats") == {}


# --- CONFIG REWRITE ----------------------------------------------------------------------

class ConfigServer(fh.Server):
    """A server started with a config file (the first argument, as redis-server wants)."""

    def __init__(self, conf, **kwargs):
        super().__init__(fh.ferrous_bin(), WORKERS, **kwargs)
        self.conf = str(conf)

    def command_line(self):
        line = super().command_line()
        return [line[0], self.conf] + line[1:]


ORIGINAL = """# Ferrous test config
# the next line is changed by CONFIG SET
maxmemory 100mb
   # an indented comment
hz 15
timeout 0
save 900 1
save 300 10
rename-command FLUSHALL ""
"""


@pytest.fixture
def conf_server(tmp_path):
    conf = tmp_path / "ferrous.conf"
    conf.write_text(ORIGINAL)
    servers = []

    def start():
        server = ConfigServer(conf, directory=tmp_path, name="ferrous-conf")
        servers.append(server)
        return server.start()
    yield conf, start
    for server in servers:
        server.stop()


def test_config_rewrite_round_trip(conf_server):
    conf, start = conf_server
    server = start()
    a, b = on_each_worker(server)
    assert run(a, "CONFIG", "SET", "maxmemory", "200mb").kind == "+"
    assert run(b, "CONFIG", "SET", "hz", "25", "slowlog-max-len", "300").kind == "+"
    assert run(b, "CONFIG", "REWRITE") == fd.Reply("+", b"OK")
    lines = conf.read_text().splitlines()
    assert lines[:8] == ["# Ferrous test config", "# the next line is changed by CONFIG SET", "maxmemory 200mb",
                         "# an indented comment", "hz 25", "timeout 0", 'save ""', ""]
    assert lines[8] == 'rename-command FLUSHALL ""'
    tail = lines[lines.index("# Generated by CONFIG REWRITE") + 1:]
    assert "slowlog-max-len 300" in tail and "workers 2" in tail and f'dir "{server.dir}"' in tail
    assert not any(line.startswith(("maxmemory", "hz ", "save", "user ")) for line in tail)
    server.stop()
    again = exact(start())
    values = [run(again, "CONFIG", "GET", name).value[1].value for name in ("maxmemory", "hz", "slowlog-max-len")]
    assert values == [b"209715200", b"25", b"300"]


def test_config_rewrite_without_a_file(two_workers):
    assert run(exact(two_workers), "CONFIG", "REWRITE") == \
        fd.Reply("-", "ERR The server is running without a config file")


# --- CLIENT PAUSE / NO-EVICT -------------------------------------------------------------

def timed(fn):
    start = time.monotonic()
    result = fn()
    return result, time.monotonic() - start


def test_client_pause_write_holds_writes_of_other_workers(two_workers):
    a, b = on_each_worker(two_workers)
    b_id = my_fields(b)["id"]
    reader = exact(two_workers)
    run(a, "SET", "k", "before")
    assert run(a, "CLIENT", "PAUSE", "20000", "WRITE") == fd.Reply("+", b"OK")
    done = {}
    writer = threading.Thread(target=lambda: done.update(reply=timed(lambda: run(b, "SET", "k", "after"))))
    writer.start()
    time.sleep(0.3)
    assert writer.is_alive()
    reply, took = timed(lambda: run(reader, "GET", "k"))
    assert reply.value == b"before" and took < 0.2
    lines = [client_fields(line) for line in text(run(a, "CLIENT", "LIST")).splitlines()]
    assert [(f["flags"], f["cmd"]) for f in lines if f["id"] == b_id] == [("b", "set")]
    run(a, "CLIENT", "UNPAUSE")
    writer.join(5)
    assert not writer.is_alive()
    assert done["reply"][0] == fd.Reply("+", b"OK") and done["reply"][1] < 2
    assert run(reader, "GET", "k").value == b"after"


def test_client_pause_all_holds_reads_until_it_ends(two_workers):
    a, b = on_each_worker(two_workers)
    run(a, "CLIENT", "PAUSE", "400", "ALL")
    reply, took = timed(lambda: run(b, "PING"))
    assert reply == fd.Reply("+", b"PONG") and 0.2 < took < 2


def test_pause_merges_and_no_evict_flag(two_workers):
    a, b = on_each_worker(two_workers)
    run(a, "CLIENT", "PAUSE", "600", "WRITE")
    run(a, "CLIENT", "PAUSE", "100", "ALL")     # merged: ALL until the later end
    reply, took = timed(lambda: run(b, "GET", "x"))
    assert reply.value is None and took > 0.4
    run(b, "CLIENT", "NO-EVICT", "on")
    assert my_fields(b)["flags"] == "e"
    assert [f["flags"] for f in map(client_fields, text(run(a, "CLIENT", "LIST")).splitlines())
            if f["id"] == my_fields(b)["id"]] == ["e"]


# --- DEBUG, COMMAND GETKEYS --------------------------------------------------------------

def test_debug_set_active_expire(two_workers):
    a, b = on_each_worker(two_workers)
    assert run(a, "DEBUG", "SET-ACTIVE-EXPIRE", "0") == fd.Reply("+", b"OK")
    run(b, "SET", "gone", "1", "PX", "50")
    time.sleep(0.5)
    assert run(b, "DBSIZE").value == 1
    run(b, "DEBUG", "SET-ACTIVE-EXPIRE", "1")
    deadline = time.monotonic() + 3
    while run(a, "DBSIZE").value:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_debug_object_as_redis(ferrous, debug_oracle):
    def described(server):
        client = exact(server)
        run(client, "SET", "s", "hello")
        run(client, "SET", "i", "12345")
        run(client, "SET", "n", "7")
        out = []
        for key in ("s", "i", "n"):
            line = run(client, "DEBUG", "OBJECT", key).value.decode()
            out.append(re.sub(r"Value at:0x[0-9a-f]+ (.*) lru:\d+ lru_seconds_idle:\d+$", r"\1", line))
        for args in (("DEBUG", "OBJECT", "nokey"), ("DEBUG", "OBJECT"), ("DEBUG", "OBJECT", "a", "b"),
                     ("DEBUG", "SET-ACTIVE-EXPIRE")):
            out.append(fd.show(run(client, *args)))
        return out
    ours = described(ferrous)
    assert ours[:3] == ["refcount:1 encoding:embstr serializedlength:6",
                        "refcount:1 encoding:int serializedlength:3",
                        "refcount:2147483647 encoding:int serializedlength:2"]
    assert ours == described(debug_oracle)


GETKEYS = [("zunion", "2", "a", "b"), ("zunion", "3", "a", "b"), ("zunion", "0", "a"), ("zunion", "x", "a"),
           ("zunionstore", "d", "2", "a", "b", "withscores"), ("zinterstore", "d", "1", "a"),
           ("zdiffstore", "d", "2", "a", "b"), ("eval", "s", "2", "k1", "k2", "a"), ("eval", "s", "0"),
           ("eval", "s", "-1"), ("evalsha_ro", "s", "1", "k"), ("fcall", "f", "1", "k"),
           ("sintercard", "2", "a", "b", "limit", "1"), ("lmpop", "2", "a", "b", "left"),
           ("blmpop", "0", "2", "a", "b", "left"), ("bzmpop", "1", "1", "a", "min"), ("zmpop", "1", "z", "max"),
           ("sort", "k", "by", "x", "get", "y", "store", "d", "limit", "0", "1"), ("sort", "k"),
           ("xread", "count", "1", "streams", "a", "b", "0", "0"), ("xread", "streams", "a", "b", "0"),
           ("georadius", "k", "0", "0", "1", "km", "store", "d"), ("migrate", "h", "p", "", "0", "10", "keys", "a")]


def test_command_getkeys_of_movable_keys_as_redis(ferrous, oracle):
    ours, theirs = exact(ferrous), exact(oracle)
    known = [args for args in GETKEYS if run(ours, "COMMAND", "INFO", args[0]).value[0].value is not None]
    assert len(known) >= 10
    assert fd.reply_differences(ours, theirs, [("COMMAND", "GETKEYS") + args for args in known]) == []
