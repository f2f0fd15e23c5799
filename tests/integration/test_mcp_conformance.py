"""The official MCP conformance suite (@modelcontextprotocol/conformance, tests/mcp) against
Airlock's MCP server: server scenarios server-initialize, ping, tools-list and
dns-rebinding-protection must pass (issue #12). The suite needs Node 22 (fs.globSync): the
npm package `node` in tests/mcp provides it (node_modules/node/bin/node).

The suite has no option for credentials, and Airlock requires a bearer. The test preloads
tests/mcp/inject_bearer.mjs (node --import), which adds `Authorization: Bearer
$AIRLOCK_TOKEN` to every request the suite makes (its SDK client's fetch and the raw
undici requests of dns-rebinding-protection). With the bearer valid, the 4xx that
dns-rebinding-protection expects for Host/Origin evil.example.com must come from the Origin
check, not from authentication. Without the preload the suite gets 401 (checked below)."""
from __future__ import annotations

import json
import os
import subprocess

import pytest

import mcp_setup
from mcp_setup import CONFORMANCE, MCP_DIR, NODE22, gateway  # noqa: F401

pytestmark = pytest.mark.gateway_only

SCENARIOS = ["server-initialize", "ping", "tools-list", "dns-rebinding-protection"]


@pytest.fixture(scope="module", autouse=True)
def node_modules():
    mcp_setup.node_modules_or_skip()


def conformance(url: str, scenario: str, out_dir, token: str | None):
    """Runs one server scenario; returns (exit code, checks from checks.json, output)."""
    cmd = [str(NODE22)]
    if token is not None:
        cmd += ["--import", "./inject_bearer.mjs"]
    cmd += [str(CONFORMANCE), "server", "--url", url, "--scenario", scenario, "-o", str(out_dir)]
    env = {k: v for k, v in os.environ.items() if k not in ("AIRLOCK_TOKEN", "NODE_OPTIONS")}
    env["NO_COLOR"] = "1"
    if token is not None:
        env["AIRLOCK_TOKEN"] = token
    r = subprocess.run(cmd, cwd=MCP_DIR, env=env, capture_output=True, text=True, timeout=120)
    files = sorted(out_dir.glob("*/checks.json"))
    checks = json.loads(files[-1].read_text()) if files else []
    return r.returncode, checks, r.stdout + r.stderr


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_conformance_scenario(gateway, scenario, tmp_path):  # noqa: F811
    rc, checks, out = conformance(gateway.extra["mcp_url"], scenario, tmp_path, gateway.password("mcpbot"))
    failed = [c for c in checks if c.get("status") == "FAILURE"]
    assert checks, out
    assert not failed, json.dumps(failed, indent=1) + "\n" + out
    assert any(c.get("status") == "SUCCESS" for c in checks), out
    assert rc == 0, out
    if scenario == "dns-rebinding-protection":
        rejected = [c for c in checks if c["id"] == "localhost-host-rebinding-rejected"][0]
        assert rejected["details"]["statusCode"] == 403, rejected  # the Origin check, not auth


def test_conformance_without_bearer_is_refused(gateway, tmp_path):  # noqa: F811
    rc, checks, out = conformance(gateway.extra["mcp_url"], "server-initialize", tmp_path, None)
    assert rc == 1, out
    assert [c["status"] for c in checks] == ["FAILURE"], checks
    # sdk 1.x reports the body, not the status: the 401's JSON-RPC error names the bearer.
    assert "bearer secret is required" in checks[0].get("errorMessage", ""), checks
