"""Every MCP tool call is in the audit trail (issue #12): a `call` record with front `mcp`,
the tool and the JSON-RPC request id, next to the intent and outcome records of the
statement it ran, all under the in-process session's id, so `airlock audit trace` shows
both. The statement's own records say front `mcp` too."""
import json
import subprocess

import harness
import mcp_setup
import pytest
import waits


@pytest.fixture(scope="module")
def audited(pg, tmp_path_factory):
    with mcp_setup.audited_gateway(pg, tmp_path_factory.mktemp("mcp-audit"), "mcp-audit") as gw:
        yield gw


def audit_json(gw, *args) -> list[dict]:
    r = subprocess.run([str(harness.find_airlock_bin()), "audit", *args, "--json", "--config",
                        str(gw.config_path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, (r.stdout, r.stderr)
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def trail(gw) -> list[dict]:
    return audit_json(gw, "search", "--agent", "mcpbot")


def test_call_and_statement_records_share_the_session(audited):
    m = mcp_setup.McpHttp(audited)
    m.initialize()
    result = m.tool("query", {"sql": "SELECT id, status FROM mcp_tickets WHERE id = 1"})
    assert not result.get("isError"), result
    denied = m.tool("execute", {"sql": "DELETE FROM mcp_tickets WHERE id = 1"})
    assert denied.get("isError"), denied

    def calls():
        recs = trail(audited)
        return [r for r in recs if r.get("kind") == "call"] and recs
    recs = waits.until(calls, timeout=10, what="call records in the audit trail")
    call = [r for r in recs if r.get("kind") == "call" and r.get("tool") == "query"][-1]
    assert call["front"] == "mcp" and call["request_id"] and call["session"], call

    traced = audit_json(audited, "trace", call["session"])
    kinds = [(r["kind"], r.get("tool", ""), r.get("front", "")) for r in traced]
    assert ("call", "query", "mcp") in kinds, kinds
    intents = [r for r in traced if r["kind"] == "intent"]
    assert any("mcp_tickets" in r.get("statement", "") and r.get("front") == "mcp" for r in intents), traced
    # The call record comes first, then the statement's intent.
    first_call = next(i for i, r in enumerate(traced) if r["kind"] == "call" and r.get("tool") == "query")
    assert any(r["kind"] == "intent" for r in traced[first_call + 1:]), traced

    exec_call = [r for r in recs if r.get("kind") == "call" and r.get("tool") == "execute"][-1]
    exec_trace = audit_json(audited, "trace", exec_call["session"])
    assert any(r["kind"] == "intent" and r.get("decision") == "deny" and r.get("rule") == "default_deny"
               for r in exec_trace), exec_trace


def test_trail_verifies_with_mcp_records(audited):
    r = subprocess.run([str(harness.find_airlock_bin()), "audit", "verify", "--config",
                        str(audited.config_path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, (r.stdout, r.stderr)


def test_a_call_refused_for_its_arguments_is_recorded(audited):
    m = mcp_setup.McpHttp(audited)
    m.initialize()
    resp = m.request("tools/call", {"name": "drop_everything", "arguments": {}})
    assert "error" in resp and resp["error"]["code"] == -32602, resp

    def refused():
        return [r for r in trail(audited) if r.get("kind") == "call" and r.get("tool") == "drop_everything"]
    rec = waits.until(refused, timeout=10, what="the refused call's record")[-1]
    assert rec["decision"] == "deny" and rec["rule"] == "mcp.arguments" and rec["front"] == "mcp", rec
    assert "drop_everything" in rec["reason"], rec
