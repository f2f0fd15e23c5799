"""protocol::NameState against a real PostgreSQL 15 (issue #21), by tests/differential's
names_differential: random extended-protocol and simple-Query sequences over a few statement
and portal names, through a mirror of the gateway's name rules; whatever the server runs for
a name must be what the model said the name held.

Bounded here (fixed seeds, then one seed from the clock, printed); `make fuzz-long` runs the
clock seed for NAMES_DIFFERENTIAL_SECONDS. It talks to a PostgreSQL cluster of its own (never
through the gateway, never the suite's shared one: a sequence can crash a backend, which
restarts every session of that server), so it runs the same with AIRLOCK_DIRECT=1.

  NAMES_DIFFERENTIAL_BIN      the tool (default: next to the airlock binary,
                              build/<preset>/tests/differential/names_differential)
  NAMES_DIFFERENTIAL_SECONDS  run the clock seed this long instead of a bounded count
"""
from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

import harness

FIXED_SEEDS = [1, 2, 3]
SEQUENCES = 400  # per seed; about 100 sequences/s on 2 shared cores
MAX_OPS = 30

# The model bugs the fuzzer finds within a few sequences of every fixed seed; each is a
# known_bug row in tests/unit/protocol/name_state_test.cpp. Remove with the fix.


@pytest.fixture(scope="module")
def own_pg():
    with harness.running_pg(with_data=False) as server:
        yield server


def _tool() -> Path | None:
    env = os.environ.get("NAMES_DIFFERENTIAL_BIN")
    if env:
        p = Path(env)
        if not p.is_absolute():
            p = harness.REPO_ROOT / p
        return p if p.exists() else None
    airlock = harness.find_airlock_bin()
    if airlock is None:
        return None
    p = airlock.resolve().parents[2] / "tests" / "differential" / "names_differential"
    return p if p.exists() else None


def _run(pg, *args: str, timeout: float) -> tuple[subprocess.CompletedProcess, str]:
    tool = _tool()
    if tool is None:
        pytest.skip("names_differential not built (set NAMES_DIFFERENTIAL_BIN)")
    cmd = [str(tool), str(pg.sockdir), str(pg.port), pg.SUPERUSER, "postgres", *args]
    start = pg.logfile.stat().st_size if pg.logfile.exists() else 0
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    with pg.logfile.open("rb") as f:
        f.seek(start)
        log = f.read().decode(errors="replace")
    crashes = [line for line in log.splitlines() if "terminated by signal" in line]
    if crashes:
        pg.restart()  # the next test starts from a clean server
    return proc, "\n".join(crashes)


def _check(run: tuple[subprocess.CompletedProcess, str]) -> None:
    proc, crashes = run
    print(proc.stdout)
    tail = "\n".join(proc.stdout.splitlines()[-150:])
    assert proc.returncode == 0 and not crashes, (
        f"names_differential exit {proc.returncode}:\n{tail}\n{proc.stderr}\n"
        f"PostgreSQL backends crashed:\n{crashes}")


# Sequences replayed as scripts (tests/differential/names_script.hpp): the two reproductions
# of issue #21 (the model must hold), and each divergence the fuzzer found, minimized; each
# of those is also a known_bug row in tests/unit/protocol/name_state_test.cpp.
SCENARIOS = {
    # PREPARE a; PREPARE a again (42P05); EXECUTE a runs the first.
    "issue21_prepare_refused_then_execute": "Q prepare a; R; Q prepare a; R; Q exec a; R",
    "issue21_prepare_refused_pipelined": "Q prepare a; R; Q prepare a; Q exec a; R",
    # Parse a; then an error, Close S a and Parse a (both skipped); Bind from a runs the first.
    "issue21_close_and_parse_skipped_after_error":
        "P a sel; S; R; P _ fail; B _ _; E _ 0; C S a; P a sel; S; R; B _ a; E _ 0; S; R",
    "issue21_close_and_parse_skipped_pipelined":
        "P a sel; S; R; P _ fail; B _ _; E _ 0; C S a; P a sel; S; B _ a; E _ 0; S; R",
    # Found by this fuzzer, fixed in protocol/name_state.cpp:
    # After an error is read, a Sync and more messages: the model drops them and is lost.
    "skip_ends_at_sync_sent_after_error": "D P p; R; S; P a sel",
    # A cursor WITH HOLD survives COMMIT; the model forgets it at ReadyForQuery 'I', joins a
    # pipelined Bind p that fails (42P03) as Known, and Execute p runs the cursor.
    "cursor_with_hold_then_failed_bind_pipelined":
        "Q declare p; R; P a sel; S; R; B p a; S; E p 0; S; R",
    # An empty Query creates no portal: the unnamed portal survives, the model forgets it, and
    # after a failed pipelined Bind "" and an extended ROLLBACK TO, Execute "" runs the old one.
    "empty_query_keeps_unnamed_portal":
        "Q begin; R; P a sel; B _ a; C S a; S; R; P b sp; B p b; E p 0; S; R; Q empty; R; "
        "P _ err; B _ _; S; P a rb; B q a; E q 0; S; E _ 0; S; R",
}
# The same root as empty_query_keeps_unnamed_portal: a simple Query that fails while running
# (DISCARD ALL in a transaction block) leaves its unnamed portal, failed; a model that called
# it Absent joined a skipped pipelined Bind "" as Known and let Execute "" through, and
# PostgreSQL 15.20 then read the failed portal's freed plan list: the backend crashed
# (SIGSEGV) and the server restarted every session. The unnamed portal is now unknown after
# any Query, so Execute "" is refused there.
CRASH_SCENARIO = "Q begin; R; Q discard; R; P a fail; B _ a; S; E _ 0; S; R"


@pytest.mark.parametrize("name", SCENARIOS)
def test_names_differential_scenario(own_pg, name):
    _check(_run(own_pg, "--replay", SCENARIOS[name], "--trace", timeout=60))


def test_names_differential_failed_query_portal_crash(own_pg):
    _check(_run(own_pg, "--replay", CRASH_SCENARIO, "--trace", timeout=60))


@pytest.mark.parametrize("seed", FIXED_SEEDS)
def test_names_differential_fixed_seed(own_pg, seed):
    _check(_run(own_pg, "--seed", str(seed), "--iterations", str(SEQUENCES), "--max-ops", str(MAX_OPS),
                timeout=100))


def test_names_differential_clock_seed(own_pg):
    seed = time.time_ns() % (1 << 63)
    print(f"names_differential clock seed: {seed}")
    long_run = os.environ.get("NAMES_DIFFERENTIAL_SECONDS")
    if long_run:
        args = ["--seconds", long_run, "--iterations", str(1 << 60), "--max-ops", "40"]
        timeout = float(long_run) + 600
    else:
        args = ["--seconds", "20", "--iterations", str(SEQUENCES), "--max-ops", str(MAX_OPS)]
        timeout = 100
    _check(_run(own_pg, "--seed", str(seed), *args, timeout=timeout))
