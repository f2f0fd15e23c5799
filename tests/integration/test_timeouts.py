"""Timeouts: client_idle closes an idle session with 57P05, idle_in_transaction closes a session
idle inside BEGIN with 25P03, auth closes a connection that never completes its startup; a
running statement or a busy client is never mistaken for an idle one."""
import asyncio
import socket
import time

import pytest

import harness
from harness import RawConn, error_codes, read_until_close, run, startup_packet

pytestmark = pytest.mark.gateway_only


@pytest.fixture(scope="module")
def gw(pg):
    g = harness.start_gateway(pg, name="timeouts",
                              timeouts={"client_idle": "1s", "idle_in_transaction": "1s", "auth": "1s"})
    try:
        yield g
    finally:
        g.stop()


async def _login(gw, agent="alice"):
    return await RawConn.connect(gw.host, gw.port, agent, gw.password(agent))


def test_client_idle_57P05(gw):
    async def go():
        c = await _login(gw)
        t0 = time.monotonic()
        msgs, closed = await read_until_close(c, 4)
        c.abort()
        return msgs, closed, time.monotonic() - t0
    msgs, closed, elapsed = run(go(), 20)
    assert closed, msgs
    assert error_codes(msgs) == ["57P05"], msgs
    assert 0.8 < elapsed < 3, elapsed


def test_client_idle_after_a_query_57P05(gw):
    """The idle clock starts when the server hands the turn back, not only at login."""
    async def go():
        c = await _login(gw)
        assert await c.query("SELECT 1") == [[(b"1",)]]
        t0 = time.monotonic()
        msgs, closed = await read_until_close(c, 4)
        c.abort()
        return msgs, closed, time.monotonic() - t0
    msgs, closed, elapsed = run(go(), 20)
    assert closed, msgs
    assert error_codes(msgs) == ["57P05"], msgs
    assert 0.8 < elapsed < 3, elapsed


def test_idle_in_transaction_25P03(gw):
    async def go():
        c = await _login(gw)
        await c.query("BEGIN")
        await c.query("CREATE TEMP TABLE t_iit(x int)")
        t0 = time.monotonic()
        msgs, closed = await read_until_close(c, 4)
        c.abort()
        return msgs, closed, time.monotonic() - t0
    msgs, closed, elapsed = run(go(), 20)
    assert closed, msgs
    assert error_codes(msgs) == ["25P03"], msgs
    assert 0.8 < elapsed < 3, elapsed


def test_idle_in_failed_transaction_25P03(gw):
    async def go():
        c = await _login(gw)
        await c.query("BEGIN")
        with pytest.raises(harness.PgError):
            await c.query("SELECT 1/0")
        msgs, closed = await read_until_close(c, 4)
        c.abort()
        return msgs, closed
    msgs, closed = run(go(), 20)
    assert closed and error_codes(msgs) == ["25P03"], msgs


def test_running_statement_is_not_idle(gw):
    """A statement that runs longer than client_idle completes; the clock runs only while the
    client has the turn."""
    async def go():
        c = await _login(gw)
        rows = await c.query("SELECT pg_sleep(1.6), 'ok'")
        await c.query("BEGIN")
        rows2 = await c.query("SELECT pg_sleep(1.6), 'ok in tx'")
        await c.query("COMMIT")
        await c.close()
        return rows, rows2
    rows, rows2 = run(go(), 20)
    assert rows[0][0][1] == b"ok"
    assert rows2[0][0][1] == b"ok in tx"


def test_activity_resets_idle_clock(gw):
    async def go():
        c = await _login(gw)
        for i in range(6):  # 3 s in total, never 1 s idle in a row
            await asyncio.sleep(0.5)
            assert await c.query(f"SELECT {i}") == [[(str(i).encode(),)]]
        await c.close()
    run(go(), 20)


def test_auth_timeout_silent_client(gw):
    with socket.create_connection((gw.host, gw.port), timeout=5) as s:
        t0 = time.monotonic()
        outcome = harness.read_reply_or_close(s, 5)
        elapsed = time.monotonic() - t0
    assert outcome in ("closed", "error"), outcome
    assert 0.8 < elapsed < 2.5, elapsed


def test_auth_timeout_stalled_after_startup(gw):
    """Startup sent, SASL exchange never answered: closed at the auth deadline."""
    with socket.create_connection((gw.host, gw.port), timeout=5) as s:
        s.sendall(startup_packet({"user": "alice", "database": "app"}))
        t0 = time.monotonic()
        s.settimeout(5)
        data, closed = b"", False
        try:
            while True:
                b = s.recv(4096)
                if not b:
                    closed = True
                    break
                data += b
        except ConnectionResetError:
            closed = True
        except socket.timeout:
            pass
        elapsed = time.monotonic() - t0
    assert data[:1] == b"R", data  # AuthenticationSASL, then nothing from the client
    assert closed and elapsed < 2.5, (closed, elapsed)


def test_gateway_still_serves(gw):
    async def go():
        c = await _login(gw, "bob")
        rows = await c.query("SELECT count(*) FROM items")
        await c.close()
        return rows
    assert run(go(), 20) == [[(b"1000",)]]
