"""`airlock check` never aborts and always writes valid UTF-8 JSON (issue #11).

`SELECT id FROM tickets WHERE id = 1001；DELETE FROM tickets` (U+FF1B, a fullwidth
semicolon) is a syntax error whose message quotes the text cut at a byte count, in the
middle of the three-byte character; that once killed `check --jsonl` with an uncaught
nlohmann::json type_error. No database is needed."""
import json
import subprocess

import pytest

from harness import REPO_ROOT, find_airlock_bin

pytestmark = pytest.mark.gateway_only

CONFIG = REPO_ROOT / "tests" / "policy" / "airlock.yaml"
FULLWIDTH = "SELECT id FROM tickets WHERE id = 1001\uff1bDELETE FROM tickets"


def _check(*args, stdin: bytes | None = None):
    cmd = [str(find_airlock_bin()), "check", "-c", str(CONFIG), "-a", "reader", *args]
    return subprocess.run(cmd, input=stdin, capture_output=True, timeout=60)


def _lines(out: bytes) -> list[dict]:
    text = out.decode("utf-8")  # strict: invalid UTF-8 fails the test
    return [json.loads(line) for line in text.splitlines()]


def test_fullwidth_semicolon_jsonl():
    lines = [json.dumps({"id": 1, "sql": FULLWIDTH}, ensure_ascii=False),
             json.dumps({"id": 2, "sql": "SELECT id FROM tickets"})]
    r = _check("--jsonl", "-", stdin=("\n".join(lines) + "\n").encode())
    assert r.returncode == 1, r.stderr.decode(errors="replace")
    out = _lines(r.stdout)
    assert [o["id"] for o in out] == [1, 2]
    assert out[0]["decision"] == "deny" and out[0]["rule"] == "builtin.unparsed", out[0]
    assert out[1]["decision"] == "allow", out[1]


def test_fullwidth_semicolon_sql():
    r = _check("--sql", FULLWIDTH)
    assert r.returncode == 1, r.stderr.decode(errors="replace")
    [out] = _lines(r.stdout)
    assert out["rule"] == "builtin.unparsed"


@pytest.mark.parametrize("sql", [
    "SELECT '\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9' FROM",
    "SELECT \u4e2d\u6587\uff1b\u4e2d\u6587",
    "SELECT 1 \U0001F600\U0001F600 FROM",
], ids=["two_byte_cut", "cjk", "four_byte_cut"])
def test_multibyte_syntax_errors(sql):
    r = _check("--sql", sql)
    assert r.returncode in (0, 1), r.stderr.decode(errors="replace")
    _lines(r.stdout)


def test_invalid_utf8_input_is_refused_not_fatal():
    r = _check("--jsonl", "-", stdin=b'{"id": 1, "sql": "SELECT \xe2\x82"}\n{"id": "\xff"}\n')
    assert r.returncode == 2, r.stderr  # lines that are not JSON: a usage error, no crash
    assert r.stdout == b""
    r = _check("--sql", b"SELECT '\xff\xfe'")  # argv bytes, not UTF-8
    assert r.returncode in (0, 1)
    _lines(r.stdout)


# `check` applies the gateway's rules on the statement text and names them as the gateway
# does (issue #11); tests/unit/proxy/gateway_parity_test.cpp compares the two over a corpus.
@pytest.mark.parametrize("agent,sql,rule", [
    ("reader", "SET search_path = attacker, public", "gateway.search_path"),
    ("reader", "SET SCHEMA 'x'", "gateway.search_path"),
    ("reader", "SET LOCAL search_path = ''; SELECT 1", "gateway.search_path"),
    ("reader", "PREPARE airlock_x AS SELECT 1", "gateway.reserved_name"),
    ("support-bot", "UPDATE tickets SET status = 'x' WHERE id = 1; SELECT 1", "gateway.row_guard"),
], ids=["search_path", "set_schema", "set_local_search_path", "reserved_name", "row_guard"])
def test_gateway_rules(agent, sql, rule):
    cmd = [str(find_airlock_bin()), "check", "-c", str(CONFIG), "-a", agent, "--sql", sql]
    r = subprocess.run(cmd, capture_output=True, timeout=60)
    assert r.returncode == 1, r.stderr.decode(errors="replace")
    [out] = _lines(r.stdout)
    assert out["decision"] == "deny" and out["rule"] == rule, out
    assert out["hint"], out
