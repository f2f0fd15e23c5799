"""/readyz follows upstream (issue #20): with PostgreSQL stopped it answers 503 with the reason
within 2 s, and 200 again within 2 s of PostgreSQL's return. Runs its own throwaway cluster,
since stopping the shared one would fail the sessions of other tests."""
from __future__ import annotations

import time
import urllib.error
import urllib.request

import pytest

import harness
import waits

pytestmark = pytest.mark.gateway_only


def readyz(port: int) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def wait_for_status(port: int, status: int, timeout: float) -> tuple[float, str]:
    """Polls /readyz until it answers `status`; returns (seconds taken, body)."""
    t0 = time.monotonic()
    last: tuple[int, str] = (0, "")

    def answered():
        nonlocal last
        last = readyz(port)
        return last[0] == status
    waits.until(answered, timeout, lambda: f"/readyz still {last[0]} {last[1]!r} after {timeout}s")
    return time.monotonic() - t0, last[1]


@pytest.fixture
def cluster():
    with harness.running_pg() as server:
        yield server


def test_readyz_follows_upstream(cluster):
    admin = harness.free_port()
    gw = harness.start_gateway(cluster, name="readyz",
                               extra_yaml=f"admin: {{listen: '127.0.0.1:{admin}'}}")
    try:
        harness.wait_for_port("127.0.0.1", admin, 10, gw.proc)
        wait_for_status(admin, 200, 15)  # the first catalog read

        cluster.stop()
        down, body = wait_for_status(admin, 503, 2)
        assert "upstream not reachable" in body, body
        print(f"503 {down:.3f}s after PostgreSQL stopped: {body.strip()}")
        # a session's failed login keeps it not ready (and says why)
        err = harness.connect_error(gw.host, gw.port, "alice", gw.password("alice"))
        assert err is not None and err["C"] == "08001", err
        code, body = readyz(admin)
        assert code == 503 and "upstream not reachable" in body, (code, body)

        cluster.start()
        up, _ = wait_for_status(admin, 200, 2)
        print(f"200 {up:.3f}s after PostgreSQL started")
        with gw.connect("alice") as c:
            assert c.execute("SELECT count(*) FROM items").fetchone() == (1000,)
        assert gw.alive()
    finally:
        gw.stop()


def test_readyz_answers_within_the_probe_deadline_when_upstream_hangs():
    """An upstream that accepts TCP and never answers: /readyz is 503 after about a second
    (the probe's deadline), not after the 5 s connect timeout of sessions."""
    import socket
    with socket.socket() as hole:
        hole.bind(("127.0.0.1", 0))
        hole.listen(16)
        admin = harness.free_port()
        gw = harness.start_gateway(None, up_port=hole.getsockname()[1], up_password="unused",
                                   name="readyz-hole",
                                   extra_yaml=f"admin: {{listen: '127.0.0.1:{admin}'}}")
        try:
            harness.wait_for_port("127.0.0.1", admin, 10, gw.proc)
            t0 = time.monotonic()
            code, body = readyz(admin)
            elapsed = time.monotonic() - t0
            assert code == 503, (code, body)
            assert elapsed < 2.5, elapsed
            assert "timeout" in body or "not reachable" in body, body
        finally:
            gw.stop()
