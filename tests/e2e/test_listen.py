"""Listening sockets: a second server on a port that is taken refuses to start (exit status 1,
"Address already in use"), even though each worker has its own SO_REUSEPORT socket; and a
connection goes to the worker whose socket prefers the CPU it comes from (SO_INCOMING_CPU,
which kernels from 6.2 honour within a SO_REUSEPORT group)."""

import os
import platform
import re
import subprocess

import pytest

import ferrous_harness as fh


def test_second_server_on_same_port_fails(start_server, tmp_path):
    first = start_server(args=["--workers", "2"])
    second = subprocess.run([fh.ferrous_bin(), "--port", str(first.port), "--bind", "127.0.0.1",
                             "--save", "", "--dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=10)
    assert second.returncode == 1
    assert "Address already in use" in second.stdout + second.stderr
    assert first.client().ping() is True


def kernel_version():
    return tuple(int(n) for n in re.match(r"(\d+)\.(\d+)", platform.release()).groups())


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs")
@pytest.mark.skipif(kernel_version() < (6, 2), reason="SO_INCOMING_CPU steers within a "
                    "SO_REUSEPORT group from Linux 6.2")
def test_connections_go_to_the_worker_of_the_cpu_they_come_from(start_server):
    server = start_server(args=["--workers", "2"])
    for slot, cpu in enumerate(sorted(os.sched_getaffinity(0))[:2]):
        with fh.pinned_to(cpu):
            clients = [server.client() for _ in range(8)]
        assert [fh.worker_of(c) for c in clients] == [slot] * 8, f"connections made on CPU {cpu}"
        for c in clients:
            c.close()
