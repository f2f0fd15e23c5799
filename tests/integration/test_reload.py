"""SIGHUP reload: a new agent can log in at once and open sessions survive; an invalid file
is rejected with every error as file:line: key: message in the log, and the previous
configuration stays in force."""
import re
import secrets
import signal
import time

import psycopg
import pytest

import harness

pytestmark = pytest.mark.gateway_only

CAROL_PW = "carol-" + secrets.token_hex(8)


def _wait_log(gw, pattern: str, start: int, timeout: float = 10) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = gw.log_text()[start:]
        if re.search(pattern, text):
            return text
        time.sleep(0.05)
    raise AssertionError(f"log never matched {pattern!r}; log since reload:\n{gw.log_text()[start:]}")


def test_sighup_reload(pg):
    # CAROL_PASSWORD is in the environment from the start: *_env values are read at (re)load
    gw = harness.start_gateway(pg, name="reload", extra_env={"CAROL_PASSWORD": CAROL_PW})
    try:
        old = gw.connect("alice")
        old.execute("CREATE TEMP TABLE survivor(x int)")
        old.execute("INSERT INTO survivor VALUES (1)")
        carol_dsn = gw.dsn("alice", user="carol", password=CAROL_PW)

        err = harness.connect_error(gw.host, gw.port, "carol", CAROL_PW)
        assert err is not None and err["C"] == "28P01", err

        # 1. add carol, SIGHUP
        cfg = gw.config_path.read_text()
        gw.config_path.write_text(cfg + "  carol: {password_env: CAROL_PASSWORD, mode: observe}\n")
        mark = len(gw.log_text())
        gw.proc.send_signal(signal.SIGHUP)
        _wait_log(gw, r"reloaded .*3 agent", mark)
        with psycopg.connect(carol_dsn, autocommit=True) as c:
            assert c.execute("SELECT count(*) FROM items").fetchone() == (1000,)
        # the session opened before the reload is the same backend, still usable
        assert old.execute("SELECT x FROM survivor").fetchone() == (1,)

        # 2. an invalid file: bad listen port, an unknown key, a bad duration
        good = gw.config_path.read_text()
        bad = good.replace(f"listen: 127.0.0.1:{gw.port}", "listen: 127.0.0.1:99999")
        bad = bad.replace("log: {level: info}", "log: {level: info, colour: yes}")
        bad = bad.replace("timeouts: {", "timeouts: {idle_in_transaction: soon, ")
        assert bad.count("\n") == good.count("\n")
        gw.config_path.write_text(bad)
        mark = len(gw.log_text())
        gw.proc.send_signal(signal.SIGHUP)
        text = _wait_log(gw, r"previous configuration stays in force", mark)
        name = gw.config_path.name
        lines = bad.splitlines()
        line_of = {key: next(i + 1 for i, ln in enumerate(lines) if ln.startswith(key)) for key in
                   ("listen", "log", "timeouts")}
        assert re.search(rf"{re.escape(name)}:{line_of['listen']}: listen[.\w]*: ", text), text
        assert re.search(rf"{re.escape(name)}:{line_of['log']}: log\.colour: ", text), text
        assert re.search(rf"{re.escape(name)}:{line_of['timeouts']}: timeouts\.idle_in_transaction: ", text), text
        assert "3 error(s)" in text, text
        assert gw.alive()

        # old configuration still in force: carol logs in, the old session still works
        with psycopg.connect(carol_dsn, autocommit=True) as c:
            assert c.execute("SELECT 1").fetchone() == (1,)
        assert old.execute("SELECT x FROM survivor").fetchone() == (1,)
        old.close()

        # 3. remove carol again: refused from then on
        gw.config_path.write_text(good.replace("  carol: {password_env: CAROL_PASSWORD, mode: observe}\n", ""))
        mark = len(gw.log_text())
        gw.proc.send_signal(signal.SIGHUP)
        _wait_log(gw, r"reloaded .*2 agent", mark)
        err = harness.connect_error(gw.host, gw.port, "carol", CAROL_PW)
        assert err is not None and err["C"] == "28P01", err
    finally:
        gw.stop()
