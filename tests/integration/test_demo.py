"""`make demo` in quick mode: start the demo, replay the agent incidents, stop it.

scripts/demo.sh starts its own PostgreSQL 15 (sample SaaS data) and gateway (with its MCP
server) in a private directory (DEMO_DIR, so a user's running .demo/ is left alone), and
scripts/demo/replay.py exits non-zero when any scripted attempt gets another verdict or rule
than expected, or when a denied write changed rows anyway. One agent is an MCP client
(scripts/demo/mcp_agent.mjs on @modelcontextprotocol/sdk) obeying a prompt-injected ticket.
"""
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import harness

pytestmark = pytest.mark.gateway_only


def test_demo_quick_replays_as_expected():
    work = Path(tempfile.mkdtemp(prefix="airlock-demo-it-"))
    if os.geteuid() == 0:
        os.chmod(work, 0o711)  # PostgreSQL runs as the postgres user and must reach DEMO_DIR/pg
    demo_dir = work / "demo"
    env = dict(os.environ, DEMO_QUICK="1", DEMO_DIR=str(demo_dir),
               AIRLOCK_BIN=str(harness.find_airlock_bin()))
    t0 = time.monotonic()
    try:
        run = subprocess.run(["bash", "scripts/demo.sh"], cwd=harness.REPO_ROOT, env=env,
                             capture_output=True, text=True, timeout=90)
        elapsed = time.monotonic() - t0
    finally:
        stop = subprocess.run(["bash", "scripts/demo.sh", "stop"], cwd=harness.REPO_ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
        shutil.rmtree(work, ignore_errors=True)
    out = run.stdout + run.stderr
    assert run.returncode == 0, f"demo quick mode failed (exit {run.returncode}):\n{out}"
    assert elapsed < 60, f"demo quick mode took {elapsed:.0f} s:\n{out}"
    assert stop.returncode == 0, stop.stdout + stop.stderr
    assert not demo_dir.exists()
    # the replay ran to its end, plain text (stdout is not a TTY)
    assert "audit trail: airlock audit verify --config" in run.stdout
    assert "not yet" not in run.stdout  # every incident's capability has landed
    assert "came back masked: ***@" in run.stdout
    assert "the breaker refused 14 at once" in run.stdout
    assert "\033[" not in run.stdout
    for verdict in ("ALLOW", "DENY", "HOLD"):
        assert f" {verdict} " in run.stdout
    # the MCP scene: a prompt-injected agent on the official MCP client, each call stopped
    mcp_lines = [line for line in run.stdout.splitlines() if line.lstrip().startswith("helpdesk-ai ")]
    calls = [line for line in mcp_lines if " query: " in line or " execute: " in line]
    assert len(calls) == 8, "\n".join(mcp_lines) or run.stdout
    assert sum(" DENY " in line for line in calls) == 6, "\n".join(calls)
    for rule in ("[default_deny]", "[builtin.where_required]", "[allow[2]]", "[gateway.read_only]",
                 "[allow[1].deny_columns]"):
        assert any(rule in line for line in calls), (rule, "\n".join(calls))
    assert "tools offered: list_tables, describe_table, query, execute," in run.stdout
    assert "inside an untrusted-data boundary" in run.stdout
    assert "customers: 20,000 before, 20,000 after" in run.stdout
    assert "came back masked: ***, ***" in run.stdout
    # the token scene: support-bot on a just-in-time token, narrowed, then revoked
    assert "airlock token issue: user tok_" in run.stdout and "airlock token revoke tok_" in run.stdout
    assert "[token.scope]" in run.stdout and "the limit for support-bot is 1 [allow[4]]" in run.stdout
    assert "session ended by the gateway: FATAL 57P01" in run.stdout
