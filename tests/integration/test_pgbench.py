"""pgbench through the gateway: initialization (COPY) and short runs in every query mode."""
import re
import subprocess

import pytest


def pgbench(gateway, *args, timeout=120):
    r = subprocess.run(["pgbench", *args], env=gateway.env("alice"), capture_output=True, text=True,
                       timeout=timeout)
    return r


@pytest.fixture(scope="module")
def initialized(gateway):
    r = pgbench(gateway, "-i", "-s", "1", "-q")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "done in" in (r.stdout + r.stderr)
    return gateway


def check_run(r):
    text = r.stdout + r.stderr
    assert r.returncode == 0, text
    m = re.search(r"number of failed transactions: (\d+)", text)
    if m:
        assert int(m.group(1)) == 0, text
    m = re.search(r"number of transactions actually processed: (\d+)", text)
    assert m and int(m.group(1)) > 0, text
    assert "error" not in r.stderr.lower(), r.stderr


@pytest.mark.parametrize("mode", ["simple", "extended", "prepared"])
def test_tpcb(initialized, mode):
    check_run(pgbench(initialized, "-n", "-T", "3", "-c", "4", "-j", "2", "-M", mode))


@pytest.mark.parametrize("mode", ["simple", "prepared"])
def test_select_only(initialized, mode):
    check_run(pgbench(initialized, "-n", "-S", "-T", "3", "-c", "4", "-j", "2", "-M", mode))
