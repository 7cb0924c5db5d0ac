"""A script running past busy-reply-threshold: every other client, on every worker (the
script's own included), gets -BUSY instead of hanging; SCRIPT KILL from any connection stops
a script that has not written, and the server is fully usable afterwards."""

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
