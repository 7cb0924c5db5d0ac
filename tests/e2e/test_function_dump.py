"""FUNCTION DUMP and FUNCTION RESTORE against redis-server 7.0: payloads dumped by each server
restore into the other under every policy (APPEND, REPLACE, FLUSH) with the same replies, the
same FUNCTION LIST WITHCODE and the same FCALL results afterwards; failed restores change
nothing; corrupted or hand-built payloads (checksum recomputed, so the body is what is judged)
get the same errors from both; a restore on one worker is seen by the other."""

import pytest

from ferrous_diff import Reply, exact_client, run_command, show
from ferrous_harness import clients_per_worker

SHORT = "#!lua name=short\nredis.register_function('ping1', function() return 'pong' end)"
LONG = ("#!lua name=long\n"
        "local function pad(s) return s .. string.rep('.', 3) end\n"
        "redis.register_function{function_name='echo', callback=function(keys, args) return pad(args[1]) end,"
        " flags={'no-writes'}, description='echoes its argument, padded with three dots'}\n"
        "redis.register_function('setget', function(keys, args)\n"
        "  redis.call('set', keys[1], args[1])\n"
        "  return redis.call('get', keys[1])\n"
        "end)\n"
        "redis.register_function('count', function(keys, args) return #keys + #args end)\n"
        "-- " + "padding that repeats, padding that repeats, " * 4 + "\n")
OTHER = "#!lua name=other\nredis.register_function('o', function() return 'other' end)"
SHORT_V2 = "#!lua name=short\nredis.register_function('ping2', function() return 'pong2' end)"
THIEF = "#!lua name=thief\nredis.register_function('ping1', function() return 'stolen' end)"

FCALLS = [("FCALL", "ping1", "0"), ("FCALL", "ping2", "0"), ("FCALL", "o", "0"),
          ("FCALL", "echo", "0", "hi"), ("FCALL_RO", "echo", "0", "ro"),
          ("FCALL", "setget", "1", "k", "v"), ("FCALL", "count", "2", "a", "b", "c")]

# --- payload building (RDB strings, CRC-64 Jones as in rdb/crc64.c) ----------------------

_POLY = 0x95AC9329AC4BC9B5
_TABLE = []
for _b in range(256):
    _c = _b
    for _ in range(8):
        _c = (_c >> 1) ^ _POLY if _c & 1 else _c >> 1
    _TABLE.append(_c)


def crc64(data):
    crc = 0
    for b in data:
        crc = _TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


def rdb_string(s):
    s = s.encode() if isinstance(s, str) else s
    n = len(s)
    if n < 64:
        return bytes([n]) + s
    if n < 16384:
        return bytes([0x40 | n >> 8, n & 0xFF]) + s
    return b"\x80" + n.to_bytes(4, "big") + s


def seal(body, version=10):
    """A payload: body, version (2 bytes LE), CRC-64 of both (8 bytes LE)."""
    data = body + version.to_bytes(2, "little")
    return data + crc64(data).to_bytes(8, "little")


def function2(code):
    return b"\xf5" + rdb_string(code)


def pre_ga(name, engine, code, desc=None):
    """7.0-rc's RDB_OPCODE_FUNCTION: name, engine, has-description, [description], code."""
    body = b"\xf6" + rdb_string(name) + rdb_string(engine)
    body += (b"\x01" + rdb_string(desc)) if desc is not None else b"\x00"
    return body + rdb_string(code)


assert crc64(b"123456789") == 0xE9C6D914C4B8D9CA

# --- helpers -----------------------------------------------------------------------------


def plain(r):
    """A Reply as plain Python values (errors as ('-', text))."""
    if r.kind == "-":
        return ("-", r.value)
    if isinstance(r.value, list):
        return [plain(x) for x in r.value]
    return r.value


def library_list(client):
    """FUNCTION LIST WITHCODE, libraries and their functions sorted by name."""
    libs = []
    for lib in plain(run_command(client, "FUNCTION", "LIST", "WITHCODE")):
        fields = dict(zip(lib[::2], lib[1::2]))
        fields[b"functions"] = sorted(
            (sorted(dict(zip(f[::2], f[1::2])).items()) for f in fields[b"functions"]),
            key=lambda f: dict(f)[b"name"])
        libs.append(sorted(fields.items()))
    return sorted(libs, key=lambda lib: dict(lib)[b"library_name"])


def state(client):
    return library_list(client), [plain(run_command(client, *call)) for call in FCALLS]


def load(client, *codes):
    assert plain(run_command(client, "FUNCTION", "FLUSH")) == b"OK"
    for code in codes:
        reply = run_command(client, "FUNCTION", "LOAD", code)
        assert reply.kind == "$", show(reply)


def dump(client, *codes):
    load(client, *codes)
    reply = run_command(client, "FUNCTION", "DUMP")
    assert reply.kind == "$", show(reply)
    return reply.value


@pytest.fixture
def pair(ferrous, oracle):
    return exact_client(ferrous), exact_client(oracle)


def assert_same_restore(pair, payload_for, before, policy_args):
    """Each server starts with the libraries `before`, restores the payload dumped by the
    other, and must reply and end up alike; a refused restore must change nothing."""
    fer, red = pair
    outcome = []
    for client, payload in ((fer, payload_for["ferrous"]), (red, payload_for["redis"])):
        load(client, *before)
        start = state(client)
        reply = run_command(client, "FUNCTION", "RESTORE", payload, *policy_args)
        end = state(client)
        if reply.kind == "-":
            assert end == start, f"a failed restore changed the libraries: {show(reply)}"
        outcome.append((reply, end))
    assert outcome[0][0] == outcome[1][0], \
        f"ferrous {show(outcome[0][0])}, redis {show(outcome[1][0])}"
    assert outcome[0][1] == outcome[1][1]
    return outcome[0][0]


# --- tests -------------------------------------------------------------------------------


def test_dump_bytes_match_redis(pair):
    fer, red = pair
    assert dump(fer) == dump(red) == bytes.fromhex("0a005d9b5c400f7fa2da")
    assert dump(fer, SHORT) == dump(red, SHORT)          # stored verbatim by both
    for client in pair:
        assert plain(run_command(client, "CONFIG", "SET", "rdbcompression", "no")) == b"OK"
    assert dump(fer, LONG) == dump(red, LONG)             # verbatim when compression is off
    for client in pair:
        run_command(client, "CONFIG", "SET", "rdbcompression", "yes")
    long_f, long_r = dump(fer, LONG), dump(red, LONG)
    assert long_f[:2] == long_r[:2] == b"\xf5\xc3"       # LZF-compressed by both
    assert len(long_f) < len(LONG)


@pytest.mark.parametrize("policy", [(), ("APPEND",), ("append",), ("REPLACE",), ("FLUSH",)],
                         ids=["default", "APPEND", "append", "REPLACE", "FLUSH"])
@pytest.mark.parametrize("before", [(), (OTHER,), (SHORT_V2, OTHER), (THIEF,), (SHORT_V2, THIEF)],
                         ids=["empty", "other", "same-library", "same-function", "both"])
def test_cross_restore(pair, policy, before):
    fer, red = pair
    payload_for = {"ferrous": dump(red, SHORT, LONG), "redis": dump(fer, SHORT, LONG)}
    reply = assert_same_restore(pair, payload_for, before, policy)
    mode = policy[0].upper() if policy else "APPEND"
    if mode == "APPEND" and SHORT_V2 in before:         # library names are checked first
        assert reply == Reply("-", "ERR Library short already exists")
    elif mode != "FLUSH" and THIEF in before:
        assert reply == Reply("-", "ERR Function ping1 already exists")
    else:
        assert reply == Reply("+", b"OK")


def test_restore_argument_errors(pair):
    fer, red = pair
    payload_for = {"ferrous": dump(red, SHORT), "redis": dump(fer, SHORT)}
    assert assert_same_restore(pair, payload_for, (), ("BOGUS",)) == Reply(
        "-", "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
    assert assert_same_restore(pair, payload_for, (), ("APPEND", "x"))[0] == "-"
    for args in (("FUNCTION", "RESTORE"), ("FUNCTION", "DUMP", "x"), ("function", "restore", "p", "a", "b")):
        f, r = run_command(fer, *args), run_command(red, *args)
        assert f == r and f.kind == "-", f"{args}: ferrous {show(f)}, redis {show(r)}"


def corrupted_payloads(valid):
    body = valid[:-10]
    yield "empty", b""
    yield "too short", valid[:9]
    yield "truncated", valid[:-1]
    yield "bit flipped", valid[:5] + bytes([valid[5] ^ 4]) + valid[6:]
    yield "newer version", seal(body, 11)
    yield "older version", seal(body, 9)
    yield "empty body", seal(b"")
    yield "not a function", seal(b"\x00" + rdb_string(SHORT))
    yield "opcode only", seal(b"\xf5")
    yield "string past the end", seal(function2(SHORT)[:-3])
    yield "string into the footer", seal(function2(SHORT + "\n")[:-1])
    yield "bad length encoding", seal(b"\xf5\x82")
    yield "bad string encoding", seal(b"\xf5\xc4")
    yield "corrupt lzf", seal(b"\xf5\xc3\x05\x20abcde")    # 5 bytes said to give 32
    yield "integer encoded code", seal(b"\xf5\xc0\x05")
    yield "trailing garbage", seal(body + b"xyz")
    yield "missing metadata", seal(function2("return 1"))
    yield "compile error", seal(function2("#!lua name=bad\nredis.register_function('f', function() return 1 end"))
    yield "no functions", seal(function2("#!lua name=nofn\nreturn 1"))
    yield "bad library name", seal(function2("#!lua name=a-b\nredis.register_function('f', function() end)"))
    yield "library twice", seal(function2(SHORT) + function2(SHORT_V2))
    yield "function twice", seal(function2(SHORT) + function2(THIEF))
    yield "good then bad", seal(function2(OTHER) + function2("#!lua name=bad\n1 +"))
    yield "pre-GA", seal(pre_ga("old", "lua", "redis.register_function('oldf', function() return 'old' end)"))
    yield "pre-GA with description", seal(pre_ga("old", "lua", "redis.register_function('oldf', function() end)",
                                                 desc="a description"))
    yield "pre-GA unknown engine", seal(pre_ga("old", "js", "function f() {}"))
    full = pre_ga("old", "lua", "redis.register_function('oldf', function() end)", desc="d")
    for cut, what in ((2, "name"), (6, "engine"), (9, "indicator"), (12, "description"), (len(full) - 3, "code")):
        yield f"pre-GA cut in {what}", seal(full[:cut])


@pytest.mark.parametrize("before", [(), (OTHER,)], ids=["empty", "other"])
def test_corrupted_payloads_same_errors(pair, before):
    fer, red = pair
    valid = dump(red, SHORT, LONG)
    mismatches = []
    for name, payload in corrupted_payloads(valid):
        replies = []
        for client in pair:
            load(client, *before)
            start = state(client)
            reply = run_command(client, "FUNCTION", "RESTORE", payload)
            if reply.kind == "-":
                assert state(client) == start, f"{name}: a failed restore changed the libraries"
            replies.append((reply, state(client)))
        if replies[0] != replies[1]:
            mismatches.append(f"{name}: ferrous {show(replies[0][0])}, redis {show(replies[1][0])}")
    assert not mismatches, "\n".join(mismatches)


def test_restore_is_seen_by_every_worker(start_server, oracle):
    server = start_server(args=["--workers", "2"])
    workers = {w: g[0] for w, g in clients_per_worker(server, 2).items()}
    payload = dump(exact_client(oracle), SHORT, LONG)
    for w in workers:                                    # each compiles its function table now
        assert workers[w].execute_command("FUNCTION", "LIST") == []
    assert workers[0].execute_command("FUNCTION", "RESTORE", payload) in (b"OK", True)
    assert workers[1].execute_command("FCALL", "ping1", 0) == b"pong"
    assert workers[1].execute_command("FCALL", "echo", 0, "x") == b"x..."
    flush = workers[1].execute_command("FUNCTION", "RESTORE", dump(exact_client(oracle), OTHER), "FLUSH")
    assert flush in (b"OK", True)
    assert workers[0].execute_command("FCALL", "o", 0) == b"other"
    with pytest.raises(Exception, match="Function not found"):
        workers[0].execute_command("FCALL", "ping1", 0)


def test_pre_ga_payload_with_upper_case_engine(pair):
    payload = seal(pre_ga("old", "LUA", "redis.register_function('oldf', function() return 'old' end)"))
    fer, red = pair
    for client in pair:
        load(client)
    assert run_command(fer, "FUNCTION", "RESTORE", payload) == run_command(red, "FUNCTION", "RESTORE", payload) \
        == Reply("+", b"OK")
    assert state(fer) == state(red)
    assert run_command(fer, "FCALL", "oldf", 0) == run_command(red, "FCALL", "oldf", 0) == Reply("$", b"old")
