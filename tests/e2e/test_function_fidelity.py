"""Redis 7.0 functions, Ferrous against redis-server 7.0.15, same commands to both:
  - the library metadata line ("#!lua name=x"): engine name in any case, name= in any case
    and only once, quoting as Redis splits it, every error text and the order of the checks;
  - what library code may touch while it loads (only redis.register_function, redis.log and
    a few constants), every argument error of redis.register_function, the load time limit;
  - function names compared case-insensitively (FCALL, FCALL_RO, clashes between libraries),
    kept as registered in FUNCTION LIST and in error messages; library names case-sensitive,
    LIBRARYNAME patterns not;
  - the library name checked before the code is compiled (FUNCTION LOAD and RESTORE);
  - FUNCTION's argument errors; COMMAND INFO and DOCS of FUNCTION and its subcommands."""

import pytest

from ferrous_diff import exact_client, run_command, show
from ferrous_harness import clients_per_worker
from test_function_dump import function2, library_list, plain, seal

FN = "redis.register_function('f', function() return 'f' end)"


def lib(name, *functions):
    """A library registering each function to return '<library>.<function>'."""
    return f"#!lua name={name}\n" + "\n".join(
        f"redis.register_function('{f}', function() return '{name}.{f}' end)" for f in functions)


@pytest.fixture
def pair(ferrous, oracle):
    return exact_client(ferrous), exact_client(oracle)


def on_both(pair, *args):
    """The command's reply from each server, asserted equal; returns it."""
    fer, red = (run_command(client, *args) for client in pair)
    assert fer == red, f"{args}: ferrous {show(fer)}, redis {show(red)}"
    return fer


def same_state(pair):
    fer, red = (library_list(client) for client in pair)
    assert fer == red
    return fer


def flush(pair):
    for client in pair:
        assert plain(run_command(client, "FUNCTION", "FLUSH")) == b"OK"


def mismatches_loading(pair, codes, calls=()):
    """Loads each code into emptied servers; the LOAD replies, libraries and the replies to
    calls that differ, as text."""
    found = []
    for code in codes:
        flush(pair)
        outcome = []
        for client in pair:
            reply = run_command(client, "FUNCTION", "LOAD", code)
            outcome.append((reply, library_list(client), [run_command(client, *c) for c in calls]))
        if outcome[0] != outcome[1]:
            found.append(f"{code!r}: ferrous {show(outcome[0][0])} {outcome[0][1:]}, "
                         f"redis {show(outcome[1][0])} {outcome[1][1:]}")
    return found


# --- the metadata line -------------------------------------------------------------------

METADATA_LINES = [
    "#!lua name=x", "#!LUA name=x", "#!Lua name=x", "#!lUa NAME=x", "#!lua Name=X",
    "#!lua name=x name=y", "#!lua name=x name=x", "#!lua name=x NAME=y name=z", "#!lua name=a-b name=x",
    "#!js name=a-b name=x", "#!lua name=x foo=bar", "#!lua foo=bar name=x", "#!lua foo", "#!lua flags=no-writes",
    "#!lua name=x flags=no-writes", "#!lua", "#!js", "#!", "#!   ", "#!lua name=", "#!lua name= x",
    "#!lua name=a-b", "#!lua name=a.b", "#!lua name=é", "#!lua name=a_B_9", "#!js name=a-b", "#!js name=x",
    "#!js foo=1", "#!lua5.1 name=x", "#! lua name=x", "#!lua  name=x  ", "#!lua\tname=x", "#!lua name=x\r",
    '#!lua name="x"', '#!lua "name=x"', "#!lua name='x'", '#!"lua" name=x', '#!lua name="x y"',
    '#!lua name="x', "#!lua name='x", '#!lua name="x"y', '#!lua name="\\x41"', '#!lua name="a\\x00b"',
    '#!lua "foo\\x00bar"', "#!lua name=" + "n" * 300,
]


def test_metadata_line_same_as_redis(pair):
    codes = [line + "\n" + FN for line in METADATA_LINES]
    codes += ["", "#", "#!", "##lua name=x\n" + FN, "--#!lua name=x\n" + FN, " #!lua name=x\n" + FN,
              "#!lua name=x", "#!lua name=x\n", "#!lua name=x\0\n" + FN, "#!lua name=x\n\0" + FN,
              "#!lua name=x\n#!lua name=y\n" + FN]
    assert not mismatches_loading(pair, codes, [("FCALL", "f", "0")])


def test_vertical_tab_and_form_feed_inside_a_word(pair):
    codes = [line + "\n" + FN for line in ("#!lua\vname=x", "#!lua\fname=x", "#!lua name=x\v")]
    assert not mismatches_loading(pair, codes)


def test_upper_case_engine_loads_and_lists_as_lua(pair):
    flush(pair)
    assert on_both(pair, "FUNCTION", "LOAD", "#!LUA name=up\n" + FN) == ("$", b"up")
    assert dict(same_state(pair)[0])[b"engine"] == b"LUA"
    assert on_both(pair, "FCALL", "f", "0") == ("$", b"f")


def test_metadata_errors_come_in_redis_order(pair):
    """Arguments, then the library name, then the engine, then the library's existence,
    then the code: each error shows only when everything before it is right."""
    flush(pair)
    on_both(pair, "FUNCTION", "LOAD", lib("x", "f"))
    cases = {"#!js name=x foo=1\n1 +": "ERR Invalid metadata value given: foo=1",
             "#!js name=a-b\n1 +": "ERR Library names can only contain letters, numbers, or underscores(_) "
                                   "and must be at least one character long",
             "#!js name=x\n1 +": "ERR Engine 'js' not found",
             "#!LUA name=x\n1 +": "ERR Library 'x' already exists"}
    for code, error in cases.items():
        assert on_both(pair, "FUNCTION", "LOAD", code) == ("-", error)


# --- what loading code may do --------------------------------------------------------------

LOAD_TIME_BODIES = [
    "local s = string.format('%d', 1)", "local x = math.floor(1.5)", "local t = table.concat({})",
    "local x = tostring(1)", "local x = type(1)", "pcall(function() end)", "local x = cjson.encode({})",
    "local x = bit.band(1, 1)", "local x = struct", "local x = cmsgpack", "local x = _G", "local x = KEYS",
    "local x = loadstring", "local x = unpack", "local x = os", "local x = print", "local x = error",
    "local x = redis.call('ping')", "local x = redis.pcall", "local x = redis.sha1hex('a')",
    "local x = redis.setresp", "local x = redis.error_reply('x')", "local x = redis.status_reply('x')",
    "local x = redis.breakpoint", "local x = redis.set_repl", "local x = redis.REPL_ALL", "local x = redis.foo",
    "redis.log(redis.LOG_WARNING, 'loading')", "local x = redis.LOG_DEBUG + redis.LOG_VERBOSE + redis.LOG_NOTICE",
    "local x = redis.REDIS_VERSION .. redis.REDIS_VERSION_NUM", "x = 1", "redis.foo = 1", "redis.log = nil",
    "return 5", "local function helper() return 1 end",
]


def test_load_time_globals_same_as_redis(pair):
    codes = [f"#!lua name=x\n{body}\n{FN}" for body in LOAD_TIME_BODIES]
    codes.append("#!lua name=x\nredis.register_function('g', function() return string.format('%d', 7) end)")
    assert not mismatches_loading(pair, codes, [("FCALL", "f", "0"), ("FCALL", "g", "0")])


REGISTER_CALLS = [
    "redis.register_function(1, function() return 1 end)", "redis.register_function('f', 1)",
    "redis.register_function({}, function() end)", "redis.register_function('f')", "redis.register_function()",
    "redis.register_function('f', function() end, 3)", "redis.register_function(nil, function() end)",
    "redis.register_function{}", "redis.register_function{function_name='f'}",
    "redis.register_function{callback=function() end}", "redis.register_function{function_name='f', callback=1}",
    "redis.register_function{function_name={}, callback=function() end}",
    "redis.register_function{function_name=12, callback=function() return 1 end}",
    "redis.register_function{FUNCTION_NAME='f', Callback=function() return 1 end}",
    "redis.register_function{function_name='f', callback=function() return 1 end, flags='no-writes'}",
    "redis.register_function{function_name='f', callback=function() return 1 end, flags={'NO-WRITES', 'Allow-OOM'}}",
    "redis.register_function{function_name='f', callback=function() return 1 end, flags={'no-writes', 5}}",
    "redis.register_function{function_name='f', callback=function() return 1 end, flags={'bogus'}}",
    "redis.register_function{function_name='f', callback=function() return 1 end, flags={}}",
    "redis.register_function{function_name='f', callback=function() return 1 end, flags={'no-writes', nil, 'x'}}",
    "redis.register_function{function_name='f', callback=function() return 1 end, flags={n='bogus'}}",
    "redis.register_function{function_name='f', callback=function() return 1 end, flags={'allow-stale', "
    "'no-cluster', 'allow-cross-slot-keys'}}",
    "redis.register_function{function_name='f', callback=function() return 1 end, description=5}",
    "redis.register_function{function_name='f', callback=function() return 1 end, description={}}",
    "redis.register_function{function_name='f', callback=function() return 1 end, description='d'}",
    "redis.register_function{function_name='f', callback=function() return 1 end, bogus=1}",
    "redis.register_function{function_name='f', callback=function() return 1 end, [1]=1}",
    "redis.register_function{function_name='f', callback=function() return 1 end, [true]=1}",
    "redis.register_function{'f', function() end}",
    "redis.register_function('f', function() return 1 end)\nredis.register_function{function_name='f', "
    "callback=function() return 2 end}",
    "redis.register_function{function_name='a-b', callback=function() return 1 end}",
    "redis.register_function{function_name='', callback=function() return 1 end}",
    "redis.register_function('f', function() return 1 end)\nlocal reg = redis.register_function\n"
    "redis.register_function('g', function() reg('h', function() end) return 2 end)",
    "redis.register_function('f', function() return redis.register_function end)",
    "redis.register_function('f', function() return 1 end)\nlocal x = 0\nwhile x < 100000 do x = x + 1 end",
    "local ok = redis.register_function('f', function() return 1 end)\nredis.register_function('g', function() "
    "return tostring(ok) end)",
]


def test_register_function_arguments_same_as_redis(pair):
    codes = [f"#!lua name=x\n{body}" for body in REGISTER_CALLS]
    assert not mismatches_loading(pair, codes, [("FCALL", "f", "0"), ("FCALL", "g", "0")])


def test_load_time_limit(pair):
    """Loading code that runs too long fails with Redis's error, and the server goes on."""
    code = "#!lua name=x\n" + FN + "\nlocal x = 0\nwhile true do x = x + 1 end"
    flush(pair)
    assert on_both(pair, "FUNCTION", "LOAD", code) == (
        "-", "ERR Error registering functions: ERR FUNCTION LOAD timeout")
    assert on_both(pair, "FUNCTION", "LIST") == ("*", [])
    assert on_both(pair, "FUNCTION", "LOAD", "#!lua name=x\n" + FN) == ("$", b"x")


# --- names ---------------------------------------------------------------------------------

def test_function_names_are_case_insensitive(pair):
    flush(pair)
    on_both(pair, "FUNCTION", "LOAD", lib("lib1", "f"))
    for call in ("F", "f"):
        assert on_both(pair, "FCALL", call, "0") == ("$", b"lib1.f")
    on_both(pair, "FCALL_RO", "F", "0")                      # refused: f has no no-writes flag
    assert on_both(pair, "FUNCTION", "LOAD", lib("lib2", "F")) == ("-", "ERR Function F already exists")
    assert on_both(pair, "FUNCTION", "LOAD", lib("lib2", "g", "Ab", "aB")) == ("$", b"lib2")
    assert on_both(pair, "FUNCTION", "LOAD", lib("lib3", "AB")) == ("-", "ERR Function AB already exists")
    assert on_both(pair, "FUNCTION", "LOAD", "REPLACE", lib("lib1", "F", "h")) == ("$", b"lib1")
    assert on_both(pair, "FCALL", "f", "0") == ("$", b"lib1.F")
    assert on_both(pair, "FUNCTION", "LOAD", "REPLACE", lib("lib1", "G")) == ("-", "ERR Function G already exists")
    assert on_both(pair, "FCALL", "F", "0") == ("$", b"lib1.F")  # the failed REPLACE changed nothing
    names = [dict(f)[b"name"] for lib_ in same_state(pair) for f in dict(lib_)[b"functions"]]
    assert sorted(names) == [b"Ab", b"F", b"aB", b"g", b"h"]
    on_both(pair, "FUNCTION", "STATS")


def test_ro_flag_found_through_any_case(pair):
    flush(pair)
    on_both(pair, "FUNCTION", "LOAD", "#!lua name=ro\nredis.register_function{function_name='Ro', callback="
                                      "function() return redis.call('set', 'a', 'b') end, flags={'no-writes'}}")
    for call in (("FCALL_RO", "ro", "0"), ("FCALL", "rO", "0"), ("FCALL_RO", "RO", "0")):
        assert on_both(pair, *call) == ("-", "ERR Write commands are not allowed from read-only scripts. "
                                             "script: Ro, on @user_function:2.")


def test_errors_name_the_function_as_registered(pair):
    flush(pair)
    code = ("#!lua name=e\n"
            "redis.register_function('Boom', function() return redis.call('nosuch') end)\n"
            "redis.register_function('Arith', function() return 1 + nil end)\n"
            "redis.register_function('Raise', function() error('xx') end)\n"
            "redis.register_function('RaiseT', function() error({err='my'}) end)\n"
            "redis.register_function('Reply', function() return redis.error_reply('mine') end)\n"
            "redis.register_function('Wr', function() return redis.call('set', 'k', 'v') end)")
    on_both(pair, "FUNCTION", "LOAD", code)
    for call in (("FCALL", "boom", "0"), ("FCALL", "ARITH", "0"), ("FCALL", "raise", "0"),
                 ("FCALL", "raiset", "0"), ("FCALL", "reply", "0"), ("FCALL_RO", "wr", "0"),
                 ("FCALL", "nosuch", "0"), ("FCALL", "boom", "x"), ("FCALL", "boom", "2", "k"),
                 ("FCALL", "boom", "-1"), ("FCALL", "nosuch", "x")):
        reply = on_both(pair, *call)
        assert reply.kind == "-"


def test_one_library_may_register_f_and_F(pair):
    """Redis lets one library register names that differ only in case: both are listed and
    counted, FCALL finds one of them (which one is random in Redis)."""
    flush(pair)
    on_both(pair, "FUNCTION", "LOAD", lib("x", "f", "F"))
    names = [dict(f)[b"name"] for f in dict(same_state(pair)[0])[b"functions"]]
    assert sorted(names) == [b"F", b"f"]
    on_both(pair, "FUNCTION", "STATS")
    for client in pair:
        replies = {plain(run_command(client, "FCALL", name, "0")) for name in ("f", "F")}
        assert len(replies) == 1 and replies <= {b"x.f", b"x.F"}
    for name in ("F", "f"):
        assert on_both(pair, "FUNCTION", "LOAD", lib("y", name)) == ("-", f"ERR Function {name} already exists")


def test_library_names_are_case_sensitive(pair):
    flush(pair)
    for i, name in enumerate(("lib1", "LIB1", "Lib2")):
        assert on_both(pair, "FUNCTION", "LOAD", lib(name, f"f{i}")) == ("$", name.encode())
    assert on_both(pair, "FUNCTION", "LOAD", lib("lib1", "z")) == ("-", "ERR Library 'lib1' already exists")
    for pattern in ("lib*", "LIB*", "Lib1", "lib2", "l?b[12]", "*", "nomatch", "LIB\\1", "[a-z]IB1"):
        fer, red = (plain(run_command(c, "FUNCTION", "LIST", "LIBRARYNAME", pattern)) for c in pair)
        assert sorted(l[1] for l in fer) == sorted(l[1] for l in red), pattern
    assert on_both(pair, "FUNCTION", "DELETE", "Lib1") == ("-", "ERR Library not found")
    assert on_both(pair, "FUNCTION", "DELETE", "LIB1") == ("+", b"OK")
    assert on_both(pair, "FCALL", "f0", "0") == ("$", b"lib1.f0")
    assert on_both(pair, "FCALL", "f1", "0") == ("-", "ERR Function not found")
    same_state(pair)


def test_function_case_on_another_worker(start_server):
    server = start_server(args=["--workers", "2"])
    workers = {w: g[0] for w, g in clients_per_worker(server, 2).items()}
    for w in workers:
        assert workers[w].execute_command("FUNCTION", "LIST") == []
    assert workers[0].execute_command("FUNCTION", "LOAD", lib("one", "MixedCase")) == b"one"
    assert workers[1].execute_command("FCALL", "mixedcase", 0) == b"one.MixedCase"
    with pytest.raises(Exception, match="Function MIXEDCASE already exists"):
        workers[1].execute_command("FUNCTION", "LOAD", lib("two", "MIXEDCASE"))


# --- the library name before the code ------------------------------------------------------

def test_existing_library_is_reported_before_compiling(pair):
    flush(pair)
    on_both(pair, "FUNCTION", "LOAD", lib("x", "f"))
    broken = {"compile": "#!lua name=x\nredis.register_function('g', function() return 1 end",
              "run": "#!lua name=x\nlocal y = 1 + nil",
              "no functions": "#!lua name=x\nlocal y = 1",
              "clash": "#!lua name=x\nredis.register_function('F', function() end)"}
    for what, code in broken.items():
        assert on_both(pair, "FUNCTION", "LOAD", code) == ("-", "ERR Library 'x' already exists"), what
        on_both(pair, "FUNCTION", "LOAD", "REPLACE", code)
        same_state(pair)
        on_both(pair, "FUNCTION", "LOAD", "REPLACE", lib("x", "f"))
    same_state(pair)


def test_restore_reports_a_repeated_library_before_compiling(pair):
    flush(pair)
    good = lib("x", "f")
    for second in ("#!lua name=x\nredis.register_function('g', function() return 1 end",
                   "#!LUA name=x\n1 +", "#!lua name=x\nreturn 1", lib("x", "F")):
        payload = seal(function2(good) + function2(second))
        assert on_both(pair, "FUNCTION", "RESTORE", payload) == ("-", "ERR Library 'x' already exists")
    clash = seal(function2(good) + function2(lib("y", "F")))
    assert on_both(pair, "FUNCTION", "RESTORE", clash) == ("-", "ERR Function F already exists")
    on_both(pair, "FUNCTION", "LOAD", lib("z", "Zed"))
    for policy in ("APPEND", "REPLACE"):
        payload = seal(function2(lib("w", "ZED")))
        assert on_both(pair, "FUNCTION", "RESTORE", payload, policy) == ("-", "ERR Function ZED already exists")
    assert on_both(pair, "FUNCTION", "RESTORE", seal(function2(lib("z", "ZED"))), "REPLACE") == ("+", b"OK")
    assert on_both(pair, "FCALL", "zed", "0") == ("$", b"z.ZED")
    same_state(pair)


# --- arguments -----------------------------------------------------------------------------

ARGUMENT_CASES = [
    ("FUNCTION", "LOAD", "REPLACE", "REPLACE", lib("x", "f")), ("FUNCTION", "LOAD", "replace", lib("x", "f")),
    ("FUNCTION", "LOAD", "BOGUS", lib("x", "f")), ("FUNCTION", "LOAD", "REPLACE", "BOGUS", lib("x", "f")),
    ("FUNCTION", "LOAD", "BO\0GUS", lib("x", "f")), ("FUNCTION", "LOAD", "REPLACE"), ("FUNCTION", "LOAD"),
    ("FUNCTION", "FLUSH", "a", "b"), ("FUNCTION", "FLUSH", "bogus"), ("FUNCTION", "flush", "ASYNC", "SYNC"),
    ("FUNCTION", "FLUSH", "async"), ("FUNCTION", "FLUSH", "SYNC"),
    ("FUNCTION", "LIST", "LIBRARYNAME"), ("FUNCTION", "LIST", "WITHCODE", "WITHCODE"), ("FUNCTION", "LIST", "BOGUS"),
    ("FUNCTION", "LIST", "LIBRARYNAME", "a", "LIBRARYNAME", "b"), ("FUNCTION", "LIST", "withcode", "libraryname"),
    ("FUNCTION", "LIST", "libraryname", "WITHCODE"), ("FUNCTION", "LIST", "WITH\0CODE"),
    ("FUNCTION", "DELETE"), ("FUNCTION", "DELETE", "a", "b"), ("FUNCTION", "DELETE", "nosuch"),
    ("FUNCTION", "STATS", "x"), ("FUNCTION", "DUMP", "x"), ("FUNCTION", "KILL", "x"), ("FUNCTION", "HELP", "x"),
    ("FUNCTION", "BOGUS"), ("FUNCTION",), ("FCALL", "f"), ("FCALL_RO",), ("FUNCTION", "RESTORE", "p", "a", "b"),
]


def test_argument_errors_same_as_redis(pair):
    found = []
    for args in ARGUMENT_CASES:
        flush(pair)
        replies = [(run_command(c, *args), library_list(c)) for c in pair]
        if replies[0] != replies[1]:
            found.append(f"{args}: ferrous {show(replies[0][0])}, redis {show(replies[1][0])}")
    assert not found, "\n".join(found)


# --- COMMAND INFO and DOCS -----------------------------------------------------------------

SUBCOMMANDS = ["load", "delete", "flush", "restore", "dump", "list", "stats", "kill", "help"]


def info_without_tips_and_key_specs(entry):
    """A COMMAND INFO entry (plain values) without tips and key specs (Ferrous's command
    table has none), subcommands sorted by name (Redis lists them in its hash order)."""
    name, arity, flags, first, last, step, categories, _tips, _specs, subs = entry
    return [name, arity, flags, first, last, step, categories, sorted(map(info_without_tips_and_key_specs, subs))]


def command_info(client, name):
    reply = run_command(client, "COMMAND", "INFO", name)
    assert reply.kind == "*" and len(reply.value) == 1
    return info_without_tips_and_key_specs(plain(reply)[0])


@pytest.mark.parametrize("name", ["function"] + [f"function|{s}" for s in SUBCOMMANDS])
def test_command_info_flags_and_categories(pair, name):
    fer, red = (command_info(c, name) for c in pair)
    assert fer == red


def docs_summary(client, name):
    """COMMAND DOCS of one command without "arguments" (Ferrous's table has none), its
    subcommands sorted."""
    reply = plain(run_command(client, "COMMAND", "DOCS", name))
    assert reply[0] == name.encode()
    return strip_docs(reply[1])


def strip_docs(fields):
    doc = dict(zip(fields[::2], fields[1::2]))
    doc.pop(b"arguments", None)
    if b"subcommands" in doc:
        subs = doc[b"subcommands"]
        doc[b"subcommands"] = sorted((k, sorted(strip_docs(v).items())) for k, v in zip(subs[::2], subs[1::2]))
    return doc


@pytest.mark.parametrize("name", ["function"] + [f"function|{s}" for s in SUBCOMMANDS])
def test_command_docs_fields(pair, name):
    fer, red = (docs_summary(c, name) for c in pair)
    assert fer == red


@pytest.mark.xfail(strict=True, reason="worker/cmd_command.c answers tips and key specs empty and DOCS without "
                                       "arguments: types/command.h has no fields for them")
@pytest.mark.parametrize("name", ["function|load", "function|flush"])
def test_command_info_byte_for_byte(pair, name):
    on_both(pair, "COMMAND", "INFO", name)
