"""limits.max_connections: with 5 agent connections open, the 6th is refused with 53300
(too_many_connections); after one closes, a new one is accepted again.

A closed or aborted connection is counted until its session has ended on the gateway's
side; the tests wait for airlock_connections_active on /metrics, never for a time."""
import asyncio

import pytest

import harness
from gateway_metrics import admin_yaml, wait_gauge
from harness import RawConn, run

pytestmark = pytest.mark.gateway_only

LIMIT = 5


@pytest.fixture(scope="module")
def gw(pg):
    port = harness.free_port()
    g = harness.start_gateway(pg, name="maxconn", extra_yaml=f"limits: {{max_connections: {LIMIT}}}\n"
                              + admin_yaml(port))
    g.extra["admin_port"] = port
    try:
        yield g
    finally:
        g.stop()


def wait_connections(gw, n: int) -> None:
    wait_gauge(gw.extra["admin_port"], "airlock_connections_active", n)


def test_sixth_connection_refused_53300(gw):
    wait_connections(gw, 0)

    async def go():
        conns = [await RawConn.connect(gw.host, gw.port, "alice", gw.password("alice")) for _ in range(LIMIT)]
        try:
            for c in conns:
                assert await c.query("SELECT 1") == [[(b"1",)]]
            try:
                extra = await RawConn.connect(gw.host, gw.port, "bob", gw.password("bob"))
            except harness.PgError as e:
                sixth = e.sqlstate
            else:
                sixth = "accepted"
                extra.abort()
            await conns[0].close()
            await asyncio.to_thread(wait_connections, gw, LIMIT - 1)
            again = await RawConn.connect(gw.host, gw.port, "bob", gw.password("bob"))
            rows = await again.query("SELECT 2")
            await again.close()
            return sixth, rows
        finally:
            for c in conns:
                c.abort()
    sixth, rows = run(go(), 60)
    assert sixth == "53300", sixth
    assert rows == [[(b"2",)]]


def test_under_the_limit_all_work(gw):
    wait_connections(gw, 0)  # the previous test's aborted connections are gone

    async def go():
        conns = await asyncio.gather(*[RawConn.connect(gw.host, gw.port, "alice", gw.password("alice"))
                                       for _ in range(LIMIT)])
        try:
            return [await c.query("SELECT 1") for c in conns]
        finally:
            for c in conns:
                await c.close()
    assert run(go(), 60) == [[[(b"1",)]]] * LIMIT
