"""Shadow mode (issue #4, part 4): the agent works normally, nothing it writes is committed.
Writes execute and answer with real row counts and RETURNING rows, later statements of the
session see them, transaction control behaves as PostgreSQL's from the agent's view, and a
superuser connection never sees any of it. Checked with psycopg, psql and node-postgres."""
from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from psycopg.pq import TransactionStatus as TS

import harness

AGENT = "shadowbot"
AGENTS = {AGENT: ("SHADOWBOT_PASSWORD", "shadow-pw-" + "x" * 8)}
POLICY = {
    AGENT: """
        mode: shadow
        allow:
          - tables: [public.s_items]
            actions: [select, insert, update, delete, lock]
          - tables: [public.s_guarded]
            actions: [select]
          - tables: [public.s_guarded]
            actions: [update]
            max_rows: 5
          - tables: [public.s_budget]
            actions: [select, update]
        budgets:
          - name: shadow_budget
            tables: [public.s_budget]
            actions: [update]
            max_rows: 3
            window: 1h
    """,
}

SCHEMA = """
DROP TABLE IF EXISTS public.s_items, public.s_guarded, public.s_budget CASCADE;
CREATE TABLE public.s_items(id int PRIMARY KEY, name text NOT NULL, qty int NOT NULL);
CREATE TABLE public.s_guarded(id int PRIMARY KEY, v int NOT NULL);
CREATE TABLE public.s_budget(id int PRIMARY KEY, v int NOT NULL);
GRANT SELECT, INSERT, UPDATE, DELETE ON public.s_items, public.s_guarded, public.s_budget TO airlock;
"""

# The state every test starts from, and what a superuser must still see after it.
BASELINE = (10, 550)  # count(*), sum(qty) of s_items

JS_DIR = harness.REPO_ROOT / "tests" / "js"


def reset(pg) -> None:
    with pg.su_connect() as c:
        c.execute("SET lock_timeout = '20s'")  # a shadow session still closing holds locks
        c.execute("TRUNCATE public.s_items, public.s_guarded, public.s_budget")
        c.execute("INSERT INTO public.s_items SELECT g, 'item-' || g, g * 10 FROM generate_series(1, 10) g")
        c.execute("INSERT INTO public.s_guarded SELECT g, 0 FROM generate_series(1, 20) g")
        c.execute("INSERT INTO public.s_budget SELECT g, 0 FROM generate_series(1, 20) g")


def su_items(pg) -> tuple[int, int]:
    with pg.su_connect() as c:
        return tuple(c.execute("SELECT count(*), coalesce(sum(qty), 0) FROM public.s_items").fetchone())


def su_unchanged(pg) -> None:
    assert su_items(pg) == BASELINE
    with pg.su_connect() as c:
        assert c.execute("SELECT sum(v) FROM public.s_guarded").fetchone()[0] == 0
        assert c.execute("SELECT sum(v) FROM public.s_budget").fetchone()[0] == 0


def items(c) -> tuple[int, int]:
    return tuple(c.execute("SELECT count(*), coalesce(sum(qty), 0) FROM s_items").fetchone())


@pytest.fixture(scope="module")
def gateway(pg):
    if harness.DIRECT:
        pytest.skip("shadow mode needs the gateway")
    with pg.su_connect() as c:
        c.execute(SCHEMA)
    trail = Path(tempfile.mkdtemp(prefix="airlock-shadow-audit-"))
    extra = f"audit: {{dir: '{trail}', fsync: interval, fsync_interval: 5ms}}"
    gw = harness.start_gateway(pg, name="shadow", extra_agents=AGENTS, agent_policies=POLICY,
                               extra_yaml=extra)
    gw.extra["trail"] = trail
    try:
        wait_for_catalog(gw)
        yield gw
    finally:
        log = gw.log_text()
        alive = gw.proc.poll() is None
        gw.stop()
        shutil.rmtree(trail, ignore_errors=True)
        if not alive:
            print(f"\n=== airlock exited early; log:\n{log}", file=sys.stderr)


@pytest.fixture(autouse=True)
def data(pg, gateway):
    reset(pg)
    yield
    su_unchanged(pg)  # after every test, with its sessions closed


def wait_for_catalog(gw, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with connect(gw, autocommit=True) as c:
                c.execute("SELECT count(*) FROM s_items")
                return
        except psycopg.errors.InsufficientPrivilege:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def connect(gw, **kw):
    return psycopg.connect(gw.dsn(AGENT), **kw)


# --------------------------------------------------------------------------- autocommit

def test_writes_answer_for_real_and_commit_nothing(pg, gateway):
    with connect(gateway, autocommit=True) as c:
        cur = c.execute("UPDATE s_items SET qty = qty + 1000 WHERE id <= 3 RETURNING id, qty")
        assert cur.rowcount == 3
        assert sorted(cur.fetchall()) == [(1, 1010), (2, 1020), (3, 1030)]
        assert c.info.transaction_status == TS.IDLE
        # extended protocol, with parameters
        cur = c.execute("INSERT INTO s_items VALUES (%s, %s, %s) RETURNING id", [11, "new", 5])
        assert cur.rowcount == 1 and cur.fetchall() == [(11,)]
        cur = c.execute("DELETE FROM s_items WHERE id = %s", [10])
        assert cur.rowcount == 1 and cur.statusmessage == "DELETE 1"
        assert c.info.transaction_status == TS.IDLE
        # the session sees its own writes...
        assert items(c) == (10, 550 + 3000 + 5 - 100)
        assert c.execute("SELECT qty FROM s_items WHERE id = %s", [2]).fetchone() == (1020,)
        # ...and nobody else does, while it lasts
        su_unchanged(pg)
        # a second shadow session does not see the first one's writes either
        with connect(gateway, autocommit=True) as other:
            assert items(other) == BASELINE
    su_unchanged(pg)


def test_error_in_autocommit_does_not_break_the_session(pg, gateway):
    with connect(gateway, autocommit=True) as c:
        c.execute("UPDATE s_items SET qty = 0 WHERE id = 1")
        with pytest.raises(psycopg.errors.DivisionByZero):
            c.execute("SELECT 1/0")
        assert c.info.transaction_status == TS.IDLE
        with pytest.raises(psycopg.errors.UniqueViolation):
            c.execute("INSERT INTO s_items VALUES (%s, %s, %s)", [1, "dup", 1])
        assert c.info.transaction_status == TS.IDLE
        # an error rolls back only its own statement, as in autocommit
        with pytest.raises(psycopg.errors.UniqueViolation):
            c.execute("INSERT INTO s_items VALUES (20, 'a', 1), (1, 'dup', 1)")
        assert c.execute("SELECT count(*) FROM s_items WHERE id = 20").fetchone() == (0,)
        assert items(c) == (10, 540)  # the UPDATE before the errors is still there
        assert c.execute("SELECT 1").fetchone() == (1,)


def test_multi_statement_query_is_one_implicit_transaction(pg, gateway):
    with connect(gateway, autocommit=True) as c:
        with pytest.raises(psycopg.errors.DivisionByZero):
            c.execute("UPDATE s_items SET qty = 0 WHERE id = 1; SELECT 1/0")
        assert items(c) == BASELINE  # PostgreSQL rolls back the whole string
        c.execute("UPDATE s_items SET qty = 0 WHERE id = 1; UPDATE s_items SET qty = 0 WHERE id = 2")
        assert items(c) == (10, 520)
        assert c.info.transaction_status == TS.IDLE


# --------------------------------------------------------------------------- transactions

def test_commit_keeps_changes_for_the_session_only(pg, gateway):
    with connect(gateway) as c:  # psycopg's own BEGIN / COMMIT (extended protocol)
        assert c.info.transaction_status == TS.IDLE
        cur = c.execute("UPDATE s_items SET qty = %s WHERE id = %s", [0, 5])
        assert cur.rowcount == 1
        assert c.info.transaction_status == TS.INTRANS
        c.commit()
        assert c.info.transaction_status == TS.IDLE
        assert c.execute("SELECT qty FROM s_items WHERE id = 5").fetchone() == (0,)
        c.commit()
        su_unchanged(pg)
    su_unchanged(pg)


def test_rollback_undoes_in_the_agents_view(pg, gateway):
    with connect(gateway) as c:
        c.execute("UPDATE s_items SET qty = 1 WHERE id = 1")
        c.commit()
        c.execute("DELETE FROM s_items WHERE id > %s", [5])
        assert items(c) == (5, 1 + 20 + 30 + 40 + 50)
        c.rollback()
        assert c.info.transaction_status == TS.IDLE
        # the rolled-back DELETE is gone, the committed UPDATE stays
        assert items(c) == (10, 550 - 10 + 1)
        c.rollback()


def test_error_inside_a_transaction_fails_it_until_rollback(pg, gateway):
    with connect(gateway) as c:
        c.execute("UPDATE s_items SET qty = 0 WHERE id = 3")
        with pytest.raises(psycopg.errors.UndefinedColumn):
            c.execute("SELECT nope FROM s_items")
        assert c.info.transaction_status == TS.INERROR
        with pytest.raises(psycopg.errors.InFailedSqlTransaction):
            c.execute("SELECT 1")
        assert c.info.transaction_status == TS.INERROR
        c.rollback()
        assert c.info.transaction_status == TS.IDLE
        assert items(c) == BASELINE
        c.rollback()


def test_simple_protocol_transaction_control(pg, gateway):
    notices = []
    with connect(gateway, autocommit=True) as c:
        c.add_notice_handler(lambda d: notices.append((d.severity_nonlocalized, d.sqlstate,
                                                       d.message_primary)))
        assert c.execute("BEGIN").statusmessage == "BEGIN"
        assert c.info.transaction_status == TS.INTRANS
        assert c.execute("BEGIN").statusmessage == "BEGIN"  # PostgreSQL warns, as it should
        c.execute("UPDATE s_items SET qty = 0 WHERE id = 1")
        c.execute("SAVEPOINT a")
        c.execute("UPDATE s_items SET qty = 0 WHERE id = 2")
        c.execute("ROLLBACK TO SAVEPOINT a")
        c.execute("RELEASE a")
        assert c.execute("COMMIT").statusmessage == "COMMIT"
        assert c.info.transaction_status == TS.IDLE
        assert items(c) == (10, 540)
        # COMMIT of a failed transaction answers ROLLBACK
        c.execute("START TRANSACTION")
        c.execute("DELETE FROM s_items WHERE id > 0")
        with pytest.raises(psycopg.errors.DivisionByZero):
            c.execute("SELECT 1/0")
        assert c.info.transaction_status == TS.INERROR
        assert c.execute("COMMIT").statusmessage == "ROLLBACK"
        assert c.info.transaction_status == TS.IDLE
        assert items(c) == (10, 540)
        # ABORT / END outside a transaction: a warning, and nothing happens
        notices.clear()
        assert c.execute("END").statusmessage == "COMMIT"
        assert c.execute("ABORT").statusmessage == "ROLLBACK"
        assert notices == [("WARNING", "25P01", "there is no transaction in progress")] * 2
        assert c.info.transaction_status == TS.IDLE
        # savepoints need a transaction block, as in PostgreSQL
        with pytest.raises(psycopg.errors.NoActiveSqlTransaction):
            c.execute("SAVEPOINT b")
        assert c.info.transaction_status == TS.IDLE
        assert items(c) == (10, 540)
    notices.clear()
    with connect(gateway, autocommit=True) as c:
        c.add_notice_handler(lambda d: notices.append(d.sqlstate))
        c.execute("BEGIN")
        assert c.execute("BEGIN").statusmessage == "BEGIN"
        assert notices == ["25001"]
        c.execute("ROLLBACK")


def test_extended_protocol_transaction_control(pg, gateway):
    with connect(gateway, autocommit=True) as c:
        # psycopg sends a statement with parameters (or prepare=True) as Parse/Bind/Execute
        assert c.execute("BEGIN", prepare=True).statusmessage == "BEGIN"
        assert c.info.transaction_status == TS.INTRANS
        c.execute("UPDATE s_items SET qty = %s WHERE id = %s", [0, 4])
        assert c.execute("COMMIT", prepare=True).statusmessage == "COMMIT"
        assert c.info.transaction_status == TS.IDLE
        assert c.execute("BEGIN", prepare=True).statusmessage == "BEGIN"
        c.execute("UPDATE s_items SET qty = %s WHERE id = %s", [0, 5])
        assert c.execute("ROLLBACK", prepare=True).statusmessage == "ROLLBACK"
        assert items(c) == (10, 510)


def test_pipeline_with_begin_first(pg, gateway):
    with connect(gateway) as c:
        with c.pipeline():  # BEGIN, then the statements, in one batch
            c.execute("UPDATE s_items SET qty = %s WHERE id = %s", [0, 1])
            c.execute("UPDATE s_items SET qty = %s WHERE id = %s", [0, 2])
            cur = c.execute("SELECT sum(qty) FROM s_items WHERE id <= %s", [3])
        assert cur.fetchone() == (30,)
        assert c.info.transaction_status == TS.INTRANS
        c.commit()
        assert items(c) == (10, 520)
        c.commit()


def test_refused_forms(pg, gateway):
    with connect(gateway, autocommit=True) as c:
        cases = [
            "BEGIN; UPDATE s_items SET qty = 0 WHERE id = 1; COMMIT",
            "BEGIN ISOLATION LEVEL SERIALIZABLE",
            "BEGIN READ ONLY",
            "COMMIT AND CHAIN",
            "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
            "SET transaction_read_only = on",
        ]
        for sql in cases:
            with pytest.raises(psycopg.errors.FeatureNotSupported) as ei:
                c.execute(sql)
            assert "[gateway.shadow]" in str(ei.value), sql
            assert c.info.transaction_status == TS.IDLE, sql
        for sql in ["PREPARE TRANSACTION 'x'", "COMMIT PREPARED 'x'"]:  # the policy's own rule
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(sql)
        c.execute("BEGIN")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="gateway.reserved_name"):
            c.execute("ROLLBACK TO SAVEPOINT airlock_shadow")  # Airlock's own name
        assert c.info.transaction_status == TS.INERROR
        c.execute("ROLLBACK")
        assert items(c) == BASELINE


# --------------------------------------------------------------------------- guard, budgets

def test_row_guard_still_applies(pg, gateway):
    with connect(gateway, autocommit=True) as c:
        cur = c.execute("UPDATE s_guarded SET v = 1 WHERE id <= 5")
        assert cur.rowcount == 5
        assert c.info.transaction_status == TS.IDLE
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as ei:
            c.execute("UPDATE s_guarded SET v = 2 WHERE id <= %s", [10])
        assert "the limit for shadowbot is 5" in str(ei.value)
        assert c.info.transaction_status == TS.IDLE
        assert c.execute("SELECT sum(v) FROM s_guarded").fetchone() == (5,)
        # inside the agent's transaction too
        c.execute("BEGIN")
        assert c.execute("UPDATE s_guarded SET v = 3 WHERE id = %s", [20]).rowcount == 1
        assert c.info.transaction_status == TS.INTRANS
        c.execute("COMMIT")
        assert c.execute("SELECT sum(v) FROM s_guarded").fetchone() == (8,)
    su_unchanged(pg)


def test_budget_checked_but_not_charged(pg, gateway):
    for _ in range(2):  # the second session gets the whole budget again: nothing was charged
        with connect(gateway, autocommit=True) as c:
            assert c.execute("UPDATE s_budget SET v = 1 WHERE id <= 2").rowcount == 2
            with pytest.raises(psycopg.errors.InsufficientPrivilege) as ei:
                c.execute("UPDATE s_budget SET v = 1 WHERE id BETWEEN 3 AND 4")
            assert "budget" in str(ei.value)
            assert c.execute("SELECT sum(v) FROM s_budget").fetchone() == (2,)


# --------------------------------------------------------------------------- other clients

def psql(gateway, *args, input=None):
    cmd = ["psql", "-X", "-At", *args]
    return subprocess.run(cmd, env=gateway.env(AGENT), capture_output=True, text=True,
                          timeout=60, input=input)


def test_psql(pg, gateway):
    script = """
UPDATE s_items SET qty = qty + 1 WHERE id <= 2 RETURNING id, qty;
SELECT sum(qty) FROM s_items;
BEGIN;
DELETE FROM s_items WHERE id > 5;
SELECT count(*) FROM s_items;
ROLLBACK;
SELECT count(*) FROM s_items;
BEGIN;
SELECT 1/0;
SELECT 2;
ROLLBACK;
INSERT INTO s_items VALUES (11, 'x', 0);
SELECT count(*), sum(qty) FROM s_items;
"""
    r = psql(gateway, "-q", "-f", "-", input=script)
    assert r.stdout.split() == ["1|11", "2|21", "552", "5", "10", "11|552"], r.stdout + r.stderr
    assert "division by zero" in r.stderr
    assert "current transaction is aborted" in r.stderr
    su_unchanged(pg)
    # psql -c with several statements, transaction control among them: refused
    r = psql(gateway, "-c", "BEGIN; DELETE FROM s_items WHERE id > 0; COMMIT")
    assert r.returncode != 0 and "gateway.shadow" in r.stderr
    su_unchanged(pg)


NODE_SCRIPT = r"""
const pg = require(process.env.PG_MODULE);
const assert = require('node:assert/strict');
(async () => {
  const c = new pg.Client({ connectionTimeoutMillis: 10000 });
  await c.connect();
  let r = await c.query('UPDATE s_items SET qty = $1 WHERE id <= $2 RETURNING id', [0, 3]);
  assert.equal(r.rowCount, 3);
  assert.deepEqual(r.rows.map((x) => x.id).sort(), [1, 2, 3]);
  r = await c.query('SELECT sum(qty)::int AS s FROM s_items');
  assert.equal(r.rows[0].s, 550 - 60);
  await c.query('BEGIN');
  await c.query('DELETE FROM s_items WHERE id = $1', [10]);
  await c.query('ROLLBACK');
  await c.query('BEGIN');
  await c.query('INSERT INTO s_items VALUES ($1, $2, $3)', [11, 'n', 7]);
  await c.query('COMMIT');
  await assert.rejects(c.query('SELECT 1/0'), /division by zero/);
  r = await c.query('SELECT count(*)::int AS n, sum(qty)::int AS s FROM s_items');
  assert.deepEqual(r.rows[0], { n: 11, s: 550 - 60 + 7 });
  await c.end();
  console.log('ok');
})().catch((e) => { console.error(e); process.exit(1); });
"""


def test_node_postgres(pg, gateway):
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not (JS_DIR / "node_modules" / "pg").is_dir():
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=JS_DIR,
                           capture_output=True, text=True, timeout=180)
        assert r.returncode == 0, r.stdout + r.stderr
    env = gateway.env(AGENT)
    env["PG_MODULE"] = str(JS_DIR / "node_modules" / "pg")
    r = subprocess.run(["node", "-e", NODE_SCRIPT], env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and "ok" in r.stdout, r.stdout + r.stderr
    su_unchanged(pg)


JAVA_SRC = r"""
import java.sql.*;

public class ShadowJdbc {
  static void check(boolean ok, String what) { if (!ok) throw new AssertionError(what); }
  static int sum(Connection c) throws SQLException {
    try (ResultSet r = c.createStatement().executeQuery("SELECT sum(qty) FROM s_items")) {
      r.next(); return r.getInt(1);
    }
  }
  public static void main(String[] a) throws Exception {
    String url = "jdbc:postgresql://" + System.getenv("PGHOST") + ":" + System.getenv("PGPORT") + "/"
        + System.getenv("PGDATABASE") + "?sslmode=disable";
    try (Connection c = DriverManager.getConnection(url, System.getenv("PGUSER"), System.getenv("PGPASSWORD"))) {
      c.setAutoCommit(false);  // pgjdbc sends BEGIN in the same batch as the first statement
      try (PreparedStatement p = c.prepareStatement("UPDATE s_items SET qty = ? WHERE id = ?")) {
        p.setInt(1, 0); p.setInt(2, 1);
        check(p.executeUpdate() == 1, "update count");
      }
      check(sum(c) == 540, "own write visible");
      c.commit();
      try (PreparedStatement p = c.prepareStatement("DELETE FROM s_items WHERE id > ?")) {
        p.setInt(1, 5);
        check(p.executeUpdate() == 5, "delete count");
      }
      c.rollback();
      check(sum(c) == 540, "rollback undone, commit kept");
      c.commit();
      c.setAutoCommit(true);
      try (Statement st = c.createStatement()) {
        try { st.execute("SELECT 1/0"); check(false, "no error"); } catch (SQLException e) {
          check("22012".equals(e.getSQLState()), e.getSQLState());
        }
        check(st.executeUpdate("UPDATE s_items SET qty = 0 WHERE id = 2") == 1, "autocommit update");
      }
      check(sum(c) == 520, "autocommit write visible");
    }
    System.out.println("ok");
  }
}
"""


def test_jdbc(pg, gateway, tmp_path):
    jar = Path(os.environ.get("PGJDBC_JAR", "/usr/share/java/postgresql.jar"))
    if shutil.which("java") is None or not jar.exists():
        pytest.skip("java or pgjdbc missing")
    src = tmp_path / "ShadowJdbc.java"
    src.write_text(JAVA_SRC)
    r = subprocess.run(["java", "-cp", str(jar), str(src)], env=gateway.env(AGENT),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "ok" in r.stdout, r.stdout + r.stderr
    su_unchanged(pg)


# --------------------------------------------------------------------------- audit trail

def test_audit_trail_records_shadow(pg, gateway):
    with connect(gateway, autocommit=True, application_name="shadow-audit") as c:
        c.execute("UPDATE s_items SET qty = 0 WHERE id <= 4")
        c.execute("DELETE FROM s_items WHERE id = %s", [9])
    trail: Path = gateway.extra["trail"]
    deadline = time.monotonic() + 5
    while True:
        recs = []
        for f in sorted(trail.glob("audit-*.jsonl")):
            recs += [json.loads(l) for l in f.read_text().splitlines() if l.strip()]
        intents = [r for r in recs if r["kind"] == "intent"
                   and r.get("application_name") == "shadow-audit"]
        outcomes = {r["ref"]: r for r in recs if r["kind"] == "outcome" and "ref" in r}
        if len(intents) >= 2 and all(i["seq"] in outcomes for i in intents):
            break
        assert time.monotonic() < deadline, recs[-10:]
        time.sleep(0.1)
    assert all(r["mode"] == "shadow" for r in intents), intents
    update = next(r for r in intents if r["statement"].startswith("UPDATE"))
    delete = next(r for r in intents if r["statement"].startswith("DELETE"))
    assert outcomes[update["seq"]]["rows_changed"] == 4
    assert outcomes[update["seq"]]["mode"] == "shadow"
    assert outcomes[delete["seq"]]["rows_changed"] == 1


def test_block_only_statements(pg, gateway):
    with connect(gateway, autocommit=True) as c:
        for sql in ["LOCK TABLE s_items IN SHARE MODE", "RELEASE SAVEPOINT a",
                    "ROLLBACK TO SAVEPOINT a"]:
            with pytest.raises(psycopg.errors.NoActiveSqlTransaction) as ei:
                c.execute(sql)
            assert "can only be used in transaction blocks" in str(ei.value)
            assert c.info.transaction_status == TS.IDLE
        with pytest.raises(psycopg.errors.NoActiveSqlTransaction):
            c.execute("SAVEPOINT a", prepare=True)  # extended protocol
        c.execute("BEGIN")
        c.execute("LOCK TABLE s_items IN SHARE MODE")
        c.execute("SAVEPOINT a")
        c.execute("UPDATE s_items SET qty = 0 WHERE id = 1")
        c.execute("RELEASE SAVEPOINT a")
        c.execute("ROLLBACK")
        assert items(c) == BASELINE


def test_raw_pipelined_batches(pg, gateway):
    """Batches sent in one write: each is answered in order, with PostgreSQL's tags and
    statuses; statements after a COMMIT in the same batch form a new implicit transaction
    (an error there undoes them, not the committed block); BEGIN not first in its batch is
    refused."""
    from enforce_setup import (bind_msg, execute_msg, no_more_messages, parse_msg, pbes,
                               query_msg, read_batches, sync_msg)

    def pbe(sql):
        return parse_msg(sql) + bind_msg() + execute_msg()

    def show(batch):
        out = []
        for t, body in batch:
            if t == b"C":
                out.append("C:" + body.rstrip(b"\0").decode())
            elif t == b"E":
                out.append("E:" + harness.parse_error_fields(body).get("C", "?"))
            elif t == b"D":
                ln = struct.unpack("!i", body[2:6])[0]
                out.append("D:" + body[6:6 + ln].decode())
            elif t == b"Z":
                out.append("Z:" + body[:1].decode())
            else:
                out.append(t.decode())
        return out

    payloads = [
        query_msg("BEGIN"),
        query_msg("UPDATE s_items SET qty = 0 WHERE id = 1"),
        pbe("COMMIT") + pbe("UPDATE s_items SET qty = 0 WHERE id = 2") +
        pbe("INSERT INTO s_items VALUES (1, 'dup', 1)") +
        sync_msg(),
        query_msg("SELECT sum(qty) FROM s_items"),
        pbe("SELECT 1") + pbe("BEGIN") + sync_msg(),
        pbes("BEGIN"),
        pbe("UPDATE s_items SET qty = 0 WHERE id = 3") + pbe("ROLLBACK") + sync_msg(),
        query_msg("SELECT sum(qty) FROM s_items"),
    ]

    async def go():
        c = await harness.RawConn.connect(gateway.host, gateway.port, AGENT, gateway.password(AGENT))
        try:
            c.send(b"".join(payloads))
            await c.writer.drain()
            batches = await read_batches(c, len(payloads))
            return batches, await no_more_messages(c)
        finally:
            await c.close()

    batches, extra = harness.run(go(), 30)
    s = [show(b) for b in batches]
    assert s[0] == ["C:BEGIN", "Z:T"], s
    assert s[1] == ["C:UPDATE 1", "Z:T"], s
    assert s[2] == ["1", "2", "C:COMMIT", "1", "2", "C:UPDATE 1", "1", "2", "E:23505", "Z:I"], s
    assert s[3] == ["T", "D:540", "C:SELECT 1", "Z:I"], s  # id 1 kept, id 2 undone
    assert s[4] == ["1", "2", "D:1", "C:SELECT 1", "1", "2", "E:0A000", "Z:I"], s
    assert s[5] == ["1", "2", "C:BEGIN", "Z:T"], s
    # an Execute of ROLLBACK that is not first in its batch is refused: the block fails
    assert s[6] == ["1", "2", "C:UPDATE 1", "1", "2", "E:0A000", "Z:E"], s
    assert s[7] == ["E:25P02", "Z:E"], s
    assert extra == []
    with connect(gateway, autocommit=True) as c:
        assert items(c) == BASELINE
