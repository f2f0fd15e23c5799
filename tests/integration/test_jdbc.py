"""JDBC (pgjdbc) through the gateway: compile tests/java/JdbcSmoke.java and run it."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import REPO_ROOT

JAR = Path(os.environ.get("PGJDBC_JAR", "/usr/share/java/postgresql.jar"))
SRC = REPO_ROOT / "tests" / "java" / "JdbcSmoke.java"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    if shutil.which("javac") is None or not JAR.exists():
        pytest.fail(f"javac or {JAR} missing (scripts/install-deps.sh installs them)")
    out = tmp_path_factory.mktemp("jdbc")
    r = subprocess.run(["javac", "-cp", str(JAR), "-d", str(out), str(SRC)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return out


def test_jdbc_smoke(gateway, compiled):
    r = subprocess.run(["java", "-cp", f"{compiled}{os.pathsep}{JAR}", "JdbcSmoke"], env=gateway.env("alice"),
                       capture_output=True, text=True, timeout=120)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "JdbcSmoke:" in out and ", 0 failed" in out, out
