"""Driver matrix (issue #11, tests): popular drivers, unchanged, as one restricted agent whose
policy has a `max_rows` update entry, a masked column and a denied table.

Every over-limit write is checked on PostgreSQL directly: the table's checksum is the one it
had before (or the one the writes under the limit alone give). Guarded writes inside
extended-protocol batches (psycopg 3 `executemany` and `pipeline()`, asyncpg `executemany`,
pgjdbc `executeBatch` and autocommit off) keep PostgreSQL's semantics: the batch is one
transaction, and an over-limit write fails it where it stands. psql and pgbench are covered by
test_psql_describe.py and test_pgbench.py; asyncpg's connect, masked fetch and policy denials
by test_asyncpg.py."""
from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

import harness

psycopg2 = pytest.importorskip("psycopg2", reason="python3-psycopg2 (scripts/install-deps.sh)")
import psycopg2.errors  # noqa: E402

sqlalchemy = pytest.importorskip("sqlalchemy",
                                 reason="python3-sqlalchemy (scripts/install-deps.sh)")
from sqlalchemy import MetaData, create_engine, func, inspect, select, update  # noqa: E402
from sqlalchemy.engine import URL  # noqa: E402
from sqlalchemy.ext.automap import automap_base  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

asyncpg = pytest.importorskip("asyncpg", reason="python3-asyncpg (scripts/install-deps.sh)")

AGENT = "matrix"
AGENTS = {AGENT: ("MATRIX_PASSWORD", "matrix-pw-drivers")}
LIMIT = 5
POLICY = {
    AGENT: f"""
        allow:
          - tables: [public.dm_accounts]
            actions: [select]
            mask: [{{column: email, style: partial}}]
          - tables: [public.dm_accounts]
            actions: [update]
            columns: [plan, hits]
            max_rows: {LIMIT}
    """,
}
ROWS = 40
SCHEMA = """
DROP TABLE IF EXISTS public.dm_accounts, public.dm_secrets CASCADE;
CREATE TABLE public.dm_accounts(id int PRIMARY KEY, name text NOT NULL, email text NOT NULL,
                                plan text NOT NULL, hits int NOT NULL DEFAULT 0);
CREATE TABLE public.dm_secrets(id int PRIMARY KEY, token text NOT NULL);
INSERT INTO public.dm_secrets VALUES (1, 'tok-1');
GRANT SELECT, UPDATE ON public.dm_accounts, public.dm_secrets TO airlock;
"""
MASKED = "***@example.com"  # style partial keeps the domain of user<N>@example.com

JAR = Path(os.environ.get("PGJDBC_JAR", "/usr/share/java/postgresql.jar"))
JAVA_SRC = harness.REPO_ROOT / "tests" / "java" / "JdbcMatrix.java"


@pytest.fixture(scope="module")
def gw(pg):
    if harness.DIRECT:
        pytest.skip("the policy needs the gateway")
    with harness.policy_gateway(pg, "matrix", AGENTS, POLICY, SCHEMA,
                                (AGENT, "SELECT count(*) FROM dm_accounts")) as g:
        yield g


@pytest.fixture(autouse=True)
def data(pg, gw):
    with pg.su_connect() as c:
        c.execute("TRUNCATE public.dm_accounts")
        c.execute("INSERT INTO public.dm_accounts SELECT g, 'user' || g, "
                  "'user' || g || '@example.com', 'pro', 0 FROM generate_series(1, %s) g", [ROWS])


CHECKSUM = ("SELECT md5(string_agg(a::text, ',' ORDER BY a.id)) FROM public.dm_accounts a")


def checksum(pg) -> str:
    with pg.su_connect() as c:
        return c.execute(CHECKSUM).fetchone()[0]


def checksum_after(pg, sql: str) -> str:
    """The checksum the table would have after `sql`, run as superuser and rolled back."""
    with pg.su_connect() as c:
        with c.transaction(force_rollback=True):
            c.execute(sql)
            return c.execute(CHECKSUM).fetchone()[0]


# --------------------------------------------------------------------------- psycopg2

def pg2_connect(gw):
    return psycopg2.connect(gw.dsn(AGENT))  # autocommit off: psycopg2 sends BEGIN itself


def test_psycopg2_fetch_masked(gw):
    c = pg2_connect(gw)
    try:
        with c.cursor() as cur:
            cur.execute("SELECT id, name, email FROM dm_accounts WHERE id <= %s ORDER BY id", (3,))
            assert cur.fetchall() == [(i, f"user{i}", MASKED) for i in (1, 2, 3)]
        c.rollback()
    finally:
        c.close()


def test_psycopg2_named_cursor(gw):
    c = pg2_connect(gw)
    try:
        with c.cursor(name="dm_pg2_cur") as cur:
            cur.itersize = 9
            cur.execute("SELECT id, plan FROM dm_accounts ORDER BY id")
            assert list(cur) == [(i, "pro") for i in range(1, ROWS + 1)]
        c.rollback()
        with pytest.raises(psycopg2.errors.InsufficientPrivilege) as ei:
            with c.cursor(name="dm_pg2_masked") as cur:
                cur.execute("SELECT id, email FROM dm_accounts ORDER BY id")
                cur.fetchall()
        assert "[builtin.masking_cursor]" in ei.value.diag.message_primary
        c.rollback()
    finally:
        c.close()


def test_psycopg2_guarded_update_in_transaction_commits(pg, gw):
    expected = checksum_after(pg, "UPDATE public.dm_accounts SET plan = 'free' "
                                  f"WHERE id <= {LIMIT}")
    c = pg2_connect(gw)
    try:
        with c.cursor() as cur:
            cur.execute("UPDATE dm_accounts SET plan = %s WHERE id <= %s", ("free", LIMIT))
            assert cur.rowcount == LIMIT
            assert c.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INTRANS
        c.commit()
    finally:
        c.close()
    assert checksum(pg) == expected


def test_psycopg2_over_limit_refused_table_unchanged(pg, gw):
    before = checksum(pg)
    c = pg2_connect(gw)
    try:
        with c.cursor() as cur:
            with pytest.raises(psycopg2.errors.InsufficientPrivilege) as ei:
                cur.execute("UPDATE dm_accounts SET plan = 'free' WHERE id <= 20")
            assert ei.value.pgcode == "42501"
            m = ei.value.diag.message_primary
            assert "would change 20 rows" in m, m
        c.rollback()
    finally:
        c.close()
    assert checksum(pg) == before


def test_psycopg2_denial_then_rollback_usable(pg, gw):
    expected = checksum_after(pg, "UPDATE public.dm_accounts SET hits = 7 WHERE id = 2")
    c = pg2_connect(gw)
    try:
        with c.cursor() as cur:
            with pytest.raises(psycopg2.errors.InsufficientPrivilege) as ei:
                cur.execute("SELECT token FROM dm_secrets")
            assert ei.value.pgcode == "42501"
            m = ei.value.diag.message_primary
            assert m.startswith("airlock:"), m
            c.rollback()
            cur.execute("SELECT count(*) FROM dm_accounts")
            assert cur.fetchone() == (ROWS,)
            cur.execute("UPDATE dm_accounts SET hits = 7 WHERE id = 2")
            assert cur.rowcount == 1
        c.commit()
    finally:
        c.close()
    assert checksum(pg) == expected


# --------------------------------------------------------------------------- SQLAlchemy
# Debian 12 ships SQLAlchemy 1.4 (no 2.x): used in 2.0 style (future=True engine and
# Session, select()/update() statements), with its psycopg2 dialect.

@pytest.fixture
def engine(gw):
    url = URL.create("postgresql+psycopg2", username=AGENT, password=gw.password(AGENT),
                     host=gw.host, port=gw.port, database=gw.dbname)
    e = create_engine(url, future=True, poolclass=sqlalchemy.pool.NullPool)
    try:
        yield e
    finally:
        e.dispose()


def automap(engine):
    md = MetaData()
    md.reflect(engine, only=["dm_accounts"])
    base = automap_base(metadata=md)
    base.prepare()
    return base.classes.dm_accounts


def test_sqlalchemy_reflect_query_commit(pg, engine):
    names = inspect(engine).get_table_names()
    assert {"dm_accounts", "dm_secrets"} <= set(names), names
    Account = automap(engine)
    cols = Account.__table__.columns
    assert list(cols.keys()) == ["id", "name", "email", "plan", "hits"]
    assert [c.name for c in Account.__table__.primary_key] == ["id"]

    expected = checksum_after(pg, "UPDATE public.dm_accounts SET plan = 'team' WHERE id <= 2; "
                                  "UPDATE public.dm_accounts SET plan = 'free' "
                                  "WHERE id BETWEEN 6 AND 10")
    with Session(engine, future=True) as s:
        q = select(Account).where(Account.id <= 2).order_by(Account.id)
        accts = s.execute(q).scalars().all()
        assert [(a.id, a.name, a.email) for a in accts] == [(1, "user1", MASKED),
                                                              (2, "user2", MASKED)]
        for a in accts:
            a.plan = "team"  # the unit of work: one UPDATE ... WHERE id = per object
        r = s.execute(update(Account).where(Account.id >= 6, Account.id <= 10).values(plan="free"))
        assert r.rowcount == LIMIT
        s.commit()
        free = select(func.count()).select_from(Account).where(Account.plan == "free")
        assert s.scalar(free) == LIMIT
    assert checksum(pg) == expected


def test_sqlalchemy_over_limit_refused(pg, engine):
    Account = automap(engine)
    before = checksum(pg)
    with Session(engine, future=True) as s:
        with pytest.raises(sqlalchemy.exc.ProgrammingError) as ei:
            s.execute(update(Account).where(Account.id > 10).values(plan="free"))
            s.commit()
        assert ei.value.orig.pgcode == "42501"
        assert "would change 30 rows" in ei.value.orig.diag.message_primary
        s.rollback()
        assert s.scalar(select(func.count()).select_from(Account)) == ROWS
    assert checksum(pg) == before


# --------------------------------------------------------------------------- asyncpg

def arun(coro):
    return asyncio.run(asyncio.wait_for(coro, timeout=30))


async def aconnect(gw):
    return await asyncpg.connect(host=gw.host, port=gw.port, user=AGENT,
                                 password=gw.password(AGENT), database=gw.dbname, ssl=False,
                                 timeout=10)


def test_asyncpg_transaction_guarded_update_commits(pg, gw):
    expected = checksum_after(pg, "UPDATE public.dm_accounts SET plan = 'free' WHERE id <= 4")

    async def go():
        c = await aconnect(gw)
        try:
            async with c.transaction():
                tag = await c.execute("UPDATE dm_accounts SET plan = $1 WHERE id <= $2", "free", 4)
                seen = await c.fetch("SELECT id, email FROM dm_accounts WHERE plan = $1 "
                                     "ORDER BY id", "free")
            return tag, [tuple(r) for r in seen]
        finally:
            await c.close()

    tag, seen = arun(go())
    assert tag == "UPDATE 4"
    assert seen == [(i, MASKED) for i in (1, 2, 3, 4)]
    assert checksum(pg) == expected


def test_asyncpg_refusals_roll_back_and_leave_connection_usable(pg, gw):
    before = checksum(pg)

    async def go():
        c = await aconnect(gw)
        out = {}
        try:
            try:
                async with c.transaction():
                    await c.execute("UPDATE dm_accounts SET hits = hits + 1 WHERE id = $1", 1)
                    await c.execute("UPDATE dm_accounts SET hits = hits + 1 WHERE id > $1", 10)
            except asyncpg.PostgresError as e:
                out["over"] = (e.sqlstate, e.message)
            try:
                await c.fetch("SELECT token FROM dm_secrets")
            except asyncpg.PostgresError as e:
                out["denied"] = (e.sqlstate, e.message)
            out["after"] = await c.fetchval("SELECT count(*) FROM dm_accounts WHERE hits = $1", 0)
            out["idle"] = not c.is_in_transaction()
        finally:
            await c.close()
        return out

    out = arun(go())
    assert out["over"][0] == "42501" and "would change 30 rows" in out["over"][1], out
    assert out["denied"][0] == "42501" and out["denied"][1].startswith("airlock:"), out
    assert out["after"] == ROWS and out["idle"], out
    assert checksum(pg) == before  # the write under the limit rolled back with its transaction


def test_asyncpg_executemany_guarded_writes(pg, gw):
    # One Sync for the whole call: the over-limit entry fails it, and the entries before it
    # roll back with it.
    expected = checksum_after(pg, "UPDATE public.dm_accounts SET hits = hits + 1 WHERE id <= 8")

    async def go():
        c = await aconnect(gw)
        try:
            sql = "UPDATE dm_accounts SET hits = hits + 1 WHERE id BETWEEN $1 AND $2"
            await c.executemany(sql, [(i, i) for i in range(1, 9)])
            mid = await c.fetchval("SELECT sum(hits) FROM dm_accounts")
            try:
                await c.executemany(sql, [(9, 9), (10, 10), (11, 40), (12, 12)])
                err = None
            except asyncpg.PostgresError as e:
                err = (e.sqlstate, e.message)
            return mid, err, c.is_in_transaction()
        finally:
            await c.close()

    mid, err, in_tx = arun(go())
    assert mid == 8
    assert err and err[0] == "42501" and "would change 30 rows" in err[1], err
    assert not in_tx
    assert checksum(pg) == expected


# --------------------------------------------------------------------------- psycopg 3

def test_psycopg3_server_side_cursor_over_masked_table(gw):
    with gw.connect(AGENT, autocommit=False) as c:
        with c.cursor(name="dm_cur") as cur:
            cur.itersize = 7  # several FETCH FORWARD round trips
            cur.execute("SELECT id, name, plan FROM dm_accounts WHERE id > %s ORDER BY id", [0])
            rows = list(cur)
        c.rollback()
    assert rows == [(i, f"user{i}", "pro") for i in range(1, ROWS + 1)]


def test_psycopg3_server_side_cursor_of_masked_column_refused(gw):
    # FETCH returns a cursor's rows unmasked, so DECLARE over a masked column is refused
    # (docs/policy.md, builtin.masking_cursor); the transaction rolls back and goes on.
    with gw.connect(AGENT, autocommit=False) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as ei:
            with c.cursor(name="dm_masked_cur") as cur:
                cur.execute("SELECT id, email FROM dm_accounts ORDER BY id")
                cur.fetchall()
        assert "[builtin.masking_cursor]" in ei.value.diag.message_primary
        c.rollback()
        assert c.execute("SELECT email FROM dm_accounts WHERE id = 1").fetchone() == (MASKED,)
        c.rollback()


def test_psycopg3_executemany_guarded_writes(pg, gw):
    expected = checksum_after(pg, "UPDATE public.dm_accounts SET hits = hits + 1 WHERE id <= 8")
    with gw.connect(AGENT) as c:
        cur = c.cursor()
        cur.executemany("UPDATE dm_accounts SET hits = hits + 1 WHERE id = %s",
                        [(i,) for i in range(1, 9)])
        assert cur.rowcount == 8
    assert checksum(pg) == expected


def test_psycopg3_pipeline_guarded_writes(pg, gw):
    expected = checksum_after(pg, "UPDATE public.dm_accounts SET plan = 'free' WHERE id <= 3; "
                                  "UPDATE public.dm_accounts SET hits = 1 WHERE id BETWEEN 4 AND 6")
    with gw.connect(AGENT) as c:
        with c.pipeline():
            a = c.execute("UPDATE dm_accounts SET plan = %s WHERE id <= %s", ["free", 3])
            b = c.execute("SELECT count(*) FROM dm_accounts WHERE plan = %s", ["free"])
            d = c.execute("UPDATE dm_accounts SET hits = 1 WHERE id BETWEEN %s AND %s", [4, 6])
        assert (a.rowcount, b.fetchone(), d.rowcount) == (3, (3,), 3)
    assert checksum(pg) == expected


# --------------------------------------------------------------------------- pgjdbc

@pytest.fixture(scope="module")
def jdbc_classes(tmp_path_factory):
    if shutil.which("javac") is None or not JAR.exists():
        pytest.fail(f"javac or {JAR} missing (scripts/install-deps.sh installs them)")
    out = tmp_path_factory.mktemp("jdbc-matrix")
    r = subprocess.run(["javac", "-cp", str(JAR), "-d", str(out), str(JAVA_SRC)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return out


def run_jdbc(gw, classes: Path, mode: str) -> list[list[str]]:
    """Runs JdbcMatrix MODE as the agent; its output lines, split at tabs."""
    r = subprocess.run(["java", "-cp", f"{classes}{os.pathsep}{JAR}", "JdbcMatrix", mode],
                       env=gw.env(AGENT), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    return [ln.split("\t") for ln in r.stdout.splitlines()]


def fields(lines, tag: str) -> list[list[str]]:
    return [ln[1:] for ln in lines if ln[0] == tag]


def test_jdbc_prepared_select_past_threshold(gw, jdbc_classes):
    lines = run_jdbc(gw, jdbc_classes, "prepared-select")
    assert fields(lines, "ERR") == [], lines
    assert fields(lines, "ROW") == [[str(i), MASKED] for i in range(1, 9)], lines
    assert fields(lines, "NAMED") == [["1"]], lines  # a named server-side statement
    assert fields(lines, "VALID") == [["true"]], lines


def test_jdbc_prepared_guarded_update_past_threshold(pg, gw, jdbc_classes):
    # The eight writes under the limit commit one by one; the ninth, over it, changes nothing.
    expected = checksum_after(pg, "UPDATE public.dm_accounts SET hits = hits + 1 WHERE id <= 8")
    lines = run_jdbc(gw, jdbc_classes, "prepared-update")
    assert fields(lines, "COUNT") == [["1"]] * 8, lines
    assert fields(lines, "NAMED") == [["1"]], lines
    errs = fields(lines, "ERR")
    assert [e[:2] for e in errs] == [["0", "42501"]], lines
    assert "would change 40 rows" in errs[0][2], lines
    assert fields(lines, "VALID") == [["true"]], lines
    assert checksum(pg) == expected


def test_jdbc_autocommit_off_guarded_write(pg, gw, jdbc_classes):
    expected = checksum_after(pg, "UPDATE public.dm_accounts SET plan = 'free' WHERE id <= 3")
    lines = run_jdbc(gw, jdbc_classes, "autocommit-off")
    assert fields(lines, "ERR") == [], lines
    assert fields(lines, "COUNT") == [["3"]] and fields(lines, "COMMITTED") == [[]], lines
    assert fields(lines, "VALID") == [["true"]], lines
    assert checksum(pg) == expected


def test_jdbc_execute_batch_one_over_limit(pg, gw, jdbc_classes):
    # As PostgreSQL fails it: the batch is one implicit transaction (autocommit, one Sync), so
    # entry 10's refusal rolls back entries 1-9 and entries 11-20 never run.
    before = checksum(pg)
    lines = run_jdbc(gw, jdbc_classes, "batch")
    errs = fields(lines, "ERR")
    assert errs and all(e[1] == "42501" for e in errs), lines
    assert errs[0][2].startswith("Batch entry 9 "), lines  # pgjdbc counts entries from 0
    assert any("would change 20 rows" in e[2] for e in errs), lines
    assert fields(lines, "COUNTS") == [[str([-3] * 20)]], lines  # all EXECUTE_FAILED
    assert fields(lines, "VALID") == [["true"]], lines
    assert checksum(pg) == before
