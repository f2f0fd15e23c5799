"""Bypass attempts through real clients against an enforcing gateway: every one is refused
with 42501 ('airlock: ...' and a HINT) over the simple and the extended protocol, and the
data on PostgreSQL (read directly as the superuser) is unchanged afterwards: nothing of a
refused string ran, not even its allowed parts. Unparseable SQL and invalid UTF-8 are
refused the same way (42501, not the server's 42601/22021)."""
import subprocess

import psycopg
import pytest

from enforce_setup import (assert_refused, data_snapshot, gateway, parse_msg, bind_msg,  # noqa: F401
                           execute_msg, sync_msg, query_msg, raw_connect, read_batches, errors,
                           summary)
from harness import run

pytestmark = pytest.mark.gateway_only

BYPASSES = [
    # stacked statements: the whole string is judged, strictest verdict wins
    ("stacked_drop_schema", "SELECT 1; COMMIT; DROP SCHEMA public CASCADE"),
    ("select_then_drop", "SELECT 1; DROP TABLE tickets"),
    ("allowed_then_denied", "SELECT status FROM tickets WHERE id = 1; DELETE FROM tickets WHERE id = 1"),
    ("seq_then_delete", "SELECT nextval('public.ticket_comments_id_seq'); DELETE FROM tickets WHERE id = 1"),
    # comments and quoting that a naive scanner reads differently from PostgreSQL
    ("leading_comment", "/* hi */ DELETE FROM tickets"),
    ("nested_comment", "/* /* */ SELECT 1; */ DELETE FROM tickets WHERE id = 1"),
    ("dollar_in_identifier", "SELECT 1 AS x$$; DELETE FROM tickets WHERE id = 1; --$$"),
    ("nested_dollar_tags", "SELECT $a$ $$ $a$; DELETE FROM tickets WHERE id = 1"),
    ("backslash_standard_string", "SELECT '\\'; DELETE FROM tickets WHERE id = 1; --'"),
    # writes hidden in reads
    ("cte_delete", "WITH d AS (DELETE FROM tickets RETURNING *) SELECT * FROM d"),
    ("explain_analyze_delete", "EXPLAIN ANALYZE DELETE FROM tickets"),
    ("select_into", "SELECT * INTO t2 FROM tickets"),
    # dangerous functions
    ("pg_read_file", "SELECT * FROM pg_read_file('/etc/passwd')"),
    ("pg_terminate_backend", "SELECT pg_terminate_backend(1)"),
    ("set_config_role", "SELECT set_config('role','postgres',false)"),
    ("unlisted_sequence", "SELECT nextval('public.tickets_id_seq')"),
    ("do_block", "DO $$BEGIN DELETE FROM tickets; END$$"),
    # writes beyond the policy
    ("delete_where_true", "DELETE FROM tickets WHERE 1=1"),
    ("update_without_where", "UPDATE tickets SET status='x'"),
    ("update_tautology", "UPDATE tickets SET status = 'x' WHERE id = id OR true"),
    ("update_unlisted_column", "UPDATE tickets SET status = 'x', assignee = 'mallory' WHERE id = 1"),
    ("truncate", "TRUNCATE tickets"),
    ("other_schema", "SELECT * FROM enf_secret.tickets"),
    ("set_role", "SET ROLE postgres"),
    ("sensitive_catalog", "SELECT rolname FROM pg_authid"),
    # not understood
    ("unparseable", "SELEC 1"),
]


@pytest.fixture(scope="module")
def baseline(pg, gateway):  # noqa: F811
    return data_snapshot(pg)


@pytest.fixture(scope="module")
def support(gateway):  # noqa: F811
    c = gateway.connect("support")
    yield c
    c.close()


def _refused(conn, sql, *, extended):
    """Runs sql; returns the InsufficientPrivilege error (fails on success or another error)."""
    with pytest.raises(psycopg.Error) as ei:
        # binary=True makes psycopg use the extended protocol even without parameters
        conn.execute(sql, binary=True) if extended else conn.execute(sql)
    e = ei.value
    assert e.sqlstate == "42501", f"{sql!r}: {e.sqlstate} {e}"
    assert e.diag.message_primary.startswith("airlock: "), e.diag.message_primary
    assert e.diag.message_hint, f"{sql!r}: no HINT"
    return e


@pytest.mark.parametrize("protocol", ["simple", "extended"])
@pytest.mark.parametrize("name,sql", BYPASSES, ids=[b[0] for b in BYPASSES])
def test_bypass_refused_data_unchanged(pg, baseline, support, name, sql, protocol):
    _refused(support, sql, extended=protocol == "extended")
    assert data_snapshot(pg) == baseline, f"{name}: data changed on PostgreSQL"
    # the session stays usable
    assert support.execute("SELECT count(*) FROM tickets").fetchone() == (3,)


def test_reader_cannot_write(pg, baseline, gateway):  # noqa: F811
    with gateway.connect("reader") as c:
        assert c.execute("SELECT status FROM tickets WHERE id = 2").fetchone() == ("open",)
        for sql in ("UPDATE tickets SET status = 'closed' WHERE id = 2",
                    "INSERT INTO ticket_comments(ticket_id, body) VALUES (1, 'x')",
                    "SELECT id FROM customers WHERE id = 1"):
            _refused(c, sql, extended=False)
    assert data_snapshot(pg) == baseline


def test_bypasses_through_psql(pg, baseline, gateway):  # noqa: F811
    for sql in ("SELECT 1; COMMIT; DROP SCHEMA public CASCADE", "/* hi */ DELETE FROM tickets",
                "WITH d AS (DELETE FROM tickets RETURNING *) SELECT * FROM d"):
        r = subprocess.run(["psql", "-X", "-At", "-c", sql], env=gateway.env("support"), capture_output=True,
                           text=True, timeout=30)
        assert r.returncode != 0, (sql, r.stdout)
        assert "ERROR:  airlock: " in r.stderr, (sql, r.stderr)
        assert r.stdout == "", (sql, r.stdout)  # not even the leading SELECT 1 ran
    snap = data_snapshot(pg)
    assert snap == baseline
    assert ("public",) in snap["schemas"]


def test_dollar_quoted_drop_is_only_a_string(pg, baseline, support):
    """The other side of the dollar-quote desync: PostgreSQL reads a string, so does Airlock."""
    assert support.execute("SELECT $$; DROP TABLE tickets; $$").fetchone() == ("; DROP TABLE tickets; ",)
    assert support.execute("SELECT $t$ $$; DELETE FROM tickets; $$ $t$").fetchone() == \
        (" $$; DELETE FROM tickets; $$ ",)
    assert data_snapshot(pg) == baseline


def test_invalid_utf8_refused_raw(pg, baseline, gateway):  # noqa: F811
    """Bytes that are not UTF-8, sent raw in a Query and in a Parse: refused by Airlock with
    42501 (PostgreSQL itself would answer 22021), and the session stays usable."""
    async def go():
        c = await raw_connect(gateway)
        try:
            out = []
            for q in (b"SELECT '\xc3\x28'", b"DELETE FROM tickets WHERE id = 1 -- \xff",
                      b"SELECT 1 /* \xed\xa0\x80 */"):
                c.send(query_msg(q))
                await c.writer.drain()
                out.append((await read_batches(c, 1))[0])
            c.send(parse_msg(b"SELECT '\xff\xfe'") + bind_msg() + execute_msg() + sync_msg())
            await c.writer.drain()
            out.append((await read_batches(c, 1))[0])
            ok = await c.query("SELECT 'still here'")
            return out, ok
        finally:
            await c.close()
    batches, ok = run(go(), 30)
    for b in batches:
        errs = errors(b)
        assert len(errs) == 1, summary(b)
        assert_refused(errs[0], "invalid UTF-8")
        assert summary(b)[-1] == "Z:I", summary(b)
    assert ok == [[(b"still here",)]]
    assert data_snapshot(pg) == baseline
