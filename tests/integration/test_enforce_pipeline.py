"""Extended protocol and pipelining against an enforcing gateway: a denied Parse (named or
unnamed) answers 42501 in pipeline order, the rest of its batch is skipped up to Sync as
PostgreSQL skips after an error, every Sync gets exactly one ReadyForQuery, and results
never shift between statements (raw P/B/E/S batches, and psycopg pipeline mode)."""
import asyncio

import psycopg
import pytest

from enforce_setup import (assert_refused, bind_msg, data_snapshot, errors, execute_msg,  # noqa: F401
                           gateway, msg, no_more_messages, parse_msg, pbes, query_msg, raw_connect,
                           read_batches, summary, sync_msg)
from harness import run

pytestmark = pytest.mark.gateway_only

DENIED = "DELETE FROM tickets WHERE id = 1"


def _raw(gateway, payloads, n_ready, agent="support"):  # noqa: F811
    """Sends all payloads in one write; returns (batches, anything after the last Z)."""
    async def go():
        c = await raw_connect(gateway, agent)
        try:
            c.send(b"".join(payloads))
            await c.writer.drain()
            batches = await read_batches(c, n_ready)
            extra = await no_more_messages(c)
            return batches, extra
        finally:
            await c.close()
    return run(go(), 30)


def test_raw_allowed_denied_allowed(pg, gateway):  # noqa: F811
    before = data_snapshot(pg)
    batches, extra = _raw(gateway, [pbes("SELECT 'a'"), pbes(DENIED), pbes("SELECT 'c'")], 3)
    assert [summary(b) for b in batches] == [
        ["1", "2", "D:a", "C", "Z:I"],
        ["E:42501", "Z:I"],
        ["1", "2", "D:c", "C", "Z:I"],
    ]
    assert_refused(errors(batches[1])[0], "denied Parse")
    assert extra == []
    assert data_snapshot(pg) == before


def test_raw_named_denied_parse_never_exists(pg, gateway):  # noqa: F811
    """A denied named Parse is not created upstream: its later Bind fails with 26000 as in
    PostgreSQL; an allowed named statement next to it works."""
    before = data_snapshot(pg)
    payloads = [
        parse_msg(DENIED, "s_del") + sync_msg(),                                 # 1: 42501
        parse_msg("SELECT status FROM tickets WHERE id = $1", "s_ok") + sync_msg(),  # 2: ParseComplete
        bind_msg("s_del") + execute_msg() + sync_msg(),                          # 3: 26000
        bind_msg("s_ok", params=["3"]) + execute_msg() + sync_msg(),             # 4: row
        parse_msg(DENIED, "s_del") + bind_msg("s_del") + execute_msg() + sync_msg(),  # 5: 42501 once
    ]
    batches, extra = _raw(gateway, payloads, 5)
    s = [summary(b) for b in batches]
    assert s[0] == ["E:42501", "Z:I"], s
    assert s[1] == ["1", "Z:I"], s
    assert s[2] == ["E:26000", "Z:I"], s
    assert s[3] == ["2", "D:pending", "C", "Z:I"], s
    assert s[4] == ["E:42501", "Z:I"], s
    assert extra == []
    assert data_snapshot(pg) == before


def test_raw_denied_parse_skips_rest_of_batch(gateway):  # noqa: F811
    """After the denied Parse, Bind/Describe/Execute/Close of the same batch are skipped
    (no BindComplete, no rows), and the next batch runs normally."""
    describe = msg(b"D", b"P\0")
    close = msg(b"C", b"S\0")
    payloads = [
        parse_msg("SELECT 'before'") + bind_msg() + execute_msg() +
        parse_msg(DENIED) + bind_msg() + describe + execute_msg() + close +
        parse_msg("SELECT 'skipped'") + bind_msg() + execute_msg() + sync_msg(),
        pbes("SELECT 'next'"),
    ]
    batches, extra = _raw(gateway, payloads, 2)
    assert [summary(b) for b in batches] == [
        ["1", "2", "D:before", "C", "E:42501", "Z:I"],
        ["1", "2", "D:next", "C", "Z:I"],
    ]
    assert extra == []


def test_raw_flush_delivers_denial_before_sync(gateway):  # noqa: F811
    """Parse + Flush: the refusal arrives without a Sync, then Sync brings one ReadyForQuery."""
    async def go():
        c = await raw_connect(gateway)
        try:
            c.send(parse_msg(DENIED) + bind_msg() + execute_msg() + msg(b"H"))
            await c.writer.drain()
            first = await asyncio.wait_for(c.read_msg(), 5)
            early = await no_more_messages(c, 0.3)
            c.send(sync_msg() + pbes("SELECT 'after'"))
            await c.writer.drain()
            rest = await read_batches(c, 2)
            return first, early, rest
        finally:
            await c.close()
    first, early, rest = run(go(), 30)
    assert summary([first]) == ["E:42501"]
    assert early == []
    assert [summary(b) for b in rest] == [["Z:I"], ["1", "2", "D:after", "C", "Z:I"]]


def test_raw_many_batches_stay_in_order(pg, gateway):  # noqa: F811
    before = data_snapshot(pg)
    denials = [DENIED, "SELECT pg_terminate_backend(1)", "UPDATE tickets SET status = 'x'", "SELEC 1",
               "SELECT * FROM customers", "SET search_path = enf_secret, public"]
    payloads, expected = [], []
    for i in range(36):
        if i % 2:
            payloads.append(pbes(denials[(i // 2) % len(denials)]))
            expected.append(["E:42501", "Z:I"])
        else:
            payloads.append(pbes("SELECT $1::text", params=[f"v{i}"]))
            expected.append(["1", "2", f"D:v{i}", "C", "Z:I"])
    # a simple Query in the middle is answered in its place too
    payloads.insert(10, query_msg("SELECT 'simple'; SELECT 'two'"))
    expected.insert(10, ["T", "D:simple", "C", "T", "D:two", "C", "Z:I"])
    payloads.insert(20, query_msg("SELECT 'x'; " + DENIED))
    expected.insert(20, ["E:42501", "Z:I"])
    batches, extra = _raw(gateway, payloads, len(payloads))
    assert [summary(b) for b in batches] == expected
    assert extra == []
    assert data_snapshot(pg) == before


def test_raw_denial_after_error_in_same_batch(gateway):  # noqa: F811
    """An error earlier in the batch makes PostgreSQL skip the denied Parse too (nothing is
    reported for it, as PostgreSQL reports nothing for skipped messages). The next batch's
    refusal must still carry its own reason, not the skipped statement's."""
    payloads = [
        pbes("SELECT 1/0")[:-5] + parse_msg(DENIED) + bind_msg() + execute_msg() + sync_msg(),
        pbes("SELECT pg_terminate_backend(1)"),
        pbes("SELECT 'ok'"),
        query_msg("SELECT * FROM pg_read_file('/etc/passwd')"),
    ]
    batches, extra = _raw(gateway, payloads, 4)
    s = [summary(b) for b in batches]
    # 1/0 fails at Bind or Execute (constant folding); either way nothing after it runs
    assert s[0] in (["1", "E:22012", "Z:I"], ["1", "2", "E:22012", "Z:I"]), s
    assert s[1] == ["E:42501", "Z:I"], s
    assert s[2] == ["1", "2", "D:ok", "C", "Z:I"], s
    assert s[3] == ["E:42501", "Z:I"], s
    m1 = errors(batches[1])[0]["M"]
    m3 = errors(batches[3])[0]["M"]
    assert "pg_terminate_backend" in m1, f"refusal of pg_terminate_backend says: {m1}"
    assert "pg_read_file" in m3, f"refusal of pg_read_file says: {m3}"
    assert extra == []


def test_psycopg_pipeline_allowed_denied_allowed(pg, gateway):  # noqa: F811
    before = data_snapshot(pg)
    with gateway.connect("support") as c:
        for round_ in range(3):
            first, denied, third = c.cursor(), c.cursor(), c.cursor()
            with pytest.raises(psycopg.errors.InsufficientPrivilege) as ei:
                with c.pipeline():
                    first.execute("SELECT %s::text", [f"first-{round_}"])
                    denied.execute("DELETE FROM tickets WHERE id = %s", [1])
                    third.execute("SELECT %s::text", [f"third-{round_}"])
            assert "tickets" in ei.value.diag.message_primary, ei.value
            assert first.fetchone() == (f"first-{round_}",)
            assert third.pgresult is None or third.pgresult.status == psycopg.pq.ExecStatus.PIPELINE_ABORTED
            # the next pipeline lines up
            with c.pipeline() as p:
                curs = [c.cursor() for _ in range(4)]
                curs[0].execute("SELECT %s::int", [round_])
                curs[1].execute("SELECT status FROM tickets WHERE id = %s", [3])
                p.sync()
                curs[2].execute("SELECT count(*) FROM tickets")
                curs[3].execute("SELECT %s::text", ["last"], prepare=True)
            assert [cur.fetchone() for cur in curs] == [(round_,), ("pending",), (3,), ("last",)]
        assert c.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert data_snapshot(pg) == before


def test_psycopg_pipeline_sync_between(gateway):  # noqa: F811
    """With a Sync after each statement, the statement after the refusal runs."""
    with gateway.connect("support") as c:
        first, denied, third = c.cursor(), c.cursor(), c.cursor()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            with c.pipeline() as p:
                first.execute("SELECT %s::text", ["one"])
                p.sync()
                denied.execute("SELECT * FROM pg_read_file(%s)", ["/etc/passwd"])
                p.sync()
                third.execute("SELECT %s::text", ["three"])
                p.sync()
        assert first.fetchone() == ("one",)
        assert c.execute("SELECT %s::text", ["four"]).fetchone() == ("four",)


def test_raw_query_skipped_in_failed_batch(gateway):  # noqa: F811
    """A simple Query sent inside an unfinished extended batch (after a failing Execute,
    before Sync) would be skipped by PostgreSQL without a ReadyForQuery of its own and
    break the gateway's sync accounting; libpq never sends one. The gateway refuses it with
    08P01 and closes the session."""
    async def go():
        c = await raw_connect(gateway)
        got = []
        try:
            c.send(parse_msg("SELECT 1/0") + bind_msg() + execute_msg() +
                   query_msg("SELECT 'skipped'") + sync_msg())
            await c.writer.drain()
            try:
                while True:
                    got.append(await asyncio.wait_for(c.read_msg(), 10))
            except (asyncio.IncompleteReadError, ConnectionError, EOFError):
                pass
        finally:
            await c.close()
        return got
    got = run(go(), 30)
    # The failing Execute's own error may come first if it was forwarded in an earlier read.
    codes = [e["C"] for e in errors(got)]
    assert codes[-1:] == ["08P01"] and set(codes[:-1]) <= {"22012"}, got
    # A fresh session still gets proper denials.
    batches, extra = _raw(gateway, [pbes("SELECT pg_terminate_backend(1)"),
                                    query_msg("SELECT * FROM pg_read_file('/etc/passwd')")], 2)
    for i, word in ((0, "pg_terminate_backend"), (1, "pg_read_file")):
        e = errors(batches[i])[0]
        assert_refused(e, word)
    assert extra == []


# --------------------------------------------------------------------------- extended names

def test_bind_of_sql_prepared_name_refused(pg, gateway):  # noqa: F811
    """SQL PREPARE and protocol Parse share PostgreSQL's namespace: a Bind of a name Airlock
    only saw in a PREPARE would run without the checks attached at Parse. Refused."""
    batches, extra = _raw(gateway, [
        query_msg("PREPARE sneaky AS SELECT body FROM tickets WHERE id = 1"),
        bind_msg("sneaky") + execute_msg() + sync_msg(),
        query_msg("EXECUTE sneaky"),
    ], 3)
    assert [e["C"] for e in errors(batches[1])] == ["26000"], summary(batches[1])
    assert errors(batches[2]) == [], summary(batches[2])  # EXECUTE is judged as its PREPARE
    assert extra == []


def test_parse_of_existing_name_refused(gateway):  # noqa: F811
    """PostgreSQL keeps the old statement when a name is reused (42P05); Airlock refuses the
    reuse itself, so what it knows about the name stays true."""
    batches, _ = _raw(gateway, [
        parse_msg("SELECT id FROM tickets WHERE id = 1", "s1") + sync_msg(),
        parse_msg("SELECT 1", "s1") + sync_msg(),
        bind_msg("s1") + execute_msg() + sync_msg(),
    ], 3)
    assert [e["C"] for e in errors(batches[1])] == ["42P05"], summary(batches[1])
    assert errors(batches[2]) == [] and "D:1" in summary(batches[2]), summary(batches[2])


def test_execute_of_unknown_portal_refused(gateway):  # noqa: F811
    batches, _ = _raw(gateway, [execute_msg("nope") + sync_msg()], 1)
    assert [e["C"] for e in errors(batches[0])] == ["34000"], summary(batches[0])
