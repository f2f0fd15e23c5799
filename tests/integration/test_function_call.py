"""The legacy FunctionCall ('F') message is refused with 0A000 and is never executed; the
session stays usable, and inside a transaction block the transaction is aborted, as
PostgreSQL would abort it for any error."""
import struct

import pytest

from harness import RawConn, msg, parse_error_fields, run

pytestmark = pytest.mark.gateway_only

NEXTVAL_OID = 1574  # nextval(regclass)


def _function_call(oid: int, text_args: list[str]) -> bytes:
    body = struct.pack("!IH", oid, 1) + struct.pack("!H", 0)  # one format code: text for all args
    body += struct.pack("!H", len(text_args))
    for a in text_args:
        b = a.encode()
        body += struct.pack("!i", len(b)) + b
    body += struct.pack("!H", 0)  # text result
    return msg(b"F", body)


async def _call(c: RawConn, oid: int, args: list[str]):
    """Sends a FunctionCall; returns (messages up to ReadyForQuery, transaction status)."""
    c.send(_function_call(oid, args))
    await c.writer.drain()
    out = []
    while True:
        t, body = await c.read_msg()
        out.append((t, body))
        if t == b"Z":
            return out, body[:1]


def _errors(msgs):
    return [parse_error_fields(b) for t, b in msgs if t == b"E"]


def test_function_call_refused_session_usable(gateway):
    async def go():
        c = await RawConn.connect(gateway.host, gateway.port, "alice", gateway.password("alice"))
        try:
            await c.query("DROP SEQUENCE IF EXISTS fc_seq; CREATE SEQUENCE fc_seq")
            msgs, status = await _call(c, NEXTVAL_OID, ["fc_seq"])
            after = await c.query("SELECT last_value, is_called FROM fc_seq")
            again = await c.query("SELECT 1")
            await c.query("DROP SEQUENCE fc_seq")
            return msgs, status, after, again
        finally:
            await c.close()
    msgs, status, after, again = run(go(), 30)
    errs = _errors(msgs)
    assert [e["C"] for e in errs] == ["0A000"], msgs
    assert errs[0]["S"] == "ERROR"
    assert b"V" not in [t for t, _ in msgs]  # no FunctionCallResponse
    assert status == b"I"
    assert after == [[(b"1", b"f")]], "nextval ran although the FunctionCall was refused"
    assert again == [[(b"1",)]]


def test_function_call_in_transaction_aborts_it(gateway):
    async def go():
        c = await RawConn.connect(gateway.host, gateway.port, "bob", gateway.password("bob"))
        try:
            await c.query("BEGIN")
            await c.query("CREATE TEMP TABLE fc_tx(x int)")
            msgs, status = await _call(c, NEXTVAL_OID, ["fc_missing_seq"])
            try:
                await c.query("SELECT 1")
                in_failed = None
            except Exception as e:  # PgError
                in_failed = e.sqlstate
            await c.query("ROLLBACK")
            after = await c.query("SELECT count(*) FROM pg_class WHERE relname = 'fc_tx'")
            return msgs, status, in_failed, after
        finally:
            await c.close()
    msgs, status, in_failed, after = run(go(), 30)
    assert [e["C"] for e in _errors(msgs)] == ["0A000"], msgs
    assert status == b"E"
    assert in_failed == "25P02"
    assert after == [[(b"0",)]]


def test_function_call_pipelined_with_query(gateway):
    """A FunctionCall between two Queries in one write: answers stay in order."""
    async def go():
        c = await RawConn.connect(gateway.host, gateway.port, "alice", gateway.password("alice"))
        try:
            c.send(msg(b"Q", b"SELECT 'before'\0") + _function_call(NEXTVAL_OID, ["x"]) +
                   msg(b"Q", b"SELECT 'after'\0"))
            await c.writer.drain()
            seen = []
            zs = 0
            while zs < 3:
                t, body = await c.read_msg()
                if t == b"D":
                    seen.append(body[6:].decode())
                elif t == b"E":
                    seen.append("E:" + parse_error_fields(body)["C"])
                elif t == b"Z":
                    zs += 1
            return seen
        finally:
            await c.close()
    assert run(go(), 30) == ["before", "E:0A000", "after"]
