"""Upstream not running when the gateway starts: agents get 08001 quickly (within the connect
timeout + 1 s, immediately for a refused port); once PostgreSQL listens on that port, new
agents work without restarting the gateway. An upstream that accepts TCP but never answers
is given up after the connect timeout."""
import socket
import sys
import time

import psycopg
import pytest

import harness

pytestmark = pytest.mark.gateway_only

CONNECT_TIMEOUT = 2


def test_upstream_started_after_gateway():
    server = harness.PgServer()  # picks a free port; nothing listens there yet
    gw = None
    try:
        gw = harness.start_gateway(None, up_port=server.port, up_password=server.upstream_password,
                                   name="late", timeouts={"connect": f"{CONNECT_TIMEOUT}s"})
        for _ in range(2):
            t0 = time.monotonic()
            err = harness.connect_error(gw.host, gw.port, "alice", gw.password("alice"))
            elapsed = time.monotonic() - t0
            assert err is not None and err["C"] == "08001", err
            assert elapsed < CONNECT_TIMEOUT + 1, elapsed
        t0 = time.monotonic()
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(gw.dsn("bob"))
        assert time.monotonic() - t0 < CONNECT_TIMEOUT + 1
        assert gw.alive()

        try:
            server.init()
            server.start()
            server.setup_roles_and_data()
        except Exception:
            print("PostgreSQL log:\n" + server.log_tail(), file=sys.stderr)
            raise
        with gw.connect("alice") as c:
            assert c.execute("SELECT count(*) FROM items").fetchone() == (1000,)
        assert gw.proc.poll() is None
    finally:
        if gw:
            gw.stop()
        server.cleanup()


def test_upstream_blackhole_times_out():
    """TCP accepted (listen backlog) but no byte ever answered: 08001 after ~connect timeout."""
    with socket.socket() as hole:
        hole.bind(("127.0.0.1", 0))
        hole.listen(16)
        port = hole.getsockname()[1]
        gw = harness.start_gateway(None, up_port=port, up_password="unused", name="hole",
                                   timeouts={"connect": f"{CONNECT_TIMEOUT}s"})
        try:
            t0 = time.monotonic()
            err = harness.connect_error(gw.host, gw.port, "alice", gw.password("alice"))
            elapsed = time.monotonic() - t0
            assert err is not None and err["C"] == "08001", err
            assert CONNECT_TIMEOUT - 0.5 < elapsed < CONNECT_TIMEOUT + 1, elapsed
            assert gw.alive()
        finally:
            gw.stop()
