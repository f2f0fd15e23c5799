"""Without `tls` configured: SSLRequest and GSSENCRequest get 'N' and the client continues in
plaintext on the same connection."""
import asyncio
import struct

import psycopg
import pytest

from harness import GSSENC_CODE, SSL_CODE, RawConn, run

pytestmark = pytest.mark.gateway_only


async def _request_then_plain_login(gw, code: int):
    r, w = await asyncio.open_connection(gw.host, gw.port)
    c = RawConn(r, w)
    try:
        w.write(struct.pack("!II", 8, code))
        await w.drain()
        answer = await asyncio.wait_for(r.readexactly(1), 5)
        await asyncio.wait_for(c.startup("alice", gw.password("alice")), 15)
        rows = await c.query("SELECT 7 * 6")
        return answer, rows
    finally:
        await c.close()


def test_ssl_request_gets_N_then_plaintext(gateway):
    answer, rows = run(_request_then_plain_login(gateway, SSL_CODE), 30)
    assert answer == b"N"
    assert rows == [[(b"42",)]]


def test_gssenc_request_gets_N_then_plaintext(gateway):
    answer, rows = run(_request_then_plain_login(gateway, GSSENC_CODE), 30)
    assert answer == b"N"
    assert rows == [[(b"42",)]]


def test_gssenc_then_ssl_request_then_plaintext(gateway):
    """libpq's order with gssencmode=prefer and sslmode=prefer: GSSENC, then SSL, both 'N'."""
    async def go():
        r, w = await asyncio.open_connection(gateway.host, gateway.port)
        c = RawConn(r, w)
        try:
            answers = b""
            for code in (GSSENC_CODE, SSL_CODE):
                w.write(struct.pack("!II", 8, code))
                await w.drain()
                answers += await asyncio.wait_for(r.readexactly(1), 5)
            await asyncio.wait_for(c.startup("bob", gateway.password("bob")), 15)
            return answers, await c.query("SELECT 1")
        finally:
            await c.close()
    answers, rows = run(go(), 30)
    assert answers == b"NN"
    assert rows == [[(b"1",)]]


def test_psycopg_sslmode_prefer(gateway):
    with psycopg.connect(gateway.dsn("alice", sslmode="prefer"), autocommit=True) as c:
        assert not c.pgconn.ssl_in_use
        assert c.execute("SELECT 1").fetchone() == (1,)


def test_psycopg_gssencmode_prefer(gateway):
    # libpq tries GSS encryption only with a Kerberos credential cache; either way this works.
    with psycopg.connect(gateway.dsn("alice", gssencmode="prefer", sslmode="prefer"), autocommit=True) as c:
        assert c.execute("SELECT 1").fetchone() == (1,)
