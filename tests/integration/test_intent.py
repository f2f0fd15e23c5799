"""Justification (issue #14, docs/access.md "Justification"): an agent with `require_intent:
writes` must say why it writes. A write without an intent is refused with rule
intent.required and a hint that shows how to give one; the comment form, the
application_name form (at login and by SET) and the MCP `intent` argument let it run; reads
need none; an intent-looking string literal is no intent. `airlock audit search --intent`
finds the records of every form, case-insensitively."""
import json
import subprocess
import textwrap

import psycopg
import pytest

import harness
import mcp_setup
import waits

POLICIES = dict(mcp_setup.POLICIES)
POLICIES["mcpbot"] = "require_intent: writes\n" + textwrap.dedent(mcp_setup.POLICIES["mcpbot"])

UPDATE = "UPDATE mcp_tickets SET status = 'closed' WHERE id = {id}"


@pytest.fixture(scope="module")
def gw(pg, tmp_path_factory):
    with mcp_setup.audited_gateway(pg, tmp_path_factory.mktemp("intent-audit"), "intent",
                                   policies=POLICIES) as g:
        yield g


@pytest.fixture(autouse=True)
def fresh_rows(pg, gw):
    mcp_setup.reset_data(pg)


def status(pg, ticket: int) -> str:
    with pg.su_connect() as c:
        return c.execute("SELECT status FROM public.mcp_tickets WHERE id = %s", [ticket]).fetchone()[0]


def search_intent(gw, word: str) -> list[dict]:
    r = subprocess.run([str(harness.find_airlock_bin()), "audit", "search", "--intent", word,
                        "--limit", "0", "--json", "--config", str(gw.config_path)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, (r.stdout, r.stderr)
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def records_with(gw, word: str, kinds: set[str]) -> list[dict]:
    """The records `audit search --intent word` finds, once it finds every kind in `kinds`
    (an outcome is written when the statement's batch completes)."""
    def found():
        recs = search_intent(gw, word)
        return recs if kinds <= {r["kind"] for r in recs} else None
    return waits.until(found, timeout=10, what=lambda: f"--intent {word!r}: {search_intent(gw, word)}")


def test_a_write_without_intent_is_refused_with_the_hint(gw, pg):
    err = mcp_setup.wire_denial(gw, "mcpbot", UPDATE.format(id=1))
    assert err.sqlstate == "42501", err
    assert mcp_setup.rule_of(str(err)) == "intent.required", str(err)
    hint = err.diag.message_hint or ""
    assert '/* airlock: intent="' in hint and "application_name" in hint and "intent argument" in hint, hint
    assert status(pg, 1) == "open"


def test_reads_need_no_intent(gw):
    assert mcp_setup.wire_rows(gw, "mcpbot", "SELECT status FROM mcp_tickets WHERE id = 1") == [("open",)]


def test_an_intent_in_a_string_literal_is_none(gw, pg):
    sql = "UPDATE mcp_tickets SET status = '/* airlock: intent=\"x\" */' WHERE id = 2"
    assert mcp_setup.rule_of(str(mcp_setup.wire_denial(gw, "mcpbot", sql))) == "intent.required"
    assert status(pg, 2) == "open"


def test_the_comment_form_runs_and_is_found(gw, pg):
    sql = UPDATE.format(id=1) + ' /* airlock: intent="Refund for ticket 4411" */'
    with gw.connect("mcpbot") as c:
        assert c.execute(sql).rowcount == 1
    assert status(pg, 1) == "closed"
    recs = records_with(gw, "REFUND for", {"intent", "outcome"})
    intent = [r for r in recs if r["kind"] == "intent"][-1]
    assert intent["intent"] == "Refund for ticket 4411" and intent["decision"] == "allow", intent
    assert "mcp_tickets" in intent["statement"] and "airlock:" not in intent["statement"], intent


def test_the_comment_form_in_a_transaction(gw, pg):
    # The driver's own BEGIN and COMMIT need no intent.
    with gw.connect("mcpbot", autocommit=False) as c:
        c.execute("-- airlock: intent=\"batch close\"\n" + UPDATE.format(id=4))
        c.commit()
    assert status(pg, 4) == "closed"


def test_the_application_name_form_runs_and_is_found(gw, pg):
    with psycopg.connect(gw.dsn("mcpbot", application_name="intent:nightly close"), autocommit=True) as c:
        assert c.execute(UPDATE.format(id=2)).rowcount == 1
    assert status(pg, 2) == "closed"
    recs = records_with(gw, "Nightly", {"intent", "outcome"})
    intent = [r for r in recs if r["kind"] == "intent"][-1]
    assert intent["intent"] == "nightly close", intent
    assert intent["application_name"] == "intent:nightly close", intent


def test_set_application_name_states_one_from_the_next_statement(gw, pg):
    with gw.connect("mcpbot") as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute(UPDATE.format(id=3))
        c.execute("SET application_name = 'intent:set by the agent'")
        assert c.execute(UPDATE.format(id=3)).rowcount == 1
        c.execute("RESET application_name")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute(UPDATE.format(id=3))
    assert status(pg, 3) == "closed"
    assert records_with(gw, "set by the agent", {"intent", "outcome"})


def test_the_mcp_intent_argument_runs_and_is_found(gw, pg):
    m = mcp_setup.McpHttp(gw)
    m.initialize()
    refused = m.tool("execute", {"sql": UPDATE.format(id=5)})
    assert refused.get("isError") and mcp_setup.denial_rule(refused) == "intent.required", refused
    assert status(pg, 5) == "open"
    verdict = m.tool("check", {"sql": UPDATE.format(id=5), "intent": "close duplicate 77"})
    assert verdict["structuredContent"]["verdict"] == "allow", verdict
    done = m.tool("execute", {"sql": UPDATE.format(id=5), "intent": "close duplicate 77"})
    assert not done.get("isError"), done
    assert status(pg, 5) == "closed"
    # The call record, and the intent and outcome of the statement it ran.
    recs = records_with(gw, "DUPLICATE 77", {"call", "intent", "outcome"})
    call = [r for r in recs if r["kind"] == "call" and r.get("tool") == "execute"][-1]
    assert call["intent"] == "close duplicate 77" and call["front"] == "mcp", call
    stmt = [r for r in recs if r["kind"] == "intent"][-1]
    assert stmt["front"] == "mcp" and stmt["decision"] == "allow" and stmt["session"] == call["session"], stmt
    # The next call on the same pooled session, without the argument, has none again.
    again = m.tool("execute", {"sql": UPDATE.format(id=4)})
    assert mcp_setup.denial_rule(again) == "intent.required", again


def test_airlock_check_reads_the_comment(gw):
    def check(sql: str) -> dict:
        r = subprocess.run([str(harness.find_airlock_bin()), "check", "-c", str(gw.config_path),
                            "-a", "mcpbot", "--sql", sql], capture_output=True, text=True, timeout=60)
        assert r.returncode in (0, 1), (r.stdout, r.stderr)
        return json.loads(r.stdout.splitlines()[0])
    assert check(UPDATE.format(id=1))["rule"] == "intent.required"
    assert check(UPDATE.format(id=1) + ' /* airlock: intent="x" */')["decision"] == "allow"
