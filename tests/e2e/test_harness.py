"""Tests of the e2e harness itself: starting and stopping servers by pid leaves no process,
failures carry the server's log, and the differential runner reports mismatches exactly.
The process tests use a tiny fake server (a Python script that answers PING and forks a
"worker") so they hold whatever state bin/ferrous-server is in; test_ferrous_stops_cleanly
checks the real server under test the same way."""

import os
import signal
import socket
import textwrap
import time

import pytest

import ferrous_diff as fd
import ferrous_harness as fh

FAKE_SERVER = textwrap.dedent("""\
    #!/usr/bin/python3
    # Fake server: --port P; answers +PONG to anything; FAKE_MODE selects misbehaviour.
    import os, signal, socket, sys, time
    mode = os.environ.get("FAKE_MODE", "")
    port = int(sys.argv[sys.argv.index("--port") + 1])
    print("fake server starting, mode", repr(mode), flush=True)
    if mode == "crash":
        sys.exit("fatal: cannot start (fake)")
    worker = os.fork()  # a "worker" in the same process group, like Ferrous's
    if worker == 0:
        time.sleep(3600)
        sys.exit(0)
    def shutdown(signum, frame):
        os.kill(worker, signal.SIGTERM)
        os.waitpid(worker, 0)
        sys.exit(0)
    if mode == "stubborn":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    elif mode != "orphan":  # "orphan" dies on SIGTERM and leaves its worker behind
        signal.signal(signal.SIGTERM, shutdown)
    if mode == "mute":
        time.sleep(3600)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(8)
    while True:
        c, _ = s.accept()
        c.recv(1024)
        c.sendall(b"+PONG\\r\\n")
        c.close()
    """)


@pytest.fixture
def fake_bin(tmp_path, monkeypatch):
    path = tmp_path / "fake-server"
    path.write_text(FAKE_SERVER)
    path.chmod(0o755)

    def make(mode=""):
        monkeypatch.setenv("FAKE_MODE", mode)
        return str(path)
    return make


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


def _stop_and_check_gone(server):
    members = fh.group_members(server.pid)
    assert server.pid in members
    server.stop()
    assert not server.alive()
    assert fh.group_members(server.pid) == []
    assert not any(pid_alive(p) for p in members)
    return members


def test_free_port_is_bindable():
    port = fh.free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_stop_by_pid_leaves_no_process(fake_bin, tmp_path):
    server = fh.Server(fake_bin(), directory=tmp_path, name="fake").start()
    members = _stop_and_check_gone(server)
    assert len(members) == 2  # the fake server and its worker
    assert server.leftovers == []


def test_stop_escalates_to_sigkill(fake_bin, tmp_path):
    server = fh.Server(fake_bin("stubborn"), directory=tmp_path, name="fake").start()
    started = time.monotonic()
    server.stop(timeout=0.5)
    assert time.monotonic() - started < 5
    assert server.proc.returncode == -signal.SIGKILL
    assert fh.group_members(server.pid) == []


def test_stop_kills_and_reports_leftover_workers(fake_bin, tmp_path):
    server = fh.Server(fake_bin("orphan"), directory=tmp_path, name="fake").start()
    _stop_and_check_gone(server)
    assert len(server.leftovers) == 1


def test_start_failure_includes_log(fake_bin, tmp_path):
    server = fh.Server(fake_bin("crash"), directory=tmp_path, name="fake")
    with pytest.raises(fh.ServerError) as err:
        server.start()
    assert "exited with status 1" in str(err.value)
    assert "fatal: cannot start (fake)" in str(err.value)
    assert fh.group_members(server.pid) == []


def test_start_timeout_includes_log_and_cleans_up(fake_bin, tmp_path):
    server = fh.Server(fake_bin("mute"), directory=tmp_path, name="fake")
    with pytest.raises(fh.ServerError) as err:
        server.start(timeout=0.5)
    assert "did not answer PING within 0.5 s" in str(err.value)
    assert "fake server starting" in str(err.value)
    assert fh.group_members(server.pid) == []


def test_start_retries_when_the_port_was_taken(fake_bin, tmp_path, monkeypatch):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        taken = blocker.getsockname()[1]
        ports = iter([taken, fh.free_port()])
        monkeypatch.setattr(fh, "free_port", lambda: next(ports))
        server = fh.Server(fake_bin(), directory=tmp_path, name="fake").start()
    assert server.port != taken
    assert "Address already in use" in server.log_text()
    _stop_and_check_gone(server)


def test_missing_binary_is_a_clear_error(tmp_path):
    with pytest.raises(fh.ServerError, match="no executable at .*nonexistent"):
        fh.Server(tmp_path / "nonexistent", directory=tmp_path).start()


def test_kill_leftovers_reaps_unstopped_servers(fake_bin, tmp_path):
    server = fh.Server(fake_bin(), directory=tmp_path, name="fake").start()
    members = fh.group_members(server.pid)
    assert sorted(fh.kill_leftovers()) == sorted(members)
    server.proc.wait(5)
    assert fh.group_members(server.pid) == []


def test_ferrous_stops_cleanly(ferrous):
    """The server under test answers, and SIGTERM to its pid ends it and all its workers."""
    client = ferrous.client()
    assert client.ping() is True
    client.close()
    _stop_and_check_gone(ferrous)
    assert ferrous.proc.returncode == 0, ferrous.describe()


# --- the differential runner ---------------------------------------------------------------

def write_script(tmp_path, text, name="t.redis"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return fd.parse_script(path)


def test_parse_script_quoting_comments_annotations(tmp_path):
    script = write_script(tmp_path, """\
        # a comment
        ## another
        SET k "a # b"  # type
        SET k 'x y' ''
        KEYS *  # sort
        SCAN 0  # sort 1
        TTL k # approx 50
        #sleep 0.25
        ECHO a#b
        """)
    assert not script.resp3
    steps = script.steps
    assert [s.args for s in steps] == [["SET", "k", "a # b"], ["SET", "k", "x y", ""],
                                       ["KEYS", "*"], ["SCAN", "0"], ["TTL", "k"], None,
                                       ["ECHO", "a#b"]]
    assert [s.checks for s in steps] == [[("type", None)], [], [("sort", None)],
                                         [("sort", 1)], [("approx", 50.0)], [], []]
    assert steps[5].sleep == 0.25
    assert steps[0].lineno == 3


@pytest.mark.parametrize("text, message", [
    ("GET k  # sorted\n", "unknown annotation"),
    ("GET k  # approx x\n", "unknown annotation"),
    ("#sleeep 1\n", "unknown directive"),
    ("GET k\n#resp3\n", "before the first command"),
    ("SET k \"unterminated\n", "cannot split"),
])
def test_parse_script_rejects_malformed(tmp_path, text, message):
    with pytest.raises(fd.ScriptError, match=message):
        write_script(tmp_path, text)


R = fd.Reply


@pytest.mark.parametrize("a, b, checks, same", [
    (R("+", b"OK"), R("$", b"OK"), [], False),
    (R("$", None), R("*", None), [], False),
    (R("-", "ERR syntax error"), R("-", "ERR syntax"), [], False),
    (R("*", [R("$", b"a"), R("$", b"b")]), R("*", [R("$", b"b"), R("$", b"a")]), [], False),
    (R("*", [R("$", b"a"), R("$", b"b")]), R("*", [R("$", b"b"), R("$", b"a")]),
     [("sort", None)], True),
    (R("*", [R("$", b"0"), R("*", [R("$", b"x"), R("$", b"y")])]),
     R("*", [R("$", b"0"), R("*", [R("$", b"y"), R("$", b"x")])]), [("sort", 1)], True),
    (R("*", [R("$", b"0"), R("*", [R("$", b"x")])]),
     R("*", [R("$", b"1"), R("*", [R("$", b"x")])]), [("sort", 1)], False),
    (R("$", b"a"), R("$", b"b"), [("type", None)], True),
    (R("$", b"a"), R("$", None), [("type", None)], False),
    (R(":", 99), R(":", 100), [("approx", 1.0)], True),
    (R(":", 98), R(":", 100), [("approx", 1.0)], False),
    (R("$", b"1.5"), R("$", b"1.9"), [("approx", 1.0)], True),
    (R(":", 5), R("$", b"5"), [("approx", 1.0)], False),
])
def test_replies_match(a, b, checks, same):
    assert fd.replies_match(a, b, checks) is same


def test_mismatch_is_reported_with_line_command_and_replies(oracle, start_server, tmp_path):
    other = start_server(fh.ORACLE_BIN, name="redis2")
    other.client().set("seeded", "only-here")
    script = write_script(tmp_path, """\
        PING
        # the next line differs: the key exists on one server only
        GET seeded
        SET k "v w"
        GETRANGE seeded 0 3
        """, name="seeded.redis")
    mismatches = fd.run_differential(script, other, oracle)
    assert [m.step.lineno for m in mismatches] == [3, 5]
    report = fd.format_mismatches(script, mismatches)
    assert "seeded.redis: 2 mismatching replies" in report
    assert "line 3: GET seeded\n    ferrous: 'only-here'\n    redis:   (nil)" in report
    assert "line 5: GETRANGE seeded 0 3" in report


def test_error_replies_compare_by_full_text(oracle, tmp_path):
    script = write_script(tmp_path, """\
        GET
        LPUSH l a
        GET l
        """)
    client = fd.exact_client(oracle)
    replies = [client.execute_command(*s.args) for s in script.steps]
    assert replies == [R("-", "ERR wrong number of arguments for 'get' command"), R(":", 1),
                       R("-", "WRONGTYPE Operation against a key holding the wrong kind "
                             "of value")]
    client.close()


def test_resp3_script_uses_resp3_types(oracle, tmp_path):
    script = write_script(tmp_path, """\
        #resp3
        GET nokey
        CONFIG GET maxclients
        """)
    client = fd._open(oracle, script.resp3)
    replies = [client.execute_command(*s.args) for s in script.steps]
    assert replies == [R("_", None), R("%", [(R("$", b"maxclients"), R("$", b"10000"))])]
    client.close()
    assert fd.run_differential(script, oracle, oracle) == []


def test_lost_connection_is_reported_with_server_log(oracle, start_server, tmp_path):
    immortal = start_server(fh.ORACLE_BIN, ["--rename-command", "SHUTDOWN", ""], name="redis2")
    script = write_script(tmp_path, """\
        PING
        SHUTDOWN NOSAVE
        PING
        """)
    mismatches = fd.run_differential(script, oracle, immortal)
    assert len(mismatches) == 1 and mismatches[0].step.lineno == 2
    report = fd.format_mismatches(script, mismatches, oracle)
    assert "ferrous: (connection lost:" in report
    assert "redis:   -ERR unknown command 'SHUTDOWN'" in report
    assert "Redis is now ready to exit" in report  # the dead server's log


def test_unreachable_server_is_a_clear_error(oracle, start_server, tmp_path):
    gone = start_server(fh.ORACLE_BIN, name="redis2")
    gone.stop()
    script = write_script(tmp_path, "PING\n")
    with pytest.raises(fh.ServerError, match="redis2: cannot connect"):
        fd.run_differential(script, gone, oracle)
