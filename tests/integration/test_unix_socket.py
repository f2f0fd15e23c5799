"""`unix_socket_dir`: the gateway also listens on <dir>/.s.PGSQL.<port>; psql -h <dir> connects."""
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest

import harness

pytestmark = pytest.mark.gateway_only


@pytest.fixture(scope="module")
def unix_gw(pg):
    sockdir = Path(tempfile.mkdtemp(prefix="airlock-it-sock-"))
    gw = harness.start_gateway(pg, name="unix", extra_yaml=f"unix_socket_dir: {sockdir}")
    gw.extra["sockdir"] = sockdir
    try:
        yield gw
    finally:
        gw.stop()
        shutil.rmtree(sockdir, ignore_errors=True)


def test_socket_file_exists(unix_gw):
    assert (unix_gw.extra["sockdir"] / f".s.PGSQL.{unix_gw.port}").is_socket()


def test_psql_over_unix_socket(unix_gw):
    env = unix_gw.env("alice")
    env["PGHOST"] = str(unix_gw.extra["sockdir"])
    r = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c",
                        "SELECT count(*), current_user FROM items"],
                       env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"1000|{unix_gw.upstream_user}"


def test_psycopg_over_unix_socket_sslmode_prefer(unix_gw):
    # libpq never asks for TLS on a unix socket; even so the session is plain and works
    dsn = unix_gw.dsn("bob", host=str(unix_gw.extra["sockdir"]), sslmode="prefer")
    with psycopg.connect(dsn, autocommit=True) as c:
        assert not c.pgconn.ssl_in_use
        assert c.execute("SELECT 1").fetchone() == (1,)


def test_unix_wrong_password(unix_gw):
    env = unix_gw.env("alice")
    env.update(PGHOST=str(unix_gw.extra["sockdir"]), PGPASSWORD="wrong")
    r = subprocess.run(["psql", "-X", "-At", "-c", "SELECT 1"], env=env, capture_output=True,
                       text=True, timeout=30)
    assert r.returncode != 0
    assert "password authentication failed" in r.stderr


def test_socket_removed_on_sigterm(pg):
    sockdir = Path(tempfile.mkdtemp(prefix="airlock-it-sock2-"))
    gw = harness.start_gateway(pg, name="unix2", extra_yaml=f"unix_socket_dir: {sockdir}",
                               timeouts={"shutdown_grace": "2s"})
    try:
        path = sockdir / f".s.PGSQL.{gw.port}"
        assert path.is_socket()
        gw.proc.terminate()
        assert gw.proc.wait(timeout=10) == 0
        assert not path.exists()
    finally:
        gw.stop()
        shutil.rmtree(sockdir, ignore_errors=True)
