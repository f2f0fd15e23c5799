"""Session state the policy depends on: search_path and SQL-level prepared statements.

The search_path is chosen at connect time (startup parameter or options=-c search_path=...)
and read from the server after login; SET search_path is refused with 42501 in every form,
since the server could undo it without Airlock seeing (rollback, a failed pipeline) and it
re-plans prepared statements. RESET returns to the login value. Names resolve for Airlock as
for the server. PREPARE of a denied body is refused; EXECUTE of a name whose PREPARE was
allowed runs."""
import asyncio

import psycopg
import pytest

from enforce_setup import (assert_refused, bind_msg, data_snapshot, errors, execute_msg,  # noqa: F401
                           fresh_data, gateway, parse_msg, query_msg, raw_connect, read_batches,
                           su_rows, summary, sync_msg)
from harness import run

pytestmark = pytest.mark.gateway_only

SECRET_BODY = "not for agents"


def _refused(c, sql, **kw):
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as ei:
        c.execute(sql, **kw)
    assert ei.value.diag.message_primary.startswith("airlock: "), ei.value
    return ei.value


def test_set_search_path_refused_even_alone(gateway):  # noqa: F811
    with gateway.connect("support") as c:
        e = _refused(c, "SET search_path = enf_secret, public")
        assert "gateway.search_path" in e.diag.message_primary, e.diag.message_primary
        c.execute("RESET search_path")  # back to the login value: allowed
        assert c.execute("SELECT body FROM tickets WHERE id = 1").fetchone() == ("printer is broken",)


def test_search_path_from_connect_time_is_followed(gateway):  # noqa: F811
    """The server reads enf_secret.tickets first, and so does Airlock: refused."""
    with gateway.connect("support", options="-c search_path=enf_secret,public") as c:
        assert c.execute("SHOW search_path").fetchone()[0].replace(' ', '') == "enf_secret,public"
        e = _refused(c, "SELECT body FROM tickets WHERE id = 1")
        assert "enf_secret" in e.diag.message_primary, e.diag.message_primary
        assert c.execute("SELECT body FROM public.tickets WHERE id = 1").fetchone() == (
            "printer is broken",)


def test_set_search_path_refused_in_transaction_block(gateway):  # noqa: F811
    with gateway.connect("support", autocommit=False) as c:
        c.execute("SELECT 1")  # psycopg opened a transaction block
        _refused(c, "SET search_path = enf_secret, public")
        c.rollback()
        _refused(c, "SET LOCAL search_path = enf_secret, public")
        c.rollback()
        assert c.execute("SELECT body FROM tickets WHERE id = 1").fetchone() == ("printer is broken",)
        c.rollback()


def test_set_search_path_refused_extended_and_multi(gateway):  # noqa: F811
    with gateway.connect("support") as c:
        _refused(c, "SET search_path = enf_secret, public", binary=True)   # extended protocol
        _refused(c, "SET search_path = enf_secret, public", prepare=True)
        _refused(c, "SET search_path = enf_secret, public; SELECT 1")
        _refused(c, "BEGIN; SET search_path = enf_secret, public; COMMIT")
        _refused(c, "SELECT set_config('search_path', 'enf_secret, public', false)")
        assert c.execute("SHOW search_path").fetchone()[0] in ('"$user", public', "\"$user\", public")
        assert c.execute("SELECT body FROM tickets WHERE id = 1").fetchone() == ("printer is broken",)


@pytest.mark.parametrize("opener", ["simple_begin", "extended_begin", "failed_extended_batch"])
def test_set_search_path_server_can_undo(gateway, opener):  # noqa: F811
    """Where the server could drop or undo a SET search_path (after BEGIN in the same write,
    or after a failing Execute before Sync) it never gets the chance: the SET is refused, or
    the pipelined Query inside an unfinished extended batch closes the session (08P01).
    Either way the server never reads enf_secret.tickets for an unqualified name."""
    async def go():
        c = await raw_connect(gateway)
        try:
            if opener == "simple_begin":
                c.send(query_msg("BEGIN") + query_msg("SET search_path = enf_secret, public") +
                       query_msg("ROLLBACK"))
                n = 3
            elif opener == "extended_begin":
                c.send(parse_msg("BEGIN") + bind_msg() + execute_msg() +
                       query_msg("SET search_path = enf_secret, public") + query_msg("ROLLBACK"))
                n = 0
            else:
                c.send(parse_msg("SELECT 1/0") + bind_msg() + execute_msg() +
                       query_msg("SET search_path = enf_secret, public") + sync_msg())
                n = 0
            await c.writer.drain()
            if n == 0:
                got = []
                try:
                    while True:
                        got.append(await asyncio.wait_for(c.read_msg(), 10))
                except (asyncio.IncompleteReadError, ConnectionError, EOFError):
                    pass
                return None, got
            piped = await read_batches(c, n)
            c.send(query_msg("SELECT body FROM tickets WHERE id = 1"))
            await c.writer.drain()
            sel = (await read_batches(c, 1))[0]
            return piped, sel
        finally:
            await c.close()
    piped, sel = run(go(), 30)
    if opener != "simple_begin":
        codes = [e["C"] for e in errors(sel)]
        # A failing Execute forwarded in an earlier read may answer before the 08P01.
        assert codes[-1:] == ["08P01"] and set(codes[:-1]) <= {"22012"}, sel
        return
    if opener == "simple_begin":
        assert [e["C"] for e in errors(piped[1])] == ["42501"], summary(piped[1])
        assert "D:" + SECRET_BODY not in summary(sel), summary(sel)


def test_prepare_denied_body_refused(pg, gateway):  # noqa: F811
    before = data_snapshot(pg)
    with gateway.connect("support") as c:
        _refused(c, "PREPARE del(int) AS DELETE FROM tickets WHERE id = $1")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("EXECUTE del(1)")
        _refused(c, "PREPARE wipe AS UPDATE tickets SET status = 'x'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("EXECUTE wipe")
        assert c.execute("SELECT count(*) FROM pg_prepared_statements").fetchone() == (0,)
    assert data_snapshot(pg) == before


def test_prepare_allowed_then_execute(pg, gateway, fresh_data):  # noqa: F811
    with gateway.connect("support") as c:
        c.execute("PREPARE st(int) AS SELECT status FROM tickets WHERE id = $1")
        assert c.execute("EXECUTE st(3)").fetchone() == ("pending",)
        assert c.execute("EXECUTE st(1)").fetchone() == ("open",)
        c.execute("PREPARE up(text, int) AS UPDATE tickets SET status = $1 WHERE id = $2")
        c.execute("EXECUTE up('prepared', 2)")
        assert su_rows(pg, "SELECT status FROM public.tickets WHERE id = 2") == [("prepared",)]
        # re-PREPARE under the same name with a denied body: refused, the old one still runs
        _refused(c, "PREPARE st(int) AS DELETE FROM tickets WHERE id = $1")
        assert c.execute("EXECUTE st(2)").fetchone() == ("prepared",)
        c.execute("DEALLOCATE st")
        with pytest.raises(psycopg.Error) as ei:
            c.execute("EXECUTE st(1)")
        assert ei.value.sqlstate in ("42501", "26000"), ei.value
    assert su_rows(pg, "SELECT count(*) FROM public.tickets") == [(3,)]
