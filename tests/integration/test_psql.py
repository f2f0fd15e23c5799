"""psql through the gateway: simple queries, multi-statement strings, \\copy both ways, cancel."""
import signal
import subprocess
import time

import pytest

from waits import wait_for_statement


def psql(gateway, *args, agent="alice", timeout=30, input=None):
    cmd = ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-At", *args]
    return subprocess.run(cmd, env=gateway.env(agent), capture_output=True, text=True,
                          timeout=timeout, input=input)


def test_simple_query(gateway):
    r = psql(gateway, "-c", "SELECT count(*), sum(qty) FROM items")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "1000|49500"


def test_multi_statement_string(gateway):
    r = psql(gateway, "-c", "SELECT 1; SELECT 2;")
    assert r.returncode == 0, r.stderr
    # psql -c with several statements sends one Query message and prints every result.
    assert r.stdout.split() == ["1", "2"]


def test_script_from_stdin(gateway):
    r = psql(gateway, "-f", "-", input="CREATE TEMP TABLE t(a int);\nINSERT INTO t VALUES (1),(2),(3);\n"
                                         "SELECT sum(a) FROM t;\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "6"


def test_error_reports_sqlstate(gateway):
    r = psql(gateway, "-v", "VERBOSITY=verbose", "-c", "SELECT * FROM no_such_table")
    assert r.returncode != 0
    assert "42P01" in r.stderr


def test_copy_out_and_in(gateway, tmp_path):
    out = tmp_path / "items.csv"
    r = psql(gateway, "-c", f"\\copy items TO '{out}' WITH (FORMAT csv)")
    assert r.returncode == 0, r.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 1000
    assert lines[0].startswith("1,item-1,")

    r = psql(gateway, "-c", "DROP TABLE IF EXISTS items_psql_copy; CREATE TABLE items_psql_copy (LIKE items)")
    assert r.returncode == 0, r.stderr
    r = psql(gateway, "-c", f"\\copy items_psql_copy FROM '{out}' WITH (FORMAT csv)")
    assert r.returncode == 0, r.stderr
    assert "COPY 1000" in r.stdout
    r = psql(gateway, "-c", "SELECT count(*), sum(qty), sum(id) FROM items_psql_copy")
    assert r.stdout.strip() == "1000|49500|500500"
    psql(gateway, "-c", "DROP TABLE items_psql_copy")


def test_copy_in_bad_data_reports_error(gateway, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("1,a,1\nnot-a-number,b,2\n")
    r = psql(gateway, "-c", "CREATE TEMP TABLE t(id int, name text, qty int)",
             "-c", f"\\copy t FROM '{bad}' WITH (FORMAT csv)")
    assert r.returncode != 0
    assert "invalid input syntax for type integer" in r.stderr
    # and the gateway still serves new sessions
    assert psql(gateway, "-c", "SELECT 1").stdout.strip() == "1"


def test_cancel_running_query(gateway, pg):
    cmd = ["psql", "-X", "-At", "-c", "select pg_sleep(30) /* psql-cancel */"]
    p = subprocess.Popen(cmd, env=gateway.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_statement(pg, "/* psql-cancel */")  # SIGINT before that would just end psql
        assert p.poll() is None, f"psql ended early: {p.communicate()}"
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=8)
        elapsed = time.monotonic() - t0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert "canceling statement due to user request" in err, (out, err)
    assert elapsed < 8
