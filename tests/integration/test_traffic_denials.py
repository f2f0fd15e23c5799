"""Policy denials are failures for traffic control (issue #20, docs/config.md "Traffic
control"): an agent looping on a statement it may not run trips that statement's breaker,
and denials count toward the agent pause (pause_error_rate). Refusals by traffic control
itself do not count."""
from __future__ import annotations

import psycopg
import pytest

import harness

AGENTS = {
    "looper": ("LOOPER_PASSWORD", "looper-pw-denials"),
    "pauser": ("PAUSER_PASSWORD", "pauser-pw-denials"),
}
READ = """
        allow:
          - tables: [public.td_rows]
            actions: [select]
"""
POLICY = {
    # The 9th failure within the window opens the breaker (failures: 8 may happen).
    "looper": READ + "        breaker: {failures: 8, window: 60s, cooldown: 30s}\n",
    # No statement breaker; paused when more than half of at least 4 statements failed.
    "pauser": READ + "        breaker: {failures: 0, pause_error_rate: 50%, "
                     "pause_min_statements: 4, pause_window: 60s, pause_cooldown: 30s}\n",
}
FORBIDDEN = "DELETE FROM td_rows WHERE id = 5"


@pytest.fixture(scope="module")
def gw(pg):
    if harness.DIRECT:
        pytest.skip("traffic control needs the gateway")
    with pg.su_connect() as c:
        c.execute("DROP TABLE IF EXISTS public.td_rows")
        c.execute("CREATE TABLE public.td_rows(id int)")
        c.execute("INSERT INTO public.td_rows SELECT generate_series(1, 10)")
        # PostgreSQL would let the DELETE run: only Airlock's policy stands in the way.
        c.execute("GRANT SELECT, DELETE ON public.td_rows TO airlock")
    g = harness.start_gateway(pg, name="denials", extra_agents=AGENTS, agent_policies=POLICY)
    try:
        harness.wait_until_allowed(g, "looper", "SELECT count(*) FROM td_rows")
    except BaseException:
        g.stop()
        raise
    try:
        yield g
    finally:
        g.stop()
        with pg.su_connect() as c:
            c.execute("DROP TABLE IF EXISTS public.td_rows")


def attempt(c, sql: str) -> psycopg.Error:
    with pytest.raises(psycopg.Error) as ei:
        c.execute(sql)
    return ei.value


def rows_left(pg) -> int:
    with pg.su_connect() as c:
        return c.execute("SELECT count(*) FROM public.td_rows").fetchone()[0]


def test_denied_statement_sent_nine_times_opens_its_breaker(pg, gw):
    with psycopg.connect(gw.dsn("looper"), autocommit=True) as c:
        for i in range(9):
            e = attempt(c, FORBIDDEN)
            assert e.sqlstate == "42501", (i, e)
            assert e.diag.message_primary.startswith("airlock:"), e.diag.message_primary
        for _ in range(3):
            e = attempt(c, FORBIDDEN)
            assert e.sqlstate == "53400", e
            m = e.diag.message_primary
            assert "breaker for this statement is open" in m and "closes in" in m, m
        # other statements of the agent are not affected
        assert c.execute("SELECT count(*) FROM td_rows").fetchone() == (10,)
    assert rows_left(pg) == 10


def test_denials_pause_the_agent(pg, gw):
    with psycopg.connect(gw.dsn("pauser"), autocommit=True) as c:
        for _ in range(4):
            e = attempt(c, FORBIDDEN)
            assert e.sqlstate == "42501", e
        # 4 of 4 statements failed: the agent is paused, allowed statements included
        e = attempt(c, "SELECT count(*) FROM td_rows")
        assert e.sqlstate == "53400", e
        assert "agent pauser is paused" in e.diag.message_primary, e.diag.message_primary
    assert rows_left(pg) == 10


def test_traffic_refusals_do_not_count_as_failures(gw):
    """A paused agent's refused statements do not extend its failure share: after the first
    refusal, further refused attempts still report the same cause (the denials)."""
    with psycopg.connect(gw.dsn("pauser"), autocommit=True) as c:
        messages = [attempt(c, "SELECT 1").diag.message_primary for _ in range(5)]
    assert all("is paused" in m for m in messages), messages
    assert all("% of its statements failed" in m for m in messages), messages
