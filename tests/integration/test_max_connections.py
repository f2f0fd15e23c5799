"""limits.max_connections: with 5 agent connections open, the 6th is refused with 53300
(too_many_connections); after one closes, a new one is accepted again."""
import asyncio

import pytest

import harness
from harness import RawConn, run

pytestmark = pytest.mark.gateway_only

LIMIT = 5


@pytest.fixture(scope="module")
def gw(pg):
    g = harness.start_gateway(pg, name="maxconn", extra_yaml=f"limits: {{max_connections: {LIMIT}}}")
    try:
        yield g
    finally:
        g.stop()


def test_sixth_connection_refused_53300(gw):
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
            await asyncio.sleep(0.3)
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
    async def go():
        conns = await asyncio.gather(*[RawConn.connect(gw.host, gw.port, "alice", gw.password("alice"))
                                       for _ in range(LIMIT)])
        try:
            return [await c.query("SELECT 1") for c in conns]
        finally:
            for c in conns:
                await c.close()
    assert run(go(), 60) == [[[(b"1",)]]] * LIMIT
