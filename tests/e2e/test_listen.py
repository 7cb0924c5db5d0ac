"""Listening sockets: a second server on a port that is taken refuses to start (exit status 1,
"Address already in use"), even though each worker has its own SO_REUSEPORT socket."""

import subprocess

import ferrous_harness as fh


def test_second_server_on_same_port_fails(start_server, tmp_path):
    first = start_server(args=["--workers", "2"])
    second = subprocess.run([fh.ferrous_bin(), "--port", str(first.port), "--bind", "127.0.0.1",
                             "--save", "", "--dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=10)
    assert second.returncode == 1
    assert "Address already in use" in second.stdout + second.stderr
    assert first.client().ping() is True
