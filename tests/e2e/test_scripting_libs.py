"""The cmsgpack and struct libraries of the Lua sandbox against redis-server 7.0: the same
EVAL to both servers, replies compared exactly (bytes of packed strings, error texts).

  - hand-picked cases: every MessagePack type and width cmsgpack.pack chooses, arrays vs
    maps, nesting and cycles, unpack of every type, of cut and malformed input, the offsets
    of unpack_one / unpack_limit, Lua stack limits; struct's every format option, endianness,
    alignment, sizes, and their error messages;
  - seeded random cases: pack of random nested values, unpack (and unpack_one/limit at random
    offsets) of random, cut and mutated encodings, struct.pack/unpack/size of random formats;
    results are gathered inside the script with pcall, so one EVAL checks many values;
  - without the oracle: a few encodings known from the MessagePack spec, the libraries being
    read-only, and random garbage to unpack that must give a value or an error, never a crash.
Set FERROUS_FUZZ_SEED to run the random cases with another seed."""

import os
import random
import struct as pystruct

import ferrous_diff as fd

SEED = int(os.environ.get("FERROUS_FUZZ_SEED", "7"))

# --- comparing ------------------------------------------------------------------------------

# Lua prelude for the random cases: results(pcall(...)) renders every value returned (type,
# number to 17 digits, string bytes, table as its entries sorted: a decoded map may have
# tables as keys, which Lua walks in the order of their addresses) in one string.
PRELUDE = r"""
local show
local function hex(s)
  return (s:gsub('.', function(c) return string.format('%02x', c:byte()) end))
end
local function show_table(t)
  local items = {}
  for k, v in pairs(t) do items[#items + 1] = hex(show(k)) .. '=' .. hex(show(v)) end
  table.sort(items)
  return 'table:{' .. table.concat(items, ',') .. '}'
end
show = function(v)
  local t = type(v)
  if t == 'number' then return 'number:' .. string.format('%.17g', v) end
  if t == 'table' then return show_table(v) end
  return t .. ':' .. tostring(v)
end
local function results(...)
  local out = {}
  for i = 1, select('#', ...) do out[i] = show((select(i, ...))) end
  return table.concat(out, '|')
end
"""


def mismatches(ferrous, oracle, calls):
    """Runs each call (a tuple of EVAL arguments after the script, or a bare script) on
    both servers; returns a report line for each reply that differs."""
    clients = [fd.exact_client(ferrous), fd.exact_client(oracle)]
    found = []
    try:
        for call in calls:
            args = (call, 0) if isinstance(call, str) else call
            got, want = (fd.run_command(c, "EVAL", *args) for c in clients)
            if got != want:
                shown = " ".join(repr(a)[:400] for a in args)
                found.append(f"EVAL {shown}\n    ferrous: {fd.show(got)}\n    redis:   {fd.show(want)}")
    finally:
        for c in clients:
            c.close()
    return found


def assert_same(ferrous, oracle, calls):
    found = mismatches(ferrous, oracle, calls)
    assert not found, f"{len(found)} of {len(calls)} replies differ:\n" + "\n".join(found[:25])
    assert ferrous.alive(), ferrous.describe()


# --- hand-picked cases ----------------------------------------------------------------------

PACK_CASES = [
    "return cmsgpack.pack()",
    "return cmsgpack.pack(nil, true, false)",
    "return cmsgpack.pack(0, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, 2^53)",
    "return cmsgpack.pack(-1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649, -2^53)",
    "return cmsgpack.pack(2^63, -2^63, 2^64, 0.5, 0.1, 1/0, -1/0, 0/0, -0.0, 1e300, 3.4e38, 1e-45)",
    "return cmsgpack.pack('', 'a', string.rep('x', 31), string.rep('x', 32))",
    "return cmsgpack.pack(string.rep('x', 255)) .. cmsgpack.pack(string.rep('x', 256))",
    "return redis.sha1hex(cmsgpack.pack(string.rep('x', 65535), string.rep('y', 65536)))",
    "return cmsgpack.pack({}, {1, 2, 3}, {a = 1}, {[1] = 1, [3] = 3}, {[0] = 1}, {1, 2, nil, 4})",
    "return cmsgpack.pack({[1.5] = 1}, {[-1] = 1}, {['1'] = 1}, {[true] = 1}, {[2^31] = 1}, {[2^31-1] = 1})",
    "return cmsgpack.pack({a = 1, b = 2, c = 3, d = {1, 2, {x = 'y'}}, e = true, f = false, g = 0.5})",
    "local t = {} for i = 1, 15 do t[i] = i end return cmsgpack.pack(t)",
    "local t = {} for i = 1, 16 do t[i] = i end return cmsgpack.pack(t)",
    "local t = {} for i = 1, 65535 do t[i] = i end return redis.sha1hex(cmsgpack.pack(t))",
    "local t = {} for i = 1, 65536 do t[i] = i end return redis.sha1hex(cmsgpack.pack(t))",
    "local t = {} for i = 1, 15 do t['k' .. i] = i end return cmsgpack.pack(t)",
    "local t = {} for i = 1, 16 do t['k' .. i] = i end return cmsgpack.pack(t)",
    "local t = {} for i = 1, 65536 do t['k' .. i] = i end return redis.sha1hex(cmsgpack.pack(t))",
    "local t = {} for i = 1, 1000 do t[i * 2] = i end return redis.sha1hex(cmsgpack.pack(t))",
    "local t = {} local c = t for i = 1, 20 do c[1] = {} c = c[1] end return cmsgpack.pack(t)",
    "local t = {} local c = t for i = 1, 20 do c.k = {} c = c.k end return cmsgpack.pack(t)",
    "local t = {} t[1] = t return cmsgpack.pack(t)",
    "local t = {} t.self = t return cmsgpack.pack(t)",
    "return cmsgpack.pack(cmsgpack.pack, coroutine.create(function() end), nil)",
    "return cmsgpack.pack(math, string, table, cmsgpack, struct, cjson, bit)",
    "return cmsgpack.pack(unpack({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21}))",
    "local t = {} for i = 1, 7990 do t[i] = i end return #cmsgpack.pack(unpack(t))",
    "local t = {} for i = 1, 4000 do t[i] = {1} end return #cmsgpack.pack(unpack(t))",
    "local t = {} for i = 1, 3999 do t[i] = {a = 1} end return #cmsgpack.pack(unpack(t))",
    "local t = {} for i = 1, 4000 do t[i] = {a = 1} end return #cmsgpack.pack(unpack(t))",
    "return cmsgpack._NAME .. '|' .. cmsgpack._VERSION .. '|' .. cmsgpack._COPYRIGHT .. '|' .. cmsgpack._DESCRIPTION",
    "local t = {} for k in pairs(cmsgpack) do t[#t + 1] = k end return t",
    "local t = {} for k in pairs(struct) do t[#t + 1] = k end return t",
    "cmsgpack.pack = 1 return 1",
    "struct.size = nil return 1",
    "cmsgpack.x = 1 return 1",
    "return type(cmsgpack_safe)",
]

UNPACK_CASES = [
    "return {cmsgpack.unpack('')}",
    "return {cmsgpack.unpack(cmsgpack.pack({a = 1, b = {1, 2, 3}}))}",
    "return cjson.encode({cmsgpack.unpack(cmsgpack.pack({a = 1, b = {1, 2, 3}}))})",
    "return cjson.encode({cmsgpack.unpack(cmsgpack.pack(1, -1, 2^40, -2^40, 0.5, 0.1, 'x', true, false))})",
    "return {cmsgpack.unpack('\\192\\194\\195')}",
    "return {cmsgpack.unpack('\\208\\128\\209\\128\\0\\210\\128\\0\\0\\0\\204\\255\\205\\255\\255\\206\\255\\255\\255\\255')}",
    "return {cmsgpack.unpack('\\224\\255\\127\\0')}",
    "return tostring(cmsgpack.unpack('\\207\\128\\0\\0\\0\\0\\0\\0\\1'))",
    "return tostring(cmsgpack.unpack('\\207\\255\\255\\255\\255\\255\\255\\255\\255'))",
    "return tostring(cmsgpack.unpack('\\211\\128\\0\\0\\0\\0\\0\\0\\1'))",
    "return {cmsgpack.unpack('\\202\\63\\192\\0\\0')}",
    "return tostring(cmsgpack.unpack('\\203\\63\\185\\153\\153\\153\\153\\153\\154'))",
    "return {cmsgpack.unpack('\\163ab'), cmsgpack.unpack('\\163abc')}",
    "return {cmsgpack.unpack('\\217\\3abc\\218\\0\\3abc\\219\\0\\0\\0\\3abc')}",
    "return {cmsgpack.unpack('\\220\\0\\2\\1\\2\\221\\0\\0\\0\\2\\1\\2\\222\\0\\1\\1\\2\\223\\0\\0\\0\\1\\1\\2')}",
    "return {cmsgpack.unpack(123)}",
    "return {cmsgpack.unpack('\\1', 'extra')}",
    # malformed and cut input
    "return {cmsgpack.unpack('\\193')}",
    "return {cmsgpack.unpack('\\196\\1a')}",
    "return {cmsgpack.unpack('\\199\\1\\1a')}",
    "return {cmsgpack.unpack('\\212\\1\\1')}",
    "return {cmsgpack.unpack('\\204')}",
    "return {cmsgpack.unpack('\\202\\63\\192\\0')}",
    "return {cmsgpack.unpack('\\217')}",
    "return {cmsgpack.unpack('\\217\\5abc')}",
    "return {cmsgpack.unpack('\\219\\255\\255\\255\\255abc')}",
    "return {cmsgpack.unpack('\\220\\0\\2\\1')}",
    "return {cmsgpack.unpack('\\221\\255\\255\\255\\255\\1\\2')}",
    "return {cmsgpack.unpack('\\223\\0\\0\\0\\1\\1')}",
    "return {cmsgpack.unpack('\\129\\1')}",
    "return {cmsgpack.unpack('\\145')}",
    "return {cmsgpack.unpack('\\129\\192\\1')}",
    "return {cmsgpack.unpack('\\129\\203\\255\\248\\0\\0\\0\\0\\0\\0\\1')}",
    "return {cmsgpack.unpack()}",
    "return {cmsgpack.unpack({})}",
    # unpack_one and unpack_limit: the offset first
    "return {cmsgpack.unpack_one('')}",
    "return {cmsgpack.unpack_one('', 1)}",
    "return {cmsgpack.unpack_one('\\1\\2\\3', 1)}",
    "return {cmsgpack.unpack_one('\\1\\2\\3', 2)}",
    "return {cmsgpack.unpack_one('\\1\\2\\3', 3)}",
    "return {cmsgpack.unpack_one('\\1\\2\\3', 4)}",
    "return {cmsgpack.unpack_one('\\1\\2\\3', -1)}",
    "return {cmsgpack.unpack_one('\\1\\2\\3\\4\\5', 2^40)}",
    "return {cmsgpack.unpack_one('\\1\\2\\3\\4\\5', -2^40 - 7)}",
    "return {cmsgpack.unpack_one('\\145\\1\\2', 0)}",
    "return {cmsgpack.unpack_one('\\146\\1', 0)}",
    "return {cmsgpack.unpack_one('a', 'x')}",
    "return {cmsgpack.unpack_one(nil, 'x')}",
    "return {cmsgpack.unpack_limit('\\1\\2\\3', 0)}",
    "return {cmsgpack.unpack_limit('\\1\\2\\3', 0, 1)}",
    "return {cmsgpack.unpack_limit('\\1\\2\\3', 2)}",
    "return {cmsgpack.unpack_limit('\\1\\2\\3', -2, 1)}",
    "return {cmsgpack.unpack_limit('\\1\\2\\3\\4\\5', 2, 2)}",
    "return {cmsgpack.unpack_limit('\\1\\2\\3\\4\\5', 10, 2)}",
    "return {cmsgpack.unpack_limit('\\1\\2\\3\\4\\5', 1.9, 2.9)}",
    "return {cmsgpack.unpack_limit('\\1\\2\\3\\4\\5', '2', '1')}",
    "return {cmsgpack.unpack_limit('a')}",
    # the Lua stack: thousands of values, deep nesting
    "return #{cmsgpack.unpack(string.rep('\\1', 7999))}",
    "return #{cmsgpack.unpack(string.rep('\\1', 7999), 'x')}",
    "return #{cmsgpack.unpack(string.rep('\\1', 8000))}",
    "return #{cmsgpack.unpack_limit(string.rep('\\1', 8000), 7998)}",
    "return #{cmsgpack.unpack_limit(string.rep('\\1', 8000), 7999)}",
    "return #{cmsgpack.unpack(string.rep('\\145', 3998) .. '\\1')}",
    "return #{cmsgpack.unpack(string.rep('\\145', 3999) .. '\\1')}",
    "return #{cmsgpack.unpack(string.rep('\\129\\1', 3998) .. '\\1')}",
    "return #{cmsgpack.unpack(string.rep('\\129\\1', 3999) .. '\\1')}",
    "return #{cmsgpack.unpack(string.rep('\\129\\145', 2660) .. '\\1')}",
    "return #{cmsgpack.unpack(string.rep('\\129\\145', 2670) .. '\\1')}",
]

STRUCT_CASES = [
    "return struct.pack('>bBhHiIlLT', -1, 255, -2, 65535, -3, 4294967295, -4, 2^63, 7)",
    "return struct.pack('<bBhHiIlLT', -1, 255, -2, 65535, -3, 4294967295, -4, 2^63, 7)",
    "return struct.pack('!bBhHiIlLT', -1, 255, -2, 65535, -3, 4294967295, -4, 2^63, 7)",
    "return struct.pack('>i1i2i3i5i7i8i9i16', 1, 2, 3, 5, 7, 8, 9, 16)",
    "return struct.pack('>i16', -1) .. struct.pack('<i16', -1) .. struct.pack('>i32', 1) .. struct.pack('>i0', 1)",
    "return struct.pack('>L', 1e20) .. struct.pack('>L', 2^64) .. struct.pack('>L', 0/0) .. struct.pack('>l', -1e20)",
    "return struct.pack('>L', 2^63 + 2048) .. struct.pack('>L', 2^64 - 2048) .. struct.pack('>L', 1/0) .. struct.pack('>L', -1/0)",
    "return struct.pack('>L', 1.9) .. struct.pack('>l', -1.9) .. struct.pack('>i', -0.0) .. struct.pack('>b', 300) .. struct.pack('>H', -1)",
    "return struct.pack('>fd', 1.5, 0.1) .. struct.pack('<fd', 1.5, 0.1) .. struct.pack('>f', 1e300) .. struct.pack('>fd', 0/0, 0/0)",
    "return struct.pack('s', 'abc') .. struct.pack('>s', 'a\\0b') .. struct.pack('c', 'abc') .. struct.pack('c2', 'abc') .. struct.pack('c0', 'abc')",
    "return struct.pack('c0', 12) .. struct.pack('s', 12.5) .. struct.pack('b', '12') .. struct.pack('xbx', 1)",
    "return struct.pack('!4bi', 1, 2) .. struct.pack('!2bi', 1, 2) .. struct.pack('!bd', 1, 2) .. struct.pack('!bi3', 1, 2)",
    "return struct.pack('!8bi16', 1, 2) .. struct.pack('!8bxh', 1, 2) .. struct.pack('!8bsh', 1, 'ab', 2) .. struct.pack('!8bc3h', 1, 'abc', 2)",
    "return struct.pack('!16bd', 1, 2) .. struct.pack('!1bd', 1, 2) .. struct.pack('! b d', 1, 2) .. struct.pack('!2c3i', 'abc', 2)",
    "return struct.pack('!4bbbbbi', 1, 2, 3, 4, 5, 6) .. struct.pack('!8bT', 1, 2) .. struct.pack('!8bf', 1, 2)",
    "return struct.pack('!8bi5', 1, 2) .. struct.pack('!8bi6', 1, 2) .. struct.pack('b\\0b', 1, 2) .. struct.pack('!', 1)",
    "return struct.pack('c5', 'abc')",
    "return struct.pack('>i33', 1)",
    "return struct.pack('>i99999999999', 1)",
    "return struct.pack('>c99999999999', 'a')",
    "return struct.pack('!3bi', 1, 2)",
    "return struct.pack('!0', 1)",
    "return struct.pack('!99999999999', 1)",
    "return struct.pack('z', 1)",
    "return struct.pack('=b', 1)",
    "return struct.pack('b3', 1)",
    "return struct.pack('\\200', 1)",
    "return struct.pack('b')",
    "return struct.pack('bb', 1)",
    "return struct.pack('b', 'x')",
    "return struct.pack('i', {})",
    "return struct.pack()",
    "return {struct.unpack('>bBhH', '\\255\\255\\255\\254\\255\\255')}",
    "return {struct.unpack('<iI', '\\253\\255\\255\\255\\255\\255\\255\\255')}",
    "return {struct.unpack('<i3', '\\255\\255\\127'), struct.unpack('<i3', '\\255\\255\\128')}",
    "return {struct.unpack('!8bT', '\\1\\0\\0\\0\\0\\0\\0\\0\\2\\0\\0\\0\\0\\0\\0\\0')}",
    "return {struct.unpack('!8bd', '\\1\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\240\\63')}",
    "return tostring(struct.unpack('<I8', '\\255\\255\\255\\255\\255\\255\\255\\255'))",
    "return tostring(struct.unpack('<i8', '\\0\\0\\0\\0\\0\\0\\0\\128'))",
    "return tostring(struct.unpack('<I16', string.rep('\\255', 16)))",
    "return tostring(struct.unpack('<i9', '\\128\\0\\0\\0\\0\\0\\0\\0\\0'))",
    "return tostring(struct.unpack('<i12', '\\0\\0\\0\\0\\0\\0\\0\\16\\0\\0\\0\\128'))",
    "return tostring(struct.unpack('>i12', '\\128\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\255'))",
    "return tostring(struct.unpack('<i17', '\\1\\1\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0'))",
    "return tostring(struct.unpack('<i32', string.rep('\\0', 7) .. '\\255' .. string.rep('\\0', 24)))",
    "return {struct.unpack('<i0', ''), struct.unpack('<I0', 'abc')}",
    "return {struct.unpack('>f', '\\63\\192\\0\\0'), struct.unpack('<d', '\\0\\0\\0\\0\\0\\0\\248\\63')}",
    "return {struct.unpack('s', 'abc\\0def')}",
    "return {struct.unpack('ss', 'abc\\0def\\0')}",
    "return {struct.unpack('s', 'abc')}",
    "return {struct.unpack('c2', 'abc')}",
    "return {struct.unpack('c4', 'abc')}",
    "return {struct.unpack('bc0', '\\2abc')}",
    "return {struct.unpack('bc0', '\\5abc')}",
    "return {struct.unpack('bc0', '\\255abc')}",
    "return {struct.unpack('c0', 'abc')}",
    "return {struct.unpack('c0', '1')}",
    "return {struct.unpack('sc0', '2\\0abc')}",
    "return {struct.unpack('sc0', 'x\\0abc')}",
    "return {struct.unpack('Bc0', '\\0abc')}",
    "return {struct.unpack('!4bc0', '\\1\\0\\0\\0abc')}",
    "return {struct.unpack('dc0', '\\0\\0\\0\\0\\0\\0\\248\\127abc')}",
    "return {struct.unpack('dc0', '\\0\\0\\0\\0\\0\\0\\240\\127abc')}",
    "return {struct.unpack('dc0', '\\0\\0\\0\\0\\0\\0\\224\\67abc')}",
    "return {struct.unpack('b', 'abc', 2)}",
    "return {struct.unpack('b', 'abc', 4)}",
    "return {struct.unpack('b', 'abc', 0)}",
    "return {struct.unpack('b', 'abc', -1)}",
    "return {struct.unpack('c2', 'abc', -1)}",
    "return {struct.unpack('', 'abc', -1)}",
    "return {struct.unpack('', 'abc', 10)}",
    "return {struct.unpack('<', 'abc', 10)}",
    "return {struct.unpack('<', 'abc', 4)}",
    "return {struct.unpack('z', 'abc', 10)}",
    "return {struct.unpack('b', 'abc', 1.5)}",
    "return {struct.unpack('b', 'a', 'x')}",
    "return {struct.unpack('xb', 'abc')}",
    "return {struct.unpack('x', '')}",
    "return {struct.unpack('!4bi', '\\1\\0\\0\\0\\2\\0\\0')}",
    "return {struct.unpack('!3b', 'abc')}",
    "return {struct.unpack('z', 'abc')}",
    "return {struct.unpack('i33', 'abc')}",
    "return {struct.unpack('i2147483647', 'abc')}",
    "return {struct.unpack('i2147483648', 'abc')}",
    "return {struct.unpack('c2147483647', 'abc')}",
    "return {struct.unpack('b', 5)}",
    "return {struct.unpack(5, '\\1')}",
    "return {struct.unpack('b')}",
    "return {struct.unpack(nil, nil, 0)}",
    "return #{struct.unpack(string.rep('b', 7997), string.rep('a', 8000))}",
    "return #{struct.unpack(string.rep('b', 8000), string.rep('a', 8000))}",
    "return {struct.unpack('>!4bi3h', struct.pack('>!4bi3h', -5, 70000, -300))}",
    "return {struct.unpack('<!2bhbid', struct.pack('<!2bhbid', 1, 2, 3, 4, 5.5))}",
    "return {struct.unpack('>c3s c0', struct.pack('>c3s', 'abc', 'def') .. 'xyz')}",
    "return {struct.size('bhilT'), struct.size('!bhilT'), struct.size('!bd'), struct.size('c3'), struct.size('x')}",
    "return {struct.size('i3!4i'), struct.size('!8bi6'), struct.size('!8bi5'), struct.size('!8bi0'), struct.size('')}",
    "return {struct.size('bb bb'), struct.size('<>'), struct.size('z'), struct.size(5), struct.size('b\\0b')}",
    "return {struct.size('!4bi3h'), struct.size('!bhilTfdxc5'), struct.size('\\200')}",
    "return struct.size('s')",
    "return struct.size('c0')",
    "return struct.size('!3')",
    "return struct.size('i40')",
    "return struct.size('%')",
    "return struct.size('i99999999999')",
    "return struct.size()",
]


def test_cmsgpack_pack_matches_redis(ferrous, oracle):
    assert_same(ferrous, oracle, PACK_CASES)


def test_cmsgpack_unpack_matches_redis(ferrous, oracle):
    assert_same(ferrous, oracle, UNPACK_CASES)


def test_struct_matches_redis(ferrous, oracle):
    assert_same(ferrous, oracle, STRUCT_CASES)


# --- random cases ---------------------------------------------------------------------------

NUMBERS = ["0", "1", "127", "128", "255", "256", "65535", "65536", "4294967295", "4294967296",
           "2^53", "2^63", "2^64", "-1", "-32", "-33", "-128", "-129", "-32768", "-32769",
           "-2147483648", "-2147483649", "-2^53", "-2^63", "-2^63-4096", "0.5", "0.1", "-2.5",
           "1/0", "-1/0", "0/0", "-0.0", "1e300", "3.4e38", "1e-45"]
STRING_LENGTHS = [0, 1, 5, 31, 32, 33, 255, 256, 300]
LONG_STRING_LENGTHS = [65535, 65536]


def lua_number(rng):
    if rng.random() < 0.6:
        return rng.choice(NUMBERS)
    if rng.random() < 0.5:
        return str(rng.randint(-2**40, 2**40))
    return repr(rng.uniform(-1e6, 1e6))


def lua_string(rng, max_len=None):
    """A string expression; with max_len, no longer than that."""
    if rng.random() < 0.3:
        lengths = STRING_LENGTHS + (LONG_STRING_LENGTHS if rng.random() < 0.05 else [])
        length = rng.choice([n for n in lengths if max_len is None or n <= max_len])
        return f"string.rep('{rng.choice('xyz')}', {length})"
    return "'" + "".join(f"\\{rng.randrange(256)}" for _ in range(rng.randrange(6))) + "'"


def lua_value(rng, depth):
    """A Lua expression for a random value: scalars, arrays, maps, holes, mixed keys.
    String keys stay under 32 bytes: Redis's Lua hashes every byte of a string, stock
    Lua 5.1 (which Ferrous links) only some bytes of strings of 32 and more, so tables
    with such keys are walked in another order (pairs, cjson, cmsgpack alike)."""
    kind = rng.randrange(10 if depth < 4 else 6)
    if kind == 0:
        return rng.choice(["nil", "true", "false"])
    if kind in (1, 2, 3):
        return lua_number(rng)
    if kind in (4, 5):
        return lua_string(rng)
    if kind in (6, 7):
        return "{" + ", ".join(lua_value(rng, depth + 1) for _ in range(rng.randrange(18))) + "}"
    keys = [rng.choice([str(rng.randint(-2, 20)), lua_string(rng, 31), "true", "1.5", "2^31",
                        "'k" + str(rng.randrange(40)) + "'"]) for _ in range(rng.randrange(18))]
    return "{" + ", ".join(f"[{k}] = {lua_value(rng, depth + 1)}" for k in keys) + "}"


def test_cmsgpack_pack_random_values_match_redis(ferrous, oracle):
    rng = random.Random(SEED)
    calls = []
    for _ in range(300):
        values = ", ".join(lua_value(rng, 0) for _ in range(rng.randint(1, 3)))
        calls.append(PRELUDE + f"return results(pcall(cmsgpack.pack, {values}))")
    assert_same(ferrous, oracle, calls)


def msgpack_sample(rng, depth=0):
    """Random MessagePack bytes, valid or nearly: every type byte, fitting lengths mostly."""
    t = rng.randrange(256)
    if 0x80 <= t <= 0x9f or t in (0xdc, 0xdd, 0xde, 0xdf):
        n = t & 0xf if t < 0xa0 else rng.randrange(5)
        head = bytes([t]) if t < 0xa0 else bytes([t]) + n.to_bytes(2 if t in (0xdc, 0xde) else 4, "big")
        items = n * (2 if t in (0x80, 0xde, 0xdf) or 0x80 <= t <= 0x8f else 1)
        if depth > 3:
            return head
        return head + b"".join(msgpack_sample(rng, depth + 1) for _ in range(items))
    if 0xa0 <= t <= 0xbf:
        return bytes([t]) + rng.randbytes(t & 0x1f)
    if t in (0xd9, 0xda, 0xdb):
        n = rng.randrange(40)
        return bytes([t]) + n.to_bytes(1 << (t - 0xd9), "big") + rng.randbytes(n)
    widths = {0xca: 4, 0xcb: 8, 0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8, 0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8}
    return bytes([t]) + rng.randbytes(widths.get(t, rng.randrange(3)))


def unpack_inputs(rng, count):
    """Random encodings, some cut short, some with a byte changed, some pure noise."""
    inputs = []
    for _ in range(count):
        data = b"".join(msgpack_sample(rng) for _ in range(rng.randint(1, 4)))
        roll = rng.random()
        if roll < 0.25 and data:
            data = data[:rng.randrange(len(data))]
        elif roll < 0.5 and data:
            i = rng.randrange(len(data))
            data = data[:i] + bytes([rng.randrange(256)]) + data[i + 1:]
        elif roll < 0.6:
            data = rng.randbytes(rng.randrange(30))
        inputs.append(data)
    return inputs


UNPACK_SCRIPT = PRELUDE + """
local s, limit, offset = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
return results(pcall(cmsgpack.unpack, s)) .. '#' .. results(pcall(cmsgpack.unpack_one, s, offset))
  .. '#' .. results(pcall(cmsgpack.unpack_limit, s, limit, offset))
"""


def test_cmsgpack_unpack_random_input_matches_redis(ferrous, oracle):
    rng = random.Random(SEED)
    calls = [(UNPACK_SCRIPT, 0, data, rng.randint(-1, 4), rng.randint(-1, len(data) + 1))
             for data in unpack_inputs(rng, 500)]
    assert_same(ferrous, oracle, calls)


STRUCT_TOKENS = ["b", "B", "h", "H", "l", "L", "T", "i", "I", "i1", "I2", "i3", "I5", "i8", "i9",
                 "I12", "i16", "I32", "f", "d", "x", "c", "c0", "c2", "s", "<", ">", "!", "!1",
                 "!2", "!4", "!8", "!3", " ", "z", "=", "i33", "7"]
STRUCT_ARGS = NUMBERS + ["'abc'", "''", "'12'", "'a\\0b'", "string.rep('q', 20)", "{}", "nil"]

STRUCT_SCRIPT = PRELUDE + """
local fmt, data, pos = ARGV[1], ARGV[2], tonumber(ARGV[3])
return results(pcall(struct.size, fmt)) .. '#' .. results(pcall(struct.unpack, fmt, data, pos))
  .. '#' .. results(pcall(struct.unpack, fmt, data))
"""


def test_struct_random_formats_match_redis(ferrous, oracle):
    rng = random.Random(SEED)
    calls = []
    for _ in range(300):
        fmt = "".join(rng.choice(STRUCT_TOKENS) for _ in range(rng.randint(1, 6)))
        args = ", ".join(rng.choice(STRUCT_ARGS) for _ in range(rng.randint(0, 6)))
        calls.append(PRELUDE + f"return results(pcall(struct.pack, '{fmt}', {args}))")
        data = rng.randbytes(rng.randrange(40)) if rng.random() < 0.5 else \
            pystruct.pack("<bhiqd", rng.randint(-128, 127), 7, -9, 2**40, 1.5) + b"ab\0cd"
        calls.append((STRUCT_SCRIPT, 0, fmt, data, rng.randint(-1, len(data) + 2)))
    assert_same(ferrous, oracle, calls)


# --- without the oracle ---------------------------------------------------------------------

def eval_bytes(client, script, *args):
    reply = fd.run_command(client, "EVAL", script, len(args), *args)
    assert reply.kind == "$", fd.show(reply)
    return reply.value


def test_known_encodings_and_read_only_tables(ferrous):
    c = fd.exact_client(ferrous)
    assert eval_bytes(c, "return cmsgpack.pack(nil, true, false, 1, -1, 200, -200, 'ab', {1}, {a=2})") == \
        b"\xc0\xc3\xc2\x01\xff\xcc\xc8\xd1\xff\x38\xa2ab\x91\x01\x81\xa1a\x02"
    assert eval_bytes(c, "return cmsgpack.pack(0.5, 0.1, 2^32)") == \
        b"\xca\x3f\x00\x00\x00\xcb\x3f\xb9\x99\x99\x99\x99\x99\x9a\xcf\x00\x00\x00\x01\x00\x00\x00\x00"
    assert eval_bytes(c, "return cmsgpack.pack(string.rep('x', 40))")[:2] == b"\xd9\x28"
    assert eval_bytes(c, "return cjson.encode({cmsgpack.unpack_limit(KEYS[1], 2, 1)})",
                      b"\x01\x92\x02\x03\xc3\x05") == b"[5,[2,3],true]"
    assert eval_bytes(c, "return struct.pack('>!4bhi3c2s', -1, 2, 3, 'xy', 'z')") == \
        b"\xff\x00\x00\x02\x00\x00\x00\x00\x03xyz\x00"
    assert eval_bytes(c, "return table.concat({struct.unpack('<hI3s', KEYS[1])}, ',')",
                      b"\xfe\xff\x01\x02\x03ok\x00") == b"-2,197121,ok,9"
    for lib in ("cmsgpack", "struct"):
        reply = fd.run_command(c, "EVAL", f"{lib}.pack = nil", 0)
        assert reply.kind == "-" and "Attempt to modify a readonly table" in reply.value, fd.show(reply)
    c.close()


def test_unpacking_garbage_never_crashes(ferrous):
    """Thousands of random, cut and mutated inputs through cmsgpack.unpack* and struct.unpack:
    each gives values or an error; the server stays up (run it under the sanitizer build)."""
    rng = random.Random(SEED + 1)
    inputs = unpack_inputs(rng, 2000)
    script = """
    local n = 0
    for i, s in ipairs(ARGV) do
      if pcall(cmsgpack.unpack, s) then n = n + 1 end
      pcall(cmsgpack.unpack_one, s, i % (#s + 2))
      pcall(cmsgpack.unpack_limit, s, i % 4, i % (#s + 1))
      pcall(struct.unpack, s:sub(1, 6), s, i % 5)
    end
    return n
    """
    c = fd.exact_client(ferrous)
    for start in range(0, len(inputs), 500):
        reply = fd.run_command(c, "EVAL", script, 0, *inputs[start:start + 500])
        assert reply.kind == ":", fd.show(reply)
    assert fd.run_command(c, "PING") == fd.Reply("+", b"PONG")
    c.close()
    assert ferrous.alive(), ferrous.describe()
