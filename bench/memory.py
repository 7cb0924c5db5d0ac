#!/usr/bin/python3
"""Memory benchmark: load the same data into Ferrous and redis-server and compare.

Usage: bench/memory.py [--dataset strings|hashes|sets|zsets] [--count N]
Starts both servers itself on free loopback ports (Ferrous from $FERROUS_BIN or
bin/ferrous-server), loads the data with pipelined commands, waits for the servers to
settle, prints a markdown table, and stops both by pid.

Ferrous's figure: arena pages in use (the memfd's allocated blocks: tmpfs allocates pages
when first touched) + the private anonymous memory (RssAnon) of the supervisor and every
worker.  Redis's figure: its RSS (VmRSS), which is what the issue compares against;
RssAnon is shown too.
"""
import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FERROUS = os.environ.get("FERROUS_BIN", os.path.join(REPO, "bin", "ferrous-server"))
REDIS = "/usr/bin/redis-server"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def dataset(name, count):
    """Yields RESP commands building the data set."""
    for i in range(count):
        if name == "strings":
            yield resp("SET", "key:%09d" % i, "v%09d" % i)          # 13-byte key, 10-byte value
        elif name == "hashes":
            yield resp("HSET", "hash:%07d" % i, *[x for f in range(10) for x in ("field%d" % f, "value%d" % (i + f))])
        elif name == "sets":
            yield resp("SADD", "set:%07d" % i, *[str(i % 1000 + m) for m in range(10)])
        elif name == "zsets":
            yield resp("ZADD", "zset:%07d" % i, *[x for m in range(10) for x in (str(m * 1.5), "member%d" % m)])


def load(port, name, count):
    with socket.create_connection(("127.0.0.1", port)) as s:
        batch, sent = [], 0
        for cmd in dataset(name, count):
            batch.append(cmd)
            if len(batch) == 1000:
                s.sendall(b"".join(batch))
                sent += len(batch)
                batch = []
                drain(s, 1000)
        if batch:
            s.sendall(b"".join(batch))
            drain(s, len(batch))


def drain(s, n):
    buf = b""
    while buf.count(b"\r\n") < n:
        chunk = s.recv(1 << 16)
        if not chunk:
            raise RuntimeError("server closed the connection")
        if chunk.startswith(b"-") or b"\r\n-" in chunk:
            raise RuntimeError("error reply: %r" % chunk[:200])
        buf += chunk


def status_kb(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def children(pid):
    out = []
    for e in os.listdir("/proc"):
        if e.isdigit():
            try:
                with open("/proc/%s/stat" % e) as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(e))
            except OSError:
                pass
    return out


def memfd_bytes(pid):
    fd_dir = "/proc/%d/fd" % pid
    for fd in os.listdir(fd_dir):
        try:
            if "memfd:ferrous-arena" in os.readlink(os.path.join(fd_dir, fd)):
                return os.stat(os.path.join(fd_dir, fd)).st_blocks * 512
        except OSError:
            pass
    raise RuntimeError("no arena memfd in pid %d" % pid)


def wait_ping(port):
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(resp("PING"))
                if s.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError("server on %d did not start" % port)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", default="strings", choices=["strings", "hashes", "sets", "zsets"])
    ap.add_argument("--count", type=int, default=1_000_000)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="ferrous-mem-")
    rp, fp = free_port(), free_port()
    common = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", tmp]
    redis = subprocess.Popen([REDIS, "--port", str(rp)] + common, stdout=subprocess.DEVNULL)
    ferrous = subprocess.Popen([FERROUS, "--port", str(fp)] + common, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        wait_ping(rp)
        wait_ping(fp)
        load(rp, a.dataset, a.count)
        load(fp, a.dataset, a.count)
        time.sleep(1)
        arena = memfd_bytes(ferrous.pid)
        procs = [ferrous.pid] + children(ferrous.pid)
        private = sum(status_kb(p, "RssAnon") for p in procs) * 1024
        rss_sum = sum(status_kb(p, "VmRSS") for p in procs) * 1024
        redis_rss = status_kb(redis.pid, "VmRSS") * 1024
        redis_anon = status_kb(redis.pid, "RssAnon") * 1024
        ferrous_total = arena + private
        mb = lambda b: "%.1f MB" % (b / 1e6)
        print("| data set | Redis RSS | Redis RssAnon | Ferrous arena | Ferrous private (%d procs) | Ferrous total | total / Redis RSS |" % len(procs))
        print("|---|--:|--:|--:|--:|--:|--:|")
        print("| %d %s | %s | %s | %s | %s | %s | %.2f |" % (a.count, a.dataset, mb(redis_rss), mb(redis_anon),
              mb(arena), mb(private), mb(ferrous_total), ferrous_total / redis_rss))
        print("(sum of the Ferrous processes' VmRSS, which counts arena pages once per process that touched them: %s)" % mb(rss_sum))
    finally:
        for p in (redis, ferrous):
            p.terminate()
            p.wait(10)


if __name__ == "__main__":
    sys.exit(main())
