"""Holds, approvals and write budgets (issue #4, parts 2, 3 and 5): a held statement waits
for a human who approves or denies it with `airlock approvals`; an approval runs the
statement exactly once; requests and budgets live in the SQLite state store and survive a
restart of the gateway."""
from __future__ import annotations

import json
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest

import harness

AGENTS = {
    "ops": ("OPS_PASSWORD", "ops-pw-holds"),
    "batch": ("BATCH_PASSWORD", "batch-pw-holds"),
}
POLICY = {
    "ops": """
        allow:
          - tables: [public.h_subs, public.h_accounts]
            actions: [select]
          - tables: [public.h_subs]
            actions: [update]
            max_rows: 10
            over_limit: hold
        hold:
          - tables: [public.h_accounts]
            actions: [update]
            reason: account changes need a human
    """,
    "batch": """
        allow:
          - tables: [public.h_subs]
            actions: [select, update]
        budgets:
          - name: subs_hourly
            tables: [public.h_subs]
            actions: [update]
            max_rows: 12
            window: 1h
    """,
}

SCHEMA = """
DROP TABLE IF EXISTS public.h_subs, public.h_accounts CASCADE;
CREATE TABLE public.h_subs(id int PRIMARY KEY, status text NOT NULL, plan text NOT NULL);
CREATE TABLE public.h_accounts(id int PRIMARY KEY, name text);
GRANT SELECT, INSERT, UPDATE, DELETE ON public.h_subs, public.h_accounts TO airlock;
"""

HOLD_WAIT = "4s"


def reset(pg) -> None:
    with pg.su_connect() as c:
        c.execute("TRUNCATE public.h_subs, public.h_accounts")
        c.execute("INSERT INTO public.h_subs SELECT g, CASE WHEN g <= 60 THEN 'past_due' "
                  "ELSE 'active' END, 'pro' FROM generate_series(1, 100) g")
        c.execute("INSERT INTO public.h_accounts SELECT g, 'acct' || g FROM generate_series(1, 10) g")


def su(pg, sql):
    with pg.su_connect() as c:
        return c.execute(sql).fetchall()


class Gw:
    """A gateway whose state file outlives restarts."""

    def __init__(self, pg):
        self.pg = pg
        self.dir = Path(tempfile.mkdtemp(prefix="airlock-holds-"))
        self.state = self.dir / "state.db"
        self.gw = None

    def start(self):
        extra = (f"state: {{path: '{self.state}'}}\n"
                 f"approvals: {{hold_wait: {HOLD_WAIT}, expire_after: 1h}}")
        self.gw = harness.start_gateway(self.pg, name="holds", extra_agents=AGENTS,
                                        agent_policies=POLICY, extra_yaml=extra)
        harness.wait_until_allowed(self.gw, "ops", "SELECT count(*) FROM h_subs")

    def stop(self):
        if self.gw:
            self.gw.stop()
            self.gw = None

    def connect(self, agent, **kw):
        return psycopg.connect(self.gw.dsn(agent), autocommit=True, **kw)

    def cli(self, *args, check=True):
        r = subprocess.run([str(harness.find_airlock_bin()), "approvals", *args, "--config",
                            str(self.gw.config_path)], capture_output=True, text=True, timeout=30)
        if check and r.returncode != 0:
            raise AssertionError(f"airlock approvals {args}: {r.returncode}\n{r.stdout}\n{r.stderr}")
        return r

    def pending(self):
        return json.loads(self.cli("list", "--json").stdout)


@pytest.fixture(scope="module")
def gw(pg):
    if harness.DIRECT:
        pytest.skip("holds need the gateway")
    with pg.su_connect() as c:
        c.execute(SCHEMA)
    g = Gw(pg)
    g.start()
    try:
        yield g
    finally:
        g.stop()


@pytest.fixture(autouse=True)
def data(pg, gw):
    reset(pg)
    yield


def wait_pending(gw, agent, text, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for a in gw.pending():
            if a["agent"] == agent and a["status"] == "pending" and text in a["sql"]:
                return a
        time.sleep(0.1)
    raise AssertionError("no pending approval appeared")


def run_in_thread(fn):
    out = {}

    def target():
        try:
            out["result"] = fn()
        except BaseException as e:  # noqa: BLE001 - reported by the test
            out["error"] = e
    t = threading.Thread(target=target)
    t.start()
    return t, out


def test_hold_approved_while_agent_waits(pg, gw):
    def agent():
        with gw.connect("ops") as c:
            return c.execute("UPDATE h_accounts SET name = 'renamed' WHERE id = 1").rowcount
    t, out = run_in_thread(agent)
    req = wait_pending(gw, "ops", "'renamed'")
    assert "h_accounts" in req["sql"] and req["rule"] == "hold[0]"
    gw.cli("approve", req["id"], "--note", "looks fine")
    t.join(20)
    assert out.get("result") == 1, out
    assert su(pg, "SELECT name FROM public.h_accounts WHERE id = 1") == [("renamed",)]
    shown = json.loads(gw.cli("list", "--json", "--status", "all").stdout)
    assert any(a["id"] == req["id"] and a["status"] == "executed" for a in shown)


def test_hold_denied_gives_note(pg, gw):
    def agent():
        with gw.connect("ops") as c:
            c.execute("UPDATE h_accounts SET name = 'nope' WHERE id = 2")
    t, out = run_in_thread(agent)
    req = wait_pending(gw, "ops", "'nope'")
    gw.cli("deny", req["id"], "--note", "not during the freeze")
    t.join(20)
    e = out.get("error")
    assert isinstance(e, psycopg.errors.InsufficientPrivilege), out
    assert "denied" in e.diag.message_primary and "not during the freeze" in e.diag.message_primary
    assert su(pg, "SELECT name FROM public.h_accounts WHERE id = 2") == [("acct2",)]


def test_hold_times_out_then_resend_runs_once(pg, gw):
    sql = "UPDATE h_accounts SET name = name || '+' WHERE id = 3"
    with gw.connect("ops") as c:
        t0 = time.monotonic()
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as ei:
            c.execute(sql)
        assert time.monotonic() - t0 >= 3.5
        m = ei.value.diag.message_primary
        assert "still pending" in m, m
        req_id = m.split("request ")[1].split()[0]
        assert req_id.startswith("apr_")
        assert req_id in ei.value.diag.message_hint
    gw.cli("approve", req_id)
    with gw.connect("ops") as c:
        assert c.execute(sql).rowcount == 1  # runs at once, exactly once
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute(sql)  # the approval is used up: held again, times out
    assert su(pg, "SELECT name FROM public.h_accounts WHERE id = 3") == [("acct3+",)]


def test_approval_never_applies_to_another_statement(pg, gw):
    with gw.connect("ops") as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as ei:
            c.execute("UPDATE h_accounts SET name = 'a' WHERE id = 4")
        req_id = ei.value.diag.message_primary.split("request ")[1].split()[0]
    gw.cli("approve", req_id)
    with gw.connect("ops") as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("UPDATE h_accounts SET name = 'b' WHERE id = 4")
    assert su(pg, "SELECT name FROM public.h_accounts WHERE id = 4") == [("acct4",)]
    # the approved one still runs
    with gw.connect("ops") as c:
        assert c.execute("UPDATE h_accounts SET name = 'a' WHERE id = 4").rowcount == 1


def test_over_limit_hold_approved_runs_with_real_count(pg, gw):
    def agent():
        with gw.connect("ops") as c:
            return c.execute("UPDATE h_subs SET plan = 'free' WHERE status = 'past_due'").rowcount
    t, out = run_in_thread(agent)
    req = wait_pending(gw, "ops", "past_due")
    assert req["rows"] == 60, req
    # while it waits, nothing is changed
    assert su(pg, "SELECT count(*) FROM public.h_subs WHERE plan = 'free'") == [(0,)]
    gw.cli("approve", req["id"])
    t.join(20)
    assert out.get("result") == 60, out
    assert su(pg, "SELECT count(*) FROM public.h_subs WHERE plan = 'free'") == [(60,)]


def test_hold_survives_restart(pg, gw):
    sql = "UPDATE h_accounts SET name = 'after-restart' WHERE id = 5"
    with gw.connect("ops") as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as ei:
            c.execute(sql)
        req_id = ei.value.diag.message_primary.split("request ")[1].split()[0]
    gw.stop()
    gw.start()
    assert any(a["id"] == req_id for a in gw.pending())
    gw.cli("approve", req_id)
    with gw.connect("ops") as c:
        assert c.execute(sql).rowcount == 1
    assert su(pg, "SELECT name FROM public.h_accounts WHERE id = 5") == [("after-restart",)]


def test_budget_across_statements_connections_and_restart(pg, gw):
    a = gw.connect("batch")
    b = gw.connect("batch")
    try:
        assert a.execute("UPDATE h_subs SET plan = 'x' WHERE id BETWEEN 1 AND 5").rowcount == 5
        assert b.execute("UPDATE h_subs SET plan = %s WHERE id BETWEEN %s AND %s",
                         ["x", 6, 10]).rowcount == 5
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as ei:
            a.execute("UPDATE h_subs SET plan = 'x' WHERE id BETWEEN 11 AND 15")
        m = ei.value.diag.message_primary
        assert "subs_hourly" in m and "12" in m and "10 are used" in m, m
        assert b.execute("UPDATE h_subs SET plan = 'x' WHERE id IN (11, 12)").rowcount == 2
    finally:
        a.close()
        b.close()
    assert su(pg, "SELECT count(*) FROM public.h_subs WHERE plan = 'x'") == [(12,)]
    gw.stop()
    gw.start()
    with gw.connect("batch") as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("UPDATE h_subs SET plan = 'x' WHERE id = 13")
        # a statement that changes no rows costs nothing
        assert c.execute("UPDATE h_subs SET plan = 'x' WHERE id = 1000").rowcount == 0
    assert su(pg, "SELECT count(*) FROM public.h_subs WHERE plan = 'x'") == [(12,)]
