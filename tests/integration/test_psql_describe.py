"""psql 15's describe commands as a restricted agent (issue #20): `reader` may only SELECT from
public.tickets, yet \\d, \\d+ tickets, \\dt, \\di, \\dv, \\df, \\dn and \\du must work and show
exactly what PostgreSQL shows the same commands run directly as the gateway's upstream role
(the rights the agent's statements run with): catalog reads are allowed, never filtered."""
from __future__ import annotations

import subprocess

import pytest

from enforce_setup import gateway  # noqa: F401  (module-scoped enforcing gateway)

pytestmark = pytest.mark.gateway_only

COMMANDS = [r"\d", r"\d tickets", r"\d+ tickets", r"\dt", r"\di", r"\dv", r"\df", r"\dn",
            r"\du", r"\d+ psql_d_parted", r"\dt+", r"\dP+"]


@pytest.fixture(scope="module")
def objects(pg, gateway):  # noqa: F811
    """A view, a function and a partitioned table, so that \\dv, \\df and the partition
    queries of \\d+ have something to show."""
    with pg.su_connect() as c:
        c.execute("CREATE VIEW public.psql_d_view AS SELECT id, status FROM public.tickets")
        c.execute("CREATE FUNCTION public.psql_d_fn(int) RETURNS int LANGUAGE sql "
                  "IMMUTABLE AS 'SELECT $1 + 1'")
        c.execute("CREATE TABLE public.psql_d_parted(id int, at date) PARTITION BY RANGE (at)")
        c.execute("CREATE TABLE public.psql_d_2024 PARTITION OF public.psql_d_parted "
                  "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')")
    yield
    with pg.su_connect() as c:
        c.execute("DROP VIEW IF EXISTS public.psql_d_view")
        c.execute("DROP FUNCTION IF EXISTS public.psql_d_fn(int)")
        c.execute("DROP TABLE IF EXISTS public.psql_d_parted")


def psql(env: dict, command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["psql", "-X", "-v", "ON_ERROR_STOP=1", "-P", "pager=off", "-c", command],
                          env=env, capture_output=True, text=True, timeout=30)


def direct_env(pg, gateway) -> dict:  # noqa: F811
    env = gateway.env("reader")
    env.update(PGHOST=pg.host, PGPORT=str(pg.port), PGUSER=pg.upstream_user,
               PGPASSWORD=pg.upstream_password)
    return env


@pytest.mark.parametrize("command", COMMANDS)
def test_describe_as_restricted_agent(pg, gateway, objects, command):  # noqa: F811
    through = psql(gateway.env("reader"), command)
    assert through.returncode == 0, f"{command} through the gateway: {through.stderr}"
    assert "airlock" not in through.stderr, through.stderr
    direct = psql(direct_env(pg, gateway), command)
    assert direct.returncode == 0, direct.stderr
    assert through.stdout == direct.stdout


def test_describe_shows_the_table(gateway, objects):  # noqa: F811
    out = psql(gateway.env("reader"), r"\d+ tickets").stdout
    assert 'Table "public.tickets"' in out
    for column in ("id", "status", "assignee", "body"):
        assert f" {column} " in out, out
    assert "tickets_pkey" in out and "PRIMARY KEY" in out, out
    parted = psql(gateway.env("reader"), r"\d+ psql_d_parted").stdout
    assert "Partition key: RANGE (at)" in parted and "psql_d_2024" in parted, parted
