"""pytest fixtures for the end-to-end tests: servers started on free loopback ports, each in its
own pytest temp dir (kept by pytest for the last runs, with server.log inside), stopped by pid
when the test ends, pass or fail; at session end any process left in a group the harness
spawned is killed and reported.  Every TCP connect of a test is made from the next CPU in
turn (ferrous_harness.connect_from_each_cpu_in_turn), so connections reach every worker.

Fixtures:
  start_server(binary=None, args=(), name="ferrous") -> Server   (factory; default binary
      is $FERROUS_BIN or bin/ferrous-server; args are extra options, e.g. ["--workers", "2"])
  ferrous   a started Ferrous server with default options
  oracle    a started /usr/bin/redis-server (the test is skipped if it is not installed)
"""

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ferrous_harness as fh  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _connect_from_each_cpu_in_turn():
    undo = fh.connect_from_each_cpu_in_turn()
    yield
    undo()


@pytest.fixture(scope="session", autouse=True)
def _reap_leftover_servers():
    yield
    leftovers = fh.kill_leftovers()
    if leftovers:
        sys.stderr.write(f"\nferrous e2e: killed leftover server processes {leftovers}\n")


@pytest.fixture
def start_server(request, tmp_path_factory):
    started = []

    def start(binary=None, args=(), name="ferrous", timeout=fh.START_TIMEOUT):
        directory = tmp_path_factory.mktemp(name)
        server = fh.Server(binary or fh.ferrous_bin(), args, directory, name)
        started.append(server)
        try:
            return server.start(timeout)
        except fh.ServerError as e:
            failure = str(e)
        pytest.fail(failure, pytrace=False)

    yield start
    for server in reversed(started):
        server.stop()


@pytest.fixture
def ferrous(start_server):
    return start_server()


@pytest.fixture
def oracle(start_server):
    if not os.access(fh.ORACLE_BIN, os.X_OK):
        pytest.skip(f"{fh.ORACLE_BIN} is not installed (apt-get install redis-server)")
    return start_server(fh.ORACLE_BIN, name="redis")
