"""The shape of a refusal as clients see it: SQLSTATE 42501, a message starting with
'airlock: ' that gives the reason, a non-empty HINT saying what is allowed; psql prints
'ERROR:  airlock: ...' and 'HINT:'. Held statements, writes under a `max_rows` entry and
results with `mask` columns are refused (42501) for now. The session stays usable."""
import subprocess

import psycopg
import pytest

from enforce_setup import assert_refused, data_snapshot, gateway, raw_connect, raw_query_error  # noqa: F401
from harness import run

pytestmark = pytest.mark.gateway_only


def test_psql_shows_error_and_hint(pg, gateway):  # noqa: F811
    before = data_snapshot(pg)
    r = subprocess.run(["psql", "-X", "-At", "-c", "DELETE FROM tickets WHERE id = 1"],
                       env=gateway.env("support"), capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    lines = r.stderr.splitlines()
    err = [ln for ln in lines if ln.startswith("ERROR:  airlock: ")]
    hint = [ln for ln in lines if ln.startswith("HINT:  ")]
    assert err, r.stderr
    assert "tickets" in err[0] and "delete" in err[0].lower(), r.stderr  # the reason names what was refused
    assert hint and len(hint[0]) > len("HINT:  "), r.stderr
    assert "tickets" in hint[0], r.stderr  # says what is allowed
    assert data_snapshot(pg) == before


def test_psql_verbose_shows_sqlstate(gateway):  # noqa: F811
    r = subprocess.run(["psql", "-X", "-v", "VERBOSITY=verbose", "-c", "SELECT pg_terminate_backend(1)"],
                       env=gateway.env("support"), capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert "ERROR:  42501: airlock: " in r.stderr, r.stderr
    assert "pg_terminate_backend" in r.stderr, r.stderr


@pytest.mark.parametrize("extended", [False, True], ids=["simple", "extended"])
def test_psycopg_diag(gateway, extended):  # noqa: F811
    with gateway.connect("support") as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as ei:
            if extended:
                c.execute("DELETE FROM tickets WHERE id = %s", [1])
            else:
                c.execute("DELETE FROM tickets WHERE id = 1")
        e = ei.value
        assert e.sqlstate == "42501"
        assert e.diag.severity == "ERROR"
        assert e.diag.message_primary.startswith("airlock: ")
        assert "public.tickets" in e.diag.message_primary
        assert e.diag.message_hint and "tickets" in e.diag.message_hint
        # usable afterwards, same connection
        assert c.execute("SELECT count(*) FROM tickets").fetchone() == (3,)
        assert c.info.transaction_status == psycopg.pq.TransactionStatus.IDLE


def test_unparseable_is_policy_refusal(gateway):  # noqa: F811
    with gateway.connect("support") as c:
        with pytest.raises(psycopg.Error) as ei:
            c.execute("SELEC 1")
        assert ei.value.sqlstate == "42501", ei.value  # not 42601 from the server
        assert ei.value.diag.message_primary.startswith("airlock: ")
        assert c.execute("SELECT 1").fetchone() == (1,)


def test_held_statement_refused(pg, gateway):  # noqa: F811
    before = data_snapshot(pg)
    with gateway.connect("support") as c:
        for sql, params in (("UPDATE customers SET email = 'x@example.com' WHERE id = 1", None),
                            ("UPDATE customers SET phone = %s WHERE id = %s", ["0", 2])):
            with pytest.raises(psycopg.errors.InsufficientPrivilege) as ei:
                c.execute(sql, params)
            m = ei.value.diag.message_primary
            assert m.startswith("airlock: "), m
            assert "held" in m.lower() or "approv" in m.lower(), m
            assert ei.value.diag.message_hint
    assert data_snapshot(pg) == before


@pytest.mark.parametrize("sql", [
    "SELECT * FROM customers",                              # mask + deny_columns (ssn)
    "SELECT ssn FROM customers WHERE id = 1",
])
def test_mask_and_deny_columns_refused(pg, gateway, sql):  # noqa: F811
    before = data_snapshot(pg)
    with gateway.connect("support") as c:
        with pytest.raises(psycopg.Error) as ei:
            c.execute(sql)
        assert ei.value.sqlstate == "42501", ei.value
        assert c.execute("SELECT id FROM customers ORDER BY id").fetchall() == [(1,), (2,)]
    assert data_snapshot(pg) == before


def test_raw_error_fields(gateway):  # noqa: F811
    """Exactly one ErrorResponse, severity ERROR, fields C/M/H; then ReadyForQuery 'I'."""
    async def go():
        c = await raw_connect(gateway, "reader")
        try:
            e1 = await raw_query_error(c, "UPDATE tickets SET status = 'x' WHERE id = 1")
            e2 = await raw_query_error(c, "SELECT 1")
            return e1, e2
        finally:
            await c.close()
    e1, e2 = run(go(), 30)
    assert_refused(e1, "reader update")
    assert e1.get("V") == "ERROR"
    assert "reader" in e1["H"] and "tickets" in e1["H"], e1
    assert e2 is None
