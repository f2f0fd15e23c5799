"""Traffic control per agent (issue #6, part 1): rate limit (delay, then 53400), the
retry-storm breaker (opens, refuses without reaching PostgreSQL, half-opens, closes), the
connection cap (53300) and a statement timeout the agent cannot SET away."""
from __future__ import annotations

import time

import psycopg
import pytest

import harness

AGENTS = {
    "rl": ("RL_PASSWORD", "rl-pw-traffic"),
    "storm": ("STORM_PASSWORD", "storm-pw-traffic"),
    "capped": ("CAPPED_PASSWORD", "capped-pw-traffic"),
    "slow": ("SLOW_PASSWORD", "slow-pw-traffic"),
}
READ = """
        allow:
          - tables: [public.tr_flaky, public.tr_ok]
            actions: [select]
          - sequences: [public.tr_seq]
"""
POLICY = {
    "rl": READ + "        limits: {rate: 5, burst: 5, max_delay: 100ms}\n",
    "storm": READ + "        breaker: {failures: 3, window: 30s, cooldown: 2s}\n",
    "capped": READ + "        limits: {max_connections: 2}\n",
    "slow": READ + "        limits: {statement_timeout: 300ms}\n",
}


@pytest.fixture(scope="module")
def gw(pg):
    if harness.DIRECT:
        pytest.skip("traffic control needs the gateway")
    with pg.su_connect() as c:
        c.execute("DROP TABLE IF EXISTS public.tr_flaky, public.tr_ok")
        c.execute("DROP SEQUENCE IF EXISTS public.tr_seq")
        c.execute("CREATE SEQUENCE public.tr_seq")
        c.execute("GRANT USAGE, SELECT, UPDATE ON SEQUENCE public.tr_seq TO airlock")
        c.execute("CREATE TABLE public.tr_ok(id int)")
        c.execute("CREATE TABLE public.tr_flaky(id int)")  # no GRANT yet: PostgreSQL refuses
        c.execute("INSERT INTO public.tr_ok VALUES (1)")
        c.execute("GRANT SELECT ON public.tr_ok TO airlock")
    g = harness.start_gateway(pg, name="traffic", extra_agents=AGENTS, agent_policies=POLICY)
    try:
        harness.wait_until_allowed(g, "capped", "SELECT count(*) FROM tr_ok")
    except BaseException:
        g.stop()
        raise
    try:
        yield g
    finally:
        g.stop()


def test_rate_limit_delays_then_refuses(gw):
    with psycopg.connect(gw.dsn("rl"), autocommit=True) as c:
        time.sleep(1.2)  # a full bucket
        ok, refused, messages = 0, 0, []
        t0 = time.monotonic()
        for _ in range(20):
            try:
                c.execute("SELECT 1")
                ok += 1
            except psycopg.Error as e:
                assert e.sqlstate == "53400", e
                refused += 1
                messages.append(e.diag.message_primary)
        elapsed = time.monotonic() - t0
        assert 5 <= ok < 20, (ok, refused)
        assert refused > 0
        assert "rate limit for rl" in messages[0] and "retry in" in messages[0], messages[0]
        assert elapsed < 5
        # after a pause the agent may go on
        time.sleep(1.1)
        assert c.execute("SELECT 1").fetchone() == (1,)


def test_breaker_opens_and_closes(pg, gw):
    with psycopg.connect(gw.dsn("storm"), autocommit=True) as c:
        for _ in range(4):  # airlock may not read it yet: PostgreSQL's own error
            with pytest.raises(psycopg.errors.InsufficientPrivilege) as ei:
                c.execute("SELECT * FROM tr_flaky")
            assert not ei.value.diag.message_primary.startswith("airlock")
        with pytest.raises(psycopg.Error) as ei:
            c.execute("SELECT * FROM tr_flaky")
        assert ei.value.sqlstate == "53400", ei.value
        m = ei.value.diag.message_primary
        assert "breaker" in m and "open" in m and "closes in" in m, m
        # other statements of the same agent are not affected
        assert c.execute("SELECT count(*) FROM tr_ok").fetchone() == (1,)
        # the fix lands; after the cool-down one trial passes and closes the breaker
        with pg.su_connect() as su:
            su.execute("GRANT SELECT ON public.tr_flaky TO airlock")
        time.sleep(2.2)
        assert c.execute("SELECT * FROM tr_flaky").fetchall() == []
        assert c.execute("SELECT * FROM tr_flaky").fetchall() == []


def test_breaker_open_attempts_never_reach_postgres(pg, gw):
    """nextval() runs before the division fails, so the sequence counts the attempts that
    reached PostgreSQL."""
    sql = "SELECT 1 / (nextval('public.tr_seq') * 0)"
    with psycopg.connect(gw.dsn("storm"), autocommit=True) as c:
        for _ in range(4):
            with pytest.raises(psycopg.errors.DivisionByZero):
                c.execute(sql)
        for _ in range(10):
            with pytest.raises(psycopg.Error) as ei:
                c.execute(sql)
            assert ei.value.sqlstate == "53400"
    with pg.su_connect() as su:
        assert su.execute("SELECT last_value FROM public.tr_seq").fetchone() == (4,)


def test_connection_cap(gw):
    a = psycopg.connect(gw.dsn("capped"), autocommit=True)
    b = psycopg.connect(gw.dsn("capped"), autocommit=True)
    try:
        with pytest.raises(psycopg.OperationalError) as ei:
            psycopg.connect(gw.dsn("capped"), autocommit=True)
        assert "limit of 2" in str(ei.value), ei.value
        # other agents are not capped by it
        with psycopg.connect(gw.dsn("slow"), autocommit=True) as c:
            assert c.execute("SELECT 1").fetchone() == (1,)
    finally:
        a.close()
    # a slot frees when a connection closes
    with psycopg.connect(gw.dsn("capped"), autocommit=True) as c:
        assert c.execute("SELECT 1").fetchone() == (1,)
    b.close()


def test_statement_timeout_enforced_and_not_settable(gw):
    with psycopg.connect(gw.dsn("slow"), autocommit=True) as c:
        assert c.execute("SHOW statement_timeout").fetchone() == ("300ms",)
        with pytest.raises(psycopg.errors.QueryCanceled):
            c.execute("SELECT count(*) FROM generate_series(1, 300000000)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as ei:
            c.execute("SET statement_timeout = 0")
        assert "statement_timeout" in ei.value.diag.message_primary
        c.execute("RESET statement_timeout")
        assert c.execute("SHOW statement_timeout").fetchone() == ("300ms",)
    # nor as a startup setting
    with psycopg.connect(gw.dsn("slow"), autocommit=True, options="-c statement_timeout=0") as c:
        assert c.execute("SHOW statement_timeout").fetchone() == ("300ms",)
