"""Just-in-time tokens (issue #14, docs/access.md "Tokens"): `airlock token issue` gives a
login (user = token id, password = secret) that works with unchanged drivers and as the MCP
bearer, narrows the agent's policy (rule token.scope) and never widens it, and ends: at
expiry or on `airlock token revoke`, every session using it gets FATAL 57P01 within a second,
a statement still running is cancelled, and new logins fail like a wrong password. Agents
with `login: token_only` have no other way in. Issue, use, revocation and expiry are audit
records."""
from __future__ import annotations

import json
import select
import subprocess
import textwrap
import threading
import time

import psycopg
import pytest

import harness
import mcp_setup
import waits

POLICIES = dict(mcp_setup.POLICIES)
# mcpreader logs in only with tokens.
POLICIES["mcpreader"] = "login: token_only\n" + textwrap.dedent(mcp_setup.POLICIES["mcpreader"])

SCOPE = "public.mcp_tickets:select,update"


@pytest.fixture(scope="module")
def gw(pg, tmp_path_factory):
    with mcp_setup.audited_gateway(pg, tmp_path_factory.mktemp("token-audit"), "tokens",
                                   policies=POLICIES) as g:
        yield g


@pytest.fixture(autouse=True)
def fresh_rows(pg, gw):
    mcp_setup.reset_data(pg)


def cli(gw, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run([str(harness.find_airlock_bin()), "token", *args, "--config", str(gw.config_path)],
                       capture_output=True, text=True, timeout=60)
    if ok:
        assert r.returncode == 0, f"airlock token {args}: {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


def issue(gw, *args: str, agent: str = "mcpbot") -> dict:
    return json.loads(cli(gw, "issue", "--agent", agent, "--json", *args).stdout)


def connect(gw, token: dict, **kw):
    kw.setdefault("autocommit", True)
    return psycopg.connect(host=gw.host, port=gw.port, dbname=gw.dbname, user=token["user"],
                           password=token["password"], connect_timeout=10, **kw)


def listed(gw, token_id: str) -> dict:
    rows = json.loads(cli(gw, "list", "--all", "--json").stdout)
    return next(t for t in rows if t["id"] == token_id)


def trail(gw) -> list[dict]:
    r = subprocess.run([str(harness.find_airlock_bin()), "audit", "search", "--limit", "0", "--json",
                        "--config", str(gw.config_path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, (r.stdout, r.stderr)
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


class Holder:
    """A session kept open until the gateway ends it: idle, or running
    `SELECT pg_sleep(0.9)` in a loop. `error` is what ended it."""

    def __init__(self, gw, token: dict, busy: bool, long: bool = False):
        self.long = long
        self.conn = connect(gw, token)
        self.error: BaseException | None = None
        self.ended = threading.Event()
        self.thread = None
        if busy:
            self.thread = threading.Thread(target=self._run, daemon=True)
            self.thread.start()

    def _run(self) -> None:
        try:
            while True:
                self.conn.execute("SELECT pg_sleep(0.9)")
                if self.long:  # then one that outlives the token unless it is cancelled
                    # (the policy refuses pg_sleep of more than a second: 30 of 0.9 s)
                    self.conn.execute("SELECT " + ", ".join(["pg_sleep(0.9)"] * 30) + " /* token-long */")
        except BaseException as e:  # noqa: BLE001 - what ended the session is the point
            self.error = e
        finally:
            self.ended.set()

    def closed_by_server(self) -> bool:
        # An idle session: its socket turns readable (the FATAL, then EOF) when it is ended.
        return bool(select.select([self.conn.fileno()], [], [], 0)[0])

    def wait_ended(self, timeout: float) -> BaseException:
        if self.thread is None:
            waits.until(self.closed_by_server, timeout=timeout, what="the idle session to be ended")
            try:
                self.conn.execute("SELECT 1")
            except BaseException as e:  # noqa: BLE001
                self.error = e
        else:
            waits.until(self.ended.is_set, timeout=timeout, what="the busy session to be ended")
        self.conn.close()
        return self.error


def assert_terminated(err: BaseException | None) -> None:
    assert err is not None
    text = str(err)
    sqlstate = getattr(err, "sqlstate", None)
    assert sqlstate == "57P01" or "terminating connection due to administrator command" in text, repr(err)


def assert_login_fails(gw, token: dict) -> None:
    with pytest.raises(psycopg.OperationalError) as ei:
        connect(gw, token).close()
    assert "password authentication failed" in str(ei.value), str(ei.value)


def test_issue_prints_the_login_once_and_stores_no_secret(gw):
    t = issue(gw, "--allow", SCOPE, "--ttl", "10m", "--reason", "ticket #123")
    assert set(t) == {"id", "user", "password", "expires_at"}, t
    assert t["id"].startswith("tok_") and t["user"] == t["id"] and t["password"].startswith(t["id"] + ".")
    row = listed(gw, t["id"])
    assert row["agent"] == "mcpbot" and row["allow"] == [SCOPE] and row["reason"] == "ticket #123", row
    assert row["status"] == "live" and "password" not in row, row
    text = cli(gw, "list").stdout
    assert t["id"] in text and SCOPE in text and t["password"] not in text, text


def test_psql_and_psycopg_log_in_and_the_scope_narrows(gw, pg):
    t = issue(gw, "--allow", SCOPE, "--ttl", "10m")
    env = gw.env("mcpbot")
    env.update(PGUSER=t["user"], PGPASSWORD=t["password"])
    out = subprocess.run(["psql", "-XAt", "-c", "SELECT count(*) FROM mcp_tickets"],
                         env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and out.stdout.strip() == "5", (out.stdout, out.stderr)
    with connect(gw, t) as c:
        assert c.execute("UPDATE mcp_tickets SET status = 'closed' WHERE id = 1").rowcount == 1
        # The agent may read mcp_accounts; the token may not.
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as ei:
            c.execute("SELECT * FROM mcp_accounts")
        assert mcp_setup.rule_of(str(ei.value)) == "token.scope", str(ei.value)
        hint = ei.value.diag.message_hint or ""
        assert t["id"] in hint and "select, update on public.mcp_tickets" in hint, hint
    with pg.su_connect() as c:
        assert c.execute("SELECT status FROM mcp_tickets WHERE id = 1").fetchone()[0] == "closed"


def test_max_rows_guards_writes(gw, pg):
    t = issue(gw, "--allow", SCOPE, "--max-rows", "2", "--ttl", "10m")
    with connect(gw, t) as c:
        assert c.execute("UPDATE mcp_tickets SET status = 'x' WHERE id <= 2").rowcount == 2
        with pytest.raises(psycopg.Error):
            c.execute("UPDATE mcp_tickets SET status = 'y' WHERE id <= 4")
    with pg.su_connect() as c:
        assert c.execute("SELECT count(*) FROM mcp_tickets WHERE status = 'y'").fetchone()[0] == 0


def test_a_token_never_widens_the_policy(gw):
    r = cli(gw, "issue", "--agent", "mcpbot", "--allow", "public.mcp_tickets:delete",
            "--allow", "public.items:select", "--json", ok=False)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "delete on public.mcp_tickets is not in mcpbot's policy" in r.stderr, r.stderr
    assert "select on public.items is not in mcpbot's policy" in r.stderr, r.stderr
    assert r.stdout == ""


def test_expiry_ends_idle_and_busy_sessions_and_logins(gw):
    t = issue(gw, "--allow", SCOPE, "--ttl", "3s")
    idle = Holder(gw, t, busy=False)
    busy = Holder(gw, t, busy=True)
    waits.until(lambda: listed(gw, t["id"])["sessions"] == 2, timeout=10,
                what=lambda: f"2 sessions in token list: {listed(gw, t['id'])}")
    assert_terminated(idle.wait_ended(timeout=10))
    assert_terminated(busy.wait_ended(timeout=10))
    assert_login_fails(gw, t)
    assert listed(gw, t["id"])["status"] == "expired"
    waits.until(lambda: listed(gw, t["id"])["sessions"] == 0, timeout=10, what="0 sessions")


def test_revocation_ends_sessions_at_once(gw, pg):
    t = issue(gw, "--allow", SCOPE, "--ttl", "10m")
    idle = Holder(gw, t, busy=False)
    busy = Holder(gw, t, busy=True, long=True)
    waits.wait_for_statement(pg, "token-long")
    start = time.monotonic()
    r = cli(gw, "revoke", t["id"])
    assert "revoked" in r.stdout
    assert_terminated(idle.wait_ended(timeout=5))
    assert_terminated(busy.wait_ended(timeout=5))
    elapsed = time.monotonic() - start
    assert elapsed < 5, elapsed
    assert_login_fails(gw, t)
    # The statement that was running is cancelled upstream, not left to finish.
    waits.until(lambda: not waits.active_statements(pg, "token-long"), timeout=10,
                what="the long statement to be cancelled")
    again = cli(gw, "revoke", t["id"], ok=False)
    assert again.returncode == 1 and "already revoked" in again.stderr, again.stderr


def test_token_only_agents_have_no_password_login(gw):
    with pytest.raises(psycopg.OperationalError) as ei:
        psycopg.connect(gw.dsn("mcpreader")).close()
    assert "password authentication failed" in str(ei.value)
    t = issue(gw, "--ttl", "10m", agent="mcpreader")
    with connect(gw, t) as c:
        assert c.execute("SELECT count(*) FROM mcp_tickets").fetchone()[0] == 5


def test_the_secret_is_the_mcp_bearer_until_revoked(gw):
    t = issue(gw, "--allow", "public.mcp_tickets:select", "--ttl", "10m")
    m = mcp_setup.McpHttp(gw, bearer=t["password"])
    m.initialize()
    ok = m.tool("query", {"sql": "SELECT id FROM mcp_tickets WHERE id = 1"})
    assert not ok.get("isError"), ok
    out = m.tool("query", {"sql": "SELECT id FROM mcp_accounts"})
    assert mcp_setup.denial_rule(out) == "token.scope", out
    cli(gw, "revoke", t["id"])
    r = m.post({"jsonrpc": "2.0", "id": 99, "method": "tools/list"})
    assert r.status == 401, r


def test_issue_use_revocation_and_expiry_are_audited(gw):
    revoked = issue(gw, "--ttl", "10m")
    expired = issue(gw, "--ttl", "1s")
    with connect(gw, revoked) as c:
        c.execute("SELECT 1 FROM mcp_tickets LIMIT 1")
    cli(gw, "revoke", revoked["id"])

    def events():
        recs = [r for r in trail(gw) if r.get("token") in (revoked["id"], expired["id"])]
        got = {(r["token"], r["kind"], r.get("reason", "").split(" ")[2] if r["kind"] == "event" else r["kind"])
               for r in recs}
        want = {(revoked["id"], "event", "issued"), (revoked["id"], "event", "used"),
                (revoked["id"], "event", "revoked"), (revoked["id"], "intent", "intent"),
                (expired["id"], "event", "issued"), (expired["id"], "event", "expired")}
        return recs if want <= got else None
    recs = waits.until(events, timeout=15, what=lambda: [r for r in trail(gw) if r.get("token")])
    used = [r for r in recs if r["kind"] == "event" and " used by session " in r.get("reason", "")]
    assert used and used[0]["agent"] == "mcpbot" and used[0]["session"], used
