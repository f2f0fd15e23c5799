"""A refusal inside a transaction block aborts the transaction as a PostgreSQL error does:
the client sees transaction status 'E', further statements get 25P02 until ROLLBACK, a
COMMIT rolls back (the earlier allowed write is gone on PostgreSQL), and afterwards the
status is 'I' and the session works."""
import psycopg
import pytest

from enforce_setup import (assert_refused, errors, fresh_data, gateway, pbes, query_msg,  # noqa: F401
                           raw_connect, read_batches, su_rows, summary)
from harness import run

pytestmark = pytest.mark.gateway_only

TS = psycopg.pq.TransactionStatus


@pytest.mark.parametrize("extended", [False, True], ids=["simple", "extended"])
def test_psycopg_denial_aborts_transaction(pg, gateway, fresh_data, extended):  # noqa: F811
    with gateway.connect("support", autocommit=False) as c:
        c.execute("UPDATE tickets SET status = 'tx' WHERE id = 1")
        assert c.info.transaction_status == TS.INTRANS
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            if extended:
                c.execute("DELETE FROM tickets WHERE id = %s", [2])
            else:
                c.execute("DELETE FROM tickets WHERE id = 2")
        assert c.info.transaction_status == TS.INERROR
        with pytest.raises(psycopg.errors.InFailedSqlTransaction):
            c.execute("SELECT 1")
        with pytest.raises(psycopg.errors.InFailedSqlTransaction):
            c.execute("SELECT status FROM tickets WHERE id = %s", [1])
        assert c.info.transaction_status == TS.INERROR
        c.rollback()
        assert c.info.transaction_status == TS.IDLE
        assert c.execute("SELECT status FROM tickets WHERE id = 1").fetchone() == ("open",)
        c.rollback()
    assert su_rows(pg, "SELECT id, status FROM public.tickets ORDER BY id") == [(1, "open"), (2, "open"),
                                                                                 (3, "pending")]


def test_raw_status_and_commit_rolls_back(pg, gateway, fresh_data):  # noqa: F811
    """Raw simple protocol: ReadyForQuery status T, E, E, I; COMMIT of the failed block
    answers ROLLBACK and the allowed UPDATE before the refusal is not kept."""
    async def go():
        c = await raw_connect(gateway)
        try:
            out = []
            for q in ("BEGIN", "UPDATE tickets SET status = 'tx' WHERE id = 1",
                      "SELECT * FROM pg_read_file('/etc/passwd')", "SELECT 1", "COMMIT",
                      "SELECT status FROM tickets WHERE id = 1"):
                c.send(query_msg(q))
                await c.writer.drain()
                out.append((await read_batches(c, 1))[0])
            return out
        finally:
            await c.close()
    begin, upd, denied, failed, commit, after = run(go(), 30)
    assert summary(begin)[-1] == "Z:T"
    assert summary(upd)[-1] == "Z:T"
    assert_refused(errors(denied)[0], "pg_read_file in a transaction")
    assert summary(denied)[-1] == "Z:E", summary(denied)
    assert [e["C"] for e in errors(failed)] == ["25P02"], summary(failed)
    assert summary(failed)[-1] == "Z:E"
    assert any(t == b"C" and body.startswith(b"ROLLBACK") for t, body in commit), summary(commit)
    assert summary(commit)[-1] == "Z:I"
    assert summary(after) == ["T", "D:open", "C", "Z:I"]
    assert su_rows(pg, "SELECT status FROM public.tickets WHERE id = 1") == [("open",)]


def test_extended_denial_in_transaction(pg, gateway, fresh_data):  # noqa: F811
    """Extended protocol inside BEGIN: the denied Parse fails its batch with 42501 and the
    status is 'E'; the next batch gets 25P02; ROLLBACK returns to 'I'."""
    async def go():
        c = await raw_connect(gateway)
        try:
            c.send(query_msg("BEGIN") +
                   pbes("UPDATE tickets SET status = $1 WHERE id = 2", params=["tx"]) +
                   pbes("UPDATE tickets SET status = 'x'") +
                   pbes("SELECT 1") +
                   query_msg("ROLLBACK") +
                   pbes("SELECT status FROM tickets WHERE id = 2"))
            await c.writer.drain()
            return await read_batches(c, 6)
        finally:
            await c.close()
    begin, upd, denied, failed, rollback, after = run(go(), 30)
    assert summary(begin)[-1] == "Z:T"
    assert summary(upd) == ["1", "2", "C", "Z:T"]
    assert [e["C"] for e in errors(denied)] == ["42501"] and summary(denied)[-1] == "Z:E", summary(denied)
    assert_refused(errors(denied)[0], "update without WHERE")
    assert [e["C"] for e in errors(failed)] == ["25P02"] and summary(failed)[-1] == "Z:E", summary(failed)
    assert summary(rollback)[-1] == "Z:I"
    assert summary(after) == ["1", "2", "D:open", "C", "Z:I"]
    assert su_rows(pg, "SELECT status FROM public.tickets WHERE id = 2") == [("open",)]


def test_savepoint_does_not_hide_denial(pg, gateway, fresh_data):  # noqa: F811
    """ROLLBACK TO SAVEPOINT recovers from a refusal as from any error; the refused
    statement did not run, the work before the savepoint is committed."""
    with gateway.connect("support", autocommit=False) as c:
        c.execute("UPDATE tickets SET status = 'kept' WHERE id = 3")
        c.execute("SAVEPOINT s")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("DELETE FROM tickets WHERE id = 3")
        assert c.info.transaction_status == TS.INERROR
        c.execute("ROLLBACK TO SAVEPOINT s")
        assert c.info.transaction_status == TS.INTRANS
        c.commit()
    assert su_rows(pg, "SELECT id, status FROM public.tickets ORDER BY id") == [(1, "open"), (2, "open"),
                                                                                 (3, "kept")]
