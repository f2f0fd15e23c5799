"""limits.max_message_bytes (1 MiB here): a message whose length header exceeds it gets
ErrorResponse 08P01 and the connection is closed without the gateway waiting for the body;
messages under the limit pass; the gateway keeps serving."""
import asyncio
import struct
import time

import pytest

import harness
from harness import RawConn, error_codes, msg, read_until_close, run

pytestmark = pytest.mark.gateway_only

LIMIT = 1024 * 1024


@pytest.fixture(scope="module")
def gw(pg):
    g = harness.start_gateway(pg, name="maxmsg", extra_yaml="limits: {max_message_bytes: 1MiB}")
    try:
        yield g
    finally:
        g.stop()


async def _login(gw, agent="alice"):
    return await RawConn.connect(gw.host, gw.port, agent, gw.password(agent))


@pytest.mark.parametrize("declared", [LIMIT + 1, 16 * LIMIT, 0x7FFFFFFF])
def test_oversized_query_header(gw, declared):
    async def go():
        c = await _login(gw)
        try:
            # only the header and a few bytes of the body: the gateway must not wait for the rest
            c.send(b"Q" + struct.pack("!I", declared) + b"SELECT 1" + b" " * 100)
            await c.writer.drain()
            t0 = time.monotonic()
            msgs, closed = await read_until_close(c, 5)
            return msgs, closed, time.monotonic() - t0
        finally:
            c.abort()
    msgs, closed, elapsed = run(go(), 30)
    assert error_codes(msgs) == ["08P01"], msgs
    assert closed and elapsed < 2, (closed, elapsed)
    assert gw.alive()


def test_oversized_query_sent_whole(gw):
    """A real 2 MiB Query streamed in full: refused once the header is seen, never forwarded."""
    sql = b"SELECT '" + b"x" * (2 * LIMIT) + b"'\0"

    async def go():
        c = await _login(gw)
        try:
            c.send(msg(b"Q", sql))
            try:
                await asyncio.wait_for(c.writer.drain(), 10)
            except (ConnectionError, asyncio.TimeoutError):
                pass  # the gateway closed while we were still sending
            return await read_until_close(c, 5)
        finally:
            c.abort()
    msgs, closed = run(go(), 30)
    assert closed
    assert error_codes(msgs) in (["08P01"], []), msgs  # the reset may beat the ErrorResponse
    assert b"D" not in [t for t, _ in msgs]


def test_under_the_limit_passes(gw):
    payload = "y" * (LIMIT - 1000)

    async def go():
        c = await _login(gw)
        try:
            return await c.query(f"SELECT length('{payload}')")
        finally:
            await c.close()
    assert run(go(), 30) == [[(str(len(payload)).encode(),)]]


def test_oversized_row_from_upstream(gw):
    """A result row over the limit: the session ends with a connection error (class 08); the
    gateway keeps serving."""
    async def go():
        c = await _login(gw)
        try:
            c.send(msg(b"Q", b"SELECT repeat('z', 2 * 1024 * 1024)\0"))
            await c.writer.drain()
            return await read_until_close(c, 10)
        finally:
            c.abort()
    msgs, closed = run(go(), 30)
    assert closed
    codes = error_codes(msgs)
    assert len(codes) == 1 and codes[0].startswith("08"), msgs
    assert b"D" not in [t for t, _ in msgs]


def test_gateway_keeps_serving(gw):
    with gw.connect("bob") as c:
        assert c.execute("SELECT count(*) FROM items").fetchone() == (1000,)
