"""node-postgres (tests/js) through the gateway: `node --test tests/js/` must exit 0."""
import shutil
import subprocess

import pytest

from harness import REPO_ROOT

JS_DIR = REPO_ROOT / "tests" / "js"


@pytest.fixture(scope="module")
def node_modules():
    if shutil.which("node") is None:
        pytest.fail("node is not installed (scripts/install-deps.sh)")
    if not (JS_DIR / "node_modules" / "pg").is_dir():
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=JS_DIR,
                           capture_output=True, text=True, timeout=180)
        assert r.returncode == 0, "npm ci failed:\n" + r.stdout + r.stderr


def test_node_pg(gateway, node_modules):
    r = subprocess.run(["node", "--test", "--test-timeout=30000", "tests/js/"], cwd=REPO_ROOT, env=gateway.env("alice"),
                       capture_output=True, text=True, timeout=120)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "# fail 0" in out, out
