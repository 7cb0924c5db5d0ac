"""maxmemory compared with redis-server 7.0: over the limit, deny-oom commands, anything
queued in MULTI, EXEC of a transaction holding a deny-oom command, scripts declaring
flags without allow-oom and the first deny-oom write of a script without flags are
refused with -OOM; reads, deletes, allow-oom and no-writes scripts still run.

Each step runs on the session's connection, or on a second one ('admin') for CONFIG SET
while the session is inside MULTI; both servers must give the same replies."""
import ferrous_diff as fd

LIB = ("#!lua name=lib\n"
       "redis.register_function('w', function(k, a) return redis.call('set', 'z', '1') end)\n"
       "redis.register_function{function_name='oom', callback=function(k, a) "
       "return redis.call('set', 'z', '2') end, flags={'allow-oom'}}\n"
       "redis.register_function{function_name='r', callback=function(k, a) "
       "return redis.call('get', 'a') end, flags={'no-writes'}}")

OVER = ("admin", "CONFIG", "SET", "maxmemory", "1")
UNDER = ("admin", "CONFIG", "SET", "maxmemory", "0")

STEPS = [
    UNDER,
    ("s", "SET", "a", "1"),
    ("s", "RPUSH", "l", "x"),
    ("s", "FUNCTION", "LOAD", LIB),
    OVER,
    # client commands
    ("s", "SET", "x", "y"), ("s", "GET", "a"), ("s", "INCR", "a"), ("s", "RPUSH", "l", "y"),
    ("s", "LPOP", "l"), ("s", "EXPIRE", "a", "100"), ("s", "SETRANGE", "a", "0", "x"),
    ("s", "PUBLISH", "c", "m"), ("s", "SCRIPT", "LOAD", "return 1"), ("s", "PING"),
    ("s", "FUNCTION", "LOAD", "#!lua name=other\nredis.register_function('f2', function() return 1 end)"),
    ("s", "DEL", "a"), ("s", "SET", "a", "2"),
    # scripts without flags: only a first write that is deny-oom is refused
    ("s", "EVAL", "return redis.call('set', 'x', 'y')", "0"),
    ("s", "EVAL", "return redis.pcall('set', 'x', 'y')", "0"),
    ("s", "EVAL", "redis.call('del', 'nokey'); return redis.call('set', 'x', 'y')", "0"),
    ("s", "EVAL", "return redis.call('get', 'x')", "0"),
    ("s", "EVAL_RO", "return redis.call('get', 'x')", "0"),
    # scripts with flags: refused up front unless allow-oom or no-writes
    ("s", "EVAL", "#!lua\nreturn redis.call('set', 'x', 'y')", "0"),
    ("s", "EVAL", "#!lua\nreturn 1", "0"),
    ("s", "EVAL", "#!lua flags=allow-oom\nreturn redis.call('set', 'x', 'z')", "0"),
    ("s", "EVAL", "#!lua flags=no-writes\nreturn redis.call('get', 'x')", "0"),
    ("s", "FCALL", "w", "0"), ("s", "FCALL", "oom", "0"), ("s", "FCALL", "r", "0"),
    ("s", "FCALL_RO", "r", "0"),
    # transactions
    ("s", "MULTI"), ("s", "GET", "x"), ("s", "PING"), ("s", "WATCH", "x"), ("s", "EXEC"),
    ("s", "MULTI"), ("s", "DISCARD"),
    ("s", "MULTI"), ("s", "EXEC"),
    UNDER,
    ("s", "MULTI"), ("s", "SET", "q", "1"), ("s", "GET", "q"),
    OVER,
    ("s", "EXEC"),
    UNDER,
    ("s", "MULTI"), ("s", "GET", "q"),
    OVER,
    ("s", "EXEC"),
    ("s", "FLUSHALL"), ("s", "FUNCTION", "FLUSH"),
    UNDER,
    ("s", "SET", "after", "1"),
]


def session(server):
    clients = {"s": fd.exact_client(server), "admin": fd.exact_client(server)}
    return [fd.show(fd.run_command(clients[who], *args)) for who, *args in STEPS]


def test_out_of_memory_refusals_as_redis(ferrous, oracle):
    got, want = session(ferrous), session(oracle)
    for step, g, w in zip(STEPS, got, want):
        assert g == w, f"{step}: ferrous {g}, redis-server {w}"
