#!/usr/bin/python3
"""Soak test (issue #19): hours, or SOAK_MINUTES, of mixed traffic with faults through Airlock.

A throwaway PostgreSQL 15 (log_statement = all) and one Airlock in front of it, started with
tests/integration/harness.py, with the audit trail (keep_literals, on a tmpfs of its own when
it can be mounted), masking, row guards, holds (approved by a thread running `airlock
approvals approve`), a write budget and the breaker on. Agents:

  reader   psycopg: masked reads (a value with '@' in a masked column is a leak)
  writer   psycopg: guarded inserts (orders) and updates (tickets, max_rows 5; one in ten
           over the limit), denied statements carrying DENYTOKEN-<hex>
  longtx   psycopg: transactions of ~10 s (inserts around pg_sleep)
  storm    psycopg: retry storms of a failing statement (the breaker opens)
  holder   psycopg: held updates (accounts), approved by the approver thread
  batch    psycopg: updates of 10 rows against a budget of 300 rows a minute
  node     node-postgres (tests/soak/node_agent.cjs): reads with parameters, inserts, denials
  bench    pgbench -S -R 100 in 10 s segments, per-transaction logs (-l)
  idle     1,000 connections held open throughout (reopened when a fault closes them)

Every write carries a unique tag (w-, l-, h-, b-, n-<hex>) in a literal, so the audit trail
(keep_literals) names it. After a warm-up without faults (the baseline), phases of faults in
random order (seeded; SOAK_SEED) with random gaps: pg_terminate_backend of Airlock's upstream
connections, a PostgreSQL restart, clients that disconnect mid-statement and mid-batch,
slowloris clients, SIGHUP reloads with a valid and an invalid file, the audit directory full
(a filler file on its tmpfs) and recovering, the state store locked by another process for 5 s.
At the end of each phase the agents pause and the gateway's RSS and open fds are measured.

Asserts, with the figures printed at the end (and written to SOAK_OUT, default
<tmp>/soak-result.json):
  - the gateway never exits;
  - RSS and fds after each phase within a tolerance of the baseline;
  - every tag in PostgreSQL has an intent record; no tag of a refused write is in PostgreSQL;
    every insert the client saw commit is in PostgreSQL;
  - `airlock audit verify` passes;
  - no DENYTOKEN in PostgreSQL's statement log;
  - pgbench's p99 latency outside the fault windows within 3x the warm-up's.

    SOAK_MINUTES=20 make soak        or        /usr/bin/python3 tests/soak/soak.py
Environment: SOAK_MINUTES (default 20), SOAK_SEED, SOAK_OUT, AIRLOCK_BIN (see harness.py; the
binary is copied into the work dir first), SOAK_IDLE (idle connections, default 1000),
SOAK_FAULTS (a comma-separated fault order for every phase instead of the random one),
SOAK_AGENTS (a comma-separated subset of the agents above, to find what a figure comes from).
The work dir (printed; pgbench logs, the gateway's and PostgreSQL's logs) is kept.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import secrets
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))

# 1,000 idle sockets in this process put later fds above 1024, beyond select()
os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_epoll")
import psycopg  # noqa: E402  Debian's python3-psycopg

import harness  # noqa: E402
from harness import RawConn, msg  # noqa: E402
from waits import until  # noqa: E402

MINUTES = float(os.environ.get("SOAK_MINUTES", "20"))
SEED = int(os.environ.get("SOAK_SEED", str(int(time.time()))))
IDLE_CONNECTIONS = int(os.environ.get("SOAK_IDLE", "1000"))
BENCH_RATE = 100
RECOVERY = 10.0  # seconds after a fault still counted inside its window
RSS_TOLERANCE_KIB = 64 * 1024
RSS_TOLERANCE_SHARE = 0.30
FD_TOLERANCE = 16

rng = random.Random(SEED)


def log(*a) -> None:
    print(time.strftime("%H:%M:%S"), *a, flush=True)


# --------------------------------------------------------------------------- schema, policies

SCHEMA = """
CREATE TABLE public.customers(id int PRIMARY KEY, name text, email text);
INSERT INTO public.customers SELECT g, 'c' || g, 'user' || g || '@example.com' FROM generate_series(1, 1000) g;
CREATE TABLE public.orders(id bigserial PRIMARY KEY, customer_id int, tag text UNIQUE, qty int);
CREATE TABLE public.tickets(id int PRIMARY KEY, status text, tag text);
INSERT INTO public.tickets SELECT g, 'open', NULL FROM generate_series(1, 500) g;
CREATE TABLE public.accounts(id int PRIMARY KEY, name text, tag text);
INSERT INTO public.accounts SELECT g, 'a' || g, NULL FROM generate_series(1, 100) g;
CREATE TABLE public.ledger(id int PRIMARY KEY, tag text);
INSERT INTO public.ledger SELECT g, NULL FROM generate_series(1, 1000) g;
CREATE TABLE public.secrets(id int PRIMARY KEY, v text);
INSERT INTO public.secrets VALUES (1, 'top');
ALTER TABLE public.customers OWNER TO airlock;
ALTER TABLE public.orders OWNER TO airlock;
ALTER TABLE public.tickets OWNER TO airlock;
ALTER TABLE public.accounts OWNER TO airlock;
ALTER TABLE public.ledger OWNER TO airlock;
ALTER TABLE public.secrets OWNER TO airlock;
"""

BREAKER = "breaker: {failures: 5, window: 30s, cooldown: 5s}"
POLICIES = {
    "reader": f"""
        allow:
          - tables: [public.customers]
            actions: [select]
            mask: [email]
          - tables: [public.orders, public.tickets]
            actions: [select]
        {BREAKER}
    """,
    "writer": f"""
        allow:
          - tables: [public.orders]
            actions: [select, insert]
            columns: [customer_id, tag, qty]
            max_rows: 5
          - sequences: [public.orders_id_seq]
          - tables: [public.tickets]
            actions: [select, update]
            columns: [status, tag]
            max_rows: 5
            over_limit: deny
        {BREAKER}
    """,
    "longtx": f"""
        allow:
          - tables: [public.orders]
            actions: [select, insert]
            columns: [customer_id, tag, qty]
          - sequences: [public.orders_id_seq]
          - functions: [pg_catalog.pg_sleep]
        {BREAKER}
    """,
    "storm": """
        allow:
          - tables: [public.tickets]
            actions: [select]
        breaker: {failures: 5, window: 30s, cooldown: 3s}
    """,
    "holder": f"""
        allow:
          - tables: [public.accounts]
            actions: [select]
        hold:
          - tables: [public.accounts]
            actions: [update]
            reason: account changes need a human (the soak's approver)
        {BREAKER}
    """,
    "batch": f"""
        allow:
          - tables: [public.ledger]
            actions: [select, update]
            columns: [tag]
        budgets:
          - name: ledger
            tables: [public.ledger]
            actions: [update]
            max_rows: 300
            window: 1m
            over_limit: deny
        {BREAKER}
    """,
    "node": f"""
        allow:
          - tables: [public.customers]
            actions: [select]
            mask: [email]
          - tables: [public.orders]
            actions: [select, insert]
            columns: [customer_id, tag, qty]
          - sequences: [public.orders_id_seq]
        {BREAKER}
    """,
    "bench": """
        allow:
          - tables: [public.pgbench_accounts, public.pgbench_branches]
            actions: [select]
        breaker: {failures: 5, window: 30s, cooldown: 2s}
    """,
    "idle": f"""
        allow:
          - tables: [public.customers]
            actions: [select]
        {BREAKER}
    """,
}
AGENTS = {name: (f"SOAK_{name.upper()}_PASSWORD", f"{name}-" + secrets.token_hex(8)) for name in POLICIES}


def connection_error(e: BaseException) -> bool:
    st = getattr(e, "sqlstate", None)
    return st is None or st.startswith("08") or st.startswith("57P")


# --------------------------------------------------------------------------- shared state

class Run:
    def __init__(self) -> None:
        self.stop = threading.Event()
        self.pause = threading.Event()
        self.outcomes: list[tuple[str, str, str | None]] = []  # tag, ok/refused/unknown, sqlstate
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {}
        self.windows: list[tuple[str, float, float]] = []  # fault, start, end (epoch)
        self.pauses: list[tuple[float, float]] = []
        self.errors: list[str] = []

    def count(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + n

    def outcome(self, tag: str, status: str, sqlstate: str | None = None) -> None:
        with self.lock:
            self.outcomes.append((tag, status, sqlstate))


R = Run()


class Worker(threading.Thread):
    """A psycopg agent: `step(conn)` in a loop, reconnecting after connection errors; idles
    (closing its connection) while R.pause is set."""

    pace = 0.05

    def __init__(self, gw, agent: str) -> None:
        super().__init__(daemon=True, name=agent)
        self.gw, self.agent = gw, agent
        self.idle = threading.Event()
        self.i = 0

    def run(self) -> None:
        conn = None
        while not R.stop.is_set():
            if R.pause.is_set():
                if conn is not None:
                    with contextlib.suppress(Exception):
                        conn.close()
                    conn = None
                self.idle.set()
                R.stop.wait(0.05)
                continue
            self.idle.clear()
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(self.gw.dsn(self.agent), autocommit=True)
                    R.count(f"{self.agent}.connects")
                self.i += 1
                self.step(conn)
            except psycopg.Error as e:
                R.count(f"{self.agent}.errors." + (getattr(e, "sqlstate", None) or "conn"))
                if connection_error(e) and conn is not None:
                    with contextlib.suppress(Exception):
                        conn.close()
                    conn = None
                    R.stop.wait(0.2)
            except Exception as e:  # noqa: BLE001 - a bug in the soak itself
                R.errors.append(f"{self.agent}: {e!r}\n{traceback.format_exc()}")
                R.stop.wait(1)
            R.stop.wait(self.pace)
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()
        self.idle.set()

    def write(self, conn, tags: list[str], sql: str) -> bool:
        try:
            conn.execute(sql)
        except psycopg.Error as e:
            st = getattr(e, "sqlstate", None)
            for t in tags:
                R.outcome(t, "unknown" if connection_error(e) else "refused", st)
            raise
        for t in tags:
            R.outcome(t, "ok")
        return True

    def step(self, conn) -> None:
        raise NotImplementedError


def tag(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(8)}"


class Reader(Worker):
    pace = 0.03

    def step(self, conn) -> None:
        k = rng.randint(1, 980)
        rows = conn.execute(f"SELECT id, name, email FROM public.customers WHERE id BETWEEN {k} AND {k + 20}").fetchall()
        R.count("reader.reads")
        if any(r[2] is not None and "@" in r[2] for r in rows):
            R.count("mask_leaks")
        if self.i % 10 == 0:
            conn.execute("SELECT count(*) FROM public.orders").fetchone()


class Writer(Worker):
    pace = 0.08

    def step(self, conn) -> None:
        t = tag("w")
        k = rng.randint(1, 1000)
        with contextlib.suppress(psycopg.Error):
            self.write(conn, [t], f"INSERT INTO public.orders(customer_id, tag, qty) VALUES ({k}, '{t}', 1)")
            R.count("writer.inserts")
        t2 = tag("u")
        a = rng.randint(1, 470)
        over = self.i % 10 == 0
        width = 20 if over else 2  # max_rows 5: 21 rows is over the limit
        try:
            self.write(conn, [t2], f"UPDATE public.tickets SET status = 'seen', tag = '{t2}' "
                                   f"WHERE id BETWEEN {a} AND {a + width}")
            R.count("writer.over_limit_committed" if over else "writer.updates")
        except psycopg.Error as e:
            if over and not connection_error(e):
                R.count("over_limit_refused")
            elif not connection_error(e):
                R.count("writer.update_refused." + (e.sqlstate or "?"))
        if self.i % 20 == 0:
            d = "DENYTOKEN-" + secrets.token_hex(8)
            try:
                conn.execute(f"DELETE FROM public.secrets WHERE v = '{d}'")
                R.count("denied_but_ran")
                R.outcome(d, "ok")
            except psycopg.Error as e:
                if getattr(e, "sqlstate", None) == "42501":
                    R.count("denials")
                elif connection_error(e):
                    raise


class LongTx(Worker):
    pace = 0.5

    def step(self, conn) -> None:
        t1, t2 = tag("l"), tag("l")
        committed_sent = False
        try:
            with conn.transaction():
                conn.execute(f"INSERT INTO public.orders(customer_id, tag, qty) VALUES (1, '{t1}', 2)")
                for _ in range(10):
                    conn.execute("SELECT pg_sleep(1)")
                    if R.stop.is_set() or R.pause.is_set():
                        raise psycopg.errors.QueryCanceled("soak: stopping")  # rolls back
                conn.execute(f"INSERT INTO public.orders(customer_id, tag, qty) VALUES (2, '{t2}', 2)")
                committed_sent = True
        except psycopg.Error as e:
            if committed_sent:
                status = "unknown" if connection_error(e) else "refused"
            else:
                status = "refused"  # never committed: the server rolls an open transaction back
            R.outcome(t1, status, getattr(e, "sqlstate", None))
            R.outcome(t2, status, getattr(e, "sqlstate", None))
            if connection_error(e):
                raise
            return
        R.outcome(t1, "ok")
        R.outcome(t2, "ok")
        R.count("longtx.committed")


class Storm(Worker):
    pace = 2.0

    def step(self, conn) -> None:
        # a retry storm: the same failing statement 30 times as fast as the gateway answers
        for _ in range(30):
            if R.stop.is_set() or R.pause.is_set():
                return
            try:
                conn.execute("SELECT id / 0 FROM public.tickets WHERE id = 1")
            except psycopg.Error as e:
                R.count("storm." + (getattr(e, "sqlstate", None) or "conn"))
                if connection_error(e):
                    raise


class Holder(Worker):
    pace = 3.0

    def step(self, conn) -> None:
        t = tag("h")
        k = rng.randint(1, 100)
        try:
            self.write(conn, [t], f"UPDATE public.accounts SET tag = '{t}' WHERE id = {k}")
            R.count("holds.ran")
        except psycopg.Error as e:
            if not connection_error(e):
                R.count("holds.refused." + (e.sqlstate or "?"))
            else:
                raise


class Batch(Worker):
    pace = 0.5

    def step(self, conn) -> None:
        t = tag("b")
        k = rng.randint(1, 990)
        try:
            self.write(conn, [t], f"UPDATE public.ledger SET tag = '{t}' WHERE id BETWEEN {k} AND {k + 9}")
            R.count("budget.rows_committed", 10)
        except psycopg.Error as e:
            if not connection_error(e):
                R.count("over_limit_refused")
                R.count("budget.refused")
            else:
                raise


# --------------------------------------------------------------------------- node and pgbench

class NodeAgent(threading.Thread):
    def __init__(self, gw, workdir: Path) -> None:
        super().__init__(daemon=True, name="node")
        self.gw, self.dir = gw, workdir
        self.pause_file = workdir / "node.pause"
        self.paused_file = workdir / "node.paused"
        self.stop_file = workdir / "node.stop"
        self.out = workdir / "node.jsonl"
        self.stats: dict = {}

    def run(self) -> None:
        env = self.gw.env("node")
        env.update(NODE_PATH=str(REPO / "tests" / "js" / "node_modules"), SOAK_PAUSE=str(self.pause_file),
                   SOAK_PAUSED=str(self.paused_file), SOAK_STOP=str(self.stop_file))
        with self.out.open("w") as out:
            p = subprocess.run(["node", str(HERE / "node_agent.cjs")], env=env, stdout=out,
                               stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            R.errors.append(f"node agent exited {p.returncode}: {p.stderr[-2000:]}")
        for line in self.out.read_text().splitlines():
            o = json.loads(line)
            if "stats" in o:
                self.stats = o["stats"]
            elif o.get("denied_expected"):
                R.count("denied_but_ran")
            else:
                R.outcome(o["tag"], o["status"], o.get("sqlstate"))


class Bench(threading.Thread):
    """pgbench -S in 10 s segments (a fault aborts pgbench's clients; the next segment starts
    fresh), per-transaction logs kept for the latency figures."""

    def __init__(self, gw, workdir: Path) -> None:
        super().__init__(daemon=True, name="bench")
        self.gw, self.dir = gw, workdir / "pgbench"
        self.dir.mkdir()
        self.idle = threading.Event()
        self.segments = 0
        self.aborted = 0

    def run(self) -> None:
        env = self.gw.env("bench")
        while not R.stop.is_set():
            if R.pause.is_set():
                self.idle.set()
                R.stop.wait(0.05)
                continue
            self.idle.clear()
            self.segments += 1
            p = subprocess.run(["pgbench", "-n", "-S", "-c", "4", "-j", "1", "-R", str(BENCH_RATE), "-T", "10",
                                "-l", f"--log-prefix={self.dir}/seg{self.segments:05d}"],
                               env=env, cwd=self.dir, capture_output=True, text=True)
            if p.returncode != 0:
                self.aborted += 1
                R.stop.wait(0.5)
        self.idle.set()

    def transactions(self) -> list[tuple[float, float]]:
        """(start, latency in ms) of every transaction logged."""
        out = []
        for f in self.dir.glob("seg*"):
            for line in f.read_text().splitlines():
                p = line.split()
                if len(p) < 6 or p[2] == "skipped":
                    continue
                lat_us = int(p[2])
                end = int(p[4]) + int(p[5]) / 1e6
                out.append((end - lat_us / 1e6, lat_us / 1000.0))
        return out


# --------------------------------------------------------------------------- idle connections

class IdleHolder(threading.Thread):
    """IDLE_CONNECTIONS logged-in connections, each reopened when the gateway closes it."""

    def __init__(self, gw) -> None:
        super().__init__(daemon=True, name="idle")
        self.gw = gw
        self.open = 0
        self.reopened = 0
        self.failed = 0
        self.loop: asyncio.AbstractEventLoop | None = None

    def run(self) -> None:
        asyncio.run(self.main())

    async def main(self) -> None:
        self.loop = asyncio.get_running_loop()
        sem = asyncio.Semaphore(50)
        tasks = [asyncio.create_task(self.hold(i, sem)) for i in range(IDLE_CONNECTIONS)]
        await asyncio.to_thread(R.stop.wait)  # the run's stop event, not a poll
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def hold(self, i: int, sem: asyncio.Semaphore) -> None:
        first = True
        while not R.stop.is_set():
            async with sem:
                try:
                    c = await RawConn.connect(self.gw.host, self.gw.port, "idle", self.gw.password("idle"),
                                              timeout=30)
                except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, harness.PgError,
                        harness.ProtocolError):
                    self.failed += 1
                    await asyncio.sleep(1 + random.random())
                    continue
            self.open += 1
            if not first:
                self.reopened += 1
            first = False
            try:
                while await c.reader.read(65536):
                    pass
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                self.open -= 1
                c.abort()
            await asyncio.sleep(random.random())


# --------------------------------------------------------------------------- gateway figures

def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return -1


def fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def approver(gw, stop: threading.Event) -> None:
    """Approves every pending request, as a person would, with the CLI."""
    binary = str(harness.find_airlock_bin())
    while not stop.is_set():
        try:
            r = subprocess.run([binary, "approvals", "list", "--json", "--config", str(gw.config_path)],
                               capture_output=True, text=True, timeout=30)
            if r.returncode == 0:
                for a in json.loads(r.stdout or "[]"):
                    if a.get("status") == "pending":
                        x = subprocess.run([binary, "approvals", "approve", a["id"], "--note", "soak",
                                            "--config", str(gw.config_path)],
                                           capture_output=True, text=True, timeout=30)
                        R.count("approvals.approved" if x.returncode == 0 else "approvals.approve_failed")
            else:
                R.count("approvals.list_failed")
        except (subprocess.TimeoutExpired, json.JSONDecodeError):
            R.count("approvals.list_failed")
        stop.wait(0.5)


# --------------------------------------------------------------------------- faults

class Faults:
    def __init__(self, pg, gw, holder: IdleHolder, audit_mount: Path | None, state_path: Path, work: Path):
        self.pg, self.gw, self.holder = pg, gw, holder
        self.audit_mount, self.state_path, self.work = audit_mount, state_path, work
        self.results: dict[str, list] = {}

    def note(self, fault: str, what) -> None:
        self.results.setdefault(fault, []).append(what)

    def run(self, fault: str) -> None:
        start = time.time()
        log(f"fault {fault}")
        try:
            getattr(self, fault)()
        except Exception as e:  # noqa: BLE001 - reported as a finding
            R.errors.append(f"fault {fault}: {e!r}\n{traceback.format_exc()}")
        R.windows.append((fault, start, time.time()))

    # each fault returns once it is over (its effects may take RECOVERY more seconds)
    def terminate_backends(self) -> None:
        with self.pg.su_connect() as c:
            n = c.execute("SELECT count(pg_terminate_backend(pid)) FROM (SELECT pid FROM pg_stat_activity "
                          "WHERE usename = 'airlock' AND backend_type = 'client backend' "
                          "ORDER BY random() LIMIT 60) s").fetchone()[0]
        self.note("terminate_backends", n)

    def pg_restart(self) -> None:
        t0 = time.monotonic()
        self.pg.restart()
        until(lambda: self.holder.open >= IDLE_CONNECTIONS, 120,
              lambda: f"idle connections not reopened after the restart: {self.holder.open}")
        self.note("pg_restart", round(time.monotonic() - t0, 1))

    def client_disconnects(self) -> None:
        async def mid_statement(k):
            marker = f"vanish-{secrets.token_hex(6)}"
            c = await RawConn.connect(self.gw.host, self.gw.port, "longtx", self.gw.password("longtx"))
            c.send(msg(b"Q", f"SELECT pg_sleep(30) /* {marker} */".encode() + b"\0"))
            await c.writer.drain()
            await asyncio.to_thread(until, lambda: active(self.pg, marker), 15, "pg_sleep never ran")
            c.abort()
            return marker

        async def mid_batch(k):
            c = await RawConn.connect(self.gw.host, self.gw.port, "writer", self.gw.password("writer"))
            t = tag("w")
            # no Sync ever arrives: the implicit transaction must never commit
            R.outcome(t, "refused", "no-sync")
            sql = f"INSERT INTO public.orders(customer_id, tag, qty) VALUES (3, '{t}', 1)".encode() + b"\0"
            batch = (msg(b"P", b"\0" + sql + b"\0\0") + msg(b"B", b"\0\0" + b"\0\0\0\0\0\0")
                     + msg(b"E", b"\0\0\0\0\0"))
            if k % 2:
                batch += b"S\0\0"  # half a Sync
            c.send(batch)
            await c.writer.drain()
            c.abort()

        async def go():
            markers = await asyncio.gather(*(mid_statement(k) for k in range(10)))
            await asyncio.gather(*(mid_batch(k) for k in range(10)))
            return markers
        markers = harness.run(go(), 90)
        t0 = time.monotonic()
        until(lambda: not any(active(self.pg, m) for m in markers), 20,
              "statements of vanished clients still run upstream")
        self.note("client_disconnects", round(time.monotonic() - t0, 2))

    def slowloris(self) -> None:
        """30 sockets sending a startup packet one byte a second, 10 logged-in sessions
        sending a Query one byte a second, for 20 s."""
        async def slow_startup():
            r, w = await asyncio.open_connection(self.gw.host, self.gw.port)
            pkt = harness.startup_packet({"user": "reader", "database": "app"})
            closed_after = None
            t0 = time.monotonic()
            for b in pkt[:20]:
                try:
                    w.write(bytes([b]))
                    await w.drain()
                except OSError:
                    closed_after = time.monotonic() - t0
                    break
                try:
                    if await asyncio.wait_for(r.read(1), 1.0) == b"" and closed_after is None:
                        closed_after = time.monotonic() - t0
                        break
                except asyncio.TimeoutError:
                    pass
            w.close()
            return closed_after

        async def slow_query():
            c = await RawConn.connect(self.gw.host, self.gw.port, "reader", self.gw.password("reader"))
            q = msg(b"Q", b"SELECT id FROM public.customers WHERE id = 1\0")
            for b in q[:20]:
                c.send(bytes([b]))
                await c.writer.drain()
                await asyncio.sleep(1)
            c.send(q[20:])
            await c.writer.drain()
            rows = await c.query("SELECT 1")  # the slow one answers first, then this
            c.abort()
            return rows is not None

        async def go():
            return await asyncio.gather(*(slow_startup() for _ in range(30)),
                                        *(slow_query() for _ in range(10)), return_exceptions=True)
        res = harness.run(go(), 90)
        closed = [r for r in res[:30] if isinstance(r, float)]
        self.note("slowloris", {"startup_closed_by_gateway": len(closed),
                                "slow_queries_answered": sum(1 for r in res[30:] if r is True),
                                "exceptions": [repr(r) for r in res if isinstance(r, BaseException)][:3]})

    def reload(self) -> None:
        cfg = self.gw.config_path
        good = cfg.read_text()
        n_ok = self.gw.log_text().count("reloaded ")
        n_bad = self.gw.log_text().count("reload rejected:")
        cfg.write_text(good.replace("cooldown: 5s", "cooldown: 6s"))
        self.gw.proc.send_signal(signal.SIGHUP)
        until(lambda: self.gw.log_text().count("reloaded ") > n_ok, 15, "valid reload not logged")
        cfg.write_text(good + "limits: {max_message_bytes: banana}\n")
        self.gw.proc.send_signal(signal.SIGHUP)
        until(lambda: self.gw.log_text().count("reload rejected:") > n_bad, 15, "invalid reload not rejected")
        cfg.write_text(good)
        self.gw.proc.send_signal(signal.SIGHUP)
        until(lambda: self.gw.log_text().count("reloaded ") > n_ok + 1, 15, "restoring reload not logged")
        self.note("reload", "ok")

    def audit_full(self) -> None:
        if self.audit_mount is None:
            self.note("audit_full", "skipped: no tmpfs")
            return
        filler = self.audit_mount / "filler"
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=1M", "status=none"], capture_output=True)
        refused = {"n": 0}

        def writes_refused():
            try:
                with psycopg.connect(self.gw.dsn("writer"), autocommit=True) as c:
                    t = tag("w")
                    try:
                        c.execute(f"INSERT INTO public.orders(customer_id, tag, qty) VALUES (4, '{t}', 1)")
                        R.outcome(t, "ok")
                        return False
                    except psycopg.Error as e:
                        R.outcome(t, "unknown" if connection_error(e) else "refused", e.sqlstate)
                        if e.sqlstate in ("53100", "58030"):
                            refused["n"] += 1
                            return True
                        return False
            except psycopg.Error:
                return False
        until(writes_refused, 30, "writes were not refused with the audit directory full")
        # full for 10 s, while the agents keep trying
        R.stop.wait(10)
        filler.unlink()

        def writes_work():
            try:
                with psycopg.connect(self.gw.dsn("writer"), autocommit=True) as c:
                    t = tag("w")
                    c.execute(f"INSERT INTO public.orders(customer_id, tag, qty) VALUES (5, '{t}', 1)")
                    R.outcome(t, "ok")
                    return True
            except psycopg.Error:
                return False
        t0 = time.monotonic()
        until(writes_work, 30, "writes not accepted again after space returned")
        self.note("audit_full", {"recovered_s": round(time.monotonic() - t0, 2)})

    def state_lock(self) -> None:
        db = sqlite3.connect(str(self.state_path), timeout=30, isolation_level=None)
        try:
            db.execute("BEGIN EXCLUSIVE")
            R.stop.wait(5)  # the fault: the store is locked this long
            db.execute("ROLLBACK")
        finally:
            db.close()
        self.note("state_lock", "ok")


def active(pg, marker: str) -> list:
    with pg.su_connect() as su:
        return su.execute("SELECT pid FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid()"
                          " AND query LIKE %s", [f"%{marker}%"]).fetchall()


FAULTS = ["terminate_backends", "pg_restart", "client_disconnects", "slowloris", "reload",
          "audit_full", "state_lock"]


# --------------------------------------------------------------------------- the run

def quiesce_and_measure(gw, workers, bench, node, holder, label: str) -> dict:
    """Pauses the agents, waits until every connection they had is gone and the idle ones are
    all open, and measures the gateway."""
    t0 = time.time()
    R.pause.set()
    node.pause_file.touch()
    until(lambda: all(w.idle.is_set() for w in workers) and bench.idle.is_set()
          and (node.paused_file.exists() or not node.is_alive()), 120, "agents did not pause")
    until(lambda: holder.open >= IDLE_CONNECTIONS, 120, lambda: f"idle connections: {holder.open}")
    pid = gw.proc.pid
    expected = BASE.get("fds")
    if expected is not None:
        # sessions of the paused agents close; wait for their fds to go
        with contextlib.suppress(AssertionError):
            until(lambda: fds(pid) <= expected + FD_TOLERANCE, 60, "fds")
    else:
        # the baseline: wait until the count stops falling (sessions closing)
        last = {"n": -1, "since": time.monotonic()}

        def settled():
            n = fds(pid)
            if n != last["n"]:
                last.update(n=n, since=time.monotonic())
            return time.monotonic() - last["since"] > 2
        until(settled, 60, "fds never settled")
    m = {"phase": label, "time": time.strftime("%H:%M:%S"), "rss_kib": rss_kib(pid), "fds": fds(pid),
         "idle_open": holder.open, "alive": gw.alive()}
    R.pause.clear()
    node.pause_file.unlink()
    R.pauses.append((t0, time.time()))
    log(f"measure {m}")
    return m


BASE: dict = {}


def p99(vals: list[float]) -> float:
    if not vals:
        return float("nan")
    s = sorted(vals)
    return s[min(len(s) - 1, int(0.99 * len(s)))]


def main() -> int:
    t_start = time.time()
    deadline = t_start + MINUTES * 60
    work = Path(tempfile.mkdtemp(prefix="airlock-soak-"))
    # a private copy of the binary: a rebuild during the run changes nothing
    original = harness.find_airlock_bin()
    if original is None:
        print("soak: airlock binary not found (set AIRLOCK_BIN or build it)", file=sys.stderr)
        return 2
    shutil.copy2(original, work / "airlock")
    os.environ["AIRLOCK_BIN"] = str(work / "airlock")
    log(f"soak: {MINUTES} min, seed {SEED}, binary {original}, work dir {work}")
    pg = harness.PgServer()
    pg.init()
    with (pg.datadir / "postgresql.conf").open("a") as f:
        f.write("log_statement = 'all'\nlog_min_messages = warning\nlog_line_prefix = '%m [%p] %u '\n")
    pg.start()
    pg.setup_roles_and_data()
    with pg.su_connect() as c:
        c.execute(SCHEMA)
    env = dict(os.environ, PGPASSWORD="")
    subprocess.run(["pgbench", "-i", "-q", "-s", "2", "-h", str(pg.sockdir), "-p", str(pg.port), "-U", "airlock",
                    "app"], check=True, capture_output=True, env=env)

    audit_mount: Path | None = work / "auditfs"
    audit_mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1536m,mode=0700", "tmpfs", str(audit_mount)],
                      capture_output=True).returncode != 0:
        log("cannot mount a tmpfs: the audit-full fault is skipped")
        audit_mount = None
    trail = (audit_mount or work) / "trail"
    state = work / "state.db"
    extra = (f"audit: {{dir: '{trail}', keep_literals: true, max_file_size: 16MiB}}\n"
             f"state: {{path: '{state}'}}\n"
             "approvals: {hold_wait: 30s, expire_after: 1h}\n"
             "limits: {max_connections: 5000}")
    gw = harness.start_gateway(pg, name="soak", extra_agents=AGENTS, agent_policies=POLICIES,
                               extra_yaml=extra, timeouts={"write": "10s", "auth": "10s"})
    figures: dict = {"minutes": MINUTES, "seed": SEED}
    failures: list[str] = []
    try:
        harness.wait_until_allowed(gw, "reader", "SELECT 1 FROM public.customers LIMIT 1", timeout=30)
        harness.wait_until_allowed(gw, "bench", "SELECT 1 FROM public.pgbench_accounts LIMIT 1", timeout=30)
        exited = {"at": None}

        def watch():
            while not R.stop.is_set():
                if gw.proc.poll() is not None and exited["at"] is None:
                    exited["at"] = time.time()
                    log(f"GATEWAY EXITED with {gw.proc.returncode}")
                R.stop.wait(0.5)
        threading.Thread(target=watch, daemon=True).start()

        holder = IdleHolder(gw)
        holder.start()
        until(lambda: holder.open >= IDLE_CONNECTIONS, 180, lambda: f"idle connections: {holder.open}")
        log(f"{holder.open} idle connections open; gateway RSS {rss_kib(gw.proc.pid)} KiB, fds {fds(gw.proc.pid)}")
        approver_stop = threading.Event()
        threading.Thread(target=approver, args=(gw, approver_stop), daemon=True).start()
        workers = [Reader(gw, "reader"), Reader(gw, "reader"), Writer(gw, "writer"), LongTx(gw, "longtx"),
                   Storm(gw, "storm"), Holder(gw, "holder"), Batch(gw, "batch")]
        only = set(filter(None, os.environ.get("SOAK_AGENTS", "").split(",")))
        if only:
            workers = [w for w in workers if w.agent in only]
        for w in workers:
            w.start()
        bench = Bench(gw, work)
        if not only or "bench" in only:
            bench.start()
        else:
            bench.idle.set()
        node = NodeAgent(gw, work)
        if not only or "node" in only:
            node.start()
        faults = Faults(pg, gw, holder, audit_mount, state, work)

        warm = min(180.0, max(30.0, 0.15 * MINUTES * 60))
        log(f"warm-up without faults: {warm:.0f} s")
        R.stop.wait(warm)
        warm_end = time.time()
        BASE.update(quiesce_and_measure(gw, workers, bench, node, holder, "baseline"))
        phases = [BASE]
        phase = 0
        while time.time() < deadline - 45 and gw.alive():
            phase += 1
            order = FAULTS[:]
            rng.shuffle(order)
            if os.environ.get("SOAK_FAULTS"):
                order = os.environ["SOAK_FAULTS"].split(",")
            log(f"phase {phase}: {order}")
            for f in order:
                if time.time() > deadline - 45 or not gw.alive():
                    break
                R.stop.wait(rng.uniform(10, 30))
                faults.run(f)
                if rng.random() < 0.3:  # now and then a second fault at once
                    R.stop.wait(rng.uniform(0, 3))
                    faults.run("terminate_backends")
            R.stop.wait(RECOVERY)
            phases.append(quiesce_and_measure(gw, workers, bench, node, holder, f"phase {phase}"))

        R.stop.set()
        approver_stop.set()
        node.stop_file.touch()
        for w in workers:
            w.join(30)
        if bench.is_alive():
            bench.join(60)
        if node.is_alive():
            node.join(60)
        holder.join(60)

        # ---- figures and checks
        pid_alive = gw.alive()
        figures["gateway_alive"] = pid_alive and exited["at"] is None
        if not figures["gateway_alive"]:
            failures.append(f"the gateway exited (code {gw.proc.returncode})")
        figures["phases"] = phases
        base_rss, base_fds = BASE["rss_kib"], BASE["fds"]
        rss_limit = base_rss + max(RSS_TOLERANCE_KIB, int(base_rss * RSS_TOLERANCE_SHARE))
        for p in phases[1:]:
            if p["rss_kib"] > rss_limit:
                failures.append(f"{p['phase']}: RSS {p['rss_kib']} KiB over {rss_limit} (baseline {base_rss})")
            if p["fds"] > base_fds + FD_TOLERANCE:
                failures.append(f"{p['phase']}: {p['fds']} fds, baseline {base_fds}")
        figures["rss_limit_kib"] = rss_limit

        # tags: PostgreSQL vs clients vs the audit trail
        in_pg: set[str] = set()
        with pg.su_connect() as c:
            for table in ("orders", "tickets", "accounts", "ledger"):
                in_pg.update(r[0] for r in c.execute(f"SELECT tag FROM public.{table} WHERE tag IS NOT NULL"))
        intents: set[str] = set()
        records = 0
        tag_re = re.compile(r"\b[wulhbn]-[0-9a-f]{16}\b")
        for f in sorted(trail.glob("audit-*.jsonl")):
            with f.open() as fh:
                for line in fh:
                    records += 1
                    if '"kind":"intent"' in line:
                        intents.update(tag_re.findall(line))
        status: dict[str, str] = {}
        for t, s, _ in R.outcomes:
            status[t] = s
        refused_in_pg = sorted(t for t, s in status.items() if s == "refused" and t in in_pg)
        no_intent = sorted(t for t in in_pg if t not in intents)
        # updates overwrite each other's tags (u-, h-, b-): only the inserts (w-, l-, n-) must
        # all be there
        ok_inserts_lost = sorted(t for t, s in status.items()
                                 if s == "ok" and t.startswith(("w-", "l-", "n-")) and t not in in_pg)
        figures["writes"] = {
            "tags_in_postgres": len(in_pg), "intent_tags": len(intents), "audit_records": records,
            "outcomes": {s: sum(1 for v in status.values() if v == s) for s in ("ok", "refused", "unknown")},
            "committed_without_intent": len(no_intent), "refused_but_in_postgres": len(refused_in_pg),
            "acknowledged_inserts_missing": len(ok_inserts_lost),
        }
        if no_intent:
            failures.append(f"{len(no_intent)} committed writes without an intent record, e.g. {no_intent[:5]}")
        if refused_in_pg:
            failures.append(f"{len(refused_in_pg)} refused writes are in PostgreSQL, e.g. {refused_in_pg[:5]}")
        if ok_inserts_lost:
            failures.append(f"{len(ok_inserts_lost)} acknowledged inserts missing, e.g. {ok_inserts_lost[:5]}")
        if R.counts.get("denied_but_ran"):
            failures.append(f"{R.counts['denied_but_ran']} statements that should be denied ran")
        if R.counts.get("mask_leaks") or node.stats.get("mask_leaks"):
            failures.append("a masked column reached a client unmasked")

        v = subprocess.run([str(harness.find_airlock_bin()), "audit", "verify", "-c", str(gw.config_path)],
                           capture_output=True, text=True, timeout=600)
        figures["audit_verify"] = (v.stdout + v.stderr).strip().splitlines()[-1:]
        if v.returncode != 0:
            failures.append(f"airlock audit verify: exit {v.returncode}: {v.stdout[-500:]} {v.stderr[-500:]}")

        pglog = pg.logfile.read_text(errors="replace")
        figures["pg_log_lines"] = pglog.count("\n")
        leaked = pglog.count("DENYTOKEN")
        figures["denied_statements_in_pg_log"] = leaked
        figures["denials_seen_by_clients"] = R.counts.get("denials", 0) + node.stats.get("denied", 0)
        if leaked:
            failures.append(f"{leaked} denied statements in PostgreSQL's statement log")

        # pgbench latency
        tx = bench.transactions()
        windows = [(a - 1, b + RECOVERY) for _, a, b in R.windows] + [(a - 1, b + 5) for a, b in R.pauses]
        first = min((s for s, _ in tx), default=0.0)
        warm_lat = [lat for s, lat in tx if first + 10 < s < warm_end]
        outside = [lat for s, lat in tx if s > warm_end and not any(a <= s <= b for a, b in windows)]
        inside = [lat for s, lat in tx if s > warm_end and any(a <= s <= b for a, b in windows[:len(R.windows)])]
        figures["pgbench"] = {
            "transactions": len(tx), "segments": bench.segments, "segments_aborted": bench.aborted,
            "p99_unfaulted_ms": round(p99(warm_lat), 2), "n_unfaulted": len(warm_lat),
            "p99_outside_faults_ms": round(p99(outside), 2), "n_outside": len(outside),
            "p99_inside_faults_ms": round(p99(inside), 2), "n_inside": len(inside),
            "median_unfaulted_ms": round(statistics.median(warm_lat), 2) if warm_lat else None,
        }
        if warm_lat and outside and p99(outside) > 3 * p99(warm_lat):
            failures.append(f"pgbench p99 outside fault windows {p99(outside):.2f} ms > 3x {p99(warm_lat):.2f} ms")
        figures["faults"] = {f: len([w for w in R.windows if w[0] == f]) for f in FAULTS}
        figures["fault_results"] = faults.results
        figures["idle"] = {"open_at_end": holder.open, "reopened": holder.reopened, "connect_failures": holder.failed}
        figures["counts"] = dict(sorted(R.counts.items()))
        figures["node"] = node.stats
        figures["gateway_log"] = {k: gw.log_text().count(k) for k in
                                  ("upstream connection lost", "upstream sent an invalid message", "write timeout",
                                   "reloaded ", "reload rejected:", " error ", " critical ")}
        if R.errors:
            failures.append(f"{len(R.errors)} errors in the soak itself: {R.errors[:3]}")
        figures["failures"] = failures
        figures["wall_minutes"] = round((time.time() - t_start) / 60, 1)
    finally:
        R.stop.set()
        out = Path(os.environ.get("SOAK_OUT", work / "soak-result.json"))
        out.write_text(json.dumps(figures, indent=2, default=str))
        alive = gw.alive()
        log_tail = gw.log_text()[-3000:]
        with contextlib.suppress(OSError):
            (work / "airlock.log").write_text(gw.log_text())
            shutil.copy2(pg.logfile, work / "postgres.log")
        gw.stop()
        pg.cleanup()
        if audit_mount is not None:
            subprocess.run(["umount", "-l", str(audit_mount)], capture_output=True)
        if not alive:
            print("=== gateway log tail:\n" + log_tail)
    print(json.dumps(figures, indent=2, default=str))
    print(f"soak figures written to {out}")
    if failures:
        print("SOAK FAILED:\n  " + "\n  ".join(failures))
        return 1
    print("soak: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
