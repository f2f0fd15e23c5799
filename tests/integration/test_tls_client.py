"""TLS between agents and the gateway (`tls: {cert, key}`): sslmode=require and verify-full
work, plaintext (sslmode=disable) still works, and bytes sent after an SSLRequest but before
the TLS handshake are refused (CVE-2021-23214)."""
import shutil
import socket
import struct
import tempfile
from pathlib import Path

import psycopg
import pytest

import harness
from harness import SSL_CODE, parse_error_fields, startup_packet

pytestmark = pytest.mark.gateway_only


@pytest.fixture(scope="module")
def tls_gw(pg):
    tmp = Path(tempfile.mkdtemp(prefix="airlock-it-tls-"))
    cert, key = harness.make_self_signed_cert(tmp)
    gw = harness.start_gateway(pg, name="tls", extra_yaml=f"tls: {{cert: {cert}, key: {key}}}")
    gw.extra["cert"] = cert
    try:
        yield gw
    finally:
        gw.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def test_sslmode_require(tls_gw):
    # sslrootcert given: libpq would otherwise read ~/.postgresql/root.crt if it exists
    with psycopg.connect(tls_gw.dsn("alice", sslmode="require", sslrootcert=tls_gw.extra["cert"]),
                         autocommit=True) as c:
        assert c.pgconn.ssl_in_use
        assert c.execute("SELECT count(*) FROM items").fetchone() == (1000,)


def test_sslmode_verify_full(tls_gw):
    with psycopg.connect(tls_gw.dsn("bob", host="localhost", sslmode="verify-full",
                                    sslrootcert=tls_gw.extra["cert"]), autocommit=True) as c:
        assert c.pgconn.ssl_in_use
        assert c.execute("SELECT 40 + 2").fetchone() == (42,)


def test_sslmode_disable_still_plain(tls_gw):
    with psycopg.connect(tls_gw.dsn("alice", sslmode="disable"), autocommit=True) as c:
        assert not c.pgconn.ssl_in_use
        assert c.execute("SELECT 1").fetchone() == (1,)


def test_ssl_request_answered_S(tls_gw):
    with socket.create_connection((tls_gw.host, tls_gw.port), timeout=5) as s:
        s.sendall(struct.pack("!II", 8, SSL_CODE))
        assert s.recv(1) == b"S"


def _drain(s: socket.socket, timeout: float) -> tuple[bytes, bool]:
    """Everything the gateway sends until it closes (True) or goes quiet (False)."""
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                return data, True
            data += b
    except socket.timeout:
        return data, False
    except (ConnectionResetError, BrokenPipeError):
        return data, True


def _assert_refused_pipelined_startup(gw):
    pkt = struct.pack("!II", 8, SSL_CODE) + startup_packet({"user": "alice", "database": "app"})
    with socket.create_connection((gw.host, gw.port), timeout=5) as s:
        s.sendall(pkt)  # one send: SSLRequest immediately followed by a plaintext StartupMessage
        data, closed = _drain(s, 5)
    assert closed, f"connection left open after pipelined startup; got {data!r}"
    # Never 'S' (the injected bytes would be taken as sent through TLS), never an
    # authentication request (the plaintext startup must not be answered).
    assert not data.startswith(b"S") and not data.startswith(b"R"), data
    if data:
        assert data[:1] == b"E", data
        n = struct.unpack("!I", data[1:5])[0]
        fields = parse_error_fields(data[5:1 + n])
        assert fields.get("C") == "08P01", fields
        assert len(data) == 1 + n, f"more than one message: {data!r}"
    assert gw.alive()
    with gw.connect("alice") as c:
        assert c.execute("SELECT 1").fetchone() == (1,)


def test_cve_2021_23214_plaintext_after_ssl_request(tls_gw):
    _assert_refused_pipelined_startup(tls_gw)


def test_cve_2021_23214_without_tls_configured(gateway):
    """Same injection against a gateway without TLS: refused as well (PostgreSQL does too)."""
    _assert_refused_pipelined_startup(gateway)
