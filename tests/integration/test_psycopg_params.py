"""psycopg 3: query parameters in text and binary format, type round trips."""
import datetime
import decimal
import uuid

import psycopg
import pytest


VALUES = [
    42, -7, 2**40, 3.5, decimal.Decimal("12345.678901"), "héllo wörld ✓", "", None, True,
    b"\x00\x01\xffbytes", datetime.date(2024, 2, 29),
    datetime.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.timezone.utc),
    uuid.UUID("12345678-1234-5678-1234-567812345678"), [1, 2, 3], {"a": [1, "x"]},
]


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_param_round_trip(conn, binary):
    from psycopg.types.json import Jsonb
    cur = conn.cursor(binary=binary)
    for v in VALUES:
        p = Jsonb(v) if isinstance(v, dict) else v
        got = cur.execute("SELECT %s", [p], binary=binary).fetchone()[0]
        assert got == v, (v, got)


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_params_in_where(conn, binary):
    rows = conn.execute("SELECT id, name FROM items WHERE id = ANY(%s) AND qty >= %s ORDER BY id",
                        [[5, 10, 500], 0], binary=binary).fetchall()
    assert rows == [(5, "item-5"), (10, "item-10"), (500, "item-500")]


def test_many_rows_binary(conn):
    cur = conn.cursor(binary=True)
    cur.execute("SELECT id, name, qty FROM items ORDER BY id")
    rows = cur.fetchall()
    assert len(rows) == 1000 and rows[-1] == (1000, "item-1000", 0)


def test_executemany(conn):
    conn.execute("CREATE TEMP TABLE em(a int, b text)")
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO em VALUES (%s, %s)", [(i, f"v{i}") for i in range(200)])
    assert conn.execute("SELECT count(*), sum(a) FROM em").fetchone() == (200, sum(range(200)))


def test_error_then_usable(conn):
    with pytest.raises(psycopg.errors.DivisionByZero) as ei:
        conn.execute("SELECT 1 / %s", [0])
    assert ei.value.sqlstate == "22012"
    assert conn.execute("SELECT %s::int + 1", [1]).fetchone() == (2,)
