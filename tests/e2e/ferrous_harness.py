"""End-to-end test harness for Ferrous: starting and stopping server processes.

Owns:
  - Server: one server process (Ferrous, or redis-server as the oracle) on a free loopback
    port, with its own directory and a log file there holding its stdout and stderr. It is
    started in a new session, so its pid is also its process-group id and every worker it
    forks is in that group; stop() sends SIGTERM to the pid, waits, then SIGKILLs the group,
    and afterwards makes sure the group is empty.
  - the registry of every process group spawned, so kill_leftovers() can clean up at the end.
  - connecting from each CPU in turn: Ferrous hands a connection to the worker of the CPU
    it was made from (SO_INCOMING_CPU, master/listen.h), so one test process would reach
    only one worker; connect_from_each_cpu_in_turn() makes TCP connects rotate over the
    CPUs this process may use, and the tests' connections spread over the workers.
Comparing servers' replies is ferrous_diff.py's business.
"""

import atexit
import contextlib
import itertools
import os
import shlex
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import redis

REPO = Path(__file__).resolve().parents[2]
ORACLE_BIN = "/usr/bin/redis-server"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
REPLY_TIMEOUT = 10.0
LOG_TAIL_LINES = 60

_spawned_groups = set()


_plain_connect = socket.socket.connect


@contextlib.contextmanager
def pinned_to(cpu):
    """Runs the block with the calling thread on one CPU, restoring its affinity after."""
    allowed = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        yield
    finally:
        os.sched_setaffinity(0, allowed)


def connect_from_each_cpu_in_turn():
    """Makes socket.socket.connect (redis-py's and the raw sockets' alike) run each TCP
    connect pinned to the next CPU of this process's affinity, restoring the thread's
    affinity after; a thread already pinned to one CPU connects from it.  Returns the
    function that undoes it."""
    cpus = sorted(os.sched_getaffinity(0))
    turn = itertools.count()

    def connect(sock, address):
        pinned_already = len(os.sched_getaffinity(0)) < 2
        if sock.family not in (socket.AF_INET, socket.AF_INET6) or len(cpus) < 2 or pinned_already:
            return _plain_connect(sock, address)
        with pinned_to(cpus[next(turn) % len(cpus)]):
            return _plain_connect(sock, address)

    socket.socket.connect = connect
    return lambda: setattr(socket.socket, "connect", _plain_connect)


class ServerError(Exception):
    """A server failed to start, answer, or stop; the message carries its log."""


def ferrous_bin():
    """The server binary under test: $FERROUS_BIN, else <repo>/bin/ferrous-server."""
    return os.environ.get("FERROUS_BIN") or str(REPO / "bin" / "ferrous-server")


def free_port():
    """A loopback TCP port that was free a moment ago (bind to port 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _live_processes_where(field, value):
    """Pids of live (non-zombie) processes whose /proc stat field (1 = ppid, 2 = pgid,
    counted after the state) equals value."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[field]) == value and fields[0] != "Z":
            pids.append(int(entry))
    return pids


def group_members(pgid):
    """Pids of live (non-zombie) processes whose process group is pgid."""
    return _live_processes_where(2, pgid)


def children(pid):
    """Pids of the live children of pid (a Ferrous supervisor's workers)."""
    return _live_processes_where(1, pid)


def _kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def kill_leftovers():
    """SIGKILL every process still alive in a group this harness spawned and waits until
    they are gone; returns their pids."""
    found = []
    for pgid in sorted(_spawned_groups):
        members = group_members(pgid)
        if members:
            found.extend(members)
            _kill_group(pgid)
            _wait_gone(pgid, 2.0)
    _spawned_groups.clear()
    return found


atexit.register(kill_leftovers)


def _wait_gone(pgid, timeout):
    deadline = time.monotonic() + timeout
    while group_members(pgid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


def _ping_once(port):
    """True if a PING on a new connection answers +PONG."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            return s.recv(64).startswith(b"+PONG\r\n")
    except OSError:
        return False


class Server:
    """One server process on 127.0.0.1; start() returns once it answers PING."""

    def __init__(self, binary, args=(), directory=None, name="server"):
        self.binary = str(binary)
        self.extra_args = [str(a) for a in args]
        self.name = name
        self.dir = Path(directory or tempfile.mkdtemp(prefix=f"ferrous-e2e-{name}-"))
        self.log_path = self.dir / "server.log"
        self.port = None
        self.proc = None
        self.leftovers = []

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def command_line(self):
        return [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--dir", str(self.dir)] + self.extra_args

    def start(self, timeout=START_TIMEOUT, attempts=3):
        """Start on a free port; if another process grabbed that port first (the server
        exits logging "Address already in use"), try again on a new one."""
        if not os.access(self.binary, os.X_OK):
            raise ServerError(f"{self.name}: no executable at {self.binary} (build it with `make`)")
        for attempt in range(1, attempts + 1):
            self.port = free_port()
            log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
            with open(self.log_path, "ab") as log:
                self.proc = subprocess.Popen(self.command_line(), stdin=subprocess.DEVNULL,
                                             stdout=log, stderr=subprocess.STDOUT,
                                             cwd=self.dir, start_new_session=True)
            _spawned_groups.add(self.proc.pid)
            try:
                self._wait_ready(timeout)
                return self
            except ServerError:
                port_taken = "Address already in use" in self.log_text()[log_start:]
                if attempt == attempts or not port_taken:
                    raise

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while not _ping_once(self.port):
            code = self.proc.poll()
            if code is not None:
                self.stop()
                raise ServerError(f"{self.name} exited with status {code} before answering "
                                  f"PING\n{self.describe()}")
            if time.monotonic() >= deadline:
                self.stop()
                raise ServerError(f"{self.name} did not answer PING within {timeout:g} s\n"
                                  f"{self.describe()}")
            time.sleep(0.02)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM the pid, wait, SIGKILL the group if needed; then make sure the group is
        empty (workers included), killing and recording in self.leftovers what remains."""
        if self.proc is None:
            return
        pgid = self.proc.pid
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                _kill_group(pgid)
                self.proc.wait()
        if not _wait_gone(pgid, 2.0):
            self.leftovers = group_members(pgid)
            _kill_group(pgid)
            _wait_gone(pgid, 2.0)
        _spawned_groups.discard(pgid)

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def describe(self):
        """Command line, exit status and the tail of the log, for failure messages."""
        tail = self.log_text().splitlines()[-LOG_TAIL_LINES:]
        status = self.proc.poll() if self.proc else None
        return (f"  command: {shlex.join(self.command_line())}\n  exit status: {status}\n"
                f"  log {self.log_path} (last {len(tail)} lines):\n"
                + "".join(f"    | {line}\n" for line in tail))

    def client(self, **kwargs):
        """A redis-py client on one dedicated connection (so SELECT etc. stick)."""
        pool = redis.ConnectionPool(host="127.0.0.1", port=self.port,
                                    socket_timeout=REPLY_TIMEOUT, **kwargs)
        return redis.Redis(connection_pool=pool, single_connection_client=True)


def worker_of(client):
    """The worker slot serving a client's connection (Ferrous's CLIENT INFO field worker=)."""
    info = client.execute_command("CLIENT", "INFO").decode()
    return int(dict(f.split("=", 1) for f in info.split() if "=" in f)["worker"])


def worker_serving(server, client_port):
    """Pid of the worker holding the server side of the connection from client_port
    (found through /proc/net/tcp's socket inode)."""
    inode = None
    with open("/proc/net/tcp") as f:
        for line in f.read().splitlines()[1:]:
            fields = line.split()
            local, remote = (int(a.split(":")[1], 16) for a in fields[1:3])
            if local == server.port and remote == client_port:
                inode = fields[9]
    assert inode, "the connection's server side is not in /proc/net/tcp"
    for pid in children(server.pid):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid
            except OSError:
                pass
    raise AssertionError("no worker holds the connection")


def group_by_worker(connect, worker_of_connection, nworkers, per_worker=1):
    """{worker: [per_worker connections]} for nworkers workers, in the order they were
    first reached.  Connections spread over the workers by the CPU they come from and the
    kernel's hash, so this opens them with connect() until nworkers workers have their
    share, and closes the rest."""
    groups, spare = {}, []

    def full():
        return [w for w, group in groups.items() if len(group) == per_worker]

    for _ in range(400 * nworkers):
        c = connect()
        group = groups.setdefault(worker_of_connection(c), [])
        (group if len(group) < per_worker else spare).append(c)
        if len(full()) == nworkers:
            break
    chosen = {w: groups[w] for w in full()[:nworkers]}
    spare += [c for w, group in groups.items() if w not in chosen for c in group]
    for c in spare:
        c.close()
    assert len(chosen) == nworkers, "connections did not spread over the workers"
    return chosen


def clients_per_worker(server, nworkers, per_worker=1):
    """{worker: [per_worker redis-py clients]} (group_by_worker)."""
    return group_by_worker(server.client, worker_of, nworkers, per_worker)
