"""Upstream authentication variants: md5 upstream role, wrong upstream password."""
import time

import psycopg
import pytest

import harness

pytestmark = pytest.mark.gateway_only


def test_md5_upstream(pg):
    gw = harness.start_gateway(pg, up_user=harness.MD5_UPSTREAM_USER, up_password=harness.MD5_UPSTREAM_PASSWORD,
                               name="md5")
    try:
        with gw.connect("alice") as c:
            assert c.execute("SELECT session_user, count(*) FROM items GROUP BY 1").fetchone() == \
                (harness.MD5_UPSTREAM_USER, 1000)
    finally:
        gw.stop()


def test_scram_upstream_identity(gateway):
    with gateway.connect("bob") as c:
        assert c.execute("SELECT session_user").fetchone() == (gateway.upstream_user,)


def test_wrong_upstream_password(pg):
    gw = harness.start_gateway(pg, up_password="not-the-upstream-password", name="badup")
    try:
        t0 = time.monotonic()
        with pytest.raises(psycopg.OperationalError) as ei:
            psycopg.connect(gw.dsn("alice"))
        assert time.monotonic() - t0 < 10
        # the upstream's password must never reach the agent, nor the upstream role's details
        assert "not-the-upstream-password" not in str(ei.value)
        assert gw.alive()
    finally:
        gw.stop()


def test_upstream_down(pg):
    port = harness.free_port()  # nothing listens there
    gw = harness.start_gateway(pg, up_port=port, name="down")
    try:
        t0 = time.monotonic()
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(gw.dsn("alice"))
        assert time.monotonic() - t0 < 10
        assert gw.alive()
    finally:
        gw.stop()
