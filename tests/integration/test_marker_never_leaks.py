"""Airlock's internal names never reach a client (issue #20, part 2).

A refused statement is replaced upstream by a never-parsing marker `airlock_denied_<32 hex>`,
and the row guard runs under statement/portal/savepoint names `airlock_g<16 hex>` /
`airlock_s<16 hex>`; PostgreSQL's answers to them are rewritten into Airlock's own error.
Each refusal kind (policy denial, row-guard rollback, open breaker after failures and after
denials, rate limit, agent pause, hold that times out) is driven through a psycopg 3
pipeline, JDBC `executeBatch` and simple-protocol multi-statement strings (psql -c), with
the refused statement in the middle of a batch. A recording TCP relay between the client
and the gateway sees every byte: no server byte may contain the marker prefix or a guard
name, and the error the client gets is Airlock's, with the refusal's SQLSTATE and text."""
from __future__ import annotations

import os
import re
import shutil
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path

import psycopg
import pytest

import harness
import waits

pytestmark = pytest.mark.gateway_only

JAR = Path(os.environ.get("PGJDBC_JAR", "/usr/share/java/postgresql.jar"))
JAVA_SRC = harness.REPO_ROOT / "tests" / "java" / "JdbcBatches.java"

LEAK = re.compile(rb"airlock_denied|airlock_[gs][0-9a-f]{16}", re.IGNORECASE)

OK_SQL = "INSERT INTO mk_log(v) VALUES (1)"  # allowed for every agent, never guarded
DELETE = "DELETE FROM mk_rows WHERE id = 5"  # denied by every agent's policy
FAILING = "UPDATE mk_rows SET v = v / 0 WHERE id = 1"  # allowed, PostgreSQL fails it (22012)
OVER_LIMIT = "UPDATE mk_rows SET v = v + 1 WHERE id <= 5"  # 5 rows, max_rows 2
HELD = "UPDATE mk_rows SET v = v + 1 WHERE id = 1"
JDBC_EXECUTE = "EXECUTE\t"  # tests/java/JdbcBatches.java: Statement.execute, not a batch

RULE = r" \[[a-z_.]+(\[\d+\])?\]$"  # a policy refusal ends with its rule: "[allow[2]]"
DENIED = ("42501", r"^airlock: delete on public\.mk_rows is not allowed for mk_\w+" + RULE)
GUARDED = ("42501", r"^airlock: this UPDATE of public\.mk_rows would change 5 rows; the limit "
                    r"for mk_\w+ is 2" + RULE)
HELD_OUT = ("42501", r"^airlock: .*needs approval: mk rows need a human \[hold\[0\]\]; "
                     r"request apr_[0-9a-f]+ is still pending after 300ms")
NOT_MIXED = ("42501", r"^airlock: .*not with others in one query string \[gateway\.row_guard\]$")
BREAKER_OPEN = ("53400", r"^airlock: the breaker for this statement is open: it failed 3 times")
RATE = ("53400", r"^airlock: rate limit for mk_rate_\w+ exceeded")
PAUSED = ("53400", r"^airlock: agent mk_pause_\w+ is paused")
DIV0 = ("22012", r"^division by zero$")

TARPIT = "refusal_delay: 100ms"  # the default: a refusal waits while answers flow
BREAKER = f"breaker: {{failures: 2, window: 60s, cooldown: 60s, {TARPIT}}}\n"
BASE = """
allow:
  - tables: [public.mk_rows, public.mk_log]
    actions: [select]
  - tables: [public.mk_log]
    actions: [insert]
"""
POLICY = {
    "denial": BASE,
    "guard": BASE + "  - tables: [public.mk_rows]\n    actions: [update]\n    max_rows: 2\n",
    "breaker": BASE + "  - tables: [public.mk_rows]\n    actions: [update]\n" + BREAKER,
    "breaker_denied": BASE + BREAKER,
    # 0.001/s: the bucket never refills during the test
    "rate": BASE + "limits: {rate: 0.001, burst: 1, max_delay: 0s}\n",
    "pause": BASE + "breaker: {failures: 0, pause_error_rate: 50%, pause_min_statements: 4, "
                    f"pause_window: 60s, pause_cooldown: 60s, {TARPIT}}}\n",
    "hold": BASE + "hold:\n  - tables: [public.mk_rows]\n    actions: [update]\n"
                   "    reason: mk rows need a human\n",
}
KINDS = list(POLICY)
CLIENTS = ("pipeline", "jdbc", "simple")


class Scenario:
    """`prime`: statements sent first on a plain psycopg connection, each one failing with
    `prime_error` (they open the breaker or pause the agent); `plan`: the client's batches
    (a Sync, an executeBatch or one query string each); `expect`: the first error of each
    batch that fails, in order (SQLSTATE, pattern of the primary message)."""

    def __init__(self, plan, expect, prime=(), prime_error=("", "")):
        self.plan: list[list[str]] = plan
        self.expect = [(state, re.compile(pattern)) for state, pattern in expect]
        self.prime: tuple[str, ...] = prime
        self.prime_error = prime_error


def scenario(kind: str, client: str) -> Scenario:
    simple = client == "simple"
    if kind == "denial":
        return Scenario([[OK_SQL, DELETE, OK_SQL], [DELETE, OK_SQL]], [DENIED, DENIED])
    if kind in ("guard", "hold"):
        # Extended: the guard runs anywhere in a batch; simple: alone in its query string.
        sql, outcome = (OVER_LIMIT, GUARDED) if kind == "guard" else (HELD, HELD_OUT)
        if simple:
            first = NOT_MIXED if kind == "guard" else HELD_OUT  # a hold covers the whole string
            return Scenario([[OK_SQL, sql, OK_SQL], [sql]], [first, outcome])
        if client == "jdbc":
            return Scenario([[OK_SQL, sql, OK_SQL], [sql], [JDBC_EXECUTE + sql]],
                            [outcome, outcome, outcome])
        return Scenario([[OK_SQL, sql, OK_SQL], [sql, OK_SQL]], [outcome, outcome])
    if kind in ("breaker", "breaker_denied"):
        sql, fails = (FAILING, DIV0) if kind == "breaker" else (DELETE, DENIED)
        if simple:
            # The breaker is keyed by the whole query string: the client itself retries it.
            retried = [OK_SQL, sql, OK_SQL]
            return Scenario([retried] * 4, [fails] * 3 + [BREAKER_OPEN])
        return Scenario([[OK_SQL, sql, OK_SQL], [sql, OK_SQL]], [BREAKER_OPEN] * 2,
                        prime=(sql,) * 3, prime_error=fails)
    if kind == "rate":
        if simple:  # a query string takes one token
            return Scenario([[OK_SQL], [OK_SQL, OK_SQL, OK_SQL], [OK_SQL]], [RATE] * 2)
        return Scenario([[OK_SQL, OK_SQL, OK_SQL], [OK_SQL, OK_SQL]], [RATE] * 2)
    if kind == "pause":
        return Scenario([[OK_SQL, OK_SQL, OK_SQL], [OK_SQL]], [PAUSED] * 2,
                        prime=(DELETE,) * 4, prime_error=DENIED)
    raise AssertionError(kind)


def agent_name(kind: str, client: str) -> str:
    return f"mk_{kind}_{client}"


AGENTS = {agent_name(k, c): (agent_name(k, c).upper() + "_PASSWORD", f"pw-{k}-{c}")
          for k in KINDS for c in CLIENTS}
AGENTS["mk_plain"] = ("MK_PLAIN_PASSWORD", "pw-plain")
AGENTS["mk_storm"] = ("MK_STORM_PASSWORD", "pw-storm")
POLICIES = {agent_name(k, c): POLICY[k] for k in KINDS for c in CLIENTS}
POLICIES["mk_plain"] = BASE
POLICIES["mk_storm"] = POLICY["breaker"]


def matches(got: tuple[str, str], want: tuple[str, re.Pattern]) -> bool:
    return got[0] == want[0] and want[1].search(got[1]) is not None


# --------------------------------------------------------------------------- recording relay

class Recorder:
    """A loopback TCP relay in front of the gateway that keeps every byte of each connection,
    both directions (bounded). Stops by itself after `lifetime` seconds."""

    MAX_BYTES = 8 << 20

    def __init__(self, host: str, port: int, lifetime: float = 60):
        self.target = (host, port)
        self.deadline = time.monotonic() + lifetime
        self.conns: list[dict[str, bytearray]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._socks: list[socket.socket] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._spawn(self._accept_loop)

    def _spawn(self, fn, *args) -> None:
        t = threading.Thread(target=fn, args=args, daemon=True)
        self._threads.append(t)
        t.start()

    def _running(self) -> bool:
        return not self._stop.is_set() and time.monotonic() < self.deadline

    def _accept_loop(self) -> None:
        while self._running():
            try:
                client, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            rec = {"up": bytearray(), "down": bytearray()}
            with self._lock:
                self.conns.append(rec)
                self._socks += [client, upstream]
            self._spawn(self._pump, client, upstream, rec["up"])
            self._spawn(self._pump, upstream, client, rec["down"])

    def _pump(self, src: socket.socket, dst: socket.socket, buf: bytearray) -> None:
        src.settimeout(0.1)
        try:
            while self._running():
                try:
                    data = src.recv(65536)
                except socket.timeout:
                    continue
                if not data:
                    break
                with self._lock:
                    if len(buf) + len(data) > self.MAX_BYTES:
                        raise AssertionError("recording relay: more bytes than expected")
                    buf += data
                dst.sendall(data)
        except (OSError, AssertionError):
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()
        with self._lock:
            socks = list(self._socks)
        for s in socks:
            try:
                s.close()
            except OSError:
                pass
        for t in self._threads:
            t.join(2)

    def __enter__(self) -> "Recorder":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def wait_closed(self, n: int, timeout: float = 10) -> None:
        """Waits until `n` connections were accepted and all of them are over (their pumps
        returned), so that every byte is recorded."""
        def over() -> bool:
            with self._lock:
                count = len(self.conns)
            return count >= n and not any(t.is_alive() for t in self._threads[1:])
        waits.until(over, timeout, f"relay: {n} connections not over after {timeout}s")

    def server_bytes(self) -> list[bytes]:
        with self._lock:
            return [bytes(c["down"]) for c in self.conns]


def messages(stream: bytes) -> list[tuple[bytes, bytes]]:
    """The typed backend messages of one connection's server-to-client bytes."""
    out, off = [], 0
    while off + 5 <= len(stream):
        t = stream[off:off + 1]
        n = struct.unpack("!I", stream[off + 1:off + 5])[0]
        assert 4 <= n <= len(stream) - off - 1, f"truncated message {t!r} at {off}"
        out.append((t, stream[off + 5:off + 1 + n]))
        off += 1 + n
    assert off == len(stream), f"{len(stream) - off} trailing bytes"
    return out


def wire_batches(stream: bytes) -> list[list[dict[str, str]]]:
    """The ErrorResponses of each answer after login, split at ReadyForQuery."""
    out: list[list[dict[str, str]]] = []
    cur: list[dict[str, str]] = []
    logged_in = False
    for t, body in messages(stream):
        if t == b"E":
            cur.append(harness.parse_error_fields(body))
        elif t == b"Z":
            if logged_in:
                out.append(cur)
            logged_in = True
            cur = []
    return out


def assert_no_leak(rec: Recorder, *client_texts: str) -> None:
    for i, stream in enumerate(rec.server_bytes()):
        m = LEAK.search(stream)
        assert m is None, (f"connection {i}: an internal name reached the client: "
                           f"...{stream[max(0, m.start() - 120):m.end() + 40]!r}...")
    for text in client_texts:
        m = LEAK.search(text.encode())
        assert m is None, f"the client reported an internal name: {text}"


def assert_wire_errors(rec: Recorder, sc: Scenario) -> None:
    """The client's connection (the last one) on the wire: the first error of each failed
    batch is the expected one; every error is Airlock's (or an expected one of PostgreSQL's),
    never PostgreSQL's syntax error nor the catch-all of Airlock's safety net."""
    got = wire_batches(rec.server_bytes()[-1])
    failed = [errs[0] for errs in got if errs]
    firsts = [(e.get("C", ""), e.get("M", "")) for e in failed]
    # pgjdbc's isValid() after the batches is refused too under a rate limit or a pause
    assert len(firsts) >= len(sc.expect) and all(map(matches, firsts, sc.expect)), \
        f"first errors of the failed batches: {firsts}"
    allowed = {state for state, pattern in sc.expect if not pattern.pattern.startswith("^airlock")}
    for errs in got:
        for e in errs:
            m = e.get("M", "")
            assert e.get("C") != "42601", e
            assert m.startswith("airlock: ") or e.get("C") in allowed, e
            assert not m.endswith("[gateway]"), f"caught only by the safety net: {e}"


# --------------------------------------------------------------------------- fixtures

SCHEMA = """
DROP TABLE IF EXISTS public.mk_rows, public.mk_log;
CREATE TABLE public.mk_rows(id int PRIMARY KEY, v int NOT NULL);
INSERT INTO public.mk_rows SELECT g, g FROM generate_series(1, 10) g;
CREATE TABLE public.mk_log(v int);
GRANT SELECT, INSERT, UPDATE, DELETE ON public.mk_rows, public.mk_log TO airlock;
"""


@pytest.fixture(scope="module")
def gateway(pg):  # named as conftest's, whose failure report adds the airlock log
    if harness.DIRECT:
        pytest.skip("markers exist only in the gateway")
    with pg.su_connect() as c:
        c.execute(SCHEMA)
    g = harness.start_gateway(pg, name="marker", extra_agents=AGENTS, agent_policies=POLICIES,
                              extra_yaml="approvals: {hold_wait: 300ms, expire_after: 1h}")
    try:
        harness.wait_until_allowed(g, "mk_plain", "SELECT count(*) FROM mk_rows")
        yield g
    finally:
        g.stop()
        with pg.su_connect() as c:
            c.execute("DROP TABLE IF EXISTS public.mk_rows, public.mk_log")


@pytest.fixture(scope="module")
def jdbc_classes(tmp_path_factory):
    if shutil.which("javac") is None or not JAR.exists():
        pytest.fail(f"javac or {JAR} missing (scripts/install-deps.sh installs them)")
    out = tmp_path_factory.mktemp("jdbc-batches")
    r = subprocess.run(["javac", "-cp", str(JAR), "-d", str(out), str(JAVA_SRC)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return out


def dsn(gw, agent: str, port: int) -> str:
    return gw.dsn(agent, host="127.0.0.1", port=port, sslmode="disable", gssencmode="disable")


def prime(gw, rec: Recorder, agent: str, sc: Scenario) -> int:
    """Sends the failing statements that open the breaker or pause the agent; returns the
    number of connections made."""
    if not sc.prime:
        return 0
    with psycopg.connect(dsn(gw, agent, rec.port), autocommit=True) as c:
        for sql in sc.prime:
            with pytest.raises(psycopg.Error) as ei:
                c.execute(sql)
            e = ei.value
            assert e.sqlstate == sc.prime_error[0] and re.search(sc.prime_error[1],
                                                                 e.diag.message_primary), e
    return 1


# --------------------------------------------------------------------------- the clients

def run_pipeline(gw, port: int, agent: str, plan: list[list[str]]) -> list[tuple[str, str]]:
    """psycopg 3 pipeline: the batches' statements, a Sync after each batch. Returns the
    errors psycopg raised (SQLSTATE, primary message), PipelineAborted left out."""
    errors: list[tuple[str, str]] = []

    def attempt(fn):
        try:
            fn()
        except psycopg.errors.PipelineAborted:
            pass
        except psycopg.Error as e:
            errors.append((e.sqlstate or "", e.diag.message_primary or str(e)))

    with psycopg.connect(dsn(gw, agent, port), autocommit=True) as c:
        try:
            with c.pipeline() as p:
                for batch in plan:
                    for sql in batch:
                        attempt(lambda: c.execute(sql))
                    attempt(p.sync)
        except psycopg.errors.PipelineAborted:
            pass
        except psycopg.Error as e:
            errors.append((e.sqlstate or "", e.diag.message_primary or str(e)))
    return errors


def run_jdbc(gw, port: int, agent: str, plan: list[list[str]], classes: Path) -> str:
    env = gw.env(agent)
    env.update(PGHOST="127.0.0.1", PGPORT=str(port))
    r = subprocess.run(["java", "-cp", f"{classes}{os.pathsep}{JAR}", "JdbcBatches",
                        *["\n".join(b) for b in plan]],
                       env=env, capture_output=True, text=True, timeout=60)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    return out


def run_simple(gw, port: int, agent: str, plan: list[list[str]]) -> str:
    env = gw.env(agent)
    env.update(PGHOST="127.0.0.1", PGPORT=str(port), PGSSLMODE="disable", PGGSSENCMODE="disable")
    args = ["psql", "-X", "-v", "VERBOSITY=verbose"]
    for batch in plan:
        args += ["-c", "; ".join(batch)]
    r = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    return r.stdout + r.stderr


# --------------------------------------------------------------------------- the tests

def jdbc_errors(out: str) -> list[tuple[str, str]]:
    """The server's error of each failed batch: the first below the BatchUpdateException, or
    the exception itself for a single execute."""
    chains: dict[str, dict[str, tuple[str, str]]] = {}
    for line in out.splitlines():
        f = line.split("\t")
        if f[0] == "ERR":
            chains.setdefault(f[1], {})[f[2]] = (f[3], f[4])
    return [chain.get("1", chain["0"]) for chain in chains.values()]


def psql_errors(out: str) -> list[tuple[str, str]]:
    """psql -v VERBOSITY=verbose: 'ERROR:  42501: airlock: ...'."""
    errors = []
    for line in out.splitlines():
        if line.startswith("ERROR:  "):
            state, _, message = line.removeprefix("ERROR:  ").partition(": ")
            errors.append((state, message))
    return errors


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("kind", KINDS)
def test_marker_never_reaches_the_client(gateway, jdbc_classes, kind, client):
    gw = gateway
    sc = scenario(kind, client)
    agent = agent_name(kind, client)
    with Recorder("127.0.0.1", gw.port) as rec:
        n = prime(gw, rec, agent, sc)
        if client == "pipeline":
            errors = run_pipeline(gw, rec.port, agent, sc.plan)
            text = repr(errors)
        elif client == "jdbc":
            text = run_jdbc(gw, rec.port, agent, sc.plan, jdbc_classes)
            errors = jdbc_errors(text)
        else:
            text = run_simple(gw, rec.port, agent, sc.plan)
            errors = psql_errors(text)
        # what the client reports
        assert len(errors) == len(sc.expect) and all(map(matches, errors, sc.expect)), text
        rec.wait_closed(n + 1)
        assert_no_leak(rec, text)
        assert_wire_errors(rec, sc)


def test_open_breaker_in_repeated_pipelines(gateway):
    """The issue's report: pipelines whose statement's breaker is open, run again and again
    against one gateway, each with several Syncs, the refused statement between others."""
    sc = Scenario([[OK_SQL, FAILING, OK_SQL], [FAILING, OK_SQL], [OK_SQL, OK_SQL, FAILING]],
                  [BREAKER_OPEN] * 3, prime=(FAILING,) * 3, prime_error=DIV0)
    with Recorder("127.0.0.1", gateway.port) as rec:
        n = prime(gateway, rec, "mk_storm", sc)
        runs = 8
        for i in range(runs):
            errors = run_pipeline(gateway, rec.port, "mk_storm", sc.plan)
            assert len(errors) == len(sc.expect) and all(map(matches, errors, sc.expect)), \
                (i, errors)
        rec.wait_closed(n + runs)
        assert_no_leak(rec)
        assert_wire_errors(rec, sc)
