"""A malicious/broken upstream: a fake PostgreSQL that sends messages with bogus lengths.

A second gateway whose upstream is the fake server (trust auth, sslmode disable). The client
gets an ErrorResponse (class 08/XX) or a clean close, promptly, and the gateway process is
still alive and serves a new connection.
"""
import asyncio

import pytest

import harness
from fake_backend import FakeBackend
from harness import PgError, ProtocolError, RawConn, parse_error_fields, run

pytestmark = pytest.mark.gateway_only


@pytest.fixture(scope="module")
def fake():
    fb = FakeBackend("ok")
    yield fb
    fb.close()


@pytest.fixture(scope="module")
def fake_gw(fake):
    gw = harness.start_gateway(None, up_host="127.0.0.1", up_port=fake.port, up_user="fake",
                               up_password="", name="fake")
    yield gw
    gw.stop()


async def _query_outcome(gw, timeout=10.0):
    """'ok', 'error:<SQLSTATE>', 'closed', 'timeout', or 'forwarded-garbage:<detail>'."""
    try:
        c = await RawConn.connect(gw.host, gw.port, "alice", gw.password("alice"), timeout=timeout)
    except PgError as e:
        return f"startup-error:{e.sqlstate}"
    except (asyncio.IncompleteReadError, ConnectionError):
        return "startup-closed"
    except asyncio.TimeoutError:
        return "startup-timeout"
    except ProtocolError as e:
        return f"startup-garbage:{e}"
    try:
        c.send(b"Q\x00\x00\x00\x0dSELECT 1\x00")
        await c.writer.drain()
        while True:
            t, body = await asyncio.wait_for(c.read_msg(), timeout)
            if t == b"E":
                return "error:" + parse_error_fields(body).get("C", "?")
            if t == b"Z":
                return "ok"
            if t not in (b"T", b"D", b"C", b"N", b"S"):
                return f"forwarded-garbage:{t!r}"
    except (asyncio.IncompleteReadError, ConnectionError):
        return "closed"
    except asyncio.TimeoutError:
        return "timeout"
    except ProtocolError as e:
        return f"forwarded-garbage:{e}"
    finally:
        c.abort()


def _acceptable(outcome: str) -> bool:
    if outcome in ("closed", "startup-closed"):
        return True
    for prefix in ("error:", "startup-error:"):
        if outcome.startswith(prefix):
            code = outcome[len(prefix):]
            return code.startswith("08") or code.startswith("XX")
    return False


def test_fake_backend_sanity(fake, fake_gw):
    fake.mode = "ok"
    assert run(_query_outcome(fake_gw)) == "ok"


@pytest.mark.parametrize("mode", ["datarow_len_huge", "datarow_len_2", "datarow_len_0", "auth_len_huge"])
def test_bogus_length_from_upstream(fake, fake_gw, mode):
    fake.mode = mode
    try:
        outcome = run(_query_outcome(fake_gw), timeout=40)
    finally:
        fake.mode = "ok"
    assert _acceptable(outcome), f"{mode}: client saw {outcome}"
    assert fake_gw.alive(), f"gateway died: {fake_gw.log_text()[-3000:]}"
    assert run(_query_outcome(fake_gw)) == "ok", "gateway does not serve a new connection"
