"""Shared setup of the test_enforce_*.py modules: a help-desk schema in the test database, an
Airlock gateway that enforces a policy for the agents `support` and `reader`, and small
helpers (raw extended-protocol messages, direct superuser checks of the data).

Each test_enforce_* module gets its own gateway from the module-scoped `gateway` fixture
defined here (it overrides conftest's session `gateway` inside those modules, so conftest's
failure hook still appends the airlock log tail). Import it with

    from enforce_setup import gateway  # noqa: F401  (module-scoped enforcing gateway)

The tables are created by the superuser before the gateway starts (the gateway reads the
upstream catalog at start) and are owned by `postgres`; the upstream role `airlock` gets
exactly the privileges the tests need, so a statement Airlock wrongly forwarded would run.
"""
from __future__ import annotations

import asyncio
import secrets
import struct
import sys
import time

import psycopg
import pytest

import harness
from harness import PgError, RawConn, msg, parse_error_fields

SUPPORT_PW = "support-" + secrets.token_hex(8)
READER_PW = "reader-" + secrets.token_hex(8)
EXTRA_AGENTS = {
    "support": ("SUPPORT_PASSWORD", SUPPORT_PW),
    "reader": ("READER_PASSWORD", READER_PW),
}

# allow[0..5] / hold[0] as docs/policy.md numbers them.
POLICIES = {
    "support": """
        allow:
          - tables: [public.tickets]
            actions: [select]
          - tables: [public.tickets]
            actions: [update]
            columns: [status]
          - tables: [public.ticket_comments]
            actions: [insert]
          - sequences: [public.ticket_comments_id_seq]
          - tables: [public.customers]
            actions: [select]
            mask: [email, phone]
            deny_columns: [ssn]
          - tables: [public.items]
            actions: [update]
            columns: [qty]
            max_rows: 10
        hold:
          - tables: [public.customers]
            actions: [update]
            reason: customer changes need a human
    """,
    "reader": """
        allow:
          - tables: [public.tickets]
            actions: [select]
    """,
}

TICKETS = [
    (1, "open", "ann", "printer is broken"),
    (2, "open", "bob", "vpn drops every hour"),
    (3, "pending", None, "refund please"),
]
CUSTOMERS = [
    (1, "a@example.com", "555-0101", "111-22-3333"),
    (2, "b@example.com", "555-0102", "444-55-6666"),
]
SECRET_TICKETS = [(1, "SECRET", "nobody", "not for agents")]

SCHEMA_SQL = """
DROP SCHEMA IF EXISTS enf_secret CASCADE;
DROP TABLE IF EXISTS public.ticket_comments, public.tickets, public.customers, public.t2 CASCADE;
CREATE TABLE public.tickets(id serial PRIMARY KEY, status text, assignee text, body text);
CREATE TABLE public.customers(id int PRIMARY KEY, email text, phone text, ssn text);
CREATE TABLE public.ticket_comments(id serial PRIMARY KEY, ticket_id int, body text);
-- Another schema with a table of the same name: what a search_path mismatch between
-- Airlock and the server would expose.
CREATE SCHEMA enf_secret;
CREATE TABLE enf_secret.tickets(id int PRIMARY KEY, status text, assignee text, body text);
GRANT USAGE ON SCHEMA enf_secret TO airlock;
GRANT SELECT ON enf_secret.tickets TO airlock;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON public.tickets, public.customers,
      public.ticket_comments TO airlock;
GRANT USAGE, SELECT, UPDATE ON SEQUENCE public.tickets_id_seq, public.ticket_comments_id_seq TO airlock;
"""


def create_schema(pg) -> None:
    with pg.su_connect() as c:
        c.execute(SCHEMA_SQL)
        # public is writable by airlock anyway (database owner); nothing else to grant.
    reset_data(pg)


def reset_data(pg) -> None:
    with pg.su_connect() as c:
        c.execute("TRUNCATE public.tickets, public.customers, public.ticket_comments RESTART IDENTITY")
        c.execute("DELETE FROM enf_secret.tickets")
        with c.cursor() as cur:
            cur.executemany("INSERT INTO public.tickets(id, status, assignee, body) VALUES (%s, %s, %s, %s)",
                            TICKETS)
            cur.executemany("INSERT INTO public.customers VALUES (%s, %s, %s, %s)", CUSTOMERS)
            cur.executemany("INSERT INTO enf_secret.tickets VALUES (%s, %s, %s, %s)", SECRET_TICKETS)
        c.execute("SELECT setval('public.tickets_id_seq', 3)")


# --------------------------------------------------------------------------- direct checks

def su_rows(pg, sql: str, params=None) -> list[tuple]:
    with pg.su_connect() as c:
        return c.execute(sql, params).fetchall()


def data_snapshot(pg) -> dict:
    """Everything the bypass tests could damage, read directly on PostgreSQL."""
    queries = {
        "tickets": "SELECT id, status, assignee, body FROM public.tickets ORDER BY id",
        "customers": "SELECT * FROM public.customers ORDER BY id",
        "comments": "SELECT * FROM public.ticket_comments ORDER BY id",
        "secret": "SELECT * FROM enf_secret.tickets ORDER BY id",
        "items": "SELECT count(*), sum(qty), sum(id) FROM public.items",
        "relations": "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n "
                     "ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'enf_secret') "
                     "AND c.relkind IN ('r', 'S') ORDER BY 1, 2",
        "schemas": "SELECT nspname FROM pg_namespace WHERE nspname IN ('public', 'enf_secret') ORDER BY 1",
        # sequences are not transactional: a statement that ran and then failed still moves them
        "sequences": "SELECT last_value, is_called FROM public.tickets_id_seq UNION ALL "
                     "SELECT last_value, is_called FROM public.ticket_comments_id_seq",
    }
    with pg.su_connect() as c:
        return {k: c.execute(q).fetchall() for k, q in queries.items()}


# --------------------------------------------------------------------------- gateway

def _wait_for_catalog(gw: harness.Gateway, timeout: float = 15) -> None:
    """The gateway reads the upstream catalog asynchronously after start and a session keeps
    the catalog current at its login. With the catalog, `SELECT *` from customers expands to
    ssn (deny_columns); without it the columns are unknown. Wait until a new session sees it."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(gw.dsn("support"), autocommit=True) as c:
                c.execute("SELECT * FROM customers")
                last = "SELECT * FROM customers was allowed"
        except psycopg.errors.InsufficientPrivilege as e:
            last = e.diag.message_primary or ""  # (the HINT names ssn in any case)
            if "ssn" in last:
                return
        except psycopg.Error as e:
            last = repr(e)
        time.sleep(0.1)
    raise AssertionError(f"the gateway never used the upstream catalog (last: {last})\n{gw.log_text()}")


def start_enforcing_gateway(pg, name: str = "enforce") -> harness.Gateway:
    gw = harness.start_gateway(pg, name=name, extra_agents=EXTRA_AGENTS, agent_policies=POLICIES)
    try:
        _wait_for_catalog(gw)
    except BaseException:
        gw.stop()
        raise
    return gw


@pytest.fixture(scope="module")
def gateway(pg):
    """An enforcing gateway (see the module docstring), with fresh help-desk data."""
    if harness.DIRECT:
        pytest.skip("policy enforcement needs the gateway")
    create_schema(pg)
    gw = start_enforcing_gateway(pg)
    try:
        yield gw
    finally:
        alive = gw.proc.poll() is None
        log = gw.log_text()
        gw.stop()
        if not alive:
            print(f"\n=== airlock exited early (code {gw.proc.returncode}); log:\n{log}", file=sys.stderr)


@pytest.fixture
def fresh_data(pg, gateway):
    """Resets the help-desk rows before and after the test (tests that write)."""
    reset_data(pg)
    yield
    reset_data(pg)


# --------------------------------------------------------------------------- raw protocol

def parse_msg(sql: str | bytes, name: str = "") -> bytes:
    q = sql if isinstance(sql, bytes) else sql.encode()
    return msg(b"P", name.encode() + b"\0" + q + b"\0" + struct.pack("!H", 0))


def bind_msg(statement: str = "", portal: str = "", params: list[str] | None = None) -> bytes:
    params = params or []
    body = portal.encode() + b"\0" + statement.encode() + b"\0" + struct.pack("!H", 0)
    body += struct.pack("!H", len(params))
    for p in params:
        b = p.encode()
        body += struct.pack("!i", len(b)) + b
    body += struct.pack("!H", 0)
    return msg(b"B", body)


def execute_msg(portal: str = "") -> bytes:
    return msg(b"E", portal.encode() + b"\0" + struct.pack("!I", 0))


def sync_msg() -> bytes:
    return msg(b"S")


def query_msg(sql: str | bytes) -> bytes:
    q = sql if isinstance(sql, bytes) else sql.encode()
    return msg(b"Q", q + b"\0")


def pbes(sql: str, name: str = "", params: list[str] | None = None) -> bytes:
    """One extended-protocol batch: Parse, Bind, Execute, Sync."""
    return parse_msg(sql, name) + bind_msg(name, "", params) + execute_msg() + sync_msg()


async def read_batches(c: RawConn, n_ready: int, timeout: float = 10) -> list[list[tuple[bytes, bytes]]]:
    """Reads until n_ready ReadyForQuery messages; returns the messages of each batch (the
    ReadyForQuery closes its batch). Fails on a timeout (a missing ReadyForQuery)."""
    batches: list[list[tuple[bytes, bytes]]] = []
    cur: list[tuple[bytes, bytes]] = []
    while len(batches) < n_ready:
        t, body = await asyncio.wait_for(c.read_msg(), timeout)
        if t in (b"N", b"S"):
            continue
        cur.append((t, body))
        if t == b"Z":
            batches.append(cur)
            cur = []
    return batches


async def no_more_messages(c: RawConn, wait: float = 0.3) -> list[tuple[bytes, bytes]]:
    """Whatever else arrives within `wait` seconds (should be nothing)."""
    out = []
    try:
        while True:
            out.append(await asyncio.wait_for(c.read_msg(), wait))
    except asyncio.TimeoutError:
        return out


def summary(batch: list[tuple[bytes, bytes]]) -> list[str]:
    """A batch as short strings: 'E:42501', 'D:<first column>', 'Z:I', or the type letter."""
    out = []
    for t, body in batch:
        if t == b"E":
            out.append("E:" + parse_error_fields(body).get("C", "?"))
        elif t == b"D":
            n = struct.unpack("!H", body[:2])[0]
            ln = struct.unpack("!i", body[2:6])[0] if n else -1
            out.append("D:" + (body[6:6 + ln].decode() if ln >= 0 else "NULL"))
        elif t == b"Z":
            out.append("Z:" + body[:1].decode())
        else:
            out.append(t.decode())
    return out


def errors(batch: list[tuple[bytes, bytes]]) -> list[dict[str, str]]:
    return [parse_error_fields(b) for t, b in batch if t == b"E"]


async def raw_connect(gw: harness.Gateway, agent: str = "support") -> RawConn:
    return await RawConn.connect(gw.host, gw.port, agent, gw.password(agent))


async def raw_query_error(c: RawConn, sql: str | bytes) -> dict[str, str] | None:
    """Simple query; the ErrorResponse fields, or None if it succeeded."""
    c.send(query_msg(sql))
    await c.writer.drain()
    batch = (await read_batches(c, 1))[0]
    errs = errors(batch)
    return errs[0] if errs else None


def assert_refused(fields: dict[str, str] | None, what: str = "") -> None:
    """The ErrorResponse shape of a policy refusal (42501, 'airlock: ' message, a HINT)."""
    assert fields is not None, f"{what}: expected a refusal, the statement succeeded"
    assert fields.get("C") == "42501", f"{what}: {fields}"
    assert fields.get("S") == "ERROR", f"{what}: {fields}"
    assert fields.get("M", "").startswith("airlock: "), f"{what}: {fields}"


__all__ = ["gateway", "fresh_data", "PgError"]
