"""A script running past busy-reply-threshold: every other client, on every worker (the
script's own included), gets -BUSY instead of hanging; SCRIPT KILL from any connection stops
a script that has not written, and the server is fully usable afterwards.  A script's busy
time counts from its own start, also inside EXEC."""

import threading
import time

import pytest
import redis

from ferrous_harness import worker_of


def test_busy_script_answers_busy_everywhere_and_dies_by_script_kill(start_server):
    server = start_server(args=["--workers", "2", "--busy-reply-threshold", "100"])
    result = {}

    def spin():
        c = server.client()
        result["worker"] = worker_of(c)
        try:
            c.eval("while true do end", 0)
        except redis.ResponseError as e:
            result["error"] = str(e)
        result["after"] = c.ping()

    thread = threading.Thread(target=spin, daemon=True)
    thread.start()
    time.sleep(0.4)
    seen_workers = set()
    for _ in range(40):
        c = server.client()
        seen_workers.add(worker_of(c))         # CLIENT INFO needs no lock: it answers
        with pytest.raises(redis.ResponseError, match="^BUSY Redis is busy running a script"):
            c.get("x")
        assert c.ping() is True                 # commands that need no lock still run
        c.close()
        if seen_workers == {0, 1}:
            break
    assert seen_workers == {0, 1}, "no connection landed on one of the workers"
    assert server.client().script_kill() is True
    thread.join(10)
    assert "Script killed by user with SCRIPT KILL" in result["error"]
    assert result["after"] is True
    c = server.client()
    assert c.set("x", "1") is True and c.get("x") == b"1"



def test_shutdown_nosave_ends_a_busy_script(start_server):
    server = start_server(args=["--workers", "2", "--busy-reply-threshold", "100"])
    spinner = threading.Thread(target=lambda: _eval_ignoring_errors(server.client()), daemon=True)
    spinner.start()
    time.sleep(0.4)
    c = server.client()
    try:
        c.execute_command("SHUTDOWN", "NOSAVE")
    except redis.ConnectionError:
        pass                                    # the server closes the connection: no reply
    server.proc.wait(5)                         # well before the supervisor's 10 s grace
    assert server.proc.returncode == 0


def _eval_ignoring_errors(client):
    try:
        client.eval("while true do end", 0)
    except redis.RedisError:
        pass


def test_busy_time_of_a_script_in_exec_starts_with_the_script(start_server):
    """Inside EXEC, a script's busy time starts when the script does, not with the EXEC:
    after a DEBUG SLEEP of 1 s, a script spinning for 1 s stays under a threshold of
    1.5 s, so another client waits for the EXEC rather than being answered -BUSY."""
    server = start_server(args=["--workers", "2", "--busy-reply-threshold", "1500"])
    server.client().set("x", "1")
    spin = ("local t = redis.call('time') local t0 = t[1] * 1e6 + t[2] "
            "repeat t = redis.call('time') until t[1] * 1e6 + t[2] - t0 >= 1e6 return 1")
    result = {}

    def exec_sleep_then_spin():
        p = server.client().pipeline(transaction=True)
        p.execute_command("DEBUG", "SLEEP", "1")
        p.eval(spin, 0)
        result["exec"] = p.execute()

    thread = threading.Thread(target=exec_sleep_then_spin, daemon=True)
    thread.start()
    time.sleep(1.7)                             # 0.7 s into the script, 1.7 s into EXEC
    assert server.client().get("x") == b"1"
    thread.join(10)
    assert result["exec"] == [b"OK", 1]
