"""Issue #21: the row guard cannot be bypassed by desynchronizing Airlock's view of prepared
statement and portal names from the server's. Each test is named after the bypass it stops.

The agent may UPDATE public.n_subs under max_rows 10; 60 rows match status = 'past_due', so
every write below that reaches PostgreSQL unguarded would change 60 rows. Each test checks
the table directly afterwards: nothing may have changed."""
from __future__ import annotations

import asyncio
import struct

import psycopg
import pytest

import harness
from enforce_setup import bind_msg, execute_msg, msg, parse_msg, query_msg, summary, sync_msg
from harness import parse_error_fields, run

pytestmark = pytest.mark.gateway_only

AGENT_PW = "names-pw-" + "7f3a"
AGENTS = {"namesbot": ("NAMESBOT_PASSWORD", AGENT_PW)}
POLICY = {
    "namesbot": """
        allow:
          - tables: [public.n_subs]
            actions: [select]
          - tables: [public.n_subs]
            actions: [update]
            max_rows: 10
    """,
}
SCHEMA = """
DROP TABLE IF EXISTS public.n_subs;
CREATE TABLE public.n_subs(id int PRIMARY KEY, status text NOT NULL, plan text NOT NULL);
GRANT SELECT, UPDATE ON public.n_subs TO airlock;
"""
WRITE = "UPDATE n_subs SET plan = 'free' WHERE status = 'past_due'"  # 60 rows, limit 10


def free_count(pg) -> int:
    with pg.su_connect() as c:
        return c.execute("SELECT count(*) FROM public.n_subs WHERE plan = 'free'").fetchone()[0]


@pytest.fixture(scope="module")
def gateway(pg):
    if harness.DIRECT:
        pytest.skip("needs the gateway")
    with harness.policy_gateway(pg, "names", AGENTS, POLICY, SCHEMA,
                                ("namesbot", "SELECT count(*) FROM n_subs")) as gw:
        yield gw


@pytest.fixture(autouse=True)
def data(pg, gateway):
    with pg.su_connect() as c:
        c.execute("TRUNCATE public.n_subs")
        c.execute("INSERT INTO public.n_subs SELECT g, CASE WHEN g <= 60 THEN 'past_due' "
                  "ELSE 'active' END, 'pro' FROM generate_series(1, 100) g")
    yield
    assert free_count(pg) == 0, "a write ran unguarded"


def close_msg(kind: str, name: str) -> bytes:
    return msg(b"C", kind.encode() + name.encode() + b"\0")


def describe_msg(kind: str, name: str) -> bytes:
    return msg(b"D", kind.encode() + name.encode() + b"\0")


def execute_rows(portal: str, max_rows: int) -> bytes:
    return msg(b"E", portal.encode() + b"\0" + struct.pack("!I", max_rows))


def exchange(gw, payloads: list[bytes], n_ready: int, timeout: float = 20, pipelined: bool = True):
    """Sends the payloads all in one write (or, not `pipelined`, each after the one before is
    answered: one ReadyForQuery each); returns each batch's summary and messages. No byte the
    client gets may quote Airlock's marker or names, and the session must go on working."""
    async def go():
        c = await harness.RawConn.connect(gw.host, gw.port, "namesbot", AGENT_PW)
        try:
            batches, cur, raw = [], [], b""
            for i, p in enumerate([b"".join(payloads)] if pipelined else payloads):
                c.send(p)
                await c.writer.drain()
                want = n_ready if pipelined else i + 1
                while len(batches) < want:
                    t, body = await asyncio.wait_for(c.read_msg(), timeout)
                    raw += t + body
                    cur.append((t, body))
                    if t == b"Z":
                        batches.append(cur)
                        cur = []
            # The session still works afterwards.
            c.send(query_msg("SELECT count(*) FROM n_subs"))
            await c.writer.drain()
            after = []
            while True:
                t, body = await asyncio.wait_for(c.read_msg(), timeout)
                after.append((t, body))
                if t == b"Z":
                    break
            return batches, raw, after
        finally:
            await c.close()
    batches, raw, after = run(go(), timeout * 2)
    assert b"airlock_denied" not in raw and b"airlock_g" not in raw, raw
    assert "D:100" in summary(after), summary(after)
    return [summary(b) for b in batches], batches


def codes(batch) -> list[str]:
    return [parse_error_fields(body).get("C", "?") for t, body in batch if t == b"E"]


# --- the reproductions of the issue -------------------------------------------------------

def test_prepare_refused_42p05_does_not_replace_guarded_statement(gateway):
    s, batches = exchange(gateway, [
        query_msg(f"PREPARE pr AS {WRITE}"),
        query_msg("PREPARE pr AS SELECT 1"),   # PostgreSQL: 42P05, pr keeps the UPDATE
        query_msg("EXECUTE pr"),               # runs the UPDATE: under the guard
    ], 3)
    assert codes(batches[1]) == ["42P05"], s
    assert codes(batches[2]) == ["42501"], s
    assert "would change 60 rows" in parse_error_fields(batches[2][0][1])["M"]


@pytest.mark.parametrize("pipelined", [False, True], ids=["batches", "pipelined"])
def test_close_and_parse_skipped_after_error_keep_guarded_statement(gateway, pipelined):
    payloads = [
        parse_msg(WRITE, "s") + sync_msg(),
        # The error skips the Close and the Parse: the server's s is still the UPDATE.
        parse_msg("SELECT 1/0") + bind_msg() + execute_msg() + close_msg("S", "s")
        + parse_msg("SELECT 1", "s") + sync_msg(),
        bind_msg("s") + execute_msg() + sync_msg(),
    ]
    s, batches = exchange(gateway, payloads, 3, pipelined=pipelined)
    assert codes(batches[1]) == ["22012"], s
    assert codes(batches[2]) == ["42501"], s  # the UPDATE ran under the guard and was undone


def test_flush_before_error_then_reparse(gateway):
    """A Flush lets the Close be answered before the error: then it did happen."""
    s, batches = exchange(gateway, [
        parse_msg(WRITE, "s") + sync_msg(),
        close_msg("S", "s") + msg(b"H")
        + parse_msg("SELECT 1/0") + bind_msg() + execute_msg() + parse_msg("SELECT 1", "s") + sync_msg(),
        bind_msg("s") + execute_msg() + sync_msg(),
    ], 3)
    assert codes(batches[2]) == ["26000"], s  # s was closed, and its new Parse skipped


def test_deallocate_in_failed_query_string_keeps_guarded_statement(gateway):
    s, batches = exchange(gateway, [
        query_msg(f"PREPARE pr AS {WRITE}"),
        query_msg("SELECT 1/0; DEALLOCATE pr; PREPARE pr AS SELECT 1"),
        query_msg("EXECUTE pr"),
    ], 3)
    assert codes(batches[1]) == ["22012"], s
    assert codes(batches[2]) == ["42501"], s


def test_fetch_of_protocol_portal_refused(gateway):
    """FETCH runs a portal's statement to completion (an UPDATE ... RETURNING too): a portal
    made by Bind is run only by Execute, under its guard."""
    s, batches = exchange(gateway, [
        query_msg("BEGIN"),
        parse_msg(WRITE + " RETURNING id", "s") + bind_msg("s", "p") + sync_msg(),
        query_msg("FETCH ALL p"),
        query_msg("ROLLBACK"),
    ], 4)
    assert codes(batches[2]) == ["34000"], s


def test_execute_inside_parse_rechecked_when_run(gateway):
    """A Parse of `EXECUTE x` was judged by x then; x replaced since is not what ran."""
    s, batches = exchange(gateway, [
        query_msg("PREPARE x AS SELECT 1"),
        parse_msg("EXECUTE x", "runner") + sync_msg(),
        query_msg("DEALLOCATE x"),
        query_msg(f"PREPARE x AS {WRITE}"),
        bind_msg("runner") + execute_msg() + sync_msg(),
    ], 5)
    assert codes(batches[4]) == ["26000"], s


# --- the guard's own names ---------------------------------------------------------------

def test_guard_names_invisible_in_pg_prepared_statements(pg, gateway):
    with psycopg.connect(gateway.dsn("namesbot"), autocommit=True) as c:
        assert c.execute("UPDATE n_subs SET plan = %s WHERE id <= %s", ["basic", 2]).rowcount == 2
        assert c.execute("UPDATE n_subs SET plan = 'basic' WHERE id = 3").rowcount == 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute(WRITE)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("UPDATE n_subs SET plan = %s WHERE status = %s", ["free", "past_due"])
        for view in ("pg_prepared_statements", "pg_cursors"):
            names = [r[0] for r in c.execute(f"SELECT name FROM {view}").fetchall()]
            assert not [n for n in names if n.lower().startswith("airlock")], (view, names)
    with pg.su_connect() as c:  # undo the allowed writes for the data fixture
        c.execute("UPDATE public.n_subs SET plan = 'pro'")


@pytest.mark.parametrize("message", [
    parse_msg("SELECT 1", "airlock_x"),
    bind_msg("airlock_x"),
    bind_msg("", "airlock_p"),
    describe_msg("S", "airlock_x"),
    close_msg("S", "airlock_x"),
    close_msg("P", "airlock_p"),
    execute_msg("airlock_p"),
], ids=["parse", "bind_statement", "bind_portal", "describe", "close_statement", "close_portal",
        "execute"])
def test_client_message_naming_reserved_name_refused(gateway, message):
    s, batches = exchange(gateway, [message + sync_msg()], 1)
    assert codes(batches[0]) == ["42939"], s


@pytest.mark.parametrize("sql", [
    "PREPARE airlock_x AS SELECT 1",
    "EXECUTE airlock_x",
    "DEALLOCATE airlock_x",
    "DECLARE airlock_c CURSOR FOR SELECT 1",
    "FETCH ALL airlock_c",
    "CLOSE airlock_c",
    "SAVEPOINT airlock_s",
    "RELEASE SAVEPOINT AIRLOCK_s",
    "ROLLBACK TO SAVEPOINT airlock_s",
])
def test_sql_naming_reserved_name_refused(gateway, sql):
    s, batches = exchange(gateway, [query_msg("BEGIN"), query_msg(sql), query_msg("ROLLBACK")], 3)
    errs = [parse_error_fields(b) for t, b in batches[1] if t == b"E"]
    assert [e.get("C") for e in errs] == ["42501"], s
    # EXECUTE of a name never prepared is refused by the policy before the gateway's rule.
    assert "gateway.reserved_name" in errs[0]["M"] or "unknown_prepared" in errs[0]["M"], errs


# --- no hang, no marker --------------------------------------------------------------------

def test_denied_statement_then_guarded_write_in_one_batch(gateway):
    s, batches = exchange(gateway, [
        parse_msg("DELETE FROM n_subs") + bind_msg() + execute_msg()
        + parse_msg(WRITE) + bind_msg() + execute_msg() + sync_msg(),
        parse_msg("SELECT 1") + bind_msg() + execute_msg() + sync_msg(),
    ], 2)
    assert s[0] == ["E:42501", "Z:I"], s
    assert s[1] == ["1", "2", "D:1", "C", "Z:I"], s


def test_denied_execute_then_guarded_write_in_one_batch(gateway):
    s, batches = exchange(gateway, [
        parse_msg("SELECT 1", "ok") + sync_msg(),
        bind_msg("ok") + execute_msg("nope") + parse_msg(WRITE) + bind_msg() + execute_msg()
        + sync_msg(),
    ], 2)
    assert s[1] == ["2", "E:34000", "Z:I"], s


def test_guarded_returning_with_row_limit_on_execute(gateway):
    s, batches = exchange(gateway, [
        parse_msg(WRITE + " RETURNING id") + bind_msg() + execute_rows("", 5) + sync_msg(),
    ], 1)
    assert codes(batches[0]) == ["0A000"], s
