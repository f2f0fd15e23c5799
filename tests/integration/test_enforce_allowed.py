"""What the policy allows works through an enforcing gateway, with its effect visible on
PostgreSQL: reads, the allowed UPDATE of status, an INSERT using the allowed sequence,
psql's catalog commands, psycopg's type lookups, and false-positive traps (SQL words
inside strings and comments)."""
import subprocess

import psycopg
import pytest
from psycopg.types import TypeInfo

from enforce_setup import fresh_data, gateway, su_rows  # noqa: F401

pytestmark = pytest.mark.gateway_only


def psql(gateway, *args, agent="support"):  # noqa: F811
    return subprocess.run(["psql", "-X", "-v", "ON_ERROR_STOP=1", *args], env=gateway.env(agent),
                          capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("agent", ["support", "reader"])
def test_select_simple_and_extended(gateway, agent):  # noqa: F811
    with gateway.connect(agent) as c:
        assert c.execute("SELECT * FROM tickets WHERE id = 1").fetchone() == \
            (1, "open", "ann", "printer is broken")
        assert c.execute("SELECT status FROM tickets WHERE id = %s", [2]).fetchone() == ("open",)
        assert c.execute("SELECT id FROM tickets ORDER BY id", prepare=True).fetchall() == [(1,), (2,), (3,)]
        assert c.execute("SELECT count(*) FROM public.tickets").fetchone() == (3,)


def test_update_status_reaches_postgres(pg, gateway, fresh_data):  # noqa: F811
    with gateway.connect("support") as c:
        cur = c.execute("UPDATE tickets SET status='closed' WHERE id = 2")
        assert cur.rowcount == 1
        cur = c.execute("UPDATE tickets SET status = %s WHERE id = %s", ["pending", 3])
        assert cur.rowcount == 1
    assert su_rows(pg, "SELECT id, status FROM public.tickets ORDER BY id") == \
        [(1, "open"), (2, "closed"), (3, "pending")]


def test_insert_comment_with_nextval(pg, gateway, fresh_data):  # noqa: F811
    with gateway.connect("support") as c:
        row = c.execute("INSERT INTO ticket_comments(id, ticket_id, body) "
                        "VALUES (nextval('public.ticket_comments_id_seq'), 1, 'on it') RETURNING id").fetchone()
        assert row == (1,)
        n = c.execute("SELECT nextval('public.ticket_comments_id_seq')").fetchone()[0]
        c.execute("INSERT INTO ticket_comments(id, ticket_id, body) VALUES (%s, %s, %s)", [n, 2, "done"])
    assert su_rows(pg, "SELECT id, ticket_id, body FROM public.ticket_comments ORDER BY id") == \
        [(1, 1, "on it"), (2, 2, "done")]


def test_unqualified_nextval_under_default_search_path(pg, gateway, fresh_data):  # noqa: F811
    """search_path is PostgreSQL's default "$user", public and the upstream role has no schema
    of its name: "$user" is skipped and the sequence is public's (issue #11)."""
    with gateway.connect("support") as c:
        assert c.execute("SHOW search_path").fetchone()[0] == '"$user", public'
        assert c.execute("SELECT nextval('ticket_comments_id_seq')").fetchone() == (1,)
        assert c.execute("SELECT currval('ticket_comments_id_seq')").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="public.tickets_id_seq"):
            c.execute("SELECT nextval('tickets_id_seq')")


def test_allowed_transaction_commits(pg, gateway, fresh_data):  # noqa: F811
    with gateway.connect("support", autocommit=False) as c:
        c.execute("UPDATE tickets SET status = 'in progress' WHERE id = 1")
        c.execute("INSERT INTO ticket_comments(ticket_id, body) VALUES (1, 'looking')")
        c.commit()
    assert su_rows(pg, "SELECT status FROM public.tickets WHERE id = 1") == [("in progress",)]
    assert su_rows(pg, "SELECT ticket_id, body FROM public.ticket_comments") == [(1, "looking")]


FALSE_POSITIVES = [
    ("SELECT 'DROP TABLE customers' AS s", [("DROP TABLE customers",)]),
    ("SELECT 1 -- DELETE FROM tickets", [(1,)]),
    ("SELECT 1 /* ; DROP SCHEMA public CASCADE */", [(1,)]),
    ("SELECT E'\\'; DELETE FROM tickets WHERE id = 1; --'", [("'; DELETE FROM tickets WHERE id = 1; --",)]),
    ("SELECT status AS \"delete\" FROM tickets WHERE body = 'drop table tickets; --' OR id = 1",
     [("open",)]),
    ("SELECT id FROM customers ORDER BY id", [(1,), (2,)]),  # no masked or denied column
    ("SELECT now() IS NOT NULL, lower('ABC')", [(True, "abc")]),
]


@pytest.mark.parametrize("sql,expected", FALSE_POSITIVES, ids=[f[0][:40] for f in FALSE_POSITIVES])
def test_false_positive_traps(gateway, sql, expected):  # noqa: F811
    with gateway.connect("support") as c:
        assert c.execute(sql).fetchall() == expected


def test_psql_describe_and_list(gateway):  # noqa: F811
    r = psql(gateway, "-c", "\\d tickets")
    assert r.returncode == 0, r.stderr
    assert 'Table "public.tickets"' in r.stdout, r.stdout
    for col in ("id", "status", "assignee", "body", "tickets_pkey"):
        assert col in r.stdout, r.stdout
    r = psql(gateway, "-c", "\\dt")
    assert r.returncode == 0, r.stderr
    for t in ("tickets", "customers", "ticket_comments"):
        assert t in r.stdout, r.stdout
    r = psql(gateway, "-At", "-c", "SELECT status FROM tickets WHERE id = 3")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "pending"


def test_psycopg_connect_and_type_lookup(gateway):  # noqa: F811
    with psycopg.connect(gateway.dsn("reader"), autocommit=True) as c:
        assert c.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        assert c.info.parameter_status("server_version").startswith("15")
        info = TypeInfo.fetch(c, "text")
        assert info is not None and info.oid == 25
        assert c.execute("SHOW server_version").fetchone()[0].startswith("15")
