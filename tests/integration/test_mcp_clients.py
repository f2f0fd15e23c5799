"""The official MCP clients from npm against Airlock's MCP server and a real PostgreSQL
(issue #12): @modelcontextprotocol/sdk 1.x and @modelcontextprotocol/client 2.x, over
Streamable HTTP and through `airlock mcp stdio`. Each runs tests/mcp/client_v*.mjs with a
script of steps and prints one JSON line per step (see tests/mcp/steps.mjs).

Both SDKs validate a successful result's structuredContent against the tool's outputSchema
(the clients list the tools first, which is when the SDKs compile the validators), so a
step that comes back ok also means the result matched its schema."""
from __future__ import annotations

import json

import pytest

import harness
import mcp_setup
from mcp_setup import (APPROVAL_RE, MAX_ROWS, SECRET_EMAIL, fresh, gateway, rule_of,  # noqa: F401
                       run_client, wire_denial, wire_rows)

pytestmark = pytest.mark.gateway_only

TOOLS = {"list_tables", "describe_table", "query", "execute", "explain", "check", "approval_status",
         "request_access", "access_status"}

# (sdk, transport, era): era is the 2.x client's version negotiation ("legacy" is its default:
# initialize at 2025-11-25; a pinned "2026-07-28" is the stateless revision via server/discover;
# "auto" probes server/discover and must land on 2026-07-28 since Airlock serves it).
CLIENTS = [
    ("v1", "http", None),
    ("v1", "stdio", None),
    ("v2", "http", "legacy"),
    ("v2", "http", "2026-07-28"),
    ("v2", "http", "auto"),
    ("v2", "stdio", "legacy"),
    ("v2", "stdio", "2026-07-28"),
]
IDS = [f"{s}-{t}" + (f"-{e}" if e else "") for s, t, e in CLIENTS]
EXPECTED_VERSION = {None: "2025-11-25", "legacy": "2025-11-25", "2026-07-28": "2026-07-28", "auto": "2026-07-28"}


@pytest.fixture(scope="module", autouse=True)
def node_modules():
    mcp_setup.node_modules_or_skip()


def describe(gw, transport, era, agent="mcpbot", steps=(), bearer=None):
    d = {"transport": transport, "bearer": gw.password(agent) if bearer is None else bearer,
         "steps": list(steps)}
    if transport == "http":
        d["url"] = gw.extra["mcp_url"]
    else:
        d["command"] = str(harness.find_airlock_bin())
        d["args"] = ["mcp", "stdio", "--server", gw.extra["mcp_url"]]
    if era:
        d["era"] = era
    return d


def call(name, **arguments):
    return {"op": "callTool", "name": name, "arguments": arguments}


def run_ok(sdk, run):
    rc, lines, err = run_client(sdk, run)
    assert lines and lines[0]["op"] == "connect", (rc, lines, err)
    assert lines[0]["ok"], (lines[0], err)
    assert rc == 0, (rc, lines, err)
    steps = lines[1:]
    assert len(steps) == len(run["steps"]), (lines, err)
    for s in steps:
        assert s["ok"], (s, err)  # no exception: the SDK accepted the result (and its schema)
    return lines[0], steps


DENIED = "DELETE FROM mcp_tickets WHERE id = 1"
MASKED = "SELECT id, name, email FROM mcp_customers ORDER BY id"


@pytest.mark.parametrize("sdk,transport,era", CLIENTS, ids=IDS)
def test_client_session(pg, gateway, fresh, sdk, transport, era):  # noqa: F811
    steps = [
        {"op": "listTools"},
        call("list_tables"),
        call("describe_table", table="mcp_customers"),
        call("query", sql="SELECT id, status FROM mcp_tickets WHERE id = 1"),
        call("execute", sql=DENIED),
        call("query", sql=MASKED),
        call("query", sql="SELECT id FROM mcp_tickets ORDER BY id"),
        call("check", sql=DENIED),
        call("query", sql="SELECT 1; DELETE FROM mcp_tickets"),
        call("execute", sql="UPDATE mcp_tickets SET status = 'closed' WHERE id = 2"),
        call("explain", sql="SELECT id FROM mcp_tickets WHERE id = 1"),
    ]
    if EXPECTED_VERSION[era] != "2026-07-28":
        steps.append({"op": "ping"})  # ping does not exist in the 2026-07-28 era
    baseline_other = mcp_setup.checksum(pg)["customers"]
    conn, r = run_ok(sdk, describe(gateway, transport, era, steps=steps))
    assert conn["protocolVersion"] == EXPECTED_VERSION[era], conn
    assert set(conn["tools"]) == TOOLS, conn

    tools = {t["name"]: t for t in r[0]["tools"]}
    for name, t in tools.items():
        assert t["description"], t
        assert t["inputSchema"]["type"] == "object", t
        ann = t["annotations"] or {}
        if name == "execute":
            assert ann.get("destructiveHint") is True and ann.get("readOnlyHint") is not True, t
        elif name in ("request_access", "access_status"):  # write only Airlock's state store
            assert ann.get("destructiveHint") is False and ann.get("readOnlyHint") is False, t
        else:
            assert ann.get("readOnlyHint") is True, t
    assert tools["query"]["has_output_schema"], tools["query"]

    listed = r[1]
    assert not listed["isError"], listed
    names = {t["table"].split(".")[-1] for t in listed["structuredContent"]["tables"]}
    assert names == {"mcp_tickets", "mcp_customers", "mcp_accounts"}, listed  # only what the policy names

    described = r[2]
    cols = {c["name"]: c for c in described["structuredContent"]["columns"]}
    assert cols["email"].get("masked") is True and cols["ssn"].get("denied") is True, cols

    q = r[3]
    assert not q["isError"], q
    assert [[str(v) for v in (row.values() if isinstance(row, dict) else row)]
            for row in q["structuredContent"]["rows"]] == [["1", "open"]], q
    assert "open" in q["text"] and "untrusted" in q["text"].lower(), q

    denied = r[4]
    wire = wire_denial(gateway, "mcpbot", DENIED)
    assert denied["isError"] and denied["text"].startswith("airlock: "), denied
    assert rule_of(denied["text"]) == rule_of(wire.diag.message_primary), (denied, wire.diag.message_primary)

    masked = r[5]
    assert not masked["isError"], masked
    assert SECRET_EMAIL not in json.dumps(masked), masked
    got = mcp_setup.rows_as_dicts(masked["structuredContent"])
    assert [(str(d["id"]), d["name"], d["email"]) for d in got] == \
        [(str(a), b, c) for a, b, c in wire_rows(gateway, "mcpbot", MASKED)]

    trunc = r[6]
    assert trunc["structuredContent"]["truncated"] is True, trunc
    assert len(trunc["structuredContent"]["rows"]) == MAX_ROWS, trunc
    assert "truncat" in trunc["text"].lower(), trunc

    checked = r[7]
    assert checked["structuredContent"]["verdict"] == "deny", checked
    assert checked["structuredContent"]["rule"] == rule_of(wire.diag.message_primary), checked

    assert r[8]["isError"] and "airlock: " in r[8]["text"], r[8]

    wrote = r[9]
    assert not wrote["isError"], wrote
    assert wrote["structuredContent"]["rows_changed"] == 1, wrote

    assert not r[10]["isError"], r[10]
    if len(r) > 11:
        assert r[11]["result"] == {}, r[11]

    with pg.su_connect() as c:
        assert c.execute("SELECT id, status FROM public.mcp_tickets ORDER BY id").fetchall() == \
            [(1, "open"), (2, "closed"), (3, "open"), (4, "open"), (5, "open")]
    assert mcp_setup.checksum(pg)["customers"] == baseline_other


@pytest.mark.parametrize("sdk,transport,era", CLIENTS, ids=IDS)
def test_reader_sees_no_execute(gateway, sdk, transport, era):  # noqa: F811
    conn, r = run_ok(sdk, describe(gateway, transport, era, agent="mcpreader",
                                   steps=[call("query", sql="SELECT count(*) AS n FROM mcp_tickets")]))
    assert "execute" not in conn["tools"] and "query" in conn["tools"], conn
    assert not r[0]["isError"], r[0]


@pytest.mark.parametrize("bearer", ["", "wrong-secret"], ids=["none", "wrong"])
@pytest.mark.parametrize("sdk,transport,era", CLIENTS, ids=IDS)
def test_bad_bearer_cannot_connect(pg, gateway, sdk, transport, era, bearer):  # noqa: F811
    before = mcp_setup.checksum(pg)
    rc, lines, err = run_client(sdk, describe(gateway, transport, era, bearer=bearer,
                                              steps=[call("execute", sql="UPDATE mcp_tickets SET status = 'x' WHERE id = 1")]))
    assert lines and lines[0]["op"] == "connect" and not lines[0]["ok"], (rc, lines, err)
    assert rc == 2, (rc, lines, err)
    if transport == "http":
        assert lines[0]["http_status"] == 401, lines[0]
    assert mcp_setup.checksum(pg) == before


@pytest.mark.parametrize("sdk,transport,era", CLIENTS, ids=IDS)
def test_held_execute_approved_then_resent(pg, gateway, fresh, sdk, transport, era):  # noqa: F811
    sql = "UPDATE mcp_accounts SET name = name || '+' WHERE id = 1"
    _, r = run_ok(sdk, describe(gateway, transport, era, steps=[call("execute", sql=sql)]))
    held = r[0]
    assert held["isError"], held  # returns at once with the approval id
    m = APPROVAL_RE.search(held["text"])
    assert m, held
    apr = m.group(0)
    with pg.su_connect() as c:
        assert c.execute("SELECT name FROM public.mcp_accounts WHERE id = 1").fetchone() == ("acct1",)
    mcp_setup.approvals_cli(gateway, "approve", apr)
    _, r = run_ok(sdk, describe(gateway, transport, era, steps=[
        call("approval_status", id=apr), call("execute", sql=sql), call("execute", sql=sql)]))
    assert r[0]["structuredContent"]["status"] == "approved", r[0]
    assert not r[1]["isError"] and r[1]["structuredContent"]["rows_changed"] == 1, r[1]
    assert r[2]["isError"] and APPROVAL_RE.search(r[2]["text"]), r[2]  # runs once: held again
    with pg.su_connect() as c:
        assert c.execute("SELECT name FROM public.mcp_accounts WHERE id = 1").fetchone() == ("acct1+",)
