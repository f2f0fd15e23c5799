"""Upstream PostgreSQL restarted under an open session: the old session fails with a clear
error (SQLSTATE class 08 or 57P01), and new sessions through the gateway work again."""
import asyncio
import time

import psycopg
import pytest

from harness import RawConn, parse_error_fields, run


def _disconnect_code(code: str) -> bool:
    return code.startswith("08") or code == "57P01"


async def _collect_until_close(c: RawConn, timeout: float) -> list[str]:
    """Reads messages until EOF/reset or timeout; returns SQLSTATEs of ErrorResponses seen."""
    codes = []
    try:
        while True:
            t, body = await asyncio.wait_for(c.read_msg(), timeout)
            if t == b"E":
                codes.append(parse_error_fields(body).get("C", "?"))
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.TimeoutError):
        pass
    return codes


async def _raw_old_session(gateway, pg):
    c = await RawConn.connect(gateway.host, gateway.port, "alice", gateway.password("alice"))
    try:
        assert await c.query("SELECT 1") == [[(b"1",)]]
        await asyncio.get_running_loop().run_in_executor(None, pg.restart)
        # an unsolicited error may already be waiting (PostgreSQL sends FATAL 57P01 to idle sessions)
        codes = []
        try:
            t, body = await asyncio.wait_for(c.read_msg(), 1.0)
            if t == b"E":
                codes.append(parse_error_fields(body).get("C", "?"))
        except asyncio.TimeoutError:
            pass
        except (asyncio.IncompleteReadError, ConnectionError):
            return codes, True
        try:
            c.send(b"Q\x00\x00\x00\x0dSELECT 1\x00")
            await c.writer.drain()
        except ConnectionError:
            return codes, True
        codes += await _collect_until_close(c, 10.0)
        return codes, c.reader.at_eof()
    finally:
        c.abort()


def _new_connection_works(gateway, agent):
    deadline = time.monotonic() + 10
    while True:
        try:
            with gateway.connect(agent) as c:
                assert c.execute("SELECT count(*) FROM items").fetchone() == (1000,)
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_upstream_restart_protocol(gateway, pg):
    codes, closed = run(_raw_old_session(gateway, pg), timeout=90)
    assert any(_disconnect_code(c) for c in codes), f"error codes seen by the old session: {codes}"
    assert gateway.alive()
    _new_connection_works(gateway, "alice")


def test_upstream_restart_psycopg_in_transaction(gateway, pg):
    old = gateway.connect("bob", autocommit=False)
    try:
        old.execute("SELECT 1")
        pg.restart()
        with pytest.raises(psycopg.OperationalError):
            old.execute("SELECT 2")
        assert old.closed or old.broken
    finally:
        old.close()
    assert gateway.alive()
    _new_connection_works(gateway, "bob")
