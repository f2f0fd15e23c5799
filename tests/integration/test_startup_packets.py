"""Malformed and oversized startup packets over a raw socket.

Each must get an ErrorResponse ('E') or a clean close, promptly (no waiting for bytes that a
declared length promises), and the gateway keeps serving normal clients afterwards.
"""
import os
import random
import socket
import struct

import pytest

from harness import PROTOCOL_V3, read_reply_or_close, startup_packet

REPLY_TIMEOUT = 5.0


def _garbage_complete():
    rnd = random.Random(1234)
    body = bytes(rnd.randrange(256) for _ in range(60))
    return struct.pack("!I", 64) + body  # a complete packet whose content is nonsense


def _garbage_random():
    rnd = random.Random(99)
    data = bytes(rnd.randrange(256) for _ in range(512))
    # make the declared length invalid (> 2^31), so the server cannot wait for more bytes
    return b"\xf3" + data[1:]


def _startup_100000():
    body = struct.pack("!I", PROTOCOL_V3) + b"user\0alice\0database\0app\0application_name\0"
    body += b"x" * (100000 - 4 - len(body) - 2) + b"\0\0"
    pkt = struct.pack("!I", 100000) + body
    assert len(pkt) == 100000
    return pkt


def _many_params():
    params = {f"p{i}": "v" for i in range(3000)}
    return startup_packet({"user": "alice", "database": "app", **params})


def _missing_terminators():
    body = struct.pack("!I", PROTOCOL_V3) + b"user\0alice"  # no NULs at the end
    return struct.pack("!I", len(body) + 4) + body


def _unknown_protocol():
    return startup_packet({"user": "alice", "database": "app"}, protocol=(9 << 16))


CASES = {
    "length_0": struct.pack("!I", 0),
    "length_3": struct.pack("!I", 3),
    "length_4_empty": struct.pack("!I", 4),
    "length_2^31-1": struct.pack("!I", 2**31 - 1) + struct.pack("!I", PROTOCOL_V3),
    "length_0xffffffff": b"\xff\xff\xff\xff" + b"\x00" * 4,
    "startup_len_100000": _startup_100000(),
    "garbage_complete_packet": _garbage_complete(),
    "garbage_random": _garbage_random(),
    "too_many_params": _many_params(),
    "missing_terminators": _missing_terminators(),
    "unknown_protocol_version": _unknown_protocol(),
    "cancel_request_bogus_key": struct.pack("!IIII", 16, 80877102, 12345, 67890),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_startup(gateway, name):
    data = CASES[name]
    with socket.create_connection((gateway.host, gateway.port), timeout=5) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server already closed: acceptable
        outcome = read_reply_or_close(s, REPLY_TIMEOUT)
    assert outcome in ("error", "closed"), f"{name}: {outcome}"
    assert gateway.alive()
    with gateway.connect("alice") as c:
        assert c.execute("SELECT 1").fetchone() == (1,)


def test_ssl_request_answered(gateway):
    """SSLRequest gets a single byte answer ('N' without TLS, 'S' with it)."""
    with socket.create_connection((gateway.host, gateway.port), timeout=5) as s:
        s.sendall(struct.pack("!II", 8, 80877103))
        s.settimeout(5)
        assert s.recv(1) in (b"N", b"S")


def test_half_startup_then_close(gateway):
    """A client that sends half a startup packet and vanishes does not hurt anybody."""
    for _ in range(20):
        with socket.create_connection((gateway.host, gateway.port), timeout=5) as s:
            s.sendall(startup_packet({"user": "alice", "database": "app"})[:7])
    assert gateway.alive()
    with gateway.connect("bob") as c:
        assert c.execute("SELECT 1").fetchone() == (1,)


def test_slowloris_does_not_block_others(gateway):
    """Clients idling before startup do not prevent a normal client from connecting."""
    socks = []
    try:
        for _ in range(30):
            s = socket.create_connection((gateway.host, gateway.port), timeout=5)
            s.sendall(b"\x00\x00")
            socks.append(s)
        with gateway.connect("alice") as c:
            assert c.execute("SELECT 1").fetchone() == (1,)
    finally:
        for s in socks:
            s.close()
