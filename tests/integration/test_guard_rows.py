"""Row guard (issue #4, part 1): a write under `max_rows` runs, its real row count is read
from PostgreSQL, and it is committed or rolled back. Checked directly on PostgreSQL."""
from __future__ import annotations


import psycopg
import pytest

import harness

BILLING_PW = "billing-pw-guard"
AGENTS = {"billing": ("BILLING_PASSWORD", BILLING_PW)}
POLICY = {
    "billing": """
        allow:
          - tables: [public.g_subs]
            actions: [select]
          - tables: [public.g_subs]
            actions: [update]
            max_rows: 10
          - tables: [public.g_accounts, public.g_sessions]
            actions: [select]
          - tables: [public.g_accounts]
            actions: [delete]
            max_rows: 5
          - tables: [public.g_subs]
            actions: [insert]
            max_rows: 3
    """,
}

SCHEMA = """
DROP TABLE IF EXISTS public.g_sessions, public.g_accounts, public.g_subs CASCADE;
CREATE TABLE public.g_subs(id int PRIMARY KEY, status text NOT NULL, plan text NOT NULL);
CREATE TABLE public.g_accounts(id int PRIMARY KEY, name text);
CREATE TABLE public.g_sessions(id serial PRIMARY KEY,
                               account_id int REFERENCES public.g_accounts ON DELETE CASCADE);
GRANT SELECT, INSERT, UPDATE, DELETE ON public.g_subs, public.g_accounts, public.g_sessions TO airlock;
"""


def reset(pg) -> None:
    with pg.su_connect() as c:
        c.execute("TRUNCATE public.g_sessions, public.g_accounts, public.g_subs")
        c.execute("INSERT INTO public.g_subs SELECT g, CASE WHEN g <= 60 THEN 'past_due' "
                  "ELSE 'active' END, 'pro' FROM generate_series(1, 100) g")
        c.execute("INSERT INTO public.g_accounts SELECT g, 'acct' || g FROM generate_series(1, 10) g")
        c.execute("INSERT INTO public.g_sessions(account_id) SELECT a FROM generate_series(1, 10) a, "
                  "generate_series(1, 3)")


def free_count(pg) -> int:
    with pg.su_connect() as c:
        return c.execute("SELECT count(*) FROM public.g_subs WHERE plan = 'free'").fetchone()[0]


def su(pg, sql):
    with pg.su_connect() as c:
        return c.execute(sql).fetchall()


@pytest.fixture(scope="module")
def gateway(pg):
    if harness.DIRECT:
        pytest.skip("the row guard needs the gateway")
    with harness.policy_gateway(pg, "guard", AGENTS, POLICY, SCHEMA,
                                ("billing", "SELECT count(*) FROM g_subs")) as gw:
        yield gw


@pytest.fixture(autouse=True)
def data(pg, gateway):
    reset(pg)
    yield


def connect(gw, **kw):
    return psycopg.connect(gw.dsn("billing"), **kw)


@pytest.mark.parametrize("prepare", [False, True], ids=["simple", "extended"])
def test_within_limit_commits(pg, gateway, prepare):
    with connect(gateway, autocommit=True) as c:
        cur = c.execute("UPDATE g_subs SET plan = 'free' WHERE id <= 5", prepare=prepare) if not prepare \
            else c.execute("UPDATE g_subs SET plan = %s WHERE id <= %s", ["free", 5])
        assert cur.rowcount == 5
        assert c.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        assert c.execute("SELECT 1").fetchone() == (1,)
    assert free_count(pg) == 5


@pytest.mark.parametrize("params", [False, True], ids=["simple", "extended"])
def test_over_limit_changes_nothing(pg, gateway, params):
    with connect(gateway, autocommit=True) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as ei:
            if params:
                c.execute("UPDATE g_subs SET plan = %s WHERE status = %s", ["free", "past_due"])
            else:
                c.execute("UPDATE g_subs SET plan = 'free' WHERE status = 'past_due'")
        m = ei.value.diag.message_primary
        assert "would change 60 rows" in m and "public.g_subs" in m and "10" in m, m
        assert "billing" in m, m
        assert ei.value.diag.message_hint
        assert c.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        # the session goes on normally
        assert c.execute("SELECT count(*) FROM g_subs").fetchone() == (100,)
    assert free_count(pg) == 0


def test_returning_rows_within_limit(pg, gateway):
    with connect(gateway, autocommit=True) as c:
        rows = c.execute("UPDATE g_subs SET plan = 'free' WHERE id IN (1, 2, 3) RETURNING id").fetchall()
        assert sorted(rows) == [(1,), (2,), (3,)]
        rows = c.execute("UPDATE g_subs SET plan = %s WHERE id IN (4, 5) RETURNING id, plan",
                         ["free"]).fetchall()
        assert sorted(rows) == [(4, "free"), (5, "free")]
    assert free_count(pg) == 5


def test_inside_transaction_then_client_rollback(pg, gateway):
    with connect(gateway) as c:
        assert c.execute("UPDATE g_subs SET plan = 'free' WHERE id <= 4").rowcount == 4
        assert c.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        # the transaction sees its own write
        assert c.execute("SELECT count(*) FROM g_subs WHERE plan = 'free'").fetchone() == (4,)
        c.rollback()
    assert free_count(pg) == 0


def test_inside_transaction_commit(pg, gateway):
    with connect(gateway) as c:
        c.execute("UPDATE g_subs SET plan = 'free' WHERE id <= 4")
        c.execute("UPDATE g_subs SET plan = 'free' WHERE id BETWEEN 5 AND 8")
        c.commit()
    assert free_count(pg) == 8


def test_inside_transaction_over_limit_aborts(pg, gateway):
    with connect(gateway) as c:
        c.execute("UPDATE g_subs SET plan = 'free' WHERE id <= 2")
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as ei:
            c.execute("UPDATE g_subs SET plan = 'free' WHERE id > 50")
        assert "would change 50 rows" in ei.value.diag.message_primary
        assert c.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
        c.rollback()
        assert c.execute("SELECT count(*) FROM g_subs WHERE plan = 'free'").fetchone() == (0,)
        c.rollback()
    assert free_count(pg) == 0


def test_statement_error_under_guard(pg, gateway):
    """The statement's own error passes through; autocommit state stays clean."""
    with connect(gateway, autocommit=True) as c:
        with pytest.raises(psycopg.errors.NotNullViolation):
            c.execute("UPDATE g_subs SET plan = NULL WHERE id = 1")
        assert c.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        with pytest.raises(psycopg.errors.NotNullViolation):
            c.execute("UPDATE g_subs SET plan = %s WHERE id = %s", [None, 1])
        assert c.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        assert c.execute("UPDATE g_subs SET plan = 'free' WHERE id = 1").rowcount == 1
    assert free_count(pg) == 1


def test_data_modifying_cte_counted(pg, gateway):
    with connect(gateway, autocommit=True) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as ei:
            c.execute("WITH d AS (UPDATE g_subs SET plan = 'free' WHERE status = 'past_due' "
                      "RETURNING id) SELECT count(*) FROM d")
        assert "60 rows" in ei.value.diag.message_primary
        assert c.execute("WITH d AS (UPDATE g_subs SET plan = 'free' WHERE id <= 3 RETURNING id) "
                         "SELECT count(*) FROM d").fetchone() == (3,)
    assert free_count(pg) == 3


def test_cascade_rows_count(pg, gateway):
    """Deleting 2 accounts cascades to 6 sessions: 8 rows > 5."""
    with connect(gateway, autocommit=True) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as ei:
            c.execute("DELETE FROM g_accounts WHERE id IN (1, 2)")
        assert "8 rows" in ei.value.diag.message_primary
        assert c.execute("DELETE FROM g_accounts WHERE id = 3").rowcount == 1  # 1 + 3 = 4 rows
    assert su(pg, "SELECT count(*) FROM public.g_accounts") == [(9,)]
    assert su(pg, "SELECT count(*) FROM public.g_sessions") == [(27,)]


def test_insert_select_limited(pg, gateway):
    with connect(gateway, autocommit=True) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("INSERT INTO g_subs SELECT id + 1000, status, plan FROM g_subs WHERE id <= 4")
        assert c.execute("INSERT INTO g_subs SELECT id + 1000, status, plan FROM g_subs "
                         "WHERE id <= 3").rowcount == 3
    assert su(pg, "SELECT count(*) FROM public.g_subs") == [(103,)]


def test_prepared_statement_reused(pg, gateway):
    """A server-side prepared statement (psycopg prepare=True) executed several times: each
    execution is guarded on its own."""
    with connect(gateway, autocommit=True) as c:
        for i in range(1, 4):
            c.execute("UPDATE g_subs SET plan = %s WHERE id = %s", ["free", i], prepare=True)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("UPDATE g_subs SET plan = %s WHERE id > %s", ["free", 10], prepare=True)
        c.execute("UPDATE g_subs SET plan = %s WHERE id = %s", ["free", 4], prepare=True)
    assert free_count(pg) == 4


def test_psql_over_limit(pg, gateway):
    import subprocess
    env = gateway.env("billing")
    r = subprocess.run(["psql", "-X", "-v", "ON_ERROR_STOP=1", "-c",
                        "UPDATE g_subs SET plan = 'free' WHERE status = 'past_due'"],
                       env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert "would change 60 rows" in r.stderr, r.stderr
    assert free_count(pg) == 0


def _one_batch(gateway, *messages: bytes):
    import asyncio
    from enforce_setup import sync_msg

    async def go():
        c = await harness.RawConn.connect(gateway.host, gateway.port, "billing", BILLING_PW)
        try:
            c.send(b"".join(messages) + sync_msg())
            await c.writer.drain()
            got = []
            while True:
                t, body = await asyncio.wait_for(c.read_msg(), 10)
                got.append((t, body))
                if t == b"Z":
                    return got
        finally:
            await c.close()
    return harness.run(go(), 30)


def _pbe(sql: str, name: str = "") -> bytes:
    from enforce_setup import bind_msg, execute_msg, parse_msg
    return parse_msg(sql, name) + bind_msg(name) + execute_msg()


def test_guarded_write_then_more_in_one_batch_commits_at_sync(pg, gateway):
    """A guarded write anywhere in a batch: what follows it sees it (one transaction), and it
    commits with the client's Sync, as the batch would without Airlock."""
    from enforce_setup import errors, summary
    got = _one_batch(gateway, _pbe("SELECT 1"), _pbe("UPDATE g_subs SET plan = 'free' WHERE id = 1"),
                     _pbe("SELECT count(*) FROM g_subs WHERE plan = 'free'"),
                     _pbe("UPDATE g_subs SET plan = 'free' WHERE id = 2"))
    assert errors(got) == [], summary(got)
    assert "D:1" in summary(got) and summary(got)[-1] == "Z:I", summary(got)
    assert free_count(pg) == 2


def test_over_limit_write_mid_batch_fails_the_whole_batch(pg, gateway):
    """The refused write fails the batch where PostgreSQL would have failed it: the write
    before it in the same batch is rolled back with it, nothing after it runs."""
    from enforce_setup import errors, summary
    got = _one_batch(gateway, _pbe("UPDATE g_subs SET plan = 'free' WHERE id = 1"),
                     _pbe("UPDATE g_subs SET plan = 'free' WHERE status = 'past_due'"),
                     _pbe("UPDATE g_subs SET plan = 'free' WHERE id = 99"))
    assert [e["C"] for e in errors(got)] == ["42501"], summary(got)
    assert summary(got)[-1] == "Z:I", summary(got)
    assert free_count(pg) == 0


def test_answers_after_the_last_guarded_write_reach_the_client(pg, gateway):
    """What follows the last guarded write of a batch is answered before Airlock's COMMIT."""
    from enforce_setup import errors, summary
    got = _one_batch(gateway, _pbe("UPDATE g_subs SET plan = 'free' WHERE id = 1"),
                     _pbe("SELECT count(*) FROM g_subs WHERE plan = 'free'"))
    assert errors(got) == [] and "D:1" in summary(got) and summary(got)[-1] == "Z:I", summary(got)
    assert free_count(pg) == 1


def test_error_after_a_guarded_write_rolls_the_batch_back(pg, gateway):
    from enforce_setup import errors, summary
    got = _one_batch(gateway, _pbe("UPDATE g_subs SET plan = 'free' WHERE id = 1"),
                     _pbe("SELECT 1/0"), _pbe("SELECT 2"))
    assert [e["C"] for e in errors(got)] == ["22012"], summary(got)
    assert summary(got)[-1] == "Z:I", summary(got)
    assert free_count(pg) == 0


def test_client_block_never_committed_by_the_guard_even_without_warnings(pg, gateway):
    """With client_min_messages = error PostgreSQL sends no 25001 warning for the guard's
    BEGIN inside the client's block: the block must still stay the client's."""
    with connect(gateway) as c:  # autocommit off: psycopg sends BEGIN
        c.execute("SET client_min_messages = error")
        assert c.execute("UPDATE g_subs SET plan = %s WHERE id <= %s", ["free", 3]).rowcount == 3
        assert c.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        c.rollback()
    assert free_count(pg) == 0
