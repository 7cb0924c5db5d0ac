"""Differential runs: the same commands to Ferrous and to redis-server, replies compared.

Owns:
  - ExactParser: a redis-py parser class that keeps each reply's RESP type (status vs bulk,
    null bulk vs null array, RESP3 types) and the full text of error replies; it returns
    replies as nested Reply tuples instead of raising, so replies compare exactly.
  - differential scripts (tests/e2e/diff/*.redis): parse_script(), run_differential(),
    format_mismatches().

Script syntax (one command per line, split as a shell would split it, with shlex):
    SET k "a b"            a command; '' is an empty argument
    # text                 a comment (a '#' followed by a space, or '##')
    #resp3                 directive: speak RESP3 (HELLO 3) on this script's connections;
                           only before the first command
    #sleep 0.2             directive: wait this many seconds (for expiry tests)
    TTL k  # approx        annotation after the command: how to compare its reply
Annotations: `sort` (compare top-level arrays sorted), `sort N` (sort the array at element N,
e.g. SCAN's keys), `type` (compare only the reply's type), `approx [D]` (numbers, or bulk
strings that are numbers, may differ by D; default 1). Unknown directives or annotations
are an error, so a typo cannot silently weaken a check.

`/usr/bin/python3 tests/e2e/ferrous_diff.py SCRIPT [BINARY]` prints each line of a script
with the reply BINARY (default redis-server) gives: handy when writing scripts.
"""

import shlex
import shutil
import sys
import time
from collections import namedtuple
from pathlib import Path

import redis
from redis.connection import PythonParser

from ferrous_harness import ORACLE_BIN, Server, ServerError

DIFF_DIR = Path(__file__).resolve().parent / "diff"


# --- exact replies -----------------------------------------------------------------------

Reply = namedtuple("Reply", "kind value")
Reply.__doc__ = """One reply: kind is the RESP type byte as a str ('+', '-', ':', '$', '*',
and RESP3's '_', ',', '#', '(', '=', '!', '%', '~', '>'); value is bytes for strings, str for
errors, int, None for nulls, bool, a list of Reply, or for maps a list of (key, value).
RESP3 attributes ('|') are read and dropped: the reply that follows them is returned."""

_AGGREGATES = {"*", "~", ">"}


class ExactParser(PythonParser):
    """redis-py parser that returns Reply tuples and never raises on error replies."""

    def read_response(self, disable_decoding=False, **kwargs):
        raw = self._buffer.readline()
        if not raw:
            raise redis.ConnectionError("server closed the connection")
        kind, rest = chr(raw[0]), raw[1:]
        return self._parse(kind, rest)

    def _parse(self, kind, rest):
        if kind in ("-", "!"):
            text = rest if kind == "-" else self._buffer.read(int(rest))
            return Reply(kind, text.decode("utf-8", errors="replace"))
        if kind in ("+", "(", ","):
            return Reply(kind, rest)
        if kind == ":":
            return Reply(":", int(rest))
        if kind == "#":
            return Reply("#", rest == b"t")
        if kind == "_":
            return Reply("_", None)
        if kind in ("$", "="):
            n = int(rest)
            return Reply(kind, None if n < 0 else self._buffer.read(n))
        if kind in _AGGREGATES:
            n = int(rest)
            return Reply(kind, None if n < 0 else [self.read_response() for _ in range(n)])
        if kind in ("%", "|"):
            n = int(rest)
            pairs = [(self.read_response(), self.read_response()) for _ in range(n)]
            if kind == "|":
                return self.read_response()
            return Reply("%", pairs)
        raise redis.InvalidResponse(f"unexpected reply line {kind.encode() + rest!r}")


def show(reply, limit=300):
    """A one-line rendering of a Reply: +OK, "bulk", (nil), :5, -ERR text, [a, b]."""
    text = _show(reply)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def _show(r):
    if r.kind in ("$", "*", "_") and r.value is None:
        return {"$": "(nil)", "*": "(nil array)", "_": "(null)"}[r.kind]
    if r.kind in ("-", "!"):
        return r.kind + r.value
    if r.kind in ("+", "(", ","):
        return r.kind + r.value.decode("utf-8", errors="backslashreplace")
    if r.kind in (":", "#"):
        return r.kind + str(r.value)
    if r.kind == "$":
        return repr(r.value)[1:]
    if r.kind == "=":
        return "=" + repr(r.value)[1:]
    if r.kind == "%":
        return "{" + ", ".join(f"{_show(k)}: {_show(v)}" for k, v in r.value) + "}"
    inner = ", ".join(_show(x) for x in r.value)
    return {"*": "[%s]", "~": "set{%s}", ">": "push[%s]"}[r.kind] % inner


# --- scripts -----------------------------------------------------------------------------

Step = namedtuple("Step", "lineno text args checks sleep")
Script = namedtuple("Script", "path resp3 steps")
Mismatch = namedtuple("Mismatch", "step subject oracle")


class ScriptError(Exception):
    """A differential script is malformed."""


def _split_comment(line):
    """Split a line at its first unquoted '#' that starts a word: (command, comment or None)."""
    quote = None
    i = 0
    while i < len(line):
        c = line[i]
        if quote is None and c == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i], line[i + 1:]
        if c == "\\" and quote != "'":
            i += 2
            continue
        if c in "'\"" and quote in (None, c):
            quote = None if quote else c
        i += 1
    return line, None


def parse_checks(text, where):
    """Parse an annotation like 'sort', 'sort 1', 'type', 'approx 50' into a list of checks."""
    words = text.split()
    if not words:
        raise ScriptError(f"{where}: empty annotation after '#'")
    name, params = words[0], words[1:]
    try:
        if name == "sort" and len(params) <= 1:
            return [("sort", int(params[0]) if params else None)]
        if name == "type" and not params:
            return [("type", None)]
        if name == "approx" and len(params) <= 1:
            return [("approx", float(params[0]) if params else 1.0)]
    except ValueError:
        pass
    raise ScriptError(f"{where}: unknown annotation '# {text.strip()}' "
                      "(known: sort [N], type, approx [D])")


def _parse_directive(body, where, seen_command):
    """Parse '#word ...' (no space after '#'): returns ('resp3', None) or ('sleep', secs)."""
    words = body.split()
    if words == ["resp3"]:
        if seen_command:
            raise ScriptError(f"{where}: #resp3 must come before the first command")
        return "resp3", None
    if len(words) == 2 and words[0] == "sleep":
        try:
            return "sleep", float(words[1])
        except ValueError:
            pass
    raise ScriptError(f"{where}: unknown directive '#{body}' (known: #resp3, #sleep SECONDS)")


def parse_script(path):
    """Read a differential script into a Script; raises ScriptError on malformed lines."""
    path = Path(path)
    resp3, steps = False, []
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        where = f"{path.name}:{lineno}"
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            body = stripped[1:]
            if body and not body[0].isspace() and body[0] != "#":
                kind, value = _parse_directive(body, where, bool(steps))
                if kind == "resp3":
                    resp3 = True
                else:
                    steps.append(Step(lineno, stripped, None, [], value))
            continue
        command, comment = _split_comment(line)
        try:
            args = shlex.split(command)
        except ValueError as e:
            raise ScriptError(f"{where}: cannot split '{line}': {e}") from None
        checks = parse_checks(comment, where) if comment is not None else []
        steps.append(Step(lineno, command.strip(), args, checks, None))
    return Script(path, resp3, steps)


def script_paths():
    return sorted(DIFF_DIR.glob("*.redis"))


# --- comparing ---------------------------------------------------------------------------

def _sort_key(r):
    return show(r, limit=10**9)


def _sorted(r, index):
    if index is None:
        if r.kind in ("*", "~") and r.value is not None:
            return Reply(r.kind, sorted(r.value, key=_sort_key))
        return r
    if r.kind == "*" and r.value is not None and index < len(r.value):
        items = list(r.value)
        items[index] = _sorted(items[index], None)
        return Reply("*", items)
    return r


def _number(r):
    if r.kind == ":":
        return r.value
    if r.kind in ("$", ",", "+") and r.value is not None:
        try:
            return float(r.value)
        except ValueError:
            return None
    return None


def _approx_equal(a, b, delta):
    if a.kind != b.kind:
        return False
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        return abs(na - nb) <= delta
    if a.kind in ("*", "~") and a.value is not None and b.value is not None:
        return len(a.value) == len(b.value) and all(
            _approx_equal(x, y, delta) for x, y in zip(a.value, b.value))
    return a == b


def _type_of(r):
    return (r.kind, r.value is None)


def replies_match(subject, oracle, checks):
    """True if two Reply values agree under the step's checks (exact when there are none)."""
    for check, param in checks:
        if check == "sort":
            subject, oracle = _sorted(subject, param), _sorted(oracle, param)
    for check, param in checks:
        if check == "type":
            return _type_of(subject) == _type_of(oracle)
        if check == "approx":
            return _approx_equal(subject, oracle, param)
    return subject == oracle


def _execute(client, args):
    try:
        return client.execute_command(*args)
    except (redis.ConnectionError, redis.TimeoutError, OSError) as e:
        return Reply("lost", f"{type(e).__name__}: {e}")


def exact_client(server):
    """A client on server whose execute_command returns exact Reply tuples."""
    client = server.client(parser_class=ExactParser)
    client.response_callbacks.clear()
    return client


def run_command(client, *args):
    """One command on an exact client: its Reply."""
    return client.execute_command(*args)


def reply_differences(subject, oracle, commands):
    """The commands whose reply differs between two exact clients, with both replies."""
    diffs = []
    for args in commands:
        ours, theirs = run_command(subject, *args), run_command(oracle, *args)
        if ours != theirs:
            diffs.append(f"{' '.join(args)}:\n   ferrous {show(ours)}\n   redis   {show(theirs)}")
    return diffs


def reply_text(reply):
    """The text of a bulk or verbatim reply (verbatim without its 'txt:' prefix)."""
    assert reply.kind in ("$", "="), show(reply)
    data = reply.value.decode()
    return data[4:] if reply.kind == "=" else data


def _open(server, resp3):
    try:
        client = exact_client(server)
    except redis.ConnectionError as e:
        raise ServerError(f"{server.name}: cannot connect: {e}\n{server.describe()}") from None
    if resp3:
        hello = client.execute_command("HELLO", "3")
        if hello.kind == "-":
            raise ServerError(f"{server.name}: HELLO 3 failed: {hello.value}")
    return client


def run_differential(script, subject, oracle):
    """Send each command of script to both servers (one connection each), compare replies.
    Returns the mismatches; stops early if a connection is lost."""
    clients = [_open(subject, script.resp3), _open(oracle, script.resp3)]
    mismatches = []
    try:
        for step in script.steps:
            if step.sleep is not None:
                time.sleep(step.sleep)
                continue
            got, want = (_execute(c, step.args) for c in clients)
            if "lost" in (got.kind, want.kind) or not replies_match(got, want, step.checks):
                mismatches.append(Mismatch(step, got, want))
            if "lost" in (got.kind, want.kind):
                break
    finally:
        for c in clients:
            c.close()
    return mismatches


def format_mismatches(script, mismatches, subject=None, limit=20):
    """A report naming each mismatching line, its command and both replies."""
    lines = [f"{script.path.name}: {len(mismatches)} mismatching repl"
             f"{'y' if len(mismatches) == 1 else 'ies'}"]
    for m in mismatches[:limit]:
        note = f"  # {' '.join(c[0] for c in m.step.checks)}" if m.step.checks else ""
        lines.append(f"  line {m.step.lineno}: {m.step.text}{note}\n"
                     f"    ferrous: {_show_or_lost(m.subject)}\n"
                     f"    redis:   {_show_or_lost(m.oracle)}")
    if len(mismatches) > limit:
        lines.append(f"  ... and {len(mismatches) - limit} more")
    if subject is not None and any(m.subject.kind == "lost" for m in mismatches):
        lines.append(subject.describe())
    return "\n".join(lines)


def _show_or_lost(r):
    return f"(connection lost: {r.value})" if r.kind == "lost" else show(r)


def dump(script_path, binary=ORACLE_BIN):
    """Print each command of a script with the reply binary gives (for writing scripts)."""
    script = parse_script(script_path)
    server = Server(binary, name="dump").start()
    try:
        client = _open(server, script.resp3)
        for step in script.steps:
            if step.sleep is not None:
                time.sleep(step.sleep)
                continue
            print(f"{step.lineno:4}: {step.text}\n      {_show_or_lost(_execute(client, step.args))}")
        client.close()
    finally:
        server.stop()
        shutil.rmtree(server.dir, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(f"usage: {sys.argv[0]} SCRIPT.redis [SERVER_BINARY]")
    dump(*sys.argv[1:])
