"""Lua scripting end to end: shebang flags and multi-line scripts against redis-server 7.0
(same scripts to both, replies compared exactly); the script cache shared by the workers
(SCRIPT LOAD on one, EVALSHA on another, SCRIPT FLUSH seen by all); SCRIPT KILL from another
worker; and a script whose worker is SIGKILLed half-way leaves nothing behind."""

import os
import random
import signal
import threading
import time

import pytest
import redis

from ferrous_harness import children as worker_pids
from ferrous_harness import clients_per_worker

WORKERS = 2

# Multi-line scripts (the .redis differential format has one line per command).
SHEBANG_CASES = [
    ("EVAL", "#!lua\nreturn redis.call('set', 'a', 'b')", 0),
    ("EVAL", "#!lua flags=no-writes\nreturn redis.call('set', 'a', 'b')", 0),
    ("EVAL", "#!lua flags=no-writes\nreturn redis.call('get', 'a')", 0),
    ("EVAL", "#!lua flags=no-writes,allow-oom\nreturn 1", 0),
    ("EVAL", "#!lua flags=allow-stale,no-cluster,allow-cross-slot-keys\nreturn 2", 0),
    ("EVAL", "#!lua flags=\nreturn 3", 0),
    ("EVAL", "#!lua flags=foo\nreturn 1", 0),
    ("EVAL", "#!lua flags=no-writes,bar\nreturn 1", 0),
    ("EVAL", "#!lua name=x\nreturn 1", 0),
    ("EVAL", "#!foo\nreturn 1", 0),
    ("EVAL", "#!lua\nreturn x", 0),
    ("EVAL", "#!lua\n\nerror('on line three')", 0),
    ("EVAL", "local a = 1\nlocal b = 2\nreturn redis.call('nosuch')", 0),
    ("EVAL", "return 1\n+", 0),
    ("EVAL_RO", "#!lua\nreturn 1", 0),
    ("EVAL_RO", "#!lua flags=no-writes\nreturn 1", 0),
    ("EVAL_RO", "return redis.call('set', 'a', 'b')", 0),
    ("SCRIPT", "LOAD", "#!lua flags=bad\nreturn 1"),
    ("SCRIPT", "LOAD", "#!lua flags=no-writes\nreturn 1"),
]


@pytest.mark.parametrize("case", SHEBANG_CASES, ids=[str(i) for i in range(len(SHEBANG_CASES))])
def test_multiline_scripts_match_redis(case, ferrous, oracle):
    replies = []
    for server in (ferrous, oracle):
        c = server.client()
        try:
            replies.append(("ok", c.execute_command(*case)))
        except redis.ResponseError as e:
            replies.append(("err", str(e)))
    assert replies[0] == replies[1], f"{case!r}: ferrous {replies[0]!r}, redis {replies[1]!r}"


# FUNCTION and FCALL, run in order on a fresh Ferrous and a fresh redis-server.
FUNCTION_SESSION = [
    ('FLUSHALL',),
    ('FUNCTION', 'FLUSH'),
    ('FUNCTION', 'LOAD', "#!lua name=lib1 redis.register_function('f', function() return 1 end)"),
    ('FUNCTION', 'LOAD', 'return 1'),
    ('FUNCTION', 'LOAD', '#!lua name=lib1\nfoo=bar'),
    ('FUNCTION', 'LOAD', '#!foo name=lib1'),
    ('FUNCTION', 'LOAD', '#!lua name=a-b'),
    ('FUNCTION', 'LOAD', '#!lua name=lib1'),
    ('FUNCTION', 'LOAD', '#!lua'),
    ('FUNCTION', 'LOAD', "#!lua name=lib1\nredis.register_function('f', function() return 1 end) redis.call('ping')"),
    ('FUNCTION', 'LOAD', "#!lua name=lib1\nredis.register_function('f', function() return 1 end) return x"),
    ('FUNCTION', 'LOAD', "#!lua name=lib1\nredis.register_function('f-1', function() return 1 end)"),
    ('FUNCTION', 'LOAD', "#!lua name=lib1\nredis.register_function('f', function() return 1 end) redis.register_function('f', function() return 1 end)"),
    ('FUNCTION', 'LOAD', "#!lua name=lib1\nredis.register_function{function_name='h', callback=function() return 1 end, flags={'bad'}}"),
    ('FUNCTION', 'LOAD', "#!lua name=lib1\nredis.register_function{function_name='h'}"),
    ('FUNCTION', 'LOAD', "#!lua name=lib1\nredis.register_function{function_name='h', callback=function() end, foo=1}"),
    ('FUNCTION', 'LOAD', '#!lua name=lib1\nredis.register_function()'),
    ('FUNCTION', 'LOAD', '#!lua name=lib1\n1 +'),
    ('FUNCTION', 'LOAD', '#!lua name=lib1\nx = 1'),
    ('FUNCTION', 'LOAD', "#!lua name=lib1\nredis.register_function('f', function(keys, args) return {keys, args} end) redis.register_function{function_name='g', callback=function() return redis.call('set', 'x', '1') end, flags={'no-writes'}, description='desc'} redis.register_function('w', function(keys, args) return redis.call('set', keys[1], args[1]) end) redis.register_function('e', function() return y end) redis.register_function{function_name='r', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes', 'allow-oom'}}"),
    ('FUNCTION', 'LOAD', "#!lua name=lib1\nredis.register_function('z', function() return 1 end)"),
    ('FUNCTION', 'LOAD', "#!lua name=lib2\nredis.register_function('f', function() return 1 end)"),
    ('FUNCTION', 'LOAD', 'REPLACE2', "#!lua name=lib2\nredis.register_function('f', function() return 1 end)"),
    ('FCALL', 'f', '2', 'k1', 'k2', 'a1', 'a2'),
    ('FCALL', 'f', '0'),
    ('FCALL', 'g', '0'),
    ('FCALL', 'w', '1', 'key', 'val'),
    ('GET', 'key'),
    ('FCALL', 'r', '1', 'key'),
    ('FCALL_RO', 'r', '1', 'key'),
    ('FCALL_RO', 'f', '0'),
    ('FCALL_RO', 'w', '1', 'key', 'val'),
    ('FCALL', 'e', '0'),
    ('FCALL', 'nosuch', '0'),
    ('FCALL', 'f', '-1'),
    ('FCALL', 'f', '5'),
    ('FCALL', 'f', 'x'),
    ('FCALL',),
    ('FUNCTION', 'LIST', 'LIBRARYNAME', 'lib1'),
    ('FUNCTION', 'LIST', 'LIBRARYNAME', 'nomatch'),
    ('FUNCTION', 'LIST', 'WITHCODE', 'LIBRARYNAME', 'lib*'),
    ('FUNCTION', 'LIST', 'BADARG'),
    ('FUNCTION', 'STATS'),
    ('FUNCTION', 'KILL'),
    ('FUNCTION', 'LOAD', 'REPLACE', "#!lua name=lib1\nredis.register_function('f2', function() return 'replaced' end)"),
    ('FCALL', 'f', '0'),
    ('FCALL', 'f2', '0'),
    ('FUNCTION', 'LOAD', "#!lua name=lib3\nredis.register_function('f3', function() return redis.setresp(3) end)"),
    ('FCALL', 'f3', '0'),
    ('FUNCTION', 'DELETE', 'lib3'),
    ('FUNCTION', 'DELETE', 'lib3'),
    ('FCALL', 'f3', '0'),
    ('FUNCTION', 'FLUSH', 'BAD'),
    ('FUNCTION', 'FLUSH', 'ASYNC'),
    ('FCALL', 'f2', '0'),
    ('FUNCTION', 'LIST'),
    ('FUNCTION', 'HELP'),
]


def normalized(args, reply):
    """FUNCTION LIST lists libraries and functions in hash-table order: sort them."""
    if args[:2] != ("FUNCTION", "LIST") or not isinstance(reply, list):
        return reply
    def lib_key(lib):
        return lib[1]
    libs = []
    for lib in reply:
        lib = list(lib)
        i = lib.index(b"functions")
        lib[i + 1] = sorted(lib[i + 1], key=lambda f: f[1])
        libs.append(lib)
    return sorted(libs, key=lib_key)


def run_session(server, commands):
    c = server.client()
    replies = []
    for args in commands:
        try:
            replies.append(("ok", normalized(args, c.execute_command(*args))))
        except redis.ResponseError as e:
            replies.append(("err", str(e)))
    return replies


def test_functions_match_redis(ferrous, oracle):
    got, want = run_session(ferrous, FUNCTION_SESSION), run_session(oracle, FUNCTION_SESSION)
    bad = [f"{args!r}:\n  ferrous {g!r}\n  redis   {w!r}"
           for args, g, w in zip(FUNCTION_SESSION, got, want) if g != w]
    assert not bad, "\n".join(bad)


def test_function_library_is_shared_by_workers(two_workers):
    server, c = two_workers
    code = "#!lua name=shared\nredis.register_function('hello', function(k, a) return 'hi ' .. a[1] end)"
    assert c[0].execute_command("FUNCTION", "LOAD", code) == b"shared"
    assert c[1].execute_command("FCALL", "hello", 0, "w1") == b"hi w1"
    c[1].execute_command("FUNCTION", "DELETE", "shared")
    with pytest.raises(redis.ResponseError, match="^Function not found$"):
        c[0].execute_command("FCALL", "hello", 0, "w0")


def test_function_kill_from_another_worker(two_workers):
    server, c = two_workers
    code = "#!lua name=busy\nredis.register_function('spin', function() while true do end end)"
    c[0].execute_command("FUNCTION", "LOAD", code)
    busy = Call(c[0], "FCALL", "spin", "0")
    time.sleep(0.3)
    assert_error(lambda: c[1].script_kill(),
                 "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.")
    assert c[1].execute_command("FUNCTION", "KILL") == b"OK"
    busy.join(5)
    assert not busy.is_alive(), "FUNCTION KILL did not stop the function"
    assert str(busy.error).startswith("Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.")


@pytest.fixture
def two_workers(start_server):
    server = start_server(args=["--workers", str(WORKERS)])
    return server, {w: g[0] for w, g in clients_per_worker(server, WORKERS).items()}


def test_script_cache_is_shared_by_workers(two_workers):
    server, c = two_workers
    sha = c[0].script_load("return 'from ' .. ARGV[1]")
    assert c[1].evalsha(sha, 0, "w1") == b"from w1"
    assert c[0].evalsha(sha, 0, "w0") == b"from w0"
    assert c[1].script_exists(sha, "f" * 40) == [True, False]
    # EVAL caches the body too, on every worker
    assert c[1].eval("return 42", 0) == 42
    sha42 = c[1].script_load("return 42")
    assert c[0].evalsha(sha42, 0) == 42
    assert c[0].evalsha(sha42.upper(), 0) == 42


def test_script_flush_is_seen_by_all_workers(two_workers):
    server, c = two_workers
    sha = c[0].script_load("return 1")
    assert c[0].evalsha(sha, 0) == 1 and c[1].evalsha(sha, 0) == 1     # compiled on both
    assert c[1].script_flush() is True
    for w in (0, 1):
        assert c[w].script_exists(sha) == [False]
        with pytest.raises(redis.ResponseError, match="^No matching script. Please use EVAL."):
            c[w].evalsha(sha, 0)
    assert c[1].script_load("return 1") == sha
    assert c[0].evalsha(sha, 0) == 1


def test_many_scripts_each_run_its_own_code(two_workers):
    """More scripts than a worker's table of compiled ones has slots, run in a shuffled
    order on both workers, before and after a flush that gives the same shas back."""
    server, c = two_workers
    bodies = [f"return {{{i}, KEYS[1], ARGV[1]}}" for i in range(300)]
    for round in range(2):
        shas = [c[0].script_load(b) for b in bodies]
        order = list(range(len(bodies))) * 2
        random.Random(round).shuffle(order)
        for n, i in enumerate(order):
            assert c[n % 2].evalsha(shas[i], 1, "k", "a") == [i, b"k", b"a"]
        assert c[1].eval(bodies[7], 1, "x", "y") == [7, b"x", b"y"]
        c[round].script_flush()
        with pytest.raises(redis.ResponseError, match="^No matching script"):
            c[1 - round].evalsha(shas[3], 1, "k", "a")


class Call(threading.Thread):
    """Runs one command on its own connection in the background."""

    def __init__(self, client, *args):
        super().__init__(daemon=True)
        self.client, self.args, self.result, self.error = client, args, None, None
        self.start()

    def run(self):
        try:
            self.result = self.client.execute_command(*self.args)
        except redis.RedisError as e:
            self.error = e


def spinning_worker(server, seconds=0.3):
    """The pid of the worker burning CPU (the one running a busy script)."""
    def cpu(pid):
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    pids = worker_pids(server.pid)
    before = {p: cpu(p) for p in pids}
    time.sleep(seconds)
    after = {p: cpu(p) for p in pids}
    return max(pids, key=lambda p: after[p] - before[p])


def test_script_kill_from_another_worker(two_workers):
    server, c = two_workers
    assert_error(lambda: c[1].script_kill(), "NOTBUSY No scripts in execution right now.")
    # the script runs on worker 0 (worker 0's housekeeping would otherwise wait for the lock)
    busy = Call(c[0], "EVAL", "while true do end", "0")
    time.sleep(0.3)
    assert c[1].script_kill() is True
    busy.join(5)
    assert not busy.is_alive(), "the busy script was not killed"
    assert busy.error is not None and str(busy.error).startswith(
        "Script killed by user with SCRIPT KILL... script: ")
    assert c[0].ping() is True
    assert c[0].eval("return 'alive'", 0) == b"alive"
    assert_error(lambda: c[1].script_kill(), "NOTBUSY No scripts in execution right now.")


def test_script_kill_not_swallowed_by_pcall(two_workers):
    server, c = two_workers
    busy = Call(c[0], "EVAL", "while true do pcall(function() while true do end end) end", "0")
    time.sleep(0.3)
    assert c[1].script_kill() is True
    busy.join(5)
    assert not busy.is_alive(), "pcall swallowed SCRIPT KILL"
    assert "Script killed by user with SCRIPT KILL" in str(busy.error)


def assert_error(fn, text):
    with pytest.raises(redis.ResponseError) as e:
        fn()
    assert str(e.value) == text


def test_killed_worker_rolls_back_the_whole_script(two_workers):
    server, c = two_workers
    c[0].set("before", "1")
    script = ("for i = 1, 10000 do redis.call('set', 'k:' .. i, i) end "
              "while true do end")
    busy = Call(c[0], "EVAL", script, "0")
    time.sleep(0.5)
    assert_error(lambda: c[1].script_kill(),
                 "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either "
                 "wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE "
                 "command.")
    pid = spinning_worker(server)
    os.kill(pid, signal.SIGKILL)
    busy.join(5)
    assert not busy.is_alive()
    assert busy.error is not None                     # its connection died with the worker
    fresh = server.client()
    deadline = time.monotonic() + 10
    while True:
        try:
            assert fresh.dbsize() == 1
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline
            time.sleep(0.1)
            fresh = server.client()
    assert fresh.exists("k:1", "k:5000", "k:10000") == 0
    assert fresh.get("before") == b"1"
    assert_error(lambda: fresh.script_kill(), "NOTBUSY No scripts in execution right now.")
    assert fresh.eval("return redis.call('set', 'after', 'ok')", 0) == b"OK"


def lua_memory_reaches(client, test, timeout=3.0):
    """Waits for INFO's used_memory_lua (published by the worker's cron) to pass test."""
    deadline = time.monotonic() + timeout
    while True:
        used = int(client.info("memory")["used_memory_lua"])
        if test(used) or time.monotonic() > deadline:
            return used


@pytest.mark.parametrize("flush", ["script", "function"])
def test_flush_frees_the_lua_memory(start_server, flush):
    """Lua's collector paces itself, with no step of ours between runs; a flush (as
    Redis, which frees its whole Lua state) collects the flushed code at once: on the
    worker's next script, without waiting for the heap to double again."""
    c = start_server(args=["--workers", "1"]).client()
    base = lua_memory_reaches(c, lambda used: False, timeout=0.3)
    for i in range(3):
        big = "'" + "x" * 200000 + str(i) + "'"
        if flush == "script":
            c.eval(f"return #{big}", 0)
        else:
            c.function_load(f"#!lua name=lib{i}\nredis.register_function('f{i}', function() return #{big} end)")
            c.fcall(f"f{i}", 0)
    assert lua_memory_reaches(c, lambda used: used > base + 500000) > base + 500000
    if flush == "script":
        assert c.script_flush() is True
        assert c.eval("return 1", 0) == 1
    else:
        assert c.function_flush() is True
        assert c.eval("return 1", 0) == 1
        with pytest.raises(redis.ResponseError, match="^Function not found"):
            c.fcall("f0", 0)
    assert lua_memory_reaches(c, lambda used: used < base + 100000) < base + 100000


def test_garbage_of_a_large_script_is_collected_while_idle(start_server):
    """What a script dropped (here some 100,000 tables) is collected by the worker's
    cron steps even when no script runs after it to make Lua's collector go."""
    c = start_server(args=["--workers", "1"]).client()
    base = lua_memory_reaches(c, lambda used: False, timeout=0.3)
    assert c.eval("local t = {} for i = 1, 100000 do t[i] = {i} end return #t", 0) == 100000
    assert lua_memory_reaches(c, lambda used: used < base + 200000, timeout=10) < base + 200000
