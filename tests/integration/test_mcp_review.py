"""Findings of the MCP security review (issue #12), each a regression test:
- `explain` in a read-only session must not run a user function the planner would fold;
- a reload that narrows a policy is not outlived by a pooled in-process session;
- a bearer secret that two agents share is refused (it cannot say who is calling);
- a server error's text reaches the model only inside an untrusted-data block."""
import re
import signal

import harness
import mcp_setup
import pytest
import waits

READER = "mcpreader"
IMM = """
CREATE OR REPLACE FUNCTION public.mcp_imm() RETURNS int LANGUAGE plpgsql IMMUTABLE AS
$$ BEGIN PERFORM public.mcp_wipe(); RETURN 1; END $$;
"""
POLICIES = dict(mcp_setup.POLICIES)
POLICIES[READER] = """
        allow:
          - tables: [public.mcp_tickets]
            actions: [select]
          - functions: [public.mcp_imm]
"""
SHARED_PW = "shared-secret-of-two-agents"


@pytest.fixture
def review_gateway(pg):
    if harness.DIRECT:
        pytest.skip("MCP needs the gateway")
    agents = dict(mcp_setup.AGENTS)
    agents["twin1"] = ("TWIN1_PASSWORD", SHARED_PW)
    agents["twin2"] = ("TWIN2_PASSWORD", SHARED_PW)
    policies = dict(POLICIES)
    policies["twin1"] = POLICIES[READER]
    policies["twin2"] = POLICIES[READER]
    gw = mcp_setup.start_mcp_gateway(pg, "mcp-review", agents=agents, policies=policies,
                                     extra_sql=IMM)
    try:
        yield gw
    finally:
        gw.stop()


def client(gw, agent):
    m = mcp_setup.McpHttp(gw, agent=agent)
    m.initialize()
    return m


def tickets(pg) -> int:
    with pg.su_connect() as c:
        return c.execute("SELECT count(*) FROM public.mcp_tickets").fetchone()[0]


def test_explain_does_not_fold_a_writing_function(pg, review_gateway):
    m = client(review_gateway, READER)
    before = tickets(pg)
    assert before > 0
    q = m.tool("query", {"sql": "SELECT public.mcp_imm()"})
    assert q.get("isError") and "gateway.read_only" in mcp_setup.result_text(q), q
    e = m.tool("explain", {"sql": "SELECT public.mcp_imm()"})
    assert e.get("isError") and "gateway.read_only" in mcp_setup.result_text(e), e
    for sql in ("ANALYZE SELECT 1", "(ANALYZE) SELECT 1", "(ANALYZE true) SELECT id FROM mcp_tickets"):
        r = m.tool("explain", {"sql": sql})
        assert r.get("isError"), (sql, r)
    ok = m.tool("explain", {"sql": "SELECT id FROM mcp_tickets WHERE id = 1"})
    assert not ok.get("isError"), ok
    assert tickets(pg) == before


def test_reload_narrowing_a_policy_reaches_pooled_sessions(pg, review_gateway):
    gw = review_gateway
    m = client(gw, "mcpbot")
    sql = "SELECT name FROM mcp_customers WHERE id = 1"
    first = m.tool("query", {"sql": sql})
    assert not first.get("isError"), first  # a pooled read-only session now exists
    text = gw.config_path.read_text()
    narrowed = text.replace("tables: [public.mcp_customers]", "tables: [public.mcp_nothing]")
    assert narrowed != text
    mark = len(gw.log_text())
    gw.config_path.write_text(narrowed)
    gw.proc.send_signal(signal.SIGHUP)
    waits.until(lambda: re.search(r"reloaded ", gw.log_text()[mark:]), timeout=10, what="the reload")
    after = m.tool("query", {"sql": sql})
    assert after.get("isError") and mcp_setup.denial_rule(after) == "default_deny", after


def test_a_secret_two_agents_share_is_refused(review_gateway):
    reply = mcp_setup.http_post(review_gateway.extra["mcp_url"],
                                {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                                {"Authorization": f"Bearer {SHARED_PW}"})
    assert reply.status == 401, reply
    assert "matches 2 agents" in review_gateway.log_text()


def test_server_error_text_is_wrapped_as_untrusted(review_gateway):
    m = client(review_gateway, "mcpbot")
    r = m.tool("query", {"sql": "SELECT status::int FROM mcp_tickets WHERE id = 1"})
    text = mcp_setup.result_text(r)
    assert r.get("isError"), r
    assert "untrusted data" in text and re.search(r"<untrusted-data-[0-9a-f]+>", text), text
    assert text.index("<untrusted-data") < text.index("invalid input syntax"), text


def test_failed_bearers_from_one_address_are_limited(pg):
    if harness.DIRECT:
        pytest.skip("MCP needs the gateway")
    gw = mcp_setup.start_mcp_gateway(pg, "mcp-limit", auth_failures=3)
    try:
        url = gw.extra["mcp_url"]
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        statuses = [mcp_setup.http_post(url, body, {"Authorization": "Bearer wrong"}).status
                    for _ in range(5)]
        assert statuses == [401, 401, 401, 429, 429], statuses
        # Also the right secret waits for the window: the address is not trying secrets now.
        right = mcp_setup.http_post(url, body, {"Authorization": f"Bearer {mcp_setup.BOT_PW}"})
        assert right.status == 429, right
    finally:
        gw.stop()
