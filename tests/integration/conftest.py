"""Fixtures: a throwaway PostgreSQL 15 (session), and the gateway in front of it (session).

AIRLOCK_DIRECT=1 points the `gateway` fixture at PostgreSQL itself, so every test can be
validated before the gateway exists. Tests that only make sense with a real gateway use
the `gateway_only` marker and are skipped in direct mode.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line("markers", "gateway_only: needs a real Airlock process (skipped with AIRLOCK_DIRECT=1)")


def pytest_sessionstart(session):
    if not harness.DIRECT and harness.find_airlock_bin() is None:
        pytest.exit("airlock binary not found: set AIRLOCK_BIN, build build/release or build/debug, "
                    "or run with AIRLOCK_DIRECT=1 to test against PostgreSQL directly", returncode=4)


def pytest_collection_modifyitems(config, items):
    if harness.DIRECT:
        skip = pytest.mark.skip(reason="gateway-specific test; AIRLOCK_DIRECT=1")
        for item in items:
            if "gateway_only" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def pg():
    with harness.running_pg() as server:
        yield server


@pytest.fixture(scope="session")
def gateway(pg):
    if harness.DIRECT:
        yield harness.direct_gateway(pg)
        return
    gw = harness.start_gateway(pg)
    try:
        yield gw
    finally:
        alive = gw.proc.poll() is None
        gw_log = gw.log_text()
        gw.stop()
        if not alive:
            print(f"\n=== airlock exited early (code {gw.proc.returncode}); log:\n{gw_log}", file=sys.stderr)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call" and rep.failed:
        gw = item.funcargs.get("gateway") if hasattr(item, "funcargs") else None
        if gw is not None and not gw.direct:
            log = gw.log_text()
            tail = "\n".join(log.splitlines()[-80:])
            state = "alive" if gw.alive() else f"EXITED code {gw.proc.returncode}"
            rep.sections.append(("airlock log (tail)", f"[airlock {state}]\n{tail}"))


@pytest.fixture
def conn(gateway):
    c = gateway.connect("alice")
    try:
        yield c
    finally:
        c.close()
