"""Blocking list commands across workers: a client parked on one worker is served by a push
on another, first blocked first served, inside the pushing write; timeouts, disconnects and
dead workers leave nothing behind (INFO blocked_clients, the pushed data intact)."""

import os
import signal
import socket
import threading
import time

import pytest
import redis

from ferrous_harness import children as worker_pids
from ferrous_harness import clients_per_worker

WORKERS = 2


def blocked_clients(client):
    return client.info("clients")["blocked_clients"]


def wait_blocked(client, n, timeout=5.0):
    deadline = time.monotonic() + timeout
    while blocked_clients(client) != n:
        assert time.monotonic() < deadline, f"blocked_clients stayed {blocked_clients(client)}, wanted {n}"
        time.sleep(0.01)


class Call(threading.Thread):
    """Runs one command on its own connection in the background."""

    def __init__(self, client, *args):
        super().__init__(daemon=True)
        self.client, self.args, self.result, self.error = client, args, None, None
        self.start()

    def run(self):
        try:
            self.result = self.client.execute_command(*self.args)
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.error = e

    def value(self, timeout=10):
        self.join(timeout)
        assert not self.is_alive(), f"{self.args} still blocked"
        assert self.error is None, self.error
        return list(self.result) if isinstance(self.result, tuple) else self.result


@pytest.fixture
def server(start_server):
    return start_server(args=["--workers", str(WORKERS)])


def test_push_on_one_worker_serves_client_blocked_on_another(server):
    groups = clients_per_worker(server, WORKERS)
    waiter, pusher = groups[0][0], groups[1][0]
    call = Call(waiter, "BLPOP", "k", "10")
    wait_blocked(pusher, 1)
    assert pusher.rpush("k", "v1", "v2") == 2
    assert call.value() == [b"k", b"v1"]
    assert pusher.lrange("k", 0, -1) == [b"v2"]
    assert blocked_clients(pusher) == 0


def test_first_blocked_first_served_across_workers(server):
    groups = clients_per_worker(server, WORKERS, 2)
    order = [groups[0][0], groups[1][0], groups[0][1], groups[1][1]]
    calls = []
    for i, c in enumerate(order[:3]):
        calls.append(Call(c, "BRPOP", "q", "10"))
        wait_blocked(order[3], i + 1)
    order[3].rpush("q", "a", "b", "c")       # BRPOP takes from the tail: c, b, a
    assert [call.value() for call in calls] == [[b"q", b"c"], [b"q", b"b"], [b"q", b"a"]]
    assert order[3].exists("q") == 0


def test_timeout_replies_null_and_unblocks(server):
    c = server.client()
    started = time.monotonic()
    assert c.execute_command("BLPOP", "nothing", "0.2") is None
    assert time.monotonic() - started >= 0.19
    assert blocked_clients(c) == 0


def test_blmove_chain_serves_both_waiters(server):
    groups = clients_per_worker(server, WORKERS, 2)
    mover = Call(groups[0][0], "BLMOVE", "src", "dst", "LEFT", "RIGHT", "10")
    wait_blocked(groups[1][1], 1)
    popper = Call(groups[1][0], "BLPOP", "dst", "10")
    wait_blocked(groups[1][1], 2)
    groups[0][1].lpush("src", "x")
    assert mover.value() == b"x"
    assert popper.value() == [b"dst", b"x"]
    assert groups[1][1].exists("src", "dst") == 0


def test_disconnected_waiter_takes_nothing(server):
    pusher = server.client()
    waiter = socket.create_connection(("127.0.0.1", server.port))
    waiter.sendall(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n")
    wait_blocked(pusher, 1)
    waiter.close()
    wait_blocked(pusher, 0)
    pusher.rpush("k", "kept")
    assert pusher.lrange("k", 0, -1) == [b"kept"]


def test_dead_worker_leaves_no_waiter(server):
    waiter = server.client()
    call = Call(waiter, "BLPOP", "k", "0")
    wait_blocked(server.client(), 1)
    old = worker_pids(server.pid)
    for pid in old:
        os.kill(pid, signal.SIGKILL)
    call.join(10)
    assert isinstance(call.error, redis.ConnectionError)
    deadline = time.monotonic() + 10
    while True:
        pids = worker_pids(server.pid)
        if len(pids) == WORKERS and not set(pids) & set(old):
            try:
                c = server.client()
                if blocked_clients(c) == 0:
                    break
            except redis.ConnectionError:
                pass
        assert time.monotonic() < deadline, "respawned workers still show the dead waiter"
        time.sleep(0.05)
    c.rpush("k", "kept")
    assert c.lrange("k", 0, -1) == [b"kept"]


def test_wrong_type_and_bad_timeout_errors(server):
    c = server.client()
    c.set("s", "x")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        c.execute_command("BLPOP", "s", "0")
    with pytest.raises(redis.ResponseError, match="timeout is negative"):
        c.execute_command("BLPOP", "k", "-1")
    with pytest.raises(redis.ResponseError, match="timeout is not a float or out of range"):
        c.execute_command("BLPOP", "k", "abc")


def test_bzpopmin_and_bzmpop_served_across_workers(server):
    groups = clients_per_worker(server, WORKERS, 2)
    single = Call(groups[0][0], "BZPOPMIN", "z", "10")
    wait_blocked(groups[1][1], 1)
    multi = Call(groups[1][0], "BZMPOP", "10", "1", "z", "MAX", "COUNT", "2")
    wait_blocked(groups[1][1], 2)
    assert groups[0][1].zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4}) == 4
    assert single.value() == [b"z", b"a", 1.0]    # redis-py converts the score
    assert multi.value() == [b"z", [[b"d", b"4"], [b"c", b"3"]]]
    assert groups[0][1].zrange("z", 0, -1) == [b"b"]
