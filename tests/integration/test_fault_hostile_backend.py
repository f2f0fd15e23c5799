"""A hostile backend (issue #19): after Airlock's login, the fake PostgreSQL of fake_backend.py
answers one session's Query with truncated messages, wrong lengths, lengths near 2^31, unknown
message types, a DataRow whose field count disagrees with its RowDescription (after a Query,
or after a Describe of the portal in the extended protocol) or whose lengths overrun it, a
huge ErrorResponse, an endless NoticeResponse stream, an authentication request, or stops
reading. Legitimate extended batches whose RowDescription is not known for sure (Describe of
one portal, Execute of another; no Describe) are relayed.

For each: only that session ends (a second session through the same gateway, open the whole
time, still runs a query), the gateway logs a line saying why, closes its upstream connection
(the fake sees the close), and stays alive; during the notice flood its RSS stays bounded.
Every wait is on a condition with a deadline (waits.until)."""
import asyncio
import struct
import time

import pytest

import harness
from fake_backend import FakeBackend
from harness import ProtocolError, RawConn, msg, parse_error_fields, run
from waits import until

pytestmark = pytest.mark.gateway_only

LIMIT = 8 * 1024 * 1024  # limits.max_message_bytes of this gateway
WRITE_TIMEOUT = 2  # timeouts.write, seconds


@pytest.fixture(scope="module")
def fake():
    fb = FakeBackend("ok")
    yield fb
    fb.close()


@pytest.fixture(scope="module")
def gw(fake):
    g = harness.start_gateway(None, up_host="127.0.0.1", up_port=fake.port, up_user="fake",
                              up_password="", name="hostile",
                              timeouts={"write": f"{WRITE_TIMEOUT}s"},
                              extra_yaml=f"limits: {{max_message_bytes: {LIMIT}}}")
    yield g
    g.stop()


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


async def connect(gw) -> RawConn:
    return await RawConn.connect(gw.host, gw.port, "alice", gw.password("alice"))


def hostile_query(name: str) -> bytes:
    sql = f"SELECT 'hostile:{name}'".encode() + b"\0"
    return b"Q" + struct.pack("!I", len(sql) + 4) + sql


async def outcome_of(c: RawConn, timeout: float = 15) -> tuple[str, list]:
    """Reads until ReadyForQuery ('ready'), EOF ('closed') or `timeout` ('timeout');
    returns it with the messages seen."""
    seen = []
    try:
        while True:
            t, body = await asyncio.wait_for(c.read_msg(), timeout)
            seen.append((t, body))
            if t == b"Z":
                return "ready", seen
    except (asyncio.IncompleteReadError, ConnectionError):
        return "closed", seen
    except asyncio.TimeoutError:
        return "timeout", seen
    except ProtocolError as e:
        return f"garbage:{e}", seen


def codes(seen) -> list[str]:
    return [parse_error_fields(b).get("C", "?") for t, b in seen if t == b"E"]


def log_has(gw, text: str) -> bool:
    return text in gw.log_text()


def healthy(gw) -> None:
    async def go():
        c = await connect(gw)
        try:
            return await c.query("SELECT 1")
        finally:
            await c.close()
    assert run(go(), 30) == [[(b"1",)]], "a new session does not work"


def ended_alone(gw, fake, name: str, log_line: str) -> None:
    """What every case ends with: the log line, the upstream closed, the gateway alive."""
    until(lambda: log_has(gw, log_line), 10, lambda: f"{name}: no log line {log_line!r}:\n"
          + gw.log_text()[-2000:])
    until(lambda: any(o in ("peer-closed", "send-failed", "closed-by-fake") for o in fake.outcomes.get(name, [])),
          10, lambda: f"{name}: the gateway kept its upstream connection: {fake.outcomes.get(name)}")
    assert gw.alive(), f"gateway died:\n{gw.log_text()[-3000:]}"
    healthy(gw)


# case -> the log line that names it
INVALID = "upstream sent an invalid message"
LOST = "upstream connection lost"
CASES = {
    "truncated_close": LOST,
    "wrong_length": INVALID,
    "len_2_31": INVALID,
    "len_2_31_minus_1": INVALID,
    "len_max": INVALID,
    "unknown_type": INVALID,
    "auth_midsession": INVALID,
    "auth_ok_midsession": INVALID,
    "key_midsession": INVALID,
}
# The log line says what was wrong (the message type and its declared length too).
WHY = {
    "len_2_31": "a length out of bounds (type 0x",
    "unknown_type": "an unknown message type (type 0x",
    "auth_midsession": "an authentication request mid-session",
    "key_midsession": "BackendKeyData mid-session",
}


def test_sanity(fake, gw):
    healthy(gw)


def hostile_session(gw, fake, name: str):
    """Sends the hostile case `name` on one session while another stays open; returns how the
    hostile session ended and what it saw. The other session must still work afterwards."""
    fake.outcomes.pop(name, None)

    async def go():
        other = await connect(gw)
        c = await connect(gw)
        try:
            c.send(hostile_query(name))
            await c.writer.drain()
            result, seen = await outcome_of(c)
            # the other session, open all along, still works
            assert await other.query("SELECT 1") == [[(b"1",)]]
            return result, seen
        finally:
            c.abort()
            await other.close()

    return run(go(), 60)


@pytest.mark.parametrize("name", sorted(CASES))
def test_malformed_answer_ends_only_its_session(fake, gw, name):
    result, seen = hostile_session(gw, fake, name)
    assert result == "closed", f"{name}: client saw {result} {seen[-3:]}"
    assert codes(seen) and codes(seen)[-1].startswith("08"), f"{name}: no 08xxx error: {seen[-3:]}"
    ended_alone(gw, fake, name, CASES[name])
    if name in WHY:
        assert WHY[name] in gw.log_text(), gw.log_text()[-2000:]


def test_truncated_then_stall_released_when_client_leaves(fake, gw):
    """A partial message and then silence: the session waits (a statement may run long), the
    other session is unaffected, and when the client leaves the gateway closes the upstream."""
    name = "truncated_stall"
    fake.outcomes.pop(name, None)

    async def go():
        other = await connect(gw)
        c = await connect(gw)
        c.send(hostile_query(name))
        await c.writer.drain()
        await asyncio.to_thread(until, lambda: "sent" in fake.outcomes.get(name, []), 10,
                                "the fake never answered")
        assert await other.query("SELECT 1") == [[(b"1",)]]
        c.abort()
        await other.close()
    run(go(), 60)
    until(lambda: "peer-closed" in fake.outcomes.get(name, []), 10,
          lambda: f"upstream not closed after the client left: {fake.outcomes.get(name)}")
    assert gw.alive()
    healthy(gw)


WIDER = "a DataRow whose count of values differs from its RowDescription's"
OVERRUN = "a DataRow whose values run past the end of the message"


def test_datarow_field_count_disagrees(fake, gw):
    """RowDescription of one column, DataRow of three values (a simple Query: every result
    that returns rows starts with its own RowDescription, so the count is checked)."""
    name = "datarow_fields"
    result, seen = hostile_session(gw, fake, name)
    assert result == "closed" and codes(seen)[-1:] == ["08006"], \
        f"a DataRow of 3 values after a RowDescription of 1 reached the client: {result} {seen}"
    assert not [b for t, b in seen if t == b"D"], "the DataRow reached the client"
    ended_alone(gw, fake, name, f"{WIDER}: 3 against 1 (type 0x44, declared length 21)")


def test_datarow_shorter_than_its_count(fake, gw):
    """A DataRow claiming two values and carrying one."""
    name = "datarow_short"
    fake.outcomes.pop(name, None)

    async def go():
        c = await connect(gw)
        try:
            c.send(hostile_query(name))
            await c.writer.drain()
            return await outcome_of(c)
        finally:
            c.abort()
    result, seen = run(go(), 60)
    assert result == "closed" and codes(seen)[-1:] == ["08006"], f"{result} {seen}"
    assert not [b for t, b in seen if t == b"D"], "the DataRow reached the client"
    ended_alone(gw, fake, name, f"{OVERRUN} (type 0x44, declared length 11)")


# --- the extended protocol: fake_backend.EXTENDED; a portal named w<N> has N columns ---

def parse(case: str) -> bytes:
    return msg(b"P", b"\0" + f"SELECT 'hostile:{case}'".encode() + b"\0" + struct.pack("!H", 0))


def bind(portal: bytes) -> bytes:
    return msg(b"B", portal + b"\0\0" + struct.pack("!HHH", 0, 0, 0))


def describe(portal: bytes) -> bytes:
    return msg(b"D", b"P" + portal + b"\0")


def execute(portal: bytes) -> bytes:
    return msg(b"E", portal + b"\0" + struct.pack("!I", 0))


SYNC = msg(b"S")


async def answers(c: RawConn, readies: int, timeout: float = 15) -> tuple[str, list]:
    """Reads until the `readies`-th ReadyForQuery ('ready'), EOF ('closed') or `timeout`."""
    seen = []
    try:
        while readies > 0:
            t, body = await asyncio.wait_for(c.read_msg(), timeout)
            seen.append((t, body))
            readies -= t == b"Z"
        return "ready", seen
    except (asyncio.IncompleteReadError, ConnectionError):
        return "closed", seen
    except asyncio.TimeoutError:
        return "timeout", seen


def widths(seen) -> list[int]:
    return [struct.unpack("!H", b[:2])[0] for t, b in seen if t == b"D"]


def extended_session(gw, fake, case: str, batches: bytes, readies: int, then_query: bool):
    """Sends `batches` (one write) on a new session; reads `readies` ReadyForQuery; then, when
    `then_query`, runs a Query on the same session. Returns the outcome and what was seen."""
    fake.outcomes.pop(case, None)

    async def go():
        c = await connect(gw)
        try:
            c.send(batches)
            await c.writer.drain()
            result, seen = await answers(c, readies)
            if result == "ready" and then_query:
                assert await c.query("SELECT 1") == [[(b"1",)]], "the session did not go on"
            return result, seen
        finally:
            c.abort()
    return run(go(), 60)


def test_extended_described_portal_rows_are_counted(fake, gw):
    """Describe of portal w1 (one column), then Execute of w1: its rows are three wide. The
    Describe's RowDescription is the one in effect for sure: the session ends at the row."""
    case = "ext_wide_rows"
    result, seen = extended_session(gw, fake, case, parse(case) + bind(b"w1") + describe(b"w1")
                                    + execute(b"w1") + SYNC, 1, False)
    assert result == "closed" and codes(seen)[-1:] == ["08006"], f"{result} {seen}"
    assert widths(seen) == [], f"a DataRow reached the client: {seen}"
    ended_alone(gw, fake, case, f"{WIDER}: 3 against 1")


def test_extended_rows_of_another_portal_are_relayed(fake, gw):
    """Describe portal w1, Execute portal w3, in one batch: the RowDescription the client has
    is not the one its rows answer to, and the check must not refuse this legitimate batch."""
    case = "ext_honest"
    result, seen = extended_session(gw, fake, case, parse(case) + bind(b"w1") + bind(b"w3")
                                    + describe(b"w1") + execute(b"w3") + SYNC, 1, True)
    assert result == "ready", f"{result} {seen}"
    assert widths(seen) == [3]


def test_extended_without_describe_checks_the_row_alone(fake, gw):
    """An Execute with no Describe in its batch: the statement may have been described in an
    earlier batch or never, so the count is not checked (the rows, two wider than the portal,
    are relayed), but a row whose lengths overrun the message still ends the session."""
    case = "ext_wide_rows"
    result, seen = extended_session(gw, fake, case, parse(case) + bind(b"w1") + execute(b"w1")
                                    + SYNC, 1, True)
    assert result == "ready" and widths(seen) == [3], f"{result} {seen}"
    case = "ext_overrun"
    result, seen = extended_session(gw, fake, case, parse(case) + bind(b"w1") + execute(b"w1")
                                    + SYNC, 1, False)
    assert result == "closed" and codes(seen)[-1:] == ["08006"], f"{result} {seen}"
    assert widths(seen) == []
    ended_alone(gw, fake, case, f"{OVERRUN} (type 0x44, declared length 11)")


def test_pipelined_batches_keep_their_row_descriptions(fake, gw):
    """Three batches in one write: described Executes, a Query between them, a batch with a
    described and an undescribed Execute. Every row is checked against its own result's
    RowDescription; nothing is refused."""
    case = "ext_honest"
    batches = (parse(case) + bind(b"w1") + describe(b"w1") + execute(b"w1") + SYNC
               + msg(b"Q", b"SELECT 1\0")
               + parse(case) + bind(b"w2") + describe(b"w2") + execute(b"w2")
               + bind(b"w4") + describe(b"w4") + execute(b"w4") + bind(b"w3") + execute(b"w3")
               + SYNC)
    result, seen = extended_session(gw, fake, case, batches, 3, True)
    assert result == "ready", f"{result} {seen}"
    assert widths(seen) == [1, 1, 2, 4, 3]


def test_pipeline_relays_what_came_before_the_bad_row(fake, gw):
    """A Query answered properly, then a batch whose described rows are too wide: the client
    gets the Query's whole answer, then the fatal error."""
    case = "ext_wide_rows"
    batches = (msg(b"Q", b"SELECT 1\0") + parse(case) + bind(b"w2") + describe(b"w2")
               + execute(b"w2") + SYNC)
    result, seen = extended_session(gw, fake, case, batches, 2, False)
    assert result == "closed" and codes(seen)[-1:] == ["08006"], f"{result} {seen}"
    assert widths(seen) == [1] and [t for t, _ in seen].count(b"Z") == 1, seen
    ended_alone(gw, fake, case, f"{WIDER}: 4 against 2")


def test_huge_error_within_limit_is_relayed(fake, gw):
    """A well-formed 2 MiB ErrorResponse is a server's right; it reaches the client whole and
    the session goes on; the gateway's memory returns near its level before."""
    name = "huge_error"
    fake.outcomes.pop(name, None)
    fake.huge_error_bytes = 2 * 1024 * 1024
    before = rss_kib(gw.proc.pid)

    async def go():
        c = await connect(gw)
        try:
            c.send(hostile_query(name))
            await c.writer.drain()
            return await outcome_of(c)
        finally:
            c.abort()
    result, seen = run(go(), 60)
    assert result == "ready", f"{result} {seen[-2:]}"
    msgs = [parse_error_fields(b).get("M", "") for t, b in seen if t == b"E"]
    assert len(msgs) == 1 and len(msgs[0]) == fake.huge_error_bytes
    until(lambda: "peer-closed" in fake.outcomes.get(name, []), 10, "upstream not closed")
    # the receive buffers are released when drained (a few MiB of allocator slack allowed)
    until(lambda: rss_kib(gw.proc.pid) < before + 12 * 1024, 10,
          lambda: f"RSS {before} KiB before, {rss_kib(gw.proc.pid)} KiB after")
    healthy(gw)


def test_huge_error_over_limit_ends_the_session(fake, gw):
    name = "huge_error"
    fake.huge_error_bytes = LIMIT + 1024
    try:
        result, seen = hostile_session(gw, fake, name)
    finally:
        fake.huge_error_bytes = 2 * 1024 * 1024
    assert result == "closed" and codes(seen)[-1:] == ["08006"], f"{result} {seen[-2:]}"
    ended_alone(gw, fake, name, INVALID)


def test_endless_notice_stream(fake, gw):
    """The fake sends NoticeResponses without end. While the client reads them (64 MiB worth,
    eight times the message limit) the gateway's RSS stays bounded; when the client stops
    reading, the write timeout ends that session only."""
    name = "notice_flood"
    fake.outcomes.pop(name, None)
    pid = gw.proc.pid
    flood_bytes = 64 * 1024 * 1024

    async def go():
        other = await connect(gw)
        c = await connect(gw)
        baseline = rss_kib(pid)
        peak = baseline
        c.send(hostile_query(name))
        await c.writer.drain()
        got = 0
        deadline = time.monotonic() + 45
        while got < flood_bytes:
            assert time.monotonic() < deadline, f"only {got} bytes of notices in 45 s"
            chunk = await asyncio.wait_for(c.reader.read(1 << 20), 10)
            assert chunk, "the gateway closed a session whose client reads"
            got += len(chunk)
            peak = max(peak, rss_kib(pid))
        assert await other.query("SELECT 1") == [[(b"1",)]]
        # the client stops reading: the gateway's write to it times out
        await asyncio.to_thread(until, lambda: "send-failed" in fake.outcomes.get(name, []),
                                WRITE_TIMEOUT + 15, "the flood went on after the client stopped reading")
        assert await other.query("SELECT 1") == [[(b"1",)]]
        c.abort()
        await other.close()
        return baseline, peak, got
    baseline, peak, got = run(go(), 90)
    print(f"notice flood: {got} bytes relayed, gateway RSS {baseline} KiB before, peak {peak} KiB")
    assert peak - baseline < 32 * 1024, f"RSS grew from {baseline} to {peak} KiB over {got} bytes"
    ended_alone(gw, fake, name, "write timeout")


def test_backend_stops_reading(fake, gw):
    """The fake stops reading after the first Query; the client keeps sending (12 MiB of
    queries, more than both sockets buffer). The write timeout ends the session."""
    name = "stop_reading"
    fake.outcomes.pop(name, None)
    filler = b"Q" + struct.pack("!I", 4 + 4096) + b"SELECT 1 --" + b"x" * (4096 - 12) + b"\0"

    async def go():
        other = await connect(gw)
        c = await connect(gw)
        c.send(hostile_query(name))
        await c.writer.drain()
        await asyncio.to_thread(until, lambda: "stopped-reading" in fake.outcomes.get(name, []), 10,
                                "the fake never got the query")
        result = "sent-all"
        try:
            for _ in range(12 * 256):
                c.send(filler)
                await asyncio.wait_for(c.writer.drain(), WRITE_TIMEOUT + 15)
        except (ConnectionError, asyncio.TimeoutError) as e:
            result = type(e).__name__
        if result != "ConnectionResetError" and result != "BrokenPipeError":
            r, _ = await outcome_of(c, WRITE_TIMEOUT + 15)
            result = r
        assert await other.query("SELECT 1") == [[(b"1",)]]
        c.abort()
        await other.close()
        return result
    result = run(go(), 90)
    assert result in ("closed", "ConnectionResetError", "BrokenPipeError"), result
    until(lambda: log_has(gw, "write timeout"), 10, "no write timeout logged")
    assert gw.alive()
    healthy(gw)


def test_huge_error_does_not_bloat_the_audit_trail(fake, tmp_path):
    trail = tmp_path / "trail"
    g = harness.start_gateway(None, up_host="127.0.0.1", up_port=fake.port, up_user="fake",
                              up_password="", name="hostile-audit",
                              extra_yaml=f"audit: {{dir: '{trail}'}}")
    fake.huge_error_bytes = 2 * 1024 * 1024
    try:
        async def go():
            c = await connect(g)
            try:
                c.send(hostile_query("huge_error"))
                await c.writer.drain()
                return await outcome_of(c)
            finally:
                await c.close()
        result, _ = run(go(), 60)
        assert result == "ready"

        def records():
            out = []
            for f in trail.glob("audit-*.jsonl"):
                out += [line for line in f.read_text().splitlines() if '"kind":"outcome"' in line]
            return out
        outcome = until(records, 10, "no outcome record")
        assert max(len(r) for r in outcome) < 64 * 1024, \
            f"an outcome record of {max(len(r) for r in outcome)} bytes"
    finally:
        g.stop()
