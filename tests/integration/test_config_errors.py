"""Configuration errors: `serve` and `check-config` exit 2 and print every problem as
file:line: key: message; a good file passes `check-config` with exit 0."""
import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

import harness

pytestmark = pytest.mark.gateway_only

BAD = """\
listen: 127.0.0.1:99999
threads: lots
upstream:
  host: 127.0.0.1
  port: 5432
  database: app
  user: airlock
  sslmode: maybe
timeouts: {connect: 5s, auth: forever}
limits: {max_message_bytes: 2TiB}
log: {level: loud}
agents:
  support-bot:
    pasword_env: SUPPORT_BOT_PASSWORD
"""

# (line, key as printed) of every error in BAD
EXPECTED = [
    (1, "listen"),
    (2, "threads"),
    (8, "upstream.sslmode"),
    (9, "timeouts.auth"),
    (10, "limits.max_message_bytes"),
    (11, "log.level"),
    (14, "agents.support-bot.pasword_env"),
]

GOOD = """\
listen: 127.0.0.1:6432
upstream: {host: 127.0.0.1, port: 5432, database: app, user: airlock, password_env: IT_UPSTREAM_PW}
timeouts: {connect: 5s, auth: 10s, client_idle: 5m, idle_in_transaction: 30s, shutdown_grace: 5s}
limits: {max_message_bytes: 1MiB, max_connections: 50}
agents:
  support-bot: {password_env: IT_SUPPORT_PW}
"""


def _airlock(*args, env_extra=None, cwd=None):
    env = dict(os.environ)
    env.update(env_extra or {})
    return subprocess.run([str(harness.find_airlock_bin()), *args], capture_output=True, text=True,
                          timeout=20, env=env, cwd=cwd)


@pytest.fixture
def tmpdir_path():
    d = Path(tempfile.mkdtemp(prefix="airlock-it-cfg-"))
    yield d
    for p in d.iterdir():
        p.unlink()
    d.rmdir()


def _check_all_errors(out: str, name: str):
    for line, key in EXPECTED:
        pat = rf"^{re.escape(name)}:{line}: {re.escape(key)}[.\w]*: \S"
        assert re.search(pat, out, re.M), f"missing {name}:{line}: {key}: ... in:\n{out}"
    # nothing but file:line: key: message lines, plus the summary
    for ln in out.strip().splitlines():
        assert re.match(rf"^{re.escape(name)}:\d+: [\w.\[\]-]+: ", ln) or "error(s)" in ln, ln


@pytest.mark.parametrize("command", ["serve", "check-config"])
def test_bad_config_every_error(tmpdir_path, command):
    cfg = tmpdir_path / "bad.yaml"
    cfg.write_text(BAD)
    r = _airlock(command, "--config", "bad.yaml", cwd=tmpdir_path,
                 env_extra={"SUPPORT_BOT_PASSWORD": "x"})
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    _check_all_errors(r.stderr, "bad.yaml")
    assert "error(s)" in r.stderr


def test_missing_env_variable_named(tmpdir_path):
    cfg = tmpdir_path / "good.yaml"
    cfg.write_text(GOOD)
    env = {"IT_UPSTREAM_PW": "secret-upstream"}
    r = _airlock("check-config", "--config", str(cfg), env_extra=env)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "IT_SUPPORT_PW" in r.stderr
    assert "secret-upstream" not in r.stderr + r.stdout


def test_missing_file(tmpdir_path):
    r = _airlock("serve", "--config", str(tmpdir_path / "nope.yaml"))
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "nope.yaml" in r.stderr


def test_good_config_check(tmpdir_path):
    cfg = tmpdir_path / "good.yaml"
    cfg.write_text(GOOD)
    r = _airlock("check-config", "--config", str(cfg),
                 env_extra={"IT_UPSTREAM_PW": "p1", "IT_SUPPORT_PW": "p2"})
    assert r.returncode == 0, (r.stdout, r.stderr)
    assert "ok" in r.stdout


def test_example_config_checks(tmpdir_path):
    example = harness.REPO_ROOT / "examples" / "airlock.yaml"
    r = _airlock("check-config", "--config", str(example),
                 env_extra={"AIRLOCK_UPSTREAM_PASSWORD": "p1", "SUPPORT_BOT_PASSWORD": "p2"})
    assert r.returncode == 0, (r.stdout, r.stderr)
