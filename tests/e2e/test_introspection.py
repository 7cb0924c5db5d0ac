"""End-to-end tests of the introspection commands: INFO, CONFIG, COMMAND, CLIENT.

Most run Ferrous with two workers and put connections on both (a worker busy in DEBUG SLEEP
does not accept, so a connection made meanwhile lands on the other; CLIENT INFO's worker=
says where each is), then check that what one worker answers covers the other's clients,
counters and config changes.  Error replies and reply shapes are compared exactly with
redis-server 7.0 (the `oracle` fixture)."""

import os
import pty
import re
import select
import socket
import subprocess
import threading
import time

import pytest

import ferrous_diff as fd
import ferrous_harness as fh
from ferrous_diff import exact_client as exact, reply_text as text, run_command as run

WORKERS = ["--workers", "2"]


# --- helpers -----------------------------------------------------------------------------

def info_sections(client, *sections):
    """INFO's text as {section title: {field: value}}, in order."""
    body = text(run(client, "INFO", *sections))
    assert body == "" or body.endswith("\r\n"), body[-40:]
    parsed = {}
    for block in body.split("\r\n\r\n"):
        lines = [line for line in block.split("\r\n") if line]
        if not lines:
            continue
        assert lines[0].startswith("# "), lines[0]
        parsed[lines[0][2:]] = dict(line.split(":", 1) for line in lines[1:])
    return parsed


def info_fields(client, *sections):
    fields = {}
    for values in info_sections(client, *sections).values():
        fields.update(values)
    return fields


def parse_client_line(line):
    return dict(field.split("=", 1) for field in line.split(" "))


def client_list(client, *args):
    return [parse_client_line(line) for line in text(run(client, "CLIENT", "LIST", *args)).splitlines()]


def my_line(client):
    return parse_client_line(text(run(client, "CLIENT", "INFO")).rstrip("\n"))


def clients_on_two_workers(server, attempts=10):
    """Two exact clients owned by different workers: the second connects while the
    first one's worker sleeps in DEBUG SLEEP, so another worker accepts it.  (Slot 0
    takes the lock in its cron, so it may be stuck behind the sleep too: retry.)"""
    for _ in range(attempts):
        first = exact(server)
        sleeper = threading.Thread(target=run, args=(first, "DEBUG", "SLEEP", "0.2"))
        sleeper.start()
        time.sleep(0.01)
        second = exact(server)
        sleeper.join()
        if my_line(first)["worker"] != my_line(second)["worker"]:
            return first, second
        first.close()
        second.close()
    pytest.fail(f"no two connections on different workers in {attempts} attempts")


def wait_closed(client, timeout=3.0):
    """True when the server closes the client's connection within timeout."""
    sock = client.connection._sock
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([sock], [], [], 0.05)
        if ready:
            try:
                return sock.recv(1) == b""
            except ConnectionResetError:
                return True
    return False


@pytest.fixture
def two_workers(start_server):
    return start_server(args=WORKERS)


# --- INFO --------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [(), ("default",), ("all",), ("everything",), ("server", "clients"),
                                  ("KEYSPACE", "Server"), ("modules",), ("nosuchsection",),
                                  ("commandstats",), ("stats", "all")])
def test_info_sections_match_redis(ferrous, oracle, args):
    ours = list(info_sections(exact(ferrous), *args))
    theirs = list(info_sections(exact(oracle), *args))
    assert ours == theirs


# Fields Ferrous adds to Redis's, at the end of their sections: its version, worker count
# and arena figures.
FERROUS_FIELDS = {"Server": ["ferrous_version", "workers"],
                  "Memory": ["used_memory_arena", "used_memory_private", "arena_size", "arena_resident",
                             "arena_pages_used"]}
# Sections whose lines Redis prints in its command table's hash order.
UNORDERED_SECTIONS = ("Commandstats", "Latencystats")


def same_traffic(server):
    """The same commands on each server, so both have the same keyspace, errors and
    command statistics: INFO everything then."""
    c = exact(server)
    run(c, "SET", "k", "v")
    run(c, "SET", "t", "v", "EX", "100")
    run(c, "LPUSH", "k", "x")               # WRONGTYPE
    run(c, "SELECT", "2")
    run(c, "SET", "k2", "v")
    run(c, "SCRIPT", "LOAD", "return 1")
    return info_sections(c, "everything")


@pytest.mark.parametrize("args", [(), ("--appendonly", "yes")])
def test_info_fields_are_redis_fields_in_redis_order(start_server, args):
    """Every field redis-server 7.0.15 prints, in its order, in every section; Ferrous's
    own fields only at the end of theirs."""
    if not os.access(fh.ORACLE_BIN, os.X_OK):
        pytest.skip(f"{fh.ORACLE_BIN} is not installed")
    ours = same_traffic(start_server(args=args))
    theirs = same_traffic(start_server(fh.ORACLE_BIN, args=args, name="redis"))
    assert list(ours) == list(theirs)
    for title in theirs:
        names, expected = list(ours[title]), list(theirs[title]) + FERROUS_FIELDS.get(title, [])
        if title in UNORDERED_SECTIONS:
            names, expected = sorted(names), sorted(expected)
        assert names == expected, f"# {title}"


def test_info_server_section(two_workers):
    c = exact(two_workers)
    reply = run(c, "INFO", "server")
    assert reply.kind == "$"
    assert reply.value.startswith(b"# Server\r\nredis_version:7.0.15\r\n")
    f = info_fields(c, "server")
    assert f["ferrous_version"] == "0.1.0"
    assert f["workers"] == "2"
    assert int(f["process_id"]) == two_workers.pid
    assert int(f["tcp_port"]) == two_workers.port
    assert re.fullmatch(r"[0-9a-f]{40}", f["run_id"])
    assert os.path.samefile(f["executable"], two_workers.binary)
    assert 0 <= int(f["uptime_in_seconds"]) < 60
    assert f["hz"] == "10"
    # every worker tells the same server
    other = clients_on_two_workers(two_workers)[1]
    g = info_fields(other, "server")
    assert (g["run_id"], g["process_id"]) == (f["run_id"], f["process_id"])


def test_info_is_verbatim_in_resp3(ferrous):
    c = exact(ferrous)
    run(c, "HELLO", "3")
    reply = run(c, "INFO", "cluster")
    assert reply == fd.Reply("=", b"txt:# Cluster\r\ncluster_enabled:0\r\n")


def error_stats_after_protocol_error(server):
    """errorstats and total_error_replies after one client's malformed frame."""
    c = fd.exact_client(server)
    run(c, "CONFIG", "RESETSTAT")
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(b"*1\r\n$x\r\n")
        assert s.recv(200) == b"-ERR Protocol error: invalid bulk length\r\n"
    stats = text(run(c, "INFO", "errorstats")) + text(run(c, "INFO", "stats"))
    return sorted(line for line in stats.split("\r\n") if "error" in line)


def test_protocol_errors_are_counted_as_redis(ferrous, oracle):
    assert error_stats_after_protocol_error(ferrous) == error_stats_after_protocol_error(oracle)


def test_info_counters_cover_all_workers(two_workers):
    a, b = clients_on_two_workers(two_workers)
    before = info_fields(a, "stats", "clients")
    assert int(before["connected_clients"]) == 2
    for _ in range(50):
        run(b, "PING")
    third = exact(two_workers)
    after = info_fields(a, "stats", "clients")
    assert int(after["connected_clients"]) == 3
    assert int(after["total_connections_received"]) >= int(before["total_connections_received"]) + 1
    # the 50 PINGs ran on b's worker; a's worker counts them
    assert int(after["total_commands_processed"]) >= int(before["total_commands_processed"]) + 50
    assert int(after["total_net_input_bytes"]) > int(before["total_net_input_bytes"])
    run(third, "QUIT")


def test_info_reads_and_writes_cover_all_workers(two_workers):
    a, b = clients_on_two_workers(two_workers)
    before = info_fields(a, "stats")
    for _ in range(30):
        run(b, "PING")
    after = info_fields(a, "stats")
    # b's worker read 30 requests and wrote 30 replies; a's worker counts them
    for field in ("total_reads_processed", "total_writes_processed"):
        assert int(after[field]) >= int(before[field]) + 30, field
    run(b, "CONFIG", "RESETSTAT")       # resets every worker's counters
    reset = info_fields(a, "stats")
    for field in ("total_reads_processed", "total_writes_processed"):
        assert int(reset[field]) < 5, field


def test_info_instantaneous_kbps_cover_all_workers(two_workers):
    a, b = clients_on_two_workers(two_workers)
    value = "x" * 10000
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        run(b, "SET", "k", value)
        run(b, "GET", "k")
    stats = info_fields(a, "stats")
    assert float(stats["instantaneous_input_kbps"]) > 10
    assert float(stats["instantaneous_output_kbps"]) > 10
    assert stats["instantaneous_input_repl_kbps"] == stats["instantaneous_output_repl_kbps"] == "0.00"


def test_info_expire_cycle_counters(ferrous):
    c = exact(ferrous)
    before = info_fields(c, "stats")
    run(c, "EVAL", "for i = 1, 50000 do redis.call('set', 'e' .. i, 'v', 'px', 20) end", "0")
    deadline = time.monotonic() + 10
    while int(info_fields(c, "stats")["expired_keys"]) < 50000 and time.monotonic() < deadline:
        time.sleep(0.1)
    after = info_fields(c, "stats")
    assert int(after["expired_keys"]) == 50000          # by the active expiry cycle alone
    assert int(after["expire_cycle_cpu_milliseconds"]) > int(before["expire_cycle_cpu_milliseconds"])
    assert int(after["expired_time_cap_reached_count"]) >= int(before["expired_time_cap_reached_count"])


def test_info_scripts_cover_all_workers(two_workers):
    a, b = clients_on_two_workers(two_workers)
    m = info_fields(b, "memory")
    assert (m["number_of_cached_scripts"], m["number_of_libraries"], m["number_of_functions"]) == ("0", "0", "0")
    run(a, "SCRIPT", "LOAD", "return 'x'")
    run(a, "FUNCTION", "LOAD", "#!lua name=lib1\nredis.register_function('f1', function() return 1 end)\n"
                               "redis.register_function('f2', function() return 2 end)")
    m = info_fields(b, "memory")
    assert (m["number_of_cached_scripts"], m["number_of_libraries"], m["number_of_functions"]) == ("1", "1", "2")
    scripts, functions = int(m["used_memory_scripts_eval"]), int(m["used_memory_functions"])
    assert scripts > len("return 'x'") and functions > 60
    assert int(m["used_memory_scripts"]) == scripts + functions
    assert m["used_memory_scripts_human"] == f"{scripts + functions}B"
    run(b, "SCRIPT", "FLUSH")
    run(b, "FUNCTION", "FLUSH")
    m = info_fields(a, "memory")
    assert (m["number_of_cached_scripts"], m["number_of_libraries"], m["number_of_functions"]) == ("0", "0", "0")


def test_info_lua_memory_covers_all_workers(two_workers):
    """Each worker's Lua state counts: a script compiled on b's worker (holding a 200 kB
    constant) shows in used_memory_lua as a's worker reports it, once b published it."""
    a, b = clients_on_two_workers(two_workers)
    m = info_fields(a, "memory")
    lua = int(m["used_memory_lua"])
    assert lua > 0
    assert m["used_memory_vm_eval"] == m["used_memory_vm_total"] == m["used_memory_lua"]
    assert m["used_memory_vm_functions"] == "0"
    run(b, "EVAL", "return '" + "x" * 200000 + "'", "0")
    deadline = time.monotonic() + 3
    while int(info_fields(a, "memory")["used_memory_lua"]) < lua + 150000 and time.monotonic() < deadline:
        time.sleep(0.1)
    m = info_fields(a, "memory")
    assert int(m["used_memory_lua"]) >= lua + 150000
    assert int(m["used_memory_scripts_eval"]) >= 200000


def test_info_keyspace_and_hits(two_workers):
    a, b = clients_on_two_workers(two_workers)
    assert info_sections(a, "keyspace") == {"Keyspace": {}}
    run(b, "SET", "k1", "v")
    run(b, "SET", "k2", "v", "EX", "100")
    run(b, "SELECT", "3")
    run(b, "SET", "k3", "v")
    ks = info_fields(a, "keyspace")
    assert ks["db0"].startswith("keys=2,expires=1,avg_ttl=")
    assert ks["db3"] == "keys=1,expires=0,avg_ttl=0"
    stats = info_fields(a, "stats")
    run(a, "GET", "k1")
    run(a, "GET", "nosuchkey")
    run(a, "GET", "nosuchkey2")
    now = info_fields(a, "stats")
    assert int(now["keyspace_hits"]) == int(stats["keyspace_hits"]) + 1
    assert int(now["keyspace_misses"]) == int(stats["keyspace_misses"]) + 2


def test_info_memory(two_workers):
    c = exact(two_workers)
    m = info_fields(c, "memory")
    used, rss = int(m["used_memory"]), int(m["used_memory_rss"])
    assert used > 0 and rss > 0
    assert used == int(m["used_memory_arena"]) + int(m["used_memory_private"])
    assert m["mem_allocator"].startswith(("jemalloc-", "libc"))
    assert m["maxmemory"] == "0" and m["maxmemory_human"] == "0B"
    assert m["maxmemory_policy"] == "noeviction"
    assert re.fullmatch(r"\d+(\.\d\d[KMGTPE]|B)", m["used_memory_human"])
    value = "x" * 1000
    for i in range(2000):
        run(c, "SET", f"key:{i}", value)
    m2 = info_fields(c, "memory")
    assert int(m2["used_memory_arena"]) >= int(m["used_memory_arena"]) + 2000 * 1000
    assert int(m2["used_memory_peak"]) >= int(m2["used_memory"])
    assert int(m2["used_memory_dataset"]) >= int(m["used_memory_dataset"]) + 2000 * 1000
    for f in (m, m2):
        used, overhead, startup = int(f["used_memory"]), int(f["used_memory_overhead"]), int(f["used_memory_startup"])
        assert 0 < startup <= overhead
        assert int(f["used_memory_dataset"]) == max(0, used - overhead)
        assert int(f["allocator_allocated"]) == used
        assert int(f["allocator_active"]) >= used
        assert float(f["allocator_frag_ratio"]) == pytest.approx(int(f["allocator_active"]) / used, abs=0.006)
        assert float(f["mem_fragmentation_ratio"]) == pytest.approx(int(f["used_memory_rss"]) / used, abs=0.006)
        assert int(f["mem_clients_normal"]) > 0


# --- CONFIG ------------------------------------------------------------------------------

def test_config_set_is_seen_by_every_worker(two_workers):
    a, b = clients_on_two_workers(two_workers)
    assert run(a, "CONFIG", "SET", "maxmemory", "10mb", "maxmemory-policy", "allkeys-lru") == fd.Reply("+", b"OK")
    assert run(b, "CONFIG", "GET", "maxmemory") == fd.Reply("*", [fd.Reply("$", b"maxmemory"),
                                                                 fd.Reply("$", b"10485760")])
    assert info_fields(b, "memory")["maxmemory_policy"] == "allkeys-lru"
    run(b, "CONFIG", "SET", "maxmemory", "0")
    assert info_fields(a, "memory")["maxmemory"] == "0"


def test_config_get_patterns_and_resp3(ferrous):
    c = exact(ferrous)
    got = run(c, "CONFIG", "GET", "maxmemory", "hz", "maxmemory")
    names = [r.value for r in got.value[::2]]
    assert sorted(names) == [b"hz", b"maxmemory"]
    run(c, "HELLO", "3")
    got = run(c, "CONFIG", "GET", "maxmemory*")
    assert got.kind == "%"
    assert fd.Reply("$", b"maxmemory-policy") in [k for k, _ in got.value]


def test_config_set_all_or_nothing(ferrous):
    c = exact(ferrous)
    reply = run(c, "CONFIG", "SET", "maxmemory", "5mb", "hz", "notanumber")
    assert reply.kind == "-"
    assert run(c, "CONFIG", "GET", "maxmemory").value[1] == fd.Reply("$", b"0")


def test_config_errors_match_redis(ferrous, oracle):
    commands = [("CONFIG",), ("CONFIG", "FOO"), ("CONFIG", "GET"), ("CONFIG", "SET"),
                ("CONFIG", "SET", "maxmemory"), ("CONFIG", "SET", "maxmemory", "10", "foo"),
                ("CONFIG", "SET", "foo", "bar"), ("CONFIG", "SET", "maxmemory", "abc"),
                ("CONFIG", "SET", "daemonize", "yes"), ("CONFIG", "SET", "hz", "x"),
                ("CONFIG", "SET", "maxmemory", "1mb", "maxmemory", "2mb"),
                ("CONFIG", "RESETSTAT", "x"), ("CONFIG", "HELP", "x"), ("CONFIG", "HELP"),
                ("CONFIG", "GET", "nosuchparam"), ("CONFIG", "GET", "maxmemory-policy"),
                ("CONFIG", "SET", "maxmemory-policy", "volatile-lru"), ("CONFIG", "GET", "maxmemory-policy")]
    assert fd.reply_differences(exact(ferrous), exact(oracle), commands) == []


def test_config_resetstat(two_workers):
    a, b = clients_on_two_workers(two_workers)
    for _ in range(20):
        run(b, "GET", "nosuchkey")
    run(a, "GET", "nosuchkey")
    assert int(info_fields(a, "stats")["total_commands_processed"]) > 20
    assert run(b, "CONFIG", "RESETSTAT") == fd.Reply("+", b"OK")
    stats = info_fields(a, "stats")
    assert int(stats["total_commands_processed"]) <= 3
    assert stats["keyspace_misses"] == "0"
    assert stats["total_connections_received"] == "0"


# Commands run inside EXEC and scripts are counted as Redis 7.0 counts them: calls of the
# inner commands, their failures and rejections, each error once (a script re-raising its
# redis.call's error does not count it again), EXEC failing only for its own error.
# (who, args): 0 runs the scenario, 1 is a client of the other worker.
STAT_SCENARIOS = [
    [(0, ("EVAL", "redis.call('set', 'a', '1')", "0"))],
    [(0, ("MULTI",)), (0, ("SET", "a", "1")), (0, ("INCR", "n")), (0, ("EXEC",))],
    [(0, ("MULTI",)), (0, ("SET", "a", "1")), (0, ("LPUSH", "str", "1")), (0, ("EXEC",))],
    [(0, ("EVAL", "return redis.call('lpush', 'str', 'x')", "0"))],
    [(0, ("EVAL", "local r = redis.pcall('lpush', 'str', 'x') return 1", "0"))],
    [(0, ("EVAL", "return redis.pcall('lpush', 'str', 'x')", "0"))],
    [(0, ("EVAL", "return {1, redis.pcall('lpush', 'str', 'x'), redis.error_reply('MY err')}", "0"))],
    [(0, ("EVAL", "redis.pcall('lpush', 'str', 'x') error('boom')", "0"))],
    [(0, ("EVAL", "local e = redis.pcall('lpush', 'str', 'x') return redis.error_reply(e.err)", "0"))],
    [(0, ("EVAL", "return redis.call('set', 'k')", "0"))],
    [(0, ("EVAL", "redis.pcall('set', 'k') return 1", "0"))],
    [(0, ("EVAL", "return redis.call('nosuch', 'k')", "0"))],
    [(0, ("EVAL", "return redis.call('multi')", "0"))],
    [(0, ("EVAL", "redis.pcall() return 1", "0"))],
    [(0, ("EVAL_RO", "return redis.call('set', 'k', 'v')", "0"))],
    [(0, ("EVAL", "redis.call('select', '1') return redis.call('set', 'z', '1')", "0"))],
    [(0, ("MULTI",)), (0, ("SET", "a")), (0, ("EXEC",))],
    [(0, ("MULTI",)), (0, ("NOSUCH", "a")), (0, ("EXEC",))],
    [(0, ("MULTI",)), (0, ("EXEC", "x"))],
    [(0, ("EXEC",))],
    [(0, ("WATCH", "w")), (1, ("SET", "w", "1")), (0, ("MULTI",)), (0, ("SET", "a", "1")), (0, ("EXEC",))],
    [(0, ("MULTI",)), (0, ("EVAL", "return redis.call('lpush', 'str', '1')", "0")), (0, ("EXEC",))],
    [(0, ("MULTI",)), (0, ("BLPOP", "nolist", "1")), (0, ("EXEC",))],
    [(0, ("MULTI",)), (0, ("SELECT", "1")), (0, ("SET", "z", "1")), (0, ("SELECT", "0")), (0, ("EXEC",))],
    [(0, ("MULTI",)), (0, ("MULTI",)), (0, ("WATCH", "x")), (0, ("EXEC",))],
    [(0, ("MULTI",)), (0, ("SUBSCRIBE", "ch")), (0, ("EXEC",))],
]


def counted(runner, reader, scenario):
    """What INFO shows (from the other client) after the scenario: per command calls,
    rejected and failed calls; error counts; total_error_replies."""
    run(reader, "SET", "str", "x")
    run(reader, "CONFIG", "RESETSTAT")
    for who, args in scenario:
        run((runner, reader)[who], *args)
    stats = {name: re.sub(r"usec=\d+,usec_per_call=[\d.]+,", "", value)
             for name, value in info_fields(reader, "commandstats").items()}
    return stats, info_fields(reader, "errorstats"), info_fields(reader, "stats")["total_error_replies"]


def test_commandstats_count_commands_inside_exec_and_scripts_as_redis(two_workers, oracle):
    ours, theirs = clients_on_two_workers(two_workers), (exact(oracle), exact(oracle))
    diffs = []
    for scenario in STAT_SCENARIOS:
        got, want = counted(*ours, scenario), counted(*theirs, scenario)
        if got != want:
            diffs.append(f"{scenario}:\n   ferrous {got}\n   redis   {want}")
    assert diffs == []


# --- COMMAND -----------------------------------------------------------------------------

MY_COMMANDS = ["info", "config", "config|get", "config|set", "config|resetstat", "config|help", "command",
               "command|count", "command|info", "command|docs", "command|list", "command|getkeys",
               "command|help", "client", "client|id", "client|setname", "client|getname", "client|list",
               "client|info", "client|kill", "client|help"]


def plain(reply):
    """A Reply as plain Python values (sets and arrays both lists)."""
    if reply.kind == "%":
        return {plain(k): plain(v) for k, v in reply.value}
    if reply.kind in ("*", "~") and reply.value is not None:
        return [plain(r) for r in reply.value]
    if isinstance(reply.value, bytes):
        return reply.value.decode()
    return reply.value


def test_command_info_matches_redis(ferrous, oracle):
    ours = plain(run(exact(ferrous), "COMMAND", "INFO", *MY_COMMANDS))
    theirs = plain(run(exact(oracle), "COMMAND", "INFO", *MY_COMMANDS))
    for mine, real in zip(ours, theirs):
        assert len(mine) == 10
        # name arity flags first last step acl-categories
        assert mine[:7] == real[:7]
        assert mine[8] == []                       # no key specs
        if mine[9]:
            subs = {s[0]: s for s in mine[9]}
            for s in real[9]:
                if s[0] in subs:
                    assert subs[s[0]][:7] == s[:7]


def test_command_info_shapes(ferrous, oracle):
    c, o = exact(ferrous), exact(oracle)
    for resp3 in (False, True):
        if resp3:
            run(c, "HELLO", "3")
            run(o, "HELLO", "3")
        ours, theirs = run(c, "COMMAND", "INFO", "nosuch", "ping"), run(o, "COMMAND", "INFO", "nosuch", "ping")
        assert ours.value[0] == theirs.value[0]                 # null
        assert [r.kind for r in ours.value[1].value] == [r.kind for r in theirs.value[1].value]
    everything = run(c, "COMMAND", "INFO")
    count = run(c, "COMMAND", "COUNT")
    assert count.kind == ":" and len(everything.value) == count.value > 40


def test_command_docs(ferrous, oracle):
    c, o = exact(ferrous), exact(oracle)
    ours = plain(run(c, "COMMAND", "DOCS", *MY_COMMANDS, "nosuch"))
    theirs = plain(run(o, "COMMAND", "DOCS", *MY_COMMANDS, "nosuch"))
    ours, theirs = dict(zip(ours[::2], ours[1::2])), dict(zip(theirs[::2], theirs[1::2]))
    assert set(ours) == set(MY_COMMANDS)
    for name, doc in ours.items():
        doc = dict(zip(doc[::2], doc[1::2]))
        real = dict(zip(theirs[name][::2], theirs[name][1::2]))
        for field in ("summary", "since", "group", "complexity"):
            assert doc[field] == real[field], (name, field)
    run(c, "HELLO", "3")
    docs = run(c, "COMMAND", "DOCS", "client")
    assert docs.kind == "%"
    client_doc = dict(docs.value)[fd.Reply("$", b"client")]
    subs = dict(client_doc.value)[fd.Reply("$", b"subcommands")]
    assert subs.kind == "%" and fd.Reply("$", b"client|kill") in dict(subs.value)
    assert len(plain(run(c, "COMMAND", "DOCS"))) == run(c, "COMMAND", "COUNT").value


def test_command_list_and_errors(ferrous, oracle):
    c, o = exact(ferrous), exact(oracle)
    everything = plain(run(c, "COMMAND", "LIST"))
    assert {"config|get", "client|kill", "get", "command"} <= set(everything)
    pattern = set(plain(run(c, "COMMAND", "LIST", "FILTERBY", "PATTERN", "CONFIG*")))
    assert pattern == {"config", "config|get", "config|set", "config|resetstat", "config|rewrite", "config|help"}
    admin = set(plain(run(c, "COMMAND", "LIST", "FILTERBY", "ACLCAT", "ADMIN")))
    assert {"config|set", "client|kill", "client|list"} <= admin and "get" not in admin
    commands = [("COMMAND", "LIST", "FILTERBY"), ("COMMAND", "LIST", "FOO"), ("COMMAND", "LIST", "FILTERBY", "x", "y"),
                ("COMMAND", "LIST", "FILTERBY", "MODULE", "m"), ("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nocat"),
                ("COMMAND", "COUNT", "x"), ("COMMAND", "FOO"), ("COMMAND", "DOCS", "nosuch"),
                ("COMMAND", "GETKEYS", "get", "k"), ("COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"),
                ("COMMAND", "GETKEYS", "nosuch", "k"), ("COMMAND", "GETKEYS", "ping", "x"),
                ("COMMAND", "GETKEYS", "get"), ("COMMAND", "GETKEYS", "get", "a", "b"),
                ("COMMAND", "INFO", "config|get"), ("COMMAND", "INFO", "config|nosuch", "a|b|c")]
    assert fd.reply_differences(c, o, commands) == []


def test_help_texts(ferrous, oracle):
    c, o = exact(ferrous), exact(oracle)
    assert run(c, "CONFIG", "HELP") == run(o, "CONFIG", "HELP")
    for container in ("COMMAND", "CLIENT"):
        ours, theirs = run(c, container, "HELP"), run(o, container, "HELP")
        assert ours.kind == "*" and all(r.kind == "+" for r in ours.value)
        assert ours.value[0] == theirs.value[0]
        assert ours.value[-2:] == theirs.value[-2:]
        lines = [r.value for r in theirs.value]
        for r in ours.value:                       # every line Redis's, MAXAGE (7.4) aside
            assert r.value in lines or b"MAXAGE" in r.value or b"older than" in r.value


# --- CLIENT ------------------------------------------------------------------------------

def test_client_list_shows_every_worker(two_workers, oracle):
    a, b = clients_on_two_workers(two_workers)
    run(a, "CLIENT", "SETNAME", "alpha")
    run(b, "CLIENT", "SETNAME", "beta")
    run(b, "SELECT", "5")
    listed = {d["name"]: d for d in client_list(a)}
    assert set(listed) == {"alpha", "beta"}
    assert listed["alpha"]["worker"] != listed["beta"]["worker"]
    assert listed["alpha"]["cmd"] == "client|list"
    assert listed["beta"]["db"] == "5"
    assert int(listed["alpha"]["id"]) == run(a, "CLIENT", "ID").value
    # Redis's fields, in Redis's order, then worker=
    real = my_line(exact(oracle))
    assert list(listed["beta"]) == list(real) + ["worker"]
    assert list(my_line(b)) == list(real) + ["worker"]
    line = my_line(b)
    assert line["name"] == "beta" and line["cmd"] == "client|info" and line["flags"] == "N"
    # filters
    ids = [d["id"] for d in client_list(a, "ID", listed["beta"]["id"], "999999")]
    assert ids == [listed["beta"]["id"]]
    assert len(client_list(b, "TYPE", "normal")) == 2
    assert client_list(b, "TYPE", "pubsub") == []


def test_client_kill_across_workers(two_workers):
    a, b = clients_on_two_workers(two_workers)
    victim_id = run(b, "CLIENT", "ID").value
    assert run(a, "CLIENT", "KILL", "ID", str(victim_id)) == fd.Reply(":", 1)
    assert wait_closed(b)
    assert [int(d["id"]) for d in client_list(a)] == [run(a, "CLIENT", "ID").value]
    # old form, by address, of a client of the other worker
    a, b = clients_on_two_workers(two_workers)
    addr = my_line(b)["addr"]
    assert run(a, "CLIENT", "KILL", addr) == fd.Reply("+", b"OK")
    assert wait_closed(b)
    assert run(a, "CLIENT", "KILL", addr) == fd.Reply("-", "ERR No such client")


def test_client_kill_filters(two_workers):
    a, b = clients_on_two_workers(two_workers)
    c = exact(two_workers)
    laddr = my_line(a)["laddr"]
    # SKIPME yes (the default): every other client on that local address
    assert run(a, "CLIENT", "KILL", "LADDR", laddr) == fd.Reply(":", 2)
    assert wait_closed(b) and wait_closed(c)
    assert run(a, "PING") == fd.Reply("+", b"PONG")
    # SKIPME no: the caller too, after its reply
    assert run(a, "CLIENT", "KILL", "LADDR", laddr, "SKIPME", "no") == fd.Reply(":", 1)
    assert wait_closed(a)


def test_client_kill_maxage(ferrous):
    old = exact(ferrous)
    run(old, "PING")
    time.sleep(2.1)
    young = exact(ferrous)
    assert run(young, "CLIENT", "KILL", "MAXAGE", "1") == fd.Reply(":", 1)
    assert wait_closed(old)
    assert run(young, "CLIENT", "KILL", "MAXAGE", "x") == fd.Reply("-", "ERR maxage is not an integer or out of range")


def test_client_setname_getname(two_workers):
    a, b = clients_on_two_workers(two_workers)
    assert run(a, "CLIENT", "GETNAME") == fd.Reply("$", None)
    assert run(a, "CLIENT", "SETNAME", "conn-a") == fd.Reply("+", b"OK")
    assert run(a, "CLIENT", "GETNAME") == fd.Reply("$", b"conn-a")
    assert {d["name"] for d in client_list(b)} == {"conn-a", ""}
    assert run(a, "CLIENT", "SETNAME", "") == fd.Reply("+", b"OK")
    assert run(a, "CLIENT", "GETNAME") == fd.Reply("$", None)
    hello = run(b, "HELLO", "3", "SETNAME", "via-hello")
    assert hello.kind == "%"
    assert run(b, "CLIENT", "GETNAME") == fd.Reply("$", b"via-hello")
    assert my_line(b)["resp"] == "3"


def test_client_errors_match_redis(ferrous, oracle):
    commands = [("CLIENT",), ("CLIENT", "FOO"), ("CLIENT", "ID", "x"), ("CLIENT", "INFO", "x"),
                ("CLIENT", "GETNAME", "x"), ("CLIENT", "HELP", "x"), ("CLIENT", "SETNAME"),
                ("CLIENT", "SETNAME", "a b"), ("CLIENT", "SETNAME", "a\nb"), ("CLIENT", "SETNAME", "ok"),
                ("CLIENT", "GETNAME"), ("CLIENT", "SETNAME", ""), ("CLIENT", "GETNAME"),
                ("CLIENT", "KILL"), ("CLIENT", "KILL", "1.2.3.4:5"), ("CLIENT", "KILL", "id"),
                ("CLIENT", "KILL", "ID", "abc"), ("CLIENT", "KILL", "ID", "0"), ("CLIENT", "KILL", "ID", "999999"),
                ("CLIENT", "KILL", "TYPE", "foo"), ("CLIENT", "KILL", "TYPE", "pubsub"),
                ("CLIENT", "KILL", "TYPE", "master"), ("CLIENT", "KILL", "TYPE", "slave"),
                ("CLIENT", "KILL", "USER", "nobody"), ("CLIENT", "KILL", "USER", "default"),
                ("CLIENT", "KILL", "ADDR", "1.2.3.4:5", "SKIPME", "maybe"), ("CLIENT", "KILL", "ADDR"),
                ("CLIENT", "KILL", "ADDR", "1.2.3.4:5", "ID"), ("CLIENT", "KILL", "FOO", "bar"),
                ("CLIENT", "LIST", "TYPE"), ("CLIENT", "LIST", "TYPE", "foo"), ("CLIENT", "LIST", "ID"),
                ("CLIENT", "LIST", "ID", "abc"), ("CLIENT", "LIST", "ID", "0", "999999"),
                ("CLIENT", "LIST", "FOO"), ("CLIENT", "LIST", "TYPE", "normal", "ID", "1"),
                ("CLIENT", "LIST", "TYPE", "replica")]
    assert fd.reply_differences(exact(ferrous), exact(oracle), commands) == []


def test_client_list_reply_types(ferrous, oracle):
    for server in (ferrous, oracle):
        c = exact(server)
        assert run(c, "CLIENT", "LIST").kind == "$"
        run(c, "HELLO", "3")
        assert run(c, "CLIENT", "LIST").kind == "="
        assert run(c, "CLIENT", "INFO").value.startswith(b"txt:id=")


# --- redis-cli ---------------------------------------------------------------------------

def cli(server, *args):
    return subprocess.run(["redis-cli", "-p", str(server.port), *args], capture_output=True, text=True,
                          timeout=10)


def test_redis_cli_commands(two_workers):
    assert cli(two_workers, "SET", "k", "v").stdout == "OK\n"
    assert cli(two_workers, "GET", "k").stdout == "v\n"
    out = cli(two_workers, "INFO", "server").stdout
    assert "redis_version:7.0.15" in out and "workers:2" in out
    assert "client|list" in cli(two_workers, "CLIENT", "LIST").stdout


def interactive_cli(port, lines):
    """Runs redis-cli on a terminal (it then loads COMMAND DOCS for its hints), types lines,
    returns what it printed, escape sequences removed."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp("redis-cli", ["redis-cli", "-p", str(port)])
    out = b""

    def pump(seconds):
        nonlocal out
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(fd, 65536)
            except OSError:
                return
            out += data
            for _ in range(data.count(b"\x1b[6n")):     # linenoise asks where the cursor is
                os.write(fd, b"\x1b[1;20R")

    try:
        for line in lines:
            pump(0.3)
            os.write(fd, line.encode() + b"\r")
        pump(0.5)
    finally:
        _, status = os.waitpid(pid, os.WNOHANG)
        if _ == 0:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        os.close(fd)
    return re.sub(rb"\x1b\[[0-9;]*[A-Za-z]", b"", out).decode(errors="replace")


def test_redis_cli_interactive(ferrous):
    out = interactive_cli(ferrous.port, ["set k 42", "get k", "client setname cli", "client getname",
                                         "config get hz", "exit"])
    assert "(error)" not in out and "ERR" not in out, out
    assert "OK" in out and '"42"' in out and '"cli"' in out and '"hz"' in out
