"""A client vanishing mid-query: its upstream statement must not keep running.

A raw client starts `pg_sleep(60)` and its socket is reset (no Terminate). Within 5 s,
pg_stat_activity (read directly as superuser) shows no active pg_sleep of that session.
In direct mode PostgreSQL only notices a dead client with client_connection_check_interval,
which the test sets for that session so the test itself is validated.
"""
import asyncio
import secrets
import time

from harness import RawConn, msg, run
from waits import wait_for_statement_async


def _active_sleepers(pg, marker):
    with pg.su_connect() as su:
        return su.execute(
            "SELECT pid, usename, state FROM pg_stat_activity WHERE query LIKE %s AND pid <> pg_backend_pid()"
            " AND state = 'active'", [f"%{marker}%"]).fetchall()


async def _start_and_vanish(gateway, pg, marker):
    c = await RawConn.connect(gateway.host, gateway.port, "alice", gateway.password("alice"))
    if gateway.direct:
        await c.query("SET client_connection_check_interval = '200ms'")
    c.send(msg(b"Q", f"SELECT pg_sleep(60) /* {marker} */".encode() + b"\0"))
    await c.writer.drain()
    # wait until the statement really runs upstream
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + 10
    while True:
        rows = await loop.run_in_executor(None, _active_sleepers, pg, marker)
        if rows:
            break
        assert time.monotonic() < deadline, "pg_sleep never showed up in pg_stat_activity"
        await asyncio.sleep(0.1)
    expected_user = gateway.upstream_user
    assert all(r[1] == expected_user for r in rows), rows
    c.abort()  # RST, no Terminate, no CancelRequest


def test_client_vanishes_mid_query(gateway, pg):
    marker = "vanish-" + secrets.token_hex(6)
    run(_start_and_vanish(gateway, pg, marker), timeout=30)
    t0 = time.monotonic()
    rows = _active_sleepers(pg, marker)
    while rows and time.monotonic() - t0 < 5:
        time.sleep(0.1)
        rows = _active_sleepers(pg, marker)
    assert rows == [], f"statement still running {time.monotonic() - t0:.1f}s after the client vanished: {rows}"
    assert gateway.alive()
    with gateway.connect("alice") as c:
        assert c.execute("SELECT 1").fetchone() == (1,)


def test_client_vanishes_during_big_result(gateway, pg):
    """The client stops reading a large result and resets; the gateway must not hang or die."""
    async def go():
        c = await RawConn.connect(gateway.host, gateway.port, "bob", gateway.password("bob"))
        c.send(msg(b"Q", f"SELECT g, repeat('x', 1000) FROM generate_series(1, 200000) g {marker}"
                   .encode() + b"\0"))
        await c.writer.drain()
        # Running upstream, then blocked: socket buffers fill up and nobody reads.
        await wait_for_statement_async(pg, marker)
        c.abort()
    marker = "/* big-result-" + secrets.token_hex(6) + " */"
    run(go(), timeout=20)
    t0 = time.monotonic()
    while _active_sleepers(pg, marker) and time.monotonic() - t0 < 10:
        time.sleep(0.2)
    assert _active_sleepers(pg, marker) == []
    assert gateway.alive()
    with gateway.connect("bob") as c:
        assert c.execute("SELECT 2").fetchone() == (2,)
