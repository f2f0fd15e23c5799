"""SIGTERM drain: a running statement gets its result and then the session is closed (57P01 or
a clean close), idle sessions are closed at once, new connections are refused, and the process
exits 0 within the grace period; past the grace period, running sessions are cut off."""
import asyncio
import signal
import time

import pytest

import harness
from harness import RawConn, error_codes, msg, read_until_close, run
from waits import wait_for_statement_async

pytestmark = pytest.mark.gateway_only


async def _refused(gw) -> str:
    """How a new connection attempt fares after SIGTERM: 'refused' (nothing listens) or the
    SQLSTATE it is refused with; 'accepted' would be a bug."""
    try:
        c = await RawConn.connect(gw.host, gw.port, "alice", gw.password("alice"), timeout=5)
    except OSError:
        return "refused"
    except harness.PgError as e:
        return e.sqlstate or "?"
    except (asyncio.IncompleteReadError, asyncio.TimeoutError):
        return "closed"
    c.abort()
    return "accepted"


def test_sigterm_drain(pg):
    grace = 10
    gw = harness.start_gateway(pg, name="drain", timeouts={"shutdown_grace": f"{grace}s"})

    async def go():
        busy = await RawConn.connect(gw.host, gw.port, "alice", gw.password("alice"))
        idle = await RawConn.connect(gw.host, gw.port, "bob", gw.password("bob"))
        busy.send(msg(b"Q", b"SELECT pg_sleep(2), 'finished' /* drain-busy */\0"))
        await busy.writer.drain()
        await wait_for_statement_async(pg, "/* drain-busy */")  # running upstream
        t0 = time.monotonic()
        gw.proc.send_signal(signal.SIGTERM)
        idle_msgs, idle_closed = await read_until_close(idle, 3)
        idle_time = time.monotonic() - t0
        newcomer = await _refused(gw)
        busy_msgs, busy_closed = await read_until_close(busy, 6)
        busy_time = time.monotonic() - t0
        loop = asyncio.get_running_loop()
        rc = await loop.run_in_executor(None, gw.proc.wait, grace + 5)
        exit_time = time.monotonic() - t0
        idle.abort()
        busy.abort()
        return idle_msgs, idle_closed, idle_time, newcomer, busy_msgs, busy_closed, busy_time, rc, exit_time

    try:
        (idle_msgs, idle_closed, idle_time, newcomer, busy_msgs, busy_closed, busy_time, rc,
         exit_time) = run(go(), 40)
        # idle session: closed promptly, with 57P01 if anything
        assert idle_closed and idle_time < 2, (idle_msgs, idle_time)
        assert error_codes(idle_msgs) in ([], ["57P01"]), idle_msgs
        # new connections refused
        assert newcomer in ("refused", "closed", "57P03"), newcomer
        # busy session: the full result, then 57P01 (or nothing) and EOF
        types = [t for t, _ in busy_msgs]
        assert b"D" in types and b"C" in types and b"Z" in types, busy_msgs
        row = next(body for t, body in busy_msgs if t == b"D")
        assert b"finished" in row
        assert types.index(b"Z") > types.index(b"C") > types.index(b"D")
        after = busy_msgs[types.index(b"Z") + 1:]
        assert error_codes(after) in ([], ["57P01"]) and all(t == b"E" for t, _ in after), busy_msgs
        assert busy_closed, busy_msgs
        assert 1.0 < busy_time < 5, busy_time
        assert rc == 0, gw.log_text()
        assert exit_time < grace, exit_time
    finally:
        gw.stop()


def _start_long_statement_then_sigterm(gw, pg, sql: bytes, marker: str):
    async def go():
        busy = await RawConn.connect(gw.host, gw.port, "alice", gw.password("alice"))
        busy.send(msg(b"Q", sql + b"\0"))
        await busy.writer.drain()
        await wait_for_statement_async(pg, marker)
        t0 = time.monotonic()
        gw.proc.send_signal(signal.SIGTERM)
        msgs, closed = await read_until_close(busy, 6)
        closed_time = time.monotonic() - t0
        rc = await asyncio.get_running_loop().run_in_executor(None, gw.proc.wait, 10)
        busy.abort()
        return msgs, closed, closed_time, rc, time.monotonic() - t0
    return run(go(), 30)


def test_sigterm_grace_period_expires(pg):
    """A statement longer than shutdown_grace is cut off when the grace period ends."""
    gw = harness.start_gateway(pg, name="drain2", timeouts={"shutdown_grace": "1s"})
    try:
        msgs, closed, closed_time, rc, exit_time = _start_long_statement_then_sigterm(
            gw, pg, b"SELECT pg_sleep(8) /* grace-expiry-client */", "/* grace-expiry-client */")
        assert closed and closed_time < 4, (msgs, closed_time)
        assert b"D" not in [t for t, _ in msgs]
        assert rc == 0, gw.log_text()
        assert exit_time < 4, exit_time
    finally:
        gw.stop()


def test_grace_expiry_cancels_upstream_statement(pg):
    gw = harness.start_gateway(pg, name="drain3", timeouts={"shutdown_grace": "1s"})
    marker = "grace-expiry-upstream"
    try:
        _start_long_statement_then_sigterm(gw, pg, f"SELECT pg_sleep(8) /* {marker} */".encode(),
                                           f"/* {marker} */")
    finally:
        gw.stop()
    deadline = time.monotonic() + 3
    with pg.su_connect() as c:
        while True:
            n = c.execute("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE %s",
                          (f"%/* {marker} */",)).fetchone()[0]
            if n == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    assert n == 0, "the cut-off statement is still running upstream after the gateway exited"
