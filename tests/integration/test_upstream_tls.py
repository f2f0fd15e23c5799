"""TLS from the gateway to PostgreSQL: a separate small cluster with ssl=on and a self-signed
certificate for CN=localhost. sslmode=require encrypts; verify-full with the right CA and host
name works; verify-full with a wrong CA fails with 08001 for the agent; require against a
server without TLS fails with 08001."""
import os
import shutil
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

import harness

pytestmark = pytest.mark.gateway_only


@pytest.fixture(scope="module")
def tls_pg():
    server = harness.PgServer()
    certdir = Path(tempfile.mkdtemp(prefix="airlock-it-upcert-"))
    try:
        server.init()
        cert, key = harness.make_self_signed_cert(certdir, "pgserver", "localhost")
        wrong_ca, _ = harness.make_self_signed_cert(certdir, "other-ca", "localhost")
        for src in (cert, key):
            dst = server.datadir / src.name
            shutil.copy(src, dst)
            if server._runas:
                os.chown(dst, server._runas["user"], server._runas["group"])
            os.chmod(dst, 0o600)
        with (server.datadir / "postgresql.conf").open("a") as f:
            f.write(f"ssl = on\nssl_cert_file = '{cert.name}'\nssl_key_file = '{key.name}'\n")
        server.start()
        server.setup_roles_and_data()
        server.cert, server.wrong_ca = cert, wrong_ca
    except Exception:
        print("PostgreSQL log:\n" + server.log_tail(), file=sys.stderr)
        server.cleanup()
        shutil.rmtree(certdir, ignore_errors=True)
        raise
    try:
        yield server
    finally:
        server.cleanup()
        shutil.rmtree(certdir, ignore_errors=True)


SSL_QUERY = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"


def test_sslmode_require(tls_pg):
    gw = harness.start_gateway(tls_pg, name="upreq", upstream_opts={"sslmode": "require"})
    try:
        with gw.connect("alice") as c:
            assert c.execute(SSL_QUERY).fetchone() == (True,)
            assert c.execute("SELECT count(*) FROM items").fetchone() == (1000,)
    finally:
        gw.stop()


def test_sslmode_disable_is_plain(tls_pg):
    gw = harness.start_gateway(tls_pg, name="updis", upstream_opts={"sslmode": "disable"})
    try:
        with gw.connect("alice") as c:
            assert c.execute(SSL_QUERY).fetchone() == (False,)
    finally:
        gw.stop()


def test_verify_full_right_ca(tls_pg):
    gw = harness.start_gateway(tls_pg, name="upvf", up_host="localhost",
                               upstream_opts={"sslmode": "verify-full", "sslrootcert": tls_pg.cert})
    try:
        with gw.connect("bob") as c:
            assert c.execute(SSL_QUERY).fetchone() == (True,)
    finally:
        gw.stop()


def test_verify_full_wrong_ca(tls_pg):
    gw = harness.start_gateway(tls_pg, name="upvfbad", up_host="localhost",
                               upstream_opts={"sslmode": "verify-full", "sslrootcert": tls_pg.wrong_ca})
    try:
        err = harness.connect_error(gw.host, gw.port, "alice", gw.password("alice"))
        assert err is not None, "login through an unverifiable upstream succeeded"
        assert err["C"] == "08001", err
        assert gw.alive()
    finally:
        gw.stop()


def test_verify_full_wrong_host_name(tls_pg):
    """The certificate is for CN=localhost; connecting by 127.0.0.1 must fail verify-full."""
    gw = harness.start_gateway(tls_pg, name="upvfhost", up_host="127.0.0.1",
                               upstream_opts={"sslmode": "verify-full", "sslrootcert": tls_pg.cert})
    try:
        err = harness.connect_error(gw.host, gw.port, "alice", gw.password("alice"))
        assert err is not None, "verify-full accepted a certificate for another host name"
        assert err["C"] == "08001", err
    finally:
        gw.stop()


def test_require_against_server_without_tls(pg):
    gw = harness.start_gateway(pg, name="upnotls", upstream_opts={"sslmode": "require"})
    try:
        err = harness.connect_error(gw.host, gw.port, "alice", gw.password("alice"))
        assert err is not None and err["C"] == "08001", err
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(gw.dsn("alice"))
    finally:
        gw.stop()
