"""The audit trail and observability (issue #5): every statement gets an intent record before
it is forwarded and an outcome record after; the chain verifies; literals never reach the
trail or the log; kill -9 loses no executed statement; an unwritable trail stops writes;
/healthz, /readyz and /metrics answer on the admin listener."""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import stat
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest

import harness

AGENTS = {"aud": ("AUD_PASSWORD", "aud-pw-trail")}
POLICY = {
    "aud": """
        allow:
          - tables: [public.a_notes]
            actions: [select, insert]
          - sequences: [public.a_notes_id_seq]
    """,
}
TOKEN = "admin-" + secrets.token_hex(12)
PII_EMAIL = "jane.pii.person@example.org"
PII_PHONE = "555-867-5309"


def airlock_bin() -> str:
    return str(harness.find_airlock_bin())


def start(pg, audit_dir: Path, *, admin_port: int | None = None, name="audit", binary=None):
    extra = f"audit: {{dir: '{audit_dir}', fsync: interval, fsync_interval: 5ms}}"
    env = {}
    if admin_port:
        extra += f"\nadmin: {{listen: '127.0.0.1:{admin_port}', token_env: AIRLOCK_ADMIN_TOKEN}}"
        env["AIRLOCK_ADMIN_TOKEN"] = TOKEN
    old = os.environ.get("AIRLOCK_BIN")
    if binary:
        os.environ["AIRLOCK_BIN"] = binary
    try:
        gw = harness.start_gateway(pg, name=name, extra_agents=AGENTS, agent_policies=POLICY,
                                   extra_yaml=extra, extra_env=env)
    finally:
        if binary:
            if old is None:
                os.environ.pop("AIRLOCK_BIN", None)
            else:
                os.environ["AIRLOCK_BIN"] = old
    try:
        harness.wait_until_allowed(gw, "aud", "SELECT count(*) FROM a_notes")
    except BaseException:
        gw.stop()
        raise
    return gw


def records(audit_dir: Path) -> list[dict]:
    out = []
    for f in sorted(audit_dir.glob("audit-*.jsonl")):
        for line in f.read_text().splitlines():
            if line.strip():
                out.append(json.loads(line))
    return out


def audit_cli(gw, *args) -> subprocess.CompletedProcess:
    return subprocess.run([airlock_bin(), "audit", *args, "--config", str(gw.config_path)],
                          capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def schema(pg):
    if harness.DIRECT:
        pytest.skip("the audit trail needs the gateway")
    with pg.su_connect() as c:
        c.execute("DROP TABLE IF EXISTS public.a_notes")
        c.execute("CREATE TABLE public.a_notes(id serial PRIMARY KEY, body text, contact text)")
        c.execute("GRANT SELECT, INSERT ON public.a_notes TO airlock")
        c.execute("GRANT USAGE, SELECT ON SEQUENCE public.a_notes_id_seq TO airlock")


@pytest.fixture(scope="module")
def audited(pg, schema):
    d = Path(tempfile.mkdtemp(prefix="airlock-audit-"))
    port = harness.free_port()
    gw = start(pg, d / "trail", admin_port=port)
    try:
        yield gw, d / "trail", port
    finally:
        gw.stop()
        shutil.rmtree(d, ignore_errors=True)


def test_every_statement_has_intent_and_outcome(audited):
    gw, trail, _ = audited
    with psycopg.connect(gw.dsn("aud"), autocommit=True, application_name="audit-test") as c:
        c.execute("SELECT count(*) FROM a_notes")
        c.execute(f"INSERT INTO a_notes(body, contact) VALUES ('call back', '{PII_EMAIL}')")
        c.execute("INSERT INTO a_notes(body, contact) VALUES (%s, %s)", ["x", PII_PHONE])
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("DELETE FROM a_notes WHERE id = 1")
        with pytest.raises(psycopg.errors.UndefinedColumn):
            c.execute("SELECT nope FROM a_notes")
    time.sleep(0.2)
    recs = [r for r in records(trail) if r.get("agent") == "aud"]
    intents = [r for r in recs if r["kind"] == "intent" and r.get("application_name") == "audit-test"]
    outcomes = {r["ref"]: r for r in recs if r["kind"] == "outcome" and "ref" in r}
    texts = [r["statement"] for r in intents]
    assert any(t.startswith("SELECT count(*) FROM a_notes") for t in texts), texts
    assert sum(1 for t in texts if t.startswith("INSERT INTO a_notes")) >= 2, texts
    delete = next(r for r in intents if r["statement"].startswith("DELETE"))
    assert delete["decision"] == "deny" and delete["rule"], delete
    assert delete["tables"] == ["public.a_notes"]
    assert delete["application_name"] == "audit-test" and delete["mode"] == "enforce"
    assert outcomes[delete["seq"]]["sqlstate"] == "42501"
    bad = next(r for r in intents if "nope" in r["statement"])
    assert outcomes[bad["seq"]]["sqlstate"] == "42703"
    for r in intents:
        assert r["seq"] in outcomes, r
        assert r["session"] == intents[0]["session"]
    # the chain verifies; the anchor is the newest record's hash
    v = audit_cli(gw, "verify")
    assert v.returncode == 0, v.stdout + v.stderr
    a = audit_cli(gw, "anchor")
    assert a.returncode == 0 and re.search(r"[0-9a-f]{64}", a.stdout), a.stdout


def test_search_and_trace(audited):
    gw, trail, _ = audited
    with psycopg.connect(gw.dsn("aud"), autocommit=True) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("UPDATE a_notes SET body = 'z' WHERE id = 2")
    time.sleep(0.1)
    s = audit_cli(gw, "search", "--agent", "aud", "--decision", "deny", "--since", "1h",
                  "--table", "public.a_notes", "--json")
    assert s.returncode == 0, s.stderr
    hits = [json.loads(l) for l in s.stdout.splitlines() if l.strip()]
    if len(hits) == 1 and isinstance(hits[0], list):
        hits = hits[0]
    assert any("UPDATE a_notes" in h.get("statement", "") for h in hits), s.stdout
    session = next(h["session"] for h in hits if "UPDATE a_notes" in h.get("statement", ""))
    t = audit_cli(gw, "trace", session, "--json")
    assert t.returncode == 0, t.stderr
    assert "UPDATE a_notes" in t.stdout


def test_no_pii_in_trail_or_log(audited):
    gw, trail, _ = audited
    with psycopg.connect(gw.dsn("aud"), autocommit=True) as c:
        c.execute(f"SELECT id FROM a_notes WHERE contact = '{PII_EMAIL}'")
        with pytest.raises(psycopg.Error):
            c.execute(f"INSERT INTO a_notes(id, body) VALUES ('{PII_PHONE}', 'x')")  # bad int
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute(f"DELETE FROM a_notes WHERE contact = '{PII_EMAIL}'")
    time.sleep(0.2)
    blob = "".join(f.read_text() for f in trail.glob("audit-*.jsonl"))
    assert "a_notes" in blob
    for pii in (PII_EMAIL, PII_PHONE):
        assert pii not in blob, pii
        assert pii not in gw.log_text(), pii


def http_get(port: int, path: str, token: str | None = None) -> tuple[int, str]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


PROM_LINE = re.compile(
    r'^(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*|'
    r'[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? '
    r'(-?[0-9.e+-]+|NaN|\+Inf|-Inf))$')


def test_health_ready_and_metrics(audited):
    gw, _, port = audited
    with psycopg.connect(gw.dsn("aud"), autocommit=True) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("DELETE FROM a_notes WHERE id = 3")
    assert http_get(port, "/healthz")[0] == 200
    deadline = time.monotonic() + 10
    while http_get(port, "/readyz")[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert http_get(port, "/readyz")[0] == 200
    code, text = http_get(port, "/metrics")
    assert code == 200
    for line in text.splitlines():
        assert PROM_LINE.match(line), line
    assert re.search(r'airlock_statements_total\{agent="aud",decision="deny"\} [1-9]', text), text
    assert re.search(r'airlock_denials_total\{agent="aud",rule="[^"]+"\} [1-9]', text)
    assert "airlock_audit_write_seconds_bucket" in text
    assert "airlock_connections_active" in text
    # the approvals API needs the token
    assert http_get(port, "/v1/approvals")[0] == 401
    code, body = http_get(port, "/v1/approvals", TOKEN)
    assert code == 200 and json.loads(body) == []


def test_kill_9_loses_no_executed_statement(pg, schema):
    """Agents insert through the gateway while it is killed with SIGKILL, three times: every
    row PostgreSQL committed has an intent record in the trail, and the chain verifies."""
    d = Path(tempfile.mkdtemp(prefix="airlock-crash-"))
    trail = d / "trail"
    with pg.su_connect() as c:
        c.execute("TRUNCATE public.a_notes")
    try:
        for round_ in range(3):
            gw = start(pg, trail, name=f"crash{round_}")
            stop = threading.Event()

            def writer():
                while not stop.is_set():
                    try:
                        with psycopg.connect(gw.dsn("aud"), autocommit=True, connect_timeout=3) as c:
                            while not stop.is_set():
                                c.execute("INSERT INTO a_notes(body) VALUES ('crash')")
                    except psycopg.Error:
                        return
            threads = [threading.Thread(target=writer) for _ in range(3)]
            for t in threads:
                t.start()
            time.sleep(1.0)
            gw.proc.kill()
            gw.proc.wait(10)
            stop.set()
            for t in threads:
                t.join(10)
            gw.stop()
        with pg.su_connect() as c:
            rows = c.execute("SELECT count(*) FROM public.a_notes WHERE body = 'crash'").fetchone()[0]
        assert rows > 0
        intents = [r for r in records(trail)
                   if r.get("kind") == "intent" and r.get("statement", "").startswith("INSERT INTO a_notes")]
        assert len(intents) >= rows, (len(intents), rows)
        gw = start(pg, trail, name="crash-verify")
        try:
            v = audit_cli(gw, "verify")
            assert v.returncode == 0, v.stdout + v.stderr
        finally:
            gw.stop()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_unwritable_trail_stops_writes(pg, schema, tmp_path):
    """A file-size limit (ulimit -f) makes the trail's writes fail with EFBIG, like a full disk:
    writes are refused with a reason, reads go on, /readyz says why; raising the limit heals it."""
    wrapper = tmp_path / "airlock-limited"
    wrapper.write_text(f"#!/bin/bash\nulimit -S -f 64\nexec '{airlock_bin()}' \"$@\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    port = harness.free_port()
    gw = start(pg, tmp_path / "trail", admin_port=port, name="full", binary=str(wrapper))
    try:
        refused = None
        with psycopg.connect(gw.dsn("aud"), autocommit=True) as c:
            pad = "p" * 2000
            for _ in range(200):
                try:
                    c.execute(f"INSERT INTO a_notes(body) VALUES ('x') -- {pad}")
                except psycopg.Error as e:
                    refused = e
                    break
            assert refused is not None, "the trail never filled"
            assert refused.sqlstate == "58030", refused
            assert "audit trail" in refused.diag.message_primary
            assert c.execute("SELECT 1").fetchone() == (1,)  # reads go on
            code, body = http_get(port, "/readyz")
            assert code == 503 and "audit" in body, body
            subprocess.run(["prlimit", "--pid", str(gw.proc.pid), "--fsize=unlimited:unlimited"], check=True)
            c.execute("INSERT INTO a_notes(body) VALUES ('after')")
            assert http_get(port, "/readyz")[0] == 200
    finally:
        gw.stop()


def test_unwritable_trail_lets_deallocate_through(pg, schema, tmp_path):
    """DEALLOCATE changes no data: like ROLLBACK, it goes on while the trail cannot be written."""
    wrapper = tmp_path / "airlock-limited"
    wrapper.write_text(f"#!/bin/bash\nulimit -S -f 64\nexec '{airlock_bin()}' \"$@\"\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    gw = start(pg, tmp_path / "trail", admin_port=harness.free_port(), name="full-dealloc",
               binary=str(wrapper))
    try:
        # psycopg prepares a statement run 5 times and deallocates it itself after an error:
        # keep it out of the way, the test sends DEALLOCATE ALL itself
        with psycopg.connect(gw.dsn("aud"), autocommit=True, prepare_threshold=None) as c:
            c.execute("DEALLOCATE ALL")  # allowed while the trail is fine
            pad = "p" * 2000
            for _ in range(200):
                try:
                    c.execute(f"INSERT INTO a_notes(body) VALUES ('x') -- {pad}")
                except psycopg.Error as e:
                    assert e.sqlstate == "58030", e
                    break
            else:
                raise AssertionError("the trail never filled")
            c.execute("ROLLBACK")  # transaction control goes on (with a warning: none open)
            c.execute("DEALLOCATE ALL")
    finally:
        gw.stop()
