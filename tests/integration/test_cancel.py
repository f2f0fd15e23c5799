"""Query cancellation through the gateway (CancelRequest on a separate connection)."""
import asyncio
import socket
import struct
import threading
import time

import psycopg
import pytest

from harness import RawConn, msg, parse_error_fields, run
from waits import wait_for_statement, wait_for_statement_async


def cancel_when_running(pg, conn, marker: str) -> threading.Thread:
    """Cancels `conn` once its statement (holding `marker`) runs upstream: a cancel sent
    earlier would find nothing to cancel."""
    def go():
        wait_for_statement(pg, marker)
        conn.cancel()
    t = threading.Thread(target=go, daemon=True)
    t.start()
    return t


def test_psycopg_cancel(gateway, pg):
    with gateway.connect("alice") as c:
        canceller = cancel_when_running(pg, c, "/* psycopg-cancel */")
        t0 = time.monotonic()
        with pytest.raises(psycopg.errors.QueryCanceled):
            c.execute("SELECT pg_sleep(20) /* psycopg-cancel */")
        canceller.join(5)
        assert time.monotonic() - t0 < 6
        assert c.execute("SELECT 1").fetchone() == (1,)


def test_cancel_hits_only_its_session(gateway, pg):
    """Cancelling alice's query leaves bob's concurrent query alone."""
    with gateway.connect("alice") as a, gateway.connect("bob") as b:
        results = {}

        def bob_query():
            try:
                results["bob"] = b.execute("SELECT pg_sleep(2), 'bob done'").fetchone()[1]
            except Exception as e:  # noqa: BLE001
                results["bob"] = e

        th = threading.Thread(target=bob_query)
        th.start()
        canceller = cancel_when_running(pg, a, "/* alice-cancel */")
        with pytest.raises(psycopg.errors.QueryCanceled):
            a.execute("SELECT pg_sleep(20) /* alice-cancel */")
        canceller.join(5)
        th.join(10)
        assert results.get("bob") == "bob done", results


def test_raw_cancel_request_and_bogus_key(gateway, pg):
    async def go():
        c = await RawConn.connect(gateway.host, gateway.port, "alice", gateway.password("alice"))
        try:
            assert c.backend_key is not None, "no BackendKeyData: clients cannot cancel"
            pid, key = c.backend_key
            c.send(msg(b"Q", b"SELECT pg_sleep(20) /* raw-cancel */\0"))
            await c.writer.drain()
            await wait_for_statement_async(pg, "/* raw-cancel */")
            # a CancelRequest with a wrong key must not cancel anything
            bogus = struct.pack("!IIII", 16, 80877102, pid, (key ^ 0x5A5A5A5A) & 0xFFFFFFFF)
            await asyncio.get_running_loop().run_in_executor(None, _send_cancel, gateway, bogus)
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(c.read_msg(), 1.0)
            real = struct.pack("!IIII", 16, 80877102, pid, key)
            await asyncio.get_running_loop().run_in_executor(None, _send_cancel, gateway, real)
            codes = []
            while True:
                t, body = await asyncio.wait_for(c.read_msg(), 5)
                if t == b"E":
                    codes.append(parse_error_fields(body)["C"])
                if t == b"Z":
                    break
            assert codes == ["57014"], codes
            assert await c.query("SELECT 3") == [[(b"3",)]]
        finally:
            await c.close()
    run(go(), timeout=40)


def _send_cancel(gateway, packet):
    with socket.create_connection((gateway.host, gateway.port), timeout=5) as s:
        s.sendall(packet)
        s.settimeout(5)
        try:
            assert s.recv(1) == b""  # the server answers a CancelRequest by closing
        except ConnectionResetError:
            pass
