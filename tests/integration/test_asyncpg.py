"""asyncpg (Debian python3-asyncpg) against an enforcing gateway.

asyncpg sends the startup parameter client_encoding='utf-8' with the quotes, which
PostgreSQL reads as UTF8; Airlock must accept it like PostgreSQL does. Then: fetch through
named prepared statements, a masked column, a refusal as asyncpg reports it, and the
connection usable afterwards."""
import asyncio

import pytest

from enforce_setup import gateway  # noqa: F401

asyncpg = pytest.importorskip("asyncpg", reason="python3-asyncpg (scripts/install-deps.sh)")

pytestmark = pytest.mark.gateway_only


def _run(coro):
    return asyncio.run(asyncio.wait_for(coro, timeout=60))


async def _connect(gw):
    return await asyncpg.connect(host=gw.host, port=gw.port, user="support",
                                 password=gw.password("support"), database=gw.dbname,
                                 ssl=False, timeout=10)


def test_connects_and_fetches(gateway):
    async def go():
        c = await _connect(gateway)
        try:
            enc = await c.fetchval("SELECT current_setting('client_encoding')")
            status = await c.fetchval("SELECT status FROM tickets WHERE id = $1", 3)
            rows = await c.fetch("SELECT id, assignee FROM tickets WHERE id = ANY($1::int[]) "
                                 "ORDER BY id", [1, 2])
            emails = await c.fetch("SELECT id, email FROM customers ORDER BY id")
            return enc, status, [tuple(r) for r in rows], [tuple(r) for r in emails]
        finally:
            await c.close()

    enc, status, rows, emails = _run(go())
    assert enc == "UTF8"
    assert status == "pending"
    assert rows == [(1, "ann"), (2, "bob")]
    assert len(emails) == 2
    assert all(r[1] not in ("a@example.com", "b@example.com") for r in emails), emails


def test_masked_result_keeps_unmasked_columns(gateway):
    async def go():
        c = await _connect(gateway)
        try:
            return [tuple(r) for r in await c.fetch("SELECT id, email FROM customers ORDER BY id")]
        finally:
            await c.close()

    assert [r[0] for r in _run(go())] == [1, 2]


def test_set_client_encoding_utf8_spelling_allowed(gateway):
    async def go():
        c = await _connect(gateway)
        try:
            await c.execute("SET client_encoding TO 'utf-8'")
            return await c.fetchval("SHOW client_encoding")
        finally:
            await c.close()

    assert _run(go()) == "UTF8"


def test_denial_leaves_connection_usable(gateway):
    async def go():
        c = await _connect(gateway)
        out = {}
        try:
            for key, sql, args in [("simple", "DELETE FROM tickets WHERE id = 1", ()),
                                   ("extended", "DELETE FROM tickets WHERE id = $1", (1,)),
                                   ("column", "SELECT ssn FROM customers WHERE id = $1", (1,)),
                                   ("encoding", "SET client_encoding = 'SJIS'", ())]:
                try:
                    await c.execute(sql, *args)
                    out[key] = None
                except asyncpg.PostgresError as e:
                    out[key] = (e.sqlstate, e.message, e.hint)
            out["after"] = await c.fetchval("SELECT count(*) FROM tickets WHERE id = $1", 1)
            out["enc"] = await c.fetchval("SHOW client_encoding")
        finally:
            await c.close()
        return out

    out = _run(go())
    for key in ("simple", "extended", "column", "encoding"):
        assert out[key] is not None, f"{key} was allowed"
        assert out[key][0] == "42501", out[key]
        assert out[key][1].startswith("airlock:"), out[key]
    assert out["after"] == 1
    assert out["enc"] == "UTF8"
