"""Access requests (issue #14; docs/access.md, "Access requests"): an agent, or a person for it,
asks for a just-in-time token; a human approves or denies it with the unchanged approvals CLI
(the webhook is told); the agent collects the token exactly once and uses it.

The whole path twice, by the CLI (`airlock access request|status`, then a psycopg login with the
token) and over MCP (`request_access`, `access_status`, then the token as the MCP bearer), and
the refusals: a denial says so with the note, a scope beyond the agent's policy is refused when
asked for, another agent cannot collect, a second collection gets no token."""
from __future__ import annotations

import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import psycopg
import pytest

import harness
import mcp_setup
import waits

pytestmark = pytest.mark.skipif(harness.DIRECT, reason="access requests need the gateway")

IN_SCOPE = "SELECT id, status FROM mcp_tickets WHERE id = 1"
# Within mcpbot's policy, outside the token's scope.
OUT_OF_SCOPE = "SELECT id, name FROM mcp_accounts WHERE id = 1"


class Hook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def gw(pg, tmp_path_factory):
    hook = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    audit_dir = tmp_path_factory.mktemp("access-audit")
    extra = (f"audit: {{dir: '{audit_dir}', fsync: interval, fsync_interval: 5ms}}\n"
             f"approvals: {{hold_wait: 0s, webhook: {{url: 'http://127.0.0.1:{hook.server_port}/hook'}}}}")
    gateway = mcp_setup.start_mcp_gateway(pg, "access", extra_yaml=extra)
    try:
        yield gateway
    finally:
        gateway.stop()
        hook.shutdown()


def airlock(gw, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(harness.find_airlock_bin()), *args, "--config", str(gw.config_path)],
                          capture_output=True, text=True, timeout=30)


def cli_request(gw, *allow: str, agent: str = "mcpbot", reason: str = "ticket #123") -> subprocess.CompletedProcess:
    args = ["access", "request", "--agent", agent, "--ttl", "15m", "--reason", reason, "--json"]
    for a in allow:
        args += ["--allow", a]
    return airlock(gw, *args)


def cli_status(gw, request_id: str) -> dict:
    r = airlock(gw, "access", "status", request_id, "--json")
    assert r.returncode == 0, (r.stdout, r.stderr)
    return json.loads(r.stdout)


def hook_saw(request_id: str) -> dict | None:
    for body in Hook.received:
        if body.get("approval", {}).get("id") == request_id:
            return body
    return None


def token_conn(gw, status: dict) -> psycopg.Connection:
    return psycopg.connect(gw.dsn("mcpbot", user=status["user"], password=status["password"]),
                           autocommit=True)


def mcp_client(gw, agent: str = "mcpbot", bearer: str | None = None) -> mcp_setup.McpHttp:
    m = mcp_setup.McpHttp(gw, agent, bearer=bearer)
    m.initialize()
    return m


def trail(gw) -> list[dict]:
    r = airlock(gw, "audit", "search", "--agent", "mcpbot", "--json")
    assert r.returncode == 0, (r.stdout, r.stderr)
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def test_cli_request_approve_collect_use(gw):
    r = cli_request(gw, "public.mcp_tickets:select")
    assert r.returncode == 0, (r.stdout, r.stderr)
    request_id = json.loads(r.stdout)["id"]
    assert request_id.startswith("apr_")

    # Approvers see it as one more approval, and the webhook was told before the CLI exited.
    pending = json.loads(mcp_setup.approvals_cli(gw, "list", "--json").stdout)
    mine = [a for a in pending if a["id"] == request_id]
    assert mine and mine[0]["rule"] == "access.request", pending
    assert mine[0]["sql"] == "ACCESS REQUEST select on public.mcp_tickets for 15m", mine
    assert mine[0]["reason"] == "ticket #123"
    sent = hook_saw(request_id)
    assert sent and sent["event"] == "approval_requested" and sent["approval"]["rule"] == "access.request", Hook.received

    pending_status = cli_status(gw, request_id)
    assert pending_status["status"] == "pending" and pending_status["id"] == request_id, pending_status
    mcp_setup.approvals_cli(gw, "approve", request_id, "--note", "go ahead")

    got = cli_status(gw, request_id)
    assert got["status"] == "approved" and got["id"] == request_id, got
    assert got["user"].startswith("tok_") and got["password"].startswith(got["user"] + "."), got
    again = cli_status(gw, request_id)
    assert again["status"] == "collected" and "password" not in again, again

    tokens = json.loads(airlock(gw, "token", "list", "--json").stdout)
    issued = [t for t in tokens if t["request_id"] == request_id]
    assert [t["id"] for t in issued] == [got["user"]], tokens

    # The gateway audits the issue, linked to the request it answers.
    def issue_event():
        r = airlock(gw, "audit", "search", "--limit", "0", "--json")
        recs = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
        return [x for x in recs if x["kind"] == "event" and x.get("token") == got["user"]
                and x.get("approval_id") == request_id and " issued " in x.get("reason", "")]
    waits.until(issue_event, timeout=15, what="the token's issue event in the trail")

    with token_conn(gw, got) as c:
        assert c.execute(IN_SCOPE).fetchall() == [(1, "open")]
        with pytest.raises(psycopg.Error) as denied:
            c.execute(OUT_OF_SCOPE)
    assert mcp_setup.rule_of(str(denied.value)) == "token.scope", denied.value


def test_mcp_request_approve_collect_use(gw):
    m = mcp_client(gw)
    asked = m.tool("request_access", {"allow": ["public.mcp_tickets:select"], "ttl": "15m",
                                      "reason": "ticket #123", "intent": "triage ticket 123"})
    assert not asked.get("isError"), asked
    request_id = asked["structuredContent"]["id"]
    assert asked["structuredContent"]["status"] == "pending"
    waits.until(lambda: hook_saw(request_id), 10, "the webhook was not told of the MCP request")

    pending = m.tool("access_status", {"id": request_id})
    assert pending["structuredContent"]["status"] == "pending", pending
    mcp_setup.approvals_cli(gw, "approve", request_id)

    got = m.tool("access_status", {"id": request_id})
    assert not got.get("isError"), got
    token = got["structuredContent"]
    assert token["status"] == "approved" and token["user"].startswith("tok_"), token
    again = m.tool("access_status", {"id": request_id})["structuredContent"]
    assert again["status"] == "collected" and "password" not in again, again

    with_token = mcp_client(gw, bearer=token["password"])
    rows = with_token.tool("query", {"sql": IN_SCOPE})
    assert not rows.get("isError"), rows
    assert rows["structuredContent"]["rows"] == [["1", "open"]], rows
    denied = with_token.tool("query", {"sql": OUT_OF_SCOPE})
    assert denied.get("isError") and mcp_setup.denial_rule(denied) == "token.scope", denied

    # The trail: the request_access call record names the request and keeps the intent; the
    # collection's call record names it too.
    def calls():
        recs = [r for r in trail(gw) if r.get("kind") == "call" and r.get("approval_id") == request_id]
        return recs if {r.get("tool") for r in recs} >= {"request_access", "access_status"} else None
    recs = waits.until(calls, 10, "call records of the access request in the audit trail")
    ask = next(r for r in recs if r["tool"] == "request_access")
    assert ask["front"] == "mcp" and ask.get("intent") == "triage ticket 123", ask


def test_denied_request_says_so_with_the_note(gw):
    m = mcp_client(gw)
    request_id = m.tool("request_access", {"allow": ["public.mcp_tickets:select,update"],
                                           "reason": "close ticket 7"})["structuredContent"]["id"]
    mcp_setup.approvals_cli(gw, "deny", request_id, "--note", "use the queue")
    got = m.tool("access_status", {"id": request_id})["structuredContent"]
    assert got["status"] == "denied" and got["note"] == "use the queue" and "password" not in got, got
    assert cli_status(gw, request_id)["status"] == "denied"


def test_scope_beyond_policy_refused_at_request_time(gw):
    m = mcp_client(gw)
    refused = m.tool("request_access", {"allow": ["public.mcp_tickets:select,delete",
                                                  "public.mcp_secrets:select"],
                                        "reason": "cleanup"})
    assert refused.get("isError"), refused
    assert mcp_setup.denial_rule(refused) == "access.request", refused
    text = mcp_setup.result_text(refused)
    assert "delete" in text and "mcp_secrets" in text, text  # every reason

    r = cli_request(gw, "public.mcp_tickets:delete")
    assert r.returncode == 1 and "never widens" in r.stderr, (r.stdout, r.stderr)
    assert r.stdout == ""
    # Nothing reached the approvers.
    pending = json.loads(mcp_setup.approvals_cli(gw, "list", "--json").stdout)
    assert not [a for a in pending if "delete" in a["sql"]], pending


def test_another_agent_cannot_collect(gw):
    m = mcp_client(gw)
    request_id = m.tool("request_access", {"allow": ["public.mcp_tickets:select"],
                                           "reason": "ticket 9"})["structuredContent"]["id"]
    mcp_setup.approvals_cli(gw, "approve", request_id)
    other = mcp_client(gw, "mcpreader")
    stolen = other.tool("access_status", {"id": request_id})
    assert stolen.get("isError") and "no access request" in mcp_setup.result_text(stolen), stolen
    # The try took nothing: the agent that asked still collects it.
    assert m.tool("access_status", {"id": request_id})["structuredContent"]["status"] == "approved"


def test_tools_listed_for_every_agent(gw):
    for agent in ("mcpbot", "mcpreader"):
        tools = {t["name"]: t for t in mcp_client(gw, agent).request("tools/list")["result"]["tools"]}
        assert {"request_access", "access_status"} <= set(tools), tools.keys()
        assert tools["request_access"]["outputSchema"]["type"] == "object"
